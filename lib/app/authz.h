/*
 * authz.h - who may do what: the one authorization table (service.md §1),
 * role x action -> allowed, with the scope rule that then narrows the
 * objects. The HTTP routes (issuer/serve_routes.c) name an action each,
 * the API handlers and the CLI ask the same table, and the authorization
 * test walks every route as every role against it.
 *
 * An action allowed to a role is still limited to the objects in the
 * principal's scope (app/principal.h); an object outside it answers 404
 * exactly as a missing one, so existence never leaks. An action the role
 * may not do at all answers 404 on the console and the API too (a route
 * that exists for some roles is no signal: every role sees the same
 * route list) -- except that nobody signed in gets the sign-in page.
 */
#ifndef HS_APP_AUTHZ_H
#define HS_APP_AUTHZ_H

#include <stdbool.h>

#include "app/principal.h"

enum authz_action {
	AZ_PUBLIC = 0,      /* anyone, signed in or not (health, sign-in) */
	AZ_SELF,            /* any signed-in account: its own password, TOTP,
	                     * sign-out */
	AZ_CONSOLE,         /* the console's home page */
	AZ_RECORD_VIEW,     /* list and read records */
	AZ_RECORD_SUBMIT,   /* submit records (upload, API) */
	AZ_RECORD_STAMP,    /* 验印: stamp */
	AZ_RECORD_REJECT,   /* 退回 with a reason */
	AZ_RECORD_WITHDRAW, /* take back a decision */
	AZ_RECORD_CORRECT,  /* correct a record's fields */
	AZ_CERT_VIEW,       /* certificates in scope */
	AZ_CERT_ISSUE,      /* issue */
	AZ_CERT_REVOKE,     /* revoke */
	AZ_CERT_REISSUE,    /* reissue */
	AZ_ACCOUNT_MANAGE,  /* list, add, disable, unlock, reset accounts */
	AZ_TOKEN_MANAGE,    /* list, add, revoke API tokens */
	AZ_AUDIT_VIEW,      /* read the audit log in scope */
	AZ_HOURS_QUERY,     /* verified hours of a person (title systems) */
	AZ_MY_VIEW,         /* a practitioner's own pages (issue 14) */
	AZ_ACTIVATION_MAKE, /* activation codes and letters for people in
	                     * scope (service.md §5) */
	AZ_COUNT
};

/* How the objects an action touches are narrowed (documentation for the
 * routes and the test; the app/ functions apply it). */
enum authz_scope {
	AZS_NONE = 0,  /* no object (a form, a page of links) */
	AZS_RECORD,    /* records the principal sees (principal_sees_record) */
	AZS_STAMP,     /* records the principal may stamp (principal_may_stamp) */
	AZS_ACCOUNT,   /* accounts and tokens at or below the principal
	                * (accounts_can_create) */
	AZS_AUDIT,     /* audit rows in the principal's region */
	AZS_SELF,      /* the principal's own rows only */
};

struct authz_rule {
	enum authz_action action;
	const char *name;     /* "record.stamp": stable, used in the tests */
	unsigned roles;       /* AZR(PRINCIPAL_HR) | ...; 0 with AZ_PUBLIC */
	enum authz_scope scope;
	const char *zh, *en;  /* what the console's home page calls it */
};

#define AZR(r) (1u << (r))
/* Staff roles: those with a console. */
#define AZR_STAFF (AZR(PRINCIPAL_HR) | AZR(PRINCIPAL_INDUSTRY) | \
	AZR(PRINCIPAL_PROVIDER) | AZR(PRINCIPAL_EMPLOYER) | \
	AZR(PRINCIPAL_AUDITOR))

/* The rule of an action (never NULL for a valid action). */
const struct authz_rule *authz_rule(enum authz_action a);

/*
 * Whether role may do action a at all (before the scope rule). AZ_PUBLIC
 * is allowed to everyone including PRINCIPAL_NONE; AZ_SELF to every role
 * but NONE; the operator may do everything.
 */
bool authz_allowed(enum principal_role role, enum authz_action a);

/* The action named name ("record.stamp"), or AZ_COUNT if none. */
enum authz_action authz_parse(const char *name);

#endif
