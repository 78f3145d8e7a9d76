// SPDX-License-Identifier: GPL-2.0-only
/*
 * POST /v1/enroll. The order of the checks is the contract (docs/enroll.md#decisions): who (the
 * token and its secret), whether the token may still be used (revoked, expired, scope), what
 * (the key), then a repeat of an earlier answer, and only for a new device the use count, the
 * hourly rate and the pool. Counters and the allocation reach the disk before the reply.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "core.h"
#include "reply.h"
#include "wgdev.h"
#include "wgstate.h"

int enr_ctx_init(struct enr_ctx *ctx, const char *conf_path, struct err *err)
{
	const char *crash = getenv("WARREN_ENROLLD_TEST_CRASH");
	struct enr_tokens t;
	size_t i;
	int ret;

	memset(ctx, 0, sizeof(*ctx));
	ctx->audit_fd = -1;
	ctx->crash_after_write = crash && !strcmp(crash, "after-state-write");
	if (!enr_conf_load(&ctx->conf, conf_path, err))
		return -EINVAL;
	ret = enr_secret_load(ctx->secret, ctx->conf.secret_file, err);
	if (ret) {
		err_prefix(err, "secret_file: ");
		return ret;
	}
	if (!enr_tokens_load(&t, ctx->conf.tokens_file, err))
		return -EINVAL;
	enr_tokens_free(&t);
	if (!enr_state_load(&ctx->state, ctx->conf.state_file, err))
		return -EINVAL;
	ctx->audit_fd = open(ctx->conf.audit_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (ctx->audit_fd < 0) {
		err_set(err, "audit_file: %.200s: %s", ctx->conf.audit_file, strerror(errno));
		return -errno;
	}
	for (i = 0; i < ctx->state.n_peers; i++) {
		ret = enr_live_add(ctx->conf.interface, ctx->state.peers[i].public_key,
				   ctx->state.peers[i].address, NULL);
		if (ret) {
			err_set(err, "cannot apply enrolled peer \"%s\" to \"%s\": %s",
				ctx->state.peers[i].name, ctx->conf.interface, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

void enr_ctx_free(struct enr_ctx *ctx)
{
	if (ctx->audit_fd >= 0)
		close(ctx->audit_fd);
	sodium_memzero(ctx->secret, sizeof(ctx->secret));
	enr_state_free(&ctx->state);
	enr_conf_free(&ctx->conf);
}

/* Writes the state; on failure the in-memory copy is put back to what is on disk. */
static bool commit(struct enr_ctx *ctx, struct enr_reply *r)
{
	struct err err = {{0}};
	int ret = enr_state_save(&ctx->state, ctx->conf.state_file);

	if (!ret) {
		if (ctx->crash_after_write)
			raise(SIGKILL);
		return true;
	}
	enr_state_free(&ctx->state);
	if (!enr_state_load(&ctx->state, ctx->conf.state_file, &err))
		fprintf(stderr, "warren-enrolld: reloading the state failed: %s\n", err.msg);
	enr_refuse(r, 500, ENR_ERROR,
		   "the server could not record the enrollment (%s); nothing was given out, "
		   "retry later",
		   strerror(-ret));
	return false;
}

static void new_credential(struct enr_ctx *ctx, struct enr_peer *p, uint8_t cred[ENR_SECRET_LEN])
{
	randombytes_buf(cred, ENR_SECRET_LEN);
	enr_hash(p->cred_hash, cred, ctx->secret);
}

/* The peer name: PREFIX + HOSTNAME (first 32) + "-" + six hex digits of the key, so clones differ.
 */
static void peer_name(char name[static ENR_NAME_MAX], const struct enr_token *t,
		      const struct enr_req *q)
{
	char hex[KEY_HEX_LEN];

	key_to_hex(hex, q->public_key);
	snprintf(name, ENR_NAME_MAX, "%.23s%.32s-%.6s", t->name_prefix, q->hostname, hex);
}

/* Answers a device that is already enrolled with this token and key: same name and address. */
static void repeat(struct enr_ctx *ctx, struct enr_peer *p, const uint8_t server_key[KEY_LEN],
		   struct enr_reply *r)
{
	uint8_t cred[ENR_SECRET_LEN];
	int ret;

