// SPDX-License-Identifier: GPL-2.0-only
/* get IFACE [--state S] [--shard K/N]: one JSON document for a Zabbix master item. */
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "out.h"

static json_t *peer_json(const struct zws_if *zi, const struct wg_peer *p)
{
	char ep[ADDR_STR_LEN], *aips = zws_allowedips_str(p);
	json_t *o;

	if (!aips)
		return NULL;
	addr_endpoint_str(ep, &p->endpoint);
	o = json_pack(
	    "{s:s,s:s,s:I,s:I,s:I,s:I,s:s,s:i,s:i,s:i,s:s,s:I,s:I}", "name", zws_peer_name(zi, p),
	    "endpoint", ep, "latest_handshake", (json_int_t)p->last_handshake_sec, "handshake_age",
	    (json_int_t)zws_peer_age(zi, p), "rx_bytes", (json_int_t)p->rx_bytes, "tx_bytes",
	    (json_int_t)p->tx_bytes, "allowed_ips", aips, "connected", zws_peer_connected(zi, p),
	    "always_on", zws_peer_always_on(zi, p), "persistent_keepalive", p->keepalive, "state",
	    zws_state_names[zws_peer_state(zi, p)], "key_age",
	    (json_int_t)zws_peer_key_age(zi, p, false), "psk_age",
	    (json_int_t)zws_peer_key_age(zi, p, true));
	free(aips);
	return o;
}

/* Everything but the peers: the interface's totals, whatever the shard. */
static json_t *totals_json(const struct zws_if *zi, const struct zws_opts *o, size_t in_shard)
{
	char b64[KEY_B64_LEN];

	if (zi->dev->flags & WGDEV_HAS_PUBLIC_KEY)
		key_to_base64(b64, zi->dev->public_key);
	return json_pack(
	    "{s:s,s:s?,s:i,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:i,s:i,s:I,s:I,s:I}", "interface",
	    zi->dev->name, "public_key", (zi->dev->flags & WGDEV_HAS_PUBLIC_KEY) ? b64 : NULL,
	    "listen_port", zi->dev->listen_port, "peers_total", (json_int_t)zi->dev->n_peers,
	    "peers_connected", (json_int_t)zi->connected, "peers_always_on",
	    (json_int_t)zi->always_on, "peers_always_on_down", (json_int_t)zi->always_on_down,
	    "peers_missing", (json_int_t)zi->missing, "rx_bytes", (json_int_t)zi->rx, "tx_bytes",
	    (json_int_t)zi->tx, "has_state", (json_int_t)(zi->state != NULL), "shard", o->shard,
	    "shards", o->shards, "peers_in_shard", (json_int_t)in_shard, "time",
	    (json_int_t)zi->now, "peers_always_on_missing", (json_int_t)zi->always_on_missing);
}

int get_main(int argc, char *argv[])
{
	struct zws_opts o;
	struct zws_states s;
	struct zws_if zi = {0};
	json_t *doc = NULL, *peers = NULL;
	char b64[KEY_B64_LEN];
	size_t i, in_shard = 0;
	int ret;

	ret = zws_parse(argc, argv, ZWS_OPT_STATE | ZWS_OPT_SHARD, &o, &s);
	if (ret)
		goto out;
	if (o.n_ifaces != 1) {
		ret = json_out_fail(EXIT_INVALID, "usage: zabbix-wg-stats get IFACE [--state "
						  "STATE.json|DIR ...] [--shard K/N]");
		goto out;
	}
	ret = zws_if_read(&zi, o.ifaces[0], &s);
	if (ret) {
		ret = zws_if_fail(o.ifaces[0], ret);
		goto out;
	}
	peers = json_object();
	for (i = 0; peers && i < zi.dev->n_peers; i++) {
		const struct wg_peer *p = &zi.dev->peers[i];

		if (zws_shard_of(p->public_key, o.shards) != o.shard)
			continue;
		key_to_base64(b64, p->public_key);
		if (json_object_set_new(peers, b64, peer_json(&zi, p))) {
			json_decref(peers);
			peers = NULL;
		}
		in_shard++;
	}
	doc = peers ? totals_json(&zi, &o, in_shard) : NULL;
	if (!doc || json_object_set_new(doc, "peers", peers)) {
		json_decref(doc);
		ret = json_out_fail(EXIT_RUNTIME, "out of memory");
		goto out;
	}
	ret = zws_print(doc);
out:
	zws_if_free(&zi);
	zws_opts_free(&o, &s);
	return ret;
}
