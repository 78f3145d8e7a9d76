// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "buf.h"

static int grow(struct buf *b, size_t need)
{
	size_t cap = b->cap ? b->cap : 256;
	char *p;

	if (need < b->len || need == (size_t)-1)
		return -EOVERFLOW;
	if (need + 1 <= b->cap)
		return 0;
	while (cap < need + 1) {
		if (cap > ((size_t)-1) / 2)
			return -EOVERFLOW;
		cap *= 2;
	}
	p = malloc(cap);
	if (!p)
		return -ENOMEM;
	if (b->data) {
		memcpy(p, b->data, b->len + 1);
		sodium_memzero(b->data, b->cap);
		free(b->data);
	} else {
		p[0] = '\0';
	}
	b->data = p;
	b->cap = cap;
	return 0;
}

int buf_append(struct buf *b, const void *data, size_t len)
{
	int ret = grow(b, b->len + len);

	if (ret)
		return ret;
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n, ret;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	ret = grow(b, b->len + (size_t)n);
	if (ret)
		return ret;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void buf_free(struct buf *b)
{
	if (b->data) {
		sodium_memzero(b->data, b->cap);
		free(b->data);
	}
	b->data = NULL;
	b->len = b->cap = 0;
}
