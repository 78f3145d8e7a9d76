// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests for the LXC and Proxmox configuration parser (helpers/lib/lxc_conf.c, lxc_pve.c). */
#include <stdlib.h>

#include "check.h"
#include "lxc-probe/lxc_conf.h"

static bool parse(struct lxc_conf *c, enum lxc_conf_kind kind, const char *text, struct err *err)
{
	return lxc_conf_parse(c, kind, text, strlen(text), err);
}

static void test_lxc(void)
{
	static const char text[] =
	    "# warren\n"
	    "lxc.include = /usr/share/lxc/config/common.conf\n"
	    "lxc.uts.name = wg\n"
	    "lxc.rootfs.path = dir:/var/lib/lxc/90/rootfs\n"
	    "  lxc.idmap = u 0 100000 65536  \n"
	    "lxc.idmap = g 0 100000 65536\n"
	    "lxc.net.0.type = veth\n"
	    "lxc.net.0.link = warrenbr0\n"
	    "lxc.net.0.name = eth0\n"
	    "lxc.net.0.ipv4.address = 192.168.90.2/24\n"
	    "lxc.start.auto = 1\n"
	    "lxc.cgroup.memory.limit_in_bytes = 1G\n"
	    "lxc.cgroup.cpuset.cpus = 0\n"
	    "lxc.cgroup.devices.allow = c 10:200 rwm\n"
	    "lxc.mount.entry = /dev/net/tun dev/net/tun none bind,create=file 0 0\n";
	struct err err = {};
	struct lxc_conf c;

	CHECK(parse(&c, LXC_CONF_LXC, text, &err));
	CHECK(c.kind == LXC_CONF_LXC);
	CHECK(!strcmp(c.hostname, "wg"));
	CHECK(!strcmp(c.rootfs, "dir:/var/lib/lxc/90/rootfs"));
	CHECK(c.n_idmaps == 2 && c.idmaps[0].type == 'u' && c.idmaps[0].hostid == 100000 &&
	      c.idmaps[1].type == 'g' && c.idmaps[1].range == 65536);
	CHECK(lxc_conf_unprivileged(&c));
	CHECK((c.has & LXC_HAS_AUTOSTART) && c.autostart);
	CHECK((c.has & LXC_HAS_MEMORY) && c.memory == 1ULL << 30);
	CHECK((c.has & LXC_HAS_CORES) && c.cores == 1);
	CHECK(!(c.has & LXC_HAS_DISK) && !(c.has & LXC_HAS_SWAP));
	CHECK(c.tun_allow && c.tun_mount);
	CHECK(c.n_nets == 1 && !strcmp(c.nets[0].link, "warrenbr0") &&
	      !strcmp(c.nets[0].ipv4, "192.168.90.2/24") && !strcmp(c.nets[0].type, "veth"));

	/* cgroup2 keys, no tun, privileged. */
	CHECK(parse(&c, LXC_CONF_LXC,
		    "lxc.cgroup2.memory.max = 536870912\nlxc.cgroup2.cpuset.cpus = 0-1,3\n"
		    "lxc.cgroup2.devices.allow = c 1:3 rwm\nlxc.start.auto = 0\n",
		    &err));
	CHECK(c.memory == 512ULL << 20 && c.cores == 3 && !c.autostart);
	CHECK(!c.tun_allow && !c.tun_mount && !lxc_conf_unprivileged(&c));
	/* "max" is no limit; "c *:* rwm" allows the tun. */
	CHECK(parse(&c, LXC_CONF_LXC,
		    "lxc.cgroup2.memory.max = max\nlxc.cgroup.devices.allow = c *:* rwm\n", &err));
	CHECK(!(c.has & LXC_HAS_MEMORY) && c.tun_allow);
	/* Only a uid map: not unprivileged. */
	CHECK(parse(&c, LXC_CONF_LXC, "lxc.idmap = u 0 100000 65536\n", &err));
	CHECK(!lxc_conf_unprivileged(&c));
}

