/*
 * bench_ledger DB MAXN: the ledger benchmark driver (tests/bench/
 * bench_ledger.sh builds and runs it).
 *
 * Appends issue leaves to a fresh file database in transactions of 1,000
 * with one signed checkpoint each (as issuance does), up to MAXN leaves.
 * At 10^4, 10^5, 10^6 ... leaves it measures the append rate of the last
 * window, the time of inclusion and consistency proofs at random indices
 * (generate + verify), the rows read per proof and the database bytes per
 * leaf; at the end, the audit time. Prints markdown rows
 * "| benchmark | result | notes |".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cert/leaf.h"
#include "store/ledger.h"
#include "tlog/merkle.h"
#include "tlog/note.h"
#include "cert/serial.h"
#include "store/store.h"
#include "core/util.h"

#define ORIGIN "bench.hourseal.example.cn/log"
#define BATCH 1000
#define WINDOW 10000   /* appends timed before each decade */
#define PROOFS 20000

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds of this process: the machine may be busy with others. */
static double
cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t
rnd64(uint64_t *s)
{
	/* xorshift64*: reproducible indices, not security. */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static long long
db_bytes(sqlite3 *db)
{
	sqlite3_stmt *s;
	long long size = 0;

	sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	if (sqlite3_prepare_v2(db, "SELECT page_count * page_size FROM "
	    "pragma_page_count(), pragma_page_size()", -1, &s, NULL) ==
	    SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		size = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return size;
}

/* Proof timings at the current size n. */
/* Statement executions so far on db (all prepared statements). */
static long long
stmt_runs(sqlite3 *db)
{
	sqlite3_stmt *s = NULL;
	long long n = 0;

	while ((s = sqlite3_next_stmt(db, s)) != NULL)
		n += sqlite3_stmt_status(s, SQLITE_STMTSTATUS_RUN, 0);
	return n;
}

struct proof_times {
	double incl_us, incl_cpu_us;  /* per inclusion proof */
	double cons_us, cons_cpu_us;  /* per consistency proof */
	double avg_len;               /* hashes per inclusion proof */
	double incl_runs, cons_runs;  /* SQL statements run per proof */
};

static int
measure_proofs(sqlite3 *db, struct ledger *l, uint64_t n, uint64_t *seed,
    struct proof_times *pt)
{
	merkle_hash proof[MERKLE_MAX_PROOF], root, r1, leafh;
	struct buf e;
	size_t len;
	uint64_t i, m;
	double t0, c0, total_len = 0;
	long long r0;
	char err[HS_ERRLEN];
	int k;

	memset(pt, 0, sizeof(*pt));
	buf_init(&e);
	if (ledger_root(l, n, root, err) != HS_OK)
		goto fail;
	t0 = now();
	c0 = cpu();
	for (k = 0; k < PROOFS; k++) {
		i = rnd64(seed) % n;
		buf_reset(&e);
		if (ledger_entry(l, i, &e, err) != HS_OK)
			goto fail;
		r0 = stmt_runs(db);
		if (ledger_prove_inclusion(l, i, n, proof, &len, err) !=
		    HS_OK ||
		    merkle_leaf_hash(e.data, e.len, leafh) != HS_OK ||
		    merkle_verify_inclusion(i, n, leafh, 32, proof, len, root,
		    32, err) != HS_OK)
			goto fail;
		total_len += (double)len;
		pt->incl_runs += (double)(stmt_runs(db) - r0 - 2) / PROOFS;
	}
	pt->incl_us = (now() - t0) / PROOFS * 1e6;
	pt->incl_cpu_us = (cpu() - c0) / PROOFS * 1e6;
	pt->avg_len = total_len / PROOFS;
	t0 = now();
	c0 = cpu();
	for (k = 0; k < PROOFS / 10; k++) {
		m = 1 + rnd64(seed) % n;
		if (ledger_root(l, m, r1, err) != HS_OK)
			goto fail;
		r0 = stmt_runs(db);
		if (ledger_prove_consistency(l, m, n, proof, &len, err) !=
		    HS_OK || merkle_verify_consistency(m, n, r1, 32, root, 32,
		    proof, len, err) != HS_OK)
			goto fail;
		pt->cons_runs += (double)(stmt_runs(db) - r0 - 2) /
		    (PROOFS / 10);
	}
	pt->cons_us = (now() - t0) / (PROOFS / 10) * 1e6;
	pt->cons_cpu_us = (cpu() - c0) / (PROOFS / 10) * 1e6;
	buf_free(&e);
	return 0;
fail:
	fprintf(stderr, "bench_ledger: proofs at %llu: %s\n",
	    (unsigned long long)n, err);
	buf_free(&e);
	return -1;
}

static void
decade(char *out, size_t n, uint64_t v)
{
	int p = 0;
	uint64_t x = v;

	while (x >= 10 && x % 10 == 0) {
		x /= 10;
		p++;
	}
	if (x == 1 && p > 0)
		snprintf(out, n, "10^%d", p);
	else
		snprintf(out, n, "%llu", (unsigned long long)v);
}

int
main(int argc, char **argv)
{
	static const uint8_t seed[32] = { 7, 7, 7 };
	sqlite3 *db = NULL;
	struct ledger *l = NULL;
	struct note_signer *sg = NULL;
	struct note_verifier *v = NULL;
	struct ledger_audit_result res;
	struct buf e;
	char err[HS_ERRLEN] = "", serial[SERIAL_SIZE], vkey[NOTE_VKEY_MAX];
	char name[32];
	uint8_t note[32];
	uint64_t maxn, n = 0, next = 10000, rs = 0x9e3779b97f4a7c15ULL;
	struct proof_times pt;
	double t_start, t_win = 0, c_win = 0, first_cost = 0, first_incl = 0;
	double entry_bytes = 0;
	uint64_t first_n = 0;

	if (argc != 3 || (maxn = strtoull(argv[2], NULL, 10)) < 10000) {
		fprintf(stderr, "usage: bench_ledger DB MAXN (>= 10000)\n");
		return 2;
	}
	buf_init(&e);
	remove(argv[1]);
	if (store_open(argv[1], STORE_CREATE, &db, err) != HS_OK ||
	    ledger_open(db, ORIGIN, &l, err) != HS_OK ||
	    note_signer_new(ORIGIN, seed, &sg, err) != HS_OK ||
	    note_signer_vkey(sg, vkey, sizeof(vkey)) != HS_OK ||
	    note_verifier_parse(vkey, &v, err) != HS_OK)
		goto fail;
	if (getenv("BENCH_PRAGMA") != NULL)
		store_exec(db, getenv("BENCH_PRAGMA"), NULL);
	t_start = now();
	while (n < maxn) {
		uint64_t k, stop = n + BATCH;

		if (n + WINDOW == next) {
			t_win = now();
			c_win = cpu();
		}
		if (store_begin(db, err) != HS_OK)
			goto fail;
		for (k = n; k < stop; k++) {
			buf_reset(&e);
			if (serial_new(2024, serial) != HS_OK ||
			    random_bytes(note, sizeof(note)) != HS_OK ||
			    leaf_issue(serial, (const char *)note, sizeof(note),
			    &e, err) != HS_OK ||
			    ledger_append(l, e.data, e.len, NULL, err) != HS_OK)
				goto fail;
			entry_bytes += (double)e.len;
		}
		if (ledger_sign_checkpoint(l, sg, NULL, NULL, err) != HS_OK ||
		    store_commit(db, err) != HS_OK)
			goto fail;
		n = stop;
		if (n == next) {
			double secs = now() - t_win, csecs = cpu() - c_win;
			double cost = csecs / WINDOW * 1e6;
			long long bytes = db_bytes(db);

			decade(name, sizeof(name), n);
			if (measure_proofs(db, l, n, &rs, &pt) != 0)
				goto fail;
			if (first_n == 0) {
				first_n = n;
				first_cost = cost;
				first_incl = pt.incl_cpu_us;
			}
			printf("| ledger append at %s leaves | %.0f leaves/s "
			    "(%.1f µs CPU per leaf) | last %d appends, "
			    "transactions of %d with one signed checkpoint "
			    "each; %.0f leaves/s wall; CPU cost %.2fx that at "
			    "%llu while log2 n grew %.2fx |\n", name,
			    WINDOW / csecs, cost, WINDOW, BATCH, WINDOW / secs,
			    cost / first_cost, (unsigned long long)first_n,
			    log2((double)n) / log2((double)first_n));
			printf("| inclusion proof at %s leaves | %.1f µs CPU "
			    "(%.1f µs wall) | read the entry, build the proof "
			    "from stored hashes, verify it; mean of %d random "
			    "leaves, %.1f hashes and %.1f SQL lookups each; "
			    "CPU cost %.2fx that at %llu |\n", name,
			    pt.incl_cpu_us, pt.incl_us, PROOFS, pt.avg_len,
			    pt.incl_runs, pt.incl_cpu_us / first_incl,
			    (unsigned long long)first_n);
			printf("| consistency proof at %s leaves | %.1f µs CPU "
			    "(%.1f µs wall) | root at a random older size, "
			    "proof to %s, verify; mean of %d; %.1f SQL lookups "
			    "each |\n", name, pt.cons_cpu_us, pt.cons_us, name,
			    PROOFS / 10, pt.cons_runs);
			printf("| ledger database size at %s leaves | %.0f "
			    "bytes/leaf | %.1f MiB; entries average %.0f "
			    "bytes; with leaf hashes, subtree hashes and %llu "
			    "checkpoints |\n", name,
			    (double)bytes / (double)n, (double)bytes / 1048576.0,
			    entry_bytes / (double)n,
			    (unsigned long long)(n / BATCH));
			fflush(stdout);
			next *= 10;
		}
	}
	fprintf(stderr, "bench_ledger: %llu leaves appended in %.1f s\n",
	    (unsigned long long)n, now() - t_start);
	/*
	 * The same proofs for each decade's tree size, all in the final
	 * database and with the file memory-mapped: what is left is the
	 * algorithm (lookups grow with log n) plus CPU-cache effects.
	 */
	if (store_exec(db, "PRAGMA mmap_size = 1073741824", err) != HS_OK)
		goto fail;
	for (next = 10000; next <= n; next *= 10) {
		decade(name, sizeof(name), next);
		if (measure_proofs(db, l, next, &rs, &pt) != 0)
			goto fail;
		if (next == 10000)
			first_incl = pt.incl_cpu_us;
		printf("| inclusion proof for a tree of %s leaves, mmap | "
		    "%.1f µs CPU | in the %llu-leaf database with PRAGMA "
		    "mmap_size; %.1f hashes, %.1f SQL lookups; CPU cost %.2fx "
		    "that at 10^4 while log2 n grew %.2fx |\n", name,
		    pt.incl_cpu_us, (unsigned long long)n, pt.avg_len,
		    pt.incl_runs, pt.incl_cpu_us / first_incl,
		    log2((double)next) / log2(10000.0));
	}
	{
		double t0 = now(), c0 = cpu();

		if (ledger_audit(l, &v, 1, &res, err) != HS_OK)
			goto fail;
		decade(name, sizeof(name), n);
		printf("| audit of %s leaves | %.1f s CPU (%.1f s wall) | every "
		    "leaf and subtree hash recomputed, %llu checkpoints "
		    "verified |\n", name, cpu() - c0, now() - t0,
		    (unsigned long long)res.checkpoints);
	}
	buf_free(&e);
	note_verifier_free(v);
	note_signer_free(sg);
	ledger_close(l);
	store_close(db);
	return 0;
fail:
	fprintf(stderr, "bench_ledger: %s\n", err);
	buf_free(&e);
	note_verifier_free(v);
	note_signer_free(sg);
	ledger_close(l);
	store_close(db);
	return 2;
}
