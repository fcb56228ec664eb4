/*
 * fuzz_ledger_text.c - libFuzzer target for tile_path_parse and
 * leaf_parse. A tile path that parses must format back to itself (minus
 * one leading '/'); a revoke, key, key-retire, key-compromise or audit
 * leaf entry that parses must be exactly what leaf_revoke / leaf_key /
 * leaf_key_retire / leaf_key_compromise / leaf_audit write for its
 * fields, and leaf_is_key_kind must say so for exactly the key kinds.
 */
#include <stdlib.h>
#include <string.h>

#include "cert/leaf.h"
#include "tlog/tile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tile t;
	struct leaf lf;
	struct buf b;
	char *s, back[TILE_PATH_MAX];

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (tile_path_parse(s, &t, NULL) == HS_OK) {
		if (tile_path_format(&t, back, sizeof(back)) != 0 ||
		    strcmp(back, s[0] == '/' ? s + 1 : s) != 0 ||
		    t.width < 1 || t.width > TILE_WIDTH)
			abort();
	}
	buf_init(&b);
	if (leaf_parse((const char *)data, size, &lf, NULL) == HS_OK) {
		enum hs_err rc = HS_OK;

		if (lf.kind == LEAF_REVOKE)
			rc = leaf_revoke(lf.serial, lf.reason, lf.time, &b,
			    NULL);
		else if (lf.kind == LEAF_KEY)
			rc = leaf_key(lf.vkey, lf.time, &b, NULL);
		else if (lf.kind == LEAF_KEY_RETIRE)
			rc = leaf_key_retire(lf.vkey, lf.time, &b, NULL);
		else if (lf.kind == LEAF_KEY_COMPROMISE)
			rc = leaf_key_compromise(lf.vkey, lf.time, &b, NULL);
		else if (lf.kind == LEAF_AUDIT)
			rc = leaf_audit(lf.count, lf.head, &b, NULL);
		if (lf.kind != LEAF_ISSUE && !leaf_is_key_kind((const char *)
		    data, size) != (lf.kind == LEAF_REVOKE ||
		    lf.kind == LEAF_AUDIT))
			abort();
		if (rc != HS_OK || (lf.kind != LEAF_ISSUE &&
		    (b.len != size || memcmp(b.data, data, size) != 0)))
			abort();
	}
	buf_free(&b);
	free(s);
	return 0;
}
