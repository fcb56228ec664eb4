/*
 * test_share.c - share codes: the Crockford code (alphabet, 80 bits,
 * typed forms), store/share (only the SHA-256 stored, validity 7/30/90/
 * 180 only, the holder's own certificates only, expiry at now, withdraw
 * by the holder only and once, views counted, audit rows) and the QR PNG
 * (pdf/qrpng: a well-formed PNG of bounded size).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/crockford.h"
#include "core/util.h"
#include "pdf/qrpng.h"
#include "store/share.h"
#include "store/store.h"
#include "t.h"
#include "tlib.h"

static const struct actor who = { "holder", "practitioner", "", "" };

static void
test_crockford(void)
{
	static const struct {
		const char *in, *want; /* want NULL: refused */
	} rows[] = {
		{ "7K3M9Q2DXW8P4HJN", "7K3M9Q2DXW8P4HJN" },
		{ "7k3m-9q2d-xw8p-4hjn", "7K3M9Q2DXW8P4HJN" },
		{ " 7K3M 9Q2D XW8P 4HJN ", "7K3M9Q2DXW8P4HJN" },
		{ "OOOO-IIII-LLLL-oooo", "0000111111110000" },
		{ "7K3M9Q2DXW8P4HJ", NULL },          /* 15 */
		{ "7K3M9Q2DXW8P4HJNN", NULL },        /* 17 */
		{ "UK3M9Q2DXW8P4HJN", NULL },         /* U is not in it */
		{ "7K3M9Q2DXW8P4HJ!", NULL },
		{ "7K3M9Q2DXW8P4HJ\xc3\xa9", NULL },
		{ "", NULL },
		{ "----------------", NULL },
		{ "%00K3M9Q2DXW8P4HJN", NULL },
	};
	uint8_t raw[CROCKFORD_CODE_BYTES];
	char out[CROCKFORD_CODE_LEN + 1], g[20], longin[200];
	size_t i, j;
	int seen[32] = { 0 }, all = 1;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int r = crockford_normalise(rows[i].in, out);

		if (rows[i].want == NULL)
			T_OK(r == -1 && out[0] == '\0', "crockford: '%s' refused",
			    rows[i].in);
		else
			T_OK(r == 0 && strcmp(out, rows[i].want) == 0,
			    "crockford: '%s' reads as %s", rows[i].in,
			    rows[i].want);
	}
	memset(longin, '-', sizeof(longin) - 1);
	longin[sizeof(longin) - 1] = '\0';
	memcpy(longin + 150, "7K3M9Q2DXW8P4HJN", 16);
	T_OK(crockford_normalise(longin, out) == -1, "crockford: input past "
	    "%d bytes refused", CROCKFORD_INPUT_MAX);

	memset(raw, 0, sizeof(raw));
	crockford_encode(raw, out);
	T_STREQ(out, "0000000000000000", "crockford: zero bytes");
	memset(raw, 0xff, sizeof(raw));
	crockford_encode(raw, out);
	T_STREQ(out, "ZZZZZZZZZZZZZZZZ", "crockford: all ones");
	raw[0] = 0x08; /* 00001 000... */
	memset(raw + 1, 0, sizeof(raw) - 1);
	crockford_encode(raw, out);
	T_STREQ(out, "1000000000000000", "crockford: most significant "
	    "bit first");
	/* Random codes: 16 characters of the alphabet; round trip. */
	for (i = 0; i < 2000; i++) {
		char back[CROCKFORD_CODE_LEN + 1];

		random_bytes(raw, sizeof(raw));
		crockford_encode(raw, out);
		if (strlen(out) != 16 || crockford_normalise(out, back) != 0 ||
		    strcmp(out, back) != 0)
			all = 0;
		for (j = 0; j < 16; j++) {
			const char *p = strchr(CROCKFORD_ALPHABET, out[j]);

			if (p == NULL || out[j] == '\0')
				all = 0;
			else
				seen[p - CROCKFORD_ALPHABET] = 1;
		}
	}
	for (j = 0; j < 32; j++)
		all &= seen[j];
	T_OK(all, "crockford: 2000 random codes are 16 characters of the "
	    "alphabet, every character used, and read back unchanged");
	crockford_group("7K3M9Q2DXW8P4HJN", g);
	T_STREQ(g, "7K3M-9Q2D-XW8P-4HJN", "crockford: grouped for people");
}

