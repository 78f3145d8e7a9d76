/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-site health (docs/site-to-site.md#per-site-health): the sites file that roles/
 * warren_monitoring renders from warren_sites, and what zabbix-wg-stats derives from it.
 *   {"site": "home", "sites": [{"site": "edge", "public_key": "...", "interface": "wg1",
 *                               "probe": "10.70.0.5", "via": "edge"}]}
 * Only public keys and addresses: the file is 0644.
 */
#ifndef ZABBIX_WG_STATS_SITES_H
#define ZABBIX_WG_STATS_SITES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "err.h"
#include "key.h"
#include "netprobe.h"

#define ZWS_SITES_FILE	  "/etc/warren/sites.json"
#define ZWS_SITE_NAME_MAX 63

struct zws_site {
	char name[ZWS_SITE_NAME_MAX + 1];
	uint8_t public_key[KEY_LEN]; /* the peer whose handshake counts (the relay's, if via) */
	char ifname[16];	     /* "" : whichever interface has the peer */
	char probe_text[ADDR_STR_LEN];
	bool has_probe;
	struct netprobe probe;
	/* Filled in by zws_sites_eval. */
	char found_if[16]; /* where the peer is, "" if on none */
	int64_t age;	   /* seconds since the handshake, -1 never or no peer */
	int64_t latest;	   /* unix time of it, 0 none */
};

struct zws_sites {
	char self[ZWS_SITE_NAME_MAX + 1];
	struct zws_site *v;
	size_t n;
};

/* Parses a sites document; on failure @err names the field ("sites[1].probe: ..."). */
bool zws_sites_parse(struct zws_sites *s, json_t *root, struct err *err);
/* Loads @path; a missing file is no sites (true, s->n == 0). */
bool zws_sites_load(struct zws_sites *s, const char *path, struct err *err);
void zws_sites_free(struct zws_sites *s);

/* The interface with the site's peer, else the one the file names, else "". */
const char *zws_site_ifname(const struct zws_site *site);
/* up: 1 (handshake under 180 s), 0 (older), -1 (none ever, or the peer is on no interface). */
int zws_site_up(const struct zws_site *site);
/* Reads the interfaces the sites name (or all of them) and fills in found_if/age/latest; with
 * @probe also runs the probes in parallel within @timeout_ms. Returns 0 or the exit code after
 * printing the failure. */
int zws_sites_eval(struct zws_sites *s, bool probe, int timeout_ms);
/* 1 answered, 0 not, -1 not probed (no probe, or no socket on this host). */
int zws_site_probe_success(const struct zws_site *site);
/* --sites FILE (default ZWS_SITES_FILE) and, if @timeout_ok, --probe-timeout MS; loads the file.
 * Returns 0, or the exit code after printing the failure. */
int zws_sites_opts(int argc, char *argv[], bool timeout_ok, struct zws_sites *s, int *timeout_ms);

#endif
