/*
 * cert.c - the certificate note text of docs/formats.md §3.
 *
 * One grammar, used both ways: cert_encode validates every value with the
 * same checks cert_decode applies, so whatever encodes decodes to the
 * same struct and re-encodes to the same bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cert/cert.h"
#include "core/i18n.h"
#include "core/tz.h"

#define CERT_MAGIC "hourseal/cert/v1"
#define HOURS10_MAX 9999999L /* 999999.9 hours */
#define NOTE_TEXT_MAX_FOR_CERT (8 << 20)

static const char *const form_names[] = {
	"online", "face-to-face", "industry", "employer", "practice",
	"degree", "academic", "achievement", "other",
};

static const char *const subjects[] = {
	"public", "public/compulsory", "public/elective", "professional",
};

const char *
cert_form_name(int form)
{
	if (form < 1 || form > 9)
		return NULL;
	return form_names[form - 1];
}

int
cert_form_number(const char *name)
{
	int i;

	for (i = 0; i < 9; i++)
		if (strcmp(name, form_names[i]) == 0)
			return i + 1;
	return 0;
}

static bool
is_subject(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(subjects) / sizeof(subjects[0]); i++)
		if (strcmp(s, subjects[i]) == 0)
			return true;
	return false;
}

static bool
is_space(uint32_t c)
{
	return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 ||
	    c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
	    c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
	    c == 0x3000;
}

/*
 * A free-text value: 1..max-1 bytes of UTF-8 with no control character,
 * no '|' and no space (Unicode White_Space) at either end. Returns NULL
 * or the reason.
 */
static const char *
text_problem(const char *s, size_t n, size_t max)
{
	size_t i = 0, k;
	uint32_t c = 0, first = 0;

	if (n == 0)
		return N_("is empty");
	if (n >= max)
		return N_("is too long");
	while (i < n) {
		if ((k = utf8_next(s + i, n - i, &c)) == 0)
			return N_("is not valid UTF-8");
		if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0))
			return N_("has a control character");
		if (c == '|')
			return N_("has a '|'");
		if (i == 0)
			first = c;
		i += k;
	}
	if (is_space(first) || is_space(c))
		return N_("has a leading or trailing space");
	return NULL;
}

/*
 * The stamping organisation: a text value that also has no invisible or
 * direction-changing character (an organisation that reads otherwise
 * than it is). Returns NULL or the reason (in buf).
 */
static const char *
stamped_by_problem(const char *s, size_t n, size_t max, char *buf,
    size_t bufsz)
{
	const char *p, *fc;
	uint32_t cp;
	char tmp[256];

	if ((p = text_problem(s, n, max)) != NULL)
		return p;
	if (n >= sizeof(tmp))
		return N_("is too long");
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if ((fc = utf8_format_char(tmp, &cp)) != NULL) {
		snprintf(buf, bufsz, "has U+%04X (%s)", (unsigned)cp, fc);
		return buf;
	}
	return NULL;
}

/* Canonical hours: "0", "12", "12.5"; never "12.0", "012" or "-1". */
static int
hours_decode(const char *s, size_t n, long *tenths, bool zero_ok)
{
	char tmp[HOURS_SIZE], back[HOURS_SIZE];
	long v = 0;
	size_t i = 0;

	if (n == 0 || n >= sizeof(tmp) || memchr(s, '\0', n) != NULL)
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	/* At most 6 integer digits, checked before they can overflow. */
	while (tmp[i] >= '0' && tmp[i] <= '9') {
		if (i == 6)
			return -1;
		v = v * 10 + (tmp[i++] - '0');
	}
	if (i == 0)
		return -1;
	v *= 10;
	if (tmp[i] == '.') {
		if (tmp[i + 1] < '0' || tmp[i + 1] > '9')
			return -1;
		v += tmp[i + 1] - '0';
		i += 2;
	}
	if (tmp[i] != '\0' || v > HOURS10_MAX || (v == 0 && !zero_ok))
		return -1;
	hours_format(v, back);
	if (strcmp(back, tmp) != 0)
		return -1;
	*tenths = v;
	return 0;
}

static bool
hours_ok(long v, bool zero_ok)
{
	return v >= (zero_ok ? 0 : 1) && v <= HOURS10_MAX;
}

static bool
date_ok(const char *s)
{
	char back[11];
	long days;

	if (strlen(s) != 10 || date_parse(s, &days) != 0)
		return false;
	date_format(days, back);
	return strcmp(back, s) == 0;
}

