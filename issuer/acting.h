/*
 * acting.h - what the commands that act as an account share (stamp,
 * withdraw, correct, unit; implemented in cmd_stamp.c).
 */
#ifndef HS_ISSUER_ACTING_H
#define HS_ISSUER_ACTING_H

#include <stddef.h>

#include "cmd.h"
#include "app/principal.h"

/*
 * The principal: the account named account (loaded with its role, scope
 * and organisation), or the shell operator when account is NULL. Returns
 * 0, or prints why and returns the exit status.
 */
int acting_principal(struct cmd *x, const char *account, struct principal *p);

/* "ORG (account NAME, ROLE)": who acted, as every stamp line says it. */
void acting_who(const struct principal *p, char *out, size_t outsz);

/*
 * Before getopt: if argv has the removed --by or --as, says what replaced
 * them and returns CMD_USAGE; else 0.
 */
int acting_gone_flags(const struct cmd *x, int argc, char **argv);

/* The command line of withdraw and correct: one record, acted on as an
 * account, with a reason. */
struct acting_ref {
	const char *account, *ref, *reason;
	const char *operand; /* the one operand, when one is asked for */
};

/*
 * Parses --account NAME --ref REF --reason TEXT (all required) and
 * operands operands (0 or 1, into a->operand) into a; why ends the
 * message for a missing reason ("--reason TEXT: why it is WHY").
 * Returns 0, or CMD_USAGE (after saying why, where getopt did not).
 */
int acting_ref_args(const struct cmd *x, int argc, char **argv,
    int operands, const char *why, struct acting_ref *a);

#endif
