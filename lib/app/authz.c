/*
 * authz.c - the authorization table (authz.h).
 */
#include <string.h>

#include "app/authz.h"

#define HR AZR(PRINCIPAL_HR)
#define IND AZR(PRINCIPAL_INDUSTRY)
#define PROV AZR(PRINCIPAL_PROVIDER)
#define EMP AZR(PRINCIPAL_EMPLOYER)
#define AUD AZR(PRINCIPAL_AUDITOR)
#define PRAC AZR(PRINCIPAL_PRACTITIONER)
#define TITLE AZR(PRINCIPAL_TITLE_SYSTEM)

/* service.md §1, one row per action, in enum order. */
static const struct authz_rule rules[AZ_COUNT] = {
	{ AZ_PUBLIC, "public", 0, AZS_NONE, "公开", "public" },
	{ AZ_SELF, "self", AZR_STAFF | PRAC, AZS_SELF,
	    "本人账户", "own account" },
	{ AZ_CONSOLE, "console", AZR_STAFF, AZS_NONE,
	    "工作台", "console" },
	{ AZ_RECORD_VIEW, "record.view", HR | IND | PROV | EMP | AUD,
	    AZS_RECORD, "查看学时记录", "view hour records" },
	{ AZ_RECORD_SUBMIT, "record.submit", PROV, AZS_RECORD,
	    "报送学时记录", "submit hour records" },
	{ AZ_RECORD_STAMP, "record.stamp", HR | IND, AZS_STAMP,
	    "验印", "stamp records" },
	{ AZ_RECORD_REJECT, "record.reject", HR | IND, AZS_STAMP,
	    "退回记录", "reject records" },
	/* Withdrawing is scoped like stamping (issue 13): whoever may
	 * stamp a record may take its decision back. A correction is a new
	 * version of the record: hr in its region, or the training base
	 * that submitted it (app/stamp.c narrows the objects). */
	{ AZ_RECORD_WITHDRAW, "record.withdraw", HR | IND, AZS_STAMP,
	    "撤回验印", "withdraw a decision" },
	{ AZ_RECORD_CORRECT, "record.correct", HR | PROV, AZS_RECORD,
	    "更正记录", "correct records" },
	{ AZ_CERT_VIEW, "cert.view", HR | EMP | AUD, AZS_RECORD,
	    "查看证书", "view certificates" },
	{ AZ_CERT_ISSUE, "cert.issue", HR, AZS_RECORD,
	    "签发证书", "issue certificates" },
	{ AZ_CERT_REVOKE, "cert.revoke", HR, AZS_RECORD,
	    "吊销证书", "revoke certificates" },
	{ AZ_CERT_REISSUE, "cert.reissue", HR, AZS_RECORD,
	    "重新签发证书", "reissue certificates" },
	{ AZ_ACCOUNT_MANAGE, "account.manage", HR, AZS_ACCOUNT,
	    "账户管理", "manage accounts" },
	{ AZ_TOKEN_MANAGE, "token.manage", HR, AZS_ACCOUNT,
	    "接口令牌管理", "manage API tokens" },
	{ AZ_AUDIT_VIEW, "audit.view", HR | AUD, AZS_AUDIT,
	    "审计日志", "audit log" },
	{ AZ_HOURS_QUERY, "hours.query", TITLE, AZS_RECORD,
	    "学时核验查询", "verified hours query" },
	{ AZ_MY_VIEW, "my.view", PRAC, AZS_SELF,
	    "本人学时与证书", "own hours and certificates" },
	/* service.md §5: an hr or employer account makes activation codes
	 * for its people (the records/units in its scope). */
	{ AZ_ACTIVATION_MAKE, "activation.make", HR | EMP, AZS_RECORD,
	    "激活函", "activation letters" },
};

const struct authz_rule *
authz_rule(enum authz_action a)
{
	if ((unsigned)a >= AZ_COUNT)
		return &rules[AZ_PUBLIC];
	return &rules[a];
}

bool
authz_allowed(enum principal_role role, enum authz_action a)
{
	if ((unsigned)a >= AZ_COUNT)
		return false;
	if (a == AZ_PUBLIC)
		return true;
	if (role == PRINCIPAL_NONE)
		return false;
	if (role == PRINCIPAL_OPERATOR)
		return true;
	return (rules[a].roles & AZR(role)) != 0;
}

enum authz_action
authz_parse(const char *name)
{
	size_t i;

	for (i = 0; i < AZ_COUNT; i++)
		if (strcmp(rules[i].name, name) == 0)
			return (enum authz_action)i;
	return AZ_COUNT;
}
