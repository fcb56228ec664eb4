/*
 * import_read.c - this module reads the importer's input: it makes the
 * bytes UTF-8 (a BOM dropped, GBK converted or recognised, UTF-16 and
 * NUL bytes refused), splits CSV into rows (RFC 4180 quoting, CRLF or
 * LF) or JSON Lines into objects, maps the columns, and hands each row
 * to import_do_row; the rows it refuses itself go to the rejects.
 */
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "app/import.h"
#include "app/import_int.h"
#include "core/i18n.h"
#include "core/util.h"

/* The 1-based line of byte offset off. */
static size_t
line_of(const char *s, size_t off)
{
	size_t i, line = 1;

	for (i = 0; i < off; i++)
		if (s[i] == '\n')
			line++;
	return line;
}

/*
 * Converts in (n bytes) from `from` to UTF-8. Returns 0 and a caller-freed
 * *out, or -1 with *bad set to the offset of the first byte it could not
 * convert.
 */
static int
convert(const char *from, const char *in, size_t n, char **out,
    size_t *outlen, size_t *bad)
{
	iconv_t cd;
	char *ip = (char *)in, *o, *op;
	size_t il = n, ol, cap;

	*out = NULL;
	*bad = 0;
	if ((cd = iconv_open("UTF-8", from)) == (iconv_t)-1)
		return -1;
	cap = n * 2 + 16;
	if ((o = malloc(cap)) == NULL) {
		iconv_close(cd);
		return -1;
	}
	op = o;
	ol = cap - 1;
	while (il > 0) {
		if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1) {
			if (errno == E2BIG) {
				size_t used = (size_t)(op - o);
				char *t = realloc(o, cap * 2);

				if (t == NULL)
					break;
				o = t;
				cap *= 2;
				op = o + used;
				ol = cap - used - 1;
				continue;
			}
			break;
		}
	}
	iconv_close(cd);
	if (il > 0) {
		*bad = (size_t)(ip - in);
		free(o);
		return -1;
	}
	*op = '\0';
	*out = o;
	*outlen = (size_t)(op - o);
	return 0;
}

/*
 * Makes the input UTF-8 without a BOM, or says clearly what it is.
 * On success *text is either in itself or a new buffer in *owned.
 */
enum hs_err
import_decode(const char *file, char *in, size_t n, const char *encoding,
    char **text, size_t *len, char **owned, char *err)
{
	size_t bad, i;
	uint32_t cp;

	*owned = NULL;
	if (n >= 2 && (((uint8_t)in[0] == 0xFF && (uint8_t)in[1] == 0xFE) ||
	    ((uint8_t)in[0] == 0xFE && (uint8_t)in[1] == 0xFF)))
		return hs_fail(err, HS_ERR_FORMAT, "%s: this is UTF-16 (Excel's "
		    "\"Unicode text\"); save it as \"CSV UTF-8\" instead", file);
	if (encoding != NULL && strcasecmp(encoding, "utf-8") != 0 &&
	    strcasecmp(encoding, "utf8") != 0) {
		const char *from;

		if (strcasecmp(encoding, "gbk") == 0 ||
		    strcasecmp(encoding, "gb18030") == 0 ||
		    strcasecmp(encoding, "gb2312") == 0 ||
		    strcasecmp(encoding, "cp936") == 0)
			from = "GB18030";   /* a superset of GBK and GB 2312 */
		else
			return hs_fail(err, HS_ERR_INVALID, "--encoding: %s is "
			    "not supported (utf-8 or gbk)", encoding);
		if (convert(from, in, n, owned, len, &bad) != 0)
			return hs_fail(err, HS_ERR_FORMAT, "%s:%zu: not valid %s "
			    "(byte %zu)", file, line_of(in, bad), encoding,
			    bad + 1);
		in = *owned;
		n = *len;
	}
	if (n >= 3 && memcmp(in, "\xef\xbb\xbf", 3) == 0) {
		in += 3;
		n -= 3;
	}
	if (memchr(in, '\0', n) != NULL) {
		bad = (size_t)((char *)memchr(in, '\0', n) - in);
		return hs_fail(err, HS_ERR_FORMAT, "%s:%zu: a NUL byte: this is "
		    "not a text file (UTF-16?); save it as \"CSV UTF-8\"",
		    file, line_of(in, bad));
	}
	for (i = 0; i < n; ) {
		size_t k = utf8_next(in + i, n - i, &cp);

		if (k == 0)
			break;
		i += k;
	}
	if (i < n) {
		char *conv = NULL;
		size_t clen;

		bad = i;
		if (encoding == NULL &&
		    convert("GB18030", in, n, &conv, &clen, &i) == 0) {
			free(conv);
			return hs_fail(err, HS_ERR_FORMAT, "%s:%zu: not UTF-8; "
			    "this looks like GBK (Excel's \"CSV\" export). "
			    "Pass --encoding gbk, or save it as \"CSV UTF-8\"",
			    file, line_of(in, bad));
		}
		return hs_fail(err, HS_ERR_FORMAT, "%s:%zu: invalid UTF-8 "
		    "(byte 0x%02X)", file, line_of(in, bad),
		    (unsigned)(uint8_t)in[bad]);
	}
	*text = in;
	*len = n;
	return HS_OK;
}

