/*
 * test_sm2.c - SM2/SM3 note signatures (tlog/note.h, formats.md §5): the
 * encoded key and key ID, signing with the distinguishing ID set
 * explicitly (a signature made with OpenSSL's default empty ID fails),
 * hostile keys and signatures, Ed25519 and SM2 signing one note, SM2
 * key files (plain and passphrase-encrypted), and a remote SM2 signer.
 *
 * Helper modes for tests/e2e/interop_sm2.sh:
 *   test_sm2 --keygen DIR LABEL NAME       an SM2 key file; prints vkey
 *   test_sm2 --sign DIR LABEL NAME TEXT    prints TEXT signed as a note
 *   test_sm2 --vkey NAME PUBHEX            the verifier key of a point
 *   test_sm2 --open VKEY NOTE              exit 0 if NOTE opens with VKEY
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "app/signer.h"
#include "core/file.h"
#include "core/util.h"
#include "store/keys.h"
#include "tlog/note.h"
#include "t.h"

#define NAME "ledger.hourseal.example.cn/fj"
static const char text[] = "hourseal/cert/v1\nserial: 2026-TEST\n";

static const uint8_t tag[] = { 0xff, 0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf,
    0x55, 0x01, 0x83, 0x75 };

/* The signature bytes of the last line of a one-signature note. */
static long
last_sig(const struct buf *b, uint8_t *raw, size_t cap)
{
	const char *end = b->data + b->len - 1, *sp = end;

	while (sp > b->data && *sp != ' ')
		sp--;
	return b64_decode(sp + 1, (size_t)(end - sp - 1), raw, cap);
}

/* note with its last signature line replaced by key ID || sig. */
static void
reframe(const struct buf *in, const uint8_t *raw, size_t n, struct buf *out)
{
	const char *end = in->data + in->len - 1, *sp = end;
	char b64[200];

	while (sp > in->data && *sp != ' ')
		sp--;
	buf_reset(out);
	buf_add(out, in->data, (size_t)(sp + 1 - in->data));
	b64_encode(raw, n, b64, sizeof(b64));
	buf_puts(out, b64);
	buf_putc(out, '\n');
}

/* An SM2 signature of msg by pk with OpenSSL's default (empty) ID, r||s. */
static bool
sign_empty_id(EVP_PKEY *pk, const char *msg, size_t len, uint8_t rs[64])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t der[80];
	const unsigned char *p = der;
	size_t n = sizeof(der);
	ECDSA_SIG *es = NULL;
	const BIGNUM *r, *s;
	bool ok = false;

	if (ctx != NULL && EVP_DigestSignInit(ctx, NULL, EVP_sm3(), NULL,
	    pk) == 1 && EVP_DigestSign(ctx, der, &n, (const uint8_t *)msg,
	    len) == 1 && (es = d2i_ECDSA_SIG(NULL, &p, (long)n)) != NULL) {
		ECDSA_SIG_get0(es, &r, &s);
		ok = BN_bn2binpad(r, rs, 32) == 32 &&
		    BN_bn2binpad(s, rs + 32, 32) == 32;
	}
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(ctx);
	return ok;
}

static enum hs_err
local_raw(void *ctx, const char *t, size_t len, uint8_t sig[64], char *err)
{
	return note_sign_raw(ctx, t, len, sig, err);
}

