/*
 * test_cert.c - the certificate note text (docs/formats.md §3): exact bytes, round
 * trips, and every kind of malformed text rejected with line and field.
 *
 * With arguments it also serves the interop test (tests/e2e/interop.sh):
 *   test_cert --samples DIR   writes signed sample notes and key.pub
 *   test_cert --open VKEY NOTE   opens NOTE with verifier key VKEY and
 *                                decodes it as a certificate (exit 0/1)
 *   test_cert --bench SECS RECORDS   markdown rows for tests/bench
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/opensslv.h>

#include "cert/cert.h"
#include "tlog/note.h"
#include "t.h"

#define ANNUAL \
	"hourseal/cert/v1\n" \
	"serial: 2024-7K3M-9Q2D-XW8P-4HJN\n" \
	"kind: annual\n" \
	"issuer: 福建省专业技术人员继续教育中心\n" \
	"year: 2024\n" \
	"name: 张三\n" \
	"id: 3501**********123X\n" \
	"id-digest: LXEWQrcmsEQBYnyp+6wy9chTD7GQPMTbAiWHF5IaSIE=\n" \
	"unit: 福州市第一医院\n" \
	"public: 30\n" \
	"professional: 64.5\n" \
	"total: 94.5\n" \
	"requirement: 90 30 60\n" \
	"status: met\n" \
	"record: public | online | 2024-03-01 | 2024-03-03 | 12 | 新时代政绩观树立 | 福建省继续教育基地\n" \
	"record: public/compulsory | face-to-face | 2024-04-01 | 2024-04-02 | 18 | 安全生产 | 福州市人社局\n" \
	"record: professional | achievement | 2024-06-30 | 2024-06-30 | 60 | 论文：心血管护理 | 福州市卫健委\n" \
	"record: professional | online | 2024-07-01 | 2024-07-01 | 4.5 | Nursing: a/b (c) 100% | Provider & Co.\n" \
	"issued: 2024-12-31T10:00:00Z\n"

#define COURSE \
	"hourseal/cert/v1\n" \
	"serial: 2025-0000-0000-0000-000Z\n" \
	"kind: course\n" \
	"issuer: Weihai\n" \
	"year: 2025\n" \
	"name: O'Brien-李\n" \
	"id: 3710**********0010\n" \
	"id-digest: LXEWQrcmsEQBYnyp+6wy9chTD7GQPMTbAiWHF5IaSIE=\n" \
	"public: 0.5\n" \
	"professional: 0\n" \
	"total: 0.5\n" \
	"record: public/elective | other | 2025-01-01 | 2025-12-31 | 0.5 | x | y\n" \
	"issued: 2025-02-28T23:59:59Z\n"

/* ANNUAL with who stamped each record (the 8th field, formats §3). */
#define STAMPED \
	"hourseal/cert/v1\n" \
	"serial: 2024-7K3M-9Q2D-XW8P-4HJN\n" \
	"kind: annual\n" \
	"issuer: 福建省专业技术人员继续教育中心\n" \
	"year: 2024\n" \
	"name: 张三\n" \
	"id: 3501**********123X\n" \
	"id-digest: LXEWQrcmsEQBYnyp+6wy9chTD7GQPMTbAiWHF5IaSIE=\n" \
	"unit: 福州市第一医院\n" \
	"public: 30\n" \
	"professional: 60\n" \
	"total: 90\n" \
	"requirement: 90 30 60\n" \
	"status: met\n" \
	"record: public | online | 2024-03-01 | 2024-03-03 | 12 | 课程 | 基地 | 福州市人力资源和社会保障局\n" \
	"record: professional | achievement | 2024-06-30 | 2024-06-30 | 60 | 论文：心血管护理 | 福州市卫健委 | auto (policy fujian)\n" \
	"issued: 2024-12-31T10:00:00Z\n" \
	"verify: https://verify.example.cn\n"

static char *
replace(const char *s, const char *from, const char *to)
{
	const char *p = strstr(s, from);
	size_t a, b = strlen(from), c = strlen(to), n = strlen(s);
	char *r;

	if (p == NULL)
		return NULL;
	a = (size_t)(p - s);
	r = malloc(n - b + c + 1);
	memcpy(r, s, a);
	memcpy(r + a, to, c);
	memcpy(r + a + c, p + b, n - a - b + 1);
	return r;
}

