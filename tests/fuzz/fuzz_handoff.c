/*
 * fuzz_handoff.c - libFuzzer target for the practitioner's untrusted
 * inputs that need no database: the signed hand-off's parameters
 * (sso_check, /my/sso) and a typed share or activation code
 * (crockford_normalise). The input is split at newlines into the
 * origin, d, t, n and s (a missing part is a missing parameter) and,
 * whole, read as a code. Any input must be handled; a hand-off the
 * fuzzer makes up must never be accepted (the HMAC key is secret to it);
 * a code that reads must be canonical and read again to itself.
 * fuzz-sources: lib/app/sso.c
 */
#include <stdlib.h>
#include <string.h>

#include "app/sso.h"
#include "core/crockford.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config cfg;
	char buf[2048], *part[5] = { NULL }, *p;
	char code[CROCKFORD_CODE_LEN + 1], again[CROCKFORD_CODE_LEN + 1];
	char digest[PEPPER_DIGEST_SIZE];
	struct sso_params sp;
	size_t n = size < sizeof(buf) - 1 ? size : sizeof(buf) - 1, i;
	int64_t t;

	memcpy(buf, data, n);
	buf[n] = '\0';
	if (crockford_normalise(buf, code) == 0) {
		if (strlen(code) != CROCKFORD_CODE_LEN ||
		    strspn(code, CROCKFORD_ALPHABET) != CROCKFORD_CODE_LEN ||
		    crockford_normalise(code, again) != 0 ||
		    strcmp(code, again) != 0)
			abort();
	}
	if (cfg.sso_hmac_len == 0) {
		for (i = 0; i < 32; i++)
			cfg.sso_hmac_key[i] = (uint8_t)(0x5a ^ i);
		cfg.sso_hmac_len = 32;
	}
	p = buf;
	for (i = 0; i < 5 && p != NULL; i++) {
		part[i] = p;
		if ((p = strchr(p, '\n')) != NULL)
			*p++ = '\0';
	}
	sp.d = part[1];
	sp.t = part[2];
	sp.n = part[3];
	sp.s = part[4];
	if (sso_check(&cfg, part[0] != NULL ? part[0] : "", &sp,
	    1796500000, digest, &t) == SSO_OK)
		abort();
	return 0;
}
