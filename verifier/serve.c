/*
 * serve.c - `hourseal-verifier serve`: options, signals and the routes of
 * docs/formats.md §7 on top of the HTTP core (http.h).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/file.h"
#include "core/tz.h"
#include "web/http.h"
#include "web/page.h"
#include "cert/serial.h"
#include "site.h"
#include "vcmd.h"

static void
serve_usage(FILE *f)
{
	fprintf(f,
	    "usage: hourseal-verifier serve --db FILE --key FILE [options]\n"
	    "       hourseal-verifier serve --trust FILE [options]\n"
	    "  --trust FILE         the ledgers this verifier accepts, each with its\n"
	    "                       origin, issuer name, key(s), database and state\n"
	    "                       file (docs/formats.md §7; not writable by group\n"
	    "                       or others); instead of --db, --key, --state and\n"
	    "                       --pepper. Each ledger is verified on its own and\n"
	    "                       served at /ledger/NAME/{checkpoint,tile/...,keys,\n"
	    "                       healthz,metrics}; /checkpoint and /tile/ serve\n"
	    "                       the first\n"
	    "  --db FILE            the database (DIR/verifier.db from publish, or\n"
	    "                       the issuer's DIR/hourseal.db), opened read-only\n"
	    "  --listen ADDR        HOST:PORT, [IPv6]:PORT or :PORT (127.0.0.1:8080)\n"
	    "  --threads N          worker threads (2)\n"
	    "  --tz ZONE            the time zone pages show times in\n"
	    "                       (Asia/Shanghai); JSON keeps RFC 3339 UTC\n"
	    "  --key FILE           required: the issuer's verifier key(s) (a .pub or\n"
	    "                       a /keys file; repeatable). The trust anchor: other\n"
	    "                       keys, retirements and compromises are taken only\n"
	    "                       from the verified ledger, never from the database\n"
	    "  --state FILE         where the verifier remembers the largest checkpoint\n"
	    "                       it has verified (default: the --db path with\n"
	    "                       \".state\" appended, e.g. verifier.db.state;\n"
	    "                       written 0600). It never goes back: a database\n"
	    "                       whose checkpoint is older than or inconsistent\n"
	    "                       with it is refused (stderr, /healthz, /metrics);\n"
	    "                       answers come from the last checkpoint verified,\n"
	    "                       or are 503 \"cannot verify now\" after a restart.\n"
	    "                       Without the file, the first checkpoint is trusted\n"
	    "                       and written; keep it with the verifier. At start\n"
	    "                       its checkpoint must verify with keys derived from\n"
	    "                       --key (through the database's key history, for a\n"
	    "                       rotated key), or the start stops and says why\n"
	    "  --pepper FILE        the issuer's 32-byte pepper: enables the ID match\n"
	    "                       endpoint (otherwise it answers 503)\n"
	    "  --max-conns N        open connections (1000)\n"
	    "  --per-ip-conns N     open connections per client address (32; 0: no\n"
	    "                       limit; with --trust-proxy the peer is the proxy,\n"
	    "                       so the default there is no limit)\n"
	    "  --timeout SECONDS    idle connection timeout (15)\n"
	    "  --header-timeout S   a request's headers must arrive within S seconds\n"
	    "                       of the connection opening or its previous answer,\n"
	    "                       a body within S s + 1 s per 32 KB (10; 0: off)\n"
	    "  --rate R --burst B   per-client requests/second and burst (50, 200;\n"
	    "                       --rate 0 turns the limit off)\n"
	    "  --match-rate R --match-burst B   the same for ID matches (0.2, 5)\n"
	    "  --match-per-cert N   ID-match attempts a day (UTC) per certificate,\n"
	    "                       from all clients together (10; 0: no limit)\n"
	    "  --trust-proxy        take the client address from X-Real-IP when\n"
	    "                       the peer is a loopback reverse proxy\n"
	    "  --access-log FILE    access log (\"-\": standard output; default none)\n"
	    "  --no-sweep           do not check every stored note's signature in the\n"
	    "                       background after start (first looks then pay it)\n"
	    "  --operator-name TEXT whose service this is: shown in every page's\n"
	    "                       footer and in printed pages and exports\n"
	    "  --operator-contact TEXT  how to reach the operator (footer)\n"
	    "  --public-url URL     the address people reach this verifier at\n"
	    "                       (https://verify.example.cn), stated on printed\n"
	    "                       pages and exports (default: http:// and the\n"
	    "                       request's Host)\n");
}

static int
parse_num(const char *name, const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "hourseal-verifier serve: %s '%s': expected a "
		    "number from %g to %g\n", name, s, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

enum {
	OPT_DB = 256, OPT_LISTEN, OPT_THREADS, OPT_KEY, OPT_PEPPER,
	OPT_MAXCONNS, OPT_PERIP, OPT_TIMEOUT, OPT_HTIMEOUT, OPT_RATE, OPT_BURST,
	OPT_MRATE, OPT_MBURST, OPT_MCERT, OPT_PROXY, OPT_LOG, OPT_BENCH, OPT_NOSWEEP,
	OPT_STATE, OPT_TRUST, OPT_OPNAME, OPT_OPCONTACT, OPT_PUBURL, OPT_TZ,
	OPT_HELP,
};

static const struct option serve_opts[] = {
	{ "db", required_argument, NULL, OPT_DB },
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "pepper", required_argument, NULL, OPT_PEPPER },
	{ "max-conns", required_argument, NULL, OPT_MAXCONNS },
	{ "per-ip-conns", required_argument, NULL, OPT_PERIP },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "header-timeout", required_argument, NULL, OPT_HTIMEOUT },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "burst", required_argument, NULL, OPT_BURST },
	{ "match-rate", required_argument, NULL, OPT_MRATE },
	{ "match-burst", required_argument, NULL, OPT_MBURST },
	{ "match-per-cert", required_argument, NULL, OPT_MCERT },
	{ "trust-proxy", no_argument, NULL, OPT_PROXY },
	{ "access-log", required_argument, NULL, OPT_LOG },
	/* Hidden: answer every request with a fixed string (bench ceiling). */
	{ "bench-fixed", no_argument, NULL, OPT_BENCH },
	{ "no-sweep", no_argument, NULL, OPT_NOSWEEP },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "trust", required_argument, NULL, OPT_TRUST },
	{ "operator-name", required_argument, NULL, OPT_OPNAME },
	{ "operator-contact", required_argument, NULL, OPT_OPCONTACT },
	{ "public-url", required_argument, NULL, OPT_PUBURL },
	{ "tz", required_argument, NULL, OPT_TZ },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

