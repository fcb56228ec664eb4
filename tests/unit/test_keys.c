/*
 * test_keys.c - key files (permissions, passphrases, truncation, matching
 * .pub, never overwriting) and the keys table.
 *
 * test_keys --init DIR [ORIGIN [KEYS_DIR]]   makes a data directory
 *     (config_init), for e2e scripts when `init` is not built.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <limits.h>
#include <unistd.h>

#include "store/config.h"
#include "store/keys.h"
#include "tlog/note.h"
#include "store/store.h"
#include "t.h"
#include "tlib.h"

#define ORIGIN "ledger.hourseal.example.cn/fj"

static char dir[256];

static void
put(const char *name, const char *data, size_t n, int mode)
{
	char p[512];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	unlink(p);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd >= 0) {
		if (write(fd, data, n) != (ssize_t)n)
			printf("# short write %s\n", p);
		fchmod(fd, (mode_t)mode);
		close(fd);
	}
}

static char *
get(const char *name, size_t *n)
{
	char p[512], *out = NULL;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if (file_read(p, 1 << 20, &out, n, NULL) != HS_OK)
		return NULL;
	return out;
}

static int
mode_of(const char *name)
{
	char p[512];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if (lstat(p, &st) != 0)
		return -1;
	return (int)(st.st_mode & 07777);
}

static void
test_labels(void)
{
	static const struct { const char *l; bool ok; } rows[] = {
		{ "2024-12-31", true }, { "k1", true }, { "a.b_c-d", true },
		{ "", false }, { ".hidden", false }, { "-x", false },
		{ "a/b", false }, { "a b", false }, { "..", false },
		{ "密钥", false }, { "a\nb", false },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", true },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false },
	};
	char def[KEYS_LABEL_MAX + 1];
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		T_OK(keys_label_valid(rows[i].l) == rows[i].ok,
		    "label \"%s\" %s", rows[i].l, rows[i].ok ? "ok" : "refused");
	keys_default_label(def);
	T_OK(strlen(def) == 10 && def[4] == '-' && keys_label_valid(def),
	    "default label is a date: %s", def);
}

static void
test_passphrase(void)
{
	char pass[KEYS_PASS_MAX + 1], err[HS_ERRLEN], p[512], big[3000];
	size_t n = 0;
	enum hs_err rc;

	put("pass1", "secret words\nsecond line\n", 26, 0600);
	snprintf(p, sizeof(p), "%s/pass1", dir);
	rc = keys_read_passphrase(p, pass, &n, err);
	T_OK(rc == HS_OK && n == 12 && strcmp(pass, "secret words") == 0,
	    "passphrase is the first line");
	put("pass2", "crlf\r\n", 6, 0600);
	snprintf(p, sizeof(p), "%s/pass2", dir);
	rc = keys_read_passphrase(p, pass, &n, err);
	T_OK(rc == HS_OK && strcmp(pass, "crlf") == 0, "CRLF stripped");
	put("pass3", "nonl", 4, 0600);
	snprintf(p, sizeof(p), "%s/pass3", dir);
	rc = keys_read_passphrase(p, pass, &n, err);
	T_OK(rc == HS_OK && strcmp(pass, "nonl") == 0, "no newline is fine");
	put("pass4", "\nx\n", 3, 0600);
	snprintf(p, sizeof(p), "%s/pass4", dir);
	rc = keys_read_passphrase(p, pass, &n, err);
	T_OK(rc == HS_ERR_INVALID && n == 0, "empty first line refused: %s", err);
	snprintf(p, sizeof(p), "%s/nonexistent", dir);
	rc = keys_read_passphrase(p, pass, &n, err);
	T_OK(rc == HS_ERR_NOTFOUND, "missing file: %s", err);
	memset(big, 'x', sizeof(big));
	put("pass5", big, sizeof(big), 0600);
	snprintf(p, sizeof(p), "%s/pass5", dir);
	rc = keys_read_passphrase(p, pass, &n, err);
	T_OK(rc == HS_ERR_TOOBIG, "over-long passphrase: %s", err);
	put("pass6", "secret\n", 7, 0640);
	snprintf(p, sizeof(p), "%s/pass6", dir);
	rc = keys_read_passphrase(p, pass, &n, err);
	T_OK(rc == HS_ERR_STATE && strstr(err, "chmod 600") != NULL && n == 0,
	    "group-readable passphrase file refused: %s", err);
	put("pass7", "secret\n", 7, 0604);
	snprintf(p, sizeof(p), "%s/pass7", dir);
	rc = keys_read_passphrase(p, pass, &n, err);
	T_OK(rc == HS_ERR_STATE && n == 0,
	    "world-readable passphrase file refused: %s", err);
	setenv(KEYS_PASSPHRASE_ENV, "/x/y", 1);
	T_STREQ(keys_passphrase_file(NULL), "/x/y", "env var used without flag");
	T_STREQ(keys_passphrase_file("/f"), "/f", "flag wins over env var");
	setenv(KEYS_PASSPHRASE_ENV, "", 1);
	T_OK(keys_passphrase_file(NULL) == NULL, "empty env var is no file");
	unsetenv(KEYS_PASSPHRASE_ENV);
}

/* Signs a note with s and opens it with the verifier key in LABEL.pub. */
static bool
signs_for_pub(const struct note_signer *s, const char *label)
{
	struct note_verifier *v = NULL;
	struct note_verified ver;
	struct buf b;
	char name[80], *pub;
	size_t n;
	bool ok = false;

	snprintf(name, sizeof(name), "%s.pub", label);
	if ((pub = get(name, &n)) == NULL || n == 0)
		return false;
	pub[n - 1] = '\0';
	buf_init(&b);
	if (note_verifier_parse(pub, &v, NULL) == HS_OK &&
	    note_sign(s, "hello\n", 6, &b, NULL) == HS_OK &&
	    note_open(b.data, b.len, &v, 1, &ver, NULL) == HS_OK)
		ok = true;
	note_verifier_free(v);
	buf_free(&b);
	free(pub);
	return ok;
}

