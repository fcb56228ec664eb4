/*
 * signer.c - the signer process's checks and protocol (signer.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "app/signer.h"
#include "cert/cert.h"
#include "core/util.h"
#include "pdf/pades.h"
#include "tlog/note.h"

#define CERT_PREFIX "hourseal/cert/v1\n"

struct signer_remote {
	int fd;
	pthread_mutex_t mu;
	uint8_t *buf;   /* SIGNER_MSG_MAX: the answer */
	struct pades_signer *pades; /* signs through this process, or NULL */
};

/* A checkpoint: "<origin>\n<size>\n<base64 32 bytes>\n" and nothing else. */
static enum hs_err
check_checkpoint(const char *origin, const char *msg, size_t len,
    char *what, size_t whatcap, char *err)
{
	size_t ol = strlen(origin), i, sl;
	const char *p = msg + ol + 1, *e = msg + len, *nl;
	uint8_t hash[33];

	if (len <= ol + 1 || memcmp(msg, origin, ol) != 0 || msg[ol] != '\n')
		return hs_fail(err, HS_ERR_STATE, "refused: neither a "
		    "certificate note nor a checkpoint of origin %s", origin);
	nl = memchr(p, '\n', (size_t)(e - p));
	if (nl == NULL)
		return hs_fail(err, HS_ERR_STATE, "refused: checkpoint without "
		    "a size line");
	sl = (size_t)(nl - p);
	if (sl == 0 || sl > 20 || (sl > 1 && p[0] == '0'))
		return hs_fail(err, HS_ERR_STATE, "refused: checkpoint size "
		    "is not a decimal number");
	for (i = 0; i < sl; i++)
		if (p[i] < '0' || p[i] > '9')
			return hs_fail(err, HS_ERR_STATE, "refused: checkpoint "
			    "size is not a decimal number");
	{
		uint64_t v;

		if (dec_parse_u64(p, sl, UINT64_MAX, &v) != 0)
			return hs_fail(err, HS_ERR_STATE, "refused: checkpoint "
			    "size out of range");
	}
	snprintf(what, whatcap, "checkpoint size %.*s", (int)sl, p);
	p = nl + 1;
	/* The root hash line, then the end of the text: no extension lines. */
	if (e - p != 45 || p[44] != '\n' ||
	    b64_decode(p, 44, hash, sizeof(hash)) != 32)
		return hs_fail(err, HS_ERR_STATE, "refused: a checkpoint is "
		    "origin, size and root hash, nothing else");
	return HS_OK;
}

enum hs_err
signer_check(const char *origin, const char *msg, size_t len, char *what,
    size_t whatcap, char *err)
{
	struct cert c;
	char e2[HS_ERRLEN];

	if (len == 0 || len > SIGNER_MSG_MAX)
		return hs_fail(err, HS_ERR_STATE, "refused: %zu bytes (1..%d)",
		    len, SIGNER_MSG_MAX);
	if (memchr(msg, '\0', len) != NULL)
		return hs_fail(err, HS_ERR_STATE, "refused: a NUL byte");
	if (len > sizeof(CERT_PREFIX) - 1 &&
	    memcmp(msg, CERT_PREFIX, sizeof(CERT_PREFIX) - 1) == 0) {
		memset(&c, 0, sizeof(c));
		if (cert_decode(msg, len, &c, e2) != HS_OK) {
			cert_free(&c);
			return hs_fail(err, HS_ERR_STATE, "refused: not a valid "
			    "certificate note (%s)", e2);
		}
		snprintf(what, whatcap, "certificate %s", c.serial);
		cert_free(&c);
		return HS_OK;
	}
	return check_checkpoint(origin, msg, len, what, whatcap, err);
}

static void
send_err(int fd, const char *msg)
{
	char b[HS_ERRLEN + 1];
	size_t n = strlen(msg);

	if (n > HS_ERRLEN - 1)
		n = HS_ERRLEN - 1;
	b[0] = 'E';
	memcpy(b + 1, msg, n);
	(void)send(fd, b, n + 1, MSG_NOSIGNAL);
}

