// SPDX-License-Identifier: GPL-2.0-only
/*
 * Parser for plain LXC configuration ("lxc.key = value"). Proxmox lines are handled in
 * lxc_pve.c, which hands its raw lxc.* keys back to lxc_conf_set().
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lxc_conf.h"
#include "lxc_conf_int.h"

#define CONF_MAX_BYTES (1 << 20)

bool lxc_name_valid(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n >= LXC_NAME_MAX || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && !strchr("_.-", name[i]))
			return false;
	return true;
}

bool lxc_ctid_valid(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > 9 || name[0] == '0')
		return false;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)name[i]))
			return false;
	return true;
}

bool lxc_conf_parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return !errno && !*end;
}

bool lxc_conf_parse_size(const char *s, uint64_t *bytes)
{
	static const char units[] = "KMGT";
	unsigned int shift = 0;
	char num[32], *end;
	const char *u;
	uint64_t v;
	size_t n = strlen(s);

	if (n == 0 || n >= sizeof(num) || !isdigit((unsigned char)s[0]))
		return false;
	memcpy(num, s, n + 1);
	if (n > 1 && (num[n - 1] == 'B' || num[n - 1] == 'b'))
		num[--n] = '\0';
	u = strchr(units, toupper((unsigned char)num[n - 1]));
	if (u && *u) {
		shift = 10 * (unsigned int)(u - units + 1);
		num[--n] = '\0';
	}
	errno = 0;
	v = strtoull(num, &end, 10);
	if (errno || *end || n == 0 || (shift && v > (UINT64_MAX >> shift)))
		return false;
	*bytes = v << shift;
	return true;
}

bool lxc_conf_parse_cpuset(const char *s, unsigned int *count)
{
	unsigned long lo, hi;
	unsigned int n = 0;
	const char *p = s;
	char *end;

	while (*p) {
		if (!isdigit((unsigned char)*p))
			return false;
		lo = strtoul(p, &end, 10);
		hi = lo;
		if (*end == '-') {
			if (!isdigit((unsigned char)end[1]))
				return false;
			hi = strtoul(end + 1, &end, 10);
		}
		if (hi < lo || hi >= 65536)
			return false;
		n += (unsigned int)(hi - lo + 1);
		if (*end == ',' && end[1])
			end++;
		else if (*end)
			return false;
		p = end;
	}
	if (!n)
		return false;
	*count = n;
	return true;
}

bool lxc_conf_unprivileged(const struct lxc_conf *conf)
{
	bool u = false, g = false;
	size_t i;

	for (i = 0; i < conf->n_idmaps; i++) {
		const struct lxc_idmap *m = &conf->idmaps[i];

		if (m->nsid != 0 || m->hostid == 0)
			continue;
		u |= m->type == 'u' || m->type == 'b';
		g |= m->type == 'g' || m->type == 'b';
	}
	return u && g;
}

static bool parse_idmap(struct lxc_conf *conf, const char *v, struct err *err)
{
	struct lxc_idmap *m;
	char type, extra;

	if (conf->n_idmaps >= LXC_CONF_MAX_IDMAPS)
		return err_set(err, "more than %d id maps", LXC_CONF_MAX_IDMAPS);
	m = &conf->idmaps[conf->n_idmaps];
	if (sscanf(v, "%c %lu %lu %lu %c", &type, &m->nsid, &m->hostid, &m->range, &extra) != 4 ||
	    !strchr("ugb", type) || !m->range || strchr(v, '-'))
		return err_set(err, "bad id map \"%s\" (want \"u|g NSID HOSTID RANGE\")", v);
	m->type = type;
	conf->n_idmaps++;
	return true;
}

/* "c 10:200 rwm", "c *:* rwm", "c 10:* rw" or "a": does it let the container open the tun? */
static bool allows_tun(const char *v)
{
	char type, maj[16], min[16], access[8] = "rwm";
	int n;

	if (!strcmp(v, "a"))
		return true;
	n = sscanf(v, "%c %15[0-9*]:%15[0-9*] %7s", &type, maj, min, access);
	if (n < 3 || (type != 'c' && type != 'a'))
		return false;
	if ((strcmp(maj, "*") && strcmp(maj, "10")) || (strcmp(min, "*") && strcmp(min, "200")))
		return false;
	return strchr(access, 'r') && strchr(access, 'w');
}

