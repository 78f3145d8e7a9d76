// SPDX-License-Identifier: GPL-2.0-only
/*
 * lxc-probe: one JSON object describing a container, from its configuration, /proc, its cgroups
 * and netlink inside its network namespace. Read-only; never talks to liblxc's command socket;
 * a watchdog ends it with an error after 2 s. See docs/lxc.md.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "out.h"
#include "probe.h"

#define PROBE_TIMEOUT_MS 1900

static const struct section {
	const char *name;
	int (*fill)(struct probe *p, json_t *doc);
} sections[] = {
    {"config", probe_config}, {"state", probe_state}, {"tun", probe_tun},
    {"net", probe_net},	      {"usage", probe_usage},
};

static void usage(FILE *f)
{
	fputs("usage: lxc-probe [--pve-dir DIR] [--lxc-path DIR] CT\n"
	      "  CT is a Proxmox CT id (DIR/ID.conf, default /etc/pve/lxc) or an LXC name\n"
	      "  (LXCPATH/NAME/config, default /var/lib/lxc). WARREN_PVE_DIR and WARREN_LXC_PATH\n"
	      "  set the same directories.\n",
	      f);
}

static void on_alarm(int sig)
{
	static const char msg[] = "{\"failed\":true,\"msg\":\"lxc-probe timed out after 2 s\"}\n";
	ssize_t n;

	(void)sig;
	n = write(STDOUT_FILENO, msg, sizeof(msg) - 1);
	(void)n;
	_exit(EXIT_RUNTIME);
}

static void watchdog(int ms)
{
	struct itimerval it = {.it_value = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000}};
	struct sigaction sa = {.sa_handler = on_alarm};

	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
}

/* Finds the configuration: Proxmox first for numeric ids, then LXC. 0, -ENOENT, -errno. */
static int locate(struct probe *p, const char *pve_dir)
{
	int ret = -ENOENT;

	if (lxc_ctid_valid(p->name)) {
		snprintf(p->config, sizeof(p->config), "%s/%s.conf", pve_dir, p->name);
		ret = lxc_conf_load(&p->conf, LXC_CONF_PVE, p->config, &p->err);
	}
	if (ret == -ENOENT) {
		snprintf(p->config, sizeof(p->config), "%s/%s/config", p->lxcpath, p->name);
		ret = lxc_conf_load(&p->conf, LXC_CONF_LXC, p->config, &p->err);
	}
	return ret;
}

static int probe(struct probe *p, const char *pve_dir)
{
	json_t *doc;
	size_t i;
	int ret;

	ret = locate(p, pve_dir);
	if (ret == -ENOENT)
		return json_out_print(json_pack("{s:b}", "exists", 0));
	if (ret)
		return json_out_fail_err(EXIT_RUNTIME, &p->err);
	doc = json_pack("{s:b,s:s,s:s,s:s}", "exists", 1, "name", p->name, "config", p->config,
			"backend", p->conf.kind == LXC_CONF_PVE ? "proxmox" : "lxc");
	if (!doc)
		return json_out_fail(EXIT_RUNTIME, "out of memory");
	for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		ret = sections[i].fill(p, doc);
		if (ret) {
			json_decref(doc);
			err_prefix(&p->err, "%s: ", sections[i].name);
			return json_out_fail_err(EXIT_RUNTIME, &p->err);
		}
	}
	watchdog(0);
	return json_out_print(doc);
}

enum { OPT_PVE_DIR = 0x100, OPT_LXC_PATH };

static const struct option options[] = {
    {"pve-dir", required_argument, NULL, OPT_PVE_DIR},
    {"lxc-path", required_argument, NULL, OPT_LXC_PATH},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

int main(int argc, char *argv[])
{
	const char *pve_dir = getenv("WARREN_PVE_DIR"), *ct = NULL, *cur;
	static struct probe p;
	int c;

	p.lxcpath = getenv("WARREN_LXC_PATH");
	opterr = 0; /* a bad argument is reported as JSON */
	/* "-": operands come back in order as 1, so @cur is always the argument being read. */
	while ((cur = argv[optind], c = getopt_long(argc, argv, "-h", options, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return 0;
		case OPT_PVE_DIR:
			pve_dir = optarg;
			break;
		case OPT_LXC_PATH:
			p.lxcpath = optarg;
			break;
		case 1:
			if (ct)
				goto unexpected; /* a second operand */
			ct = optarg;
			break;
		default:
		unexpected:
			usage(stderr);
			return json_out_fail(EXIT_INVALID, "unexpected argument \"%.64s\"", cur);
		}
	}
	if (!ct) {
		usage(stderr);
		return json_out_fail(EXIT_INVALID, "missing container name or CT id");
	}
	if (!lxc_name_valid(ct))
		return json_out_fail(EXIT_INVALID, "invalid container name or CT id \"%.64s\"", ct);
	if (!pve_dir || !*pve_dir)
		pve_dir = "/etc/pve/lxc";
	if (!p.lxcpath || !*p.lxcpath)
		p.lxcpath = "/var/lib/lxc";
	if (strlen(pve_dir) > 1024 || strlen(p.lxcpath) > 1024)
		return json_out_fail(EXIT_INVALID, "directory name too long");
	p.name = ct;
	watchdog(PROBE_TIMEOUT_MS);
	return probe(&p, pve_dir);
}
