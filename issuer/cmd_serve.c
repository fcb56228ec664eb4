/*
 * hourseal-issuer serve [--listen ADDR] [--admin-listen ADDR]
 *                       [--public-url URL] [--threads N] [--no-sandbox]
 *                       [--access-log FILE] [--trust-proxy]
 *                       [--rate N] [--api-rate N] [--api-burst N]
 *                       [--check-sandbox]
 *
 * The issuing service (service.md §3). Before anything else it forks the
 * signer process (app/signer.h), which alone opens the signing key, turns
 * off its own core dumps and ptrace access (PR_SET_DUMPABLE 0), and
 * signs only certificate notes and checkpoints of the ledger's origin.
 * The parent -- the HTTP process -- never opens the key files: it signs
 * through a remote signer over a socketpair, then restricts itself with
 * Landlock to the files it needs (serve_sandbox.c) before starting any
 * thread. Without Landlock it refuses to start unless --no-sandbox.
 *
 * --rate/--burst: requests per second and burst per client address
 * (50, 200; 0: off); --signin-rate/--signin-burst the same for the
 * sign-in, invitation and TOTP forms' POSTs (0.5 i.e. one every two
 * seconds, burst 10), in addition to the accounts' own backoff.
 *
 * --routes prints the route table with the authorization gate's answer
 * for each kind of caller and exits (for the authorization test).
 *
 * --check-sandbox sets everything up as for serving, then tries to open
 * every file in the keys directory and the database from inside the
 * sandboxed HTTP process, prints what happened and exits (0 if every key
 * file was refused and the database opened): the check the tests and an
 * operator can run on the real machine.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app/signer.h"
#include "cert/x509ca.h"
#include "cmd.h"
#include "core/i18n.h"
#include "pdf/pades.h"
#include "serve.h"
#include "serve_api.h"
#include "store/keys.h"
#include "store/store.h"
#include "tlog/note.h"

struct args {
	const char *listen, *admin_listen, *public_url, *access_log;
	long threads;
	double rate, burst, srate, sburst, api_rate, api_burst;
	bool no_sandbox, check_sandbox, trust_proxy, routes;
};

enum {
	OPT_LISTEN = 256, OPT_ADMIN, OPT_URL, OPT_THREADS, OPT_NOSANDBOX,
	OPT_CHECK, OPT_LOG, OPT_PROXY, OPT_ROUTES, OPT_RATE, OPT_BURST,
	OPT_SRATE, OPT_SBURST, OPT_API_RATE, OPT_API_BURST,
};

static const struct option longopts[] = {
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "admin-listen", required_argument, NULL, OPT_ADMIN },
	{ "public-url", required_argument, NULL, OPT_URL },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "no-sandbox", no_argument, NULL, OPT_NOSANDBOX },
	{ "check-sandbox", no_argument, NULL, OPT_CHECK },
	{ "access-log", required_argument, NULL, OPT_LOG },
	{ "trust-proxy", no_argument, NULL, OPT_PROXY },
	{ "routes", no_argument, NULL, OPT_ROUTES },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "burst", required_argument, NULL, OPT_BURST },
	{ "signin-rate", required_argument, NULL, OPT_SRATE },
	{ "signin-burst", required_argument, NULL, OPT_SBURST },
	{ "api-rate", required_argument, NULL, OPT_API_RATE },
	{ "api-burst", required_argument, NULL, OPT_API_BURST },
	{ NULL, 0, NULL, 0 },
};

static int
serve_parse(const struct cmd *c, int argc, char **argv, void *vargs)
{
	struct args *a = vargs;
	int o;

	a->listen = "127.0.0.1:8090";
	a->threads = 4;
	a->rate = 50;
	a->burst = 200;
	a->srate = 0.5;
	a->sburst = 10;
	a->api_rate = 20;       /* per API token: requests a second */
	a->api_burst = 100;
	while ((o = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (o) {
		case OPT_LISTEN: a->listen = optarg; break;
		case OPT_ADMIN: a->admin_listen = optarg; break;
		case OPT_URL: a->public_url = optarg; break;
		case OPT_THREADS:
			if (cmd_number(c, "--threads", optarg, 1, 64,
			    &a->threads) != 0)
				return 1;
			break;
		case OPT_NOSANDBOX: a->no_sandbox = true; break;
		case OPT_CHECK: a->check_sandbox = true; break;
		case OPT_LOG: a->access_log = optarg; break;
		case OPT_PROXY: a->trust_proxy = true; break;
		case OPT_ROUTES: a->routes = true; break;
		case OPT_RATE:
		case OPT_BURST:
		case OPT_SRATE:
		case OPT_SBURST:
		case OPT_API_RATE:
		case OPT_API_BURST: {
			long v;

			if (cmd_number(c, o == OPT_RATE ? "--rate" :
			    o == OPT_BURST ? "--burst" : o == OPT_SRATE ?
			    "--signin-rate" : o == OPT_SBURST ? "--signin-burst" :
			    o == OPT_API_RATE ? "--api-rate" : "--api-burst",
			    optarg, 0, 100000, &v) != 0)
				return 1;
			*(o == OPT_RATE ? &a->rate : o == OPT_BURST ? &a->burst :
			    o == OPT_SRATE ? &a->srate : o == OPT_SBURST ?
			    &a->sburst : o == OPT_API_RATE ? &a->api_rate :
			    &a->api_burst) = (double)v;
			break;
		}
		default: return CMD_USAGE;
		}
	}
	if (optind != argc)
		return CMD_USAGE;
	if (a->public_url != NULL && strncmp(a->public_url, "https://", 8) &&
	    strncmp(a->public_url, "http://", 7)) {
		cmd_say(c, "--public-url '%s': expected http://... or "
		    "https://...", a->public_url);
		return 1;
	}
	if (a->public_url != NULL && (strlen(a->public_url) > 400 ||
	    has_control(a->public_url) || strchr(a->public_url, '"') ||
	    strchr(a->public_url, '<'))) {
		cmd_say(c, "--public-url: too long or has characters a URL "
		    "does not");
		return 1;
	}
	return 0;
}

