/*
 * test_scan.c - reading a page's text (pdftext.h) and QR codes from
 * images (scan.h): ToUnicode maps (bfchar, bfrange, arrays, malformed,
 * too wide), text runs of a content stream, the comparison naming what
 * differs; QR codes from PNG, JPEG and raw pixels, images without one,
 * damaged images, and headers declaring more pixels than the bound
 * (refused before decoding, within the budget).
 *
 *   test_scan --qr-png TEXT OUT.png   writes TEXT's QR code as a PNG (for
 *                                     tests/e2e/upload_copy.sh)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <jpeglib.h>

#include "pdf/qrpng.h"
#include "pdftext.h"
#include "scan.h"
#include "t.h"

/* A one-font resource table for pdftext_page. */
static const struct pdftext_cmap *the_map;

static bool
font_cb(void *ctx, const char *name, struct pdftext_font *f)
{
	(void)ctx;
	if (strcmp(name, "F1") != 0)
		return false;
	f->map = the_map;
	f->code_bytes = 2;
	return true;
}

static int
xobj_cb(void *ctx, const char *name)
{
	(void)ctx;
	return strcmp(name, "Im1") == 0 ? 0 : strcmp(name, "Fm1") == 0 ? 1 :
	    -1;
}

/* Reads content literal s into out (and ops). */
#define PAGE(s, o) pdftext_page(s, sizeof(s) - 1, &res, &out, o, &complete)

