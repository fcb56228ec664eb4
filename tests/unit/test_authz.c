/*
 * test_authz.c - the authorization table (lib/app/authz.h): its rows are
 * in enum order with unique names, and the cells that matter are written
 * down here independently of the table (service.md §1).
 */
#include <string.h>

#include "app/authz.h"
#include "t.h"

int
main(void)
{
	size_t i, j;
	int order = 1, uniq = 1;

	for (i = 0; i < AZ_COUNT; i++) {
		order &= authz_rule((enum authz_action)i)->action ==
		    (enum authz_action)i;
		for (j = 0; j < i; j++)
			uniq &= strcmp(authz_rule((enum authz_action)i)->name,
			    authz_rule((enum authz_action)j)->name) != 0;
		T_OK(authz_parse(authz_rule((enum authz_action)i)->name) ==
		    (enum authz_action)i, "%s parses back",
		    authz_rule((enum authz_action)i)->name);
	}
	T_OK(order, "rows in enum order");
	T_OK(uniq, "names unique");
	T_OK(authz_parse("nosuch") == AZ_COUNT, "an unknown name");
	T_OK(!authz_allowed(PRINCIPAL_HR, AZ_COUNT), "an unknown action: no");

	/* Nobody: only public things. */
	T_OK(authz_allowed(PRINCIPAL_NONE, AZ_PUBLIC), "nobody: public");
	for (i = 1; i < AZ_COUNT; i++)
		T_OK(!authz_allowed(PRINCIPAL_NONE, (enum authz_action)i),
		    "nobody may not %s", authz_rule((enum authz_action)i)->name);
	/* The operator at the shell: everything. */
	for (i = 0; i < AZ_COUNT; i++)
		T_OK(authz_allowed(PRINCIPAL_OPERATOR, (enum authz_action)i),
		    "the operator may %s",
		    authz_rule((enum authz_action)i)->name);

	/* service.md §1, cell by cell. */
	T_OK(authz_allowed(PRINCIPAL_HR, AZ_RECORD_STAMP), "hr stamps");
	T_OK(authz_allowed(PRINCIPAL_HR, AZ_RECORD_WITHDRAW), "hr withdraws");
	T_OK(authz_allowed(PRINCIPAL_HR, AZ_RECORD_CORRECT), "hr corrects");
	T_OK(authz_allowed(PRINCIPAL_HR, AZ_CERT_ISSUE), "hr issues");
	T_OK(authz_allowed(PRINCIPAL_HR, AZ_CERT_REVOKE), "hr revokes");
	T_OK(authz_allowed(PRINCIPAL_HR, AZ_CERT_REISSUE), "hr reissues");
	T_OK(authz_allowed(PRINCIPAL_HR, AZ_ACCOUNT_MANAGE), "hr manages accounts");
	T_OK(authz_allowed(PRINCIPAL_HR, AZ_TOKEN_MANAGE), "hr manages tokens");
	T_OK(!authz_allowed(PRINCIPAL_HR, AZ_HOURS_QUERY),
	    "hr is not a title system");
	T_OK(authz_allowed(PRINCIPAL_INDUSTRY, AZ_RECORD_STAMP), "industry stamps");
	T_OK(authz_allowed(PRINCIPAL_INDUSTRY, AZ_RECORD_REJECT),
	    "industry rejects");
	T_OK(!authz_allowed(PRINCIPAL_INDUSTRY, AZ_RECORD_CORRECT),
	    "industry does not correct");
	T_OK(authz_allowed(PRINCIPAL_INDUSTRY, AZ_RECORD_WITHDRAW),
	    "industry withdraws (scoped like stamping, issue 13)");
	T_OK(authz_allowed(PRINCIPAL_PROVIDER, AZ_RECORD_CORRECT),
	    "a provider corrects (its own submissions)");
	T_OK(!authz_allowed(PRINCIPAL_PROVIDER, AZ_RECORD_WITHDRAW),
	    "a provider withdraws no decision");
	T_OK(!authz_allowed(PRINCIPAL_EMPLOYER, AZ_RECORD_CORRECT),
	    "an employer corrects nothing");
	T_OK(!authz_allowed(PRINCIPAL_INDUSTRY, AZ_CERT_ISSUE),
	    "industry does not issue");
	T_OK(!authz_allowed(PRINCIPAL_INDUSTRY, AZ_ACCOUNT_MANAGE),
	    "industry makes no accounts");
	T_OK(!authz_allowed(PRINCIPAL_INDUSTRY, AZ_AUDIT_VIEW),
	    "industry does not read the audit log");
	T_OK(authz_allowed(PRINCIPAL_PROVIDER, AZ_RECORD_SUBMIT),
	    "a provider submits");
	T_OK(authz_allowed(PRINCIPAL_PROVIDER, AZ_RECORD_VIEW),
	    "a provider sees its submissions");
	T_OK(!authz_allowed(PRINCIPAL_PROVIDER, AZ_RECORD_STAMP),
	    "a provider stamps nothing");
	T_OK(!authz_allowed(PRINCIPAL_EMPLOYER, AZ_RECORD_STAMP),
	    "an employer stamps nothing");
	T_OK(!authz_allowed(PRINCIPAL_EMPLOYER, AZ_CERT_ISSUE),
	    "an employer issues nothing");
	T_OK(authz_allowed(PRINCIPAL_EMPLOYER, AZ_CERT_VIEW),
	    "an employer sees its staff's certificates");
	T_OK(authz_allowed(PRINCIPAL_AUDITOR, AZ_AUDIT_VIEW),
	    "the auditor reads the audit log");
	T_OK(authz_allowed(PRINCIPAL_AUDITOR, AZ_RECORD_VIEW),
	    "the auditor reads records");
	for (i = 0; i < AZ_COUNT; i++) {
		enum authz_action a = (enum authz_action)i;
		int reads = a == AZ_PUBLIC || a == AZ_SELF || a == AZ_CONSOLE ||
		    a == AZ_RECORD_VIEW || a == AZ_CERT_VIEW ||
		    a == AZ_AUDIT_VIEW;

		T_OK(authz_allowed(PRINCIPAL_AUDITOR, a) == reads,
		    "the auditor %s %s", reads ? "may" : "may not",
		    authz_rule(a)->name);
		T_OK(authz_allowed(PRINCIPAL_TITLE_SYSTEM, a) ==
		    (a == AZ_PUBLIC || a == AZ_HOURS_QUERY),
		    "a title system (a token, no account): only the hours "
		    "query (%s)",
		    authz_rule(a)->name);
		T_OK(authz_allowed(PRINCIPAL_PRACTITIONER, a) ==
		    (a == AZ_PUBLIC || a == AZ_SELF || a == AZ_MY_VIEW),
		    "a practitioner: only their own pages (%s)",
		    authz_rule(a)->name);
	}
	return t_done();
}
