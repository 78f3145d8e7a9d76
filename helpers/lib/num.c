// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>

#include "num.h"

bool num_parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out, const char **end)
{
	unsigned long long v;
	char *e;

	/* strtoull would skip spaces and accept a sign (and wrap "-1" around). */
	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &e, 10);
	if (errno || (!end && *e) || v < lo || v > hi)
		return false;
	if (end)
		*end = e;
	*out = v;
	return true;
}
