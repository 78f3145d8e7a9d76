// SPDX-License-Identifier: GPL-2.0-only
/*
 * site-discovery [--sites FILE]: Zabbix LLD rows, one per far site ({#SITE}, {#IFNAME},
 * {#SITE.PROBE}, {#SITE.VIA}).
 * site-get [--sites FILE] [--probe-timeout MS]: one master-item document: every site's handshake
 * age and up state, and its probe's result and round-trip time (the probes run in parallel).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "out.h"
#include "sites.h"

const char *zws_site_ifname(const struct zws_site *site)
{
	return site->found_if[0] ? site->found_if : site->ifname;
}

int zws_site_up(const struct zws_site *site)
{
	if (site->age < 0)
		return -1;
	return site->age < ZWS_CONNECTED_SEC ? 1 : 0;
}

static bool wanted(const struct zws_sites *s, const char *ifname)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!s->v[i].ifname[0] || !strcmp(s->v[i].ifname, ifname))
			return true;
	return false;
}

/* Finds each site's peer on interface @zi (its own interface, or any when it names none). */
static void match(struct zws_sites *s, const struct zws_if *zi)
{
	const struct wg_peer *p;
	size_t i;

	for (i = 0; i < s->n; i++) {
		struct zws_site *site = &s->v[i];

		if (site->found_if[0] || (site->ifname[0] && strcmp(site->ifname, zi->dev->name)))
			continue;
		p = wgdev_find_peer(zi->dev, site->public_key);
		if (!p)
			continue;
		strcpy(site->found_if, zi->dev->name);
		site->age = zws_peer_age(zi, p);
		site->latest = p->last_handshake_sec > 0 ? p->last_handshake_sec : 0;
	}
}

/* The interfaces to read: those the sites name, or every one when one site names none. */
static int names(const struct zws_sites *s, char ***out, size_t *n)
{
	size_t i, j;

	for (i = 0; i < s->n; i++)
		if (!s->v[i].ifname[0])
			return wgdev_list(out, n);
	*out = calloc(s->n + 1, sizeof(**out));
	*n = 0;
	if (!*out)
		return -ENOMEM;
	for (i = 0; i < s->n; i++) {
		for (j = 0; j < *n && strcmp((*out)[j], s->v[i].ifname); j++)
			;
		if (j < *n)
			continue;
		(*out)[*n] = strdup(s->v[i].ifname);
		if (!(*out)[(*n)++])
			return -ENOMEM;
	}
	return 0;
}

int zws_sites_eval(struct zws_sites *s, bool probe, int timeout_ms)
{
	struct netprobe *probes = NULL;
	char **ifs = NULL;
	size_t n = 0, i, k = 0;
	struct zws_if zi;
	int ret;

	for (i = 0; i < s->n; i++) {
		s->v[i].found_if[0] = '\0';
		s->v[i].age = -1;
		s->v[i].latest = 0;
	}
	ret = s->n ? names(s, &ifs, &n) : 0;
	if (ret) {
		ret = json_out_fail(EXIT_RUNTIME, "listing WireGuard interfaces: %s",
				    json_out_strerror(ret));
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (!wanted(s, ifs[i]))
			continue;
		ret = zws_if_read(&zi, ifs[i], NULL);
		/* A tunnel that is down is the site's problem, not a failure of this command. */
		if (ret == -ENODEV || ret == -EPROTONOSUPPORT || ret == -ENOENT) {
			ret = 0;
			continue;
		}
		if (ret) {
			ret = zws_if_fail(ifs[i], ret);
			goto out;
		}
		match(s, &zi);
		zws_if_free(&zi);
	}
	if (!probe)
		goto out;
	/* All probes at once, within one timeout, whatever the number of sites. */
	probes = calloc(s->n + 1, sizeof(*probes));
	if (!probes) {
		ret = json_out_fail(EXIT_RUNTIME, "out of memory");
		goto out;
	}
	for (i = 0; i < s->n; i++)
		if (s->v[i].has_probe)
			probes[k++] = s->v[i].probe;
	ret = netprobe_run(probes, k, timeout_ms);
	if (ret) {
		ret = json_out_fail(EXIT_RUNTIME, "probing: %s", json_out_strerror(ret));
		goto out;
	}
	for (i = 0, k = 0; i < s->n; i++)
		if (s->v[i].has_probe)
			s->v[i].probe = probes[k++];
out:
	free(probes);
	wgdev_free_names(ifs, ifs ? n : 0);
	return ret;
}

/* Why a probe could not run on this host: the group check for ICMP, or the socket's error. */
static void probe_error(char *buf, size_t len, const struct zws_site *site)
{
	const struct netprobe *p = &site->probe;

	buf[0] = '\0';
	if (!site->has_probe || !p->local)
		return;
	if (!p->tcp && (p->result == -EACCES || p->result == -EPERM))
		snprintf(buf, len,
			 "no ICMP datagram socket (%s): net.ipv4.ping_group_range must include "
			 "gid %u (docs/zabbix.md)",
			 json_out_strerror(p->result), (unsigned int)getgid());
	else
		snprintf(buf, len, "no probe socket: %s", json_out_strerror(p->result));
}

