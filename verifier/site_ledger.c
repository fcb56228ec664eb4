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

void
site_ledger_checkpoint(struct site *s, struct http_req *r)
{
	struct vdb *v;
	struct buf b;
	char err[HS_ERRLEN];
	const char *from = http_query(r, "consistency-from");
	enum hs_err rc;
	static const char *const shortcache[] = {
		"Cache-Control", "public, max-age=5", NULL };

	if ((v = site_thread_vdb(s, err)) == NULL) {
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

void
site_ledger_tile(struct site *s, struct http_req *r)
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

	if ((v = site_thread_vdb(s, err)) == NULL) {
		site_unavailable(s, r, err);
		return;
	}
	buf_init(&b);
	rc = vdb_tile(v, http_path(r) + 1, &b, &full, err);
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

void
site_ledger_keys(struct site *s, struct http_req *r)
{
	struct vdb *v;
	struct buf b;
	char err[HS_ERRLEN];
	static const char *const h[] = {
		"Cache-Control", "public, max-age=60", NULL };

	if ((v = site_thread_vdb(s, err)) == NULL) {
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
 * 200 while answers rest on a verified checkpoint: the database's, or
 * (said in the body) the last one verified while the database's is
 * refused. 503 with the reason when there is none to answer from.
 */
void
site_ledger_healthz(struct site *s, struct http_req *r)
{
	struct vdb *v;
	struct buf b;
	char err[HS_ERRLEN], why[VSTATE_REASON_MAX];
	uint64_t size;
	int status = 200;
	static const char *const nocache[] = {
		"Cache-Control", "no-store", NULL };

	buf_init(&b);
	if ((v = site_thread_vdb(s, err)) == NULL) {
		status = 503;
		buf_puts(&b, "cannot verify now: the database cannot be opened "
		    "or read\n");
		goto out;
	}
	switch (vdb_health(v, &size, why, sizeof(why))) {
	case VDB_SERVING:
		buf_printf(&b, "ok\ncheckpoint %llu\n",
		    (unsigned long long)size);
		break;
	case VDB_RETAINED:
		buf_printf(&b, "ok, but the database is stale: still answering "
		    "from the last checkpoint verified (size %llu); the "
		    "database's is refused: %s\n", (unsigned long long)size,
		    why);
		break;
	default:
		status = 503;
		buf_printf(&b, "cannot verify now: %s\n", why);
		break;
	}
out:
	site_reply_buf(r, status, "text/plain; charset=utf-8", &b, nocache);
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
	buf_printf(out, "# HELP hourseal_sweep_certificates Stored certificates "
	    "whose note the background sweep checked, by result.\n"
	    "# TYPE hourseal_sweep_certificates gauge\n"
	    "hourseal_sweep_certificates{result=\"total\"} %llu\n"
	    "hourseal_sweep_certificates{result=\"checked\"} %llu\n"
	    "hourseal_sweep_certificates{result=\"good\"} %llu\n"
	    "hourseal_sweep_certificates{result=\"bad\"} %llu\n"
	    "hourseal_sweep_certificates{result=\"finished\"} %d\n",
	    (unsigned long long)__atomic_load_n(&s->sweep.total,
	    __ATOMIC_RELAXED),
	    (unsigned long long)__atomic_load_n(&s->sweep.done,
	    __ATOMIC_RELAXED),
	    (unsigned long long)__atomic_load_n(&s->sweep.good,
	    __ATOMIC_RELAXED),
	    (unsigned long long)__atomic_load_n(&s->sweep.bad,
	    __ATOMIC_RELAXED),
	    __atomic_load_n(&s->sweep.finished, __ATOMIC_RELAXED));
	if (s->vs != NULL)
		ledger_state_metrics(s, out);
}

/* The remembered checkpoint and refusals (vstate.h) for /metrics. */
static void
ledger_state_metrics(struct site *s, struct buf *out)
{
	struct vstate_info in;
	struct vdb *v;
	char why[VSTATE_REASON_MAX];
	uint64_t size;
	int i, rb;

	/* Look at the database first, so a replaced file shows here too. */
	if ((v = site_thread_vdb(s, why)) != NULL)
		(void)vdb_health(v, &size, why, sizeof(why));
	vstate_info(s->vs, &in);
	rb = in.refused == VTREE_ROLLBACK || in.refused == VTREE_FORK ||
	    in.refused == VTREE_INCONSISTENT;
	buf_printf(out, "# HELP hourseal_ledger_rollback_refused 1 while the "
	    "database's checkpoint is refused because it is older than, forks "
	    "from or does not extend the largest one this verifier verified.\n"
	    "# TYPE hourseal_ledger_rollback_refused gauge\n"
	    "hourseal_ledger_rollback_refused %d\n"
	    "# HELP hourseal_ledger_refused 1 for the reason the database's "
	    "checkpoint is refused now.\n"
	    "# TYPE hourseal_ledger_refused gauge\n", rb);
	for (i = 1; i < VTREE_REFUSALS; i++)
		buf_printf(out, "hourseal_ledger_refused{reason=\"%s\"} %d\n",
		    vstate_refusal_name((enum vtree_refusal)i),
		    in.refused == (enum vtree_refusal)i);
	buf_puts(out, "# HELP hourseal_ledger_refusals_total Refusals of the "
	    "database's checkpoint since start, by reason.\n"
	    "# TYPE hourseal_ledger_refusals_total counter\n");
	for (i = 1; i < VTREE_REFUSALS; i++)
		buf_printf(out, "hourseal_ledger_refusals_total{reason=\"%s\"} "
		    "%llu\n", vstate_refusal_name((enum vtree_refusal)i),
		    (unsigned long long)in.events[i]);
	buf_printf(out, "# HELP hourseal_ledger_remembered_size The largest "
	    "checkpoint this verifier verified (kept on disk across "
	    "restarts).\n"
	    "# TYPE hourseal_ledger_remembered_size gauge\n"
	    "hourseal_ledger_remembered_size %llu\n"
	    "# HELP hourseal_ledger_database_size The database's latest "
	    "checkpoint, as last seen.\n"
	    "# TYPE hourseal_ledger_database_size gauge\n"
	    "hourseal_ledger_database_size %llu\n"
	    "# HELP hourseal_ledger_serving_size The checkpoint answers rest "
	    "on (0: none, every answer is 503).\n"
	    "# TYPE hourseal_ledger_serving_size gauge\n"
	    "hourseal_ledger_serving_size %llu\n"
	    "# HELP hourseal_ledger_stale 1 while answering from the last "
	    "checkpoint verified because the database's is refused.\n"
	    "# TYPE hourseal_ledger_stale gauge\n"
	    "hourseal_ledger_stale %d\n"
	    "# HELP hourseal_ledger_state_write_errors_total Failed writes of "
	    "the state file.\n"
	    "# TYPE hourseal_ledger_state_write_errors_total counter\n"
	    "hourseal_ledger_state_write_errors_total %llu\n",
	    (unsigned long long)in.remembered, (unsigned long long)in.db_size,
	    (unsigned long long)in.serving, in.refused != VTREE_ACCEPTED &&
	    in.retained, (unsigned long long)in.write_errors);
}