static void
test_roundtrip(const char *what, const char *text)
{
	struct cert c, c2;
	struct buf b;
	char err[HS_ERRLEN] = "";
	enum hs_err rc;

	buf_init(&b);
	rc = cert_decode(text, strlen(text), &c, err);
	T_OK(rc == HS_OK, "%s decodes (%s)", what, err);
	if (rc != HS_OK)
		return;
	rc = cert_encode(&c, &b, err);
	T_OK(rc == HS_OK, "%s encodes again (%s)", what, err);
	T_STREQ(b.data, text, "%s: encode(decode(text)) is the same bytes", what);
	rc = cert_decode(b.data, b.len, &c2, err);
	T_OK(rc == HS_OK && c2.nrecords == c.nrecords &&
	    (c.nrecords == 0 ||
	    memcmp(c2.records, c.records, c.nrecords * sizeof(*c.records)) == 0),
	    "%s: decode(encode(c)) has the same records", what);
	if (rc == HS_OK) {
		struct cert_record *r1 = c.records, *r2 = c2.records;

		c.records = c2.records = NULL;
		T_OK(memcmp(&c, &c2, sizeof(c)) == 0,
		    "%s: decode(encode(c)) has the same fields", what);
		c.records = r1;
		c2.records = r2;
		cert_free(&c2);
	}
	cert_free(&c);
	buf_free(&b);
}

static void
test_fields(void)
{
	struct cert c;
	char err[HS_ERRLEN] = "";

	if (cert_decode(ANNUAL, strlen(ANNUAL), &c, err) != HS_OK) {
		T_OK(0, "annual decodes: %s", err);
		return;
	}
	T_STREQ(c.serial, "2024-7K3M-9Q2D-XW8P-4HJN", "serial");
	T_OK(c.kind == CERT_ANNUAL && c.year == 2024, "kind and year");
	T_STREQ(c.name, "张三", "name");
	T_STREQ(c.id_masked, "3501**********123X", "masked id");
	T_STREQ(c.unit, "福州市第一医院", "unit");
	T_OK(c.public10 == 300 && c.professional10 == 645 && c.total10 == 945,
	    "hours in tenths");
	T_OK(c.req_total10 == 900 && c.req_public10 == 300 &&
	    c.req_professional10 == 600 && c.met, "requirement and status");
	T_OK(c.nrecords == 4, "four records");
	T_STREQ(c.records[1].subject, "public/compulsory", "record 2 subject");
	T_STREQ(c.records[1].form, "face-to-face", "record 2 form");
	T_OK(c.records[3].hours10 == 45, "record 4 hours 4.5");
	T_STREQ(c.records[2].title, "论文：心血管护理", "record 3 title");
	T_STREQ(c.records[3].provider, "Provider & Co.", "record 4 provider");
	T_STREQ(c.issued, "2024-12-31T10:00:00Z", "issued");
	cert_free(&c);
	cert_free(NULL);

	T_OK(cert_form_number("achievement") == 8 && cert_form_number("x") == 0
	    && strcmp(cert_form_name(1), "online") == 0 &&
	    cert_form_name(0) == NULL && cert_form_name(10) == NULL,
	    "form names and numbers");
}

