/*
 * check.c - `hourseal-verifier check`: verify a certificate PDF or note
 * offline, with no network and no database (docs/formats.md §7).
 *
 *   hourseal-verifier check FILE.pdf|FILE.note --key KEYFILE
 *       [--proof FILE] [--checkpoint FILE] [--ledger DIR] [--json]
 *
 * Every answer names the checkpoint it rests on and whether revocation
 * was checked: only a copy of the ledger's tiles (--ledger) lists the
 * revocations logged after the certificate; a receipt or a checkpoint
 * alone cannot (service.md §7, "say what was not checked").
 *
 * Exit 0: valid. 1: invalid (bad signature, bad receipt, inconsistent
 * checkpoint, damaged PDF, pages that are not what the note says, not a
 * certificate), revoked, or inconclusive (the pages could not be compared
 * with the note). 2: could not check.
 *
 * A PDF is VALID only if it is, byte for byte, the certificate rendered
 * again from its own signed note and receipt (pdf_render is
 * deterministic), so what a person sees is what was signed. The QR code's
 * URL comes from the note's signed "verify:" line; older notes have none
 * and need --base-url.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tlog/checkpoint.h"
#include "cert/keylog.h"
#include "cert/leaf.h"
#include "tlog/mirror.h"
#include "tlog/receipt.h"
#include "pdf/pdf.h"
#include "pdfcmp.h"
#include "pades_check.h"
#include "pdfin.h"
#include "trust.h"
#include "core/tz.h"
#include "pdfvis.h"
#include "vcmd.h"
#include "verdict.h"
#include "verify.h"

#define CHECK_FILE_MAX (16u * 1024 * 1024)

static void
check_usage(FILE *f)
{
	fprintf(f,
	    "usage: hourseal-verifier check FILE.pdf|FILE.note --key KEYFILE\n"
	    "           [--proof FILE] [--checkpoint FILE] [--ledger DIR] [--json]\n"
	    "       hourseal-verifier check FILE.pdf|FILE.note --trust FILE ...\n"
	    "  --key FILE         verifier key(s) you trust: a LABEL.pub file, or\n"
	    "                     the text of GET /keys (with validity times);\n"
	    "                     repeatable\n"
	    "  --trust FILE       instead of --key: the ledgers you trust (the\n"
	    "                     verifier's trust file; its db lines are not\n"
	    "                     read): the certificate is checked with the keys\n"
	    "                     of the ledger whose key signed it, and the\n"
	    "                     answer names that ledger and its issuer\n"
	    "  --proof FILE       the receipt (certificate.proof) for a bare note\n"
	    "  --checkpoint FILE  a newer checkpoint you trust: GET /checkpoint\n"
	    "                     ?consistency-from=<receipt size> saved to a file\n"
	    "                     (or a plain checkpoint of the same size)\n"
	    "  --base-url URL     for certificates whose note has no verify: line\n"
	    "                     (issued before it was signed): the issuer's\n"
	    "                     public verifier URL, the QR code's text before\n"
	    "                     /c/; without it such a PDF is INCONCLUSIVE\n"
	    "  --templates DIR    the issuer's templates, to render the pages\n"
	    "                     again (default: built in)\n"
	    "  --ledger DIR       a copy of the issuer's ledger tiles (what\n"
	    "                     `hourseal-issuer tiles DIR` writes, or a mirror):\n"
	    "                     verify it, look for revocations of this serial\n"
	    "                     up to its checkpoint and check the signing\n"
	    "                     key's state from its key entries (without it,\n"
	    "                     revocation and key status are NOT checked)\n"
	    "  --tz ZONE          the time zone times are shown in (default\n"
	    "                     Asia/Shanghai); --json keeps RFC 3339 UTC\n"
	    "  --json             machine-readable output\n"
	    "A PDF is VALID only if it is exactly the certificate rendered again\n"
	    "from its signed note and receipt, or a re-save of it that shows the\n"
	    "same text with the same drawing and fonts (pdf pages: re-saved); a\n"
	    "PDF whose text differs is INVALID, naming the first difference.\n"
	    "exit status: 0 valid, 1 invalid, revoked or inconclusive, 2 could not\n"
	    "check\n");
}

/* What the comparison of a PDF's pages with its note found. */
enum pages {
	PAGES_NOT_COMPARED,       /* see problem */
	PAGES_IDENTICAL,          /* the file is the re-render, byte for byte */
	PAGES_DIFFERENT,          /* shows something the note does not say */
	PAGES_UNKNOWN,            /* compared, but no conclusion */
	PAGES_RESAVED,            /* not the same bytes, but the same text,
	                           * drawing and fonts (pdfvis.h) */
};

/* Outcome codes; INCONCLUSIVE exits 1 like INVALID. */
#define INCONCLUSIVE 3

struct outcome {
	int code;                 /* 0, 1, 2, INCONCLUSIVE */
	char problem[HS_ERRLEN];
	const char *what;         /* "pdf" or "note" */
	bool sig_ok, receipt_ok, pages_ok, consistency_checked,
	    consistency_ok;
	enum pages pages;
	const char *url_from;     /* "the signed note" or "--base-url" */
	char pages_why[HS_ERRLEN];
	struct cert c;
	bool have_cert;
	struct checkpoint rcp;    /* the receipt's checkpoint */
	uint64_t index;
	struct checkpoint newer;
	const char *word;         /* the result word if not the code's */
	/* --ledger: the copy's verified checkpoint and what it says */
	const char *ledger;
	bool ledger_tried;        /* check_ledger ran */
	bool ledger_ok;           /* verified, scanned and consistent */
	struct checkpoint lcp;
	bool revoked;
	uint64_t revoke_index;
	char reason[16], rtime[21];
	bool reissued;            /* another issue leaf of the serial */
	uint64_t reissue_index;
	bool key_checked;         /* key state from the verified ledger */
	char key_problem[HS_ERRLEN]; /* "" if the key was valid */
	size_t keyidx;            /* the --key key that verified the note */
	char newer_note[CHECKPOINT_NOTE_MAX + 1]; /* --checkpoint, verified */
	size_t newer_len;
	const struct trust_ledger *trusted; /* --trust: whose keys signed */
	struct vpades pades;      /* the PDF signature (PAdES) */
};

