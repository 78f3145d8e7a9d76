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

static int fail_msg(int code, const char *msg)
{
	json_t *doc = json_pack("{s:b,s:s}", "failed", 1, "msg", msg);

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
