/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The spec of `sync` (docs/client-config.md): {"peers": [SPEC, ...], "remove": [NAME, ...]},
 * each SPEC a `write` spec. Validated whole, every message prefixed with the field's path
 * ("peers[3].allowed_ips[0]: ..."); keys read last. Holds the peers' keys: syncspec_free().
 */
#ifndef WG_CLIENT_CONFIG_SYNCSPEC_H
#define WG_CLIENT_CONFIG_SYNCSPEC_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "clientconf.h"
#include "err.h"

#define SYNCSPEC_MAX_PEERS 100000

struct syncspec {
	struct clientconf *peers;
	size_t n_peers;
	const char **remove; /* point into the spec */
	size_t n_remove;
};

/*
 * Validates every field of @root except the keys: each peer as clientconf_parse() with @flags,
 * no name twice among the peers, and no name both kept and removed.
 */
bool syncspec_parse(struct syncspec *s, json_t *root, unsigned int flags, struct err *err);
/* Reads every peer's keys (clientconf_read_keys()); the first failure names its peer. */
bool syncspec_read_keys(struct syncspec *s, struct err *err);
/* Overwrites the inline keys' text in @root (a parsed or refused spec) with zeros. */
void syncspec_wipe_text(json_t *root);
/* Wipes every key and frees. */
void syncspec_free(struct syncspec *s);

#endif
