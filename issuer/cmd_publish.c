/*
 * hourseal-issuer publish DIR: writes DIR/verifier.db, the copy of the
 * ledger and certificates a verifier host needs and nothing more (see
 * lib/store/publish.h). Only the config is opened here: publish_write
 * reads the database itself.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "core/i18n.h"
#include "store/publish.h"

struct args {
	const char *dir;
};

static int
parse(const struct cmd *x, int argc, char **argv, void *args)
{
	struct args *a = args;

	return cmd_one_operand(argc, argv, &a->dir);
}

static int
run(struct cmd *x, void *args)
{
	const struct args *a = args;
	struct publish_stats ps;
	char err[HS_ERRLEN] = "";
	enum hs_err rc;

	if ((rc = publish_write(x->cfg.db_path, a->dir, &ps, err)) != HS_OK)
		return cmd_fail(x, rc, err);
	printf(_("%s/verifier.db: %lld certificates, %lld revocations, "
	    "%lld ledger entries, %lld checkpoints, %lld keys\n"), a->dir,
	    ps.certificates, ps.revocations, ps.leaves, ps.checkpoints,
	    ps.keys);
	return 0;
}

const struct cmd_ops cmd_publish_ops = { sizeof(struct args), parse, run };
