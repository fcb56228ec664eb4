/*
 * test_certnote.c - who stamped each record, the optional 8th field of a
 * note's record lines (docs/formats.md §3): 7-field notes (every note
 * issued before it) decode and encode exactly as before, 8-field notes
 * round-trip, a note mixing both is refused, and hostile values are
 * refused both ways with the line and the field.
 */
#include <stdlib.h>
#include <string.h>

#include "cert/cert.h"
#include "t.h"

#define HEAD \
	"hourseal/cert/v1\n" \
	"serial: 2024-7K3M-9Q2D-XW8P-4HJN\n" \
	"kind: annual\n" \
	"issuer: 福建省专业技术人员继续教育中心\n" \
	"year: 2024\n" \
	"name: 张三\n" \
	"id: 3501**********123X\n" \
	"id-digest: LXEWQrcmsEQBYnyp+6wy9chTD7GQPMTbAiWHF5IaSIE=\n" \
	"unit: 福州市第一医院\n" \
	"public: 12\n" \
	"professional: 60\n" \
	"total: 72\n" \
	"requirement: 90 30 60\n" \
	"status: unmet\n"
#define R1_7 "record: public | online | 2024-03-01 | 2024-03-03 | 12 | 课程 | 基地"
#define R2_7 "record: professional | achievement | 2024-06-30 | 2024-06-30 | 60 | 论文 | 福州市卫健委"
#define ORG "福州市人力资源和社会保障局"
#define TAIL "issued: 2024-12-31T10:00:00Z\n"

#define OLD  HEAD R1_7 "\n" R2_7 "\n" TAIL
#define NEW  HEAD R1_7 " | " ORG "\n" R2_7 " | auto (policy fujian)\n" TAIL

/* decode, encode again: the same bytes. */
static void
roundtrip(const char *what, const char *text, const char *want0,
    const char *want1)
{
	struct cert c;
	struct buf b;
	char err[HS_ERRLEN] = "";
	enum hs_err rc;

	buf_init(&b);
	rc = cert_decode(text, strlen(text), &c, err);
	T_OK(rc == HS_OK && c.nrecords == 2, "%s decodes (%s)", what, err);
	if (rc != HS_OK)
		return;
	T_STREQ(c.records[0].stamped_by, want0, "%s: record 1 stamped by",
	    what);
	T_STREQ(c.records[1].stamped_by, want1, "%s: record 2 stamped by",
	    what);
	T_OK(cert_has_stamped_by(&c) == (want0[0] != '\0'),
	    "%s: cert_has_stamped_by", what);
	rc = cert_encode(&c, &b, err);
	T_OK(rc == HS_OK, "%s encodes (%s)", what, err);
	T_STREQ(b.data, text, "%s: encode(decode(text)) is the same bytes",
	    what);
	cert_free(&c);
	buf_free(&b);
}

static void
decode_refuses(const char *what, const char *text, const char *want)
{
	struct cert c;
	char err[HS_ERRLEN] = "";
	enum hs_err rc;

	memset(&c, 0x55, sizeof(c));
	rc = cert_decode(text, strlen(text), &c, err);
	T_OK(rc == HS_ERR_FORMAT && strstr(err, want) != NULL &&
	    c.records == NULL && c.nrecords == 0,
	    "decode refuses %s: %s", what, err);
	if (rc == HS_OK)
		cert_free(&c);
}