static bool
time_ok(const char *s)
{
	char back[21];
	time_t t;

	if (strlen(s) != 20 || time_parse_rfc3339(s, &t) != 0)
		return false;
	time_rfc3339(t, back);
	return strcmp(back, s) == 0;
}

/* "3501**********123X": 4 digits, 10 '*', 3 digits, a digit or X. */
static bool
masked_ok(const char *s)
{
	int i;

	if (strlen(s) != 18)
		return false;
	for (i = 0; i < 18; i++) {
		if (i >= 4 && i < 14) {
			if (s[i] != '*')
				return false;
		} else if (!(s[i] >= '0' && s[i] <= '9') &&
		    !(i == 17 && s[i] == 'X'))
			return false;
	}
	return true;
}

/* Exactly 44 characters of canonical base64 for 32 bytes. */
static bool
digest_ok(const char *s)
{
	uint8_t d[33];

	return strlen(s) == 44 && b64_decode(s, 44, d, sizeof(d)) == 32;
}

static bool
serial_ok(const char *s, char *why, size_t whysz)
{
	char canon[SERIAL_SIZE], e[HS_ERRLEN];

	if (strlen(s) != SERIAL_LEN || serial_parse(s, canon, e) != HS_OK) {
		snprintf(why, whysz, _("is not a serial YYYY-XXXX-XXXX-XXXX-XXXX"));
		return false;
	}
	if (strcmp(canon, s) != 0) {
		snprintf(why, whysz, _("is not in canonical form (%s)"), canon);
		return false;
	}
	return true;
}

bool
cert_url_ok(const char *s, size_t n)
{
	size_t i, scheme;

	if (n == 0 || n > CERT_URL_MAX)
		return false;
	if (n > 8 && memcmp(s, "https://", 8) == 0)
		scheme = 8;
	else if (n > 7 && memcmp(s, "http://", 7) == 0)
		scheme = 7;
	else
		return false;
	for (i = scheme; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7F)
			return false;
	return s[n - 1] != '/';
}

/*
 * Checks one record; on failure writes "field: reason" to why.
 */
static bool
record_ok(const struct cert_record *r, char *why, size_t whysz)
{
	char fc[96];
	const char *p;

	if (!is_subject(r->subject)) {
		snprintf(why, whysz, _("subject \"%.40s\" is not public, "
		    "public/compulsory, public/elective or professional"),
		    r->subject);
		return false;
	}
	if (cert_form_number(r->form) == 0) {
		snprintf(why, whysz, _("form \"%.40s\" is not a form name"), r->form);
		return false;
	}
	if (!date_ok(r->start)) {
		snprintf(why, whysz, _("start \"%.20s\" is not a date YYYY-MM-DD"),
		    r->start);
		return false;
	}
	if (!date_ok(r->end)) {
		snprintf(why, whysz, _("end \"%.20s\" is not a date YYYY-MM-DD"),
		    r->end);
		return false;
	}
	if (strcmp(r->start, r->end) > 0) {
		snprintf(why, whysz, _("start %s is after end %s"), r->start,
		    r->end);
		return false;
	}
	if (!hours_ok(r->hours10, false)) {
		snprintf(why, whysz, _("hours must be more than 0 and at most "
		    "999999.9"));
		return false;
	}
	if ((p = text_problem(r->title, strnlen(r->title, sizeof(r->title)),
	    sizeof(r->title))) != NULL) {
		snprintf(why, whysz, _("title %s"), _(p));
		return false;
	}
	if ((p = text_problem(r->provider, strnlen(r->provider,
	    sizeof(r->provider)), sizeof(r->provider))) != NULL) {
		snprintf(why, whysz, _("provider %s"), _(p));
		return false;
	}
	if (r->stamped_by[0] != '\0' && (p = stamped_by_problem(r->stamped_by,
	    strnlen(r->stamped_by, sizeof(r->stamped_by)),
	    sizeof(r->stamped_by), fc, sizeof(fc))) != NULL) {
		snprintf(why, whysz, _("stamped by %s"), _(p));
		return false;
	}
	return true;
}

bool
cert_has_stamped_by(const struct cert *c)
{
	return c->nrecords > 0 && c->records != NULL &&
	    c->records[0].stamped_by[0] != '\0';
}

