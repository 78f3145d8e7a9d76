// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "nft_live.h"

#define TRIES 10

struct ctx {
	struct nft_model *m;
	struct nft_mset *set;
	int ret;
};

static struct nlmsghdr *request(struct nl_sock *nl, char *buf, uint16_t type, uint16_t flags,
				const char *table)
{
	struct nlmsghdr *nlh =
	    nftnl_nlmsg_build_hdr(buf, type, NFPROTO_INET, flags, nl_next_seq(nl));

	if (table)
		mnl_attr_put_strz(nlh, NFTA_TABLE_NAME, table); /* NFTA_*_TABLE is 1 everywhere */
	return nlh;
}

static bool ours(const struct ctx *c, const char *table)
{
	return table && !strcmp(table, c->m->table);
}

#define PARSE_CB(kind, alloc, parse, free_fn, get_table, model_fn)                                 \
	static int kind##_cb(const struct nlmsghdr *nlh, void *data)                               \
	{                                                                                          \
		struct ctx *c = data;                                                              \
		struct nftnl_##kind *o = alloc();                                                  \
                                                                                                   \
		if (!o || parse(nlh, o) < 0) {                                                     \
			c->ret = -EPROTO;                                                          \
		} else if (ours(c, get_table)) {                                                   \
			int r = model_fn(c->m, o);                                                 \
			if (r < 0)                                                                 \
				c->ret = r;                                                        \
		}                                                                                  \
		if (o)                                                                             \
			free_fn(o);                                                                \
		return c->ret ? MNL_CB_ERROR : MNL_CB_OK;                                          \
	}

PARSE_CB(chain, nftnl_chain_alloc, nftnl_chain_nlmsg_parse, nftnl_chain_free,
	 nftnl_chain_get_str(o, NFTNL_CHAIN_TABLE), nft_model_chain)
PARSE_CB(set, nftnl_set_alloc, nftnl_set_nlmsg_parse, nftnl_set_free,
	 nftnl_set_get_str(o, NFTNL_SET_TABLE), nft_model_set)
PARSE_CB(rule, nftnl_rule_alloc, nftnl_rule_nlmsg_parse, nftnl_rule_free,
	 nftnl_rule_get_str(o, NFTNL_RULE_TABLE), nft_model_rule)
PARSE_CB(obj, nftnl_obj_alloc, nftnl_obj_nlmsg_parse, nftnl_obj_free,
	 nftnl_obj_get_str(o, NFTNL_OBJ_TABLE), nft_model_obj)

/* The table's flags (dormant, owner) are part of its structure: a dormant table filters nothing. */
static int table_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ctx *c = data;
	struct nftnl_table *t = nftnl_table_alloc();

	if (!t || nftnl_table_nlmsg_parse(nlh, t) < 0)
		c->ret = -EPROTO;
	else
		c->ret = nft_model_table(c->m, t);
	if (t)
		nftnl_table_free(t);
	return c->ret ? MNL_CB_ERROR : MNL_CB_OK;
}

/* NFTA_SET_ELEM_KEY / _KEY_END: a nest holding NFTA_DATA_VALUE. */
static bool key_value(const struct nlattr *nest, uint8_t out[static NFT_KEY_MAX])
{
	const struct nlattr *a;

	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0)
		return false;
	mnl_attr_for_each_nested (a, nest) {
		if (mnl_attr_get_type(a) != NFTA_DATA_VALUE)
			continue;
		if (mnl_attr_get_payload_len(a) > NFT_KEY_MAX)
			return false;
		memcpy(out, mnl_attr_get_payload(a), mnl_attr_get_payload_len(a));
		return true;
	}
	return false;
}

static int elem_parse(struct ctx *c, const struct nlattr *list_elem)
{
	struct nft_elem e;
	const struct nlattr *a;

	memset(&e, 0, sizeof(e));
	mnl_attr_for_each_nested (a, list_elem) {
		switch (mnl_attr_get_type(a)) {
		case NFTA_SET_ELEM_KEY:
			if (!key_value(a, e.key))
				e.flags |= NFT_ELEM_FOREIGN;
			break;
		case NFTA_SET_ELEM_KEY_END:
			if (!key_value(a, e.key_end))
				e.flags |= NFT_ELEM_FOREIGN;
			break;
		case NFTA_SET_ELEM_FLAGS:
			if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
				return -EPROTO;
			e.flags |= ntohl(mnl_attr_get_u32(a));
			if (e.flags & ~NFT_SET_ELEM_INTERVAL_END)
				e.flags |= NFT_ELEM_FOREIGN;
			break;
		default: /* data, timeouts, expressions: warren sets none of them */
			e.flags |= NFT_ELEM_FOREIGN;
			break;
		}
	}
	return nft_mset_add(c->set, &e);
}

