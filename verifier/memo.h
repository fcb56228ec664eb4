/*
 * memo.h - answers already rendered, shared by the serving threads.
 *
 * A memo maps a 32-byte key (a SHA-256 over everything an answer was
 * rendered from) to the rendered bytes. It stands for no check: callers
 * verify first and key the memo by the verified inputs, so a hit only
 * saves rendering the same inputs again. A key may sit in any of 4 slots
 * of its bucket; a full bucket gives up one of them. The total size of
 * kept bodies stays under a byte budget.
 * Thread-safe.
 */
#ifndef HS_MEMO_H
#define HS_MEMO_H

#include <stddef.h>
#include <stdint.h>

#include "core/hs.h"

struct memo;

/* slots: a power of two (>= 4); budget: bytes of bodies kept at most. */
enum hs_err memo_new(size_t slots, size_t budget, struct memo **out,
    char *err);
void memo_free(struct memo *m); /* accepts NULL */

/* A malloc'd copy of the body kept under key (*len bytes), or NULL. */
char *memo_get(struct memo *m, const uint8_t key[32], size_t *len);
/* Keeps a copy of body under key (silently not, if over the budget). */
void memo_put(struct memo *m, const uint8_t key[32], const void *body,
    size_t len);

#endif
