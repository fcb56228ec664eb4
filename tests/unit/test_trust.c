/*
 * test_trust.c - the verifier's trust file parser (trust.h) on good and
 * hostile input, table-driven: every refusal names the line, every
 * accepted file gives the ledgers it says, paths joined to the file's
 * directory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trust.h"
#include "t.h"

#define HDR "hourseal-verifier-trust v1\n"
#define L_A "ledger a\n origin o.example/a\n issuer 甲\n key a.pub\n db a.db\n"
#define L_B "ledger b\n origin o.example/b\n issuer 乙\n key b.pub\n db b.db\n"

static const struct {
	const char *what, *text, *want; /* want: in err, or NULL for OK */
} cases[] = {
	{ "one ledger", HDR L_A, NULL },
	{ "two ledgers, comments, blank lines, tabs, CRLF",
	    "# x\n\n" HDR "\r\n" L_A "\t# c\n" L_B, NULL },
	{ "empty", "", "t:1: no ledger" },
	{ "header only", HDR, "no ledger in the file" },
	{ "no header", L_A, "t:1: expected 'hourseal-verifier-trust v1'" },
	{ "header v2", "hourseal-verifier-trust v2\n" L_A, "t:1: expected" },
	{ "keyword before a ledger", HDR "origin x\n", "t:2: 'origin' before "
	    "any 'ledger NAME' line" },
	{ "unknown keyword", HDR L_A " url http://x\n", "t:7: unknown keyword "
	    "'url'" },
	{ "no value", HDR L_A " state\n", "t:7: 'state' without a value" },
	{ "bad name", HDR "ledger A\n", "t:2: ledger name 'A'" },
	{ "name with a slash", HDR "ledger a/b\n", "t:2: ledger name" },
	{ "name too long", HDR "ledger aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
	    "t:2: ledger name" },
	{ "name twice", HDR L_A L_A, "t:7: ledger a is named twice (line 2)" },
	{ "origin twice in a block", HDR L_A " origin o.example/c\n",
	    "t:7: a second origin line in ledger a" },
	{ "duplicate origin", HDR L_A "ledger b\n origin o.example/a\n issuer "
	    "x\n key b.pub\n db b.db\n", "t:7: ledger b has the origin "
	    "o.example/a of ledger a (line 2)" },
	{ "duplicate db", HDR L_A "ledger b\n origin o.example/b\n issuer x\n"
	    " key b.pub\n db a.db\n", "t:7: ledger b has the database of "
	    "ledger a" },
	{ "duplicate state", HDR "ledger a\n origin o.example/a\n issuer 甲\n"
	    " key a.pub\n db a.db\n state s\n" "ledger b\n origin o.example/b\n"
	    " issuer x\n key b.pub\n db b.db\n state s\n", "t:8: ledger b has "
	    "the state file of ledger a" },
	{ "origin with a space", HDR "ledger a\n origin o.example a\n",
	    "t:3: origin: expected" },
	{ "origin with a plus", HDR "ledger a\n origin o+a\n", "t:3: origin" },
	{ "no origin", HDR "ledger a\n issuer x\n key a.pub\n db a.db\n",
	    "t:2: ledger a has no origin line" },
	{ "no issuer", HDR "ledger a\n origin o.example/a\n key a.pub\n db "
	    "a.db\n", "t:2: ledger a has no issuer line" },
	{ "no key", HDR "ledger a\n origin o.example/a\n issuer x\n db a.db\n",
	    "t:2: ledger a has no key line" },
	{ "no db", HDR "ledger a\n origin o.example/a\n issuer x\n key a.pub\n",
	    "t:2: ledger a has no db line" },
	{ "nine keys", HDR "ledger a\n origin o.example/a\n issuer x\n key 1\n"
	    " key 2\n key 3\n key 4\n key 5\n key 6\n key 7\n key 8\n key 9\n",
	    "t:13: more than 8 key lines" },
	{ "not UTF-8", HDR L_A " issuer \xc3\x28\n", "t:7: not UTF-8" },
	{ "a control character", HDR "ledger a\n issuer a\x1b[31m\n",
	    "t:3: a control character" },
	{ "a tab in the issuer", HDR "ledger a\n origin o.example/a\n issuer "
	    "a\tb\n", "t:4: issuer: at most 200 bytes, no tabs" },
};

