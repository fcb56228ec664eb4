/*
 * test_leaf.c - the key entries of the ledger (formats.md §4):
 * key, key-retire and key-compromise, built and parsed, and hostile rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cert/leaf.h"
#include "tlog/note.h"
#include "t.h"

#define ORIGIN "ledger.hourseal.example.cn/fj"

static const uint8_t seed1[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };

int
main(void)
{
	struct note_signer *sg = NULL;
	char vkey[NOTE_VKEY_MAX], err[HS_ERRLEN], row[2048];
	struct leaf lf;
	struct buf b;
	enum hs_err rc;
	size_t i;

	note_signer_new(ORIGIN, seed1, &sg, err);
	note_signer_vkey(sg, vkey, sizeof(vkey));
	buf_init(&b);

	/* Built entries parse back to what was given. */
	rc = leaf_key_retire(vkey, "2025-03-04T05:06:07Z", &b, err);
	snprintf(row, sizeof(row), "hourseal/leaf/v1 key-retire %s "
	    "2025-03-04T05:06:07Z", vkey);
	T_OK(rc == HS_OK && b.data != NULL && strcmp(b.data, row) == 0,
	    "key-retire entry: %s", b.data ? b.data : err);
	T_OK(leaf_parse(b.data, b.len, &lf, err) == HS_OK &&
	    lf.kind == LEAF_KEY_RETIRE && strcmp(lf.vkey, vkey) == 0 &&
	    strcmp(lf.time, "2025-03-04T05:06:07Z") == 0,
	    "key-retire round trip (%s)", err);
	T_OK(leaf_is_key_kind(b.data, b.len), "key-retire is a key kind");
	buf_reset(&b);
	rc = leaf_key_compromise(vkey, "2024-01-01T00:00:00Z", &b, err);
	T_OK(rc == HS_OK && leaf_parse(b.data, b.len, &lf, err) == HS_OK &&
	    lf.kind == LEAF_KEY_COMPROMISE && strcmp(lf.vkey, vkey) == 0 &&
	    strcmp(lf.time, "2024-01-01T00:00:00Z") == 0,
	    "key-compromise round trip: %s", b.data ? b.data : err);
	buf_reset(&b);
	rc = leaf_key(vkey, "2024-01-01T00:00:00Z", &b, err);
	T_OK(rc == HS_OK && leaf_parse(b.data, b.len, &lf, err) == HS_OK &&
	    lf.kind == LEAF_KEY, "key entry still parses as key");

	/* The builders refuse what the parser would refuse. */
	buf_reset(&b);
	T_OK(leaf_key_retire("nonsense", "2025-01-01T00:00:00Z", &b, err) ==
	    HS_ERR_INVALID && b.len == 0, "key-retire of a bad key refused");
	T_OK(leaf_key_compromise(vkey, "2025-01-01 00:00:00", &b, err) ==
	    HS_ERR_INVALID && b.len == 0, "key-compromise with a bad time "
	    "refused");
	T_OK(leaf_key_retire(vkey, "2025-01-01T00:00:00+08:00", &b, err) ==
	    HS_ERR_INVALID && b.len == 0, "key-retire with an offset refused");

	/* Hostile rows: each must be refused with a reason. */
	{
		const char *fmt[] = {
			"hourseal/leaf/v1 key-retire %s",
			"hourseal/leaf/v1 key-retire %s 2025-01-01T00:00:00Z x",
			"hourseal/leaf/v1 key-retire %s  2025-01-01T00:00:00Z",
			"hourseal/leaf/v1 key-retire %s 2025-01-01T00:00:00Z ",
			"hourseal/leaf/v1 key-retire %s 2025-02-30T00:00:00Z",
			"hourseal/leaf/v1 key-retire %s 2025-1-01T00:00:00Z",
			"hourseal/leaf/v1 key-compromise %s 2025-01-01T00:00:00z",
			"hourseal/leaf/v1 key-compromise %s 2025-01-01T24:00:00Z",
			"hourseal/leaf/v1 key-compromise %s 1e9",
			"hourseal/leaf/v1 Key-compromise %s 2025-01-01T00:00:00Z",
			"hourseal/leaf/v1 key-compromised %s 2025-01-01T00:00:00Z",
			"hourseal/leaf/v1 key-revoke %s 2025-01-01T00:00:00Z",
			"hourseal/leaf/v1 key-compromise x%s 2025-01-01T00:00:00Z",
			"hourseal/leaf/v1 key-compromise %s\t2025-01-01T00:00:00Z",
			"hourseal/leaf/v1 key-compromise %s 2025-01-01T00:00:00Z\n",
			"hourseal/leaf/v2 key-retire %s 2025-01-01T00:00:00Z",
		};
		const char *plain[] = {
			"hourseal/leaf/v1 key-retire",
			"hourseal/leaf/v1 key-retire  ",
			"hourseal/leaf/v1 key-compromise nonsense "
			    "2025-01-01T00:00:00Z",
			"hourseal/leaf/v1 key-compromise a+b+c "
			    "2025-01-01T00:00:00Z",
			"hourseal/leaf/v1 key-retire ledger/fj+00000000+AAAA "
			    "2025-01-01T00:00:00Z",
		};

		for (i = 0; i < sizeof(fmt) / sizeof(fmt[0]); i++) {
			snprintf(row, sizeof(row), fmt[i], vkey);
			err[0] = '\0';
			rc = leaf_parse(row, strlen(row), &lf, err);
			T_OK(rc == HS_ERR_FORMAT && err[0] != '\0',
			    "hostile row %zu refused: %s", i, err);
		}
		for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
			err[0] = '\0';
			rc = leaf_parse(plain[i], strlen(plain[i]), &lf, err);
			T_OK(rc == HS_ERR_FORMAT && err[0] != '\0',
			    "hostile plain row %zu refused: %s", i, err);
		}
		/* A key name of 2000 bytes: over LEAF_MAX, refused. */
		memset(row, 'A', sizeof(row) - 1);
		row[sizeof(row) - 1] = '\0';
		memcpy(row, "hourseal/leaf/v1 key-retire ", 28);
		T_OK(leaf_parse(row, strlen(row), &lf, err) == HS_ERR_FORMAT,
		    "an over-long key-retire entry refused: %s", err);
	}

	/* leaf_is_key_kind: by the first two fields, not by parsing. */
	{
		static const struct { const char *e; bool want; } rows[] = {
			{ "hourseal/leaf/v1 key x y", true },
			{ "hourseal/leaf/v1 key-retire junk", true },
			{ "hourseal/leaf/v1 key-compromise ", true },
			{ "hourseal/leaf/v1 keys x y", false },
			{ "hourseal/leaf/v1 key-other x y", false },
			{ "hourseal/leaf/v1 issue x y", false },
			{ "hourseal/leaf/v1 key", false },
			{ "", false },
		};

		for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
			T_OK(leaf_is_key_kind(rows[i].e, strlen(rows[i].e)) ==
			    rows[i].want, "leaf_is_key_kind(\"%s\")", rows[i].e);
	}
	/* doc-cert (issue 16): the PAdES certificate's SHA-256. */
	{
		static const struct {
			const char *e;
			enum hs_err want;
		} rows[] = {
			{ "hourseal/leaf/v1 doc-cert "
			    "2KqJSNu246IgvCIDP4zHnbGBdUJAt31hqVVWiQjYK1w=", HS_OK },
			{ "hourseal/leaf/v1 doc-cert "
			    "2KqJSNu246IgvCIDP4zHnbGBdUJAt31hqVVWiQjYK1x=",
			    HS_ERR_FORMAT },  /* not canonical */
			{ "hourseal/leaf/v1 doc-cert "
			    "2KqJSNu246IgvCIDP4zHnbGBdUJAt31hqVVWiQjYK1w",
			    HS_ERR_FORMAT },  /* no padding */
			{ "hourseal/leaf/v1 doc-cert", HS_ERR_FORMAT },
			{ "hourseal/leaf/v1 doc-cert "
			    "2KqJSNu246IgvCIDP4zHnbGBdUJAt31hqVVWiQjYK1w= x",
			    HS_ERR_FORMAT },
		};
		uint8_t sha[32];

		for (i = 0; i < 32; i++)
			sha[i] = (uint8_t)i;
		buf_reset(&b);
		T_OK(leaf_doc_cert(sha, &b, err) == HS_OK &&
		    leaf_parse(b.data, b.len, &lf, err) == HS_OK &&
		    lf.kind == LEAF_DOC_CERT && memcmp(lf.head, sha, 32) == 0 &&
		    !leaf_is_key_kind(b.data, b.len),
		    "doc-cert round trip, not a key kind");
		for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
			T_OK(leaf_parse(rows[i].e, strlen(rows[i].e), &lf,
			    err) == rows[i].want, "doc-cert row %zu", i);
	}
	note_signer_free(sg);
	buf_free(&b);
	return t_done();
}
