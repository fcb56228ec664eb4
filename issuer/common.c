#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "store/store.h"
#include "core/util.h"

int
issuer_open(const struct cli *cli, const char *cmd, struct issuer_ctx *x)
{
	char err[HS_ERRLEN] = "";

	memset(x, 0, sizeof(*x));
	if (config_load(cli->data_dir, &x->cfg, err) != HS_OK)
		goto fail;
	if (policy_load(x->cfg.policy_path, &x->pol, err) != HS_OK) {
		hs_errprefix(err, "policy");
		goto fail;
	}
	if (store_open(x->cfg.db_path, STORE_RW, &x->db, err) != HS_OK)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "hourseal-issuer %s: %s\n", cmd, err);
	issuer_close(x);
	return 2;
}

void
issuer_close(struct issuer_ctx *x)
{
	store_close(x->db);
	x->db = NULL;
	policy_free(x->pol);
	x->pol = NULL;
	config_wipe(&x->cfg);
}

long
issuer_today(void)
{
	const char *e = getenv("HOURSEAL_TODAY");
	long d;

	if (e != NULL && *e != '\0')
		return date_parse(e, &d) == 0 ? d : -1;
	return (long)(time(NULL) / 86400);
}