static void
test_cmap(void)
{
	static const char cm[] =
	    "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
	    "1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
	    "4 beginbfchar\n<0001> <0020>\n<0002> <4E13>\n<0003> <4E1A>\n"
	    "<0004> <D83DDE00>\nendbfchar\n"
	    "2 beginbfrange\n<0010> <0019> <0030>\n"
	    "<0020> <0021> [<0041> <0042>]\nendbfrange\n"
	    "endcmap CMapName currentdict /CMap defineresource pop end end\n";
	struct pdftext_cmap *m = NULL;
	struct pdftext_res res = { NULL, font_cb, xobj_cb };
	struct buf out, ops, ops2;
	char err[HS_ERRLEN], d[256];
	bool complete;

	T_OK(pdftext_cmap_parse(cm, sizeof(cm) - 1, &m, err) == HS_OK,
	    "a ToUnicode map with bfchar, bfrange and an array parses");
	the_map = m;
	buf_init(&out);
	buf_init(&ops);
	buf_init(&ops2);
	complete = true;
	PAGE("BT /F1 9 Tf <00020003> Tj 10 0 Td [<0016>-20<00110010>] "
	    "TJ (\\000\\040) Tj <0004> Tj ET", &ops);
	buf_putc(&out, '\0');
	T_STREQ(out.data, "专业\n610\nA\n\xf0\x9f\x98\x80\n",
	    "Tj, TJ (kerning ignored), a literal string and a surrogate pair");
	T_OK(complete, "every code mapped: complete");
	buf_reset(&out);
	complete = true;
	PAGE("BT /F1 9 Tf <00090003> Tj ET", NULL);
	T_OK(!complete, "an unmapped code: not complete");
	complete = true;
	PAGE("BT /F2 9 Tf <0002> Tj ET", NULL);
	T_OK(!complete, "an unknown font: not complete");
	complete = true;
	PAGE("q /Im1 Do Q", NULL);
	T_OK(complete, "an image drawn: still complete");
	PAGE("q /Fm1 Do Q", NULL);
	T_OK(!complete, "a form drawn: not complete");
	complete = true;
	buf_reset(&out);
	PAGE("BI /W 4 /H 1 ID \x01\x02 Tj EI BT /F1 9 Tf <0002> Tj ET", NULL);
	buf_putc(&out, '\0');
	T_STREQ(out.data, "专\n", "an inline image's data is skipped");
	/* Same white-space-insensitive ops for re-spaced content. */
	buf_reset(&ops);
	buf_reset(&ops2);
	PAGE("BT /F1 9 Tf <0002> Tj ET", &ops);
	PAGE("BT\n/F1   9 Tf\r\n<0002>Tj  ET % c", &ops2);
	T_OK(ops.len == ops2.len && memcmp(ops.data, ops2.data, ops.len) == 0,
	    "content differing only in white space and comments: same ops");
	buf_reset(&ops2);
	PAGE("BT /F1 9 Tf 1 0 0 RG <0002> Tj ET", &ops2);
	T_OK(ops.len != ops2.len || memcmp(ops.data, ops2.data, ops.len) != 0,
	    "another drawing operation: other ops");
	buf_free(&out);
	buf_free(&ops);
	buf_free(&ops2);
	pdftext_cmap_free(m);

	T_OK(pdftext_cmap_parse("1 beginbfchar <01> endbfchar", 28, &m,
	    err) == HS_ERR_FORMAT && m == NULL, "a mapping without a target: "
	    "malformed");
	T_OK(pdftext_cmap_parse("begincmap endcmap", 17, &m, err) ==
	    HS_ERR_FORMAT, "a map that maps nothing: refused");
	T_OK(pdftext_cmap_parse("1 beginbfrange <000000> <010000> <0041> "
	    "endbfrange", 50, &m, err) == HS_ERR_TOOBIG && m == NULL,
	    "a range of 65537 codes: refused (%s)", err);
	T_OK(pdftext_cmap_parse("1 beginbfrange <0005> <0001> <0041> "
	    "endbfrange", 46, &m, err) == HS_ERR_FORMAT,
	    "a range that runs backwards: malformed");

	/* Comparing. */
	{
		static const char ref[] = "标题\n 学时   专业科目 Professional "
		    "\n60\n 学时\n、专业 \n61\n\f";
		static const char same[] = "标题 学时专业科目\nProfessional60"
		    "\n学时\n、专业\n61\f";
		static const char ed1[] = "标题\n 学时   专业科目 Professional "
		    "\n90\n 学时\n、专业 \n61\n\f";
		static const char ed2[] = "标题\n 学时   专业科目 Professional "
		    "\n60\n 学时\n、专业 \n91\n\f";
		static const char ed3[] = "标题\n 学时   专业科目 Professional "
		    "\n65\n 学时\n、专业 \n61\n\f";

		T_OK(pdftext_compare(same, sizeof(same) - 1, ref,
		    sizeof(ref) - 1, d, sizeof(d)) && d[0] == '\0',
		    "the same text split and spaced otherwise reads the same");
		T_OK(!pdftext_compare(ed1, sizeof(ed1) - 1, ref,
		    sizeof(ref) - 1, d, sizeof(d)), "60 -> 90 differs");
		T_STREQ(d, "页面显示 专业科目 90，签名内容为 60",
		    "named with its label");
		T_OK(!pdftext_compare(ed2, sizeof(ed2) - 1, ref,
		    sizeof(ref) - 1, d, sizeof(d)), "61 -> 91 differs");
		T_STREQ(d, "页面显示 专业 91，签名内容为 61",
		    "the label's leading punctuation dropped");
		T_OK(!pdftext_compare(ed3, sizeof(ed3) - 1, ref,
		    sizeof(ref) - 1, d, sizeof(d)), "60 -> 65 differs");
		T_STREQ(d, "页面显示 专业科目 65，签名内容为 60",
		    "a change in the last digit names the whole value");
		T_OK(!pdftext_compare("标题\f", 7, ref, sizeof(ref) - 1, d,
		    sizeof(d)) && strstr(d, "签名内容为") != NULL,
		    "text removed: differs (%s)", d);
	}
}

