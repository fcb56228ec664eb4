/*
 * hourseal-issuer key rotate [LABEL] [--passphrase-file F | --no-passphrase]
 *                              [--old-passphrase-file F]
 *                              [--alg ed25519|sm2] [--pkcs11 URI
 *                              [--generate]]
 * hourseal-issuer key retire LABEL [--at TIME] [--passphrase-file F]
 * hourseal-issuer key compromised LABEL --since TIME [--passphrase-file F]
 * hourseal-issuer key list
 *
 * rotate makes a new key, announces it with a key leaf in a checkpoint
 * signed by the outgoing key (so whoever trusts that key learns the new
 * one from the log), and retires the outgoing key at the same moment
 * (a key-retire leaf under the same checkpoint).
 * retire stops a key signing anything new; what it signed stays valid.
 * compromised makes everything the key signed from TIME on fail.
 * Both are leaves in the log (key-retire, key-compromise), appended with
 * a new checkpoint in the same transaction as the keys table update, so
 * verifiers learn them from the log (lib/keylog.h), never from the table.
 *
 * Who signs that checkpoint: the active key (the passphrase is that
 * key's). A key may sign the checkpoint that logs its own retirement, but
 * never one that logs its own compromise: a verifier refuses a
 * checkpoint whose only signer the log itself marks compromised. So
 * marking the active key compromised is refused: `key rotate` first (the
 * outgoing key vouches for the new one and is retired), then mark it
 * compromised; the new key signs that checkpoint.
 *
 * No silent default (as keygen): a new key file is encrypted with the
 * passphrase of --passphrase-file (or $HOURSEAL_PASSPHRASE_FILE); an
 * unencrypted one needs --no-passphrase, and rotate refuses otherwise.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "core/i18n.h"
#include "keycmd.h"
#include "store/audit.h"
#include "store/keys.h"
#include "cert/leaf.h"
#include "store/ledger.h"
#include "store/store.h"
#include "core/util.h"

struct args {
	const char *sub, *label, *passflag, *oldflag, *since, *at, *alg, *uri;
	bool generate, nopass;
};

/*
 * The new key may be of another kind than the outgoing one (Ed25519 to
 * SM2, a file to a token): the outgoing key vouches for it either way.
 */
static enum hs_err
key_rotate(sqlite3 *db, const struct config *c, const struct keys_new *how,
    const char *want, const char *passfile, const char *oldpass, char *err)
{
	struct note_signer *old = NULL;
	char oldlabel[KEYS_LABEL_MAX + 1], label[KEYS_LABEL_MAX + 1];
	char vkey[NOTE_VKEY_MAX];
	uint64_t index = 0, size = 0;
	enum hs_err rc;

	/* The outgoing key signs the checkpoint that announces the new one. */
	rc = keys_load_active(db, c->keys_dir, c->origin, oldpass, &old,
	    oldlabel, err);
	if (rc == HS_ERR_NOTFOUND) {
		hs_errprefix(err, "nothing to rotate (use keygen)");
		return HS_ERR_STATE;
	}
	if (rc != HS_OK) {
		hs_errprefix(err, "loading the current key");
		return rc;
	}
	if ((rc = keycmd_label(db, c, want, label, err)) != HS_OK)
		goto out;
	if ((rc = keycmd_make(db, c, label, passfile, how, oldlabel, old,
	    vkey, &index, &size, err)) != HS_OK)
		goto out;
	printf(_("key %s replaces %s (retired now)\n"), label, oldlabel);
	keycmd_report(c, label, how, vkey, passfile != NULL);
	printf(_("  logged: key leaf %llu, checkpoint of size %llu signed by "
	    "%s\n"), (unsigned long long)index, (unsigned long long)size,
	    oldlabel);
out:
	note_signer_free(old);
	return rc;
}

/*
 * key retire (compromise false, t = when) or key compromised (compromise
 * true, t = since): the table update, the leaf and a checkpoint signed by
 * the active key, in one transaction.
 */