/* A text field of c, checked. */
#define TEXT_FIELD(c, f, name) do {					\
	if ((p = text_problem((c)->f, strnlen((c)->f, sizeof((c)->f)),	\
	    sizeof((c)->f))) != NULL)					\
		return hs_fail(err, HS_ERR_INVALID, "%s %s", name, _(p));	\
} while (0)

/* Checks everything cert_encode writes. */
static enum hs_err
cert_check(const struct cert *c, char *err)
{
	char why[HS_ERRLEN], off[7];
	const char *p;
	long secs;
	size_t i;

	if (!serial_ok(c->serial, why, sizeof(why)))
		return hs_fail(err, HS_ERR_INVALID, "serial %s", why);
	if (c->kind != CERT_ANNUAL && c->kind != CERT_COURSE)
		return hs_fail(err, HS_ERR_INVALID, "kind is not annual or course");
	TEXT_FIELD(c, issuer, "issuer");
	if (c->year < 1900 || c->year > 2999)
		return hs_fail(err, HS_ERR_INVALID,
		    "year %d is not in 1900..2999", c->year);
	if (serial_year(c->serial) != c->year)
		return hs_fail(err, HS_ERR_INVALID,
		    "serial %s is not of year %d", c->serial, c->year);
	TEXT_FIELD(c, name, "name");
	if (!masked_ok(c->id_masked))
		return hs_fail(err, HS_ERR_INVALID,
		    "id is not a masked ID number like 3501**********123X");
	if (!digest_ok(c->id_digest))
		return hs_fail(err, HS_ERR_INVALID,
		    "id-digest is not base64 of 32 bytes");
	if (c->unit[0] != '\0')
		TEXT_FIELD(c, unit, "unit");
	if (!hours_ok(c->public10, true) || !hours_ok(c->professional10, true)
	    || !hours_ok(c->total10, true))
		return hs_fail(err, HS_ERR_INVALID,
		    "public, professional and total hours must be 0..999999.9");
	if (c->total10 != c->public10 + c->professional10)
		return hs_fail(err, HS_ERR_INVALID,
		    "total is not public + professional");
	if (c->kind == CERT_ANNUAL && (!hours_ok(c->req_total10, false) ||
	    !hours_ok(c->req_public10, true) ||
	    !hours_ok(c->req_professional10, true)))
		return hs_fail(err, HS_ERR_INVALID,
		    "requirement hours are out of range");
	if (c->nrecords > CERT_MAX_RECORDS)
		return hs_fail(err, HS_ERR_TOOBIG, "more than %d records",
		    CERT_MAX_RECORDS);
	if (c->kind == CERT_COURSE && c->nrecords != 1)
		return hs_fail(err, HS_ERR_INVALID,
		    "a course certificate has exactly one record (has %zu)",
		    c->nrecords);
	for (i = 0; i < c->nrecords; i++) {
		if (!record_ok(&c->records[i], why, sizeof(why)))
			return hs_fail(err, HS_ERR_INVALID, "record %zu: %s",
			    i + 1, why);
		/* Who stamped: every record names it, or none does. */
		if ((c->records[i].stamped_by[0] != '\0') !=
		    cert_has_stamped_by(c))
			return hs_fail(err, HS_ERR_INVALID, "record %zu: stamped "
			    "by is %s while record 1's is %s: every record "
			    "names who stamped it, or none does", i + 1,
			    c->records[i].stamped_by[0] ? "set" : "empty",
			    cert_has_stamped_by(c) ? "set" : "empty");
	}
	if (!time_ok(c->issued))
		return hs_fail(err, HS_ERR_INVALID,
		    "issued is not an RFC 3339 UTC time YYYY-MM-DDTHH:MM:SSZ");
	if (c->has_utc_offset) {
		hs_offset_format(c->utc_offset, off);
		if (hs_offset_parse(off, 6, &secs) != 0 ||
		    secs != c->utc_offset)
			return hs_fail(err, HS_ERR_INVALID, "utc-offset: %ld "
			    "seconds is not a whole quarter hour within 14 "
			    "hours of UTC", c->utc_offset);
	}
	if (c->verify_url[0] != '\0' && !cert_url_ok(c->verify_url,
	    strnlen(c->verify_url, sizeof(c->verify_url))))
		return hs_fail(err, HS_ERR_INVALID, "verify URL is not "
		    "http:// or https:// then printable ASCII without "
		    "spaces, at most %d bytes, not ending in '/'",
		    CERT_URL_MAX);
	return HS_OK;
}

