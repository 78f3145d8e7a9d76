/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * zabbix-wg-stats: one read of each WireGuard device, named by the wg-peer-sync state files,
 * shown as Zabbix low-level discovery, one Zabbix master-item document or Prometheus text.
 * It never reads a key file and never prints a key other than a public key.
 */
#ifndef ZABBIX_WG_STATS_CMD_H
#define ZABBIX_WG_STATS_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "err.h"
#include "sites.h"
#include "wgdev.h"
#include "wgstate.h"

#define ZWS_CONNECTED_SEC 180	       /* a handshake younger than this: connected */
#define ZWS_VALUE_LIMIT	  (512 * 1024) /* zabbix_agentd 6.0 rejects output this long */
#define ZWS_SHARD_PEERS	  1500	       /* peers per shard that `discovery --interfaces` aims at */

enum {
	ZWS_OPT_STATE = 1U << 0,
	ZWS_OPT_SHARD = 1U << 1,
	ZWS_OPT_INTERFACES = 1U << 2,
	ZWS_OPT_COMPAT = 1U << 3,
	ZWS_OPT_SITES = 1U << 4,
};

struct zws_opts {
	char **states; /* --state FILE|DIR, repeatable */
	size_t n_states;
	char **ifaces; /* positional interface names (empty strings dropped) */
	size_t n_ifaces;
	unsigned int shard, shards; /* --shard K/N: 1 <= K <= N; 1/1 without it */
	bool interfaces;	    /* discovery --interfaces */
	unsigned int shard_peers;   /* discovery --interfaces --shard-peers N */
	bool compat;		    /* prometheus --compat: prometheus_wireguard_exporter's names */
	const char *sites;	    /* --sites FILE (ZWS_SITES_FILE) */
	int probe_timeout;	    /* --probe-timeout MS */
};

/* The desired states, one per interface. */
struct zws_states {
	struct wgstate *st;
	size_t n;
};

/* One interface as read now, with its state (if any) and totals. */
struct zws_if {
	struct wg_device *dev;
	const struct wg_device *state; /* NULL without a state file for it */
	int64_t now;
	size_t connected, always_on, always_on_down, missing, always_on_missing;
	uint64_t rx, tx;
};

int discovery_main(int argc, char *argv[]);
int get_main(int argc, char *argv[]);
int prometheus_main(int argc, char *argv[]);
int site_discovery_main(int argc, char *argv[]);
int site_get_main(int argc, char *argv[]);

/* opts.c: parses @argv (after the command name) allowing the ZWS_OPT_* in @allowed; loads the
 * state files. Returns 0, or the exit code after printing the failure. */
int zws_parse(int argc, char *argv[], unsigned int allowed, struct zws_opts *o,
	      struct zws_states *s);
void zws_opts_free(struct zws_opts *o, struct zws_states *s);
/* --probe-timeout's value: 1..NETPROBE_TIMEOUT_MAX_MS; 0, or the exit code after printing. */
int zws_parse_timeout(const char *text, int *ms);

/* view.c */
int zws_if_read(struct zws_if *zi, const char *ifname, const struct zws_states *s);
void zws_if_free(struct zws_if *zi);
/* Every WireGuard interface, or those named; on failure prints it and returns the exit code. */
int zws_read_all(struct zws_if **ifs, size_t *n, const struct zws_opts *o,
		 const struct zws_states *s);
void zws_free_all(struct zws_if *ifs, size_t n);
/* Prints the one failure line for @ifname and returns EXIT_RUNTIME. */
int zws_if_fail(const char *ifname, int ret);

const struct wg_peer *zws_state_peer(const struct zws_if *zi, const struct wg_peer *p);
const char *zws_peer_name(const struct zws_if *zi, const struct wg_peer *p);
bool zws_peer_always_on(const struct zws_if *zi, const struct wg_peer *p);
/* Seconds since the last handshake, -1 if never. */
int64_t zws_peer_age(const struct zws_if *zi, const struct wg_peer *p);
/* The state's key_created (@psk: psk_created) of the peer, 0 if unknown; its age in seconds, -1 if
 * unknown. */
int64_t zws_peer_key_created(const struct zws_if *zi, const struct wg_peer *p, bool psk);
int64_t zws_peer_key_age(const struct zws_if *zi, const struct wg_peer *p, bool psk);
bool zws_peer_connected(const struct zws_if *zi, const struct wg_peer *p);
/* The three peer states: a handshake under ZWS_CONNECTED_SEC ago, an older one, none ever. */
enum zws_peer_state { ZWS_NEVER, ZWS_STALE, ZWS_CONNECTED };
enum zws_peer_state zws_peer_state(const struct zws_if *zi, const struct wg_peer *p);
extern const char *const zws_state_names[3];
/* 1..@shards, stable for a key whatever the other peers are. */
unsigned int zws_shard_of(const uint8_t key[static KEY_LEN], unsigned int shards);
/* Prints @doc (released) as one line; warns on stderr past the Zabbix value limit. */
int zws_print(json_t *doc);
/* Allowed IPs as "a/n,b/m" (wg show dump's form); free() it. */
char *zws_allowedips_str(const struct wg_peer *p);

#endif