/*
 * The signer process: loads the active key, answers on fd until the HTTP
 * process closes its end. Never returns.
 */
static void __attribute__((noreturn))
signer_main(const struct cmd *c, int fd)
{
	struct note_signer *s = NULL;
	struct pades_signer *pades = NULL;
	char err[HS_ERRLEN], label[KEYS_LABEL_MAX + 1] = "";
	sqlite3 *db = NULL;
	enum hs_err rc;

	/* No core dumps, no ptrace by the same user, /proc/PID/mem closed. */
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	(void)prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
	/* Ctrl-C stops the service: the parent ends, this sees EOF. */
	signal(SIGINT, SIG_IGN);
	/* What it refuses reaches API answers: in English, as the pages'. */
	i18n_off();
	rc = store_open(c->cfg.db_path, STORE_RO, &db, err);
	if (rc == HS_OK)
		rc = keys_load_active(db, c->cfg.keys_dir, c->cfg.origin,
		    keys_passphrase_file(NULL), &s, label, err);
	store_close(db);
	/* The PDF document key, if there is one: here too, never in the
	 * HTTP process. Unusable, the service issues nothing. */
	if (rc == HS_OK && x509ca_have_doc(c->cfg.keys_dir) &&
	    (rc = pades_signer_load(c->cfg.keys_dir, &pades, err)) != HS_OK)
		hs_errprefix(err, "the PDF signing key");
	if (rc == HS_OK)
		fprintf(stderr, "hourseal-signer: pid %ld holds key %s (%s)%s\n",
		    (long)getpid(), label, c->cfg.origin, pades != NULL ?
		    " and the PDF document key" : "");
	fflush(stderr);
	(void)signer_serve_pades(fd, rc == HS_OK ? s : NULL, pades, label,
	    rc == HS_OK ? NULL : err, stderr, err);
	pades_signer_free(pades);
	note_signer_free(s);
	_exit(0);
}

/* Tries to open every file of the keys directory and the database from
 * inside this (sandboxed) process; returns 0 if the keys stayed shut. */
