/*
 * hourseal-issuer keygen [LABEL] [--passphrase-file FILE | --no-passphrase]
 *                        [--alg ed25519|sm2] [--pkcs11 URI [--generate]]
 *
 * No silent default (issue 17): the key is encrypted with the passphrase
 * of --passphrase-file (or $HOURSEAL_PASSPHRASE_FILE), else one typed
 * twice on the terminal; without a terminal an unencrypted key needs
 * --no-passphrase, and keygen refuses otherwise. A key in a PKCS#11
 * token (--pkcs11) is guarded by the token's PIN instead.
 *
 * Makes the issuer's first signing key (or a new one when no key is
 * active): KEYS_DIR/LABEL.key (PKCS#8 PEM, mode 0600, encrypted with
 * the passphrase when one is given; Ed25519 by default, SM2 with --alg
 * sm2; or, with --pkcs11, the URI of an Ed25519 key inside a token, made
 * there with --generate, the PIN from --passphrase-file or the sources
 * of core/p11.h) and KEYS_DIR/LABEL.pub (the verifier
 * key line, named after the ledger origin), registers it in the keys
 * table and announces it in the ledger with a key leaf
 * "hourseal/leaf/v1 key <vkey> <not-before>" and a new checkpoint signed
 * by the new key (there is no older key to vouch for it). All in one
 * transaction: if any step fails, nothing is stored and the key files are
 * removed. While a key is active, use `key rotate`.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cmd.h"
#include "core/i18n.h"
#include "keycmd.h"
#include "cert/leaf.h"
#include "core/p11.h"
#include "store/audit.h"
#include "store/ledger.h"
#include "store/store.h"
#include "core/util.h"

enum hs_err
keycmd_label(sqlite3 *db, const struct config *c, const char *want,
    char label[KEYS_LABEL_MAX + 1], char *err)
{
	char date[KEYS_LABEL_MAX + 1], path[PATH_MAX], name[KEYS_LABEL_MAX + 8];
	struct keys_info k;
	struct stat st;
	enum hs_err rc;
	int i;

	keys_default_label(date);
	for (i = 1; i < 100; i++) {
		if (want != NULL)
			snprintf(label, KEYS_LABEL_MAX + 1, "%s", want);
		else if (i == 1)
			snprintf(label, KEYS_LABEL_MAX + 1, "%s", date);
		else
			snprintf(label, KEYS_LABEL_MAX + 1, "%.10s-%d", date, i);
		if (!keys_label_valid(label))
			return hs_fail(err, HS_ERR_INVALID, "key label \"%.80s\" "
			    "is not file-safe: use 1-%d of A-Z a-z 0-9 . _ -, "
			    "not starting with . or -", label, KEYS_LABEL_MAX);
		rc = keys_get(db, label, &k, NULL);
		if (rc == HS_OK) {
			if (want != NULL)
				return hs_fail(err, HS_ERR_EXISTS, "a key labelled "
				    "%s already exists", label);
			continue;
		}
		if (rc != HS_ERR_NOTFOUND)
			return keys_get(db, label, &k, err);
		snprintf(name, sizeof(name), "%s.key", label);
		if (path_join(path, sizeof(path), c->keys_dir, name, err) !=
		    HS_OK)
			return HS_ERR_INVALID;
		if (lstat(path, &st) == 0) {
			if (want != NULL)
				return hs_fail(err, HS_ERR_EXISTS, "%s already "
				    "exists; refusing to overwrite it", path);
			continue;
		}
		return HS_OK;
	}
	return hs_fail(err, HS_ERR_EXISTS, "too many keys made today; give a "
	    "LABEL");
}

/* Appends "key-retire <label's vkey> <when>" to l (entry is scratch). */
static enum hs_err
log_retire(sqlite3 *db, struct ledger *l, const char *label,
    const char *when, struct buf *entry, char *err)
{
	struct keys_info k;
	enum hs_err rc;

	buf_reset(entry);
	if ((rc = keys_get(db, label, &k, err)) != HS_OK ||
	    (rc = leaf_key_retire(k.vkey, when, entry, err)) != HS_OK)
		return rc;
	return ledger_append(l, entry->data, entry->len, NULL, err);
}

