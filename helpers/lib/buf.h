/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A growable byte buffer for generated files that may hold secrets: every reallocation and the
 * final free wipe the old memory (sodium_memzero), so no copy of a key is left on the heap.
 */
#ifndef WARREN_BUF_H
#define WARREN_BUF_H

#include <stddef.h>

struct buf {
	char *data; /* always NUL-terminated when non-NULL */
	size_t len, cap;
};

int buf_append(struct buf *b, const void *data, size_t len);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Wipes and frees; the buffer is empty and reusable afterwards. */
void buf_free(struct buf *b);

#endif