/* Records a failure. "Invalid" (1) outranks "could not check" (2),
 * which outranks "inconclusive": a file found bad stays bad whatever
 * else could not be checked. */
static void __attribute__((format(printf, 3, 4)))
fail(struct outcome *o, int code, const char *fmt, ...)
{
	static const int rank[] = { 0, 3, 2, 1 };
	va_list ap;

	if (rank[code] <= rank[o->code])
		return;
	o->code = code;
	va_start(ap, fmt);
	vsnprintf(o->problem, sizeof(o->problem), fmt, ap);
	va_end(ap);
}

static void
check_newer(struct outcome *o, const struct verify_keys *ks, const char *path)
{
	char *text = NULL, err[HS_ERRLEN];
	size_t len;
	struct verify_newer nw;

	if (file_read(path, 64 * 1024, &text, &len, err) != HS_OK) {
		fail(o, 2, "%s", err);
		return;
	}
	o->consistency_checked = true;
	if (verify_newer_parse(text, len, &nw, err) != HS_OK) {
		fail(o, 2, "%s: %s", path, err);
		goto out;
	}
	if (checkpoint_open(nw.note, nw.note_len, ks->origin, ks->ckpt,
	    ks->nckpt, &o->newer, NULL, err) != HS_OK) {
		fail(o, 2, "%s: the checkpoint does not verify "
		    "with the trusted keys: %s", path, err);
		goto out;
	}
	if (nw.note_len <= CHECKPOINT_NOTE_MAX) {
		memcpy(o->newer_note, nw.note, nw.note_len);
		o->newer_note[nw.note_len] = '\0';
		o->newer_len = nw.note_len;
	}
	if (o->newer.size < o->rcp.size) {
		fail(o, 2, "%s: the trusted checkpoint (size "
		    "%llu) is older than the receipt's (size %llu)", path,
		    (unsigned long long)o->newer.size,
		    (unsigned long long)o->rcp.size);
		goto out;
	}
	if (o->newer.size == o->rcp.size) {
		if (memcmp(o->newer.root, o->rcp.root, MERKLE_HASH) != 0) {
			fail(o, 1, "the trusted checkpoint has the same size as "
			    "the receipt's but another root: the log forked");
			goto out;
		}
		o->consistency_ok = true;
		goto out;
	}
	if (!nw.has_proof) {
		fail(o, 2, "%s has no consistency proof; save "
		    "<verifier>/checkpoint?consistency-from=%llu instead", path,
		    (unsigned long long)o->rcp.size);
		goto out;
	}
	if (nw.old_size != o->rcp.size) {
		fail(o, 2, "%s: the proof starts at size %llu, "
		    "but the receipt's checkpoint has size %llu; save "
		    "<verifier>/checkpoint?consistency-from=%llu", path,
		    (unsigned long long)nw.old_size,
		    (unsigned long long)o->rcp.size,
		    (unsigned long long)o->rcp.size);
		goto out;
	}
	if (checkpoint_verify_consistency(&o->rcp, &o->newer, nw.proof,
	    nw.nproof, err) != HS_OK) {
		fail(o, 1, "the receipt's checkpoint is not "
		    "consistent with the trusted one: %s", err);
		goto out;
	}
	o->consistency_ok = true;
out:
	free(text);
}

/*
 * What the scan of a ledger copy does with each entry: feeds the key log
 * (with the receipt's and the --checkpoint's signed checkpoints at their
 * sizes, so that key entries take effect as the issuer's signatures vouch
 * for them) and notes this serial's issue and revoke leaves.
 */
struct ledger_scan {
	struct outcome *o;
	struct keylog *kl;
	struct {
		const char *note;
		size_t len;
		uint64_t size;
		bool fed;
		enum hs_err rc;
		char err[HS_ERRLEN];
	} at[2];
	size_t nat;
};

/* Feeds the checkpoints of size (if not yet) to the key log. */
static void
feed_checkpoints(struct ledger_scan *ls, uint64_t size)
{
	size_t i;

	for (i = 0; i < ls->nat; i++)
		if (ls->at[i].size == size && !ls->at[i].fed) {
			ls->at[i].fed = true;
			ls->at[i].rc = keylog_checkpoint(ls->kl, ls->at[i].note,
			    ls->at[i].len, NULL, ls->at[i].err);
		}
}

static enum hs_err
ledger_entry(void *ctx, uint64_t index, const char *entry, size_t len,
    const merkle_hash lh, char *err)
{
	struct ledger_scan *ls = ctx;
	struct outcome *o = ls->o;
	struct leaf lf;
	enum hs_err rc;

	feed_checkpoints(ls, index);
	if ((rc = keylog_entry(ls->kl, entry, len, lh, err)) != HS_OK)
		return rc;
	if (!o->pades.in_ledger && vpades_entry_matches(&o->pades, entry,
	    len)) {
		o->pades.in_ledger = true;
		o->pades.leaf = index;
	}
	/* Entries this version cannot read stay in the tree only. */
	if (leaf_parse(entry, len, &lf, NULL) != HS_OK ||
	    (lf.kind != LEAF_ISSUE && lf.kind != LEAF_REVOKE) ||
	    strcmp(lf.serial, o->c.serial) != 0)
		return HS_OK;
	if (lf.kind == LEAF_ISSUE && index != o->index && !o->reissued) {
		o->reissued = true;
		o->reissue_index = index;
	} else if (lf.kind == LEAF_REVOKE && !o->revoked) {
		/* the first revocation counts, as on the service */
		o->revoked = true;
		o->revoke_index = index;
		snprintf(o->reason, sizeof(o->reason), "%s", lf.reason);
		snprintf(o->rtime, sizeof(o->rtime), "%s", lf.time);
	}
	return HS_OK;
}

