// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests: client spec validation, .conf rendering, QR renderers, write-if-changed files. */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "wg-client-config/clientconf.h"
#include "filesync.h"
#include "wg-client-config/qr.h"

#define SK "Z6jvPs4hI28EwUSXPA39oY8cnX0K5xH8NlgiWzjDamE="
#define PK "DGE6yKq/V2piGvexhQaLau0w9xBVNnx/i/xLboSknCw="

static json_t *spec(const char *extra)
{
	char text[2048];

	snprintf(
	    text, sizeof(text),
	    "{\"name\":\"alice\",\"private_key_file\":\"/k\",\"addresses\":[\"192.168.100.2\"],"
	    "\"server_public_key\":\"" SK "\",\"endpoint\":\"vpn.example.org:51820\"%s}",
	    extra);
	return json_loads(text, JSON_REJECT_DUPLICATES, NULL);
}

/* Parses the base spec plus @extra; returns whether it passed, the message in @err. */
static bool try(const char *extra, struct err *err)
{
	struct clientconf cc;
	json_t *s = spec(extra);
	bool ok;

	if (!s)
		return false;
	ok = clientconf_parse(&cc, s, 0, err);
	json_decref(s);
	return ok;
}

static void expect_fail(const char *extra, const char *msg)
{
	struct err err = {{0}};

	CHECK(!try(extra, &err));
	CHECK_STR_CONTAINS(err.msg, msg);
}

static void test_validation(void)
{
	struct err err = {{0}};

	CHECK(try("", &err));
	CHECK(clientconf_hostname_valid("vpn.example.org"));
	CHECK(clientconf_hostname_valid("a-b.c"));
	CHECK(!clientconf_hostname_valid("-a.b"));
	CHECK(!clientconf_hostname_valid("a-.b"));
	CHECK(!clientconf_hostname_valid("a..b"));
	CHECK(!clientconf_hostname_valid("a_b"));
	CHECK(!clientconf_hostname_valid(""));
	CHECK(clientconf_endpoint_valid("203.0.113.1:51820", &err));
	CHECK(clientconf_endpoint_valid("[2001:db8::1]:51820", &err));
	CHECK(!clientconf_endpoint_valid("2001:db8::1:51820", &err));
	CHECK(!clientconf_endpoint_valid("host:0", &err));
	CHECK(!clientconf_endpoint_valid("host:65536", &err));
	CHECK(!clientconf_endpoint_valid(":51820", &err));
	CHECK(!clientconf_endpoint_valid("host", &err));
	CHECK(!clientconf_endpoint_valid("[::1:51820", &err));

	expect_fail(",\"extra\":1", "unknown field \"extra\"");
	expect_fail(",\"name\":\"x\"", "");
	expect_fail(",\"dns\":[\"bad_domain\"]", "dns[0]: \"bad_domain\"");
	expect_fail(",\"dns\":[\"1.1.1.1\",\"1.1.1.1\"]", "dns[1]: \"1.1.1.1\" is listed twice");
	expect_fail(",\"allowed_ips\":[\"192.168.1.1/16\"]", "did you mean \"192.168.0.0/16\"");
	expect_fail(",\"allowed_ips\":[]", "allowed_ips: must not be empty");
	expect_fail(",\"allowed_ips\":\"0.0.0.0/0\"", "allowed_ips: must be a list");
	expect_fail(",\"persistent_keepalive\":65536",
		    "persistent_keepalive: 65536 is out of range");
	expect_fail(",\"persistent_keepalive\":\"25\"", "persistent_keepalive");
	expect_fail(",\"mtu\":100", "mtu: 100 is out of range (576-9000)");
	expect_fail(",\"preshared_key_file\":\"\"", "preshared_key_file: must be a non-empty");

	struct clientconf cc;
	json_t *s;

	s = json_loads("{\"name\":\"../etc\",\"private_key_file\":\"/k\"}", 0, NULL);
	CHECK(!clientconf_parse(&cc, s, 0, &err));
	CHECK_STR_CONTAINS(err.msg, "name: \"../etc\"");
	json_decref(s);
	s = json_loads(
	    "{\"name\":\"a\",\"private_key_file\":\"/k\",\"addresses\":[\"10.0.0.1/33\"]}", 0,
	    NULL);
	CHECK(!clientconf_parse(&cc, s, 0, &err));
	CHECK_STR_CONTAINS(err.msg, "addresses[0]: \"10.0.0.1/33\" has an invalid prefix");
	json_decref(s);
	/* Whitespace (or a sign) in the prefix length: strtol() used to skip it. */
	s = json_loads(
	    "{\"name\":\"a\",\"private_key_file\":\"/k\",\"addresses\":[\"10.0.0.1/\\t32\"]}", 0,
	    NULL);
	CHECK(!clientconf_parse(&cc, s, 0, &err));
	CHECK_STR_CONTAINS(err.msg, "has an invalid prefix length");
	json_decref(s);
	s = json_loads(
	    "{\"name\":\"a\",\"private_key_file\":\"/k\",\"addresses\":[\"10.0.0.1/\\n32\"]}", 0,
	    NULL);
	CHECK(!clientconf_parse(&cc, s, 0, &err));
	json_decref(s);
	s = json_loads(
	    "{\"name\":\"a\",\"private_key_file\":\"/k\",\"addresses\":[\"10.0.0.1/0\"]}", 0, NULL);
	CHECK(!clientconf_parse(&cc, s, 0, &err));
	json_decref(s);
	s = json_loads("{\"name\":\"a\",\"private_key_file\":\"/k\",\"addresses\":[]}", 0, NULL);
	CHECK(!clientconf_parse(&cc, s, 0, &err));
	CHECK_STR_CONTAINS(err.msg, "addresses: at least one");
	json_decref(s);
	s = json_loads("{\"name\":\"a\",\"private_key_file\":\"/k\",\"addresses\":[\"10.0.0.2\"],"
		       "\"server_public_key\":\"AAAA\"}",
		       0, NULL);
	CHECK(!clientconf_parse(&cc, s, 0, &err));
	CHECK_STR_CONTAINS(err.msg, "server_public_key: \"AAAA\"");
	json_decref(s);
	s = json_loads("{\"name\":\"a\",\"private_key_file\":\"/k\",\"addresses\":[\"10.0.0.2\"],"
		       "\"server_public_key\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\","
		       "\"endpoint\":\"vpn.example.org:51820\"}",
		       0, NULL);
	CHECK(!clientconf_parse(&cc, s, 0, &err));
	CHECK_STR_CONTAINS(err.msg,
			   "server_public_key: \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\" "
			   "is the all-zero key");
	json_decref(s);
	s = json_loads("{\"name\":\"a\",\"private_key_file\":\"/k\",\"addresses\":[\"10.0.0.2\"],"
		       "\"server_public_key\":\"" SK "\"}",
		       0, NULL);
	CHECK(!clientconf_parse(&cc, s, 0, &err));
	CHECK_STR_CONTAINS(err.msg, "endpoint: is required");
	json_decref(s);
}

