// SPDX-License-Identifier: GPL-2.0-only
/*
 * sync: every peer's client files in one run. The whole spec is validated, every key read and
 * every .conf rendered and QR-encoded before the first file is written; then each peer's three
 * files are replaced as a set, and the removed peers' files deleted.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "filesync.h"
#include "out.h"
#include "par.h"
#include "peer.h"
#include "syncspec.h"

/* The peers' render work, run in parallel (par_for): CPU only, each on its own item. */
struct job {
	struct syncspec *ss;
	struct peer_files *pf;
};

static int prepare_one(void *ctx, size_t i)
{
	struct job *j = ctx;

	return peer_prepare(&j->pf[i], &j->ss->peers[i]);
}

static int images_one(void *ctx, size_t i)
{
	struct job *j = ctx;

	return peer_images(&j->pf[i]);
}

/* Everything that depends on the input, before anything is written; 0 or the exit code. */
static int prepare(struct syncspec *ss, struct peer_files *pf, const char *dir)
{
	size_t i;
	int ret;

	for (i = 0; i < ss->n_peers; i++)
		if (!peer_paths_fit(dir, ss->peers[i].name))
			return json_out_fail(EXIT_INVALID, "dir: \"%.128s\" is too long", dir);
	for (i = 0; i < ss->n_remove; i++)
		if (!peer_paths_fit(dir, ss->remove[i]))
			return json_out_fail(EXIT_INVALID, "dir: \"%.128s\" is too long", dir);
	ret = par_for(ss->n_peers, prepare_one, &(struct job){ss, pf}, &i);
	if (ret == -EMSGSIZE)
		return json_out_fail(EXIT_INVALID,
				     "peers[%zu]: the configuration of \"%s\" is too large for one "
				     "QR code",
				     i, ss->peers[i].name);
	if (ret)
		return json_out_fail(EXIT_RUNTIME, "cannot render the configuration of \"%s\": %s",
				     ss->peers[i].name, json_out_strerror(ret));
	return 0;
}

/* Peers whose images are drawn at once (in parallel) before they are written in order. */
#define CHUNK 64

/* Writes every peer's set into @out; 0 or the exit code of the failure it printed. */
static int write_peers(struct syncspec *ss, struct peer_files *pf, const char *dir, bool check,
		       json_t *out)
{
	json_t *peers = json_object_get(out, "peers"),
	       *names = json_object_get(out, "changed_peers");
	size_t i, start, n, bad;
	json_t *jp;
	int ret;

	for (start = 0; start < ss->n_peers; start += n) {
		n = ss->n_peers - start < CHUNK ? ss->n_peers - start : CHUNK;
		ret = par_for(n, images_one, &(struct job){ss, pf + start}, &bad);
		for (i = start; i < start + n; i++) {
			if (ret && i == start + bad)
				return json_out_fail(
				    EXIT_RUNTIME,
				    "cannot draw the QR codes of \"%s\" "
				    "(peers[%zu]): %s; the %zu peers before it are "
				    "written",
				    ss->peers[i].name, i, json_out_strerror(ret), i);
			ret = peer_write(&pf[i], dir, check);
			if (ret)
				return json_out_fail(
				    EXIT_RUNTIME,
				    "cannot write the files of \"%s\" (peers[%zu]) in \"%s\": %s; "
				    "its previous files are left as they were, the %zu peers "
				    "before it are written",
				    ss->peers[i].name, i, dir, json_out_strerror(ret), i);
			jp = peer_json(&pf[i], dir);
			if (!jp || json_object_set_new(peers, ss->peers[i].name, jp))
				return json_out_fail(EXIT_RUNTIME, "out of memory");
			if (json_is_true(json_object_get(jp, "changed")) &&
			    json_array_append_new(names, json_string(ss->peers[i].name)))
				return json_out_fail(EXIT_RUNTIME, "out of memory");
			/* Done with this peer: its keys and buffers go now, not at the end. */
			peer_free(&pf[i]);
			clientconf_wipe(&ss->peers[i]);
		}
	}
	return 0;
}

static int remove_peers(struct syncspec *ss, const char *dir, bool check, json_t *out)
{
	json_t *removed = json_object_get(out, "removed");
	char path[PATH_MAX];
	size_t i, j;
	bool ch;
	int ret;

	for (i = 0; i < ss->n_remove; i++)
		for (j = 0; j < PEER_N_FILES; j++) {
			peer_path(path, sizeof(path), dir, ss->remove[i], peer_exts[j]);
			ret = filesync_remove(path, check, &ch);
			if (ret)
				return json_out_fail(
				    EXIT_RUNTIME,
				    "cannot remove \"%s\" (remove[%zu]): %s; every "
				    "peer is written",
				    path, i, json_out_strerror(ret));
			if (ch && json_array_append_new(removed, json_string(path)))
				return json_out_fail(EXIT_RUNTIME, "out of memory");
		}
	return 0;
}

int sync_main(int argc, char *argv[])
{
	struct syncspec ss = {0};
	struct peer_files *pf = NULL;
	struct err err = {{0}};
	json_t *spec = NULL, *out = NULL;
	bool changed = false;
	struct opts o;
	size_t i;
	int ret;

	if (cmd_opts(&o, argc, argv, CMD_OPT_CHECK))
		return json_out_fail(
		    EXIT_INVALID, "usage: wg-client-config sync SPEC.json|- --dir DIR [--check]");
	if ((ret = cmd_check_dir(o.dir)))
		return ret;
	spec = cmd_load_spec(o.arg, &err);
	if (!spec ||
	    !syncspec_parse(&ss, spec, strcmp(o.arg, "-") ? 0 : CLIENTCONF_INLINE_KEYS, &err) ||
	    !syncspec_read_keys(&ss, &err)) {
		ret = json_out_fail_err(EXIT_INVALID, &err);
		goto out;
	}
	syncspec_wipe_text(spec); /* the keys are decoded: their text is not needed any more */
	pf = calloc(ss.n_peers ? ss.n_peers : 1, sizeof(*pf));
	if (!pf) {
		ret = json_out_fail(EXIT_RUNTIME, "out of memory");
		goto out;
	}
	if ((ret = prepare(&ss, pf, o.dir)))
		goto out;
	ret = filesync_mkdir(o.dir, 0700, o.check, &changed);
	if (ret) {
		ret = json_out_fail(EXIT_RUNTIME, "cannot create \"%s\": %s", o.dir,
				    json_out_strerror(ret));
		goto out;
	}
	out = json_pack("{s:s,s:b,s:{},s:[],s:[]}", "dir", o.dir, "check", o.check, "peers",
			"removed", "changed_peers");
	if (!out) {
		ret = json_out_fail(EXIT_RUNTIME, "out of memory");
		goto out;
	}
	if ((ret = write_peers(&ss, pf, o.dir, o.check, out)) ||
	    (ret = remove_peers(&ss, o.dir, o.check, out)))
		goto out;
	changed |= json_array_size(json_object_get(out, "changed_peers")) ||
		   json_array_size(json_object_get(out, "removed"));
	json_object_set_new(out, "changed", json_boolean(changed));
	ret = json_out_print(out);
	out = NULL;
out:
	for (i = 0; pf && i < ss.n_peers; i++)
		peer_free(&pf[i]);
	free(pf);
	syncspec_free(&ss);
	json_decref(out);
	syncspec_wipe_text(spec);
	json_decref(spec);
	return ret;
}
