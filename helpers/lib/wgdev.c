// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "wgdev.h"

bool wgdev_ifname_valid(const char *name)
{
	size_t i, len = strnlen(name, IFNAMSIZ);

	if (len == 0 || len >= IFNAMSIZ || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (i = 0; i < len; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-",
			    name[i]))
			return false;
	return true;
}

struct wg_device *wgdev_new(const char *ifname)
{
	struct wg_device *dev = calloc(1, sizeof(*dev));

	if (dev && ifname)
		snprintf(dev->name, sizeof(dev->name), "%s", ifname);
	return dev;
}

void wgdev_free(struct wg_device *dev)
{
	size_t i;

	if (!dev)
		return;
	for (i = 0; i < dev->n_peers; i++) {
		sodium_memzero(dev->peers[i].preshared_key, KEY_LEN);
		free(dev->peers[i].allowedips);
		free(dev->peers[i].name);
	}
	free(dev->peers);
	sodium_memzero(dev->private_key, KEY_LEN);
	free(dev);
}

int wgdev_reserve(struct wg_device *dev, size_t cap)
{
	struct wg_peer *p;

	if (cap <= dev->cap_peers)
		return 0;
	/* Grow by copy, so a preshared key never stays behind in a freed block. */
	p = calloc(cap, sizeof(*p));
	if (!p)
		return -ENOMEM;
	if (dev->peers) {
		memcpy(p, dev->peers, dev->n_peers * sizeof(*p));
		sodium_memzero(dev->peers, dev->n_peers * sizeof(*p));
		free(dev->peers);
	}
	dev->peers = p;
	dev->cap_peers = cap;
	return 0;
}

struct wg_peer *wgdev_add_peer(struct wg_device *dev)
{
	struct wg_peer *p;

	if (dev->n_peers == dev->cap_peers &&
	    wgdev_reserve(dev, dev->cap_peers ? dev->cap_peers * 2 : 16))
		return NULL;
	p = &dev->peers[dev->n_peers++];
	memset(p, 0, sizeof(*p));
	return p;
}

int wgpeer_add_allowedip(struct wg_peer *peer, const struct wg_allowedip *aip)
{
	if (peer->n_allowedips == peer->cap_allowedips) {
		size_t cap = peer->cap_allowedips ? peer->cap_allowedips * 2 : 2;
		struct wg_allowedip *a = realloc(peer->allowedips, cap * sizeof(*a));

		if (!a)
			return -ENOMEM;
		peer->allowedips = a;
		peer->cap_allowedips = cap;
	}
	peer->allowedips[peer->n_allowedips++] = *aip;
	return 0;
}

static int peer_cmp(const void *a, const void *b)
{
	return memcmp(((const struct wg_peer *)a)->public_key,
		      ((const struct wg_peer *)b)->public_key, KEY_LEN);
}

static int aip_cmp(const void *a, const void *b)
{
	return addr_allowedip_cmp(a, b);
}

void wgdev_sort(struct wg_device *dev)
{
	size_t i;

	if (dev->n_peers > 1)
		qsort(dev->peers, dev->n_peers, sizeof(*dev->peers), peer_cmp);
	for (i = 0; i < dev->n_peers; i++)
		if (dev->peers[i].n_allowedips > 1)
			qsort(dev->peers[i].allowedips, dev->peers[i].n_allowedips,
			      sizeof(struct wg_allowedip), aip_cmp);
}

struct wg_peer *wgdev_find_peer(const struct wg_device *dev, const uint8_t key[static KEY_LEN])
{
	struct wg_peer probe = {0};

	if (!dev->n_peers)
		return NULL;
	memcpy(probe.public_key, key, KEY_LEN);
	return bsearch(&probe, dev->peers, dev->n_peers, sizeof(*dev->peers), peer_cmp);
}

bool wgpeer_allowedips_eq(const struct wg_peer *a, const struct wg_peer *b)
{
	size_t i;

	if (a->n_allowedips != b->n_allowedips)
		return false;
	for (i = 0; i < a->n_allowedips; i++)
		if (addr_allowedip_cmp(&a->allowedips[i], &b->allowedips[i]))
			return false;
	return true;
}
