// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests: the sync spec (many peers, inline keys, duplicate and removed names), wiping JSON
 * strings, the parallel loop, and the SVG path written without printf.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>

#include <sodium.h>

#include "check.h"
#include "json_wipe.h"
#include "wg-client-config/par.h"
#include "wg-client-config/qr.h"
#include "wg-client-config/syncspec.h"

#define SK  "Z6jvPs4hI28EwUSXPA39oY8cnX0K5xH8NlgiWzjDamE="
#define PRV "YGp4Vl9v6JQ7fC3gJjQm3FZ0cXo5dWc3VkJ6Q2tLb1Y="

/* {"peers": [three peers, the one at @idx with @extra], "remove": @rm}. */
static json_t *spec(int idx, const char *extra, const char *rm)
{
	char text[4096];
	size_t n = 0;
	int i;

	n += (size_t)snprintf(text + n, sizeof(text) - n, "{\"peers\":[");
	for (i = 0; i < 3; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "%s{\"name\":\"p%d\",\"private_key_file\":\"/"
				      "k%d\",\"addresses\":[\"10.0.0.%d\"],"
				      "\"server_public_key\":\"" SK
				      "\",\"endpoint\":\"vpn.example.org:51820\"%s}",
				      i ? "," : "", i, i, i + 2, i == idx ? extra : "");
	snprintf(text + n, sizeof(text) - n, "],\"remove\":%s}", rm);
	return json_loads(text, JSON_REJECT_DUPLICATES, NULL);
}

static bool try(int idx, const char *extra, const char *rm, unsigned int flags, struct err *err)
{
	struct syncspec s;
	json_t *root = spec(idx, extra, rm);
	bool ok;

	if (!root)
		return false;
	ok = syncspec_parse(&s, root, flags, err);
	syncspec_free(&s);
	json_decref(root);
	return ok;
}

static void expect_fail(int idx, const char *extra, const char *rm, unsigned int flags,
			const char *msg)
{
	struct err err = {{0}};

	CHECK(!try(idx, extra, rm, flags, &err));
	CHECK_STR_CONTAINS(err.msg, msg);
}

static void test_parse(void)
{
	struct err err = {{0}};
	struct syncspec s;
	json_t *root;

	CHECK(try(-1, "", "[]", 0, &err));
	CHECK(try(-1, "", "[\"gone\",\"old.peer\"]", 0, &err));
	root = json_loads("{}", 0, NULL);
	CHECK(syncspec_parse(&s, root, 0, &err) && s.n_peers == 0 && s.n_remove == 0);
	syncspec_free(&s);
	json_decref(root);
	root = spec(-1, "", "[\"x\"]");
	CHECK(syncspec_parse(&s, root, 0, &err) && s.n_peers == 3 && s.n_remove == 1);
	CHECK(!strcmp(s.peers[2].name, "p2") && !strcmp(s.remove[0], "x"));
	syncspec_free(&s);
	CHECK(s.peers == NULL);
	json_decref(root);

	/* Every peer's message carries its index, as the write spec's messages do. */
	expect_fail(1, ",\"allowed_ips\":[\"10.0.0.1/8\"]", "[]", 0,
		    "peers[1].allowed_ips[0]: \"10.0.0.1/8\" has host bits set");
	expect_fail(2, ",\"mtu\":1", "[]", 0, "peers[2].mtu: 1 is out of range");
	expect_fail(0, ",\"colour\":1", "[]", 0, "unknown field \"peers[0].colour\"");
	expect_fail(-1, "", "[\"p1\"]", 0,
		    "remove[0]: \"p1\" is also peers[1].name; a peer is either kept or removed");
	expect_fail(-1, "", "[\"x\",\"x\"]", 0, "remove[1]: \"x\" is listed twice");
	expect_fail(-1, "", "[\"../etc\"]", 0, "remove[0]: \"../etc\" is not a valid peer name");
	expect_fail(-1, "", "[1]", 0, "remove[0]: must be a peer name");
	expect_fail(-1, "", "\"x\"", 0, "remove: must be a list");

	root = json_loads("{\"peers\":[{\"name\":\"a\"},2]}", 0, NULL);
	CHECK(!syncspec_parse(&s, root, 0, &err));
	CHECK_STR_CONTAINS(err.msg, "peers[0].private_key_file: is required");
	syncspec_free(&s);
	json_decref(root);
	root = json_loads("{\"peers\":[2]}", 0, NULL);
	CHECK(!syncspec_parse(&s, root, 0, &err));
	CHECK_STR_CONTAINS(err.msg, "peers[0]: must be an object");
	syncspec_free(&s);
	json_decref(root);
	root = json_loads("{\"peers\":{},\"x\":1}", 0, NULL);
	CHECK(!syncspec_parse(&s, root, 0, &err));
	CHECK_STR_CONTAINS(err.msg, "unknown field \"x\"");
	syncspec_free(&s);
	json_decref(root);
	root = json_loads("[]", 0, NULL);
	CHECK(!syncspec_parse(&s, root, 0, &err));
	CHECK_STR_CONTAINS(err.msg, "the spec must be a JSON object");
	syncspec_free(&s);
	json_decref(root);
}

