/*
 * test_note.c - signed notes: the published vectors byte for byte, every
 * way opening must fail, several signatures, tampering.
 */
#include <stdlib.h>
#include <string.h>

#include "tlog/note.h"
#include "t.h"

/* From ../shared/vectors/README.md (Go's sumdb/note tests, C2SP spec). */
#define PETER_SKEY "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
#define PETER_VKEY "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
#define PETER_TEXT "If you think cryptography is the answer to your problem,\n" \
	"then you don't know what your problem is.\n"
#define PETER_SIG "\xE2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
#define C2SP_VKEY "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
#define C2SP_NOTE "This is an example message.\n\n\xE2\x80\x94 example.com/foo " \
	"Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
#define SUM_VKEY "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"
#define SUM_TEXT "go.sum database tree\n6476701\nmb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n"
#define SUM_NOTE SUM_TEXT "\n\xE2\x80\x94 sum.golang.org " \
	"Az3grsLX85Gz+s1SiTbgkuqxgItqFq7gsMUEyVnrsa9LM7Us9S+1xbFIGu95949rj4nPRYfvimWEPWL+o3GeoWwOoAw=\n"

static struct note_verifier *
vparse(const char *vkey)
{
	struct note_verifier *v = NULL;
	char err[HS_ERRLEN] = "";

	if (note_verifier_parse(vkey, &v, err) != HS_OK)
		printf("# %s: %s\n", vkey, err);
	return v;
}

static enum hs_err
open1(const char *msg, size_t len, struct note_verifier *v,
    struct note_verified *out, char *err)
{
	struct note_verifier *vs[1] = { v };

	return note_open(msg, len, vs, 1, out, err);
}

static void
test_vectors(void)
{
	struct note_signer *s = NULL;
	struct note_verifier *peter, *c2sp, *sum;
	struct note_verified ver;
	struct buf b;
	char vk[NOTE_VKEY_MAX], err[HS_ERRLEN] = "";
	enum hs_err rc;

	buf_init(&b);
	rc = note_signer_parse(PETER_SKEY, &s, err);
	T_OK(rc == HS_OK, "parse the PeterNeumann signer key (%s)", err);
	if (rc != HS_OK)
		return;
	T_STREQ(note_signer_name(s), "PeterNeumann", "signer name");
	T_OK(note_signer_keyid(s) == 0xc74f20a3, "signer key ID c74f20a3");
	T_OK(note_signer_vkey(s, vk, sizeof(vk)) == HS_OK, "signer vkey");
	T_STREQ(vk, PETER_VKEY, "signer's verifier key is the published one");
	T_OK(note_signer_vkey(s, vk, 20) == HS_ERR_TOOBIG,
	    "vkey into a short buffer is TOOBIG");
	rc = note_sign(s, PETER_TEXT, strlen(PETER_TEXT), &b, err);
	T_OK(rc == HS_OK, "sign the PeterNeumann text");
	T_STREQ(b.data, PETER_TEXT "\n" PETER_SIG,
	    "signed note is byte for byte the published one");

	peter = vparse(PETER_VKEY);
	c2sp = vparse(C2SP_VKEY);
	sum = vparse(SUM_VKEY);
	T_OK(peter && c2sp && sum, "parse the three published verifier keys");
	if (!peter || !c2sp || !sum)
		goto out;
	T_OK(note_verifier_keyid(sum) == 0x033de0ae, "sum.golang.org key ID");
	T_OK(note_verifier_vkey(c2sp, vk, sizeof(vk)) == HS_OK &&
	    strcmp(vk, C2SP_VKEY) == 0, "verifier key prints back the same");

	rc = open1(b.data, b.len, peter, &ver, err);
	T_OK(rc == HS_OK && ver.n == 1 && ver.by[0] == 0 &&
	    ver.text_len == strlen(PETER_TEXT), "open PeterNeumann note");
	rc = open1(C2SP_NOTE, strlen(C2SP_NOTE), c2sp, &ver, err);
	T_OK(rc == HS_OK && ver.text_len == strlen("This is an example message.\n"),
	    "open the C2SP spec example (%s)", rc ? err : "ok");
	rc = open1(SUM_NOTE, strlen(SUM_NOTE), sum, &ver, err);
	T_OK(rc == HS_OK && ver.text_len == strlen(SUM_TEXT),
	    "open the sum.golang.org checkpoint (%s)", rc ? err : "ok");

	/* The wrong key for a note is an unknown key, so nothing verifies. */
	rc = open1(SUM_NOTE, strlen(SUM_NOTE), peter, &ver, err);
	T_OK(rc == HS_ERR_SIGNATURE && ver.n == 0,
	    "sum note with only PeterNeumann's key fails: %s", err);
	{
		struct note_verifier *all[3] = { peter, c2sp, sum };

		rc = note_open(SUM_NOTE, strlen(SUM_NOTE), all, 3, &ver, err);
		T_OK(rc == HS_OK && ver.n == 1 && ver.by[0] == 2,
		    "sum note with three known keys: verified by index 2");
		rc = note_open(SUM_NOTE, strlen(SUM_NOTE), all, 0, &ver, err);
		T_OK(rc == HS_ERR_SIGNATURE, "no known keys at all fails");
	}
out:
	buf_free(&b);
	note_signer_free(s);
	note_verifier_free(peter);
	note_verifier_free(c2sp);
	note_verifier_free(sum);
}

