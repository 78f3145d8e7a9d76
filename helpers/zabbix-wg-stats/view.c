// SPDX-License-Identifier: GPL-2.0-only
/* Reading interfaces once and deriving what every output shows: names, ages, totals. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "out.h"

static const struct wg_device *state_for(const struct zws_states *s, const char *ifname)
{
	size_t i;

	for (i = 0; s && i < s->n; i++)
		if (!strcmp(s->st[i].dev->name, ifname))
			return s->st[i].dev;
	return NULL;
}

const struct wg_peer *zws_state_peer(const struct zws_if *zi, const struct wg_peer *p)
{
	return zi->state ? wgdev_find_peer(zi->state, p->public_key) : NULL;
}

const char *zws_peer_name(const struct zws_if *zi, const struct wg_peer *p)
{
	const struct wg_peer *sp = zws_state_peer(zi, p);

	return sp && sp->name ? sp->name : "";
}

bool zws_peer_always_on(const struct zws_if *zi, const struct wg_peer *p)
{
	const struct wg_peer *sp = zws_state_peer(zi, p);

	return sp && (sp->flags & WGPEER_ALWAYS_ON);
}

int64_t zws_peer_age(const struct zws_if *zi, const struct wg_peer *p)
{
	if (p->last_handshake_sec <= 0)
		return -1;
	return zi->now > p->last_handshake_sec ? zi->now - p->last_handshake_sec : 0;
}

int64_t zws_peer_key_created(const struct zws_if *zi, const struct wg_peer *p, bool psk)
{
	const struct wg_peer *sp = zws_state_peer(zi, p);

	if (!sp)
		return 0;
	return psk ? sp->psk_created : sp->key_created;
}

int64_t zws_peer_key_age(const struct zws_if *zi, const struct wg_peer *p, bool psk)
{
	int64_t born = zws_peer_key_created(zi, p, psk);

	if (born <= 0)
		return -1;
	return zi->now > born ? zi->now - born : 0;
}

bool zws_peer_connected(const struct zws_if *zi, const struct wg_peer *p)
{
	int64_t age = zws_peer_age(zi, p);

	return age >= 0 && age < ZWS_CONNECTED_SEC;
}

const char *const zws_state_names[3] = {"never", "stale", "connected"};

enum zws_peer_state zws_peer_state(const struct zws_if *zi, const struct wg_peer *p)
{
	int64_t age = zws_peer_age(zi, p);

	if (age < 0)
		return ZWS_NEVER;
	return age < ZWS_CONNECTED_SEC ? ZWS_CONNECTED : ZWS_STALE;
}

unsigned int zws_shard_of(const uint8_t key[static KEY_LEN], unsigned int shards)
{
	uint32_t h =
	    (uint32_t)key[0] << 24 | (uint32_t)key[1] << 16 | (uint32_t)key[2] << 8 | key[3];

	return shards > 1 ? h % shards + 1 : 1;
}

char *zws_allowedips_str(const struct wg_peer *p)
{
	char *s = malloc(p->n_allowedips * ADDR_STR_LEN + 1), *w = s;
	size_t i;

	if (!s)
		return NULL;
	*w = '\0';
	for (i = 0; i < p->n_allowedips; i++) {
		if (i)
			*w++ = ',';
		addr_allowedip_str(w, &p->allowedips[i]);
		w += strlen(w);
	}
	return s;
}

int zws_if_read(struct zws_if *zi, const char *ifname, const struct zws_states *s)
{
	const struct wg_peer *p;
	struct timespec ts;
	size_t i;
	int ret;

	memset(zi, 0, sizeof(*zi));
	ret = wgdev_get(&zi->dev, ifname);
	if (ret)
		return ret;
	clock_gettime(CLOCK_REALTIME, &ts);
	zi->now = ts.tv_sec;
	zi->state = state_for(s, ifname);
	for (i = 0; i < zi->dev->n_peers; i++) {
		p = &zi->dev->peers[i];
		zi->rx += p->rx_bytes;
		zi->tx += p->tx_bytes;
		if (zws_peer_connected(zi, p))
			zi->connected++;
		if (zws_peer_always_on(zi, p)) {
			zi->always_on++;
			if (!zws_peer_connected(zi, p))
				zi->always_on_down++;
		}
	}
	/* Enabled peers of the state that the interface lacks: always-on ones count as down. */
	for (i = 0; zi->state && i < zi->state->n_peers; i++) {
		p = &zi->state->peers[i];
		if ((p->flags & WGPEER_DISABLED) || wgdev_find_peer(zi->dev, p->public_key))
			continue;
		zi->missing++;
		if (p->flags & WGPEER_ALWAYS_ON) {
			zi->always_on++;
			zi->always_on_down++;
			zi->always_on_missing++;
		}
	}
	return 0;
}

