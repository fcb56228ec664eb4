/*
 * qrpng.h - a QR symbol (pdf/qr.h) as a PNG image: 1-bit greyscale,
 * scale pixels a module, the 4-module quiet zone included. For the share
 * code's /s/<code>/qr.png.
 */
#ifndef HS_PDF_QRPNG_H
#define HS_PDF_QRPNG_H

#include "core/hs.h"
#include "core/util.h"
#include "pdf/qr.h"

#define QRPNG_MAX_SCALE 16
#define QRPNG_MAX_SIDE 2048 /* pixels: bounds the image */

/*
 * Appends the PNG of text's QR code, scale (1..QRPNG_MAX_SCALE) pixels a
 * module, to out. HS_ERR_TOOBIG if the image would be wider than
 * QRPNG_MAX_SIDE, the qr_encode errors otherwise.
 */
enum hs_err qrpng_encode(const char *text, int scale, struct buf *out,
    char *err);

#endif