static void
test_format(void)
{
	char err[HS_ERRLEN] = "", vkey[NOTE_VKEY_MAX], bad[NOTE_VKEY_MAX];
	char b64[200];
	struct note_signer *s = NULL, *ed = NULL, *rem = NULL;
	struct note_verifier *v = NULL, *w = NULL, *vs[2];
	struct note_verified got;
	EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "SM2");
	uint8_t k[NOTE_KEY_MAX], raw[200], h[32], tmp[400], seed[32] = { 7 };
	size_t klen = 0, n;
	struct buf b, b2;
	long rl;
	uint32_t id;

	buf_init(&b);
	buf_init(&b2);
	T_OK(pk != NULL && note_signer_new_pkey(NAME, pk, &s, err) == HS_OK,
	    "an SM2 signer from an OpenSSL SM2 key (%s)", err);
	if (s == NULL)
		return;
	T_OK(note_signer_alg(s) == NOTE_ALG_SM2, "its type is SM2");
	note_signer_key(s, k, &klen);
	T_OK(klen == 76 && memcmp(k, tag, sizeof(tag)) == 0 && k[11] == 0x04,
	    "K = 0xff || OID 1.2.156.10197.1.501 || 04 X Y (76 bytes)");
	/* key ID = SHA-256(name || \n || K)[:4] */
	n = strlen(NAME);
	memcpy(tmp, NAME, n);
	tmp[n] = '\n';
	memcpy(tmp + n + 1, k, klen);
	sha256(tmp, n + 1 + klen, h);
	id = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 |
	    h[3];
	T_OK(note_signer_keyid(s) == id, "key ID is SHA-256(name||0x0A||K)[:4]");
	T_OK(note_signer_vkey(s, vkey, sizeof(vkey)) == HS_OK,
	    "the verifier key is written");
	b64_encode(k, klen, b64, sizeof(b64));
	snprintf((char *)tmp, sizeof(tmp), "%s+%08x+%s", NAME, id, b64);
	T_STREQ(vkey, (char *)tmp, "verifier key = name+hex8(ID)+base64(K)");
	T_OK(note_verifier_parse(vkey, &v, err) == HS_OK &&
	    note_verifier_alg(v) == NOTE_ALG_SM2, "the verifier key parses "
	    "as SM2 (%s)", err);

	T_OK(note_sign(s, text, sizeof(text) - 1, &b, err) == HS_OK,
	    "SM2 signs a note (%s)", err);
	vs[0] = v;
	T_OK(note_open(b.data, b.len, vs, 1, &got, err) == HS_OK &&
	    got.n == 1, "the SM2 note opens (%s)", err);
	rl = last_sig(&b, raw, sizeof(raw));
	T_OK(rl == 68, "the signature is key ID + 64 bytes r||s");

	/* The trap: OpenSSL's default ID is empty; such a signature is not
	 * a signature with the standard ID and must not verify. */
	T_OK(sign_empty_id(pk, text, sizeof(text) - 1, raw + 4),
	    "OpenSSL signs with its default (empty) ID");
	reframe(&b, raw, 68, &b2);
	T_OK(note_open(b2.data, b2.len, vs, 1, &got, err) ==
	    HS_ERR_SIGNATURE, "a signature made with an empty ID is rejected");

	/* Hostile signatures: r = 0, r = n, one byte short, one flipped. */
	last_sig(&b, raw, sizeof(raw));
	memset(raw + 4, 0, 32);
	reframe(&b, raw, 68, &b2);
	T_OK(note_open(b2.data, b2.len, vs, 1, &got, err) == HS_ERR_SIGNATURE,
	    "r = 0 is rejected");
	{
		static const uint8_t order[32] = { 0xff, 0xff, 0xff, 0xfe,
		    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		    0xff, 0xff, 0x72, 0x03, 0xdf, 0x6b, 0x21, 0xc6, 0x05, 0x2b,
		    0x53, 0xbb, 0xf4, 0x09, 0x39, 0xd5, 0x41, 0x23 };

		last_sig(&b, raw, sizeof(raw));
		memcpy(raw + 36, order, 32);
		reframe(&b, raw, 68, &b2);
		T_OK(note_open(b2.data, b2.len, vs, 1, &got, err) ==
		    HS_ERR_SIGNATURE, "s = n is rejected");
	}
	last_sig(&b, raw, sizeof(raw));
	reframe(&b, raw, 67, &b2);
	T_OK(note_open(b2.data, b2.len, vs, 1, &got, err) == HS_ERR_SIGNATURE,
	    "a 63-byte signature is rejected");
	last_sig(&b, raw, sizeof(raw));
	raw[40] ^= 1;
	reframe(&b, raw, 68, &b2);
	T_OK(note_open(b2.data, b2.len, vs, 1, &got, err) == HS_ERR_SIGNATURE,
	    "a flipped bit in s is rejected");

	/* Hostile keys. */
	k[11] = 0x02; /* compressed form */
	T_OK(note_verifier_new_key(NAME, k, 76, &w, err) == HS_ERR_INVALID,
	    "a compressed SM2 point is refused (%s)", err);
	k[11] = 0x04;
	k[75] ^= 1; /* off the curve */
	T_OK(note_verifier_new_key(NAME, k, 76, &w, err) == HS_ERR_INVALID,
	    "a point off the SM2 curve is refused (%s)", err);
	k[75] ^= 1;
	k[5] ^= 1; /* another OID after 0xff */
	T_OK(note_verifier_new_key(NAME, k, 76, &w, err) == HS_ERR_INVALID,
	    "0xff with another identifier is refused (%s)", err);
	k[5] ^= 1;
	T_OK(note_verifier_new_key(NAME, k, 75, &w, err) == HS_ERR_INVALID,
	    "a short SM2 key is refused");
	k[0] = 0x02;
	T_OK(note_verifier_new_key(NAME, k, 76, &w, err) == HS_ERR_INVALID &&
	    strstr(err, "0x02") != NULL, "type 0x02 is unknown (%s)", err);
	k[0] = 0xff;
	snprintf(bad, sizeof(bad), "%s", vkey);
	bad[strlen(NAME) + 3] ^= 1; /* key ID digit */
	T_OK(note_verifier_parse(bad, &w, err) == HS_ERR_INVALID,
	    "a verifier key whose ID does not match K is refused");

	/* Ed25519 and SM2 sign the same note; each opens it. */
	T_OK(note_signer_new(NAME, seed, &ed, err) == HS_OK, "an Ed25519 key");
	buf_reset(&b2);
	note_sign(ed, text, sizeof(text) - 1, &b2, err);
	buf_add(&b2, b.data + sizeof(text), b.len - sizeof(text));
	{
		char evk[NOTE_VKEY_MAX];

		note_signer_vkey(ed, evk, sizeof(evk));
		note_verifier_parse(evk, &w, err);
	}
	vs[1] = w;
	T_OK(note_open(b2.data, b2.len, vs, 2, &got, err) == HS_OK &&
	    got.n == 2, "a note signed by Ed25519 and SM2 opens with both");
	T_OK(note_open(b2.data, b2.len, vs + 1, 1, &got, err) == HS_OK,
	    "and with the Ed25519 key alone");
	T_OK(note_signer_keyid(ed) != note_signer_keyid(s),
	    "the two key IDs differ");

	/* A remote SM2 signer (the serve signer process's shape). */
	T_OK(note_signer_new_remote_key(NAME, k, 76, local_raw, s, NULL, &rem,
	    err) == HS_OK, "a remote SM2 signer (%s)", err);
	buf_reset(&b2);
	T_OK(rem != NULL && note_sign(rem, text, sizeof(text) - 1, &b2, err) ==
	    HS_OK && note_open(b2.data, b2.len, vs, 1, &got, err) == HS_OK,
	    "a remote SM2 signer's note opens (%s)", err);
	note_signer_free(rem);
	rem = NULL;
	T_OK(note_signer_new_remote_key(NAME, k, 76, local_raw, ed, NULL, &rem,
	    err) == HS_OK, "a remote signer that answers with another key");
	buf_reset(&b2);
	T_OK(rem != NULL && note_sign(rem, text, sizeof(text) - 1, &b2, err) ==
	    HS_ERR_SIGNATURE, "is caught (%s)", err);

	note_signer_free(rem);
	note_signer_free(ed);
	note_signer_free(s);
	note_verifier_free(v);
	note_verifier_free(w);
	EVP_PKEY_free(pk);
	buf_free(&b);
	buf_free(&b2);
}