void zws_if_free(struct zws_if *zi)
{
	wgdev_free(zi->dev);
	zi->dev = NULL;
}

int zws_if_fail(const char *ifname, int ret)
{
	if (ret == -ENODEV)
		return json_out_fail(EXIT_RUNTIME, "no WireGuard interface \"%s\"", ifname);
	if (ret == -EPERM || ret == -EACCES)
		return json_out_fail(EXIT_RUNTIME,
				     "no access to WireGuard interface \"%s\" (%s): the userspace "
				     "socket needs group access, the kernel backend cap_net_admin "
				     "on this binary (docs/zabbix.md)",
				     ifname, json_out_strerror(ret));
	if (ret == -EPROTONOSUPPORT)
		return json_out_fail(EXIT_RUNTIME,
				     "no WireGuard interface \"%s\" (no socket in %s, no kernel "
				     "module)",
				     ifname, wgdev_socket_dir());
	return json_out_fail(EXIT_RUNTIME, "WireGuard interface \"%s\": %s", ifname,
			     json_out_strerror(ret));
}

int zws_read_all(struct zws_if **ifs, size_t *n, const struct zws_opts *o,
		 const struct zws_states *s)
{
	char **names = NULL, **use;
	size_t n_names = 0, i;
	int ret;

	*ifs = NULL;
	*n = 0;
	if (o->n_ifaces) {
		use = o->ifaces;
		n_names = o->n_ifaces;
	} else {
		ret = wgdev_list(&names, &n_names);
		if (ret)
			return json_out_fail(EXIT_RUNTIME, "listing WireGuard interfaces: %s",
					     json_out_strerror(ret));
		use = names;
	}
	*ifs = calloc(n_names + 1, sizeof(**ifs));
	if (!*ifs) {
		ret = json_out_fail(EXIT_RUNTIME, "out of memory");
		goto out;
	}
	for (i = 0; i < n_names; i++) {
		ret = zws_if_read(&(*ifs)[i], use[i], s);
		if (ret) {
			ret = zws_if_fail(use[i], ret);
			goto out;
		}
		(*n)++;
	}
	ret = 0;
out:
	wgdev_free_names(names, names ? n_names : 0);
	return ret;
}

void zws_free_all(struct zws_if *ifs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		zws_if_free(&ifs[i]);
	free(ifs);
}

int zws_print(json_t *doc)
{
	char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	size_t len;
	int ret = 0;

	json_decref(doc);
	if (!text)
		return json_out_fail(EXIT_RUNTIME, "out of memory");
	len = strlen(text);
	if (len + 1 >= ZWS_VALUE_LIMIT) /* with the newline */
		fprintf(stderr,
			"zabbix-wg-stats: warning: %zu bytes, over zabbix_agentd's limit of %d: "
			"use --shard\n",
			len + 1, ZWS_VALUE_LIMIT);
	if (fwrite(text, 1, len, stdout) != len || fputc('\n', stdout) == EOF ||
	    fflush(stdout) == EOF)
		ret = EXIT_RUNTIME;
	free(text);
	return ret;
}
