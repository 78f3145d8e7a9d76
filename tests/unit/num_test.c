// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests: the one unsigned-integer parser (ports, shard counts, UAPI counters). */
#include <stdint.h>

#include "check.h"
#include "num.h"

static void test_whole(void)
{
	uint64_t v = 7;

	CHECK(num_parse_u64("51820", 1, 65535, &v, NULL) && v == 51820);
	CHECK(num_parse_u64("0", 0, 1, &v, NULL) && v == 0);
	CHECK(num_parse_u64("18446744073709551615", 0, UINT64_MAX, &v, NULL) && v == UINT64_MAX);
	v = 7;
	CHECK(!num_parse_u64("18446744073709551616", 0, UINT64_MAX, &v, NULL) && v == 7);
	CHECK(!num_parse_u64("", 0, 10, &v, NULL));
	CHECK(!num_parse_u64(" 1", 0, 10, &v, NULL));
	CHECK(!num_parse_u64("+1", 0, 10, &v, NULL));
	CHECK(!num_parse_u64("-1", 0, UINT64_MAX, &v, NULL));
	CHECK(!num_parse_u64("1 ", 0, 10, &v, NULL));
	CHECK(!num_parse_u64("0x10", 0, 100, &v, NULL));
	CHECK(!num_parse_u64("0", 1, 65535, &v, NULL));
	CHECK(!num_parse_u64("65536", 1, 65535, &v, NULL));
	CHECK(v == 7);
}

static void test_prefix(void)
{
	const char *end = NULL;
	uint64_t v = 0;

	CHECK(num_parse_u64("80-90", 1, 65535, &v, &end) && v == 80 && *end == '-');
	CHECK(num_parse_u64("443", 1, 65535, &v, &end) && v == 443 && *end == '\0');
	CHECK(!num_parse_u64("-90", 1, 65535, &v, &end));
	CHECK(!num_parse_u64("0-90", 1, 65535, &v, &end));
}

int main(void)
{
	test_whole();
	test_prefix();
	return check_report("num_test");
}
