/*
 * issue.c - this module is the issuer's batch driver: it opens what
 * issuing needs (issue_open), builds and signs each holder's
 * certificates, and commits them a batch at a time (phase A appends the
 * leaves and signs the checkpoint, the render pool makes the PDFs,
 * phase B stores the rows, syncs, commits and renames the files); it
 * also revokes, reissues and writes the manifest. The render threads
 * are in issue_pool.c; finishing an interrupted run in issue_repair.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "store/certs.h"
#include "cert/idnum.h"
#include "app/issue.h"
#include "app/issue_int.h"
#include "store/keys.h"
#include "cert/leaf.h"
#include "store/ledger.h"
#include "pdf/pades.h"
#include "pdf/pdf.h"
#include "cert/x509ca.h"
#include "cert/policy.h"
#include "core/i18n.h"
#include "core/progress.h"
#include "core/tz.h"
#include "store/records.h"
#include "store/store.h"

/* ---- batches and items ---- */

static void
item_free(struct item *it)
{
	cert_free(&it->c);
	free(it->rids);
	free(it->reason);
	buf_free(&it->note);
	buf_free(&it->entry);
	buf_free(&it->receipt);
	memset(it, 0, sizeof(*it));
}

void
issue_batch_clear(struct batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		item_free(&b->items[i]);
	b->n = 0;
	b->open = false;
	b->holders = 0;
}

void
issue_batch_free(struct batch *b)
{
	issue_batch_clear(b);
	free(b->items);
	memset(b, 0, sizeof(*b));
}

struct item *
issue_batch_add(struct batch *b)
{
	struct item *it;

	if (b->n == b->cap)
		return NULL;
	it = &b->items[b->n++];
	memset(it, 0, sizeof(*it));
	buf_init(&it->note);
	buf_init(&it->entry);
	buf_init(&it->receipt);
	return it;
}

/* Paths of an item's PDF and its temporary file. */
enum hs_err
issue_pdf_paths(const char *dir, const char *serial, char final[PATH_MAX],
    char tmp[PATH_MAX], char *err)
{
	char name[64];
	enum hs_err rc;

	snprintf(name, sizeof(name), "%s.pdf", serial);
	if ((rc = path_join(final, PATH_MAX, dir, name, err)) != HS_OK)
		return rc;
	snprintf(name, sizeof(name), ".%s.pdf.tmp", serial);
	return path_join(tmp, PATH_MAX, dir, name, err);
}

void
issue_sha_hex(const void *p, size_t n, char out[65])
{
	uint8_t h[32];

	sha256(p, n, h);
	hex_encode(h, sizeof(h), out);
}

void
issue_record_set(const struct cert_record *recs, const int64_t *rids,
    size_t n, char out[45])
{
	struct buf b;
	uint8_t h[32];
	size_t i;

	buf_init(&b);
	for (i = 0; i < n; i++)
		buf_printf(&b, "%lld|%s|%s|%s|%s|%ld|%s|%s\n",
		    (long long)rids[i], recs[i].subject, recs[i].form,
		    recs[i].start, recs[i].end, recs[i].hours10,
		    recs[i].title, recs[i].provider);
	sha256(b.data != NULL ? b.data : "", b.len, h);
	b64_encode(h, sizeof(h), out, 45);
	buf_free(&b);
}

/* ---- opening ---- */

/* issue_open's flag for issue_open_signer: the PDF signer is the
 * caller's, never loaded from the keys directory. */
#define ISSUE_PADES_GIVEN 0x100

enum hs_err
issue_open(const struct config *c, sqlite3 *db, unsigned flags,
    struct issue **out, char *err)
{
	struct issue *is;
	enum hs_err rc;

