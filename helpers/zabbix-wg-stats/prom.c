// SPDX-License-Identifier: GPL-2.0-only
/*
 * prometheus [IFACE...] [--state S] [--compat] [--sites FILE] [--probe-timeout MS]: Prometheus
 * text exposition format 0.0.4, with the far sites' health when the sites file lists any.
 * --compat prints prometheus_wireguard_exporter's three metric families and labels instead, so
 * that dashboards built on that exporter work unchanged.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "out.h"

enum kind { K_IF, K_PEER, K_STATE, K_COMPAT };

enum {
	IF_PORT,
	IF_PEERS,
	IF_CONNECTED,
	IF_MISSING,
	IF_AO_DOWN,
	IF_AO_MISSING,
	P_RX,
	P_TX,
	P_HANDSHAKE,
	P_AGE,
	P_CONNECTED,
	P_STATE,
	P_ALWAYS_ON,
	P_KEY_CREATED,
	P_PSK_CREATED,
	C_SENT,
	C_RECEIVED,
	C_HANDSHAKE,
};

static const struct family {
	const char *name, *type, *help;
	enum kind kind;
} families[] = {
    [IF_PORT] = {"wireguard_listen_port", "gauge", "UDP port the interface listens on.", K_IF},
    [IF_PEERS] = {"wireguard_peers", "gauge", "Peers configured on the interface.", K_IF},
    [IF_CONNECTED] = {"wireguard_peers_connected", "gauge",
		      "Peers with a handshake in the last 180 seconds.", K_IF},
    [IF_MISSING] = {"wireguard_peers_missing", "gauge",
		    "Enabled peers of the state file that the interface does not have.", K_IF},
    [IF_AO_DOWN] = {"wireguard_peers_always_on_down", "gauge",
		    "Always-on peers of the state file not connected (missing ones included).",
		    K_IF},
    [IF_AO_MISSING] = {"wireguard_peers_always_on_missing", "gauge",
		       "Always-on peers of the state file that the interface does not have.", K_IF},
    [P_RX] = {"wireguard_peer_receive_bytes_total", "counter", "Bytes received from the peer.",
	      K_PEER},
    [P_TX] = {"wireguard_peer_transmit_bytes_total", "counter", "Bytes sent to the peer.", K_PEER},
    [P_HANDSHAKE] = {"wireguard_peer_last_handshake_seconds", "gauge",
		     "Unix time of the latest handshake with the peer, 0 if none yet.", K_PEER},
    [P_AGE] = {"wireguard_peer_handshake_age_seconds", "gauge",
	       "Seconds since the latest handshake with the peer, -1 if none yet.", K_PEER},
    [P_CONNECTED] = {"wireguard_peer_connected", "gauge",
		     "1 if the latest handshake is younger than 180 seconds.", K_PEER},
    [P_STATE] = {"wireguard_peer_state", "gauge",
		 "1 for the peer's state: connected (handshake under 180 s), stale (older) or "
		 "never (no handshake).",
		 K_STATE},
    [P_ALWAYS_ON] = {"wireguard_peer_always_on", "gauge",
		     "1 if the state file expects the peer to stay connected.", K_PEER},
    [P_KEY_CREATED] = {"wireguard_peer_key_created_seconds", "gauge",
		       "Unix time the peer's key was made (state file), absent if unknown.",
		       K_PEER},
    [P_PSK_CREATED] = {"wireguard_peer_preshared_key_created_seconds", "gauge",
		       "Unix time the peer's preshared key was made (state file), absent if "
		       "unknown.",
		       K_PEER},
    [C_SENT] = {"wireguard_sent_bytes_total", "counter", "Bytes sent to the peer", K_COMPAT},
    [C_RECEIVED] = {"wireguard_received_bytes_total", "counter", "Bytes received from the peer",
		    K_COMPAT},
    [C_HANDSHAKE] = {"wireguard_latest_handshake_seconds", "gauge",
		     "Seconds from the last handshake", K_COMPAT},
};

/* Label values: backslash, double quote and newline escaped. */
static void put_label(FILE *f, const char *name, const char *v, bool first)
{
	fprintf(f, "%s%s=\"", first ? "" : ",", name);
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', f);
		if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
	fputc('"', f);
}

/* Per-site health (sites.h): labels site and interface. */
static const struct site_family {
	const char *name, *help;
} site_families[] = {
    {"warren_site_up", "1 if the site's peer had a handshake in the last 180 seconds, 0 if "
		       "older, -1 if none ever or the peer is on no interface."},
    {"warren_site_handshake_age_seconds",
     "Seconds since the latest handshake with the site's peer, -1 if none."},
    {"warren_site_probe_success",
     "1 if the host probed on the site's LAN answered, 0 if not; absent when not probed."},
    {"warren_site_probe_rtt_seconds", "Round-trip time of the answered probe."},
};

static void print_sites(FILE *f, const struct zws_sites *s)
{
	const struct zws_site *site;
	size_t fam, i;
	int ok;

	for (fam = 0; fam < sizeof(site_families) / sizeof(site_families[0]); fam++) {
		fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", site_families[fam].name,
			site_families[fam].help, site_families[fam].name);
		for (i = 0; i < s->n; i++) {
			site = &s->v[i];
			ok = zws_site_probe_success(site);
			if ((fam == 2 && ok < 0) || (fam == 3 && ok != 1))
				continue;
			fprintf(f, "%s{", site_families[fam].name);
			put_label(f, "site", site->name, true);
			put_label(f, "interface", zws_site_ifname(site), false);
			if (fam == 0)
				fprintf(f, "} %d\n", zws_site_up(site));
			else if (fam == 1)
				fprintf(f, "} %" PRId64 "\n", site->age);
			else if (fam == 2)
				fprintf(f, "} %d\n", ok);
			else
				fprintf(f, "} %.6f\n", (double)site->probe.rtt_ns / 1e9);
		}
	}
}