/*
 * --ledger DIR: reads the copy's whole tree (lib/mirror: every entry
 * against its tile, every tile against the tiles below, the root against
 * the checkpoint) while deriving the keys' state from its entries, rooted
 * in the --key keys (lib/keylog); the copy's checkpoint counts only if a
 * key the log trusts for it signed it. Then the receipt's checkpoint (and
 * a --checkpoint no newer than the copy) must be a prefix of that tree,
 * the certificate's key must have been valid when it was issued, and the
 * serial must have no revoke leaf and no second issue leaf. A copy that
 * cannot be read or does not verify is "could not check" (2): it proves
 * nothing either way. Two signed checkpoints that disagree prove a fork
 * (1).
 */
static void
check_ledger(struct outcome *o, const struct verify_keys *ks, const char *dir,
    const char *proof, size_t plen)
{
	struct ledger_scan ls;
	struct receipt *r = NULL;
	struct checkpoint claimed;
	char note[CHECKPOINT_NOTE_MAX + 1], err[HS_ERRLEN];
	uint64_t at[2];
	merkle_hash root_at[2];
	size_t len, i;
	time_t issued;
	bool first;

	memset(&ls, 0, sizeof(ls));
	ls.o = o;
	o->ledger_tried = true;
	if (mirror_read_checkpoint(dir, note, &len, err) != HS_OK ||
	    checkpoint_parse_note(note, len, &claimed, err) != HS_OK) {
		fail(o, 2, "the ledger copy %s does not verify: %s", dir, err);
		goto done;
	}
	if (claimed.size < o->rcp.size) {
		fail(o, 2, "the ledger copy %s has checkpoint size %llu, older "
		    "than the receipt's (size %llu): it cannot show what "
		    "happened to this certificate; copy the tiles again", dir,
		    (unsigned long long)claimed.size,
		    (unsigned long long)o->rcp.size);
		goto done;
	}
	/* The key log starts from the keys given with --key. */
	if (keylog_new(&ls.kl, err) != HS_OK) {
		fail(o, 2, "%s", err);
		goto done;
	}
	for (i = 0; i < ks->n; i++)
		if (keylog_anchor(ls.kl, ks->k[i].vkey, ks->k[i].not_before,
		    ks->k[i].retired, ks->k[i].compromised, err) != HS_OK) {
			fail(o, 2, "%s", err);
			goto done;
		}
	if (receipt_parse(proof, plen, &r, err) != HS_OK) {
		fail(o, 2, "%s", err);
		goto done;
	}
	ls.at[0].note = receipt_checkpoint(r, &ls.at[0].len);
	ls.at[0].size = at[0] = o->rcp.size;
	ls.nat = 1;
	if (o->consistency_ok && o->newer.size <= claimed.size) {
		ls.at[1].note = o->newer_note;
		ls.at[1].len = o->newer_len;
		ls.at[1].size = at[1] = o->newer.size;
		ls.nat = 2;
	}
	if (mirror_scan(dir, &claimed, at, ls.nat, root_at, ledger_entry, &ls,
	    err) != HS_OK) {
		fail(o, 2, "the ledger copy %s does not verify: %s", dir, err);
		goto done;
	}
	feed_checkpoints(&ls, claimed.size);
	if (keylog_checkpoint(ls.kl, note, len, &o->lcp, err) != HS_OK) {
		fail(o, 2, "the ledger copy %s does not verify: its checkpoint "
		    "counts only if signed by a key the ledger trusts for it "
		    "(a --key key, or one its entries announce under a "
		    "checkpoint such a key signed; passing the issuer's "
		    "GET /keys file as --key helps after a rotation): %s", dir,
		    err);
		goto done;
	}
	if (memcmp(root_at[0], o->rcp.root, MERKLE_HASH) != 0) {
		fail(o, 1, "the ledger copy's signed tree and the receipt's "
		    "signed checkpoint (size %llu) disagree: the log forked",
		    (unsigned long long)o->rcp.size);
		goto done;
	}
	if (ls.nat > 1 && memcmp(root_at[1], o->newer.root, MERKLE_HASH) != 0) {
		fail(o, 1, "the ledger copy's signed tree and the --checkpoint "
		    "(size %llu) disagree: the log forked",
		    (unsigned long long)o->newer.size);
		goto done;
	}
	for (i = 0; i < ls.nat; i++)
		if (ls.at[i].rc != HS_OK) {
			fail(o, 1, "the %s checkpoint (size %llu) is signed by a "
			    "key the ledger does not allow to sign it: %s",
			    i == 0 ? "receipt's" : "--checkpoint",
			    (unsigned long long)ls.at[i].size, ls.at[i].err);
			goto done;
		}
	o->ledger_ok = true;
	/* A PDF signature counts only by a certificate the ledger lists. */
	o->pades.ledger_checked = o->pades.checked;
	if (o->pades.checked && o->pades.pi.state == PADES_VALID &&
	    !o->pades.in_ledger)
		fail(o, 1, "the PDF is signed by %s, whose certificate is not "
		    "in the ledger: the issuer did not sign this file",
		    o->pades.pi.subject);
	/* The certificate's key, as the verified log says it was then. */
	o->key_checked = true;
	if (time_parse_rfc3339(o->c.issued, &issued) != 0) {
		fail(o, 1, "the certificate's issued time is not RFC 3339");
		goto done;
	}
	if (keylog_check(ls.kl, ks->k[o->keyidx].vkey, issued,
	    o->key_problem) != HS_OK) {
		fail(o, 1, "the signing key was not valid when it signed: %s",
		    o->key_problem);
		if (o->key_problem[0] == '\0')
			snprintf(o->key_problem, sizeof(o->key_problem), "not "
			    "valid");
	}
	if (o->reissued)
		fail(o, 1, "the ledger issued serial %s twice (leaves %llu and "
		    "%llu): neither certificate is valid", o->c.serial,
		    (unsigned long long)o->index,
		    (unsigned long long)o->reissue_index);
	if (o->revoked) {
		first = o->code != 1;
		fail(o, 1, "revoked (%s) at %s, ledger leaf %llu", o->reason,
		    o->rtime, (unsigned long long)o->revoke_index);
		if (first)
			o->word = "REVOKED";
	}
done:
	if (!o->ledger_ok) {
		/* Nothing from an unverified scan is reported. */
		o->revoked = o->reissued = o->key_checked = false;
	}
	receipt_free(r);
	keylog_free(ls.kl);
}