enum hs_err
cert_encode(const struct cert *c, struct buf *out, char *err)
{
	char h1[HOURS_SIZE], h2[HOURS_SIZE], h3[HOURS_SIZE], off[7];
	const struct cert_record *r;
	enum hs_err rc;
	size_t i;

	if ((rc = cert_check(c, err)) != HS_OK)
		return rc;
	buf_puts(out, CERT_MAGIC "\n");
	buf_printf(out, "serial: %s\n", c->serial);
	buf_printf(out, "kind: %s\n", c->kind == CERT_ANNUAL ? "annual" :
	    "course");
	buf_printf(out, "issuer: %s\n", c->issuer);
	buf_printf(out, "year: %d\n", c->year);
	buf_printf(out, "name: %s\n", c->name);
	buf_printf(out, "id: %s\n", c->id_masked);
	buf_printf(out, "id-digest: %s\n", c->id_digest);
	if (c->unit[0] != '\0')
		buf_printf(out, "unit: %s\n", c->unit);
	hours_format(c->public10, h1);
	buf_printf(out, "public: %s\n", h1);
	hours_format(c->professional10, h1);
	buf_printf(out, "professional: %s\n", h1);
	hours_format(c->total10, h1);
	buf_printf(out, "total: %s\n", h1);
	if (c->kind == CERT_ANNUAL) {
		hours_format(c->req_total10, h1);
		hours_format(c->req_public10, h2);
		hours_format(c->req_professional10, h3);
		buf_printf(out, "requirement: %s %s %s\n", h1, h2, h3);
		buf_printf(out, "status: %s\n", c->met ? "met" : "unmet");
	}
	for (i = 0; i < c->nrecords; i++) {
		r = &c->records[i];
		hours_format(r->hours10, h1);
		buf_printf(out, "record: %s | %s | %s | %s | %s | %s | %s",
		    r->subject, r->form, r->start, r->end, h1, r->title,
		    r->provider);
		if (r->stamped_by[0] != '\0')
			buf_printf(out, " | %s", r->stamped_by);
		buf_putc(out, '\n');
	}
	buf_printf(out, "issued: %s\n", c->issued);
	if (c->has_utc_offset) {
		hs_offset_format(c->utc_offset, off);
		buf_printf(out, "utc-offset: %s\n", off);
	}
	if (c->verify_url[0] != '\0')
		buf_printf(out, "verify: %s\n", c->verify_url);
	if (out->oom)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	return HS_OK;
}

/* A cursor over the lines of the text. */
struct lines {
	const char *p, *end;
	size_t no;           /* number of the current line, 1-based */
	const char *line;    /* the whole current line */
	size_t llen;
	const char *val;     /* value of the current line */
	size_t vlen;
	char key[16];        /* key of the current line, "" if none */
};

/*
 * Reads the next line into l->key / l->val. Returns false at the end of
 * the text. A line without "key: " gets an empty key.
 */
static bool
next_line(struct lines *l)
{
	const char *nl, *colon;

	if (l->p >= l->end)
		return false;
	nl = memchr(l->p, '\n', (size_t)(l->end - l->p));
	l->no++;
	l->key[0] = '\0';
	l->line = l->p;
	l->llen = (size_t)(nl - l->p);
	l->val = l->p;
	l->vlen = (size_t)(nl - l->p);
	colon = memchr(l->p, ':', l->vlen);
	if (colon != NULL && colon + 1 < nl && colon[1] == ' ' &&
	    (size_t)(colon - l->p) < sizeof(l->key)) {
		memcpy(l->key, l->p, (size_t)(colon - l->p));
		l->key[colon - l->p] = '\0';
		l->val = colon + 2;
		l->vlen = (size_t)(nl - colon - 2);
	}
	l->p = nl + 1;
	return true;
}

/* Copies the value into dst (dstsz bytes) as a checked text value. */
static enum hs_err
take_text(const struct lines *l, const char *field, char *dst, size_t dstsz,
    char *err)
{
	const char *p = text_problem(l->val, l->vlen, dstsz);

	if (p != NULL)
		return hs_fail(err, HS_ERR_FORMAT, "line %zu (%s): value %s",
		    l->no, field, _(p));
	memcpy(dst, l->val, l->vlen);
	dst[l->vlen] = '\0';
	return HS_OK;
}

/* Copies a short token (no check but length) into dst. */
static bool
take_token(const char *s, size_t n, char *dst, size_t dstsz)
{
	if (n >= dstsz || memchr(s, '\0', n) != NULL)
		return false;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return true;
}

