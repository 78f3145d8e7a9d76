// SPDX-License-Identifier: GPL-2.0-only
#include "wgjson.h"

json_t *wgjson_allowedips(const struct wg_peer *p)
{
	char a[ADDR_STR_LEN];
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr && i < p->n_allowedips; i++) {
		addr_allowedip_str(a, &p->allowedips[i]);
		if (json_array_append_new(arr, json_string(a))) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

json_t *wgjson_peer(const struct wg_peer *p)
{
	char b64[KEY_B64_LEN], ep[ADDR_STR_LEN];

	key_to_base64(b64, p->public_key);
	addr_endpoint_str(ep, &p->endpoint);
	return json_pack("{s:s,s:b,s:s?,s:o*,s:I,s:I,s:I,s:i}", "public_key", b64, "preshared_key",
			 (p->flags & WGPEER_HAS_PRESHARED_KEY) != 0, "endpoint", ep[0] ? ep : NULL,
			 "allowed_ips", wgjson_allowedips(p), "latest_handshake",
			 (json_int_t)p->last_handshake_sec, "rx_bytes", (json_int_t)p->rx_bytes,
			 "tx_bytes", (json_int_t)p->tx_bytes, "persistent_keepalive", p->keepalive);
}

json_t *wgjson_device(const struct wg_device *dev)
{
	char b64[KEY_B64_LEN];
	json_t *peers = json_array();
	size_t i;

	for (i = 0; peers && i < dev->n_peers; i++)
		if (json_array_append_new(peers, wgjson_peer(&dev->peers[i]))) {
			json_decref(peers);
			return NULL;
		}
	if (dev->flags & WGDEV_HAS_PUBLIC_KEY)
		key_to_base64(b64, dev->public_key);
	return json_pack("{s:s,s:s?,s:i,s:I,s:o*}", "interface", dev->name, "public_key",
			 (dev->flags & WGDEV_HAS_PUBLIC_KEY) ? b64 : NULL, "listen_port",
			 dev->listen_port, "fwmark", (json_int_t)dev->fwmark, "peers", peers);
}
