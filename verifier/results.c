/*
 * results.c - batch answers kept for their downloads (results.h).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "results.h"

struct slot {
	struct render_batch bt;    /* rows owned; n == 0 and no rows: free */
	time_t made;
	size_t bytes;
	int used;
};

struct results {
	pthread_mutex_t mu;
	struct slot s[RESULTS_SLOTS];
	size_t bytes;
};

enum hs_err
results_new(struct results **out, char *err)
{
	struct results *rs = calloc(1, sizeof(*rs));

	if (rs == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	pthread_mutex_init(&rs->mu, NULL);
	*out = rs;
	return HS_OK;
}

static void
drop(struct results *rs, struct slot *sl)
{
	free(sl->bt.rows);
	rs->bytes -= sl->bytes;
	memset(sl, 0, sizeof(*sl));
}

void
results_free(struct results *rs)
{
	size_t i;

	if (rs == NULL)
		return;
	for (i = 0; i < RESULTS_SLOTS; i++)
		if (rs->s[i].used)
			drop(rs, &rs->s[i]);
	pthread_mutex_destroy(&rs->mu);
	free(rs);
}

static struct slot *
oldest(struct results *rs)
{
	struct slot *best = NULL;
	size_t i;

	for (i = 0; i < RESULTS_SLOTS; i++)
		if (rs->s[i].used && (best == NULL ||
		    rs->s[i].made < best->made))
			best = &rs->s[i];
	return best;
}

/* Drops what expired at now (or was made "after" it: a clock that went
 * back); returns a free slot, else the oldest. */
static struct slot *
sweep(struct results *rs, time_t now)
{
	size_t i;

	for (i = 0; i < RESULTS_SLOTS; i++) {
		struct slot *sl = &rs->s[i];

		if (sl->used && (now - sl->made >= RESULTS_TTL ||
		    now < sl->made))
			drop(rs, sl);
	}
	for (i = 0; i < RESULTS_SLOTS; i++)
		if (!rs->s[i].used)
			return &rs->s[i];
	return oldest(rs);
}

enum hs_err
results_put(struct results *rs, struct render_batch *bt, time_t now,
    char *err)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char rnd[RESULTS_TOKEN_LEN / 2];
	size_t bytes = bt->n * sizeof(*bt->rows), i;
	struct render_row *rows;
	struct slot *sl;

	if (bytes > RESULTS_BUDGET)
		return hs_fail(err, HS_ERR_TOOBIG, "the answer is too large "
		    "to keep");
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return hs_fail(err, HS_ERR_CRYPTO, "no random bytes");
	rows = malloc(bytes > 0 ? bytes : 1);
	if (rows == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	memcpy(rows, bt->rows, bytes);
	for (i = 0; i < sizeof(rnd); i++) {
		bt->token[2 * i] = hex[rnd[i] >> 4];
		bt->token[2 * i + 1] = hex[rnd[i] & 15];
	}
	bt->token[RESULTS_TOKEN_LEN] = '\0';
	pthread_mutex_lock(&rs->mu);
	sl = sweep(rs, now);
	if (sl->used)
		drop(rs, sl);
	while (rs->bytes + bytes > RESULTS_BUDGET) {
		struct slot *o = oldest(rs);

		if (o == NULL)
			break;
		drop(rs, o);
	}
	sl->bt = *bt;
	sl->bt.rows = rows;
	sl->made = now;
	sl->bytes = bytes;
	sl->used = 1;
	rs->bytes += bytes;
	pthread_mutex_unlock(&rs->mu);
	return HS_OK;
}

/* True if t is RESULTS_TOKEN_LEN lowercase hex digits. */
static bool
is_token(const char *t)
{
	size_t i;

	for (i = 0; i < RESULTS_TOKEN_LEN; i++)
		if (!((t[i] >= '0' && t[i] <= '9') || (t[i] >= 'a' &&
		    t[i] <= 'f')))
			return false;
	return t[RESULTS_TOKEN_LEN] == '\0';
}

struct render_batch *
results_get(struct results *rs, const char *token, time_t now)
{
	struct render_batch *out = NULL;
	size_t i;

	if (token == NULL || !is_token(token))
		return NULL;
	pthread_mutex_lock(&rs->mu);
	sweep(rs, now);
	for (i = 0; i < RESULTS_SLOTS; i++) {
		struct slot *sl = &rs->s[i];

		if (!sl->used || CRYPTO_memcmp(sl->bt.token, token,
		    RESULTS_TOKEN_LEN) != 0)
			continue;
		out = malloc(sizeof(*out));
		if (out == NULL)
			break;
		*out = sl->bt;
		out->rows = malloc(sl->bytes > 0 ? sl->bytes : 1);
		if (out->rows == NULL) {
			free(out);
			out = NULL;
			break;
		}
		memcpy(out->rows, sl->bt.rows, sl->bytes);
		break;
	}
	pthread_mutex_unlock(&rs->mu);
	return out;
}

void
results_release(struct render_batch *bt)
{
	if (bt == NULL)
		return;
	free(bt->rows);
	free(bt);
}