/* The checkpoint the answer rests on, and where it came from. */
static const struct checkpoint *
rests_on(const struct outcome *o, const char **from)
{
	if (o->ledger_ok) {
		*from = "ledger";
		return &o->lcp;
	}
	if (o->consistency_ok) {
		*from = "checkpoint";
		return &o->newer;
	}
	if (o->receipt_ok) {
		*from = "receipt";
		return &o->rcp;
	}
	*from = "none";
	return NULL;
}

static const char *
status_word(const struct outcome *o)
{
	if (o->word != NULL)
		return o->word;
	return o->code == 0 ? "VALID" : o->code == 1 ? "INVALID" :
	    o->code == 2 ? "COULD NOT CHECK" : "INCONCLUSIVE";
}

/* The lines that say what the answer rests on and what it did not check. */
static void
print_basis(const struct outcome *o)
{
	const struct checkpoint *cp;
	const char *from;
	char root[MERKLE_B64_SIZE];

	cp = rests_on(o, &from);
	if (cp == NULL) {
		printf("  rests on:    no verified checkpoint\n");
	} else {
		merkle_hash_encode(cp->root, root);
		printf("  rests on:    checkpoint %s, size %llu, root %s\n",
		    cp->origin, (unsigned long long)cp->size, root);
		printf("               from %s\n", strcmp(from, "ledger") == 0 ?
		    "the ledger copy (--ledger)" : strcmp(from, "checkpoint") ==
		    0 ? "the checkpoint you gave (--checkpoint)" : "the receipt "
		    "in the certificate (signed when it was issued)");
	}
	if (o->ledger_ok && o->revoked) {
		printf("  revocation:  REVOKED: %s, at %s (ledger leaf %llu)\n",
		    o->reason, o->rtime, (unsigned long long)o->revoke_index);
		if (strcmp(o->reason, "superseded") == 0)
			printf("  replacement: not shown offline: a revoke leaf "
			    "does not name it; the issuer's page for this "
			    "serial (the QR code) does\n");
	} else if (o->ledger_ok) {
		printf("  revocation:  checked: not revoked in the ledger up to "
		    "checkpoint size %llu; anything logged after that "
		    "checkpoint is not known\n",
		    (unsigned long long)o->lcp.size);
		if (o->consistency_ok && o->newer.size > o->lcp.size)
			printf("               (the --checkpoint is newer, size "
			    "%llu: entries after %llu were NOT checked)\n",
			    (unsigned long long)o->newer.size,
			    (unsigned long long)o->lcp.size);
	} else {
		printf("  revocation:  NOT checked: %s\n", o->ledger_tried ?
		    "the ledger copy could not be used (see problem)" :
		    o->ledger != NULL ? "the ledger copy was not read (see "
		    "problem)" : "a receipt or a checkpoint does not list "
		    "revocations; pass --ledger DIR (a copy of the issuer's "
		    "tiles) to look");
	}
	if (o->key_checked && o->key_problem[0] != '\0')
		printf("  key status:  INVALID: %s\n", o->key_problem);
	else if (o->key_checked)
		printf("  key status:  checked: the signing key was valid when "
		    "it signed, by the key entries of the ledger up to size "
		    "%llu\n", (unsigned long long)o->lcp.size);
	else
		printf("  key status:  NOT checked: only the validity times in "
		    "the --key file(s) were applied%s\n", o->ledger == NULL ?
		    "; pass --ledger DIR for the key entries of the ledger" :
		    "");
}

static const char *
pages_text(const struct outcome *o)
{
	if (!o->receipt_ok)
		return "not compared with the signed note";
	if (!o->pages_ok)
		return "DAMAGED: a page's content does not decode";
	switch (o->pages) {
	case PAGES_IDENTICAL:
		return "identical to the certificate rendered again from its "
		    "signed note";
	case PAGES_DIFFERENT:
		return "NOT what the signed note says";
	case PAGES_UNKNOWN:
		return "not shown to be what the signed note says";
	case PAGES_RESAVED:
		return "re-saved by another program: not the issued file byte "
		    "for byte, but the same text, drawing and fonts as the "
		    "certificate rendered again from its signed note";
	default:
		return "not compared with the signed note";
	}
}

static const char *
pages_json(const struct outcome *o)
{
	if (!o->receipt_ok)
		return "not_compared";
	if (!o->pages_ok)
		return "damaged";
	switch (o->pages) {
	case PAGES_IDENTICAL: return "identical";
	case PAGES_DIFFERENT: return "different";
	case PAGES_UNKNOWN: return "inconclusive";
	case PAGES_RESAVED: return "resaved";
	default: return "not_compared";
	}
}

/*
 * The headline (verdict.h) of an offline check: the note's own answer
 * when it verified (met or not), revoked or superseded when the ledger
 * copy says so (a revoke leaf does not name the replacement), a changed
 * file when the pages are not the note's, else a bad signature, not a
 * certificate, or "cannot verify" when something could not be checked.
 */
