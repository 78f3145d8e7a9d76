/* SPDX-License-Identifier: GPL-2.0-only */
/* Reads one live nf_tables table into a model: chains, sets and elements, counters, rules. */
#ifndef WARREN_NFT_LIVE_H
#define WARREN_NFT_LIVE_H

#include "err.h"
#include "nft_model.h"
#include "nft_nl.h"

/*
 * Fills @m (initialised with the table name) with table inet m->table as the kernel has it, and
 * @genid with the generation the whole read belongs to: the read is retried when the ruleset
 * changes in the middle. A missing table leaves m->exists false.
 */
int nft_live_read(struct nl_sock *nl, struct nft_model *m, uint32_t *genid, struct err *err);

#endif
