/*
 * mpart.c - multipart/form-data parsing (mpart.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "web/mpart.h"

#define HEADER_BLOCK_MAX 8192

int
mpart_boundary(const char *ct, char out[71])
{
	const char *p;
	size_t n = 0;

	if (ct == NULL || strncasecmp(ct, "multipart/form-data", 19) != 0)
		return -1;
	for (p = ct + 19; *p != '\0'; p++) {
		if (strncasecmp(p, "boundary=", 9) == 0 &&
		    (p[-1] == ';' || p[-1] == ' ' || p[-1] == '\t'))
			break;
	}
	if (*p == '\0')
		return -1;
	p += 9;
	if (*p == '"') {
		for (p++; *p != '\0' && *p != '"'; p++) {
			if (n >= 70)
				return -1;
			out[n++] = *p;
		}
		if (*p != '"')
			return -1;
	} else {
		for (; *p != '\0' && *p != ';' && *p != ' ' && *p != '\t';
		    p++) {
			if (n >= 70)
				return -1;
			out[n++] = *p;
		}
	}
	if (n == 0)
		return -1;
	out[n] = '\0';
	/* RFC 2046 bchars: printable ASCII only. */
	for (n = 0; out[n] != '\0'; n++)
		if ((unsigned char)out[n] < 0x20 || (unsigned char)out[n] > 0x7e)
			return -1;
	return 0;
}

/* Copies a parameter value (quoted or token) of a header into out. */
static void
header_param(const char *h, size_t hlen, const char *key, char *out,
    size_t outsz)
{
	size_t kl = strlen(key), i, o;

	out[0] = '\0';
	for (i = 0; i + kl + 1 < hlen; i++) {
		if ((i == 0 || h[i - 1] == ' ' || h[i - 1] == ';' ||
		    h[i - 1] == '\t') && strncasecmp(h + i, key, kl) == 0 &&
		    h[i + kl] == '=')
			break;
	}
	if (i + kl + 1 >= hlen)
		return;
	i += kl + 1;
	o = 0;
	if (h[i] == '"') {
		for (i++; i < hlen && h[i] != '"' && o + 1 < outsz; i++) {
			if (h[i] == '\\' && i + 1 < hlen)
				i++;
			out[o++] = h[i];
		}
	} else {
		for (; i < hlen && h[i] != ';' && h[i] != ' ' && o + 1 < outsz;
		    i++)
			out[o++] = h[i];
	}
	out[o] = '\0';
}

static void
parse_headers(const char *h, size_t hlen, struct mpart *p)
{
	const char *line = h, *end = h + hlen, *nl;

	while (line < end) {
		size_t ll;

		nl = memmem(line, (size_t)(end - line), "\r\n", 2);
		ll = nl ? (size_t)(nl - line) : (size_t)(end - line);
		if (ll > 20 && strncasecmp(line, "Content-Disposition:", 20) ==
		    0) {
			header_param(line + 20, ll - 20, "name", p->name,
			    sizeof(p->name));
			header_param(line + 20, ll - 20, "filename",
			    p->filename, sizeof(p->filename));
		} else if (ll > 13 && strncasecmp(line, "Content-Type:", 13) ==
		    0) {
			size_t i = 13, o = 0;

			while (i < ll && (line[i] == ' ' || line[i] == '\t'))
				i++;
			for (; i < ll && o + 1 < sizeof(p->ctype); i++)
				p->ctype[o++] = line[i];
			p->ctype[o] = '\0';
		}
		if (nl == NULL)
			break;
		line = nl + 2;
	}
}

enum hs_err
mpart_parse(const char *boundary, const char *body, size_t len,
    struct mpart *parts, size_t max, size_t *n, char *err)
{
	char delim[76];
	size_t dl, pos;
	const char *p, *end = body + len, *hend, *next;

	*n = 0;
	dl = (size_t)snprintf(delim, sizeof(delim), "\r\n--%s", boundary);
	if (dl >= sizeof(delim) || boundary[0] == '\0')
		return hs_fail(err, HS_ERR_FORMAT, "bad multipart boundary");
	/* The first delimiter may start the body (no preamble CRLF). */
	if (len >= dl - 2 && memcmp(body, delim + 2, dl - 2) == 0) {
		p = body + dl - 2;
	} else {
		p = memmem(body, len, delim, dl);
		if (p == NULL)
			return hs_fail(err, HS_ERR_FORMAT, "multipart body has "
			    "no boundary");
		p += dl;
	}
	for (;;) {
		struct mpart *mp;

		if (end - p >= 2 && p[0] == '-' && p[1] == '-')
			return HS_OK; /* close delimiter; epilogue ignored */
		/* Transport padding, then CRLF. */
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
			return hs_fail(err, HS_ERR_FORMAT, "multipart body is "
			    "truncated or malformed after part %zu", *n);
		p += 2;
		pos = (size_t)(end - p);
		hend = memmem(p, pos < HEADER_BLOCK_MAX ? pos :
		    HEADER_BLOCK_MAX, "\r\n\r\n", 4);
		if (hend == NULL && p + 2 <= end && p[0] == '\r' && p[1] == '\n')
			hend = p - 2; /* no headers at all */
		if (hend == NULL)
			return hs_fail(err, HS_ERR_FORMAT, "multipart part %zu: "
			    "headers missing, too long or truncated", *n + 1);
		if (*n >= max)
			return hs_fail(err, HS_ERR_TOOBIG, "more than %zu parts "
			    "in the multipart body", max);
		mp = &parts[*n];
		memset(mp, 0, sizeof(*mp));
		if (hend > p)
			parse_headers(p, (size_t)(hend - p), mp);
		p = hend + 4;
		next = memmem(p, (size_t)(end - p), delim, dl);
		if (next == NULL)
			return hs_fail(err, HS_ERR_FORMAT, "multipart part %zu "
			    "is truncated (no closing boundary)", *n + 1);
		mp->data = p;
		mp->len = (size_t)(next - p);
		(*n)++;
		p = next + dl;
	}
}
