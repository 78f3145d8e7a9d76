// SPDX-License-Identifier: GPL-2.0-only
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "out.h"

int json_out_print(json_t *doc)
{
	int ret = 0;

	if (!doc)
		return json_out_fail(EXIT_RUNTIME, "out of memory");
	if (json_dumpf(doc, stdout, JSON_COMPACT | JSON_SORT_KEYS) < 0 ||
	    fputc('\n', stdout) == EOF || fflush(stdout) == EOF)
		ret = EXIT_RUNTIME;
	json_decref(doc);
	return ret;
}

/* Length of the well-formed UTF-8 sequence at @s (1-4 bytes), 0 when none starts there. */
static size_t utf8_seq(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xe0 && s[0] <= 0xef) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		/* no overlong forms, no UTF-16 surrogates */
		return (s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ? 0 : 3;
	}
	if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
			return 0;
		return (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90) ? 0 : 4;
	}
	return 0;
}

bool json_out_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	for (; *p; p += n)
		if (!(n = utf8_seq(p)))
			return false;
	return true;
}

/* @msg with each byte that is not part of well-formed UTF-8 written as \xNN. */
static void utf8_escape(char *out, size_t size, const char *msg)
{
	const unsigned char *p = (const unsigned char *)msg;
	size_t len = 0, n;

	for (; *p && len + 5 < size; p += n) {
		n = utf8_seq(p);
		if (n) {
			memcpy(out + len, p, n);
			len += n;
		} else {
			len += (size_t)snprintf(out + len, size - len, "\\x%02x", *p);
			n = 1;
		}
	}
	out[len] = '\0';
}

static int fail_msg(int code, const char *msg)
{
	char escaped[4096];
	json_t *doc;

	/* A message may quote a path that is not UTF-8, which JSON cannot carry as it is. */
	if (!json_out_utf8(msg)) {
		utf8_escape(escaped, sizeof(escaped), msg);
		msg = escaped;
	}
	doc = json_pack("{s:b,s:s}", "failed", 1, "msg", msg);

	if (!doc) {
		fputs("{\"failed\":true,\"msg\":\"out of memory\"}\n", stdout);
		return code;
	}
	json_dumpf(doc, stdout, JSON_COMPACT | JSON_SORT_KEYS);
	fputc('\n', stdout);
	fflush(stdout);
	json_decref(doc);
	return code;
}

int json_out_fail(int code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return fail_msg(code, msg);
}

int json_out_fail_err(int code, const struct err *err)
{
	return fail_msg(code, err->msg[0] ? err->msg : "unknown error");
}

const char *json_out_strerror(int neg_errno)
{
	return strerror(neg_errno < 0 ? -neg_errno : neg_errno);
}
