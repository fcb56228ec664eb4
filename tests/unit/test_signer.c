/*
 * test_signer.c - the signer process's rule (lib/app/signer.h): it signs
 * certificate notes and checkpoints of its own origin and refuses
 * everything else; the protocol over a SOCK_SEQPACKET socketpair with a
 * real child process; the remote note signer gives the same signed note
 * as a local key and refuses a signature that does not verify.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app/signer.h"
#include "core/util.h"
#include "tlog/note.h"
#include "t.h"

#define ORIGIN "ledger.example.cn/fj"
#define HASH "mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk="
#define CP ORIGIN "\n6476701\n" HASH "\n"
#define COURSE \
	"hourseal/cert/v1\n" \
	"serial: 2025-0000-0000-0000-000Z\n" \
	"kind: course\n" \
	"issuer: Weihai\n" \
	"year: 2025\n" \
	"name: O'Brien-李\n" \
	"id: 3710**********0010\n" \
	"id-digest: LXEWQrcmsEQBYnyp+6wy9chTD7GQPMTbAiWHF5IaSIE=\n" \
	"public: 0.5\n" \
	"professional: 0\n" \
	"total: 0.5\n" \
	"record: public/elective | other | 2025-01-01 | 2025-12-31 | 0.5 | x | y\n" \
	"issued: 2025-02-28T23:59:59Z\n"

static int
allowed(const char *msg, size_t len, char *what)
{
	char err[HS_ERRLEN] = "", w[128] = "";

	if (signer_check(ORIGIN, msg, len, w, sizeof(w), err) != HS_OK) {
		printf("#   %s\n", err);
		return 0;
	}
	if (what != NULL)
		strcpy(what, w);
	return 1;
}

#define OK_MSG(m, ...) T_OK(allowed(m, strlen(m), NULL), __VA_ARGS__)
#define NO_MSG(m, ...) T_OK(!allowed(m, strlen(m), NULL), __VA_ARGS__)

static void
test_check(void)
{
	char what[128] = "", *big;

	T_OK(allowed(CP, strlen(CP), what) &&
	    strcmp(what, "checkpoint size 6476701") == 0,
	    "a checkpoint of its origin (%s)", what);
	T_OK(allowed(COURSE, strlen(COURSE), what) &&
	    strcmp(what, "certificate 2025-0000-0000-0000-000Z") == 0,
	    "a certificate note (%s)", what);
	OK_MSG(ORIGIN "\n0\n" HASH "\n", "a checkpoint of size 0");
	NO_MSG("hello\n", "arbitrary text");
	NO_MSG("", "nothing");
	NO_MSG("other.example/x\n5\n" HASH "\n", "another origin's checkpoint");
	NO_MSG(ORIGIN "x\n5\n" HASH "\n", "an origin with a suffix");
	NO_MSG(ORIGIN "\n5\n" HASH "\nextension line\n",
	    "a checkpoint with an extension line");
	NO_MSG(ORIGIN "\n5\n" HASH, "no final newline");
	NO_MSG(ORIGIN "\n05\n" HASH "\n", "a size with a leading zero");
	NO_MSG(ORIGIN "\n-5\n" HASH "\n", "a negative size");
	NO_MSG(ORIGIN "\n5x\n" HASH "\n", "a size that is not a number");
	NO_MSG(ORIGIN "\n99999999999999999999\n" HASH "\n", "a size over 2^64");
	NO_MSG(ORIGIN "\n5\nAAAA\n", "a short root hash");
	NO_MSG(ORIGIN "\n5\n" "mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9W!=" "\n",
	    "a root hash that is not base64");
	NO_MSG(ORIGIN "\n5\n\n" HASH "\n", "a blank line");
	NO_MSG("hourseal/cert/v1\n", "a certificate header alone");
	NO_MSG("hourseal/cert/v1\nserial: x\n", "a malformed certificate");
	NO_MSG("hourseal/leaf/v1 key 2024 x\n", "a ledger leaf");
	NO_MSG("hourseal/cert/v2\nserial: 2025-0000-0000-0000-000Z\n",
	    "another certificate version");
	T_OK(!allowed(ORIGIN "\n5\n\0" HASH "\n", strlen(ORIGIN) + 4 + 45,
	    NULL), "a NUL byte");
	big = malloc(SIGNER_MSG_MAX + 2);
	memset(big, 'a', SIGNER_MSG_MAX + 1);
	big[SIGNER_MSG_MAX + 1] = '\0';
	T_OK(!allowed(big, SIGNER_MSG_MAX + 1, NULL), "over %d bytes",
	    SIGNER_MSG_MAX);
	free(big);
}

/* Signs with a key that is not the advertised one. */
static enum hs_err
bad_sign(void *ctx, const char *text, size_t len, uint8_t sig[64], char *err)
{
	return note_sign_raw(ctx, text, len, sig, err);
}