static void test_pve(void)
{
	static const char text[] =
	    "#warren VPN\n"
	    "arch: amd64\n"
	    "cores: 1\n"
	    "hostname: wireguard\n"
	    "memory: 1024\n"
	    "swap: 512\n"
	    "net0: name=eth0,bridge=vmbr0,hwaddr=BC:24:11:00:00:01,ip=dhcp,type=veth\n"
	    "onboot: 1\n"
	    "ostype: debian\n"
	    "rootfs: local-lvm:vm-90-disk-0,size=8G\n"
	    "startup: order=10\n"
	    "tags: warren;wireguard\n"
	    "unprivileged: 1\n"
	    "dev0: /dev/net/tun\n"
	    "\n"
	    "[snap1]\n"
	    "memory: 4096\n"
	    "garbage without colon\n";
	struct err err = {};
	struct lxc_conf c;

	CHECK(parse(&c, LXC_CONF_PVE, text, &err));
	CHECK(c.kind == LXC_CONF_PVE);
	CHECK(c.memory == 1024ULL << 20 && c.swap == 512ULL << 20 && c.cores == 1);
	CHECK((c.has & LXC_HAS_DISK) && c.disk == 8ULL << 30);
	CHECK(!strcmp(c.rootfs, "local-lvm:vm-90-disk-0"));
	CHECK(c.autostart && c.unpriv && lxc_conf_unprivileged(&c));
	CHECK(c.n_idmaps == 2 && c.idmaps[0].hostid == 100000);
	CHECK(c.tun_allow && c.tun_mount);
	CHECK(c.n_nets == 1 && !strcmp(c.nets[0].link, "vmbr0") && !strcmp(c.nets[0].ipv4, "dhcp"));
	CHECK(!strcmp(c.hostname, "wireguard"));

	/* Raw lxc.* keys in a Proxmox file; custom maps replace the default one. */
	CHECK(parse(&c, LXC_CONF_PVE,
		    "unprivileged: 1\nlxc.idmap: u 0 200000 1000\nlxc.idmap: g 0 200000 1000\n"
		    "lxc.cgroup2.devices.allow: c 10:200 rwm\n"
		    "lxc.mount.entry: /dev/net/tun dev/net/tun none bind,create=file\n"
		    "rootfs: local:90/vm-90-disk-0.raw,size=16\n",
		    &err));
	CHECK(c.n_idmaps == 2 && c.idmaps[0].hostid == 200000 && c.tun_allow && c.tun_mount);
	/* A bare size is bytes (pve-common parse_size); Proxmox itself writes "16G". */
	CHECK((c.has & LXC_HAS_DISK) && c.disk == 16);
	/* Privileged. */
	CHECK(parse(&c, LXC_CONF_PVE, "unprivileged: 0\nmemory: 512\n", &err));
	CHECK(!lxc_conf_unprivileged(&c) && !c.tun_allow);
}

static void expect_error(enum lxc_conf_kind kind, const char *text, const char *needle)
{
	struct err err = {};
	struct lxc_conf c;

	CHECK(!parse(&c, kind, text, &err));
	CHECK_STR_CONTAINS(err.msg, needle);
}

static void test_malformed(void)
{
	expect_error(LXC_CONF_LXC, "lxc.uts.name = a\nno equals sign\n", "line 2: expected");
	expect_error(LXC_CONF_LXC, "foo.bar = 1\n", "unknown key \"foo.bar\"");
	expect_error(LXC_CONF_LXC, "lxc.idmap = u 0 100000\n", "bad id map");
	expect_error(LXC_CONF_LXC, "lxc.idmap = x 0 1 2\n", "bad id map");
	expect_error(LXC_CONF_LXC, "lxc.idmap = u 0 -1 2\n", "bad id map");
	expect_error(LXC_CONF_LXC, "lxc.start.auto = yes\n", "must be 0 or 1");
	expect_error(LXC_CONF_LXC, "lxc.cgroup.memory.limit_in_bytes = 1X\n", "bad size \"1X\"");
	expect_error(LXC_CONF_LXC, "lxc.cgroup.cpuset.cpus = 3-1\n", "bad cpu list");
	expect_error(LXC_CONF_LXC, "lxc.net.x.link = br\n", "bad network key");
	expect_error(LXC_CONF_LXC, "lxc.net.99.link = br\n", "bad network key");
	expect_error(LXC_CONF_PVE, "memory 1024\n", "expected \"key: value\"");
	expect_error(LXC_CONF_PVE, "memory: 1G\n", "MiB");
	expect_error(LXC_CONF_PVE, "cores: 0\n", "cores must be");
	expect_error(LXC_CONF_PVE, "unprivileged: maybe\n", "not \"maybe\"");
	expect_error(LXC_CONF_PVE, "rootfs: local:x,size=huge\n", "bad size");
	expect_error(LXC_CONF_PVE, "net0: bridge=vmbr0\n", "no valid name=");
	expect_error(LXC_CONF_PVE, "lxc.idmap: u 0\n", "bad id map");
}