int
main(void)
{
	struct trust *t = calloc(1, sizeof(*t));
	char err[HS_ERRLEN], big[4200], many[4096];
	size_t i, n;
	enum hs_err rc;

	if (t == NULL)
		return 1;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		rc = trust_parse(cases[i].text, strlen(cases[i].text), "t",
		    "/etc/hs", 1, t, err);
		if (cases[i].want == NULL)
			T_OK(rc == HS_OK, "%s: accepted (%s)", cases[i].what, err);
		else
			T_OK(rc == HS_ERR_FORMAT && strstr(err, cases[i].want) !=
			    NULL, "%s: refused, '%s' (%s)", cases[i].what,
			    cases[i].want, err);
	}

	rc = trust_parse(HDR L_A L_B, strlen(HDR L_A L_B), "t", "/etc/hs", 1, t,
	    err);
	T_OK(rc == HS_OK && t->n == 2, "two ledgers read");
	T_STREQ(t->l[1].name, "b", "the second is b");
	T_STREQ(t->l[1].origin, "o.example/b", "  its origin");
	T_STREQ(t->l[1].issuer, "乙", "  its issuer");
	T_STREQ(t->l[1].key[0], "/etc/hs/b.pub", "  its key, below the dir");
	T_STREQ(t->l[1].db, "/etc/hs/b.db", "  its db, below the dir");
	T_OK(t->l[1].line == 7 && t->l[1].key_line[0] == 10 &&
	    t->l[1].db_line == 11, "  its lines (7, 10, 11)");
	T_OK(trust_find(t, "b") == &t->l[1] && trust_find(t, "c") == NULL,
	    "trust_find");
#define ABS HDR "ledger a\n origin o.example/a\n issuer x\n key /k/a.pub\n" \
	" db a.db\n"
	rc = trust_parse(ABS, strlen(ABS), "t", "", 1, t, err);
	T_OK(rc == HS_OK && strcmp(t->l[0].key[0], "/k/a.pub") == 0 &&
	    strcmp(t->l[0].db, "a.db") == 0,
	    "absolute paths as they are; no dir: relative as written (%s)",
	    err);
	rc = trust_parse(HDR "ledger a\n origin o.example/a\n issuer x\n key "
	    "a.pub\n", strlen(HDR "ledger a\n origin o.example/a\n issuer x\n"
	    " key a.pub\n"), "t", "", 0, t, err);
	T_OK(rc == HS_OK, "without need_db a ledger needs no db (%s)", err);

	/* Bounds: a long line, a NUL, too many ledgers. */
	memset(big, '#', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, HDR, strlen(HDR));
	rc = trust_parse(big, strlen(big), "t", "", 1, t, err);
	T_OK(rc == HS_ERR_FORMAT && strstr(err, "t:2: line over 2048 bytes"),
	    "a line over 2048 bytes (%s)", err);
	rc = trust_parse(HDR L_A "\0x\n", strlen(HDR L_A) + 3, "t", "", 1, t,
	    err);
	T_OK(rc == HS_ERR_FORMAT && strstr(err, "NUL"), "a NUL byte (%s)", err);
	n = (size_t)snprintf(many, sizeof(many), "%s", HDR);
	for (i = 0; i < TRUST_MAX + 1 && n < sizeof(many) - 100; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, "ledger l%zu\n"
		    " origin o.example/%zu\n issuer x\n key k\n db d%zu\n", i,
		    i, i);
	rc = trust_parse(many, n, "t", "", 1, t, err);
	T_OK(rc == HS_ERR_FORMAT && strstr(err, "more than 16 ledgers"),
	    "more than %d ledgers (%s)", TRUST_MAX, err);
	free(t);
	return t_done();
}
