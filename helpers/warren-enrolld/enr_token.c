// SPDX-License-Identifier: GPL-2.0-only
/*
 * The token store: one JSON file of token ids with their limits, scope and a keyed hash of the
 * secret (BLAKE2b-256 keyed with the server secret: crypto_generichash, also Python's
 * hashlib.blake2b(secret, key=..., digest_size=32)). The secret itself is never stored here.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "enr.h"
#include "filesync.h"
#include "json_get.h"

int enr_secret_load(uint8_t key[static KEY_LEN], const char *path, struct err *err)
{
	return key_read_file(key, path, err);
}

void enr_hash(uint8_t out[static ENR_SECRET_LEN], const uint8_t secret[static ENR_SECRET_LEN],
	      const uint8_t key[static KEY_LEN])
{
	crypto_generichash(out, ENR_SECRET_LEN, secret, ENR_SECRET_LEN, key, KEY_LEN);
}

static const char *const token_keys[] = {
    "id",   "hash",	   "expires", "uses", "rate_per_hour", "revoked", "interface",
    "pool", "name_prefix", "profile", NULL};

static bool str_field(char *dst, size_t size, json_t *o, const char *key, const char *name,
		      bool required, struct err *err)
{
	const char *v = NULL;

	if (!json_get_str(o, key, name, required, &v, err))
		return false;
	if (v && strlen(v) >= size)
		return err_set(err, "%s.%s: \"%.64s\" is too long", name, key, v);
	if (v)
		strcpy(dst, v);
	return true;
}

static bool token_parse(struct enr_token *t, json_t *o, const char *path, struct err *err)
{
	const char *hash = NULL, *pool = NULL;
	long long n;
	size_t bin = 0;

	memset(t, 0, sizeof(*t));
	if (!json_is_object(o))
		return err_set(err, "%s: must be an object", path);
	if (!json_get_known(o, path, token_keys, err) ||
	    !str_field(t->id, sizeof(t->id), o, "id", path, true, err) ||
	    !json_get_str(o, "hash", path, true, &hash, err) ||
	    !str_field(t->interface, sizeof(t->interface), o, "interface", path, false, err) ||
	    !str_field(t->name_prefix, sizeof(t->name_prefix), o, "name_prefix", path, false,
		       err) ||
	    !str_field(t->profile, sizeof(t->profile), o, "profile", path, true, err) ||
	    !json_get_str(o, "pool", path, false, &pool, err) ||
	    !json_get_bool(o, "revoked", path, &t->revoked, NULL, err))
		return false;
	if (!enr_id_valid(t->id))
		return err_set(err, "%s.id: \"%.64s\" must be 1-32 of a-z 0-9 -", path, t->id);
	if (strlen(hash) != 2 * ENR_SECRET_LEN ||
	    sodium_hex2bin(t->hash, sizeof(t->hash), hash, strlen(hash), NULL, &bin, NULL) ||
	    bin != sizeof(t->hash))
		return err_set(err, "%s.hash: must be 64 hex digits", path);
	if (pool && !enr_pool_parse(&t->pool, pool, err)) {
		err_prefix(err, "%s.pool: ", path);
		return false;
	}
	if (!json_get_int(o, "expires", path, 1, INT64_MAX, &n, NULL, err))
		return false;
	if (!json_object_get(o, "expires"))
		return err_set(err, "%s.expires: required (Unix time); every token expires", path);
	t->expires = n;
	n = 1;
	if (!json_get_int(o, "uses", path, 0, 1000000, &n, NULL, err))
		return false;
	t->uses = (uint64_t)n;
	n = 0;
	if (!json_get_int(o, "rate_per_hour", path, 0, 1000000, &n, NULL, err))
		return false;
	t->rate_per_hour = (uint32_t)n;
	return true;
}

bool enr_tokens_load(struct enr_tokens *t, const char *path, struct err *err)
{
	json_t *root, *list, *o;
	char p[JSON_PATH_MAX];
	size_t i, j;
	bool ok = false;

	memset(t, 0, sizeof(*t));
	root = json_load_file(path, JSON_REJECT_DUPLICATES, NULL);
	if (!root)
		return err_set(err, "%.200s: cannot read as JSON", path);
	list = json_object_get(root, "tokens");
	if (!json_is_object(root) || !json_get_list(list, "tokens", "tokens", false, err))
		goto out;
	t->v = calloc(json_array_size(list) + 1, sizeof(*t->v));
	if (!t->v) {
		err_set(err, "out of memory");
		goto out;
	}
	json_array_foreach (list, i, o) {
		json_path_idx(p, "tokens", i);
		if (!token_parse(&t->v[i], o, p, err))
			goto out;
		for (j = 0; j < i; j++)
			if (!strcmp(t->v[j].id, t->v[i].id)) {
				err_set(err, "%s.id: \"%s\" is listed twice", p, t->v[i].id);
				goto out;
			}
		t->n = i + 1;
	}
	ok = true;
out:
	json_decref(root);
	if (!ok)
		enr_tokens_free(t);
	return ok;
}

json_t *enr_token_json(const struct enr_token *t, bool with_hash)
{
	char hex[ENR_SECRET_HEX], pool[16];
	json_t *o =
	    json_pack("{s:s,s:I,s:I,s:I,s:b,s:s}", "id", t->id, "expires", (json_int_t)t->expires,
		      "uses", (json_int_t)t->uses, "rate_per_hour", (json_int_t)t->rate_per_hour,
		      "revoked", t->revoked, "profile", t->profile);

	if (!o)
		return NULL;
	if (with_hash) {
		sodium_bin2hex(hex, sizeof(hex), t->hash, sizeof(t->hash));
		json_object_set_new(o, "hash", json_string(hex));
	}
	if (*t->interface)
		json_object_set_new(o, "interface", json_string(t->interface));
	if (*t->name_prefix)
		json_object_set_new(o, "name_prefix", json_string(t->name_prefix));
	if (t->pool.prefix) {
		enr_addr_str(pool, t->pool.net);
		json_object_set_new(o, "pool", json_sprintf("%s/%u", pool, t->pool.prefix));
	}
	return o;
}

int enr_tokens_save(const struct enr_tokens *t, const char *path)
{
	json_t *list = json_array(), *root = json_pack("{s:o}", "tokens", list);
	char *text = NULL;
	size_t i;
	int ret = -ENOMEM;

	if (!root)
		goto out;
	for (i = 0; i < t->n; i++)
		if (json_array_append_new(list, enr_token_json(&t->v[i], true)))
			goto out;
	text = json_dumps(root, JSON_SORT_KEYS | JSON_INDENT(1));
	if (!text)
		goto out;
	ret = filesync_replace(path, text, strlen(text), 0640);
out:
	free(text);
	json_decref(root);
	return ret;
}

struct enr_token *enr_tokens_find(const struct enr_tokens *t, const char *id)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (!strcmp(t->v[i].id, id))
			return &t->v[i];
	return NULL;
}

void enr_tokens_free(struct enr_tokens *t)
{
	if (t->v)
		sodium_memzero(t->v, t->n * sizeof(*t->v));
	free(t->v);
	t->v = NULL;
	t->n = 0;
}