	*out = NULL;
	if ((is = calloc(1, sizeof(*is))) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	is->cfg = *c;
	is->db = db;
	is->who = audit_operator(is->cfg.issuer);
	if ((rc = ledger_open(db, c->origin, &is->ledger, err)) != HS_OK ||
	    (rc = certs_open(db, &is->certs, err)) != HS_OK)
		goto fail;
	if ((rc = policy_load(c->policy_path, &is->policy, err)) != HS_OK)
		goto fail;
	if (flags & ISSUE_SIGN) {
		rc = keys_load_active(db, c->keys_dir, c->origin,
		    keys_passphrase_file(NULL), &is->signer, is->key_label,
		    err);
		if (rc == HS_ERR_NOTFOUND)
			hs_errprefix(err, "no usable signing key (make one "
			    "with 'hourseal-issuer keygen')");
		if (rc != HS_OK)
			goto fail;
		if (strcmp(note_signer_name(is->signer), c->origin) != 0) {
			rc = hs_fail(err, HS_ERR_STATE, "the signing key is "
			    "named '%s' but the ledger origin is '%s'",
			    note_signer_name(is->signer), c->origin);
			goto fail;
		}
	}
	if (flags & ISSUE_RENDER) {
		if ((rc = pdf_renderer_new(c->templates_dir, &is->pdf, err)) !=
		    HS_OK) {
			hs_errprefix(err, "templates %s", c->templates_dir);
			goto fail;
		}
		/* With a document key, every PDF is signed (PAdES). */
		if (!(flags & ISSUE_PADES_GIVEN) &&
		    x509ca_have_doc(c->keys_dir)) {
			if ((rc = pades_signer_load(c->keys_dir, &is->pades,
			    err)) != HS_OK) {
				hs_errprefix(err, "the PDF signing key");
				goto fail;
			}
			if (c->pades_tsa_url[0] != '\0' &&
			    (rc = pades_signer_set_tsa(is->pades,
			    c->pades_tsa_url, c->pades_tsa_timeout, err)) !=
			    HS_OK)
				goto fail;
		}
	}
	/*
	 * A committed batch must survive a power cut too, not only a
	 * killed process: its PDFs are renamed into place right after.
	 */
	if ((flags & ISSUE_SIGN) &&
	    (rc = store_exec(db, "PRAGMA synchronous=FULL", err)) != HS_OK)
		goto fail;
	*out = is;
	return HS_OK;
fail:
	issue_close(is);
	return rc;
}

enum hs_err
issue_open_signer(const struct config *c, sqlite3 *db, unsigned flags,
    const struct note_signer *signer, const char *label,
    const struct pades_signer *pades, struct issue **out, char *err)
{
	enum hs_err rc;

	if (flags & (ISSUE_SIGN | ISSUE_PADES_GIVEN))
		return hs_fail(err, HS_ERR_INVALID, "issue_open_signer: "
		    "ISSUE_SIGN");
	if ((rc = issue_open(c, db, flags | ISSUE_PADES_GIVEN, out, err)) !=
	    HS_OK)
		return rc;
	if (flags & ISSUE_RENDER) {
		(*out)->pades = (struct pades_signer *)pades;
		(*out)->pades_borrowed = true;
	}
	if (strcmp(note_signer_name(signer), c->origin) != 0) {
		rc = hs_fail(err, HS_ERR_STATE, "the signing key is named "
		    "'%s' but the ledger origin is '%s'",
		    note_signer_name(signer), c->origin);
		issue_close(*out);
		*out = NULL;
		return rc;
	}
	(*out)->signer = (struct note_signer *)signer;
	(*out)->signer_borrowed = true;
	snprintf((*out)->key_label, sizeof((*out)->key_label), "%s", label);
	/* As issue_open does for ISSUE_SIGN: batches survive a power cut. */
	if ((rc = store_exec(db, "PRAGMA synchronous=FULL", err)) != HS_OK) {
		issue_close(*out);
		*out = NULL;
	}
	return rc;
}

void
issue_close(struct issue *is)
{
	if (is == NULL)
		return;
	pdf_renderer_free(is->pdf);
	if (!is->pades_borrowed)
		pades_signer_free(is->pades);
	if (!is->signer_borrowed)
		note_signer_free(is->signer);
	policy_free(is->policy);
	certs_close(is->certs);
	ledger_close(is->ledger);
	config_wipe(&is->cfg);
	free(is);
}

/* ---- receipts ---- */

/* The size of the first checkpoint that covers leaf index. */
static enum hs_err
batch_checkpoint(struct issue *is, uint64_t index, uint64_t *size, char *err)
{
	return ledger_checkpoint_covering(is->ledger, index, size, err);
}

enum hs_err
issue_receipt(struct issue *is, uint64_t index, bool latest, struct buf *out,
    uint64_t *size, char *err)
{
	struct buf cp;
	uint64_t n = 0;
	enum hs_err rc;

	buf_init(&cp);
	if (latest)
		rc = ledger_latest_checkpoint(is->ledger, &cp, &n, err);
	else if ((rc = batch_checkpoint(is, index, &n, err)) == HS_OK)
		rc = ledger_checkpoint_at(is->ledger, n, &cp, err);
	if (rc == HS_OK)
		rc = ledger_receipt(is->ledger, index, cp.data, cp.len, out,
		    err);
	if (rc == HS_OK && size != NULL)
		*size = n;
	buf_free(&cp);
	return rc;
}

/* ---- building certificates ---- */

/* Fills it->c from the holder and records (which it takes) and signs it. */
static enum hs_err
build_item(struct run *R, struct item *it, const struct records_person *p,
    enum cert_kind kind, char *err)
{
	struct issue *is = R->is;
	struct policy_result pr;
	struct buf text;
	enum hs_err rc;
	time_t now;
	size_t i;

