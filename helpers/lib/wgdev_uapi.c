// SPDX-License-Identifier: GPL-2.0-only
/*
 * Userspace backend: the cross-platform configuration protocol spoken on
 * /var/run/wireguard/IFACE.sock by wireguard-go and other userspace implementations.
 * Requests and replies are "key=value" lines ending with an empty line; keys are hex.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <sodium.h>

#include "wgdev.h"

#define UAPI_TIMEOUT_SEC 10

static int uapi_connect(const char *ifname)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = UAPI_TIMEOUT_SEC};
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
		ret = errno == ECONNREFUSED ? -ENODEV : -errno;
		close(fd);
		return ret;
	}
	return fd;
}

static int parse_u64(const char *v, uint64_t *out, uint64_t max)
{
	char *end;
	unsigned long long x;

	if (*v < '0' || *v > '9')
		return -EPROTO;
	errno = 0;
	x = strtoull(v, &end, 10);
	if (*end || errno || x > max)
		return -EPROTO;
	*out = x;
	return 0;
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

int wgdev_uapi_get(struct wg_device **out, const char *ifname)
{
	static char iobuf[64 * 1024]; /* stdio's buffer, ours so that it can be wiped */
	struct wg_device *dev = NULL;
	struct wg_peer *peer = NULL;
	char *line = NULL, *eq;
	size_t cap = 0;
	ssize_t len;
	FILE *f = NULL;
	int fd, ret = -EPROTO, err = 1;

	*out = NULL;
	fd = uapi_connect(ifname);
	if (fd < 0)
		return fd;
	if (write(fd, "get=1\n\n", 7) != 7) {
		ret = -errno;
		close(fd);
		return ret;
	}
	f = fdopen(fd, "r");
	dev = wgdev_new(ifname);
	if (!f || !dev) {
		ret = -ENOMEM;
		if (!f)
			close(fd);
		goto out;
	}
	setvbuf(f, iobuf, _IOFBF, sizeof(iobuf));
	while ((len = wgdev_getline(&line, &cap, f)) > 0) {
		if (line[len - 1] != '\n')
			goto out;
		line[--len] = '\0';
		if (!len)
			break;
		eq = strchr(line, '=');
		if (!eq)
			goto out;
		*eq++ = '\0';
		if (!strcmp(line, "errno")) {
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
	if (err) {
		ret = err > 0 ? -err : -EPROTO;
		goto out;
	}
	ret = 0;
	*out = dev;
	dev = NULL;
out:
	if (line) {
		sodium_memzero(line, cap);
		free(line);
	}
	if (f)
		fclose(f);
	sodium_memzero(iobuf, sizeof(iobuf));
	wgdev_free(dev);
	return ret;
}

/* Formats the set request into a private buffer that is wiped afterwards. */
static int put(char *buf, size_t cap, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int put(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + *len, cap - *len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= cap - *len)
		return -ENOBUFS;
	*len += (size_t)n;
	return 0;
}

static int flush_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

#define UAPI_BUF (64 * 1024)

static int put_peer(char *buf, size_t *len, const struct wg_peer *p)
{
	char hex[KEY_HEX_LEN], a[ADDR_STR_LEN];
	size_t i;
	int ret;

	key_to_hex(hex, p->public_key);
	ret = put(buf, UAPI_BUF, len, "public_key=%s\n", hex);
	if (!ret && (p->flags & WGPEER_REMOVE_ME))
		return put(buf, UAPI_BUF, len, "remove=true\n");
	if (!ret && (p->flags & WGPEER_UPDATE_ONLY))
		ret = put(buf, UAPI_BUF, len, "update_only=true\n");
	if (!ret && (p->flags & WGPEER_HAS_PRESHARED_KEY)) {
		key_to_hex(hex, p->preshared_key);
		ret = put(buf, UAPI_BUF, len, "preshared_key=%s\n", hex);
		sodium_memzero(hex, sizeof(hex));
	}
	if (!ret && (p->flags & WGPEER_HAS_ENDPOINT)) {
		addr_endpoint_str(a, &p->endpoint);
		ret = put(buf, UAPI_BUF, len, "endpoint=%s\n", a);
	}
	if (!ret && (p->flags & WGPEER_HAS_KEEPALIVE))
		ret = put(buf, UAPI_BUF, len, "persistent_keepalive_interval=%u\n", p->keepalive);
	if (!ret && (p->flags & WGPEER_REPLACE_ALLOWEDIPS))
		ret = put(buf, UAPI_BUF, len, "replace_allowed_ips=true\n");
	for (i = 0; !ret && (p->flags & WGPEER_HAS_ALLOWEDIPS) && i < p->n_allowedips; i++) {
		addr_allowedip_str(a, &p->allowedips[i]);
		ret = put(buf, UAPI_BUF, len, "allowed_ip=%s\n", a);
	}
	return ret;
}

int wgdev_uapi_set(const struct wg_device *dev)
{
	static char buf[UAPI_BUF];
	char hex[KEY_HEX_LEN], reply[64];
	size_t len = 0, mark, i;
	ssize_t n;
	int fd, ret;

	fd = uapi_connect(dev->name);
	if (fd < 0)
		return fd;
	ret = put(buf, sizeof(buf), &len, "set=1\n");
	if (!ret && (dev->flags & WGDEV_HAS_PRIVATE_KEY)) {
		key_to_hex(hex, dev->private_key);
		ret = put(buf, sizeof(buf), &len, "private_key=%s\n", hex);
		sodium_memzero(hex, sizeof(hex));
	}
	if (!ret && (dev->flags & WGDEV_HAS_LISTEN_PORT))
		ret = put(buf, sizeof(buf), &len, "listen_port=%u\n", dev->listen_port);
	if (!ret && (dev->flags & WGDEV_HAS_FWMARK))
		ret = put(buf, sizeof(buf), &len, "fwmark=%u\n", dev->fwmark);
	/* Stream peers through the buffer; the request ends only with the empty line. */
	for (i = 0; !ret && i < dev->n_peers; i++) {
		mark = len;
		ret = put_peer(buf, &len, &dev->peers[i]);
		if (ret == -ENOBUFS && mark > 0) {
			ret = flush_all(fd, buf, mark);
			sodium_memzero(buf, mark);
			len = 0;
			if (!ret)
				ret = put_peer(buf, &len, &dev->peers[i]);
		}
	}
	if (!ret)
		ret = put(buf, sizeof(buf), &len, "\n");
	if (!ret)
		ret = flush_all(fd, buf, len);
	sodium_memzero(buf, sizeof(buf));
	if (ret)
		goto out;
	len = 0;
	while (len < sizeof(reply) - 1 &&
	       (n = read(fd, reply + len, sizeof(reply) - 1 - len)) > 0) {
		len += (size_t)n;
		reply[len] = '\0';
		if (strstr(reply, "\n\n"))
			break;
	}
	reply[len] = '\0';
	if (strncmp(reply, "errno=", 6)) {
		ret = -EPROTO;
		goto out;
	}
	ret = -atoi(reply + 6);
out:
	close(fd);
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
		fd = uapi_connect(name);
		if (fd >= 0)
			close(fd);
		else if (fd != -EACCES) /* EACCES: live but not ours to read; callers report it */
			continue;	/* stale socket of a dead daemon */
		ret = wgdev_names_push(names, n, cap, name);
	}
	closedir(dir);
	return ret;
}
