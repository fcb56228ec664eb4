/*
 * hourseal-issuer audit
 *
 * Recomputes every leaf hash and every stored subtree hash of the ledger,
 * and checks every stored checkpoint: its signature by one of the keys in
 * the keys table, its root against the tree, its consistency with the
 * checkpoint before it, and that the latest-checkpoint row is the last.
 * Then it re-hashes the audit log from row 1 and compares the chain with
 * every audit leaf of the verified ledger (store/audit.h): "audit log: N
 * rows, chain ok, anchored at row M in leaf L", rows after the last
 * anchor reported as not yet anchored; or the first row that differs
 * ("audit row 17 differs from the chain anchored in leaf 52").
 * Exit 0 if all is well, 1 if anything was altered (naming the first bad
 * leaf index, checkpoint or audit row), 2 if the audit could not run.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "core/i18n.h"
#include "store/audit.h"
#include "store/keys.h"
#include "store/ledger.h"
#include "tlog/note.h"

#define AUDIT_MAX_KEYS 256

/*
 * Every key of the keys table (through the keys module) as a verifier.
 * Caller frees vs[0..*n).
 */
static enum hs_err
load_keys(sqlite3 *db, struct note_verifier **vs, size_t *n, char *err)
{
	struct keys_info *k = NULL;
	size_t nk = 0, i;
	enum hs_err rc;

	*n = 0;
	if ((rc = keys_list(db, &k, &nk, err)) != HS_OK)
		return rc;
	if (nk > AUDIT_MAX_KEYS) {
		rc = hs_fail(err, HS_ERR_TOOBIG, "more than %d keys",
		    AUDIT_MAX_KEYS);
		goto out;
	}
	for (i = 0; i < nk; i++) {
		if (note_verifier_parse(k[i].vkey, &vs[*n], err) != HS_OK) {
			hs_errprefix(err, "key %s", k[i].label);
			rc = HS_ERR_FORMAT;
			goto out;
		}
		(*n)++;
	}
out:
	free(k);
	return rc;
}

static int
parse(const struct cmd *x, int argc, char **argv, void *args)
{
	static const struct option opts[] = {
		{ NULL, 0, NULL, 0 },
	};

	if (getopt_long(argc, argv, "", opts, NULL) != -1)
		return CMD_USAGE;
	if (optind < argc) {
		cmd_say(x, "unexpected argument '%s'", argv[optind]);
		return CMD_USAGE;
	}
	return 0;
}

/*
 * The audit chain against the anchors in the verified ledger (up to its
 * latest checkpoint): 0 ok, 1 a row differs, 2 could not check.
 */
static int
chain(struct cmd *x, struct ledger *l, char *err)
{
	struct audit_check ac;
	uint64_t size = 0;
	enum hs_err rc;

	rc = ledger_latest_checkpoint(l, NULL, &size, err);
	if (rc != HS_OK && rc != HS_ERR_NOTFOUND)
		return 2;
	rc = audit_verify(x->db, l, size, &ac, err);
	if (rc == HS_ERR_SIGNATURE) {
		cmd_say(x, "FAILED: %s", err);
		return 1;
	}
	if (rc != HS_OK)
		return 2;
	printf(_("audit log: %lld rows, chain ok"), (long long)ac.rows);
	if (ac.anchors > 0)
		printf(_(", anchored at row %lld in leaf %llu"),
		    (long long)ac.anchored, (unsigned long long)ac.anchor_leaf);
	if (ac.rows > ac.anchored)
		printf(ac.rows - ac.anchored == 1 ? _("; row %lld not yet "
		    "anchored") : _("; rows %lld..%lld not yet anchored"),
		    (long long)ac.anchored + 1, (long long)ac.rows);
	printf("\n");
	return 0;
}

static int
run(struct cmd *x, void *args)
{
	struct note_verifier *vs[AUDIT_MAX_KEYS];
	struct ledger_audit_result res;
	struct ledger *l = NULL;
	size_t nvs = 0, i;
	char err[HS_ERRLEN] = "";
	enum hs_err rc;
	int ret = 2;

	if ((rc = ledger_open(x->db, x->cfg.origin, &l, err)) != HS_OK ||
	    (rc = load_keys(x->db, vs, &nvs, err)) != HS_OK)
		goto out;
	rc = ledger_audit(l, vs, nvs, &res, err);
	if (rc == HS_OK) {
		printf(_("audit: ok: %llu leaves and %llu checkpoints of %s; "
		    "every leaf and subtree hash recomputed, every checkpoint "
		    "signature (keys: %zu) and consistency checked\n"),
		    (unsigned long long)res.leaves,
		    (unsigned long long)res.checkpoints, x->cfg.origin, nvs);
		ret = chain(x, l, err);
	} else if (rc == HS_ERR_SIGNATURE) {
		cmd_say(x, "FAILED at %s %llu: %s", res.bad_checkpoint ?
		    _("checkpoint") : _("leaf index"), (unsigned long long)res.bad,
		    err);
		ret = 1;
	}
out:
	if (ret == 2)
		cmd_say(x, "%s", err);
	for (i = 0; i < nvs; i++)
		note_verifier_free(vs[i]);
	ledger_close(l);
	return ret;
}

const struct cmd_ops cmd_audit_ops = { sizeof(char), parse, run };
