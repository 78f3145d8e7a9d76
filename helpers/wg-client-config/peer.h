/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One peer's three client files, DIR/NAME.conf, .png and .svg: rendered from a parsed clientconf
 * whose keys are read, then compared with the disk and replaced as one set (filesync_write_set).
 * `write` does this for one peer, `sync` for many; both go through these functions.
 */
#ifndef WG_CLIENT_CONFIG_PEER_H
#define WG_CLIENT_CONFIG_PEER_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "buf.h"
#include "clientconf.h"
#include "qr.h"

#define PEER_N_FILES 3
extern const char *const peer_exts[PEER_N_FILES]; /* "conf", "png", "svg" */

struct peer_files {
	const struct clientconf *cc;
	/* The .conf's QR code and the .conf from peer_prepare(), the images from peer_images(). */
	struct qr qr;
	struct buf file[PEER_N_FILES];
	bool changed[PEER_N_FILES]; /* after peer_write() */
};

/* DIR/NAME.EXT into @path; -ENAMETOOLONG when it does not fit. */
int peer_path(char *path, size_t size, const char *dir, const char *name, const char *ext);
/* Whether the paths of all three of @name's files in @dir fit in PATH_MAX. */
bool peer_paths_fit(const char *dir, const char *name);
/*
 * Renders the .conf of @cc and encodes its QR code: everything that can fail because of the spec
 * (-EMSGSIZE: too large for one QR code) fails here, before anything is written. Touches nothing
 * but @p (safe in parallel).
 */
int peer_prepare(struct peer_files *p, const struct clientconf *cc);
/* Renders the PNG and SVG from the QR code; touches nothing but @p (safe in parallel). */
int peer_images(struct peer_files *p);
/*
 * Replaces, as one set, those of the three files in @dir that differ (with @check: none,
 * p->changed still says which would be). The images are freed afterwards; on failure the
 * previous files are left as they were.
 */
int peer_write(struct peer_files *p, const char *dir, bool check);
/* {"changed", "public_key", "files": {"conf": {"path", "changed"}, ...}}; NULL without memory. */
json_t *peer_json(const struct peer_files *p, const char *dir);
/* Wipes and frees the buffers and the QR modules (the clientconf is the caller's). */
void peer_free(struct peer_files *p);

#endif
