/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef NFT_APPLY_CMD_H
#define NFT_APPLY_CMD_H

#include "err.h"
#include "nft_nl.h"

int apply_main(int argc, char *argv[]);
int show_main(int argc, char *argv[]);
int delete_main(int argc, char *argv[]);

/* Opens the nf_tables socket or prints the failure; returns 0 or the exit code. */
int cmd_open(struct nl_sock *nl);

#endif
