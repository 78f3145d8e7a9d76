// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "filesync.h"

int filesync_read_fd(int fd, struct buf *out, size_t limit)
{
	char chunk[4096];
	ssize_t n;
	int ret = 0;

	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		if (out->len + (size_t)n > limit) {
			ret = -EFBIG;
			break;
		}
		ret = buf_append(out, chunk, (size_t)n);
		if (ret)
			break;
	}
	sodium_memzero(chunk, sizeof(chunk));
	return ret;
}

int filesync_read(const char *path, struct buf *out, bool private)
{
	struct stat st;
	int ret, fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		goto out;
	}
	ret = -EINVAL;
	if (!S_ISREG(st.st_mode))
		goto out;
	ret = -EACCES;
	if (private && (st.st_mode & 077))
		goto out;
	ret = filesync_read_fd(fd, out, FILESYNC_MAX);
out:
	close(fd);
	return ret;
}

/* 1 when @path holds @data with @mode, 0 when it differs or is missing, -errno otherwise. */
static int same(const char *path, const void *data, size_t len, mode_t mode)
{
	struct buf cur = {0};
	struct stat st;
	int ret;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if ((st.st_mode & 07777) != mode || (size_t)st.st_size != len)
		return 0;
	ret = filesync_read(path, &cur, false);
	if (!ret)
		ret = cur.len == len && (len == 0 || !memcmp(cur.data, data, len));
	buf_free(&cur);
	return ret;
}

static int write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void sync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd;

	if (!copy)
		return;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

/* Writes @data to a new O_EXCL temporary file @tmp beside @path, mode @mode, and fsyncs it. */
static int write_tmp(char tmp[static PATH_MAX], const char *path, const void *data, size_t len,
		     mode_t mode)
{
	int ret, fd;

	if (snprintf(tmp, PATH_MAX, "%s.tmp.%d", path, (int)getpid()) >= PATH_MAX)
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	ret = fchmod(fd, mode) < 0 ? -errno : 0;
	if (!ret)
		ret = write_all(fd, data, len);
	if (!ret && fsync(fd) < 0)
		ret = -errno;
	if (close(fd) < 0 && !ret)
		ret = -errno;
	if (ret)
		unlink(tmp);
	return ret;
}

int filesync_replace(const char *path, const void *data, size_t len, mode_t mode)
{
	char tmp[PATH_MAX];
	int ret;

	ret = write_tmp(tmp, path, data, len, mode);
	if (ret)
		return ret;
	if (rename(tmp, path) < 0) {
		ret = -errno;
		unlink(tmp);
		return ret;
	}
	sync_dir(path);
	return 0;
}

int filesync_write(const char *path, const void *data, size_t len, mode_t mode, bool check,
		   bool *changed)
{
	int ret;

	*changed = false;
	ret = same(path, data, len, mode);
	if (ret < 0)
		return ret;
	if (ret == 1)
		return 0;
	*changed = true;
	return check ? 0 : filesync_replace(path, data, len, mode);
}

int filesync_remove(const char *path, bool check, bool *changed)
{
	struct stat st;

	*changed = false;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	*changed = true;
	if (check)
		return 0;
	if (unlink(path) < 0)
		return errno == ENOENT ? 0 : -errno;
	sync_dir(path);
	return 0;
}

int filesync_mkdir(const char *path, mode_t mode, bool check, bool *changed)
{
	struct stat st;

	*changed = false;
	if (stat(path, &st) == 0)
		return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
	if (errno != ENOENT)
		return -errno;
	*changed = true;
	if (check)
		return 0;
	if (mkdir(path, mode) < 0)
		return -errno;
	return chmod(path, mode) < 0 ? -errno : 0;
}

/* Temporary and backup names of one file of a set. */
struct set_names {
	char tmp[PATH_MAX], old[PATH_MAX];
	bool had_old; /* the file existed and @old is a hard link to its previous content */
};

/* Undoes the renames of files [0, @done) and drops every temporary and backup name. */
static void set_rollback(struct filesync_file *f, struct set_names *nm, size_t n, size_t done)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!f[i].changed || !nm[i].tmp[0])
			continue;
		if (i < done && nm[i].had_old)
			rename(nm[i].old, f[i].path);
		else if (i < done)
			unlink(f[i].path);
		unlink(nm[i].tmp);
		if (nm[i].had_old)
			unlink(nm[i].old);
	}
}

int filesync_write_set(struct filesync_file *f, size_t n, bool check)
{
	struct set_names *nm = NULL;
	size_t i, done = 0, written = 0;
	int ret = 0;

	for (i = 0; i < n; i++) {
		ret = same(f[i].path, f[i].data, f[i].len, f[i].mode);
		if (ret < 0)
			return ret;
		f[i].changed = ret == 0;
		written += f[i].changed;
	}
	if (check || !written)
		return 0;
	nm = calloc(n, sizeof(*nm));
	if (!nm)
		return -ENOMEM;
	/* 1. Every new content in a temporary file: a failure here has touched nothing. */
	for (i = 0, ret = 0; !ret && i < n; i++) {
		if (f[i].changed)
			ret = write_tmp(nm[i].tmp, f[i].path, f[i].data, f[i].len, f[i].mode);
		if (ret)
			f[i].changed = false; /* nothing of it to clean up */
	}
	/* 2. Rename them in, each old file kept as a hard link until all are in. */
	for (i = 0; !ret && i < n; i++) {
		if (!f[i].changed)
			continue;
		if (snprintf(nm[i].old, PATH_MAX, "%s.old.%d", f[i].path, (int)getpid()) >=
		    PATH_MAX) {
			ret = -ENAMETOOLONG;
			break;
		}
		if (link(f[i].path, nm[i].old) == 0) {
			nm[i].had_old = true;
		} else if (errno != ENOENT) {
			ret = -errno;
			break;
		}
		if (rename(nm[i].tmp, f[i].path) < 0) {
			ret = -errno;
			break;
		}
		done = i + 1;
	}
	if (ret) {
		set_rollback(f, nm, n, done);
		for (i = 0; i < n; i++)
			f[i].changed = false;
	} else {
		for (i = 0; i < n; i++)
			if (nm[i].had_old)
				unlink(nm[i].old);
		sync_dir(f[0].path);
	}
	free(nm);
	return ret;
}
