// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests: unusable public keys, repeated and overlapping allowed IPs, the own key. */
#include <stdlib.h>
#include <time.h>

#include <sodium.h>

#include "check.h"
#include "wgcheck.h"
#include "wgstate.h"

#define K1 "DGE6yKq/V2piGvexhQaLau0w9xBVNnx/i/xLboSknCw="
#define K2 "Z6jvPs4hI28EwUSXPA39oY8cnX0K5xH8NlgiWzjDamE="

static const char *const low_order[] = {
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    "4Ot6fDtBuK4WVuP68Z/EatoJjeucMrH9hmIFFl9JuAA=", "X5yVvKNQjCSx0LFVnIPvWwREXMRYHI6G2CJO3dCfEVc=",
    "7P///////////////////////////////////////38=", "7f///////////////////////////////////////38=",
    "7v///////////////////////////////////////38=",
};

/* libsodium's X25519 refuses a point of small order: the independent opinion. */
static bool sodium_says_usable(const uint8_t pub[static KEY_LEN])
{
	uint8_t scalar[KEY_LEN], out[KEY_LEN];

	memset(scalar, 0x5a, sizeof(scalar));
	scalar[0] &= 248;
	scalar[31] = (scalar[31] & 127) | 64;
	return crypto_scalarmult_curve25519(out, scalar, pub) == 0;
}

static void test_keys(void)
{
	uint8_t k[KEY_LEN];
	size_t i;
	int b, v, disagree = 0;

	for (i = 0; i < sizeof(low_order) / sizeof(low_order[0]); i++) {
		CHECK(key_from_base64(k, low_order[i]));
		CHECK(!key_public_usable(k) && !sodium_says_usable(k));
		k[31] ^= 0x80; /* the top bit is ignored: the same point */
		CHECK(!key_public_usable(k) && !sodium_says_usable(k));
		/* One byte off is an ordinary point, for every byte position and value. */
		for (b = 0; b < KEY_LEN; b++)
			for (v = 1; v < 256; v += 37) {
				k[b] ^= (uint8_t)v;
				disagree += key_public_usable(k) != sodium_says_usable(k);
				k[b] ^= (uint8_t)v;
			}
	}
	for (i = 0; i < 5000; i++) {
		randombytes_buf(k, sizeof(k));
		disagree += !key_public_usable(k) || !sodium_says_usable(k);
	}
	CHECK(disagree == 0);
}

static bool parse(struct wgstate *st, const char *text, struct err *err)
{
	json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	bool ok;

	if (!root)
		return err_set(err, "unit test JSON is broken");
	ok = wgstate_parse(st, root, 0, err);
	json_decref(root);
	wgstate_free(st);
	return ok;
}

/* A state with peers a (K1) and b (K2) holding the given allowed IPs (JSON list bodies). */
static bool two(const char *a, const char *b, struct err *err)
{
	char text[1024];
	struct wgstate st;

	snprintf(text, sizeof(text),
		 "{\"interface\":\"wg0\",\"peers\":[{\"name\":\"a\",\"public_key\":\"" K1
		 "\",\"allowed_ips\":[%s]},{\"name\":\"b\",\"public_key\":\"" K2
		 "\",\"allowed_ips\":[%s]}]}",
		 a, b);
	return parse(&st, text, err);
}

static void test_state_keys(void)
{
	struct wgstate st;
	struct err err = {{0}};
	char text[256];
	size_t i;

	for (i = 0; i < sizeof(low_order) / sizeof(low_order[0]); i++) {
		snprintf(
		    text, sizeof(text),
		    "{\"interface\":\"wg0\",\"peers\":[{\"name\":\"x\",\"public_key\":\"%s\"}]}",
		    low_order[i]);
		CHECK(!parse(&st, text, &err));
		CHECK_STR_CONTAINS(err.msg, "peers[0] (\"x\"): public_key: \"");
		CHECK_STR_CONTAINS(err.msg, i ? "low-order" : "all-zero");
	}
}

