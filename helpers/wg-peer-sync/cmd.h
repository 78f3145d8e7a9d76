/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef WG_PEER_SYNC_CMD_H
#define WG_PEER_SYNC_CMD_H

#include "wgdiff.h"

int sync_main(int argc, char *argv[]);
int show_main(int argc, char *argv[]);
int genkey_main(int argc, char *argv[]);
int genpsk_main(int argc, char *argv[]);
int pubkey_main(int argc, char *argv[]);

/* apply.c: prints the failure object for -@err while reading or applying to @ifname. */
int sync_fail(const char *what, const char *ifname, int err);
/* Applies the diff @d from @live towards @want (for names), failing closed; 0 or the exit code
 * of the failure object it printed. */
int sync_apply(const struct wgdiff *d, const struct wg_device *live, const struct wg_device *want);

/* overlay.c: adds the peers of @file (allowed IPs inside @pool only) to @want, which stays
 * sorted; *@n how many. 0 or -EINVAL with @err set. */
int overlay_add(struct wg_device *want, const char *file, const char *pool, size_t *n,
		struct err *err);

#endif
