/*
 * fuzz_keylog.c - libFuzzer target for lib/keylog: the input is a ledger
 * of entries, one a line; the last line, with \n for newlines, is a
 * checkpoint note. Two fixed keys are anchors. Nothing may crash, a
 * refused checkpoint must change nothing, an accepted one must have the
 * size fed, and keylog_check must answer for every key named.
 */
#include <stdlib.h>
#include <string.h>

#include "cert/keylog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t seed1[32] = { 1 }, seed2[32] = { 2 };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct keylog *kl = NULL, *before = NULL;
	struct note_signer *s1 = NULL, *s2 = NULL;
	struct keylog_key k;
	struct checkpoint cp;
	char v1[NOTE_VKEY_MAX], v2[NOTE_VKEY_MAX], *text, *line, *next, *w;
	char *r;
	size_t i, len;

	if (size > 1 << 16 || (text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (keylog_new(&kl, NULL) != HS_OK ||
	    note_signer_new("fuzz.example/log", seed1, &s1, NULL) != HS_OK ||
	    note_signer_new("fuzz.example/log", seed2, &s2, NULL) != HS_OK)
		goto out;
	note_signer_vkey(s1, v1, sizeof(v1));
	note_signer_vkey(s2, v2, sizeof(v2));
	if (keylog_anchor(kl, v1, 0, 0, 0, NULL) != HS_OK ||
	    keylog_anchor(kl, v2, 0, 0, 1700000000, NULL) != HS_OK)
		abort();
	line = text;
	while ((next = strchr(line, '\n')) != NULL) {
		*next = '\0';
		if (keylog_entry(kl, line, strlen(line), NULL, NULL) != HS_OK)
			goto out;
		line = next + 1;
	}
	/* The last line is a checkpoint note with "\n" escapes. */
	for (r = w = line; *r != '\0'; r++) {
		if (r[0] == '\\' && r[1] == 'n') {
			*w++ = '\n';
			r++;
		} else
			*w++ = *r;
	}
	*w = '\0';
	len = (size_t)(w - line);
	if (keylog_clone(kl, &before, NULL) != HS_OK)
		goto out;
	if (keylog_checkpoint(kl, line, len, &cp, NULL) == HS_OK) {
		if (cp.size != keylog_size(kl) || keylog_accepted(kl) != cp.size)
			abort();
	} else if (keylog_generation(kl) != keylog_generation(before) ||
	    keylog_accepted(kl) != keylog_accepted(before)) {
		abort();
	}
	(void)keylog_signed(kl, line, len, &cp, NULL);
	for (i = 0; keylog_key(kl, i, &k); i++) {
		(void)keylog_check(kl, k.vkey, 1600000000, NULL);
		(void)keylog_may_sign(kl, k.vkey, keylog_size(kl));
		if (k.anchor && !k.trusted)
			abort();
	}
	(void)keylog_pending_key(kl);
out:
	keylog_free(kl);
	keylog_free(before);
	note_signer_free(s1);
	note_signer_free(s2);
	free(text);
	return 0;
}
