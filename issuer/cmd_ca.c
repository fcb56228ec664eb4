/*
 * hourseal-issuer ca init [--name NAME] [--days N]
 * hourseal-issuer ca issue [--cn NAME] [--org ORG] [--alg p256|rsa3072]
 *                          [--days N] [--pkcs11 URI [--generate]
 *                          [--password-file PINFILE]]
 * hourseal-issuer ca import (--chain PEM (--key PEM | --pkcs11 URI) |
 *                          --p12 FILE) [--password-file FILE]
 *
 * The PAdES document-signing key and certificate (cert/x509ca.h) in the
 * keys directory. `ca init` makes the issuer's own small CA (ECDSA P-256;
 * the key file 0600), `ca issue` a document-signing certificate from it,
 * `ca import` takes one from another CA. The password of an encrypted
 * key or PKCS#12 file comes from --password-file or the file named by
 * $HOURSEAL_PADES_PASSWORD_FILE (mode 0600), never the command line.
 * With --pkcs11 the document key is an ECDSA P-256 key in a PKCS#11
 * token (core/p11.h; --generate makes it there, never extractable):
 * pades.key then holds its URI, `ca issue` certifies its public key and
 * `ca import --chain` takes a chain whose first certificate is its; the
 * token PIN comes from --password-file, else the URI's pin-source or
 * the environment ($HOURSEAL_PKCS11_PIN_FILE, $HOURSEAL_PKCS11_PIN).
 * Once pades.key and pades.crt exist, `issue` signs every PDF.
 * Exit 0 done, 1 refused input, 2 could not run.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cmd.h"
#include "cert/x509ca.h"
#include "core/i18n.h"
#include "store/keys.h"

#define CA_PASSWORD_ENV "HOURSEAL_PADES_PASSWORD_FILE"

enum { CA_INIT, CA_ISSUE, CA_IMPORT };

struct args {
	int what;
	const char *name, *cn, *org, *chain, *key, *p12, *passfile, *uri;
	bool generate, alg_set;
	enum x509ca_alg alg;
	int days;
};

enum { O_NAME = 256, O_DAYS, O_CN, O_ORG, O_ALG, O_CHAIN, O_KEY, O_P12,
	O_PASS, O_PKCS11, O_GENERATE };

static const struct option opts[] = {
	{ "name", required_argument, NULL, O_NAME },
	{ "days", required_argument, NULL, O_DAYS },
	{ "cn", required_argument, NULL, O_CN },
	{ "org", required_argument, NULL, O_ORG },
	{ "alg", required_argument, NULL, O_ALG },
	{ "chain", required_argument, NULL, O_CHAIN },
	{ "key", required_argument, NULL, O_KEY },
	{ "p12", required_argument, NULL, O_P12 },
	{ "password-file", required_argument, NULL, O_PASS },
	{ "pkcs11", required_argument, NULL, O_PKCS11 },
	{ "generate", no_argument, NULL, O_GENERATE },
	{ NULL, 0, NULL, 0 },
};

static int
parse(const struct cmd *x, int argc, char **argv, void *args)
{
	struct args *a = args;
	char *end;
	long d;
	int c;

	if (argc < 2)
		return CMD_USAGE;
	if (strcmp(argv[1], "init") == 0)
		a->what = CA_INIT;
	else if (strcmp(argv[1], "issue") == 0)
		a->what = CA_ISSUE;
	else if (strcmp(argv[1], "import") == 0)
		a->what = CA_IMPORT;
	else {
		fprintf(stderr, _("%s: unknown subcommand '%s' (init, issue or "
		    "import)\n"), argv[0], argv[1]);
		return CMD_USAGE;
	}
	optind = 2;
	a->days = -1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_NAME: a->name = optarg; break;
		case O_CN: a->cn = optarg; break;
		case O_ORG: a->org = optarg; break;
		case O_CHAIN: a->chain = optarg; break;
		case O_KEY: a->key = optarg; break;
		case O_P12: a->p12 = optarg; break;
		case O_PASS: a->passfile = optarg; break;
		case O_PKCS11: a->uri = optarg; break;
		case O_GENERATE: a->generate = true; break;
		case O_DAYS:
			d = strtol(optarg, &end, 10);
			if (*end != '\0' || d < 1 || d > 36500)
				return CMD_USAGE;
			a->days = (int)d;
			break;
		case O_ALG:
			a->alg_set = true;
			if (strcmp(optarg, "p256") == 0)
				a->alg = X509CA_P256;
			else if (strcmp(optarg, "rsa3072") == 0)
				a->alg = X509CA_RSA3072;
			else
				return CMD_USAGE;
			break;
		default: return CMD_USAGE;
		}
	}
	if (optind != argc)
		return CMD_USAGE;
	if (a->what == CA_IMPORT && !((a->chain && !a->key != !a->uri &&
	    !a->p12) || (a->p12 && !a->chain && !a->key && !a->uri)))
		return CMD_USAGE;
	if (a->what != CA_IMPORT && (a->chain || a->key || a->p12 ||
	    (a->passfile && !a->uri)))
		return CMD_USAGE;
	/* A token key is ECDSA P-256; --generate only makes one to issue. */
	if ((a->uri && (a->what == CA_INIT || a->alg_set)) ||
	    (a->generate && (!a->uri || a->what != CA_ISSUE)))
		return CMD_USAGE;
	return 0;
}