static void
test_process(void)
{
	uint8_t seed[32], seed2[32], pub[32];
	struct note_signer *local = NULL, *other = NULL, *remote = NULL, *bad = NULL;
	struct signer_remote *r = NULL;
	struct note_verifier *v = NULL;
	struct note_verified ver;
	char err[HS_ERRLEN] = "", label[KEYS_LABEL_MAX + 1] = "";
	struct buf a, b;
	int sp[2], status = -1;
	pid_t pid;
	enum hs_err rc;

	memset(seed, 7, sizeof(seed));
	memset(seed2, 9, sizeof(seed2));
	T_OK(note_signer_new(ORIGIN, seed, &local, err) == HS_OK, "a local key");
	T_OK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp) == 0, "a socketpair");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(sp[0]);
		signer_serve(sp[1], local, "2024-01-01", NULL, stderr, err);
		_exit(0);
	}
	close(sp[1]);
	rc = signer_remote_open(sp[0], &remote, label, &r, err);
	T_OK(rc == HS_OK, "the remote signer opens (%s)", err);
	T_STREQ(label, "2024-01-01", "the hello carries the key's label");
	if (rc != HS_OK)
		return;
	T_STREQ(note_signer_name(remote), ORIGIN, "and its name");
	T_OK(note_signer_keyid(remote) == note_signer_keyid(local),
	    "and its key ID");
	buf_init(&a);
	buf_init(&b);
	T_OK(note_sign(remote, CP, strlen(CP), &a, err) == HS_OK,
	    "a checkpoint signed through the socket (%s)", err);
	note_sign(local, CP, strlen(CP), &b, err);
	T_OK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0,
	    "byte for byte the note a local key makes");
	note_signer_pub(local, pub);
	note_verifier_new(ORIGIN, pub, &v, err);
	T_OK(note_open(a.data, a.len, &v, 1, &ver, err) == HS_OK,
	    "it opens with the public key");
	buf_reset(&a);
	T_OK(note_sign(remote, COURSE, strlen(COURSE), &a, err) == HS_OK,
	    "a certificate note through the socket");
	buf_reset(&a);
	rc = note_sign(remote, "please sign me\n", 15, &a, err);
	T_OK(rc == HS_ERR_STATE && strstr(err, "refused") != NULL,
	    "other text through the socket: refused (%s)", err);
	buf_reset(&a);
	T_OK(note_sign(remote, CP, strlen(CP), &a, err) == HS_OK,
	    "and the signer goes on after a refusal");
	note_signer_free(remote);
	signer_remote_free(r);
	waitpid(pid, &status, 0);
	T_OK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "the signer exits when the other end closes");

	/* A remote signer whose answers are by another key. */
	note_signer_new(ORIGIN, seed2, &other, err);
	T_OK(note_signer_new_remote(ORIGIN, pub, bad_sign, other, &bad, err) ==
	    HS_OK, "a remote signer with a lying signing call");
	buf_reset(&a);
	rc = note_sign(bad, CP, strlen(CP), &a, err);
	T_OK(rc == HS_ERR_SIGNATURE && a.len == 0,
	    "its signature does not verify: refused, nothing written (%s)",
	    err);
	T_OK(note_signer_new_remote("bad name", pub, bad_sign, other, &remote,
	    err) == HS_ERR_INVALID, "an invalid key name");
	T_OK(note_signer_new_remote(ORIGIN, pub, NULL, NULL, &remote, err) ==
	    HS_ERR_INVALID, "no signing call");

	/* A signer that could not load its key says why. */
	T_OK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp) == 0, "a socketpair");
	signer_serve(sp[1], NULL, NULL, "wrong passphrase", stderr, err);
	close(sp[1]);
	rc = signer_remote_open(sp[0], &remote, label, &r, err);
	T_OK(rc == HS_ERR_STATE && strstr(err, "wrong passphrase") != NULL,
	    "a signer without a key: the HTTP side gets the reason (%s)", err);
	close(sp[0]);
	note_signer_free(bad);
	note_signer_free(other);
	note_signer_free(local);
	note_verifier_free(v);
	buf_free(&a);
	buf_free(&b);
}

int
main(void)
{
	test_check();
	test_process();
	return t_done();
}
