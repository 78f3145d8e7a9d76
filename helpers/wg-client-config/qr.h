/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * QR codes (libqrencode, 8-bit mode, error correction level L: the smallest symbol, as
 * `qrencode` makes by default) rendered three ways: PNG (libpng, 1 bit grey), SVG (one path) and
 * text for a terminal (UTF-8 half blocks, two module rows per line). Every output is a pure
 * function of the input bytes, so regenerating unchanged input gives identical files.
 */
#ifndef WARREN_QR_H
#define WARREN_QR_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

struct qr {
	int width;	     /* modules per side, without quiet zone */
	unsigned char *dark; /* width * width booleans */
};

#define QR_PNG_SCALE   8 /* pixels per module */
#define QR_MARGIN      4 /* quiet zone of the images, in modules */
#define QR_TEXT_MARGIN 2

/* -EMSGSIZE when @len bytes do not fit in one symbol. */
int qr_encode(struct qr *qr, const void *data, size_t len);
/* Wipes and frees the modules (they encode the input). */
void qr_free(struct qr *qr);
static inline bool qr_dark(const struct qr *qr, int x, int y)
{
	return x >= 0 && y >= 0 && x < qr->width && y < qr->width && qr->dark[y * qr->width + x];
}

int qr_png(const struct qr *qr, struct buf *out);
int qr_svg(const struct qr *qr, struct buf *out);
/* Light modules are drawn (white on a forced black background, ANSI), dark ones left blank. */
int qr_text(const struct qr *qr, struct buf *out);

#endif
