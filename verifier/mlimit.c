/*
 * mlimit.c - per-certificate ID-match limit (mlimit.h).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "mlimit.h"
#include "core/util.h"

#define DAY 86400

/* A day's count; day is the UTC day number modulo 2^16 (a stale cell
 * from 179 years ago is not a concern). */
struct cell {
	uint16_t day;
	uint16_t count;
};

struct mlimit {
	unsigned per_day;
	uint8_t key[32];
	pthread_mutex_t mu;
	struct cell *rows[2];
};

enum hs_err
mlimit_new(unsigned per_day, struct mlimit **out, char *err)
{
	struct mlimit *m;

	*out = NULL;
	if (per_day < 1 || per_day > 60000)
		return hs_fail(err, HS_ERR_INVALID, "per-certificate match "
		    "limit must be 1 to 60000");
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	m->per_day = per_day;
	m->rows[0] = calloc(MLIMIT_CELLS, sizeof(struct cell));
	m->rows[1] = calloc(MLIMIT_CELLS, sizeof(struct cell));
	if (m->rows[0] == NULL || m->rows[1] == NULL) {
		free(m->rows[0]);
		free(m->rows[1]);
		free(m);
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	}
	if (RAND_bytes(m->key, sizeof(m->key)) != 1) {
		free(m->rows[0]);
		free(m->rows[1]);
		free(m);
		return hs_fail(err, HS_ERR_CRYPTO, "no random bytes for the "
		    "match limit's key");
	}
	pthread_mutex_init(&m->mu, NULL);
	*out = m;
	return HS_OK;
}

void
mlimit_free(struct mlimit *m)
{
	if (m == NULL)
		return;
	pthread_mutex_destroy(&m->mu);
	OPENSSL_cleanse(m->key, sizeof(m->key));
	free(m->rows[0]);
	free(m->rows[1]);
	free(m);
}

unsigned
mlimit_per_day(const struct mlimit *m)
{
	return m->per_day;
}

bool
mlimit_take(struct mlimit *m, const char *serial, int64_t now,
    unsigned *left, unsigned *reset)
{
	uint8_t in[32 + 64], h[32];
	size_t n = strlen(serial);
	uint16_t day;
	struct cell *c[2];
	unsigned est, i;
	bool allowed;

	if (n > 64)
		n = 64;
	/* The cells: SHA-256 of key || serial, so nobody can pick serials
	 * that share a cell with another on purpose. */
	memcpy(in, m->key, 32);
	memcpy(in + 32, serial, n);
	sha256(in, 32 + n, h);
	OPENSSL_cleanse(in, 32);
	if (now < 0)
		now = 0;
	day = (uint16_t)((uint64_t)now / DAY);
	*reset = (unsigned)(DAY - (uint64_t)now % DAY);
	pthread_mutex_lock(&m->mu);
	for (i = 0; i < 2; i++) {
		uint32_t k = ((uint32_t)h[4 * i] << 24 | (uint32_t)h[4 * i + 1]
		    << 16 | (uint32_t)h[4 * i + 2] << 8 | h[4 * i + 3]) %
		    MLIMIT_CELLS;

		c[i] = &m->rows[i][k];
		if (c[i]->day != day) {
			c[i]->day = day;
			c[i]->count = 0;
		}
	}
	est = c[0]->count < c[1]->count ? c[0]->count : c[1]->count;
	allowed = est < m->per_day;
	if (allowed) {
		/* Conservative update: raise only what is below the new
		 * estimate, which keeps shared cells from drifting up. */
		for (i = 0; i < 2; i++)
			if (c[i]->count < est + 1)
				c[i]->count = (uint16_t)(est + 1);
		*left = m->per_day - (est + 1);
	} else {
		*left = 0;
	}
	pthread_mutex_unlock(&m->mu);
	return allowed;
}