/* Each row changes the annual (or course) text and must be rejected. */
static void
test_malformed(void)
{
	static const struct {
		const char *what, *from, *to, *want;
		int course;
	} rows[] = {
		{ "wrong magic", "hourseal/cert/v1\n", "hourseal/cert/v2\n", "line 1", 0 },
		{ "magic with trailing space", "hourseal/cert/v1\n", "hourseal/cert/v1 \n", "line 1", 0 },
		{ "no final newline", "10:00:00Z\n", "10:00:00Z", "newline", 0 },
		{ "blank line at end", "10:00:00Z\n", "10:00:00Z\n\n", "line 20", 0 },
		{ "extra line at end", "10:00:00Z\n", "10:00:00Z\nx: y\n", "line 20", 0 },
		{ "fields swapped", "kind: annual\nissuer: 福建省专业技术人员继续教育中心\n",
		    "issuer: 福建省专业技术人员继续教育中心\nkind: annual\n", "line 3", 0 },
		{ "missing serial", "serial: 2024-7K3M-9Q2D-XW8P-4HJN\n", "", "line 2", 0 },
		{ "serial lowercase", "7K3M", "7k3m", "line 2 (serial)", 0 },
		{ "serial without dashes", "2024-7K3M-9Q2D-XW8P-4HJN", "20247K3M9Q2DXW8P4HJN", "line 2 (serial)", 0 },
		{ "serial with O", "4HJN", "4HJO", "line 2 (serial)", 0 },
		{ "serial of another year", "year: 2024", "year: 2023", "line 5 (year)", 0 },
		{ "kind unknown", "kind: annual", "kind: yearly", "line 3 (kind)", 0 },
		{ "key without space", "kind: annual", "kind:annual", "line 3", 0 },
		{ "key with two spaces", "kind: annual", "kind:  annual", "line 3 (kind)", 0 },
		{ "issuer empty", "issuer: 福建省专业技术人员继续教育中心", "issuer: ", "line 4 (issuer)", 0 },
		{ "issuer trailing space", "继续教育中心\n", "继续教育中心 \n", "line 4 (issuer)", 0 },
		{ "issuer has pipe", "继续教育中心\n", "继续|教育中心\n", "line 4 (issuer)", 0 },
		{ "issuer has tab", "继续教育中心\n", "继续\t教育中心\n", "line 4 (issuer)", 0 },
		{ "issuer has C1 control", "继续教育中心\n", "继续\xC2\x85教育中心\n", "line 4 (issuer)", 0 },
		{ "year not a number", "year: 2024", "year: 20x4", "line 5 (year)", 0 },
		{ "year 5 digits", "year: 2024", "year: 02024", "line 5 (year)", 0 },
		{ "name leading ideographic space", "name: 张三", "name: \xE3\x80\x80张三", "line 6 (name)", 0 },
		{ "name empty", "name: 张三", "name: ", "line 6 (name)", 0 },
		{ "id unmasked", "3501**********123X", "350102198001011234", "line 7 (id)", 0 },
		{ "id lowercase x", "3501**********123X", "3501**********123x", "line 7 (id)", 0 },
		{ "id too short", "3501**********123X", "3501*********123X", "line 7 (id)", 0 },
		{ "id all stars", "3501**********123X", "******************", "line 7 (id)", 0 },
		{ "id-digest short", "LXEWQrcmsEQBYnyp+6wy9chTD7GQPMTbAiWHF5IaSIE=", "LXEWQrcmsEQBYnyp+6wy9chTD7GQPMTbAiWHF5Ia", "line 8 (id-digest)", 0 },
		{ "id-digest not canonical", "5IaSIE=", "5IaSIF=", "line 8 (id-digest)", 0 },
		{ "unit empty", "unit: 福州市第一医院", "unit: ", "line 9 (unit)", 0 },
		{ "public 30.0", "public: 30\n", "public: 30.0\n", "line 10 (public)", 0 },
		{ "public 030", "public: 30\n", "public: 030\n", "line 10 (public)", 0 },
		{ "public two decimals", "public: 30\n", "public: 29.95\n", "line 10 (public)", 0 },
		{ "public negative", "public: 30\n", "public: -30\n", "line 10 (public)", 0 },
		{ "public with dot only", "public: 30\n", "public: 30.\n", "line 10 (public)", 0 },
		{ "public comma decimal", "public: 30\n", "public: 30,5\n", "line 10 (public)", 0 },
		{ "public 7 digits", "public: 30\n", "public: 1000000\n", "line 10 (public)", 0 },
		{ "public 20 digits (no overflow)", "public: 30\n", "public: 17255145938319689490\n", "line 10 (public)", 0 },
		{ "record hours 19 digits", "| 12 |", "| 1725514593831968949 |", "line 15 (record hours)", 0 },
		{ "total wrong", "total: 94.5", "total: 94", "line 12 (total)", 0 },
		{ "missing requirement", "requirement: 90 30 60\n", "", "line 13", 0 },
		{ "requirement two numbers", "requirement: 90 30 60", "requirement: 90 30", "line 13 (requirement)", 0 },
		{ "requirement two spaces", "requirement: 90 30 60", "requirement: 90  30 60", "line 13 (requirement)", 0 },
		{ "requirement total 0", "requirement: 90 30 60", "requirement: 0 30 60", "line 13 (requirement)", 0 },
		{ "status unknown", "status: met", "status: ok", "line 14 (status)", 0 },
		{ "record six fields", "| 12 | 新时代政绩观树立 | 福建省继续教育基地", "| 12 | 新时代政绩观树立", "line 15 (record)", 0 },
		/* 8 fields are who stamped it (formats §3): only if every record has them. */
		{ "record eight fields among records of seven", "| 福建省继续教育基地\n", "| 福建省继续教育基地 | x\n", "line 16 (record): has 7 fields but the record on line 15 has 8", 0 },
		{ "record nine fields", "| 福建省继续教育基地\n", "| 福建省继续教育基地 | x | y\n", "line 15 (record): want 7 fields", 0 },
		{ "record no spaces around bar", "public | online |", "public|online |", "line 15 (record)", 0 },
		{ "record two spaces", "public | online |", "public  | online |", "line 15 (record subject)", 0 },
		{ "record empty title", "| 新时代政绩观树立 |", "|  |", "line 15 (record title)", 0 },
		{ "record subject unknown", "record: public | online", "record: general | online", "line 15 (record subject)", 0 },
		{ "record form number", "record: public | online", "record: public | 1", "line 15 (record form)", 0 },
		{ "record bad date", "2024-03-01 | 2024-03-03", "2024-02-30 | 2024-03-03", "line 15 (record)", 0 },
		{ "record date format", "2024-03-01 | 2024-03-03", "2024-3-1 | 2024-03-03", "line 15 (record", 0 },
		{ "record start after end", "2024-03-01 | 2024-03-03", "2024-03-04 | 2024-03-03", "line 15 (record)", 0 },
		{ "record hours 12.0", "| 12 |", "| 12.0 |", "line 15 (record hours)", 0 },
		{ "record hours 0", "| 12 |", "| 0 |", "line 15 (record hours)", 0 },
		{ "record hours 1e2", "| 12 |", "| 1e2 |", "line 15 (record hours)", 0 },
		{ "record title with tab", "新时代政绩观树立", "新时代\t政绩观树立", "line 15 (record title)", 0 },
		{ "record provider trailing space", "福建省继续教育基地\n", "福建省继续教育基地 \n", "line 15 (record provider)", 0 },
		{ "missing issued", "issued: 2024-12-31T10:00:00Z\n", "", "line 19", 0 },
		{ "issued not UTC", "2024-12-31T10:00:00Z", "2024-12-31T10:00:00+08:00", "line 19 (issued)", 0 },
		{ "issued bad hour", "2024-12-31T10:00:00Z", "2024-12-31T24:00:00Z", "line 19 (issued)", 0 },
		{ "issued lowercase", "2024-12-31T10:00:00Z", "2024-12-31t10:00:00z", "line 19 (issued)", 0 },
		{ "record after issued", "issued: 2024-12-31T10:00:00Z\n",
		    "issued: 2024-12-31T10:00:00Z\nrecord: public | online | 2024-03-01 | 2024-03-03 | 12 | a | b\n", "line 20", 0 },
		{ "invalid UTF-8", "张三", "\xE5\xBC", "UTF-8", 0 },
		{ "CRLF line ends", "kind: annual\n", "kind: annual\r\n", "line 3 (kind)", 0 },
		{ "course with requirement", "total: 0.5\n", "total: 0.5\nrequirement: 90 30 60\n", "line 12", 1 },
		{ "course with two records", "issued:", "record: public | online | 2025-01-01 | 2025-01-01 | 1 | a | b\nissued:", "line 14", 1 },
		{ "course with no record", "record: public/elective | other | 2025-01-01 | 2025-12-31 | 0.5 | x | y\n", "", "line 12", 1 },
		{ "course public 00.5", "public: 0.5", "public: 00.5", "line 9 (public)", 1 },
		{ "course public .5", "public: 0.5", "public: .5", "line 9 (public)", 1 },
	};
	struct cert c;
	char err[HS_ERRLEN], *t;
	enum hs_err rc;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		t = replace(rows[i].course ? COURSE : ANNUAL, rows[i].from,
		    rows[i].to);
		if (t == NULL) {
			T_OK(0, "row \"%s\": pattern not found", rows[i].what);
			continue;
		}
		err[0] = '\0';
		memset(&c, 0x55, sizeof(c));
		rc = cert_decode(t, strlen(t), &c, err);
		T_OK(rc != HS_OK && strstr(err, rows[i].want) != NULL &&
		    c.records == NULL && c.nrecords == 0,
		    "reject %s: %s", rows[i].what, err);
		free(t);
	}
}