static void
test_files(void)
{
	char dir[] = "/tmp/test_sm2.XXXXXX", err[HS_ERRLEN] = "";
	char vkey[NOTE_VKEY_MAX], vk2[NOTE_VKEY_MAX];
	struct keys_new how = { NOTE_ALG_SM2, NULL, false };
	struct note_signer *s = NULL, *t = NULL;
	char cmd[600];

	if (mkdtemp(dir) == NULL)
		return;
	chmod(dir, 0700);
	T_OK(keys_create_how(dir, "sm2", NAME, &how, NULL, 0, &s, vkey,
	    err) == HS_OK, "an SM2 key file (%s)", err);
	T_OK(keys_load(dir, "sm2", NAME, NULL, 0, &t, err) == HS_OK,
	    "loads back (%s)", err);
	if (t != NULL) {
		note_signer_vkey(t, vk2, sizeof(vk2));
		T_STREQ(vk2, vkey, "with the same verifier key");
		T_OK(note_signer_alg(t) == NOTE_ALG_SM2, "as SM2");
	}
	note_signer_free(s);
	note_signer_free(t);
	s = t = NULL;
	T_OK(keys_create_how(dir, "sm2p", NAME, &how, "correct horse", 13, &s,
	    vkey, err) == HS_OK, "an encrypted SM2 key file (%s)", err);
	T_OK(keys_load(dir, "sm2p", NAME, "wrong", 5, &t, err) ==
	    HS_ERR_SIGNATURE, "a wrong passphrase is refused");
	T_OK(keys_load(dir, "sm2p", NAME, "correct horse", 13, &t, err) ==
	    HS_OK, "the right one opens it (%s)", err);
	snprintf(cmd, sizeof(cmd), "openssl pkey -in %s/sm2.key -noout -text "
	    "2>/dev/null | grep -q 'ASN1 OID: SM2'", dir);
	T_OK(system(cmd) == 0, "openssl reads the key file as an SM2 key");
	how.uri = "pkcs11:object=x;pin-value=1234";
	T_OK(keys_create_how(dir, "p11", NAME, &how, NULL, 0, NULL, NULL,
	    err) == HS_ERR_INVALID, "a token URI with a pin-value is refused "
	    "(%s)", err);
	note_signer_free(s);
	note_signer_free(t);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)system(cmd);
}

