// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>

#include <sodium.h>

#include "json_wipe.h"

static void *wipe_malloc(size_t size)
{
	return malloc(size);
}

static void wipe_free(void *p)
{
	if (!p)
		return;
	sodium_memzero(p, malloc_usable_size(p));
	free(p);
}

void json_wipe_alloc(void)
{
	json_set_alloc_funcs(wipe_malloc, wipe_free);
}

int json_wipe_string(json_t *v)
{
	if (!json_is_string(v))
		return -EINVAL;
	/* jansson owns the buffer (allocated by it, writable); only the bytes change. */
	sodium_memzero((char *)json_string_value(v), json_string_length(v));
	return 0;
}

int json_wipe_member(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return v ? json_wipe_string(v) : 0;
}
