// SPDX-License-Identifier: GPL-2.0-only
/* write: validate the spec, render the .conf and both QR images, replace what differs. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clientconf.h"
#include "cmd.h"
#include "filesync.h"
#include "out.h"
#include "qr.h"

static const char *const exts[] = {"conf", "png", "svg"};
#define N_FILES (sizeof(exts) / sizeof(exts[0]))

static json_t *load_spec(const char *arg, struct err *err)
{
	json_error_t jerr;
	json_t *root;

	if (!strcmp(arg, "-"))
		root = json_loadf(stdin, JSON_REJECT_DUPLICATES, &jerr);
	else
		root = json_load_file(arg, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		err_set(err, "spec \"%s\": %s (line %d)", arg, jerr.text, jerr.line);
	return root;
}

/* Renders the three files into @files; 0 or -errno. */
static int render(const struct clientconf *cc, struct buf files[static N_FILES])
{
	struct qr qr;
	int ret;

	ret = clientconf_render(cc, &files[0]);
	if (ret)
		return ret;
	ret = qr_encode(&qr, files[0].data, files[0].len);
	if (ret)
		return ret;
	ret = qr_png(&qr, &files[1]);
	if (!ret)
		ret = qr_svg(&qr, &files[2]);
	qr_free(&qr);
	return ret;
}

static int print_terminal(const struct buf *conf)
{
	struct buf text = {0};
	struct qr qr;
	int ret;

	ret = qr_encode(&qr, conf->data, conf->len);
	if (!ret)
		ret = qr_text(&qr, &text);
	qr_free(&qr);
	if (!ret && (fwrite(text.data, 1, text.len, stderr) != text.len || fflush(stderr)))
		ret = -EIO;
	buf_free(&text);
	return ret;
}

int write_main(int argc, char *argv[])
{
	struct buf files[N_FILES] = {0};
	char path[PATH_MAX], paths[N_FILES][PATH_MAX], pub[KEY_B64_LEN];
	struct filesync_file set[N_FILES];
	struct err err = {{0}};
	struct clientconf cc;
	json_t *spec = NULL, *out = NULL, *jf;
	bool changed = false;
	struct opts o;
	size_t i;
	int ret;

	memset(&cc, 0, sizeof(cc));
	if (cmd_opts(&o, argc, argv, CMD_OPT_CHECK | CMD_OPT_TERMINAL))
		return json_out_fail(EXIT_INVALID, "usage: wg-client-config write SPEC.json|- "
						   "--dir DIR [--check] [--terminal]");
	if ((ret = cmd_check_dir(o.dir)))
		return ret;
	if (o.terminal && !isatty(STDERR_FILENO))
		return json_out_fail(EXIT_INVALID,
				     "--terminal draws the QR code (it holds the private key) only "
				     "when stderr is a terminal; use `wg-client-config qr`");
	spec = load_spec(o.arg, &err);
	if (!spec || !clientconf_parse(&cc, spec, &err) || !clientconf_read_keys(&cc, &err)) {
		ret = json_out_fail_err(EXIT_INVALID, &err);
		goto out;
	}
	for (i = 0; i < N_FILES; i++)
		if (cmd_path(path, sizeof(path), o.dir, cc.name, exts[i])) {
			ret = json_out_fail(EXIT_INVALID, "dir: \"%.128s\" is too long", o.dir);
			goto out;
		}
	ret = render(&cc, files);
	if (ret) {
		ret = json_out_fail(ret == -EMSGSIZE ? EXIT_INVALID : EXIT_RUNTIME,
				    "cannot render the configuration of \"%s\": %s", cc.name,
				    ret == -EMSGSIZE ? "too large for one QR code"
						     : json_out_strerror(ret));
		goto out;
	}
	ret = filesync_mkdir(o.dir, 0700, o.check, &changed);
	if (ret) {
		ret = json_out_fail(EXIT_RUNTIME, "cannot create \"%s\": %s", o.dir,
				    json_out_strerror(ret));
		goto out;
	}
	for (i = 0; i < N_FILES; i++) {
		cmd_path(paths[i], sizeof(paths[i]), o.dir, cc.name, exts[i]);
		set[i] = (struct filesync_file){paths[i], files[i].data, files[i].len, 0600, false};
	}
	/* The .conf and its QR codes are replaced together or not at all. */
	ret = filesync_write_set(set, N_FILES, o.check);
	if (ret) {
		ret = json_out_fail(EXIT_RUNTIME,
				    "cannot write the files of \"%s\" in \"%s\": %s; the previous "
				    "files are left as they were",
				    cc.name, o.dir, json_out_strerror(ret));
		goto out;
	}
	key_to_base64(pub, cc.public_key);
	out = json_pack("{s:s,s:s,s:s,s:b,s:{}}", "name", cc.name, "dir", o.dir, "public_key", pub,
			"check", o.check, "files");
	for (i = 0; out && i < N_FILES; i++) {
		changed |= set[i].changed;
		jf = json_pack("{s:s,s:b}", "path", paths[i], "changed", set[i].changed);
		json_object_set_new(json_object_get(out, "files"), exts[i], jf);
	}
	if (!out) {
		ret = json_out_fail(EXIT_RUNTIME, "out of memory");
		goto out;
	}
	json_object_set_new(out, "changed", json_boolean(changed));
	if (o.terminal && (ret = print_terminal(&files[0]))) {
		ret = json_out_fail(EXIT_RUNTIME, "cannot draw the QR code: %s",
				    json_out_strerror(ret));
		goto out;
	}
	ret = json_out_print(out);
	out = NULL;
out:
	for (i = 0; i < N_FILES; i++)
		buf_free(&files[i]);
	clientconf_wipe(&cc);
	json_decref(out);
	json_decref(spec);
	return ret;
}
