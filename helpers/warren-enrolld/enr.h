/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * warren-enrolld's model (docs/enroll.md): the configuration, the token store (keyed hashes
 * only), the enrolled-peers state with each token's counters, and the enrollment decisions.
 * Library style: functions return 0 or -errno (parsers bool with a struct err), never print.
 */
#ifndef WARREN_ENR_H
#define WARREN_ENR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <net/if.h>

#include <jansson.h>

#include "addr.h"
#include "err.h"
#include "key.h"

#define ENR_ID_MAX	 32 /* token ids: 1-32 of a-z 0-9 - */
#define ENR_SECRET_LEN	 32 /* 256 random bits */
#define ENR_SECRET_HEX	 (2 * ENR_SECRET_LEN + 1)
#define ENR_NAME_MAX	 64
#define ENR_PROFILE_MAX	 32
#define ENR_HOSTNAME_MAX 48

/* A pool of IPv4 addresses (a CIDR range); addresses in host byte order. */
struct enr_pool {
	uint32_t net;
	unsigned int prefix;
};

struct enr_token {
	char id[ENR_ID_MAX + 1];
	uint8_t hash[ENR_SECRET_LEN]; /* BLAKE2b-256 of the secret keyed with the server secret */
	int64_t expires;	      /* Unix time */
	uint64_t uses;		      /* 0: unlimited */
	uint32_t rate_per_hour;	      /* 0: unlimited */
	bool revoked;
	char interface[IFNAMSIZ];
	struct enr_pool pool;
	char name_prefix[24];
	char profile[ENR_PROFILE_MAX];
};

struct enr_tokens {
	struct enr_token *v;
	size_t n;
};

struct enr_peer {
	char name[ENR_NAME_MAX];
	uint8_t public_key[KEY_LEN];
	uint32_t address;
	char token[ENR_ID_MAX + 1];
	uint8_t cred_hash[ENR_SECRET_LEN];
	char hostname[ENR_HOSTNAME_MAX + 1];
	char profile[ENR_PROFILE_MAX];
	int64_t enrolled;
};

struct enr_usage {
	char token[ENR_ID_MAX + 1];
	uint64_t uses;
	int64_t window; /* hour number (time / 3600) of in_window */
	uint32_t in_window;
};

struct enr_state {
	struct enr_peer *peers;
	size_t n_peers;
	struct enr_usage *usage;
	size_t n_usage;
};

struct enr_conf {
	char interface[IFNAMSIZ];
	char endpoint[128];
	char listen[64];
	uint16_t port;
	struct enr_pool pool;
	json_t *allowed_ips; /* list of strings, validated */
	uint16_t keepalive;
	char tokens_file[256], state_file[256], secret_file[256], audit_file[256];
	char tls_cert[256], tls_key[256]; /* empty: plain HTTP on loopback, behind a proxy */
	unsigned int max_connections, timeout_sec;
	json_t *root;
};

/* enr_conf.c */
bool enr_conf_load(struct enr_conf *c, const char *path, struct err *err);
void enr_conf_free(struct enr_conf *c);
bool enr_pool_parse(struct enr_pool *p, const char *text, struct err *err);
bool enr_pool_contains(const struct enr_pool *outer, const struct enr_pool *inner);
void enr_addr_str(char buf[static 16], uint32_t addr);
bool enr_id_valid(const char *id);

/* enr_req.c: request bodies, the token and credential texts. Fuzzed (tests/fuzz). */
struct enr_req {
	char token_id[ENR_ID_MAX + 1];
	uint8_t secret[ENR_SECRET_LEN]; /* wiped by enr_req_wipe */
	uint8_t public_key[KEY_LEN];
	char hostname[ENR_HOSTNAME_MAX + 1];
};
/* {"token": "ID.HEX64", "public_key": "B64", "hostname": "..."}; @rotate: only public_key. */
bool enr_req_parse(struct enr_req *r, const char *body, size_t len, bool rotate, struct err *err);
/* "ID.HEX64" (a token) or "NAME.HEX64" (a device credential, NAME a peer name). */
bool enr_secret_parse(char *id, size_t id_size, uint8_t secret[static ENR_SECRET_LEN],
		      const char *text);
void enr_req_wipe(struct enr_req *r);

/* enr_token.c */
int enr_secret_load(uint8_t key[static KEY_LEN], const char *path, struct err *err);
void enr_hash(uint8_t out[static ENR_SECRET_LEN], const uint8_t secret[static ENR_SECRET_LEN],
	      const uint8_t key[static KEY_LEN]);
bool enr_tokens_load(struct enr_tokens *t, const char *path, struct err *err);
int enr_tokens_save(const struct enr_tokens *t, const char *path);
json_t *enr_token_json(const struct enr_token *t, bool with_hash);
struct enr_token *enr_tokens_find(const struct enr_tokens *t, const char *id);
void enr_tokens_free(struct enr_tokens *t);

/* enr_state.c */
bool enr_state_load(struct enr_state *s, const char *path, struct err *err);
int enr_state_save(const struct enr_state *s, const char *path);
struct enr_peer *enr_state_by_key(const struct enr_state *s, const uint8_t key[static KEY_LEN]);
struct enr_peer *enr_state_by_name(const struct enr_state *s, const char *name);
struct enr_usage *enr_state_usage(struct enr_state *s, const char *token);
int enr_state_add(struct enr_state *s, const struct enr_peer *p);
void enr_state_free(struct enr_state *s);

#endif
