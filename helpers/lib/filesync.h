/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Generated files that change only when their content does: compare bytes and mode with what is
 * on disk, and replace atomically (O_EXCL 0600 temporary file, fsync, rename, fsync of the
 * directory) only when something differs. With @check nothing is written; *@changed still tells
 * what a real run would do.
 */
#ifndef WARREN_FILESYNC_H
#define WARREN_FILESYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "buf.h"

#define FILESYNC_MAX (1U << 20) /* largest file read back for comparison */

/*
 * Replaces @path with @data, mode @mode, atomically: an O_EXCL 0600 temporary file beside it,
 * fsync, rename, fsync of the directory. The one way warren writes a file it owns.
 */
int filesync_replace(const char *path, const void *data, size_t len, mode_t mode);
/* Ensures @path holds exactly @data with mode @mode. -EISDIR etc. when @path is not a file. */
int filesync_write(const char *path, const void *data, size_t len, mode_t mode, bool check,
		   bool *changed);
/* One file of a set written by filesync_write_set(). */
struct filesync_file {
	const char *path; /* all in one directory */
	const void *data;
	size_t len;
	mode_t mode;
	bool changed; /* out: differed (and, without @check, was replaced) */
};
/*
 * Like filesync_write() for files that belong together (a .conf and its QR codes): all are
 * compared first, every changed one is written to a temporary file, and only when all of those
 * are written are they renamed in, each old file kept as a hard link until the last rename
 * succeeded. Any failure puts the old files back and removes the temporary ones: the set on disk
 * is the old one or the new one, never a mix (short of a crash between two renames, which the
 * next run repairs). On failure every changed is false.
 */
int filesync_write_set(struct filesync_file *files, size_t n, bool check);
/* Removes @path if it exists (a regular file or symlink only). */
int filesync_remove(const char *path, bool check, bool *changed);
/* Ensures the directory @path exists (mode @mode when created; the parent must exist). */
int filesync_mkdir(const char *path, mode_t mode, bool check, bool *changed);
/*
 * Reads a whole regular file into @out. With @private, refuses (-EACCES) one that group or
 * others can read. -EFBIG above FILESYNC_MAX.
 */
int filesync_read(const char *path, struct buf *out, bool private);
/* Reads @fd to its end into @out with read(2) (no stdio copy); -EFBIG above @limit bytes. */
int filesync_read_fd(int fd, struct buf *out, size_t limit);

#endif
