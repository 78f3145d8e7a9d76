// SPDX-License-Identifier: GPL-2.0-only
/* write: validate the spec, render the .conf and both QR images, replace what differs. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clientconf.h"
#include "cmd.h"
#include "filesync.h"
#include "json_wipe.h"
#include "out.h"
#include "peer.h"
#include "qr.h"

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
	struct peer_files pf = {0};
	struct err err = {{0}};
	struct clientconf cc;
	json_t *spec = NULL, *out = NULL;
	bool changed = false;
	struct opts o;
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
	spec = cmd_load_spec(o.arg, &err);
	if (!spec ||
	    !clientconf_parse(&cc, spec, strcmp(o.arg, "-") ? 0 : CLIENTCONF_INLINE_KEYS, &err) ||
	    !clientconf_read_keys(&cc, &err)) {
		ret = json_out_fail_err(EXIT_INVALID, &err);
		goto out;
	}
	if (!peer_paths_fit(o.dir, cc.name)) {
		ret = json_out_fail(EXIT_INVALID, "dir: \"%.128s\" is too long", o.dir);
		goto out;
	}
	ret = peer_prepare(&pf, &cc);
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
	ret = peer_images(&pf);
	if (!ret)
		ret = peer_write(&pf, o.dir, o.check);
	if (ret) {
		ret = json_out_fail(EXIT_RUNTIME,
				    "cannot write the files of \"%s\" in \"%s\": %s; the previous "
				    "files are left as they were",
				    cc.name, o.dir, json_out_strerror(ret));
		goto out;
	}
	out = peer_json(&pf, o.dir);
	if (!out || json_object_set_new(out, "name", json_string(cc.name)) ||
	    json_object_set_new(out, "dir", json_string(o.dir)) ||
	    json_object_set_new(out, "check", json_boolean(o.check))) {
		ret = json_out_fail(EXIT_RUNTIME, "out of memory");
		goto out;
	}
	if (changed)
		json_object_set_new(out, "changed", json_true());
	if (o.terminal && (ret = print_terminal(&pf.file[0]))) {
		ret = json_out_fail(EXIT_RUNTIME, "cannot draw the QR code: %s",
				    json_out_strerror(ret));
		goto out;
	}
	ret = json_out_print(out);
	out = NULL;
out:
	peer_free(&pf);
	clientconf_wipe(&cc);
	json_decref(out);
	json_wipe_member(spec, "private_key");
	json_wipe_member(spec, "preshared_key");
	json_decref(spec);
	return ret;
}
