// SPDX-License-Identifier: GPL-2.0-only
/*
 * The enrolled-peers state file (docs/enroll.md#files): every enrolled peer with its address,
 * the token that enrolled it and a keyed hash of its device credential, and each token's
 * counters. Written whole with filesync_replace (temporary file, fsync, rename, directory fsync)
 * before any reply that depends on it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "enr.h"
#include "filesync.h"
#include "json_get.h"
#include "wgstate.h"

static const char *const peer_keys[] = {
    "name",	"public_key", "address",  "allowed_ips", "token", "credential_hash",
    "hostname", "profile",    "enrolled", NULL};
static const char *const usage_keys[] = {"token", "uses", "window", "in_window", NULL};

static bool cpy(char *dst, size_t size, json_t *o, const char *key, const char *path,
		struct err *err)
{
	const char *v = NULL;

	if (!json_get_str(o, key, path, true, &v, err))
		return false;
	if (strlen(v) >= size)
		return err_set(err, "%s.%s: too long", path, key);
	strcpy(dst, v);
	return true;
}

static bool peer_parse(struct enr_peer *p, json_t *o, const char *path, struct err *err)
{
	const char *key = NULL, *addr = NULL, *hash = NULL;
	struct in_addr a;
	long long n = 0;
	size_t bin = 0;

	if (!json_is_object(o))
		return err_set(err, "%s: must be an object", path);
	if (!json_get_known(o, path, peer_keys, err) ||
	    !cpy(p->name, sizeof(p->name), o, "name", path, err) ||
	    !cpy(p->token, sizeof(p->token), o, "token", path, err) ||
	    !cpy(p->hostname, sizeof(p->hostname), o, "hostname", path, err) ||
	    !cpy(p->profile, sizeof(p->profile), o, "profile", path, err) ||
	    !json_get_str(o, "public_key", path, true, &key, err) ||
	    !json_get_str(o, "address", path, true, &addr, err) ||
	    !json_get_str(o, "credential_hash", path, true, &hash, err) ||
	    !json_get_int(o, "enrolled", path, 0, INT64_MAX, &n, NULL, err))
		return false;
	p->enrolled = n;
	if (!wgstate_name_valid(p->name) || !key_from_base64(p->public_key, key) ||
	    inet_pton(AF_INET, addr, &a) != 1 || strlen(hash) != 2 * ENR_SECRET_LEN ||
	    sodium_hex2bin(p->cred_hash, sizeof(p->cred_hash), hash, strlen(hash), NULL, &bin,
			   NULL) ||
	    bin != sizeof(p->cred_hash))
		return err_set(err, "%s: a name, key, address or hash is malformed", path);
	p->address = ntohl(a.s_addr);
	return true;
}

static bool usage_parse(struct enr_usage *u, json_t *o, const char *path, struct err *err)
{
	long long n = 0;

	if (!json_is_object(o))
		return err_set(err, "%s: must be an object", path);
	if (!json_get_known(o, path, usage_keys, err) ||
	    !cpy(u->token, sizeof(u->token), o, "token", path, err) ||
	    !json_get_int(o, "uses", path, 0, INT64_MAX, &n, NULL, err))
		return false;
	u->uses = (uint64_t)n;
	n = 0;
	if (!json_get_int(o, "window", path, 0, INT64_MAX, &n, NULL, err))
		return false;
	u->window = n;
	n = 0;
	if (!json_get_int(o, "in_window", path, 0, UINT32_MAX, &n, NULL, err))
		return false;
	u->in_window = (uint32_t)n;
	return true;
}

bool enr_state_load(struct enr_state *s, const char *path, struct err *err)
{
	json_t *root, *peers, *usage, *o;
	char p[JSON_PATH_MAX];
	size_t i;
	bool ok = false;

	memset(s, 0, sizeof(*s));
	root = json_load_file(path, JSON_REJECT_DUPLICATES, NULL);
	if (!root) {
		if (access(path, F_OK) && errno == ENOENT)
			return true; /* nothing enrolled yet */
		return err_set(err, "%.200s: cannot read as JSON", path);
	}
	peers = json_object_get(root, "peers");
	usage = json_object_get(root, "usage");
	if (!json_get_list(peers, "peers", "peers", false, err) ||
	    !json_get_list(usage, "usage", "counters", false, err))
		goto out;
	s->peers = calloc(json_array_size(peers) + 1, sizeof(*s->peers));
	s->usage = calloc(json_array_size(usage) + 1, sizeof(*s->usage));
	if (!s->peers || !s->usage) {
		err_set(err, "out of memory");
		goto out;
	}
	json_array_foreach (peers, i, o) {
		json_path_idx(p, "peers", i);
		if (!peer_parse(&s->peers[i], o, p, err))
			goto out;
		s->n_peers = i + 1;
	}
	json_array_foreach (usage, i, o) {
		json_path_idx(p, "usage", i);
		if (!usage_parse(&s->usage[i], o, p, err))
			goto out;
		s->n_usage = i + 1;
	}
	ok = true;
