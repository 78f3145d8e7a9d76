// SPDX-License-Identifier: GPL-2.0-only
/* remove: delete a peer's client files; qr: draw a written .conf as a QR code for a human. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "filesync.h"
#include "key.h"
#include "out.h"
#include "peer.h"
#include "qr.h"
#include "wgstate.h"

int remove_main(int argc, char *argv[])
{
	char path[PATH_MAX];
	json_t *out, *removed;
	bool changed = false, ch;
	struct opts o;
	size_t i;
	int ret;

	if (cmd_opts(&o, argc, argv, CMD_OPT_CHECK))
		return json_out_fail(EXIT_INVALID,
				     "usage: wg-client-config remove NAME --dir DIR [--check]");
	if (!wgstate_name_valid(o.arg))
		return json_out_fail(EXIT_INVALID, "name: \"%.64s\" is not a valid peer name",
				     o.arg);
	if ((ret = cmd_check_dir(o.dir)))
		return ret;
	out = json_pack("{s:s,s:s,s:b,s:[]}", "name", o.arg, "dir", o.dir, "check", o.check,
			"removed");
	removed = json_object_get(out, "removed");
	for (i = 0; out && i < PEER_N_FILES; i++) {
		if (peer_path(path, sizeof(path), o.dir, o.arg, peer_exts[i])) {
			json_decref(out);
			return json_out_fail(EXIT_INVALID, "dir: \"%.128s\" is too long", o.dir);
		}
		ret = filesync_remove(path, o.check, &ch);
		if (ret) {
			json_decref(out);
			return json_out_fail(EXIT_RUNTIME, "cannot remove \"%s\": %s", path,
					     json_out_strerror(ret));
		}
		if (ch)
			json_array_append_new(removed, json_string(path));
		changed |= ch;
	}
	json_object_set_new(out, "changed", json_boolean(changed));
	return json_out_print(out);
}

int qr_main(int argc, char *argv[])
{
	char path[PATH_MAX];
	struct buf conf = {0}, text = {0};
	struct qr qr = {0};
	struct opts o;
	int ret;

	if (cmd_opts(&o, argc, argv, 0))
		return json_out_fail(EXIT_INVALID, "usage: wg-client-config qr NAME --dir DIR");
	if (!wgstate_name_valid(o.arg))
		return json_out_fail(EXIT_INVALID, "name: \"%.64s\" is not a valid peer name",
				     o.arg);
	if (peer_path(path, sizeof(path), o.dir, o.arg, "conf"))
		return json_out_fail(EXIT_INVALID, "dir: \"%.128s\" is too long", o.dir);
	if (key_check_fd_private(STDOUT_FILENO) < 0)
		return json_out_fail(EXIT_INVALID,
				     "refusing to draw a private key into a file that group or "
				     "others can read");
	ret = filesync_read(path, &conf, true);
	if (ret) {
		ret = json_out_fail(EXIT_INVALID, "cannot read \"%s\": %s", path,
				    ret == -EACCES   ? "readable by group or others; chmod 0600 it"
				    : ret == -EINVAL ? "not a regular file"
						     : json_out_strerror(ret));
		goto out;
	}
	ret = qr_encode(&qr, conf.data, conf.len);
	if (!ret)
		ret = qr_text(&qr, &text);
	if (ret) {
		ret = json_out_fail(EXIT_RUNTIME, "cannot draw \"%s\": %s", path,
				    json_out_strerror(ret));
		goto out;
	}
	ret =
	    fwrite(text.data, 1, text.len, stdout) != text.len || fflush(stdout) ? EXIT_RUNTIME : 0;
out:
	qr_free(&qr);
	buf_free(&conf);
	buf_free(&text);
	return ret;
}
