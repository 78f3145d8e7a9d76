// SPDX-License-Identifier: GPL-2.0-only
/* Backend choice and dispatch: the userspace socket when it exists, else the kernel. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "wgdev.h"

const char *wgdev_socket_dir(void)
{
	/* Not for a program that gained privileges (zabbix-wg-stats with cap_net_admin): its
	 * caller must not choose which socket it trusts. */
	const char *dir = secure_getenv("WARREN_WG_SOCKET_DIR");

	return dir && *dir ? dir : "/var/run/wireguard";
}

ssize_t wgdev_getline(char **line, size_t *cap, FILE *f)
{
	char *p;

	if (*cap < WGDEV_LINE_MAX + 1) {
		p = malloc(WGDEV_LINE_MAX + 1);
		if (!p)
			return -1;
		if (*line) {
			sodium_memzero(*line, *cap);
			free(*line);
		}
		*line = p;
		*cap = WGDEV_LINE_MAX + 1;
	}
	if (!fgets(*line, WGDEV_LINE_MAX + 1, f))
		return -1;
	return (ssize_t)strlen(*line);
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
	/* The name becomes part of a socket path: never a "/" or a directory of its own. */
	if (!*ifname || strnlen(ifname, IFNAMSIZ) >= IFNAMSIZ || strchr(ifname, '/') ||
	    !strcmp(ifname, ".") || !strcmp(ifname, ".."))
		return -EINVAL;
	if (wgdev_backend_of(ifname) == WGDEV_BACKEND_USERSPACE)
		ret = wgdev_uapi_get(dev, ifname);
	else
		ret = wgdev_nl_get(dev, ifname);
	if (!ret)
		wgdev_sort(*dev);
	return ret;
}

int wgdev_set(const struct wg_device *dev, struct wgdev_set_at *at)
{
	struct wgdev_set_at none;

	if (!at)
		at = &none;
	memset(at, 0, sizeof(*at));
	if (wgdev_backend_of(dev->name) == WGDEV_BACKEND_USERSPACE)
		return wgdev_uapi_set(dev, at);
	return wgdev_nl_set(dev, at);
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

static int ifname_cmp(const void *a, const void *b)
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
		qsort(*names, *n, sizeof(**names), ifname_cmp);
	return 0;
}

void wgdev_free_names(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
