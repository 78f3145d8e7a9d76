/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef WARREN_ENROLLD_HTTP_H
#define WARREN_ENROLLD_HTTP_H

#include "core.h"

/* Serves the API until SIGTERM or SIGINT: 0, or -errno with @err set. */
int http_serve(struct enr_ctx *ctx, struct err *err);

#endif
