// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests: the JSON contract with text that is not UTF-8 (a path, quoted in a message). */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "out.h"

static void test_utf8(void)
{
	CHECK(json_out_utf8("") && json_out_utf8("/etc/wireguard/wg0.json"));
	CHECK(json_out_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91"));
	CHECK(!json_out_utf8("/tmp/\xff"));
	CHECK(!json_out_utf8("\xc0\xaf"));		 /* overlong "/" */
	CHECK(!json_out_utf8("\xe0\x80\xaf"));		 /* overlong "/" */
	CHECK(!json_out_utf8("\xed\xa0\x80"));		 /* a UTF-16 surrogate */
	CHECK(!json_out_utf8("\xf4\x90\x80\x80"));	 /* above U+10FFFF */
	CHECK(!json_out_utf8("\xe2\x82"));		 /* cut short */
	CHECK(!json_out_utf8("ok\xe2\x82"));		 /* cut short at the end */
	CHECK(!json_out_utf8("\x80 continuation only")); /* no lead byte */
}

/* A failure quoting a non-UTF-8 path still prints its message, the bytes escaped. */
static void test_fail_escapes(void)
{
	char buf[512] = "";
	FILE *f = tmpfile();
	int saved = dup(STDOUT_FILENO), rc;
	size_t n;

	fflush(stdout);
	dup2(fileno(f), STDOUT_FILENO);
	rc = json_out_fail(EXIT_INVALID, "cannot read \"/tmp/\xff\xfe.json\": %s", "No such file");
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	CHECK(rc == EXIT_INVALID);
	CHECK_STR_CONTAINS(buf, "cannot read \\\"/tmp/\\\\xff\\\\xfe.json\\\": No such file");
	CHECK(!strstr(buf, "out of memory"));
}

int main(void)
{
	test_utf8();
	test_fail_escapes();
	return check_report("out_test");
}
