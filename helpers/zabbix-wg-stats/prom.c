// SPDX-License-Identifier: GPL-2.0-only
/* prometheus [IFACE...] [--state S]: Prometheus text exposition format 0.0.4. */
#include <inttypes.h>
#include <stdio.h>

#include "cmd.h"
#include "out.h"

enum { IF_PORT, IF_PEERS, IF_CONNECTED, P_RX, P_TX, P_HANDSHAKE, P_CONNECTED, P_ALWAYS_ON };

static const struct family {
	const char *name, *type, *help;
	bool per_peer;
} families[] = {
    [IF_PORT] = {"wireguard_listen_port", "gauge", "UDP port the interface listens on.", false},
    [IF_PEERS] = {"wireguard_peers", "gauge", "Peers configured on the interface.", false},
    [IF_CONNECTED] = {"wireguard_peers_connected", "gauge",
		      "Peers with a handshake in the last 180 seconds.", false},
    [P_RX] = {"wireguard_peer_receive_bytes_total", "counter", "Bytes received from the peer.",
	      true},
    [P_TX] = {"wireguard_peer_transmit_bytes_total", "counter", "Bytes sent to the peer.", true},
    [P_HANDSHAKE] = {"wireguard_peer_last_handshake_seconds", "gauge",
		     "Unix time of the latest handshake with the peer, 0 if none yet.", true},
    [P_CONNECTED] = {"wireguard_peer_connected", "gauge",
		     "1 if the latest handshake is younger than 180 seconds.", true},
    [P_ALWAYS_ON] = {"wireguard_peer_always_on", "gauge",
		     "1 if the state file expects the peer to stay connected.", true},
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

static uint64_t peer_value(int fam, const struct zws_if *zi, const struct wg_peer *p)
{
	switch (fam) {
	case P_RX:
		return p->rx_bytes;
	case P_TX:
		return p->tx_bytes;
	case P_HANDSHAKE:
		return p->last_handshake_sec > 0 ? (uint64_t)p->last_handshake_sec : 0;
	case P_CONNECTED:
		return zws_peer_connected(zi, p);
	default:
		return zws_peer_always_on(zi, p);
	}
}

static uint64_t if_value(int fam, const struct zws_if *zi)
{
	if (fam == IF_PORT)
		return zi->dev->listen_port;
	if (fam == IF_PEERS)
		return zi->dev->n_peers;
	return zi->connected;
}

static void print_family(FILE *f, int fam, const struct zws_if *ifs, size_t n)
{
	const struct family *fm = &families[fam];
	char b64[KEY_B64_LEN];
	size_t i, j;

	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", fm->name, fm->help, fm->name, fm->type);
	for (i = 0; i < n; i++) {
		if (!fm->per_peer) {
			fprintf(f, "%s{", fm->name);
			put_label(f, "interface", ifs[i].dev->name, true);
			fprintf(f, "} %" PRIu64 "\n", if_value(fam, &ifs[i]));
			continue;
		}
		for (j = 0; j < ifs[i].dev->n_peers; j++) {
			const struct wg_peer *p = &ifs[i].dev->peers[j];

			key_to_base64(b64, p->public_key);
			fprintf(f, "%s{", fm->name);
			put_label(f, "interface", ifs[i].dev->name, true);
			put_label(f, "public_key", b64, false);
			put_label(f, "name", zws_peer_name(&ifs[i], p), false);
			fprintf(f, "} %" PRIu64 "\n", peer_value(fam, &ifs[i], p));
		}
	}
}

int prometheus_main(int argc, char *argv[])
{
	struct zws_opts o;
	struct zws_states s;
	struct zws_if *ifs = NULL;
	size_t n = 0, fam;
	int ret;

	ret = zws_parse(argc, argv, ZWS_OPT_STATE, &o, &s);
	if (ret)
		goto out;
	ret = zws_read_all(&ifs, &n, &o, &s);
	if (ret)
		goto out;
	for (fam = 0; fam < sizeof(families) / sizeof(families[0]); fam++)
		print_family(stdout, (int)fam, ifs, n);
	ret = fflush(stdout) == EOF || ferror(stdout) ? EXIT_RUNTIME : 0;
out:
	zws_free_all(ifs, n);
	zws_opts_free(&o, &s);
	return ret;
}
