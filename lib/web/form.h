/*
 * form.h - application/x-www-form-urlencoded bodies (the console's POST
 * forms), decoded with bounds: field count, name length, value length.
 * '+' is a space and %XX a byte; a malformed escape, a NUL byte, a
 * control character other than tab/CR/LF, or invalid UTF-8 is refused
 * with the field's name in the message.
 */
#ifndef HS_WEB_FORM_H
#define HS_WEB_FORM_H

#include <stddef.h>

#include "core/hs.h"

#define FORM_MAX_FIELDS 2048   /* fields in one body (checkbox lists) */
#define FORM_NAME_MAX 64       /* bytes of a field name */
#define FORM_VALUE_MAX 65536   /* bytes of one decoded value */

struct form_field {
	const char *name;
	const char *value;  /* NUL-terminated; len bytes */
	size_t len;
};

struct form {
	char *mem;                 /* the decoded copy the fields point into */
	struct form_field *f;
	size_t n;
};

/*
 * Decodes body[0..len) into f (caller frees with form_free, also after a
 * failure). At most max fields (<= FORM_MAX_FIELDS; 0: FORM_MAX_FIELDS):
 * HS_ERR_TOOBIG beyond, and for a name or value over its bound;
 * HS_ERR_FORMAT for a malformed field (err names it).
 */
enum hs_err form_parse(const char *body, size_t len, size_t max,
    struct form *f, char *err);
void form_free(struct form *f);

/* The first value of name, or NULL. */
const char *form_get(const struct form *f, const char *name);
/* How many fields are called name. */
size_t form_count(const struct form *f, const char *name);
/* The i-th value (0-based) of the fields called name, or NULL. */
const char *form_nth(const struct form *f, const char *name, size_t i);

#endif