enum hs_err
keycmd_how(const char *alg, const char *uri, bool generate,
    struct keys_new *how, char *err)
{
	enum hs_err rc;

	how->alg = NOTE_ALG_ED25519;
	how->uri = NULL;
	how->generate = false;
	if (alg != NULL && strcmp(alg, "sm2") == 0)
		how->alg = NOTE_ALG_SM2;
	else if (alg != NULL && strcmp(alg, "ed25519") != 0)
		return hs_fail(err, HS_ERR_INVALID, "--alg must be ed25519 or "
		    "sm2");
	if (generate && uri == NULL)
		return hs_fail(err, HS_ERR_INVALID, "--generate makes a key in a "
		    "token: give --pkcs11 URI");
	if (uri != NULL) {
		if (how->alg != NOTE_ALG_ED25519)
			return hs_fail(err, HS_ERR_INVALID, "a token key for notes "
			    "is Ed25519; SM2 keys are key files");
		/* A PIN typed on the command line ends up in ps and shell
		 * history: refused (p11_uri_check). */
		if ((rc = p11_uri_check(uri, err)) != HS_OK) {
			hs_errprefix(err, "--pkcs11");
			return rc;
		}
		how->uri = uri;
		how->generate = generate;
	}
	return HS_OK;
}

enum hs_err
keycmd_make(sqlite3 *db, const struct config *c, const char *label,
    const char *passfile, const struct keys_new *how, const char *old_label,
    const struct note_signer *cp_signer, char *vkey, uint64_t *leaf_index,
    uint64_t *cp_size, char *err)
{
	char pass[KEYS_PASS_MAX + 1];
	size_t passlen = 0;
	enum hs_err rc;

	if (passfile != NULL && (rc = keys_read_passphrase(passfile, pass,
	    &passlen, err)) != HS_OK) {
		OPENSSL_cleanse(pass, sizeof(pass));
		return rc;
	}
	rc = keycmd_make_pass(db, c, label, passfile ? pass : NULL, passlen,
	    how, old_label, cp_signer, vkey, leaf_index, cp_size, err);
	OPENSSL_cleanse(pass, sizeof(pass));
	return rc;
}

enum hs_err
keycmd_make_pass(sqlite3 *db, const struct config *c, const char *label,
    const char *pass, size_t passlen, const struct keys_new *how,
    const char *old_label,
    const struct note_signer *cp_signer, char *vkey, uint64_t *leaf_index,
    uint64_t *cp_size, char *err)
{
	char now[21], detail[KEYS_LABEL_MAX + 64];
	struct actor op = audit_operator(c->issuer);
	struct note_signer *s = NULL;
	struct ledger *l = NULL;
	struct buf entry;
	uint64_t index = 0, size = 0;
	bool made = false, tx = false;
	enum hs_err rc;

	buf_init(&entry);

	rc = how != NULL ? keys_create_how(c->keys_dir, label, c->origin, how,
	    pass, passlen, &s, vkey, err) :
	    keys_create(c->keys_dir, label, c->origin, pass, passlen, &s,
	    vkey, err);
	if (rc != HS_OK)
		goto out;
	made = true;
	time_now_rfc3339(now);
	if ((rc = store_begin(db, err)) != HS_OK)
		goto out;
	tx = true;
	if ((rc = keys_register(db, label, vkey, now, err)) != HS_OK)
		goto out;
	if (old_label != NULL && (rc = keys_retire(db, old_label, now, err)) !=
	    HS_OK)
		goto out;
	/* The audit rows, anchored by the checkpoint below. */
	snprintf(detail, sizeof(detail), "not-before %s", now);
	if ((rc = audit_append(db, &op, "key.add", label, detail, NULL,
	    err)) != HS_OK)
		goto out;
	snprintf(detail, sizeof(detail), "at %s, rotated to %s", now, label);
	if (old_label != NULL && (rc = audit_append(db, &op, "key.retire",
	    old_label, detail, NULL, err)) != HS_OK)
		goto out;
	/* Announce the key in the log, under a checkpoint signed by the key
	 * whoever verifies already trusts (the new one on a fresh ledger). */
	if ((rc = ledger_open(db, c->origin, &l, err)) != HS_OK ||
	    (rc = leaf_key(vkey, now, &entry, err)) != HS_OK ||
	    (rc = ledger_append(l, entry.data, entry.len, &index, err)) !=
	    HS_OK) {
		hs_errprefix(err, "logging the key");
		goto out;
	}
	/* The outgoing key's retirement is a fact of the log too, under the
	 * same checkpoint: the last one that key signs (lib/keylog.h). */
	if (old_label != NULL && (rc = log_retire(db, l, old_label, now,
	    &entry, err)) != HS_OK) {
		hs_errprefix(err, "logging the retirement of %s", old_label);
		goto out;
	}
	if ((rc = ledger_sign_checkpoint(l, cp_signer ? cp_signer : s, NULL,
	    &size, err)) != HS_OK) {
		hs_errprefix(err, "logging the key");
		goto out;
	}
	if ((rc = store_commit(db, err)) != HS_OK)
		goto out;
	if (leaf_index != NULL)
		*leaf_index = index;
	if (cp_size != NULL)
		*cp_size = size;
	tx = false;
	rc = HS_OK;
out:
	if (tx)
		store_rollback(db);
	ledger_close(l);
	buf_free(&entry);
	if (rc != HS_OK && made)
		keys_remove_files(c->keys_dir, label);
	note_signer_free(s);
	return rc;
}

