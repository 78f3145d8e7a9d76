// SPDX-License-Identifier: GPL-2.0-only
/*
 * Proxmox CT configuration (/etc/pve/lxc/ID.conf): "key: value" lines, option lists such as
 * "local-lvm:vm-90-disk-0,size=8G" or "name=eth0,bridge=vmbr0,ip=dhcp", and raw lxc.* keys.
 * As in Proxmox, memory and swap are MiB; a disk size without a unit is bytes.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lxc_conf.h"
#include "lxc_conf_int.h"

#define LXC_PVE_MAX_DEV 255 /* dev0 to dev255 */

/*
 * One item of a Proxmox property string ("local:vm-1,size=8G", "path=/dev/x,uid=0"): "key=value"
 * or, with no '=', a value for the format's default key (key NULL). Split at ',' and at the
 * first '=', blank items skipped, as pve-common's parse_property_string does.
 */
struct pve_item {
	const char *key, *val;
	size_t klen, vlen;
};

/* The next item from *pos, which it advances; false at the end. */
static bool pve_item_next(const char **pos, struct pve_item *it)
{
	const char *p = *pos, *eq;
	size_t len;

	for (;; p += len + (p[len] == ',')) {
		if (!*p)
			return false;
		len = strcspn(p, ",");
		if (strspn(p, " \t") < len)
			break;
	}
	*pos = p + len + (p[len] == ',');
	eq = memchr(p, '=', len);
	it->key = eq ? p : NULL;
	it->klen = eq ? (size_t)(eq - p) : 0;
	it->val = eq ? eq + 1 : p;
	it->vlen = eq ? len - it->klen - 1 : len;
	return true;
}

static bool pve_item_is(const struct pve_item *it, const char *key)
{
	return it->key && it->klen == strlen(key) && !strncmp(it->key, key, it->klen);
}

/* Finds "name=value" in a property string: the value and its length, or NULL. */
static const char *pve_opt_find(const char *list, const char *name, size_t *vlen)
{
	struct pve_item it;

	while (pve_item_next(&list, &it)) {
		if (pve_item_is(&it, name) && it.vlen) {
			*vlen = it.vlen;
			return it.val;
		}
	}
	return NULL;
}

/* Copies the value of "name=value" from an option list; false when missing or too long. */
static bool pve_opt(const char *list, const char *name, char *out, size_t size)
{
	size_t len;
	const char *v = pve_opt_find(list, name, &len);

	if (!v || len >= size)
		return false;
	memcpy(out, v, len);
	out[len] = '\0';
	return true;
}

/*
 * A Proxmox disk size (pve-common parse_size): ^(\d+(\.\d+)?)([KMGT](iB)?)?$, bytes, the
 * fraction of a byte dropped. The fraction is exact to 18 digits (later ones are dropped, less
 * than 2^-19 bytes); it is scaled by the unit in binary long division, so no floating point.
 */
bool lxc_pve_parse_size(const char *s, uint64_t *bytes)
{
	static const char units[] = "KMGT";
	uint64_t whole = 0, frac = 0, scale = 1, part = 0;
	unsigned int shift = 0, i;
	const char *p = s, *u;

	if (!isdigit((unsigned char)*p))
		return false;
	for (; isdigit((unsigned char)*p); p++) {
		uint64_t d = (uint64_t)(*p - '0');

		if (whole > (UINT64_MAX - d) / 10)
			return false;
		whole = whole * 10 + d;
	}
	if (*p == '.') {
		if (!isdigit((unsigned char)*++p))
			return false;
		for (; isdigit((unsigned char)*p); p++) {
			if (scale < 1000000000000000000ULL) {
				frac = frac * 10 + (uint64_t)(*p - '0');
				scale *= 10;
			}
		}
	}
	if (*p && (u = strchr(units, *p))) {
		shift = 10 * (unsigned int)(u - units + 1);
		p++;
		if (!strcmp(p, "iB"))
			p += 2;
	}
	if (*p || whole > (UINT64_MAX >> shift))
		return false;
	/* floor(frac / scale * 2^shift), one bit at a time; frac < scale <= 10^18 < 2^63. */
	for (i = 0; i < shift; i++) {
		frac <<= 1;
		part = part << 1 | (frac >= scale);
		if (frac >= scale)
			frac -= scale;
	}
	*bytes = (whole << shift) + part;
	return true;
}

/* "PREFIX" then N in 0..max without leading zeros ("net0", "dev255"): N, or -1. */
static int pve_index(const char *key, size_t plen, int max)
{
	const char *d = key + plen;
	size_t nd = strspn(d, "0123456789");

	if (nd == 0 || nd > 3 || d[nd] || (d[0] == '0' && nd > 1) || atoi(d) > max)
		return -1;
	return atoi(d);
}

