// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of warren-enrolld's modules: request parser, token texts and hashes, the token
 * store's checks, sub-pools and address allocation. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "check.h"
#include "warren-enrolld/core.h"

#define K1  "DGE6yKq/V2piGvexhQaLau0w9xBVNnx/i/xLboSknCw="
#define TOK "fleet-1.00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

static bool parse(const char *body, bool rotate, struct err *err)
{
	struct enr_req r;
	bool ok;

	err->msg[0] = '\0';
	ok = enr_req_parse(&r, body, strlen(body), rotate, err);
	if (ok)
		enr_req_wipe(&r);
	return ok;
}

static void test_req(void)
{
	struct enr_req r;
	struct err err = {{0}};
	const char *good =
	    "{\"token\":\"" TOK "\",\"public_key\":\"" K1 "\",\"hostname\":\"gw-1\"}";

	CHECK(enr_req_parse(&r, good, strlen(good), false, &err));
	CHECK(!strcmp(r.token_id, "fleet-1") && !strcmp(r.hostname, "gw-1"));
	CHECK(r.secret[0] == 0x00 && r.secret[1] == 0x11 && r.secret[31] == 0xff);
	enr_req_wipe(&r);
	CHECK(sodium_is_zero(r.secret, sizeof(r.secret)));
	CHECK(!parse("not json", false, &err));
	CHECK_STR_CONTAINS(err.msg, "not JSON");
	CHECK(!parse("[1]", false, &err));
	CHECK_STR_CONTAINS(err.msg, "JSON object");
	CHECK(!parse("{\"token\":\"" TOK "\",\"public_key\":\"" K1 "\",\"hostname\":\"a\",\"x\":1}",
		     false, &err));
	CHECK_STR_CONTAINS(err.msg, "unknown field");
	CHECK(!parse("{\"token\":\"" TOK "\",\"public_key\":\"nope\",\"hostname\":\"a\"}", false,
		     &err));
	CHECK_STR_CONTAINS(err.msg, "not a base64 WireGuard key");
	CHECK(!parse("{\"token\":\"" TOK
		     "\",\"public_key\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
		     "\",\"hostname\":\"a\"}",
		     false, &err));
	CHECK_STR_CONTAINS(err.msg, "all-zero");
	CHECK(!parse("{\"token\":\"" TOK
		     "\",\"public_key\":\"4Ot6fDtBuK4WVuP68Z/EatoJjeucMrH9hmIFFl9JuAA="
		     "\",\"hostname\":\"a\"}",
		     false, &err));
	CHECK_STR_CONTAINS(err.msg, "low-order");
	CHECK(!parse("{\"token\":\"fleet.abc\",\"public_key\":\"" K1 "\",\"hostname\":\"a\"}",
		     false, &err));
	CHECK_STR_CONTAINS(err.msg, "ID.SECRET");
	CHECK(!strstr(err.msg, "abc")); /* a refused token is never quoted */
	CHECK(!parse("{\"token\":\"Fleet." TOK "\",\"public_key\":\"" K1 "\",\"hostname\":\"a\"}",
		     false, &err));
	CHECK(!parse("{\"token\":\"" TOK "\",\"public_key\":\"" K1 "\",\"hostname\":\"a b\"}",
		     false, &err));
	CHECK_STR_CONTAINS(err.msg, "hostname");
	CHECK(!parse("{\"token\":\"" TOK "\",\"public_key\":\"" K1 "\",\"hostname\":\"-a\"}", false,
		     &err));
	CHECK(parse("{\"public_key\":\"" K1 "\"}", true, &err));
	CHECK(!parse("{\"public_key\":\"" K1 "\",\"token\":\"" TOK "\"}", true, &err));
	CHECK(!parse("{\"token\":\"" TOK "\",\"token\":\"" TOK "\",\"public_key\":\"" K1
		     "\",\"hostname\":\"a\"}",
		     false, &err));
}

static void test_hash(void)
{
	uint8_t secret[ENR_SECRET_LEN], key[KEY_LEN], h[ENR_SECRET_LEN];
	char hex[ENR_SECRET_HEX];

	/* Python: hashlib.blake2b(b"\x01" * 32, key=b"\x02" * 32, digest_size=32): what an
	 * Ansible task computes to push a token declared in inventory. */
	memset(secret, 1, sizeof(secret));
	memset(key, 2, sizeof(key));
	enr_hash(h, secret, key);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	CHECK(!strcmp(hex, "6f8914583ac1537399e27573a5201ef63e51321282171847d597f96e2ad6e351"));
}

