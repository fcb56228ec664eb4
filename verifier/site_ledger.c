/*
 * site_ledger.c - this module serves the ledger and the service's own
 * health: the checkpoint (and consistency proofs), tiles, the key
 * history, /healthz, and /metrics with the verifier's counters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "site_int.h"

static const char *const vm_serial_names[VM_SERIAL_N] = {
	"valid", "revoked", "not_found", "invalid" };

static void
ledger_checkpoint(struct site *s, size_t li, struct http_req *r)
{
	struct vdb *v;
	struct buf b;
	char err[HS_ERRLEN];
	const char *from = http_query(r, "consistency-from");
	enum hs_err rc;
	static const char *const shortcache[] = {
		"Cache-Control", "public, max-age=5", NULL };

	if ((v = site_ledger_vdb(s, li, err)) == NULL) {
		site_unavailable(s, r, err);
		return;
	}
	buf_init(&b);
	if (from != NULL) {
		char *e;
		unsigned long long n = strtoull(from, &e, 10);

		if (*from < '0' || *from > '9' || *e != '\0') {
			buf_free(&b);
			site_error(s, r, 400, "consistency-from: expected a "
			    "tree size", NULL);
			return;
		}
		rc = vdb_consistency(v, n, &b, err);
	} else {
		rc = vdb_checkpoint(v, &b, NULL, err);
	}
	if (rc == HS_ERR_NOTFOUND || rc == HS_ERR_INVALID) {
		buf_free(&b);
		site_error(s, r, rc == HS_ERR_INVALID ? 400 : 404, err, NULL);
		return;
	}
	if (rc != HS_OK) {
		buf_free(&b);
		site_unavailable(s, r, err);
		return;
	}
	site_reply_buf(r, 200, "text/plain; charset=utf-8", &b, shortcache);
}

static void
ledger_tile(struct site *s, size_t li, struct http_req *r, const char *path)
{
	struct vdb *v;
	struct buf b;
	char err[HS_ERRLEN];
	bool full;
	enum hs_err rc;
	static const char *const immutable[] = {
		"Cache-Control", "public, max-age=31536000, immutable", NULL };
	static const char *const partial[] = {
		"Cache-Control", "public, max-age=5", NULL };

	if ((v = site_ledger_vdb(s, li, err)) == NULL) {
		site_unavailable(s, r, err);
		return;
	}
	buf_init(&b);
	rc = vdb_tile(v, path, &b, &full, err);
	if (rc == HS_ERR_FORMAT || rc == HS_ERR_NOTFOUND ||
	    rc == HS_ERR_INVALID) {
		buf_free(&b);
		site_error(s, r, 404, "no such tile", NULL);
		return;
	}
	if (rc != HS_OK) {
		buf_free(&b);
		site_unavailable(s, r, err);
		return;
	}
	site_reply_buf(r, 200, "application/octet-stream", &b, full ? immutable :
	    partial);
}

static void
ledger_keys(struct site *s, size_t li, struct http_req *r)
{
	struct vdb *v;
	struct buf b;
	char err[HS_ERRLEN];
	static const char *const h[] = {
		"Cache-Control", "public, max-age=60", NULL };

	if ((v = site_ledger_vdb(s, li, err)) == NULL) {
		site_unavailable(s, r, err);
		return;
	}
	buf_init(&b);
	if (vdb_keys(v, &b, err) != HS_OK) {
		buf_free(&b);
		site_unavailable(s, r, err);
		return;
	}
	site_reply_buf(r, 200, "text/plain; charset=utf-8", &b, h);
}

/*
 * One ledger's health into b: 0 while answers rest on a verified
 * checkpoint (the database's, or, said in the text, the last one
 * verified while the database's is refused), -1 with the reason when
 * there is none to answer from.
 */
static int
ledger_health(struct site *s, size_t li, struct buf *b)
{
	struct vdb *v;
	char err[HS_ERRLEN], why[VSTATE_REASON_MAX];
	uint64_t size;

	if ((v = site_ledger_vdb(s, li, err)) == NULL) {
		buf_puts(b, "cannot verify now: the database cannot be opened "
		    "or read\n");
		return -1;
	}
	switch (vdb_health(v, &size, why, sizeof(why))) {
	case VDB_SERVING:
		buf_printf(b, "ok\ncheckpoint %llu\n",
		    (unsigned long long)size);
		return 0;
	case VDB_RETAINED:
		buf_printf(b, "ok, but the database is stale: still answering "
		    "from the last checkpoint verified (size %llu); the "
		    "database's is refused: %s\n", (unsigned long long)size,
		    why);
		return 0;
	default:
		buf_printf(b, "cannot verify now: %s\n", why);
		return -1;
	}
}

