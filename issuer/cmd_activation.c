/*
 * hourseal-issuer activation (--unit NAME | --region CODE | --id-file FILE)
 *     [--new-only] [--pdf OUT.pdf] [--csv OUT.csv] [--account NAME]
 *     [--public-url URL]
 *
 * Activation letters (service.md §5, way 1): a fresh one-time code for
 * each chosen person (earlier unused codes of theirs are spent), written
 * as a PDF of letters and/or a CSV for a mail merge, both mode 0600. The
 * operator acts by default; --account acts as that hr or employer account
 * and within its scope. Full ID numbers are read only from a file or
 * stdin ("-"), one a line, never from the command line. Nothing is kept
 * (no code, no file) unless every letter was written. The activation
 * URL is --public-url, else the config's base_url, then "/my/activate".
 * The same library function (app/activation.h) serves /admin/activation.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "acting.h"
#include "cmd.h"
#include "app/activation.h"
#include "cert/idnum.h"
#include "core/file.h"
#include "core/i18n.h"
#include "core/util.h"
#include "store/accounts.h"

#define ID_FILE_MAX  (2u << 20)  /* bytes of an --id-file */
#define ID_LINE_MAX  64          /* bytes of one line */

struct args {
	const char *unit, *region, *id_file, *pdf, *csv, *account, *url;
	bool new_only;
};

static int
parse(const struct cmd *x, int argc, char **argv, void *args)
{
	static const struct option opts[] = {
		{ "unit", required_argument, NULL, 'u' },
		{ "region", required_argument, NULL, 'r' },
		{ "id-file", required_argument, NULL, 'i' },
		{ "new-only", no_argument, NULL, 'n' },
		{ "pdf", required_argument, NULL, 'p' },
		{ "csv", required_argument, NULL, 'c' },
		{ "account", required_argument, NULL, 'A' },
		{ "public-url", required_argument, NULL, 'U' },
		{ NULL, 0, NULL, 0 },
	};
	struct args *a = args;
	int ch;

	if (acting_gone_flags(x, argc, argv) != 0)
		return CMD_USAGE;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'u': a->unit = optarg; break;
		case 'r': a->region = optarg; break;
		case 'i': a->id_file = optarg; break;
		case 'n': a->new_only = true; break;
		case 'p': a->pdf = optarg; break;
		case 'c': a->csv = optarg; break;
		case 'A': a->account = optarg; break;
		case 'U': a->url = optarg; break;
		default: return CMD_USAGE;
		}
	}
	if (optind != argc) {
		cmd_say(x, "no operands: ID numbers come from --id-file FILE "
		    "(or - for stdin), never the command line");
		return CMD_USAGE;
	}
	if ((a->unit != NULL) + (a->region != NULL) + (a->id_file != NULL)
	    != 1) {
		cmd_say(x, "choose exactly one of --unit, --region and "
		    "--id-file");
		return CMD_USAGE;
	}
	if (a->pdf == NULL && a->csv == NULL) {
		cmd_say(x, "--pdf OUT.pdf, --csv OUT.csv or both");
		return CMD_USAGE;
	}
	if (a->pdf != NULL && a->csv != NULL && strcmp(a->pdf, a->csv) == 0) {
		cmd_say(x, "--pdf and --csv name the same file");
		return CMD_USAGE;
	}
	return 0;
}

/* The ID numbers of the file, one a line; blank lines are skipped. */
struct ids {
	char (*id)[IDNUM_SIZE];
	const char **ptr;
	size_t *line;
	size_t n;
};

static void
ids_free(struct ids *s)
{
	if (s->id != NULL)
		OPENSSL_cleanse(s->id, s->n * sizeof *s->id);
	free(s->id);
	free(s->ptr);
	free(s->line);
}