/* A gray JPEG of w x h (white, unless px given), into out. */
static void
make_jpeg(int w, int h, const unsigned char *px, unsigned char **out,
    unsigned long *len)
{
	struct jpeg_compress_struct ci;
	struct jpeg_error_mgr je;
	unsigned char *row = malloc((size_t)w);
	int y;

	*out = NULL;
	*len = 0;
	memset(row, 255, (size_t)w);
	ci.err = jpeg_std_error(&je);
	jpeg_create_compress(&ci);
	jpeg_mem_dest(&ci, out, len);
	ci.image_width = (JDIMENSION)w;
	ci.image_height = (JDIMENSION)h;
	ci.input_components = 1;
	ci.in_color_space = JCS_GRAYSCALE;
	jpeg_set_defaults(&ci);
	jpeg_set_quality(&ci, 90, TRUE);
	jpeg_start_compress(&ci, TRUE);
	for (y = 0; y < h; y++) {
		JSAMPROW r = px != NULL ? (JSAMPROW)(px + (size_t)y * w) : row;

		jpeg_write_scanlines(&ci, &r, 1);
	}
	jpeg_finish_compress(&ci);
	jpeg_destroy_compress(&ci);
	free(row);
}

/* Sets a JPEG's frame size (its SOF0 marker) to w x h. */
static int
jpeg_set_size(unsigned char *j, unsigned long len, int w, int h)
{
	unsigned long i;

	for (i = 2; i + 9 < len; i++)
		if (j[i] == 0xff && j[i + 1] == 0xc0) {
			j[i + 5] = (unsigned char)(h >> 8);
			j[i + 6] = (unsigned char)h;
			j[i + 7] = (unsigned char)(w >> 8);
			j[i + 8] = (unsigned char)w;
			return 1;
		}
	return 0;
}

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* A PNG chunk: length, type, data, CRC. */
static void
chunk(struct buf *b, const char *type, const void *data, uint32_t n)
{
	unsigned char h[8], c[4];
	uLong crc;

	put32(h, n);
	memcpy(h + 4, type, 4);
	buf_add(b, h, 8);
	buf_add(b, data, n);
	crc = crc32(0, (const Bytef *)type, 4);
	crc = crc32(crc, data, n);
	put32(c, (uint32_t)crc);
	buf_add(b, c, 4);
}

/* An 8-bit gray PNG declaring w x h, with rows zero-filled rows of data
 * (at most the declared ones). */
static void
make_png(struct buf *b, uint32_t w, uint32_t h, uint32_t rows)
{
	unsigned char ihdr[13] = { 0 };
	size_t raw = (size_t)rows * (w + 1);
	unsigned char *zero = calloc(1, raw + 1), *z;
	uLongf zl = compressBound((uLong)raw);

	z = malloc(zl);
	compress(z, &zl, zero, (uLong)raw);
	buf_add(b, "\x89PNG\r\n\x1a\n", 8);
	put32(ihdr, w);
	put32(ihdr + 4, h);
	ihdr[8] = 8;
	ihdr[9] = 0;
	chunk(b, "IHDR", ihdr, 13);
	chunk(b, "IDAT", z, (uint32_t)zl);
	chunk(b, "IEND", "", 0);
	free(z);
	free(zero);
}