int
vcmd_serve(int argc, char **argv)
{
	struct http_opts ho;
	struct site_opts so;
	struct site *site = NULL;
	struct http_server *srv = NULL;
	struct http_app app;
	FILE *logf = NULL;
	const char *logpath = NULL;
	sigset_t set;
	char err[HS_ERRLEN];
	double v;
	int c, sig, rc = 2, perip_given = 0;

	http_opts_default(&ho);
	memset(&so, 0, sizeof(so));
	so.match_per_cert = 10;
	while ((c = getopt_long(argc, argv, "", serve_opts, NULL)) != -1) {
		switch (c) {
		case OPT_DB: so.db_path = optarg; break;
		case OPT_LISTEN: ho.listen = optarg; break;
		case OPT_THREADS:
			if (parse_num("--threads", optarg, 1, 256, &v))
				return 2;
			ho.threads = (unsigned)v;
			break;
		case OPT_KEY:
			if (so.nkeys >= SITE_MAX_KEYFILES) {
				fprintf(stderr, "hourseal-verifier serve: at "
				    "most %d --key options\n",
				    SITE_MAX_KEYFILES);
				return 2;
			}
			so.key_files[so.nkeys++] = optarg;
			break;
		case OPT_PEPPER: so.pepper_path = optarg; break;
		case OPT_MAXCONNS:
			if (parse_num("--max-conns", optarg, 1, 100000, &v))
				return 2;
			ho.max_conns = (unsigned)v;
			break;
		case OPT_PERIP:
			if (parse_num("--per-ip-conns", optarg, 0, 100000, &v))
				return 2;
			ho.per_ip_conns = (unsigned)v;
			perip_given = 1;
			break;
		case OPT_TIMEOUT:
			if (parse_num("--timeout", optarg, 1, 3600, &v))
				return 2;
			ho.timeout = (unsigned)v;
			break;
		case OPT_HTIMEOUT:
			if (parse_num("--header-timeout", optarg, 0, 3600, &v))
				return 2;
			ho.header_timeout = (unsigned)v;
			break;
		case OPT_RATE:
			if (parse_num("--rate", optarg, 0, 1e9, &ho.rate))
				return 2;
			break;
		case OPT_BURST:
			if (parse_num("--burst", optarg, 1, 1e9, &ho.burst))
				return 2;
			break;
		case OPT_MRATE:
			if (parse_num("--match-rate", optarg, 0, 1e6,
			    &ho.strict_rate))
				return 2;
			break;
		case OPT_MBURST:
			if (parse_num("--match-burst", optarg, 1, 1e6,
			    &ho.strict_burst))
				return 2;
			break;
		case OPT_MCERT:
			if (parse_num("--match-per-cert", optarg, 0, 60000, &v))
				return 2;
			so.match_per_cert = (unsigned)v;
			break;
		case OPT_PROXY: ho.trust_proxy = 1; break;
		case OPT_LOG: logpath = optarg; break;
		case OPT_BENCH: so.bench_fixed = 1; break;
		case OPT_NOSWEEP: so.no_sweep = 1; break;
		case OPT_STATE: so.state_path = optarg; break;
		case OPT_TRUST: so.trust_path = optarg; break;
		case OPT_OPNAME:
		case OPT_OPCONTACT:
			if (site_check_operator(optarg, err) != 0) {
				fprintf(stderr, "hourseal-verifier serve: %s: "
				    "%s\n", c == OPT_OPNAME ? "--operator-name" :
				    "--operator-contact", err);
				return 2;
			}
			if (c == OPT_OPNAME)
				so.operator_name = optarg;
			else
				so.operator_contact = optarg;
			break;
		case OPT_PUBURL:
			if (site_check_public_url(optarg, err) != 0) {
				fprintf(stderr, "hourseal-verifier serve: "
				    "--public-url: %s\n", err);
				return 2;
			}
			so.public_url = optarg;
			break;
		case OPT_TZ: /* before any thread starts (core/tz.h) */
			if (hs_tz_set(optarg, err) != HS_OK) {
				fprintf(stderr, "hourseal-verifier serve: --tz: "
				    "%s\n", err);
				return 2;
			}
			break;
		case OPT_HELP: serve_usage(stdout); return 0;
		default: serve_usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "hourseal-verifier serve: unexpected argument "
		    "'%s'\n", argv[optind]);
		serve_usage(stderr);
		return 2;
	}
	/*
	 * Behind a reverse proxy every connection comes from the proxy: a
	 * per-address limit would cap the proxy, not a client. Slow clients
	 * are then the proxy's to time out.
	 */
	if (ho.trust_proxy && !perip_given)
		ho.per_ip_conns = 0;
	if (so.trust_path != NULL && (so.db_path != NULL || so.nkeys > 0 ||
	    so.state_path != NULL || so.pepper_path != NULL)) {
		fprintf(stderr, "hourseal-verifier serve: --trust FILE lists "
		    "each ledger's database, keys, state file and pepper: "
		    "give them there, not with --db, --key, --state or "
		    "--pepper\n");
		serve_usage(stderr);
		return 2;
	}
	if (so.db_path == NULL && so.trust_path == NULL && !so.bench_fixed) {
		fprintf(stderr, "hourseal-verifier serve: --db FILE (or "
		    "--trust FILE) is required\n");
		serve_usage(stderr);
		return 2;
	}
	if (so.db_path != NULL && so.nkeys == 0) {
		fprintf(stderr, "hourseal-verifier serve: --key FILE is "
		    "required: the issuer's verifier key (keys/LABEL.pub), the "
		    "root of trust; keys are never taken from the database\n");
		serve_usage(stderr);
		return 2;
	}
	if (logpath != NULL) {
		if (strcmp(logpath, "-") == 0) {
			logf = stdout;
		} else {
			int lfd;

			/* Never through a symlink; a FIFO or device as is. */
			if (file_open_append(logpath, 0640, 0, &lfd, err) !=
			    HS_OK) {
				fprintf(stderr, "hourseal-verifier serve: "
				    "--access-log %s\n", err);
				return 2;
			}
			if ((logf = fdopen(lfd, "a")) == NULL) {
				fprintf(stderr, "hourseal-verifier serve: %s: "
				    "%s\n", logpath, strerror(errno));
				close(lfd);
				return 2;
			}
		}
		setvbuf(logf, NULL, _IOLBF, 0);
		ho.access_log = logf;
	}
	if (site_open(&so, &site, err) != HS_OK) {
		fprintf(stderr, "hourseal-verifier serve: %s\n", err);
		goto out;
	}
	/*
	 * Block the stop signals before any thread starts, so the pool's
	 * threads inherit the mask and only sigwait below sees them.
	 */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	site_app(site, &app);
	if (http_start(&ho, &app, &srv, err) != HS_OK) {
		fprintf(stderr, "hourseal-verifier serve: %s\n", err);
		goto out;
	}
	printf("hourseal-verifier: listening on http://%s\n",
	    http_address(srv));
	fflush(stdout);
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			/* Reopen the access log (logrotate), same rules. */
			int lfd;

			if (logf != NULL && logf != stdout) {
				if (file_open_append(logpath, 0640, 0, &lfd,
				    err) != HS_OK) {
					fprintf(stderr, "hourseal-verifier: "
					    "--access-log %s; still writing "
					    "the old file\n", err);
					continue;
				}
				fflush(logf);
				dup2(lfd, fileno(logf));
				close(lfd);
			}
			continue;
		}
		break;
	}
	fprintf(stderr, "hourseal-verifier: %s, stopping\n",
	    sig == SIGTERM ? "SIGTERM" : "SIGINT");
	http_stop(srv);
	srv = NULL;
	rc = 0;
out:
	http_stop(srv);
	site_close(site);
	if (logf != NULL && logf != stdout)
		fclose(logf);
	return rc;
}
