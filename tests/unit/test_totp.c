/*
 * test_totp.c - base32 (RFC 4648 §10 vectors, hostile text) and TOTP
 * (RFC 6238 Appendix B's SHA-1 vectors; the ±1 step window; malformed
 * codes; the otpauth URI), and interop: codes for random secrets and
 * times must equal what `oathtool --totp -b` prints.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/totp.h"
#include "core/util.h"
#include "t.h"

/* Runs oathtool for secret at Unix time t; returns the code or -1. */
static long
oathtool(const char *secret, int64_t t)
{
	char cmd[256], line[64];
	FILE *p;
	long v = -1;

	snprintf(cmd, sizeof cmd, "oathtool --totp -b --now=@%" PRId64
	    " %s 2>/dev/null", t, secret);
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	if (fgets(line, sizeof line, p) != NULL && strlen(line) == 7)
		v = strtol(line, NULL, 10);
	if (pclose(p) != 0)
		v = -1;
	return v;
}

int
main(void)
{
	static const struct {
		const char *in, *want;
	} b32[] = {
		{ "", "" }, { "f", "MY" }, { "fo", "MZXQ" }, { "foo", "MZXW6" },
		{ "foob", "MZXW6YQ" }, { "fooba", "MZXW6YTB" },
		{ "foobar", "MZXW6YTBOI" },
	};
	static const struct {
		const char *in;
		enum hs_err want;
		const char *what;
	} bad[] = {
		{ "MZXW6YTB1", HS_ERR_FORMAT, "digit 1 is not base32" },
		{ "MZXW6YTB8", HS_ERR_FORMAT, "digit 8 is not base32" },
		{ "MZ'XW", HS_ERR_FORMAT, "a SQL quote" },
		{ "<script>", HS_ERR_FORMAT, "<script>" },
		{ "MZ\xe2\x80\xaeXW", HS_ERR_FORMAT, "a bidi override" },
		{ "MZ\nXW", HS_ERR_FORMAT, "a line feed" },
		{ "MZ=XW", HS_ERR_FORMAT, "padding in the middle" },
		{ "MY", HS_OK, "MY: one byte" },
		{ "MZ", HS_ERR_FORMAT, "MZ: nonzero leftover bits" },
		{ "MZX", HS_ERR_FORMAT, "3 characters: leftover bits" },
		{ "MB", HS_ERR_FORMAT, "MB: nonzero leftover bits" },
	};
	/* RFC 6238 Appendix B, SHA-1 rows (8 digits) */
	static const struct {
		int64_t t;
		uint32_t want;
	} rfc[] = {
		{ 59, 94287082 }, { 1111111109, 7081804 },
		{ 1111111111, 14050471 }, { 1234567890, 89005924 },
		{ 2000000000, 69279037 }, { 20000000000, 65353130 },
	};
	static const uint8_t rkey[] = "12345678901234567890";
	char err[HS_ERRLEN], out[128], big[400], code[16], uri[TOTP_URI_MAX];
	char secret[TOTP_B32_LEN];
	uint8_t dec[64], key[TOTP_SECRET_LEN];
	size_t i, n;
	uint32_t v;
	int64_t step, t;
	int agree;

	for (i = 0; i < sizeof b32 / sizeof b32[0]; i++) {
		b32_encode((const uint8_t *)b32[i].in, strlen(b32[i].in), out,
		    sizeof out);
		T_STREQ(out, b32[i].want, "base32 encode \"%s\"", b32[i].in);
		T_OK(b32_decode(b32[i].want, dec, sizeof dec, &n, err) == HS_OK
		    && n == strlen(b32[i].in) &&
		    memcmp(dec, b32[i].in, n) == 0, "base32 decode %s",
		    b32[i].want);
	}
	T_OK(b32_decode("mzxw6ytboi======", dec, sizeof dec, &n, err) ==
	    HS_OK && n == 6 && memcmp(dec, "foobar", 6) == 0,
	    "base32 decode: lower case and padding");
	T_OK(b32_decode("MZXW 6YTB-OI", dec, sizeof dec, &n, err) == HS_OK &&
	    n == 6, "base32 decode: spaces and hyphens between groups");
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		T_OK(b32_decode(bad[i].in, dec, sizeof dec, &n, err) ==
		    bad[i].want, "base32 decode refuses/accepts: %s",
		    bad[i].what);
	memset(big, 'A', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	T_OK(b32_decode(big, dec, sizeof dec, &n, err) == HS_ERR_TOOBIG,
	    "base32 decode: 399 characters is over the bound");
	T_OK(b32_decode("MZXW6YTBOI", dec, 3, &n, err) == HS_ERR_TOOBIG,
	    "base32 decode: output over cap");
	T_OK(b32_encode(rkey, 20, out, 10) == 0 && out[0] == '\0',
	    "base32 encode: output too small gives \"\"");

	for (i = 0; i < sizeof rfc / sizeof rfc[0]; i++) {
		T_OK(totp_code(rkey, 20, totp_step(rfc[i].t), 8, &v, err) ==
		    HS_OK && v == rfc[i].want, "RFC 6238 B: T=%" PRId64
		    " -> %08u (got %08u)", rfc[i].t, (unsigned)rfc[i].want,
		    (unsigned)v);
	}
	T_OK(totp_code(rkey, 20, 1, 5, &v, err) == HS_ERR_INVALID,
	    "totp_code refuses 5 digits");
	T_OK(totp_step(-1) == -1 && totp_step(29) == 0 && totp_step(30) == 1,
	    "totp_step floors");

	/* The window: codes of steps -1, 0, +1 match, -2 and +2 do not. */
	t = 1111111111;
	for (int d = -2; d <= 2; d++) {
		totp_code(rkey, 20, totp_step(t) + d, 6, &v, err);
		snprintf(code, sizeof code, "%06u", (unsigned)v);
		if (d >= -1 && d <= 1)
			T_OK(totp_verify(rkey, 20, code, t, &step, err) ==
			    HS_OK && step == totp_step(t) + d,
			    "verify: step %+d matches and is reported", d);
		else
			T_OK(totp_verify(rkey, 20, code, t, &step, err) ==
			    HS_ERR_INVALID, "verify: step %+d refused", d);
	}
	totp_code(rkey, 20, totp_step(t), 6, &v, err);
	snprintf(code, sizeof code, "%03u %03u", (unsigned)v / 1000,
	    (unsigned)v % 1000);
	T_OK(totp_verify(rkey, 20, code, t, &step, err) == HS_OK,
	    "verify: \"123 456\" form accepted");
	{
		static const char *const malformed[] = {
			"", "12345", "1234567", "12345a", "123-456", " 123456",
			"123456 ", "12 3456", "' OR 1=1", "<script>",
			"123\xe2\x80\xae" "456", "１２３４５６",
		};
		for (i = 0; i < sizeof malformed / sizeof malformed[0]; i++)
			T_OK(totp_verify(rkey, 20, malformed[i], t, &step, err)
			    == HS_ERR_INVALID && strstr(err, "code") != NULL,
			    "verify refuses malformed code #%zu", i);
	}

	/* URI: the name is percent-encoded, the secret base32. */
	T_OK(totp_uri("hr-fj", rkey, 20, uri, sizeof uri, err) == HS_OK,
	    "uri built");
	T_STREQ(uri, "otpauth://totp/hourseal:hr-fj?secret="
	    "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=hourseal", "uri text");
	T_OK(totp_uri("a&b?c=<'>", rkey, 20, uri, sizeof uri, err) == HS_OK &&
	    strstr(uri, "hourseal:a%26b%3Fc%3D%3C%27%3E?secret=") != NULL,
	    "uri percent-encodes & ? = < ' >");
	T_OK(totp_uri("\xe5\xbc\xa0", rkey, 20, uri, sizeof uri, err) ==
	    HS_OK && strstr(uri, "hourseal:%E5%BC%A0?") != NULL,
	    "uri percent-encodes UTF-8 bytes");
	T_OK(totp_uri("hr-fj", rkey, 20, uri, 40, err) == HS_ERR_TOOBIG &&
	    uri[0] == '\0', "uri over cap refused");

	/* Interop with oathtool (scripts/deps.sh test installs it). */
	T_OK(oathtool("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", 59) == 287082,
	    "oathtool runs and agrees on RFC key at T=59 (install oathtool: "
	    "scripts/deps.sh test)");
	agree = 1;
	for (i = 0; i < 8; i++) {
		long o;

		if (random_bytes(key, sizeof key) != HS_OK)
			agree = 0;
		b32_encode(key, sizeof key, secret, sizeof secret);
		t = 1700000000 + (int64_t)i * 7919 * 31;
		totp_code(key, sizeof key, totp_step(t), 6, &v, err);
		o = oathtool(secret, t);
		if (o != (long)v) {
			printf("# secret %s t %" PRId64 ": ours %06u "
			    "oathtool %06ld\n", secret, t, (unsigned)v, o);
			agree = 0;
		}
		snprintf(code, sizeof code, "%06ld", o);
		if (totp_verify(key, sizeof key, code, t + 25, &step, err) !=
		    HS_OK)
			agree = 0;
	}
	T_OK(agree, "8 random secrets: our codes equal oathtool's and "
	    "oathtool's codes verify");
	printf("%d passed, %d failed\n", t_passed, t_failed);
	return t_done();
}
