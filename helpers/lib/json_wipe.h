/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Secrets that arrive inside a JSON document (a spec with inline keys on stdin): jansson keeps
 * them in its own strings and frees its buffers without wiping them. json_wipe_alloc() makes
 * every later jansson allocation wipe itself when freed (the lexer's copies included);
 * json_wipe_member() overwrites one string value in place before the tree is released.
 */
#ifndef WARREN_JSON_WIPE_H
#define WARREN_JSON_WIPE_H

#include <jansson.h>

/* Installs wiping allocators for jansson; call before the first document is loaded. */
void json_wipe_alloc(void);
/* Overwrites the string @v with zeros (its length is kept); -EINVAL when @v is not a string. */
int json_wipe_string(json_t *v);
/* json_wipe_string() on member @key of @obj: 0 when absent or wiped, -EINVAL when not a string. */
int json_wipe_member(json_t *obj, const char *key);

#endif
