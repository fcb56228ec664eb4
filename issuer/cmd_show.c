/*
 * hourseal-issuer show SERIAL
 *
 * The certificate's status, ledger index, PDF, the signed note and its
 * receipt against the latest checkpoint.
 */
#include <stdio.h>
#include <string.h>

#include "certcmd.h"
#include "store/certs.h"
#include "cmd.h"
#include "app/issue.h"
#include "cert/serial.h"
#include "store/store.h"
#include "core/util.h"

int
cmd_show(const struct cli *cli, int argc, char **argv)
{
	char serial[SERIAL_SIZE], err[HS_ERRLEN] = "";
	struct certs_row row;
	struct issue *is = NULL;
	struct certs *cs = NULL;
	struct config c;
	struct buf receipt;
	sqlite3 *db = NULL;
	uint64_t size = 0;
	enum hs_err rc;
	int ret;

	memset(&row, 0, sizeof(row));
	buf_init(&receipt);
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: %s show SERIAL\n", cli->prog);
		return 1;
	}
	if ((rc = serial_parse(argv[1], serial, err)) != HS_OK)
		return certcmd_fail(cli->prog, rc, err);
	if ((ret = certcmd_open_ro(cli->prog, cli->data_dir, &c, &db)) != 0)
		return ret;
	if ((rc = certs_open(db, &cs, err)) != HS_OK ||
	    (rc = certs_get(cs, serial, &row, err)) != HS_OK ||
	    (rc = issue_open(&c, db, 0, &is, err)) != HS_OK ||
	    (rc = issue_receipt(is, (uint64_t)row.leaf_index, true, &receipt,
	    &size, err)) != HS_OK)
		goto out;
	printf("serial: %s\n", row.serial);
	if (row.revoked) {
		printf("status: revoked (%s) at %s, ledger index %lld\n",
		    row.reason, row.revoked_at, row.revoke_index);
		if (row.replaced_by[0])
			printf("replaced by: %s\n", row.replaced_by);
	} else
		printf("status: valid\n");
	if (row.replaces[0])
		printf("replaces: %s\n", row.replaces);
	printf("ledger index: %lld\n", row.leaf_index);
	printf("key: %s\n", row.key_label);
	printf("pdf: %s\npdf sha256: %s\n", row.pdf_file[0] ? row.pdf_file :
	    "-", row.pdf_sha256[0] ? row.pdf_sha256 : "-");
	printf("\n-- certificate.note\n%s", row.note);
	printf("\n-- receipt (checkpoint size %llu, the latest)\n%s",
	    (unsigned long long)size, receipt.data ? receipt.data : "");
out:
	certs_row_free(&row);
	buf_free(&receipt);
	issue_close(is);
	certs_close(cs);
	store_close(db);
	config_wipe(&c);
	if (rc != HS_OK)
		return certcmd_fail(cli->prog, rc, err);
	return 0;
}