static void
ledger_healthz(struct site *s, size_t li, struct http_req *r)
{
	struct buf b;
	int status;
	static const char *const nocache[] = {
		"Cache-Control", "no-store", NULL };

	buf_init(&b);
	status = ledger_health(s, li, &b) == 0 ? 200 : 503;
	site_reply_buf(r, status, "text/plain; charset=utf-8", &b, nocache);
}

/*
 * /healthz: one ledger, its health as always; several, one block each
 * ("ledger NAME (ORIGIN)" and its health), 200 only while every ledger
 * has a verified checkpoint to answer from (each one's own answers stay
 * as they are: /ledger/<name>/healthz says which).
 */
void
site_ledger_healthz(struct site *s, struct http_req *r)
{
	struct buf b;
	size_t i;
	int status = 200;
	static const char *const nocache[] = {
		"Cache-Control", "no-store", NULL };

	if (s->nled <= 1) {
		ledger_healthz(s, 0, r);
		return;
	}
	buf_init(&b);
	for (i = 0; i < s->nled; i++) {
		buf_printf(&b, "ledger %s (%s): ", s->led[i].tl->name,
		    s->led[i].tl->origin);
		if (ledger_health(s, i, &b) != 0)
			status = 503;
	}
	site_reply_buf(r, status, "text/plain; charset=utf-8", &b, nocache);
}

void
site_ledger_checkpoint(struct site *s, struct http_req *r)
{
	ledger_checkpoint(s, 0, r);
}

void
site_ledger_tile(struct site *s, struct http_req *r)
{
	ledger_tile(s, 0, r, http_path(r) + 1);
}

void
site_ledger_keys(struct site *s, struct http_req *r)
{
	ledger_keys(s, 0, r);
}

static void ledger_metrics(struct site *s, size_t li, struct http_req *r);

/*
 * /ledger/<name>/checkpoint, /tile/..., /keys, /healthz, /metrics: one
 * trusted ledger's, by its name in the trust file.
 */
void
site_ledger_scoped(struct site *s, struct http_req *r)
{
	const char *p = http_path(r) + 8, *rest;
	char name[TRUST_NAME_MAX + 1];
	size_t n = strcspn(p, "/"), i;

	for (i = 0; n <= TRUST_NAME_MAX && i < s->nled; i++)
		if (strlen(s->led[i].tl->name) == n &&
		    memcmp(s->led[i].tl->name, p, n) == 0)
			break;
	if (n > TRUST_NAME_MAX || i == s->nled || p[n] != '/') {
		site_error(s, r, 404, "no such ledger", NULL);
		return;
	}
	memcpy(name, p, n);
	name[n] = '\0';
	rest = p + n + 1;
	if (strcmp(rest, "checkpoint") == 0)
		ledger_checkpoint(s, i, r);
	else if (strncmp(rest, "tile/", 5) == 0)
		ledger_tile(s, i, r, rest);
	else if (strcmp(rest, "keys") == 0)
		ledger_keys(s, i, r);
	else if (strcmp(rest, "healthz") == 0)
		ledger_healthz(s, i, r);
	else if (strcmp(rest, "metrics") == 0)
		ledger_metrics(s, i, r);
	else
		site_error(s, r, 404, "not found", NULL);
}

void
site_ledger_metrics(struct site *s, struct http_req *r)
{
	struct buf b;
	static const char *const nocache[] = {
		"Cache-Control", "no-store", NULL };

	(void)s;
	buf_init(&b);
	http_metrics_text(r, &b);
	site_reply_buf(r, 200, "text/plain; version=0.0.4; charset=utf-8",
	    &b, nocache);
}

