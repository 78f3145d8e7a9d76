// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests: keys, CIDR and endpoint parsing, state validation and the diff. */
#include <arpa/inet.h>
#include <stdlib.h>

#include "check.h"
#include "wgdiff.h"
#include "wgstate.h"

#define K1 "DGE6yKq/V2piGvexhQaLau0w9xBVNnx/i/xLboSknCw="
#define K2 "Z6jvPs4hI28EwUSXPA39oY8cnX0K5xH8NlgiWzjDamE="
#define K3 "jpLVTxLtfOuNxUP3aKB8v0Z/VjRLqqemXtewv2eY9xE="

static void test_keys(void)
{
	uint8_t k[KEY_LEN], pub[KEY_LEN];
	char b64[KEY_B64_LEN], hex[KEY_HEX_LEN];

	CHECK(key_from_base64(k, K1));
	key_to_base64(b64, k);
	CHECK(!strcmp(b64, K1));
	key_to_hex(hex, k);
	CHECK(key_from_hex(pub, hex) && key_eq(pub, k));
	CHECK(
	    key_from_hex(pub, "000102030405060708090a0b0c0d0e0f10111213141516171819AaBbCcDdEeFf"));
	CHECK(pub[0] == 0 && pub[9] == 9 && pub[10] == 10 && pub[26] == 0xaa && pub[31] == 0xff);
	CHECK(
	    !key_from_hex(pub, "g00102030405060708090a0b0c0d0e0f10111213141516171819AaBbCcDdEeF"));
	CHECK(
	    !key_from_hex(pub, "0001020304050607080:0a0b0c0d0e0f10111213141516171819AaBbCcDdEeF"));
	CHECK(
	    !key_from_hex(pub, "0001020304050607080/0a0b0c0d0e0f10111213141516171819AaBbCcDdEeF"));
	CHECK(
	    !key_from_hex(pub, "0001020304050607080@0a0b0c0d0e0f10111213141516171819AaBbCcDdEeF"));
	CHECK(
	    !key_from_hex(pub, "0001020304050607080`0a0b0c0d0e0f10111213141516171819AaBbCcDdEeF"));
	CHECK(
	    !key_from_hex(pub, "0001020304050607080G0a0b0c0d0e0f10111213141516171819AaBbCcDdEeF"));
	CHECK(!key_from_hex(pub, "00010203040506070809"));
	/* Every byte value in the first position: accepted exactly for hex digits, with their
	 * value. */
	{
		char hx[KEY_HEX_LEN];
		int c, bad = 0;

		memset(hx, '0', KEY_HEX_LEN - 1);
		hx[KEY_HEX_LEN - 1] = '\0';
		for (c = 1; c < 256; c++) {
			bool want = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
				    (c >= 'A' && c <= 'F');
			int v = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

			hx[0] = (char)c;
			if (key_from_hex(pub, hx) != want || (want && pub[0] != (v << 4)))
				bad++;
		}
		CHECK(bad == 0);
	}
	CHECK(!key_from_base64(k, "AAAA"));
	CHECK(!key_from_base64(k, K1 "A"));
	CHECK(!key_from_base64(k, "DGE6yKq/V2piGvexhQaLau0w9xBVNnx/i/xLboSknCw")); /* no padding */
	CHECK(!key_from_base64(k, "DGE6yKq/V2piGvexhQaLau0w9xBVNnx/i/xLboSknC*="));
	CHECK(key_parse_text(k, K1 "\n", strlen(K1) + 1));
	CHECK(!key_parse_text(k, K1 "x\n", strlen(K1) + 2));
	/* RFC 7748 test vector (Alice). */
	CHECK(key_from_hex(k, "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
	CHECK(!key_public(pub, k));
	key_to_hex(hex, pub);
	CHECK(!strcmp(hex, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"));
	key_generate_private(k);
	CHECK((k[0] & 7) == 0 && (k[31] & 128) == 0 && (k[31] & 64) == 64);
}

static void test_cidr(void)
{
	struct wg_allowedip a, b;
	char s[ADDR_STR_LEN];
	struct err err = {{0}};

	CHECK(addr_allowedip_parse(&a, "192.168.100.0/24", &err));
	addr_allowedip_str(s, &a);
	CHECK(!strcmp(s, "192.168.100.0/24"));
	CHECK(addr_allowedip_parse(&a, "10.0.0.1", &err) && a.cidr == 32);
	CHECK(addr_allowedip_parse(&a, "fd00::1", &err) && a.cidr == 128 && a.family == AF_INET6);
	CHECK(addr_allowedip_parse(&a, "0.0.0.0/0", &err) && a.cidr == 0);
	CHECK(addr_allowedip_parse(&a, "::/0", &err));
	CHECK(!addr_allowedip_parse(&a, "192.168.100.2/24", &err));
	CHECK_STR_CONTAINS(err.msg, "did you mean \"192.168.100.0/24\"");
	CHECK(!addr_allowedip_parse(&a, "fd00::1:0/96", &err));
	CHECK_STR_CONTAINS(err.msg, "\"fd00::/96\"");
	CHECK(!addr_allowedip_parse(&a, "10.0.0.0/33", &err));
	CHECK(!addr_allowedip_parse(&a, "10.0.0.0/-1", &err));
	CHECK(!addr_allowedip_parse(&a, "10.0.0.0/+8", &err));
	CHECK(!addr_allowedip_parse(&a, "10.0.0.0/ 8", &err));
	/* Any whitespace, anywhere, and signs: strtol() would skip or take them. */
	CHECK(!addr_allowedip_parse(&a, "10.0.0.0/\t8", &err));
	CHECK_STR_CONTAINS(err.msg, "invalid prefix length");
	CHECK(!addr_allowedip_parse(&a, "10.0.0.0/\n8", &err));
	CHECK(!addr_allowedip_parse(&a, "10.0.0.0/\v8", &err));
	CHECK(!addr_allowedip_parse(&a, "fd00::/\t64", &err));
	CHECK(!addr_allowedip_parse(&a, "10.0.0.0/-0", &err));
	CHECK(!addr_allowedip_parse(&a, "10.0.0.0/8\t", &err));
	CHECK(!addr_allowedip_parse(&a, "10.0.0.0\t/8", &err));
	CHECK(!addr_allowedip_parse(&a, "\t10.0.0.0/8", &err));
	CHECK(!addr_allowedip_parse(&a, "10.0.0.0/08", &err));
	CHECK(!addr_allowedip_parse(&a, "10.0.0/8", &err));
	CHECK(!addr_allowedip_parse(&a, "/8", &err));
	CHECK(!addr_allowedip_parse(&a, "", &err));
	CHECK(addr_allowedip_parse(&a, "10.0.0.0/8", &err) &&
	      addr_allowedip_parse(&b, "10.0.0.0/16", &err));
	CHECK(addr_allowedip_cmp(&a, &b) < 0);
	CHECK(addr_allowedip_parse(&b, "fd00::/8", &err) && addr_allowedip_cmp(&a, &b) < 0);
}

static void test_endpoint(void)
{
	struct wg_endpoint e, f;
	char s[ADDR_STR_LEN];
	struct err err = {{0}};

	CHECK(addr_endpoint_parse(&e, "203.0.113.5:51820", &err));
	addr_endpoint_str(s, &e);
	CHECK(!strcmp(s, "203.0.113.5:51820"));
	CHECK(addr_endpoint_parse(&f, "[2001:db8::1]:443", &err));
	addr_endpoint_str(s, &f);
	CHECK(!strcmp(s, "[2001:db8::1]:443"));
	CHECK(!addr_endpoint_eq(&e, &f));
	CHECK(addr_endpoint_parse(&f, "localhost:51820", &err));
	CHECK(!addr_endpoint_parse(&e, "203.0.113.5", &err));
	CHECK(!addr_endpoint_parse(&e, "203.0.113.5:0", &err));
	CHECK(!addr_endpoint_parse(&e, "203.0.113.5:65536", &err));
	CHECK(!addr_endpoint_parse(&e, "2001:db8::1:443", &err));
	CHECK(!addr_endpoint_parse(&e, "[2001:db8::1]443", &err));
	CHECK(!addr_endpoint_parse(&e, ":443", &err));
}

static bool parse(struct wgstate *st, const char *text, struct err *err)
{
	json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	bool ok;

	if (!root)
		return err_set(err, "unit test JSON is broken");
	ok = wgstate_parse(st, root, 0, err);
	json_decref(root);
	return ok;
}

static void test_state(void)
{
	struct wgstate st;
	struct err err = {{0}};

	CHECK(parse(&st, "{\"interface\":\"wg0\"}", &err));
	CHECK(st.dev->flags == 0 && st.dev->n_peers == 0);
	wgstate_free(&st);

	CHECK(
	    parse(&st,
		  "{\"interface\":\"wg0\",\"listen_port\":51820,\"fwmark\":0,\"peers\":[{\"name\":"
		  "\"a\",\"public_key\":\"" K1 "\",\"allowed_ips\":[\"10.0.0.2/32\"],"
		  "\"persistent_keepalive\":0,\"enabled\":false,\"always_on\":true}]}",
		  &err));
	CHECK(st.dev->flags == (WGDEV_HAS_LISTEN_PORT | WGDEV_HAS_FWMARK | WGDEV_HAS_PEERS));
	CHECK(st.dev->n_peers == 1 && !strcmp(st.dev->peers[0].name, "a"));
	CHECK(st.dev->peers[0].flags ==
	      (WGPEER_HAS_ALLOWEDIPS | WGPEER_HAS_KEEPALIVE | WGPEER_DISABLED | WGPEER_ALWAYS_ON));
	wgstate_free(&st);

	CHECK(!parse(&st,
		     "{\"interface\":\"wg0\",\"peers\":[{\"name\":\"a\",\"public_key\":\"" K1
		     "\",\"allowed_ips\":[\"10.0.0.2/32\"]},{\"name\":\"b\",\"public_key\":\"" K2
		     "\",\"allowed_ips\":[\"10.0.0.2/32\"]}]}",
		     &err));
	CHECK_STR_CONTAINS(err.msg, "both claim allowed IP 10.0.0.2/32");
	wgstate_free(&st);
	CHECK(!parse(&st,
		     "{\"interface\":\"wg0\",\"peers\":[{\"name\":\"a\",\"public_key\":\"" K1
		     "\",\"bogus\":1}]}",
		     &err));
	CHECK_STR_CONTAINS(err.msg, "peers[0] (\"a\"): unknown field \"bogus\"");
	wgstate_free(&st);
	CHECK(!parse(
	    &st, "{\"interface\":\"wg0\",\"peers\":[{\"name\":\"a b\",\"public_key\":\"" K1 "\"}]}",
	    &err));
	CHECK_STR_CONTAINS(err.msg, "name:");
	wgstate_free(&st);
	CHECK(parse(&st,
		    "{\"interface\":\"wg0\",\"peers\":[{\"name\":\"a\",\"public_key\":\"" K1
		    "\",\"key_created\":1764561600,\"psk_created\":1}]}",
		    &err));
	CHECK(st.dev->peers[0].key_created == 1764561600 && st.dev->peers[0].psk_created == 1);
	CHECK(st.dev->peers[0].flags == 0); /* not a device setting: the sync ignores it */
	wgstate_free(&st);
	CHECK(!parse(&st,
		     "{\"interface\":\"wg0\",\"peers\":[{\"name\":\"a\",\"public_key\":\"" K1
		     "\",\"key_created\":\"2026-12-01T00:00:00Z\"}]}",
		     &err));
	CHECK_STR_CONTAINS(err.msg, "peers[0] (\"a\"): key_created: must be an integer");
	wgstate_free(&st);
	CHECK(!parse(&st,
		     "{\"interface\":\"wg0\",\"peers\":[{\"name\":\"a\",\"public_key\":\"" K1
		     "\",\"psk_created\":0}]}",
		     &err));
	CHECK_STR_CONTAINS(err.msg, "peers[0] (\"a\"): psk_created: 0 is out of range");
	wgstate_free(&st);
	CHECK(wgstate_name_valid("alice-phone") && wgstate_name_valid("a.b_c@d"));
	CHECK(!wgstate_name_valid("-x") && !wgstate_name_valid("a/b") && !wgstate_name_valid(""));
}

static struct wg_peer *peer(struct wg_device *d, const char *b64, const char *aip)
{
	struct wg_peer *p = wgdev_add_peer(d);
	struct wg_allowedip a;

	key_from_base64(p->public_key, b64);
	if (aip) {
		addr_allowedip_parse(&a, aip, NULL);
		wgpeer_add_allowedip(p, &a);
		p->flags |= WGPEER_HAS_ALLOWEDIPS;
	}
	return p;
}

static void test_diff(void)
{
	struct wg_device *live = wgdev_new("wg0"), *want = wgdev_new("wg0");
	struct wgdiff d;

	live->flags = WGDEV_HAS_LISTEN_PORT;
	live->listen_port = 51820;
	peer(live, K1, "10.0.0.1/32")->keepalive = 25;
	peer(live, K2, "10.0.0.2/32");
	peer(live, K3, "10.0.0.3/32");
	wgdev_sort(live);

	/* Nothing given: nothing to do. */
	CHECK(!wgdiff_compute(&d, live, want) && !wgdiff_changed(&d) && d.remaining == 3);
	wgdiff_free(&d);

	/* Same port, same peers: nothing to send. */
	want->flags = WGDEV_HAS_LISTEN_PORT | WGDEV_HAS_PEERS;
	want->listen_port = 51820;
	peer(want, K1, "10.0.0.1/32")->name = strdup("one");
	peer(want, K2, "10.0.0.2/32")->name = strdup("two");
	peer(want, K3, NULL)->name = strdup("three"); /* no allowed_ips: leave them */
	wgdev_sort(want);
	CHECK(!wgdiff_compute(&d, live, want) && !wgdiff_changed(&d) && d.unchanged == 3);
	wgdiff_free(&d);

	/* One peer's allowed IPs differ: only that peer, replace flag, update-only. */
	want->peers[1].allowedips[0].ip4.s_addr = htonl(0x0a000063);
	wgdev_sort(want);
	CHECK(!wgdiff_compute(&d, live, want) && wgdiff_changed(&d));
	CHECK(d.set->n_peers == 1 && d.updated.n == 1 && d.unchanged == 2 && !d.fields.n);
	CHECK(d.set->peers[0].flags & WGPEER_REPLACE_ALLOWEDIPS);
	CHECK(d.set->peers[0].flags & WGPEER_UPDATE_ONLY);
	CHECK(!(d.set->peers[0].flags & (WGPEER_HAS_KEEPALIVE | WGPEER_HAS_ENDPOINT)));
	wgdiff_free(&d);

	/* Disable one, drop one from the list, change the port. */
	want->listen_port = 51821;
	want->peers[0].flags |= WGPEER_DISABLED;
	free(want->peers[2].allowedips);
	free(want->peers[2].name);
	want->n_peers = 2;
	CHECK(!wgdiff_compute(&d, live, want));
	CHECK(d.fields.n == 1 && !strcmp(d.fields.items[0], "listen_port"));
	CHECK(d.removed.n == 2 && d.remaining == 1);
	wgdiff_free(&d);

	/* Everything disabled: nothing would remain. */
	want->peers[1].flags |= WGPEER_DISABLED;
	CHECK(!wgdiff_compute(&d, live, want) && d.remaining == 0 && d.removed.n == 3);
	wgdiff_free(&d);
	wgdev_free(live);
	wgdev_free(want);
}

int main(void)
{
	if (key_init() < 0)
		return 1;
	test_keys();
	test_cidr();
	test_endpoint();
	test_state();
	test_diff();
	return check_report("wgstate_test");
}