static void test_values(void)
{
	uint64_t b;
	unsigned int n;

	CHECK(lxc_conf_parse_size("1073741824", &b) && b == 1ULL << 30);
	CHECK(lxc_conf_parse_size("512M", &b) && b == 512ULL << 20);
	CHECK(lxc_conf_parse_size("8G", &b) && b == 8ULL << 30);
	CHECK(lxc_conf_parse_size("1024k", &b) && b == 1ULL << 20);
	CHECK(lxc_conf_parse_size("2TB", &b) && b == 2ULL << 40);
	CHECK(!lxc_conf_parse_size("", &b) && !lxc_conf_parse_size("G", &b) &&
	      !lxc_conf_parse_size("-1", &b) && !lxc_conf_parse_size("1.5G", &b) &&
	      !lxc_conf_parse_size("99999999999999999999", &b) &&
	      !lxc_conf_parse_size("99999999999T", &b));
	CHECK(lxc_conf_parse_cpuset("0", &n) && n == 1);
	CHECK(lxc_conf_parse_cpuset("0-3,8,10-11", &n) && n == 7);
	CHECK(!lxc_conf_parse_cpuset("", &n) && !lxc_conf_parse_cpuset("1,", &n) &&
	      !lxc_conf_parse_cpuset("a", &n) && !lxc_conf_parse_cpuset("1-", &n));
	CHECK(lxc_name_valid("warren-mol1") && lxc_name_valid("90") && lxc_name_valid("a.b_c"));
	CHECK(!lxc_name_valid("") && !lxc_name_valid("..") && !lxc_name_valid("a/b") &&
	      !lxc_name_valid("a b") && !lxc_name_valid("../etc"));
	CHECK(lxc_ctid_valid("90") && lxc_ctid_valid("100") && !lxc_ctid_valid("090") &&
	      !lxc_ctid_valid("1234567890") && !lxc_ctid_valid("9a"));
}

/* Proxmox accepts raw lxc keys as "lxc.key: value", "lxc.key = value" or "lxc.key=value". */
static void test_pve_raw_lxc(void)
{
	struct err err = {};
	struct lxc_conf c;

	CHECK(parse(&c, LXC_CONF_PVE,
		    "unprivileged: 1\n"
		    "lxc.idmap = u 0 200000 1000\n"
		    "lxc.idmap=g 0 200000 1000\n"
		    "lxc.cgroup2.devices.allow = c 10:200 rwm\n"
		    "lxc.mount.entry = /dev/net/tun dev/net/tun none bind,create=file 0 0\n"
		    "lxc.cgroup2.memory.max: 512M\n"
		    "lxc.net.0.hwaddr = BC:24:11:00:00:02\n"
		    "lxc.uts.name =\n",
		    &err));
	CHECK(c.n_idmaps == 2 && c.idmaps[0].type == 'u' && c.idmaps[1].type == 'g' &&
	      c.idmaps[1].hostid == 200000 && c.idmaps[1].range == 1000);
	CHECK(c.tun_allow && c.tun_mount);
	CHECK((c.has & LXC_HAS_MEMORY) && c.memory == 512ULL << 20);
	CHECK(c.n_nets == 1 && !strcmp(c.nets[0].hwaddr, "BC:24:11:00:00:02"));
	CHECK(!strcmp(c.hostname, ""));
	expect_error(LXC_CONF_PVE, "lxc.idmap u 0 1 2\n", "expected \"lxc.key: value\"");
	expect_error(LXC_CONF_PVE, "lxc. = 1\n", "expected \"lxc.key: value\"");
	expect_error(LXC_CONF_PVE, "lxc.Idmap = u 0 1 2\n", "\"lxc.Idmap = u 0 1 2\"");
	expect_error(LXC_CONF_PVE, "lxc.idmap = u 0 1\n", "bad id map \"u 0 1\"");
}

