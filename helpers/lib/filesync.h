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

/* Ensures @path holds exactly @data with mode @mode. -EISDIR etc. when @path is not a file. */
int filesync_write(const char *path, const void *data, size_t len, mode_t mode, bool check,
		   bool *changed);
/* Removes @path if it exists (a regular file or symlink only). */
int filesync_remove(const char *path, bool check, bool *changed);
/* Ensures the directory @path exists (mode @mode when created; the parent must exist). */
int filesync_mkdir(const char *path, mode_t mode, bool check, bool *changed);
/*
 * Reads a whole regular file into @out. With @private, refuses (-EACCES) one that group or
 * others can read. -EFBIG above FILESYNC_MAX.
 */
int filesync_read(const char *path, struct buf *out, bool private);

#endif