static void
test_decode(void)
{
	char t[4096];

	roundtrip("a 7-field (old) note", OLD, "", "");
	roundtrip("an 8-field note", NEW, ORG, "auto (policy fujian)");

	/* Mixed: refused, naming both lines. */
	decode_refuses("7 then 8 fields", HEAD R1_7 "\n" R2_7 " | " ORG "\n"
	    TAIL, "line 16 (record): has 8 fields but the record on line 15 "
	    "has 7");
	decode_refuses("8 then 7 fields", HEAD R1_7 " | " ORG "\n" R2_7 "\n"
	    TAIL, "line 16 (record): has 7 fields but the record on line 15 "
	    "has 8");
	decode_refuses("9 fields", HEAD R1_7 " | a | b\n" TAIL,
	    "want 7 fields");

	/* Hostile values of the 8th field. */
	decode_refuses("an empty stamped by", HEAD R1_7 " | \n" TAIL,
	    "line 15 (record stamped by): value is empty");
	decode_refuses("a right-to-left override", HEAD R1_7
	    " | 福州\xe2\x80\xae局\n" TAIL,
	    "line 15 (record stamped by): value has U+202E");
	decode_refuses("a zero-width space", HEAD R1_7
	    " | 福州\xe2\x80\x8b局\n" TAIL,
	    "line 15 (record stamped by): value has U+200B");
	decode_refuses("a tab", HEAD R1_7 " | 福州\t局\n" TAIL,
	    "(record stamped by): value has a control character");
	decode_refuses("a trailing space", HEAD R1_7 " | 福州局 \n" TAIL,
	    "(record stamped by): value has a leading or trailing space");
	decode_refuses("invalid UTF-8", HEAD R1_7 " | \xc3\x28\n" TAIL,
	    "not valid UTF-8");
	memset(t, 0, sizeof(t));
	snprintf(t, sizeof(t), "%s%s | ", HEAD, R1_7);
	memset(t + strlen(t), 'a', 256);
	strcat(t, "\n" TAIL);
	decode_refuses("256 bytes", t,
	    "(record stamped by): value is too long");
	/* 255 bytes is the most it holds. */
	memset(t, 0, sizeof(t));
	snprintf(t, sizeof(t), "%s%s | ", HEAD, R1_7);
	memset(t + strlen(t), 'a', 255);
	strcat(t, "\n" R2_7 " | b\n" TAIL);
	{
		struct cert c;
		char err[HS_ERRLEN] = "";

		T_OK(cert_decode(t, strlen(t), &c, err) == HS_OK &&
		    strlen(c.records[0].stamped_by) == 255,
		    "255 bytes of stamped by decode (%s)", err);
		cert_free(&c);
	}
	/* Plain text that means something elsewhere is only text here. */
	roundtrip("SQL and HTML in stamped by", HEAD R1_7
	    " | x'); DROP TABLE stamps;--\n" R2_7 " | <script>alert(1)</script>\n"
	    TAIL, "x'); DROP TABLE stamps;--", "<script>alert(1)</script>");
}

static void
encode_refuses(const char *what, const char *v0, const char *v1,
    const char *want)
{
	struct cert c;
	struct buf b;
	char err[HS_ERRLEN] = "";
	enum hs_err rc;

	buf_init(&b);
	if (cert_decode(OLD, strlen(OLD), &c, err) != HS_OK) {
		T_OK(0, "OLD decodes: %s", err);
		return;
	}
	snprintf(c.records[0].stamped_by, sizeof(c.records[0].stamped_by),
	    "%s", v0);
	snprintf(c.records[1].stamped_by, sizeof(c.records[1].stamped_by),
	    "%s", v1);
	rc = cert_encode(&c, &b, err);
	T_OK(rc == HS_ERR_INVALID && b.len == 0 && strstr(err, want) != NULL,
	    "encode refuses %s: %s", what, err);
	cert_free(&c);
	buf_free(&b);
}

static void
test_encode(void)
{
	struct cert c;
	struct buf b;
	char err[HS_ERRLEN] = "";

	encode_refuses("a record without stamped by among stamped ones", ORG,
	    "", "record 2: stamped by is empty while record 1's is set");
	encode_refuses("stamped by on record 2 only", "", ORG,
	    "record 2: stamped by is set while record 1's is empty");
	encode_refuses("a '|'", "a | b", ORG, "record 1: stamped by has a '|'");
	encode_refuses("a newline", "a\nb", ORG,
	    "record 1: stamped by has a control character");
	encode_refuses("a bidi isolate", "a\xe2\x81\xa6" "b", ORG,
	    "record 1: stamped by has U+2066");
	encode_refuses("a leading ideographic space", "\xe3\x80\x80" "a", ORG,
	    "record 1: stamped by has a leading or trailing space");

	/* Set on both: 8 fields, exactly NEW. */
	buf_init(&b);
	if (cert_decode(OLD, strlen(OLD), &c, err) == HS_OK) {
		snprintf(c.records[0].stamped_by,
		    sizeof(c.records[0].stamped_by), "%s", ORG);
		snprintf(c.records[1].stamped_by,
		    sizeof(c.records[1].stamped_by), "%s",
		    "auto (policy fujian)");
		T_OK(cert_encode(&c, &b, err) == HS_OK, "encode 8 fields (%s)",
		    err);
		T_STREQ(b.data, NEW, "8-field encoding is formats §3's");
		cert_free(&c);
	}
	buf_free(&b);
}

int
main(void)
{
	test_decode();
	test_encode();
	return t_done();
}