static int
check_sandbox(const struct cmd *c, bool sandboxed)
{
	DIR *d;
	struct dirent *e;
	char p[PATH_MAX];
	int fd, bad = 0, n = 0;

	printf(_("sandbox: %s\n"), sandboxed ? _("Landlock on") : _("off"));
	fd = open(c->cfg.db_path, O_RDONLY | O_CLOEXEC);
	printf(_("database %s: %s\n"), c->cfg.db_path, fd >= 0 ? _("opened") :
	    strerror(errno));
	if (fd < 0)
		bad = 1;
	else
		close(fd);
	/* Listing the directory is refused too, so try the usual names
	 * the keys table knows, and whatever a listing shows. */
	d = opendir(c->cfg.keys_dir);
	printf(_("keys directory %s: listing %s\n"), c->cfg.keys_dir,
	    d ? _("allowed") : strerror(errno));
	if (d != NULL) {
		bad = 1;
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			if (snprintf(p, sizeof(p), "%s/%s", c->cfg.keys_dir,
			    e->d_name) >= (int)sizeof(p))
				continue;
			fd = open(p, O_RDONLY | O_CLOEXEC);
			printf(_("key file %s: %s\n"), p, fd >= 0 ? _("OPENED") :
			    strerror(errno));
			if (fd >= 0)
				close(fd);
			n++;
		}
		closedir(d);
	}
	{
		sqlite3 *db = NULL;
		sqlite3_stmt *st = NULL;
		char err[HS_ERRLEN];

		if (store_open(c->cfg.db_path, STORE_RO, &db, err) == HS_OK &&
		    sqlite3_prepare_v2(db, "SELECT label FROM keys", -1, &st,
		    NULL) == SQLITE_OK) {
			while (sqlite3_step(st) == SQLITE_ROW) {
				if (snprintf(p, sizeof(p), "%s/%s.key",
				    c->cfg.keys_dir, (const char *)
				    sqlite3_column_text(st, 0)) >=
				    (int)sizeof(p))
					continue;
				fd = open(p, O_RDONLY | O_CLOEXEC);
				printf(_("key file %s: %s\n"), p, fd >= 0 ?
				    _("OPENED") : strerror(errno));
				if (fd >= 0) {
					bad = 1;
					close(fd);
				}
				n++;
			}
		}
		sqlite3_finalize(st);
		store_close(db);
	}
	printf("%s\n", bad ? _("FAIL: the HTTP process can read the keys") :
	    n ? _("ok: every key file refused") : _("ok: no key file to try"));
	return bad ? 1 : 0;
}

/*
 * --routes: the route table and, for each kind of caller, the status the
 * authorization gate gives before any handler runs (0: the handler runs;
 * 303: to sign-in; 401: no API token; 404: not for this role). The
 * authorization test walks these rows over HTTP.
 */
static int
print_routes(void)
{
	static const struct {
		const char *name;
		enum principal_role role;
		bool token;
	} who[] = {
		{ "nobody", PRINCIPAL_NONE, false },
		{ "hr", PRINCIPAL_HR, false },
		{ "industry", PRINCIPAL_INDUSTRY, false },
		{ "provider", PRINCIPAL_PROVIDER, false },
		{ "employer", PRINCIPAL_EMPLOYER, false },
		{ "auditor", PRINCIPAL_AUDITOR, false },
		{ "practitioner", PRINCIPAL_PRACTITIONER, false },
		{ "token-hr", PRINCIPAL_HR, true },
		{ "token-provider", PRINCIPAL_PROVIDER, true },
		{ "token-title-system", PRINCIPAL_TITLE_SYSTEM, true },
	};
	size_t i, k;

	printf("pattern\tmethods\taction\tfaces");
	for (k = 0; k < sizeof(who) / sizeof(who[0]); k++)
		printf("\t%s", who[k].name);
	printf("\n");
	for (i = 0; i < serve_nroutes; i++) {
		const struct route *r = &serve_routes[i];

		printf("%s\t%s\t%s\t%s", r->pattern, r->methods,
		    authz_rule(r->action)->name, r->faces == FACE_PUBLIC ?
		    "public" : r->faces == FACE_ADMIN ? "admin" : "both");
		for (k = 0; k < sizeof(who) / sizeof(who[0]); k++)
			printf("\t%d", serve_gate(r, who[k].role,
			    who[k].token, false));
		printf("\n");
	}
	return 0;
}

