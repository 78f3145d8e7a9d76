// SPDX-License-Identifier: GPL-2.0-only
/* One peer's .conf, .png and .svg: render, compare, replace as a set. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "filesync.h"
#include "peer.h"

const char *const peer_exts[PEER_N_FILES] = {"conf", "png", "svg"};

int peer_path(char *path, size_t size, const char *dir, const char *name, const char *ext)
{
	int n = snprintf(path, size, "%s/%s.%s", dir, name, ext);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

bool peer_paths_fit(const char *dir, const char *name)
{
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < PEER_N_FILES; i++)
		if (peer_path(path, sizeof(path), dir, name, peer_exts[i]))
			return false;
	return true;
}

int peer_prepare(struct peer_files *p, const struct clientconf *cc)
{
	int ret;

	memset(p, 0, sizeof(*p));
	p->cc = cc;
	ret = clientconf_render(cc, &p->file[0]);
	if (!ret)
		ret = qr_encode(&p->qr, p->file[0].data, p->file[0].len);
	return ret;
}

int peer_images(struct peer_files *p)
{
	int ret = qr_png(&p->qr, &p->file[1]);

	return ret ? ret : qr_svg(&p->qr, &p->file[2]);
}

int peer_write(struct peer_files *p, const char *dir, bool check)
{
	char paths[PEER_N_FILES][PATH_MAX];
	struct filesync_file set[PEER_N_FILES];
	size_t i;
	int ret = 0;

	for (i = 0; !ret && i < PEER_N_FILES; i++) {
		ret = peer_path(paths[i], sizeof(paths[i]), dir, p->cc->name, peer_exts[i]);
		set[i] =
		    (struct filesync_file){paths[i], p->file[i].data, p->file[i].len, 0600, false};
	}
	/* The .conf and its QR codes are replaced together or not at all. */
	if (!ret)
		ret = filesync_write_set(set, PEER_N_FILES, check);
	for (i = 0; i < PEER_N_FILES; i++)
		p->changed[i] = !ret && set[i].changed;
	buf_free(&p->file[1]);
	buf_free(&p->file[2]);
	return ret;
}

json_t *peer_json(const struct peer_files *p, const char *dir)
{
	char path[PATH_MAX], pub[KEY_B64_LEN];
	json_t *out, *files = json_object();
	bool changed = false;
	size_t i;

	for (i = 0; files && i < PEER_N_FILES; i++) {
		changed |= p->changed[i];
		peer_path(path, sizeof(path), dir, p->cc->name, peer_exts[i]);
		if (json_object_set_new(
			files, peer_exts[i],
			json_pack("{s:s,s:b}", "path", path, "changed", p->changed[i]))) {
			json_decref(files);
			return NULL;
		}
	}
	key_to_base64(pub, p->cc->public_key);
	/* "o" steals @files, also when json_pack fails. */
	out = files ? json_pack("{s:b,s:s,s:o}", "changed", changed, "public_key", pub, "files",
				files)
		    : NULL;
	return out;
}

void peer_free(struct peer_files *p)
{
	size_t i;

	for (i = 0; i < PEER_N_FILES; i++)
		buf_free(&p->file[i]);
	qr_free(&p->qr);
}
