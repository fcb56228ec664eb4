/*
 * cert.h - the certificate note of docs/formats.md §3: encode and decode the
 * signed text exactly (field order, hours format, masked ID, id-digest).
 *
 *   hourseal/cert/v1
 *   serial: 2024-7K3M-9Q2D-XW8P-4HJN
 *   kind: annual
 *   issuer: ...
 *   year: 2024
 *   name: 张三
 *   id: 3501**********123X
 *   id-digest: <base64 HMAC-SHA-256>
 *   unit: ...                      (omitted when empty)
 *   public: 30
 *   professional: 64
 *   total: 94
 *   requirement: 90 30 60          (annual only)
 *   status: met|unmet              (annual only)
 *   record: <subject> | <form> | <start> | <end> | <hours> | <title> | <provider>[ | <stamped by>]
 *   issued: 2024-12-31T10:00:00Z
 *   utc-offset: +08:00             (optional; see below)
 *   verify: https://verify.example.cn (optional; see below)
 *
 * <subject> is "public" or "professional"; where the policy splits public
 * hours (Weihai) it is "public/compulsory" or "public/elective" (an
 * extension of docs/formats.md §3).
 * <form> is the form name: online, face-to-face, industry, employer,
 * practice, degree, academic, achievement, other (forms 1..9).
 *
 * <stamped by> (an extension of docs/formats.md §3): the organisation
 * whose 验印 (stamp) admitted the record, e.g. 福州市人力资源和社会保障局.
 * Optional as a whole: either every record line of a note has it (8
 * fields) or none does (7 fields, every note issued before it); a note
 * mixing both is refused. Its value follows the text rules of the other
 * values and also refuses invisible and direction-changing characters.
 *
 * utc-offset (an extension of docs/formats.md §3, issue 15): the issuer's
 * offset from UTC at the issue time (its configured zone, core/tz.h); the
 * PDF's date of issue is the issued time in that offset, so a certificate
 * issued at 00:30 Beijing time shows that day. "+HH:MM" or "-HH:MM",
 * minutes a multiple of 15, at most 14 hours, UTC only as "+00:00".
 * Notes without it (every note before it) render their date in UTC.
 *
 * verify (an extension of docs/formats.md §3): the issuer's public
 * verifier URL, the prefix of the QR code's "<verify>/c/<serial>", so an
 * offline checker can render the pages again from the note alone and
 * compare. Issuance always writes it; notes without it (older ones)
 * still decode, with verify_url "".
 */
#ifndef HS_CERT_H
#define HS_CERT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/hs.h"
#include "cert/serial.h"
#include "core/util.h"

#define CERT_MAX_RECORDS 1000
#define CERT_URL_MAX 512      /* bytes of the verify URL (= PDF_MAX_BASE_URL) */

enum cert_kind { CERT_ANNUAL, CERT_COURSE };

struct cert_record {
	char subject[32];   /* public, public/compulsory, public/elective, professional */
	char form[16];      /* form name, see above */
	char start[11];     /* YYYY-MM-DD */
	char end[11];
	long hours10;       /* tenths of an hour */
	char title[512];
	char provider[256];
	char stamped_by[256]; /* the stamping organisation; "" in 7-field notes */
};

struct cert {
	char serial[SERIAL_SIZE];
	enum cert_kind kind;
	char issuer[256];
	int year;
	char name[256];
	char id_masked[19];      /* 3501**********123X */
	char id_digest[45];      /* base64 of 32 bytes */
	char unit[256];          /* may be empty */
	long public10;
	long professional10;
	long total10;
	long req_total10;        /* annual only: 900 300 600 */
	long req_public10;
	long req_professional10;
	bool met;                /* annual only */
	struct cert_record *records; /* caller-owned array (cert_free frees) */
	size_t nrecords;
	char issued[21];         /* RFC 3339 UTC */
	bool has_utc_offset;     /* the note has "utc-offset: +08:00" */
	long utc_offset;         /* its seconds east of UTC (core/tz.h) */
	char verify_url[CERT_URL_MAX + 1]; /* "" if the note has none */
};

/* Form number 1..9 <-> name. cert_form_name returns NULL if out of range. */
const char *cert_form_name(int form);
int cert_form_number(const char *name); /* 0 if unknown */

/*
 * Appends the note text (no signatures; ends with "\n") for c to out.
 * Fails with HS_ERR_INVALID naming the field if a value has '|', control
 * characters, leading/trailing spaces, or is out of range. The verify
 * line is written only when verify_url is not empty; it must then pass
 * cert_url_ok. Record lines get the 8th field (stamped by) when the
 * records' stamped_by is set: all of them or none (HS_ERR_INVALID names
 * the first record without it).
 */
enum hs_err cert_encode(const struct cert *c, struct buf *out, char *err);

/*
 * Parses note text (just the text, signatures already removed) into c.
 * On success c->records is allocated (free with cert_free). On failure
 * err says which line and why, and c holds nothing to free.
 */
enum hs_err cert_decode(const char *text, size_t len, struct cert *c,
    char *err);

/*
 * True if s is a usable verify URL: 1..CERT_URL_MAX bytes, "https://" or
 * "http://" then printable ASCII without spaces, not ending in '/'.
 * (The same rule pdf_render applies to its base URL.)
 */
bool cert_url_ok(const char *s, size_t n);

/*
 * True if the note's records carry who stamped them (8-field record
 * lines). False for a note without records.
 */
bool cert_has_stamped_by(const struct cert *c);

/* Frees c->records. Accepts NULL. */
void cert_free(struct cert *c);

#endif