/* A CSV reader over UTF-8 text (RFC 4180: quotes, CRLF or LF). */
struct csv {
	const char *s;
	size_t n, pos;
	size_t line;        /* line of the next byte */
	struct buf cell;    /* the unescaped fields of the current row */
	size_t off[IMPORT_MAX_COLUMNS];
	size_t nf;
};

/*
 * Reads one row into c->cell / c->off. Returns 1 for a row, 0 at the
 * end, -1 with err (line and reason). Blank lines are skipped.
 */
static int
csv_next(struct csv *c, size_t *row_line, char *err)
{
	size_t start;
	bool quoted;
	char ch;

	/* Skip blank lines. */
	while (c->pos < c->n && (c->s[c->pos] == '\n' ||
	    (c->s[c->pos] == '\r' && c->pos + 1 < c->n &&
	    c->s[c->pos + 1] == '\n'))) {
		c->pos += c->s[c->pos] == '\r' ? 2 : 1;
		c->line++;
	}
	if (c->pos >= c->n)
		return 0;
	*row_line = c->line;
	buf_reset(&c->cell);
	c->nf = 0;
	for (;;) {
		if (c->nf == IMPORT_MAX_COLUMNS) {
			hs_fail(err, HS_ERR_FORMAT, "%zu: more than %d columns",
			    *row_line, IMPORT_MAX_COLUMNS);
			return -1;
		}
		c->off[c->nf++] = c->cell.len;
		start = c->cell.len;
		quoted = c->pos < c->n && c->s[c->pos] == '"';
		if (quoted) {
			c->pos++;
			for (;;) {
				if (c->pos >= c->n) {
					hs_fail(err, HS_ERR_FORMAT, "%zu: a quoted "
					    "field is not closed", *row_line);
					return -1;
				}
				ch = c->s[c->pos++];
				if (ch == '"') {
					if (c->pos < c->n && c->s[c->pos] == '"') {
						c->pos++;
						buf_putc(&c->cell, '"');
						continue;
					}
					break;
				}
				if (ch == '\n')
					c->line++;
				buf_putc(&c->cell, ch);
				if (c->cell.len - start > IMPORT_MAX_FIELD)
					goto toolong;
			}
			if (c->pos < c->n && c->s[c->pos] != ',' &&
			    c->s[c->pos] != '\n' && !(c->s[c->pos] == '\r' &&
			    c->pos + 1 < c->n && c->s[c->pos + 1] == '\n')) {
				hs_fail(err, HS_ERR_FORMAT, "%zu: text after a "
				    "closing quote (a quote inside a field must "
				    "be doubled: \"\")", c->line);
				return -1;
			}
		} else {
			while (c->pos < c->n && c->s[c->pos] != ',' &&
			    c->s[c->pos] != '\n' && !(c->s[c->pos] == '\r' &&
			    c->pos + 1 < c->n && c->s[c->pos + 1] == '\n')) {
				if (c->s[c->pos] == '"') {
					hs_fail(err, HS_ERR_FORMAT, "%zu: a quote "
					    "inside an unquoted field (quote the "
					    "whole field and double the quote)",
					    c->line);
					return -1;
				}
				buf_putc(&c->cell, c->s[c->pos++]);
				if (c->cell.len - start > IMPORT_MAX_FIELD)
					goto toolong;
			}
		}
		buf_putc(&c->cell, '\0');
		if (c->pos >= c->n)
			break;
		if (c->s[c->pos] == ',') {
			c->pos++;
			continue;
		}
		c->pos += c->s[c->pos] == '\r' ? 2 : 1;
		c->line++;
		break;
	}
	if (c->cell.oom) {
		hs_fail(err, HS_ERR_NOMEM, "out of memory");
		return -1;
	}
	return 1;
toolong:
	hs_fail(err, HS_ERR_TOOBIG, "%zu: field %zu is longer than %d bytes",
	    *row_line, c->nf, IMPORT_MAX_FIELD);
	return -1;
}