static void
test_scan(void)
{
	static const char url[] =
	    "https://verify.example.cn/c/2024-3DF9-SYEA-ZJHW-AVW4";
	struct pdfin_budget bud;
	struct buf png, b;
	char text[SCAN_TEXT_MAX], err[HS_ERRLEN];
	unsigned char *jpg = NULL, *px;
	unsigned long jl;
	enum hs_err rc;

	T_OK(scan_kind("\xff\xd8\xff\xe0", 4) == SCAN_JPEG &&
	    scan_kind("\x89PNG\r\n\x1a\n", 8) == SCAN_PNG &&
	    scan_kind("%PDF-1.7", 8) == SCAN_NONE && scan_kind("", 0) ==
	    SCAN_NONE, "JPEG, PNG and other files told apart");
	buf_init(&png);
	T_OK(qrpng_encode(url, 4, &png, err) == HS_OK, "a QR code PNG");
	T_OK(scan_image(png.data, png.len, NULL, text, sizeof(text), err) ==
	    HS_OK, "a PNG is read");
	T_STREQ(text, "https://verify.example.cn/c/2024-3DF9-SYEA-ZJHW-AVW4\n",
	    "its QR code's text");

	/* The same pixels as a JPEG, and as raw gray pixels. */
	{
		char t2[SCAN_TEXT_MAX];
		int side = 0;

		/* Decode the PNG through the scanner's own path once more,
		 * as gray pixels: a JPEG made of them must read the same. */
		buf_init(&b);
		rc = qrpng_encode(url, 6, &b, err);
		(void)rc;
		T_OK(scan_image(b.data, b.len, NULL, t2, sizeof(t2), err) ==
		    HS_OK && strcmp(t2, text) == 0, "a larger scale reads the "
		    "same");
		buf_free(&b);
		side = 300;
		px = malloc((size_t)side * side);
		memset(px, 255, (size_t)side * side);
		make_jpeg(side, side, px, &jpg, &jl);
		T_OK(scan_image(jpg, jl, NULL, t2, sizeof(t2), err) == HS_OK &&
		    t2[0] == '\0', "a white JPEG: read, no QR code");
		T_OK(scan_pixels(px, side, side, 1, NULL, t2, sizeof(t2),
		    err) == HS_OK && t2[0] == '\0', "white pixels: no QR code");
		/* A declared size far over the bound: refused unread. */
		T_OK(jpeg_set_size(jpg, jl, 65000, 65000), "(SOF patched)");
		pdfin_budget_init(&bud, 1u << 20);
		rc = scan_image(jpg, jl, &bud, t2, sizeof(t2), err);
		T_OK(rc == HS_ERR_TOOBIG && strstr(err, "图像过大") != NULL &&
		    bud.used == 0, "a JPEG declaring 65000x65000: refused before "
		    "decoding (%s)", err);
		free(jpg);
		free(px);
	}
	/* Damaged files. */
	T_OK(scan_image(png.data, png.len / 2, NULL, text, sizeof(text), err) ==
	    HS_ERR_FORMAT && strstr(err, "PNG") != NULL,
	    "a truncated PNG: cannot be decoded (%s)", err);
	T_OK(scan_image("\xff\xd8\xff\xe0garbage", 11, NULL, text,
	    sizeof(text), err) == HS_ERR_FORMAT, "a damaged JPEG: cannot be "
	    "decoded (%s)", err);
	buf_free(&png);

	/* PNG bombs: dimensions over the bound, and a large white one. */
	buf_init(&b);
	make_png(&b, 60000, 60000, 1);
	pdfin_budget_init(&bud, 16u << 20);
	rc = scan_image(b.data, b.len, &bud, text, sizeof(text), err);
	T_OK(rc == HS_ERR_TOOBIG && bud.used == 0,
	    "a PNG declaring 60000x60000: refused before decoding (%s)", err);
	buf_free(&b);
	buf_init(&b);
	make_png(&b, 6000, 6000, 6000);
	pdfin_budget_init(&bud, 16u << 20);
	rc = scan_image(b.data, b.len, &bud, text, sizeof(text), err);
	T_OK(rc == HS_OK && text[0] == '\0' && bud.used <= SCAN_WORK_PIXELS +
	    6000, "a 36-megapixel PNG (%zu bytes) is read scaled down within "
	    "%u pixels (spent %llu)", b.len, SCAN_WORK_PIXELS,
	    (unsigned long long)bud.used);
	pdfin_budget_init(&bud, 1u << 20);
	rc = scan_image(b.data, b.len, &bud, text, sizeof(text), err);
	T_OK(rc == HS_ERR_TOOBIG, "over a small budget: refused (%s)", err);
	buf_free(&b);
}

int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "--qr-png") == 0) {
		struct buf b;
		char err[HS_ERRLEN];
		FILE *f;

		buf_init(&b);
		if (qrpng_encode(argv[2], 4, &b, err) != HS_OK ||
		    (f = fopen(argv[3], "wb")) == NULL) {
			fprintf(stderr, "test_scan: %s\n", err);
			return 2;
		}
		fwrite(b.data, 1, b.len, f);
		fclose(f);
		buf_free(&b);
		return 0;
	}
	test_cmap();
	test_scan();
	return t_done();
}
