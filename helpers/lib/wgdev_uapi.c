// SPDX-License-Identifier: GPL-2.0-only
/*
 * Userspace backend: the cross-platform configuration protocol spoken on
 * /var/run/wireguard/IFACE.sock by wireguard-go and other userspace implementations.
 * Requests and replies are "key=value" lines ending with an empty line; keys are hex.
 * This file connects, reads ("get") and lists; wgdev_uapi_set.c writes.
 * A daemon that stops answering fails the call with -ETIMEDOUT after WGDEV_UAPI_TIMEOUT_SEC.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <sodium.h>

#include "num.h"
#include "wgdev.h"

#define UAPI_IOBUF (64 * 1024)

int wgdev_uapi_connect(const char *ifname)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = WGDEV_UAPI_TIMEOUT_SEC};
	struct stat st;
	int fd, ret;

	if ((size_t)snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/%s.sock", wgdev_socket_dir(),
			     ifname) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	if (stat(addr.sun_path, &st) < 0)
		return errno == ENOENT ? -ENODEV : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -ENODEV;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		ret = errno == ECONNREFUSED ? -ENODEV : errno == EAGAIN ? -ETIMEDOUT : -errno;
		close(fd);
		return ret;
	}
	return fd;
}

static int parse_u64(const char *v, uint64_t *out, uint64_t max)
{
	return num_parse_u64(v, 0, max, out, NULL) ? 0 : -EPROTO;
}

static int device_line(struct wg_device *dev, const char *k, const char *v)
{
	uint64_t n;

	if (!strcmp(k, "private_key")) {
		if (!key_from_hex(dev->private_key, v))
			return -EPROTO;
		if (!key_is_zero(dev->private_key)) {
			dev->flags |= WGDEV_HAS_PRIVATE_KEY;
			if (!key_public(dev->public_key, dev->private_key))
				dev->flags |= WGDEV_HAS_PUBLIC_KEY;
		}
	} else if (!strcmp(k, "listen_port")) {
		if (parse_u64(v, &n, 65535))
			return -EPROTO;
		dev->listen_port = (uint16_t)n;
		dev->flags |= WGDEV_HAS_LISTEN_PORT;
	} else if (!strcmp(k, "fwmark")) {
		if (parse_u64(v, &n, UINT32_MAX))
			return -EPROTO;
		dev->fwmark = (uint32_t)n;
		dev->flags |= WGDEV_HAS_FWMARK;
	}
	return 0;
}

static int peer_line(struct wg_peer *p, const char *k, const char *v)
{
	struct wg_allowedip aip;
	uint64_t n;

	if (!strcmp(k, "preshared_key")) {
		if (!key_from_hex(p->preshared_key, v))
			return -EPROTO;
		if (!key_is_zero(p->preshared_key))
			p->flags |= WGPEER_HAS_PRESHARED_KEY;
	} else if (!strcmp(k, "endpoint")) {
		/* Numeric first; the resolver only for what inet_pton cannot read (a scope id). */
		if (!addr_endpoint_parse_numeric(&p->endpoint, v) &&
		    !addr_endpoint_parse(&p->endpoint, v, NULL))
			return -EPROTO;
		p->flags |= WGPEER_HAS_ENDPOINT;
	} else if (!strcmp(k, "persistent_keepalive_interval")) {
		if (parse_u64(v, &n, 65535))
			return -EPROTO;
		p->keepalive = (uint16_t)n;
		p->flags |= WGPEER_HAS_KEEPALIVE;
	} else if (!strcmp(k, "allowed_ip")) {
		if (!addr_allowedip_parse(&aip, v, NULL))
			return -EPROTO;
		p->flags |= WGPEER_HAS_ALLOWEDIPS;
		return wgpeer_add_allowedip(p, &aip);
	} else if (!strcmp(k, "last_handshake_time_sec")) {
		if (parse_u64(v, &n, INT64_MAX))
			return -EPROTO;
		p->last_handshake_sec = (int64_t)n;
	} else if (!strcmp(k, "last_handshake_time_nsec")) {
		if (parse_u64(v, &n, INT64_MAX))
			return -EPROTO;
		p->last_handshake_nsec = (int64_t)n;
	} else if (!strcmp(k, "rx_bytes")) {
		return parse_u64(v, &p->rx_bytes, UINT64_MAX);
	} else if (!strcmp(k, "tx_bytes")) {
		return parse_u64(v, &p->tx_bytes, UINT64_MAX);
	}
	return 0;
}

