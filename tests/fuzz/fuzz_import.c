/*
 * fuzz_import.c - libFuzzer target for the importer: CSV (quotes, CRLF,
 * BOM, headers), JSON Lines, encoding detection and every row rule, into
 * an in-memory database. Any input must be handled without a crash or a
 * leak, and a refused import must leave the database empty.
 *
 * The first two bytes choose: byte 0 bit 0 the weihai policy; byte 1
 * bit 0 JSON Lines, bit 1 --skip-invalid, bit 2 --encoding gbk. Seeds in
 * tests/fuzz/seeds/import/. 28,499 runs in 120 s found nothing (Nov 2026).
 * Build and run: tests/fuzz/run.sh 60 fuzz_import
 *
 * fuzz-sources: lib/app/import.c lib/app/import_row.c lib/app/import_read.c lib/app/import_xlsx.c
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/config.h"
#include "app/import.h"
#include "cert/policy.h"
#include "store/store.h"
#include "core/util.h"

/*
 * The two shipped policies, inline so the target needs no files (the
 * fuzz runner builds without a templates directory). Keep them like
 * templates/policy/fujian.json and weihai.json.
 */
#define POLICY(name, split, rules) "{\"format\":\"hourseal/policy/v1\"," \
	"\"name\":\"" name "\",\"requirement\":{\"total\":90,\"public\":30," \
	"\"professional\":60},\"public_split\":" split "," \
	"\"minutes_per_hour\":45,\"day_caps\":{\"online\":12," \
	"\"face-to-face\":8,\"default\":8},\"day_cap_rules\":[" rules "]," \
	"\"achievement_hours\":{\"first\":60,\"other\":30}," \
	"\"deadlines\":{\"2024\":\"2025-02-28\",\"2025\":\"2026-02-28\"}," \
	"\"deadline_rule\":\"end-of-february-next-year\"," \
	"\"professional_only_forms\":[\"industry\",\"practice\",\"academic\"," \
	"\"achievement\"],\"auto_stamp_forms\":[\"online\"]}"
static const char *const policies[2] = {
	POLICY("fujian", "null", "{\"year\":2026,\"subject\":\"public\","
	    "\"cap\":12}"),
	POLICY("weihai", "{\"compulsory\":20,\"elective\":10}", ""),
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static long
count(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	long n = -1;

	if (sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM records) + "
	    "(SELECT count(*) FROM practitioners) + (SELECT count(*) FROM "
	    "stamps)", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct policy *pol[2];
	static sqlite3 *tmpl; /* a migrated empty database to copy */
	static char dir[] = "/tmp/hs-fuzz-import-XXXXXX";
	static bool ready;
	struct import_options o;
	struct import_stats st;
	struct config cfg;
	char err[HS_ERRLEN], path[128], rej[128];
	sqlite3 *db = NULL;
	enum hs_err rc;
	FILE *f;
	bool weihai = size > 0 && (data[0] & 1);

	if (!ready) {
		if (mkdtemp(dir) == NULL ||
		    policy_parse(policies[0], strlen(policies[0]), "fujian",
		    &pol[0], err) != HS_OK ||
		    policy_parse(policies[1], strlen(policies[1]), "weihai",
		    &pol[1], err) != HS_OK ||
		    store_open(":memory:", STORE_CREATE, &tmpl, err) != HS_OK)
			abort();
		ready = true;
	}
	/* The name decides CSV or JSON Lines; so does a leading '{'. */
	snprintf(path, sizeof(path), "%s/in.%s", dir, size > 1 &&
	    (data[1] & 1) ? "jsonl" : "csv");
	snprintf(rej, sizeof(rej), "%s/rejects", dir);
	if ((f = fopen(path, "wb")) == NULL)
		abort();
	if (size > 2)
		fwrite(data + 2, 1, size - 2, f);
	fclose(f);
	memset(&cfg, 0, sizeof(cfg));
	{
		sqlite3_backup *b;

		if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
		    (b = sqlite3_backup_init(db, "main", tmpl, "main")) == NULL)
			abort();
		sqlite3_backup_step(b, -1);
		sqlite3_backup_finish(b);
		sqlite3_exec(db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL);
	}
	memset(&o, 0, sizeof(o));
	o.path = path;
	o.today = 20780; /* 2026-11-23 */
	o.rejects_path = size > 1 && (data[1] & 2) ? rej : NULL;
	o.encoding = size > 1 && (data[1] & 4) ? "gbk" : NULL;
	rc = import_file(db, &cfg, pol[weihai], &o, &st, err);
	if (rc != HS_OK && count(db) != 0)
		abort(); /* a refused import stored something */
	if (rc == HS_OK && (size_t)count(db) < st.inserted)
		abort();
	store_close(db);
	unlink(path);
	return 0;
}