/* Notes that must not open, each with the error class it must give. */
static void
test_bad_notes(void)
{
	static const struct {
		const char *what, *msg;
		enum hs_err want;
	} rows[] = {
		{ "text changed", "If you think cryptography is the answer to your problem,\n"
		    "then you don't know what your problem is!\n\n" PETER_SIG, HS_ERR_SIGNATURE },
		{ "line added to text", "x\n" PETER_TEXT "\n" PETER_SIG, HS_ERR_SIGNATURE },
		{ "signature changed", PETER_TEXT "\n\xE2\x80\x94 PeterNeumann "
		    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAQ=\n",
		    HS_ERR_SIGNATURE },
		{ "signature padding bits changed", PETER_TEXT "\n\xE2\x80\x94 PeterNeumann "
		    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAN=\n",
		    HS_ERR_FORMAT /* non-canonical base64 */ },
		{ "signature byte changed", PETER_TEXT "\n\xE2\x80\x94 PeterNeumann "
		    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnBM=\n",
		    HS_ERR_SIGNATURE },
		{ "signature truncated (known key)", PETER_TEXT "\n\xE2\x80\x94 PeterNeumann "
		    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJ\n",
		    HS_ERR_SIGNATURE },
		{ "text without final newline",
		    "If you think cryptography is the answer to your problem,\n"
		    "then you don't know what your problem is.\n" PETER_SIG, HS_ERR_FORMAT },
		{ "no newline at all", "abc", HS_ERR_FORMAT },
		{ "empty", "", HS_ERR_FORMAT },
		{ "no signatures", PETER_TEXT "\n", HS_ERR_FORMAT },
		{ "blank line after signatures", PETER_TEXT "\n" PETER_SIG "\n", HS_ERR_FORMAT },
		{ "signature block without final newline", PETER_TEXT "\n"
		    "\xE2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=",
		    HS_ERR_FORMAT },
		{ "hyphen instead of em dash", PETER_TEXT "\n- PeterNeumann "
		    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
		    HS_ERR_FORMAT },
		{ "em dash without space", PETER_TEXT "\n\xE2\x80\x94PeterNeumann "
		    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
		    HS_ERR_FORMAT },
		{ "two spaces", PETER_TEXT "\n\xE2\x80\x94 PeterNeumann  "
		    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
		    HS_ERR_FORMAT },
		{ "trailing space", PETER_TEXT "\n\xE2\x80\x94 PeterNeumann "
		    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM= \n",
		    HS_ERR_FORMAT },
		{ "no signature after name", PETER_TEXT "\n\xE2\x80\x94 PeterNeumann \n", HS_ERR_FORMAT },
		{ "no space after name", PETER_TEXT "\n\xE2\x80\x94 PeterNeumann\n", HS_ERR_FORMAT },
		{ "empty key name", PETER_TEXT "\n\xE2\x80\x94  "
		    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
		    HS_ERR_FORMAT },
		{ "'+' in key name", PETER_TEXT "\n\xE2\x80\x94 Peter+Neumann "
		    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
		    HS_ERR_FORMAT },
		{ "ideographic space in key name", PETER_TEXT "\n\xE2\x80\x94 Peter\xE3\x80\x80Neumann "
		    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
		    HS_ERR_FORMAT },
		{ "bad base64", PETER_TEXT "\n\xE2\x80\x94 PeterNeumann x08go/ZJ*uBS9\n", HS_ERR_FORMAT },
		{ "signature too short (4 bytes)", PETER_TEXT "\n\xE2\x80\x94 PeterNeumann x08gow==\n", HS_ERR_FORMAT },
		{ "tab in text", "a\tb\n\n" PETER_SIG, HS_ERR_FORMAT },
		{ "CR in signature line", PETER_TEXT "\n\xE2\x80\x94 PeterNeumann "
		    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\r\n",
		    HS_ERR_FORMAT },
		{ "invalid UTF-8", "caf\xC3\n\n" PETER_SIG, HS_ERR_FORMAT },
		{ "overlong UTF-8", "\xC0\xAF\n\n" PETER_SIG, HS_ERR_FORMAT },
		{ "only unknown keys", PETER_TEXT "\n\xE2\x80\x94 EnochRoot "
		    "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n",
		    HS_ERR_SIGNATURE },
		{ "known name, other key ID only", PETER_TEXT "\n\xE2\x80\x94 PeterNeumann "
		    "AAAAAAZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
		    HS_ERR_SIGNATURE },
	};
	struct note_verifier *peter = vparse(PETER_VKEY);
	struct note_verified ver;
	char err[HS_ERRLEN];
	enum hs_err rc;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		err[0] = '\0';
		rc = open1(rows[i].msg, strlen(rows[i].msg), peter, &ver, err);
		T_OK(rc == rows[i].want && ver.n == 0 && err[0] != '\0',
		    "reject %s: %s (%s)", rows[i].what, hs_strerror(rc), err);
	}
	note_verifier_free(peter);
}

