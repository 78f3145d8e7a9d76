/* SPDX-License-Identifier: GPL-2.0-only */
/* A minimal assertion harness for the C unit tests: CHECK counts, a failure exits 1 at the end. */
#ifndef WARREN_TEST_CHECK_H
#define WARREN_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_run, check_failed;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		check_run++;                                                                       \
		if (!(cond)) {                                                                     \
			check_failed++;                                                            \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);   \
		}                                                                                  \
	} while (0)

#define CHECK_STR_CONTAINS(hay, needle)                                                            \
	do {                                                                                       \
		check_run++;                                                                       \
		if (!strstr((hay), (needle))) {                                                    \
			check_failed++;                                                            \
			fprintf(stderr, "%s:%d: \"%s\" does not contain \"%s\"\n", __FILE__,       \
				__LINE__, (hay), (needle));                                        \
		}                                                                                  \
	} while (0)

static inline int check_report(const char *name)
{
	printf("%s: %d checks, %d failed\n", name, check_run, check_failed);
	return check_failed ? 1 : 0;
}

#endif