/* Proxmox booleans: 1, on, yes, true and 0, off, no, false, the words in any case. */
static void test_pve_bool(void)
{
	static const char *const yes[] = {"1", "on", "yes", "true", "ON", "Yes", "tRuE"};
	static const char *const no[] = {"0", "off", "no", "false", "OFF", "No", "False"};
	struct err err = {};
	struct lxc_conf c;
	char text[128];
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		snprintf(text, sizeof(text), "onboot: %s\nunprivileged: %s\n", yes[i], yes[i]);
		CHECK(parse(&c, LXC_CONF_PVE, text, &err) && c.autostart && c.unpriv &&
		      (c.has & LXC_HAS_AUTOSTART) && (c.has & LXC_HAS_UNPRIV));
		snprintf(text, sizeof(text), "onboot: %s\nunprivileged: %s\n", no[i], no[i]);
		CHECK(parse(&c, LXC_CONF_PVE, text, &err) && !c.autostart && !c.unpriv &&
		      (c.has & LXC_HAS_AUTOSTART) && (c.has & LXC_HAS_UNPRIV));
	}
	expect_error(LXC_CONF_PVE, "onboot: 2\n",
		     "onboot must be a boolean (1, yes, on, true, 0, no, off, false), not \"2\"");
	expect_error(LXC_CONF_PVE, "unprivileged: y\n", "not \"y\"");
	expect_error(LXC_CONF_PVE, "unprivileged: 01\n", "not \"01\"");
	expect_error(LXC_CONF_PVE, "onboot: yess\n", "not \"yess\"");
	/* Raw lxc.start.auto is LXC's own key: a number, as LXC reads it. */
	expect_error(LXC_CONF_PVE, "lxc.start.auto: yes\n", "must be 0 or 1");
}

/* Interface @i when the config has it (and fits the array), else NULL. */
static const struct lxc_conf_net *net(const struct lxc_conf *c, size_t i)
{
	return i < c->n_nets && i < sizeof(c->nets) / sizeof(c->nets[0]) ? &c->nets[i] : NULL;
}

/* Proxmox has net0 to net31; LXC configs get as many. The config stays a few KiB. */
static void test_nets(void)
{
	const struct lxc_conf_net *n;
	struct err err = {};
	struct lxc_conf c;

	CHECK(parse(&c, LXC_CONF_PVE,
		    "net10: name=eth10,bridge=vmbr1,ip=10.0.0.2/24\n"
		    "net31: name=eth31,bridge=vmbr0,type=veth\n"
		    "net0: name=eth0,bridge=vmbr0,ip6=auto,ip=dhcp\n",
		    &err));
	CHECK(c.n_nets == 32);
	n = net(&c, 10);
	CHECK(n && !strcmp(n->name, "eth10") && !strcmp(n->link, "vmbr1") &&
	      !strcmp(n->ipv4, "10.0.0.2/24"));
	n = net(&c, 31);
	CHECK(n && !strcmp(n->name, "eth31") && !strcmp(n->type, "veth"));
	CHECK(net(&c, 0) && !strcmp(net(&c, 0)->ipv4, "dhcp") && net(&c, 5) &&
	      !net(&c, 5)->name[0]);
	CHECK(parse(&c, LXC_CONF_LXC, "lxc.net.31.type = veth\nlxc.net.31.link = br0\n", &err));
	CHECK(c.n_nets == 32 && net(&c, 31) && !strcmp(net(&c, 31)->link, "br0"));
	CHECK(sizeof(struct lxc_conf) < 8192);
	expect_error(LXC_CONF_PVE, "net32: name=eth32\n", "bad network key \"net32\"");
	expect_error(LXC_CONF_PVE, "net-1: name=x\n", "bad network key \"net-1\"");
	expect_error(LXC_CONF_PVE, "net+1: name=x\n", "bad network key \"net+1\"");
	expect_error(LXC_CONF_PVE, "net01: name=x\n", "bad network key \"net01\"");
	expect_error(LXC_CONF_PVE, "net: name=x\n", "bad network key \"net\"");
	expect_error(LXC_CONF_LXC, "lxc.net.32.link = br\n", "bad network key \"lxc.net.32.link\"");
}

