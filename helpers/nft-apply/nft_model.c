// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "nft_model.h"

void nft_model_init(struct nft_model *m, const char *table)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->table, sizeof(m->table), "%s", table);
}

void nft_model_free(struct nft_model *m)
{
	size_t i;

	for (i = 0; i < m->nlines; i++)
		free(m->lines[i]);
	for (i = 0; i < m->nsets; i++)
		free(m->sets[i].elems);
	free(m->lines);
	free(m->sets);
	free(m->counters);
	free(m->chains);
	memset(m, 0, sizeof(*m));
}

static int grow(void **p, size_t *cap, size_t n, size_t size)
{
	void *q;
	size_t c;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 16;
	q = realloc(*p, c * size);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = c;
	return 0;
}

static int add_line(struct nft_model *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int add_line(struct nft_model *m, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	if (grow((void **)&m->lines, &m->lines_cap, m->nlines, sizeof(*m->lines)))
		return -ENOMEM;
	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	m->lines[m->nlines++] = s;
	return 0;
}

static const char *str_or(const char *s)
{
	return s ? s : "";
}

int nft_model_table(struct nft_model *m, const struct nftnl_table *t)
{
	return add_line(m, "0 table flags 0x%x",
			nftnl_table_is_set(t, NFTNL_TABLE_FLAGS)
			    ? nftnl_table_get_u32(t, NFTNL_TABLE_FLAGS)
			    : 0);
}

int nft_model_chain(struct nft_model *m, const struct nftnl_chain *c)
{
	const char *name = str_or(nftnl_chain_get_str(c, NFTNL_CHAIN_NAME));
	void *q = realloc(m->chains, (m->nchains + 1) * sizeof(*m->chains));

	if (!q)
		return -ENOMEM;
	m->chains = q;
	memset(&m->chains[m->nchains], 0, sizeof(*m->chains));
	snprintf(m->chains[m->nchains++].name, NFT_OBJ_NAME_MAX, "%s", name);
	if (!nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM))
		return add_line(m, "1 chain %s", name);
	return add_line(m, "1 chain %s type %s hook %u prio %d policy %u", name,
			str_or(nftnl_chain_get_str(c, NFTNL_CHAIN_TYPE)),
			nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM),
			(int)nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO),
			nftnl_chain_is_set(c, NFTNL_CHAIN_POLICY)
			    ? nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY)
			    : NF_ACCEPT);
}

int nft_model_set(struct nft_model *m, const struct nftnl_set *s)
{
	struct nft_mset *ms;
	uint32_t len = 0;
	const uint8_t *fl = NULL;
	void *q;

	q = realloc(m->sets, (m->nsets + 1) * sizeof(*m->sets));
	if (!q)
		return -ENOMEM;
	m->sets = q;
	ms = &m->sets[m->nsets++];
	memset(ms, 0, sizeof(*ms));
	snprintf(ms->name, sizeof(ms->name), "%s", str_or(nftnl_set_get_str(s, NFTNL_SET_NAME)));
	ms->flags = nftnl_set_get_u32(s, NFTNL_SET_FLAGS);
	ms->key_type = nftnl_set_get_u32(s, NFTNL_SET_KEY_TYPE);
	ms->key_len = nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN);
	if (nftnl_set_is_set(s, NFTNL_SET_DESC_CONCAT))
		fl = nftnl_set_get_data(s, NFTNL_SET_DESC_CONCAT, &len);
	for (; fl && ms->nfields < len && ms->nfields < 4 && fl[ms->nfields]; ms->nfields++)
		ms->field_len[ms->nfields] = fl[ms->nfields];
	if (ms->key_len > NFT_KEY_MAX)
		ms->key_len = NFT_KEY_MAX + 1; /* never equal to anything warren builds */
	return add_line(m, "2 set %s flags 0x%x type %u len %u fields %u:%u:%u:%u", ms->name,
			ms->flags, ms->key_type, ms->key_len, ms->field_len[0], ms->field_len[1],
			ms->field_len[2], ms->field_len[3]);
}

int nft_model_obj(struct nft_model *m, struct nftnl_obj *o)
{
	const char *name = str_or(nftnl_obj_get_str(o, NFTNL_OBJ_NAME));
	uint32_t type = nftnl_obj_get_u32(o, NFTNL_OBJ_TYPE);
	struct nft_counter *c;
	void *q;

	if (type == NFT_OBJECT_COUNTER) {
		q = realloc(m->counters, (m->ncounters + 1) * sizeof(*m->counters));
		if (!q)
			return -ENOMEM;
		m->counters = q;
		c = &m->counters[m->ncounters++];
		snprintf(c->name, sizeof(c->name), "%s", name);
		c->packets = nftnl_obj_get_u64(o, NFTNL_OBJ_CTR_PKTS);
		c->bytes = nftnl_obj_get_u64(o, NFTNL_OBJ_CTR_BYTES);
	}
	return add_line(m, "3 obj %s type %u", name, type);
}

struct expr_text {
	char *buf;
	size_t len, cap;
	int ret;
};

