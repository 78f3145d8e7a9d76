// SPDX-License-Identifier: GPL-2.0-only
/*
 * wg-client-config: a peer's WireGuard client configuration and its QR codes, written only when
 * their content changes. See docs/client-config.md.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "dispatch.h"
#include "key.h"
#include "out.h"

static const struct dispatch_cmd cmds[] = {
    {"write", write_main},
    {"remove", remove_main},
    {"qr", qr_main},
};

static const char usage[] =
    "usage: wg-client-config write SPEC.json|- --dir DIR [--check] [--terminal]\n"
    "       wg-client-config remove NAME --dir DIR [--check]\n"
    "       wg-client-config qr NAME --dir DIR\n";

/* Every option of every command; cmd_opts refuses those a command does not take. */
static const struct option options[] = {
    {"dir", required_argument, NULL, 'd'},
    {"check", no_argument, NULL, CMD_OPT_CHECK},
    {"terminal", no_argument, NULL, CMD_OPT_TERMINAL},
    {NULL, 0, NULL, 0},
};

int cmd_opts(struct opts *o, int argc, char *argv[], unsigned int allowed)
{
	int c;

	memset(o, 0, sizeof(*o));
	opterr = 0; /* the command prints its usage as JSON */
	optind = 0;
	/* "-": operands come back in order as 1, whatever POSIXLY_CORRECT says. */
	while ((c = getopt_long(argc, argv, "-", options, NULL)) != -1) {
		switch (c) {
		case 1:
			if (o->arg)
				return -EINVAL;
			o->arg = optarg;
			break;
		case 'd':
			if (o->dir)
				return -EINVAL;
			o->dir = optarg;
			break;
		case CMD_OPT_CHECK:
		case CMD_OPT_TERMINAL:
			if (!(allowed & (unsigned int)c))
				return -EINVAL;
			o->check |= c == CMD_OPT_CHECK;
			o->terminal |= c == CMD_OPT_TERMINAL;
			break;
		default:
			return -EINVAL;
		}
	}
	return o->arg && o->dir && o->dir[0] ? 0 : -EINVAL;
}

int cmd_check_dir(const char *dir)
{
	if (json_out_utf8(dir))
		return 0;
	return json_out_fail(EXIT_INVALID,
			     "dir: \"%s\" is not valid UTF-8, so the JSON result could not name "
			     "it; choose a UTF-8 path",
			     dir);
}

int cmd_path(char *path, size_t size, const char *dir, const char *name, const char *ext)
{
	int n = snprintf(path, size, "%s/%s.%s", dir, name, ext);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int main(int argc, char *argv[])
{
	if (key_init() < 0)
		return json_out_fail(EXIT_RUNTIME, "libsodium failed to initialise");
	return DISPATCH(argc, argv, cmds, usage, NULL);
}
