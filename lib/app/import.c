/*
 * import.c - this module is the importer's driver: import_file reads the
 * file, opens the one transaction, runs the CSV or JSON Lines reader
 * (import_read.c) whose rows are checked (import_row.c) and stored here
 * through the records writer (store/records.h), writes the rejects and
 * commits, or rolls everything back.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/i18n.h"
#include "store/audit.h"
#include "store/config.h"
#include "cert/idnum.h"
#include "app/import.h"
#include "app/import_int.h"
#include "cert/policy.h"
#include "store/records.h"
#include "store/store.h"
#include "core/util.h"
#include "core/xlsx.h"

void
import_report(struct importer *im, enum import_level level,
    const char *fmt, ...)
{
	char msg[HS_ERRLEN + 128];
	size_t max = im->o->max_errors ? im->o->max_errors : 100;
	va_list ap;

	if (im->o->report == NULL)
		return;
	if (level == IMPORT_ERROR && im->reported++ >= max)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), _(fmt), ap);
	va_end(ap);
	im->o->report(im->o->ctx, level, msg);
}

enum hs_err
import_count_row(struct importer *im, char *err)
{
	if (im->o->max_rows != 0 && im->st->rows >= im->o->max_rows)
		return hs_fail(err, HS_ERR_TOOBIG, "%s: more than %zu rows "
		    "(send at most %zu rows per request)", im->file,
		    im->o->max_rows, im->o->max_rows);
	im->st->rows++;
	return HS_OK;
}

void
import_rejected(struct importer *im, size_t line, const char *rowerr)
{
	const char *colon;
	char field[32] = "";
	int k;

	im->st->rejected++;
	import_report(im, IMPORT_ERROR, "%s:%zu: %s", im->file, line, rowerr);
	if (im->o->row_error == NULL)
		return;
	/* "field: reason" when the text before the colon names a field. */
	colon = strstr(rowerr, ": ");
	if (colon != NULL && (size_t)(colon - rowerr) < sizeof(field)) {
		memcpy(field, rowerr, (size_t)(colon - rowerr));
		field[colon - rowerr] = '\0';
		if ((k = import_field_parse(field)) >= 0 &&
		    strcmp(field, import_field_name(k)) == 0) {
			im->o->row_error(im->o->ctx, line, field, colon + 2);
			return;
		}
	}
	im->o->row_error(im->o->ctx, line, "", rowerr);
}

static const char *
ptype_name(enum import_ptype t)
{
	return t == PTYPE_COMPULSORY ? "compulsory" : t == PTYPE_ELECTIVE ?
	    "elective" : "";
}

static const char *
role_name(enum import_role r)
{
	return r == ROLE_FIRST ? "first" : r == ROLE_OTHER ? "other" : "";
}

/*
 * Compares a stored record with r. Returns NULL if they agree, else the
 * name of the first field that differs and its stored value in was.
 */
static const char *
differs(const struct records_record *s, int64_t pid,
    const struct import_record *r, char was[600])
{
	char h[HOURS_SIZE];

	if (s->practitioner_id != pid) {
		snprintf(was, 600, "another practitioner");
		return "id_number";
	}
#define CHECK_TEXT(col, name, val) \
	if (strcmp(s->col, (val)) != 0) { \
		snprintf(was, 600, "%s", s->col); \
		return name; \
	}
	if (s->year != r->year) {
		snprintf(was, 600, "%d", s->year);
		return "year";
	}
	CHECK_TEXT(subject, "subject", r->public ? "public" : "professional");
	CHECK_TEXT(public_type, "public_type", ptype_name(r->ptype));
	if (s->form != r->form) {
		snprintf(was, 600, "%d", s->form);
		return "form";
	}
	CHECK_TEXT(title, "title", r->title);
	CHECK_TEXT(provider, "provider", r->provider);
	CHECK_TEXT(start, "start_date", r->start);
	CHECK_TEXT(end, "end_date", r->end);
	if (s->hours10 != r->hours10) {
		hours_format((long)s->hours10, h);
		snprintf(was, 600, "%s", h);
		return "hours";
	}
	CHECK_TEXT(author_role, "author_role", role_name(r->role));
#undef CHECK_TEXT
	return NULL;
}