static int expr_cb(struct nftnl_expr *e, void *data)
{
	struct expr_text *t = data;
	char one[1024];
	size_t n;

	nftnl_expr_snprintf(one, sizeof(one), e, NFTNL_OUTPUT_DEFAULT, 0);
	n = strlen(one) + strlen(str_or(nftnl_expr_get_str(e, NFTNL_EXPR_NAME))) + 8;
	if (t->len + n >= t->cap) {
		char *q = realloc(t->buf, t->cap + n + 1024);

		if (!q) {
			t->ret = -ENOMEM;
			return -1;
		}
		t->buf = q;
		t->cap += n + 1024;
	}
	t->len += (size_t)snprintf(t->buf + t->len, t->cap - t->len, "[%s %s]",
				   str_or(nftnl_expr_get_str(e, NFTNL_EXPR_NAME)), one);
	return 0;
}

int nft_model_rule(struct nft_model *m, const struct nftnl_rule *r)
{
	const char *chain = str_or(nftnl_rule_get_str(r, NFTNL_RULE_CHAIN));
	struct expr_text t = {0};
	size_t i, idx = 0;
	int ret;

	for (i = 0; i < m->nchains; i++)
		if (!strcmp(m->chains[i].name, chain)) {
			idx = m->chains[i].nrules++;
			break;
		}
	nftnl_expr_foreach((struct nftnl_rule *)r, expr_cb, &t);
	if (t.ret)
		return t.ret;
	ret = add_line(m, "4 rule %s %06zu %s", chain, idx, t.buf ? t.buf : "");
	free(t.buf);
	m->nrules++;
	return ret;
}

struct nft_mset *nft_model_find_set(const struct nft_model *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nsets; i++)
		if (!strcmp(m->sets[i].name, name))
			return &m->sets[i];
	return NULL;
}

int nft_mset_add(struct nft_mset *s, const struct nft_elem *e)
{
	if (grow((void **)&s->elems, &s->cap, s->nelems, sizeof(*s->elems)))
		return -ENOMEM;
	s->elems[s->nelems++] = *e;
	return 0;
}

int nft_elem_cmp(const void *a, const void *b)
{
	const struct nft_elem *x = a, *y = b;
	int c = memcmp(x->key, y->key, NFT_KEY_MAX);

	if (c)
		return c;
	if (x->flags != y->flags)
		return x->flags < y->flags ? -1 : 1;
	return memcmp(x->key_end, y->key_end, NFT_KEY_MAX);
}

static int line_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void nft_model_finish(struct nft_model *m)
{
	size_t i;

	if (m->nlines)
		qsort(m->lines, m->nlines, sizeof(*m->lines), line_cmp);
	for (i = 0; i < m->nsets; i++)
		if (m->sets[i].nelems)
			qsort(m->sets[i].elems, m->sets[i].nelems, sizeof(struct nft_elem),
			      nft_elem_cmp);
}

bool nft_model_same_structure(const struct nft_model *a, const struct nft_model *b)
{
	size_t i;

	if (a->exists != b->exists || a->nlines != b->nlines)
		return false;
	for (i = 0; i < a->nlines; i++)
		if (strcmp(a->lines[i], b->lines[i]))
			return false;
	return true;
}

bool nft_model_foreign_elements(const struct nft_model *m)
{
	size_t i, j;

	for (i = 0; i < m->nsets; i++)
		for (j = 0; j < m->sets[i].nelems; j++)
			if (m->sets[i].elems[j].flags & NFT_ELEM_FOREIGN)
				return true;
	return false;
}

size_t nft_mset_count(const struct nft_mset *s)
{
	size_t i, n = 0;

	for (i = 0; i < s->nelems; i++)
		if (!(s->elems[i].flags & NFT_SET_ELEM_INTERVAL_END))
			n++;
	return n;
}

size_t nft_model_count_elements(const struct nft_model *m)
{
	size_t i, n = 0;

	for (i = 0; i < m->nsets; i++)
		n += nft_mset_count(&m->sets[i]);
	return n;
}

int nft_mset_diff(const struct nft_mset *want, const struct nft_mset *have, struct nft_elem_diff *d)
{
	size_t i = 0, j = 0;
	int c;

	memset(d, 0, sizeof(*d));
	d->add = calloc(want->nelems + 1, sizeof(*d->add));
	d->del = calloc(have->nelems + 1, sizeof(*d->del));
	if (!d->add || !d->del) {
		nft_elem_diff_free(d);
		return -ENOMEM;
	}
	while (i < want->nelems || j < have->nelems) {
		if (i == want->nelems)
			c = 1;
		else if (j == have->nelems)
			c = -1;
		else
			c = nft_elem_cmp(&want->elems[i], &have->elems[j]);
		if (c < 0)
			d->add[d->nadd++] = &want->elems[i++];
		else if (c > 0)
			d->del[d->ndel++] = &have->elems[j++];
		else
			i++, j++;
	}
	return 0;
}

void nft_elem_diff_free(struct nft_elem_diff *d)
{
	free(d->add);
	free(d->del);
	memset(d, 0, sizeof(*d));
}
