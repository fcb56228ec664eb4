/*
 * fuzz_vstate.c - libFuzzer target for vstate_parse, the verifier's state
 * file (verifier/vstate.h). A file that parses must have its note inside
 * the input, within bounds, and a header that says what the note says.
 * fuzz-sources: verifier/vstate.c verifier/vtree.c verifier/verify.c
 * fuzz-pkgs: sqlite3
 */
#include <stdlib.h>
#include <string.h>

#include "vstate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct checkpoint hdr, in;
	const char *note;
	size_t nlen;
	char *s;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (vstate_parse(s, size, &hdr, &note, &nlen, NULL) == HS_OK) {
		if (note < s || note + nlen != s + size || nlen == 0 ||
		    nlen > CHECKPOINT_NOTE_MAX ||
		    checkpoint_parse_note(note, nlen, &in, NULL) != HS_OK ||
		    in.size != hdr.size || strcmp(in.origin, hdr.origin) != 0 ||
		    memcmp(in.root, hdr.root, MERKLE_HASH) != 0)
			abort();
	}
	free(s);
	return 0;
}
