#include <stdlib.h>
#include <string.h>

#include "cert/cert.h"
#include "store/certs.h"
#include "store/records.h"
#include "store/report.h"
#include "core/util.h"

/* What is known about one practitioner while their rows go by. */
struct holder {
	long long pid;
	char id[IDNUM_SIZE];
	char name[256];
	char unit[256];
	bool annual;              /* a valid annual certificate was seen */
	long public10, professional10, total10;
	long cpublic10, cprofessional10; /* sums of valid course certs */
	char status[8];
	char serial[SERIAL_SIZE];
	struct buf courses;       /* serials, space-separated */
	struct buf revoked;
};

static void
holder_reset(struct holder *h)
{
	struct buf c = h->courses, r = h->revoked;

	buf_reset(&c);
	buf_reset(&r);
	memset(h, 0, sizeof(*h));
	h->courses = c;
	h->revoked = r;
}

static void
add_serial(struct buf *b, const char *serial)
{
	if (b->len > 0)
		buf_putc(b, ' ');
	buf_puts(b, serial);
}

/* Public and professional hours from a stored signed note. */
static enum hs_err
note_hours(const char *note, long *pub, long *prof, char *err)
{
	const char *sig = strstr(note, "\n\n");
	struct cert c;
	enum hs_err rc;

	if (sig == NULL)
		return hs_fail(err, HS_ERR_FORMAT, "stored note has no "
		    "signature");
	if ((rc = cert_decode(note, (size_t)(sig - note) + 1, &c, err)) !=
	    HS_OK)
		return rc;
	*pub = c.public10;
	*prof = c.professional10;
	cert_free(&c);
	return HS_OK;
}

/* One report field and its separator. */
static void
csv_field(struct buf *b, const char *s, char end)
{
	buf_csv_field(b, s, true);
	buf_putc(b, end);
}

static void
json_str(struct buf *b, const char *s)
{
	const unsigned char *p;

	buf_putc(b, '"');
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			buf_putc(b, '\\');
			buf_putc(b, (char)*p);
		} else if (*p < 0x20)
			buf_printf(b, "\\u%04x", *p);
		else
			buf_putc(b, (char)*p);
	}
	buf_putc(b, '"');
}

/* A space-separated list of serials as a JSON array. */
static void
json_list(struct buf *b, const struct buf *list)
{
	const char *p = list->data, *sp;

	buf_putc(b, '[');
	while (p != NULL && *p) {
		sp = strchr(p, ' ');
		buf_putc(b, '"');
		buf_add(b, p, sp ? (size_t)(sp - p) : strlen(p));
		buf_putc(b, '"');
		if (sp == NULL)
			break;
		buf_putc(b, ',');
		p = sp + 1;
	}
	buf_putc(b, ']');
}

static void
emit(struct buf *b, const struct holder *h, int year, enum report_format fmt,
    long n)
{
	char pub[HOURS_SIZE], prof[HOURS_SIZE], tot[HOURS_SIZE], y[8];
	long p10 = h->annual ? h->public10 : h->cpublic10;
	long q10 = h->annual ? h->professional10 : h->cprofessional10;

	hours_format(p10, pub);
	hours_format(q10, prof);
	hours_format(p10 + q10, tot);
	snprintf(y, sizeof(y), "%d", year);
	if (fmt == REPORT_CSV) {
		csv_field(b, h->id, ',');
		csv_field(b, h->name, ',');
		csv_field(b, h->unit, ',');
		csv_field(b, y, ',');
		csv_field(b, pub, ',');
		csv_field(b, prof, ',');
		csv_field(b, tot, ',');
		csv_field(b, h->annual ? h->status : "none", ',');
		csv_field(b, h->serial, ',');
		csv_field(b, h->courses.data ? h->courses.data : "", ',');
		csv_field(b, h->revoked.data ? h->revoked.data : "", '\n');
		return;
	}
	buf_puts(b, n == 0 ? "\n  {" : ",\n  {");
	buf_puts(b, "\"id\": ");
	json_str(b, h->id);
	buf_puts(b, ", \"name\": ");
	json_str(b, h->name);
	buf_puts(b, ", \"unit\": ");
	json_str(b, h->unit);
	buf_printf(b, ", \"year\": %d, \"public\": %s, \"professional\": %s,"
	    " \"total\": %s, \"status\": ", year, pub, prof, tot);
	json_str(b, h->annual ? h->status : "none");
	buf_puts(b, ", \"serial\": ");
	if (h->annual)
		json_str(b, h->serial);
	else
		buf_puts(b, "null");
	buf_puts(b, ", \"course_serials\": ");
	json_list(b, &h->courses);
	buf_puts(b, ", \"revoked_serials\": ");
	json_list(b, &h->revoked);
	buf_putc(b, '}');
}