static const char *
csv_field(const struct csv *c, size_t i)
{
	return c->cell.data + c->off[i];
}


/*
 * A CSV value as written before buf_csv_field's formula guard: "'=..."
 * (a rejects file fixed and imported again) reads as "=...".
 */
static const char *
unguard(const char *s)
{
	if (s[0] == '\'' && s[1] != '\0' && strchr("=+-@\t\r", s[1]) != NULL)
		return s + 1;
	return s;
}

enum hs_err
import_csv(struct importer *im, const char *text, size_t len, char *err)
{
	struct csv c;
	const char *f[IMPORT_NFIELDS];
	int map[IMPORT_MAX_COLUMNS], k, r;
	size_t ncols = 0, line = 0, i;
	char rowerr[HS_ERRLEN];
	bool seen[IMPORT_NFIELDS] = { false }, rejected;
	enum hs_err rc = HS_OK;
	struct buf header;

	memset(&c, 0, sizeof(c));
	buf_init(&c.cell);
	buf_init(&header);
	c.s = text;
	c.n = len;
	c.line = 1;
	if ((r = csv_next(&c, &line, err)) <= 0) {
		if (r == 0)
			rc = hs_fail(err, HS_ERR_FORMAT, "%s: empty file (no "
			    "header row)", im->file);
		else {
			rc = HS_ERR_FORMAT;
			hs_errprefix(err, "%s", im->file);
		}
		goto out;
	}
	/* The header names the columns. */
	ncols = c.nf;
	for (i = 0; i < ncols; i++) {
		const char *h = csv_field(&c, i);

		k = import_field_parse(h);
		if (k == -1) {
			rc = hs_fail(err, HS_ERR_FORMAT, "%s:%zu: unknown column "
			    "\"%.60s\" (known: id_number, name, unit, year, "
			    "subject, public_type, form, title, provider, "
			    "start_date, end_date, hours, minutes, author_role, "
			    "domain, ref, region, or their Chinese names)", im->file,
			    line, h);
			goto out;
		}
		if (k >= 0 && seen[k]) {
			rc = hs_fail(err, HS_ERR_FORMAT, "%s:%zu: column %s "
			    "appears twice", im->file, line, import_field_name(k));
			goto out;
		}
		if (k >= 0)
			seen[k] = true;
		map[i] = k;
		buf_puts(&header, i ? "," : "#line,#error,");
		buf_csv_field(&header, h, true);
	}
	{
		static const enum import_field req[] = { IMPORT_ID_NUMBER,
			IMPORT_NAME, IMPORT_YEAR, IMPORT_SUBJECT, IMPORT_FORM,
			IMPORT_TITLE, IMPORT_PROVIDER, IMPORT_START_DATE,
			IMPORT_END_DATE };

		for (i = 0; i < sizeof(req) / sizeof(req[0]); i++)
			if (!seen[req[i]]) {
				rc = hs_fail(err, HS_ERR_FORMAT, "%s:%zu: missing "
				    "column %s (%s)", im->file, line,
				    import_field_name(req[i]), import_field_alias(req[i]));
				goto out;
			}
		if (!seen[IMPORT_HOURS] && !seen[IMPORT_MINUTES]) {
			rc = hs_fail(err, HS_ERR_FORMAT, "%s:%zu: missing column "
			    "hours (学时) or minutes (分钟)", im->file, line);
			goto out;
		}
	}
	buf_putc(&header, '\n');
	if (im->o->rejects_path != NULL)
		buf_add(&im->rejects, header.data, header.len);

	while ((r = csv_next(&c, &line, rowerr)) != 0) {
		if (r < 0) {
			/* A broken row cannot be cut out safely: the rest of
			 * the file may be misread. */
			rc = hs_fail(err, HS_ERR_FORMAT, "%s:%s", im->file,
			    rowerr);
			goto out;
		}
		for (k = 0; k < IMPORT_NFIELDS; k++)
			f[k] = NULL;
		if (c.nf < ncols || (c.nf > ncols && strlen(csv_field(&c,
		    ncols)) > 0)) {
			if ((rc = import_count_row(im, err)) != HS_OK)
				goto out;
			rejected = true;
			snprintf(rowerr, sizeof(rowerr), _("%zu fields where the "
			    "header has %zu"), c.nf, ncols);
			import_rejected(im, line, rowerr);
		} else {
			for (i = 0; i < ncols; i++)
				if (map[i] >= 0)
					f[map[i]] = unguard(csv_field(&c, i));
			if ((rc = import_do_row(im, f, line, &rejected, rowerr, err))
			    != HS_OK)
				goto out;
		}
		if (rejected && im->o->rejects_path != NULL) {
			/* People open it in a spreadsheet: no formulas. */
			buf_printf(&im->rejects, "%zu,", line);
			buf_csv_field(&im->rejects, rowerr, true);
			for (i = 0; i < c.nf && i < ncols; i++) {
				buf_putc(&im->rejects, ',');
				buf_csv_field(&im->rejects, csv_field(&c, i),
				    true);
			}
			for (; i < ncols; i++)
				buf_putc(&im->rejects, ',');
			buf_putc(&im->rejects, '\n');
		}
	}
out:
	buf_free(&c.cell);
	buf_free(&header);
	return rc;
}

