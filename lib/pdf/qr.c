/*
 * qr.c - QR code symbols through libqrencode (see qr.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#include "pdf/qr.h"

struct qr {
	QRcode *code;
};

enum hs_err
qr_encode(const char *text, struct qr **out, char *err)
{
	struct qr *q;
	size_t n = strlen(text);

	*out = NULL;
	if (n == 0)
		return hs_fail(err, HS_ERR_INVALID, "QR code: empty text");
	if (n > QR_MAX_TEXT)
		return hs_fail(err, HS_ERR_TOOBIG,
		    "QR code: %zu bytes of text, at most %d", n, QR_MAX_TEXT);
	if ((q = calloc(1, sizeof(*q))) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	q->code = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (q->code == NULL) {
		int e = errno;

		free(q);
		return hs_fail(err, e == ERANGE ? HS_ERR_TOOBIG : HS_ERR_NOMEM,
		    "QR code: %s", strerror(e));
	}
	*out = q;
	return HS_OK;
}

void
qr_free(struct qr *q)
{
	if (q == NULL)
		return;
	QRcode_free(q->code);
	free(q);
}

int
qr_width(const struct qr *q)
{
	return q->code->width;
}

bool
qr_dark(const struct qr *q, int x, int y)
{
	int w = q->code->width;

	if (x < 0 || y < 0 || x >= w || y >= w)
		return false;
	return (q->code->data[(size_t)y * (size_t)w + (size_t)x] & 1) != 0;
}
