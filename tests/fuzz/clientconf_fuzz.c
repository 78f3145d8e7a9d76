// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for the client spec parser and the .conf renderer (sources included
 * directly). No key file is read: every input exercises validation and rendering only.
 */
#include "../../helpers/lib/addr.c"
#include "../../helpers/lib/buf.c"
#include "../../helpers/wg-client-config/clientconf.c"
#include "../../helpers/lib/err.c"
#include "../../helpers/lib/json_get.c"
#include "../../helpers/lib/num.c"
#include "../../helpers/lib/filesync.c"
#include "../../helpers/lib/key.c"
#include "../../helpers/lib/wgcheck.c"
#include "../../helpers/lib/wgdev.c"
#include "../../helpers/lib/wgstate.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct clientconf cc;
	struct err err = {{0}};
	struct buf out = {0};
	json_t *root = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);

	if (!root)
		return 0;
	if (!clientconf_parse(&cc, root, CLIENTCONF_INLINE_KEYS, &err)) {
		if (!err.msg[0])
			__builtin_trap(); /* every refusal must say why */
	} else if (clientconf_render(&cc, &out) || !strstr(out.data, "[Peer]\n")) {
		__builtin_trap();
	}
	buf_free(&out);
	clientconf_wipe(&cc);
	json_decref(root);
	return 0;
}