static enum hs_err
key_mark(sqlite3 *db, const struct config *c, const char *label,
    bool compromise, const char *t, const char *passfile, char *err)
{
	struct note_signer *s = NULL;
	struct ledger *l = NULL;
	struct keys_info k;
	struct buf entry;
	char signer[KEYS_LABEL_MAX + 1] = "", detail[32];
	struct actor op = audit_operator(c->issuer);
	uint64_t index = 0, size = 0;
	bool tx = false;
	enum hs_err rc;

	buf_init(&entry);
	/* The time first: the leaf takes only canonical RFC 3339 UTC. */
	{
		time_t tt;
		char again[21];

		if (strlen(t) != 20 || time_parse_rfc3339(t, &tt) != 0 ||
		    (time_rfc3339(tt, again), strcmp(again, t) != 0)) {
			rc = hs_fail(err, HS_ERR_INVALID, "%s must be RFC 3339 "
			    "UTC YYYY-MM-DDTHH:MM:SSZ", compromise ? "--since" :
			    "--at");
			goto out;
		}
	}
	if ((rc = keys_get(db, label, &k, err)) != HS_OK)
		goto out;
	rc = keys_load_active(db, c->keys_dir, c->origin, passfile, &s,
	    signer, err);
	if (rc == HS_ERR_NOTFOUND) {
		rc = hs_fail(err, HS_ERR_STATE, "no active signing key to sign "
		    "the checkpoint that logs this; verifiers learn key changes "
		    "only from checkpoints signed by a key they trust");
		goto out;
	}
	if (rc != HS_OK) {
		hs_errprefix(err, "loading the active key to sign the "
		    "checkpoint");
		goto out;
	}
	if (compromise && strcmp(signer, label) == 0) {
		rc = hs_fail(err, HS_ERR_STATE, "%s is the active signing key: "
		    "it cannot sign the checkpoint that logs its own compromise "
		    "(verifiers would refuse it). Run 'key rotate' first (it "
		    "announces a new key under a checkpoint signed by %s and "
		    "retires %s), then mark %s compromised", label, label,
		    label, label);
		goto out;
	}
	if ((rc = store_begin(db, err)) != HS_OK)
		goto out;
	tx = true;
	rc = compromise ? keys_compromised(db, label, t, err) :
	    keys_retire(db, label, t, err);
	if (rc != HS_OK)
		goto out;
	snprintf(detail, sizeof(detail), "%s %s", compromise ? "since" : "at",
	    t);
	if ((rc = audit_append(db, &op, compromise ? "key.compromise" :
	    "key.retire", label, detail, NULL, err)) != HS_OK)
		goto out;
	rc = compromise ? leaf_key_compromise(k.vkey, t, &entry, err) :
	    leaf_key_retire(k.vkey, t, &entry, err);
	if (rc != HS_OK)
		goto out;
	if ((rc = ledger_open(db, c->origin, &l, err)) != HS_OK ||
	    (rc = ledger_append(l, entry.data, entry.len, &index, err)) !=
	    HS_OK ||
	    (rc = ledger_sign_checkpoint(l, s, NULL, &size, err)) != HS_OK) {
		hs_errprefix(err, "logging it");
		goto out;
	}
	if ((rc = store_commit(db, err)) != HS_OK)
		goto out;
	tx = false;
	if (compromise)
		printf(_("key %s marked compromised since %s: everything it "
		    "signed from then on fails verification\n"), label, t);
	else
		printf(_("key %s retired at %s: it signs nothing new; what it "
		    "signed before stays valid\n"), label, t);
	printf(_("  logged: %s leaf %llu, checkpoint of size %llu signed by "
	    "%s\n"), compromise ? "key-compromise" : "key-retire",
	    (unsigned long long)index, (unsigned long long)size, signer);
	if (!compromise && strcmp(signer, label) == 0)
		fprintf(stderr, _("note: %s was the active key and no key is "
		    "active now. A key made with keygen vouches only for "
		    "itself: verifiers must be given it with --key. To hand "
		    "over, 'key rotate' instead.\n"), label);
out:
	if (tx)
		store_rollback(db);
	ledger_close(l);
	note_signer_free(s);
	buf_free(&entry);
	return rc;
}

static const char *
key_state(const struct keys_info *k, const char *active)
{
	if (k->compromised_since[0] != '\0')
		return "compromised";
	if (k->retired[0] != '\0')
		return "retired";
	if (strcmp(k->label, active) == 0)
		return "active";
	return "standby"; /* valid, but not the one that signs */
}

