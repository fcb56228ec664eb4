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
	/* A UTF-8 BOM says what the file is, whatever --encoding says (a
	 * rejects file, which starts with one, fixed and imported again
	 * with the original's --encoding gbk). */
	if (encoding != NULL && n >= 3 && memcmp(in, "\xef\xbb\xbf", 3) == 0)
		encoding = NULL;
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

/* ---- tables: the rows of a CSV file or a sheet --------------------------- */

/* The cell's text without surrounding spaces, as a length. */
static size_t
trimmed(const char *s, size_t *start)
{
	return import_trim(s, strlen(s), start);
}

static bool
blank(const char *s)
{
	size_t st;

	return trimmed(s, &st) == 0;
}

/* The field a header cell names (its surrounding spaces dropped). */
static int
header_field(const char *h)
{
	char t[128];
	size_t st, n = trimmed(h, &st);

	if (n >= sizeof(t))
		return -1;
	memcpy(t, h + st, n);
	t[n] = '\0';
	return import_field_parse(t);
}

/*
 * Whether a row names the columns: it names the id_number column, or at
 * least three known ones.
 */
static bool
looks_like_header(size_t nf, const char *const *cells)
{
	size_t i, known = 0;
	int k;

	for (i = 0; i < nf; i++) {
		if ((k = header_field(cells[i])) == IMPORT_ID_NUMBER)
			return true;
		if (k >= 0)
			known++;
	}
	return known >= 3;
}

void
table_init(struct table *t, struct importer *im, bool strict_count)
{
	memset(t, 0, sizeof(*t));
	t->im = im;
	t->strict_count = strict_count;
}

/* Takes a (first or second) header row into the column map. */
static void
table_header(struct table *t, size_t nf, const char *const *cells)
{
	size_t i, st, n;
	int k;

	if (t->state == TABLE_SEEK) {
		t->ncols = nf < IMPORT_MAX_COLUMNS ? nf : IMPORT_MAX_COLUMNS;
		for (i = 0; i < t->ncols; i++)
			t->map[i] = -2;
	} else if (nf > t->ncols) {
		for (i = t->ncols; i < nf && i < IMPORT_MAX_COLUMNS; i++)
			t->map[i] = -2;
		t->ncols = nf < IMPORT_MAX_COLUMNS ? nf : IMPORT_MAX_COLUMNS;
	}
	for (i = 0; i < t->ncols && i < nf; i++) {
		k = header_field(cells[i]);
		if (k == -2 && t->map[i] != -2)
			continue;       /* a blank below a named cell */
		if (k == -1 && t->map[i] >= 0)
			continue;       /* a known name above stays */
		t->map[i] = k;
		n = trimmed(cells[i], &st);
		if (n > sizeof(t->name[i]) - 1)
			n = sizeof(t->name[i]) - 1;
		memcpy(t->name[i], cells[i] + st, n);
		t->name[i][n] = '\0';
	}
}

/*
 * The header is complete: its columns checked (duplicates, required
 * ones), the ignored ones named once, the rejects' header written.
 */