/* Lines of any length: Proxmox's URL-encoded description comments, long mount entries. */
static void test_long_lines(void)
{
	static const char enc[] = "%C3%A9t%C3%A9%20%5Bnot%20a%20section%5D%20";
	static const char nul[] = "memory: 1\nswap: 1\0\n";
	size_t dlen = 9000, i, n;
	struct err err = {};
	struct lxc_conf c;
	char *text = malloc(4 * dlen + 512), *p;

	if (!text) {
		CHECK(text);
		return;
	}
	/* Proxmox: the description as #-comments on top, then the settings; one of 9000 bytes. */
	p = text + sprintf(text, "#");
	for (n = 0; n + sizeof(enc) < dlen; n += sizeof(enc) - 1)
		p += sprintf(p, "%s", enc);
	p += sprintf(p, "\n#second line\ndescription: ");
	for (i = 0; i < dlen; i++)
		*p++ = 'd';
	p += sprintf(p, "\nmemory: 512\ntags: ");
	for (i = 0; i < dlen; i++)
		*p++ = i % 2 ? ';' : 't';
	sprintf(p, "\nhostname: wg\n");
	CHECK(parse(&c, LXC_CONF_PVE, text, &err));
	CHECK((c.has & LXC_HAS_MEMORY) && c.memory == 512ULL << 20 && !strcmp(c.hostname, "wg"));

	/* Plain LXC: a long comment and a long (not tun) mount entry. */
	p = text + sprintf(text, "# ");
	for (i = 0; i < dlen; i++)
		*p++ = 'c';
	p += sprintf(p, "\nlxc.mount.entry = /srv/");
	for (i = 0; i < dlen; i++)
		*p++ = 'm';
	sprintf(p, " srv none bind 0 0\nlxc.uts.name = wg\n");
	CHECK(parse(&c, LXC_CONF_LXC, text, &err));
	CHECK(!strcmp(c.hostname, "wg") && !c.tun_mount);

	/* A value too long for what it fills is still an error, quoted in part. */
	p = text + sprintf(text, "hostname: ");
	for (i = 0; i < dlen; i++)
		*p++ = 'h';
	sprintf(p, "\n");
	expect_error(LXC_CONF_PVE, text, "line 1: hostname \"hhhh");
	/* Not text. */
	CHECK(!lxc_conf_parse(&c, LXC_CONF_PVE, nul, sizeof(nul) - 1, &err));
	CHECK_STR_CONTAINS(err.msg, "line 2: not text");
	free(text);
}

/*
 * Proxmox disk sizes (pve-common parse_size): N or N.N, then K, M, G or T, optionally followed
 * by "iB"; a bare number is bytes; a fraction of a byte is dropped.
 */
static void test_pve_size(void)
{
	static const char *const bad[] = {
	    "",		 "G",	"8g",	"8GB",		"8B",
	    "8 G",	 ".5G", "8.G",	"8.5.1G",	"-1",
	    "+1G",	 "8Gi", "8iB",	"8Gib",		"1P",
	    "1E",	 "8G ", "0x10", "99999999999T", "18446744073709551616",
	    "16777216T",
	};
	struct err err = {};
	struct lxc_conf c;
	uint64_t b;
	size_t i;

	CHECK(lxc_pve_parse_size("8G", &b) && b == 8ULL << 30);
	CHECK(lxc_pve_parse_size("8GiB", &b) && b == 8ULL << 30);
	CHECK(lxc_pve_parse_size("8.5G", &b) && b == 17ULL << 29);
	CHECK(lxc_pve_parse_size("8.50000000000000000000000001G", &b) && b == 17ULL << 29);
	CHECK(lxc_pve_parse_size("512M", &b) && b == 512ULL << 20);
	CHECK(lxc_pve_parse_size("512MiB", &b) && b == 512ULL << 20);
	CHECK(lxc_pve_parse_size("1T", &b) && b == 1ULL << 40);
	CHECK(lxc_pve_parse_size("1.25TiB", &b) && b == 5ULL << 38);
	CHECK(lxc_pve_parse_size("1024K", &b) && b == 1ULL << 20);
	CHECK(lxc_pve_parse_size("0.1K", &b) && b == 102);
	CHECK(lxc_pve_parse_size("16", &b) && b == 16);
	CHECK(lxc_pve_parse_size("1.9", &b) && b == 1);
	CHECK(lxc_pve_parse_size("0", &b) && b == 0);
	CHECK(lxc_pve_parse_size("16777215T", &b) && b == 16777215ULL << 40);
	CHECK(lxc_pve_parse_size("18446744073709551615", &b) && b == UINT64_MAX);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		b = 42;
		CHECK(!lxc_pve_parse_size(bad[i], &b) && b == 42);
	}

	CHECK(parse(&c, LXC_CONF_PVE, "rootfs: local-lvm:vm-90-disk-0,size=8.5G\n", &err));
	CHECK((c.has & LXC_HAS_DISK) && c.disk == 17ULL << 29);
	CHECK(parse(&c, LXC_CONF_PVE, "rootfs: local:90/vm-90-disk-0.raw,size=8GiB\n", &err));
	CHECK(c.disk == 8ULL << 30);
	CHECK(parse(&c, LXC_CONF_PVE, "rootfs: local:90/vm-90-disk-0.raw,size=1073741824\n", &err));
	CHECK(c.disk == 1ULL << 30);
	expect_error(LXC_CONF_PVE, "rootfs: local:x,size=8g\n", "rootfs: bad size \"8g\"");
	expect_error(LXC_CONF_PVE, "rootfs: local:x,size=8GB\n", "rootfs: bad size \"8GB\"");
}

