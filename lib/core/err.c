#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/hs.h"

const char *
hs_strerror(enum hs_err err)
{
	switch (err) {
	case HS_OK: return "ok";
	case HS_ERR_NOMEM: return "out of memory";
	case HS_ERR_IO: return "input/output error";
	case HS_ERR_INVALID: return "invalid input";
	case HS_ERR_FORMAT: return "malformed data";
	case HS_ERR_SIGNATURE: return "verification failed";
	case HS_ERR_NOTFOUND: return "not found";
	case HS_ERR_EXISTS: return "already exists";
	case HS_ERR_DB: return "database error";
	case HS_ERR_BUSY: return "database is locked";
	case HS_ERR_CRYPTO: return "cryptography error";
	case HS_ERR_STATE: return "not allowed in this state";
	case HS_ERR_TOOBIG: return "input too large";
	case HS_ERR_FONT: return "character missing from every font";
	}
	return "unknown error";
}

enum hs_err
hs_fail(char *err, enum hs_err code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	va_start(ap, fmt);
	vsnprintf(err, HS_ERRLEN, fmt, ap);
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
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	snprintf(old, sizeof(old), "%s", err);
	/* Long messages are cut, never overflowed. */
	if (snprintf(err, HS_ERRLEN, "%s: %s", prefix, old) >= HS_ERRLEN)
		err[HS_ERRLEN - 2] = '~';
}
