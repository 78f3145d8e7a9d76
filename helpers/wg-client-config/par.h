/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A parallel loop for CPU-bound work on independent items (rendering a thousand QR codes): runs
 * @fn(@ctx, i) for every i in [0, @n) on up to one thread per online CPU (at most PAR_MAX).
 * @fn must touch nothing shared but its own item.
 */
#ifndef WARREN_PAR_H
#define WARREN_PAR_H

#include <stddef.h>

#define PAR_MAX 16

/*
 * 0 when every call returned 0; otherwise the return value of the failed call with the lowest
 * index, which goes to *@failed (may be NULL). Every item is run whatever fails; when no extra
 * thread can be started, the calling thread runs them all.
 */
int par_for(size_t n, int (*fn)(void *ctx, size_t i), void *ctx, size_t *failed);

#endif