/* Sweep counters: one ledger's (li), or the sum of all (SIZE_MAX). */
static void
sweep_metrics(struct site *s, size_t li, struct buf *out)
{
	uint64_t v[4] = { 0, 0, 0, 0 };
	int finished = 1;
	size_t i;

	for (i = 0; i < s->nled; i++) {
		const struct vdb_sweep *w = &s->led[i].sweep;

		if (li != SIZE_MAX && i != li)
			continue;
		v[0] += __atomic_load_n(&w->total, __ATOMIC_RELAXED);
		v[1] += __atomic_load_n(&w->done, __ATOMIC_RELAXED);
		v[2] += __atomic_load_n(&w->good, __ATOMIC_RELAXED);
		v[3] += __atomic_load_n(&w->bad, __ATOMIC_RELAXED);
		finished &= __atomic_load_n(&w->finished, __ATOMIC_RELAXED) !=
		    0;
	}
	buf_printf(out, "# HELP hourseal_sweep_certificates Stored certificates "
	    "whose note the background sweep checked, by result.\n"
	    "# TYPE hourseal_sweep_certificates gauge\n"
	    "hourseal_sweep_certificates{result=\"total\"} %llu\n"
	    "hourseal_sweep_certificates{result=\"checked\"} %llu\n"
	    "hourseal_sweep_certificates{result=\"good\"} %llu\n"
	    "hourseal_sweep_certificates{result=\"bad\"} %llu\n"
	    "hourseal_sweep_certificates{result=\"finished\"} %d\n",
	    (unsigned long long)v[0], (unsigned long long)v[1],
	    (unsigned long long)v[2], (unsigned long long)v[3],
	    s->nled > 0 && finished);
}

static void ledger_state_metrics(struct site *s, struct buf *out);

void
site_app_metrics(void *ctx, struct buf *out)
{
	struct site *s = ctx;
	size_t i;

	buf_puts(out, "# HELP hourseal_verifications_total Certificate "
	    "verifications by kind and outcome.\n"
	    "# TYPE hourseal_verifications_total counter\n");
	for (i = 0; i < VM_SERIAL_N; i++)
		buf_printf(out, "hourseal_verifications_total{kind=\"serial\","
		    "outcome=\"%s\"} %llu\n", vm_serial_names[i],
		    (unsigned long long)__atomic_load_n(&s->vm_serial[i],
		    __ATOMIC_RELAXED));
	for (i = 0; i < VM_UPLOAD_N; i++)
		buf_printf(out, "hourseal_verifications_total{kind=\"upload\","
		    "outcome=\"%s\"} %llu\n",
		    render_upload_name((enum vdb_upload)i),
		    (unsigned long long)__atomic_load_n(&s->vm_upload[i],
		    __ATOMIC_RELAXED));
	for (i = 0; i < 2; i++)
		buf_printf(out, "hourseal_verifications_total{kind=\"id_match\","
		    "outcome=\"%s\"} %llu\n", i ? "match" : "no_match",
		    (unsigned long long)__atomic_load_n(&s->vm_match[i],
		    __ATOMIC_RELAXED));
	buf_printf(out, "hourseal_verifications_total{kind=\"id_match\","
	    "outcome=\"refused_certificate_limit\"} %llu\n",
	    (unsigned long long)__atomic_load_n(&s->vm_match_limited,
	    __ATOMIC_RELAXED));
	sweep_metrics(s, SIZE_MAX, out);
	if (s->nled > 0)
		ledger_state_metrics(s, out);
}

/*
 * The remembered checkpoint and refusals (vstate.h) of ledgers
 * [from, to): one ledger without labels (lab false), or each with
 * ledger="NAME", family by family (the text format wants a family's
 * samples together).
 */
static void
state_lines(struct site *s, size_t from, size_t to, bool lab,
    struct buf *out)
{
	struct vstate_info in[TRUST_MAX];
	struct vdb *v;
	char why[VSTATE_REASON_MAX], l1[TRUST_MAX][64], lc[TRUST_MAX][64];
	uint64_t size;
	size_t k;
	int i;