/* Every single-bit flip of a signed note must make it fail to open. */
static void
test_bitflips(void)
{
	struct note_verifier *peter = vparse(PETER_VKEY);
	struct note_verified ver;
	const char *note = PETER_TEXT "\n" PETER_SIG;
	size_t len = strlen(note), i, bad = 0;
	char *m = malloc(len);
	int bit;

	for (i = 0; i < len; i++)
		for (bit = 0; bit < 8; bit++) {
			memcpy(m, note, len);
			m[i] ^= (char)(1 << bit);
			if (open1(m, len, peter, &ver, NULL) == HS_OK) {
				bad++;
				printf("# flip byte %zu bit %d still opens\n", i, bit);
			}
		}
	T_OK(bad == 0, "all %zu single-bit flips of the note fail", len * 8);
	/* The untouched copy still opens, so the loop tested something. */
	memcpy(m, note, len);
	T_OK(open1(m, len, peter, &ver, NULL) == HS_OK, "unflipped note opens");
	free(m);
	note_verifier_free(peter);
}

static void
test_multi(void)
{
	uint8_t seed1[32], seed2[32];
	struct note_signer *s1 = NULL, *s2 = NULL, *s3 = NULL;
	struct note_verifier *v1 = NULL, *v2 = NULL, *v3 = NULL, *peter;
	struct note_verified ver;
	struct buf a, b, m;
	char vk[NOTE_VKEY_MAX], err[HS_ERRLEN] = "";
	const char *text = "ledger.example.cn/fj\n3\nAAAA\n\nsecond paragraph\n";
	enum hs_err rc;
	int i;

	buf_init(&a);
	buf_init(&b);
	buf_init(&m);
	for (i = 0; i < 32; i++) {
		seed1[i] = (uint8_t)i;
		seed2[i] = (uint8_t)(255 - i);
	}
	peter = vparse(PETER_VKEY);
	T_OK(note_signer_new("ledger.example.cn/fj", seed1, &s1, err) == HS_OK,
	    "signer with a '/' in its name");
	T_OK(note_signer_new("witness.example", seed2, &s2, err) == HS_OK,
	    "second signer");
	/* Same name, other key: a different key ID. */
	T_OK(note_signer_new("ledger.example.cn/fj", seed2, &s3, err) == HS_OK,
	    "third signer, same name as the first");
	if (!s1 || !s2 || !s3)
		goto out;
	note_signer_vkey(s1, vk, sizeof(vk));
	note_verifier_parse(vk, &v1, err);
	note_signer_vkey(s2, vk, sizeof(vk));
	note_verifier_parse(vk, &v2, err);
	note_signer_vkey(s3, vk, sizeof(vk));
	note_verifier_parse(vk, &v3, err);
	T_OK(v1 && v2 && v3, "verifiers from the signers' vkeys");
	if (!v1 || !v2 || !v3)
		goto out;
	T_OK(note_verifier_keyid(v1) != note_verifier_keyid(v3),
	    "same name, different key: different key IDs");

	/* Two signatures on one text (blank line inside the text too). */
	note_sign(s1, text, strlen(text), &a, err);
	note_sign(s2, text, strlen(text), &b, err);
	buf_add(&m, a.data, a.len);
	buf_add(&m, b.data + strlen(text) + 1, b.len - strlen(text) - 1);
	{
		struct note_verifier *both[2] = { v1, v2 }, *rev[2] = { v2, v1 };
		struct note_verifier *with_unknown[2] = { peter, v2 };

		rc = note_open(m.data, m.len, both, 2, &ver, err);
		T_OK(rc == HS_OK && ver.n == 2 && ver.by[0] == 0 &&
		    ver.by[1] == 1 && ver.text_len == strlen(text),
		    "two signatures, both known");
		rc = note_open(m.data, m.len, rev, 2, &ver, err);
		T_OK(rc == HS_OK && ver.n == 2 && ver.by[0] == 1 &&
		    ver.by[1] == 0, "known keys in the other order");
		rc = note_open(m.data, m.len, with_unknown, 2, &ver, err);
		T_OK(rc == HS_OK && ver.n == 1 && ver.by[0] == 1,
		    "one unknown signature is ignored");
		rc = note_open(m.data, m.len, &v3, 1, &ver, err);
		T_OK(rc == HS_ERR_SIGNATURE,
		    "same name but other key ID is unknown: %s", err);
	}
	/* Corrupt the second signature: known key, so the note fails. */
	{
		struct buf c;
		struct note_verifier *both[2] = { v1, v2 };
		char *p;

		buf_init(&c);
		buf_add(&c, m.data, m.len);
		p = c.data + c.len - 10;
		*p = *p == 'A' ? 'B' : 'A';
		rc = note_open(c.data, c.len, both, 2, &ver, err);
		T_OK(rc == HS_ERR_SIGNATURE && ver.n == 0,
		    "a bad signature by a known key fails the note: %s", err);
		rc = note_open(c.data, c.len, &v1, 1, &ver, err);
		T_OK(rc == HS_OK && ver.n == 1,
		    "the same bad signature by an unknown key is ignored");
		buf_free(&c);
	}
	/* The same key listed twice is not ambiguous. */
	{
		struct note_verifier *twice[2] = { v1, v1 };

		rc = note_open(m.data, m.len, twice, 2, &ver, err);
		T_OK(rc == HS_OK && ver.n == 1, "the same key listed twice");
	}
	/* 16 signature lines are accepted, 17 are too many. */
	{
		struct buf c;
		const char *sigline = b.data + strlen(text) + 1;
		size_t sl = b.len - strlen(text) - 1;

		buf_init(&c);
		buf_add(&c, a.data, a.len);
		for (i = 1; i < NOTE_MAX_SIGS; i++)
			buf_add(&c, sigline, sl);
		rc = note_open(c.data, c.len, &v1, 1, &ver, err);
		T_OK(rc == HS_OK && ver.n == 1, "16 signature lines open");
		buf_add(&c, sigline, sl);
		rc = note_open(c.data, c.len, &v1, 1, &ver, err);
		T_OK(rc == HS_ERR_TOOBIG, "17 signature lines: %s", err);
		buf_free(&c);
	}
	/* Signing rules. */
	buf_reset(&a);
	T_OK(note_sign(s1, "no newline", 10, &a, err) == HS_ERR_INVALID,
	    "sign text without final newline: %s", err);
	T_OK(note_sign(s1, "", 0, &a, err) == HS_ERR_INVALID,
	    "sign empty text");
	T_OK(note_sign(s1, "a\tb\n", 4, &a, err) == HS_ERR_INVALID,
	    "sign text with a tab: %s", err);
	T_OK(note_sign(s1, "\xFF\n", 2, &a, err) == HS_ERR_INVALID,
	    "sign invalid UTF-8: %s", err);
	T_OK(a.len == 0, "failed signing appends nothing");
	T_OK(note_sign(s1, "\n", 1, &a, err) == HS_OK, "sign a lone newline");
	{
		struct buf c;

		buf_init(&c);
		note_sign(s1, "a\n\n", 3, &c, err);
		rc = note_open(c.data, c.len, &v1, 1, &ver, err);
		T_OK(rc == HS_OK && ver.text_len == 3,
		    "text ending in a blank line opens with that line kept");
		buf_free(&c);
	}
out:
	buf_free(&a);
	buf_free(&b);
	buf_free(&m);
	note_signer_free(s1);
	note_signer_free(s2);
	note_signer_free(s3);
	note_verifier_free(v1);
	note_verifier_free(v2);
	note_verifier_free(v3);
	note_verifier_free(peter);
}

