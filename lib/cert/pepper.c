/*
 * pepper.c - this module reads the issuer's pepper file and computes the
 * id-digest with it (pepper.h), for the issuer and the verifier alike.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "cert/pepper.h"
#include "core/file.h"
#include "core/util.h"

enum hs_err
pepper_load(const char *path, uint8_t out[PEPPER_SIZE], char *err)
{
	char *data = NULL;
	size_t len = 0, cap;
	enum hs_err rc;

	if ((rc = file_read(path, 256, &data, &len, err)) != HS_OK)
		return rc;
	cap = len;
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		data[--len] = '\0';
	if (len != 2 * PEPPER_SIZE || hex_decode(data, out, PEPPER_SIZE) != 0) {
		OPENSSL_cleanse(out, PEPPER_SIZE);
		rc = hs_fail(err, HS_ERR_FORMAT, "%s: expected 64 hex digits",
		    path);
	}
	OPENSSL_cleanse(data, cap);
	free(data);
	return rc;
}

void
pepper_wipe(uint8_t pepper[PEPPER_SIZE])
{
	OPENSSL_cleanse(pepper, PEPPER_SIZE);
}

void
pepper_id_digest(const uint8_t pepper[PEPPER_SIZE], const char *id_number,
    char out[PEPPER_DIGEST_SIZE])
{
	uint8_t mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;

	HMAC(EVP_sha256(), pepper, PEPPER_SIZE,
	    (const unsigned char *)id_number, strlen(id_number), mac, &maclen);
	b64_encode(mac, maclen, out, PEPPER_DIGEST_SIZE);
	OPENSSL_cleanse(mac, sizeof(mac));
}
