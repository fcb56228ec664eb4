/*
 * Unit tests for file.c: the writers against a character device made
 * with mknod (1,3, a null device in a temporary directory, never the
 * real /dev/null), a FIFO with a reader, symbolic links, regular files,
 * and the removal of temporary files left by dead processes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/util.h"
#include "t.h"
#include "tlib.h"

static char dir[256];

/* dir/name (sixteen at a time). */
static const char *
P(const char *name)
{
	static char p[16][PATH_MAX];
	static int k;

	k = (k + 1) % 16;
	if (path_join(p[k], sizeof(p[k]), dir, name, NULL) != HS_OK)
		p[k][0] = '\0';
	return p[k];
}

/* Entries in dir other than . and .. */
static int
entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static bool
is_null_dev(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISCHR(st.st_mode) &&
	    st.st_rdev == makedev(1, 3);
}

static bool
content_is(const char *path, const char *want)
{
	char *data = NULL;
	size_t len = 0;
	bool same;

	if (file_read(path, 1 << 20, &data, &len, NULL) != HS_OK)
		return false;
	same = len == strlen(want) && memcmp(data, want, len) == 0;
	free(data);
	return same;
}

static void
put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

static void
test_device(void)
{
	const char *dev = P("null");
	struct file_out *fo = NULL;
	char err[HS_ERRLEN] = "", tmp[PATH_MAX];
	int n;

	if (mknod(dev, S_IFCHR | 0666, makedev(1, 3)) != 0) {
		T_OK(0, "mknod a null device in %s: %s", dir, strerror(errno));
		return;
	}
	n = entries();
	T_OK(file_write_atomic(dev, "hello\n", 6, 0600, err) == HS_OK,
	    "file_write_atomic to a device: ok (%s)", err);
	T_OK(is_null_dev(dev), "the device is still char device 1,3");
	T_OK(entries() == n, "no temporary file left beside the device");
	T_OK(file_write(dev, "x", 1, 0600, FILE_SYNC | FILE_CLEAN, err) ==
	    HS_OK && is_null_dev(dev), "file_write FILE_SYNC|FILE_CLEAN to a "
	    "device: still a device");
	/* Staged (publish): built in a temporary file, copied at commit. */
	T_OK(file_out_open(dev, 0644, FILE_SYNC | FILE_STAGE, &fo, err) ==
	    HS_OK && strcmp(file_out_path(fo), dev) != 0,
	    "a staged output to a device writes a temporary file first");
	if (fo != NULL) {
		T_OK(file_out_write(fo, "db", 2, err) == HS_OK &&
		    file_out_commit(fo, err) == HS_OK, "staged commit to a "
		    "device: ok (%s)", err);
		fo = NULL;
	}
	T_OK(is_null_dev(dev) && entries() == n, "staged: still a device, "
	    "no temporary file left");
	/* A temporary file of the caller's naming, installed on a device. */
	snprintf(tmp, sizeof(tmp), "%s", P(".null.tmp"));
	T_OK(file_put(tmp, "pdf", 3, 0644, 0, err) == HS_OK &&
	    file_install(tmp, dev, FILE_SYNC, err) == HS_OK,
	    "file_put + file_install onto a device: ok (%s)", err);
	T_OK(is_null_dev(dev) && access(tmp, F_OK) != 0,
	    "installed: still a device, the temporary file is gone");
	T_OK(file_out_open(dev, 0600, 0, &fo, err) == HS_OK &&
	    strcmp(file_out_path(fo), dev) == 0,
	    "an unstaged output to a device writes the device itself");
	file_out_abort(fo);
	T_OK(is_null_dev(dev), "aborted: the device is untouched");
	unlink(dev);
}

/*
 * A reader child for the FIFO: copies what it reads to the pipe back.
 * Returns its pid; *rfd is the pipe's read end.
 */
static pid_t
fifo_reader(const char *fifo, int *rfd)
{
	int p[2], fd;
	char b[256];
	ssize_t r;
	pid_t pid;

	if (pipe(p) != 0)
		return -1;
	if ((pid = fork()) == 0) {
		close(p[0]);
		if ((fd = open(fifo, O_RDONLY)) < 0)
			_exit(1);
		while ((r = read(fd, b, sizeof(b))) > 0)
			if (write(p[1], b, (size_t)r) != r)
				_exit(1);
		_exit(0);
	}
	close(p[1]);
	*rfd = p[0];
	return pid;
}

