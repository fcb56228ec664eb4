/*
 * principal.c - who acts and what they may see: the role names, loading
 * an account as a principal, and the one scope rule (principal.h) the
 * queue, the record pages and every 验印 action apply.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/principal.h"
#include "store/accounts.h"
#include "store/store.h"
#include "core/util.h"

static const char *const role_names[] = {
	[PRINCIPAL_NONE] = "none",
	[PRINCIPAL_HR] = "hr",
	[PRINCIPAL_INDUSTRY] = "industry",
	[PRINCIPAL_PROVIDER] = "provider",
	[PRINCIPAL_EMPLOYER] = "employer",
	[PRINCIPAL_AUDITOR] = "auditor",
	[PRINCIPAL_PRACTITIONER] = "practitioner",
	[PRINCIPAL_TITLE_SYSTEM] = "title-system",
	[PRINCIPAL_OPERATOR] = "operator",
};

#define NROLES (sizeof(role_names) / sizeof(role_names[0]))

const char *
principal_role_name(enum principal_role r)
{
	return (size_t)r < NROLES ? role_names[r] : "none";
}

enum principal_role
principal_role_parse(const char *name)
{
	size_t i;

	for (i = 1; name != NULL && i < NROLES; i++)
		if (strcmp(name, role_names[i]) == 0)
			return (enum principal_role)i;
	return PRINCIPAL_NONE;
}

void
principal_operator(struct principal *p, const char *issuer_org)
{
	memset(p, 0, sizeof(*p));
	p->role = PRINCIPAL_OPERATOR;
	snprintf(p->name, sizeof(p->name), "cli");
	snprintf(p->org, sizeof(p->org), "%s", issuer_org ? issuer_org : "");
}

enum principal_role
principal_role_of(enum role r)
{
	switch (r) {
	case ROLE_HR: return PRINCIPAL_HR;
	case ROLE_INDUSTRY: return PRINCIPAL_INDUSTRY;
	case ROLE_PROVIDER: return PRINCIPAL_PROVIDER;
	case ROLE_EMPLOYER: return PRINCIPAL_EMPLOYER;
	case ROLE_AUDITOR: return PRINCIPAL_AUDITOR;
	case ROLE_PRACTITIONER: return PRINCIPAL_PRACTITIONER;
	case ROLE_TITLE_SYSTEM: return PRINCIPAL_TITLE_SYSTEM;
	default: return PRINCIPAL_NONE;
	}
}

/* Copies s into out; false if it did not fit. */
static bool
copy(char *out, size_t outsz, const char *s)
{
	int n = snprintf(out, outsz, "%s", s ? s : "");

	return n >= 0 && (size_t)n < outsz;
}

enum hs_err
principal_load_account(sqlite3 *db, const char *name, const char *client,
    struct principal *p, char *err)
{
	struct account *a;
	enum hs_err rc = HS_OK;
	size_t n = name ? strlen(name) : 0;

	memset(p, 0, sizeof(*p));
	if (n == 0 || n >= sizeof(p->name) || !utf8_valid(name, n) ||
	    has_control(name))
		return hs_fail(err, HS_ERR_INVALID, "--account: an account name "
		    "(1-%zu bytes of text)", sizeof(p->name) - 1);
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	if ((rc = accounts_get(db, name, a, err)) == HS_ERR_NOTFOUND)
		rc = hs_fail(err, HS_ERR_NOTFOUND, "no account named %s "
		    "(hourseal-issuer user add ...)", name);
	else if (rc == HS_OK && a->disabled)
		rc = hs_fail(err, HS_ERR_STATE, "account %s is disabled", name);
	else if (rc == HS_OK) {
		p->role = principal_role_of(a->role);
		if (p->role == PRINCIPAL_NONE)
			rc = hs_fail(err, HS_ERR_STATE, "account %s has an "
			    "unknown role", name);
		else if (!copy(p->name, sizeof(p->name), a->name) ||
		    !copy(p->org, sizeof(p->org), a->org) ||
		    !copy(p->region, sizeof(p->region), a->scope.region) ||
		    !copy(p->domain, sizeof(p->domain), a->scope.domain) ||
		    !copy(p->provider, sizeof(p->provider),
		    a->scope.provider) ||
		    !copy(p->unit, sizeof(p->unit), a->scope.unit) ||
		    !copy(p->client, sizeof(p->client), client))
			rc = hs_fail(err, HS_ERR_STATE, "account %s: a name, "
			    "scope or organisation longer than hourseal "
			    "allows", name);
		p->practitioner_id = a->scope.practitioner_id;
	}
	free(a);
	if (rc != HS_OK)
		memset(p, 0, sizeof(*p));
	return rc;
}

void
principal_actor(const struct principal *p, struct actor *a)
{
	a->name = p->name;
	a->role = principal_role_name(p->role);
	a->org = p->org;
	a->client = p->client;
}

bool
principal_region_covers(const char *scope, const char *region)
{
	size_t n = scope ? strlen(scope) : 0;

	if (region == NULL)
		region = "";
	if (n == 0)
		return false;
	if (strncmp(region, scope, n) == 0)
		return true;
	return n == 2 && region[0] == '\0';
}

/* NULL as "". */
static const char *
s_(const char *s)
{
	return s ? s : "";
}

bool
principal_sees_record(const struct principal *p, const char *region,
    const char *domain, const char *subject, const char *provider,
    const char *unit)
{
	switch (p->role) {
	case PRINCIPAL_HR:
		return principal_region_covers(p->region, region);
	case PRINCIPAL_AUDITOR:
	case PRINCIPAL_TITLE_SYSTEM:
		/* Only province-level HR sees records outside every scope. */
		return s_(region)[0] != '\0' &&
		    principal_region_covers(p->region, region);
	case PRINCIPAL_INDUSTRY:
		return s_(region)[0] != '\0' &&
		    principal_region_covers(p->region, region) &&
		    strcmp(s_(subject), "professional") == 0 &&
		    p->domain[0] != '\0' && strcmp(s_(domain), p->domain) == 0;
	case PRINCIPAL_PROVIDER:
		return p->provider[0] != '\0' &&
		    strcmp(s_(provider), p->provider) == 0;
	case PRINCIPAL_EMPLOYER:
		return p->unit[0] != '\0' && strcmp(s_(unit), p->unit) == 0;
	case PRINCIPAL_OPERATOR:
		return true;
	default:
		return false;
	}
}

bool
principal_may_stamp(const struct principal *p, const char *region,
    const char *domain, const char *subject, const char *provider,
    const char *unit)
{
	if (p->role != PRINCIPAL_HR && p->role != PRINCIPAL_INDUSTRY)
		return false;
	return principal_sees_record(p, region, domain, subject, provider,
	    unit);
}