static void
test_keys(void)
{
	static const struct {
		const char *vkey;
		const char *what;
	} bad[] = {
		{ "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "wrong key ID" },
		{ "PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "7-digit key ID" },
		{ "PeterNeumann+c74f20g3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "non-hex key ID" },
		{ "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T", "bad base64" },
		{ "PeterNeumann+c74f20a3+AhpjzQcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "algorithm 2" },
		{ "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==", "wrong length key" },
		{ "PeterNeumann+c74f20a3", "no key" },
		{ "PeterNeumann", "name only" },
		{ "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "empty name" },
		{ "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "space in name" },
		{ "", "empty" },
	};
	static const char *badnames[] = {
		"", "a b", "a+b", "a\tb", "a\nb", "a\xC2\xA0" "b", "a\xE2\x80\x83" "b",
		"\xFF", "a\x01",
	};
	struct note_verifier *v = NULL;
	struct note_signer *s = NULL;
	uint8_t seed[32] = { 1 };
	char err[HS_ERRLEN], longname[300];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		T_OK(note_verifier_parse(bad[i].vkey, &v, err) == HS_ERR_INVALID &&
		    v == NULL && err[0] != '\0', "reject verifier key: %s (%s)",
		    bad[i].what, err);
	}
	T_OK(note_signer_parse(PETER_VKEY, &s, err) == HS_ERR_INVALID && !s,
	    "a verifier key is not a signer key");
	T_OK(note_signer_parse("PRIVATE+KEY+PeterNeumann+c74f20a4+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
	    &s, err) == HS_ERR_INVALID && !s, "signer key with wrong ID: %s", err);
	for (i = 0; i < sizeof(badnames) / sizeof(badnames[0]); i++) {
		T_OK(!note_name_valid(badnames[i]) &&
		    note_signer_new(badnames[i], seed, &s, err) == HS_ERR_INVALID &&
		    s == NULL, "reject key name #%zu", i);
	}
	T_OK(note_name_valid("ledger.hourseal.example.cn/fj"), "origin with '/' ok");
	T_OK(note_name_valid("证书.example/福建"), "non-ASCII name ok");
	T_OK(note_name_valid("a\x7f"), "DEL is not a control character below U+0020");
	memset(longname, 'a', sizeof(longname));
	longname[NOTE_NAME_MAX] = '\0';
	T_OK(note_name_valid(longname), "name of NOTE_NAME_MAX bytes ok");
	longname[NOTE_NAME_MAX] = 'a';
	longname[NOTE_NAME_MAX + 1] = '\0';
	T_OK(!note_name_valid(longname), "name over NOTE_NAME_MAX rejected");
}

int
main(void)
{
	test_vectors();
	test_bad_notes();
	test_bitflips();
	test_multi();
	test_keys();
	return t_done();
}
