/*
 * memo.c - rendered answers shared by the serving threads (memo.h).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "memo.h"

#define MEMO_LOCKS 64

struct memo_ent {
	uint8_t key[32];
	char *body;               /* NULL: empty */
	size_t len;
};

struct memo {
	struct memo_ent *e;
	size_t mask;
	size_t budget;
	size_t used;              /* atomic: bytes of bodies kept */
	pthread_mutex_t lk[MEMO_LOCKS];
};

enum hs_err
memo_new(size_t slots, size_t budget, struct memo **out, char *err)
{
	struct memo *m;
	size_t i;

	*out = NULL;
	if (slots < 4 || (slots & (slots - 1)) != 0)
		return hs_fail(err, HS_ERR_INVALID, "memo slots must be a "
		    "power of two, at least 4");
	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (m->e = calloc(slots, sizeof(*m->e))) == NULL) {
		free(m);
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	}
	m->mask = slots - 1;
	m->budget = budget;
	for (i = 0; i < MEMO_LOCKS; i++)
		pthread_mutex_init(&m->lk[i], NULL);
	*out = m;
	return HS_OK;
}

void
memo_free(struct memo *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i <= m->mask; i++)
		free(m->e[i].body);
	for (i = 0; i < MEMO_LOCKS; i++)
		pthread_mutex_destroy(&m->lk[i]);
	free(m->e);
	free(m);
}

/*
 * Each key may sit in any of the 4 slots of its bucket, so a few keys that
 * share a bucket do not keep pushing each other out.
 */
#define MEMO_WAYS 4

static size_t
bucket_of(const struct memo *m, const uint8_t key[32])
{
	uint64_t h;

	memcpy(&h, key, sizeof(h)); /* the key is a hash already */
	return (size_t)h & m->mask & ~(size_t)(MEMO_WAYS - 1);
}

static pthread_mutex_t *
lock_of(struct memo *m, size_t bucket)
{
	return &m->lk[(bucket / MEMO_WAYS) % MEMO_LOCKS];
}

char *
memo_get(struct memo *m, const uint8_t key[32], size_t *len)
{
	size_t b = bucket_of(m, key), i;
	char *copy = NULL;

	pthread_mutex_lock(lock_of(m, b));
	for (i = b; i < b + MEMO_WAYS; i++) {
		struct memo_ent *e = &m->e[i];

		if (e->body == NULL || memcmp(e->key, key, 32) != 0)
			continue;
		if ((copy = malloc(e->len > 0 ? e->len : 1)) != NULL) {
			memcpy(copy, e->body, e->len);
			*len = e->len;
		}
		break;
	}
	pthread_mutex_unlock(lock_of(m, b));
	return copy;
}

void
memo_put(struct memo *m, const uint8_t key[32], const void *body,
    size_t len)
{
	size_t b = bucket_of(m, key), i, old;
	struct memo_ent *e = NULL;
	char *keep;

	if (len > m->budget || (keep = malloc(len > 0 ? len : 1)) == NULL)
		return;
	memcpy(keep, body, len);
	pthread_mutex_lock(lock_of(m, b));
	/* The same key, else an empty slot, else the one the key picks. */
	for (i = b; i < b + MEMO_WAYS && e == NULL; i++)
		if (m->e[i].body != NULL && memcmp(m->e[i].key, key, 32) == 0)
			e = &m->e[i];
	for (i = b; i < b + MEMO_WAYS && e == NULL; i++)
		if (m->e[i].body == NULL)
			e = &m->e[i];
	if (e == NULL)
		e = &m->e[b + key[8] % MEMO_WAYS];
	old = e->body != NULL ? e->len : 0;
	if (__atomic_add_fetch(&m->used, len, __ATOMIC_RELAXED) - old >
	    m->budget) {
		__atomic_sub_fetch(&m->used, len, __ATOMIC_RELAXED);
		pthread_mutex_unlock(lock_of(m, b));
		free(keep);
		return;
	}
	free(e->body);
	__atomic_sub_fetch(&m->used, old, __ATOMIC_RELAXED);
	memcpy(e->key, key, 32);
	e->body = keep;
	e->len = len;
	pthread_mutex_unlock(lock_of(m, b));
}