enum hs_err
signer_serve(int fd, const struct note_signer *s, const char *label,
    const char *load_err, FILE *log, char *err)
{
	return signer_serve_pades(fd, s, NULL, label, load_err, log, err);
}

/* The second hello message: 'C' sigmax[2] PEM, or 'N'. */
static enum hs_err
send_chain(int fd, const struct pades_signer *pades, char *err)
{
	const char *pem;
	uint8_t *m;
	size_t len, sm;
	ssize_t n;

	if (pades == NULL)
		n = send(fd, "N", 1, MSG_NOSIGNAL);
	else {
		pem = pades_signer_chain(pades, &len);
		sm = pades_signer_sigmax(pades);
		if (len + 3 > SIGNER_MSG_MAX)
			return hs_fail(err, HS_ERR_TOOBIG, "signer: the "
			    "document certificate chain is too long");
		if ((m = malloc(len + 3)) == NULL)
			return hs_fail(err, HS_ERR_NOMEM, "out of memory");
		m[0] = 'C';
		m[1] = (uint8_t)(sm >> 8);
		m[2] = (uint8_t)sm;
		memcpy(m + 3, pem, len);
		n = send(fd, m, len + 3, MSG_NOSIGNAL);
		free(m);
	}
	if (n < 0)
		return hs_fail(err, HS_ERR_IO, "signer: send: %s",
		    strerror(errno));
	return HS_OK;
}

/* A PAdES request: "\0P" and the DER signed attributes. */
static void
serve_pades(int fd, const struct pades_signer *pades, const char *req,
    size_t n, FILE *log)
{
	uint8_t ans[1 + PADES_SIG_MAX];
	size_t sl = PADES_SIG_MAX;
	char e2[HS_ERRLEN];

	if (pades == NULL) {
		fprintf(log, "hourseal-signer: refused: a PDF signature, but "
		    "there is no document key\n");
		fflush(log);
		send_err(fd, "refused: no document key");
		return;
	}
	if (pades_sign_attrs(pades, (const uint8_t *)req + 2, n - 2,
	    ans + 1, &sl, e2) != HS_OK) {
		fprintf(log, "hourseal-signer: PDF signature: %s\n", e2);
		fflush(log);
		send_err(fd, e2);
		return;
	}
	ans[0] = 'D';
	fprintf(log, "hourseal-signer: signed PDF signed attributes (%zu "
	    "bytes)\n", n - 2);
	fflush(log);
	(void)send(fd, ans, 1 + sl, MSG_NOSIGNAL);
}

