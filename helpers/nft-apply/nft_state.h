/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A witness of the last apply, so that a re-apply of the same policy need not read the table
 * back: nf_tables bumps the ruleset generation on every commit in a network namespace, so when
 * the generation still equals the one recorded right after warren's own apply (or verified
 * compare), in the same namespace (its cookie, never reused while the machine runs), in the same
 * boot (/proc/sys/kernel/random/boot_id: cookies and generations start again after a reboot, and
 * the state may survive one when /run is not a tmpfs), with the same policy bytes and the same
 * nft-apply binary, the table is provably unchanged. Anything else, or a missing or unreadable
 * state, falls back to the full read-back and compare. Deleting the state is harmless.
 */
#ifndef WARREN_NFT_STATE_H
#define WARREN_NFT_STATE_H

#include <stddef.h>
#include <stdint.h>

#define NFT_STATE_DIR "/run/warren/nft-apply"

#define NFT_BOOT_ID_LEN 37 /* a UUID and NUL */

struct nft_state {
	char boot_id[NFT_BOOT_ID_LEN];
	uint32_t genid;
	uint64_t rules, elements;
	uint8_t hash[32];
	char table[64];
};

/*
 * The state file of the network namespace of socket @fd; -errno without a cookie. One per
 * namespace: the policy (table name included) is in the hash, so two policies applied in turn
 * only cost each other the fast path.
 */
int nft_state_path(char *buf, size_t size, int fd);
/* BLAKE2b of the running executable and the policy bytes. */
int nft_state_hash(uint8_t hash[static 32], const char *policy, size_t len);
/* This boot's id; -errno when it cannot be read (then no state is trusted or written). */
int nft_state_boot_id(char id[static NFT_BOOT_ID_LEN]);
int nft_state_load(const char *path, struct nft_state *st);
int nft_state_save(const char *path, const struct nft_state *st);

#endif
