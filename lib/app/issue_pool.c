/*
 * issue_pool.c - this module is the issuer's render pool: threads that
 * take the items of a batch from a queue, render each one's PDF, hash it
 * and write it to its temporary file (".<serial>.pdf.tmp") in the year
 * directory, reusing leftover temporary files (spares) where it can.
 * The main thread queues a batch, goes on signing the next one, and
 * waits for the renders before it commits.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/issue.h"
#include "app/issue_int.h"
#include "core/file.h"
#include "core/progress.h"
#include "core/util.h"
#include "pdf/pades.h"
#include "pdf/pdf.h"

/*
 * Gives a spare file the name tmp, if there is one (see struct pool in
 * issue_int.h).
 */
static void
pool_reuse(struct pool *p, const char *dir, const char *tmp)
{
	char name[SPARE_NAME], old[PATH_MAX];
	bool got = false;

	pthread_mutex_lock(&p->mu);
	if (p->nspare > 0) {
		memcpy(name, p->spare[--p->nspare], sizeof(name));
		got = true;
	}
	pthread_mutex_unlock(&p->mu);
	if (got && path_join(old, sizeof(old), dir, name, NULL) == HS_OK)
		(void)rename(old, tmp);
}

/* Keeps dir's temporary file `name` for reuse. */
void
pool_spare(struct pool *p, const char *name)
{
	void *q;

	if (strlen(name) >= SPARE_NAME)
		return;
	pthread_mutex_lock(&p->mu);
	if (p->nspare == p->capspare) {
		size_t cap = p->capspare ? p->capspare * 2 : 256;

		if ((q = realloc(p->spare, cap * sizeof(*p->spare))) == NULL) {
			pthread_mutex_unlock(&p->mu);
			return;
		}
		p->spare = q;
		p->capspare = cap;
	}
	snprintf(p->spare[p->nspare++], SPARE_NAME, "%s", name);
	pthread_mutex_unlock(&p->mu);
}

/* Renders one item to its temporary file and hashes it. */
static void
render_item(struct pool *p, struct item *it, struct buf *pdf)
{
	char final[PATH_MAX], tmp[PATH_MAX];

	buf_reset(pdf);
	it->rc = issue_pdf_paths(it->dir, it->c.serial, final, tmp, it->err);
	if (it->rc != HS_OK)
		return;
	/* The QR code shows the URL the note signs; older notes have none. */
	it->rc = pdf_render(p->r, NULL, &it->c, it->note.data, it->note.len,
	    it->receipt.data, it->receipt.len, it->c.verify_url[0] != '\0' ?
	    it->c.verify_url : p->base_url, pdf, it->err);
	if (it->rc == HS_OK && pdf->oom)
		it->rc = hs_fail(it->err, HS_ERR_NOMEM, "out of memory");
	/* Signed (PAdES) after rendering, dated when the note was issued. */
	if (it->rc == HS_OK && p->pades != NULL) {
		time_t when;

		if (time_parse_rfc3339(it->c.issued, &when) != 0)
			it->rc = hs_fail(it->err, HS_ERR_FORMAT, "bad issued "
			    "time");
		else
			it->rc = pades_sign(p->pades, when, pdf, it->err);
	}
	if (it->rc != HS_OK) {
		hs_errprefix(it->err, "%s", it->c.serial);
		return;
	}
	/* The SHA-256 recorded is the signed file's. */
	issue_sha_hex(pdf->data, pdf->len, it->sha);
	it->pdf_len = pdf->len;
	pool_reuse(p, it->dir, tmp);
	it->rc = file_put(tmp, pdf->data, pdf->len, 0644, 0, it->err);
}

static void *
worker(void *arg)
{
	struct pool *p = arg;
	struct item *it;
	struct buf pdf;

	buf_init(&pdf);
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (p->qlen == 0 && !p->stop)
			pthread_cond_wait(&p->work, &p->mu);
		if (p->qlen == 0 && p->stop)
			break;
		it = p->q[p->qhead];
		p->qhead = (p->qhead + 1) % p->qcap;
		p->qlen--;
		pthread_mutex_unlock(&p->mu);
		render_item(p, it, &pdf);
		/* Big documents should not pin memory for the whole run. */
		if (pdf.cap > (size_t)4 << 20)
			buf_free(&pdf);
		pthread_mutex_lock(&p->mu);
		p->rendered++;
		if (--p->busy == 0)
			pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	buf_free(&pdf);
	return NULL;
}

enum hs_err
pool_start(struct pool *p, struct pdf_renderer *r,
    const struct pades_signer *pades, const char *base_url, int nth,
    size_t qcap, char *err)
{
	int i;

	memset(p, 0, sizeof(*p));
	p->r = r;
	p->pades = pades;
	p->base_url = base_url;
	p->qcap = qcap;
	if ((p->q = calloc(qcap, sizeof(*p->q))) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	for (i = 0; i < nth; i++) {
		if (pthread_create(&p->th[i], NULL, worker, p) != 0)
			break;
		p->nth++;
	}
	return HS_OK;
}

void
pool_stop(struct pool *p)
{
	int i;

	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->nth; i++)
		pthread_join(p->th[i], NULL);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	free(p->q);
	free(p->spare);
	memset(p, 0, sizeof(*p));
}

/*
 * Queues the items of b that are still in it. Without threads (none
 * could be started) they are rendered here and now.
 */
void
pool_submit(struct pool *p, struct batch *b)
{
	struct buf pdf;
	size_t i;

	if (p->nth == 0) {
		buf_init(&pdf);
		for (i = 0; i < b->n; i++)
			if (!b->items[i].dropped)
				render_item(p, &b->items[i], &pdf);
		buf_free(&pdf);
		return;
	}
	pthread_mutex_lock(&p->mu);
	for (i = 0; i < b->n; i++) {
		if (b->items[i].dropped)
			continue;
		/* The queue holds two batches; the caller never queues more. */
		p->q[(p->qhead + p->qlen) % p->qcap] = &b->items[i];
		p->qlen++;
		p->busy++;
	}
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
}

/* Items rendered so far (for progress reports). */
long
pool_rendered(struct pool *p)
{
	long n;

	pthread_mutex_lock(&p->mu);
	n = p->rendered;
	pthread_mutex_unlock(&p->mu);
	return n;
}

/*
 * Waits until every queued item is rendered. With prog, redraws the
 * progress report while waiting: base + the items rendered since the
 * pool had rendered mark, at most cap (the holders waiting on them).
 */
void
pool_wait(struct pool *p, struct progress *prog, long base, long mark,
    long cap)
{
	struct timespec ts;

	pthread_mutex_lock(&p->mu);
	while (p->busy > 0) {
		if (prog == NULL) {
			pthread_cond_wait(&p->done, &p->mu);
			continue;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 200 * 1000 * 1000;
		if (ts.tv_nsec >= 1000 * 1000 * 1000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000 * 1000 * 1000;
		}
		if (pthread_cond_timedwait(&p->done, &p->mu, &ts) != 0) {
			long n = p->rendered - mark;

			pthread_mutex_unlock(&p->mu);
			if (n > cap)
				n = cap;
			progress_set(prog, base + n);
			pthread_mutex_lock(&p->mu);
		}
	}
	pthread_mutex_unlock(&p->mu);
}
