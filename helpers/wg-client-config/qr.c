// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>
#include <qrencode.h>
#include <sodium.h>

#include "qr.h"

int qr_encode(struct qr *qr, const void *data, size_t len)
{
	QRcode *code;
	int i, n;

	memset(qr, 0, sizeof(*qr));
	if (len == 0 || len > 2953) /* version 40-L holds 2953 bytes */
		return -EMSGSIZE;
	errno = 0;
	code = QRcode_encodeData((int)len, data, 0, QR_ECLEVEL_L);
	if (!code)
		return errno == ERANGE ? -EMSGSIZE : errno ? -errno : -ENOMEM;
	n = code->width * code->width;
	qr->dark = malloc((size_t)n);
	if (!qr->dark) {
		sodium_memzero(code->data, (size_t)n);
		QRcode_free(code);
		return -ENOMEM;
	}
	qr->width = code->width;
	for (i = 0; i < n; i++)
		qr->dark[i] = code->data[i] & 1;
	sodium_memzero(code->data, (size_t)n);
	QRcode_free(code);
	return 0;
}

void qr_free(struct qr *qr)
{
	if (qr->dark) {
		sodium_memzero(qr->dark, (size_t)qr->width * (size_t)qr->width);
		free(qr->dark);
	}
	memset(qr, 0, sizeof(*qr));
}

/* ---- PNG ------------------------------------------------------------------------------ */

struct png_sink {
	struct buf *out;
	int ret;
};

static void png_sink_write(png_structp png, png_bytep data, png_size_t len)
{
	struct png_sink *s = png_get_io_ptr(png);

	if (!s->ret)
		s->ret = buf_append(s->out, data, len);
}

static void png_sink_flush(png_structp png)
{
	(void)png;
}

int qr_png(const struct qr *qr, struct buf *out)
{
	const int side = (qr->width + 2 * QR_MARGIN) * QR_PNG_SCALE;
	const size_t rowlen = ((size_t)side + 7) / 8;
	struct png_sink sink = {out, 0};
	png_structp png;
	png_infop info = NULL;
	unsigned char *volatile row = NULL;
	volatile int ret = -ENOMEM;
	int x, y, px;

	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	if (!png)
		return -ENOMEM;
	info = png_create_info_struct(png);
	row = malloc(rowlen);
	if (!info || !row)
		goto out;
	if (setjmp(png_jmpbuf(png))) {
		ret = sink.ret ? sink.ret : -EIO;
		goto out;
	}
	png_set_write_fn(png, &sink, png_sink_write, png_sink_flush);
	png_set_IHDR(png, info, (png_uint_32)side, (png_uint_32)side, 1, PNG_COLOR_TYPE_GRAY,
		     PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	/* Each module row is drawn once and written QR_PNG_SCALE times. */
	for (y = 0; y < side; y++) {
		if (y % QR_PNG_SCALE == 0) {
			memset(row, 0xff, rowlen); /* 1 = white */
			for (px = 0; px < side; px++) {
				x = px / QR_PNG_SCALE - QR_MARGIN;
				if (qr_dark(qr, x, y / QR_PNG_SCALE - QR_MARGIN))
					row[px / 8] &= (unsigned char)~(0x80 >> (px % 8));
			}
		}
		png_write_row(png, row);
	}
	png_write_end(png, info);
	ret = sink.ret;
out:
	png_destroy_write_struct(&png, info ? &info : NULL);
	if (row) {
		sodium_memzero(row, rowlen);
		free(row);
	}
	return ret;
}

/* ---- SVG ------------------------------------------------------------------------------ */

/* Decimal digits of @v (0 or more) at @p; returns how many. */
static size_t put_uint(char *p, int v)
{
	char digits[12];
	size_t n = 0, i;

	do
		digits[n++] = (char)('0' + v % 10);
	while ((v /= 10) > 0);
	for (i = 0; i < n; i++)
		p[i] = digits[n - 1 - i];
	return n;
}

/*
 * "M<x> <y>h<run>v1h-<run>z", as buf_printf() would write it but without printf: a symbol has
 * hundreds of runs and `sync` draws a thousand symbols.
 */
static int svg_run(struct buf *out, int x, int y, int run)
{
	char s[64];
	size_t n = 0;

	s[n++] = 'M';
	n += put_uint(s + n, x);
	s[n++] = ' ';
	n += put_uint(s + n, y);
	s[n++] = 'h';
	n += put_uint(s + n, run);
	memcpy(s + n, "v1h-", 4);
	n += 4;
	n += put_uint(s + n, run);
	s[n++] = 'z';
	return buf_append(out, s, n);
}

int qr_svg(const struct qr *qr, struct buf *out)
{
	const int side = qr->width + 2 * QR_MARGIN;
	int x, y, run, ret;

	ret = buf_printf(
	    out,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
	    "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
	    "shape-rendering=\"crispEdges\">\n"
	    "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n<path fill=\"#000000\" d=\"",
	    side, side, side * QR_PNG_SCALE, side * QR_PNG_SCALE, side, side);
	/* One horizontal run of dark modules per subpath: "M x y h run v 1 h -run z". */
	for (y = 0; !ret && y < qr->width; y++) {
		for (x = 0; !ret && x < qr->width; x += run ? run : 1) {
			for (run = 0; qr_dark(qr, x + run, y); run++)
				;
			if (run)
				ret = svg_run(out, x + QR_MARGIN, y + QR_MARGIN, run);
		}
	}
	if (!ret)
		ret = buf_printf(out, "\"/>\n</svg>\n");
	return ret;
}

/* ---- terminal ------------------------------------------------------------------------- */

int qr_text(const struct qr *qr, struct buf *out)
{
	static const char *const cell[4] = {" ", "\u2584", "\u2580", "\u2588"};
	const int lo = -QR_TEXT_MARGIN, hi = qr->width + QR_TEXT_MARGIN;
	int x, y, ret = 0;

	for (y = lo; !ret && y < hi; y += 2) {
		ret = buf_printf(out, "\033[40;97m");
		for (x = lo; !ret && x < hi; x++) {
			bool top = !qr_dark(qr, x, y);
			bool bottom = y + 1 < hi && !qr_dark(qr, x, y + 1);

			ret = buf_printf(out, "%s", cell[(top ? 2 : 0) | (bottom ? 1 : 0)]);
		}
		if (!ret)
			ret = buf_printf(out, "\033[0m\n");
	}
	return ret;
}