static int
count_rows(void *ctx, const struct share_row *r)
{
	(*(int *)ctx)++;
	return 0;
}

static void
test_store(sqlite3 *db)
{
	const char *mine[] = { "2023-E1TE-1KN2-MF6W-R833",
	    "2024-E99Z-FFNK-6RPK-KB2Y" };
	const char *typed[] = { "2023-e1te-1kn2-mf6w-r833" };
	const char *theirs[] = { "2024-NJZ1-6MMK-WF7J-XYCB" };
	const char *mixed[] = { "2023-E1TE-1KN2-MF6W-R833",
	    "2024-NJZ1-6MMK-WF7J-XYCB" };
	const char *dup[] = { "2023-E1TE-1KN2-MF6W-R833",
	    "2023-E1TE-1KN2-MF6W-R833" };
	const char *many[SHARE_MAX_CERTS + 1];
	char code[CROCKFORD_CODE_LEN + 1], code2[CROCKFORD_CODE_LEN + 1];
	char err[HS_ERRLEN], sql[256], hex[65], label[200];
	uint8_t h[32];
	struct share_row r;
	int64_t t0 = 1800000000, id = 0, id2 = 0;
	long d;
	int n, ok_days = 0;
	size_t i;

	/* Only 7, 30, 90 and 180 days. */
	for (d = -200; d <= 400; d++)
		if (share_days_ok(d))
			ok_days++;
	T_OK(ok_days == 4 && share_days_ok(7) && share_days_ok(30) &&
	    share_days_ok(90) && share_days_ok(180), "days: exactly 7, 30, "
	    "90 and 180 allowed");
	{
		static const long bad[] = { 0, 1, 6, 8, 14, 29, 31, 60, 89, 91,
		    179, 181, 365, -7 };

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			T_OK(share_add(db, &who, 1, mine, 2, bad[i], "", t0,
			    code, NULL, err) == HS_ERR_INVALID && code[0] ==
			    '\0', "days %ld refused", bad[i]);
	}
	T_OK(share_add(db, &who, 1, mine, 0, 7, "", t0, code, NULL, err) ==
	    HS_ERR_INVALID, "no certificate: refused");
	for (i = 0; i <= SHARE_MAX_CERTS; i++)
		many[i] = mine[0];
	T_OK(share_add(db, &who, 1, many, SHARE_MAX_CERTS + 1, 7, "", t0,
	    code, NULL, err) == HS_ERR_INVALID, "more than %d certificates: "
	    "refused", SHARE_MAX_CERTS);
	T_OK(share_add(db, &who, 1, theirs, 1, 7, "", t0, code, NULL, err) ==
	    HS_ERR_NOTFOUND, "another holder's certificate: not found (%s)",
	    err);
	T_OK(share_add(db, &who, 1, mixed, 2, 7, "", t0, code, NULL, err) ==
	    HS_ERR_NOTFOUND, "one of another holder's among mine: not found");
	T_OK(share_add(db, &who, 1, (const char *[]){ "2024-XXXX" }, 1, 7, "",
	    t0, code, NULL, err) == HS_ERR_NOTFOUND, "a malformed serial: not "
	    "found");
	memset(label, 0, sizeof(label));
	for (i = 0; i < SHARE_LABEL_MAX + 1; i++)
		memcpy(label + 3 * i, "\xe9\x95\xbf", 3); /* 长 */
	T_OK(share_add(db, &who, 1, mine, 2, 7, label, t0, code, NULL, err) ==
	    HS_ERR_INVALID, "a 41-character label: refused");
	T_OK(share_add(db, &who, 1, mine, 2, 7, "a\x01" "b", t0, code, NULL,
	    err) == HS_ERR_INVALID, "a label with a control character: "
	    "refused");
	T_OK(t_q(db, "SELECT count(*) FROM share_codes") == 0 &&
	    t_q(db, "SELECT count(*) FROM audit") == 0, "nothing stored or "
	    "audited by the refusals");

	label[3 * SHARE_LABEL_MAX] = '\0';
	T_OK(share_add(db, &who, 1, mine, 2, 7, label, t0, code, &id, err) ==
	    HS_OK && id > 0, "a 7-day code for two of mine (%s)", err);
	T_OK(strlen(code) == 16 && strspn(code, CROCKFORD_ALPHABET) == 16,
	    "the code is 16 Crockford characters (%s)", code);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM share_codes WHERE "
	    "instr(upper(hex(hash)), '%s') OR label LIKE '%%%s%%'", code, code);
	share_hash(code, h);
	hex_encode(h, 32, hex);
	T_OK(t_q(db, sql) == 0, "the code itself is nowhere in the row");
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM share_codes WHERE "
	    "lower(hex(hash)) = '%s' AND expires = %lld", hex,
	    (long long)(t0 + 7 * 86400));
	T_OK(t_q(db, sql) == 1, "its SHA-256 is stored, expires = now + 7 d");
	T_OK(t_q(db, "SELECT count(*) FROM audit WHERE action = 'share.add' "
	    "AND object = 'share:1' AND actor = 'holder'") == 1, "share.add "
	    "audited, object share:1");
	T_OK(share_add(db, &who, 1, dup, 2, 30, NULL, t0, code2, &id2, err) ==
	    HS_OK && strcmp(code, code2) != 0, "a second code (a duplicate "
	    "serial counts once)");
	T_OK(t_q(db, "SELECT count(*) FROM share_code_certs WHERE share_id = 2")
	    == 1, "  one certificate on it");
	{
		char c3[CROCKFORD_CODE_LEN + 1];
		int64_t id3 = 0;

		T_OK(share_add(db, &who, 1, typed, 1, 90, "", t0, c3, &id3,
		    err) == HS_OK && share_find(db, c3, &r, err) == HS_OK &&
		    strcmp(r.serials[0], mine[0]) == 0, "a serial typed in "
		    "lower case is stored canonical");
	}

	/* Finding, expiry at now. */
	T_OK(share_find(db, code, &r, err) == HS_OK && r.id == id &&
	    r.nserials == 2 && strcmp(r.label, label) == 0, "found by its "
	    "code, with its certificates and label");
	T_OK(share_state(&r, t0) == SHARE_ACTIVE && share_state(&r, t0 + 7 *
	    86400 - 1) == SHARE_ACTIVE, "active until the last second");
	T_OK(share_state(&r, t0 + 7 * 86400) == SHARE_EXPIRED &&
	    share_state(&r, t0 + 8 * 86400) == SHARE_EXPIRED, "expired at 7 d");
	T_OK(share_find(db, "0000000000000000", &r, err) == HS_ERR_NOTFOUND,
	    "an unknown code: not found");
	code2[0] = code2[0] == 'A' ? 'B' : 'A';
	T_OK(share_find(db, code2, &r, err) == HS_ERR_NOTFOUND, "one "
	    "character changed: not found");

	/* Views. */
	T_OK(share_view(db, id, t0 + 10, err) == HS_OK && share_view(db, id,
	    t0 + 20, err) == HS_OK && share_find(db, code, &r, err) == HS_OK &&
	    r.views == 2 && r.last_view == t0 + 20, "two views counted, the "
	    "last one's time kept");
	T_OK(share_view(db, 999, t0, err) == HS_ERR_NOTFOUND, "a view of no "
	    "code: not found");
	T_OK(t_q(db, "SELECT count(*) FROM audit WHERE action LIKE 'share.%'")
	    == 3, "views are not audited");

	/* Withdraw: the holder only, once. */
	T_OK(share_withdraw(db, &who, 2, id, t0 + 30, err) == HS_ERR_NOTFOUND,
	    "another holder cannot withdraw it (not found)");
	T_OK(share_withdraw(db, &who, 1, 999, t0 + 30, err) ==
	    HS_ERR_NOTFOUND, "no such code: not found");
	T_OK(share_find(db, code, &r, err) == HS_OK && share_state(&r, t0 +
	    30) == SHARE_ACTIVE, "  still active");
	T_OK(share_withdraw(db, &who, 1, id, t0 + 30, err) == HS_OK,
	    "the holder withdraws it");
	T_OK(share_find(db, code, &r, err) == HS_OK && share_state(&r, t0 +
	    31) == SHARE_WITHDRAWN && r.withdrawn == t0 + 30, "withdrawn, "
	    "with the time");
	T_OK(share_state(&r, t0 + 8 * 86400) == SHARE_WITHDRAWN, "withdrawn "
	    "beats expired");
	T_OK(share_withdraw(db, &who, 1, id, t0 + 40, err) == HS_ERR_STATE,
	    "withdrawing twice: refused");
	T_OK(t_q(db, "SELECT count(*) FROM audit WHERE action = "
	    "'share.withdraw' AND object = 'share:1'") == 1, "share.withdraw "
	    "audited once");

	n = 0;
	T_OK(share_list(db, 1, count_rows, &n, err) == HS_OK && n == 3,
	    "the holder's list has 3 codes");
	n = 0;
	T_OK(share_list(db, 2, count_rows, &n, err) == HS_OK && n == 0,
	    "the other holder's list has none");
}

