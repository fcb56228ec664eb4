/*
 * vstate.h - what a verifier remembers across restarts, and whether it is
 * refusing its database now (service.md §7: a verifier never goes back).
 *
 * The state file (serve --state FILE; by default the database's path
 * with ".state" appended) holds the largest checkpoint this verifier has
 * verified, with its signed note, so that the claim is checked again at
 * start:
 *
 *   hourseal-verifier-state v1
 *   origin <log origin>
 *   size <tree size>
 *   root <base64 root hash>
 *   accepted <RFC 3339 time it was first verified>
 *
 *   <the signed checkpoint note, verbatim>
 *
 * It is written only after a checkpoint fully verified (vtree_sync), only
 * when it is larger than the one in the file, by an atomic, fsync'd
 * replace, mode 0600. A file that is not a regular file, is writable by
 * group or others, or does not parse is refused. Without a file the
 * first verified checkpoint is trusted (trust on first use) and written.
 *
 * The refusal state says why the database's latest checkpoint is not
 * served (older, a fork, not an extension, damaged), what size the
 * database has, and whether the process still answers from the last
 * checkpoint it verified. Each change of it is one line on stderr (once
 * per event, not per request). All functions are thread-safe.
 */
#ifndef HS_VSTATE_H
#define HS_VSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlog/checkpoint.h"
#include "core/hs.h"
#include "vtree.h"

#define VSTATE_FILE_MAX (CHECKPOINT_NOTE_MAX + 1024)
#define VSTATE_REASON_MAX 384

struct vstate;

/*
 * Opens the state at path (NULL: remember in memory only). Reads and
 * parses the file if there is one; its signature is checked by the
 * caller (vstate_file_note, vstate_confirm). HS_ERR_FORMAT, HS_ERR_IO,
 * HS_ERR_STATE (permissions) or HS_ERR_TOOBIG with err naming the file.
 * Caller frees with vstate_free.
 */
enum hs_err vstate_open(const char *path, struct vstate **out, char *err);
void vstate_free(struct vstate *vs); /* accepts NULL */

/* The path ("" for none). */
const char *vstate_path(const struct vstate *vs);

/*
 * The signed checkpoint note read from the file, not yet confirmed:
 * points into vs (valid until vstate_free). False if there is none or it
 * was confirmed already.
 */
bool vstate_file_note(struct vstate *vs, const char **note, size_t *len);

/*
 * The caller verified the file's note with its trusted keys as cp: checks
 * that the header says the same (origin, size, root) and makes it the
 * remembered checkpoint. HS_ERR_FORMAT if the header disagrees.
 */
enum hs_err vstate_confirm(struct vstate *vs, const struct checkpoint *cp,
    char *err);

/*
 * A checkpoint fully verified and now served: clears a refusal (saying so
 * on stderr) and writes the file if cp is larger than the one in it (or
 * there is none). A write that fails is said on stderr and counted; the
 * next accepted checkpoint tries again.
 */
void vstate_accept(struct vstate *vs, const struct checkpoint *cp,
    const char *note, size_t len);

/*
 * The database's checkpoint (claimed size db_size, 0 if unknown) is
 * refused for why, reason one line without paths. retained: answers
 * still come from the last verified checkpoint (size serving); else the
 * service answers 503. Says so on stderr if this is a new event.
 */
void vstate_refuse(struct vstate *vs, enum vtree_refusal why,
    uint64_t db_size, const char *reason, bool retained, uint64_t serving);

/*
 * Parses a state file's bytes data[0..len) (the form above): the header
 * into hdr and the note (*note points into data). The note's own text
 * must say what the header says; no signature is checked. HS_ERR_FORMAT
 * naming the line. (vstate_open uses it; exposed for tests and fuzzing.)
 */
enum hs_err vstate_parse(const char *data, size_t len, struct checkpoint *hdr,
    const char **note, size_t *nlen, char *err);

/* A snapshot for /healthz and /metrics. */
struct vstate_info {
	enum vtree_refusal refused;   /* VTREE_ACCEPTED: not refusing */
	char reason[VSTATE_REASON_MAX];
	bool retained;                /* refusing, answering from memory */
	uint64_t serving;             /* size answers rest on (0: none) */
	uint64_t db_size;             /* the database's checkpoint, as seen */
	uint64_t remembered;          /* the largest verified or remembered */
	uint64_t events[VTREE_REFUSALS]; /* refusal events since start */
	uint64_t write_errors;
	bool have_file;               /* the state is on disk */
};
void vstate_info(struct vstate *vs, struct vstate_info *out);

/* "rollback", "fork", "inconsistent", "damaged" ("none" for accepted). */
const char *vstate_refusal_name(enum vtree_refusal why);

#endif