static void test_render(void)
{
	struct clientconf cc;
	struct err err = {{0}};
	struct buf b = {0};
	json_t *s = json_loads(
	    "{\"name\":\"alice\",\"private_key_file\":\"/k\",\"preshared_key_file\":\"/p\","
	    "\"addresses\":[\"192.168.100.2\",\"fd00::0002/64\"],\"dns\":[\"192.168.1.1\",\"lan\"],"
	    "\"server_public_key\":\"" SK "\",\"endpoint\":\"vpn.example.org:51820\",\"mtu\":1380,"
	    "\"allowed_ips\":[\"0.0.0.0/0\",\"::/0\"],\"persistent_keepalive\":25}",
	    JSON_REJECT_DUPLICATES, NULL);

	CHECK(clientconf_parse(&cc, s, 0, &err));
	CHECK(key_from_base64(cc.private_key, PK));
	CHECK(key_from_base64(cc.preshared_key, SK));
	cc.has_preshared_key = true;
	CHECK(!clientconf_render(&cc, &b));
	CHECK(b.data &&
	      !strcmp(b.data, "[Interface]\nPrivateKey = " PK "\n"
			      "Address = 192.168.100.2/32, fd00::2/64\n"
			      "DNS = 192.168.1.1, lan\nMTU = 1380\n\n"
			      "[Peer]\nPublicKey = " SK "\nPresharedKey = " SK "\n"
			      "AllowedIPs = 0.0.0.0/0, ::/0\n"
			      "Endpoint = vpn.example.org:51820\nPersistentKeepalive = 25\n"));
	buf_free(&b);
	clientconf_wipe(&cc);
	CHECK(key_is_zero(cc.private_key) && key_is_zero(cc.preshared_key));
	json_decref(s);

	/* Defaults: split tunnel, no keepalive, no DNS, no PSK. */
	s = spec(",\"persistent_keepalive\":0");
	CHECK(clientconf_parse(&cc, s, 0, &err));
	CHECK(!clientconf_render(&cc, &b));
	CHECK_STR_CONTAINS(b.data, "AllowedIPs = 192.168.0.0/16\n");
	CHECK(!strstr(b.data, "DNS") && !strstr(b.data, "Keepalive") &&
	      !strstr(b.data, "Preshared"));
	buf_free(&b);
	json_decref(s);
}