static void
test_png(void)
{
	struct buf b;
	char err[HS_ERRLEN];
	static const uint8_t sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n',
	    0x1a, '\n' };

	buf_init(&b);
	T_OK(qrpng_encode("https://share.example.cn/s/7K3M9Q2DXW8P4HJN", 8, &b,
	    err) == HS_OK && b.len > 60 && memcmp(b.data, sig, 8) == 0 &&
	    memcmp(b.data + 12, "IHDR", 4) == 0 && memcmp(b.data + b.len - 8,
	    "IEND", 4) == 0, "qrpng: a PNG (signature, IHDR first, IEND "
	    "last; %zu bytes)", b.len);
	buf_reset(&b);
	T_OK(qrpng_encode("x", 0, &b, err) == HS_ERR_INVALID &&
	    qrpng_encode("x", QRPNG_MAX_SCALE + 1, &b, err) == HS_ERR_INVALID,
	    "qrpng: scale out of range refused");
	{
		char big[QR_MAX_TEXT + 1];

		memset(big, 'a', QR_MAX_TEXT);
		big[QR_MAX_TEXT] = '\0';
		T_OK(qrpng_encode(big, QRPNG_MAX_SCALE, &b, err) ==
		    HS_ERR_TOOBIG, "qrpng: an image past %d pixels refused",
		    QRPNG_MAX_SIDE);
	}
	buf_free(&b);
}

