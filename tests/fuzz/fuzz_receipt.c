/*
 * fuzz_receipt.c - libFuzzer target for receipt_parse and checkpoint
 * parsing. Any input must be handled without a crash. A receipt that
 * parses (without the optional extra line) must format back to exactly
 * the input; checkpoint text that parses with no extension lines must
 * format back to exactly the input.
 */
#include <stdlib.h>
#include <string.h>

#include "tlog/checkpoint.h"
#include "tlog/receipt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct receipt *r = NULL;
	struct checkpoint cp;
	struct buf b;
	const merkle_hash *proof;
	const char *note;
	size_t n, len;

	buf_init(&b);
	if (receipt_parse(s, size, &r, NULL) == HS_OK) {
		proof = receipt_proof(r, &n);
		note = receipt_checkpoint(r, &len);
		if (n > MERKLE_MAX_PROOF || strlen(note) != len ||
		    receipt_index(r) >= receipt_checkpoint_parsed(r)->size)
			abort();
		if (size < 29 || memcmp(s + 23, "extra ", 6) != 0) {
			if (receipt_format(receipt_index(r), proof, n, note, len,
			    &b, NULL) != HS_OK || b.len != size ||
			    memcmp(b.data, s, size) != 0)
				abort();
		}
		receipt_free(r);
	}
	if (checkpoint_parse(s, size, &cp, NULL) == HS_OK) {
		buf_reset(&b);
		if (checkpoint_format(cp.origin, cp.size, cp.root, &b, NULL) !=
		    HS_OK)
			abort();
		/* Equal unless the input had extension lines. */
		if (b.len == size && memcmp(b.data, s, size) != 0)
			abort();
		if (b.len > size || memcmp(b.data, s, b.len) != 0)
			abort();
	}
	(void)checkpoint_parse_note(s, size, &cp, NULL);
	buf_free(&b);
	return 0;
}
