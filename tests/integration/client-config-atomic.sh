#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# wg-client-config replaces a peer's .conf, PNG and SVG as a set: when any of them cannot be
# written (the file size limit stops the SVG; the SVG's name is a directory; the SVG is
# immutable, so the renames already done must be undone), the old three stay exactly as they
# were, with no temporary file left; the next good run replaces all three. A --dir that is not
# UTF-8 is refused before anything is created.
source "$(dirname "$0")/../lib.sh"

D=$(mktemp -d)
t_cleanup "rm -rf $D"
BIN="$WARREN_BIN/wg-client-config"
OUT=$D/clients
umask 077
t_keys "$D" c
SP=$(wg genkey | wg pubkey)
spec() { # spec KEEPALIVE: the spec on stdout
	printf '{"name":"alice","private_key_file":"%s","addresses":["192.168.100.2/32"],"server_public_key":"%s","endpoint":"10.98.0.1:51820","persistent_keepalive":%s}\n' \
		"$D/c.key" "$SP" "$1"
}
spec 25 >"$D/old.json"
spec 0 >"$D/new.json"
sums() { (cd "$OUT" && ls -A && sha256sum alice.conf alice.png && find . -name alice.svg -type f -exec sha256sum {} +); }
# write_fails DESCRIPTION [PRE-CMD]: writing the new spec must fail with exit 1, leaving the set.
write_fails() {
	local out rc
	set +e
	out=$(eval "${2:-:}" && "$BIN" write "$D/new.json" --dir "$OUT")
	rc=$?
	set -e
	eq "$1: exit 1" 1 "$rc"
	json_eq "$1: says the old files are kept" "$out" '.msg|test("left as they were")' true
	eq "$1: the old set, exactly, and nothing else" "$before" "$(sums)"
}

out=$("$BIN" write "$D/old.json" --dir "$OUT")
json_eq "the first set is written" "$out" '.changed' true
before=$(sums)
ok "the old set has keepalive 25" grep -qx 'PersistentKeepalive = 25' "$OUT/alice.conf"

# The SVG (about 10 KB) is written last; with a 2 KiB file size limit the .conf and the PNG fit.
write_fails "the SVG hits the file size limit" "trap '' XFSZ; ulimit -f 2"
rm "$OUT/alice.svg" && mkdir "$OUT/alice.svg"
before=$(sums)
write_fails "the SVG's name is a directory"
rmdir "$OUT/alice.svg"
"$BIN" write "$D/old.json" --dir "$OUT" >/dev/null
before=$(sums)
if chattr +i "$OUT/alice.svg" 2>/dev/null; then
	t_cleanup "chattr -i $OUT/alice.svg"
	# The .conf and PNG are renamed in first; the SVG cannot be replaced: both are put back.
	write_fails "the SVG is immutable"
	chattr -i "$OUT/alice.svg"
fi

out=$("$BIN" write "$D/new.json" --dir "$OUT")
json_eq "a good run replaces all three" "$out" '[.changed,.files.conf.changed,.files.png.changed,.files.svg.changed]' '[true,true,true,true]'
nomatch "the new .conf has no keepalive" Keepalive "$OUT/alice.conf"
if command -v zbarimg >/dev/null; then
	ok "the new PNG decodes to the new .conf" cmp <(zbarimg -q --raw "$OUT/alice.png" 2>/dev/null | head -c -1) "$OUT/alice.conf"
fi
eq "only the three files" "alice.conf alice.png alice.svg" "$(find "$OUT" -mindepth 1 -printf '%f\n' | sort | xargs)"

# A directory that is not UTF-8 could not be named in the JSON result: refused, nothing made.
X=$'\xff'
for cmd in "write $D/new.json" "remove alice"; do
	set +e
	# shellcheck disable=SC2086 # the command's words
	out=$("$BIN" $cmd --dir "$D/d$X")
	rc=$?
	set -e
	eq "$cmd --dir non-UTF-8: exit 2" 2 "$rc"
	json_eq "$cmd --dir non-UTF-8: says so (it used to say out of memory)" "$out" '.msg|test("dir: .*\\\\xff.* is not valid UTF-8")' true
	fails "$cmd --dir non-UTF-8: nothing created" test -e "$D/d$X"
done
