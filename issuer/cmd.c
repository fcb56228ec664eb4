/*
 * cmd.c - what the issuer's commands share: opening the context the
 * command table asks for, the one message format, exit statuses and the
 * small argument parsers.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "core/i18n.h"
#include "core/util.h"
#include "store/store.h"

int
cmd_open(struct cmd *c, unsigned needs)
{
	char err[HS_ERRLEN] = "";
	unsigned flags = 0;
	enum hs_err rc;

	if (needs == 0)
		return 0;
	if ((rc = config_load(c->data_dir, &c->cfg, err)) != HS_OK)
		goto fail;
	/* Times shown to people, before any thread starts (core/tz.h). */
	if ((rc = hs_tz_set(c->cfg.time_zone, err)) != HS_OK)
		goto fail;
	if ((needs & CMD_POLICY) && (rc = policy_load(c->cfg.policy_path,
	    &c->pol, err)) != HS_OK) {
		hs_errprefix(err, "policy");
		goto fail;
	}
	if ((needs & (CMD_RO | CMD_RW)) && (rc = store_open(c->cfg.db_path,
	    (needs & CMD_RW) ? STORE_RW : STORE_RO, &c->db, err)) != HS_OK)
		goto fail;
	if (needs & CMD_SIGN)
		flags |= ISSUE_SIGN;
	if (needs & CMD_RENDER)
		flags |= ISSUE_RENDER;
	/* No key, templates or policy: could not run (2). */
	if ((needs & CMD_ISSUE) && (rc = issue_open(&c->cfg, c->db, flags,
	    &c->is, err)) != HS_OK)
		goto fail;
	return 0;
fail:
	cmd_fail(c, rc, err);
	return 2;
}

void
cmd_close(struct cmd *c)
{
	issue_close(c->is);
	c->is = NULL;
	store_close(c->db);
	c->db = NULL;
	policy_free(c->pol);
	c->pol = NULL;
	config_wipe(&c->cfg);
}

void
cmd_say(const struct cmd *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "hourseal-issuer %s: ", c->name);
	/* The format is the message: translated here (core/i18n.h). */
	va_start(ap, fmt);
	vfprintf(stderr, _(fmt), ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
cmd_exit(enum hs_err rc)
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
cmd_one_operand(int argc, char **argv, const char **out)
{
	static const struct option none[] = {
		{ NULL, 0, NULL, 0 },
	};

	if (getopt_long(argc, argv, "", none, NULL) != -1 ||
	    optind + 1 != argc)
		return CMD_USAGE;
	*out = argv[optind];
	return 0;
}

int
cmd_fail(const struct cmd *c, enum hs_err rc, const char *err)
{
	/* A literal err is a message of ours: translated (core/i18n.h). */
	cmd_say(c, "%s", err != NULL && *err != '\0' ? _(err) :
	    hs_strerror(rc));
	return cmd_exit(rc);
}

int
cmd_year(const struct cmd *c, const char *s, int *year)
{
	long y;

	if (cmd_number(c, "--year", s, 1900, 2999, &y) != 0)
		return 1;
	*year = (int)y;
	return 0;
}

int
cmd_number(const struct cmd *c, const char *flag, const char *s, long lo,
    long hi, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < lo || v > hi) {
		cmd_say(c, "%s: '%s' is not a number from %ld to %ld", flag, s,
		    lo, hi);
		return 1;
	}
	*out = v;
	return 0;
}

enum hs_err
cmd_id_digest(const struct config *cfg, const char *id, char out[45],
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
	config_id_digest(cfg, norm, out);
	return HS_OK;
}

long
cmd_today(void)
{
	const char *e = getenv("HOURSEAL_TODAY");
	long d;

	if (e != NULL && *e != '\0')
		return date_parse(e, &d) == 0 ? d : -1;
	return (long)(time(NULL) / 86400);
}
