/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one strict accessor for warren's JSON documents (wg-peer-sync's state, nft-apply's policy,
 * wg-client-config's spec): typed getters that refuse a wrong type, a value out of range and an
 * unknown key, and field paths such as "peers[3].access[0].ports[1]".
 *
 * Every failure message has one form, "NAME: WHAT", where NAME names the field: its key (@name
 * NULL), or what the caller passes, such as nft-apply's `field "peers[3].address"`. An absent
 * member is not an error unless it is required, and leaves *out untouched; @given (may be NULL)
 * says whether it was there.
 */
#ifndef WARREN_JSON_GET_H
#define WARREN_JSON_GET_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "err.h"

#define JSON_PATH_MAX 128

/* "BASE.KEY" and "BASE[IDX]" into @p (which may be @base), cut at JSON_PATH_MAX; no printf. */
void json_path_key(char p[static JSON_PATH_MAX], const char *base, const char *key);
void json_path_idx(char p[static JSON_PATH_MAX], const char *base, size_t idx);

/* Every key of object @obj is one of @allowed (NULL-ended): else `unknown field "PATH.KEY"`. */
bool json_get_known(json_t *obj, const char *path, const char *const *allowed, struct err *err);
/* An integer from @lo to @hi. */
bool json_get_int(json_t *obj, const char *key, const char *name, long long lo, long long hi,
		  long long *out, bool *given, struct err *err);
/* A non-empty string without NUL. */
bool json_get_str(json_t *obj, const char *key, const char *name, bool required, const char **out,
		  struct err *err);
/* true or false. */
bool json_get_bool(json_t *obj, const char *key, const char *name, bool *out, bool *given,
		   struct err *err);
/* @v (a member already fetched, or NULL) is a list "of @of" (may be NULL), not empty if @nonempty.
 */
bool json_get_list(json_t *v, const char *name, const char *of, bool nonempty, struct err *err);

#endif