/*
 * Stores one validated row. Returns HS_OK (stored or already there),
 * HS_ERR_INVALID with "field: reason" in err for a row the store refuses
 * (a conflict), or a database error that ends the import.
 */
static enum hs_err
store_row(struct importer *im, const struct import_record *r, size_t line,
    char *err)
{
	char masked[IDNUM_SIZE], digest[45], was[600], source[320], region[16];
	const char *field;
	int64_t pid = 0, rid;
	char oldname[256] = "", oldunit[256] = "";
	bool have = false, rename = false, reunit = false, found = false,
	    byref = false, newunit = false;
	struct records_record old;
	struct records_new_person np;
	struct records_new nr;
	enum hs_err rc;

	/* The practitioner, if known: a different name is suspicious. */
	rc = records_practitioner_lookup(im->w, r->id_number, &pid, oldname,
	    oldunit, err);
	if (rc == HS_OK)
		have = true;
	else if (rc != HS_ERR_NOTFOUND)
		return rc;
	idnum_mask(r->id_number, masked);
	if (have && strcmp(oldname, r->name) != 0) {
		if (!im->o->accept_renames)
			return hs_fail(err, HS_ERR_INVALID, "name: %s is "
			    "registered for %s as %s; if the name really changed, "
			    "import with --accept-renames", r->name, masked,
			    oldname);
		rename = true;
	}
	reunit = have && r->unit[0] != '\0' && strcmp(oldunit, r->unit) != 0;

	/* A unit's region is set once; a different one is an error. */
	if (r->region[0] != '\0') {
		rc = records_unit_region(im->w, r->unit, region, err);
		if (rc == HS_ERR_NOTFOUND)
			newunit = true;
		else if (rc != HS_OK)
			return rc;
		else if (strcmp(region, r->region) != 0)
			return hs_fail(err, HS_ERR_INVALID, "region: unit %s is "
			    "in region %s, not %s (HR changes it with "
			    "hourseal-issuer unit set)", r->unit, region,
			    r->region);
	}

	/* Already imported? By ref, then by person, title, provider, dates. */
	if (r->ref[0] != '\0') {
		rc = records_find_by_ref(im->w, r->ref, &old, err);
		if (rc == HS_OK)
			found = byref = true;
		else if (rc != HS_ERR_NOTFOUND)
			return rc;
	}
	if (!found && have) {
		rc = records_find_course(im->w, pid, r->title, r->provider,
		    r->start, r->end, &old, err);
		if (rc == HS_OK)
			found = true;
		else if (rc != HS_ERR_NOTFOUND)
			return rc;
	}
	if (found) {
		field = differs(&old, pid, r, was);
		snprintf(source, sizeof(source), "%s", old.source);
		if (field != NULL) {
			if (byref && strcmp(field, "id_number") == 0)
				return hs_fail(err, HS_ERR_INVALID, "ref: %s "
				    "already belongs to another practitioner's "
				    "record (%s)", r->ref, source);
			if (byref)
				return hs_fail(err, HS_ERR_INVALID, "ref: %s was "
				    "imported before (%s) with %s %s; a "
				    "correction needs a new ref", r->ref,
				    source, field, was);
			return hs_fail(err, HS_ERR_INVALID, "%s: the same "
			    "course (person, title, provider, dates) was "
			    "imported before (%s) with %s %s", field, source,
			    field, was);
		}
	}
	/* The row is accepted: now its unit may get its region. */
	if (newunit) {
		if ((rc = records_put_unit(im->w, r->unit, r->region, err)) !=
		    HS_OK)
			return rc;
		im->st->units_new++;
	}
	if (found) {
		im->st->duplicates++;
		return HS_OK;
	}

	/* New: the practitioner first, then the record. */
	if (!have) {
		config_id_digest(im->cfg, r->id_number, digest);
		np.id_number = r->id_number;
		np.id_masked = masked;
		np.id_digest = digest;
		np.name = r->name;
		np.unit = r->unit;
		np.created = im->now;
		if ((rc = records_put_practitioner(im->w, &np, &pid, err)) !=
		    HS_OK)
			return rc;
		im->st->people_new++;
	} else if (rename || reunit) {
		if ((rc = records_set_practitioner(im->w, pid, r->name,
		    reunit ? r->unit : oldunit, err)) != HS_OK)
			return rc;
		im->st->people_changed++;
		if (rename)
			import_report(im, IMPORT_NOTE, "%s:%zu: note: name "
			    "of %s changed from %s to %s", im->file, line,
			    masked, oldname, r->name);
		if (reunit)
			import_report(im, IMPORT_NOTE, "%s:%zu: note: unit "
			    "of %s (%s) changed from %s to %s", im->file, line,
			    masked, r->name, oldunit[0] ? oldunit : "(none)",
			    r->unit);
	}
	snprintf(source, sizeof(source), "%s:%zu", im->file, line);
	memset(&nr, 0, sizeof(nr));
	nr.practitioner_id = pid;
	nr.year = r->year;
	nr.subject = r->public ? "public" : "professional";
	nr.public_type = ptype_name(r->ptype);
	nr.form = r->form;
	nr.title = r->title;
	nr.provider = r->provider;
	nr.start = r->start;
	nr.end = r->end;
	nr.hours10 = r->hours10;
	nr.author_role = role_name(r->role);
	nr.domain = r->domain;
	nr.ref = r->ref;
	nr.source = source;
	nr.imported = im->now;
	nr.unit = r->unit[0] != '\0' ? r->unit : oldunit;
	nr.submitted_by = im->o->submitted_by;
	nr.stamped = policy_auto_stamp(im->pol, r->form);
	if ((rc = records_put(im->w, &nr, &rid, err)) != HS_OK)
		return rc;
	im->st->inserted++;

	/* Records the policy stamps automatically (online platforms). */
	if (policy_auto_stamp(im->pol, r->form)) {
		if ((rc = records_put_auto_stamp(im->w, rid, im->auto_by,
		    im->now, err)) != HS_OK)
			return rc;
		im->st->auto_stamped++;
	}
	return HS_OK;
}

