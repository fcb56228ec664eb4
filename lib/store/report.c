#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include <jansson.h>
#include <xlsxwriter.h>

#include "cert/cert.h"
#include "store/certs.h"
#include "store/records.h"
#include "store/report.h"
#include "core/file.h"
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

/*
 * The workbook being written (REPORT_XLSX): libxlsxwriter writes to a
 * file, so it goes to a file in a new private directory (0700) and is
 * copied to the caller's stream when complete.
 */
struct xwb {
	char dir[64], path[96];
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *bold, *text, *hours;
};

static const char *const xlsx_head[] = { "id", "name", "unit", "year",
	"public", "professional", "total", "status", "serial",
	"course_serials", "revoked_serials" };

static enum hs_err
xwb_open(struct xwb *x, int year, char *err)
{
	const char *tmp = getenv("TMPDIR");
	char sheet[16];
	size_t i;

	memset(x, 0, sizeof(*x));
	snprintf(x->dir, sizeof(x->dir), "%.40s/hourseal-xlsx-XXXXXX",
	    tmp != NULL && tmp[0] == '/' && strlen(tmp) < 40 ? tmp : "/tmp");
	if (mkdtemp(x->dir) == NULL)
		return hs_fail(err, HS_ERR_IO, "cannot make a private "
		    "directory for the workbook under %s", x->dir);
	snprintf(x->path, sizeof(x->path), "%s/export.xlsx", x->dir);
	if ((x->wb = workbook_new(x->path)) == NULL) {
		rmdir(x->dir);
		return hs_fail(err, HS_ERR_NOMEM, "cannot start the workbook");
	}
	snprintf(sheet, sizeof(sheet), "%d", year);
	x->ws = workbook_add_worksheet(x->wb, sheet);
	x->bold = workbook_add_format(x->wb);
	x->text = workbook_add_format(x->wb);
	x->hours = workbook_add_format(x->wb);
	format_set_bold(x->bold);
	format_set_num_format(x->text, "@");    /* ID numbers stay text */
	format_set_num_format(x->hours, "0.0");
	for (i = 0; i < sizeof(xlsx_head) / sizeof(xlsx_head[0]); i++)
		worksheet_write_string(x->ws, 0, (lxw_col_t)i, xlsx_head[i],
		    x->bold);
	worksheet_set_column(x->ws, 0, 0, 22, x->text);
	worksheet_set_column(x->ws, 1, 2, 18, NULL);
	worksheet_set_column(x->ws, 8, 10, 28, NULL);
	worksheet_freeze_panes(x->ws, 1, 0);
	return HS_OK;
}

static void
xwb_row(struct xwb *x, const struct holder *h, int year, long n)
{
	lxw_row_t r = (lxw_row_t)(n + 1);
	long p10 = h->annual ? h->public10 : h->cpublic10;
	long q10 = h->annual ? h->professional10 : h->cprofessional10;

	worksheet_write_string(x->ws, r, 0, h->id, x->text);
	worksheet_write_string(x->ws, r, 1, h->name, NULL);
	worksheet_write_string(x->ws, r, 2, h->unit, NULL);
	worksheet_write_number(x->ws, r, 3, year, NULL);
	worksheet_write_number(x->ws, r, 4, (double)p10 / 10, x->hours);
	worksheet_write_number(x->ws, r, 5, (double)q10 / 10, x->hours);
	worksheet_write_number(x->ws, r, 6, (double)(p10 + q10) / 10,
	    x->hours);
	worksheet_write_string(x->ws, r, 7, h->annual ? h->status : "none",
	    NULL);
	worksheet_write_string(x->ws, r, 8, h->serial, NULL);
	worksheet_write_string(x->ws, r, 9, h->courses.data ?
	    h->courses.data : "", NULL);
	worksheet_write_string(x->ws, r, 10, h->revoked.data ?
	    h->revoked.data : "", NULL);
}