static void test_duplicates(void)
{
	struct err err = {{0}};
	struct syncspec s;
	json_t *root = json_loads("{\"peers\":[]}", 0, NULL), *base = spec(-1, "", "[]");
	json_t *peers = json_object_get(root, "peers"), *p;
	int i;

	/* p0, p1, p2, then p1 again at index 3. */
	for (i = 0; i < 4; i++)
		json_array_append(peers, json_array_get(json_object_get(base, "peers"), i % 3));
	json_array_set_new(peers, 3, p = json_deep_copy(json_array_get(peers, 1)));
	CHECK(!syncspec_parse(&s, root, 0, &err));
	CHECK_STR_CONTAINS(err.msg, "peers[3].name: \"p1\" is also peers[1].name");
	syncspec_free(&s);
	json_decref(root);
	json_decref(base);
}

static void test_inline_keys(void)
{
	struct err err = {{0}};
	struct syncspec s;
	uint8_t priv[KEY_LEN];
	json_t *root, *v;
	const char *inl = ",\"private_key\":\"" PRV "\",\"preshared_key\":\"" SK "\"";

	/* Refused from a file, naming the field; accepted from stdin. */
	root = spec(-1, "", "[]");
	v = json_array_get(json_object_get(root, "peers"), 1);
	json_object_del(v, "private_key_file");
	json_object_set_new(v, "private_key", json_string(PRV));
	json_object_set_new(v, "preshared_key", json_string(SK));
	CHECK(!syncspec_parse(&s, root, 0, &err));
	CHECK_STR_CONTAINS(err.msg, "peers[1].private_key: inline keys are accepted only in a spec "
				    "read from stdin");
	CHECK(!strstr(err.msg, PRV));
	syncspec_free(&s);
	CHECK(syncspec_parse(&s, root, CLIENTCONF_INLINE_KEYS, &err));
	CHECK(s.peers[1].private_key_b64 && !s.peers[1].private_key_file);
	/* Keys read: the inline ones decode; the others' files do not exist. */
	CHECK(clientconf_read_keys(&s.peers[1], &err));
	CHECK(key_from_base64(priv, PRV) && key_eq(priv, s.peers[1].private_key));
	CHECK(s.peers[1].has_preshared_key);
	CHECK(!syncspec_read_keys(&s, &err));
	CHECK_STR_CONTAINS(err.msg, "peers[0].private_key_file: cannot open key file \"/k0\"");
	syncspec_free(&s);
	/* The text is wiped in place: same length, all zeros. */
	syncspec_wipe_text(root);
	CHECK(json_string_length(json_object_get(v, "private_key")) == strlen(PRV));
	CHECK(sodium_is_zero(
	    (const unsigned char *)json_string_value(json_object_get(v, "private_key")),
	    strlen(PRV)));
	CHECK(sodium_is_zero(
	    (const unsigned char *)json_string_value(json_object_get(v, "preshared_key")),
	    strlen(SK)));
	json_decref(root);

	/* Both forms of one key, and a bad inline key (never quoted). */
	expect_fail(0, inl, "[]", CLIENTCONF_INLINE_KEYS,
		    "peers[0].private_key: give either private_key_file or private_key, not both");
	root = spec(-1, "", "[]");
	v = json_array_get(json_object_get(root, "peers"), 2);
	json_object_del(v, "private_key_file");
	json_object_set_new(v, "private_key", json_string("c2VjcmV0LXNlY3JldA=="));
	CHECK(syncspec_parse(&s, root, CLIENTCONF_INLINE_KEYS, &err));
	CHECK(!clientconf_read_keys(&s.peers[2], &err));
	CHECK_STR_CONTAINS(err.msg, "private_key: is not a base64 key of 32 bytes");
	CHECK(!strstr(err.msg, "c2VjcmV0"));
	syncspec_free(&s);
	json_decref(root);
}

