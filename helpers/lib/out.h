/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one JSON contract of every warren helper:
 *   success: exactly one JSON object (or array, for Zabbix LLD) on stdout, exit 0;
 *   failure: {"failed": true, "msg": "..."} on stdout, exit 2 for invalid input
 *            (nothing was changed) or 1 for a runtime failure.
 * Output is compact, one line, keys sorted, so it is deterministic.
 */
#ifndef WARREN_OUT_H
#define WARREN_OUT_H

#include <stdbool.h>

#include <jansson.h>

#include "err.h"

enum {
	EXIT_RUNTIME = 1,
	EXIT_INVALID = 2,
};

/* Prints @doc as one line on stdout and releases it. Returns 0, or EXIT_RUNTIME if stdout failed.
 */
int json_out_print(json_t *doc);
/* Prints the failure object with a printf-formatted message and returns @code. */
int json_out_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Same, with the message of @err. */
int json_out_fail_err(int code, const struct err *err);
/*
 * Whether @s is well-formed UTF-8, as every string in JSON must be. A command checks the paths it
 * will echo in its result before it changes anything; failure messages escape other bytes as \xNN.
 */
bool json_out_utf8(const char *s);
/* Formats -errno as text for messages: "No such device". */
const char *json_out_strerror(int neg_errno);

#endif
