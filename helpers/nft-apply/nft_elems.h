/* SPDX-License-Identifier: GPL-2.0-only */
/* Set elements of the desired table, encoded as the kernel stores them. */
#ifndef WARREN_NFT_ELEMS_H
#define WARREN_NFT_ELEMS_H

#include "nft_model.h"
#include "nft_policy.h"

/* Fills the elements of the sets already in @m (see nft_build.c) from @pol. 0 or -ENOMEM. */
int nft_elems_fill(struct nft_model *m, const struct nft_policy *pol);

#endif
