/*
 * test_pepper.c - the pepper loader and id-digest (lib/cert/pepper.h):
 * pepper files as they come (line ends, wrong lengths, non-hex, too large,
 * missing), and id-digest against values computed with openssl dgst -hmac.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cert/pepper.h"
#include "core/file.h"
#include "t.h"

static char dir[] = "/tmp/hs-test-pepper.XXXXXX";

#define ZERO64 "0000000000000000000000000000000000000000000000000000000000000000"
#define SEQ64 "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

/* Writes data to DIR/pepper and loads it. */
static enum hs_err
load(const char *data, size_t len, uint8_t pep[PEPPER_SIZE], char *err)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/pepper", dir);
	if (file_write_atomic(path, data, len, 0600, err) != HS_OK)
		return HS_ERR_IO;
	return pepper_load(path, pep, err);
}

int
main(void)
{
	static const struct {
		const char *data;
		enum hs_err want;
		const char *what;
	} rows[] = {
		{ ZERO64 "\n", HS_OK, "64 hex digits and LF" },
		{ ZERO64, HS_OK, "64 hex digits, no line end" },
		{ ZERO64 "\r\n", HS_OK, "64 hex digits and CRLF" },
		{ SEQ64 "\n\n", HS_OK, "trailing blank lines" },
		{ "", HS_ERR_FORMAT, "empty file" },
		{ "\n", HS_ERR_FORMAT, "a line end only" },
		{ ZERO64 "0\n", HS_ERR_FORMAT, "65 digits" },
		{ "000000000000000000000000000000000000000000000000000000000000000\n",
		    HS_ERR_FORMAT, "63 digits" },
		{ "g00000000000000000000000000000000000000000000000000000000000000\n",
		    HS_ERR_FORMAT, "64 characters, one not hex" },
		{ " " ZERO64 "\n", HS_ERR_FORMAT, "leading space" },
		{ ZERO64 " \n", HS_ERR_FORMAT, "trailing space" },
		{ ZERO64 "\0\n", HS_ERR_FORMAT, "a NUL byte" },
	};
	uint8_t pep[PEPPER_SIZE], want[PEPPER_SIZE];
	char err[HS_ERRLEN], path[256], big[300], d[PEPPER_DIGEST_SIZE];
	size_t i;
	enum hs_err rc;

	if (mkdtemp(dir) == NULL)
		return 2;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		size_t len = strlen(rows[i].data);

		if (strcmp(rows[i].what, "a NUL byte") == 0)
			len = 66;
		err[0] = '\0';
		rc = load(rows[i].data, len, pep, err);
		T_OK(rc == rows[i].want, "%s: %s (%s)", rows[i].what,
		    rows[i].want == HS_OK ? "loads" : "refused", err);
		if (rc == HS_ERR_FORMAT)
			T_OK(strstr(err, "expected 64 hex digits") != NULL,
			    "%s: the error says what is expected",
			    rows[i].what);
	}
	T_OK(load(SEQ64 "\n", 65, pep, err) == HS_OK, "sequence pepper");
	for (i = 0; i < PEPPER_SIZE; i++)
		want[i] = (uint8_t)i;
	T_OK(memcmp(pep, want, PEPPER_SIZE) == 0, "the bytes are the digits");
	memset(big, '0', sizeof(big));
	T_OK(load(big, sizeof(big), pep, err) != HS_OK,
	    "a 300-byte file is refused (%s)", err);
	snprintf(path, sizeof(path), "%s/none", dir);
	T_OK(pepper_load(path, pep, err) != HS_OK, "a missing file fails (%s)",
	    err);

	/* openssl dgst -sha256 -mac HMAC -macopt hexkey:KEY -binary | base64 */
	memset(pep, 0, sizeof(pep));
	pepper_id_digest(pep, "350102198001011233", d);
	T_STREQ(d, "StT/SSFTgkgfXPTIvtnSeg36cnueL6/DIMZQLxTLdf0=",
	    "id-digest with the zero pepper");
	pepper_id_digest(want, "350102198001011233", d);
	T_STREQ(d, "rAQ80kSmO8p+gF1sPUHSYCiSEEdHL1gVJw9AzPRWZzk=",
	    "id-digest with pepper 00 01 .. 1f");
	pepper_wipe(want);
	memset(pep, 0, sizeof(pep));
	T_OK(memcmp(pep, want, PEPPER_SIZE) == 0, "pepper_wipe zeroes it");

	snprintf(path, sizeof(path), "%s/pepper", dir);
	unlink(path);
	rmdir(dir);
	return t_done();
}