	new_credential(ctx, p, cred);
	if (commit(ctx, r)) {
		ret = enr_live_add(ctx->conf.interface, p->public_key, p->address, NULL);
		if (ret)
			enr_refuse(r, 503, ENR_ERROR,
				   "enrolled as \"%s\", but applying the peer to the VPN failed "
				   "(%s); retry, the same address comes back",
				   p->name, strerror(-ret));
		else {
			r->status = 200;
			r->result = ENR_REPEAT;
			enr_answer(r, ctx, p, server_key, cred);
		}
	}
	strcpy(r->peer, p->name);
	sodium_memzero(cred, sizeof(cred));
}

static bool token_usable(const struct enr_ctx *ctx, const struct enr_token *t, int64_t now,
			 struct enr_reply *r)
{
	if (t->revoked)
		enr_refuse(r, 403, ENR_REVOKED,
			   "token \"%s\" was revoked; ask the VPN administrator for a new token "
			   "(the agent never sends this one again)",
			   t->id);
	else if (t->expires <= now)
		enr_refuse(r, 403, ENR_EXPIRED,
			   "token \"%s\" expired %lld s ago; ask the VPN administrator for a new "
			   "token (the agent never sends this one again)",
			   t->id, (long long)(now - t->expires));
	else if (*t->interface && strcmp(t->interface, ctx->conf.interface))
		enr_refuse(r, 403, ENR_OUT_OF_SCOPE,
			   "token \"%s\" is for interface \"%s\", this server enrolls into \"%s\"; "
			   "use a token for this server",
			   t->id, t->interface, ctx->conf.interface);
	else if (t->pool.prefix && !enr_pool_contains(&ctx->conf.pool, &t->pool))
		enr_refuse(r, 403, ENR_OUT_OF_SCOPE,
			   "token \"%s\" names a pool outside this server's pool; the "
			   "administrator must fix the token",
			   t->id);
	else
		return true;
	return false;
}

static bool key_free(const struct enr_ctx *ctx, const struct wg_device *live,
		     const struct enr_req *q, const char *token, struct enr_reply *r)
{
	const struct enr_peer *p = enr_state_by_key(&ctx->state, q->public_key);
	char b64[KEY_B64_LEN];

	key_to_base64(b64, q->public_key);
	if (key_eq(q->public_key, live->public_key))
		enr_refuse(r, 422, ENR_SERVER_KEY,
			   "public_key \"%s\" is the VPN server's own key; generate a new key on "
			   "the device",
			   b64);
	else if ((p && strcmp(p->token, token)) || (!p && wgdev_find_peer(live, q->public_key)))
		enr_refuse(r, 409, ENR_DUPLICATE_KEY,
			   "public_key \"%s\" is already in use by peer \"%s\"; a cloned image? "
			   "delete the device's key file so that the agent generates a new key, "
			   "then enroll again",
			   b64, p ? p->name : "(configured by the playbook)");
	else
		return true;
	return false;
}