static void
check_verdict(const struct outcome *o, struct verdict *v)
{
	if (o->ledger_ok && o->revoked)
		verdict_make(v, VDB_REVOKED, &o->c, o->reason, NULL);
	else if (o->code == 0)
		verdict_make(v, VDB_VALID, &o->c, NULL, NULL);
	else if (o->sig_ok && o->receipt_ok && strcmp(o->what, "pdf") == 0 &&
	    (!o->pages_ok || o->pages == PAGES_DIFFERENT ||
	    o->pages == PAGES_UNKNOWN)) {
		verdict_make(v, VDB_VALID, &o->c, NULL, NULL);
		v->kind = !o->pages_ok || o->pages == PAGES_DIFFERENT ?
		    VERDICT_EDITED : VERDICT_MODIFIED;
	} else if (o->code == 1 && !o->sig_ok && strncmp(o->problem,
	    "not a certificate", 17) == 0) {
		verdict_make(v, VDB_NOTFOUND, NULL, NULL, NULL);
		v->kind = VERDICT_NOT_CERT;
	} else if (o->code == 1)
		verdict_make(v, VDB_BADSIG, NULL, NULL, NULL);
	else
		verdict_unavailable(v);
}

static void
print_human(const char *file, const struct outcome *o)
{
	char h[HOURS_SIZE], root[MERKLE_B64_SIZE], text[256];
	char when[HS_TIME_SHOW_MAX];
	struct verdict v;

	/* The headline first: what a decision needs. */
	check_verdict(o, &v);
	verdict_text(&v, PAGE_ZH, text, sizeof(text));
	printf("%s [%s]\n", text, verdict_name(v.kind));
	printf("%s: %s\n", file, status_word(o));
	if (o->problem[0] != '\0')
		printf("  problem:     %s\n", o->problem);
	if (o->trusted != NULL)
		printf("  trusted as:  %s (ledger %s, origin %s, from the trust "
		    "file)\n", o->trusted->issuer, o->trusted->name,
		    o->trusted->origin);
	if (o->have_cert) {
		const struct cert *c = &o->c;

		printf("  serial:      %s\n", c->serial);
		printf("  name:        %s\n", c->name);
		printf("  id:          %s\n", c->id_masked);
		if (c->unit[0] != '\0')
			printf("  unit:        %s\n", c->unit);
		printf("  year:        %d (%s)\n", c->year,
		    c->kind == CERT_ANNUAL ? "annual" : "course");
		hours_format(c->public10, h);
		printf("  hours:       public %s, ", h);
		hours_format(c->professional10, h);
		printf("professional %s, ", h);
		hours_format(c->total10, h);
		printf("total %s", h);
		if (c->kind == CERT_ANNUAL)
			printf(" (%s)", c->met ? "requirement met" :
			    "requirement NOT met");
		printf("\n  issuer:      %s\n", c->issuer);
		hs_time_show_str(c->issued, true, when);
		printf("  issued:      %s = %s\n", when, c->issued);
	}
	printf("  signature:   %s\n", o->sig_ok ? "ok" : "not verified");
	if (o->receipt_ok) {
		merkle_hash_encode(o->rcp.root, root);
		printf("  receipt:     ok, leaf %llu in checkpoint of size %llu "
		    "(%s)\n", (unsigned long long)o->index,
		    (unsigned long long)o->rcp.size, root);
	} else {
		printf("  receipt:     not verified\n");
	}
	if (o->consistency_checked)
		printf("  consistency: %s\n", o->consistency_ok ?
		    "ok with the trusted checkpoint" : "not verified");
	if (strcmp(o->what, "pdf") == 0 && o->pades.checked) {
		char d[HS_ERRLEN + 300];

		vpades_describe(&o->pades, d, sizeof(d));
		printf("  pdf signature: %s\n", d);
	}
	if (strcmp(o->what, "pdf") == 0)
		printf("  pdf pages:   %s%s%s%s\n", pages_text(o),
		    o->url_from != NULL ? " (QR code URL from " : "",
		    o->url_from != NULL ? o->url_from : "",
		    o->url_from != NULL ? ")" : "");
	print_basis(o);
}

/* The JSON form of print_basis. */
static void
json_basis(json_t *j, const struct outcome *o)
{
	const struct checkpoint *cp;
	const char *from;
	char root[MERKLE_B64_SIZE];
	json_t *r;

	cp = rests_on(o, &from);
	if (cp != NULL) {
		merkle_hash_encode(cp->root, root);
		json_object_set_new(j, "rests_on", json_pack("{s:s,s:I,s:s,s:s}",
		    "origin", cp->origin, "size", (json_int_t)cp->size, "root",
		    root, "from", from));
	} else {
		json_object_set_new(j, "rests_on", json_null());
	}
	if (o->ledger_ok) {
		r = json_pack("{s:b,s:I,s:b}", "checked", 1, "up_to_size",
		    (json_int_t)o->lcp.size, "revoked", o->revoked);
		if (r != NULL && o->revoked) {
			json_object_set_new(r, "reason", json_string(o->reason));
			json_object_set_new(r, "time", json_string(o->rtime));
			json_object_set_new(r, "leaf_index",
			    json_integer((json_int_t)o->revoke_index));
			/* A revoke leaf does not name the replacement. */
			json_object_set_new(r, "replacement", json_null());
		}
	} else {
		r = json_pack("{s:b}", "checked", 0);
	}
	json_object_set_new(j, "revocation", r);
	if (o->key_checked) {
		r = json_pack("{s:b,s:b}", "checked", 1, "valid",
		    o->key_problem[0] == '\0');
		if (r != NULL && o->key_problem[0] != '\0')
			json_object_set_new(r, "problem",
			    json_string(o->key_problem));
	} else {
		r = json_pack("{s:b}", "checked", 0);
	}
	json_object_set_new(j, "key_status", r);
}