out:
	json_decref(root);
	if (!ok)
		enr_state_free(s);
	return ok;
}

static json_t *peer_json(const struct enr_peer *p)
{
	char key[KEY_B64_LEN], addr[16], hash[ENR_SECRET_HEX];

	key_to_base64(key, p->public_key);
	enr_addr_str(addr, p->address);
	sodium_bin2hex(hash, sizeof(hash), p->cred_hash, sizeof(p->cred_hash));
	return json_pack("{s:s,s:s,s:s,s:[s+],s:s,s:s,s:s,s:s,s:I}", "name", p->name, "public_key",
			 key, "address", addr, "allowed_ips", addr, "/32", "token", p->token,
			 "credential_hash", hash, "hostname", p->hostname, "profile", p->profile,
			 "enrolled", (json_int_t)p->enrolled);
}

int enr_state_save(const struct enr_state *s, const char *path)
{
	json_t *peers = json_array(), *usage = json_array(), *root;
	char *text = NULL;
	size_t i;
	int ret = -ENOMEM;

	root = json_pack("{s:o,s:o}", "peers", peers, "usage", usage);
	if (!root)
		goto out;
	for (i = 0; i < s->n_peers; i++)
		if (json_array_append_new(peers, peer_json(&s->peers[i])))
			goto out;
	for (i = 0; i < s->n_usage; i++) {
		const struct enr_usage *u = &s->usage[i];

		if (json_array_append_new(usage, json_pack("{s:s,s:I,s:I,s:I}", "token", u->token,
							   "uses", (json_int_t)u->uses, "window",
							   (json_int_t)u->window, "in_window",
							   (json_int_t)u->in_window)))
			goto out;
	}
	text = json_dumps(root, JSON_SORT_KEYS | JSON_INDENT(1));
	if (!text)
		goto out;
	ret = filesync_replace(path, text, strlen(text), 0640);
out:
	free(text);
	json_decref(root);
	return ret;
}

struct enr_peer *enr_state_by_key(const struct enr_state *s, const uint8_t key[static KEY_LEN])
{
	size_t i;

	for (i = 0; i < s->n_peers; i++)
		if (key_eq(s->peers[i].public_key, key))
			return &s->peers[i];
	return NULL;
}

struct enr_peer *enr_state_by_name(const struct enr_state *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n_peers; i++)
		if (!strcmp(s->peers[i].name, name))
			return &s->peers[i];
	return NULL;
}

struct enr_usage *enr_state_usage(struct enr_state *s, const char *token)
{
	struct enr_usage *v;
	size_t i;

	for (i = 0; i < s->n_usage; i++)
		if (!strcmp(s->usage[i].token, token))
			return &s->usage[i];
	v = realloc(s->usage, (s->n_usage + 1) * sizeof(*v));
	if (!v)
		return NULL;
	s->usage = v;
	memset(&v[s->n_usage], 0, sizeof(*v));
	strcpy(v[s->n_usage].token, token);
	return &v[s->n_usage++];
}

int enr_state_add(struct enr_state *s, const struct enr_peer *p)
{
	struct enr_peer *v = realloc(s->peers, (s->n_peers + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	s->peers = v;
	s->peers[s->n_peers++] = *p;
	return 0;
}

void enr_state_free(struct enr_state *s)
{
	free(s->peers);
	free(s->usage);
	memset(s, 0, sizeof(*s));
}
