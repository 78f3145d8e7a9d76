/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Error messages from library code. Library functions return 0 or -errno (parsers
 * return bool) and describe the failure in a struct err; only the command layer
 * prints it (see out.h). Messages quote the offending value, never a secret.
 */
#ifndef WARREN_ERR_H
#define WARREN_ERR_H

#include <stdbool.h>

struct err {
	char msg[512];
};

/* Sets err->msg from a printf format; always returns false so parsers can `return err_set(...)`. */
bool err_set(struct err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prefixes err->msg with a printf-formatted context such as `peer "alice": `. */
void err_prefix(struct err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