static enum hs_err
table_columns(struct table *t, char *err)
{
	static const enum import_field req[] = { IMPORT_ID_NUMBER,
		IMPORT_NAME, IMPORT_YEAR, IMPORT_SUBJECT, IMPORT_FORM,
		IMPORT_TITLE, IMPORT_PROVIDER, IMPORT_START_DATE,
		IMPORT_END_DATE };
	struct importer *im = t->im;
	bool seen[IMPORT_NFIELDS] = { false };
	struct buf ignored;
	size_t i;
	int k;

	for (i = 0; i < t->ncols; i++) {
		if ((k = t->map[i]) < 0)
			continue;
		if (seen[k])
			return hs_fail(err, HS_ERR_FORMAT, "%s:%zu: column %s "
			    "appears twice", im->file, t->header_line,
			    import_field_name(k));
		seen[k] = true;
	}
	for (i = 0; i < sizeof(req) / sizeof(req[0]); i++)
		if (!seen[req[i]])
			return hs_fail(err, HS_ERR_FORMAT, "%s:%zu: missing "
			    "column %s (%s)", im->file, t->header_line,
			    import_field_name(req[i]),
			    import_field_alias(req[i]));
	if (!seen[IMPORT_HOURS] && !seen[IMPORT_MINUTES])
		return hs_fail(err, HS_ERR_FORMAT, "%s:%zu: missing column "
		    "hours (学时) or minutes (分钟)", im->file,
		    t->header_line);
	/* The columns hourseal does not read: named once. */
	buf_init(&ignored);
	for (i = 0; i < t->ncols; i++)
		if (t->map[i] == -1) {
			buf_puts(&ignored, ignored.len ? ", " : "");
			buf_puts(&ignored, t->name[i]);
		}
	if (ignored.len > 0) {
		im->st->warnings++;
		import_report(im, IMPORT_WARNING, "%s:%zu: warning: columns "
		    "ignored (not hourseal's): %s", im->file, t->header_line,
		    ignored.data);
	}
	buf_free(&ignored);
	/* The rejects: a CSV file Excel opens as UTF-8 (the BOM), with
	 * the header as read, so it can be fixed and imported again. */
	if (im->o->rejects_path != NULL) {
		buf_puts(&im->rejects, "\xef\xbb\xbf#line,#error");
		for (i = 0; i < t->ncols; i++) {
			buf_putc(&im->rejects, ',');
			buf_csv_field(&im->rejects, t->name[i], true);
		}
		buf_putc(&im->rejects, '\n');
	}
	t->state = TABLE_DATA;
	return HS_OK;
}

/* A row that totals the ones above it: 合计, 总计 or 小计 and no ID. */
static bool
total_row(const struct table *t, size_t nf, const char *const *cells)
{
	static const char *const words[] = { "合计", "总计", "小计", NULL };
	const char *const *w;
	size_t i, st;

	for (i = 0; i < t->ncols && i < nf; i++)
		if (t->map[i] == IMPORT_ID_NUMBER && !blank(cells[i])) {
			trimmed(cells[i], &st);
			for (w = words; *w != NULL; w++)
				if (strncmp(cells[i] + st, *w, strlen(*w)) == 0)
					return true;
			return false;
		}
	for (i = 0; i < nf; i++) {
		trimmed(cells[i], &st);
		for (w = words; *w != NULL; w++)
			if (strncmp(cells[i] + st, *w, strlen(*w)) == 0)
				return true;
	}
	return false;
}