static void
test_files(void)
{
	struct note_signer *s = NULL, *s2 = NULL;
	char err[HS_ERRLEN] = "", vk[NOTE_VKEY_MAX], vk2[NOTE_VKEY_MAX];
	char *pem, *pub, *other, kd[300];
	size_t n, pn;
	enum hs_err rc;
	struct timespec t0, t1;

	/* A key directory that does not exist yet is made 0700. */
	snprintf(kd, sizeof(kd), "%s/keys", dir);
	rc = keys_create(kd, "plain", ORIGIN, NULL, 0, &s, vk, err);
	T_OK(rc == HS_OK, "create an unencrypted key (%s)", err);
	{
		struct stat st;

		T_OK(stat(kd, &st) == 0 && (st.st_mode & 0777) == 0700,
		    "key directory made with mode 0700");
	}
	note_signer_free(s);
	s = NULL;

	/* The rest in dir itself. */
	rc = keys_create(dir, "k1", ORIGIN, NULL, 0, &s, vk, err);
	T_OK(rc == HS_OK && s != NULL, "create k1 (%s)", err);
	T_OK(mode_of("k1.key") == 0600, "k1.key has mode 0600 (%o)",
	    mode_of("k1.key"));
	T_OK(mode_of("k1.pub") == 0644, "k1.pub has mode 0644");
	pem = get("k1.key", &n);
	pub = get("k1.pub", &pn);
	T_OK(pem && strncmp(pem, "-----BEGIN PRIVATE KEY-----\n", 28) == 0,
	    "k1.key is an unencrypted PKCS#8 PEM");
	T_OK(pub && pn == strlen(vk) + 1 && strncmp(pub, vk, pn - 1) == 0 &&
	    pub[pn - 1] == '\n', "k1.pub is the verifier key line");
	T_OK(strncmp(vk, ORIGIN "+", strlen(ORIGIN) + 1) == 0,
	    "the key name is the origin, with its '/'");
	T_OK(signs_for_pub(s, "k1"), "k1's signer verifies with k1.pub");
	note_signer_free(s);
	s = NULL;

	/* Never overwrite. */
	rc = keys_create(dir, "k1", ORIGIN, NULL, 0, &s, vk2, err);
	T_OK(rc == HS_ERR_EXISTS && s == NULL, "k1 again refused: %s", err);
	{
		char *again = get("k1.key", &pn);

		T_OK(again && strcmp(again, pem) == 0, "k1.key unchanged");
		free(again);
	}
	/* Only the .key there (no .pub): O_EXCL on the key still refuses. */
	put("k9.key", "x", 1, 0600);
	rc = keys_create(dir, "k9", ORIGIN, NULL, 0, NULL, NULL, err);
	T_OK(rc == HS_ERR_EXISTS && mode_of("k9.pub") == -1,
	    "existing k9.key refused, no k9.pub left: %s", err);
	/* A symbolic link where the key would go is not followed. */
	{
		char target[512], link[512];

		snprintf(target, sizeof(target), "%s/elsewhere", dir);
		snprintf(link, sizeof(link), "%s/k8.key", dir);
		if (symlink(target, link) != 0)
			printf("# symlink: %s\n", strerror(errno));
		rc = keys_create(dir, "k8", ORIGIN, NULL, 0, NULL, NULL, err);
		T_OK(rc != HS_OK && mode_of("elsewhere") == -1,
		    "a symlink at LABEL.key is not followed: %s", err);
		rc = keys_load(dir, "k8", ORIGIN, NULL, 0, &s, err);
		T_OK(rc != HS_OK && s == NULL, "nor read: %s", err);
	}
	rc = keys_create(dir, "bad/label", ORIGIN, NULL, 0, NULL, NULL, err);
	T_OK(rc == HS_ERR_INVALID, "label with '/' refused: %s", err);
	rc = keys_create(dir, "k7", "has space", NULL, 0, NULL, NULL, err);
	T_OK(rc == HS_ERR_INVALID && mode_of("k7.key") == -1,
	    "origin with a space refused: %s", err);
	rc = keys_create(dir, "k7", "a+b", NULL, 0, NULL, NULL, err);
	T_OK(rc == HS_ERR_INVALID, "origin with '+' refused");

	/* Load it back. */
	rc = keys_load(dir, "k1", ORIGIN, NULL, 0, &s, err);
	T_OK(rc == HS_OK, "load k1 (%s)", err);
	if (s != NULL) {
		note_signer_vkey(s, vk2, sizeof(vk2));
		T_STREQ(vk2, vk, "loaded key has the same verifier key");
		note_signer_free(s);
		s = NULL;
	}

	/* Too open. */
	chmod(strcat(strcpy(kd, dir), "/k1.key"), 0640);
	rc = keys_load(dir, "k1", ORIGIN, NULL, 0, &s, err);
	T_OK(rc == HS_ERR_STATE && s == NULL && strstr(err, "0640"),
	    "group-readable key refused: %s", err);
	chmod(kd, 0604);
	rc = keys_load(dir, "k1", ORIGIN, NULL, 0, &s, err);
	T_OK(rc == HS_ERR_STATE, "world-readable key refused");
	chmod(kd, 0600);

	/* A keys directory others can write to: they could swap the key. */
	chmod(dir, 0777);
	rc = keys_load(dir, "k1", ORIGIN, NULL, 0, &s, err);
	T_OK(rc == HS_ERR_STATE && s == NULL && strstr(err, "chmod 700"),
	    "world-writable keys directory refused: %s", err);
	chmod(dir, 0770);
	rc = keys_create(dir, "k10", ORIGIN, NULL, 0, NULL, NULL, err);
	T_OK(rc == HS_ERR_STATE && mode_of("k10.key") == -1,
	    "keygen into a group-writable keys directory refused: %s", err);
	chmod(dir, 0700);

	/* Truncated: half the file (no END line), or the body cut short. */
	put("k1.key", pem, n / 2, 0600);
	rc = keys_load(dir, "k1", ORIGIN, NULL, 0, &s, err);
	T_OK(rc == HS_ERR_FORMAT && strstr(err, "truncated"),
	    "half a PEM: %s", err);
	{
		char cut[4096];
		const char *end = strstr(pem, "-----END");
		size_t body = (size_t)(end - pem);

		/* Drop 8 base64 characters just before the END line. */
		memcpy(cut, pem, body - 9);
		cut[body - 9] = '\n';
		strcpy(cut + body - 8, end);
		put("k1.key", cut, strlen(cut), 0600);
		rc = keys_load(dir, "k1", ORIGIN, NULL, 0, &s, err);
		T_OK(rc == HS_ERR_FORMAT && s == NULL,
		    "PEM body cut short: %s", err);
	}
	put("k1.key", "", 0, 0600);
	rc = keys_load(dir, "k1", ORIGIN, NULL, 0, &s, err);
	T_OK(rc == HS_ERR_FORMAT, "empty key file: %s", err);
	put("k1.key", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
	    58, 0600);
	rc = keys_load(dir, "k1", ORIGIN, NULL, 0, &s, err);
	T_OK(rc == HS_ERR_FORMAT, "not a private key: %s", err);
	put("k1.key", pem, n, 0600);
	rc = keys_load(dir, "k1", ORIGIN, NULL, 0, &s, err);
	T_OK(rc == HS_OK, "restored k1 loads again");
	note_signer_free(s);
	s = NULL;

	/* .pub that does not match. */
	rc = keys_create(dir, "k2", ORIGIN, NULL, 0, &s2, NULL, err);
	other = get("k2.pub", &pn);
	put("k1.pub", other, pn, 0644);
	rc = keys_load(dir, "k1", ORIGIN, NULL, 0, &s, err);
	T_OK(rc == HS_ERR_SIGNATURE && s == NULL && strstr(err, "does not match"),
	    "k1.pub holding k2's key: %s", err);
	put("k1.pub", pub, pn - 1, 0644);
	rc = keys_load(dir, "k1", ORIGIN, NULL, 0, &s, err);
	T_OK(rc == HS_ERR_FORMAT, ".pub without final newline: %s", err);
	put("k1.pub", "junk\n", 5, 0644);
	rc = keys_load(dir, "k1", ORIGIN, NULL, 0, &s, err);
	T_OK(rc == HS_ERR_FORMAT, ".pub with junk: %s", err);
	put("k1.pub", pub, strlen(pub), 0644);
	rc = keys_load(dir, "k1", "ledger.other.example/x", NULL, 0, &s, err);
	T_OK(rc == HS_ERR_SIGNATURE && strstr(err, "origin"),
	    "origin changed since keygen: %s", err);
	{
		char p[512];

		snprintf(p, sizeof(p), "%s/k1.pub", dir);
		unlink(p);
		rc = keys_load(dir, "k1", ORIGIN, NULL, 0, &s, err);
		T_OK(rc == HS_ERR_NOTFOUND, "missing .pub: %s", err);
		put("k1.pub", pub, strlen(pub), 0644);
	}
	note_signer_free(s2);
	free(other);
	free(pem);
	free(pub);

	/* Encrypted. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = keys_create(dir, "enc", ORIGIN, "correct horse", 13, &s, vk, err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	T_OK(rc == HS_OK, "create an encrypted key (%.2f s)",
	    (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	note_signer_free(s);
	s = NULL;
	pem = get("enc.key", &n);
	T_OK(pem && strncmp(pem, "-----BEGIN ENCRYPTED PRIVATE KEY-----\n",
	    38) == 0, "enc.key is an encrypted PKCS#8 PEM");
	rc = keys_load(dir, "enc", ORIGIN, "correct horse", 13, &s, err);
	T_OK(rc == HS_OK && signs_for_pub(s, "enc"),
	    "load with the right passphrase and sign (%s)", err);
	note_signer_free(s);
	s = NULL;
	rc = keys_load(dir, "enc", ORIGIN, "correct horsE", 13, &s, err);
	T_OK(rc == HS_ERR_SIGNATURE && s == NULL &&
	    strstr(err, "wrong passphrase"), "wrong passphrase: %s", err);
	rc = keys_load(dir, "enc", ORIGIN, NULL, 0, &s, err);
	T_OK(rc == HS_ERR_INVALID && strstr(err, "--passphrase-file"),
	    "encrypted without a passphrase: %s", err);
	T_OK(strstr(err, "correct") == NULL, "the passphrase is never in a "
	    "message");
	put("enc.key", pem, n - 40, 0600);
	rc = keys_load(dir, "enc", ORIGIN, "correct horse", 13, &s, err);
	T_OK(rc == HS_ERR_FORMAT, "truncated encrypted key: %s", err);
	free(pem);
}

static void
test_table(void)
{
	struct config cfg;
	char ddir[300], err[HS_ERRLEN] = "", vk1[NOTE_VKEY_MAX];
	char vk2[NOTE_VKEY_MAX], label[KEYS_LABEL_MAX + 1], pf[400];
	struct note_signer *s = NULL;
	struct keys_info k, *list = NULL;
	sqlite3 *db = NULL;
	size_t n = 0;
	enum hs_err rc;

	snprintf(ddir, sizeof(ddir), "%s/data", dir);
	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.origin, sizeof(cfg.origin), "%s", ORIGIN);
	snprintf(cfg.keys_dir, sizeof(cfg.keys_dir), "%s/data/keys", dir);
	rc = config_init(ddir, &cfg, err);
	T_OK(rc == HS_OK, "config_init (%s)", err);
	rc = config_load(ddir, &cfg, err);
	T_OK(rc == HS_OK, "config_load (%s)", err);
	rc = store_open(cfg.db_path, STORE_RW, &db, err);
	T_OK(rc == HS_OK, "open the database (%s)", err);
	if (rc != HS_OK)
		return;

	rc = keys_active(db, cfg.keys_dir, &k, err);
	T_OK(rc == HS_ERR_NOTFOUND && strstr(err, "keygen"),
	    "no key yet: %s", err);
	snprintf(pf, sizeof(pf), "%s/pf", dir);
	put("pf", "pw1\n", 4, 0600);
	keys_create(cfg.keys_dir, "a", cfg.origin, "pw1", 3, NULL, vk1, err);
	rc = keys_register(db, "a", vk1, "2024-01-01T00:00:00Z", err);
	T_OK(rc == HS_OK, "register a (%s)", err);
	rc = keys_register(db, "a", vk1, "2024-01-01T00:00:00Z", err);
	T_OK(rc == HS_ERR_EXISTS, "register a twice: %s", err);
	rc = keys_register(db, "a2", vk1, "2024-01-01T00:00:00Z", err);
	T_OK(rc == HS_ERR_EXISTS, "same public key under another label: %s",
	    err);
	rc = keys_register(db, "x", "junk", "2024-01-01T00:00:00Z", err);
	T_OK(rc == HS_ERR_INVALID, "register a junk vkey: %s", err);
	rc = keys_active(db, cfg.keys_dir, &k, err);
	T_OK(rc == HS_OK && strcmp(k.label, "a") == 0, "a is active");
	rc = keys_load_active(db, cfg.keys_dir, cfg.origin, pf, &s, label,
	    err);
	T_OK(rc == HS_OK && s && strcmp(label, "a") == 0,
	    "load the active key with the passphrase file (%s)", err);
	note_signer_free(s);
	s = NULL;
	rc = keys_load_active(db, cfg.keys_dir, cfg.origin, NULL, &s, label,
	    err);
	T_OK(rc == HS_ERR_INVALID && !s, "without passphrase: %s", err);

	/* A newer key becomes active; a key whose file is gone is skipped. */
	keys_create(cfg.keys_dir, "b", cfg.origin, NULL, 0, NULL, vk2, err);
	keys_register(db, "b", vk2, "2024-06-01T00:00:00Z", err);
	rc = keys_active(db, cfg.keys_dir, &k, err);
	T_OK(rc == HS_OK && strcmp(k.label, "b") == 0, "newer b is active");
	{
		char p[PATH_MAX + 16], q[PATH_MAX + 16];

		snprintf(p, sizeof(p), "%s/b.key", cfg.keys_dir);
		snprintf(q, sizeof(q), "%s/b.key.away", cfg.keys_dir);
		rename(p, q);
		rc = keys_active(db, cfg.keys_dir, &k, err);
		T_OK(rc == HS_OK && strcmp(k.label, "a") == 0,
		    "b without its .key file: a is active");
		rename(q, p);
	}
	/* The registered key must be the one in the file. */
	{
		char p[PATH_MAX + 16], q[PATH_MAX + 16];
		char *bk, *ak;
		size_t bn, an;

		snprintf(p, sizeof(p), "%s/b.key", cfg.keys_dir);
		snprintf(q, sizeof(q), "%s/a.key", cfg.keys_dir);
		file_read(q, 1 << 16, &ak, &an, NULL);
		file_read(p, 1 << 16, &bk, &bn, NULL);
		file_write_atomic(p, ak, an, 0600, NULL);
		snprintf(q, sizeof(q), "%s/a.pub", cfg.keys_dir);
		free(ak);
		file_read(q, 1 << 16, &ak, &an, NULL);
		snprintf(q, sizeof(q), "%s/b.pub", cfg.keys_dir);
		file_write_atomic(q, ak, an, 0644, NULL);
		rc = keys_load_active(db, cfg.keys_dir, cfg.origin, pf, &s,
		    label, err);
		T_OK(rc == HS_ERR_SIGNATURE && !s && strstr(err, "registered"),
		    "b.key swapped for a's key: %s", err);
		file_write_atomic(p, bk, bn, 0600, NULL);
		free(ak);
		free(bk);
		snprintf(q, sizeof(q), "%s\n", vk2);
		snprintf(p, sizeof(p), "%s/b.pub", cfg.keys_dir);
		file_write_atomic(p, q, strlen(q), 0644, NULL);
	}
	rc = keys_load_active(db, cfg.keys_dir, cfg.origin, NULL, &s, label,
	    err);
	T_OK(rc == HS_OK && strcmp(label, "b") == 0, "b restored (%s)", err);
	note_signer_free(s);
	s = NULL;

	/* Retire and compromise. */
	rc = keys_retire(db, "b", "2024-07-01T00:00:00Z", err);
	T_OK(rc == HS_OK, "retire b");
	rc = keys_retire(db, "b", "2024-08-01T00:00:00Z", err);
	T_OK(rc == HS_ERR_STATE, "retire b twice: %s", err);
	rc = keys_retire(db, "nope", "2024-08-01T00:00:00Z", err);
	T_OK(rc == HS_ERR_NOTFOUND, "retire an unknown key: %s", err);
	rc = keys_retire(db, "a", "yesterday", err);
	T_OK(rc == HS_ERR_INVALID, "retire with a bad time: %s", err);
	rc = keys_active(db, cfg.keys_dir, &k, err);
	T_OK(rc == HS_OK && strcmp(k.label, "a") == 0, "b retired: a active");
	rc = keys_compromised(db, "a", "2024-03-01T00:00:00Z", err);
	T_OK(rc == HS_OK, "a compromised since March");
	rc = keys_compromised(db, "a", "2024-04-01T00:00:00Z", err);
	T_OK(rc == HS_ERR_STATE, "a later compromise time refused: %s", err);
	rc = keys_compromised(db, "a", "2024-02-01T00:00:00Z", err);
	T_OK(rc == HS_OK, "an earlier compromise time accepted");
	rc = keys_active(db, cfg.keys_dir, &k, err);
	T_OK(rc == HS_ERR_NOTFOUND && strstr(err, "retired or compromised"),
	    "no usable key left: %s", err);
	rc = keys_list(db, &list, &n, err);
	T_OK(rc == HS_OK && n == 2 && strcmp(list[0].label, "a") == 0 &&
	    strcmp(list[0].compromised_since, "2024-02-01T00:00:00Z") == 0 &&
	    strcmp(list[1].retired, "2024-07-01T00:00:00Z") == 0 &&
	    list[0].retired[0] == '\0', "list shows both with their times");
	free(list);

	/* The table itself refuses what the API never does. */
	T_OK(store_exec(db, "DELETE FROM keys WHERE label = 'a'", NULL) !=
	    HS_OK, "DELETE on keys refused");
	T_OK(store_exec(db, "UPDATE keys SET vkey = 'x' WHERE label = 'a'",
	    NULL) != HS_OK, "changing a vkey refused");
	T_OK(store_exec(db, "UPDATE keys SET retired = NULL WHERE label = 'b'",
	    NULL) != HS_OK, "un-retiring refused");
	T_OK(store_exec(db, "UPDATE keys SET compromised_since = NULL WHERE "
	    "label = 'a'", NULL) != HS_OK, "clearing a compromise refused");
	T_OK(store_exec(db, "UPDATE keys SET retired = '2024-09-01T00:00:00Z' "
	    "WHERE label = 'a'", NULL) == HS_OK, "retiring a once is allowed");
	store_close(db);
	config_wipe(&cfg);
}

static int
init_dir(const char *d, const char *origin, const char *keys)
{
	struct config cfg;
	char err[HS_ERRLEN] = "";

	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.origin, sizeof(cfg.origin), "%s", origin);
	if (keys != NULL)
		snprintf(cfg.keys_dir, sizeof(cfg.keys_dir), "%s", keys);
	else
		snprintf(cfg.keys_dir, sizeof(cfg.keys_dir), "%s/keys", d);
	if (config_init(d, &cfg, err) != HS_OK) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "--init") == 0)
		return init_dir(argv[2], argc > 3 ? argv[3] : ORIGIN,
		    argc > 4 ? argv[4] : NULL);
	umask(022);
	if (t_tmpdir("test-keys", dir, sizeof(dir)) != 0)
		return 2;
	test_labels();
	test_passphrase();
	test_files();
	test_table();
	if (t_rmtree(dir) != 0)
		printf("# could not remove %s\n", dir);
	return t_done();
}