/* A JSON value as field text: strings as they are, numbers written out. */
static int
json_text(json_t *v, char *out, size_t outsz)
{
	if (json_is_string(v))
		return snprintf(out, outsz, "%s", json_string_value(v)) <
		    (int)outsz ? 0 : -1;
	if (json_is_integer(v))
		snprintf(out, outsz, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(out, outsz, "%.15g", json_real_value(v));
	else if (json_is_null(v))
		out[0] = '\0';
	else
		return -1;
	return 0;
}

/*
 * One row object j (NULL or not an object: parse problem in why) from
 * line: its fields to import_do_row, or a rejection. raw (n bytes) is
 * the row's text for the rejects file when j is not an object.
 */
static enum hs_err
json_row(struct importer *im, json_t *j, const char *why, size_t line,
    const char *raw, size_t n, char *err)
{
	const char *f[IMPORT_NFIELDS], *key;
	char (*own)[IMPORT_MAX_FIELD + 1] = NULL;
	char rowerr[HS_ERRLEN];
	bool rejected = false;
	json_t *v;
	enum hs_err rc = HS_OK;
	int k;

	for (k = 0; k < IMPORT_NFIELDS; k++)
		f[k] = NULL;
	if (j == NULL || !json_is_object(j)) {
		snprintf(rowerr, sizeof(rowerr), _("not a JSON object: %s"),
		    j == NULL ? why : _("another JSON value"));
		goto bad;
	}
	if ((own = malloc(IMPORT_NFIELDS * sizeof(*own))) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	json_object_foreach(j, key, v) {
		if ((k = import_field_parse(key)) == -2)
			continue;
		if (k == -1) {
			snprintf(rowerr, sizeof(rowerr), _("unknown field "
			    "\"%.60s\""), key);
			goto bad;
		}
		if (f[k] != NULL) {
			snprintf(rowerr, sizeof(rowerr), _("%s given twice"),
			    import_field_name(k));
			goto bad;
		}
		if (json_text(v, own[k], sizeof(own[k])) != 0) {
			snprintf(rowerr, sizeof(rowerr), _("%s: must be a "
			    "string or a number, at most %d bytes"),
			    import_field_name(k), IMPORT_MAX_FIELD);
			goto bad;
		}
		f[k] = own[k];
	}
	rc = import_do_row(im, f, line, &rejected, rowerr, err);
	if (rc != HS_OK)
		goto out;
	goto rej;
bad:
	if ((rc = import_count_row(im, err)) != HS_OK)
		goto out;
	rejected = true;
	import_rejected(im, line, rowerr);
rej:
	if (rejected && im->o->rejects_path != NULL) {
		json_t *o = json_is_object(j) ? json_deep_copy(j) :
		    json_object();
		char *t;

		if (!json_is_object(j))
			json_object_set_new(o, "#text", json_stringn(raw, n));
		json_object_set_new(o, "#line", json_integer(
		    (json_int_t)line));
		json_object_set_new(o, "#error", json_string(rowerr));
		if ((t = json_dumps(o, JSON_COMPACT)) != NULL) {
			buf_puts(&im->rejects, t);
			buf_putc(&im->rejects, '\n');
			free(t);
		}
		json_decref(o);
	}
out:
	free(own);
	return rc;
}

enum hs_err
import_jsonl(struct importer *im, const char *text, size_t len, char *err)
{
	size_t pos = 0, line = 0, end, k;
	json_t *j;
	json_error_t je;
	enum hs_err rc = HS_OK;

	while (pos < len) {
		line++;
		end = pos;
		while (end < len && text[end] != '\n')
			end++;
		for (k = pos; k < end && strchr(" \t\r", text[k]) != NULL;
		    k++)
			;
		if (k < end) {
			j = json_loadb(text + pos, end - pos,
			    JSON_REJECT_DUPLICATES, &je);
			rc = json_row(im, j, je.text, line, text + pos,
			    end - pos, err);
			json_decref(j);
			if (rc != HS_OK)
				break;
		}
		pos = end + 1;
	}
	return rc;
}

enum hs_err
import_json_array(struct importer *im, const char *text, size_t len,
    char *err)
{
	json_t *a, *j;
	json_error_t je;
	enum hs_err rc = HS_OK;
	size_t i;

	/* One document: a syntax error anywhere spoils all of it. */
	a = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (a == NULL)
		return hs_fail(err, HS_ERR_FORMAT, "%s:%d: not valid JSON "
		    "(column %d): %s", im->file, je.line, je.column, je.text);
	if (!json_is_array(a)) {
		json_decref(a);
		return hs_fail(err, HS_ERR_FORMAT, "%s: must be a JSON array of "
		    "records", im->file);
	}
	json_array_foreach(a, i, j) {
		if ((rc = json_row(im, j, "", i + 1, "", 0, err)) != HS_OK)
			break;
	}
	json_decref(a);
	return rc;
}
