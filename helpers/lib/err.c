// SPDX-License-Identifier: GPL-2.0-only
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

bool err_set(struct err *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return false;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return false;
}

void err_prefix(struct err *err, const char *fmt, ...)
{
	char head[256], tail[sizeof(err->msg)];
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	size_t n = strnlen(head, sizeof(head));

	memcpy(tail, err->msg, sizeof(tail));
	if (n >= sizeof(err->msg))
		n = sizeof(err->msg) - 1;
	memcpy(err->msg, head, n);
	snprintf(err->msg + n, sizeof(err->msg) - n, "%.*s", (int)(sizeof(tail) - 1), tail);
}
