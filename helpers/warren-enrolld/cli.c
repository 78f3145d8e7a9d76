// SPDX-License-Identifier: GPL-2.0-only
/*
 * warren-enrolld token create|list|revoke, and secret: the administrator's side of the token
 * store. The token's secret is printed once by create and stored nowhere; the store keeps its
 * keyed hash.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cmd.h"
#include "enr.h"
#include "num.h"
#include "out.h"
#include "wgdev.h"

struct opts {
	const char *tokens, *secret, *id, *profile, *pool, *prefix, *iface, *state;
	uint64_t uses, rate, expires_in, expires_at;
	bool check;
};

static int parse_opts(struct opts *o, int argc, char *argv[], const char **pos)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool num = false;

		if (!strcmp(a, "--check")) {
			o->check = true;
			continue;
		}
		if (a[0] != '-') {
			if (*pos)
				return json_out_fail(EXIT_INVALID, "unexpected argument \"%.64s\"",
						     a);
			*pos = a;
			continue;
		}
		if (!v)
			return json_out_fail(EXIT_INVALID, "%.32s needs a value", a);
		i++;
		if (!strcmp(a, "--tokens"))
			o->tokens = v;
		else if (!strcmp(a, "--secret"))
			o->secret = v;
		else if (!strcmp(a, "--state"))
			o->state = v;
		else if (!strcmp(a, "--id"))
			o->id = v;
		else if (!strcmp(a, "--profile"))
			o->profile = v;
		else if (!strcmp(a, "--pool"))
			o->pool = v;
		else if (!strcmp(a, "--prefix"))
			o->prefix = v;
		else if (!strcmp(a, "--interface"))
			o->iface = v;
		else if (!strcmp(a, "--uses"))
			num = num_parse_u64(v, 0, 1000000, &o->uses, NULL);
		else if (!strcmp(a, "--rate"))
			num = num_parse_u64(v, 0, 1000000, &o->rate, NULL);
		else if (!strcmp(a, "--expires-in"))
			num = num_parse_u64(v, 1, 10ULL * 365 * 86400, &o->expires_in, NULL);
		else if (!strcmp(a, "--expires-at"))
			num = num_parse_u64(v, 1, INT64_MAX, &o->expires_at, NULL);
		else
			return json_out_fail(EXIT_INVALID, "unknown option \"%.32s\"", a);
		if (!num && (!strcmp(a, "--uses") || !strcmp(a, "--rate") ||
			     !strcmp(a, "--expires-in") || !strcmp(a, "--expires-at")))
			return json_out_fail(EXIT_INVALID, "%s: \"%.32s\" is not a number in range",
					     a, v);
	}
	if (!o->tokens)
		return json_out_fail(EXIT_INVALID, "--tokens FILE is required");
	return 0;
}

/* The store, or an empty one when the file does not exist yet. */
static int load(struct enr_tokens *t, const char *path)
{
	struct err err = {{0}};

	memset(t, 0, sizeof(*t));
	if (access(path, F_OK) && errno == ENOENT)
		return 0;
	if (!enr_tokens_load(t, path, &err))
		return json_out_fail_err(EXIT_INVALID, &err);
	return 0;
}

static int create(struct opts *o)
{
	struct enr_tokens t;
	struct enr_token *n;
	uint8_t key[KEY_LEN], secret[ENR_SECRET_LEN];
	char hex[ENR_SECRET_HEX], text[ENR_ID_MAX + ENR_SECRET_HEX + 1];
	struct err err = {{0}};
	int ret;

	if (!o->secret || !o->id || !o->profile)
		return json_out_fail(EXIT_INVALID,
				     "token create needs --secret, --id and --profile");
	if (!enr_id_valid(o->id))
		return json_out_fail(EXIT_INVALID, "--id: \"%.64s\" must be 1-32 of a-z 0-9 -",
				     o->id);
	ret = load(&t, o->tokens);
	if (ret)
		return ret;
	if (enr_tokens_find(&t, o->id)) {
		enr_tokens_free(&t);
		return json_out_fail(EXIT_INVALID,
				     "token \"%s\" exists; revoke it or use another id", o->id);
	}
	n = realloc(t.v, (t.n + 1) * sizeof(*n));
	if (!n) {
		enr_tokens_free(&t);
		return json_out_fail(EXIT_RUNTIME, "out of memory");
	}
	t.v = n;
	n = &t.v[t.n++];
	memset(n, 0, sizeof(*n));
	ret = EXIT_INVALID;
	if (strlen(o->profile) >= sizeof(n->profile) ||
	    (o->prefix && strlen(o->prefix) >= sizeof(n->name_prefix)) ||
	    (o->iface && !wgdev_ifname_valid(o->iface))) {
		ret = json_out_fail(EXIT_INVALID, "--profile, --prefix or --interface is too long");
		goto out;
	}
	if (o->pool && !enr_pool_parse(&n->pool, o->pool, &err)) {
		ret = json_out_fail(EXIT_INVALID, "--pool: %s", err.msg);
		goto out;
	}
	strcpy(n->id, o->id);
	strcpy(n->profile, o->profile);
	if (o->prefix)
		strcpy(n->name_prefix, o->prefix);
	if (o->iface)
		strcpy(n->interface, o->iface);
	n->uses = o->uses;
	n->rate_per_hour = (uint32_t)o->rate;
	n->expires =
	    o->expires_at ? (int64_t)o->expires_at : (int64_t)time(NULL) + (int64_t)o->expires_in;
	if (enr_secret_load(key, o->secret, &err)) {
		ret = json_out_fail(EXIT_INVALID, "--secret: %s", err.msg);
		goto out;
	}
	randombytes_buf(secret, sizeof(secret));
	enr_hash(n->hash, secret, key);
	sodium_memzero(key, sizeof(key));
	ret = enr_tokens_save(&t, o->tokens);
	if (ret) {
		ret = json_out_fail(EXIT_RUNTIME, "%s: %s", o->tokens, strerror(-ret));
		goto out;
	}
	sodium_bin2hex(hex, sizeof(hex), secret, sizeof(secret));
	snprintf(text, sizeof(text), "%s.%s", o->id, hex);
	ret = json_out_print(json_pack("{s:b,s:s,s:s,s:I}", "changed", 1, "id", o->id, "token",
				       text, "expires", (json_int_t)n->expires));
	sodium_memzero(hex, sizeof(hex));
	sodium_memzero(text, sizeof(text));
out:
	sodium_memzero(secret, sizeof(secret));
	enr_tokens_free(&t);
	return ret;
}