static void test_json_wipe(void)
{
	json_t *o = json_pack("{s:s,s:i}", "k", "secret", "n", 1);

	CHECK(json_wipe_member(o, "k") == 0);
	CHECK(json_string_length(json_object_get(o, "k")) == 6);
	CHECK(sodium_is_zero((const unsigned char *)json_string_value(json_object_get(o, "k")), 6));
	CHECK(json_wipe_member(o, "absent") == 0);
	CHECK(json_wipe_member(o, "n") == -EINVAL);
	CHECK(json_wipe_string(NULL) == -EINVAL);
	CHECK(json_wipe_member(NULL, "k") == 0);
	json_decref(o);
}

struct par_test {
	atomic_int done[1000];
};

static int par_item(void *ctx, size_t i)
{
	struct par_test *t = ctx;

	atomic_fetch_add(&t->done[i], 1);
	return i == 700 || i == 300 ? -(int)(i % 7 + 1) : 0;
}

static int par_ok(void *ctx, size_t i)
{
	(void)ctx;
	(void)i;
	return 0;
}

static void test_par(void)
{
	static struct par_test t;
	size_t failed = 12345;
	int i, once = 1;

	/* Every item runs exactly once; the failure reported is the lowest index's. */
	CHECK(par_for(1000, par_item, &t, &failed) == -(300 % 7 + 1));
	CHECK(failed == 300);
	for (i = 0; i < 1000; i++)
		once &= atomic_load(&t.done[i]) == 1;
	CHECK(once);
	failed = 12345;
	CHECK(par_for(0, par_ok, NULL, &failed) == 0 && failed == 12345);
	CHECK(par_for(1, par_ok, NULL, NULL) == 0);
}

/* The SVG path is written without printf: it must be byte for byte the printf form. */
static void test_svg(void)
{
	struct buf svg = {0}, ref = {0};
	static char data[400];
	struct qr qr;
	int x, y, run;

	memset(data, 'q', sizeof(data));
	CHECK(!qr_encode(&qr, data, sizeof(data)));
	CHECK(qr.width > 50); /* two- and three-digit coordinates */
	CHECK(!qr_svg(&qr, &svg));
	for (y = 0; y < qr.width; y++)
		for (x = 0; x < qr.width; x += run ? run : 1) {
			for (run = 0; qr_dark(&qr, x + run, y); run++)
				;
			if (run)
				buf_printf(&ref, "M%d %dh%dv1h-%dz", x + QR_MARGIN, y + QR_MARGIN,
					   run, run);
		}
	CHECK(ref.len > 1000 && strstr(svg.data, ref.data));
	qr_free(&qr);
	buf_free(&svg);
	buf_free(&ref);
}

int main(void)
{
	if (key_init() < 0)
		return 1;
	test_parse();
	test_duplicates();
	test_inline_keys();
	test_json_wipe();
	test_par();
	test_svg();
	return check_report("syncspec_test");
}
