// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for the client spec parser, the sync spec parser (many peers, inline keys)
 * and the .conf renderer (sources included directly). No key file is read: every input exercises
 * validation and rendering only. An input is tried as both: a `write` spec and a `sync` spec.
 */
#include "../../helpers/lib/addr.c"
#include "../../helpers/lib/buf.c"
#include "../../helpers/wg-client-config/clientconf.c"
#include "../../helpers/wg-client-config/syncspec.c"
#include "../../helpers/lib/json_wipe.c"
#include "../../helpers/lib/err.c"
#include "../../helpers/lib/json_get.c"
#include "../../helpers/lib/num.c"
#include "../../helpers/lib/filesync.c"
#include "../../helpers/lib/key.c"
#include "../../helpers/lib/wgcheck.c"
#include "../../helpers/lib/wgdev.c"
#include "../../helpers/lib/wgstate.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_sync(json_t *root)
{
	struct syncspec s;
	struct err err = {{0}};
	struct buf out = {0};
	size_t i;

	if (!syncspec_parse(&s, root, CLIENTCONF_INLINE_KEYS, &err)) {
		if (!err.msg[0])
			__builtin_trap();
	} else {
		for (i = 0; i < s.n_peers; i++) {
			if (clientconf_render(&s.peers[i], &out) || !strstr(out.data, "[Peer]\n"))
				__builtin_trap();
			buf_free(&out);
		}
	}
	syncspec_free(&s);
	/* Wiping the inline keys' text must leave a tree jansson can still free. */
	syncspec_wipe_text(root);
}

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
	fuzz_sync(root);
	json_decref(root);
	return 0;
}