/* The serve signer process with an SM2 key, and hellos that lie. */
static void
test_signer(void)
{
	static const char cp[] = NAME "\n3\n"
	    "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n";
	char err[HS_ERRLEN] = "", label[KEYS_LABEL_MAX + 1] = "", vkey[600];
	struct note_signer *s = NULL, *remote = NULL;
	struct note_verifier *v = NULL;
	struct signer_remote *r = NULL;
	struct note_verified got;
	EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "SM2");
	uint8_t hello[300];
	struct buf b;
	int sp[2], status;
	pid_t pid;
	size_t i;

	buf_init(&b);
	if (pk == NULL || note_signer_new_pkey(NAME, pk, &s, err) != HS_OK)
		return;
	note_signer_vkey(s, vkey, sizeof(vkey));
	note_verifier_parse(vkey, &v, err);
	T_OK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp) == 0, "a socketpair");
	fflush(stdout);
	if ((pid = fork()) == 0) {
		close(sp[0]);
		signer_serve(sp[1], s, "sm2-key", NULL, stderr, err);
		_exit(0);
	}
	close(sp[1]);
	T_OK(signer_remote_open(sp[0], &remote, label, &r, err) == HS_OK,
	    "the signer process announces an SM2 key (%s)", err);
	T_STREQ(label, "sm2-key", "with its label");
	if (remote != NULL) {
		T_OK(note_signer_alg(remote) == NOTE_ALG_SM2 &&
		    note_signer_keyid(remote) == note_signer_keyid(s),
		    "the HTTP side's signer is SM2 with the same key ID");
		T_OK(note_sign(remote, cp, strlen(cp), &b, err) == HS_OK &&
		    note_open(b.data, b.len, &v, 1, &got, err) == HS_OK,
		    "a checkpoint signed through the socket opens (%s)", err);
	}
	note_signer_free(remote);
	signer_remote_free(r);
	waitpid(pid, &status, 0);

	/* Hellos that lie about their lengths. */
	for (i = 0; i < 4; i++) {
		size_t n;

		memset(hello, 'a', sizeof(hello));
		hello[0] = 'K';
		n = 100;
		if (i == 0)
			hello[1] = 200;          /* key longer than any */
		else if (i == 1) {
			hello[1] = 76;           /* key runs past the end */
			n = 50;
		} else if (i == 2) {
			hello[1] = 76;           /* not a key */
			hello[2] = 0x07;
			hello[78] = 0;
		} else {
			hello[1] = 33;           /* label runs past the end */
			hello[2] = 0x01;
			hello[35] = 250;
		}
		if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp) != 0)
			break;
		(void)send(sp[1], hello, n, 0);
		r = NULL;
		remote = NULL;
		T_OK(signer_remote_open(sp[0], &remote, label, &r, err) !=
		    HS_OK && remote == NULL, "a lying hello (%zu) is refused "
		    "(%s)", i, err);
		close(sp[1]);
		close(sp[0]);
	}
	note_signer_free(s);
	note_verifier_free(v);
	EVP_PKEY_free(pk);
	buf_free(&b);
}

