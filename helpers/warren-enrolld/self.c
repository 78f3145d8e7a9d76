// SPDX-License-Identifier: GPL-2.0-only
/* POST /v1/rotate and GET /v1/self: authenticated by the device credential ("Bearer NAME.HEX"). */
#include <string.h>

#include <sodium.h>

#include "core.h"
#include "reply.h"
#include "wgdev.h"

static struct enr_peer *authenticate(struct enr_ctx *ctx, const char *auth, struct enr_reply *r)
{
	char name[ENR_NAME_MAX];
	uint8_t cred[ENR_SECRET_LEN], h[ENR_SECRET_LEN];
	struct enr_peer *p = NULL;
	bool ok;

	if (!auth || strncmp(auth, "Bearer ", 7) ||
	    !enr_secret_parse(name, sizeof(name), cred, auth + 7)) {
		enr_refuse(r, 401, ENR_BAD_CREDENTIAL,
			   "send the device credential from the enrollment answer as "
			   "\"Authorization: Bearer NAME.SECRET\"");
		return NULL;
	}
	enr_hash(h, cred, ctx->secret);
	p = enr_state_by_name(&ctx->state, name);
	ok = p && !sodium_memcmp(h, p->cred_hash, sizeof(h));
	sodium_memzero(cred, sizeof(cred));
	if (!ok) {
		enr_refuse(r, 401, ENR_BAD_CREDENTIAL,
			   "the device credential for \"%.63s\" is not valid (the peer was removed "
			   "or enrolled again); enroll again with a new token",
			   name);
		return NULL;
	}
	strcpy(r->peer, p->name);
	strcpy(r->token, p->token);
	return p;
}

void enr_rotate(struct enr_ctx *ctx, const char *auth, const char *body, size_t len,
		struct enr_reply *r)
{
	struct enr_peer *p = authenticate(ctx, auth, r), *other;
	struct wg_device *live = NULL;
	uint8_t old[KEY_LEN];
	struct enr_req q;
	struct err err = {{0}};
	int ret;

	if (!p)
		return;
	if (!enr_req_parse(&q, body, len, true, &err)) {
		enr_refuse(r, 422, ENR_INVALID, "%s", err.msg);
		return;
	}
	memcpy(r->key, q.public_key, KEY_LEN);
	r->has_key = true;
	ret = wgdev_get(&live, ctx->conf.interface);
	if (ret) {
		enr_refuse(r, 503, ENR_ERROR, "the VPN interface cannot be read (%s); retry",
			   strerror(-ret));
		return;
	}
	other = enr_state_by_key(&ctx->state, q.public_key);
	if (key_eq(q.public_key, live->public_key))
		enr_refuse(r, 422, ENR_SERVER_KEY,
			   "public_key is the VPN server's own key; generate a new key");
	else if ((other && other != p) || (!other && wgdev_find_peer(live, q.public_key)))
		enr_refuse(r, 409, ENR_DUPLICATE_KEY,
			   "public_key is already in use by another peer; generate a new key");
	else {
		memcpy(old, p->public_key, KEY_LEN);
		memcpy(p->public_key, q.public_key, KEY_LEN);
		ret = enr_state_save(&ctx->state, ctx->conf.state_file);
		if (ret) {
			memcpy(p->public_key, old, KEY_LEN);
			enr_refuse(r, 500, ENR_ERROR, "the new key could not be recorded; retry");
		} else if ((ret = enr_live_add(ctx->conf.interface, p->public_key, p->address,
					       key_eq(old, p->public_key) ? NULL : old))) {
			enr_refuse(r, 503, ENR_ERROR,
				   "the new key is recorded but applying it failed (%s); retry",
				   strerror(-ret));
		} else {
			r->status = 200;
			r->result = ENR_ROTATED;
			enr_answer(r, ctx, p, live->public_key, NULL);
		}
	}
	wgdev_free(live);
}

void enr_self(struct enr_ctx *ctx, const char *auth, struct enr_reply *r)
{
	struct enr_peer *p = authenticate(ctx, auth, r);
	struct wg_device *live = NULL;
	struct wg_peer *lp;

	if (!p)
		return;
	if (wgdev_get(&live, ctx->conf.interface)) {
		enr_refuse(r, 503, ENR_ERROR, "the VPN interface cannot be read; retry");
		return;
	}
	r->status = 200;
	r->result = ENR_SELF;
	memcpy(r->key, p->public_key, KEY_LEN);
	r->has_key = true;
	enr_answer(r, ctx, p, live->public_key, NULL);
	lp = wgdev_find_peer(live, p->public_key);
	if (r->body)
		json_object_set_new(r->body, "latest_handshake",
				    json_integer(lp ? lp->last_handshake_sec : 0));
	wgdev_free(live);
}