enum hs_err
signer_serve_pades(int fd, const struct note_signer *s,
    const struct pades_signer *pades, const char *label,
    const char *load_err, FILE *log, char *err)
{
	char *req = NULL, what[128], e2[HS_ERRLEN];
	uint8_t ans[1 + NOTE_SIG_LEN];
	uint8_t hello[2 + NOTE_KEY_MAX + 1 + KEYS_LABEL_MAX + NOTE_NAME_MAX];
	const char *name;
	ssize_t n;
	size_t nl, ll, kl;

	if (s == NULL) {
		send_err(fd, load_err ? load_err : "no key");
		return hs_fail(err, HS_ERR_STATE, "%s",
		    load_err ? load_err : "no key");
	}
	name = note_signer_name(s);
	nl = strlen(name);
	ll = strlen(label);
	if (ll > KEYS_LABEL_MAX)
		ll = KEYS_LABEL_MAX;
	hello[0] = 'K';
	note_signer_key(s, hello + 2, &kl);
	hello[1] = (uint8_t)kl;
	hello[2 + kl] = (uint8_t)ll;
	memcpy(hello + 3 + kl, label, ll);
	memcpy(hello + 3 + kl + ll, name, nl);
	if (send(fd, hello, 3 + kl + ll + nl, MSG_NOSIGNAL) < 0)
		return hs_fail(err, HS_ERR_IO, "signer: send: %s",
		    strerror(errno));
	if (send_chain(fd, pades, err) != HS_OK)
		return HS_ERR_IO;
	if ((req = malloc(SIGNER_MSG_MAX + 1)) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	for (;;) {
		n = recv(fd, req, SIGNER_MSG_MAX + 1, MSG_TRUNC);
		if (n == 0)
			break; /* the HTTP process is gone */
		if (n < 0) {
			if (errno == EINTR)
				continue;
			free(req);
			return hs_fail(err, HS_ERR_IO, "signer: recv: %s",
			    strerror(errno));
		}
		if ((size_t)n > SIGNER_MSG_MAX) {
			fprintf(log, "hourseal-signer: refused: a request of "
			    "%zd bytes (at most %d)\n", n, SIGNER_MSG_MAX);
			send_err(fd, "refused: request too large");
			continue;
		}
		/* Text never holds a NUL: "\0P" cannot be a note. */
		if (n >= 2 && req[0] == '\0' && req[1] == 'P') {
			serve_pades(fd, pades, req, (size_t)n, log);
			continue;
		}
		if (signer_check(name, req, (size_t)n, what, sizeof(what),
		    e2) != HS_OK) {
			fprintf(log, "hourseal-signer: %s\n", e2);
			fflush(log);
			send_err(fd, e2);
			continue;
		}
		if (note_sign_raw(s, req, (size_t)n, ans + 1, e2) != HS_OK) {
			fprintf(log, "hourseal-signer: signing failed: %s\n", e2);
			send_err(fd, e2);
			continue;
		}
		ans[0] = 'S';
		fprintf(log, "hourseal-signer: signed %s\n", what);
		fflush(log);
		if (send(fd, ans, sizeof(ans), MSG_NOSIGNAL) < 0)
			break;
	}
	free(req);
	return HS_OK;
}

/* ---- the HTTP process's side ---- */

/*
 * One exchange with the signer process: sends req[0..len) and, for the
 * answer byte want ('S' a note signature, 'D' a PDF signature), puts
 * the answer's payload at out (at most *outlen bytes; *outlen becomes
 * its length). 'E' is the signer's refusal; anything else is an error.
 */
static enum hs_err
remote_ask(struct signer_remote *r, const void *req, size_t len, char want,
    uint8_t *out, size_t *outlen, char *err)
{
	ssize_t n;
	enum hs_err rc = HS_OK;

	pthread_mutex_lock(&r->mu);
	if (send(r->fd, req, len, MSG_NOSIGNAL) != (ssize_t)len) {
		rc = hs_fail(err, HS_ERR_IO, "the signer process is gone (%s)",
		    strerror(errno));
		goto out;
	}
	do
		n = recv(r->fd, r->buf, SIGNER_MSG_MAX, 0);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		rc = hs_fail(err, HS_ERR_IO, "the signer process is gone");
		goto out;
	}
	if (r->buf[0] == want && n >= 2 && (size_t)(n - 1) <= *outlen) {
		memcpy(out, r->buf + 1, (size_t)n - 1);
		*outlen = (size_t)n - 1;
	} else if (r->buf[0] == 'E') {
		rc = hs_fail(err, HS_ERR_STATE, "the signer refused: %.*s",
		    (int)(n - 1 > 300 ? 300 : n - 1), (char *)r->buf + 1);
	} else {
		rc = hs_fail(err, HS_ERR_IO, "the signer process answered "
		    "something else");
	}
out:
	pthread_mutex_unlock(&r->mu);
	return rc;
}

static enum hs_err
remote_sign(void *ctx, const char *text, size_t len, uint8_t sig[64],
    char *err)
{
	size_t got = NOTE_SIG_LEN;
	enum hs_err rc;

	if (len == 0 || len > SIGNER_MSG_MAX)
		return hs_fail(err, HS_ERR_TOOBIG, "signer: a message of %zu "
		    "bytes (at most %d)", len, SIGNER_MSG_MAX);
	rc = remote_ask(ctx, text, len, 'S', sig, &got, err);
	if (rc == HS_OK && got != NOTE_SIG_LEN)
		rc = hs_fail(err, HS_ERR_IO, "the signer process answered "
		    "something else");
	return rc;
}

