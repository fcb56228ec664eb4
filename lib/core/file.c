#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/file.h"
#include "core/util.h"

/* What a path names when a writer looks at it. */
enum target {
	T_NEW,     /* nothing there yet */
	T_REG,     /* a regular file: replaced by rename */
	T_DIRECT,  /* a device or FIFO: written as it is */
};

struct file_out {
	char path[PATH_MAX];  /* the target, symlink resolved if followed */
	char tmp[PATH_MAX];   /* the temporary file, "" if writing directly */
	int fd;
	unsigned flags;
	bool direct;          /* path was a device or FIFO when opened */
	size_t blen;
	char buf[64 * 1024];
};

/* Writes all of p[0..n) to fd. */
static int
write_all(int fd, const void *p, size_t n)
{
	const char *s = p;
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, s, n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* fsync that a device or FIFO may not support (EINVAL, EROFS). */
static int
sync_fd(int fd, bool direct)
{
	if (fsync(fd) == 0)
		return 0;
	return direct && (errno == EINVAL || errno == EROFS ||
	    errno == ENOTSUP) ? 0 : -1;
}

/* Splits path into its directory (or ".") and its last component. */
static enum hs_err
split(const char *path, char dir[PATH_MAX], const char **base, char *err)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	if (strlen(path) >= PATH_MAX)
		return hs_fail(err, HS_ERR_INVALID, "%.80s...: path too long",
		    path);
	if (slash == NULL) {
		snprintf(dir, PATH_MAX, ".");
		*base = path;
	} else {
		n = slash == path ? 1 : (size_t)(slash - path);
		memcpy(dir, path, n);
		dir[n] = '\0';
		*base = slash + 1;
	}
	if (**base == '\0' || strcmp(*base, ".") == 0 ||
	    strcmp(*base, "..") == 0)
		return hs_fail(err, HS_ERR_INVALID, "%s: is a directory, not a "
		    "file", path);
	return HS_OK;
}

static enum hs_err
sync_dir(const char *dir, char *err)
{
	int fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return hs_fail(err, HS_ERR_IO, "%s: %s", dir, strerror(errno));
	if (fsync(fd) != 0 && errno != EINVAL) {
		close(fd);
		return hs_fail(err, HS_ERR_IO, "%s: %s", dir, strerror(errno));
	}
	close(fd);
	return HS_OK;
}

/*
 * Looks at path: what it is, and (FILE_FOLLOW) where its symlink leads.
 * The path to write is left in real.
 */
static enum hs_err
examine(const char *path, unsigned flags, char real[PATH_MAX],
    enum target *t, char *err)
{
	struct stat st;

	if (strlen(path) >= PATH_MAX)
		return hs_fail(err, HS_ERR_INVALID, "%.80s...: path too long",
		    path);
	snprintf(real, PATH_MAX, "%s", path);
	if (lstat(path, &st) != 0) {
		if (errno == ENOENT) {
			*t = T_NEW;
			return HS_OK;
		}
		return hs_fail(err, HS_ERR_IO, "%s: %s", path, strerror(errno));
	}
	if (S_ISLNK(st.st_mode)) {
		if (!(flags & FILE_FOLLOW))
			return hs_fail(err, HS_ERR_INVALID, "%s: is a symbolic "
			    "link; refusing to write through or replace it "
			    "(give the path of the file itself)", path);
		if (realpath(path, real) == NULL)
			return hs_fail(err, HS_ERR_IO, "%s: symbolic link to "
			    "nothing usable: %s", path, strerror(errno));
		if (lstat(real, &st) != 0)
			return hs_fail(err, HS_ERR_IO, "%s: %s", real,
			    strerror(errno));
	}
	if (S_ISREG(st.st_mode))
		*t = T_REG;
	else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ||
	    S_ISFIFO(st.st_mode))
		*t = T_DIRECT;
	else if (S_ISDIR(st.st_mode))
		return hs_fail(err, HS_ERR_INVALID, "%s: is a directory, not a "
		    "file", path);
	else
		return hs_fail(err, HS_ERR_INVALID, "%s: is a socket or other "
		    "special file; cannot write it", path);
	return HS_OK;
}