/* 1 answered, 0 not, -1 not probed (no probe, or it could not run here: see probe_error). */
int zws_site_probe_success(const struct zws_site *site)
{
	if (!site->has_probe || site->probe.local)
		return -1;
	return site->probe.result == 0;
}

static json_t *site_json(const struct zws_site *site, int64_t now)
{
	const struct netprobe *p = &site->probe;
	char b64[KEY_B64_LEN], err[256];
	int ok = zws_site_probe_success(site);

	key_to_base64(b64, site->public_key);
	probe_error(err, sizeof(err), site);
	return json_pack("{s:s,s:s,s:I,s:I,s:i,s:s,s:s,s:i,s:f,s:s,s:s,s:I}", "interface",
			 zws_site_ifname(site), "public_key", b64, "handshake_age",
			 (json_int_t)site->age, "latest_handshake", (json_int_t)site->latest, "up",
			 zws_site_up(site), "state",
			 zws_site_up(site) < 0 ? "never" : zws_state_names[zws_site_up(site) + 1],
			 "probe", site->probe_text, "probe_success", ok, "probe_rtt",
			 ok == 1 ? (double)p->rtt_ns / 1e9 : -1.0, "probe_result",
			 !site->has_probe ? ""
			 : p->result	  ? json_out_strerror(p->result)
					  : "ok",
			 "probe_error", err, "time", (json_int_t)now);
}

static const struct option site_opts[] = {
    {"sites", required_argument, NULL, 's'},
    {"probe-timeout", required_argument, NULL, 't'},
    {NULL, 0, NULL, 0},
};

/* Options of both commands; loads the sites file. 0, or the exit code after printing. */
int zws_sites_opts(int argc, char *argv[], bool timeout_ok, struct zws_sites *s, int *timeout_ms)
{
	const char *path = ZWS_SITES_FILE;
	struct err err = {{0}};
	int c, ret = 0;

	*timeout_ms = NETPROBE_TIMEOUT_MS;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", site_opts, NULL)) != -1) {
		if (c == 's')
			path = optarg;
		else if (c == 't' && timeout_ok)
			ret = zws_parse_timeout(optarg, timeout_ms);
		else
			ret = json_out_fail(EXIT_INVALID,
					    "unknown or misplaced option \"%s\" (see --help)",
					    argv[optind - 1]);
		if (ret)
			return ret;
	}
	if (optind < argc)
		return json_out_fail(EXIT_INVALID, "unexpected argument \"%.64s\"", argv[optind]);
	if (!zws_sites_load(s, path, &err))
		return json_out_fail_err(EXIT_INVALID, &err);
	return 0;
}

int site_discovery_main(int argc, char *argv[])
{
	struct zws_sites s;
	json_t *rows;
	size_t i;
	int ret, timeout;

	ret = zws_sites_opts(argc, argv, false, &s, &timeout);
	if (ret)
		return ret;
	ret = zws_sites_eval(&s, false, timeout);
	rows = ret ? NULL : json_array();
	for (i = 0; rows && i < s.n; i++) {
		const struct zws_site *site = &s.v[i];

		if (json_array_append_new(rows, json_pack("{s:s,s:s,s:s}", "{#SITE}", site->name,
							  "{#IFNAME}", zws_site_ifname(site),
							  "{#SITE.PROBE}", site->probe_text))) {
			json_decref(rows);
			rows = NULL;
		}
	}
	if (!ret)
		ret = rows ? zws_print(rows) : json_out_fail(EXIT_RUNTIME, "out of memory");
	zws_sites_free(&s);
	return ret;
}

int site_get_main(int argc, char *argv[])
{
	struct zws_sites s;
	json_t *doc = NULL, *sites;
	struct timespec ts;
	size_t i;
	int ret, timeout;

	ret = zws_sites_opts(argc, argv, true, &s, &timeout);
	if (ret)
		return ret;
	ret = zws_sites_eval(&s, true, timeout);
	if (ret)
		goto out;
	clock_gettime(CLOCK_REALTIME, &ts);
	sites = json_object();
	for (i = 0; sites && i < s.n; i++)
		if (json_object_set_new(sites, s.v[i].name, site_json(&s.v[i], ts.tv_sec))) {
			json_decref(sites);
			sites = NULL;
		}
	doc = sites ? json_pack("{s:s,s:o,s:I}", "site", s.self, "sites", sites, "time",
				(json_int_t)ts.tv_sec)
		    : NULL;
	ret = doc ? zws_print(doc) : json_out_fail(EXIT_RUNTIME, "out of memory");
out:
	zws_sites_free(&s);
	return ret;
}