/* NUL bytes anywhere (C strings would stop at them) are refused. */
static void
test_nul(void)
{
	static const struct { const char *at; size_t off; const char *want; } rows[] = {
		{ "requirement: 90 30 60", 18, "line 13: NUL" }, /* "90 30\0..." */
		{ "serial: 2024", 6, "line 2: NUL" },         /* in the key */
		{ "public: 30", 9, "line 10: NUL" },          /* "3\0" */
		{ "| 12 |", 3, "line 15: NUL" },              /* record hours */
		{ "issued: 2024", 8, "line 19: NUL" },
	};
	size_t n = strlen(ANNUAL), i;
	char *t = malloc(n), err[HS_ERRLEN];
	struct cert c;
	enum hs_err rc;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		memcpy(t, ANNUAL, n);
		t[strstr(ANNUAL, rows[i].at) - ANNUAL + rows[i].off] = '\0';
		err[0] = '\0';
		rc = cert_decode(t, n, &c, err);
		T_OK(rc == HS_ERR_FORMAT && strstr(err, rows[i].want),
		    "NUL byte in \"%s\": %s", rows[i].at, err);
	}
	free(t);
}

static void
test_encode_rejects(void)
{
	struct cert c, base;
	struct buf b;
	char err[HS_ERRLEN];
	struct cert_record r;
	enum hs_err rc;

	buf_init(&b);
	if (cert_decode(ANNUAL, strlen(ANNUAL), &base, err) != HS_OK)
		return;
#define TRY(what, mutate) do {						\
		c = base;						\
		r = base.records[0];					\
		c.records = &r;						\
		c.nrecords = 1;						\
		mutate;							\
		buf_reset(&b);						\
		err[0] = '\0';						\
		rc = cert_encode(&c, &b, err);				\
		T_OK(rc != HS_OK && b.len == 0 && err[0] != '\0',	\
		    "encode refuses %s: %s", what, err);		\
	} while (0)
	TRY("a name with '|'", strcpy(c.name, "张|三"));
	TRY("a name with a newline", strcpy(c.name, "张\n三"));
	TRY("a name with a trailing space", strcpy(c.name, "张三 "));
	TRY("an empty name", c.name[0] = '\0');
	TRY("a title with '|'", strcpy(r.title, "a | b"));
	TRY("a provider with control", strcpy(r.provider, "a\x7f"));
	TRY("a unit with leading space", strcpy(c.unit, " x"));
	TRY("negative public hours", (c.public10 = -10, c.total10 = c.public10 + c.professional10));
	TRY("total not the sum", c.total10++);
	TRY("record hours 0", r.hours10 = 0);
	TRY("record form unknown", strcpy(r.form, "webinar"));
	TRY("record subject unknown", strcpy(r.subject, "public/other"));
	TRY("record start after end", strcpy(r.start, "2024-12-31"));
	TRY("an impossible date", strcpy(r.end, "2024-02-30"));
	TRY("a non-canonical serial", strcpy(c.serial, "2024-7k3m-9q2d-xw8p-4hjn"));
	TRY("serial of another year", c.year = 2023);
	TRY("an unmasked id", strcpy(c.id_masked, "350102198001011234"));
	TRY("a short id-digest", strcpy(c.id_digest, "AAAA"));
	TRY("a bad issued time", strcpy(c.issued, "2024-12-31 10:00:00"));
	TRY("a course with two records", (c.kind = CERT_COURSE, c.nrecords = 2, c.records = base.records));
	TRY("a bad kind", c.kind = (enum cert_kind)7);
	TRY("year 1899", c.year = 1899);
	/* Control: the unmutated single-record certificate does encode. */
	c = base;
	c.nrecords = 1;
	buf_reset(&b);
	T_OK(cert_encode(&c, &b, err) == HS_OK, "the unchanged one encodes");
	/* Hours formats: at most one decimal, never a trailing .0. */
	c.public10 = 120;
	c.professional10 = 5;
	c.total10 = 125;
	buf_reset(&b);
	T_OK(cert_encode(&c, &b, err) == HS_OK &&
	    strstr(b.data, "\npublic: 12\nprofessional: 0.5\ntotal: 12.5\n") != NULL,
	    "hours 12, 0.5 and 12.5 are written as such");
	/* An annual certificate with no records and no unit. */
	c.nrecords = 0;
	c.unit[0] = '\0';
	c.met = false;
	buf_reset(&b);
	rc = cert_encode(&c, &b, err);
	T_OK(rc == HS_OK && strstr(b.data, "unit:") == NULL &&
	    strstr(b.data, "status: unmet\nissued:") != NULL,
	    "annual with no unit and no records");
	if (rc == HS_OK)
		test_roundtrip("annual without unit and records", b.data);
	cert_free(&base);
	buf_free(&b);