static void test_qr(void)
{
	struct buf png = {0}, svg = {0}, text = {0};
	static char big[4000];
	struct qr qr;
	size_t lines = 0, i;

	CHECK(!qr_encode(&qr, "hello", 5));
	CHECK(qr.width == 21);
	/* Finder pattern: the top-left corner is dark, the separator after it light. */
	CHECK(qr_dark(&qr, 0, 0) && qr_dark(&qr, 6, 6) && !qr_dark(&qr, 7, 7));
	CHECK(!qr_dark(&qr, -1, 0) && !qr_dark(&qr, 21, 0));
	CHECK(!qr_png(&qr, &png));
	CHECK(png.len > 8 && !memcmp(png.data, "\x89PNG\r\n\x1a\n", 8));
	CHECK(!qr_svg(&qr, &svg));
	CHECK_STR_CONTAINS(svg.data, "viewBox=\"0 0 29 29\"");
	CHECK_STR_CONTAINS(svg.data, "M4 4h7v1h-7z");
	CHECK(!qr_text(&qr, &text));
	for (i = 0; i < text.len; i++)
		lines += text.data[i] == '\n';
	CHECK(lines == (21 + 2 * QR_TEXT_MARGIN + 1) / 2);
	qr_free(&qr);
	CHECK(qr.dark == NULL);
	/* Deterministic: the same input gives the same bytes. */
	struct buf png2 = {0};

	CHECK(!qr_encode(&qr, "hello", 5) && !qr_png(&qr, &png2));
	CHECK(png2.len == png.len && !memcmp(png.data, png2.data, png.len));
	qr_free(&qr);
	memset(big, 'x', sizeof(big));
	CHECK(qr_encode(&qr, big, sizeof(big)) == -EMSGSIZE);
	buf_free(&png);
	buf_free(&png2);
	buf_free(&svg);
	buf_free(&text);
}

static void test_files(void)
{
	char dir[] = "/tmp/clientconf-test.XXXXXX", path[256], sub[256];
	struct buf b = {0};
	struct stat st;
	bool ch;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/a.conf", dir);
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	CHECK(!filesync_write(path, "one\n", 4, 0600, true, &ch) && ch);
	CHECK(stat(path, &st) < 0);
	CHECK(!filesync_write(path, "one\n", 4, 0600, false, &ch) && ch);
	CHECK(!stat(path, &st) && (st.st_mode & 07777) == 0600);
	CHECK(!filesync_write(path, "one\n", 4, 0600, false, &ch) && !ch);
	CHECK(!filesync_write(path, "two\n", 4, 0600, true, &ch) && ch);
	CHECK(!filesync_read(path, &b, true) && !strcmp(b.data, "one\n"));
	buf_free(&b);
	chmod(path, 0644);
	CHECK(filesync_read(path, &b, true) == -EACCES);
	CHECK(!filesync_write(path, "one\n", 4, 0600, false, &ch) && ch);
	CHECK(!stat(path, &st) && (st.st_mode & 07777) == 0600);
	CHECK(!filesync_write(path, "two\n", 4, 0600, false, &ch) && ch);
	CHECK(!filesync_read(path, &b, true) && !strcmp(b.data, "two\n"));
	buf_free(&b);
	CHECK(filesync_write(dir, "x", 1, 0600, false, &ch) == -EISDIR);
	CHECK(!filesync_mkdir(sub, 0700, true, &ch) && ch && stat(sub, &st) < 0);
	CHECK(!filesync_mkdir(sub, 0700, false, &ch) && ch);
	CHECK(!stat(sub, &st) && (st.st_mode & 07777) == 0700);
	CHECK(!filesync_mkdir(sub, 0700, false, &ch) && !ch);
	CHECK(filesync_mkdir(path, 0700, false, &ch) == -ENOTDIR);
	CHECK(!filesync_remove(path, true, &ch) && ch && !stat(path, &st));
	CHECK(!filesync_remove(path, false, &ch) && ch && stat(path, &st) < 0);
	CHECK(!filesync_remove(path, false, &ch) && !ch);
	rmdir(sub);
	CHECK(!rmdir(dir));
	int bad = 0;

	for (int i = 0; i < 1000; i++)
		bad |= buf_printf(&b, "%04d", i);
	CHECK(!bad);
	CHECK(b.len == 4000 && !strncmp(b.data + 3996, "0999", 4));
	buf_free(&b);
}

int main(void)
{
	if (key_init() < 0)
		return 1;
	test_validation();
	test_render();
	test_qr();
	test_files();
	return check_report("clientconf_test");
}