static int
serve_run_cmd(struct cmd *c, void *vargs)
{
	struct args *a = vargs;
	struct serve_opts so;
	struct http_opts pub, adm;
	struct note_signer *signer = NULL;
	struct signer_remote *remote = NULL;
	char err[HS_ERRLEN], label[KEYS_LABEL_MAX + 1] = "";
	char purl[512], tmpdir[PATH_MAX];
	sqlite3 *keeper = NULL;
	FILE *logf = NULL;
	int sp[2], rc = 2, abi;
	pid_t pid;

	if (a->routes)
		return print_routes();
	/* 1. The signer, before anything else is opened. */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) != 0) {
		cmd_say(c, "socketpair: %s", strerror(errno));
		return 2;
	}
	{
		int sz = 2 * SIGNER_MSG_MAX + 4096;

		(void)setsockopt(sp[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
		(void)setsockopt(sp[1], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	}
	fflush(NULL);
	if ((pid = fork()) < 0) {
		cmd_say(c, "fork: %s", strerror(errno));
		return 2;
	}
	if (pid == 0) {
		close(sp[0]);
		signer_main(c, sp[1]);
	}
	close(sp[1]);
	if (signer_remote_open(sp[0], &signer, label, &remote, err) != HS_OK) {
		cmd_say(c, "no signing key: the service runs, but issuing and "
		    "revoking through it answer 503 (%s)", err);
		close(sp[0]);
	} else if (signer_remote_pades(remote) != NULL &&
	    c->cfg.pades_tsa_url[0] != '\0' &&
	    pades_signer_set_tsa(signer_remote_pades(remote),
	    c->cfg.pades_tsa_url, c->cfg.pades_tsa_timeout, err) != HS_OK) {
		cmd_say(c, "%s", err);
		goto out;
	}

	/* 2. The database: one connection held for the process's life, so
	 * the WAL files stay and the sandbox can name them. */
	if (snprintf(tmpdir, sizeof(tmpdir), "%s/tmp", c->cfg.data_dir) >=
	    (int)sizeof(tmpdir)) {
		cmd_say(c, "the data directory's path is too long");
		goto out;
	}
	(void)mkdir(tmpdir, 0700);
	setenv("SQLITE_TMPDIR", tmpdir, 1);
	if (store_open(c->cfg.db_path, STORE_RW, &keeper, err) != HS_OK) {
		cmd_say(c, "%s", err);
		goto out;
	}
	if (a->access_log != NULL) {
		logf = strcmp(a->access_log, "-") == 0 ? stdout :
		    fopen(a->access_log, "a");
		if (logf == NULL) {
			cmd_say(c, "--access-log %s: %s", a->access_log,
			    strerror(errno));
			goto out;
		}
		setvbuf(logf, NULL, _IOLBF, 0);
	}

	/* 3. The sandbox, before any thread starts. */
	if (!a->no_sandbox) {
		abi = sandbox_abi();
		if (abi < 1) {
			cmd_say(c, "Landlock is not available on this system "
			    "(%s): the HTTP process cannot be kept from the "
			    "key files. Refusing to start; --no-sandbox runs "
			    "without it (the key still lives only in the "
			    "signer process)", strerror(-abi));
			goto out;
		}
		if (sandbox_apply(&c->cfg, err) != HS_OK) {
			cmd_say(c, "%s", err);
			goto out;
		}
		fprintf(stderr, _("hourseal-issuer serve: Landlock ABI %d: the "
		    "HTTP process (pid %ld) may not open %s\n"), abi,
		    (long)getpid(), c->cfg.keys_dir);
	} else {
		fprintf(stderr, _("hourseal-issuer serve: --no-sandbox: the "
		    "HTTP process is not restricted by Landlock\n"));
	}
	if (a->check_sandbox) {
		rc = check_sandbox(c, !a->no_sandbox);
		goto out;
	}

	/* 4. Serve. */
	http_opts_default(&pub);
	pub.listen = a->listen;
	pub.threads = (unsigned)a->threads;
	pub.prog = "hourseal-issuer";
	pub.access_log = logf;
	pub.trust_proxy = a->trust_proxy;
	pub.rate = a->rate;
	pub.burst = a->burst;
	pub.strict_rate = a->srate;
	pub.strict_burst = a->sburst;
	adm = pub;
	if (a->admin_listen != NULL)
		adm.listen = a->admin_listen;
	purl[0] = '\0';
	if (a->public_url != NULL) {
		snprintf(purl, sizeof(purl), "%s", a->public_url);
		if (purl[0] != '\0' && purl[strlen(purl) - 1] == '/')
			purl[strlen(purl) - 1] = '\0';
	}
	memset(&so, 0, sizeof(so));
	so.data_dir = c->data_dir;
	so.cfg = &c->cfg;
	so.pol = c->pol;
	so.public_url = a->public_url != NULL ? purl : NULL;
	so.https = strncmp(purl, "https://", 8) == 0;
	so.log = stderr;
	so.key_label = label;
	so.pades = signer_remote_pades(remote);
	if ((rc = api_limits_new(a->api_rate, a->api_burst, &so.api_limits,
	    err)) != HS_OK) {
		rc = cmd_fail(c, rc, err);
		goto out;
	}
	/* The pages choose their language per request (?lang=): the
	 * library's messages in them stay English, as the verifier's. */
	i18n_off();
	rc = serve_run(&so, &pub, a->admin_listen ? &adm : NULL, signer);
	api_limits_free(so.api_limits);
out:
	note_signer_free(signer);
	signer_remote_free(remote);
	store_close(keeper);
	if (logf != NULL && logf != stdout)
		fclose(logf);
	/* The signer sees its socket close and exits; collect it. */
	(void)waitpid(pid, NULL, 0);
	return rc;
}

const struct cmd_ops cmd_serve_ops = {
	sizeof(struct args), serve_parse, serve_run_cmd,
};
