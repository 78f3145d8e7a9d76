// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "nft_sync.h"

#define ELEMS_ROOM (65535 - 256) /* NFTA_SET_ELEM_LIST_ELEMENTS has a 16-bit length */

static bool interval_single(const struct nft_mset *s)
{
	return (s->flags & NFT_SET_INTERVAL) && !(s->flags & NFT_SET_CONCAT);
}

int nft_plan(const struct nft_desired *d, const struct nft_model *live, struct nft_plan *p)
{
	const struct nft_mset *want, *have;
	struct nft_elem_diff diff;
	size_t i;

	memset(p, 0, sizeof(*p));
	if (!nft_model_same_structure(&d->model, live) || nft_model_foreign_elements(live)) {
		p->changed = p->replace = true;
		return 0;
	}
	for (i = 0; i < d->model.nsets; i++) {
		want = &d->model.sets[i];
		have = nft_model_find_set(live, want->name);
		if (!have)
			return -EINVAL; /* same structure: cannot happen */
		if (nft_mset_diff(want, have, &diff))
			return -ENOMEM;
		if (diff.nadd || diff.ndel) {
			p->sets_changed++;
			p->add += interval_single(want) ? want->nelems : diff.nadd;
			p->del += interval_single(want) ? have->nelems : diff.ndel;
		}
		nft_elem_diff_free(&diff);
	}
	p->changed = p->sets_changed > 0;
	return 0;
}

static struct nlmsghdr *msg(struct nft_batch *b, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = nft_batch_reserve(b);

	return nlh ? nftnl_nlmsg_build_hdr((char *)nlh, type, NFPROTO_INET, flags, 0) : NULL;
}

static void put_key(struct nlmsghdr *nlh, uint16_t type, const uint8_t *key, uint32_t len)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);

	mnl_attr_put(nlh, NFTA_DATA_VALUE, len, key);
	mnl_attr_nest_end(nlh, nest);
}

/* Element messages for @n elements of @s (a flush when @elems is NULL), split to fit. */
static int elems(struct nft_batch *b, const char *table, const struct nft_mset *s, uint16_t type,
		 const struct nft_elem *const *elems, size_t n)
{
	char what[48];
	size_t i = 0;
	int ret;

	snprintf(what, sizeof(what), "elements of set %s", s->name);
	do {
		struct nlmsghdr *nlh = msg(b, type, type == NFT_MSG_NEWSETELEM ? NLM_F_CREATE : 0);
		struct nlattr *list, *el;

		if (!nlh)
			return -ENOMEM;
		mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, table);
		mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, s->name);
		if (elems) {
			uint32_t start = nlh->nlmsg_len;

			list = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
			for (; i < n && nlh->nlmsg_len - start < ELEMS_ROOM - 128; i++) {
				el = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
				put_key(nlh, NFTA_SET_ELEM_KEY, elems[i]->key, s->key_len);
				if (s->flags & NFT_SET_CONCAT)
					put_key(nlh, NFTA_SET_ELEM_KEY_END, elems[i]->key_end,
						s->key_len);
				if (elems[i]->flags)
					mnl_attr_put_u32(nlh, NFTA_SET_ELEM_FLAGS,
							 htonl(elems[i]->flags));
				mnl_attr_nest_end(nlh, el);
			}
			mnl_attr_nest_end(nlh, list);
		}
		if ((ret = nft_batch_push(b, nlh, what)))
			return ret;
	} while (elems && i < n);
	return 0;
}

static int all_elems(struct nft_batch *b, const char *table, const struct nft_mset *s)
{
	const struct nft_elem **v;
	size_t i;
	int ret;

	if (!s->nelems)
		return 0;
	v = calloc(s->nelems, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; i < s->nelems; i++)
		v[i] = &s->elems[i];
	ret = elems(b, table, s, NFT_MSG_NEWSETELEM, v, s->nelems);
	free(v);
	return ret;
}

static int table_msg(struct nft_batch *b, const char *table, uint16_t type)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;
	char what[48];

	if (!t)
		return -ENOMEM;
	nlh = msg(b, type, type == NFT_MSG_NEWTABLE ? NLM_F_CREATE : 0);
	if (!nlh) {
		nftnl_table_free(t);
		return -ENOMEM;
	}
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, table);
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_INET);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	snprintf(what, sizeof(what), "%s table inet %s", type == NFT_MSG_NEWTABLE ? "new" : "old",
		 table);
	return nft_batch_push(b, nlh, what);
}

