/* SPDX-License-Identifier: GPL-2.0-only */
/* The enrollment decisions, independent of HTTP: each returns a status, a message and a body. */
#ifndef WARREN_ENROLLD_CORE_H
#define WARREN_ENROLLD_CORE_H

#include "enr.h"
#include "wgdev.h"

enum enr_result {
	ENR_OK,
	ENR_REPEAT,
	ENR_ROTATED,
	ENR_SELF,
	ENR_UNKNOWN_TOKEN,
	ENR_BAD_CREDENTIAL,
	ENR_REVOKED,
	ENR_EXPIRED,
	ENR_USED_UP,
	ENR_OUT_OF_SCOPE,
	ENR_RATE_LIMITED,
	ENR_DUPLICATE_KEY,
	ENR_SERVER_KEY,
	ENR_POOL_EXHAUSTED,
	ENR_INVALID,
	ENR_ERROR,
	ENR_N_RESULTS,
};

struct enr_ctx {
	struct enr_conf conf;
	uint8_t secret[KEY_LEN]; /* keys every token and credential hash */
	struct enr_state state;
	uint64_t counts[ENR_N_RESULTS];
	bool crash_after_write; /* tests: SIGKILL between the state write and the reply */
	int audit_fd;
};

struct enr_reply {
	unsigned int status;
	enum enr_result result;
	unsigned int retry_after; /* seconds, for 429 */
	json_t *body;		  /* the answer, or {"error": RESULT, "message": MSG} */
	char peer[ENR_NAME_MAX];
	char token[ENR_ID_MAX + 1];
	uint8_t key[KEY_LEN];
	bool has_key;
};

const char *enr_result_name(enum enr_result r);

/* Loads configuration, server secret and state; applies every enrolled peer live. */
int enr_ctx_init(struct enr_ctx *ctx, const char *conf_path, struct err *err);
void enr_ctx_free(struct enr_ctx *ctx);

void enr_enroll(struct enr_ctx *ctx, const char *body, size_t len, int64_t now,
		struct enr_reply *r);
void enr_rotate(struct enr_ctx *ctx, const char *auth, const char *body, size_t len,
		struct enr_reply *r);
void enr_self(struct enr_ctx *ctx, const char *auth, struct enr_reply *r);
/* Prometheus text: enrollments by result and free addresses in the pool. */
char *enr_metrics(struct enr_ctx *ctx);
/* One audit record: a JSON line in the audit file and on stderr (the journal). No secrets. */
void enr_audit(struct enr_ctx *ctx, const char *event, const struct enr_reply *r,
	       const char *source);

/* live.c: the WireGuard interface, through helpers/lib's wgdev (the same code as wg-peer-sync). */
int enr_live_add(const char *ifname, const uint8_t key[static KEY_LEN], uint32_t addr,
		 const uint8_t *remove_key);
/* alloc.c: the lowest free address of @pool, skipping its first and last; -ENOSPC. */
int enr_alloc(const struct enr_pool *pool, const struct enr_state *s, const struct wg_device *live,
	      uint32_t *addr);
size_t enr_pool_free(const struct enr_pool *pool, const struct enr_state *s,
		     const struct wg_device *live);

#endif
