/*
 * pades_check.h - the verifier's side of PAdES signatures (pdf/pades.h):
 * is the PDF signature valid, does it cover the whole file, is the file
 * the certificate rendered again plus exactly the issuer's signature
 * update, and is the signing certificate logged in the ledger (a
 * doc-cert leaf, docs/formats.md §4)?
 *
 * The PDF signature never makes a certificate valid by itself: the signed
 * note and the ledger stay the root of trust. It can only make a file
 * fail: a byte changed (the signature no longer matches), bytes appended
 * after signing ("modified after signing"), or a signing certificate the
 * ledger does not list.
 */
#ifndef HS_PADES_CHECK_H
#define HS_PADES_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pdf/pades.h"

struct vpades {
	bool checked;            /* vpades_check ran */
	struct pades_info pi;
	bool ledger_checked;     /* a verified ledger was scanned for it */
	bool in_ledger;          /* its doc-cert leaf was found */
	uint64_t leaf;           /* ... at this index */
};

/*
 * Verifies the PDF signature of data[0..len) into vp. Returns 0 (valid or
 * no signature), 1 (invalid or modified after signing; msg says why) or
 * 2 (could not check: out of memory).
 */
int vpades_check(const char *data, size_t len, struct vpades *vp, char *msg,
    size_t msgcap);

/*
 * True if data[0..len) is ref[0..rlen) (the certificate rendered again)
 * followed by exactly the update pades_sign writes for it, /Contents
 * aside (which pades_verify checked).
 */
bool vpades_render_plus_update(const char *data, size_t len, const char *ref,
    size_t rlen, const struct pades_info *pi);

/* True if ledger entry[0..len) is the doc-cert leaf of vp's certificate. */
bool vpades_entry_matches(const struct vpades *vp, const char *entry,
    size_t len);

/* One line for people: "valid (PAdES, signed by ...)", "none", ... */
void vpades_describe(const struct vpades *vp, char *out, size_t cap);

/* The state as a JSON word: none, valid, modified_after_signing, invalid. */
const char *vpades_word(const struct vpades *vp);

/*
 * The service's upload answer: adds "pdf_signature": {"state": WORD,
 * "detail": "..."} (vpades_word; detail for invalid and modified after
 * signing) to j for a PDF upload data[0..len). Does nothing for a file
 * that is not a PDF or when j is NULL.
 */
struct json_t;
void vpades_upload_json(struct json_t *j, const char *data, size_t len);

#endif
