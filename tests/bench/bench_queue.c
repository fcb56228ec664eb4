/*
 * bench_queue: the 验印 queue (app/stamp.h stamp_queue) paged by key over
 * a database of waiting records (bench_queue.sh makes it with SQL). For
 * each principal and filter it walks the pages of 50 rows from the start
 * (all of them, or at most MAXPAGES) and then pages starting at random
 * ids, timing every page; prints one markdown row per case with the
 * slowest page, the p99 and the median, and exits 1 if a page took 20 ms
 * or more.
 *
 * Usage: bench_queue DB [MAXPAGES]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/principal.h"
#include "app/stamp.h"
#include "store/store.h"
#include "core/util.h"

#define PAGE 50

static int
count(void *ctx, const struct stamp_row *r)
{
	(void)r;
	(*(size_t *)ctx)++;
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One page, timed into (*t)[(*np)++]; 0, or 2 after saying why. */
static int
time_page(sqlite3 *db, const struct principal *p,
    const struct stamp_filter *f, int64_t after, size_t *rows,
    int64_t *next, double **t, size_t *np, size_t *cap)
{
	char err[HS_ERRLEN] = "";
	double t0;

	if (*np == *cap) {
		double *nt = realloc(*t, *cap * 2 * sizeof(**t));

		if (nt == NULL)
			return 2;
		*t = nt;
		*cap *= 2;
	}
	t0 = time_mono();
	if (stamp_queue(db, p, f, after, PAGE, count, rows, next, err) !=
	    HS_OK) {
		fprintf(stderr, "bench_queue: %s\n", err);
		return 2;
	}
	(*t)[(*np)++] = (time_mono() - t0) * 1000.0;
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct {
		const char *label;
		enum principal_role role;
		const char *region, *domain, *provider, *unit;
		int year, form;
		const char *fprovider, *funit, *fsubject;
	} cases[] = {
		{ "hr 35 (all)", PRINCIPAL_HR, "35", "", "", "", 0, 0,
		    NULL, NULL, NULL },
		{ "hr 3502 (a city)", PRINCIPAL_HR, "3502", "", "", "", 0, 0,
		    NULL, NULL, NULL },
		{ "hr 350203 (a district)", PRINCIPAL_HR, "350203", "", "", "",
		    0, 0, NULL, NULL, NULL },
		{ "industry 3502/卫生", PRINCIPAL_INDUSTRY, "3502", "卫生", "",
		    "", 0, 0, NULL, NULL, NULL },
		{ "industry 3509/农业, form 2, year 2024", PRINCIPAL_INDUSTRY,
		    "3509", "农业", "", "", 2024, 2, NULL, NULL, NULL },
		{ "hr 35, provider p7", PRINCIPAL_HR, "35", "", "", "", 0, 0,
		    "p7", NULL, NULL },
		{ "hr 3502, unit u10", PRINCIPAL_HR, "3502", "", "", "", 0, 0,
		    NULL, "u10", NULL },
		{ "hr 35, public only", PRINCIPAL_HR, "35", "", "", "", 0, 0,
		    NULL, NULL, "public" },
		{ "provider p7", PRINCIPAL_PROVIDER, "", "", "p7", "", 0, 0,
		    NULL, NULL, NULL },
		{ "employer u10", PRINCIPAL_EMPLOYER, "", "", "", "u10", 0, 0,
		    NULL, NULL, NULL },
	};
	char err[HS_ERRLEN] = "";
	struct principal p;
	struct stamp_filter f;
	sqlite3 *db = NULL;
	double *t = NULL, worst_all = 0;
	size_t i, k, np, rows, total, cap;
	int64_t after, next, maxid;
	long maxpages;
	sqlite3_stmt *st = NULL;
	int bad = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_queue DB [MAXPAGES]\n");
		return 2;
	}
	maxpages = argc > 2 ? atol(argv[2]) : 0;
	if (store_open(argv[1], STORE_RW, &db, err) != HS_OK) {
		fprintf(stderr, "bench_queue: %s\n", err);
		return 2;
	}
	if (sqlite3_prepare_v2(db, "SELECT max(id), count(*) FROM records "
	    "WHERE state = 'waiting'", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		fprintf(stderr, "bench_queue: %s\n", sqlite3_errmsg(db));
		return 2;
	}
	maxid = sqlite3_column_int64(st, 0);
	total = (size_t)sqlite3_column_int64(st, 1);
	sqlite3_finalize(st);
	cap = 64;
	t = malloc(cap * sizeof(*t));
	srand(13);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&p, 0, sizeof(p));
		p.role = cases[i].role;
		snprintf(p.name, sizeof(p.name), "bench");
		snprintf(p.org, sizeof(p.org), "bench");
		snprintf(p.region, sizeof(p.region), "%s", cases[i].region);
		snprintf(p.domain, sizeof(p.domain), "%s", cases[i].domain);
		snprintf(p.provider, sizeof(p.provider), "%s",
		    cases[i].provider);
		snprintf(p.unit, sizeof(p.unit), "%s", cases[i].unit);
		memset(&f, 0, sizeof(f));
		f.year = cases[i].year;
		f.form = cases[i].form;
		f.provider = cases[i].fprovider;
		f.unit = cases[i].funit;
		f.subject = cases[i].fsubject;
		np = rows = 0;
		/* From the start, page after page; then 200 random starts. */
		after = 0;
		for (k = 0;; k++) {
			if (time_page(db, &p, &f, after, &rows, &next, &t, &np,
			    &cap) != 0)
				return 2;
			if (next == 0 || (maxpages > 0 && (long)k + 1 >=
			    maxpages))
				break;
			after = next;
		}
		for (k = 0; k < 200; k++) {
			after = (int64_t)((double)rand() / RAND_MAX *
			    (double)maxid);
			if (time_page(db, &p, &f, after, &rows, &next, &t, &np,
			    &cap) != 0)
				return 2;
		}
		qsort(t, np, sizeof(*t), cmp_double);
		if (t[np - 1] > worst_all)
			worst_all = t[np - 1];
		if (t[np - 1] >= 20.0)
			bad = 1;
		printf("| 验印 queue at %zu waiting: %s, pages of %d | slowest "
		    "%.2f ms, p99 %.2f ms, median %.2f ms over %zu pages | %s; "
		    "%zu rows read |\n", total, cases[i].label, PAGE,
		    t[np - 1], t[np * 99 / 100], t[np / 2], np,
		    t[np - 1] < 20.0 ? "every page < 20 ms" :
		    "A PAGE TOOK 20 ms OR MORE", rows);
		fflush(stdout);
	}
	free(t);
	store_close(db);
	fprintf(stderr, "bench_queue: slowest page %.2f ms\n", worst_all);
	return bad;
}
