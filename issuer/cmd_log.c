/*
 * hourseal-issuer log [--since N] [--limit N]
 *
 * The audit log for the operator (store/audit.h): a header, then one
 * tab-separated line per row after row N (default 0: from the first), at
 * most --limit of them (default: all): seq, time, actor, role,
 * organisation, action, object, detail, client. Rows hold no secrets
 * (no passwords, tokens or full ID numbers are ever audited). Fields are
 * escaped so that one row is one line whatever it holds: backslash as
 * \\, tab \t, newline \n, carriage return \r, other control bytes, DEL
 * and bytes that are not UTF-8 as \xNN, invisible or direction-changing
 * characters (bidi overrides, zero-width ...) as \u{XXXX}.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "store/audit.h"
#include "core/util.h"

#define LOG_MAX_ROW 1000000000000000L /* --since, --limit: 10^15 */

struct args {
	long since, limit;
};

static int
parse(const struct cmd *x, int argc, char **argv, void *args)
{
	static const struct option opts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "limit", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	struct args *a = args;
	int ch;

	a->limit = -1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			if (cmd_number(x, "--since", optarg, 0, LOG_MAX_ROW,
			    &a->since) != 0)
				return 1;
			break;
		case 'l':
			if (cmd_number(x, "--limit", optarg, 1, LOG_MAX_ROW,
			    &a->limit) != 0)
				return 1;
			break;
		default:
			return CMD_USAGE;
		}
	}
	if (optind < argc) {
		cmd_say(x, "unexpected argument '%s'", argv[optind]);
		return CMD_USAGE;
	}
	return 0;
}

/* Prints s with the escapes above. */
static void
put_field(FILE *f, const char *s)
{
	size_t n = strlen(s), i = 0, k;
	uint32_t cp;

	while (i < n) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '\\' || ch == '\t' || ch == '\n' || ch == '\r') {
			fputc('\\', f);
			fputc(ch == '\\' ? '\\' : ch == '\t' ? 't' :
			    ch == '\n' ? 'n' : 'r', f);
			i++;
		} else if (ch < 0x20 || ch == 0x7f) {
			fprintf(f, "\\x%02x", ch);
			i++;
		} else if (ch < 0x80) {
			fputc(ch, f);
			i++;
		} else if ((k = utf8_next(s + i, n - i, &cp)) == 0 ||
		    (cp >= 0x80 && cp < 0xa0)) {
			/* not UTF-8, or a C1 control character */
			fprintf(f, "\\x%02x", ch);
			i++;
		} else {
			char one[5] = "";
			uint32_t fc;

			/* Invisible or direction-changing: shown by number. */
			memcpy(one, s + i, k);
			if (utf8_format_char(one, &fc) != NULL)
				fprintf(f, "\\u{%04X}", (unsigned)fc);
			else
				fwrite(s + i, 1, k, f);
			i += k;
		}
	}
}

static enum hs_err
print_row(void *ctx, const struct audit_row *r, char *err)
{
	const char *f[] = { r->at, r->actor, r->role, r->org, r->action,
		r->object, r->detail, r->client };
	size_t i;

	(void)ctx;
	(void)err;
	printf("%lld", (long long)r->seq);
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		putchar('\t');
		put_field(stdout, f[i]);
	}
	putchar('\n');
	return HS_OK;
}

static int
run(struct cmd *x, void *args)
{
	const struct args *a = args;
	char err[HS_ERRLEN] = "";
	enum hs_err rc;

	printf("seq\tat\tactor\trole\torg\taction\tobject\tdetail\tclient\n");
	rc = audit_list(x->db, a->since, a->limit, print_row, NULL, err);
	if (rc == HS_OK && (fflush(stdout) != 0 || ferror(stdout)))
		rc = hs_fail(err, HS_ERR_IO, "writing the log to stdout "
		    "failed");
	return rc == HS_OK ? 0 : cmd_fail(x, rc, err);
}

const struct cmd_ops cmd_log_ops = { sizeof(struct args), parse, run };