static enum hs_err
expect(struct lines *l, const char *field, char *err)
{
	if (!next_line(l))
		return hs_fail(err, HS_ERR_FORMAT,
		    "line %zu: the text ends where \"%s\" should be", l->no + 1,
		    field);
	if (strcmp(l->key, field) != 0)
		return hs_fail(err, HS_ERR_FORMAT,
		    "line %zu: expected \"%s: ...\", found \"%.*s%s\"", l->no,
		    field, (int)(l->llen > 40 ? 40 : l->llen), l->line,
		    l->llen > 40 ? "..." : "");
	return HS_OK;
}

/* Parses "a | b | c ..." into exactly n parts (pointers into s). */
static bool
split_record(const char *s, size_t len, const char **part, size_t *plen,
    size_t n)
{
	size_t i = 0, k;
	const char *p = s, *end = s + len, *bar;

	for (k = 0; k < n; k++) {
		bar = memchr(p, '|', (size_t)(end - p));
		if ((bar == NULL) != (k == n - 1))
			return false;
		if (bar == NULL)
			bar = end;
		part[k] = p;
		plen[k] = (size_t)(bar - p);
		/* " | " between fields: strip exactly one space each side. */
		if (k > 0) {
			if (plen[k] == 0 || part[k][0] != ' ')
				return false;
			part[k]++;
			plen[k]--;
		}
		if (k < n - 1) {
			if (plen[k] == 0 || part[k][plen[k] - 1] != ' ')
				return false;
			plen[k]--;
		}
		p = bar + 1;
		i++;
	}
	return i == n;
}

/* Number of '|' in the value of the current line. */
static size_t
count_bars(const struct lines *l)
{
	size_t i, n = 0;

	for (i = 0; i < l->vlen; i++)
		n += l->val[i] == '|';
	return n;
}

/*
 * Parses a record line of nfields (7, or 8 with who stamped it) fields.
 */
static enum hs_err
parse_record(const struct lines *l, struct cert_record *r, size_t nfields,
    char *err)
{
	static const char *const names[8] = {
		"subject", "form", "start", "end", "hours", "title", "provider",
		"stamped by",
	};
	const char *part[8], *p;
	size_t plen[8], k;
	char why[HS_ERRLEN], fc[96];

	memset(r, 0, sizeof(*r));
	if (!split_record(l->val, l->vlen, part, plen, nfields))
		return hs_fail(err, HS_ERR_FORMAT,
		    "line %zu (record): want %zu fields separated by \" | \"",
		    l->no, nfields);
	for (k = 0; k < nfields; k++)
		if ((p = text_problem(part[k], plen[k], 4096)) != NULL)
			return hs_fail(err, HS_ERR_FORMAT,
			    "line %zu (record %s): value %s", l->no, names[k],
			    _(p));
	if (!take_token(part[0], plen[0], r->subject, sizeof(r->subject)) ||
	    !is_subject(r->subject))
		return hs_fail(err, HS_ERR_FORMAT,
		    "line %zu (record subject): not public, public/compulsory, "
		    "public/elective or professional", l->no);
	if (!take_token(part[1], plen[1], r->form, sizeof(r->form)) ||
	    cert_form_number(r->form) == 0)
		return hs_fail(err, HS_ERR_FORMAT,
		    "line %zu (record form): not one of online, face-to-face, "
		    "industry, employer, practice, degree, academic, "
		    "achievement, other", l->no);
	if (hours_decode(part[4], plen[4], &r->hours10, false) != 0)
		return hs_fail(err, HS_ERR_FORMAT,
		    "line %zu (record hours): \"%.*s\" must be more than 0, at "
		    "most 999999.9, with at most one decimal and no trailing .0",
		    l->no, (int)(plen[4] > 20 ? 20 : plen[4]), part[4]);
	if (!take_token(part[2], plen[2], r->start, sizeof(r->start)) ||
	    !take_token(part[3], plen[3], r->end, sizeof(r->end)))
		return hs_fail(err, HS_ERR_FORMAT,
		    "line %zu (record start/end): dates must be YYYY-MM-DD",
		    l->no);
	if (!take_token(part[5], plen[5], r->title, sizeof(r->title)))
		return hs_fail(err, HS_ERR_FORMAT,
		    "line %zu (record title): longer than %zu bytes", l->no,
		    sizeof(r->title) - 1);
	if (!take_token(part[6], plen[6], r->provider, sizeof(r->provider)))
		return hs_fail(err, HS_ERR_FORMAT,
		    "line %zu (record provider): longer than %zu bytes", l->no,
		    sizeof(r->provider) - 1);
	if (nfields == 8) {
		if ((p = stamped_by_problem(part[7], plen[7],
		    sizeof(r->stamped_by), fc, sizeof(fc))) != NULL)
			return hs_fail(err, HS_ERR_FORMAT,
			    "line %zu (record stamped by): value %s", l->no, p);
		memcpy(r->stamped_by, part[7], plen[7]);
		r->stamped_by[plen[7]] = '\0';
	}
	if (!record_ok(r, why, sizeof(why)))
		return hs_fail(err, HS_ERR_FORMAT, "line %zu (record): %s",
		    l->no, why);
	return HS_OK;
}