/*
 * The current config is what comes before the first section: "[pve:pending]" (changes not yet
 * applied) or "[snapname]" (a snapshot). Nothing after it may reach the result, nor fail it.
 */
static void test_pve_sections(void)
{
	static const char cur[] = "#descr\n"
				  "memory: 512\n"
				  "onboot: 0\n"
				  "net0: name=eth0,bridge=vmbr0,ip=dhcp\n"
				  "rootfs: local-lvm:vm-90-disk-0,size=8G\n"
				  "unprivileged: 1\n";
	static const char *const rest[] = {
	    /* Proxmox writes pending first, then the snapshots. */
	    "[pve:pending]\n"
	    "memory: 4096\nswap: 2048\ncores: 4\nonboot: 1\nhostname: pending\n"
	    "net1: name=eth1,bridge=vmbr1\nrootfs: other:vm-90-disk-1,size=64G\n"
	    "dev0: /dev/net/tun\nlxc.idmap: u 0 300000 65536\nlxc.cgroup2.memory.max = 1G\n"
	    "delete: swap\n"
	    "\n"
	    "[snap1]\n"
	    "#snapshot description\nmemory: 8192\nparent: x\nsnaptime: 1700000000\n",
	    /* A snapshot alone, its values malformed: never read. */
	    "[before-upgrade]\nmemory: lots\nnet99: x\ngarbage without colon\n",
	    /* Case, trailing blanks and CRLF as Proxmox's section regexes allow. */
	    "[PVE:Pending]  \r\nmemory: 4096\r\n",
	    "[Snap_2-b]\t\nmemory: 4096\n",
	};
	static const char *const bad[] = {"[x]\n",   "[pve:pendingx]\n",  "[1snap]\n", "[a b]\n",
					  "[snap\n", "  [pve:pending]\n", "[]\n"};
	struct err err = {};
	struct lxc_conf c;
	char text[1024];
	size_t i;

	for (i = 0; i < sizeof(rest) / sizeof(rest[0]); i++) {
		snprintf(text, sizeof(text), "%s\n%s", cur, rest[i]);
		CHECK(parse(&c, LXC_CONF_PVE, text, &err));
		CHECK((c.has & LXC_HAS_MEMORY) && c.memory == 512ULL << 20);
		CHECK(!(c.has & (LXC_HAS_SWAP | LXC_HAS_CORES)));
		CHECK((c.has & LXC_HAS_AUTOSTART) && !c.autostart);
		CHECK(c.n_nets == 1 && !strcmp(c.hostname, "") && c.disk == 8ULL << 30);
		CHECK(!strcmp(c.rootfs, "local-lvm:vm-90-disk-0"));
		CHECK(!c.tun_mount && !c.tun_allow);
		CHECK(c.n_idmaps == 2 && c.idmaps[0].hostid == 100000);
	}
	/*
	 * Lines that start with '[' but are not Proxmox section headers: Proxmox warns and goes on
	 * reading the current config, so what follows is not known to be pending; refuse them.
	 */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "memory: 512\n%smemory: 4096\n", bad[i]);
		expect_error(LXC_CONF_PVE, text, "line 2: bad section header");
	}
}

/*
 * devN (dev0 to dev255) passes a device through: "PATH" or "path=PATH", with uid=, gid=, mode=
 * and deny-write= in any order. Only /dev/net/tun makes the tun mounted and, unless
 * deny-write is set, allowed (Proxmox then allows the node read-only).
 */