#undef TRY
}

static void
test_many_records(void)
{
	struct cert c, d;
	struct buf b;
	char err[HS_ERRLEN] = "";
	size_t i;
	enum hs_err rc;

	buf_init(&b);
	if (cert_decode(ANNUAL, strlen(ANNUAL), &c, err) != HS_OK)
		return;
	free(c.records);
	c.records = calloc(CERT_MAX_RECORDS + 1, sizeof(*c.records));
	for (i = 0; i <= CERT_MAX_RECORDS; i++) {
		struct cert_record *r = &c.records[i];

		strcpy(r->subject, "professional");
		strcpy(r->form, cert_form_name((int)(i % 9) + 1));
		strcpy(r->start, "2024-01-01");
		strcpy(r->end, "2024-12-31");
		r->hours10 = (long)i + 1;
		snprintf(r->title, sizeof(r->title), "课程 %zu", i);
		strcpy(r->provider, "p");
	}
	c.nrecords = CERT_MAX_RECORDS;
	rc = cert_encode(&c, &b, err);
	T_OK(rc == HS_OK, "encode %d records", CERT_MAX_RECORDS);
	rc = cert_decode(b.data, b.len, &d, err);
	T_OK(rc == HS_OK && d.nrecords == CERT_MAX_RECORDS &&
	    d.records[999].hours10 == 1000 &&
	    strcmp(d.records[998].title, "课程 998") == 0,
	    "decode %d records (%s)", CERT_MAX_RECORDS, err);
	cert_free(&d);
	c.nrecords = CERT_MAX_RECORDS + 1;
	buf_reset(&b);
	T_OK(cert_encode(&c, &b, err) == HS_ERR_TOOBIG, "encode refuses %d records",
	    CERT_MAX_RECORDS + 1);
	/* The decoder refuses them too. */
	c.nrecords = CERT_MAX_RECORDS;
	buf_reset(&b);
	cert_encode(&c, &b, err);
	{
		char *t = replace(b.data, "issued:",
		    "record: public | online | 2024-01-01 | 2024-01-01 | 1 | a | b\nissued:");

		rc = cert_decode(t, strlen(t), &d, err);
		T_OK(rc == HS_ERR_TOOBIG && d.records == NULL,
		    "decode refuses %d records: %s", CERT_MAX_RECORDS + 1, err);
		free(t);
	}
	cert_free(&c);
	buf_free(&b);
}

