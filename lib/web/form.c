/*
 * form.c - form-urlencoded bodies (form.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "web/form.h"

/*
 * Decodes in[0..n) into out (room for n + 1 bytes); returns the decoded
 * length, or (size_t)-1 for a bad escape.
 */
static size_t
decode(const char *in, size_t n, char *out)
{
	size_t i, o = 0;
	int hi, lo;

	for (i = 0; i < n; i++) {
		if (in[i] == '+') {
			out[o++] = ' ';
		} else if (in[i] == '%') {
			if (i + 2 >= n)
				return (size_t)-1;
			hi = hex_digit(in[i + 1]);
			lo = hex_digit(in[i + 2]);
			if (hi < 0 || lo < 0)
				return (size_t)-1;
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			out[o++] = in[i];
		}
	}
	out[o] = '\0';
	return o;
}

/* A safe rendering of a field name for a message. */
static void
name_for_msg(const char *s, char out[FORM_NAME_MAX + 1])
{
	size_t i;

	for (i = 0; s[i] != '\0' && i < FORM_NAME_MAX; i++)
		out[i] = (s[i] > 0x20 && s[i] < 0x7f) ? s[i] : '?';
	out[i] = '\0';
}

static enum hs_err
check_text(const char *field, const char *s, size_t n, char *err)
{
	char nm[FORM_NAME_MAX + 1];
	size_t i;

	name_for_msg(field, nm);
	if (memchr(s, '\0', n) != NULL)
		return hs_fail(err, HS_ERR_FORMAT, "%s: a NUL byte", nm);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') ||
		    c == 0x7f)
			return hs_fail(err, HS_ERR_FORMAT,
			    "%s: a control character", nm);
	}
	if (!utf8_valid(s, n))
		return hs_fail(err, HS_ERR_FORMAT, "%s: not valid UTF-8", nm);
	return HS_OK;
}

enum hs_err
form_parse(const char *body, size_t len, size_t max, struct form *f,
    char *err)
{
	size_t i, start, eq, nfields = 0, off = 0, nl, vl;
	enum hs_err rc;

	memset(f, 0, sizeof(*f));
	if (max == 0 || max > FORM_MAX_FIELDS)
		max = FORM_MAX_FIELDS;
	/* Count the fields first, to bound the table. */
	for (i = 0; i < len; i++)
		if (body[i] == '&')
			nfields++;
	nfields++;
	if (nfields > max)
		return hs_fail(err, HS_ERR_TOOBIG, "more than %zu form fields",
		    max);
	f->f = calloc(nfields, sizeof(*f->f));
	f->mem = malloc(len + 2 * nfields + 1);
	if (f->f == NULL || f->mem == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	for (start = 0; start <= len; start = i + 1) {
		for (i = start; i < len && body[i] != '&'; i++)
			;
		if (i == start)
			continue; /* "a=1&&b=2", or an empty body */
		for (eq = start; eq < i && body[eq] != '='; eq++)
			;
		if (eq == start)
			return hs_fail(err, HS_ERR_FORMAT,
			    "form field %zu has no name", f->n + 1);
		if (eq - start > 3 * FORM_NAME_MAX)
			return hs_fail(err, HS_ERR_TOOBIG,
			    "a form field name is over %d bytes",
			    FORM_NAME_MAX);
		nl = decode(body + start, eq - start, f->mem + off);
		if (nl == (size_t)-1)
			return hs_fail(err, HS_ERR_FORMAT,
			    "form field %zu: a malformed %%-escape in its "
			    "name", f->n + 1);
		if (nl > FORM_NAME_MAX)
			return hs_fail(err, HS_ERR_TOOBIG,
			    "a form field name is over %d bytes",
			    FORM_NAME_MAX);
		f->f[f->n].name = f->mem + off;
		if ((rc = check_text("(name)", f->mem + off, nl, err)) != HS_OK)
			return rc;
		off += nl + 1;
		vl = eq < i ? decode(body + eq + 1, i - eq - 1, f->mem + off) :
		    (f->mem[off] = '\0', 0);
		if (vl == (size_t)-1) {
			char nm[FORM_NAME_MAX + 1];

			name_for_msg(f->f[f->n].name, nm);
			return hs_fail(err, HS_ERR_FORMAT,
			    "%s: a malformed %%-escape", nm);
		}
		if (vl > FORM_VALUE_MAX) {
			char nm[FORM_NAME_MAX + 1];

			name_for_msg(f->f[f->n].name, nm);
			return hs_fail(err, HS_ERR_TOOBIG,
			    "%s: over %d bytes", nm, FORM_VALUE_MAX);
		}
		if ((rc = check_text(f->f[f->n].name, f->mem + off, vl,
		    err)) != HS_OK)
			return rc;
		f->f[f->n].value = f->mem + off;
		f->f[f->n].len = vl;
		off += vl + 1;
		f->n++;
	}
	return HS_OK;
}

void
form_free(struct form *f)
{
	if (f == NULL)
		return;
	free(f->f);
	free(f->mem);
	memset(f, 0, sizeof(*f));
}

const char *
form_nth(const struct form *f, const char *name, size_t k)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->f[i].name, name) == 0 && k-- == 0)
			return f->f[i].value;
	return NULL;
}

const char *
form_get(const struct form *f, const char *name)
{
	return form_nth(f, name, 0);
}

size_t
form_count(const struct form *f, const char *name)
{
	size_t i, n = 0;

	for (i = 0; i < f->n; i++)
		n += strcmp(f->f[i].name, name) == 0;
	return n;
}
