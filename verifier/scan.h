/*
 * scan.h - QR codes read from images: a scan or a photo of a printed
 * certificate, uploaded as a JPEG or PNG file or wrapped in a PDF
 * (pdfin_images). Images are decoded with libjpeg and libpng into 8-bit
 * gray, bounded: at most SCAN_PIXELS_MAX pixels as declared (a larger
 * header is refused before any pixel is decoded), and at most
 * SCAN_WORK_PIXELS decoded (larger images are decoded scaled down: JPEG
 * by libjpeg's DCT scaling, PNG by keeping every k-th row and column as
 * rows arrive). The gray bytes count against the decoding budget
 * (pdfin.h). The codes are read with zbar (QR only).
 */
#ifndef HS_SCAN_H
#define HS_SCAN_H

#include <stdbool.h>
#include <stddef.h>

#include "core/hs.h"
#include "pdfin.h"

#define SCAN_PIXELS_MAX PDFIN_IMAGE_PIXELS_MAX
#define SCAN_WORK_PIXELS (12u * 1000 * 1000)
#define SCAN_JPEG_MEM (96u << 20)   /* libjpeg's own memory */
#define SCAN_TEXT_MAX 1024          /* bytes of QR text kept */

enum scan_kind { SCAN_NONE, SCAN_JPEG, SCAN_PNG };

/* What data is by its first bytes. */
enum scan_kind scan_kind(const void *data, size_t len);

/*
 * Reads the QR codes of the image data[0..len) (a JPEG or PNG file, or,
 * for scan_pixels, w x h pixels of ncomp 8-bit components, 1 or 3).
 * HS_OK with text (n bytes) holding each code's text on its own line (""
 * if none), HS_ERR_FORMAT if the image cannot be decoded, HS_ERR_TOOBIG
 * over SCAN_PIXELS_MAX or the budget (b may be NULL), HS_ERR_NOMEM. err
 * says why, in Chinese, fit to show.
 */
enum hs_err scan_image(const void *data, size_t len, struct pdfin_budget *b,
    char *text, size_t n, char *err);
enum hs_err scan_pixels(const unsigned char *px, int w, int h, int ncomp,
    struct pdfin_budget *b, char *text, size_t n, char *err);

#endif
