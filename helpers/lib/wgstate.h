/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The desired state of one interface (docs/wg-peer-sync.md): parsed strictly, validated
 * whole before anything is applied. An absent field leaves the live value as it is.
 */
#ifndef WARREN_WGSTATE_H
#define WARREN_WGSTATE_H

#include <stdbool.h>

#include <jansson.h>

#include "err.h"
#include "wgdev.h"

enum {
	WGSTATE_READ_KEYS = 1U << 0, /* read private and preshared key files (checking modes) */
	WGSTATE_RESOLVE = 1U << 1,   /* resolve endpoint host names */
};

/* key_created, psk_created: Unix seconds up to the end of year 9999. */
#define WGSTATE_TIME_MAX 253402300799LL

struct wgstate {
	struct wg_device *dev; /* desired device; peers sorted by public key, with names */
	bool allow_empty;
};

/* Validates @root and fills @st; on failure @err names the field (and peer) and quotes the value.
 */
bool wgstate_parse(struct wgstate *st, json_t *root, unsigned int flags, struct err *err);
/* Reads a state file as JSON (duplicate keys rejected); NULL with @err set on failure. */
json_t *wgstate_read(const char *path, struct err *err);
/* wgstate_read() then wgstate_parse(). */
bool wgstate_load(struct wgstate *st, const char *path, unsigned int flags, struct err *err);
void wgstate_free(struct wgstate *st);
/* Peer names are [A-Za-z0-9][A-Za-z0-9._@-]*, at most 63 characters: safe as file names. */
bool wgstate_name_valid(const char *name);

#endif
