/*
 * hourseal-issuer unit: the unit -> region map HR maintains (service.md
 * §1). `unit set UNIT REGION` sets a unit's region and moves its records'
 * region with it (audited unit.region); `unit list` prints every unit.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "acting.h"
#include "cmd.h"
#include "app/stamp.h"
#include "core/i18n.h"

struct args {
	const char *account, *unit, *region;
	bool set;
};

static int
parse(const struct cmd *x, int argc, char **argv, void *args)
{
	static const struct option opts[] = {
		{ "account", required_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 },
	};
	struct args *a = args;
	int ch, n;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'A')
			return CMD_USAGE;
		a->account = optarg;
	}
	n = argc - optind;
	if (n == 1 && strcmp(argv[optind], "list") == 0 && a->account == NULL)
		return 0;
	if (n != 3 || strcmp(argv[optind], "set") != 0)
		return CMD_USAGE;
	a->set = true;
	a->unit = argv[optind + 1];
	a->region = argv[optind + 2];
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
	int ret;

	if (!a->set) {
		printf("unit\tregion\trecords\n");
		if ((rc = unit_each(x->db, print_unit, &n, err)) != HS_OK)
			return cmd_fail(x, rc, err);
		fprintf(stderr, _("%zu unit%s\n"), n, n == 1 ? "" : "s");
		return 0;
	}
	if ((ret = acting_principal(x, a->account, &p)) != 0)
		return ret;
	if ((rc = unit_set_region(x->db, &p, a->unit, a->region, &n, err)) !=
	    HS_OK)
		return cmd_fail(x, rc, err);
	printf(_("unit %s is in region %s; %zu record%s updated\n"), a->unit,
	    a->region, n, n == 1 ? "" : "s");
	return 0;
}

const struct cmd_ops cmd_unit_ops = { sizeof(struct args), parse, run };