/*
 * Validates and stores one row (fields f). A rejected row is reported
 * and, for --skip-invalid, added to the rejects (via add_reject).
 * Returns HS_OK unless the import must stop (database error).
 */
enum hs_err
import_do_row(struct importer *im, const char *const f[IMPORT_NFIELDS],
    size_t line, bool *rejected, char *rowerr, char *err)
{
	struct import_record r;
	char warn[HS_ERRLEN];
	enum hs_err rc;

	*rejected = false;
	if (im->row_fn != NULL)
		return im->row_fn(im, f, line, err);
	if ((rc = import_count_row(im, err)) != HS_OK)
		return rc;
	rc = import_check_row(im->pol, f, im->o->today, &r, warn, rowerr);
	/* A provider's token submits its own courses only. */
	if (rc == HS_OK && im->o->provider != NULL &&
	    strcmp(r.provider, im->o->provider) != 0)
		rc = hs_fail(rowerr, HS_ERR_INVALID, "provider: must be %s (the "
		    "token's provider), not %s", im->o->provider, r.provider);
	if (rc == HS_OK) {
		rc = store_row(im, &r, line, rowerr);
		if (rc != HS_OK && rc != HS_ERR_INVALID) {
			snprintf(err, HS_ERRLEN, "%s", rowerr);
			hs_errprefix(err, "%s:%zu", im->file, line);
			return rc;
		}
	}
	if (rc != HS_OK) {
		*rejected = true;
		import_rejected(im, line, rowerr);
		return HS_OK;
	}
	if (warn[0] != '\0') {
		im->st->warnings++;
		import_report(im, IMPORT_WARNING, "%s:%zu: warning: %s", im->file,
		    line, warn);
	}
	return HS_OK;
}

/*
 * One import of text (len bytes of UTF-8 named name) read as fmt: the
 * transaction, the reader, the rejects, the audit row, the commit.
 */
