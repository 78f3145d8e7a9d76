/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The diff between a live device and a desired state, as the minimal set request:
 * interface fields only when they differ, peers only when something of theirs differs,
 * allowed IPs replaced only when the set differs. Both devices must be sorted.
 */
#ifndef WARREN_WGDIFF_H
#define WARREN_WGDIFF_H

#include "wgdev.h"

struct wgdiff_list {
	char **items;
	size_t n, cap;
};

struct wgdiff {
	struct wg_device *set;	  /* the request; no peers and no HAS_* bits when nothing differs */
	struct wgdiff_list added; /* peer names */
	struct wgdiff_list updated; /* peer names */
	struct wgdiff_list removed; /* names of disabled peers, public keys of unknown ones */
	struct wgdiff_list
	    fields;	   /* interface fields that differ: "private_key", "listen_port"... */
	size_t unchanged;  /* desired peers that need nothing */
	size_t remaining;  /* live peers after the request */
	size_t live_peers; /* live peers before */
};

int wgdiff_compute(struct wgdiff *d, const struct wg_device *live, const struct wg_device *want);
bool wgdiff_changed(const struct wgdiff *d);
void wgdiff_free(struct wgdiff *d);

#endif
