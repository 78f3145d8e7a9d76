// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for the state parser and validator. As in wireguard-tools' src/fuzz/,
 * it includes the sources directly. No key files are read and no names resolved, so every
 * input exercises parsing and validation only.
 */
#include "../../helpers/lib/addr.c"
#include "../../helpers/lib/buf.c"
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
	struct wgstate st;
	struct err err = {{0}};
	json_t *root = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);

	if (!root)
		return 0;
	if (!wgstate_parse(&st, root, 0, &err) && !err.msg[0])
		__builtin_trap(); /* every refusal must say why */
	wgstate_free(&st);
	json_decref(root);
	return 0;
}