/* What the reader got, waiting at most 5 s; then the reader is ended. */
static void
fifo_collect(pid_t pid, int rfd, char *out, size_t outsz)
{
	struct pollfd pf = { .fd = rfd, .events = POLLIN };
	size_t n = 0;
	ssize_t r;

	while (n + 1 < outsz && poll(&pf, 1, 5000) > 0) {
		if ((r = read(rfd, out + n, outsz - 1 - n)) <= 0)
			break;
		n += (size_t)r;
	}
	out[n] = '\0';
	close(rfd);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void
test_fifo(void)
{
	const char *fifo = P("fifo");
	char err[HS_ERRLEN] = "", got[256];
	struct stat st;
	pid_t pid;
	int rfd, n;

	if (mkfifo(fifo, 0600) != 0) {
		T_OK(0, "mkfifo: %s", strerror(errno));
		return;
	}
	n = entries();
	if ((pid = fifo_reader(fifo, &rfd)) < 0) {
		T_OK(0, "fork a FIFO reader");
		return;
	}
	T_OK(file_write_atomic(fifo, "through the fifo\n", 17, 0600, err) ==
	    HS_OK, "file_write_atomic to a FIFO: ok (%s)", err);
	T_OK(lstat(fifo, &st) == 0 && S_ISFIFO(st.st_mode),
	    "the FIFO is still a FIFO");
	fifo_collect(pid, rfd, got, sizeof(got));
	T_STREQ(got, "through the fifo\n", "the reader got the bytes");
	T_OK(entries() == n, "no temporary file left beside the FIFO");
	/* Staged through a FIFO (publish into a pipe). */
	if ((pid = fifo_reader(fifo, &rfd)) > 0) {
		char tmp[PATH_MAX];

		snprintf(tmp, sizeof(tmp), "%s", P(".fifo.part"));
		T_OK(file_put(tmp, "staged\n", 7, 0644, 0, err) == HS_OK &&
		    file_install(tmp, fifo, 0, err) == HS_OK,
		    "file_install into a FIFO: ok (%s)", err);
		fifo_collect(pid, rfd, got, sizeof(got));
		T_STREQ(got, "staged\n", "the reader got the installed file");
		T_OK(lstat(fifo, &st) == 0 && S_ISFIFO(st.st_mode) &&
		    access(tmp, F_OK) != 0, "still a FIFO, temporary gone");
	}
	/* A FIFO where a temporary file should be: refused, no hang. */
	T_OK(file_put(fifo, "x", 1, 0644, 0, err) != HS_OK,
	    "file_put refuses a FIFO as its temporary file (%s)", err);
	unlink(fifo);
}

static void
test_symlink(void)
{
	const char *target = P("target"), *link = P("link");
	const char *dlink = P("dangling"), *nothere = P("nothere");
	const char *devlink = P("devlink"), *dev = P("null2");
	char err[HS_ERRLEN] = "", rl[PATH_MAX];
	struct stat st;
	ssize_t r;
	int fd;

	put(target, "old\n");
	if (symlink(target, link) != 0 || symlink(nothere, dlink) != 0) {
		T_OK(0, "symlink: %s", strerror(errno));
		return;
	}
	err[0] = '\0';
	T_OK(file_write_atomic(link, "new\n", 4, 0644, err) == HS_ERR_INVALID,
	    "file_write_atomic refuses a symlink");
	T_OK(strstr(err, "symbolic link") != NULL, "and says so: %s", err);
	T_OK(lstat(link, &st) == 0 && S_ISLNK(st.st_mode) &&
	    (r = readlink(link, rl, sizeof(rl) - 1)) > 0 &&
	    (rl[r] = '\0', strcmp(rl, target) == 0),
	    "the symlink is still the same symlink");
	T_OK(content_is(target, "old\n"), "its target is unchanged");
	T_OK(file_write(dlink, "x", 1, 0644, FILE_SYNC, err) != HS_OK &&
	    access(nothere, F_OK) != 0 && lstat(dlink, &st) == 0 &&
	    S_ISLNK(st.st_mode), "a dangling symlink: refused, nothing "
	    "created where it points");
	T_OK(file_open_append(link, 0640, 0, &fd, err) != HS_OK,
	    "file_open_append refuses a symlink");
	if (mknod(dev, S_IFCHR | 0666, makedev(1, 3)) == 0 &&
	    symlink(dev, devlink) == 0) {
		T_OK(file_write(devlink, "x", 1, 0600, 0, err) != HS_OK &&
		    is_null_dev(dev), "a symlink to a device: refused");
		T_OK(file_write(devlink, "x", 1, 0600, FILE_FOLLOW, err) ==
		    HS_OK && is_null_dev(dev) && lstat(devlink, &st) == 0 &&
		    S_ISLNK(st.st_mode), "FILE_FOLLOW to a device: written "
		    "through, device and link kept (%s)", err);
	}
	T_OK(file_write(link, "new\n", 4, 0644, FILE_FOLLOW | FILE_SYNC,
	    err) == HS_OK && content_is(target, "new\n") &&
	    lstat(link, &st) == 0 && S_ISLNK(st.st_mode),
	    "FILE_FOLLOW: the target is replaced, the link stays (%s)", err);
	/* A symlink planted as a writer's own temporary file. */
	T_OK(file_put(link, "x", 1, 0644, 0, err) != HS_OK &&
	    content_is(target, "new\n"), "file_put refuses a symlink");
	unlink(link);
	unlink(dlink);
	unlink(devlink);
	unlink(dev);
	unlink(target);
}

static void
test_regular(void)
{
	const char *reg = P("reg"), *sub = P("a/b/c"), *file = P("a/b/c/f");
	struct file_out *fo = NULL;
	char err[HS_ERRLEN] = "";
	struct stat st;
	mode_t old = umask(022);
	int n, fd;

	n = entries();
	put(reg, "before\n");
	chmod(reg, 0644);
	T_OK(file_write_atomic(reg, "secret\n", 7, 0600, err) == HS_OK &&
	    content_is(reg, "secret\n"), "a regular file is replaced");
	T_OK(stat(reg, &st) == 0 && (st.st_mode & 07777) == 0600,
	    "with exactly the mode asked (0600), whatever was there");
	T_OK(entries() == n + 1, "no temporary file left");
	T_OK(file_out_open(reg, 0644, FILE_SYNC, &fo, err) == HS_OK,
	    "file_out_open a regular file");
	if (fo != NULL) {
		T_OK(strstr(file_out_path(fo), "/.reg.tmp.") != NULL,
		    "bytes go to .reg.tmp.<pid> first: %s", file_out_path(fo));
		file_out_write(fo, "half", 4, err);
		T_OK(content_is(reg, "secret\n"), "nothing replaced before "
		    "commit");
		file_out_abort(fo);
		T_OK(content_is(reg, "secret\n") && entries() == n + 1,
		    "abort: old content kept, temporary removed");
	}
	T_OK(file_write(dir, "x", 1, 0644, 0, err) != HS_OK,
	    "a directory: refused (%s)", err);
	T_OK(file_mkdirs(sub, 0755, err) == HS_OK && stat(sub, &st) == 0 &&
	    S_ISDIR(st.st_mode), "file_mkdirs a/b/c");
	T_OK(file_mkdirs(sub, 0755, err) == HS_OK, "file_mkdirs again: ok");
	T_OK(file_mkparents(file, 0755, err) == HS_OK &&
	    file_write(file, "f", 1, 0644, 0, err) == HS_OK,
	    "file_mkparents + file_write a/b/c/f");
	T_OK(file_mkdirs(P("reg/x"), 0755, err) != HS_OK,
	    "file_mkdirs through a file: refused");
	T_OK(file_open_append(P("log"), 0640, 0, &fd, err) == HS_OK &&
	    write(fd, "1\n", 2) == 2 && close(fd) == 0 &&
	    file_open_append(P("log"), 0640, 0, &fd, err) == HS_OK &&
	    write(fd, "2\n", 2) == 2 && close(fd) == 0 &&
	    content_is(P("log"), "1\n2\n"), "file_open_append appends");
	umask(old);
}

static void
test_clean(void)
{
	char name[64], live[64], deadold[64], other[64], notpid[64];
	pid_t dead;
	int removed;

	/* A pid that is surely not running: a child that has exited. */
	if ((dead = fork()) == 0)
		_exit(0);
	waitpid(dead, NULL, 0);
	snprintf(name, sizeof(name), ".m.csv.tmp.%ld", (long)dead);
	snprintf(deadold, sizeof(deadold), "m.csv.tmp.%ld", (long)dead);
	snprintf(live, sizeof(live), ".m.csv.tmp.%ld", (long)getppid());
	snprintf(other, sizeof(other), ".n.csv.tmp.%ld", (long)dead);
	snprintf(notpid, sizeof(notpid), ".m.csv.tmp.12x");
	put(P(name), "x");
	put(P(deadold), "x");
	put(P(live), "x");
	put(P(other), "x");
	put(P(notpid), "x");
	removed = file_clean_stale(P("m.csv"));
	T_OK(removed == 2, "file_clean_stale removed the 2 files of a dead "
	    "pid (got %d)", removed);
	T_OK(access(P(name), F_OK) != 0 && access(P(deadold), F_OK) != 0,
	    "'.m.csv.tmp.<dead>' and 'm.csv.tmp.<dead>' are gone");
	T_OK(access(P(live), F_OK) == 0, "a running process's file stays");
	T_OK(access(P(other), F_OK) == 0 && access(P(notpid), F_OK) == 0,
	    "other files stay");
	put(P(name), "x");
	T_OK(file_write(P("m.csv"), "a\n", 2, 0644, FILE_CLEAN, NULL) ==
	    HS_OK && access(P(name), F_OK) != 0 &&
	    access(P(live), F_OK) == 0, "file_write FILE_CLEAN removes them "
	    "too");
	T_OK(!file_pid_alive(dead) && file_pid_alive(getpid()),
	    "file_pid_alive");
}

int
main(void)
{
	if (t_tmpdir("file", dir, sizeof(dir)) != 0) {
		T_OK(0, "mkdtemp");
		return t_done();
	}
	if (geteuid() == 0)
		test_device();
	else
		printf("ok - # SKIP mknod needs root\n");
	test_fifo();
	test_symlink();
	test_regular();
	test_clean();
	if (t_rmtree(dir) != 0)
		printf("# could not remove %s\n", dir);
	return t_done();
}
