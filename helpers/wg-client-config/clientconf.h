/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A WireGuard client configuration (the wg-quick .conf a peer imports) from a JSON spec
 * (docs/client-config.md): parsed strictly, validated whole, keys read from files (or decoded
 * from the spec) last.
 * The struct holds the private key: clientconf_free() wipes it.
 */
#ifndef WARREN_CLIENTCONF_H
#define WARREN_CLIENTCONF_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "addr.h"
#include "buf.h"
#include "err.h"
#include "key.h"

#define CLIENTCONF_MAX_ADDRS   8
#define CLIENTCONF_MAX_DNS     8
#define CLIENTCONF_MAX_AIPS    128
#define CLIENTCONF_HOST_LEN    254
#define CLIENTCONF_DEFAULT_AIP "192.168.0.0/16" /* split tunnel: the management network */

struct clientconf {
	char name[64];
	const char *private_key_file, *preshared_key_file; /* point into the spec */
	const char *private_key_b64, *preshared_key_b64;   /* inline keys, also into the spec */
	uint8_t private_key[KEY_LEN], preshared_key[KEY_LEN], public_key[KEY_LEN];
	uint8_t server_public_key[KEY_LEN];
	bool has_preshared_key;
	char addrs[CLIENTCONF_MAX_ADDRS][ADDR_STR_LEN];
	char dns[CLIENTCONF_MAX_DNS][CLIENTCONF_HOST_LEN];
	char endpoint[CLIENTCONF_HOST_LEN + 8];
	struct wg_allowedip aips[CLIENTCONF_MAX_AIPS];
	unsigned int n_addrs, n_dns, n_aips;
	int keepalive; /* -1: not given */
	int mtu;       /* 0: not given */
};

/* clientconf_parse() flags. */
#define CLIENTCONF_INLINE_KEYS 0x1 /* accept private_key/preshared_key (a spec from stdin) */

/*
 * Validates every field of @spec except the keys themselves; @err names the field. Inline keys
 * (base64 in the spec) are refused, naming the field, unless @flags has CLIENTCONF_INLINE_KEYS.
 */
bool clientconf_parse(struct clientconf *cc, json_t *spec, unsigned int flags, struct err *err);
/* Every key of @spec is a spec field: else `unknown field "PATH.KEY"`. */
bool clientconf_fields_known(json_t *spec, const char *path, struct err *err);
/*
 * Decodes the inline keys or reads the private (and preshared) key files, with key_read_file()'s
 * mode rule. A message never quotes an inline key.
 */
bool clientconf_read_keys(struct clientconf *cc, struct err *err);
/* Appends the wg-quick configuration text to @out. */
int clientconf_render(const struct clientconf *cc, struct buf *out);
/* Wipes every key in @cc. */
void clientconf_wipe(struct clientconf *cc);

/* Exposed for the unit tests. */
bool clientconf_hostname_valid(const char *name);
bool clientconf_endpoint_valid(const char *text, struct err *err);

#endif
