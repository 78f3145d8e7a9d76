// SPDX-License-Identifier: GPL-2.0-only
/* Replies: the device's configuration (no private key in it) and refusals that say what to do. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "buf.h"
#include "core.h"
#include "reply.h"

static const char *const names[ENR_N_RESULTS] = {
    [ENR_OK] = "enrolled",
    [ENR_REPEAT] = "repeated",
    [ENR_ROTATED] = "rotated",
    [ENR_SELF] = "self",
    [ENR_UNKNOWN_TOKEN] = "unknown_token",
    [ENR_BAD_CREDENTIAL] = "bad_credential",
    [ENR_REVOKED] = "revoked",
    [ENR_EXPIRED] = "expired",
    [ENR_USED_UP] = "used_up",
    [ENR_OUT_OF_SCOPE] = "out_of_scope",
    [ENR_RATE_LIMITED] = "rate_limited",
    [ENR_DUPLICATE_KEY] = "duplicate_key",
    [ENR_SERVER_KEY] = "server_key",
    [ENR_POOL_EXHAUSTED] = "pool_exhausted",
    [ENR_INVALID] = "invalid",
    [ENR_ERROR] = "error",
};

const char *enr_result_name(enum enr_result r)
{
	return r < ENR_N_RESULTS ? names[r] : "error";
}

void enr_refuse(struct enr_reply *r, unsigned int status, enum enr_result res, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->status = status;
	r->result = res;
	json_decref(r->body);
	r->body = json_pack("{s:s,s:s}", "error", enr_result_name(res), "message", msg);
}

static char *config_text(const struct enr_ctx *ctx, const struct enr_peer *p,
			 const char *server_key)
{
	struct buf b = {0};
	char addr[16];
	json_t *v;
	size_t i;
	int ret;

	enr_addr_str(addr, p->address);
	ret = buf_printf(&b,
			 "[Interface]\n# %s, enrolled by warren-enrolld. The private key is not in "
			 "this file:\n# the agent adds PostUp = wg set %%i private-key KEYFILE.\n"
			 "Address = %s/32\n\n[Peer]\nPublicKey = %s\nEndpoint = %s\nAllowedIPs = ",
			 p->name, addr, server_key, ctx->conf.endpoint);
	json_array_foreach (ctx->conf.allowed_ips, i, v) {
		if (!ret)
			ret = buf_printf(&b, "%s%s", i ? ", " : "", json_string_value(v));
	}
	if (!ret && ctx->conf.keepalive)
		ret = buf_printf(&b, "\nPersistentKeepalive = %u", ctx->conf.keepalive);
	if (!ret)
		ret = buf_append(&b, "\n", 1);
	if (ret) {
		buf_free(&b);
		return NULL;
	}
	return b.data;
}

void enr_answer(struct enr_reply *r, const struct enr_ctx *ctx, const struct enr_peer *p,
		const uint8_t server_key[static KEY_LEN], const uint8_t *cred)
{
	char skey[KEY_B64_LEN], dkey[KEY_B64_LEN], addr[16],
	    credtext[ENR_NAME_MAX + ENR_SECRET_HEX];
	char *conf = config_text(ctx, p, (key_to_base64(skey, server_key), skey));

	key_to_base64(dkey, p->public_key);
	enr_addr_str(addr, p->address);
	json_decref(r->body);
	r->body = json_pack(
	    "{s:s,s:s,s:s,s:s+,s:s,s:s,s:O,s:i,s:s,s:s,s:s,s:I}", "api", "v1", "name", p->name,
	    "public_key", dkey, "address", addr, "/32", "server_public_key", skey, "endpoint",
	    ctx->conf.endpoint, "allowed_ips", ctx->conf.allowed_ips, "persistent_keepalive",
	    (int)ctx->conf.keepalive, "profile", p->profile, "config", conf ? conf : "", "token",
	    p->token, "enrolled", (json_int_t)p->enrolled);
	free(conf);
	if (r->body && cred) {
		size_t n = strlen(p->name);

		memcpy(credtext, p->name, n);
		credtext[n] = '.';
		sodium_bin2hex(credtext + n + 1, ENR_SECRET_HEX, cred, ENR_SECRET_LEN);
		json_object_set_new(r->body, "credential", json_string(credtext));
		sodium_memzero(credtext, sizeof(credtext));
	}
	if (!r->body)
		enr_refuse(r, 500, ENR_ERROR, "out of memory building the answer; retry");
}