static int
read_ids(const struct cmd *x, const char *path, struct ids *s)
{
	char err[HS_ERRLEN] = "", *data = NULL, *p, *end;
	size_t len = 0, lineno = 0, cap = 0;
	enum hs_err rc;
	int ret = 0;

	memset(s, 0, sizeof *s);
	if (strcmp(path, "-") == 0) {
		struct buf b;
		char tmp[4096];
		size_t got;

		buf_init(&b);
		while ((got = fread(tmp, 1, sizeof tmp, stdin)) > 0) {
			if (b.len + got > ID_FILE_MAX) {
				buf_free(&b);
				cmd_say(x, "--id-file -: more than %u bytes",
				    ID_FILE_MAX);
				return 1;
			}
			buf_add(&b, tmp, got);
		}
		OPENSSL_cleanse(tmp, sizeof tmp);
		if (b.oom || ferror(stdin)) {
			buf_free(&b);
			cmd_say(x, "--id-file -: cannot read stdin");
			return 2;
		}
		len = b.len;
		data = buf_steal(&b);
		if (data == NULL) {
			cmd_say(x, "out of memory");
			return 2;
		}
	} else if ((rc = file_read(path, ID_FILE_MAX, &data, &len, err))
	    != HS_OK) {
		return cmd_fail(x, rc, err);
	}
	if (memchr(data, '\0', len) != NULL) {
		cmd_say(x, "--id-file: a NUL byte: not a text file");
		ret = 1;
		goto out;
	}
	for (p = data; p < data + len && ret == 0; p = end + 1) {
		char id[IDNUM_SIZE], why[HS_ERRLEN];
		size_t n, i;

		lineno++;
		end = memchr(p, '\n', (size_t)(data + len - p));
		if (end == NULL)
			end = data + len;
		n = (size_t)(end - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		while (n > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		if (n == 0)
			continue;
		if (n > ID_LINE_MAX) {
			cmd_say(x, "--id-file line %zu: longer than %d bytes "
			    "(one ID number a line)", lineno, ID_LINE_MAX);
			ret = 1;
			break;
		}
		for (i = 0; i < n; i++)
			if ((unsigned char)p[i] < 0x20 ||
			    (unsigned char)p[i] == 0x7F)
				break;
		if (i < n) {
			cmd_say(x, "--id-file line %zu: a control character",
			    lineno);
			ret = 1;
			break;
		}
		{
			char one[ID_LINE_MAX + 1];

			memcpy(one, p, n);
			one[n] = '\0';
			rc = idnum_validate(one, -1, id, why);
			OPENSSL_cleanse(one, sizeof one);
		}
		if (rc != HS_OK) {
			cmd_say(x, "--id-file line %zu: not an ID number: %s",
			    lineno, why);
			ret = 1;
			break;
		}
		if (s->n == ACT_BATCH_MAX) {
			cmd_say(x, "--id-file: more than %d ID numbers",
			    ACT_BATCH_MAX);
			ret = 1;
			break;
		}
		if (s->n == cap) {
			size_t nc = cap != 0 ? cap * 2 : 64;
			void *a = realloc(s->id, nc * sizeof *s->id);

			if (a == NULL) {
				cmd_say(x, "out of memory");
				ret = 2;
				break;
			}
			s->id = a;
			if ((a = realloc(s->line, nc * sizeof *s->line)) ==
			    NULL) {
				cmd_say(x, "out of memory");
				ret = 2;
				break;
			}
			s->line = a;
			cap = nc;
		}
		memcpy(s->id[s->n], id, IDNUM_SIZE);
		OPENSSL_cleanse(id, sizeof id);
		s->line[s->n++] = lineno;
	}
	if (ret == 0 && s->n == 0) {
		cmd_say(x, "--id-file: no ID numbers");
		ret = 1;
	}
	if (ret == 0 && (s->ptr = calloc(s->n, sizeof *s->ptr)) == NULL) {
		cmd_say(x, "out of memory");
		ret = 2;
	}
	if (ret == 0) {
		size_t i;

		for (i = 0; i < s->n; i++)
			s->ptr[i] = s->id[i];
	}
out:
	OPENSSL_cleanse(data, len);
	free(data);
	if (ret != 0)
		ids_free(s);
	return ret;
}

/* Unit names and regions from the command line: printable, bounded. */
static int
check_text(const struct cmd *x, const char *flag, const char *s)
{
	size_t n = strnlen(s, 256);

	if (n == 0 || n > 255 || !utf8_valid(s, n) || has_control(s)) {
		cmd_say(x, "%s: 1-255 bytes of UTF-8 without control "
		    "characters", flag);
		return 1;
	}
	return 0;
}

/* The public URL: --public-url or the config's base_url, no '/' at the
 * end. */
static int
public_url(const struct cmd *x, const char *flag, char out[512])
{
	const char *u = flag != NULL ? flag : x->cfg.base_url;
	size_t n = strnlen(u, 512);

	if (n >= 401) {
		cmd_say(x, "%s: longer than 400 bytes", flag != NULL ?
		    "--public-url" : _("the config's base_url"));
		return 1;
	}
	memcpy(out, u, n + 1);
	while (n > 0 && out[n - 1] == '/')
		out[--n] = '\0';
	return 0;
}

struct sink {
	const struct args *a;
	bool wrote_pdf;
	size_t n;
};

static enum hs_err
write_files(void *ctx, const struct act_files *f, char *err)
{
	struct sink *s = ctx;
	enum hs_err rc;

	s->n = f->n;
	if (s->a->pdf != NULL) {
		if ((rc = file_write(s->a->pdf, f->pdf.data, f->pdf.len, 0600,
		    FILE_SYNC, err)) != HS_OK)
			return rc;
		s->wrote_pdf = true;
	}
	if (s->a->csv != NULL && (rc = file_write(s->a->csv, f->csv.data,
	    f->csv.len, 0600, FILE_SYNC, err)) != HS_OK)
		return rc;
	return HS_OK;
}

/* "id K: ..." from the store, as "--id-file line L: ...". */
static void
line_message(const struct ids *s, const char *err, char *out, size_t cap)
{
	unsigned long k;
	int used = 0;

	if (sscanf(err, "id %lu: %n", &k, &used) == 1 && used > 0 && k >= 1 &&
	    k <= s->n)
		snprintf(out, cap, _("--id-file line %zu: %s"), s->line[k - 1],
		    err + used);
	else
		snprintf(out, cap, "%s", err);
}

static int
run(struct cmd *x, void *args)
{
	const struct args *a = args;
	char err[HS_ERRLEN] = "", url[512], msg[HS_ERRLEN + 64];
	struct actor who = { "cli", "operator", x->cfg.issuer, "" };
	struct act_select sel;
	struct account by;
	struct ids ids;
	struct sink sk = { a, false, 0 };
	const char *issuer = x->cfg.issuer;
	int64_t now = (int64_t)time(NULL);
	unsigned want = 0;
	enum hs_err rc;
	int ret;

	memset(&sel, 0, sizeof sel);
	memset(&ids, 0, sizeof ids);
	if ((a->unit != NULL && check_text(x, "--unit", a->unit) != 0) ||
	    (a->region != NULL && check_text(x, "--region", a->region) != 0) ||
	    (a->account != NULL && check_text(x, "--account", a->account)
	    != 0) || public_url(x, a->url, url) != 0)
		return 1;
	if (a->account != NULL) {
		if ((rc = accounts_get(x->db, a->account, &by, err)) != HS_OK)
			return cmd_fail(x, rc, err);
		who.name = by.name;
		who.role = role_name(by.role);
		who.org = by.org;
		issuer = by.org;
	}
	if (a->id_file != NULL && (ret = read_ids(x, a->id_file, &ids)) != 0)
		return ret;
	sel.unit = a->unit;
	sel.region = a->region;
	sel.id_numbers = ids.ptr;
	sel.n_ids = ids.n;
	sel.new_only = a->new_only;
	if (a->pdf != NULL)
		want |= ACT_WANT_PDF;
	if (a->csv != NULL)
		want |= ACT_WANT_CSV;
	rc = act_letters(x->db, &who, a->account != NULL ? &by : NULL, &sel,
	    now, x->cfg.templates_dir, url, issuer, want, write_files, &sk,
	    err);
	if (rc != HS_OK && sk.wrote_pdf) {
		struct stat st;

		/* the codes were not kept: neither is the PDF */
		if (lstat(a->pdf, &st) == 0 && S_ISREG(st.st_mode))
			unlink(a->pdf);
	}
	if (rc != HS_OK) {
		line_message(&ids, err, msg, sizeof msg);
		ids_free(&ids);
		return cmd_fail(x, rc, msg);
	}
	{
		char until[11];

		act_expiry_date(now + ACT_TTL, until);
		printf(_("%zu activation code%s made; written:%s%s%s%s "
		    "(valid until %s, Beijing time; mode 0600: they hold the "
		    "codes)\n"), sk.n, sk.n == 1 ? "" : "s", a->pdf != NULL ? " " : "", a->pdf != NULL ?
		    a->pdf : "", a->csv != NULL ? " " : "", a->csv != NULL ?
		    a->csv : "", until);
	}
	ids_free(&ids);
	return 0;
}

const struct cmd_ops cmd_activation_ops = { sizeof(struct args), parse,
	run };