static int elem_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ctx *c = data;
	const struct nlattr *a, *e;

	mnl_attr_for_each (a, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(a) != NFTA_SET_ELEM_LIST_ELEMENTS)
			continue;
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0) {
			c->ret = -EPROTO;
			break;
		}
		mnl_attr_for_each_nested (e, a) {
			if (mnl_attr_get_type(e) == NFTA_LIST_ELEM && (c->ret = elem_parse(c, e)))
				break;
		}
	}
	return c->ret ? MNL_CB_ERROR : MNL_CB_OK;
}

static int dump(struct nl_sock *nl, struct ctx *c, uint16_t msg, mnl_cb_t cb)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int ret;

	nlh = request(nl, buf, msg, NLM_F_DUMP, c->m->table);
	ret = nl_talk(nl, nlh, cb, c);
	return c->ret ? c->ret : ret;
}

static int dump_elems(struct nl_sock *nl, struct ctx *c)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	size_t i;
	int ret;

	for (i = 0; i < c->m->nsets; i++) {
		c->set = &c->m->sets[i];
		if (c->set->flags & NFT_SET_TIMEOUT)
			continue; /* a ban set: its elements belong to fail2ban, never compared */
		nlh = request(nl, buf, NFT_MSG_GETSETELEM, NLM_F_DUMP, c->m->table);
		mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, c->set->name);
		ret = nl_talk(nl, nlh, elem_cb, c);
		if (c->ret || ret)
			return c->ret ? c->ret : ret;
	}
	return 0;
}

static int read_once(struct nl_sock *nl, struct nft_model *m)
{
	struct ctx c = {.m = m};
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int ret;

	ret = nl_talk(nl, request(nl, buf, NFT_MSG_GETTABLE, NLM_F_ACK, m->table), table_cb, &c);
	if (ret == -ENOENT)
		return 0;
	if (ret || c.ret)
		return ret ? ret : c.ret;
	m->exists = true;
	if ((ret = dump(nl, &c, NFT_MSG_GETCHAIN, chain_cb)) ||
	    (ret = dump(nl, &c, NFT_MSG_GETSET, set_cb)) || (ret = dump_elems(nl, &c)) ||
	    (ret = dump(nl, &c, NFT_MSG_GETOBJ, obj_cb)) ||
	    (ret = dump(nl, &c, NFT_MSG_GETRULE, rule_cb)))
		return ret;
	nft_model_finish(m);
	return 0;
}

struct read_req {
	struct nft_model *m;
	char table[sizeof(((struct nft_model *)0)->table)];
	uint32_t *genid;
	struct err *err;
	bool failed; /* err is set */
};

/*
 * One read between two generation ids; -EINTR (read again) when a dump was interrupted or the
 * ruleset moved meanwhile.
 */
static int read_between_generations(struct nl_sock *nl, void *data)
{
	struct read_req *r = data;
	uint32_t after;
	int ret;

	if ((ret = nft_nl_genid(nl, r->genid)) < 0)
		goto fail_gen;
	nft_model_free(r->m);
	nft_model_init(r->m, r->table);
	ret = read_once(nl, r->m);
	if (ret == -EINTR)
		return ret;
	if (ret < 0) {
		r->failed = true;
		err_set(r->err, "cannot read table inet %s: %s", r->table, strerror(-ret));
		return ret;
	}
	if ((ret = nft_nl_genid(nl, &after)) < 0)
		goto fail_gen;
	return after == *r->genid ? 0 : -EINTR;
fail_gen:
	r->failed = true;
	err_set(r->err, "cannot read the ruleset generation: %s", strerror(-ret));
	return ret == -EINTR ? -EPROTO : ret;
}

int nft_live_read(struct nl_sock *nl, struct nft_model *m, uint32_t *genid, struct err *err)
{
	struct read_req r = {.m = m, .genid = genid, .err = err};
	int ret;

	memcpy(r.table, m->table, sizeof(r.table));
	ret = nl_read_consistent(nl, read_between_generations, &r, TRIES);
	if (ret == -EAGAIN && !r.failed)
		err_set(err, "table inet %s kept changing while being read (%d tries)", r.table,
			TRIES);
	return ret;
}