static bool tokens_from(const char *text, struct enr_tokens *t, struct err *err)
{
	char path[] = "/tmp/enroll_test.XXXXXX";
	int fd = mkstemp(path);
	bool ok;

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		return false;
	close(fd);
	err->msg[0] = '\0';
	ok = enr_tokens_load(t, path, err);
	unlink(path);
	return ok;
}

#define HASH "\"hash\":\"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\""

static void test_tokens(void)
{
	struct enr_tokens t;
	struct err err = {{0}};

	CHECK(tokens_from("{\"tokens\":[{\"id\":\"a\"," HASH ",\"expires\":5,\"profile\":\"lan\","
			  "\"pool\":\"10.1.2.0/28\",\"rate_per_hour\":3}]}",
			  &t, &err));
	CHECK(t.n == 1 && t.v[0].uses == 1 && t.v[0].rate_per_hour == 3 &&
	      t.v[0].pool.prefix == 28);
	CHECK(enr_tokens_find(&t, "a") && !enr_tokens_find(&t, "b"));
	enr_tokens_free(&t);
	CHECK(!tokens_from("{\"tokens\":[{\"id\":\"a\"," HASH ",\"profile\":\"lan\"}]}", &t, &err));
	CHECK_STR_CONTAINS(err.msg, "every token expires");
	CHECK(!tokens_from(
	    "{\"tokens\":[{\"id\":\"a\",\"hash\":\"zz\",\"expires\":5,\"profile\":\"l\"}]}", &t,
	    &err));
	CHECK_STR_CONTAINS(err.msg, "64 hex digits");
	CHECK(!tokens_from("{\"tokens\":[{\"id\":\"a\"," HASH ",\"expires\":5,\"profile\":\"l\"},"
			   "{\"id\":\"a\"," HASH ",\"expires\":5,\"profile\":\"l\"}]}",
			   &t, &err));
	CHECK_STR_CONTAINS(err.msg, "listed twice");
	CHECK(!tokens_from("{\"tokens\":[{\"id\":\"A\"," HASH ",\"expires\":5,\"profile\":\"l\"}]}",
			   &t, &err));
	CHECK(!tokens_from("{\"tokens\":[{\"id\":\"a\"," HASH ",\"expires\":5,\"profile\":\"l\","
			   "\"pool\":\"10.0.0.0/8\"}]}",
			   &t, &err));
	CHECK_STR_CONTAINS(err.msg, "/16 to /30");
}

static void test_alloc(void)
{
	struct enr_pool pool, inner, outer;
	struct enr_state s = {0};
	struct enr_peer p = {0};
	struct wg_device *live = wgdev_new("wgt");
	struct wg_allowedip aip;
	struct err err = {{0}};
	uint32_t a = 0;

	CHECK(enr_pool_parse(&pool, "10.9.0.0/30", &err));
	CHECK(!enr_pool_parse(&pool, "10.9.0.1/30", &err)); /* host bits set */
	CHECK(enr_pool_parse(&pool, "10.9.0.0/30", &err));
	CHECK(enr_pool_parse(&outer, "10.9.0.0/24", &err) &&
	      enr_pool_parse(&inner, "10.9.0.64/26", &err));
	CHECK(enr_pool_contains(&outer, &inner) && !enr_pool_contains(&inner, &outer));
	CHECK(enr_alloc(&pool, &s, live, &a) == 0 && a == 0x0a090001);
	CHECK(enr_pool_free(&pool, &s, live) == 2);
	p.address = 0x0a090001;
	CHECK(enr_state_add(&s, &p) == 0);
	CHECK(enr_alloc(&pool, &s, live, &a) == 0 && a == 0x0a090002);
	/* a live (base) peer covering .2 takes it too */
	CHECK(addr_allowedip_parse(&aip, "10.9.0.2/32", &err));
	CHECK(wgpeer_add_allowedip(wgdev_add_peer(live), &aip) == 0);
	CHECK(enr_alloc(&pool, &s, live, &a) == -ENOSPC);
	CHECK(enr_pool_free(&pool, &s, live) == 0);
	enr_state_free(&s);
	wgdev_free(live);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_req();
	test_hash();
	test_tokens();
	test_alloc();
	return check_report("enroll_test");
}