	buf_init(&text);
	it->pid = p->id;
	it->c.kind = kind;
	it->c.year = R->o->year;
	snprintf(it->c.issuer, sizeof(it->c.issuer), "%s", is->cfg.issuer);
	snprintf(it->c.name, sizeof(it->c.name), "%s", p->name);
	snprintf(it->c.id_masked, sizeof(it->c.id_masked), "%s",
	    p->id_masked);
	snprintf(it->c.id_digest, sizeof(it->c.id_digest), "%s",
	    p->id_digest);
	snprintf(it->c.unit, sizeof(it->c.unit), "%s", p->unit);
	if (kind == CERT_ANNUAL) {
		policy_evaluate(is->policy, it->c.records, it->c.nrecords, &pr);
		it->c.public10 = pr.public10;
		it->c.professional10 = pr.professional10;
		it->c.total10 = pr.total10;
		it->c.req_total10 = policy_req_total10(is->policy);
		it->c.req_public10 = policy_req_public10(is->policy);
		it->c.req_professional10 =
		    policy_req_professional10(is->policy);
		it->c.met = pr.met;
	} else {
		for (i = 0; i < it->c.nrecords; i++) {
			if (strncmp(it->c.records[i].subject, "public", 6) == 0)
				it->c.public10 += it->c.records[i].hours10;
			else
				it->c.professional10 +=
				    it->c.records[i].hours10;
		}
		it->c.total10 = it->c.public10 + it->c.professional10;
	}
	time_now_rfc3339(it->c.issued);
	/* The offset of the issuer's zone now, signed, so the PDF's date of
	 * issue is the local one and an offline check draws it the same. */
	if (time_parse_rfc3339(it->c.issued, &now) == 0) {
		it->c.has_utc_offset = true;
		it->c.utc_offset = hs_tz_offset(now);
	}
	/* Signed, so an offline check can render the QR code again. */
	snprintf(it->c.verify_url, sizeof(it->c.verify_url), "%s",
	    is->cfg.base_url);
	if ((rc = serial_new(R->o->year, it->c.serial)) != HS_OK) {
		hs_fail(err, rc, "cannot make a serial: no randomness");
		goto out;
	}
	if ((rc = cert_encode(&it->c, &text, err)) != HS_OK)
		goto out;
	if ((rc = note_sign(is->signer, text.data, text.len, &it->note,
	    err)) != HS_OK)
		goto out;
	if ((rc = leaf_issue(it->c.serial, it->note.data, it->note.len,
	    &it->entry, err)) != HS_OK)
		goto out;
	if (it->note.oom || it->entry.oom)
		rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
out:
	if (rc != HS_OK)
		hs_errprefix(err, "%s (%s)", p->name, p->id_masked);
	buf_free(&text);
	return rc;
}

/* Tells o->on_change about one supersession. */
static void
report_change(const struct issue_opts *o, const char *name,
    const char *id_masked, int year, enum cert_kind kind,
    const char *old_serial, const char *new_serial, const char *reason)
{
	struct issue_change ch;

	if (o->on_change == NULL)
		return;
	ch.name = name;
	ch.id_masked = id_masked;
	ch.year = year;
	ch.kind = kind == CERT_ANNUAL ? "annual" : "course";
	ch.old_serial = old_serial;
	ch.new_serial = new_serial;
	ch.reason = reason != NULL && reason[0] != '\0' ? reason :
	    "records unchanged";
	o->on_change(o->change_ctx, &ch);
}

/*
 * Adds holder p's certificate(s) to b: one annual certificate, or one
 * course certificate per stamped record. Skips what is already certified
 * (unless o->reissue) and, with o->only_complete, holders who fall short.
 * force_supersede (reissue) names the certificate to replace.
 */
static enum hs_err
add_holder(struct run *R, struct batch *b, const struct records_person *p,
    const char *force_supersede, int64_t only_record, char *err)
{
	struct issue *is = R->is;
	const struct issue_opts *o = R->o;
	struct cert_record *recs = NULL;
	int64_t *rids = NULL;
	size_t n = 0, i, first, count;
	char set[CERTS_SET_SIZE], cur[SERIAL_SIZE], curset[CERTS_SET_SIZE];
	struct policy_result pr;
	struct item *it;
	struct buf why;
	bool have, revoked;
	enum hs_err rc;

	buf_init(&why);
	if ((rc = records_stamped(is->db, p->id, o->year, is->policy, &recs,
	    &rids, &n, err)) != HS_OK)
		return rc;
	for (i = 0; i < n; i += count) {
		if (o->kind == CERT_ANNUAL) {
			first = 0;
			count = n;
		} else {
			first = i;
			count = 1;
			if (only_record != 0 && rids[i] != only_record)
				continue;
		}
		issue_record_set(recs + first, rids + first, count, set);
		rc = certs_find_latest(is->certs, p->id, o->year,
		    o->kind == CERT_ANNUAL ? "annual" : "course",
		    rids[first], cur, curset, &revoked, err);
		if (rc != HS_OK && rc != HS_ERR_NOTFOUND)
			goto out;
		have = rc == HS_OK;
		if (force_supersede != NULL) {
			/* reissue: exactly the (valid) certificate named. */
			if (!have || revoked || strcmp(cur, force_supersede) != 0)
				continue;
		} else if (have && strcmp(curset, set) == 0 &&
		    (!revoked || !o->reissue)) {
			/*
			 * Certified already: a valid certificate of the same
			 * records stays, --reissue or not. Revoked (not
			 * superseded) with the same records: certified again
			 * only when the operator says so with --reissue.
			 */
			if (revoked)
				R->st->revoked++;
			else
				R->st->unchanged++;
			continue;
		}
		if (o->kind == CERT_ANNUAL && o->only_complete &&
		    force_supersede == NULL) {
			policy_evaluate(is->policy, recs, n, &pr);
			if (!pr.met) {
				R->st->incomplete++;
				continue;
			}
		}
		/* A supersession says why, in the run's output and audit. */
		buf_reset(&why);
		if (have && !revoked && (rc = issue_change_reason(is, cur,
		    recs + first, rids + first, count, &why, err)) != HS_OK) {
			if (rc != HS_ERR_FORMAT)
				goto out;
			/* An old note this version cannot read: still replaced. */
			buf_reset(&why);
			buf_printf(&why, "records changed (%s)", err);
		}
		if (o->dry_run) {
			R->st->issued++;
			if (have && !revoked) {
				R->st->superseded++;
				report_change(o, p->name, p->id_masked, o->year,
				    o->kind, cur, "", why.data);
			}
			continue;
		}
		if ((it = issue_batch_add(b)) == NULL) {
			rc = hs_fail(err, HS_ERR_TOOBIG, "batch overflow");
			goto out;
		}
		snprintf(it->supersedes, sizeof(it->supersedes), "%s",
		    have && !revoked ? cur : "");
		if (have && !revoked && (it->reason = strdup(why.data)) ==
		    NULL) {
			b->n--;
			item_free(it);
			rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
			goto out;
		}
		snprintf(it->seen, sizeof(it->seen), "%s", have ? cur : "");
		snprintf(it->record_set, sizeof(it->record_set), "%s", set);
		it->dir = R->ydir;
		/* The item owns copies of its records. */
		it->c.records = calloc(count, sizeof(*recs));
		it->rids = calloc(count, sizeof(*rids));
		if (it->c.records == NULL || it->rids == NULL) {
			b->n--;
			item_free(it);
			rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
			goto out;
		}
		memcpy(it->c.records, recs + first, count * sizeof(*recs));
		memcpy(it->rids, rids + first, count * sizeof(*rids));
		it->c.nrecords = it->nrids = count;
		if ((rc = build_item(R, it, p, o->kind, err)) != HS_OK) {
			b->n--;
			item_free(it);
			goto out;
		}
	}
	rc = HS_OK;
out:
	free(recs);
	free(rids);
	buf_free(&why);
	return rc;
}

/* ---- committing a batch ---- */

/*
 * Refuses to start a batch that would not fit on the output disk, so a
 * full disk stops the run before anything is appended.
 */
enum hs_err
issue_check_space(struct run *R, size_t n, char *err)
{
	struct statvfs sv;
	unsigned long long need, avail;
	size_t per = R->avg_pdf > 0 ? R->avg_pdf * 3 / 2 : PDF_SIZE_GUESS;

	if (fstatvfs(R->dfd, &sv) != 0)
		return HS_OK;
	avail = (unsigned long long)sv.f_bavail * sv.f_frsize;
	need = (unsigned long long)n * per;
	if (avail < need)
		return hs_fail(err, HS_ERR_IO, "%s: the disk is full (%llu "
		    "KiB free; a batch of %zu certificates needs about %llu "
		    "KiB); nothing was issued from this batch", R->ydir,
		    avail / 1024, n, need / 1024);
	return HS_OK;
}

/*
 * The temporary files the items of b may have written (the batch was
 * rolled back) become spares; they are reused or removed at the end.
 * With only_dropped, just those of items no longer in the batch (the
 * others are about to be written again under the same names).
 */
void
issue_unlink_temps(struct run *R, struct batch *b, bool only_dropped)
{
	char name[SPARE_NAME], final[PATH_MAX], tmp[PATH_MAX];
	size_t i;

	for (i = 0; i < b->n; i++) {
		if (only_dropped && !b->items[i].dropped)
			continue;
		if (issue_pdf_paths(b->items[i].dir, b->items[i].c.serial, final,
		    tmp, NULL) != HS_OK || access(tmp, F_OK) != 0)
			continue;
		snprintf(name, sizeof(name), ".%s.pdf.tmp",
		    b->items[i].c.serial);
		pool_spare(&R->pool, name);
	}
}

/*
 * In the batch's transaction, before its checkpoint: the doc-cert leaf
 * of the PDF signing certificate, if the ledger does not hold it yet, so
 * every signed PDF's certificate is in the checkpoint that covers it.
 */
static enum hs_err
log_doc_cert(struct issue *is, char *err)
{
	uint8_t sha[32];
	uint64_t idx;
	struct buf e, got;
	enum hs_err rc;

	if (is->pades == NULL || is->pades_logged)
		return HS_OK;
	buf_init(&e);
	buf_init(&got);
	pades_signer_cert_sha(is->pades, sha);
	if ((rc = leaf_doc_cert(sha, &e, err)) != HS_OK)
		goto out;
	rc = ledger_last_prefix(is->ledger, e.data, e.len, &idx, &got, err);
	if (rc == HS_OK && got.len == e.len) {
		/* Committed before this run: it stays. */
		is->pades_logged = true;
		goto out;
	}
	if (rc != HS_OK && rc != HS_ERR_NOTFOUND)
		goto out;
	rc = ledger_append(is->ledger, e.data, e.len, &idx, err);
out:
	buf_free(&e);
	buf_free(&got);
	return rc;
}

/*
 * Phase A: begins the transaction, appends the leaves, signs the batch's
 * checkpoint, computes receipts and hands the items to the renderers.
 */
static enum hs_err
batch_begin(struct run *R, struct batch *b, char *err)
{
	struct issue *is = R->is;
	struct buf cp, rev;
	char now[21], cur[SERIAL_SIZE], curset[CERTS_SET_SIZE], detail[32];
	bool revoked;
	size_t i, live = 0;
	uint64_t size;
	enum hs_err rc;

	buf_init(&cp);
	buf_init(&rev);
	for (i = 0; i < b->n; i++)
		live += !b->items[i].dropped;
	if (live == 0)
		return HS_OK;
	if ((rc = issue_check_space(R, live, err)) != HS_OK)
		return rc;
	if ((rc = store_begin(is->db, err)) != HS_OK)
		return rc;
	b->open = true;
	time_now_rfc3339(now);
	for (i = 0; i < b->n; i++) {
		struct item *it = &b->items[i];

		if (it->dropped)
			continue;
		/*
		 * Another issuer may have certified this holder since the
		 * item was prepared; the write lock makes this check final.
		 */
		rc = certs_find_latest(is->certs, it->pid, it->c.year,
		    it->c.kind == CERT_ANNUAL ? "annual" : "course",
		    it->rids[0], cur, curset, &revoked, err);
		if (rc != HS_OK && rc != HS_ERR_NOTFOUND)
			goto fail;
		if (strcmp(rc == HS_OK ? cur : "", it->seen) != 0 ||
		    (it->supersedes[0] != '\0' && revoked)) {
			it->dropped = true;
			R->st->unchanged++;
			continue;
		}
		if ((rc = ledger_append(is->ledger, it->entry.data,
		    it->entry.len, &it->index, err)) != HS_OK)
			goto fail;
		snprintf(detail, sizeof(detail), "%d %s", it->c.year,
		    it->c.kind == CERT_ANNUAL ? "annual" : "course");
		if ((rc = audit_append(is->db, &is->who, "cert.issue",
		    it->c.serial, detail, NULL, err)) != HS_OK)
			goto fail;
		if (it->supersedes[0] != '\0') {
			buf_reset(&rev);
			if ((rc = leaf_revoke(it->supersedes, "superseded", now,
			    &rev, err)) != HS_OK ||
			    (rc = ledger_append(is->ledger, rev.data, rev.len,
			    &it->rindex, err)) != HS_OK)
				goto fail;
			/* Whose, by which, why: with the revocation. */
			buf_reset(&rev);
			buf_printf(&rev, "%s %s, replaced by %s: %s", it->c.name,
			    it->c.id_masked, it->c.serial, it->reason != NULL ?
			    it->reason : "records changed");
			if (rev.oom) {
				rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
				goto fail;
			}
			if ((rc = audit_append(is->db, &is->who,
			    "cert.supersede", it->supersedes, rev.data, NULL,
			    err)) != HS_OK)
				goto fail;
		}
	}
	if ((rc = log_doc_cert(is, err)) != HS_OK)
		goto fail;
	if ((rc = ledger_sign_checkpoint(is->ledger, is->signer, &cp, &size,
	    err)) != HS_OK)
		goto fail;
	b->size = size;
	for (i = 0; i < b->n; i++) {
		struct item *it = &b->items[i];

		if (it->dropped)
			continue;
		if ((rc = ledger_receipt(is->ledger, it->index, cp.data, cp.len,
		    &it->receipt, err)) != HS_OK)
			goto fail;
		snprintf(it->revoked_at, sizeof(it->revoked_at), "%s", now);
	}
	b->mark = pool_rendered(&R->pool);
	pool_submit(&R->pool, b);
	buf_free(&cp);
	buf_free(&rev);
	return HS_OK;
fail:
	store_rollback(is->db);
	b->open = false;
	buf_free(&cp);
	buf_free(&rev);
	return rc;
}

/* True for a render failure that is the certificate's, not the run's. */
static bool
item_fault(enum hs_err rc)
{
	return rc == HS_ERR_FONT || rc == HS_ERR_INVALID ||
	    rc == HS_ERR_TOOBIG || rc == HS_ERR_FORMAT;
}

/*
 * Phase B: waits for the renders, stores the certificate rows with their
 * PDF hashes, syncs the files, commits and renames them into place. A
 * certificate that cannot be rendered is left out and the batch redone
 * without it.
 */
static enum hs_err
batch_finish(struct run *R, struct batch *b, char *err)
{
	struct issue *is = R->is;
	char final[PATH_MAX], tmp[PATH_MAX];
	struct certs_new cn;
	bool redo = false;
	size_t i;
	enum hs_err rc = HS_OK;

	if (!b->open)
		return HS_OK;
	pool_wait(&R->pool, R->prog, R->done, b->mark, b->holders);
	for (i = 0; i < b->n; i++) {
		struct item *it = &b->items[i];

		if (it->dropped || it->rc == HS_OK)
			continue;
		if (!item_fault(it->rc)) {
			rc = it->rc;
			hs_fail(err, rc, "%s", it->err);
			goto fail;
		}
		/* This certificate cannot be made; the others can. */
		fprintf(stderr, "hourseal: not issued: %s\n", it->err);
		if (R->failed_items++ == 0)
			snprintf(R->first_fail, sizeof(R->first_fail), "%s",
			    it->err);
		it->dropped = true;
		R->st->failed++;
		redo = true;
	}
	if (redo) {
		/* The leaves of the dropped ones are in the transaction. */
		store_rollback(is->db);
		b->open = false;
		issue_unlink_temps(R, b, true);
		for (i = 0; i < b->n; i++)
			buf_reset(&b->items[i].receipt);
		if ((rc = batch_begin(R, b, err)) != HS_OK)
			goto fail;
		return batch_finish(R, b, err);
	}
	for (i = 0; i < b->n; i++) {
		struct item *it = &b->items[i];

		if (it->dropped)
			continue;
		if ((rc = issue_pdf_paths(it->dir, it->c.serial, final, tmp, err)) !=
		    HS_OK)
			goto fail;
		memset(&cn, 0, sizeof(cn));
		cn.serial = it->c.serial;
		cn.practitioner_id = it->pid;
		cn.year = it->c.year;
		cn.kind = it->c.kind == CERT_ANNUAL ? "annual" : "course";
		cn.name = it->c.name;
		cn.id_masked = it->c.id_masked;
		cn.id_digest = it->c.id_digest;
		cn.unit = it->c.unit;
		cn.total10 = it->c.total10;
		cn.status = it->c.kind == CERT_ANNUAL ?
		    (it->c.met ? "met" : "unmet") : NULL;
		cn.record_set = it->record_set;
		cn.note = it->note.data;
		cn.leaf_index = (long long)it->index;
		cn.key_label = is->key_label;
		cn.issued = it->c.issued;
		cn.replaces = it->supersedes[0] ? it->supersedes : NULL;
		cn.record_ids = (const long long *)it->rids;
		cn.nrecord_ids = it->nrids;
		cn.pdf_sha256 = it->sha;
		cn.pdf_file = final;
		if ((rc = certs_insert(is->certs, &cn, err)) != HS_OK)
			goto fail;
		if (it->supersedes[0] != '\0' && (rc = certs_revoke(is->certs,
		    it->supersedes, "superseded", NULL, it->revoked_at,
		    (long long)it->rindex, it->c.serial, err)) != HS_OK)
			goto fail;
		R->avg_pdf = R->avg_pdf == 0 ? it->pdf_len :
		    (R->avg_pdf * 15 + it->pdf_len) / 16;
	}
	/* The PDFs reach the disk before the batch that names them commits. */
	if (syncfs(R->dfd) != 0) {
		rc = hs_fail(err, HS_ERR_IO, "%s: %s", R->ydir,
		    strerror(errno));
		goto fail;
	}
	if ((rc = store_commit(is->db, err)) != HS_OK) {
		b->open = false;
		issue_unlink_temps(R, b, false);
		return rc;
	}
	b->open = false;
	R->st->batches++;
	R->st->ledger_size = b->size;
	for (i = 0; i < b->n; i++) {
		struct item *it = &b->items[i];

		if (it->dropped)
			continue;
		if ((rc = issue_pdf_paths(it->dir, it->c.serial, final, tmp,
		    err)) != HS_OK ||
		    (rc = file_install(tmp, final, 0, err)) != HS_OK) {
			/* Committed: a rerun repairs the file. */
			hs_errprefix(err, "run the same command again to "
			    "repair");
			return rc;
		}
		R->st->issued++;
		if (it->supersedes[0] != '\0') {
			R->st->superseded++;
			report_change(R->o, it->c.name, it->c.id_masked,
			    it->c.year, it->c.kind, it->supersedes,
			    it->c.serial, it->reason);
		}
	}
	(void)fsync(R->dfd);
	return HS_OK;
fail:
	store_rollback(is->db);
	b->open = false;
	issue_unlink_temps(R, b, false);
	return rc;
}

/* ---- the output directory ---- */

/* Creates and locks out_dir/<year>; one issuer per directory at a time. */
static enum hs_err
open_ydir(struct run *R, const char *out_dir, int year, char *err)
{
	char path[PATH_MAX], yname[16];
	enum hs_err rc;

	R->dfd = -1;
	if ((rc = file_mkdirs(out_dir, 0755, err)) != HS_OK)
		return rc;
	if (realpath(out_dir, path) == NULL)
		return hs_fail(err, HS_ERR_IO, "%s: %s", out_dir,
		    strerror(errno));
	snprintf(yname, sizeof(yname), "%d", year);
	if ((rc = path_join(R->ydir, sizeof(R->ydir), path, yname, err)) !=
	    HS_OK)
		return rc;
	if (mkdir(R->ydir, 0755) != 0 && errno != EEXIST)
		return hs_fail(err, HS_ERR_IO, "%s: %s", R->ydir,
		    strerror(errno));
	if ((R->dfd = open(R->ydir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return hs_fail(err, HS_ERR_IO, "%s: %s", R->ydir,
		    strerror(errno));
	if (flock(R->dfd, LOCK_EX | LOCK_NB) != 0) {
		/* Not ours: nothing here (manifest, temporary files) is. */
		close(R->dfd);
		R->dfd = -1;
		return hs_fail(err, HS_ERR_BUSY, "%s: another hourseal-issuer "
		    "is writing certificates here", R->ydir);
	}
	if (access(R->ydir, W_OK) != 0)
		return hs_fail(err, HS_ERR_IO, "%s: %s", R->ydir,
		    strerror(errno));
	return HS_OK;
}

/* ---- the manifest ---- */

/* One manifest field and its separator. */
static void
csv_field(struct buf *b, const char *s, bool last)
{
	buf_csv_field(b, s, true);
	buf_putc(b, last ? '\n' : ',');
}

enum hs_err
issue_manifest(sqlite3 *db, const char *dir, long *rows, char *err)
{
	static const char head[] =
	    "serial,id,name,kind,hours,status,file,sha256\n";
	struct certs_filter f;
	struct certs_iter *it = NULL;
	struct certs_row row;
	struct file_out *fo = NULL;
	char path[PATH_MAX], hours[HOURS_SIZE];
	const char *base;
	struct stat sb;
	struct buf line;
	enum hs_err rc;
	long n = 0;

	if (rows != NULL)
		*rows = 0;
	buf_init(&line);
	if ((rc = path_join(path, sizeof(path), dir, "manifest.csv", err)) !=
	    HS_OK)
		return rc;
	memset(&f, 0, sizeof(f));
	f.pdf_dir = dir;
	if ((rc = certs_iter_open(db, &f, &it, err)) != HS_OK)
		return rc;
	/* Leftovers of killed runs go; the new one appears whole or not. */
	if ((rc = file_out_open(path, 0644, FILE_SYNC | FILE_CLEAN, &fo,
	    err)) != HS_OK ||
	    (rc = file_out_write(fo, head, sizeof(head) - 1, err)) != HS_OK)
		goto out;
	while ((rc = certs_iter_next(it, &row, err)) == HS_OK) {
		/* List only files that are there: the manifest never lies. */
		if (row.pdf_sha256[0] == '\0' || stat(row.pdf_file, &sb) != 0)
			continue;
		base = strrchr(row.pdf_file, '/');
		base = base != NULL ? base + 1 : row.pdf_file;
		hours_format(row.total10, hours);
		buf_reset(&line);
		csv_field(&line, row.serial, false);
		csv_field(&line, row.id_masked, false);
		csv_field(&line, row.name, false);
		csv_field(&line, row.kind, false);
		csv_field(&line, hours, false);
		csv_field(&line, row.revoked ? "revoked" : row.status[0] ?
		    row.status : "course", false);
		csv_field(&line, base, false);
		csv_field(&line, row.pdf_sha256, true);
		if (line.oom) {
			rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
			goto out;
		}
		if ((rc = file_out_write(fo, line.data, line.len, err)) !=
		    HS_OK)
			goto out;
		n++;
	}
	if (rc != HS_ERR_NOTFOUND)
		goto out;
	rc = file_out_commit(fo, err);
	fo = NULL;
	if (rc == HS_OK && rows != NULL)
		*rows = n;
out:
	file_out_abort(fo);
	certs_iter_free(it);
	buf_free(&line);
	return rc;
}

/* ---- runs ---- */

static enum hs_err
run_start(struct run *R, struct issue *is, const struct issue_opts *o,
    struct issue_stats *st, const char *out_dir, char *err)
{
	size_t batch = o->batch ? o->batch : ISSUE_BATCH_DEFAULT;
	long ncpu;
	int nth = o->workers;
	enum hs_err rc;

	memset(R, 0, sizeof(*R));
	R->is = is;
	R->o = o;
	R->st = st;
	R->dfd = -1;
	if (batch > ISSUE_BATCH_MAX)
		return hs_fail(err, HS_ERR_INVALID, "--batch: at most %d",
		    ISSUE_BATCH_MAX);
	if (is->signer == NULL || is->pdf == NULL)
		return hs_fail(err, HS_ERR_STATE, "issuing needs the signing "
		    "key and the templates");
	if ((rc = open_ydir(R, out_dir, o->year, err)) != HS_OK)
		return rc;
	if (nth <= 0) {
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		nth = ncpu < 1 ? 1 : ncpu > ISSUE_MAX_WORKERS ?
		    ISSUE_MAX_WORKERS : (int)ncpu;
	}
	if (nth > ISSUE_MAX_WORKERS)
		nth = ISSUE_MAX_WORKERS;
	if ((rc = pool_start(&R->pool, is->pdf, is->pades, is->cfg.base_url, nth,
	    batch + CERT_MAX_RECORDS + 1, err)) != HS_OK)
		return rc;
	R->pool_up = true;
	return HS_OK;
}

static void
run_end(struct run *R)
{
	size_t i;

	/* Spares nobody reused: the run leaves no temporary file behind. */
	if (R->pool_up && R->dfd >= 0)
		for (i = 0; i < R->pool.nspare; i++)
			unlinkat(R->dfd, R->pool.spare[i], 0);
	if (R->pool_up)
		pool_stop(&R->pool);
	R->pool_up = false;
	if (R->dfd >= 0)
		close(R->dfd);   /* releases the flock */
	R->dfd = -1;
	progress_end(R->prog);
	R->prog = NULL;
}

/*
 * The holders a run covers: one practitioner (o->id_number; *one holds
 * the id) or every holder of stamped records in o->year.
 */
static enum hs_err
run_holders(struct issue *is, const struct issue_opts *o, int64_t *one,
    int64_t **ids, size_t *nids, char *err)
{
	struct records_person p;
	enum hs_err rc;

	*ids = NULL;
	*nids = 0;
	if (o->id_number != NULL) {
		if ((rc = records_person_find(is->db, o->id_number, &p, err)) !=
		    HS_OK) {
			if (rc == HS_ERR_NOTFOUND)
				hs_fail(err, rc, "--id: no practitioner with "
				    "this ID number");
			else
				hs_errprefix(err, "--id");
			return rc;
		}
		*one = p.id;
		*ids = one;
		*nids = 1;
	} else if ((rc = records_holders(is->db, o->year, ids, nids, err)) !=
	    HS_OK)
		return rc;
	if (*nids == 0)
		return hs_fail(err, HS_ERR_NOTFOUND, "no stamped records for "
		    "%d: nothing to issue (see 'hourseal-issuer stamp --list')",
		    o->year);
	return HS_OK;
}

/*
 * A dry run: every holder decided as issue_run would, supersessions
 * reported with their reasons; nothing is written, nothing is locked.
 */
static enum hs_err
dry_run(struct issue *is, const struct issue_opts *o, struct issue_stats *st,
    char *err)
{
	struct records_person p;
	struct run R;
	int64_t *ids = NULL, one;
	size_t nids = 0, i;
	enum hs_err rc;

	memset(&R, 0, sizeof(R));
	R.is = is;
	R.o = o;
	R.st = st;
	R.dfd = -1;
	if ((rc = run_holders(is, o, &one, &ids, &nids, err)) != HS_OK)
		return rc;
	for (i = 0; i < nids; i++) {
		if ((rc = records_person_get(is->db, ids[i], &p, err)) != HS_OK ||
		    (rc = add_holder(&R, NULL, &p, NULL, o->kind ==
		    CERT_COURSE ? o->record_id : 0, err)) != HS_OK)
			break;
		st->holders++;
	}
	if (ids != &one)
		free(ids);
	return rc;
}

enum hs_err
issue_run(struct issue *is, const struct issue_opts *o_in,
    struct issue_stats *st_in, char *err)
{
	struct issue_opts o = *o_in;
	struct issue_stats stl, *st = st_in != NULL ? st_in : &stl;
	struct records_person p;
	struct batch b[2];
	struct run R;
	int64_t *ids = NULL, one;
	size_t nids = 0, i = 0, cur = 0, before, added = 0;
	enum hs_err rc, rc2;
	char err2[HS_ERRLEN];

	memset(st, 0, sizeof(*st));
	memset(b, 0, sizeof(b));
	if (o.dry_run)
		return dry_run(is, &o, st, err);
	if (o.batch == 0)
		o.batch = ISSUE_BATCH_DEFAULT;
	if ((rc = run_start(&R, is, &o, st, o.out_dir, err)) != HS_OK)
		goto out;
	(void)ledger_size(is->ledger, &st->ledger_size, NULL);
	/* A quick probe: another writer means a clear error right away. */
	if ((rc = store_begin(is->db, err)) != HS_OK)
		goto out;
	store_rollback(is->db);

	if ((rc = issue_repair(&R, err)) != HS_OK) {
		hs_errprefix(err, "repairing earlier output");
		goto out;
	}
	issue_clean_temps(&R);

	/* Who: one practitioner or every holder of stamped records. */
	if ((rc = run_holders(is, &o, &one, &ids, &nids, err)) != HS_OK)
		goto out;
	/* Room for a full batch and one holder's courses beyond it. */
	for (i = 0; i < 2; i++) {
		b[i].cap = o.batch + CERT_MAX_RECORDS;
		if ((b[i].items = calloc(b[i].cap, sizeof(*b[i].items))) ==
		    NULL) {
			rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
			goto out;
		}
	}
	i = 0;
	if (o.progress != NULL)
		R.prog = progress_new(o.progress, N_("practitioners"), (long)nids,
		    o.tty, o.quiet, 1000);

	/*
	 * The pipeline: while the render threads work on batch `cur`
	 * (its transaction open), the main thread reads and signs the next
	 * one; then `cur` is committed and the next one begins.
	 */
	for (;;) {
		struct batch *next = &b[cur ^ 1];

		while (i < nids && next->n < o.batch) {
			if ((rc = records_person_get(is->db, ids[i], &p, err)) !=
			    HS_OK)
				goto out;
			before = next->n;
			if ((rc = add_holder(&R, next, &p, NULL,
			    o.kind == CERT_COURSE ? o.record_id : 0, err)) !=
			    HS_OK) {
				if (!item_fault(rc))
					goto out;
				/* One bad holder does not stop the run. */
				fprintf(stderr, "hourseal: not issued: %s\n",
				    err);
				if (R.failed_items++ == 0)
					snprintf(R.first_fail,
					    sizeof(R.first_fail), "%s", err);
				st->failed++;
			}
			added += next->n - before;
			/*
			 * Progress counts holders once: one without a new
			 * certificate now, one with some when they commit
			 * (a batch redone without a failed item included).
			 */
			if (next->n > before)
				next->holders++;
			else
				R.done++;
			st->holders++;
			i++;
			if ((i & 63) == 0)
				progress_set(R.prog, R.done);
		}
		if ((rc = batch_finish(&R, &b[cur], err)) != HS_OK)
			goto out;
		R.done += b[cur].holders;
		issue_batch_clear(&b[cur]);
		progress_set(R.prog, R.done);
		cur ^= 1;
		if (b[cur].n == 0 && i >= nids)
			break;
		if ((rc = batch_begin(&R, &b[cur], err)) != HS_OK)
			goto out;
	}
	progress_set(R.prog, R.done);
	if (o.id_number != NULL && added == 0 && st->unchanged == 0 &&
	    st->incomplete == 0 && st->failed == 0) {
		rc = hs_fail(err, HS_ERR_NOTFOUND, "--id: this practitioner "
		    "has no stamped records for %d", o.year);
		goto out;
	}
out:
	/* A failed batch is rolled back; whatever committed stays. */
	for (i = 0; i < 2; i++) {
		if (b[i].open) {
			pool_wait(&R.pool, NULL, 0, 0, 0);
			store_rollback(is->db);
			issue_unlink_temps(&R, &b[i], false);
			b[i].open = false;
		}
		issue_batch_free(&b[i]);
	}
	if (ids != &one)
		free(ids);
	if (R.dfd >= 0) {
		rc2 = issue_manifest(is->db, R.ydir, NULL, err2);
		if (rc2 == HS_OK)
			path_join(st->manifest, sizeof(st->manifest), R.ydir,
			    "manifest.csv", NULL);
		else if (rc == HS_OK) {
			rc = rc2;
			snprintf(err, HS_ERRLEN, "%s", err2);
		}
	}
	run_end(&R);
	if (rc == HS_OK && R.failed_items > 0)
		rc = hs_fail(err, HS_ERR_FONT, "%ld certificate%s could not be "
		    "made; the first: %s", R.failed_items,
		    R.failed_items == 1 ? "" : "s", R.first_fail);
	return rc;
}

/* Copies s into out[0..outsz) or fails naming what. */
static enum hs_err
copy_field(char *out, size_t outsz, const char *s, const char *what,
    char *err)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (n >= outsz)
		return hs_fail(err, HS_ERR_INVALID, "audit actor: the %s is "
		    "over %zu bytes", what, outsz - 1);
	memcpy(out, s != NULL ? s : "", n + 1);
	return HS_OK;
}

enum hs_err
issue_set_actor(struct issue *is, const struct actor *who, char *err)
{
	char name[sizeof(is->who_name)], role[sizeof(is->who_role)];
	char org[sizeof(is->who_org)], client[sizeof(is->who_client)];

	if (who == NULL) {
		is->who = audit_operator(is->cfg.issuer);
		return HS_OK;
	}
	if (copy_field(name, sizeof(name), who->name, "name", err) != HS_OK ||
	    copy_field(role, sizeof(role), who->role, "role", err) != HS_OK ||
	    copy_field(org, sizeof(org), who->org, "organisation", err) !=
	    HS_OK ||
	    copy_field(client, sizeof(client), who->client, "client address",
	    err) != HS_OK)
		return HS_ERR_INVALID;
	memcpy(is->who_name, name, sizeof(name));
	memcpy(is->who_role, role, sizeof(role));
	memcpy(is->who_org, org, sizeof(org));
	memcpy(is->who_client, client, sizeof(client));
	is->who.name = is->who_name;
	is->who.role = is->who_role;
	is->who.org = is->who_org;
	is->who.client = is->who_client;
	return HS_OK;
}

enum hs_err
issue_revoke(struct issue *is, const char *serial, const char *reason,
    const char *note, uint64_t *index, uint64_t *size, char *err)
{
	struct buf entry;
	char now[21];
	uint64_t idx = 0, sz = 0;
	enum hs_err rc;

	buf_init(&entry);
	if (is->signer == NULL)
		return hs_fail(err, HS_ERR_STATE, "revoking needs the signing "
		    "key");
	if (!certs_reason_valid(reason))
		return hs_fail(err, HS_ERR_INVALID, "--reason: '%s' is not one "
		    "of %s", reason, CERTS_REASONS);
	if (note != NULL && (has_control(note) || strlen(note) > 1000))
		return hs_fail(err, HS_ERR_INVALID, "--note: at most 1000 "
		    "bytes of text without control characters");
	time_now_rfc3339(now);
	if ((rc = store_begin(is->db, err)) != HS_OK)
		return rc;
	/*
	 * The leaf first (the revocation row points at it); an unknown or
	 * already revoked serial then fails in certs_revoke and the whole
	 * transaction, leaf included, is rolled back.
	 */
	if ((rc = leaf_revoke(serial, reason, now, &entry, err)) != HS_OK ||
	    (rc = ledger_append(is->ledger, entry.data, entry.len, &idx,
	    err)) != HS_OK ||
	    (rc = certs_revoke(is->certs, serial, reason, note, now,
	    (long long)idx, NULL, err)) != HS_OK ||
	    (rc = audit_append(is->db, &is->who, "cert.revoke", serial, reason,
	    NULL, err)) != HS_OK ||
	    (rc = ledger_sign_checkpoint(is->ledger, is->signer, NULL, &sz,
	    err)) != HS_OK ||
	    (rc = store_commit(is->db, err)) != HS_OK)
		goto fail;
	if (index != NULL)
		*index = idx;
	if (size != NULL)
		*size = sz;
	buf_free(&entry);
	return HS_OK;
fail:
	store_rollback(is->db);
	buf_free(&entry);
	return rc;
}

enum hs_err
issue_reissue(struct issue *is, const char *serial, const char *out_dir,
    const struct issue_opts *o_in, char new_serial[SERIAL_SIZE], char *err)
{
	struct issue_opts o;
	struct issue_stats st;
	struct certs_row row;
	struct records_person p;
	struct batch b;
	struct run R;
	int64_t record = 0;
	enum hs_err rc;

	new_serial[0] = '\0';
	memset(&b, 0, sizeof(b));
	memset(&st, 0, sizeof(st));
	memset(&R, 0, sizeof(R));
	R.dfd = -1;
	if ((rc = certs_get(is->certs, serial, &row, err)) != HS_OK)
		return rc;
	if (row.revoked) {
		rc = hs_fail(err, HS_ERR_EXISTS, "%s is already revoked (%s); "
		    "issue a new certificate with 'issue --id'", serial,
		    row.reason);
		goto out;
	}
	o = o_in != NULL ? *o_in : (struct issue_opts){ 0 };
	o.year = row.year;
	o.kind = strcmp(row.kind, "course") == 0 ? CERT_COURSE : CERT_ANNUAL;
	o.out_dir = out_dir;
	o.batch = 1;
	o.only_complete = false;
	o.reissue = true;
	if (o.dry_run) {
		/* Decide and report only: no key, no directory, no write. */
		R.is = is;
		R.o = &o;
		R.st = &st;
		if ((rc = records_person_get(is->db, row.practitioner_id, &p,
		    err)) != HS_OK)
			goto out;
		if (o.kind == CERT_COURSE && (rc = certs_course_record(is->certs,
		    serial, &record, err)) != HS_OK && rc != HS_ERR_NOTFOUND)
			goto out;
		if ((rc = add_holder(&R, NULL, &p, serial, record, err)) !=
		    HS_OK)
			goto out;
		if (st.superseded == 0)
			rc = hs_fail(err, HS_ERR_NOTFOUND, "%s: the holder has "
			    "no stamped records for %d any more; revoke it "
			    "instead", serial, row.year);
		goto out;
	}
	if ((rc = run_start(&R, is, &o, &st, out_dir, err)) != HS_OK)
		goto out;
	issue_clean_temps(&R);
	if ((rc = records_person_get(is->db, row.practitioner_id, &p, err)) !=
	    HS_OK)
		goto out;
	if (o.kind == CERT_COURSE) {
		/* The course is the one record the old certificate covers. */
		rc = certs_course_record(is->certs, serial, &record, err);
		if (rc == HS_ERR_NOTFOUND)
			rc = HS_OK;
		else if (rc != HS_OK)
			goto out;
	}
	if ((b.items = calloc(1, sizeof(*b.items))) == NULL) {
		rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
		goto out;
	}
	b.cap = 1;
	if ((rc = add_holder(&R, &b, &p, serial, record, err)) != HS_OK)
		goto out;
	if (b.n == 0) {
		rc = hs_fail(err, HS_ERR_NOTFOUND, "%s: the holder has no "
		    "stamped records for %d any more; revoke it instead",
		    serial, row.year);
		goto out;
	}
	if ((rc = batch_begin(&R, &b, err)) != HS_OK ||
	    (rc = batch_finish(&R, &b, err)) != HS_OK)
		goto out;
	if (st.issued != 1) {
		rc = hs_fail(err, HS_ERR_STATE, "%s changed while it was "
		    "being reissued; try again", serial);
		goto out;
	}
	snprintf(new_serial, SERIAL_SIZE, "%s", b.items[0].c.serial);
	rc = issue_manifest(is->db, R.ydir, NULL, err);
out:
	if (b.open) {
		pool_wait(&R.pool, NULL, 0, 0, 0);
		store_rollback(is->db);
		issue_unlink_temps(&R, &b, false);
	}
	issue_batch_free(&b);
	run_end(&R);
	certs_row_free(&row);
	if (rc == HS_OK && R.failed_items > 0)
		rc = hs_fail(err, HS_ERR_FONT, "%s", R.first_fail);
	return rc;
}

