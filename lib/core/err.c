#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/hs.h"
#include "core/i18n.h"

/* Drops a UTF-8 sequence that truncation cut short at the end of s. */
static void
utf8_cut(char *s)
{
	size_t n = strlen(s), k = n, need;
	unsigned char c;

	while (k > 0 && ((unsigned char)s[k - 1] & 0xC0) == 0x80 && n - k < 3)
		k--;
	if (k == 0)
		return;
	c = (unsigned char)s[k - 1];
	need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
	if (need > 1 && n - (k - 1) < need)
		s[k - 1] = '\0';
}

const char *
hs_strerror(enum hs_err err)
{
	switch (err) {
	case HS_OK: return _("ok");
	case HS_ERR_NOMEM: return _("out of memory");
	case HS_ERR_IO: return _("input/output error");
	case HS_ERR_INVALID: return _("invalid input");
	case HS_ERR_FORMAT: return _("malformed data");
	case HS_ERR_SIGNATURE: return _("verification failed");
	case HS_ERR_NOTFOUND: return _("not found");
	case HS_ERR_EXISTS: return _("already exists");
	case HS_ERR_DB: return _("database error");
	case HS_ERR_BUSY: return _("database is locked");
	case HS_ERR_CRYPTO: return _("cryptography error");
	case HS_ERR_STATE: return _("not allowed in this state");
	case HS_ERR_TOOBIG: return _("input too large");
	case HS_ERR_FONT: return _("character missing from every font");
	}
	return _("unknown error");
}

enum hs_err
hs_fail(char *err, enum hs_err code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	/* The format is the message: translated here (i18n.h). */
	va_start(ap, fmt);
	if (vsnprintf(err, HS_ERRLEN, _(fmt), ap) >= HS_ERRLEN)
		utf8_cut(err);
	va_end(ap);
	return code;
}

void
hs_errprefix(char *err, const char *fmt, ...)
{
	char prefix[HS_ERRLEN], old[HS_ERRLEN];
	va_list ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), _(fmt), ap);
	va_end(ap);
	snprintf(old, sizeof(old), "%s", err);
	/* Long messages are cut, never overflowed. */
	if (snprintf(err, HS_ERRLEN, "%s: %s", prefix, old) >= HS_ERRLEN) {
		err[HS_ERRLEN - 2] = '\0';
		utf8_cut(err);
		strcat(err, "~");
	}
}