int wgdev_uapi_parse_get(struct wg_device *dev, FILE *f)
{
	struct wg_peer *peer = NULL;
	char *line = NULL, *eq;
	size_t cap = 0;
	ssize_t len;
	int ret = -EPROTO, err = 0;
	bool has_errno = false, done = false;

	while ((len = wgdev_getline(&line, &cap, f)) > 0) {
		if (line[len - 1] != '\n')
			goto out;
		line[--len] = '\0';
		if (!len) {
			done = true;
			break;
		}
		eq = strchr(line, '=');
		if (!eq)
			goto out;
		*eq++ = '\0';
		if (!strcmp(line, "errno")) {
			has_errno = true;
			err = atoi(eq);
		} else if (!strcmp(line, "public_key")) {
			peer = wgdev_add_peer(dev);
			if (!peer) {
				ret = -ENOMEM;
				goto out;
			}
			if (!key_from_hex(peer->public_key, eq))
				goto out;
		} else if ((ret = peer ? peer_line(peer, line, eq) : device_line(dev, line, eq))) {
			goto out;
		}
		ret = -EPROTO;
		peer = peer ? &dev->peers[dev->n_peers - 1] : NULL;
	}
	if (!done) {
		/* A read timeout is EAGAIN on a socket with SO_RCVTIMEO. */
		if (ferror(f))
			ret = errno == EAGAIN ? -ETIMEDOUT : -errno;
		goto out;
	}
	if (!has_errno || err) {
		/* wireguard-go answers a negative errno ("errno=-22"); a positive one means the
		 * same. */
		ret = !has_errno ? -EPROTO : err < 0 ? err : -err;
		goto out;
	}
	ret = 0;
out:
	if (line) {
		sodium_memzero(line, cap);
		free(line);
	}
	return ret;
}

int wgdev_uapi_get(struct wg_device **out, const char *ifname)
{
	struct wg_device *dev = NULL;
	char *iobuf = NULL;
	FILE *f = NULL;
	int fd, ret;

	*out = NULL;
	fd = wgdev_uapi_connect(ifname);
	if (fd < 0)
		return fd;
	if (send(fd, "get=1\n\n", 7, MSG_NOSIGNAL) != 7) {
		ret = errno == EAGAIN ? -ETIMEDOUT : -errno;
		close(fd);
		return ret;
	}
	/* stdio's buffer is ours, so that the private and preshared keys read into it are wiped. */
	iobuf = malloc(UAPI_IOBUF);
	f = iobuf ? fdopen(fd, "r") : NULL;
	dev = wgdev_new(ifname);
	if (!f || !dev) {
		ret = -ENOMEM;
		if (!f)
			close(fd);
		goto out;
	}
	setvbuf(f, iobuf, _IOFBF, UAPI_IOBUF);
	ret = wgdev_uapi_parse_get(dev, f);
	if (ret)
		goto out;
	*out = dev;
	dev = NULL;
out:
	if (f)
		fclose(f);
	if (iobuf) {
		sodium_memzero(iobuf, UAPI_IOBUF);
		free(iobuf);
	}
	wgdev_free(dev);
	return ret;
}

int wgdev_uapi_list(char ***names, size_t *n, size_t *cap)
{
	struct dirent *ent;
	DIR *dir = opendir(wgdev_socket_dir());
	char name[IFNAMSIZ];
	size_t len;
	int fd, ret = 0;

	if (!dir)
		return errno == ENOENT ? 0 : -errno;
	while (!ret && (ent = readdir(dir))) {
		len = strlen(ent->d_name);
		if (len <= 5 || len - 5 >= IFNAMSIZ || strcmp(ent->d_name + len - 5, ".sock"))
			continue;
		memcpy(name, ent->d_name, len - 5);
		name[len - 5] = '\0';
		fd = wgdev_uapi_connect(name);
		if (fd >= 0)
			close(fd);
		else if (fd != -EACCES) /* EACCES: live but not ours to read; callers report it */
			continue;	/* stale socket of a dead daemon */
		ret = wgdev_names_push(names, n, cap, name);
	}
	closedir(dir);
	return ret;
}