/* ---- helper modes ---- */

static int
mode_keygen(char **av)
{
	char err[HS_ERRLEN], vkey[NOTE_VKEY_MAX];
	struct keys_new how = { NOTE_ALG_SM2, NULL, false };

	if (keys_create_how(av[0], av[1], av[2], &how, NULL, 0, NULL, vkey,
	    err) != HS_OK) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	printf("%s\n", vkey);
	return 0;
}

static int
mode_sign(char **av)
{
	char err[HS_ERRLEN], *t = NULL;
	struct note_signer *s = NULL;
	struct buf b;
	size_t n = 0;
	int rc = 2;

	buf_init(&b);
	if (keys_load(av[0], av[1], av[2], NULL, 0, &s, err) == HS_OK &&
	    file_read(av[3], 1 << 20, &t, &n, err) == HS_OK &&
	    note_sign(s, t, n, &b, err) == HS_OK) {
		fwrite(b.data, 1, b.len, stdout);
		rc = 0;
	} else
		fprintf(stderr, "%s\n", err);
	free(t);
	buf_free(&b);
	note_signer_free(s);
	return rc;
}

static int
mode_vkey(char **av)
{
	char err[HS_ERRLEN], vkey[NOTE_VKEY_MAX];
	struct note_verifier *v = NULL;
	uint8_t k[NOTE_KEY_MAX];

	if (strlen(av[1]) != 130 || hex_decode(av[1], k + sizeof(tag), 65) !=
	    0) {
		fprintf(stderr, "PUBHEX must be 130 hex digits\n");
		return 2;
	}
	memcpy(k, tag, sizeof(tag));
	if (note_verifier_new_key(av[0], k, 76, &v, err) != HS_OK) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	note_verifier_vkey(v, vkey, sizeof(vkey));
	printf("%s\n", vkey);
	note_verifier_free(v);
	return 0;
}

static int
mode_open(char **av)
{
	char err[HS_ERRLEN] = "", *t = NULL;
	struct note_verifier *v = NULL;
	struct note_verified got;
	size_t n = 0;
	int rc = 2;

	if (note_verifier_parse(av[0], &v, err) == HS_OK &&
	    file_read(av[1], 1 << 20, &t, &n, err) == HS_OK)
		rc = note_open(t, n, &v, 1, &got, err) == HS_OK ? 0 : 1;
	if (rc != 0)
		fprintf(stderr, "%s\n", err);
	free(t);
	note_verifier_free(v);
	return rc;
}

int
main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "--keygen") == 0)
		return mode_keygen(argv + 2);
	if (argc == 6 && strcmp(argv[1], "--sign") == 0)
		return mode_sign(argv + 2);
	if (argc == 4 && strcmp(argv[1], "--vkey") == 0)
		return mode_vkey(argv + 2);
	if (argc == 4 && strcmp(argv[1], "--open") == 0)
		return mode_open(argv + 2);
	test_format();
	test_files();
	test_signer();
	return t_done();
}
