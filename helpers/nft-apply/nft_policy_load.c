// SPDX-License-Identifier: GPL-2.0-only
/* Reading a policy file and handing the document to nft_policy_parse (nft_policy.c). */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nft_policy.h"

/*
 * A policy with 10,000 peers is some 200,000 JSON values. The document lives only while it is
 * parsed, so jansson allocates from an arena that is released whole: no per-value malloc/free.
 */
struct arena {
	struct arena *next;
	size_t used, size;
	max_align_t data[];
};

static struct arena *arena;

static void *arena_malloc(size_t n)
{
	struct arena *a;

	n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	if (!arena || arena->size - arena->used < n) {
		size_t size = n > (1U << 20) ? n : (1U << 20);

		a = malloc(sizeof(*a) + size);
		if (!a)
			return NULL;
		a->next = arena;
		a->used = 0;
		a->size = size;
		arena = a;
	}
	a = arena;
	a->used += n;
	return (char *)a->data + a->used - n;
}

static void arena_free(void *p)
{
	(void)p;
}

static void arena_release(void)
{
	struct arena *next;

	for (; arena; arena = next) {
		next = arena->next;
		free(arena);
	}
}

char *nft_policy_read(const char *path, size_t *len, struct err *err)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL, *q;
	size_t cap = 0, n;

	if (!f) {
		err_set(err, "cannot read policy \"%s\": %s", path, strerror(errno));
		return NULL;
	}
	*len = 0;
	do {
		if (cap - *len < 65536) {
			q = realloc(buf, cap = cap ? cap * 2 : 1U << 20);
			if (!q) {
				free(buf);
				fclose(f);
				err_set(err, "out of memory reading \"%s\"", path);
				return NULL;
			}
			buf = q;
		}
		n = fread(buf + *len, 1, cap - *len, f);
		*len += n;
	} while (n > 0);
	if (ferror(f)) {
		err_set(err, "cannot read policy \"%s\": %s", path, strerror(errno));
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

bool nft_policy_load_buf(struct nft_policy *pol, const char *buf, size_t len, const char *path,
			 struct err *err)
{
	json_error_t jerr;
	json_t *doc;
	bool ok = false;

	memset(pol, 0, sizeof(*pol));
	json_set_alloc_funcs(arena_malloc, arena_free);
	doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc)
		err_set(err, "cannot parse policy \"%s\": %s (line %d)", path, jerr.text,
			jerr.line);
	else
		ok = nft_policy_parse(pol, doc, err);
	json_decref(doc);
	json_set_alloc_funcs(malloc, free);
	arena_release();
	return ok;
}

bool nft_policy_load(struct nft_policy *pol, const char *path, struct err *err)
{
	size_t len;
	char *buf;
	bool ok;

	memset(pol, 0, sizeof(*pol));
	buf = nft_policy_read(path, &len, err);
	if (!buf)
		return false;
	ok = nft_policy_load_buf(pol, buf, len, path, err);
	free(buf);
	return ok;
}
