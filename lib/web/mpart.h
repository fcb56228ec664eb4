/*
 * mpart.h - multipart/form-data bodies (RFC 7578), parsed in place with
 * bounds: boundary length, part count, header block size. A body that
 * ends before the closing boundary is malformed (a truncated upload).
 */
#ifndef HS_MPART_H
#define HS_MPART_H

#include <stddef.h>

#include "core/hs.h"

#define MPART_MAX_PARTS 1100

struct mpart {
	char name[64];       /* form field name ("" if none) */
	char filename[256];  /* "" if not a file */
	char ctype[128];     /* part Content-Type, "" if none */
	const char *data;    /* points into the body */
	size_t len;
};

/*
 * Extracts the boundary from a Content-Type header value. Returns 0 and
 * fills out (71 bytes) if it is multipart/form-data with a valid
 * boundary, else -1.
 */
int mpart_boundary(const char *content_type, char out[71]);

/*
 * Splits body[0..len) into at most max parts. HS_ERR_FORMAT (err says
 * why) if malformed or truncated, HS_ERR_TOOBIG for more than max parts.
 */
enum hs_err mpart_parse(const char *boundary, const char *body, size_t len,
    struct mpart *parts, size_t max, size_t *n, char *err);

#endif