static int list(struct opts *o)
{
	struct enr_state st = {0};
	struct enr_tokens t;
	struct err err = {{0}};
	json_t *arr = json_array();
	size_t i;
	int ret = load(&t, o->tokens);

	if (ret)
		return ret;
	if (o->state && !enr_state_load(&st, o->state, &err)) {
		enr_tokens_free(&t);
		return json_out_fail_err(EXIT_INVALID, &err);
	}
	for (i = 0; i < t.n; i++) {
		json_t *j = enr_token_json(&t.v[i], false);
		struct enr_usage *u = o->state ? enr_state_usage(&st, t.v[i].id) : NULL;

		if (u)
			json_object_set_new(j, "used", json_integer((json_int_t)u->uses));
		json_array_append_new(arr, j);
	}
	enr_tokens_free(&t);
	enr_state_free(&st);
	return json_out_print(json_pack("{s:b,s:o}", "changed", 0, "tokens", arr));
}

static int token_revoke(struct opts *o, const char *id)
{
	struct enr_tokens t;
	struct enr_token *k;
	bool changed;
	int ret;

	if (!id)
		return json_out_fail(EXIT_INVALID, "token revoke needs the token id");
	ret = load(&t, o->tokens);
	if (ret)
		return ret;
	k = enr_tokens_find(&t, id);
	if (!k) {
		enr_tokens_free(&t);
		return json_out_fail(EXIT_INVALID, "no token \"%.64s\"", id);
	}
	changed = !k->revoked;
	k->revoked = true;
	if (changed && !o->check && (ret = enr_tokens_save(&t, o->tokens)))
		ret = json_out_fail(EXIT_RUNTIME, "%s: %s", o->tokens, strerror(-ret));
	else
		ret = json_out_print(
		    json_pack("{s:b,s:b,s:s}", "changed", changed, "check", o->check, "id", id));
	enr_tokens_free(&t);
	return ret;
}

int token_main(int argc, char *argv[])
{
	struct opts o = {.uses = 1, .expires_in = 86400};
	const char *pos = NULL;
	int ret;

	if (argc < 2)
		return json_out_fail(EXIT_INVALID,
				     "usage: warren-enrolld token create|list|revoke");
	ret = parse_opts(&o, argc - 1, argv + 1, &pos);
	if (ret)
		return ret;
	if (!strcmp(argv[1], "create") && !pos)
		return create(&o);
	if (!strcmp(argv[1], "list") && !pos)
		return list(&o);
	if (!strcmp(argv[1], "revoke"))
		return token_revoke(&o, pos);
	return json_out_fail(EXIT_INVALID, "unknown token command \"%.32s\"", argv[1]);
}

int secret_main(int argc, char *argv[])
{
	uint8_t key[KEY_LEN];
	int ret;

	if (argc != 3 || strcmp(argv[1], "--out"))
		return json_out_fail(EXIT_INVALID, "usage: warren-enrolld secret --out FILE");
	if (!access(argv[2], F_OK))
		return json_out_print(json_pack("{s:b,s:s}", "changed", 0, "path", argv[2]));
	randombytes_buf(key, sizeof(key));
	ret = key_write_file(argv[2], key);
	sodium_memzero(key, sizeof(key));
	if (ret)
		return json_out_fail(EXIT_RUNTIME, "%.200s: %s", argv[2], strerror(-ret));
	return json_out_print(json_pack("{s:b,s:s}", "changed", 1, "path", argv[2]));
}
