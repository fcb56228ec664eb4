/*
 * hourseal-issuer unit: the unit -> region map HR maintains (service.md
 * §1). `unit set UNIT REGION` sets a unit's region and moves its records'
 * region with it (audited unit.region); `unit list` prints every unit.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "app/stamp.h"

struct args {
	const char *account, *unit, *region;
	bool set;
};

static int
parse(const struct cmd *x, int argc, char **argv, void *args)
{
	struct args *a = args;
	const char *pos[3];
	int i, n = 0;

	/* Few enough options to read by hand: --account NAME anywhere. */
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--account") == 0 && i + 1 < argc)
			a->account = argv[++i];
		else if (strncmp(argv[i], "--account=", 10) == 0)
			a->account = argv[i] + 10;
		else if (argv[i][0] == '-' || n == 3)
			return CMD_USAGE;
		else
			pos[n++] = argv[i];
	}
	if (n == 1 && strcmp(pos[0], "list") == 0 && a->account == NULL)
		return 0;
	if (n != 3 || strcmp(pos[0], "set") != 0)
		return CMD_USAGE;
	a->set = true;
	a->unit = pos[1];
	a->region = pos[2];
	return 0;
}

static int
print_unit(void *ctx, const char *unit, const char *region, int64_t n)
{
	printf("%s\t%s\t%lld\n", unit, region[0] ? region : "-", (long long)n);
	(*(size_t *)ctx)++;
	return 0;
}

static int
run(struct cmd *x, void *args)
{
	const struct args *a = args;
	struct principal p;
	char err[HS_ERRLEN] = "";
	size_t n = 0;
	enum hs_err rc;

	if (!a->set) {
		printf("unit\tregion\trecords\n");
		if ((rc = unit_each(x->db, print_unit, &n, err)) != HS_OK)
			return cmd_fail(x, rc, err);
		fprintf(stderr, "%zu unit%s\n", n, n == 1 ? "" : "s");
		return 0;
	}
	if (a->account != NULL)
		rc = principal_load_account(x->db, a->account, "", &p, err);
	else {
		principal_operator(&p, x->cfg.issuer);
		rc = HS_OK;
	}
	if (rc == HS_OK)
		rc = unit_set_region(x->db, &p, a->unit, a->region, &n, err);
	if (rc != HS_OK)
		return cmd_fail(x, rc, err);
	printf("unit %s is in region %s; %zu record%s updated\n", a->unit,
	    a->region, n, n == 1 ? "" : "s");
	return 0;
}

const struct cmd_ops cmd_unit_ops = { sizeof(struct args), parse, run };