static int
run(struct cmd *x, void *args)
{
	const struct args *a = args;
	char err[HS_ERRLEN] = "", pass[KEYS_PASS_MAX + 1] = "";
	const char *pf;
	size_t plen = 0;
	enum hs_err rc;

	switch (a->what) {
	case CA_INIT:
		rc = x509ca_init(x->cfg.keys_dir, a->name ? a->name :
		    x->cfg.issuer, a->days > 0 ? a->days : 3650, err);
		if (rc == HS_OK)
			printf(_("ca: made %s/%s (0600) and %s/%s\n"),
			    x->cfg.keys_dir, X509CA_CA_KEY, x->cfg.keys_dir,
			    X509CA_CA_CRT);
		break;
	case CA_ISSUE:
		if (a->uri != NULL) {
			if (a->passfile != NULL && (rc = keys_read_passphrase(
			    a->passfile, pass, &plen, err)) != HS_OK)
				break;
			rc = x509ca_issue_pkcs11(x->cfg.keys_dir, a->uri,
			    plen ? pass : NULL, plen, a->generate, a->cn ? a->cn :
			    x->cfg.issuer, a->org ? a->org : x->cfg.issuer,
			    a->days > 0 ? a->days : 825, err);
			OPENSSL_cleanse(pass, sizeof(pass));
			if (rc == HS_OK)
				printf("ca: issued %s/%s for the ECDSA P-256 key "
				    "in the token (%s/%s holds its URI); issue "
				    "now signs every PDF with it\n",
				    x->cfg.keys_dir, X509CA_DOC_CRT,
				    x->cfg.keys_dir, X509CA_DOC_KEY);
			break;
		}
		rc = x509ca_issue(x->cfg.keys_dir, a->cn ? a->cn :
		    x->cfg.issuer, a->org ? a->org : x->cfg.issuer, a->alg,
		    a->days > 0 ? a->days : 825, err);
		if (rc == HS_OK)
			printf(_("ca: issued %s/%s (%s, 0600) and %s/%s; issue "
			    "now signs every PDF with it\n"), x->cfg.keys_dir,
			    X509CA_DOC_KEY, a->alg == X509CA_RSA3072 ?
			    "RSA-3072" : "ECDSA P-256", x->cfg.keys_dir,
			    X509CA_DOC_CRT);
		break;
	default:
		pf = a->passfile ? a->passfile : getenv(CA_PASSWORD_ENV);
		if (pf != NULL && pf[0] != '\0' && (rc =
		    keys_read_passphrase(pf, pass, &plen, err)) != HS_OK)
			break;
		if (a->uri != NULL) {
			rc = x509ca_import_pkcs11(x->cfg.keys_dir, a->chain,
			    a->uri, plen ? pass : NULL, plen, err);
			OPENSSL_cleanse(pass, sizeof(pass));
			if (rc == HS_OK)
				printf("ca: imported the chain into %s/%s for "
				    "the key in the token (%s/%s holds its "
				    "URI)\n", x->cfg.keys_dir, X509CA_DOC_CRT,
				    x->cfg.keys_dir, X509CA_DOC_KEY);
			break;
		}
		rc = a->p12 ? x509ca_import_p12(x->cfg.keys_dir, a->p12,
		    plen ? pass : NULL, err) : x509ca_import_pem(
		    x->cfg.keys_dir, a->chain, a->key, plen ? pass : NULL, err);
		OPENSSL_cleanse(pass, sizeof(pass));
		if (rc == HS_OK)
			printf(_("ca: imported the document-signing key and "
			    "chain into %s/%s (0600) and %s/%s\n"),
			    x->cfg.keys_dir, X509CA_DOC_KEY, x->cfg.keys_dir,
			    X509CA_DOC_CRT);
		break;
	}
	if (rc != HS_OK) {
		cmd_say(x, "%s", err);
		return rc == HS_ERR_INVALID || rc == HS_ERR_FORMAT ||
		    rc == HS_ERR_EXISTS || rc == HS_ERR_NOTFOUND ||
		    rc == HS_ERR_SIGNATURE ? 1 : 2;
	}
	return 0;
}

const struct cmd_ops cmd_ca_ops = { sizeof(struct args), parse, run };