static bool pve_mib(const char *key, const char *v, uint64_t *bytes, struct err *err)
{
	uint64_t mib;

	if (!lxc_conf_parse_u64(v, &mib) || mib > (UINT64_MAX >> 20))
		return err_set(err, "%s must be a number of MiB, not \"%s\"", key, v);
	*bytes = mib << 20;
	return true;
}

/* rootfs: VOLUME (the default key) or volume=VOLUME anywhere, size= and mount options. */
static bool pve_rootfs(struct lxc_conf *conf, const char *v, struct err *err)
{
	const char *pos = v, *vol = NULL, *sz;
	struct pve_item it;
	size_t n = 0, len;
	char size[64];

	while (pve_item_next(&pos, &it)) {
		if (it.key && !pve_item_is(&it, "volume"))
			continue;
		if (vol || !it.vlen)
			return err_set(err, "bad rootfs \"%.80s\"", v);
		vol = it.val;
		n = it.vlen;
	}
	if (!vol || n >= sizeof(conf->rootfs))
		return err_set(err, "bad rootfs \"%.80s\"", v);
	memcpy(conf->rootfs, vol, n);
	conf->rootfs[n] = '\0';
	sz = pve_opt_find(v, "size", &len);
	if (!sz)
		return true;
	if (len >= sizeof(size))
		return err_set(err, "rootfs: bad size \"%.*s\"", (int)(len > 64 ? 64 : len), sz);
	memcpy(size, sz, len);
	size[len] = '\0';
	if (!lxc_pve_parse_size(size, &conf->disk))
		return err_set(err, "rootfs: bad size \"%s\"", size);
	conf->has |= LXC_HAS_DISK;
	return true;
}

static bool pve_net(struct lxc_conf *conf, const char *key, const char *v, struct err *err)
{
	struct lxc_conf_net *net;
	int idx = pve_index(key, 3, LXC_CONF_MAX_NETS - 1);

	if (idx < 0)
		return err_set(err, "bad network key \"%.80s\" (net0 to net%d)", key,
			       LXC_CONF_MAX_NETS - 1);
	net = &conf->nets[idx];
	if ((size_t)idx >= conf->n_nets)
		conf->n_nets = (size_t)idx + 1;
	if (!pve_opt(v, "name", net->name, sizeof(net->name)))
		return err_set(err, "%s: no valid name= in \"%.80s\"", key, v);
	pve_opt(v, "bridge", net->link, sizeof(net->link));
	if (!pve_opt(v, "type", net->type, sizeof(net->type)))
		strcpy(net->type, "veth");
	pve_opt(v, "hwaddr", net->hwaddr, sizeof(net->hwaddr));
	pve_opt(v, "ip", net->ipv4, sizeof(net->ipv4));
	return true;
}

/* A Proxmox boolean: "1", "0", or on/yes/true, off/no/false in any case (pve-container). */
#define PVE_BOOL "a boolean (1, yes, on, true, 0, no, off, false)"

static bool pve_parse_bool(const char *v, bool *b)
{
	static const char *const words[] = {"on", "yes", "true", "off", "no", "false"};
	size_t i;

	if (!strcmp(v, "1") || !strcmp(v, "0")) {
		*b = v[0] == '1';
		return true;
	}
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (!strcasecmp(v, words[i])) {
			*b = i < 3;
			return true;
		}
	}
	return false;
}

static bool pve_bool(bool *dst, const char *key, const char *v, struct err *err)
{
	if (!pve_parse_bool(v, dst))
		return err_set(err, "%s must be " PVE_BOOL ", not \"%.80s\"", key, v);
	return true;
}

/*
 * A raw lxc key: "lxc.key: value", "lxc.key = value" or "lxc.key=value", as Proxmox accepts. The
 * key is lxc. and [a-z0-9_.-]+, so the value may hold ':' or '=' ("c 10:200 rwm").
 */
static bool pve_raw_lxc(struct lxc_conf *conf, char *line, struct err *err)
{
	size_t klen = 4 + strspn(line + 4, "abcdefghijklmnopqrstuvwxyz0123456789_-.");
	char *p = line + klen + strspn(line + klen, " \t");

	if (klen == 4 || (*p != ':' && *p != '='))
		return err_set(
		    err, "expected \"lxc.key: value\" or \"lxc.key = value\", got \"%.80s\"", line);
	line[klen] = '\0';
	return lxc_conf_set(conf, line, lxc_conf_trim(p + 1), err);
}

/*
 * devN: a device passed through, "PATH" or "path=PATH" with uid=, gid=, mode=, deny-write= in
 * any order. Proxmox bind-mounts the node and allows it in the device cgroup, read-only with
 * deny-write; only /dev/net/tun matters here.
 */
