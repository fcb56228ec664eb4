/*
 * keys.c - key files (Ed25519, SM2, or a reference to a key in a PKCS#11
 * token) and the keys table. See keys.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "store/keys.h"
#include "store/store.h"
#include "core/p11.h"
#include "core/util.h"

#define KEYFILE_MAX 16384 /* bytes in a .key file */
#define PUBFILE_MAX 4096

bool
keys_label_valid(const char *label)
{
	size_t i, n = strlen(label);

	if (n == 0 || n > KEYS_LABEL_MAX || label[0] == '.' || label[0] == '-')
		return false;
	for (i = 0; i < n; i++) {
		char c = label[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

void
keys_default_label(char out[KEYS_LABEL_MAX + 1])
{
	char now[21];

	time_now_rfc3339(now);
	memcpy(out, now, 10);
	out[10] = '\0';
}

const char *
keys_passphrase_file(const char *flag)
{
	const char *e;

	if (flag != NULL)
		return flag;
	e = getenv(KEYS_PASSPHRASE_ENV);
	return e != NULL && e[0] != '\0' ? e : NULL;
}

/*
 * Reads at most max bytes of the file open on fd into p (max + 1 bytes);
 * HS_ERR_TOOBIG if there is more.
 */
static enum hs_err
read_fd(int fd, const char *what, char *p, size_t max, size_t *len,
    char *err)
{
	size_t n = 0;
	ssize_t r;

	for (;;) {
		r = read(fd, p + n, max + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return hs_fail(err, HS_ERR_IO, "%s: %s", what,
			    strerror(errno));
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max)
			return hs_fail(err, HS_ERR_TOOBIG,
			    "%s: larger than %zu bytes", what, max);
	}
	p[n] = '\0';
	*len = n;
	return HS_OK;
}

enum hs_err
keys_read_passphrase(const char *path, char *pass, size_t *len, char *err)
{
	char tmp[KEYS_PASS_MAX + 3];
	struct stat st;
	size_t n = 0, k;
	enum hs_err rc;
	int fd;

	*len = 0;
	pass[0] = '\0';
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return hs_fail(err, errno == ENOENT ? HS_ERR_NOTFOUND :
		    HS_ERR_IO, "passphrase file %s: %s", path, strerror(errno));
	/* Like a secret key file: a passphrase others can read is refused. */
	if (fstat(fd, &st) != 0) {
		rc = hs_fail(err, HS_ERR_IO, "passphrase file %s: %s", path,
		    strerror(errno));
		close(fd);
		goto out;
	}
	if (S_ISREG(st.st_mode) && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		rc = hs_fail(err, HS_ERR_STATE, "passphrase file %s is open to "
		    "group or others (mode %04o); it must be mode 0600: "
		    "chmod 600 %s", path, (unsigned)(st.st_mode & 07777),
		    path);
		close(fd);
		goto out;
	}
	rc = read_fd(fd, path, tmp, sizeof(tmp) - 2, &n, err);
	close(fd);
	/* Only the first line counts, so a longer file is fine if it is. */
	for (k = 0; k < n && tmp[k] != '\n'; k++)
		;
	if (rc == HS_ERR_TOOBIG && k < n)
		rc = HS_OK;
	if (rc != HS_OK)
		goto out;
	if (k > 0 && tmp[k - 1] == '\r')
		k--;
	if (k == 0) {
		rc = hs_fail(err, HS_ERR_INVALID,
		    "passphrase file %s: the first line is empty", path);
		goto out;
	}
	if (k > KEYS_PASS_MAX) {
		rc = hs_fail(err, HS_ERR_TOOBIG, "passphrase file %s: the "
		    "passphrase is longer than %d bytes", path, KEYS_PASS_MAX);
		goto out;
	}
	if (memchr(tmp, '\0', k) != NULL) {
		rc = hs_fail(err, HS_ERR_INVALID,
		    "passphrase file %s: the passphrase has a NUL byte", path);
		goto out;
	}
	memcpy(pass, tmp, k);
	pass[k] = '\0';
	*len = k;
out:
	OPENSSL_cleanse(tmp, sizeof(tmp));
	return rc;
}

/*
 * A keys directory others can write to lets them swap a key or its .pub:
 * refused, like a secret key file others can read.
 */
static enum hs_err
dir_private(const char *dir, char *err)
{
	struct stat st;

	if (stat(dir, &st) != 0)
		return hs_fail(err, errno == ENOENT ? HS_ERR_NOTFOUND :
		    HS_ERR_IO, "key directory %s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return hs_fail(err, HS_ERR_STATE, "key directory %s is not a "
		    "directory", dir);
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		return hs_fail(err, HS_ERR_STATE, "key directory %s is "
		    "writable by group or others (mode %04o); it must not be: "
		    "chmod 700 %s", dir, (unsigned)(st.st_mode & 07777), dir);
	return HS_OK;
}

static enum hs_err
file_paths(const char *dir, const char *label, char *key, char *pub,
    char *err)
{
	char name[KEYS_LABEL_MAX + 8];
	enum hs_err rc;

	if (!keys_label_valid(label))
		return hs_fail(err, HS_ERR_INVALID, "key label \"%.80s\" is not "
		    "file-safe: use 1-%d of A-Z a-z 0-9 . _ -, not starting "
		    "with . or -", label, KEYS_LABEL_MAX);
	snprintf(name, sizeof(name), "%s.key", label);
	if ((rc = path_join(key, PATH_MAX, dir, name, err)) != HS_OK)
		return rc;
	snprintf(name, sizeof(name), "%s.pub", label);
	return path_join(pub, PATH_MAX, dir, name, err);
}

/* Writes all of p to fd. */
static int
write_all(int fd, const void *p, size_t n)
{
	const char *q = p;
	ssize_t w;

	while (n > 0) {
		w = write(fd, q, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		q += w;
		n -= (size_t)w;
	}
	return 0;
}

static void
sync_dir(const char *dir)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
}

/* PKCS#8 PEM of pk, encrypted with pass if not NULL, into the BIO. */
static enum hs_err
write_pem(BIO *bio, EVP_PKEY *pk, const char *pass, size_t passlen,
    char *err)
{
	PKCS8_PRIV_KEY_INFO *p8inf = NULL;
	X509_ALGOR *pbe = NULL;
	X509_SIG *p8 = NULL;
	unsigned char salt[16];
	enum hs_err rc = HS_ERR_CRYPTO;

	if ((p8inf = EVP_PKEY2PKCS8(pk)) == NULL) {
		hs_fail(err, rc, "cannot encode the key as PKCS#8");
		goto out;
	}
	if (pass == NULL) {
		if (PEM_write_bio_PKCS8_PRIV_KEY_INFO(bio, p8inf) != 1) {
			hs_fail(err, rc, "cannot write the key");
			goto out;
		}
	} else {
		/* PBES2: scrypt (memory-hard) + AES-256-CBC, random salt
		 * and IV; the parameters of `openssl pkcs8 -scrypt`. */
		if (random_bytes(salt, sizeof(salt)) != HS_OK) {
			hs_fail(err, HS_ERR_IO, "cannot read random bytes");
			goto out;
		}
		pbe = PKCS5_pbe2_set_scrypt(EVP_aes_256_cbc(), salt,
		    sizeof(salt), NULL, KEYS_SCRYPT_N, KEYS_SCRYPT_R,
		    KEYS_SCRYPT_P);
		if (pbe == NULL) {
			hs_fail(err, rc, "cannot set up key encryption");
			goto out;
		}
		/* On success p8 owns pbe; on failure we still do. */
		if ((p8 = PKCS8_set0_pbe(pass, (int)passlen, p8inf, pbe)) ==
		    NULL) {
			hs_fail(err, rc, "cannot encrypt the key");
			goto out;
		}
		pbe = NULL;
		if (PEM_write_bio_PKCS8(bio, p8) != 1) {
			hs_fail(err, rc, "cannot write the key");
			goto out;
		}
	}
	if (BIO_flush(bio) != 1) {
		hs_fail(err, HS_ERR_IO, "cannot write the key file");
		goto out;
	}
	rc = HS_OK;
out:
	X509_ALGOR_free(pbe);
	X509_SIG_free(p8);
	PKCS8_PRIV_KEY_INFO_free(p8inf); /* its free clears the key */
	return rc;
}

/* A note signer for the Ed25519 or SM2 key pk. */
static enum hs_err
signer_from_pkey(EVP_PKEY *pk, const char *name, struct note_signer **s,
    char *err)
{
	uint8_t seed[32];
	size_t n = sizeof(seed);
	enum hs_err rc;

	if (EVP_PKEY_is_a(pk, "SM2"))
		return note_signer_new_pkey(name, pk, s, err);
	if (EVP_PKEY_get_id(pk) != EVP_PKEY_ED25519)
		return hs_fail(err, HS_ERR_FORMAT, "not an Ed25519 or SM2 key");
	if (EVP_PKEY_get_raw_private_key(pk, seed, &n) != 1 || n != 32)
		return hs_fail(err, HS_ERR_CRYPTO,
		    "cannot read the Ed25519 private key");
	rc = note_signer_new(name, seed, s, err);
	OPENSSL_cleanse(seed, sizeof(seed));
	return rc;
}

/* The note signing call of a token key. */
static enum hs_err
p11_note_sign(void *ctx, const char *text, size_t len, uint8_t sig[64],
    char *err)
{
	return p11_sign_eddsa(ctx, (const uint8_t *)text, len, sig, err);
}

static void
p11_note_free(void *ctx)
{
	p11_close(ctx);
}

/*
 * A note signer for the Ed25519 key in a token that uri names, logged in
 * with pass (NULL: the URI's pin-source or the environment). The signer
 * owns the token session.
 */
static enum hs_err
signer_from_token(const char *uri, const char *name, const char *pass,
    size_t passlen, struct note_signer **s, char *err)
{
	struct p11_key *k = NULL;
	uint8_t key[1 + 65];
	size_t n = 0;
	enum hs_err rc;

	*s = NULL;
	if ((rc = p11_open(uri, pass, passlen, &k, err)) != HS_OK)
		return rc;
	if (p11_key_type(k) != P11_ED25519) {
		p11_close(k);
		return hs_fail(err, HS_ERR_STATE, "the token key is not an "
		    "Ed25519 key: notes and checkpoints need one");
	}
	key[0] = NOTE_ALG_ED25519;
	p11_key_pub(k, key + 1, &n);
	rc = note_signer_new_remote_key(name, key, 1 + n, p11_note_sign, k,
	    p11_note_free, s, err);
	if (rc != HS_OK)
		p11_close(k);
	return rc;
}

void
keys_remove_files(const char *dir, const char *label)
{
	char key[PATH_MAX], pub[PATH_MAX];

	if (file_paths(dir, label, key, pub, NULL) != HS_OK)
		return;
	unlink(key);
	unlink(pub);
	sync_dir(dir);
}

enum hs_err
keys_create(const char *dir, const char *label, const char *name,
    const char *pass, size_t passlen, struct note_signer **s, char *vkey,
    char *err)
{
	struct keys_new how = { NOTE_ALG_ED25519, NULL, false };

	return keys_create_how(dir, label, name, &how, pass, passlen, s, vkey,
	    err);
}

enum hs_err
keys_create_how(const char *dir, const char *label, const char *name,
    const struct keys_new *how, const char *pass, size_t passlen,
    struct note_signer **s, char *vkey, char *err)
{
	char key[PATH_MAX], pub[PATH_MAX], vk[NOTE_VKEY_MAX + 1];
	struct note_signer *sg = NULL;
	EVP_PKEY *pk = NULL;
	BIO *bio = NULL;
	struct stat st;
	bool made_key = false, made_pub = false;
	int fd = -1;
	size_t n;
	enum hs_err rc;

	if (s != NULL)
		*s = NULL;
	if ((rc = file_paths(dir, label, key, pub, err)) != HS_OK)
		return rc;
	if (!note_name_valid(name))
		return hs_fail(err, HS_ERR_INVALID, "the ledger origin \"%.80s\" "
		    "cannot be a signer name: it must be 1-%d bytes with no "
		    "spaces, '+' or control characters", name, NOTE_NAME_MAX);
	if (pass != NULL && passlen == 0)
		return hs_fail(err, HS_ERR_INVALID, "empty passphrase");
	if (how->uri != NULL && (rc = p11_uri_check(how->uri, err)) != HS_OK)
		return rc;
	if (how->uri != NULL && how->alg != NOTE_ALG_ED25519)
		return hs_fail(err, HS_ERR_INVALID, "a token key for notes is "
		    "Ed25519 (SM2 keys are key files)");
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return hs_fail(err, HS_ERR_IO, "key directory %s: %s", dir,
		    strerror(errno));
	if ((rc = dir_private(dir, err)) != HS_OK)
		return rc;
	if (lstat(pub, &st) == 0)
		return hs_fail(err, HS_ERR_EXISTS, "%s already exists; "
		    "refusing to overwrite it (pick another label)", pub);

	if (how->uri != NULL) {
		/* The key stays in the token: made there, or already there. */
		if (how->generate && (rc = p11_generate(how->uri, pass, passlen,
		    P11_ED25519, err)) != HS_OK)
			goto out;
		if ((rc = signer_from_token(how->uri, name, pass, passlen, &sg,
		    err)) != HS_OK)
			goto out;
	} else {
		pk = EVP_PKEY_Q_keygen(NULL, NULL, how->alg == NOTE_ALG_SM2 ?
		    "SM2" : "ED25519");
		if (pk == NULL) {
			rc = hs_fail(err, HS_ERR_CRYPTO, "%s key generation "
			    "failed", note_alg_name(how->alg));
			goto out;
		}
		if ((rc = signer_from_pkey(pk, name, &sg, err)) != HS_OK)
			goto out;
	}
	if ((rc = note_signer_vkey(sg, vk, NOTE_VKEY_MAX)) != HS_OK) {
		hs_fail(err, rc, "verifier key too long");
		goto out;
	}

	/* The secret key: never replaces anything, never follows a link. */
	fd = open(key, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd < 0) {
		rc = hs_fail(err, errno == EEXIST ? HS_ERR_EXISTS : HS_ERR_IO,
		    "%s: %s", key, errno == EEXIST ? "already exists; refusing "
		    "to overwrite it (pick another label)" : strerror(errno));
		goto out;
	}
	made_key = true;
	if (fchmod(fd, 0600) != 0) {
		rc = hs_fail(err, HS_ERR_IO, "%s: %s", key, strerror(errno));
		goto out;
	}
	/* Straight to the file: no copy of the PEM in our memory. */
	if ((bio = BIO_new_fd(fd, BIO_NOCLOSE)) == NULL) {
		rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (how->uri != NULL) {
		/* A reference, not a secret: the URI (no PIN in it) and a
		 * newline. Still 0600: it says where the key is. */
		if (write_all(fd, how->uri, strlen(how->uri)) != 0 ||
		    write_all(fd, "\n", 1) != 0) {
			rc = hs_fail(err, HS_ERR_IO, "%s: %s", key,
			    strerror(errno));
			goto out;
		}
	} else if ((rc = write_pem(bio, pk, pass, passlen, err)) != HS_OK)
		goto out;
	if (fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		rc = hs_fail(err, HS_ERR_IO, "%s: %s", key, strerror(errno));
		goto out;
	}
	fd = -1;

	fd = open(pub, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0644);
	if (fd < 0) {
		rc = hs_fail(err, errno == EEXIST ? HS_ERR_EXISTS : HS_ERR_IO,
		    "%s: %s", pub, strerror(errno));
		goto out;
	}
	made_pub = true;
	n = strlen(vk);
	vk[n] = '\n';
	if (fchmod(fd, 0644) != 0 || write_all(fd, vk, n + 1) != 0 ||
	    fsync(fd) != 0) {
		rc = hs_fail(err, HS_ERR_IO, "%s: %s", pub, strerror(errno));
		goto out;
	}
	vk[n] = '\0';
	if (close(fd) != 0) {
		fd = -1;
		rc = hs_fail(err, HS_ERR_IO, "%s: %s", pub, strerror(errno));
		goto out;
	}
	fd = -1;
	sync_dir(dir);
	if (vkey != NULL)
		memcpy(vkey, vk, n + 1); /* n < NOTE_VKEY_MAX */
	if (s != NULL) {
		*s = sg;
		sg = NULL;
	}
	rc = HS_OK;
out:
	BIO_free(bio);
	if (fd >= 0)
		close(fd);
	if (rc != HS_OK) {
		if (made_key)
			unlink(key);
		if (made_pub)
			unlink(pub);
	}
	EVP_PKEY_free(pk);
	note_signer_free(sg);
	return rc;
}

/* Passphrase callback data for PEM decoding is not needed: we decrypt
 * PKCS#8 ourselves to tell a wrong passphrase from a damaged file. */
static enum hs_err
parse_pem(const char *label, const char *pem, size_t len, const char *pass,
    size_t passlen, EVP_PKEY **pk, char *err)
{
	BIO *bio = NULL;
	char *name = NULL, *header = NULL;
	unsigned char *data = NULL;
	const unsigned char *p;
	long dlen = 0;
	PKCS8_PRIV_KEY_INFO *p8inf = NULL;
	X509_SIG *p8 = NULL;
	enum hs_err rc;

	*pk = NULL;
	if (strstr(pem, "-----BEGIN ") == NULL)
		return hs_fail(err, HS_ERR_FORMAT,
		    "%s.key is not a PEM file (no BEGIN line)", label);
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	if (PEM_read_bio(bio, &name, &header, &data, &dlen) != 1) {
		rc = hs_fail(err, HS_ERR_FORMAT, "%s.key is not a complete PEM "
		    "file (truncated or damaged)", label);
		goto out;
	}
	p = data;
	if (strcmp(name, "ENCRYPTED PRIVATE KEY") == 0) {
		if (pass == NULL) {
			rc = hs_fail(err, HS_ERR_INVALID, "%s.key is encrypted: "
			    "give --passphrase-file FILE or set %s", label,
			    KEYS_PASSPHRASE_ENV);
			goto out;
		}
		p8 = d2i_X509_SIG(NULL, &p, dlen);
		if (p8 == NULL || p != data + dlen) {
			rc = hs_fail(err, HS_ERR_FORMAT, "%s.key is damaged "
			    "(not an encrypted PKCS#8 key)", label);
			goto out;
		}
		if ((p8inf = PKCS8_decrypt(p8, pass, (int)passlen)) == NULL) {
			rc = hs_fail(err, HS_ERR_SIGNATURE, "wrong passphrase "
			    "for %s.key (or the file is damaged)", label);
			goto out;
		}
	} else if (strcmp(name, "PRIVATE KEY") == 0) {
		p8inf = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, dlen);
		if (p8inf == NULL || p != data + dlen) {
			rc = hs_fail(err, HS_ERR_FORMAT, "%s.key is damaged "
			    "(not a PKCS#8 key)", label);
			goto out;
		}
	} else {
		rc = hs_fail(err, HS_ERR_FORMAT, "%s.key holds a \"%.40s\", not "
		    "a PKCS#8 private key", label, name);
		goto out;
	}
	if ((*pk = EVP_PKCS82PKEY(p8inf)) == NULL) {
		rc = hs_fail(err, HS_ERR_FORMAT, "%s.key: not a key OpenSSL "
		    "can read", label);
		goto out;
	}
	if (EVP_PKEY_get_id(*pk) != EVP_PKEY_ED25519 &&
	    !EVP_PKEY_is_a(*pk, "SM2")) {
		EVP_PKEY_free(*pk);
		*pk = NULL;
		rc = hs_fail(err, HS_ERR_FORMAT, "%s.key is not an Ed25519 or "
		    "SM2 key", label);
		goto out;
	}
	rc = HS_OK;
out:
	PKCS8_PRIV_KEY_INFO_free(p8inf);
	X509_SIG_free(p8);
	if (data != NULL)
		OPENSSL_clear_free(data, (size_t)dlen);
	OPENSSL_free(name);
	OPENSSL_free(header);
	BIO_free(bio);
	return rc;
}

/* Checks dir/LABEL.pub against the signer's verifier key. */
static enum hs_err
check_pub(const char *pub, const char *label, const struct note_signer *s,
    char *err)
{
	char want[NOTE_VKEY_MAX], buf[PUBFILE_MAX + 1];
	struct note_verifier *v = NULL;
	uint8_t a[NOTE_KEY_MAX];
	size_t n = 0, alen = 0;
	enum hs_err rc;
	int fd;

	if ((fd = open(pub, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return hs_fail(err, errno == ENOENT ? HS_ERR_NOTFOUND :
		    HS_ERR_IO, "%s: %s", pub, strerror(errno));
	rc = read_fd(fd, pub, buf, PUBFILE_MAX, &n, err);
	close(fd);
	if (rc != HS_OK)
		return rc;
	if (n == 0 || buf[n - 1] != '\n' || memchr(buf, '\n', n) !=
	    buf + n - 1)
		return hs_fail(err, HS_ERR_FORMAT, "%s must be one verifier key "
		    "line ending in a newline", pub);
	buf[n - 1] = '\0';
	if ((rc = note_verifier_parse(buf, &v, err)) != HS_OK) {
		hs_errprefix(err, "%s", pub);
		return HS_ERR_FORMAT;
	}
	note_signer_vkey(s, want, sizeof(want));
	if (strcmp(buf, want) == 0) {
		note_verifier_free(v);
		return HS_OK;
	}
	note_verifier_key(v, a, &alen);
	{
		uint8_t b[NOTE_KEY_MAX];
		size_t blen = 0;

		note_signer_key(s, b, &blen);
		if (alen != blen || memcmp(a, b, alen) != 0)
			rc = hs_fail(err, HS_ERR_SIGNATURE, "%s.pub does not "
			    "match %s.key (a different public key)", label,
			    label);
		else
			rc = hs_fail(err, HS_ERR_SIGNATURE, "%s.pub names signer "
			    "\"%s\" but the ledger origin is \"%s\"", label,
			    note_verifier_name(v), note_signer_name(s));
	}
	note_verifier_free(v);
	return rc;
}

enum hs_err
keys_load(const char *dir, const char *label, const char *name,
    const char *pass, size_t passlen, struct note_signer **s, char *err)
{
	char key[PATH_MAX], pub[PATH_MAX];
	char *pem = NULL;
	EVP_PKEY *pk = NULL;
	struct stat st;
	size_t n = 0;
	enum hs_err rc;
	int fd = -1;

	*s = NULL;
	if ((rc = file_paths(dir, label, key, pub, err)) != HS_OK ||
	    (rc = dir_private(dir, err)) != HS_OK)
		return rc;
	if ((fd = open(key, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		if (errno == ELOOP)
			return hs_fail(err, HS_ERR_STATE, "%s is a symbolic "
			    "link; refusing to read a key through it", key);
		return hs_fail(err, errno == ENOENT ? HS_ERR_NOTFOUND :
		    HS_ERR_IO, "%s: %s", key, strerror(errno));
	}
	if (fstat(fd, &st) != 0) {
		rc = hs_fail(err, HS_ERR_IO, "%s: %s", key, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = hs_fail(err, HS_ERR_STATE, "%s is not a regular file", key);
		goto out;
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		rc = hs_fail(err, HS_ERR_STATE, "%s is open to group or others "
		    "(mode %04o); a secret key must be mode 0600: chmod 600 %s",
		    key, (unsigned)(st.st_mode & 07777), key);
		goto out;
	}
	if ((pem = OPENSSL_malloc(KEYFILE_MAX + 1)) == NULL) {
		rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = read_fd(fd, key, pem, KEYFILE_MAX, &n, err)) != HS_OK)
		goto out;
	pem[n] = '\0';
	if (p11_is_uri(pem)) {
		/* LABEL.key names a key in a token: one URI line. */
		if (n == 0 || pem[n - 1] != '\n' || memchr(pem, '\n', n) !=
		    pem + n - 1 || strlen(pem) != n) {
			rc = hs_fail(err, HS_ERR_FORMAT, "%s must be one pkcs11: "
			    "URI line ending in a newline", key);
			goto out;
		}
		pem[n - 1] = '\0';
		if ((rc = signer_from_token(pem, name, pass, passlen, s, err)) !=
		    HS_OK) {
			hs_errprefix(err, "%s.key (token key)", label);
			goto out;
		}
	} else {
		if ((rc = parse_pem(label, pem, n, pass, passlen, &pk, err)) !=
		    HS_OK)
			goto out;
		if ((rc = signer_from_pkey(pk, name, s, err)) != HS_OK)
			goto out;
	}
	if ((rc = check_pub(pub, label, *s, err)) != HS_OK) {
		note_signer_free(*s);
		*s = NULL;
		goto out;
	}
out:
	OPENSSL_clear_free(pem, KEYFILE_MAX + 1);
	EVP_PKEY_free(pk);
	if (fd >= 0)
		close(fd);
	return rc;
}

/* ---- the keys table ---- */

static const char *
col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t != NULL ? (const char *)t : "";
}

static void
row_info(sqlite3_stmt *st, struct keys_info *k)
{
	memset(k, 0, sizeof(*k));
	snprintf(k->label, sizeof(k->label), "%s", col(st, 0));
	snprintf(k->vkey, sizeof(k->vkey), "%s", col(st, 1));
	snprintf(k->created, sizeof(k->created), "%s", col(st, 2));
	snprintf(k->not_before, sizeof(k->not_before), "%s", col(st, 3));
	snprintf(k->retired, sizeof(k->retired), "%s", col(st, 4));
	snprintf(k->compromised_since, sizeof(k->compromised_since), "%s",
	    col(st, 5));
}

#define KEY_COLS "label, vkey, created, not_before, retired, compromised_since"

enum hs_err
keys_register(sqlite3 *db, const char *label, const char *vkey,
    const char *not_before, char *err)
{
	sqlite3_stmt *st = NULL;
	struct note_verifier *v = NULL;
	char now[21];
	time_t t;
	enum hs_err rc;
	int r;

	if (!keys_label_valid(label))
		return hs_fail(err, HS_ERR_INVALID, "bad key label");
	if ((rc = note_verifier_parse(vkey, &v, err)) != HS_OK)
		return rc;
	note_verifier_free(v);
	if (time_parse_rfc3339(not_before, &t) != 0)
		return hs_fail(err, HS_ERR_INVALID,
		    "not-before must be an RFC 3339 UTC time");
	time_now_rfc3339(now);
	if (sqlite3_prepare_v2(db, "INSERT INTO keys (label, vkey, created, "
	    "not_before) VALUES (?1, ?2, ?3, ?4)", -1, &st, NULL) !=
	    SQLITE_OK)
		return store_err(db, err, "keys");
	sqlite3_bind_text(st, 1, label, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, vkey, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, not_before, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r == SQLITE_CONSTRAINT)
		rc = hs_fail(err, HS_ERR_EXISTS, "a key labelled %s (or the "
		    "same public key) is already registered", label);
	else if (r != SQLITE_DONE)
		rc = store_err(db, err, "keys");
	else
		rc = HS_OK;
	sqlite3_finalize(st);
	return rc;
}

enum hs_err
keys_get(sqlite3 *db, const char *label, struct keys_info *k, char *err)
{
	sqlite3_stmt *st = NULL;
	enum hs_err rc;
	int r;

	if (sqlite3_prepare_v2(db, "SELECT " KEY_COLS " FROM keys WHERE "
	    "label = ?1", -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "keys");
	sqlite3_bind_text(st, 1, label, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		row_info(st, k);
		rc = HS_OK;
	} else if (r == SQLITE_DONE)
		rc = hs_fail(err, HS_ERR_NOTFOUND, "no key labelled %.80s",
		    label);
	else
		rc = store_err(db, err, "keys");
	sqlite3_finalize(st);
	return rc;
}

enum hs_err
keys_active(sqlite3 *db, const char *dir, struct keys_info *k, char *err)
{
	sqlite3_stmt *st = NULL;
	char key[PATH_MAX], pub[PATH_MAX];
	struct stat sb;
	enum hs_err rc = HS_ERR_NOTFOUND;
	int r;
	bool any = false;

	if (sqlite3_prepare_v2(db, "SELECT " KEY_COLS " FROM keys WHERE "
	    "retired IS NULL AND compromised_since IS NULL ORDER BY "
	    "not_before DESC, created DESC, rowid DESC", -1, &st, NULL) !=
	    SQLITE_OK)
		return store_err(db, err, "keys");
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		row_info(st, k);
		any = true;
		if (file_paths(dir, k->label, key, pub, NULL) == HS_OK &&
		    lstat(key, &sb) == 0) {
			rc = HS_OK;
			break;
		}
	}
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		rc = store_err(db, err, "keys");
	sqlite3_finalize(st);
	st = NULL;
	if (rc == HS_ERR_NOTFOUND && !any && sqlite3_prepare_v2(db,
	    "SELECT count(*) FROM keys", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) > 0)
		hs_fail(err, rc, "no active signing key: every key is retired "
		    "or compromised; make a new one with hourseal-issuer keygen");
	else if (rc == HS_ERR_NOTFOUND && any)
		hs_fail(err, rc, "no usable signing key: no active key has its "
		    ".key file in %s", dir);
	else if (rc == HS_ERR_NOTFOUND)
		hs_fail(err, rc, "no signing key yet: run hourseal-issuer "
		    "keygen");
	sqlite3_finalize(st);
	if (rc != HS_OK)
		memset(k, 0, sizeof(*k));
	return rc;
}

enum hs_err
keys_load_active(sqlite3 *db, const char *dir, const char *name,
    const char *passfile, struct note_signer **s, char *label, char *err)
{
	struct keys_info k;
	char pass[KEYS_PASS_MAX + 1], vk[NOTE_VKEY_MAX];
	size_t passlen = 0;
	enum hs_err rc;

	*s = NULL;
	if ((rc = keys_active(db, dir, &k, err)) != HS_OK)
		return rc;
	if (passfile != NULL && (rc = keys_read_passphrase(passfile, pass,
	    &passlen, err)) != HS_OK)
		goto out;
	if ((rc = keys_load(dir, k.label, name, passfile ? pass : NULL,
	    passlen, s, err)) != HS_OK)
		goto out;
	note_signer_vkey(*s, vk, sizeof(vk));
	if (strcmp(vk, k.vkey) != 0) {
		note_signer_free(*s);
		*s = NULL;
		rc = hs_fail(err, HS_ERR_SIGNATURE, "%s.key does not match the "
		    "key registered as %s (%s)", k.label, k.label, k.vkey);
		goto out;
	}
	if (label != NULL)
		snprintf(label, KEYS_LABEL_MAX + 1, "%s", k.label);
out:
	OPENSSL_cleanse(pass, sizeof(pass));
	return rc;
}

/* Runs an UPDATE on one key's row; HS_ERR_NOTFOUND if nothing changed. */
static enum hs_err
update_key(sqlite3 *db, const char *sql, const char *label, const char *t,
    char *err)
{
	sqlite3_stmt *st = NULL;
	enum hs_err rc = HS_OK;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "keys");
	sqlite3_bind_text(st, 1, label, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, t, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = store_err(db, err, "keys");
	else if (sqlite3_changes(db) != 1)
		rc = hs_fail(err, HS_ERR_NOTFOUND, "no key labelled %.80s",
		    label);
	sqlite3_finalize(st);
	return rc;
}

enum hs_err
keys_retire(sqlite3 *db, const char *label, const char *when, char *err)
{
	struct keys_info k;
	time_t t;
	enum hs_err rc;

	if (time_parse_rfc3339(when, &t) != 0)
		return hs_fail(err, HS_ERR_INVALID,
		    "retirement time must be RFC 3339 UTC YYYY-MM-DDTHH:MM:SSZ");
	if ((rc = keys_get(db, label, &k, err)) != HS_OK)
		return rc;
	if (k.retired[0] != '\0')
		return hs_fail(err, HS_ERR_STATE, "key %s was already retired "
		    "at %s", label, k.retired);
	return update_key(db, "UPDATE keys SET retired = ?2 WHERE label = ?1 "
	    "AND retired IS NULL", label, when, err);
}

enum hs_err
keys_compromised(sqlite3 *db, const char *label, const char *since,
    char *err)
{
	struct keys_info k;
	time_t t;
	enum hs_err rc;

	if (time_parse_rfc3339(since, &t) != 0)
		return hs_fail(err, HS_ERR_INVALID,
		    "--since must be RFC 3339 UTC YYYY-MM-DDTHH:MM:SSZ");
	if ((rc = keys_get(db, label, &k, err)) != HS_OK)
		return rc;
	if (k.compromised_since[0] != '\0' &&
	    strcmp(since, k.compromised_since) >= 0)
		return hs_fail(err, HS_ERR_STATE, "key %s is already marked "
		    "compromised since %s (a time can only move earlier)", label,
		    k.compromised_since);
	return update_key(db, "UPDATE keys SET compromised_since = ?2 WHERE "
	    "label = ?1", label, since, err);
}

enum hs_err
keys_list(sqlite3 *db, struct keys_info **out, size_t *n, char *err)
{
	sqlite3_stmt *st = NULL;
	struct keys_info *v = NULL, *nv;
	size_t cap = 0;
	enum hs_err rc = HS_OK;
	int r;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(db, "SELECT " KEY_COLS " FROM keys ORDER BY "
	    "not_before, created, rowid", -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "keys");
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
				rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
				goto out;
			}
			v = nv;
		}
		row_info(st, &v[(*n)++]);
	}
	if (r != SQLITE_DONE)
		rc = store_err(db, err, "keys");
out:
	sqlite3_finalize(st);
	if (rc != HS_OK) {
		free(v);
		*n = 0;
		return rc;
	}
	*out = v;
	return HS_OK;
}
