// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for zabbix-wg-stats' sites file parser (and the probe addresses it parses).
 * As in wireguard-tools' src/fuzz/, it includes the sources directly. Nothing is probed.
 */
#include "../../helpers/lib/addr.c"
#include "../../helpers/lib/buf.c"
#include "../../helpers/lib/err.c"
#include "../../helpers/lib/filesync.c"
#include "../../helpers/lib/json_get.c"
#include "../../helpers/lib/key.c"
#include "../../helpers/lib/netprobe.c"
#include "../../helpers/lib/num.c"
#include "../../helpers/lib/wgdev.c"
#include "../../helpers/zabbix-wg-stats/sites_load.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zws_sites s;
	struct err err = {{0}};
	json_t *root = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);

	if (!root)
		return 0;
	if (!zws_sites_parse(&s, root, &err) && !err.msg[0])
		__builtin_trap(); /* every refusal must say why */
	zws_sites_free(&s);
	json_decref(root);
	return 0;
}