static bool mounts_tun(const char *v)
{
	char src[256], dst[256];

	if (sscanf(v, "%255s %255s", src, dst) != 2)
		return false;
	return !strcmp(src, "/dev/net/tun") || !strcmp(dst, "dev/net/tun") ||
	       !strcmp(dst, "/dev/net/tun");
}

static bool copy_str(char *dst, size_t size, const char *key, const char *v, struct err *err)
{
	if (strlen(v) >= size)
		return err_set(err, "%s value \"%.64s\" is too long", key, v);
	memcpy(dst, v, strlen(v) + 1);
	return true;
}

static bool set_net(struct lxc_conf *conf, const char *key, const char *v, struct err *err)
{
	struct lxc_conf_net *net;
	unsigned long idx;
	char *end;

	idx = strtoul(key + strlen("lxc.net."), &end, 10);
	if (end == key + strlen("lxc.net.") || *end != '.' || idx >= LXC_CONF_MAX_NETS)
		return err_set(err, "bad network key \"%s\"", key);
	net = &conf->nets[idx];
	if (idx >= conf->n_nets)
		conf->n_nets = idx + 1;
	end++;
	if (!strcmp(end, "type"))
		return copy_str(net->type, sizeof(net->type), key, v, err);
	if (!strcmp(end, "link"))
		return copy_str(net->link, sizeof(net->link), key, v, err);
	if (!strcmp(end, "name"))
		return copy_str(net->name, sizeof(net->name), key, v, err);
	if (!strcmp(end, "hwaddr"))
		return copy_str(net->hwaddr, sizeof(net->hwaddr), key, v, err);
	if (!strcmp(end, "ipv4.address"))
		return copy_str(net->ipv4, sizeof(net->ipv4), key, v, err);
	return true;
}

static bool set_bool(bool *dst, const char *key, const char *v, struct err *err)
{
	if (strcmp(v, "0") && strcmp(v, "1"))
		return err_set(err, "%s must be 0 or 1, not \"%s\"", key, v);
	*dst = v[0] == '1';
	return true;
}

static bool set_memory(struct lxc_conf *conf, const char *key, const char *v, struct err *err)
{
	if (!strcmp(v, "max") || !strcmp(v, "-1"))
		return true;
	if (!lxc_conf_parse_size(v, &conf->memory))
		return err_set(err, "%s: bad size \"%s\"", key, v);
	conf->has |= LXC_HAS_MEMORY;
	return true;
}

bool lxc_conf_set(struct lxc_conf *conf, const char *key, const char *v, struct err *err)
{
	if (!strcmp(key, "lxc.idmap"))
		return parse_idmap(conf, v, err);
	if (!strcmp(key, "lxc.start.auto")) {
		conf->has |= LXC_HAS_AUTOSTART;
		return set_bool(&conf->autostart, key, v, err);
	}
	if (!strcmp(key, "lxc.cgroup.memory.limit_in_bytes") ||
	    !strcmp(key, "lxc.cgroup2.memory.max"))
		return set_memory(conf, key, v, err);
	if (!strcmp(key, "lxc.cgroup2.memory.swap.max")) {
		if (!strcmp(v, "max"))
			return true;
		if (!lxc_conf_parse_size(v, &conf->swap))
			return err_set(err, "%s: bad size \"%s\"", key, v);
		conf->has |= LXC_HAS_SWAP;
		return true;
	}
	if (!strcmp(key, "lxc.cgroup.cpuset.cpus") || !strcmp(key, "lxc.cgroup2.cpuset.cpus")) {
		if (!lxc_conf_parse_cpuset(v, &conf->cores))
			return err_set(err, "%s: bad cpu list \"%s\"", key, v);
		conf->has |= LXC_HAS_CORES;
		return true;
	}
	if (!strcmp(key, "lxc.cgroup.devices.allow") || !strcmp(key, "lxc.cgroup2.devices.allow")) {
		conf->tun_allow |= allows_tun(v);
		return true;
	}
	if (!strcmp(key, "lxc.mount.entry")) {
		conf->tun_mount |= mounts_tun(v);
		return true;
	}
	if (!strcmp(key, "lxc.uts.name"))
		return copy_str(conf->hostname, sizeof(conf->hostname), key, v, err);
	if (!strcmp(key, "lxc.rootfs.path"))
		return copy_str(conf->rootfs, sizeof(conf->rootfs), key, v, err);
	if (!strncmp(key, "lxc.net.", strlen("lxc.net.")))
		return set_net(conf, key, v, err);
	return true;
}

