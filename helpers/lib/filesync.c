// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "filesync.h"

static int read_fd(int fd, struct buf *out, size_t limit)
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
	ret = read_fd(fd, out, FILESYNC_MAX);
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

int filesync_write(const char *path, const void *data, size_t len, mode_t mode, bool check,
		   bool *changed)
{
	char tmp[4096];
	int ret, fd;

	*changed = false;
	ret = same(path, data, len, mode);
	if (ret < 0)
		return ret;
	if (ret == 1)
		return 0;
	*changed = true;
	if (check)
		return 0;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof(tmp))
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
	if (!ret && rename(tmp, path) < 0)
		ret = -errno;
	if (ret)
		unlink(tmp);
	else
		sync_dir(path);
	return ret;
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