int
main(void)
{
	char dir[T_DIRMAX], path[T_DIRMAX + 16], err[HS_ERRLEN];
	sqlite3 *db = NULL;

	test_crockford();
	test_png();
	if (t_tmpdir("share", dir, sizeof(dir)) != 0)
		return 2;
	snprintf(path, sizeof(path), "%s/hs.db", dir);
	if (store_open(path, STORE_CREATE, &db, err) != HS_OK) {
		printf("# %s\n", err);
		return 2;
	}
	/* Two holders and their certificates (fixture rows only). */
	T_OK(store_exec(db, "PRAGMA foreign_keys=OFF;"
	    "INSERT INTO practitioners (id, id_number, id_masked, id_digest, "
	    "name, unit, created) VALUES (1, '35010219800101123X', 'm', 'd1', "
	    "'A', '', 'now'), (2, '350102198001011233', 'm', 'd2', 'B', '', "
	    "'now');"
	    "INSERT INTO certificates (serial, practitioner_id, year, kind, "
	    "name, id_masked, id_digest, total10, status, record_set, note, "
	    "leaf_index, key_label, issued) VALUES "
	    "('2023-E1TE-1KN2-MF6W-R833', 1, 2023, 'annual', 'A', 'm', 'd1', "
	    "940, 'met', 's', 'n', 1, 'k', 'now'),"
	    "('2024-E99Z-FFNK-6RPK-KB2Y', 1, 2024, 'annual', 'A', 'm', 'd1', "
	    "360, 'unmet', 's', 'n', 2, 'k', 'now'),"
	    "('2024-NJZ1-6MMK-WF7J-XYCB', 2, 2024, 'annual', 'B', 'm', 'd2', "
	    "360, 'unmet', 's', 'n', 3, 'k', 'now');", err) == HS_OK,
	    "fixture rows (%s)", err);
	test_store(db);
	store_close(db);
	t_rmtree(dir);
	return t_done();
}
