/*
 * qrpng.c - QR code PNGs (qrpng.h): the PNG is written by hand (IHDR,
 * one zlib IDAT, IEND; zlib for the deflate stream and the CRCs).
 */
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "pdf/qrpng.h"

static void
put32(struct buf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 8), (uint8_t)v };

	buf_add(b, x, 4);
}

/* One chunk: length, type, data, CRC of type and data. */
static void
chunk(struct buf *b, const char *type, const uint8_t *data, size_t n)
{
	uLong crc = crc32(0L, Z_NULL, 0);

	put32(b, (uint32_t)n);
	buf_add(b, type, 4);
	if (n > 0)
		buf_add(b, data, n);
	crc = crc32(crc, (const Bytef *)type, 4);
	if (n > 0)
		crc = crc32(crc, data, (uInt)n);
	put32(b, (uint32_t)crc);
}

enum hs_err
qrpng_encode(const char *text, int scale, struct buf *out, char *err)
{
	static const uint8_t sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n',
	    0x1a, '\n' };
	struct qr *qr = NULL;
	uint8_t *raw = NULL, *z = NULL, ihdr[13];
	size_t row, side, y, x;
	uLongf zlen;
	enum hs_err rc;
	int w;

	if (scale < 1 || scale > QRPNG_MAX_SCALE)
		return hs_fail(err, HS_ERR_INVALID, "scale must be 1..%d",
		    QRPNG_MAX_SCALE);
	if ((rc = qr_encode(text, &qr, err)) != HS_OK)
		return rc;
	w = qr_width(qr);
	side = (size_t)(w + 2 * QR_QUIET) * (size_t)scale;
	if (side > QRPNG_MAX_SIDE) {
		rc = hs_fail(err, HS_ERR_TOOBIG, "QR image of %zu pixels",
		    side);
		goto out;
	}
	/* Rows of 1-bit pixels (1 = white), each after a filter byte 0. */
	row = 1 + (side + 7) / 8;
	if ((raw = calloc(side, row)) == NULL) {
		rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (y = 0; y < side; y++) {
		uint8_t *r = raw + y * row + 1;

		for (x = 0; x < side; x++) {
			int mx = (int)(x / (size_t)scale) - QR_QUIET;
			int my = (int)(y / (size_t)scale) - QR_QUIET;
			int dark = mx >= 0 && my >= 0 && mx < w && my < w &&
			    qr_dark(qr, mx, my);

			if (!dark)
				r[x / 8] |= (uint8_t)(0x80 >> (x % 8));
		}
	}
	zlen = compressBound((uLong)(side * row));
	if ((z = malloc(zlen)) == NULL) {
		rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (compress2(z, &zlen, raw, (uLong)(side * row), 9) != Z_OK) {
		rc = hs_fail(err, HS_ERR_NOMEM, "zlib failed");
		goto out;
	}
	ihdr[0] = (uint8_t)(side >> 24);
	ihdr[1] = (uint8_t)(side >> 16);
	ihdr[2] = (uint8_t)(side >> 8);
	ihdr[3] = (uint8_t)side;
	memcpy(ihdr + 4, ihdr, 4);
	ihdr[8] = 1;    /* bit depth */
	ihdr[9] = 0;    /* greyscale */
	ihdr[10] = 0;   /* deflate */
	ihdr[11] = 0;   /* adaptive filtering, every row filter 0 */
	ihdr[12] = 0;   /* not interlaced */
	buf_add(out, sig, sizeof(sig));
	chunk(out, "IHDR", ihdr, sizeof(ihdr));
	chunk(out, "IDAT", z, zlen);
	chunk(out, "IEND", NULL, 0);
	rc = out->oom ? hs_fail(err, HS_ERR_NOMEM, "out of memory") : HS_OK;
out:
	free(raw);
	free(z);
	qr_free(qr);
	return rc;
}
