// SPDX-License-Identifier: GPL-2.0-only
/*
 * Userspace backend, writes: "set=1" requests of at most UAPI_REQ_MAX bytes, each sent whole
 * and answered before the next one is sent.
 *
 * Why that size: wireguard-go reads its socket 4096 bytes at a time. When it refuses a line
 * (a listen port in use, say) it ends the request and drops what it has already read, then
 * reads the rest of the stream as new operations: it logs the next line ("invalid UAPI
 * operation: ...", which was a whole preshared key when this backend streamed one long
 * request) and closes the connection, so the writer got EPIPE. A request that fits in one of
 * its reads leaves nothing behind it, whatever line is refused.
 *
 * The interface fields go first, each in a request of its own (listen port, fwmark, then the
 * private key), so that a refused port stops everything, and no key ever shares a request with
 * a line that can be refused. Peers follow. A peer that does not fit in what is left of a
 * request starts a new one; one that does not fit in a whole request continues in the next,
 * named again with "public_key" and "update_only=true", its allowed IPs continuing without
 * "replace_allowed_ips" (wgdev_nl.c splits peers across netlink messages the same way). The
 * daemon applies each request on its own: a sync that fails halfway is repaired by the next.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sodium.h>

#include "wgdev.h"

#define UAPI_REQ_MAX 4096
#define REQ_HEAD     "set=1\n"
#define REQ_EMPTY    (sizeof(REQ_HEAD) - 1)

struct req {
	int fd;
	char *buf; /* UAPI_REQ_MAX bytes, wiped after every request */
	size_t len;
	size_t first, last; /* the peers in this request, when it has any */
	bool has_peers;
	struct wgdev_set_at *at;
};

/* Appends a line; -ENOBUFS, with nothing appended, when it does not fit (one byte stays free
 * for the request's final empty line). */