/* Signs the samples with a fixed test key for the Go interop check. */
static int
samples(const char *dir)
{
	static const char *const names[] = { "annual", "course", "stamped" };
	static const char *const texts[] = { ANNUAL, COURSE, STAMPED };
	uint8_t seed[32];
	struct note_signer *s = NULL;
	char vk[NOTE_VKEY_MAX], path[4096], err[HS_ERRLEN];
	struct buf b;
	int i;

	for (i = 0; i < 32; i++)
		seed[i] = (uint8_t)(7 * i + 1);
	if (note_signer_new("ledger.hourseal.example.cn/fj", seed, &s, err) !=
	    HS_OK)
		return 2;
	note_signer_vkey(s, vk, sizeof(vk));
	buf_init(&b);
	buf_printf(&b, "%s\n", vk);
	snprintf(path, sizeof(path), "%s/key.pub", dir);
	if (file_write_atomic(path, b.data, b.len, 0644, err) != HS_OK)
		return 2;
	for (i = 0; i < 3; i++) {
		struct cert c;

		/* Through the codec, so the sample is what cert_encode makes. */
		if (cert_decode(texts[i], strlen(texts[i]), &c, err) != HS_OK)
			return 2;
		buf_reset(&b);
		cert_encode(&c, &b, err);
		cert_free(&c);
		snprintf(path, sizeof(path), "%s/%s.txt", dir, names[i]);
		file_write_atomic(path, b.data, b.len, 0644, err);
		{
			struct buf n;

			buf_init(&n);
			note_sign(s, b.data, b.len, &n, err);
			snprintf(path, sizeof(path), "%s/%s.note", dir, names[i]);
			file_write_atomic(path, n.data, n.len, 0644, err);
			buf_free(&n);
		}
	}
	buf_free(&b);
	note_signer_free(s);
	return 0;
}

