/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One table as a comparable model, built the same way from the policy (desired) and from the
 * kernel (live): the structure (chains, set definitions, objects, rules) as sorted canonical
 * lines, and each set's elements as sorted fixed-size keys. Equal models need no batch; models
 * that differ only in elements need only element messages.
 */
#ifndef WARREN_NFT_MODEL_H
#define WARREN_NFT_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nftnl_table;
struct nftnl_chain;
struct nftnl_set;
struct nftnl_obj;
struct nftnl_rule;

#define NFT_KEY_MAX	 24 /* six 32-bit registers: ip6 saddr . l4proto . dport, the widest */
#define NFT_OBJ_NAME_MAX 32

/* Set on a live element warren cannot have made (timeouts, data, comments, odd key sizes). */
#define NFT_ELEM_FOREIGN 0x80000000U

struct nft_elem {
	uint8_t key[NFT_KEY_MAX];
	uint8_t key_end[NFT_KEY_MAX];
	uint32_t flags; /* NFT_SET_ELEM_INTERVAL_END, or NFT_ELEM_FOREIGN */
};

struct nft_mset {
	char name[NFT_OBJ_NAME_MAX];
	uint32_t flags, key_type, key_len, id;
	uint8_t nfields, field_len[4];
	struct nft_elem *elems;
	size_t nelems, cap;
};

struct nft_counter {
	char name[NFT_OBJ_NAME_MAX];
	uint64_t packets, bytes;
};

struct nft_chain_info {
	char name[NFT_OBJ_NAME_MAX];
	size_t nrules;
};

struct nft_model {
	char table[64];
	bool exists;
	char **lines;
	size_t nlines, lines_cap;
	struct nft_mset *sets;
	size_t nsets;
	struct nft_counter *counters;
	size_t ncounters;
	struct nft_chain_info *chains;
	size_t nchains, nrules;
};

void nft_model_init(struct nft_model *m, const char *table);
void nft_model_free(struct nft_model *m);

/* Record one object of the table; the libnftnl object is only read. */
int nft_model_table(struct nft_model *m, const struct nftnl_table *t);
int nft_model_chain(struct nft_model *m, const struct nftnl_chain *c);
int nft_model_set(struct nft_model *m, const struct nftnl_set *s);
int nft_model_obj(struct nft_model *m, struct nftnl_obj *o);
int nft_model_rule(struct nft_model *m, const struct nftnl_rule *r);
struct nft_mset *nft_model_find_set(const struct nft_model *m, const char *name);
int nft_mset_add(struct nft_mset *s, const struct nft_elem *e);
/* Sorts lines and elements: call once all objects are in. */
void nft_model_finish(struct nft_model *m);

bool nft_model_same_structure(const struct nft_model *a, const struct nft_model *b);
/* Whether any element carries NFT_ELEM_FOREIGN: such a table is replaced, not patched. */
bool nft_model_foreign_elements(const struct nft_model *m);
/* Elements as the user counts them: an interval is one element, not a start and an end. */
size_t nft_mset_count(const struct nft_mset *s);
size_t nft_model_count_elements(const struct nft_model *m);
int nft_elem_cmp(const void *a, const void *b);

/* Elements in @want and not in @have go to @add; in @have and not in @want to @del. */
struct nft_elem_diff {
	const struct nft_elem **add, **del;
	size_t nadd, ndel;
};
int nft_mset_diff(const struct nft_mset *want, const struct nft_mset *have,
		  struct nft_elem_diff *d);
void nft_elem_diff_free(struct nft_elem_diff *d);

#endif
