/*
 * file.h - the one way hourseal writes files (and reads them whole).
 *
 * A path a person named (a rejects file, an output directory, an access
 * log) may be a regular file, something that is not a file at all (a
 * device such as /dev/null, a FIFO) or a symbolic link. The writers here
 * treat each one as a careful shell would:
 *
 *   - missing or a regular file: the new content goes to a temporary file
 *     in the same directory (".<name>.tmp.<pid>", created O_EXCL and
 *     O_NOFOLLOW with the final mode), is fsynced when asked and renamed
 *     over the path, so a reader sees the old content or the new, never
 *     half of it; with FILE_SYNC the directory is fsynced too;
 *   - a character or block device or a FIFO: written directly, never
 *     renamed over (the device stays a device);
 *   - a symbolic link as the last component: refused with a message
 *     saying so, unless the caller passes FILE_FOLLOW (then the link's
 *     target is written by the same rules);
 *   - a directory or a socket: refused.
 *
 * Every function returns HS_OK or an hs_err with a one-line message in
 * err (HS_ERRLEN bytes, may be NULL); none exits.
 */
#ifndef HS_FILE_H
#define HS_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/hs.h"

#define FILE_SYNC   0x1u /* fsync the data, then the directory entry */
#define FILE_FOLLOW 0x2u /* write through a symlink at the last component */
#define FILE_CLEAN  0x4u /* first remove temporary files of this path that
			    processes no longer running left behind */
#define FILE_STAGE  0x8u /* file_out: always stage in a temporary file,
			    even for a device or FIFO (content copied at
			    commit), so the caller may reopen it by name */

/* Reads a whole file, at most max bytes. Caller frees *out (NUL-terminated). */
enum hs_err file_read(const char *path, size_t max, char **out, size_t *len,
    char *err);

/*
 * Reads a file whose content decides what is trusted (a verifier's trust
 * file, its remembered checkpoint): a regular file reached without a
 * symbolic link (a FIFO or device is refused without blocking), not
 * writable by group or others, at most max bytes. Caller frees *out
 * (NUL-terminated). HS_ERR_NOTFOUND if there is none; HS_ERR_STATE for a
 * file that is not regular or is writable by others (err then ends with
 * fix, e.g. "chmod go-w it"); HS_ERR_TOOBIG past max.
 */
enum hs_err file_read_guarded(const char *path, size_t max, const char *fix,
    char **out, size_t *len, char *err);

/*
 * Creates directory path and any missing parents (mode, less the umask),
 * like mkdir -p. A component that exists and is not a directory fails.
 */
enum hs_err file_mkdirs(const char *path, int mode, char *err);

/* file_mkdirs of the directory part of path (nothing if it has none). */
enum hs_err file_mkparents(const char *path, int mode, char *err);

/*
 * Writes data[0..n) to path by the rules above. mode is the mode of a
 * file it creates (exactly, whatever the umask); an existing device or
 * FIFO keeps its own. flags: FILE_SYNC, FILE_FOLLOW, FILE_CLEAN.
 */
enum hs_err file_write(const char *path, const void *data, size_t n,
    int mode, unsigned flags, char *err);

/* file_write with FILE_SYNC: durable once it returns HS_OK. */
enum hs_err file_write_atomic(const char *path, const void *data, size_t n,
    int mode, char *err);

/*
 * An output being written in pieces: file_out_open decides where the
 * bytes go (see above), file_out_write appends (buffered), and
 * file_out_commit makes them the content of path (and frees the handle).
 * file_out_abort removes any temporary file and frees; it accepts NULL.
 * Nothing replaces path before commit. Caller owns the handle.
 */
struct file_out;

enum hs_err file_out_open(const char *path, int mode, unsigned flags,
    struct file_out **out, char *err);
enum hs_err file_out_write(struct file_out *f, const void *p, size_t n,
    char *err);
/* The file the bytes go to now: the temporary file or path itself. */
const char *file_out_path(const struct file_out *f);
enum hs_err file_out_commit(struct file_out *f, char *err);
void file_out_abort(struct file_out *f);

/*
 * For writers that name their own temporary files (the issuer's PDFs):
 * file_put writes data to the temporary file tmp, creating it with mode
 * or truncating a regular file already there; it never writes through a
 * symlink or into anything but a regular file. file_install then moves
 * the finished tmp to path by the rules above (rename, or a copy into a
 * device or FIFO and the removal of tmp). With FILE_SYNC, file_put
 * fsyncs tmp and file_install the directory.
 */
enum hs_err file_put(const char *tmp, const void *data, size_t n, int mode,
    unsigned flags, char *err);
enum hs_err file_install(const char *tmp, const char *path, unsigned flags,
    char *err);

/*
 * Removes, in path's directory, the temporary files this module names for
 * path (".<name>.tmp.<pid>", and the "<name>.tmp.<pid>" of older
 * versions) whose process no longer runs. Files of running processes and
 * anything else are left alone. Returns how many it removed.
 */
int file_clean_stale(const char *path);

/*
 * Opens path for appending (a log), creating it with mode: never through
 * a symlink unless FILE_FOLLOW; a device or FIFO is opened as it is.
 * Returns the descriptor in *fd (O_CLOEXEC); caller closes.
 */
enum hs_err file_open_append(const char *path, int mode, unsigned flags,
    int *fd, char *err);

/* True if process pid runs (or exists but is not ours to signal). */
bool file_pid_alive(long pid);

#endif