/* Parses a decimal int of 4 digits (years). */
static int
year_decode(const char *s, size_t n, int *y)
{
	size_t i;

	if (n != 4)
		return -1;
	*y = 0;
	for (i = 0; i < 4; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*y = *y * 10 + (s[i] - '0');
	}
	return *y >= 1900 && *y <= 2999 ? 0 : -1;
}

/* The value of the current line as a NUL-terminated token of at most max-1. */
#define TOKEN(l, dst, field) do {					\
	if (!take_token((l)->val, (l)->vlen, dst, sizeof(dst)))	\
		return fail_line(l, field, "value is too long", err);	\
} while (0)

static enum hs_err
fail_line(const struct lines *l, const char *field, const char *why,
    char *err)
{
	return hs_fail(err, HS_ERR_FORMAT, "line %zu (%s): %s", l->no, field,
	    why);
}

static enum hs_err
decode(const char *text, size_t len, struct cert *c, char *err)
{
	struct lines l = { text, text + len, 0, NULL, 0, NULL, 0, "" };
	struct cert_record *recs = NULL;
	size_t cap = 0, nfields = 0, bars, first_rec = 0;
	char tok[64], why[HS_ERRLEN];
	const char *p;
	long a, b, d;
	enum hs_err rc;
	bool more;

	if (len == 0 || text[len - 1] != '\n')
		return hs_fail(err, HS_ERR_FORMAT,
		    "the text does not end in a newline");
	if (len > NOTE_TEXT_MAX_FOR_CERT)
		return hs_fail(err, HS_ERR_TOOBIG, "the text is over %d bytes",
		    NOTE_TEXT_MAX_FOR_CERT);
	if (!utf8_valid(text, len))
		return hs_fail(err, HS_ERR_FORMAT, "the text is not valid UTF-8");
	/* C strings below stop at NUL: refuse it up front. */
	if ((p = memchr(text, '\0', len)) != NULL) {
		size_t ln = 1;
		const char *q;

		for (q = text; q < p; q++)
			ln += *q == '\n';
		return hs_fail(err, HS_ERR_FORMAT, "line %zu: NUL byte", ln);
	}
	if (!next_line(&l) || l.llen != strlen(CERT_MAGIC) ||
	    memcmp(l.line, CERT_MAGIC, l.llen) != 0)
		return hs_fail(err, HS_ERR_FORMAT,
		    "line 1: the first line must be \"%s\"", CERT_MAGIC);

	if ((rc = expect(&l, "serial", err)) != HS_OK)
		return rc;
	TOKEN(&l, c->serial, "serial");
	if (!serial_ok(c->serial, why, sizeof(why)))
		return fail_line(&l, "serial", why, err);

	if ((rc = expect(&l, "kind", err)) != HS_OK)
		return rc;
	TOKEN(&l, tok, "kind");
	if (strcmp(tok, "annual") == 0)
		c->kind = CERT_ANNUAL;
	else if (strcmp(tok, "course") == 0)
		c->kind = CERT_COURSE;
	else
		return fail_line(&l, "kind", "must be annual or course", err);

	if ((rc = expect(&l, "issuer", err)) != HS_OK ||
	    (rc = take_text(&l, "issuer", c->issuer, sizeof(c->issuer),
	    err)) != HS_OK)
		return rc;

	if ((rc = expect(&l, "year", err)) != HS_OK)
		return rc;
	if (year_decode(l.val, l.vlen, &c->year) != 0)
		return fail_line(&l, "year", "must be a year 1900..2999", err);
	if (serial_year(c->serial) != c->year)
		return fail_line(&l, "year", "is not the serial's year", err);

	if ((rc = expect(&l, "name", err)) != HS_OK ||
	    (rc = take_text(&l, "name", c->name, sizeof(c->name), err)) !=
	    HS_OK)
		return rc;

	if ((rc = expect(&l, "id", err)) != HS_OK)
		return rc;
	TOKEN(&l, c->id_masked, "id");
	if (!masked_ok(c->id_masked))
		return fail_line(&l, "id", "must be a masked ID number like "
		    "3501**********123X", err);

	if ((rc = expect(&l, "id-digest", err)) != HS_OK)
		return rc;
	TOKEN(&l, c->id_digest, "id-digest");
	if (!digest_ok(c->id_digest))
		return fail_line(&l, "id-digest",
		    "must be base64 of 32 bytes (44 characters)", err);

	/* unit is optional: absent means empty. */
	if (!next_line(&l))
		return hs_fail(err, HS_ERR_FORMAT,
		    "line %zu: the text ends where \"public\" should be",
		    l.no + 1);
	if (strcmp(l.key, "unit") == 0) {
		if ((rc = take_text(&l, "unit", c->unit, sizeof(c->unit),
		    err)) != HS_OK)
			return rc;
		if ((rc = expect(&l, "public", err)) != HS_OK)
			return rc;
	} else if (strcmp(l.key, "public") != 0)
		return hs_fail(err, HS_ERR_FORMAT,
		    "line %zu: expected \"unit: ...\" or \"public: ...\"",
		    l.no);
	if (hours_decode(l.val, l.vlen, &c->public10, true) != 0)
		return fail_line(&l, "public", "hours must be 0..999999.9 with "
		    "at most one decimal and no trailing .0", err);
	if ((rc = expect(&l, "professional", err)) != HS_OK)
		return rc;
	if (hours_decode(l.val, l.vlen, &c->professional10, true) != 0)
		return fail_line(&l, "professional", "hours must be "
		    "0..999999.9 with at most one decimal and no trailing .0",
		    err);
	if ((rc = expect(&l, "total", err)) != HS_OK)
		return rc;
	if (hours_decode(l.val, l.vlen, &c->total10, true) != 0)
		return fail_line(&l, "total", "hours must be 0..999999.9 with "
		    "at most one decimal and no trailing .0", err);
	if (c->total10 != c->public10 + c->professional10)
		return fail_line(&l, "total", "is not public + professional",
		    err);

	if (c->kind == CERT_ANNUAL) {
		if ((rc = expect(&l, "requirement", err)) != HS_OK)
			return rc;
		p = l.val;
		{
			const char *s1 = memchr(p, ' ', l.vlen), *s2;

			s2 = s1 ? memchr(s1 + 1, ' ', l.vlen - (size_t)(s1 + 1 -
			    p)) : NULL;
			if (s1 == NULL || s2 == NULL ||
			    hours_decode(p, (size_t)(s1 - p), &a, false) != 0 ||
			    hours_decode(s1 + 1, (size_t)(s2 - s1 - 1), &b,
			    true) != 0 ||
			    hours_decode(s2 + 1, l.vlen - (size_t)(s2 + 1 - p),
			    &d, true) != 0)
				return fail_line(&l, "requirement", "must be "
				    "three hours: total public professional, "
				    "e.g. \"90 30 60\"", err);
		}
		c->req_total10 = a;
		c->req_public10 = b;
		c->req_professional10 = d;
		if ((rc = expect(&l, "status", err)) != HS_OK)
			return rc;
		if (l.vlen == 3 && memcmp(l.val, "met", 3) == 0)
			c->met = true;
		else if (l.vlen == 5 && memcmp(l.val, "unmet", 5) == 0)
			c->met = false;
		else
			return fail_line(&l, "status", "must be met or unmet",
			    err);
	}

	/* Records, then issued as the last line. */
	for (;;) {
		if (!next_line(&l)) {
			rc = hs_fail(err, HS_ERR_FORMAT, "line %zu: the text "
			    "ends where \"issued\" should be", l.no + 1);
			goto fail;
		}
		if (strcmp(l.key, "record") != 0)
			break;
		if (c->nrecords == CERT_MAX_RECORDS) {
			rc = hs_fail(err, HS_ERR_TOOBIG, "line %zu: more than "
			    "%d records", l.no, CERT_MAX_RECORDS);
			goto fail;
		}
		if (c->nrecords == cap) {
			struct cert_record *nr;

			cap = cap ? cap * 2 : 8;
			if (cap > CERT_MAX_RECORDS)
				cap = CERT_MAX_RECORDS;
			if ((nr = realloc(recs, cap * sizeof(*recs))) == NULL) {
				rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
				goto fail;
			}
			recs = nr;
		}
		/*
		 * 7 fields (as issued before who stamped was signed) or 8;
		 * the first record decides, and the others must agree.
		 */
		bars = count_bars(&l);
		if (nfields == 0) {
			nfields = bars == 7 ? 8 : 7;
			first_rec = l.no;
		} else if (bars + 1 != nfields && (bars == 6 || bars == 7)) {
			rc = hs_fail(err, HS_ERR_FORMAT, "line %zu (record): "
			    "has %zu fields but the record on line %zu has %zu: "
			    "every record names who stamped it, or none does",
			    l.no, bars + 1, first_rec, nfields);
			goto fail;
		}
		if ((rc = parse_record(&l, &recs[c->nrecords], nfields, err)) !=
		    HS_OK)
			goto fail;
		c->nrecords++;
	}
	if (strcmp(l.key, "issued") != 0) {
		rc = hs_fail(err, HS_ERR_FORMAT, "line %zu: expected "
		    "\"record: ...\" or \"issued: ...\", found \"%.*s%s\"",
		    l.no, (int)(l.llen > 40 ? 40 : l.llen), l.line,
		    l.llen > 40 ? "..." : "");
		goto fail;
	}
	if (c->kind == CERT_COURSE && c->nrecords != 1) {
		rc = hs_fail(err, HS_ERR_FORMAT, "line %zu: a course "
		    "certificate has exactly one record (found %zu)", l.no,
		    c->nrecords);
		goto fail;
	}
	if (!take_token(l.val, l.vlen, c->issued, sizeof(c->issued)) ||
	    !time_ok(c->issued)) {
		rc = fail_line(&l, "issued", "must be an RFC 3339 UTC time "
		    "YYYY-MM-DDTHH:MM:SSZ", err);
		goto fail;
	}
	/* utc-offset and verify are optional, in this order: notes from
	 * before them stay valid. */
	more = next_line(&l);
	if (more && strcmp(l.key, "utc-offset") == 0) {
		if (hs_offset_parse(l.val, l.vlen, &c->utc_offset) != 0) {
			rc = hs_fail(err, HS_ERR_FORMAT, "line %zu (utc-offset): "
			    "must be +HH:MM or -HH:MM, minutes a multiple of 15, "
			    "at most 14 hours (UTC is +00:00)", l.no);
			goto fail;
		}
		c->has_utc_offset = true;
		more = next_line(&l);
	}
	if (more) {
		if (strcmp(l.key, "verify") != 0) {
			rc = hs_fail(err, HS_ERR_FORMAT, "line %zu: only "
			    "\"utc-offset: ...\" and \"verify: ...\" may "
			    "follow \"issued\"", l.no);
			goto fail;
		}
		if (!cert_url_ok(l.val, l.vlen)) {
			rc = hs_fail(err, HS_ERR_FORMAT, "line %zu (verify): "
			    "must be the verifier's URL: http:// or https:// "
			    "then printable ASCII without spaces, at most %d "
			    "bytes, not ending in '/'", l.no, CERT_URL_MAX);
			goto fail;
		}
		memcpy(c->verify_url, l.val, l.vlen);
		c->verify_url[l.vlen] = '\0';
	}
	if (next_line(&l)) {
		rc = hs_fail(err, HS_ERR_FORMAT, "line %zu: nothing may "
		    "follow \"%s\"", l.no, c->verify_url[0] != '\0' ?
		    "verify" : c->has_utc_offset ? "utc-offset" : "issued");
		goto fail;
	}
	c->records = recs;
	return HS_OK;
fail:
	free(recs);
	c->nrecords = 0;
	return rc;
}

enum hs_err
cert_decode(const char *text, size_t len, struct cert *c, char *err)
{
	enum hs_err rc;

	memset(c, 0, sizeof(*c));
	rc = decode(text, len, c, err);
	if (rc != HS_OK) {
		memset(c, 0, sizeof(*c));
		return rc;
	}
	return HS_OK;
}

void
cert_free(struct cert *c)
{
	if (c == NULL)
		return;
	free(c->records);
	c->records = NULL;
	c->nrecords = 0;
}
