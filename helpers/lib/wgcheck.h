/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Checks of a desired device that look at more than one field: keys no handshake can use, an
 * allowed IP listed twice, ranges that two peers both claim or nest, a peer holding the
 * interface's own key. Each sorts once: O(n log n) in the number of peers or ranges.
 */
#ifndef WARREN_WGCHECK_H
#define WARREN_WGCHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "wgdev.h"

/* A peer's public key (@text is how it was written): refuses all-zero and low-order keys. */
bool wgcheck_public_key(const uint8_t key[static KEY_LEN], const char *text, struct err *err);
/*
 * 1 and *@dup set to the first index (in @aips' order) that repeats an earlier range, 0 when
 * every range is listed once, -ENOMEM.
 */
int wgcheck_allowedips_dup(const struct wg_allowedip *aips, size_t n, size_t *dup);
/*
 * Across the peers of a device sorted by wgdev_sort(): public keys and names unique, and no
 * allowed IP range of one peer equal to or inside one of another peer (both peers named).
 */
bool wgcheck_unique(const struct wg_device *dev, struct err *err);
/* No peer of @dev has @own, the interface's own public key (WireGuard ignores such a peer). */
bool wgcheck_own_key(const struct wg_device *dev, const uint8_t own[static KEY_LEN],
		     struct err *err);

#endif
