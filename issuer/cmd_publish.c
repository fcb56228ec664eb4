/*
 * hourseal-issuer publish DIR: writes DIR/verifier.db, the copy of the
 * ledger and certificates a verifier host needs and nothing more (see
 * lib/publish.h).
 */
#include <stdio.h>
#include <string.h>

#include "certcmd.h"
#include "cmd.h"
#include "store/publish.h"

int
cmd_publish(const struct cli *cli, int argc, char **argv)
{
	struct publish_stats ps;
	struct config c;
	char err[HS_ERRLEN] = "";
	enum hs_err rc;

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: %s publish DIR\n", cli->prog);
		return 1;
	}
	if ((rc = config_load(cli->data_dir, &c, err)) != HS_OK)
		{ certcmd_fail(cli->prog, rc, err); return 2; }
	rc = publish_write(c.db_path, argv[1], &ps, err);
	config_wipe(&c);
	if (rc != HS_OK)
		return certcmd_fail(cli->prog, rc, err);
	printf("%s/verifier.db: %lld certificates, %lld revocations, "
	    "%lld ledger entries, %lld checkpoints, %lld keys\n", argv[1],
	    ps.certificates, ps.revocations, ps.leaves, ps.checkpoints,
	    ps.keys);
	return 0;
}