/* Opens a device or FIFO for writing, never creating or following. */
static enum hs_err
open_direct(const char *path, int *fd, char *err)
{
	struct stat st;

	if ((*fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return hs_fail(err, HS_ERR_IO, "%s: %s", path, strerror(errno));
	/* It must still be what examine() saw, not a file put there since. */
	if (fstat(*fd, &st) != 0 || S_ISREG(st.st_mode) ||
	    S_ISDIR(st.st_mode)) {
		close(*fd);
		*fd = -1;
		return hs_fail(err, HS_ERR_IO, "%s: changed while it was "
		    "being opened", path);
	}
	return HS_OK;
}

enum hs_err
file_read(const char *path, size_t max, char **out, size_t *len, char *err)
{
	struct buf b;
	char chunk[65536];
	size_t n;
	FILE *f;
	enum hs_err rc = HS_OK;

	*out = NULL;
	if (len)
		*len = 0;
	buf_init(&b);
	if ((f = fopen(path, "rb")) == NULL)
		return hs_fail(err, errno == ENOENT ? HS_ERR_NOTFOUND : HS_ERR_IO,
		    "%s: %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (b.len + n > max) {
			rc = hs_fail(err, HS_ERR_TOOBIG,
			    "%s: larger than %zu bytes", path, max);
			goto out;
		}
		buf_add(&b, chunk, n);
	}
	if (ferror(f)) {
		rc = hs_fail(err, HS_ERR_IO, "%s: read error", path);
		goto out;
	}
	if (len)
		*len = b.len;
	if ((*out = buf_steal(&b)) == NULL)
		rc = hs_fail(err, HS_ERR_NOMEM, "%s: out of memory", path);
out:
	buf_free(&b);
	fclose(f);
	return rc;
}

enum hs_err
file_read_guarded(const char *path, size_t max, const char *fix, char **out,
    size_t *len, char *err)
{
	struct stat sb;
	char *data = NULL;
	size_t n = 0;
	ssize_t r;
	int fd;
	enum hs_err rc = HS_OK;

	*out = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)) <
	    0)
		return hs_fail(err, errno == ENOENT ? HS_ERR_NOTFOUND :
		    HS_ERR_IO, "%s: %s", path, errno == ELOOP ?
		    "is a symbolic link" : strerror(errno));
	if (fstat(fd, &sb) != 0) {
		rc = hs_fail(err, HS_ERR_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		rc = hs_fail(err, HS_ERR_STATE, "%s: not a regular file", path);
		goto out;
	}
	if (sb.st_mode & (S_IWGRP | S_IWOTH)) {
		rc = hs_fail(err, HS_ERR_STATE, "%s: writable by group or "
		    "others (mode %03o)%s%s", path,
		    (unsigned)(sb.st_mode & 0777), fix ? "; " : "",
		    fix ? fix : "");
		goto out;
	}
	if ((data = malloc(max + 1)) == NULL) {
		rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
		goto out;
	}
	while (n <= max) {
		r = read(fd, data + n, max + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = hs_fail(err, HS_ERR_IO, "%s: %s", path,
			    strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > max) {
		rc = hs_fail(err, HS_ERR_TOOBIG, "%s: over %zu bytes", path,
		    max);
		goto out;
	}
	data[n] = '\0';
	*out = data;
	*len = n;
	data = NULL;
out:
	free(data);
	close(fd);
	return rc;
}

enum hs_err
file_mkdirs(const char *path, int mode, char *err)
{
	char tmp[PATH_MAX];
	struct stat st;
	size_t i, n = strlen(path);

	if (n == 0)
		return hs_fail(err, HS_ERR_INVALID, "empty directory name");
	if (n >= sizeof(tmp))
		return hs_fail(err, HS_ERR_INVALID, "%.80s...: path too long",
		    path);
	memcpy(tmp, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (tmp[i] != '/' && tmp[i] != '\0')
			continue;
		if (tmp[i - 1] == '/')
			continue;   /* "a//b" or a trailing slash */
		tmp[i] = '\0';
		if (mkdir(tmp, (mode_t)mode) != 0 && errno != EEXIST)
			return hs_fail(err, HS_ERR_IO, "%s: %s", tmp,
			    strerror(errno));
		if (stat(tmp, &st) != 0 || !S_ISDIR(st.st_mode))
			return hs_fail(err, HS_ERR_IO, "%s: not a directory",
			    tmp);
		tmp[i] = path[i];
	}
	return HS_OK;
}

enum hs_err
file_mkparents(const char *path, int mode, char *err)
{
	char dir[PATH_MAX];
	const char *base;
	enum hs_err rc;

	if (strchr(path, '/') == NULL)
		return HS_OK;
	if ((rc = split(path, dir, &base, err)) != HS_OK)
		return rc;
	return file_mkdirs(dir, mode, err);
}

bool
file_pid_alive(long pid)
{
	if (pid <= 0 || pid > INT_MAX)
		return false;
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

/*
 * If name is "<prefix><base>.tmp.<pid>" returns the pid, else -1.
 */
static long
temp_pid(const char *name, const char *prefix, const char *base)
{
	size_t np = strlen(prefix), nb = strlen(base);
	const char *p;
	uint64_t v;

	if (strncmp(name, prefix, np) != 0 ||
	    strncmp(name + np, base, nb) != 0 ||
	    strncmp(name + np + nb, ".tmp.", 5) != 0)
		return -1;
	p = name + np + nb + 5;
	if (dec_parse_u64(p, strlen(p), INT_MAX, &v) != 0)
		return -1;
	return (long)v;
}

int
file_clean_stale(const char *path)
{
	char dir[PATH_MAX];
	const char *base;
	struct dirent *de;
	struct stat st;
	DIR *d;
	long pid;
	int n = 0;

	if (split(path, dir, &base, NULL) != HS_OK ||
	    (d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if ((pid = temp_pid(de->d_name, ".", base)) < 0 &&
		    (pid = temp_pid(de->d_name, "", base)) < 0)
			continue;
		if (pid == (long)getpid() || file_pid_alive(pid))
			continue;
		/* Only regular files: what a writer here would have left. */
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) ==
		    0 && S_ISREG(st.st_mode) &&
		    unlinkat(dirfd(d), de->d_name, 0) == 0)
			n++;
	}
	closedir(d);
	return n;
}

/* Copies the content of file src into the open descriptor out. */
static enum hs_err
copy_into(const char *src, int out, const char *path, char *err)
{
	char chunk[65536];
	ssize_t r;
	int in;

	if ((in = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return hs_fail(err, HS_ERR_IO, "%s: %s", src, strerror(errno));
	for (;;) {
		if ((r = read(in, chunk, sizeof(chunk))) < 0) {
			if (errno == EINTR)
				continue;
			close(in);
			return hs_fail(err, HS_ERR_IO, "%s: %s", src,
			    strerror(errno));
		}
		if (r == 0)
			break;
		if (write_all(out, chunk, (size_t)r) != 0) {
			close(in);
			return hs_fail(err, HS_ERR_IO, "%s: %s", path,
			    strerror(errno));
		}
	}
	close(in);
	return HS_OK;
}

enum hs_err
file_install(const char *tmp, const char *path, unsigned flags, char *err)
{
	char real[PATH_MAX], dir[PATH_MAX];
	const char *base;
	enum target t;
	enum hs_err rc;
	int fd;

	if ((rc = examine(path, flags, real, &t, err)) != HS_OK)
		return rc;
	if (t == T_DIRECT) {
		/* A device or FIFO stays what it is: its content is written. */
		if ((rc = open_direct(real, &fd, err)) != HS_OK)
			return rc;
		if ((rc = copy_into(tmp, fd, real, err)) == HS_OK &&
		    (flags & FILE_SYNC) && sync_fd(fd, true) != 0)
			rc = hs_fail(err, HS_ERR_IO, "%s: %s", real,
			    strerror(errno));
		if (close(fd) != 0 && rc == HS_OK)
			rc = hs_fail(err, HS_ERR_IO, "%s: %s", real,
			    strerror(errno));
		if (rc == HS_OK)
			unlink(tmp);
		return rc;
	}
	if (rename(tmp, real) != 0)
		return hs_fail(err, HS_ERR_IO, "%s: %s", real, strerror(errno));
	if ((flags & FILE_SYNC) && split(real, dir, &base, NULL) == HS_OK)
		return sync_dir(dir, err);
	return HS_OK;
}

enum hs_err
file_put(const char *tmp, const void *data, size_t n, int mode,
    unsigned flags, char *err)
{
	struct stat st;
	int fd;

	/* O_NONBLOCK: a FIFO planted here fails fstat's test, not hangs. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC, mode);
	if (fd < 0)
		return hs_fail(err, HS_ERR_IO, "%s: %s", tmp, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return hs_fail(err, HS_ERR_IO, "%s: not a regular file", tmp);
	}
	/*
	 * Truncating an empty file is not a no-op on ext4: it marks the file
	 * to be flushed when closed (auto_da_alloc), one write per PDF.
	 */
	if ((st.st_size != 0 && ftruncate(fd, 0) != 0) ||
	    fchmod(fd, (mode_t)mode) != 0 ||
	    write_all(fd, data, n) != 0 ||
	    ((flags & FILE_SYNC) && fsync(fd) != 0)) {
		hs_fail(err, HS_ERR_IO, "%s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return HS_ERR_IO;
	}
	if (close(fd) != 0) {
		hs_fail(err, HS_ERR_IO, "%s: %s", tmp, strerror(errno));
		unlink(tmp);
		return HS_ERR_IO;
	}
	return HS_OK;
}

enum hs_err
file_out_open(const char *path, int mode, unsigned flags,
    struct file_out **out, char *err)
{
	struct file_out *f;
	char dir[PATH_MAX];
	const char *base;
	enum target t;
	enum hs_err rc;
	int tries, w;

	*out = NULL;
	if ((f = malloc(sizeof(*f))) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	f->fd = -1;
	f->tmp[0] = '\0';
	f->blen = 0;
	f->flags = flags;
	if ((rc = examine(path, flags, f->path, &t, err)) != HS_OK)
		goto fail;
	f->direct = t == T_DIRECT;
	if (f->direct && !(flags & FILE_STAGE)) {
		if ((rc = open_direct(f->path, &f->fd, err)) != HS_OK)
			goto fail;
		*out = f;
		return HS_OK;
	}
	if ((rc = split(f->path, dir, &base, err)) != HS_OK)
		goto fail;
	if (flags & FILE_CLEAN)
		(void)file_clean_stale(f->path);
	w = snprintf(f->tmp, sizeof(f->tmp), "%s/.%s.tmp.%ld", dir, base,
	    (long)getpid());
	if (w < 0 || (size_t)w >= sizeof(f->tmp) || strlen(base) + 30 >
	    NAME_MAX) {
		rc = hs_fail(err, HS_ERR_INVALID, "%s: name too long", path);
		f->tmp[0] = '\0';
		goto fail;
	}
	/* Ours alone: a file by this name is a leftover of this pid's past. */
	for (tries = 0; tries < 2; tries++) {
		f->fd = open(f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, mode);
		if (f->fd >= 0 || errno != EEXIST)
			break;
		(void)unlink(f->tmp);
	}
	if (f->fd < 0) {
		/* Named by the path asked for: the temporary name is ours. */
		rc = hs_fail(err, HS_ERR_IO, "%s: %s", path, strerror(errno));
		f->tmp[0] = '\0';
		goto fail;
	}
	if (fchmod(f->fd, (mode_t)mode) != 0) {
		rc = hs_fail(err, HS_ERR_IO, "%s: %s", f->tmp, strerror(errno));
		goto fail;
	}
	*out = f;
	return HS_OK;
fail:
	file_out_abort(f);
	return rc;
}

const char *
file_out_path(const struct file_out *f)
{
	return f->tmp[0] != '\0' ? f->tmp : f->path;
}

static enum hs_err
out_flush(struct file_out *f, char *err)
{
	if (f->blen > 0 && write_all(f->fd, f->buf, f->blen) != 0)
		return hs_fail(err, HS_ERR_IO, "%s: %s", file_out_path(f),
		    strerror(errno));
	f->blen = 0;
	return HS_OK;
}

enum hs_err
file_out_write(struct file_out *f, const void *p, size_t n, char *err)
{
	enum hs_err rc;

	if (f->blen + n > sizeof(f->buf) && (rc = out_flush(f, err)) != HS_OK)
		return rc;
	if (n >= sizeof(f->buf)) {
		if (write_all(f->fd, p, n) != 0)
			return hs_fail(err, HS_ERR_IO, "%s: %s",
			    file_out_path(f), strerror(errno));
		return HS_OK;
	}
	memcpy(f->buf + f->blen, p, n);
	f->blen += n;
	return HS_OK;
}

enum hs_err
file_out_commit(struct file_out *f, char *err)
{
	bool sync = (f->flags & FILE_SYNC) != 0;
	enum hs_err rc;
	int fd = f->fd;

	if ((rc = out_flush(f, err)) != HS_OK)
		goto fail;
	if (sync && sync_fd(fd, f->tmp[0] == '\0') != 0) {
		rc = hs_fail(err, HS_ERR_IO, "%s: %s", file_out_path(f),
		    strerror(errno));
		goto fail;
	}
	f->fd = -1;
	if (close(fd) != 0) {
		rc = hs_fail(err, HS_ERR_IO, "%s: %s", file_out_path(f),
		    strerror(errno));
		goto fail;
	}
	if (f->tmp[0] != '\0') {
		/* FILE_FOLLOW was applied when f->path was resolved. */
		if ((rc = file_install(f->tmp, f->path, f->flags &
		    ~FILE_FOLLOW, err)) != HS_OK)
			goto fail;
		f->tmp[0] = '\0';
	}
	free(f);
	return HS_OK;
fail:
	file_out_abort(f);
	return rc;
}

void
file_out_abort(struct file_out *f)
{
	if (f == NULL)
		return;
	if (f->fd >= 0)
		close(f->fd);
	if (f->tmp[0] != '\0')
		unlink(f->tmp);
	free(f);
}

enum hs_err
file_write(const char *path, const void *data, size_t n, int mode,
    unsigned flags, char *err)
{
	struct file_out *f;
	enum hs_err rc;

	if ((rc = file_out_open(path, mode, flags & ~FILE_STAGE, &f, err)) !=
	    HS_OK)
		return rc;
	if ((rc = file_out_write(f, data, n, err)) != HS_OK) {
		file_out_abort(f);
		return rc;
	}
	return file_out_commit(f, err);
}

enum hs_err
file_write_atomic(const char *path, const void *data, size_t n, int mode,
    char *err)
{
	return file_write(path, data, n, mode, FILE_SYNC, err);
}

enum hs_err
file_open_append(const char *path, int mode, unsigned flags, int *fd,
    char *err)
{
	char real[PATH_MAX];
	enum target t;
	enum hs_err rc;

	*fd = -1;
	if ((rc = examine(path, flags, real, &t, err)) != HS_OK)
		return rc;
	if (t == T_DIRECT)
		return open_direct(real, fd, err);
	if ((*fd = open(real, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW |
	    O_CLOEXEC, mode)) < 0)
		return hs_fail(err, HS_ERR_IO, "%s: %s", real, strerror(errno));
	return HS_OK;
}