/* Closes the workbook (written to out if ok) and removes its files. */
static enum hs_err
xwb_close(struct xwb *x, bool ok, FILE *out, char *err)
{
	enum hs_err rc = HS_OK;
	lxw_error le;
	char *data = NULL;
	size_t len = 0;

	if (x->wb == NULL)
		return HS_OK;
	le = workbook_close(x->wb);
	x->wb = NULL;
	if (ok && le != LXW_NO_ERROR)
		rc = hs_fail(err, HS_ERR_IO, "writing the workbook failed: %s",
		    lxw_strerror(le));
	else if (ok && (rc = file_read(x->path, (size_t)1 << 30, &data, &len,
	    err)) == HS_OK && fwrite(data, 1, len, out) != len)
		rc = hs_fail(err, HS_ERR_IO, "writing the export failed");
	free(data);
	unlink(x->path);
	rmdir(x->dir);
	return rc;
}

enum hs_err
report_export(sqlite3 *db, int year, enum report_format fmt, bool full_id,
    FILE *out, long *rows, char *err)
{
	struct xwb xw;
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
	memset(&xw, 0, sizeof(xw));
	if ((rc = certs_iter_open(db, &f, &it, err)) != HS_OK)
		goto out;
	if (fmt == REPORT_XLSX) {
		if ((rc = xwb_open(&xw, year, err)) != HS_OK)
			goto out;
	} else if (fmt == REPORT_CSV)
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
			if (fmt == REPORT_XLSX && n + 1 >= LXW_ROW_MAX) {
				rc = hs_fail(err, HS_ERR_TOOBIG, "more than %ld "
				    "practitioners for one sheet", n);
				goto out;
			}
			if (fmt == REPORT_XLSX)
				xwb_row(&xw, &h, year, n);
			else
				emit(&line, &h, year, fmt, n);
			if (line.oom) {
				rc = hs_fail(err, HS_ERR_NOMEM,
				    "out of memory");
				goto out;
			}
			if (line.len > 0)
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
	if (fmt == REPORT_XLSX && (rc = xwb_close(&xw, true, out, err)) !=
	    HS_OK)
		goto out;
	if (fflush(out) != 0 || ferror(out))
		rc = hs_fail(err, HS_ERR_IO, "writing the export failed");
	if (rows != NULL)
		*rows = n;
out:
	xwb_close(&xw, false, out, NULL);
	certs_iter_free(it);
	buf_free(&h.courses);
	buf_free(&h.revoked);
	buf_free(&line);
	return rc;
}

/* One practitioner's line of the summary. */
static enum hs_err
summary_line(sqlite3 *db, const struct policy *pol, int64_t pid, int year,
    struct report_line *l, char *err)
{
	struct cert_record *recs = NULL;
	enum hs_err rc;

	memset(l, 0, sizeof(*l));
	if ((rc = records_person_get(db, pid, &l->p, err)) != HS_OK)
		return rc;
	/* The same records and arithmetic as an annual certificate. */
	if ((rc = records_stamped(db, pid, year, pol, &recs, NULL,
	    &l->nrecords, err)) != HS_OK)
		return rc;
	policy_evaluate(pol, recs, l->nrecords, &l->r);
	free(recs);
	if ((rc = records_pending_count(db, pid, year, &l->pending, err)) !=
	    HS_OK)
		return rc;
	/* Why some records do not count: the rejections standing. */
	return records_rejected_list(db, pid, year, &l->rejected,
	    &l->nrejected, &l->rejected_more, err);
}

enum hs_err
report_summary(sqlite3 *db, const struct policy *pol, int year,
    const char *id, void (*fn)(void *ctx, const struct report_line *l),
    void *ctx, size_t *n, size_t *met, char *err)
{
	struct records_person p;
	struct report_line l;
	int64_t *ids = NULL, one;
	size_t count = 0, i, m = 0;
	enum hs_err rc;

	if (n != NULL)
		*n = 0;
	if (met != NULL)
		*met = 0;
	if (id != NULL) {
		if ((rc = records_person_find(db, id, &p, err)) != HS_OK)
			return rc;
		one = p.id;
		ids = &one;
		count = 1;
	} else if ((rc = records_people(db, year, &ids, &count, err)) !=
	    HS_OK)
		return rc;
	for (i = 0; i < count; i++) {
		if ((rc = summary_line(db, pol, ids[i], year, &l, err)) !=
		    HS_OK) {
			free(l.rejected);
			goto out;
		}
		m += l.r.met;
		fn(ctx, &l);
		free(l.rejected);
	}
	if (n != NULL)
		*n = count;
	if (met != NULL)
		*met = m;
	rc = HS_OK;
out:
	if (ids != &one)
		free(ids);
	return rc;
}