enum hs_err
table_row(struct table *t, size_t line, size_t nf, const char *const *cells,
    char *err)
{
	struct importer *im = t->im;
	const char *f[IMPORT_NFIELDS];
	char rowerr[HS_ERRLEN];
	bool rejected, empty = true;
	enum hs_err rc;
	size_t i;
	int k;

	for (i = 0; i < nf && empty; i++)
		empty = blank(cells[i]);
	if (t->state == TABLE_SEEK) {
		if (empty)
			return HS_OK;
		if (!looks_like_header(nf, cells)) {
			/* A title above the header ("2025年学时汇总"). */
			if (t->skipped++ == 0)
				t->first_line = line;
			if (t->skipped > 10)
				return hs_fail(err, HS_ERR_FORMAT, "%s:%zu: no "
				    "header row naming the columns (id_number or "
				    "身份证号, name or 姓名, ...) in the first "
				    "rows", im->file, t->first_line);
			im->st->warnings++;
			import_report(im, IMPORT_WARNING, "%s:%zu: warning: "
			    "skipped, above the header row", im->file, line);
			return HS_OK;
		}
		table_header(t, nf, cells);
		t->header_line = line;
		t->state = TABLE_HEADER;
		return HS_OK;
	}
	if (t->state == TABLE_HEADER) {
		/* A second header row (under merged cells) names the
		 * columns the first left blank or unknown. */
		if (!empty && looks_like_header(nf, cells)) {
			table_header(t, nf, cells);
			return table_columns(t, err);
		}
		if ((rc = table_columns(t, err)) != HS_OK)
			return rc;
	}
	if (empty) {
		im->st->warnings++;
		import_report(im, IMPORT_WARNING, "%s:%zu: warning: blank row "
		    "skipped", im->file, line);
		return HS_OK;
	}
	if (total_row(t, nf, cells)) {
		im->st->warnings++;
		import_report(im, IMPORT_WARNING, "%s:%zu: warning: a total "
		    "row (合计) skipped", im->file, line);
		return HS_OK;
	}
	for (k = 0; k < IMPORT_NFIELDS; k++)
		f[k] = NULL;
	if (t->strict_count && (nf < t->ncols || (nf > t->ncols &&
	    strlen(cells[t->ncols]) > 0))) {
		if ((rc = import_count_row(im, err)) != HS_OK)
			return rc;
		rejected = true;
		snprintf(rowerr, sizeof(rowerr), "%zu fields where the "
		    "header has %zu", nf, t->ncols);
		import_rejected(im, line, rowerr);
	} else {
		for (i = 0; i < t->ncols; i++)
			if (t->map[i] >= 0)
				f[t->map[i]] = i < nf ? unguard(cells[i]) : "";
		for (i = t->ncols; i < nf; i++)
			if (!blank(cells[i])) {
				if ((rc = import_count_row(im, err)) != HS_OK)
					return rc;
				rejected = true;
				snprintf(rowerr, sizeof(rowerr), "a value in "
				    "column %zu, which has no header", i + 1);
				import_rejected(im, line, rowerr);
				goto rej;
			}
		if ((rc = import_do_row(im, f, line, &rejected, rowerr, err))
		    != HS_OK)
			return rc;
	}
rej:
	if (rejected && im->o->rejects_path != NULL) {
		/* People open it in a spreadsheet: no formulas. */
		buf_printf(&im->rejects, "%zu,", line);
		buf_csv_field(&im->rejects, rowerr, true);
		for (i = 0; i < nf && i < t->ncols; i++) {
			buf_putc(&im->rejects, ',');
			buf_csv_field(&im->rejects, cells[i], true);
		}
		for (; i < t->ncols; i++)
			buf_putc(&im->rejects, ',');
		buf_putc(&im->rejects, '\n');
	}
	return HS_OK;
}

enum hs_err
table_end(struct table *t, char *err)
{
	if (t->state == TABLE_SEEK)
		return t->skipped == 0 ? hs_fail(err, HS_ERR_FORMAT, "%s: empty "
		    "file (no header row)", t->im->file) : hs_fail(err,
		    HS_ERR_FORMAT, "%s:%zu: no header row naming the columns "
		    "(id_number or 身份证号, name or 姓名, ...)", t->im->file,
		    t->first_line);
	if (t->state == TABLE_HEADER)
		return table_columns(t, err);
	return HS_OK;
}

enum hs_err
import_csv(struct importer *im, const char *text, size_t len, char *err)
{
	struct csv c;
	struct table t;
	const char *cells[IMPORT_MAX_COLUMNS];
	size_t line = 0, i;
	char rowerr[HS_ERRLEN];
	enum hs_err rc = HS_OK;
	int r;

	memset(&c, 0, sizeof(c));
	buf_init(&c.cell);
	table_init(&t, im, true);
	c.s = text;
	c.n = len;
	c.line = 1;
	while ((r = csv_next(&c, &line, rowerr)) != 0) {
		if (r < 0) {
			/* A broken row cannot be cut out safely: the rest of
			 * the file may be misread. */
			rc = hs_fail(err, HS_ERR_FORMAT, "%s:%s", im->file,
			    rowerr);
			goto out;
		}
		for (i = 0; i < c.nf; i++)
			cells[i] = csv_field(&c, i);
		if ((rc = table_row(&t, line, c.nf, cells, err)) != HS_OK)
			goto out;
	}
	rc = table_end(&t, err);
out:
	buf_free(&c.cell);
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