static int vput(struct req *r, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static int vput(struct req *r, const char *fmt, va_list ap)
{
	size_t room = UAPI_REQ_MAX - 1 - r->len;
	int n = vsnprintf(r->buf + r->len, room, fmt, ap);

	if (n < 0 || (size_t)n >= room)
		return -ENOBUFS;
	r->len += (size_t)n;
	return 0;
}

static int put(struct req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int put(struct req *r, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vput(r, fmt, ap);
	va_end(ap);
	return ret;
}

static void begin(struct req *r)
{
	sodium_memzero(r->buf, UAPI_REQ_MAX);
	memcpy(r->buf, REQ_HEAD, REQ_EMPTY);
	r->len = REQ_EMPTY;
	r->has_peers = false;
}

/* Reads "errno=N" and the empty line: a -errno (wireguard-go writes a negative N; a positive
 * one means the same), -ETIMEDOUT, or -EPROTO for anything else. */
static int reply(int fd)
{
	char buf[64];
	size_t len = 0;
	ssize_t n;
	long v;
	char *end;

	while (len < sizeof(buf) - 1) {
		n = recv(fd, buf + len, sizeof(buf) - 1 - len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		if (!n)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, "\n\n"))
			break;
	}
	buf[len] = '\0';
	if (strncmp(buf, "errno=", 6))
		return -EPROTO;
	errno = 0;
	v = strtol(buf + 6, &end, 10);
	if (errno || strcmp(end, "\n\n") || v < -4095 || v > 4095)
		return -EPROTO;
	return v < 0 ? (int)v : -(int)v;
}

/* Sends the request whole, wipes it, and reads the answer. */
static int send_req(struct req *r)
{
	const char *p = r->buf;
	size_t left;
	ssize_t n;
	int ret = 0, err;

	r->buf[r->len++] = '\n';
	for (left = r->len; left;) {
		n = send(r->fd, p, left, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = errno == EAGAIN ? -ETIMEDOUT : -errno;
			break;
		}
		p += n;
		left -= (size_t)n;
	}
	sodium_memzero(r->buf, UAPI_REQ_MAX);
	if (!ret) {
		ret = reply(r->fd);
	} else if (ret == -EPIPE || ret == -ECONNRESET) {
		err = reply(r->fd); /* a daemon that hung up may have said why first */
		if (err && err != -EPROTO && err != -ECONNRESET)
			ret = err;
	}
	if (ret) {
		if (r->has_peers) {
			r->at->peer = r->first;
			r->at->n = r->last - r->first + 1;
		}
		return ret;
	}
	r->at->applied = true;
	begin(r);
	return 0;
}

static int send_field(struct req *r, uint32_t field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int send_field(struct req *r, uint32_t field, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vput(r, fmt, ap);
	va_end(ap);
	if (!ret)
		ret = send_req(r);
	if (ret)
		r->at->field = field;
	return ret;
}

/*
 * Puts peer @p from allowed IP @*aip on: the whole peer when *aip is 0, else a continuation.
 * Sets *aip to SIZE_MAX once the peer is complete, or to the first allowed IP left for the next
 * request. -ENOBUFS, with nothing put, when not even the peer's first lines and one allowed IP
 * fit.
 */
static int put_peer(struct req *r, const struct wg_peer *p, size_t *aip)
{
	bool aips = (p->flags & WGPEER_HAS_ALLOWEDIPS) && !(p->flags & WGPEER_REMOVE_ME);
	char hex[KEY_HEX_LEN], a[ADDR_STR_LEN];
	size_t mark = r->len, from = *aip;
	int ret;

	key_to_hex(hex, p->public_key);
	ret = put(r, "public_key=%s\n", hex);
	if (!ret && (p->flags & WGPEER_REMOVE_ME))
		ret = put(r, "remove=true\n");
	if (!ret && ((p->flags & WGPEER_UPDATE_ONLY) || from))
		ret = put(r, "update_only=true\n");
	if (!ret && !from && (p->flags & WGPEER_HAS_PRESHARED_KEY)) {
		key_to_hex(hex, p->preshared_key);
		ret = put(r, "preshared_key=%s\n", hex);
	}
	sodium_memzero(hex, sizeof(hex));
	if (!ret && !from && (p->flags & WGPEER_HAS_ENDPOINT)) {
		addr_endpoint_str(a, &p->endpoint);
		ret = put(r, "endpoint=%s\n", a);
	}
	if (!ret && !from && (p->flags & WGPEER_HAS_KEEPALIVE))
		ret = put(r, "persistent_keepalive_interval=%u\n", p->keepalive);
	if (!ret && !from && aips && (p->flags & WGPEER_REPLACE_ALLOWEDIPS))
		ret = put(r, "replace_allowed_ips=true\n");
	while (!ret && aips && *aip < p->n_allowedips) {
		addr_allowedip_str(a, &p->allowedips[*aip]);
		ret = put(r, "allowed_ip=%s\n", a);
		if (!ret)
			(*aip)++;
	}
	if (ret && (!aips || *aip == from)) {
		r->len = mark; /* the buffer is wiped whole before it is reused */
		*aip = from;
		return -ENOBUFS;
	}
	if (!ret)
		*aip = SIZE_MAX;
	return 0;
}

static int set_peers(struct req *r, const struct wg_device *dev)
{
	size_t i, aip, mark;
	int ret = 0;

	for (i = 0; !ret && i < dev->n_peers; i++) {
		aip = 0;
		while (!ret) {
			mark = r->len;
			ret = put_peer(r, &dev->peers[i], &aip);
			/*
			 * A peer that does not fit whole behind others starts a fresh request (a
			 * continuation always does: the request before it was just sent).
			 */
			if (mark > REQ_EMPTY && (ret || aip != SIZE_MAX)) {
				r->len = mark;
				aip = 0;
				ret = send_req(r);
				continue;
			}
			if (ret) { /* not even a fresh request holds its first lines */
				r->at->peer = i;
				r->at->n = 1;
				break;
			}
			if (!r->has_peers)
				r->first = i;
			r->has_peers = true;
			r->last = i;
			if (aip == SIZE_MAX)
				break;
			ret = send_req(r); /* the peer continues in the next request */
		}
	}
	if (!ret && r->has_peers)
		ret = send_req(r);
	return ret;
}

int wgdev_uapi_set(const struct wg_device *dev, struct wgdev_set_at *at)
{
	struct req r = {.fd = -1, .at = at};
	char hex[KEY_HEX_LEN];
	int ret = -ENOMEM;

	if (!(dev->flags & (WGDEV_HAS_LISTEN_PORT | WGDEV_HAS_FWMARK | WGDEV_HAS_PRIVATE_KEY)) &&
	    !dev->n_peers)
		return 0;
	r.buf = malloc(UAPI_REQ_MAX);
	if (!r.buf)
		return -ENOMEM;
	r.fd = wgdev_uapi_connect(dev->name);
	if (r.fd < 0) {
		ret = r.fd;
		goto out;
	}
	begin(&r);
	ret = 0;
	if (dev->flags & WGDEV_HAS_LISTEN_PORT)
		ret = send_field(&r, WGDEV_HAS_LISTEN_PORT, "listen_port=%u\n", dev->listen_port);
	if (!ret && (dev->flags & WGDEV_HAS_FWMARK))
		ret = send_field(&r, WGDEV_HAS_FWMARK, "fwmark=%u\n", dev->fwmark);
	if (!ret && (dev->flags & WGDEV_HAS_PRIVATE_KEY)) {
		key_to_hex(hex, dev->private_key);
		ret = send_field(&r, WGDEV_HAS_PRIVATE_KEY, "private_key=%s\n", hex);
		sodium_memzero(hex, sizeof(hex));
	}
	if (!ret)
		ret = set_peers(&r, dev);
out:
	if (r.fd >= 0)
		close(r.fd);
	sodium_memzero(r.buf, UAPI_REQ_MAX);
	free(r.buf);
	return ret;
}