/* Hours as a JSON number: 30 or 12.5. */
static json_t *
jhours(long tenths)
{
	return tenths % 10 == 0 ? json_integer(tenths / 10) :
	    json_real((double)tenths / 10.0);
}

struct summary_json {
	json_t *arr;
	bool split;
};

static void
line_json(void *ctx, const struct report_line *l)
{
	struct summary_json *sj = ctx;
	json_t *o = json_object(), *m = json_object(), *rj;
	size_t i;

	json_object_set_new(o, "id", json_string(l->p.id_masked));
	json_object_set_new(o, "name", json_string(l->p.name));
	json_object_set_new(o, "unit", json_string(l->p.unit));
	json_object_set_new(o, "public", jhours(l->r.public10));
	if (sj->split) {
		json_object_set_new(o, "compulsory", jhours(l->r.compulsory10));
		json_object_set_new(o, "elective", jhours(l->r.elective10));
	}
	json_object_set_new(o, "professional", jhours(l->r.professional10));
	json_object_set_new(o, "total", jhours(l->r.total10));
	json_object_set_new(o, "status", json_string(l->r.met ? "met" :
	    "unmet"));
	json_object_set_new(m, "public", jhours(l->r.missing_public10));
	if (sj->split) {
		json_object_set_new(m, "compulsory",
		    jhours(l->r.missing_compulsory10));
		json_object_set_new(m, "elective",
		    jhours(l->r.missing_elective10));
	}
	json_object_set_new(m, "professional",
	    jhours(l->r.missing_professional10));
	json_object_set_new(m, "total", jhours(l->r.missing_total10));
	json_object_set_new(o, "missing", m);
	json_object_set_new(o, "records", json_integer((json_int_t)
	    l->nrecords));
	json_object_set_new(o, "pending", json_integer((json_int_t)
	    l->pending));
	rj = json_array();
	for (i = 0; i < l->nrejected; i++)
		json_array_append_new(rj, json_pack("{s:s,s:s,s:s,s:s,s:s}",
		    "ref", l->rejected[i].ref, "title", l->rejected[i].title,
		    "reason", l->rejected[i].reason, "by",
		    l->rejected[i].authority, "at", l->rejected[i].at));
	json_object_set_new(o, "rejected", rj);
	if (l->rejected_more)
		json_object_set_new(o, "rejected_more", json_true());
	json_array_append_new(sj->arr, o);
}

enum hs_err
report_summary_json(sqlite3 *db, const struct policy *pol, int year,
    const char *id, char **out, char *err)
{
	struct summary_json sj;
	json_t *root, *req;
	size_t n = 0, met = 0;
	enum hs_err rc;

	*out = NULL;
	sj.split = policy_split_public(pol);
	root = json_object();
	sj.arr = json_array();
	req = json_object();
	json_object_set_new(root, "year", json_integer(year));
	json_object_set_new(root, "policy", json_string(policy_name(pol)));
	json_object_set_new(req, "total", jhours(policy_req_total10(pol)));
	json_object_set_new(req, "public", jhours(policy_req_public10(pol)));
	if (sj.split) {
		json_object_set_new(req, "compulsory",
		    jhours(policy_req_compulsory10(pol)));
		json_object_set_new(req, "elective",
		    jhours(policy_req_elective10(pol)));
	}
	json_object_set_new(req, "professional",
	    jhours(policy_req_professional10(pol)));
	json_object_set_new(root, "requirement", req);
	json_object_set_new(root, "practitioners", sj.arr);
	if ((rc = report_summary(db, pol, year, id, line_json, &sj, &n, &met,
	    err)) != HS_OK)
		goto out;
	json_object_set_new(root, "met", json_integer((json_int_t)met));
	json_object_set_new(root, "unmet", json_integer((json_int_t)
	    (n - met)));
	if ((*out = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER)) ==
	    NULL)
		rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
out:
	json_decref(root);
	return rc;
}