static int
open_note(const char *vkey, const char *file)
{
	struct note_verifier *v = NULL;
	struct note_verified ver;
	struct cert c;
	char *msg = NULL, err[HS_ERRLEN];
	size_t len;
	int rc = 1;

	if (note_verifier_parse(vkey, &v, err) != HS_OK ||
	    file_read(file, NOTE_MAX_SIZE, &msg, &len, err) != HS_OK) {
		fprintf(stderr, "%s\n", err);
		rc = 2;
		goto out;
	}
	if (note_open(msg, len, &v, 1, &ver, err) != HS_OK ||
	    cert_decode(msg, ver.text_len, &c, err) != HS_OK) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	printf("%s %s\n", c.serial, c.name);
	cert_free(&c);
	rc = 0;
out:
	free(msg);
	note_verifier_free(v);
	return rc;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Prints markdown rows: encode + sign, and open + decode, of the annual
 * sample with `records` records, for about secs seconds each.
 */
static int
bench(double secs, size_t records)
{
	struct cert c;
	struct note_signer *s = NULL;
	struct note_verifier *v = NULL;
	struct note_verified ver;
	uint8_t seed[32] = { 42 };
	char vk[NOTE_VKEY_MAX], err[HS_ERRLEN];
	struct buf text, note;
	double t0, t;
	long n;
	size_t i;

	if (cert_decode(ANNUAL, strlen(ANNUAL), &c, err) != HS_OK ||
	    note_signer_new("ledger.hourseal.example.cn/fj", seed, &s, err) !=
	    HS_OK)
		return 2;
	note_signer_vkey(s, vk, sizeof(vk));
	note_verifier_parse(vk, &v, err);
	c.records = realloc(c.records, records * sizeof(*c.records));
	for (i = 4; i < records; i++)
		c.records[i] = c.records[i % 4];
	c.nrecords = records;
	buf_init(&text);
	buf_init(&note);
	for (n = 0, t0 = now_s(); (t = now_s() - t0) < secs; n++) {
		buf_reset(&text);
		buf_reset(&note);
		if (cert_encode(&c, &text, err) != HS_OK ||
		    note_sign(s, text.data, text.len, &note, err) != HS_OK)
			return 2;
	}
	printf("| certificate note encode + Ed25519 sign (%zu records, %zu "
	    "bytes) | %.0f notes/s | one core, OpenSSL %s |\n", records,
	    note.len, n / t, OPENSSL_VERSION_TEXT + 8);
	for (n = 0, t0 = now_s(); (t = now_s() - t0) < secs; n++) {
		struct cert d;

		if (note_open(note.data, note.len, &v, 1, &ver, err) != HS_OK ||
		    cert_decode(note.data, ver.text_len, &d, err) != HS_OK)
			return 2;
		cert_free(&d);
	}
	printf("| certificate note open (verify) + decode (%zu records) | "
	    "%.0f notes/s | one core |\n", records, n / t);
	buf_free(&text);
	buf_free(&note);
	cert_free(&c);
	note_signer_free(s);
	note_verifier_free(v);
	return 0;
}

/*
 * The verify line (docs/formats.md §3): optional, last, a strict URL.
 * Notes without it decode unchanged; notes with it round-trip.
 */
static void
test_verify(void)
{
	static const struct { const char *what, *line, *want; } bad[] = {
		{ "empty", "verify: \n", "line 20 (verify)" },
		{ "no space after the colon", "verify:https://v.example\n", "line 20: only" },
		{ "ftp", "verify: ftp://v.example\n", "line 20 (verify)" },
		{ "scheme only", "verify: https://\n", "line 20 (verify)" },
		{ "no scheme", "verify: v.example\n", "line 20 (verify)" },
		{ "upper-case scheme", "verify: HTTPS://v.example\n", "line 20 (verify)" },
		{ "trailing slash", "verify: https://v.example/\n", "line 20 (verify)" },
		{ "a space", "verify: https://v.example/a b\n", "line 20 (verify)" },
		{ "a tab", "verify: https://v.example/\tb\n", "line 20 (verify)" },
		{ "trailing space", "verify: https://v.example \n", "line 20 (verify)" },
		{ "non-ASCII", "verify: https://验证.example\n", "line 20 (verify)" },
		{ "DEL", "verify: https://v.example\x7f\n", "line 20 (verify)" },
		{ "CR", "verify: https://v.example\r\n", "line 20 (verify)" },
		{ "twice", "verify: https://v.example\nverify: https://w.example\n", "line 21: nothing may follow \"verify\"" },
		{ "another key", "unit: x\n", "line 20: only \"utc-offset: ...\" and \"verify: ...\" may follow" },
		{ "a blank line", "\n", "line 20: only" },
		{ "verify before issued", NULL, "line 19: expected \"record: ...\" or \"issued: ...\"" },
	};
	char big[CERT_URL_MAX + 64], *t, err[HS_ERRLEN];
	struct cert c;
	struct buf b;
	size_t i;
	enum hs_err rc;

	buf_init(&b);
	t = malloc(strlen(ANNUAL) + sizeof(big) + 64);
	/* Old notes (the shared vectors' form) decode with no URL. */
	rc = cert_decode(ANNUAL, strlen(ANNUAL), &c, err);
	T_OK(rc == HS_OK && c.verify_url[0] == '\0',
	    "a note without verify decodes, verify_url empty");
	if (rc == HS_OK) {
		cert_encode(&c, &b, err);
		T_OK(b.len == strlen(ANNUAL) && strstr(b.data, "verify") == NULL,
		    "and encodes again without a verify line");
		cert_free(&c);
	}
	sprintf(t, "%sverify: https://verify.example.cn\n", ANNUAL);
	test_roundtrip("annual with verify", t);
	rc = cert_decode(t, strlen(t), &c, err);
	T_OK(rc == HS_OK && strcmp(c.verify_url, "https://verify.example.cn")
	    == 0, "verify_url is the line's value (%s)", err);
	if (rc == HS_OK)
		cert_free(&c);
	sprintf(t, "%sverify: http://127.0.0.1:8080/hs/fj?x=1\n", COURSE);
	test_roundtrip("course with an http verify URL and a path", t);

	/* The longest URL decodes; one byte more is refused. */
	memset(big, 0, sizeof(big));
	memcpy(big, "https://", 8);
	memset(big + 8, 'a', CERT_URL_MAX - 8);
	sprintf(t, "%sverify: %s\n", ANNUAL, big);
	test_roundtrip("a verify URL of CERT_URL_MAX bytes", t);
	big[CERT_URL_MAX] = 'a';
	sprintf(t, "%sverify: %s\n", ANNUAL, big);
	rc = cert_decode(t, strlen(t), &c, err);
	T_OK(rc == HS_ERR_FORMAT && strstr(err, "line 20 (verify)"),
	    "reject a verify URL of CERT_URL_MAX + 1 bytes: %s", err);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (bad[i].line != NULL) {
			sprintf(t, "%s%s", ANNUAL, bad[i].line);
		} else {
			char *r = replace(ANNUAL, "issued:",
			    "verify: https://v.example\nissued:");

			strcpy(t, r);
			free(r);
		}
		err[0] = '\0';
		memset(&c, 0x55, sizeof(c));
		rc = cert_decode(t, strlen(t), &c, err);
		T_OK(rc == HS_ERR_FORMAT && strstr(err, bad[i].want) != NULL &&
		    c.records == NULL && c.verify_url[0] == '\0',
		    "reject verify %s: %s", bad[i].what, err);
	}

	/* Encoding refuses what decoding refuses. */
	if (cert_decode(ANNUAL, strlen(ANNUAL), &c, err) == HS_OK) {
		static const char *const urls[] = {
			"ftp://v.example", "https://v.example/", "https://a b",
			"https://", "https://v.example\n", "v.example",
		};

		for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
			snprintf(c.verify_url, sizeof(c.verify_url), "%s",
			    urls[i]);
			buf_reset(&b);
			err[0] = '\0';
			rc = cert_encode(&c, &b, err);
			T_OK(rc == HS_ERR_INVALID && b.len == 0 &&
			    strstr(err, "verify URL") != NULL,
			    "encode refuses verify URL #%zu: %s", i, err);
		}
		cert_free(&c);
	}
	free(t);
	buf_free(&b);
}

int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "--bench") == 0)
		return bench(atof(argv[2]), (size_t)atol(argv[3]));
	if (argc == 3 && strcmp(argv[1], "--samples") == 0)
		return samples(argv[2]);
	if (argc == 4 && strcmp(argv[1], "--open") == 0)
		return open_note(argv[2], argv[3]);
	test_roundtrip("annual", ANNUAL);
	test_roundtrip("course", COURSE);
	test_fields();
	test_malformed();
	test_nul();
	test_encode_rejects();
	test_many_records();
	test_verify();
	return t_done();
}
