/* Unit tests for certs.c (certificate tables), publish.c and progress.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cert/cert.h"
#include "store/certs.h"
#include "app/issue.h"
#include "tlog/note.h"
#include "store/report.h"
#include "core/progress.h"
#include "store/publish.h"
#include "store/store.h"
#include "core/util.h"
#include "t.h"
#include "tlib.h"

/* T_OK evaluates its condition twice; CHECK evaluates it once. */
#define CHECK(expr, ...) do { int c_ = (expr); T_OK(c_, __VA_ARGS__); } while (0)

static char dir[T_DIRMAX];

static void
sql(sqlite3 *db, const char *s)
{
	char *msg = NULL;

	if (sqlite3_exec(db, s, NULL, NULL, &msg) != SQLITE_OK) {
		printf("# sql failed: %s: %s\n", s, msg);
		sqlite3_free(msg);
	}
}

static long long
scalar(sqlite3 *db, const char *s)
{
	sqlite3_stmt *st = NULL;
	long long v = -1;

	if (sqlite3_prepare_v2(db, s, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* A ledger leaf row so certificates can reference its index. */
static void
add_leaf(sqlite3 *db, int idx)
{
	char s[200];

	snprintf(s, sizeof(s), "INSERT INTO leaves VALUES (%d, 'e%d', x'00')",
	    idx, idx);
	sql(db, s);
}

/* A real signed certificate note (cert_encode + note_sign); caller frees. */
static char *
make_note(const char *serial, const char *kind, int year, long pub10,
    long prof10)
{
	static const uint8_t seed[32] = { 1, 2, 3 };
	struct note_signer *s = NULL;
	struct cert_record rec;
	struct cert c;
	struct buf text, note;
	char err[HS_ERRLEN];

	memset(&c, 0, sizeof(c));
	memset(&rec, 0, sizeof(rec));
	snprintf(c.serial, sizeof(c.serial), "%s", serial);
	c.kind = strcmp(kind, "annual") == 0 ? CERT_ANNUAL : CERT_COURSE;
	snprintf(c.issuer, sizeof(c.issuer), "福建省专业技术人员继续教育中心");
	c.year = year;
	snprintf(c.name, sizeof(c.name), "张三");
	snprintf(c.id_masked, sizeof(c.id_masked), "3501**********123X");
	snprintf(c.id_digest, sizeof(c.id_digest),
	    "q4v0AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
	c.public10 = pub10;
	c.professional10 = prof10;
	c.total10 = pub10 + prof10;
	c.req_total10 = 900;
	c.req_public10 = 300;
	c.req_professional10 = 600;
	c.met = c.total10 >= 900;
	snprintf(rec.subject, sizeof(rec.subject), "%s",
	    pub10 ? "public" : "professional");
	snprintf(rec.form, sizeof(rec.form), "online");
	snprintf(rec.start, sizeof(rec.start), "%d-03-01", year);
	snprintf(rec.end, sizeof(rec.end), "%d-03-09", year);
	rec.hours10 = pub10 + prof10;
	snprintf(rec.title, sizeof(rec.title), "课程");
	snprintf(rec.provider, sizeof(rec.provider), "基地");
	c.records = &rec;
	c.nrecords = 1;
	snprintf(c.issued, sizeof(c.issued), "%d-12-31T10:00:00Z", year);
	buf_init(&text);
	buf_init(&note);
	if (cert_encode(&c, &text, err) != HS_OK ||
	    note_signer_new("ledger.example/fj", seed, &s, err) != HS_OK ||
	    note_sign(s, text.data, text.len, &note, err) != HS_OK)
		printf("# make_note: %s\n", err);
	note_signer_free(s);
	buf_free(&text);
	return buf_steal(&note);
}

static void
fill(struct certs_new *n, const char *serial, long long pid, int year,
    const char *kind, long long leaf, const long long *ids, size_t nids)
{
	memset(n, 0, sizeof(*n));
	n->serial = serial;
	n->practitioner_id = pid;
	n->year = year;
	n->kind = kind;
	n->name = "张三";
	n->id_masked = "3501**********123X";
	n->id_digest = "q4v0AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
	n->unit = "福州市第一医院";
	n->total10 = 940;
	n->status = strcmp(kind, "annual") == 0 ? "met" : NULL;
	n->record_set = "set";
	n->note = make_note(serial, kind, year, strcmp(kind, "annual") == 0 ?
	    300 : 0, strcmp(kind, "annual") == 0 ? 640 : 125);
	n->leaf_index = leaf;
	n->key_label = "k1";
	n->issued = "2024-12-31T10:00:00Z";
	n->record_ids = ids;
	n->nrecord_ids = nids;
}

/* certs_insert copies the note; free what fill() made. */
#define INSERT(c, n, err) insert_free(c, n, err)
static enum hs_err
insert_free(struct certs *c, struct certs_new *n, char *err)
{
	enum hs_err rc = certs_insert(c, n, err);

	free((char *)n->note);
	n->note = NULL;
	return rc;
}

static void
test_tables(sqlite3 *db)
{
	static const char *s1 = "2024-AAAA-AAAA-AAAA-AAAA",
	    *s2 = "2024-BBBB-BBBB-BBBB-BBBB", *s3 = "2023-CCCC-CCCC-CCCC-CCCC",
	    *s4 = "2024-DDDD-DDDD-DDDD-DDDD";
	long long ids1[] = { 1, 2 }, ids3[] = { 3 }, ids4[] = { 1 };
	struct certs *c = NULL;
	struct certs_new n;
	struct certs_row row;
	struct certs_filter f;
	struct certs_iter *it = NULL;
	char err[HS_ERRLEN] = "", serial[SERIAL_SIZE], set[CERTS_SET_SIZE];
	bool rev;
	int k;

	CHECK(certs_open(db, &c, err) == HS_OK, "certs_open %s", err);
	sql(db, "BEGIN");
	fill(&n, s1, 1, 2024, "annual", 0, ids1, 2);
	CHECK(INSERT(c, &n, err) == HS_OK, "insert annual %s", err);
	fill(&n, s3, 1, 2023, "annual", 2, ids3, 1);
	CHECK(INSERT(c, &n, err) == HS_OK, "insert 2023");
	fill(&n, s4, 1, 2024, "course", 3, ids4, 1);
	CHECK(INSERT(c, &n, err) == HS_OK, "insert course");
	fill(&n, s1, 1, 2024, "annual", 1, ids1, 2);
	CHECK(INSERT(c, &n, err) == HS_ERR_EXISTS,
	    "a serial cannot be inserted twice: %s", err);
	fill(&n, "2024-EEEE-EEEE-EEEE-EEEE", 1, 2024, "annual", 99, NULL, 0);
	CHECK(INSERT(c, &n, err) != HS_OK,
	    "a certificate must point at an existing leaf");
	sql(db, "COMMIT");

	CHECK(certs_find_latest(c, 1, 2024, "annual", 0, serial, set, &rev,
	    err) == HS_OK && strcmp(serial, s1) == 0 && !rev,
	    "find the valid annual");
	CHECK(certs_find_latest(c, 1, 2024, "course", 1, serial, set, &rev,
	    err) == HS_OK && strcmp(serial, s4) == 0,
	    "find the course of record 1");
	CHECK(certs_find_latest(c, 1, 2024, "course", 2, serial, set, &rev,
	    err) == HS_ERR_NOTFOUND, "no course for record 2");
	CHECK(certs_find_latest(c, 2, 2024, "annual", 0, serial, set, &rev,
	    err) == HS_ERR_NOTFOUND, "no certificate for practitioner 2");

	/* Revoke s1, replaced by s2 (issued in the same transaction). */
	sql(db, "BEGIN");
	fill(&n, s2, 1, 2024, "annual", 1, ids1, 2);
	n.replaces = s1;
	CHECK(INSERT(c, &n, err) == HS_OK, "insert replacement");
	CHECK(certs_revoke(c, s1, "superseded", "records fixed",
	    "2025-01-02T03:04:05Z", 4, s2, err) == HS_OK, "revoke %s", err);
	sql(db, "COMMIT");
	CHECK(certs_revoke(c, s1, "error", NULL, "2025-01-02T03:04:05Z", 5,
	    NULL, err) == HS_ERR_EXISTS && strstr(err, "already revoked"),
	    "revoking twice fails: %s", err);
	CHECK(certs_revoke(c, "2024-ZZZZ-ZZZZ-ZZZZ-ZZZZ", "error", NULL,
	    "2025-01-02T03:04:05Z", 5, NULL, err) == HS_ERR_NOTFOUND,
	    "revoking an unknown serial fails: %s", err);
	CHECK(certs_revoke(c, s2, "oops", NULL, "2025-01-02T03:04:05Z", 5,
	    NULL, err) == HS_ERR_INVALID, "unknown reason: %s", err);
	CHECK(certs_find_latest(c, 1, 2024, "annual", 0, serial, set, &rev,
	    err) == HS_OK && strcmp(serial, s2) == 0 && !rev,
	    "the replacement is now the latest");
	sql(db, "BEGIN");
	CHECK(certs_revoke(c, s2, "fraud", NULL, "2025-01-02T03:04:05Z", 5,
	    NULL, err) == HS_OK, "revoke the replacement");
	CHECK(certs_find_latest(c, 1, 2024, "annual", 0, serial, set, &rev,
	    err) == HS_OK && strcmp(serial, s2) == 0 && rev,
	    "the latest is revoked");
	sql(db, "ROLLBACK");

	CHECK(certs_get(c, s1, &row, err) == HS_OK && row.revoked &&
	    strcmp(row.reason, "superseded") == 0 &&
	    strcmp(row.replaced_by, s2) == 0 && row.revoke_index == 4 &&
	    strcmp(row.name, "张三") == 0 && row.note != NULL &&
	    strncmp(row.note, "hourseal/cert/v1\n", 17) == 0,
	    "get a revoked certificate");
	certs_row_free(&row);
	CHECK(certs_get(c, s2, &row, err) == HS_OK && !row.revoked &&
	    strcmp(row.replaces, s1) == 0 && row.pdf_file[0] == '\0',
	    "get the replacement");
	certs_row_free(&row);
	CHECK(certs_get(c, "2024-ZZZZ-ZZZZ-ZZZZ-ZZZZ", &row, err) ==
	    HS_ERR_NOTFOUND, "get unknown");
	certs_row_free(&row);

	CHECK(certs_set_pdf(c, s2, "ab", "/out/2024/x.pdf", err) == HS_OK,
	    "set pdf");
	CHECK(certs_set_pdf(c, s3, "cd", "/out/2023/y.pdf", err) == HS_OK,
	    "set pdf 2");
	CHECK(scalar(db, "SELECT count(*) FROM cert_records") == 6,
	    "cert_records rows");

	/* Filters. */
	{
		static const struct {
			int year;
			enum certs_state state;
			const char *kind, *dir;
			int missing, want;
		} rows[] = {
			{ 0, CERTS_ANY, NULL, NULL, 0, 4 },
			{ 2024, CERTS_ANY, NULL, NULL, 0, 3 },
			{ 2024, CERTS_VALID, NULL, NULL, 0, 2 },
			{ 2024, CERTS_REVOKED, NULL, NULL, 0, 1 },
			{ 2024, CERTS_ANY, "course", NULL, 0, 1 },
			{ 0, CERTS_ANY, NULL, NULL, 1, 2 },
			{ 0, CERTS_ANY, NULL, "/out/2024", 0, 1 },
			{ 0, CERTS_ANY, NULL, "/out", 0, 0 },
			{ 2023, CERTS_VALID, NULL, "/out/2023", 0, 1 },
		};
		size_t i;

		for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
			memset(&f, 0, sizeof(f));
			f.year = rows[i].year;
			f.state = rows[i].state;
			f.kind = rows[i].kind;
			f.pdf_dir = rows[i].dir;
			f.pdf_missing = rows[i].missing;
			k = 0;
			if (certs_iter_open(db, &f, &it, err) == HS_OK)
				while (certs_iter_next(it, &row, err) == HS_OK)
					k++;
			certs_iter_free(it);
			it = NULL;
			CHECK(k == rows[i].want, "filter row %zu: %d rows, "
			    "want %d", i, k, rows[i].want);
		}
	}
	certs_close(c);
}

static void
test_report(const char *dbpath)
{
	char err[HS_ERRLEN] = "";
	sqlite3 *db = NULL;
	char *out = NULL;
	size_t len = 0;
	long n = -1;
	FILE *f;
	enum hs_err rc;

	if (store_open(dbpath, STORE_RW, &db, err) != HS_OK)
		return;
	f = open_memstream(&out, &len);
	rc = report_export(db, 2024, REPORT_CSV, false, f, &n, err);
	fclose(f);
	CHECK(rc == HS_OK && n == 1, "export csv: %s", err);
	T_STREQ(out, "id,name,unit,year,public,professional,total,status,"
	    "serial,course_serials,revoked_serials\n"
	    "3501**********123X,张三,福州市第一医院,2024,30,64,94,met,"
	    "2024-BBBB-BBBB-BBBB-BBBB,2024-DDDD-DDDD-DDDD-DDDD,"
	    "2024-AAAA-AAAA-AAAA-AAAA\n", "export csv rows");
	free(out);
	out = NULL;
	f = open_memstream(&out, &len);
	rc = report_export(db, 2024, REPORT_JSON, true, f, &n, err);
	fclose(f);
	CHECK(rc == HS_OK, "export json: %s", err);
	T_STREQ(out, "[\n  {\"id\": \"35010219800101123X\", \"name\": "
	    "\"张三\", \"unit\": \"福州市第一医院\", \"year\": 2024, "
	    "\"public\": 30, \"professional\": 64, \"total\": 94, "
	    "\"status\": \"met\", \"serial\": \"2024-BBBB-BBBB-BBBB-BBBB\", "
	    "\"course_serials\": [\"2024-DDDD-DDDD-DDDD-DDDD\"], "
	    "\"revoked_serials\": [\"2024-AAAA-AAAA-AAAA-AAAA\"]}\n]\n",
	    "export json with full ID");
	free(out);
	out = NULL;
	f = open_memstream(&out, &len);
	rc = report_export(db, 2031, REPORT_JSON, false, f, &n, err);
	fclose(f);
	CHECK(rc == HS_OK && n == 0 && strcmp(out, "[]\n") == 0,
	    "export of an empty year");
	free(out);
	store_close(db);
}

static void
test_publish(const char *dbpath)
{
	char err[HS_ERRLEN] = "", pub[300], path[400];
	struct publish_stats ps;
	struct stat sb;
	sqlite3 *db = NULL;
	char *data = NULL;
	size_t len = 0;

	snprintf(pub, sizeof(pub), "%s/pub", dir);
	CHECK(publish_write(dbpath, pub, &ps, err) == HS_OK, "publish %s", err);
	CHECK(ps.certificates == 6 && ps.revocations == 1 && ps.leaves == 6,
	    "publish counts %lld %lld %lld", ps.certificates, ps.revocations,
	    ps.leaves);
	snprintf(path, sizeof(path), "%s/verifier.db", pub);
	CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0644,
	    "verifier.db mode 0644");
	CHECK(store_open(path, STORE_RO, &db, err) == HS_OK,
	    "store_open reads the published copy %s", err);
	CHECK(scalar(db, "SELECT count(*) FROM sqlite_master WHERE name IN "
	    "('practitioners','records','stamps','cert_records')") == 0,
	    "no personal tables");
	CHECK(scalar(db, "SELECT count(*) FROM certificates WHERE "
	    "practitioner_id IS NOT NULL OR pdf_file IS NOT NULL") == 0,
	    "no internal columns");
	CHECK(scalar(db, "SELECT count(*) FROM revocations WHERE note IS NOT "
	    "NULL") == 0, "no operator notes");
	CHECK(scalar(db, "SELECT count(*) FROM certificates WHERE pdf_sha256 "
	    "= 'ab'") == 1, "PDF hashes kept");
	CHECK(scalar(db, "SELECT count(*) FROM sqlite_master WHERE type = "
	    "'trigger' AND name = 'leaves_no_update'") == 1,
	    "append-only triggers kept");
	store_close(db);
	CHECK(file_read(path, 1 << 24, &data, &len, err) == HS_OK &&
	    memmem(data, len, "35010219800101123X", 18) == NULL &&
	    memmem(data, len, "records fixed", 13) == NULL,
	    "no full ID number or note text in the file");
	free(data);
	/* Publishing again replaces the file; no temporary file is left. */
	CHECK(publish_write(dbpath, pub, NULL, err) == HS_OK, "publish again");
	snprintf(path, sizeof(path), "%s/.verifier.db.tmp.%ld", pub,
	    (long)getpid());
	CHECK(access(path, F_OK) != 0, "no temporary file");
	CHECK(publish_write("/nonexistent/x.db", pub, NULL, err) ==
	    HS_ERR_NOTFOUND, "missing issuer database: %s", err);
}

static void
test_record_set(void)
{
	struct cert_record r[2];
	int64_t ids[2] = { 7, 9 };
	char out[45];

	memset(r, 0, sizeof(r));
	snprintf(r[0].subject, sizeof(r[0].subject), "public");
	snprintf(r[0].form, sizeof(r[0].form), "online");
	snprintf(r[0].start, sizeof(r[0].start), "2024-03-01");
	snprintf(r[0].end, sizeof(r[0].end), "2024-03-03");
	r[0].hours10 = 300;
	snprintf(r[0].title, sizeof(r[0].title), "新时代政绩观树立");
	snprintf(r[0].provider, sizeof(r[0].provider), "福建省继续教育基地");
	snprintf(r[1].subject, sizeof(r[1].subject), "professional");
	snprintf(r[1].form, sizeof(r[1].form), "achievement");
	snprintf(r[1].start, sizeof(r[1].start), "2024-06-30");
	snprintf(r[1].end, sizeof(r[1].end), "2024-06-30");
	r[1].hours10 = 600;
	snprintf(r[1].title, sizeof(r[1].title), "论文：海洋");
	snprintf(r[1].provider, sizeof(r[1].provider), "福州市卫健委");
	/* Known answers computed with Python's hashlib. */
	issue_record_set(r, ids, 2, out);
	T_STREQ(out, "wOHpPH+thnpTKqWau1kaUnIuvmFMKp2dXvxCuFB0ZsI=",
	    "record_set digest");
	issue_record_set(r, ids, 0, out);
	T_STREQ(out, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
	    "record_set of nothing");
	ids[1] = 10;
	issue_record_set(r, ids, 2, out);
	CHECK(strcmp(out, "wOHpPH+thnpTKqWau1kaUnIuvmFMKp2dXvxCuFB0ZsI=") != 0,
	    "another record id, another digest");
}

/* The manifest lists the PDFs that exist, quoting CSV fields. */
static void
test_manifest(const char *dbpath)
{
	char err[HS_ERRLEN] = "", out[300], file[400], csv[400];
	struct certs *c = NULL;
	struct certs_new n;
	sqlite3 *db = NULL;
	long long ids[1] = { 3 };
	long rows = -1;
	char *text = NULL;
	enum hs_err rc;

	snprintf(out, sizeof(out), "%s/m", dir);
	mkdir(out, 0755);
	if (store_open(dbpath, STORE_RW, &db, err) != HS_OK ||
	    certs_open(db, &c, err) != HS_OK)
		return;
	snprintf(file, sizeof(file), "%s/2023-MMMM-MMMM-MMMM-MMMM.pdf", out);
	fill(&n, "2023-MMMM-MMMM-MMMM-MMMM", 1, 2023, "annual", 5,
	    ids, 1);
	n.name = "O\"Brien, 张";
	n.status = "unmet";
	n.total10 = 855;
	n.pdf_sha256 = "00ff";
	n.pdf_file = file;
	CHECK(INSERT(c, &n, err) == HS_OK, "insert %s", err);
	fill(&n, "2023-NNNN-NNNN-NNNN-NNNN", 1, 2023, "course", 4,
	    ids, 1);
	snprintf(csv, sizeof(csv), "%s/2023-NNNN-NNNN-NNNN-NNNN.pdf", out);
	n.pdf_sha256 = "11ee";
	n.pdf_file = csv; /* never written: not listed */
	CHECK(INSERT(c, &n, err) == HS_OK, "insert 2 %s", err);
	CHECK(file_write_atomic(file, "%PDF", 4, 0644, err) == HS_OK,
	    "a PDF file");
	rc = issue_manifest(db, out, &rows, err);
	CHECK(rc == HS_OK && rows == 1, "manifest: %ld rows %s", rows, err);
	snprintf(csv, sizeof(csv), "%s/manifest.csv", out);
	if (file_read(csv, 4096, &text, NULL, err) == HS_OK)
		T_STREQ(text, "serial,id,name,kind,hours,status,file,sha256\n"
		    "2023-MMMM-MMMM-MMMM-MMMM,3501**********123X,"
		    "\"O\"\"Brien, 张\",annual,85.5,unmet,"
		    "2023-MMMM-MMMM-MMMM-MMMM.pdf,00ff\n", "manifest text");
	free(text);
	certs_close(c);
	store_close(db);
}

static void
test_progress(void)
{
	char out[160];
	FILE *f;
	struct progress *p;
	char *buf = NULL;
	size_t len = 0;

	progress_format(out, sizeof(out), "certificates", 500, 10000, 1.0);
	T_STREQ(out, "500/10000 certificates, 500/s, 0:19 left",
	    "progress line");
	progress_format(out, sizeof(out), "certificates", 7, 0, 2.0);
	T_STREQ(out, "7 certificates, 4/s", "progress without a total");
	f = open_memstream(&buf, &len);
	p = progress_new(f, "certificates", 2500, false, false, 1000);
	progress_set(p, 999);
	progress_set(p, 1000);
	progress_set(p, 1500);
	progress_set(p, 2100);
	progress_end(p);
	fclose(f);
	/* Look at the counts that start lines only: the rate and time left
	 * in a line may contain any digits (they depend on the clock). */
	CHECK(buf != NULL && strncmp(buf, "1000/2500", 9) == 0 &&
	    strstr(buf, "\n2100/2500") != NULL &&
	    strstr(buf, "\n999/") == NULL && strncmp(buf, "999/", 4) != 0 &&
	    strstr(buf, "\n1500/") == NULL && strstr(buf, "\r") == NULL,
	    "plain progress: one line per 1,000");
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	p = progress_new(f, "certificates", 2500, false, true, 1000);
	progress_set(p, 2000);
	progress_end(p);
	fclose(f);
	CHECK(len == 0, "quiet progress prints nothing");
	free(buf);
}

int
main(void)
{
	char err[HS_ERRLEN] = "", dbpath[300];
	sqlite3 *db = NULL;
	int i;

	if (t_tmpdir("test-certs", dir, sizeof(dir)) != 0)
		return 2;
	snprintf(dbpath, sizeof(dbpath), "%s/hourseal.db", dir);
	CHECK(store_open(dbpath, STORE_CREATE, &db, err) == HS_OK, "open %s",
	    err);
	if (db == NULL)
		return t_done();
	sql(db, "INSERT INTO practitioners VALUES (1, '35010219800101123X',"
	    " '3501**********123X', 'd', '张三', '', 'now')");
	sql(db, "INSERT INTO records (id, practitioner_id, year, subject, form,"
	    " title, provider, start_date, end_date, hours10, source, imported)"
	    " VALUES (1, 1, 2024, 'public', 1, 't1', 'p', '2024-01-01',"
	    " '2024-01-01', 10, 's', 'now'), (2, 1, 2024, 'public', 1, 't2',"
	    " 'p', '2024-01-01', '2024-01-01', 10, 's', 'now'), (3, 1, 2023,"
	    " 'public', 1, 't3', 'p', '2023-01-01', '2023-01-01', 10, 's',"
	    " 'now')");
	sql(db, "INSERT INTO keys VALUES ('k1', 'o+01234567+AQ==', 'now',"
	    " 'now', NULL, NULL)");
	for (i = 0; i < 6; i++)
		add_leaf(db, i);
	test_tables(db);
	store_close(db);
	test_report(dbpath);
	test_record_set();
	test_manifest(dbpath);
	test_publish(dbpath);
	test_progress();
	if (t_rmtree(dir) != 0)
		printf("# could not remove %s\n", dir);
	return t_done();
}
