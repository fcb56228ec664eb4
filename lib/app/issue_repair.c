/*
 * issue_repair.c - this module finishes what an interrupted run left:
 * before anything new is issued, every committed certificate whose PDF
 * is missing from the year directory gets it back (renamed from a
 * complete temporary file, or rendered again from the stored note and
 * its batch's receipt), and leftover temporary files become the render
 * pool's spares.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/issue.h"
#include "app/issue_int.h"
#include "cert/cert.h"
#include "core/file.h"
#include "core/util.h"
#include "store/certs.h"
#include "store/store.h"

/* SHA-256 of a whole file (hex); HS_ERR_NOTFOUND if it does not exist. */
static enum hs_err
file_sha(const char *path, char out[65], char *err)
{
	char *data = NULL;
	size_t len = 0;
	enum hs_err rc;

	if ((rc = file_read(path, (size_t)64 << 20, &data, &len, err)) !=
	    HS_OK)
		return rc;
	issue_sha_hex(data, len, out);
	free(data);
	return HS_OK;
}

/*
 * Leftover temporary PDFs (".<serial>.pdf.tmp") in ydir become spares
 * (see struct pool in issue_int.h): reused, or removed when the run ends.
 * Leftover manifest files go when the manifest is written (FILE_CLEAN).
 */
void
issue_clean_temps(struct run *R)
{
	DIR *d;
	struct dirent *de;
	size_t n;

	if ((d = opendir(R->ydir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (de->d_name[0] == '.' && n > 9 &&
		    strcmp(de->d_name + n - 8, ".pdf.tmp") == 0)
			pool_spare(&R->pool, de->d_name);
	}
	closedir(d);
}

/*
 * Renders the repair items of b, records any hash that changed (a
 * template or font changed since), syncs, commits and renames them.
 */
static enum hs_err
repair_flush(struct run *R, struct batch *b, char *err)
{
	struct issue *is = R->is;
	char final[PATH_MAX], tmp[PATH_MAX];
	enum hs_err rc = HS_OK;
	size_t k;

	if (b->n == 0)
		return HS_OK;
	if ((rc = issue_check_space(R, b->n, err)) != HS_OK)
		return rc;
	pool_submit(&R->pool, b);
	pool_wait(&R->pool, NULL, 0, 0, 0);
	for (k = 0; k < b->n; k++) {
		if (b->items[k].rc != HS_OK) {
			rc = hs_fail(err, b->items[k].rc, "%s",
			    b->items[k].err);
			goto fail;
		}
	}
	if ((rc = store_begin(is->db, err)) != HS_OK)
		goto fail;
	for (k = 0; k < b->n && rc == HS_OK; k++) {
		struct item *r = &b->items[k];

		/* Same note, receipt, template and fonts: same bytes. */
		if (strcmp(r->sha, r->want_sha) != 0)
			rc = certs_set_pdf(is->certs, r->c.serial, r->sha,
			    NULL, err);
	}
	if (rc == HS_OK && syncfs(R->dfd) != 0)
		rc = hs_fail(err, HS_ERR_IO, "%s: %s", R->ydir,
		    strerror(errno));
	if (rc != HS_OK) {
		store_rollback(is->db);
		goto fail;
	}
	if ((rc = store_commit(is->db, err)) != HS_OK)
		goto fail;
	for (k = 0; k < b->n; k++) {
		if ((rc = issue_pdf_paths(R->ydir, b->items[k].c.serial, final, tmp,
		    err)) != HS_OK)
			return rc;
		if ((rc = file_install(tmp, final, 0, err)) != HS_OK)
			return rc;
		R->st->repaired++;
	}
	issue_batch_clear(b);
	return HS_OK;
fail:
	issue_unlink_temps(R, b, false);
	return rc;
}

/*
 * Repair: every committed certificate that should have its PDF in ydir
 * but does not gets it back, from its temporary file if that is complete
 * (its SHA-256 is the recorded one) or rendered again from the stored
 * note and the receipt of its batch. Runs before anything new is issued.
 */
enum hs_err
issue_repair(struct run *R, char *err)
{
	struct issue *is = R->is;
	struct certs_filter f;
	struct certs_iter *iter = NULL;
	struct certs_row row;
	struct batch b;
	char final[PATH_MAX], tmp[PATH_MAX], sha[65];
	const char *sig;
	char (*todo)[SERIAL_SIZE] = NULL;
	size_t ntodo = 0, cap = 0, i;
	struct stat sb;
	struct item *it;
	enum hs_err rc;

	memset(&b, 0, sizeof(b));
	memset(&f, 0, sizeof(f));
	f.pdf_dir = R->ydir;
	/* First the list (the table is updated below). */
	if ((rc = certs_iter_open(is->db, &f, &iter, err)) != HS_OK)
		return rc;
	while ((rc = certs_iter_next(iter, &row, err)) == HS_OK) {
		if (stat(row.pdf_file, &sb) == 0 && row.pdf_sha256[0] != '\0')
			continue;
		if (ntodo == cap) {
			void *p;

			cap = cap ? cap * 2 : 64;
			if ((p = realloc(todo, cap * sizeof(*todo))) == NULL) {
				rc = hs_fail(err, HS_ERR_NOMEM,
				    "out of memory");
				goto out;
			}
			todo = p;
		}
		snprintf(todo[ntodo++], SERIAL_SIZE, "%s", row.serial);
	}
	if (rc != HS_ERR_NOTFOUND)
		goto out;
	certs_iter_free(iter);
	iter = NULL;
	rc = HS_OK;
	if (ntodo == 0)
		goto out;
	b.cap = R->o->batch;
	if ((b.items = calloc(b.cap, sizeof(*b.items))) == NULL) {
		rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < ntodo; i++) {
		if ((rc = certs_get(is->certs, todo[i], &row, err)) != HS_OK)
			goto out;
		if ((rc = issue_pdf_paths(R->ydir, row.serial, final, tmp, err)) !=
		    HS_OK) {
			certs_row_free(&row);
			goto out;
		}
		/* A complete temporary file only needs its rename. */
		if (row.pdf_sha256[0] != '\0' && file_sha(tmp, sha, NULL) ==
		    HS_OK && strcmp(sha, row.pdf_sha256) == 0) {
			certs_row_free(&row);
			if ((rc = file_install(tmp, final, 0, err)) != HS_OK)
				goto out;
			R->st->repaired++;
			continue;
		}
		it = issue_batch_add(&b);
		it->dir = R->ydir;
		it->index = (uint64_t)row.leaf_index;
		snprintf(it->want_sha, sizeof(it->want_sha), "%s",
		    row.pdf_sha256);
		buf_puts(&it->note, row.note);
		certs_row_free(&row);
		/* The note's text ends at the blank line before signatures. */
		if (it->note.oom || (sig = strstr(it->note.data, "\n\n")) ==
		    NULL) {
			rc = hs_fail(err, HS_ERR_FORMAT, "%s: stored note has "
			    "no signature", todo[i]);
			goto out;
		}
		if ((rc = cert_decode(it->note.data,
		    (size_t)(sig - it->note.data) + 1, &it->c, err)) != HS_OK ||
		    (rc = issue_receipt(is, it->index, false, &it->receipt,
		    NULL, err)) != HS_OK) {
			hs_errprefix(err, "repairing %s", todo[i]);
			goto out;
		}
		if (b.n == b.cap && (rc = repair_flush(R, &b, err)) != HS_OK)
			goto out;
	}
	rc = repair_flush(R, &b, err);
out:
	certs_iter_free(iter);
	issue_batch_free(&b);
	free(todo);
	return rc;
}
