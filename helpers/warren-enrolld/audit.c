// SPDX-License-Identifier: GPL-2.0-only
/* The audit trail (a JSON line per decision, in a file and on stderr for the journal) and the
 * Prometheus metrics. Never a secret: the token id, the key's fingerprint, the source, the result.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "buf.h"
#include "core.h"
#include "wgdev.h"

void enr_audit(struct enr_ctx *ctx, const char *event, const struct enr_reply *r,
	       const char *source)
{
	uint8_t fp[8];
	char hex[17] = "";
	json_t *o;
	char *line;

	ctx->counts[r->result < ENR_N_RESULTS ? r->result : ENR_ERROR]++;
	if (r->has_key) {
		crypto_generichash(fp, sizeof(fp), r->key, KEY_LEN, NULL, 0);
		sodium_bin2hex(hex, sizeof(hex), fp, sizeof(fp));
	}
	o = json_pack("{s:I,s:s,s:s,s:i,s:s,s:s,s:s,s:s}", "time", (json_int_t)time(NULL), "event",
		      event, "result", enr_result_name(r->result), "status", (int)r->status,
		      "token_id", r->token, "key_fingerprint", hex, "source", source, "peer",
		      r->peer);
	if (o && r->status >= 400)
		json_object_set(o, "message", json_object_get(r->body, "message"));
	line = o ? json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT) : NULL;
	if (line) {
		dprintf(ctx->audit_fd, "%s\n", line);
		fsync(ctx->audit_fd);
		fprintf(stderr, "warren-enrolld: audit %s\n", line);
	}
	free(line);
	json_decref(o);
}

char *enr_metrics(struct enr_ctx *ctx)
{
	struct wg_device *live = NULL;
	struct buf b = {0};
	int i, ret;

	ret = buf_printf(&b, "# HELP warren_enroll_requests_total Enrollment API decisions by "
			     "result.\n# TYPE warren_enroll_requests_total counter\n");
	for (i = 0; !ret && i < ENR_N_RESULTS; i++)
		ret = buf_printf(&b, "warren_enroll_requests_total{result=\"%s\"} %llu\n",
				 enr_result_name(i), (unsigned long long)ctx->counts[i]);
	if (!ret)
		ret = buf_printf(&b,
				 "# HELP warren_enroll_enrolled_peers Enrolled peers.\n"
				 "# TYPE warren_enroll_enrolled_peers gauge\n"
				 "warren_enroll_enrolled_peers %zu\n",
				 ctx->state.n_peers);
	if (!ret && !wgdev_get(&live, ctx->conf.interface))
		ret = buf_printf(&b,
				 "# HELP warren_enroll_pool_free_addresses Free addresses in "
				 "the server's enrollment pool.\n"
				 "# TYPE warren_enroll_pool_free_addresses gauge\n"
				 "warren_enroll_pool_free_addresses %zu\n",
				 enr_pool_free(&ctx->conf.pool, &ctx->state, live));
	wgdev_free(live);
	if (ret) {
		buf_free(&b);
		return NULL;
	}
	return b.data;
}
