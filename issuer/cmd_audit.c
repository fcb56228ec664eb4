/*
 * hourseal-issuer audit
 *
 * Recomputes every leaf hash and every stored subtree hash of the ledger,
 * and checks every stored checkpoint: its signature by one of the keys in
 * the keys table, its root against the tree, its consistency with the
 * checkpoint before it, and that the latest-checkpoint row is the last.
 * Exit 0 if all is well, 1 if anything was altered (naming the first bad
 * leaf index or checkpoint), 2 if the audit could not run.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "store/config.h"
#include "store/ledger.h"
#include "tlog/note.h"
#include "store/store.h"

#define AUDIT_MAX_KEYS 256

/* Loads every verifier key of the keys table. Caller frees vs[0..*n). */
static enum hs_err
load_keys(sqlite3 *db, struct note_verifier **vs, size_t *n, char *err)
{
	sqlite3_stmt *st = NULL;
	enum hs_err rc = HS_OK;
	int r;

	*n = 0;
	if (sqlite3_prepare_v2(db, "SELECT label, vkey FROM keys ORDER BY "
	    "label", -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "reading keys");
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *label = (const char *)sqlite3_column_text(st, 0);
		const char *vkey = (const char *)sqlite3_column_text(st, 1);

		if (*n == AUDIT_MAX_KEYS) {
			rc = hs_fail(err, HS_ERR_TOOBIG, "more than %d keys",
			    AUDIT_MAX_KEYS);
			goto out;
		}
		if (vkey == NULL || (rc = note_verifier_parse(vkey, &vs[*n],
		    err)) != HS_OK) {
			hs_errprefix(err, "key %s", label ? label : "?");
			rc = HS_ERR_FORMAT;
			goto out;
		}
		(*n)++;
	}
	if (r != SQLITE_DONE)
		rc = store_err(db, err, "reading keys");
out:
	sqlite3_finalize(st);
	return rc;
}

int
cmd_audit(const struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ NULL, 0, NULL, 0 },
	};
	struct config c;
	struct note_verifier *vs[AUDIT_MAX_KEYS];
	struct ledger_audit_result res;
	struct ledger *l = NULL;
	sqlite3 *db = NULL;
	size_t nvs = 0, i;
	char err[HS_ERRLEN] = "";
	enum hs_err rc;
	int ret = 2;

	while (getopt_long(argc, argv, "", opts, NULL) != -1) {
		fprintf(stderr, "usage: %s audit\n", cli->prog);
		return 2;
	}
	if (optind < argc) {
		fprintf(stderr, "%s audit: unexpected argument '%s'\n",
		    cli->prog, argv[optind]);
		return 2;
	}
	if ((rc = config_load(cli->data_dir, &c, err)) != HS_OK)
		goto out;
	if ((rc = store_open(c.db_path, STORE_RO, &db, err)) != HS_OK ||
	    (rc = ledger_open(db, c.origin, &l, err)) != HS_OK ||
	    (rc = load_keys(db, vs, &nvs, err)) != HS_OK)
		goto out;
	rc = ledger_audit(l, vs, nvs, &res, err);
	if (rc == HS_OK) {
		printf("audit: ok: %llu leaves and %llu checkpoints of %s; "
		    "every leaf and subtree hash recomputed, every checkpoint "
		    "signature (keys: %zu) and consistency checked\n",
		    (unsigned long long)res.leaves,
		    (unsigned long long)res.checkpoints, c.origin, nvs);
		ret = 0;
	} else if (rc == HS_ERR_SIGNATURE) {
		fprintf(stderr, "%s audit: FAILED at %s %llu: %s\n", cli->prog,
		    res.bad_checkpoint ? "checkpoint" : "leaf index",
		    (unsigned long long)res.bad, err);
		ret = 1;
		err[0] = '\0';
	}
out:
	if (ret == 2)
		fprintf(stderr, "%s audit: %s\n", cli->prog, err);
	for (i = 0; i < nvs; i++)
		note_verifier_free(vs[i]);
	ledger_close(l);
	store_close(db);
	config_wipe(&c);
	return ret;
}