void
keycmd_report(const struct config *c, const char *label,
    const struct keys_new *how, const char *vkey, bool encrypted)
{
	if (how != NULL && how->uri != NULL)
		printf(_("key %s (Ed25519, in the token)\n  secret key: %s "
		    "(never leaves the token)\n  reference: %s/%s.key\n"
		    "  public key: %s/%s.pub\n  verifier key: %s\n"), label,
		    how->uri, c->keys_dir, label, c->keys_dir, label, vkey);
	else
		printf(_("key %s (%s)\n  secret key: %s/%s.key (mode 0600, %s)\n"
		    "  public key: %s/%s.pub\n  verifier key: %s\n"), label,
		    note_alg_name(how ? how->alg : NOTE_ALG_ED25519),
		    c->keys_dir, label, encrypted ? _("passphrase-encrypted") :
		    _("NOT encrypted"), c->keys_dir, label, vkey);
	if (!encrypted && (how == NULL || how->uri == NULL))
		fprintf(stderr, _("warning: %s.key is not encrypted "
		    "(--no-passphrase): anyone who can read it can sign "
		    "certificates\n"), label);
}

struct args {
	const char *passflag, *want, *alg, *uri;
	bool generate, nopass;
};

/*
 * Asks for a new passphrase twice on the terminal on stdin, without echo.
 * Returns 0 with pass/len set, or -1 with why (printed by the caller).
 */
static int
ask_pass(char *pass, size_t *len, const char **why)
{
	char again[KEYS_PASS_MAX + 2];
	struct termios old, quiet;
	size_t n;
	int rc = -1, i;
	char *bufs[2] = { pass, again };

	*len = 0;
	if (tcgetattr(STDIN_FILENO, &old) != 0) {
		*why = N_("cannot read the terminal's settings");
		return -1;
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	quiet.c_lflag |= ECHONL;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) != 0) {
		*why = N_("cannot turn the terminal's echo off");
		return -1;
	}
	for (i = 0; i < 2; i++) {
		fputs(i == 0 ? _("passphrase for the new key: ") :
		    _("the same passphrase again: "), stderr);
		fflush(stderr);
		if (fgets(bufs[i], KEYS_PASS_MAX + 2, stdin) == NULL) {
			*why = N_("no passphrase was typed");
			goto out;
		}
		n = strlen(bufs[i]);
		if (n == 0 || bufs[i][n - 1] != '\n') {
			*why = N_("the passphrase is too long (at most 1024 bytes)");
			goto out;
		}
		bufs[i][n - 1] = '\0';
	}
	if (strcmp(pass, again) != 0)
		*why = N_("the two passphrases differ");
	else if (strlen(pass) < 8)
		*why = N_("the passphrase is shorter than 8 characters");
	else {
		*len = strlen(pass);
		rc = 0;
	}
