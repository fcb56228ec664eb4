/*
 * test_memo.c - the shared memo of rendered answers: hits return a copy,
 * other keys miss, a slot is replaced, the byte budget holds.
 */
#include <stdlib.h>
#include <string.h>

#include "memo.h"
#include "t.h"

static void
key_of(unsigned i, uint8_t k[32])
{
	memset(k, 0, 32);
	memcpy(k, &i, sizeof(i));
	k[31] = 0xA5;
}

int
main(void)
{
	struct memo *m = NULL;
	uint8_t k1[32], k2[32], k3[32];
	char *got, big[600];
	size_t len = 0;
	unsigned i, kept;
	char err[HS_ERRLEN];

	T_OK(memo_new(1000, 1024, &m, err) == HS_ERR_INVALID &&
	    memo_new(2, 1024, &m, err) == HS_ERR_INVALID,
	    "slots must be a power of two, at least 4");
	T_OK(memo_new(16, 1024, &m, err) == HS_OK, "memo of 16 slots, 1 KB");
	key_of(1, k1);
	key_of(2, k2);
	key_of(17, k3); /* the same bucket as 1 */
	T_OK(memo_get(m, k1, &len) == NULL, "empty: miss");
	memo_put(m, k1, "hello", 5);
	got = memo_get(m, k1, &len);
	T_OK(got != NULL && len == 5 && memcmp(got, "hello", 5) == 0,
	    "hit returns the body");
	free(got);
	T_OK(memo_get(m, k2, &len) == NULL, "another key misses");
	memo_put(m, k3, "world!", 6);
	got = memo_get(m, k1, &len);
	T_OK(got != NULL && len == 5, "a second key in the same bucket keeps "
	    "the first");
	free(got);
	got = memo_get(m, k3, &len);
	T_OK(got != NULL && len == 6 && memcmp(got, "world!", 6) == 0,
	    "and is found");
	free(got);
	memo_put(m, k3, "again", 5);
	got = memo_get(m, k3, &len);
	T_OK(got != NULL && len == 5, "the same key is replaced in place");
	free(got);
	{
		unsigned found = 0, j;
		uint8_t k[32];

		for (j = 33; j <= 65; j += 16) {
			key_of(j, k);
			memo_put(m, k, "x", 1);
		}
		for (j = 1; j <= 65; j += 16) {
			key_of(j, k);
			if ((got = memo_get(m, k, &len)) != NULL) {
				found++;
				free(got);
			}
		}
		T_OK(found == 4, "5 keys in a 4-way bucket: 4 kept (%u)",
		    found);
	}
	/* Budget: 600-byte bodies in a 1 KB memo. */
	memset(big, 'b', sizeof(big));
	kept = 0;
	for (i = 100; i < 110; i++) {
		uint8_t k[32];

		key_of(i, k);
		memo_put(m, k, big, sizeof(big));
		if ((got = memo_get(m, k, &len)) != NULL) {
			kept++;
			free(got);
		}
	}
	T_OK(kept == 1, "only what fits the budget is kept (%u of 10)",
	    kept);
	memo_free(m);
	return t_done();
}