static enum hs_err
import_run(sqlite3 *db, const struct config *cfg, const struct policy *pol,
    const struct import_options *o, const char *name, const char *text,
    size_t len, enum import_format fmt, struct import_stats *st, char *err)
{
	struct importer im;
	char detail[160];
	bool keep = o->rejects_path != NULL || o->skip_invalid;
	enum hs_err rc;

	memset(&im, 0, sizeof(im));
	buf_init(&im.rejects);
	im.db = db;
	im.cfg = cfg;
	im.pol = pol;
	im.o = o;
	im.st = st;
	im.file = name;
	time_now_rfc3339(im.now);
	snprintf(im.auto_by, sizeof(im.auto_by), "auto (policy %s)",
	    policy_name(pol));

	/* A big import touches many pages: keep them in memory (up to 256
	 * MiB) instead of spilling to the WAL mid-transaction. */
	(void)store_exec(db, "PRAGMA cache_size = -262144", NULL);
	if ((rc = store_begin(db, err)) != HS_OK)
		goto out;
	if ((rc = records_writer_open(db, &im.w, err)) != HS_OK)
		goto fail;
	rc = fmt == IMPORT_XLSX ? import_xlsx(&im, text, len, err) :
	    fmt == IMPORT_JSONL ? import_jsonl(&im, text, len, err) :
	    fmt == IMPORT_JSON_ARRAY ? import_json_array(&im, text, len, err) :
	    import_csv(&im, text, len, err);
	if (rc != HS_OK)
		goto fail;
	if (im.rejects.oom) {
		rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
		goto fail;
	}
	if (im.reported > (o->max_errors ? o->max_errors : 100))
		import_report(&im, IMPORT_NOTE, "%s: %zu more errors not shown",
		    im.file, im.reported - (o->max_errors ? o->max_errors : 100));
	if (st->rejected > 0 && !keep) {
		rc = hs_fail(err, HS_ERR_INVALID, "%s: %zu of %zu rows rejected; "
		    "nothing imported (fix them, or use %s to import the rest)",
		    im.file, st->rejected, st->rows, o->skip_invalid ||
		    o->who != NULL ? "skip_invalid=1" :
		    "--skip-invalid FILE");
		goto fail;
	}
	/*
	 * The rejected rows hold whole ID numbers: 0600. A device or FIFO
	 * (/dev/null) is written as it is, never replaced.
	 */
	if (o->rejects_path != NULL && (rc = file_write(o->rejects_path,
	    im.rejects.data ? im.rejects.data : "", im.rejects.len, 0600,
	    FILE_SYNC | FILE_CLEAN, err)) != HS_OK)
		goto fail;
	records_writer_free(im.w);
	im.w = NULL;
	/* One audit row for the run: always for a submission through the
	 * API (o->who set: the caller's actor), else only if it changed
	 * anything (the shell operator). */
	if (o->who != NULL) {
		snprintf(detail, sizeof(detail), "rows %zu, inserted %zu, "
		    "unchanged %zu, rejected %zu", st->rows, st->inserted,
		    st->duplicates, st->rejected);
		if ((rc = audit_append(db, o->who, "record.submit",
		    o->submitted_by ? o->submitted_by : "records", detail,
		    NULL, err)) != HS_OK)
			goto fail;
	} else if (st->inserted > 0 || st->people_new > 0 ||
	    st->people_changed > 0) {
		struct actor op = audit_operator(cfg->issuer);

		snprintf(detail, sizeof(detail), "records %zu new, %zu "
		    "duplicate, %zu rejected", st->inserted, st->duplicates,
		    st->rejected);
		if ((rc = audit_append(db, &op, "record.submit", im.file,
		    detail, NULL, err)) != HS_OK)
			goto fail;
	}
	if ((rc = store_commit(db, err)) != HS_OK)
		goto fail;
	goto out;
fail:
	records_writer_free(im.w);
	im.w = NULL;
	store_rollback(db);
	if (rc != HS_ERR_INVALID) {
		size_t rows = st->rows, rej = st->rejected;

		memset(st, 0, sizeof(*st));
		st->rows = rows;
		st->rejected = rej;
	} else {
		st->inserted = st->duplicates = st->people_new = 0;
		st->people_changed = st->auto_stamped = 0;
	}
out:
	buf_free(&im.rejects);
	return rc;
}

