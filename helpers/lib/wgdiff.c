// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "wgdiff.h"

static int list_push(struct wgdiff_list *l, const char *s)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		char **a = realloc(l->items, cap * sizeof(*a));

		if (!a)
			return -ENOMEM;
		l->items = a;
		l->cap = cap;
	}
	l->items[l->n] = strdup(s);
	return l->items[l->n] ? (l->n++, 0) : -ENOMEM;
}

static void list_free(struct wgdiff_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

/* Appends to the request a peer with @flags and the fields of @src selected by @fields. */
static int put_peer(struct wgdiff *d, const struct wg_peer *src, uint32_t flags, uint32_t fields)
{
	struct wg_peer *p = wgdev_add_peer(d->set);
	size_t i;

	if (!p)
		return -ENOMEM;
	memcpy(p->public_key, src->public_key, KEY_LEN);
	p->flags = flags | (src->flags & fields);
	if (p->flags & WGPEER_HAS_PRESHARED_KEY)
		memcpy(p->preshared_key, src->preshared_key, KEY_LEN);
	p->endpoint = src->endpoint;
	p->keepalive = src->keepalive;
	if (p->flags & WGPEER_HAS_ALLOWEDIPS)
		for (i = 0; i < src->n_allowedips; i++)
			if (wgpeer_add_allowedip(p, &src->allowedips[i]))
				return -ENOMEM;
	return 0;
}

static uint32_t peer_delta(const struct wg_peer *live, const struct wg_peer *want)
{
	uint32_t delta = 0;

	if ((want->flags & WGPEER_HAS_PRESHARED_KEY) &&
	    !key_eq(live->preshared_key, want->preshared_key))
		delta |= WGPEER_HAS_PRESHARED_KEY;
	if ((want->flags & WGPEER_HAS_ENDPOINT) &&
	    !addr_endpoint_eq(&live->endpoint, &want->endpoint))
		delta |= WGPEER_HAS_ENDPOINT;
	if ((want->flags & WGPEER_HAS_KEEPALIVE) && live->keepalive != want->keepalive)
		delta |= WGPEER_HAS_KEEPALIVE;
	if ((want->flags & WGPEER_HAS_ALLOWEDIPS) && !wgpeer_allowedips_eq(live, want))
		delta |= WGPEER_HAS_ALLOWEDIPS | WGPEER_REPLACE_ALLOWEDIPS;
	return delta;
}

static int diff_device(struct wgdiff *d, const struct wg_device *live, const struct wg_device *want)
{
	struct wg_device *set = d->set;
	int ret = 0;

	if ((want->flags & WGDEV_HAS_PRIVATE_KEY) &&
	    (!(live->flags & WGDEV_HAS_PRIVATE_KEY) ||
	     !key_eq(live->private_key, want->private_key))) {
		memcpy(set->private_key, want->private_key, KEY_LEN);
		set->flags |= WGDEV_HAS_PRIVATE_KEY;
		ret = list_push(&d->fields, "private_key");
	}
	if (!ret && (want->flags & WGDEV_HAS_LISTEN_PORT) &&
	    (!(live->flags & WGDEV_HAS_LISTEN_PORT) || live->listen_port != want->listen_port)) {
		set->listen_port = want->listen_port;
		set->flags |= WGDEV_HAS_LISTEN_PORT;
		ret = list_push(&d->fields, "listen_port");
	}
	if (!ret && (want->flags & WGDEV_HAS_FWMARK) && live->fwmark != want->fwmark) {
		set->fwmark = want->fwmark;
		set->flags |= WGDEV_HAS_FWMARK;
		ret = list_push(&d->fields, "fwmark");
	}
	return ret;
}

static int diff_peers(struct wgdiff *d, const struct wg_device *live, const struct wg_device *want)
{
	const uint32_t all = WGPEER_HAS_PRESHARED_KEY | WGPEER_HAS_ENDPOINT | WGPEER_HAS_KEEPALIVE |
			     WGPEER_HAS_ALLOWEDIPS;
	size_t i = 0, j = 0;
	char b64[KEY_B64_LEN];
	uint32_t delta;
	int cmp, ret = 0;

	while (!ret && (i < live->n_peers || j < want->n_peers)) {
		const struct wg_peer *l = i < live->n_peers ? &live->peers[i] : NULL;
		const struct wg_peer *w = j < want->n_peers ? &want->peers[j] : NULL;

		cmp = !l ? 1 : !w ? -1 : memcmp(l->public_key, w->public_key, KEY_LEN);
		if (cmp < 0) { /* live only: not in the state, so removed */
			key_to_base64(b64, l->public_key);
			ret = put_peer(d, l, WGPEER_REMOVE_ME, 0) ?: list_push(&d->removed, b64);
			i++;
		} else if (cmp > 0) { /* desired only */
			if (!(w->flags & WGPEER_DISABLED)) {
				ret = put_peer(d, w,
					       (w->flags & WGPEER_HAS_ALLOWEDIPS)
						   ? WGPEER_REPLACE_ALLOWEDIPS
						   : 0,
					       all)
					  ?: list_push(&d->added, w->name);
				d->remaining++;
			} else {
				d->unchanged++;
			}
			j++;
		} else if (w->flags & WGPEER_DISABLED) {
			ret =
			    put_peer(d, l, WGPEER_REMOVE_ME, 0) ?: list_push(&d->removed, w->name);
			i++;
			j++;
		} else {
			delta = peer_delta(l, w);
			if (delta)
				ret = put_peer(d, w, WGPEER_UPDATE_ONLY | (delta & ~all), delta)
					  ?: list_push(&d->updated, w->name);
			else
				d->unchanged++;
			d->remaining++;
			i++;
			j++;
		}
	}
	return ret;
}

int wgdiff_compute(struct wgdiff *d, const struct wg_device *live, const struct wg_device *want)
{
	int ret;

	memset(d, 0, sizeof(*d));
	d->set = wgdev_new(live->name);
	if (!d->set)
		return -ENOMEM;
	d->live_peers = live->n_peers;
	d->remaining = live->n_peers;
	ret = diff_device(d, live, want);
	if (!ret && (want->flags & WGDEV_HAS_PEERS)) {
		d->remaining = 0;
		ret = diff_peers(d, live, want);
	}
	if (ret)
		wgdiff_free(d);
	return ret;
}

bool wgdiff_changed(const struct wgdiff *d)
{
	return d->set && (d->set->n_peers || d->fields.n);
}

void wgdiff_free(struct wgdiff *d)
{
	wgdev_free(d->set);
	list_free(&d->added);
	list_free(&d->updated);
	list_free(&d->removed);
	list_free(&d->fields);
	d->set = NULL;
}
