// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for the LXC and Proxmox configuration parsers (sources included directly,
 * as in wireguard-tools' src/fuzz/). Each input is parsed as both formats. Beyond the
 * sanitizers it checks that every refusal says why, that the result stays inside its
 * bounds, and that a Proxmox "[pve:pending]" section after the input changes nothing: pending
 * values never reach the current config.
 */
#include "../../helpers/lib/err.c"
#include "../../helpers/lxc-probe/lxc_conf.c"
#include "../../helpers/lxc-probe/lxc_pve.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char pending[] = "\n[pve:pending]\nmemory: 4096\nonboot: yes\nnet31: name=eth9\n"
			      "dev0: /dev/net/tun\nlxc.idmap = u 0 1 1\nrootfs: x:1,size=1T\n"
			      "\n[snap]\nmemory: lots\n";

static bool str_ok(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

/* The result is inside its arrays and every string is terminated inside its buffer. */
static void check_bounds(const struct lxc_conf *c)
{
	size_t i;

	if (c->n_nets > LXC_CONF_MAX_NETS || c->n_idmaps > LXC_CONF_MAX_IDMAPS ||
	    !str_ok(c->hostname, sizeof(c->hostname)) || !str_ok(c->rootfs, sizeof(c->rootfs)))
		__builtin_trap();
	for (i = 0; i < c->n_nets; i++) {
		const struct lxc_conf_net *n = &c->nets[i];

		if (!str_ok(n->type, sizeof(n->type)) || !str_ok(n->name, sizeof(n->name)) ||
		    !str_ok(n->link, sizeof(n->link)) || !str_ok(n->ipv4, sizeof(n->ipv4)) ||
		    !str_ok(n->hwaddr, sizeof(n->hwaddr)))
			__builtin_trap();
	}
	for (i = 0; i < c->n_idmaps; i++)
		if (!strchr("ugb", c->idmaps[i].type) || !c->idmaps[i].range)
			__builtin_trap();
	(void)lxc_conf_unprivileged(c);
}

/* Field by field: struct padding may differ. */
static bool same(const struct lxc_conf *x, const struct lxc_conf *y)
{
	size_t i;

	if (x->kind != y->kind || x->has != y->has || x->memory != y->memory ||
	    x->swap != y->swap || x->disk != y->disk || x->cores != y->cores ||
	    x->autostart != y->autostart || x->unpriv != y->unpriv ||
	    x->tun_mount != y->tun_mount || x->tun_allow != y->tun_allow ||
	    strcmp(x->hostname, y->hostname) || strcmp(x->rootfs, y->rootfs) ||
	    x->n_idmaps != y->n_idmaps || x->n_nets != y->n_nets)
		return false;
	for (i = 0; i < x->n_idmaps; i++) {
		const struct lxc_idmap *m = &x->idmaps[i], *n = &y->idmaps[i];

		if (m->type != n->type || m->nsid != n->nsid || m->hostid != n->hostid ||
		    m->range != n->range)
			return false;
	}
	for (i = 0; i < x->n_nets; i++) {
		const struct lxc_conf_net *m = &x->nets[i], *n = &y->nets[i];

		if (strcmp(m->type, n->type) || strcmp(m->name, n->name) ||
		    strcmp(m->link, n->link) || strcmp(m->ipv4, n->ipv4) ||
		    strcmp(m->hwaddr, n->hwaddr))
			return false;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct lxc_conf a, b;
	struct err ea = {{0}}, eb = {{0}};
	bool oka, okb;
	char *text;

	if (size > 1 << 16)
		return 0;
	oka = lxc_conf_parse(&a, LXC_CONF_LXC, (const char *)data, size, &ea);
	if (!oka && !ea.msg[0])
		__builtin_trap(); /* every refusal must say why */
	if (oka)
		check_bounds(&a);

	oka = lxc_conf_parse(&a, LXC_CONF_PVE, (const char *)data, size, &ea);
	if (!oka && !ea.msg[0])
		__builtin_trap();
	if (oka)
		check_bounds(&a);

	/* The same text followed by a pending section and a snapshot: the same outcome. */
	text = malloc(size + sizeof(pending));
	if (!text)
		return 0;
	memcpy(text, data, size);
	memcpy(text + size, pending, sizeof(pending));
	okb = lxc_conf_parse(&b, LXC_CONF_PVE, text, size + sizeof(pending) - 1, &eb);
	if (oka != okb || (oka && !same(&a, &b)) || (!oka && strcmp(ea.msg, eb.msg)))
		__builtin_trap();
	free(text);
	return 0;
}
