/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Desired versus live: what must change, and the one batch that changes it. Equal structure with
 * different elements becomes element messages only (counters and the rest stay); a different
 * structure replaces warren's table whole (delete and create inside the same batch).
 */
#ifndef WARREN_NFT_SYNC_H
#define WARREN_NFT_SYNC_H

#include "nft_build.h"
#include "nft_model.h"
#include "nft_nl.h"

struct nft_plan {
	bool changed, replace;
	size_t add, del; /* element messages' elements when not replacing */
	size_t sets_changed;
};

/* Compares; fills @p. 0 or -ENOMEM. */
int nft_plan(const struct nft_desired *d, const struct nft_model *live, struct nft_plan *p);
/* Appends the messages of @p between the batch's begin and end. */
int nft_plan_batch(struct nft_batch *b, const struct nft_desired *d, const struct nft_model *live,
		   const struct nft_plan *p);
/* A batch that deletes table inet @table. */
int nft_delete_batch(struct nft_batch *b, const char *table);

#endif