static bool pve_dev(struct lxc_conf *conf, const char *key, const char *v, struct err *err)
{
	const char *pos = v, *path = NULL;
	size_t plen = 0;
	struct pve_item it;
	bool deny = false;
	char b[8];

	while (pve_item_next(&pos, &it)) {
		if (!it.key || pve_item_is(&it, "path")) {
			if (path)
				return err_set(err, "%s: more than one path in \"%.80s\"", key, v);
			path = it.val;
			plen = it.vlen;
		} else if (pve_item_is(&it, "deny-write")) {
			snprintf(b, sizeof(b), "%.*s", (int)it.vlen, it.val);
			if (it.vlen >= sizeof(b) || !pve_parse_bool(b, &deny))
				return err_set(err,
					       "%s: deny-write must be " PVE_BOOL ", not \"%.*s\"",
					       key, (int)(it.vlen > 80 ? 80 : it.vlen), it.val);
		}
	}
	if (path && plen == strlen("/dev/net/tun") && !strncmp(path, "/dev/net/tun", plen)) {
		conf->tun_mount = true;
		conf->tun_allow |= !deny;
	}
	return true;
}

bool lxc_pve_line(struct lxc_conf *conf, char *line, struct err *err)
{
	char *colon, *key = line, *v;
	uint64_t n;

	if (!strncmp(line, "lxc.", 4))
		return pve_raw_lxc(conf, line, err);
	colon = strchr(line, ':');
	if (!colon || colon == line)
		return err_set(err, "expected \"key: value\", got \"%.80s\"", line);
	*colon = '\0';
	v = lxc_conf_trim(colon + 1);
	key = lxc_conf_trim(key);
	if (strpbrk(key, " \t="))
		return err_set(err, "bad key \"%.80s\"", key);
	if (!strcmp(key, "memory")) {
		conf->has |= LXC_HAS_MEMORY;
		return pve_mib(key, v, &conf->memory, err);
	}
	if (!strcmp(key, "swap")) {
		conf->has |= LXC_HAS_SWAP;
		return pve_mib(key, v, &conf->swap, err);
	}
	if (!strcmp(key, "cores")) {
		if (!lxc_conf_parse_u64(v, &n) || n == 0 || n > 8192)
			return err_set(err, "cores must be 1..8192, not \"%s\"", v);
		conf->cores = (unsigned int)n;
		conf->has |= LXC_HAS_CORES;
		return true;
	}
	if (!strcmp(key, "rootfs"))
		return pve_rootfs(conf, v, err);
	if (!strcmp(key, "unprivileged")) {
		conf->has |= LXC_HAS_UNPRIV;
		return pve_bool(&conf->unpriv, key, v, err);
	}
	if (!strcmp(key, "onboot")) {
		conf->has |= LXC_HAS_AUTOSTART;
		return pve_bool(&conf->autostart, key, v, err);
	}
	if (!strcmp(key, "hostname")) {
		if (strlen(v) >= sizeof(conf->hostname))
			return err_set(err, "hostname \"%.80s\" is too long", v);
		strcpy(conf->hostname, v);
		return true;
	}
	if (!strncmp(key, "net", 3))
		return pve_net(conf, key, v, err);
	if (!strncmp(key, "dev", 3) && isdigit((unsigned char)key[3])) {
		if (pve_index(key, 3, LXC_PVE_MAX_DEV) < 0)
			return err_set(err, "bad device key \"%.80s\" (dev0 to dev%d)", key,
				       LXC_PVE_MAX_DEV);
		return pve_dev(conf, key, v, err);
	}
	return true;
}

bool lxc_pve_section(const char *line)
{
	static const char alpha[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	size_t n;

	if (*line++ != '[')
		return false;
	if (!strncasecmp(line, "pve:pending]", 12))
		n = 11;
	else if (strspn(line, alpha) > 0)
		n = 1 + strspn(line + 1,
			       "0123456789_-abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
	else
		return false;
	if (n < 2 || line[n] != ']')
		return false;
	for (line += n + 1; *line; line++)
		if (!isspace((unsigned char)*line))
			return false;
	return true;
}

void lxc_pve_finish(struct lxc_conf *conf)
{
	/* Proxmox maps 0..65535 to 100000.. unless the file brings its own maps. */
	if (conf->unpriv && conf->n_idmaps == 0) {
		conf->idmaps[0] = (struct lxc_idmap){'u', 0, 100000, 65536};
		conf->idmaps[1] = (struct lxc_idmap){'g', 0, 100000, 65536};
		conf->n_idmaps = 2;
	}
}