static void test_overlap(void)
{
	struct err err = {{0}};

	CHECK(two("\"10.0.0.0/25\"", "\"10.0.0.128/25\"", &err));
	CHECK(two("\"10.0.0.0/24\",\"10.0.0.7/32\"", "\"10.0.1.0/24\"", &err)); /* within a peer */
	CHECK(two("\"0.0.0.0/0\"", "\"::/0\"", &err));
	CHECK(two("\"fd00::/64\"", "\"fd00:0:0:1::/64\"", &err));
	CHECK(!two("\"10.0.0.0/24\"", "\"10.0.0.0/24\"", &err));
	CHECK_STR_CONTAINS(err.msg, "both claim allowed IP 10.0.0.0/24");
	CHECK(!two("\"10.0.0.0/24\"", "\"10.1.0.0/16\",\"10.0.0.5/32\"", &err));
	CHECK_STR_CONTAINS(err.msg, "peers \"a\" and \"b\" overlap: allowed IP 10.0.0.5/32 of "
				    "\"b\" lies inside 10.0.0.0/24 of \"a\"");
	CHECK(!two("\"10.0.0.5/32\"", "\"10.0.0.0/8\"", &err));
	CHECK_STR_CONTAINS(err.msg, "10.0.0.5/32 of \"a\" lies inside 10.0.0.0/8 of \"b\"");
	CHECK(!two("\"192.168.0.0/16\",\"192.168.7.0/24\"", "\"192.168.7.9/32\"", &err));
	CHECK_STR_CONTAINS(err.msg, "192.168.7.9/32 of \"b\" lies inside 192.168.7.0/24 of \"a\"");
	CHECK(!two("\"0.0.0.0/0\"", "\"203.0.113.0/24\"", &err));
	CHECK(!two("\"fd00::/8\"", "\"fd12::1\"", &err));
	CHECK_STR_CONTAINS(err.msg, "fd12::1/128 of \"b\" lies inside fd00::/8 of \"a\"");
	/* A range after an unrelated nested pair is still compared with the right enclosing one. */
	CHECK(!two("\"10.0.0.0/8\",\"10.1.0.0/16\"", "\"10.2.0.0/16\"", &err));
	CHECK_STR_CONTAINS(err.msg, "10.2.0.0/16 of \"b\" lies inside 10.0.0.0/8 of \"a\"");
	CHECK(!two("\"10.0.0.1\",\"10.0.0.2\",\"10.0.0.1/32\"", "", &err));
	CHECK_STR_CONTAINS(err.msg, "allowed_ips[2]: \"10.0.0.1/32\" is listed twice");
}

static void test_dup_order(void)
{
	struct wg_allowedip a[5];
	const char *text[] = {"10.0.0.9", "10.0.0.1", "10.0.0.2", "10.0.0.1", "10.0.0.9"};
	size_t i, dup = 99;

	for (i = 0; i < 5; i++)
		CHECK(addr_allowedip_parse(&a[i], text[i], NULL));
	CHECK(wgcheck_allowedips_dup(a, 5, &dup) == 1 && dup == 3);
	CHECK(wgcheck_allowedips_dup(a, 3, &dup) == 0);
	CHECK(wgcheck_allowedips_dup(a, 0, &dup) == 0);
}

/* 40,000 allowed IPs in one peer: the duplicate check sorts (this took 4-6 s when it did not). */
static void test_many(void)
{
	struct wgstate st;
	struct err err = {{0}};
	struct timespec t0, t1;
	json_t *root = json_pack("{s:s,s:[{s:s,s:s,s:[]}]}", "interface", "wg0", "peers", "name",
				 "big", "public_key", K1, "allowed_ips");
	json_t *aips =
	    json_object_get(json_array_get(json_object_get(root, "peers"), 0), "allowed_ips");
	char a[32];
	double secs;
	int i;

	for (i = 0; i < 40000; i++) {
		snprintf(a, sizeof(a), "10.%d.%d.%d/32", i >> 16, (i >> 8) & 255, i & 255);
		json_array_append_new(aips, json_string(a));
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(wgstate_parse(&st, root, 0, &err));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("wgcheck_test: 40,000 allowed IPs in one peer validated in %.3f s\n", secs);
	CHECK(secs < 2.0);
	CHECK(st.dev && st.dev->peers[0].n_allowedips == 40000);
	wgstate_free(&st);
	json_array_append_new(aips, json_string("10.0.0.7"));
	CHECK(!wgstate_parse(&st, root, 0, &err));
	CHECK_STR_CONTAINS(err.msg, "allowed_ips[40000]: \"10.0.0.7\" is listed twice");
	wgstate_free(&st);
	json_decref(root);
}

static void test_own_key(void)
{
	struct wg_device *dev = wgdev_new("wg0");
	struct err err = {{0}};
	uint8_t own[KEY_LEN];
	struct wg_peer *p;

	p = wgdev_add_peer(dev);
	key_from_base64(p->public_key, K1);
	p->name = strdup("a");
	p = wgdev_add_peer(dev);
	key_from_base64(p->public_key, K2);
	p->name = strdup("b");
	wgdev_sort(dev);
	key_from_base64(own, K2);
	CHECK(!wgcheck_own_key(dev, own, &err));
	CHECK_STR_CONTAINS(err.msg, "peer \"b\": public_key: is the public key of the interface");
	own[0] ^= 1;
	CHECK(wgcheck_own_key(dev, own, &err));
	wgdev_free(dev);
}

int main(void)
{
	if (key_init() < 0)
		return 1;
	test_keys();
	test_state_keys();
	test_overlap();
	test_dup_order();
	test_many();
	test_own_key();
	return check_report("wgcheck_test");
}