/*
 * A workbook by its bytes: an .xlsx (a zip archive) sets *fmt to
 * IMPORT_XLSX; an old binary .xls, or an .xlsx that is not one, fails
 * saying what to save it as. Anything else leaves *fmt alone.
 */
static enum hs_err
binary_format(const char *name, const char *data, size_t len,
    enum import_format *fmt, char *err)
{
	const char *ext = strrchr(name, '.');

	if (len >= 8 && memcmp(data, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8)
	    == 0)
		return hs_fail(err, HS_ERR_FORMAT, "%s: an old Excel 97-2003 "
		    "workbook (.xls); save it as .xlsx (Excel 工作簿) or as "
		    "\"CSV UTF-8\"", name);
	if (xlsx_is_zip(data, len) && (*fmt == IMPORT_AUTO ||
	    *fmt == IMPORT_XLSX))
		*fmt = IMPORT_XLSX;
	else if (*fmt == IMPORT_XLSX || (*fmt == IMPORT_AUTO && ext != NULL &&
	    strcasecmp(ext, ".xlsx") == 0))
		return hs_fail(err, HS_ERR_FORMAT, "%s: not an .xlsx workbook "
		    "(not a zip archive)", name);
	return HS_OK;
}

enum hs_err
import_file(sqlite3 *db, const struct config *cfg, const struct policy *pol,
    const struct import_options *o, struct import_stats *st, char *err)
{
	char *raw = NULL, *owned = NULL, *text = NULL;
	size_t rawlen, len;
	const char *base, *ext, *file;
	enum import_format fmt = o->format;
	enum hs_err rc;

	memset(st, 0, sizeof(*st));
	base = strrchr(o->path, '/');
	file = base ? base + 1 : o->path;
	if ((rc = file_read(o->path, IMPORT_MAX_BYTES, &raw, &rawlen, err))
	    != HS_OK)
		goto out;
	ext = strrchr(file, '.');
	if ((rc = binary_format(file, raw, rawlen, &fmt, err)) != HS_OK)
		goto out;
	if (fmt == IMPORT_XLSX) {
		rc = import_run(db, cfg, pol, o, file, raw, rawlen, fmt, st,
		    err);
		goto out;
	}
	if ((rc = import_decode(file, raw, rawlen, o->encoding, &text, &len,
	    &owned, err)) != HS_OK)
		goto out;
	if (fmt == IMPORT_AUTO)
		fmt = (ext != NULL && (strcasecmp(ext, ".jsonl") == 0 ||
		    strcasecmp(ext, ".ndjson") == 0 ||
		    strcasecmp(ext, ".json") == 0)) || (len > 0 &&
		    text[strspn(text, " \t\r\n")] == '{') ? IMPORT_JSONL :
		    IMPORT_CSV;
	rc = import_run(db, cfg, pol, o, file, text, len, fmt, st, err);
out:
	free(owned);
	free(raw);
	return rc;
}

enum hs_err
import_buffer(sqlite3 *db, const struct config *cfg, const struct policy *pol,
    const struct import_options *o, const char *data, size_t len,
    struct import_stats *st, char *err)
{
	char *owned = NULL, *text = NULL;
	const char *name = o->path ? o->path : "request";
	enum import_format fmt = o->format;
	size_t tlen, lead;
	enum hs_err rc;