static enum hs_err
key_list(sqlite3 *db, const struct config *c, char *err)
{
	struct keys_info *v = NULL, act;
	size_t n = 0, i;
	enum hs_err rc;

	if ((rc = keys_list(db, &v, &n, err)) != HS_OK)
		return rc;
	if (keys_active(db, c->keys_dir, &act, NULL) != HS_OK)
		act.label[0] = '\0';
	printf("label\tstate\tnot_before\tretired\tcompromised_since\tvkey\n");
	for (i = 0; i < n; i++)
		printf("%s\t%s\t%s\t%s\t%s\t%s\n", v[i].label,
		    key_state(&v[i], act.label), v[i].not_before,
		    v[i].retired[0] ? v[i].retired : "-",
		    v[i].compromised_since[0] ? v[i].compromised_since : "-",
		    v[i].vkey);
	free(v);
	return HS_OK;
}

static int
parse(const struct cmd *x, int argc, char **argv, void *args)
{
	static const struct option opts[] = {
		{ "passphrase-file", required_argument, NULL, 'p' },
		{ "old-passphrase-file", required_argument, NULL, 'o' },
		{ "since", required_argument, NULL, 's' },
		{ "at", required_argument, NULL, 'a' },
		{ "alg", required_argument, NULL, 'A' },
		{ "pkcs11", required_argument, NULL, 'k' },
		{ "generate", no_argument, NULL, 'g' },
		{ "no-passphrase", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct args *a = args;
	const char *sub;
	int ch;

	if (argc < 2)
		return CMD_USAGE;
	sub = a->sub = argv[1];
	/* Options after the subcommand. */
	optind = 2;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'p': a->passflag = optarg; break;
		case 'o': a->oldflag = optarg; break;
		case 's': a->since = optarg; break;
		case 'a': a->at = optarg; break;
		case 'A': a->alg = optarg; break;
		case 'k': a->uri = optarg; break;
		case 'g': a->generate = true; break;
		case 'n': a->nopass = true; break;
		default: return CMD_USAGE;
		}
	}
	if (argc - optind > 1)
		return CMD_USAGE;
	if (optind < argc)
		a->label = argv[optind];
	if (strcmp(sub, "rotate") != 0 && (a->alg || a->uri || a->generate ||
	    a->nopass))
		return CMD_USAGE;
	if (strcmp(sub, "rotate") == 0)
		return a->since || a->at ? CMD_USAGE : 0;
	if (strcmp(sub, "retire") == 0)
		return a->label == NULL || a->since || a->oldflag ? CMD_USAGE :
		    0;
	if (strcmp(sub, "compromised") == 0)
		return a->label == NULL || a->since == NULL || a->at ||
		    a->oldflag ? CMD_USAGE : 0;
	if (strcmp(sub, "list") == 0)
		return a->label || a->since || a->at || a->passflag ||
		    a->oldflag ? CMD_USAGE : 0;
	cmd_say(x, "unknown subcommand '%s'", sub);
	return CMD_USAGE;
}

static int
run(struct cmd *x, void *args)
{
	const struct args *a = args;
	const char *sub = a->sub, *pf = keys_passphrase_file(a->passflag);
	char err[HS_ERRLEN] = "", now[21];
	struct keys_new how;
	enum hs_err rc;

	time_now_rfc3339(now);
	if (strcmp(sub, "rotate") == 0) {
		if (a->nopass && (a->passflag != NULL || a->uri != NULL)) {
			cmd_say(x, _("--no-passphrase contradicts %s"),
			    a->uri != NULL ? "--pkcs11" : "--passphrase-file");
			return 2;
		}
		/* A key file: encrypted, or unencrypted only when asked. */
		if (a->uri == NULL && pf == NULL && !a->nopass) {
			cmd_say(x, _("no passphrase for the new key: give "
			    "--passphrase-file FILE (or set %s), or pass "
			    "--no-passphrase to store it unencrypted"),
			    "HOURSEAL_PASSPHRASE_FILE");
			return 2;
		}
		rc = keycmd_how(a->alg, a->uri, a->generate, &how, err);
		if (rc == HS_OK)
			rc = key_rotate(x->db, &x->cfg, &how, a->label,
			    a->nopass ? NULL : pf, a->oldflag ? a->oldflag :
			    pf, err);
	}
	else if (strcmp(sub, "retire") == 0)
		rc = key_mark(x->db, &x->cfg, a->label, false, a->at ? a->at :
		    now, pf, err);
	else if (strcmp(sub, "compromised") == 0)
		rc = key_mark(x->db, &x->cfg, a->label, true, a->since, pf,
		    err);
	else
		rc = key_list(x->db, &x->cfg, err);
	return rc == HS_OK ? 0 : cmd_fail(x, rc, err);
}

const struct cmd_ops cmd_key_ops = { sizeof(struct args), parse, run };
