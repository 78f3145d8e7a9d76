/* SPDX-License-Identifier: GPL-2.0-only */
/* The one unsigned-integer parser: decimal digits only, no sign, no spaces, a closed range. */
#ifndef WARREN_NUM_H
#define WARREN_NUM_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Reads a decimal number from @s into @out when it lies in @lo..@hi. With @end NULL the whole of
 * @s must be the number; otherwise *end is set to the first character after it (for "LO-HI").
 * False, leaving @out alone, for no leading digit, a sign, overflow or a value out of range.
 */
bool num_parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out, const char **end);

#endif
