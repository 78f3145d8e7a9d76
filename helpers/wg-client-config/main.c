// SPDX-License-Identifier: GPL-2.0-only
/*
 * wg-client-config: a peer's WireGuard client configuration and its QR codes, written only when
 * their content changes. See docs/client-config.md.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "key.h"
#include "out.h"

static const struct cmd_entry {
	const char *name;
	int (*fn)(int argc, char *argv[]);
} cmds[] = {
    {"write", write_main},
    {"remove", remove_main},
    {"qr", qr_main},
};

static void usage(FILE *f)
{
	fputs("usage: wg-client-config write SPEC.json|- --dir DIR [--check] [--terminal]\n"
	      "       wg-client-config remove NAME --dir DIR [--check]\n"
	      "       wg-client-config qr NAME --dir DIR\n",
	      f);
}

int cmd_opts(struct opts *o, int argc, char *argv[], const char *allowed)
{
	int i;

	memset(o, 0, sizeof(*o));
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--dir") && i + 1 < argc && !o->dir)
			o->dir = argv[++i];
		else if (!strcmp(argv[i], "--check") && strchr(allowed, 'c'))
			o->check = true;
		else if (!strcmp(argv[i], "--terminal") && strchr(allowed, 't'))
			o->terminal = true;
		else if (argv[i][0] != '-' || !strcmp(argv[i], "-")) {
			if (o->arg)
				return -EINVAL;
			o->arg = argv[i];
		} else {
			return -EINVAL;
		}
	}
	return o->arg && o->dir && o->dir[0] ? 0 : -EINVAL;
}

int cmd_path(char *path, size_t size, const char *dir, const char *name, const char *ext)
{
	int n = snprintf(path, size, "%s/%s.%s", dir, name, ext);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int main(int argc, char *argv[])
{
	size_t i;

	if (key_init() < 0)
		return json_out_fail(EXIT_RUNTIME, "libsodium failed to initialise");
	if (argc < 2) {
		usage(stderr);
		return json_out_fail(EXIT_INVALID, "missing command");
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	usage(stderr);
	return json_out_fail(EXIT_INVALID, "unknown command \"%s\"", argv[1]);
}
