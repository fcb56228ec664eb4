/*
 * pdfutil.c - this module holds the small helpers the PDF renderer's files
 * share: a hash map from 64-bit keys to 32-bit values (glyph sets and
 * lookups), zlib streams by libdeflate, and hex digits for content streams
 * and CMaps.
 */
#include <stdlib.h>
#include <string.h>

#include "pdf/pdf_int.h"

/* ------------------------------------------------------------------ */
/* A tiny hash map: uint64 key -> uint32 value                          */
/* ------------------------------------------------------------------ */

static size_t
map_hash(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return (size_t)k;
}

bool
pdf_map_get(const struct pdf_map *m, uint64_t k, uint32_t *v)
{
	size_t i;

	if (m->cap == 0)
		return false;
	for (i = map_hash(k) & (m->cap - 1); m->vals[i] != 0;
	    i = (i + 1) & (m->cap - 1)) {
		if (m->keys[i] == k) {
			*v = m->vals[i] - 1;
			return true;
		}
	}
	return false;
}

bool
pdf_map_put(struct pdf_map *m, uint64_t k, uint32_t v)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap) {
		struct pdf_map g = { 0 };
		size_t j;

		g.cap = m->cap ? m->cap * 2 : 64;
		g.keys = calloc(g.cap, sizeof(*g.keys));
		g.vals = calloc(g.cap, sizeof(*g.vals));
		if (g.keys == NULL || g.vals == NULL) {
			free(g.keys);
			free(g.vals);
			return false;
		}
		for (j = 0; j < m->cap; j++) {
			if (m->vals[j] == 0)
				continue;
			for (i = map_hash(m->keys[j]) & (g.cap - 1);
			    g.vals[i] != 0; i = (i + 1) & (g.cap - 1))
				;
			g.keys[i] = m->keys[j];
			g.vals[i] = m->vals[j];
		}
		g.n = m->n;
		free(m->keys);
		free(m->vals);
		*m = g;
	}
	for (i = map_hash(k) & (m->cap - 1); m->vals[i] != 0;
	    i = (i + 1) & (m->cap - 1)) {
		if (m->keys[i] == k) {
			m->vals[i] = v + 1;
			return true;
		}
	}
	m->keys[i] = k;
	m->vals[i] = v + 1;
	m->n++;
	return true;
}

void
pdf_map_free(struct pdf_map *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

/* ------------------------------------------------------------------ */
/* Output                                                               */
/* ------------------------------------------------------------------ */

/*
 * Deflates p[0..n) into *out (malloc'd) as a zlib stream (FlateDecode).
 * libdeflate: several times faster than zlib at the same ratio, and
 * compressing fonts is most of the cost of a certificate.
 */
enum hs_err
pdf_deflate(struct libdeflate_compressor *zc, const void *p, size_t n,
    uint8_t **out, size_t *outlen, char *err)
{
	size_t cap = libdeflate_zlib_compress_bound(zc, n);
	uint8_t *z = malloc(cap);

	*out = NULL;
	if (z == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	if ((*outlen = libdeflate_zlib_compress(zc, p, n, z, cap)) == 0) {
		free(z);
		return hs_fail(err, HS_ERR_NOMEM, "deflate failed");
	}
	*out = z;
	return HS_OK;
}

void
pdf_puthex4(struct buf *b, uint32_t v)
{
	static const char hex[] = "0123456789ABCDEF";
	char s[4];

	s[0] = hex[v >> 12 & 15];
	s[1] = hex[v >> 8 & 15];
	s[2] = hex[v >> 4 & 15];
	s[3] = hex[v & 15];
	buf_add(b, s, 4);
}