static void
print_json(const char *file, const struct outcome *o)
{
	json_t *j;
	char *s;
	char h[3][HOURS_SIZE], root[MERKLE_B64_SIZE], text[256];
	struct verdict v;

	check_verdict(o, &v);
	verdict_text(&v, PAGE_ZH, text, sizeof(text));
	j = json_pack("{s:s,s:s,s:s,s:s,s:b,s:i,s:b,s:b}", "verdict",
	    verdict_name(v.kind), "verdict_text", text, "file", file,
	    "status", o->word != NULL ? "revoked" : o->code == 0 ? "valid" :
	    o->code == 1 ? "invalid" : o->code == 2 ? "could_not_check" :
	    "inconclusive", "valid", o->code == 0, "exit",
	    o->code == INCONCLUSIVE ? 1 : o->code,
	    "signature", o->sig_ok, "receipt", o->receipt_ok);
	if (j == NULL)
		return;
	if (o->problem[0] != '\0' && utf8_valid(o->problem,
	    strlen(o->problem)))
		json_object_set_new(j, "problem", json_string(o->problem));
	if (o->trusted != NULL)
		json_object_set_new(j, "trusted_ledger", json_pack("{s:s,s:s,"
		    "s:s}", "name", o->trusted->name, "issuer",
		    o->trusted->issuer, "origin", o->trusted->origin));
	if (o->have_cert) {
		const struct cert *c = &o->c;

		hours_format(c->public10, h[0]);
		hours_format(c->professional10, h[1]);
		hours_format(c->total10, h[2]);
		json_object_set_new(j, "certificate", json_pack("{s:s,s:s,s:s,"
		    "s:s,s:s,s:i,s:{s:s,s:s,s:s},s:s,s:s}", "serial",
		    c->serial, "kind", c->kind == CERT_ANNUAL ? "annual" :
		    "course", "name", c->name, "id_masked", c->id_masked,
		    "unit", c->unit, "year", c->year, "hours", "public", h[0],
		    "professional", h[1], "total", h[2], "issuer", c->issuer,
		    "issued", c->issued));
		if (c->kind == CERT_ANNUAL)
			json_object_set_new(json_object_get(j, "certificate"),
			    "met", json_boolean(c->met));
	}
	if (o->receipt_ok) {
		merkle_hash_encode(o->rcp.root, root);
		json_object_set_new(j, "ledger", json_pack("{s:s,s:I,s:I,s:s}",
		    "origin", o->rcp.origin, "index", (json_int_t)o->index,
		    "checkpoint_size", (json_int_t)o->rcp.size,
		    "checkpoint_root", root));
	}
	if (o->consistency_checked)
		json_object_set_new(j, "consistent_with_trusted_checkpoint",
		    json_boolean(o->consistency_ok));
	if (strcmp(o->what, "pdf") == 0) {
		json_object_set_new(j, "pdf_pages_intact",
		    json_boolean(o->pages_ok));
		json_object_set_new(j, "pdf_pages", json_string(pages_json(o)));
		if (o->pades.checked)
			json_object_set_new(j, "pdf_signature", json_pack(
			    "{s:s,s:b,s:b,s:b}", "state",
			    vpades_word(&o->pades), "certificate_in_ledger",
			    o->pades.in_ledger, "ledger_checked",
			    o->pades.ledger_checked, "timestamped",
			    o->pades.pi.timestamped));
		if (o->pages_why[0] != '\0' && utf8_valid(o->pages_why,
		    strlen(o->pages_why)))
			json_object_set_new(j, "pdf_pages_difference",
			    json_string(o->pages_why));
		if (o->url_from != NULL)
			json_object_set_new(j, "qr_url_from",
			    json_string(o->url_from));
	}
	json_basis(j, o);
	s = json_dumps(j, JSON_INDENT(2));
	if (s != NULL)
		printf("%s\n", s);
	free(s);
	json_decref(j);
}

/*
 * Renders the certificate again from the embedded note and receipt and
 * compares it with the file. The issuer's PDFs depend only on those, the
 * template and the fonts, so the same bytes mean the pages show what was
 * signed. Otherwise pdfcmp says what differs: INVALID when the file was
 * made with the verifier's fonts (or carries what hourseal never writes),
 * INCONCLUSIVE when the difference may be the verifier's installation,
 * or nothing visible differs but the file is not the issued one.
 */
