/*
 * cmd.h - the issuer's subcommands and what they share.
 *
 * Each command lives in issuer/cmd_<name>.c as a pair of functions: parse
 * reads the command line into the command's own arguments struct and
 * touches nothing else; run does the work with the context main opened.
 * What a command needs opened (nothing, the config, the policy, the
 * database read-only or read-write, an issuing session with the signer
 * key) is declared once, in the command table of main.c, and main opens
 * exactly that between parse and run, so a usage error never depends on
 * the data directory and no command opens the data directory itself.
 *
 * Exit statuses: 0 ok, 1 invalid input or a failed check, 2 could not run
 * or a usage error. Every message is "hourseal-issuer CMD: ...".
 */
#ifndef HS_ISSUER_CMD_H
#define HS_ISSUER_CMD_H

#include <stddef.h>

#include <sqlite3.h>

#include "app/issue.h"
#include "cert/policy.h"
#include "core/hs.h"
#include "store/config.h"

/* What main opens before run (the table's needs; combine with |). */
#define CMD_CONFIG 0x01u /* the data directory's config and pepper */
#define CMD_POLICY 0x02u /* and the policy it names */
#define CMD_RO     0x04u /* and the database, read-only: takes no lock */
#define CMD_RW     0x08u /* and the database, read-write (migrated) */
#define CMD_ISSUE  0x10u /* and an issuing session (lib/app/issue.h) */
#define CMD_SIGN   0x20u /* the session loads the active signer key */
#define CMD_RENDER 0x40u /* the session loads templates and fonts */

/* parse's answer for a malformed command line: main prints the usage. */
#define CMD_USAGE (-1)

/* The context a command runs in; main fills what the table asks for. */
struct cmd {
	const char *name;     /* "issue" */
	const char *data_dir; /* --data, $HOURSEAL_DATA or ./data */
	struct config cfg;    /* CMD_CONFIG */
	struct policy *pol;   /* CMD_POLICY */
	sqlite3 *db;          /* CMD_RO or CMD_RW */
	struct issue *is;     /* CMD_ISSUE */
};

/*
 * A command's two halves. parse gets argv[0] = "hourseal-issuer CMD"
 * (getopt's messages then have the one format), with optind reset, and
 * args zeroed (args_size bytes); it returns 0, CMD_USAGE, or an exit
 * status after printing why. run returns the exit status.
 */
struct cmd_ops {
	size_t args_size;
	int (*parse)(const struct cmd *c, int argc, char **argv, void *args);
	int (*run)(struct cmd *c, void *args);
};

extern const struct cmd_ops cmd_init_ops, cmd_import_ops, cmd_stamp_ops,
    cmd_summary_ops, cmd_keygen_ops, cmd_key_ops, cmd_issue_ops,
    cmd_revoke_ops, cmd_reissue_ops, cmd_list_ops, cmd_show_ops,
    cmd_export_ops, cmd_publish_ops, cmd_audit_ops, cmd_tiles_ops,
    cmd_withdraw_ops, cmd_correct_ops, cmd_unit_ops, cmd_user_ops,
    cmd_token_ops, cmd_log_ops, cmd_serve_ops, cmd_activation_ops,
    cmd_ca_ops;

struct issue_change;

/* Prints one supersession (issue, reissue): "superseded OLD -> NEW of
 * NAME MASKED-ID (YEAR KIND): REASON", or "would supersede ..." when
 * new_serial is "" (a dry run). */
void cmd_print_change(void *ctx, const struct issue_change *ch);

/*
 * Opens what needs (CMD_* flags) asks for into c; on failure prints
 * "hourseal-issuer CMD: reason" and returns 2 (could not run), else 0.
 * cmd_close frees whatever was opened (also after a failed cmd_open).
 */
int cmd_open(struct cmd *c, unsigned needs);
void cmd_close(struct cmd *c);

/*
 * For a command that takes no options and exactly one operand: sets *out
 * to it and returns 0, or returns CMD_USAGE (getopt has printed what it
 * refused, if anything).
 */
int cmd_one_operand(int argc, char **argv, const char **out);

/* Prints "hourseal-issuer CMD: " and the formatted message to stderr. */
void cmd_say(const struct cmd *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The exit status for rc: 0 ok, 1 invalid input or refused, 2 could not run. */
int cmd_exit(enum hs_err rc);

/* Prints "hourseal-issuer CMD: err" (or rc's text) and returns cmd_exit(rc). */
int cmd_fail(const struct cmd *c, enum hs_err rc, const char *err);

/*
 * Parses a year 1900..2999 (flag names the option) into *year; prints why
 * and returns 1 (invalid input) if it is not one, else 0.
 */
int cmd_year(const struct cmd *c, const char *s, int *year);

/* Parses an integer lo..hi into *out; prints why and returns 1 if not. */
int cmd_number(const struct cmd *c, const char *flag, const char *s,
    long lo, long hi, long *out);

/*
 * The id-digest of a full ID number given on the command line (18
 * characters, 17 digits and a check character; a lower-case x is read as
 * X). HS_ERR_INVALID with the reason in err if it is not one.
 */
enum hs_err cmd_id_digest(const struct config *cfg, const char *id,
    char out[45], char *err);

/*
 * Today as days since 1970-01-01: $HOURSEAL_TODAY (YYYY-MM-DD, for tests
 * and for replaying an import as of a date) or the UTC date. -1 if
 * $HOURSEAL_TODAY is set but not a date.
 */
long cmd_today(void);

#endif
