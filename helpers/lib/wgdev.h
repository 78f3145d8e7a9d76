/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The WireGuard device model shared by every helper, and its two backends:
 *   - the kernel module over generic netlink (wgdev_nl.c),
 *   - the cross-platform userspace API socket /var/run/wireguard/IFACE.sock (wgdev_uapi.c).
 * The backend is chosen the way wg(8) does: the socket when it exists, else the kernel.
 *
 * HAS_* bits separate "not given" from "zero": a set request only touches what it has.
 * wgdev_free() wipes every key.
 */
#ifndef WARREN_WGDEV_H
#define WARREN_WGDEV_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "addr.h"
#include "key.h"

enum {
	WGDEV_HAS_PRIVATE_KEY = 1U << 0,
	WGDEV_HAS_PUBLIC_KEY = 1U << 1,
	WGDEV_HAS_LISTEN_PORT = 1U << 2,
	WGDEV_HAS_FWMARK = 1U << 3,
	WGDEV_HAS_PEERS = 1U << 4, /* the peer list is given (desired state) */
};

enum {
	WGPEER_HAS_PRESHARED_KEY = 1U << 0,
	WGPEER_HAS_ENDPOINT = 1U << 1,
	WGPEER_HAS_KEEPALIVE = 1U << 2,
	WGPEER_HAS_ALLOWEDIPS = 1U << 3,
	WGPEER_REMOVE_ME = 1U << 4,
	WGPEER_REPLACE_ALLOWEDIPS = 1U << 5,
	WGPEER_UPDATE_ONLY = 1U << 6,
	WGPEER_DISABLED = 1U << 7,  /* desired state: keep in the state, off the interface */
	WGPEER_ALWAYS_ON = 1U << 8, /* desired state: monitoring expects a handshake */
};

struct wg_peer {
	uint32_t flags;
	uint8_t public_key[KEY_LEN];
	uint8_t preshared_key[KEY_LEN];
	struct wg_endpoint endpoint;
	uint16_t keepalive;
	int64_t last_handshake_sec;
	int64_t last_handshake_nsec;
	uint64_t rx_bytes, tx_bytes;
	struct wg_allowedip *allowedips;
	size_t n_allowedips, cap_allowedips;
	char *name;			    /* desired state only */
	long long key_created, psk_created; /* desired state only: Unix time, 0 unknown */
};

struct wg_device {
	char name[IFNAMSIZ];
	uint32_t ifindex;
	uint32_t flags;
	uint8_t private_key[KEY_LEN];
	uint8_t public_key[KEY_LEN];
	uint16_t listen_port;
	uint32_t fwmark;
	struct wg_peer *peers;
	size_t n_peers, cap_peers;
};

enum wgdev_backend {
	WGDEV_BACKEND_AUTO,
	WGDEV_BACKEND_KERNEL,
	WGDEV_BACKEND_USERSPACE,
};

struct wg_device *wgdev_new(const char *ifname);
void wgdev_free(struct wg_device *dev);
/* Makes room for @n peers in one allocation, so large devices do not grow by copying. */
int wgdev_reserve(struct wg_device *dev, size_t n);
/* Appends a zeroed peer; NULL on allocation failure. Pointers to earlier peers may move. */
struct wg_peer *wgdev_add_peer(struct wg_device *dev);
int wgpeer_add_allowedip(struct wg_peer *peer, const struct wg_allowedip *aip);
/* Sorts peers by public key and each peer's allowed IPs, so two devices can be merge-walked. */
void wgdev_sort(struct wg_device *dev);
/* Binary search in a sorted device. */
struct wg_peer *wgdev_find_peer(const struct wg_device *dev, const uint8_t key[static KEY_LEN]);
bool wgpeer_allowedips_eq(const struct wg_peer *a, const struct wg_peer *b);

/* Which backend serves @ifname now. */
enum wgdev_backend wgdev_backend_of(const char *ifname);
const char *wgdev_backend_name(enum wgdev_backend b);
/* Directory of the userspace sockets; WARREN_WG_SOCKET_DIR overrides it (tests), except in a
 * program that runs with more privileges than its caller (secure_getenv). */
const char *wgdev_socket_dir(void);
/* 1-15 of A-Z a-z 0-9 _ . - and not "." or "..": what warren accepts as an interface name. */
bool wgdev_ifname_valid(const char *name);

/* Seconds a userspace socket may stay silent before a request fails with -ETIMEDOUT. */
#define WGDEV_UAPI_TIMEOUT_SEC 10

/* Where wgdev_set() stopped, so that the caller can name what failed and undo what it must. */
struct wgdev_set_at {
	uint32_t field; /* WGDEV_HAS_* of the interface field whose request failed, or 0 */
	size_t peer, n; /* else the failed request carried dev->peers[peer .. peer + n - 1] */
	bool applied;	/* an earlier request of this call was applied */
};

/* Reads the live device, peers sorted. -ENODEV when there is no such WireGuard interface. */
int wgdev_get(struct wg_device **dev, const char *ifname);
/*
 * Applies @dev: device fields by HAS_* bits, peers by their flags. Each interface field is a
 * request of its own, in this order: listen port, fwmark, private key; then the peers, in as
 * many requests as they need, one peer continuing in the next request when it does not fit.
 * Each request is answered before the next is sent, and the first failure stops everything
 * after it; @at (may be NULL) says where. Sends nothing for no peers and no fields.
 */
int wgdev_set(const struct wg_device *dev, struct wgdev_set_at *at);
/*
 * Whether UDP @port can be bound in the caller's network namespace the way WireGuard binds it,
 * on the IPv4 and IPv6 wildcard addresses: 0, -EADDRINUSE when another socket holds it, or
 * another -errno when the check itself failed.
 */
int wgdev_port_check(uint16_t port);
/* Names of every WireGuard interface (kernel and userspace), sorted; free with wgdev_free_names. */
int wgdev_list(char ***names, size_t *n);
void wgdev_free_names(char **names, size_t n);

/* Backends. */
int wgdev_uapi_get(struct wg_device **dev, const char *ifname);
int wgdev_uapi_set(const struct wg_device *dev, struct wgdev_set_at *at);
int wgdev_uapi_list(char ***names, size_t *n, size_t *cap);
int wgdev_nl_get(struct wg_device **dev, const char *ifname);
int wgdev_nl_set(const struct wg_device *dev, struct wgdev_set_at *at);
int wgdev_nl_list(char ***names, size_t *n, size_t *cap);

/* Shared by the backends. */
int wgdev_names_push(char ***names, size_t *n, size_t *cap, const char *name);
/*
 * getline() for a device's text protocol, bounded: a line longer than WGDEV_LINE_MAX comes back
 * cut, without its "\n", which the caller rejects as malformed. -1 at the end of @f.
 */
#define WGDEV_LINE_MAX 4096
ssize_t wgdev_getline(char **line, size_t *cap, FILE *f);
/*
 * A connected socket to @ifname's userspace daemon, with WGDEV_UAPI_TIMEOUT_SEC for sends and
 * receives, or -errno (-ENODEV: no live socket, -ETIMEDOUT: its backlog is full).
 */
int wgdev_uapi_connect(const char *ifname);
/*
 * Reads a "get=1" reply from @f into @dev (made by wgdev_new) up to its empty line: 0, -EPROTO
 * for a malformed reply, the daemon's -errno, or -errno of the read. @dev may hold part of the
 * reply on failure. Split out of wgdev_uapi_get for tests/fuzz/uapi_get_fuzz.c.
 */
int wgdev_uapi_parse_get(struct wg_device *dev, FILE *f);

#endif