	memset(st, 0, sizeof(*st));
	if (len > IMPORT_MAX_BYTES)
		return hs_fail(err, HS_ERR_TOOBIG, "%s: more than %zu bytes",
		    name, (size_t)IMPORT_MAX_BYTES);
	if ((rc = binary_format(name, data, len, &fmt, err)) != HS_OK)
		return rc;
	if (fmt == IMPORT_XLSX)
		return import_run(db, cfg, pol, o, name, data, len, fmt, st,
		    err);
	/* UTF-8 only (no encoding): import_decode only reads data then. */
	if ((rc = import_decode(name, (char *)data, len, NULL, &text, &tlen,
	    &owned, err)) != HS_OK)
		goto out;
	if (fmt == IMPORT_AUTO) {
		for (lead = 0; lead < tlen && strchr(" \t\r\n", text[lead]) &&
		    text[lead] != '\0'; lead++)
			;
		fmt = lead < tlen && text[lead] == '{' ? IMPORT_JSONL :
		    lead < tlen && text[lead] == '[' ? IMPORT_JSON_ARRAY :
		    IMPORT_CSV;
	}
	rc = import_run(db, cfg, pol, o, name, text, tlen, fmt, st, err);
out:
	free(owned);
	return rc;
}

/* import_read_one: keeps the one row, refuses a second. */
static enum hs_err
take_row(struct importer *im, const char *const f[IMPORT_NFIELDS],
    size_t line, char *err)
{
	struct import_fields *o = im->row_ctx;
	int k;

	if (o->line != 0)
		return hs_fail(err, HS_ERR_INVALID, "%s:%zu: a second row (the "
		    "file must hold exactly one)", im->file, line);
	for (k = 0; k < IMPORT_NFIELDS; k++) {
		o->f[k] = NULL;
		if (f[k] == NULL)
			continue;
		if (strlen(f[k]) > IMPORT_MAX_FIELD)
			return hs_fail(err, HS_ERR_INVALID, "%s:%zu: %s: longer "
			    "than %d bytes", im->file, line,
			    import_field_name((enum import_field)k),
			    IMPORT_MAX_FIELD);
		memcpy(o->val[k], f[k], strlen(f[k]) + 1);
		o->f[k] = o->val[k];
	}
	o->line = line;
	return HS_OK;
}

/* import_read_one: the readers' own refusals (bad CSV row, bad JSON). */
static void
first_error(void *ctx, enum import_level level, const char *msg)
{
	char *e = ctx;

	if (level == IMPORT_ERROR && e[0] == '\0')
		snprintf(e, HS_ERRLEN, "%s", msg);
}

enum hs_err
import_read_one(const char *path, const char *encoding,
    struct import_fields *out, char *err)
{
	struct importer im;
	struct import_options o;
	struct import_stats st;
	char *raw = NULL, *owned = NULL, *text = NULL, rowerr[HS_ERRLEN] = "";
	size_t rawlen, len;
	const char *base, *ext;
	bool jsonl;
	enum hs_err rc;

	memset(out, 0, sizeof(*out));
	memset(&im, 0, sizeof(im));
	memset(&o, 0, sizeof(o));
	memset(&st, 0, sizeof(st));
	buf_init(&im.rejects);
	o.path = path;
	o.encoding = encoding;
	o.report = first_error;
	o.ctx = rowerr;
	im.o = &o;
	im.st = &st;
	im.row_fn = take_row;
	im.row_ctx = out;
	base = strrchr(path, '/');
	im.file = base ? base + 1 : path;
	if ((rc = file_read(path, 1 << 20, &raw, &rawlen, err)) != HS_OK)
		goto out;
	if ((rc = import_decode(im.file, raw, rawlen, encoding, &text, &len,
	    &owned, err)) != HS_OK)
		goto out;
	ext = strrchr(im.file, '.');
	jsonl = (ext != NULL && (strcasecmp(ext, ".jsonl") == 0 ||
	    strcasecmp(ext, ".ndjson") == 0 || strcasecmp(ext, ".json") == 0))
	    || (len > 0 && text[strspn(text, " \t\r\n")] == '{');
	rc = jsonl ? import_jsonl(&im, text, len, err) :
	    import_csv(&im, text, len, err);
	if (rc != HS_OK)
		goto out;
	if (st.rejected > 0)
		rc = hs_fail(err, HS_ERR_INVALID, "%s", rowerr);
	else if (out->line == 0)
		rc = hs_fail(err, HS_ERR_INVALID, "%s: no data row (the file "
		    "must hold exactly one)", im.file);
out:
	buf_free(&im.rejects);
	free(owned);
	free(raw);
	return rc;
}
