/*
 * scan.c - QR codes out of JPEG, PNG and raw images (scan.h).
 */
#include <math.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <png.h>
#include <zbar.h>

#include "scan.h"

#define SIDE_MAX 100000   /* pixels per side */

enum scan_kind
scan_kind(const void *data, size_t len)
{
	const unsigned char *p = data;

	if (len >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return SCAN_JPEG;
	if (len >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
		return SCAN_PNG;
	return SCAN_NONE;
}

/* Charges n bytes to the budget (NULL: none). */
static enum hs_err
charge(struct pdfin_budget *b, uint64_t n, char *err)
{
	if (b == NULL)
		return HS_OK;
	b->used += n;
	if (b->used > b->limit)
		return hs_fail(err, HS_ERR_TOOBIG, "图像解码超出本次请求的上限"
		    "（%llu MB）", (unsigned long long)(b->limit >> 20));
	return HS_OK;
}

/* The refusal of an image larger than the bound, before decoding it. */
static enum hs_err
too_big(long long w, long long h, char *err)
{
	return hs_fail(err, HS_ERR_TOOBIG, "图像过大（%lld×%lld 像素，上限 "
	    "%u 万像素），未解码", w, h, SCAN_PIXELS_MAX / 10000);
}

static bool
dims_ok(long long w, long long h)
{
	return w > 0 && h > 0 && w <= SIDE_MAX && h <= SIDE_MAX &&
	    (unsigned long long)(w * h) <= SCAN_PIXELS_MAX;
}

/* The scale-down factor that brings w x h within SCAN_WORK_PIXELS. */
static int
factor(long long w, long long h)
{
	int k = 1;

	while ((unsigned long long)((w / k) * (h / k)) > SCAN_WORK_PIXELS)
		k++;
	return k;
}

/* zbar over gray pixels; QR codes only. */
static enum hs_err
read_codes(const unsigned char *gray, int w, int h, char *text, size_t n,
    char *err)
{
	zbar_image_scanner_t *sc;
	zbar_image_t *im;
	const zbar_symbol_t *sym;
	size_t used = 0;
	int r;

	text[0] = '\0';
	if ((sc = zbar_image_scanner_create()) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "内存不足");
	if ((im = zbar_image_create()) == NULL) {
		zbar_image_scanner_destroy(sc);
		return hs_fail(err, HS_ERR_NOMEM, "内存不足");
	}
	zbar_image_scanner_set_config(sc, ZBAR_NONE, ZBAR_CFG_ENABLE, 0);
	zbar_image_scanner_set_config(sc, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
	zbar_image_set_format(im, zbar_fourcc('Y', '8', '0', '0'));
	zbar_image_set_size(im, (unsigned)w, (unsigned)h);
	zbar_image_set_data(im, gray, (unsigned long)w * (unsigned long)h,
	    NULL);
	r = zbar_scan_image(sc, im);
	for (sym = r > 0 ? zbar_image_first_symbol(im) : NULL; sym != NULL;
	    sym = zbar_symbol_next(sym)) {
		const char *d = zbar_symbol_get_data(sym);
		size_t dl = zbar_symbol_get_data_length(sym);

		if (d == NULL || dl == 0 || memchr(d, '\0', dl) != NULL ||
		    memchr(d, '\n', dl) != NULL || used + dl + 2 > n)
			continue;
		memcpy(text + used, d, dl);
		used += dl;
		text[used++] = '\n';
		text[used] = '\0';
	}
	zbar_image_destroy(im);
	zbar_image_scanner_destroy(sc);
	return HS_OK;
}

/* ---- JPEG ---- */

struct jerr {
	struct jpeg_error_mgr pub;
	jmp_buf jb;
	char msg[JMSG_LENGTH_MAX];
};

static void
jerr_exit(j_common_ptr ci)
{
	struct jerr *je = (struct jerr *)ci->err;

	ci->err->format_message(ci, je->msg);
	longjmp(je->jb, 1);
}

static void
jerr_quiet(j_common_ptr ci, int level)
{
	(void)ci;
	(void)level;
}

static enum hs_err
scan_jpeg(const void *data, size_t len, struct pdfin_budget *b, char *text,
    size_t n, char *err)
{
	struct jpeg_decompress_struct ci;
	struct jerr je;
	unsigned char *volatile gray = NULL;
	volatile enum hs_err rc = HS_OK;
	JSAMPROW row;
	int k;

	memset(&ci, 0, sizeof(ci));
	ci.err = jpeg_std_error(&je.pub);
	je.pub.error_exit = jerr_exit;
	je.pub.emit_message = jerr_quiet;
	if (setjmp(je.jb)) {
		rc = hs_fail(err, HS_ERR_FORMAT, "JPEG 图像无法解码（%s）",
		    je.msg);
		goto out;
	}
	jpeg_create_decompress(&ci);
	ci.mem->max_memory_to_use = SCAN_JPEG_MEM;
	jpeg_mem_src(&ci, (const unsigned char *)data, (unsigned long)len);
	if (jpeg_read_header(&ci, TRUE) != JPEG_HEADER_OK) {
		rc = hs_fail(err, HS_ERR_FORMAT, "JPEG 图像无法解码");
		goto out;
	}
	if (!dims_ok(ci.image_width, ci.image_height)) {
		rc = too_big(ci.image_width, ci.image_height, err);
		goto out;
	}
	/* libjpeg scales by 1/1, 1/2, 1/4 or 1/8 while decoding. */
	k = factor(ci.image_width, ci.image_height);
	ci.scale_num = 1;
	ci.scale_denom = k <= 1 ? 1 : k <= 2 ? 2 : k <= 4 ? 4 : 8;
	ci.out_color_space = JCS_GRAYSCALE;
	jpeg_calc_output_dimensions(&ci);
	if ((unsigned long long)ci.output_width * ci.output_height >
	    SCAN_WORK_PIXELS * 2ull) {
		rc = too_big(ci.image_width, ci.image_height, err);
		goto out;
	}
	if ((rc = charge(b, (uint64_t)ci.output_width * ci.output_height,
	    err)) != HS_OK)
		goto out;
	if ((gray = malloc((size_t)ci.output_width * ci.output_height)) ==
	    NULL) {
		rc = hs_fail(err, HS_ERR_NOMEM, "内存不足");
		goto out;
	}
	jpeg_start_decompress(&ci);
	while (ci.output_scanline < ci.output_height) {
		row = gray + (size_t)ci.output_scanline * ci.output_width;
		jpeg_read_scanlines(&ci, &row, 1);
	}
	jpeg_finish_decompress(&ci);
	rc = read_codes(gray, (int)ci.output_width, (int)ci.output_height,
	    text, n, err);
out:
	jpeg_destroy_decompress(&ci);
	free(gray);
	return rc;
}

/* ---- PNG ---- */

struct pngsrc {
	const unsigned char *p;
	size_t len, off;
};

struct perr {
	jmp_buf jb;
	char msg[128];
};

static void
png_read_mem(png_structp png, png_bytep out, size_t n)
{
	struct pngsrc *s = png_get_io_ptr(png);

	if (n > s->len - s->off)
		png_error(png, "truncated");
	memcpy(out, s->p + s->off, n);
	s->off += n;
}

static void
perr_exit(png_structp png, png_const_charp msg)
{
	struct perr *pe = png_get_error_ptr(png);

	snprintf(pe->msg, sizeof(pe->msg), "%s", msg);
	longjmp(pe->jb, 1);
}

static void
perr_warn(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

static enum hs_err
scan_png(const void *data, size_t len, struct pdfin_budget *b, char *text,
    size_t n, char *err)
{
	png_structp png;
	png_infop info = NULL;
	struct pngsrc src = { data, len, 0 };
	struct perr pe;
	unsigned char *volatile gray = NULL, *volatile rowbuf = NULL;
	volatile enum hs_err rc = HS_OK;
	png_uint_32 w, h, y, x, ow, oh;
	int depth, ctype, inter, k, passes, p;
	size_t rb;

	pe.msg[0] = '\0';
	png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &pe, perr_exit,
	    perr_warn);
	if (png == NULL || (info = png_create_info_struct(png)) == NULL) {
		png_destroy_read_struct(&png, NULL, NULL);
		return hs_fail(err, HS_ERR_NOMEM, "内存不足");
	}
	if (setjmp(pe.jb)) {
		rc = hs_fail(err, HS_ERR_FORMAT, "PNG 图像无法解码（%s）",
		    pe.msg);
		goto out;
	}
	png_set_user_limits(png, SIDE_MAX, SIDE_MAX);
	png_set_chunk_malloc_max(png, 8u << 20);
	png_set_read_fn(png, &src, png_read_mem);
	png_read_info(png, info);
	png_get_IHDR(png, info, &w, &h, &depth, &ctype, &inter, NULL, NULL);
	if (!dims_ok(w, h)) {
		rc = too_big(w, h, err);
		goto out;
	}
	/* Everything to 8-bit gray, alpha dropped. */
	if (ctype == PNG_COLOR_TYPE_PALETTE)
		png_set_palette_to_rgb(png);
	if (ctype == PNG_COLOR_TYPE_GRAY && depth < 8)
		png_set_expand_gray_1_2_4_to_8(png);
	if (depth == 16)
		png_set_strip_16(png);
	png_set_strip_alpha(png);
	if (ctype & PNG_COLOR_MASK_COLOR || ctype == PNG_COLOR_TYPE_PALETTE)
		png_set_rgb_to_gray_fixed(png, 1, -1, -1);
	passes = png_set_interlace_handling(png);
	png_read_update_info(png, info);
	rb = png_get_rowbytes(png, info);
	if (rb != w) {
		rc = hs_fail(err, HS_ERR_FORMAT, "PNG 图像格式不受支持");
		goto out;
	}
	k = factor(w, h);
	if (passes > 1 && k > 1) {
		/* An interlaced image needs all its rows at once. */
		rc = too_big(w, h, err);
		goto out;
	}
	ow = w / (png_uint_32)k;
	oh = h / (png_uint_32)k;
	if ((rc = charge(b, (uint64_t)ow * oh + rb, err)) != HS_OK)
		goto out;
	if ((gray = malloc((size_t)ow * oh)) == NULL ||
	    (rowbuf = malloc(rb)) == NULL) {
		rc = hs_fail(err, HS_ERR_NOMEM, "内存不足");
		goto out;
	}
	if (passes > 1) {
		for (p = 0; p < passes; p++)
			for (y = 0; y < h; y++)
				png_read_row(png, gray + (size_t)y * w, NULL);
	} else {
		for (y = 0; y < h; y++) {
			png_read_row(png, rowbuf, NULL);
			if (y % (png_uint_32)k != 0 || y / (png_uint_32)k >= oh)
				continue;
			for (x = 0; x < ow; x++)
				gray[(size_t)(y / (png_uint_32)k) * ow + x] =
				    rowbuf[(size_t)x * (size_t)k];
		}
	}
	rc = read_codes(gray, (int)ow, (int)oh, text, n, err);
out:
	png_destroy_read_struct(&png, &info, NULL);
	free(gray);
	free(rowbuf);
	return rc;
}

enum hs_err
scan_image(const void *data, size_t len, struct pdfin_budget *b, char *text,
    size_t n, char *err)
{
	text[0] = '\0';
	switch (scan_kind(data, len)) {
	case SCAN_JPEG:
		return scan_jpeg(data, len, b, text, n, err);
	case SCAN_PNG:
		return scan_png(data, len, b, text, n, err);
	default:
		return hs_fail(err, HS_ERR_FORMAT, "不是 JPEG 或 PNG 图像");
	}
}

enum hs_err
scan_pixels(const unsigned char *px, int w, int h, int ncomp,
    struct pdfin_budget *b, char *text, size_t n, char *err)
{
	unsigned char *gray;
	enum hs_err rc;
	int k, ow, oh, x, y;
	const unsigned char *s;

	text[0] = '\0';
	if (!dims_ok(w, h))
		return too_big(w, h, err);
	if (ncomp != 1 && ncomp != 3)
		return hs_fail(err, HS_ERR_FORMAT, "图像的颜色格式不受支持");
	k = factor(w, h);
	ow = w / k;
	oh = h / k;
	if ((rc = charge(b, (uint64_t)ow * (uint64_t)oh, err)) != HS_OK)
		return rc;
	if ((gray = malloc((size_t)ow * (size_t)oh)) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "内存不足");
	for (y = 0; y < oh; y++)
		for (x = 0; x < ow; x++) {
			s = px + ((size_t)y * (size_t)k * (size_t)w +
			    (size_t)x * (size_t)k) * (size_t)ncomp;
			gray[(size_t)y * (size_t)ow + (size_t)x] = ncomp == 1 ?
			    s[0] : (unsigned char)((s[0] * 77 + s[1] * 150 +
			    s[2] * 29) >> 8);
		}
	rc = read_codes(gray, ow, oh, text, n, err);
	free(gray);
	return rc;
}
