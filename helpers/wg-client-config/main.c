// SPDX-License-Identifier: GPL-2.0-only
/*
 * wg-client-config: a peer's WireGuard client configuration and its QR codes, written only when
 * their content changes. See docs/client-config.md.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <unistd.h>

#include "cmd.h"
#include "dispatch.h"
#include "filesync.h"
#include "json_wipe.h"
#include "key.h"
#include "out.h"

#define CMD_SPEC_MAX (256U << 20) /* the largest spec read from stdin */

static const struct dispatch_cmd cmds[] = {
    {"write", write_main},
    {"sync", sync_main},
    {"remove", remove_main},
    {"qr", qr_main},
};

static const char usage[] =
    "usage: wg-client-config write SPEC.json|- --dir DIR [--check] [--terminal]\n"
    "       wg-client-config sync SPEC.json|- --dir DIR [--check]\n"
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

json_t *cmd_load_spec(const char *arg, struct err *err)
{
	struct buf text = {0};
	json_error_t jerr;
	json_t *root = NULL;
	char *near;
	int ret;

	if (strcmp(arg, "-")) {
		root = json_load_file(arg, JSON_REJECT_DUPLICATES, &jerr);
	} else if ((ret = filesync_read_fd(STDIN_FILENO, &text, CMD_SPEC_MAX))) {
		err_set(err, "spec \"-\": cannot read stdin: %s",
			ret == -EFBIG ? "larger than 256 MiB" : json_out_strerror(ret));
		return NULL;
	} else {
		root =
		    json_loadb(text.data ? text.data : "", text.len, JSON_REJECT_DUPLICATES, &jerr);
		buf_free(&text);
	}
	if (root)
		return root;
	/* jansson quotes the text near the error, which may be a key (inline, or pasted into a
	 * file where a path belongs): the message keeps the line, never that text. */
	if ((near = strstr(jerr.text, " near ")))
		*near = '\0';
	err_set(err, "spec \"%s\": %s (line %d)", arg, jerr.text, jerr.line);
	return NULL;
}

int main(int argc, char *argv[])
{
	if (key_init() < 0)
		return json_out_fail(EXIT_RUNTIME, "libsodium failed to initialise");
	/* A spec from stdin may hold keys: every buffer jansson frees is wiped first. */
	json_wipe_alloc();
	return DISPATCH(argc, argv, cmds, usage, NULL);
}
