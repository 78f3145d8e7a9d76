// SPDX-License-Identifier: GPL-2.0-only
/*
 * discovery [IFACE...] [--state S] [--shard K/N]: Zabbix LLD rows, one per peer.
 * discovery --interfaces [--shard-peers N]: one row per interface and shard, the shard count
 * chosen so that each shard's `get` and peer discovery stay well under Zabbix's value limit.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "out.h"

static int add_peer_rows(json_t *rows, const struct zws_if *zi, const struct zws_opts *o)
{
	char b64[KEY_B64_LEN], shard[24], created[24];
	const struct wg_peer *p;
	size_t i;

	snprintf(shard, sizeof(shard), "%u/%u", o->shard, o->shards);
	for (i = 0; i < zi->dev->n_peers; i++) {
		p = &zi->dev->peers[i];
		if (zws_shard_of(p->public_key, o->shards) != o->shard)
			continue;
		key_to_base64(b64, p->public_key);
		snprintf(created, sizeof(created), "%" PRId64, zws_peer_key_created(zi, p, false));
		if (json_array_append_new(
			rows,
			json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "{#WG.IF}", zi->dev->name,
				  "{#WG.PEER}", b64, "{#WG.PEER.NAME}", zws_peer_name(zi, p),
				  "{#WG.PEER.ALWAYS_ON}", zws_peer_always_on(zi, p) ? "1" : "0",
				  "{#WG.SHARD}", shard, "{#WG.PEER.KEY_CREATED}", created)))
			return -1;
	}
	return 0;
}

static int add_interface_rows(json_t *rows, const char *ifname, size_t n_peers,
			      const struct zws_opts *o, const char *node)
{
	char shard[24], id[IFNAMSIZ + 32];
	unsigned int k, n = (unsigned int)((n_peers + o->shard_peers - 1) / o->shard_peers);

	if (n < 1)
		n = 1;
	for (k = 1; k <= n; k++) {
		snprintf(shard, sizeof(shard), "%u/%u", k, n);
		if (n == 1)
			snprintf(id, sizeof(id), "%s", ifname);
		else
			snprintf(id, sizeof(id), "%s-%u-of-%u", ifname, k, n);
		if (json_array_append_new(rows, json_pack("{s:s,s:s,s:s,s:s}", "{#WG.IF}", ifname,
							  "{#WG.SHARD}", shard, "{#WG.SHARD.ID}",
							  id, "{#WG.NODE}", node)))
			return -ENOMEM;
	}
	return 0;
}

/*
 * Interface rows: an interface this user may not read still gets its row (one shard), so that its
 * host and master item exist and report the missing access; one that vanished is left out.
 */
static int interface_rows(json_t *rows, const struct zws_opts *o, const struct zws_states *s)
{
	char **names = NULL, **use = o->ifaces, node[256] = "";
	size_t n = o->n_ifaces, i;
	struct zws_if zi;
	int ret = 0;

	gethostname(node, sizeof(node) - 1);
	if (!n) {
		ret = wgdev_list(&names, &n);
		if (ret)
			return json_out_fail(EXIT_RUNTIME, "listing WireGuard interfaces: %s",
					     json_out_strerror(ret));
		use = names;
	}
	for (i = 0; !ret && i < n; i++) {
		ret = zws_if_read(&zi, use[i], s);
		if (!ret)
			ret = add_interface_rows(rows, use[i], zi.dev->n_peers, o, node);
		else if (ret == -EACCES || ret == -EPERM)
			ret = add_interface_rows(rows, use[i], 0, o, node);
		else if (ret == -ENODEV && !o->n_ifaces)
			ret = 0;
		else
			ret = zws_if_fail(use[i], ret);
		zws_if_free(&zi);
	}
	if (ret == -ENOMEM)
		ret = json_out_fail(EXIT_RUNTIME, "out of memory");
	wgdev_free_names(names, names ? n : 0);
	return ret;
}

int discovery_main(int argc, char *argv[])
{
	struct zws_opts o;
	struct zws_states s;
	struct zws_if *ifs = NULL;
	json_t *rows = NULL;
	size_t n = 0, i;
	int ret;

	ret = zws_parse(argc, argv, ZWS_OPT_STATE | ZWS_OPT_SHARD | ZWS_OPT_INTERFACES, &o, &s);
	if (ret)
		goto out;
	rows = json_array();
	if (!rows) {
		ret = json_out_fail(EXIT_RUNTIME, "out of memory");
		goto out;
	}
	if (o.interfaces) {
		ret = interface_rows(rows, &o, &s);
	} else {
		ret = zws_read_all(&ifs, &n, &o, &s);
		for (i = 0; !ret && i < n; i++)
			if (add_peer_rows(rows, &ifs[i], &o))
				ret = json_out_fail(EXIT_RUNTIME, "out of memory");
	}
	if (ret)
		goto out;
	ret = zws_print(rows);
	rows = NULL;
out:
	json_decref(rows);
	zws_free_all(ifs, n);
	zws_opts_free(&o, &s);
	return ret;
}