static void enroll_new(struct enr_ctx *ctx, const struct enr_token *t, const struct enr_req *q,
		       const struct wg_device *live, int64_t now, struct enr_reply *r)
{
	const struct enr_pool *pool = t->pool.prefix ? &t->pool : &ctx->conf.pool;
	struct enr_usage *u = enr_state_usage(&ctx->state, t->id);
	struct enr_peer p = {0};
	uint8_t cred[ENR_SECRET_LEN];
	int64_t window = now / 3600;
	int ret;

	if (!u) {
		enr_refuse(r, 500, ENR_ERROR, "out of memory; retry");
		return;
	}
	if (u->window != window) {
		u->window = window;
		u->in_window = 0;
	}
	if (t->uses && u->uses >= t->uses) {
		enr_refuse(r, 403, ENR_USED_UP,
			   "token \"%s\" is used up (%llu of %llu uses); ask the VPN "
			   "administrator for a new token (the agent never sends this one "
			   "again)",
			   t->id, (unsigned long long)u->uses, (unsigned long long)t->uses);
		return;
	}
	if (t->rate_per_hour && u->in_window >= t->rate_per_hour) {
		r->retry_after = (unsigned int)((window + 1) * 3600 - now);
		enr_refuse(r, 429, ENR_RATE_LIMITED,
			   "token \"%s\" allows %u enrollments an hour and had them; retry "
			   "after %u s",
			   t->id, t->rate_per_hour, r->retry_after);
		return;
	}
	peer_name(p.name, t, q);
	if (!wgstate_name_valid(p.name) || enr_state_by_name(&ctx->state, p.name)) {
		enr_refuse(r, 409, ENR_DUPLICATE_KEY,
			   "peer name \"%s\" is taken; use another hostname", p.name);
		return;
	}
	if (enr_alloc(pool, &ctx->state, live, &p.address)) {
		enr_refuse(r, 409, ENR_POOL_EXHAUSTED,
			   "the address pool of token \"%s\" is exhausted; the "
			   "administrator must widen the pool or remove enrolled peers",
			   t->id);
		return;
	}
	memcpy(p.public_key, q->public_key, KEY_LEN);
	strcpy(p.token, t->id);
	strcpy(p.hostname, q->hostname);
	strcpy(p.profile, t->profile);
	p.enrolled = now;
	new_credential(ctx, &p, cred);
	if (enr_state_add(&ctx->state, &p)) {
		sodium_memzero(cred, sizeof(cred));
		enr_refuse(r, 500, ENR_ERROR, "out of memory; retry");
		return;
	}
	u = enr_state_usage(&ctx->state, t->id);
	u->uses++;
	u->in_window++;
	strcpy(r->peer, p.name);
	if (commit(ctx, r)) {
		ret = enr_live_add(ctx->conf.interface, p.public_key, p.address, NULL);
		if (ret)
			enr_refuse(r, 503, ENR_ERROR,
				   "enrolled as \"%s\", but applying the peer to the VPN failed "
				   "(%s); retry, the same address comes back",
				   p.name, strerror(-ret));
		else {
			r->status = 201;
			r->result = ENR_OK;
			enr_answer(r, ctx, &p, live->public_key, cred);
		}
	}
	sodium_memzero(cred, sizeof(cred));
}

void enr_enroll(struct enr_ctx *ctx, const char *body, size_t len, int64_t now, struct enr_reply *r)
{
	struct wg_device *live = NULL;
	struct enr_tokens toks = {0};
	struct enr_token *t;
	struct enr_peer *p;
	struct enr_req q;
	struct err err = {{0}};
	uint8_t h[ENR_SECRET_LEN];
	int ret;

	if (!enr_req_parse(&q, body, len, false, &err)) {
		enr_refuse(r, 422, ENR_INVALID, "%s", err.msg);
		return;
	}
	memcpy(r->key, q.public_key, KEY_LEN);
	r->has_key = true;
	strcpy(r->token, q.token_id);
	if (!enr_tokens_load(&toks, ctx->conf.tokens_file, &err)) {
		enr_refuse(r, 500, ENR_ERROR,
			   "the server's token store is unreadable; retry later");
		fprintf(stderr, "warren-enrolld: tokens_file: %s\n", err.msg);
		goto out;
	}
	t = enr_tokens_find(&toks, q.token_id);
	enr_hash(h, q.secret, ctx->secret);
	if (!t || sodium_memcmp(h, t->hash, sizeof(h))) {
		enr_refuse(r, 401, ENR_UNKNOWN_TOKEN,
			   "token \"%s\" is not known here or its secret is wrong; check that the "
			   "device has the whole token as it was created",
			   q.token_id);
		goto out;
	}
	if (!token_usable(ctx, t, now, r))
		goto out;
	ret = wgdev_get(&live, ctx->conf.interface);
	if (ret) {
		enr_refuse(r, 503, ENR_ERROR,
			   "the VPN interface \"%s\" cannot be read (%s); retry later",
			   ctx->conf.interface, strerror(-ret));
		goto out;
	}
	if (!key_free(ctx, live, &q, t->id, r))
		goto out;
	p = enr_state_by_key(&ctx->state, q.public_key);
	if (p)
		repeat(ctx, p, live->public_key, r);
	else
		enroll_new(ctx, t, &q, live, now, r);
out:
	sodium_memzero(h, sizeof(h));
	enr_req_wipe(&q);
	enr_tokens_free(&toks);
	wgdev_free(live);
}