static int64_t peer_value(int fam, const struct zws_if *zi, const struct wg_peer *p)
{
	switch (fam) {
	case P_RX:
	case C_RECEIVED:
		return (int64_t)p->rx_bytes;
	case P_TX:
	case C_SENT:
		return (int64_t)p->tx_bytes;
	case P_HANDSHAKE:
	case C_HANDSHAKE:
		return p->last_handshake_sec > 0 ? p->last_handshake_sec : 0;
	case P_AGE:
		return zws_peer_age(zi, p);
	case P_CONNECTED:
		return zws_peer_connected(zi, p);
	case P_KEY_CREATED:
		return zws_peer_key_created(zi, p, false);
	case P_PSK_CREATED:
		return zws_peer_key_created(zi, p, true);
	default:
		return zws_peer_always_on(zi, p);
	}
}

static int64_t if_value(int fam, const struct zws_if *zi)
{
	switch (fam) {
	case IF_PORT:
		return zi->dev->listen_port;
	case IF_PEERS:
		return (int64_t)zi->dev->n_peers;
	case IF_CONNECTED:
		return (int64_t)zi->connected;
	case IF_MISSING:
		return (int64_t)zi->missing;
	case IF_AO_DOWN:
		return (int64_t)zi->always_on_down;
	default:
		return (int64_t)zi->always_on_missing;
	}
}

/* One peer's labels: warren's (interface, public_key, name) or the exporter's. */
static int peer_labels(FILE *f, const struct family *fm, const struct zws_if *zi,
		       const struct wg_peer *p)
{
	const char *name = zws_peer_name(zi, p);
	char b64[KEY_B64_LEN], *aips;

	key_to_base64(b64, p->public_key);
	put_label(f, "interface", zi->dev->name, true);
	put_label(f, "public_key", b64, false);
	if (fm->kind != K_COMPAT) {
		put_label(f, "name", name, false);
		return 0;
	}
	aips = zws_allowedips_str(p);
	if (!aips)
		return -1;
	put_label(f, "allowed_ips", aips, false);
	free(aips);
	if (*name)
		put_label(f, "friendly_name", name, false);
	return 0;
}

static int print_peer(FILE *f, int fam, const struct zws_if *zi, const struct wg_peer *p)
{
	const struct family *fm = &families[fam];
	int st;

	if ((fam == P_KEY_CREATED || fam == P_PSK_CREATED) && peer_value(fam, zi, p) <= 0)
		return 0; /* unknown: no sample */
	if (fm->kind != K_STATE) {
		fprintf(f, "%s{", fm->name);
		if (peer_labels(f, fm, zi, p))
			return -1;
		fprintf(f, "} %" PRId64 "\n", peer_value(fam, zi, p));
		return 0;
	}
	for (st = ZWS_NEVER; st <= ZWS_CONNECTED; st++) {
		fprintf(f, "%s{", fm->name);
		peer_labels(f, fm, zi, p);
		put_label(f, "state", zws_state_names[st], false);
		fprintf(f, "} %d\n", zws_peer_state(zi, p) == (enum zws_peer_state)st);
	}
	return 0;
}

static int print_family(FILE *f, int fam, const struct zws_if *ifs, size_t n)
{
	const struct family *fm = &families[fam];
	size_t i, j;

	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", fm->name, fm->help, fm->name, fm->type);
	for (i = 0; i < n; i++) {
		if (fm->kind == K_IF) {
			fprintf(f, "%s{", fm->name);
			put_label(f, "interface", ifs[i].dev->name, true);
			fprintf(f, "} %" PRId64 "\n", if_value(fam, &ifs[i]));
			continue;
		}
		for (j = 0; j < ifs[i].dev->n_peers; j++)
			if (print_peer(f, fam, &ifs[i], &ifs[i].dev->peers[j]))
				return -1;
	}
	return 0;
}

int prometheus_main(int argc, char *argv[])
{
	struct zws_opts o;
	struct zws_states s;
	struct zws_if *ifs = NULL;
	struct zws_sites sites = {0};
	struct err err = {{0}};
	size_t n = 0, fam;
	int ret;

	ret = zws_parse(argc, argv, ZWS_OPT_STATE | ZWS_OPT_COMPAT | ZWS_OPT_SITES, &o, &s);
	if (ret)
		goto out;
	if (!zws_sites_load(&sites, o.sites, &err)) {
		ret = json_out_fail_err(EXIT_INVALID, &err);
		goto out;
	}
	ret = zws_read_all(&ifs, &n, &o, &s);
	if (!ret && sites.n && !o.compat)
		ret = zws_sites_eval(&sites, true, o.probe_timeout);
	if (ret)
		goto out;
	for (fam = 0; fam < sizeof(families) / sizeof(families[0]); fam++) {
		if ((families[fam].kind == K_COMPAT) != o.compat)
			continue;
		if (print_family(stdout, (int)fam, ifs, n)) {
			ret = json_out_fail(EXIT_RUNTIME, "out of memory");
			goto out;
		}
	}
	if (sites.n && !o.compat)
		print_sites(stdout, &sites);
	ret = fflush(stdout) == EOF || ferror(stdout) ? EXIT_RUNTIME : 0;
out:
	zws_sites_free(&sites);
	zws_free_all(ifs, n);
	zws_opts_free(&o, &s);
	return ret;
}