/* One "lxc.key = value" line, already trimmed, not a comment. */
static bool parse_lxc_line(struct lxc_conf *conf, char *line, struct err *err)
{
	char *eq = strchr(line, '='), *key = line, *v;

	if (!eq)
		return err_set(err, "expected \"key = value\", got \"%.80s\"", line);
	v = lxc_conf_trim(eq + 1);
	*eq = '\0';
	key = lxc_conf_trim(key);
	if (strncmp(key, "lxc.", 4) || strpbrk(key, " \t"))
		return err_set(err, "unknown key \"%.80s\"", key);
	return lxc_conf_set(conf, key, v, err);
}

char *lxc_conf_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/*
 * Lines may be of any length (Proxmox keeps the description as URL-encoded "#" lines, and
 * values such as tags or mount entries can be long): the text is copied once and split in
 * place, with no line buffer.
 */
bool lxc_conf_parse(struct lxc_conf *conf, enum lxc_conf_kind kind, const char *buf, size_t len,
		    struct err *err)
{
	unsigned int lineno = 0;
	char *text, *p, *end, *nl;
	bool ok = true;

	memset(conf, 0, sizeof(*conf));
	conf->kind = kind;
	text = malloc(len + 1);
	if (!text)
		return err_set(err, "out of memory");
	memcpy(text, buf, len);
	text[len] = '\0';
	for (p = text, end = text + len; ok && p < end; p = nl + 1) {
		char *s;

		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		*nl = '\0';
		lineno++;
		if (memchr(p, '\0', (size_t)(nl - p))) {
			ok = err_set(err, "line %u: not text", lineno);
			break;
		}
		s = lxc_conf_trim(p);
		if (!*s || *s == '#')
			continue;
		if (kind == LXC_CONF_PVE) {
			/* Pending changes and snapshots follow the current config. */
			if (*s == '[' && s == p && lxc_pve_section(s))
				break;
			if (*s == '[')
				ok = err_set(err, "bad section header \"%.80s\"", s);
			else
				ok = lxc_pve_line(conf, s, err);
		} else {
			ok = parse_lxc_line(conf, s, err);
		}
		if (!ok)
			err_prefix(err, "line %u: ", lineno);
	}
	free(text);
	if (ok && kind == LXC_CONF_PVE)
		lxc_pve_finish(conf);
	return ok;
}

int lxc_conf_load(struct lxc_conf *conf, enum lxc_conf_kind kind, const char *path, struct err *err)
{
	int fd, ret = -EINVAL;
	char *buf = NULL;
	ssize_t n;
	size_t len = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		ret = -errno;
		err_set(err, "%s: %s", path, strerror(errno));
		return ret;
	}
	buf = malloc(CONF_MAX_BYTES);
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	while ((n = read(fd, buf + len, CONF_MAX_BYTES - len)) > 0)
		len += (size_t)n;
	if (n < 0) {
		ret = -errno;
		err_set(err, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (len == CONF_MAX_BYTES) {
		err_set(err, "%s: larger than %d bytes", path, CONF_MAX_BYTES);
		goto out;
	}
	if (!lxc_conf_parse(conf, kind, buf, len, err)) {
		err_prefix(err, "%s: ", path);
		goto out;
	}
	ret = 0;
out:
	free(buf);
	close(fd);
	return ret;
}