out:
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	OPENSSL_cleanse(again, sizeof(again));
	return rc;
}

static int
parse(const struct cmd *x, int argc, char **argv, void *args)
{
	static const struct option opts[] = {
		{ "passphrase-file", required_argument, NULL, 'p' },
		{ "alg", required_argument, NULL, 'a' },
		{ "pkcs11", required_argument, NULL, 'k' },
		{ "generate", no_argument, NULL, 'g' },
		{ "no-passphrase", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct args *a = args;
	int ch;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'p': a->passflag = optarg; break;
		case 'n': a->nopass = true; break;
		case 'a': a->alg = optarg; break;
		case 'k': a->uri = optarg; break;
		case 'g': a->generate = true; break;
		default: return CMD_USAGE;
		}
	}
	if (a->passflag != NULL && a->nopass) {
		cmd_say(x, _("--passphrase-file and --no-passphrase contradict "
		    "each other"));
		return 2;
	}
	if (argc - optind > 1)
		return CMD_USAGE;
	if (optind < argc)
		a->want = argv[optind];
	return 0;
}

static int
run(struct cmd *x, void *args)
{
	const struct args *a = args;
	char err[HS_ERRLEN] = "", label[KEYS_LABEL_MAX + 1];
	char vkey[NOTE_VKEY_MAX], pass[KEYS_PASS_MAX + 2];
	const char *passfile = a->nopass ? NULL :
	    keys_passphrase_file(a->passflag), *why = "";
	struct keys_info active;
	struct keys_new how;
	uint64_t index = 0, size = 0;
	size_t passlen = 0;
	bool typed = false;
	enum hs_err rc;

	if ((rc = keycmd_how(a->alg, a->uri, a->generate, &how, err)) != HS_OK)
		goto out;
	/* No silent default: an unencrypted key is asked for by name. */
	if (passfile == NULL && !a->nopass && how.uri == NULL) {
		if (!isatty(STDIN_FILENO)) {
			cmd_say(x, _("no passphrase for the new key: give "
			    "--passphrase-file FILE (or set %s), run keygen on "
			    "a terminal to type one, or pass --no-passphrase "
			    "for an unencrypted key"), KEYS_PASSPHRASE_ENV);
			return 2;
		}
		if (ask_pass(pass, &passlen, &why) != 0) {
			OPENSSL_cleanse(pass, sizeof(pass));
			cmd_say(x, _("%s; no key was made"), _(why));
			return 2;
		}
		typed = true;
	}

	rc = keys_active(x->db, x->cfg.keys_dir, &active, err);
	if (rc == HS_OK) {
		rc = hs_fail(err, HS_ERR_STATE, "key %s is already active; "
		    "use 'hourseal-issuer key rotate' to replace it",
		    active.label);
		goto out;
	}
	if (rc != HS_ERR_NOTFOUND)
		goto out;
	if ((rc = keycmd_label(x->db, &x->cfg, a->want, label, err)) != HS_OK)
		goto out;
	if (typed)
		rc = keycmd_make_pass(x->db, &x->cfg, label, pass, passlen,
		    &how, NULL, NULL, vkey, &index, &size, err);
	else
		rc = keycmd_make(x->db, &x->cfg, label, passfile, &how, NULL,
		    NULL, vkey, &index, &size, err);
	if (rc != HS_OK)
		goto out;
	keycmd_report(&x->cfg, label, &how, vkey, passfile != NULL || typed);
	if (typed)
		printf(_("  to sign, put the passphrase in a file only you can "
		    "read (chmod 600) and pass --passphrase-file FILE or set "
		    "%s\n"), KEYS_PASSPHRASE_ENV);
	printf(_("  logged: key leaf %llu, checkpoint of size %llu signed by %s\n"),
	    (unsigned long long)index, (unsigned long long)size, label);
out:
	OPENSSL_cleanse(pass, sizeof(pass));
	return rc == HS_OK ? 0 : cmd_fail(x, rc, err);
}

const struct cmd_ops cmd_keygen_ops = { sizeof(struct args), parse, run };