	for (k = from; k < to; k++) {
		/* Look at the database first, so a replaced file shows
		 * here too. */
		if ((v = site_ledger_vdb(s, k, why)) != NULL)
			(void)vdb_health(v, &size, why, sizeof(why));
		vstate_info(s->led[k].vs, &in[k]);
		/* {ledger=".."} alone, and "ledger="..","  before others. */
		snprintf(l1[k], sizeof(l1[k]), "%s%s%s", lab ? "{ledger=\"" :
		    "", lab ? s->led[k].tl->name : "", lab ? "\"}" : "");
		snprintf(lc[k], sizeof(lc[k]), "%s%s%s", lab ? "ledger=\"" :
		    "", lab ? s->led[k].tl->name : "", lab ? "\"," : "");
	}
	buf_puts(out, "# HELP hourseal_ledger_rollback_refused 1 while the "
	    "database's checkpoint is refused because it is older than, forks "
	    "from or does not extend the largest one this verifier verified.\n"
	    "# TYPE hourseal_ledger_rollback_refused gauge\n");
	for (k = from; k < to; k++)
		buf_printf(out, "hourseal_ledger_rollback_refused%s %d\n", l1[k],
		    in[k].refused == VTREE_ROLLBACK ||
		    in[k].refused == VTREE_FORK ||
		    in[k].refused == VTREE_INCONSISTENT);
	buf_puts(out, "# HELP hourseal_ledger_refused 1 for the reason the "
	    "database's checkpoint is refused now.\n"
	    "# TYPE hourseal_ledger_refused gauge\n");
	for (k = from; k < to; k++)
		for (i = 1; i < VTREE_REFUSALS; i++)
			buf_printf(out, "hourseal_ledger_refused{%sreason=\"%s\"} "
			    "%d\n", lc[k],
			    vstate_refusal_name((enum vtree_refusal)i),
			    in[k].refused == (enum vtree_refusal)i);
	buf_puts(out, "# HELP hourseal_ledger_refusals_total Refusals of the "
	    "database's checkpoint since start, by reason.\n"
	    "# TYPE hourseal_ledger_refusals_total counter\n");
	for (k = from; k < to; k++)
		for (i = 1; i < VTREE_REFUSALS; i++)
			buf_printf(out, "hourseal_ledger_refusals_total{%sreason="
			    "\"%s\"} %llu\n", lc[k],
			    vstate_refusal_name((enum vtree_refusal)i),
			    (unsigned long long)in[k].events[i]);
	buf_puts(out, "# HELP hourseal_ledger_remembered_size The largest "
	    "checkpoint this verifier verified (kept on disk across "
	    "restarts).\n"
	    "# TYPE hourseal_ledger_remembered_size gauge\n");
	for (k = from; k < to; k++)
		buf_printf(out, "hourseal_ledger_remembered_size%s %llu\n",
		    l1[k], (unsigned long long)in[k].remembered);
	buf_puts(out, "# HELP hourseal_ledger_database_size The database's "
	    "latest checkpoint, as last seen.\n"
	    "# TYPE hourseal_ledger_database_size gauge\n");
	for (k = from; k < to; k++)
		buf_printf(out, "hourseal_ledger_database_size%s %llu\n", l1[k],
		    (unsigned long long)in[k].db_size);
	buf_puts(out, "# HELP hourseal_ledger_serving_size The checkpoint "
	    "answers rest on (0: none, every answer is 503).\n"
	    "# TYPE hourseal_ledger_serving_size gauge\n");
	for (k = from; k < to; k++)
		buf_printf(out, "hourseal_ledger_serving_size%s %llu\n", l1[k],
		    (unsigned long long)in[k].serving);
	buf_puts(out, "# HELP hourseal_ledger_stale 1 while answering from the "
	    "last checkpoint verified because the database's is refused.\n"
	    "# TYPE hourseal_ledger_stale gauge\n");
	for (k = from; k < to; k++)
		buf_printf(out, "hourseal_ledger_stale%s %d\n", l1[k],
		    in[k].refused != VTREE_ACCEPTED && in[k].retained);
	buf_puts(out, "# HELP hourseal_ledger_state_write_errors_total Failed "
	    "writes of the state file.\n"
	    "# TYPE hourseal_ledger_state_write_errors_total counter\n");
	for (k = from; k < to; k++)
		buf_printf(out, "hourseal_ledger_state_write_errors_total%s "
		    "%llu\n", l1[k], (unsigned long long)in[k].write_errors);
}

/* For /metrics: one ledger's lines without labels, as always; several,
 * every ledger's with ledger="NAME". */
static void
ledger_state_metrics(struct site *s, struct buf *out)
{
	state_lines(s, 0, s->nled, s->nled > 1, out);
}

/* /ledger/<name>/metrics: that ledger's sweep and state, no labels. */
static void
ledger_metrics(struct site *s, size_t li, struct http_req *r)
{
	struct buf b;
	static const char *const nocache[] = {
		"Cache-Control", "no-store", NULL };

	buf_init(&b);
	sweep_metrics(s, li, &b);
	state_lines(s, li, li + 1, false, &b);
	site_reply_buf(r, 200, "text/plain; version=0.0.4; charset=utf-8",
	    &b, nocache);
}
