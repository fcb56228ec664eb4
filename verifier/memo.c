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
	if (slots == 0 || (slots & (slots - 1)) != 0)
		return hs_fail(err, HS_ERR_INVALID, "memo slots must be a "
		    "power of two");
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

static size_t
slot_of(const struct memo *m, const uint8_t key[32])
{
	uint64_t h;

	memcpy(&h, key, sizeof(h)); /* the key is a hash already */
	return (size_t)h & m->mask;
}

char *
memo_get(struct memo *m, const uint8_t key[32], size_t *len)
{
	size_t i = slot_of(m, key);
	struct memo_ent *e = &m->e[i];
	char *copy = NULL;

	pthread_mutex_lock(&m->lk[i % MEMO_LOCKS]);
	if (e->body != NULL && memcmp(e->key, key, 32) == 0 &&
	    (copy = malloc(e->len > 0 ? e->len : 1)) != NULL) {
		memcpy(copy, e->body, e->len);
		*len = e->len;
	}
	pthread_mutex_unlock(&m->lk[i % MEMO_LOCKS]);
	return copy;
}

void
memo_put(struct memo *m, const uint8_t key[32], const void *body,
    size_t len)
{
	size_t i = slot_of(m, key), old;
	struct memo_ent *e = &m->e[i];
	char *keep;

	if (len > m->budget || (keep = malloc(len > 0 ? len : 1)) == NULL)
		return;
	memcpy(keep, body, len);
	pthread_mutex_lock(&m->lk[i % MEMO_LOCKS]);
	old = e->body != NULL ? e->len : 0;
	if (__atomic_add_fetch(&m->used, len, __ATOMIC_RELAXED) - old >
	    m->budget) {
		__atomic_sub_fetch(&m->used, len, __ATOMIC_RELAXED);
		pthread_mutex_unlock(&m->lk[i % MEMO_LOCKS]);
		free(keep);
		return;
	}
	free(e->body);
	__atomic_sub_fetch(&m->used, old, __ATOMIC_RELAXED);
	memcpy(e->key, key, 32);
	e->body = keep;
	e->len = len;
	pthread_mutex_unlock(&m->lk[i % MEMO_LOCKS]);
}