enum hs_err
report_export(sqlite3 *db, int year, enum report_format fmt, bool full_id,
    FILE *out, long *rows, char *err)
{
	struct certs_filter f;
	struct certs_iter *it = NULL;
	struct certs_row row;
	struct records_person p;
	struct holder h;
	struct buf line;
	long n = 0, pub = 0, prof = 0;
	bool have = false;
	enum hs_err rc;

	if (rows != NULL)
		*rows = 0;
	memset(&h, 0, sizeof(h));
	buf_init(&h.courses);
	buf_init(&h.revoked);
	buf_init(&line);
	memset(&f, 0, sizeof(f));
	f.year = year;
	f.by_holder = true;
	if ((rc = certs_iter_open(db, &f, &it, err)) != HS_OK)
		goto out;
	if (fmt == REPORT_CSV)
		fputs("id,name,unit,year,public,professional,total,status,"
		    "serial,course_serials,revoked_serials\n", out);
	else
		fputs("[", out);
	for (;;) {
		rc = certs_iter_next(it, &row, err);
		if (rc != HS_OK && rc != HS_ERR_NOTFOUND)
			goto out;
		/* A new holder (or the end): the previous one is complete. */
		if (have && (rc == HS_ERR_NOTFOUND ||
		    row.practitioner_id != h.pid)) {
			buf_reset(&line);
			emit(&line, &h, year, fmt, n);
			if (line.oom) {
				rc = hs_fail(err, HS_ERR_NOMEM,
				    "out of memory");
				goto out;
			}
			fwrite(line.data, 1, line.len, out);
			n++;
			have = false;
		}
		if (rc == HS_ERR_NOTFOUND)
			break;
		if (!have) {
			holder_reset(&h);
			h.pid = row.practitioner_id;
			snprintf(h.id, sizeof(h.id), "%s", row.id_masked);
			if (full_id && records_person_get(db,
			    row.practitioner_id, &p, NULL) == HS_OK)
				snprintf(h.id, sizeof(h.id), "%s",
				    p.id_number);
			have = true;
		}
		/* The latest certificate's name and unit are the current. */
		snprintf(h.name, sizeof(h.name), "%s", row.name);
		snprintf(h.unit, sizeof(h.unit), "%s", row.unit);
		if (row.revoked) {
			add_serial(&h.revoked, row.serial);
			continue;
		}
		if ((rc = note_hours(row.note, &pub, &prof, err)) != HS_OK) {
			hs_errprefix(err, "%s", row.serial);
			goto out;
		}
		if (strcmp(row.kind, "annual") == 0) {
			h.annual = true;
			h.public10 = pub;
			h.professional10 = prof;
			snprintf(h.status, sizeof(h.status), "%s", row.status);
			snprintf(h.serial, sizeof(h.serial), "%s", row.serial);
		} else {
			h.cpublic10 += pub;
			h.cprofessional10 += prof;
			add_serial(&h.courses, row.serial);
		}
	}
	rc = HS_OK;
	if (fmt == REPORT_JSON)
		fputs(n > 0 ? "\n]\n" : "]\n", out);
	if (fflush(out) != 0 || ferror(out))
		rc = hs_fail(err, HS_ERR_IO, "writing the export failed");
	if (rows != NULL)
		*rows = n;
out:
	certs_iter_free(it);
	buf_free(&h.courses);
	buf_free(&h.revoked);
	buf_free(&line);
	return rc;
}
