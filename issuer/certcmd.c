#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certcmd.h"
#include "store/store.h"

int
certcmd_exit(enum hs_err rc)
{
	switch (rc) {
	case HS_OK:
		return 0;
	case HS_ERR_INVALID:
	case HS_ERR_FORMAT:
	case HS_ERR_SIGNATURE:
	case HS_ERR_NOTFOUND:
	case HS_ERR_EXISTS:
	case HS_ERR_STATE:
	case HS_ERR_TOOBIG:
	case HS_ERR_FONT:
		return 1;
	default:
		return 2;
	}
}

int
certcmd_fail(const char *prog, enum hs_err rc, const char *err)
{
	fprintf(stderr, "%s: %s\n", prog, err != NULL && *err != '\0' ? err :
	    hs_strerror(rc));
	return certcmd_exit(rc);
}

static int
open_mode(const char *prog, const char *data_dir, struct config *c,
    sqlite3 **db, enum store_mode mode)
{
	char err[HS_ERRLEN] = "";
	enum hs_err rc;

	*db = NULL;
	if ((rc = config_load(data_dir, c, err)) != HS_OK) {
		certcmd_fail(prog, rc, err);
		return 2;
	}
	if ((rc = store_open(c->db_path, mode, db, err)) != HS_OK) {
		config_wipe(c);
		certcmd_fail(prog, rc, err);
		return 2;
	}
	return 0;
}

int
certcmd_open(const char *prog, const char *data_dir, struct config *c,
    sqlite3 **db)
{
	return open_mode(prog, data_dir, c, db, STORE_RW);
}

int
certcmd_open_ro(const char *prog, const char *data_dir, struct config *c,
    sqlite3 **db)
{
	return open_mode(prog, data_dir, c, db, STORE_RO);
}

int
certcmd_year(const char *prog, const char *s, int *year)
{
	char *end;
	long y = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || y < 1900 || y > 2999) {
		fprintf(stderr, "%s: --year: '%s' is not a year (1900-2999)\n",
		    prog, s);
		return -1;
	}
	*year = (int)y;
	return 0;
}

enum hs_err
certcmd_id_digest(const struct config *c, const char *id, char out[45],
    char *err)
{
	char norm[19];
	size_t i, n = strlen(id);

	out[0] = '\0';
	if (n != 18)
		return hs_fail(err, HS_ERR_INVALID, "--id: an ID number has 18 "
		    "characters, this one has %zu", n);
	for (i = 0; i < 18; i++) {
		char ch = id[i];

		if (i == 17 && (ch == 'x' || ch == 'X'))
			ch = 'X';
		else if (ch < '0' || ch > '9')
			return hs_fail(err, HS_ERR_INVALID, "--id: character "
			    "%zu is not a digit", i + 1);
		norm[i] = ch;
	}
	norm[18] = '\0';
	config_id_digest(c, norm, out);
	return HS_OK;
}
