// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "wgdev.h"

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

struct wg_peer *wgdev_add_peer(struct wg_device *dev)
{
	struct wg_peer *p;

	if (dev->n_peers == dev->cap_peers) {
		size_t cap = dev->cap_peers ? dev->cap_peers * 2 : 16;

		/* Grow by copy, so a preshared key never stays behind in a freed block. */
		p = calloc(cap, sizeof(*p));
		if (!p)
			return NULL;
		if (dev->peers) {
			memcpy(p, dev->peers, dev->n_peers * sizeof(*p));
			sodium_memzero(dev->peers, dev->n_peers * sizeof(*p));
			free(dev->peers);
		}
		dev->peers = p;
		dev->cap_peers = cap;
	}
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
	struct wg_peer probe;

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

const char *wgdev_socket_dir(void)
{
	const char *dir = getenv("WARREN_WG_SOCKET_DIR");

	return dir && *dir ? dir : "/var/run/wireguard";
}

enum wgdev_backend wgdev_backend_of(const char *ifname)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s.sock", wgdev_socket_dir(), ifname);
	if (!stat(path, &st) && S_ISSOCK(st.st_mode))
		return WGDEV_BACKEND_USERSPACE;
	return WGDEV_BACKEND_KERNEL;
}

const char *wgdev_backend_name(enum wgdev_backend b)
{
	return b == WGDEV_BACKEND_USERSPACE ? "userspace" : "kernel";
}

int wgdev_get(struct wg_device **dev, const char *ifname)
{
	int ret;

	*dev = NULL;
	if (!*ifname || strlen(ifname) >= IFNAMSIZ)
		return -EINVAL;
	if (wgdev_backend_of(ifname) == WGDEV_BACKEND_USERSPACE)
		ret = wgdev_uapi_get(dev, ifname);
	else
		ret = wgdev_nl_get(dev, ifname);
	if (!ret)
		wgdev_sort(*dev);
	return ret;
}

int wgdev_set(const struct wg_device *dev)
{
	if (wgdev_backend_of(dev->name) == WGDEV_BACKEND_USERSPACE)
		return wgdev_uapi_set(dev);
	return wgdev_nl_set(dev);
}

int wgdev_names_push(char ***names, size_t *n, size_t *cap, const char *name)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (!strcmp((*names)[i], name))
			return 0;
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 8;
		char **a = realloc(*names, c * sizeof(*a));

		if (!a)
			return -ENOMEM;
		*names = a;
		*cap = c;
	}
	(*names)[*n] = strdup(name);
	if (!(*names)[*n])
		return -ENOMEM;
	(*n)++;
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int wgdev_list(char ***names, size_t *n)
{
	size_t cap = 0;
	int ret;

	*names = NULL;
	*n = 0;
	ret = wgdev_uapi_list(names, n, &cap);
	if (!ret)
		ret = wgdev_nl_list(names, n, &cap);
	if (ret) {
		wgdev_free_names(*names, *n);
		*names = NULL;
		*n = 0;
		return ret;
	}
	if (*n > 1)
		qsort(*names, *n, sizeof(**names), name_cmp);
	return 0;
}

void wgdev_free_names(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