static void test_pve_dev(void)
{
	static const char *const tun[] = {
	    "dev0: /dev/net/tun\n",
	    "dev0: /dev/net/tun,gid=0,mode=0660,uid=0\n",
	    "dev0: path=/dev/net/tun,uid=0,gid=0,mode=0660\n",
	    "dev3: mode=0660,path=/dev/net/tun,gid=0\n",
	    "dev0: uid=0,/dev/net/tun\n",
	    "dev0: /dev/net/tun,,uid=0\n",
	    "dev255: path=/dev/net/tun,deny-write=0\n",
	    "dev0: /dev/net/tun,deny-write=no\n",
	    "dev0: deny-write=False,path=/dev/net/tun\n",
	    "dev1: /dev/dri/card0,deny-write=1\ndev0: path=/dev/net/tun,mode=0666\n",
	};
	static const char *const other[] = {
	    "dev0: /dev/dri/renderD128,gid=44\n",
	    "dev0: path=/dev/net/tunnel\n",
	    "dev0: /dev/net/tun0\n",
	    "dev0: uid=0,gid=0\n",
	    "dev0: mode=0660,path=/dev/kvm\n",
	    "devices: /dev/net/tun\n",
	    "devx: path=/dev/net/tun\n",
	};
	static const char *const ro[] = {
	    "dev0: /dev/net/tun,deny-write=1\n",
	    "dev0: deny-write=yes,path=/dev/net/tun,mode=0660\n",
	    "dev0: path=/dev/net/tun,deny-write=ON\n",
	};
	struct err err = {};
	struct lxc_conf c;
	size_t i;

	for (i = 0; i < sizeof(tun) / sizeof(tun[0]); i++)
		CHECK(parse(&c, LXC_CONF_PVE, tun[i], &err) && c.tun_mount && c.tun_allow);
	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		CHECK(parse(&c, LXC_CONF_PVE, other[i], &err) && !c.tun_mount && !c.tun_allow);
	for (i = 0; i < sizeof(ro) / sizeof(ro[0]); i++)
		CHECK(parse(&c, LXC_CONF_PVE, ro[i], &err) && c.tun_mount && !c.tun_allow);
	/* Read-only passthrough plus a raw rule that allows it: allowed. */
	CHECK(parse(&c, LXC_CONF_PVE,
		    "dev0: /dev/net/tun,deny-write=1\nlxc.cgroup2.devices.allow: c 10:200 rwm\n",
		    &err));
	CHECK(c.tun_mount && c.tun_allow);
	expect_error(LXC_CONF_PVE, "dev0: /dev/net/tun,deny-write=maybe\n",
		     "dev0: deny-write must be a boolean (1, yes, on, true, 0, no, off, false), "
		     "not \"maybe\"");
	expect_error(LXC_CONF_PVE, "dev0: /dev/net/tun,path=/dev/net/tun\n",
		     "dev0: more than one path in \"/dev/net/tun,path=/dev/net/tun\"");
	expect_error(LXC_CONF_PVE, "dev0: /dev/null,/dev/net/tun\n", "dev0: more than one path");
	expect_error(LXC_CONF_PVE, "dev256: /dev/net/tun\n", "bad device key \"dev256\"");
	expect_error(LXC_CONF_PVE, "dev01: /dev/net/tun\n", "bad device key \"dev01\"");
}

/* rootfs: the volume is the default key, "VOLUME" or "volume=VOLUME", anywhere in the list. */
static void test_pve_rootfs(void)
{
	struct err err = {};
	struct lxc_conf c;

	CHECK(parse(&c, LXC_CONF_PVE, "rootfs: size=8G,local-lvm:vm-90-disk-0,acl=1\n", &err));
	CHECK(!strcmp(c.rootfs, "local-lvm:vm-90-disk-0") && c.disk == 8ULL << 30);
	CHECK(
	    parse(&c, LXC_CONF_PVE, "rootfs: mountoptions=noatime,volume=local:90/r.raw\n", &err));
	CHECK(!strcmp(c.rootfs, "local:90/r.raw") && !(c.has & LXC_HAS_DISK));
	expect_error(LXC_CONF_PVE, "rootfs: size=8G\n", "bad rootfs \"size=8G\"");
	expect_error(LXC_CONF_PVE, "rootfs: a:1,volume=b:2\n", "bad rootfs \"a:1,volume=b:2\"");
}

int main(void)
{
	test_lxc();
	test_pve();
	test_malformed();
	test_values();
	test_pve_raw_lxc();
	test_pve_bool();
	test_nets();
	test_long_lines();
	test_pve_size();
	test_pve_sections();
	test_pve_dev();
	test_pve_rootfs();
	return check_report("lxc_conf_test");
}
