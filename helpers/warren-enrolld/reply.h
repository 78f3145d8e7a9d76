/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef WARREN_ENROLLD_REPLY_H
#define WARREN_ENROLLD_REPLY_H

#include "core.h"

/* Sets @r to a refusal: {"error": RESULT-NAME, "message": what to do}. */
void enr_refuse(struct enr_reply *r, unsigned int status, enum enr_result res, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Sets @r's body to @p's answer; @cred (may be NULL) the new device credential. */
void enr_answer(struct enr_reply *r, const struct enr_ctx *ctx, const struct enr_peer *p,
		const uint8_t server_key[static KEY_LEN], const uint8_t *cred);

#endif