/* The PDF signer's signing call: "\0P" tbs, answered 'D' sig. */
static enum hs_err
remote_pades_sign(void *ctx, const uint8_t *tbs, size_t len, uint8_t *sig,
    size_t *siglen, char *err)
{
	uint8_t req[2 + PADES_ATTRS_MAX];

	if (len == 0 || len > PADES_ATTRS_MAX)
		return hs_fail(err, HS_ERR_TOOBIG, "signer: %zu bytes of "
		    "signed attributes", len);
	req[0] = '\0';
	req[1] = 'P';
	memcpy(req + 2, tbs, len);
	return remote_ask(ctx, req, 2 + len, 'D', sig, siglen, err);
}

/* The second hello message: the document chain ('C') or none ('N'). */
static enum hs_err
read_chain(struct signer_remote *r, char *err)
{
	ssize_t n;
	size_t sm;
	enum hs_err rc;

	do
		n = recv(r->fd, r->buf, SIGNER_MSG_MAX, 0);
	while (n < 0 && errno == EINTR);
	if (n == 1 && r->buf[0] == 'N')
		return HS_OK;
	if (n < 4 || r->buf[0] != 'C')
		return hs_fail(err, HS_ERR_IO, "the signer process said "
		    "something else");
	sm = (size_t)r->buf[1] << 8 | r->buf[2];
	if ((rc = pades_signer_new_pem((char *)r->buf + 3, (size_t)n - 3,
	    "the signer's document certificate", remote_pades_sign, r, sm,
	    &r->pades, err)) != HS_OK)
		return rc;
	return HS_OK;
}

struct pades_signer *
signer_remote_pades(const struct signer_remote *r)
{
	return r == NULL ? NULL : r->pades;
}

enum hs_err
signer_remote_open(int fd, struct note_signer **s,
    char label[KEYS_LABEL_MAX + 1], struct signer_remote **out, char *err)
{
	struct signer_remote *r;
	char name[NOTE_NAME_MAX + 1];
	ssize_t n;
	size_t ll, nl, kl;
	enum hs_err rc;

	*s = NULL;
	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->buf = malloc(SIGNER_MSG_MAX)) == NULL) {
		free(r);
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	}
	r->fd = fd;
	pthread_mutex_init(&r->mu, NULL);
	do
		n = recv(fd, r->buf, SIGNER_MSG_MAX, 0);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		rc = hs_fail(err, HS_ERR_IO, "the signer process did not "
		    "start");
		goto fail;
	}
	if (r->buf[0] == 'E') {
		rc = hs_fail(err, HS_ERR_STATE, "%.*s",
		    (int)(n - 1 > 400 ? 400 : n - 1), (char *)r->buf + 1);
		goto fail;
	}
	kl = n >= 2 ? r->buf[1] : 0;
	ll = n >= 3 + (ssize_t)kl ? r->buf[2 + kl] : 0;
	if (r->buf[0] != 'K' || kl > NOTE_KEY_MAX || n < 4 + (ssize_t)kl ||
	    ll > KEYS_LABEL_MAX || (size_t)n < 4 + kl + ll ||
	    (nl = (size_t)n - 3 - kl - ll) > NOTE_NAME_MAX) {
		rc = hs_fail(err, HS_ERR_IO, "the signer process said "
		    "something else");
		goto fail;
	}
	memcpy(label, r->buf + 3 + kl, ll);
	label[ll] = '\0';
	memcpy(name, r->buf + 3 + kl + ll, nl);
	name[nl] = '\0';
	if ((rc = note_signer_new_remote_key(name, r->buf + 2, kl,
	    remote_sign, r, NULL, s, err)) != HS_OK)
		goto fail;
	/* r->buf held the key; the chain comes next. */
	if ((rc = read_chain(r, err)) != HS_OK) {
		note_signer_free(*s);
		*s = NULL;
		goto fail;
	}
	*out = r;
	return HS_OK;
fail:
	r->fd = -1;
	signer_remote_free(r);
	return rc;
}

void
signer_remote_free(struct signer_remote *r)
{
	if (r == NULL)
		return;
	if (r->fd >= 0)
		close(r->fd);
	pades_signer_free(r->pades);
	pthread_mutex_destroy(&r->mu);
	free(r->buf);
	free(r);
}
