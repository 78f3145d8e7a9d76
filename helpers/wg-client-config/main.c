// SPDX-License-Identifier: GPL-2.0-only
/*
 * wg-client-config: a peer's WireGuard client configuration and its QR codes, written only when
 * their content changes. See docs/client-config.md.
 */
#include <errno.h>
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