static void
check_pages(struct outcome *o, const char *tdir, const char *base_url,
    const char *data, size_t len, const char *note, size_t nlen,
    const char *proof, size_t plen)
{
	struct pdf_renderer *pr = NULL;
	struct pdfcmp cmp;
	struct pdfvis pv;
	struct buf out;
	const char *url;
	char err[HS_ERRLEN];

	buf_init(&out);
	if (o->c.verify_url[0] != '\0') {
		/* Signed: it wins over --base-url. */
		url = o->c.verify_url;
		o->url_from = "the signed note";
	} else if (base_url != NULL) {
		url = base_url;
		o->url_from = "--base-url";
	} else {
		fail(o, INCONCLUSIVE, "the note has no verify: line (it was "
		    "issued before hourseal signed its verification URL), so "
		    "the pages cannot be rendered again and compared: give the "
		    "issuer's verifier URL (the QR code's text before /c/) with "
		    "--base-url URL, or verify the file online");
		goto done;
	}
	if (pdf_renderer_new(tdir, &pr, err) != HS_OK) {
		fail(o, INCONCLUSIVE, "the pages were not compared with the "
		    "note: the templates to render them again cannot be "
		    "loaded: %s", err);
		goto done;
	}
	if (pdf_render(pr, NULL, &o->c, note, nlen, proof, plen, url, &out,
	    err) != HS_OK || out.oom) {
		fail(o, INCONCLUSIVE, "the pages were not compared with the "
		    "note: it cannot be rendered again: %s", out.oom ?
		    "out of memory" : err);
		goto done;
	}
	/* A signed file is the rendered one plus our signature update. */
	if ((out.len == len && memcmp(out.data, data, len) == 0) ||
	    vpades_render_plus_update(data, len, out.data, out.len,
	    &o->pades.pi)) {
		o->pages = PAGES_IDENTICAL;
		goto done;
	}
	/* The text it shows, and its drawing, against the note's. */
	if (pdfvis_compare(data, len, out.data, out.len, NULL, &pv, err) !=
	    HS_OK) {
		fail(o, 2, "%s", err);
		goto done;
	}
	if (pv.result == PDFVIS_EDITED) {
		o->pages = PAGES_DIFFERENT;
		snprintf(o->pages_why, sizeof(o->pages_why), "%s%s%.200s%s",
		    pv.differs, pv.have_cmp && pv.cmp.what[0] != '\0' ? " (" :
		    "", pv.have_cmp ? pv.cmp.what : "", pv.have_cmp &&
		    pv.cmp.what[0] != '\0' ? ")" : "");
		fail(o, 1, "this PDF shows other text than its signed note "
		    "(it was edited%s): %s", o->c.verify_url[0] == '\0' ?
		    ", or --base-url is not the URL it was issued with" : "",
		    o->pages_why);
		goto done;
	}
	if (pv.result == PDFVIS_RESAVED) {
		o->pages = PAGES_RESAVED;
		snprintf(o->pages_why, sizeof(o->pages_why), "内容一致，文件已"
		    "被改存");
		goto done;
	}
	if (pv.have_cmp) {
		cmp = pv.cmp;
	} else if (pdfcmp_compare(data, len, out.data, out.len, &cmp, err) !=
	    HS_OK) {
		fail(o, INCONCLUSIVE, "the PDF is not the certificate rendered "
		    "again from its note, and the two cannot be compared: %s",
		    err);
		goto done;
	}
	snprintf(o->pages_why, sizeof(o->pages_why), "%s", cmp.what);
	if (cmp.result == PDFCMP_DIFFERENT && (cmp.foreign ||
	    (cmp.fonts_match && !cmp.font_conflict))) {
		o->pages = PAGES_DIFFERENT;
		fail(o, 1, "this PDF does not show what its signed note says "
		    "(it was modified%s): %s", o->c.verify_url[0] == '\0' ?
		    ", or --base-url is not the URL it was issued with" : "",
		    cmp.what);
	} else if (cmp.result == PDFCMP_DIFFERENT) {
		o->pages = PAGES_UNKNOWN;
		fail(o, INCONCLUSIVE, "this PDF differs from the certificate "
		    "rendered again from its note (%s), and its fonts are not "
		    "the ones this verifier renders with: either the issuer "
		    "uses other templates or font files (give its templates "
		    "with --templates DIR) or the file was altered", cmp.what);
	} else if (cmp.result == PDFCMP_UNCOMPARABLE) {
		o->pages = PAGES_UNKNOWN;
		fail(o, INCONCLUSIVE, "this PDF is not byte for byte the "
		    "certificate rendered again from its note, and not all of "
		    "it can be compared: %s", cmp.what);
	} else {
		o->pages = PAGES_UNKNOWN;
		fail(o, INCONCLUSIVE, "this PDF reads the same as the "
		    "certificate rendered again from its note but is not the "
		    "issued file byte for byte (another program saved it "
		    "again): ask for the original file or verify it online");
	}
done:
	buf_free(&out);
	pdf_renderer_free(pr);
}

/*
 * --trust: the ledger whose keys verify the note, in the file's order;
 * ks gets its keys (the anchors of everything checked after). A key of a
 * ledger that signed it, but outside its validity, is that ledger's
 * answer too. HS_ERR_SIGNATURE when no ledger's key signed it.
 */
static enum hs_err
pick_ledger(const struct trust *t, const char *note, size_t nlen,
    struct verify_keys *ks, struct outcome *o, char *err)
{
	enum hs_err rc;
	size_t i, k;

	for (i = 0; i < t->n; i++) {
		verify_keys_free(ks);
		verify_keys_init(ks);
		for (k = 0; k < t->l[i].nkeys; k++)
			if ((rc = verify_keys_load(ks, t->l[i].key[k], err)) !=
			    HS_OK)
				return rc;
		rc = verify_cert_note(ks, note, nlen, &o->c, &o->keyidx, err);
		if (rc == HS_ERR_FORMAT)
			return rc;
		if (rc != HS_ERR_SIGNATURE) {
			o->trusted = &t->l[i];
			return rc;
		}
	}
	return hs_fail(err, HS_ERR_SIGNATURE, "not signed by a key of any "
	    "ledger in %s (%zu ledger%s): not issued by an issuer this "
	    "verifier trusts", t->path, t->n, t->n == 1 ? "" : "s");
}

enum { OPT_KEY = 256, OPT_PROOF, OPT_CKPT, OPT_JSON, OPT_HELP, OPT_BASE,
	OPT_TDIR, OPT_LEDGER, OPT_TRUST, OPT_TZ };

static const struct option check_opts[] = {
	{ "key", required_argument, NULL, OPT_KEY },
	{ "proof", required_argument, NULL, OPT_PROOF },
	{ "checkpoint", required_argument, NULL, OPT_CKPT },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "base-url", required_argument, NULL, OPT_BASE },
	{ "templates", required_argument, NULL, OPT_TDIR },
	{ "ledger", required_argument, NULL, OPT_LEDGER },
	{ "trust", required_argument, NULL, OPT_TRUST },
	{ "tz", required_argument, NULL, OPT_TZ },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

