/*
 * hourseal-issuer show SERIAL
 *
 * The certificate's status, ledger index, PDF, the signed note and its
 * receipt against the latest checkpoint.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "core/i18n.h"
#include "store/certs.h"
#include "cert/serial.h"
#include "core/util.h"

struct args {
	char serial[SERIAL_SIZE];
};

static int
parse(const struct cmd *x, int argc, char **argv, void *args)
{
	struct args *a = args;
	const char *s;
	char err[HS_ERRLEN] = "";
	enum hs_err rc;

	if (cmd_one_operand(argc, argv, &s) != 0)
		return CMD_USAGE;
	if ((rc = serial_parse(s, a->serial, err)) != HS_OK)
		return cmd_fail(x, rc, err);
	return 0;
}

static int
run(struct cmd *x, void *args)
{
	const struct args *a = args;
	char err[HS_ERRLEN] = "";
	struct certs_row row;
	struct certs *cs = NULL;
	struct buf receipt;
	uint64_t size = 0;
	enum hs_err rc;

	memset(&row, 0, sizeof(row));
	buf_init(&receipt);
	if ((rc = certs_open(x->db, &cs, err)) != HS_OK ||
	    (rc = certs_get(cs, a->serial, &row, err)) != HS_OK ||
	    (rc = issue_receipt(x->is, (uint64_t)row.leaf_index, true,
	    &receipt, &size, err)) != HS_OK)
		goto out;
	printf(_("serial: %s\n"), row.serial);
	if (row.revoked) {
		printf(_("status: revoked (%s) at %s, ledger index %lld\n"),
		    row.reason, row.revoked_at, row.revoke_index);
		if (row.replaced_by[0])
			printf(_("replaced by: %s\n"), row.replaced_by);
	} else
		printf(_("status: valid\n"));
	if (row.replaces[0])
		printf(_("replaces: %s\n"), row.replaces);
	printf(_("ledger index: %lld\n"), row.leaf_index);
	printf(_("key: %s\n"), row.key_label);
	printf(_("pdf: %s\npdf sha256: %s\n"), row.pdf_file[0] ? row.pdf_file :
	    "-", row.pdf_sha256[0] ? row.pdf_sha256 : "-");
	printf(_("\n-- certificate.note\n%s"), row.note);
	printf(_("\n-- receipt (checkpoint size %llu, the latest)\n%s"),
	    (unsigned long long)size, receipt.data ? receipt.data : "");
out:
	certs_row_free(&row);
	buf_free(&receipt);
	certs_close(cs);
	if (rc != HS_OK)
		return cmd_fail(x, rc, err);
	return 0;
}

const struct cmd_ops cmd_show_ops = { sizeof(struct args), parse, run };
