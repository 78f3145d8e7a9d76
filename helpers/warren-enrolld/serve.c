// SPDX-License-Identifier: GPL-2.0-only
/* warren-enrolld serve CONFIG.json: load, re-apply enrolled peers, serve until SIGTERM. */
#include <errno.h>
#include <string.h>

#include "cmd.h"
#include "http.h"
#include "json_wipe.h"
#include "out.h"

int serve_main(int argc, char *argv[])
{
	struct enr_ctx ctx;
	struct err err = {{0}};
	int ret;

	if (argc != 2)
		return json_out_fail(EXIT_INVALID, "usage: warren-enrolld serve CONFIG.json");
	json_wipe_alloc();
	ret = enr_ctx_init(&ctx, argv[1], &err);
	if (ret) {
		enr_ctx_free(&ctx);
		return json_out_fail_err(ret == -EINVAL ? EXIT_INVALID : EXIT_RUNTIME, &err);
	}
	ret = http_serve(&ctx, &err);
	enr_ctx_free(&ctx);
	if (ret)
		return json_out_fail_err(EXIT_RUNTIME, &err);
	return json_out_print(json_pack("{s:b,s:s}", "changed", 0, "stopped", "signal"));
}
