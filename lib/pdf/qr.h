/*
 * qr.h - QR code symbols (libqrencode), error correction level M.
 *
 * The symbol is a square of modules; drawing it (vector squares in a PDF,
 * SVG on a web page) and the 4-module quiet zone around it are the
 * caller's job.
 */
#ifndef HS_QR_H
#define HS_QR_H

#include <stdbool.h>
#include <stddef.h>

#include "core/hs.h"

#define QR_QUIET 4          /* modules of blank margin a reader needs */
#define QR_MAX_TEXT 1024    /* bytes; well inside version 40-M capacity */

struct qr;

/*
 * Encodes text (8-bit mode, case preserved, level M, smallest version
 * that fits). HS_ERR_TOOBIG over QR_MAX_TEXT, HS_ERR_INVALID for empty
 * text, HS_ERR_NOMEM otherwise. Caller frees *out with qr_free.
 */
enum hs_err qr_encode(const char *text, struct qr **out, char *err);

/* Frees q. Accepts NULL. */
void qr_free(struct qr *q);

/* Modules per side (21 for version 1, +4 per version). */
int qr_width(const struct qr *q);

/* True if module (x, y) is dark; (0, 0) is the top left. */
bool qr_dark(const struct qr *q, int x, int y);

#endif