int
vcmd_check(int argc, char **argv)
{
	const char *keyfiles[8], *proofpath = NULL, *ckptpath = NULL, *file;
	const char *base_url = NULL, *tdir = NULL, *trustpath = NULL;
	struct trust *trust = NULL;
	size_t nkeys = 0, i, len, plen = 0;
	int c, json = 0;
	struct verify_keys ks;
	struct outcome o;
	struct pdfin pf;
	char *data = NULL, *proof = NULL, err[HS_ERRLEN];
	const char *note;
	size_t nlen;
	enum hs_err rc;

	verify_keys_init(&ks);
	memset(&o, 0, sizeof(o));
	memset(&pf, 0, sizeof(pf));
	o.what = "note";
	while ((c = getopt_long(argc, argv, "", check_opts, NULL)) != -1) {
		switch (c) {
		case OPT_KEY:
			if (nkeys >= 8) {
				fprintf(stderr, "hourseal-verifier check: at most "
				    "8 --key options\n");
				return 2;
			}
			keyfiles[nkeys++] = optarg;
			break;
		case OPT_PROOF: proofpath = optarg; break;
		case OPT_CKPT: ckptpath = optarg; break;
		case OPT_JSON: json = 1; break;
		case OPT_BASE: base_url = optarg; break;
		case OPT_TDIR: tdir = optarg; break;
		case OPT_LEDGER: o.ledger = optarg; break;
		case OPT_TRUST: trustpath = optarg; break;
		case OPT_TZ:
			if (hs_tz_set(optarg, err) != HS_OK) {
				fprintf(stderr, "hourseal-verifier check: --tz: "
				    "%s\n", err);
				return 2;
			}
			break;
		case OPT_HELP: check_usage(stdout); return 0;
		default: check_usage(stderr); return 2;
		}
	}
	if (optind + 1 != argc || (nkeys == 0) == (trustpath == NULL)) {
		fprintf(stderr, "hourseal-verifier check: %s\n",
		    nkeys > 0 && trustpath != NULL ? "give --key KEYFILE or "
		    "--trust FILE, not both" : nkeys == 0 && trustpath == NULL ?
		    "--key KEYFILE (or --trust FILE) is required" :
		    "give exactly one FILE");
		check_usage(stderr);
		return 2;
	}
	file = argv[optind];
	if (trustpath != NULL &&
	    trust_load(trustpath, 0, &trust, err) != HS_OK) {
		fail(&o, 2, "%s", err);
		goto done;
	}
	for (i = 0; i < nkeys; i++)
		if (verify_keys_load(&ks, keyfiles[i], err) != HS_OK) {
			fail(&o, 2, "%s", err);
			goto done;
		}
	if (file_read(file, CHECK_FILE_MAX, &data, &len, err) != HS_OK) {
		fail(&o, 2, "%s", err);
		goto done;
	}
	if (pdfin_looks_like_pdf(data, len)) {
		o.what = "pdf";
		rc = pdfin_read(data, len, &pf, err);
		if (rc != HS_OK) {
			fail(&o, rc == HS_ERR_NOMEM ? 2 : 1,
			    "not a certificate PDF: %s", err);
			goto done;
		}
		note = pf.note;
		nlen = pf.note_len;
		o.pages_ok = pf.pages_ok;
		if (pf.proof != NULL) {
			proof = malloc(pf.proof_len + 1);
			if (proof == NULL) {
				fail(&o, 2, "out of memory");
				goto done;
			}
			memcpy(proof, pf.proof, pf.proof_len + 1);
			plen = pf.proof_len;
		}
	} else {
		note = data;
		nlen = len;
	}
	if (proofpath != NULL) {
		free(proof);
		proof = NULL;
		if (file_read(proofpath, 64 * 1024, &proof, &plen, err) !=
		    HS_OK) {
			fail(&o, 2, "%s", err);
			goto done;
		}
	}
	if (trust != NULL)
		rc = pick_ledger(trust, note, nlen, &ks, &o, err);
	else
		rc = verify_cert_note(&ks, note, nlen, &o.c, &o.keyidx, err);
	if (rc == HS_ERR_IO || rc == HS_ERR_NOMEM) {
		fail(&o, 2, "%s", err);
		goto done;
	}
	if (rc != HS_OK) {
		fail(&o, 1, "%s%s", rc == HS_ERR_FORMAT ?
		    "not a certificate: " : "", err);
		goto done;
	}
	o.have_cert = true;
	o.sig_ok = true;
	if (proof == NULL) {
		fail(&o, 2, "%s", strcmp(o.what, "pdf") == 0 ?
		    "no receipt: the PDF has no certificate.proof attachment" :
		    "no receipt: pass the certificate's receipt with --proof "
		    "FILE");
		goto done;
	}
	if (verify_receipt(&ks, o.c.serial, note, nlen, proof, plen, &o.rcp,
	    &o.index, err) != HS_OK) {
		fail(&o, 1, "%s", err);
		goto done;
	}
	o.receipt_ok = true;
	if (strcmp(o.what, "pdf") == 0) {
		int pc = vpades_check(data, len, &o.pades, err, sizeof(err));

		if (pc != 0)
			fail(&o, pc, "%s", err);
	}
	if (strcmp(o.what, "pdf") == 0 && !o.pages_ok)
		fail(&o, 1, "the PDF's page content is damaged: this file was "
		    "modified after it was issued");
	if (strcmp(o.what, "pdf") == 0 && o.pages_ok)
		check_pages(&o, tdir, base_url, data, len, note, nlen, proof,
		    plen);
	if (ckptpath != NULL)
		check_newer(&o, &ks, ckptpath);
	if (o.ledger != NULL)
		check_ledger(&o, &ks, o.ledger, proof, plen);
done:
	if (json)
		print_json(file, &o);
	else
		print_human(file, &o);
	if (o.have_cert)
		cert_free(&o.c);
	pdfin_free(&pf);
	free(proof);
	free(data);
	verify_keys_free(&ks);
	free(trust);
	return o.code == INCONCLUSIVE ? 1 : o.code;
}