int nft_delete_batch(struct nft_batch *b, const char *table)
{
	return table_msg(b, table, NFT_MSG_DELTABLE);
}

static int replace(struct nft_batch *b, const struct nft_desired *d, bool exists)
{
	const char *table = d->model.table;
	struct nlmsghdr *nlh;
	char what[48];
	size_t i;
	int ret;

	if ((exists && (ret = table_msg(b, table, NFT_MSG_DELTABLE))) ||
	    (ret = table_msg(b, table, NFT_MSG_NEWTABLE)))
		return ret;
	for (i = 0; i < d->nobjs; i++) {
		if (!(nlh = msg(b, NFT_MSG_NEWOBJ, NLM_F_CREATE)))
			return -ENOMEM;
		nftnl_obj_nlmsg_build_payload(nlh, d->objs[i]);
		snprintf(what, sizeof(what), "counter %s",
			 nftnl_obj_get_str(d->objs[i], NFTNL_OBJ_NAME));
		if ((ret = nft_batch_push(b, nlh, what)))
			return ret;
	}
	for (i = 0; i < d->nsets; i++) {
		if (!(nlh = msg(b, NFT_MSG_NEWSET, NLM_F_CREATE)))
			return -ENOMEM;
		nftnl_set_nlmsg_build_payload(nlh, d->sets[i]);
		snprintf(what, sizeof(what), "set %s", d->model.sets[i].name);
		if ((ret = nft_batch_push(b, nlh, what)) ||
		    (ret = all_elems(b, table, &d->model.sets[i])))
			return ret;
	}
	for (i = 0; i < d->nchains; i++) {
		if (!(nlh = msg(b, NFT_MSG_NEWCHAIN, NLM_F_CREATE)))
			return -ENOMEM;
		nftnl_chain_nlmsg_build_payload(nlh, d->chains[i]);
		snprintf(what, sizeof(what), "chain %s",
			 nftnl_chain_get_str(d->chains[i], NFTNL_CHAIN_NAME));
		if ((ret = nft_batch_push(b, nlh, what)))
			return ret;
	}
	for (i = 0; i < d->nrules; i++) {
		if (!(nlh = msg(b, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND)))
			return -ENOMEM;
		nftnl_rule_nlmsg_build_payload(nlh, d->rules[i]);
		snprintf(what, sizeof(what), "a rule of chain %s",
			 nftnl_rule_get_str(d->rules[i], NFTNL_RULE_CHAIN));
		if ((ret = nft_batch_push(b, nlh, what)))
			return ret;
	}
	return 0;
}

static int update_set(struct nft_batch *b, const char *table, const struct nft_mset *want,
		      const struct nft_mset *have)
{
	struct nft_elem_diff diff;
	int ret;

	if (nft_mset_diff(want, have, &diff))
		return -ENOMEM;
	if (!diff.nadd && !diff.ndel)
		ret = 0;
	else if (interval_single(want)) /* start/end pairs: flush and refill, in this batch */
		ret =
		    elems(b, table, want, NFT_MSG_DELSETELEM, NULL, 0) ?: all_elems(b, table, want);
	else
		ret =
		    (diff.ndel ? elems(b, table, have, NFT_MSG_DELSETELEM, diff.del, diff.ndel) : 0)
			?: (diff.nadd
				? elems(b, table, want, NFT_MSG_NEWSETELEM, diff.add, diff.nadd)
				: 0);
	nft_elem_diff_free(&diff);
	return ret;
}

int nft_plan_batch(struct nft_batch *b, const struct nft_desired *d, const struct nft_model *live,
		   const struct nft_plan *p)
{
	size_t i;
	int ret;

	if (p->replace)
		return replace(b, d, live->exists);
	for (i = 0; i < d->model.nsets; i++)
		if ((ret = update_set(b, d->model.table, &d->model.sets[i],
				      nft_model_find_set(live, d->model.sets[i].name))))
			return ret;
	return 0;
}
