#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# wg-client-config end to end: the written .conf is accepted by wg(8) and brings up a real tunnel
# from a client namespace to a server namespace; the PNG, SVG and terminal QR codes decode
# (zbarimg) to exactly the .conf; writes are idempotent, 0600 and check mode changes nothing;
# no key ever reaches stdout or stderr.
source "$(dirname "$0")/../lib.sh"

S=ccs$T_ID C=ccc$T_ID WS=ccws$T_ID WC=ccwc$T_ID
D=$(mktemp -d)
t_cleanup "rm -rf $D"
BIN="$WARREN_BIN/wg-client-config"
QR2PGM="$(dirname "$0")/qr-to-pgm.py"
OUT=$D/clients
# Files the helper's output is redirected into must be private: qr refuses any other.
umask 077

t_keys "$D" s c
t_psk "$D" c
SP=${T_PUB[s]} CP=${T_PUB[c]}

spec() { # spec FILE EXTRA-FIELDS
	printf '{"name":"alice","private_key_file":"%s","preshared_key_file":"%s","addresses":["192.168.100.2/32"],"server_public_key":"%s","endpoint":"10.98.0.1:51820","dns":["192.168.1.1"]%s}\n' \
		"$D/c.key" "$D/c.psk" "$SP" "$2" >"$1"
}
run() { "$BIN" "$@" 2>>"$D/stderr" | tee -a "$D/stdout"; }
sums() { (cd "$OUT" && find . -type f -printf '%p %m\n' | sort && cat ./* 2>/dev/null | sha256sum); }
decode() { zbarimg -q --raw "$1" 2>/dev/null | head -c -1; }

spec "$D/spec.json" ',"persistent_keepalive":25'

# --- check mode, first write, idempotence ------------------------------------------------
out=$(run write "$D/spec.json" --dir "$OUT" --check)
json_eq "check mode reports all three files" "$out" '[.changed,.check,.files.conf.changed,.files.png.changed,.files.svg.changed]' '[true,true,true,true,true]'
fails "check mode creates nothing" test -e "$OUT"
out=$(run write "$D/spec.json" --dir "$OUT")
json_eq "first write creates the files" "$out" '[.changed,.files.conf.path,.public_key]' "[true,\"$OUT/alice.conf\",\"$CP\"]"
eq "the directory is 0700" 700 "$(stat -c %a "$OUT")"
eq "all three files are 0600" "600 600 600" "$(stat -c %a "$OUT/alice.conf" "$OUT/alice.png" "$OUT/alice.svg" | xargs)"
before=$(sums)
out=$(run write "$D/spec.json" --dir "$OUT")
json_eq "second write changes nothing" "$out" '[.changed,.files.conf.changed,.files.png.changed,.files.svg.changed]' '[false,false,false,false]'
eq "second write leaves the bytes alone" "$before" "$(sums)"
ino=$(stat -c %i "$OUT/alice.conf")
out=$(run write - --dir "$OUT" <"$D/spec.json")
json_eq "the spec can come from stdin" "$out" '.changed' 'false'
eq "an unchanged file is not even replaced" "$ino" "$(stat -c %i "$OUT/alice.conf")"

# --- the QR codes decode to exactly the .conf ---------------------------------------------
ok "zbarimg decodes the PNG to the .conf" cmp <(decode "$OUT/alice.png") "$OUT/alice.conf"
ok "the SVG is well-formed XML" xmllint --noout "$OUT/alice.svg"
python3 "$QR2PGM" svg "$OUT/alice.svg" "$D/svg.pgm"
ok "zbarimg decodes the SVG's modules to the .conf" cmp <(decode "$D/svg.pgm") "$OUT/alice.conf"
"$BIN" qr alice --dir "$OUT" >"$D/qr.txt"
python3 "$QR2PGM" text "$D/qr.txt" "$D/qr.pgm"
ok "zbarimg decodes the qr command's drawing to the .conf" cmp <(decode "$D/qr.pgm") "$OUT/alice.conf"
out=$( (umask 022 && "$BIN" qr alice --dir "$OUT" >"$D/qr-public.txt"); echo "rc=$?")
json_eq "qr refuses to draw into a file others can read" "$(cat "$D/qr-public.txt")" '.failed' true
eq "... writes only that one line into it" 1 "$(wc -l <"$D/qr-public.txt")"
eq "... with exit 2" rc=2 "$out"
out=$("$BIN" write "$D/spec.json" --dir "$OUT" --terminal 2>&1 </dev/null | cat; echo "rc=${PIPESTATUS[0]}")
eq "--terminal without a terminal on stderr is refused" rc=2 "$(tail -n 1 <<<"$out")"
script -qec "$BIN write $D/spec.json --dir $OUT --terminal >$D/term.json" "$D/typescript" >/dev/null
json_eq "--terminal keeps stdout the one JSON object" "$(cat "$D/term.json")" '.changed' 'false'
python3 "$QR2PGM" text "$D/typescript" "$D/term.pgm"
ok "zbarimg decodes the terminal drawing to the .conf" cmp <(decode "$D/term.pgm") "$OUT/alice.conf"

# --- wg(8) accepts the .conf, and it carries a real tunnel ---------------------------------
# The server with wg(8); the client's interface is left to the .conf.
t_tunnel --psk --client-unset "$D" "$S" "$WS" "$C" "$WC" 10.98.0 192.168.100
cp "$OUT/alice.conf" "$D/$WC.conf"
wg-quick strip "$D/$WC.conf" >"$D/stripped.conf"
ok "wg-quick strips the .conf to a wg(8) config" grep -q '^PrivateKey' "$D/stripped.conf"
ok "wg setconf accepts it" nsx "$C" wg setconf "$WC" "$D/stripped.conf"
eq "the client has the peer's key" "$CP" "$(nsx "$C" wg show "$WC" public-key)"
eq "the client points at the server" "$SP	10.98.0.1:51820" "$(nsx "$C" wg show "$WC" endpoints)"
eq "the client routes the split tunnel" "$SP	192.168.0.0/16" "$(nsx "$C" wg show "$WC" allowed-ips)"
eq "the client keeps alive" "$SP	25" "$(nsx "$C" wg show "$WC" persistent-keepalive)"
eq "the client uses the preshared key" "$SP	$(cat "$D/c.psk")" "$(nsx "$C" wg show "$WC" preshared-keys)"
ip -n "$C" addr add 192.168.100.2/32 dev "$WC"
ip -n "$C" link set "$WC" up
ip -n "$C" route add 192.168.0.0/16 dev "$WC"
ok "the client reaches the server through the tunnel" nsx "$C" ping -c 2 -W 2 -q 192.168.100.1
ok "the server sees the client's handshake" test "$(nsx "$S" wg show "$WS" latest-handshakes | awk '{print $2}')" -gt 0

# --- a changed spec rewrites exactly the files; drifted modes are repaired ------------------
spec "$D/spec2.json" ',"persistent_keepalive":0,"allowed_ips":["0.0.0.0/0","::/0"]'
out=$(run write "$D/spec2.json" --dir "$OUT")
json_eq "a changed spec rewrites all three" "$out" '[.changed,.files.conf.changed,.files.png.changed,.files.svg.changed]' '[true,true,true,true]'
ok "full tunnel lands in the .conf" grep -qx 'AllowedIPs = 0.0.0.0/0, ::/0' "$OUT/alice.conf"
nomatch "keepalive 0 is left out" Keepalive "$OUT/alice.conf"
ok "the new PNG decodes to the new .conf" cmp <(decode "$OUT/alice.png") "$OUT/alice.conf"
chmod 0644 "$OUT/alice.png"
out=$(run write "$D/spec2.json" --dir "$OUT")
json_eq "a drifted mode is repaired" "$out" '[.changed,.files.conf.changed,.files.png.changed]' '[true,false,true]'
eq "back to 0600" 600 "$(stat -c %a "$OUT/alice.png")"

# --- invalid input: exit 2, the field named, nothing written --------------------------------
before=$(sums)
bad() { # bad DESCRIPTION SPEC-JSON EXPECTED-MSG-PART
	local got rc
	printf '%s\n' "$2" >"$D/bad.json"
	got=$("$BIN" write "$D/bad.json" --dir "$OUT" 2>>"$D/stderr") && rc=0 || rc=$?
	echo "$got" >>"$D/stdout"
	eq "$1: exit 2" 2 "$rc"
	json_eq "$1: failure names it" "$got" "[.failed, (.msg | contains(\"$3\"))]" '[true,true]'
}
base='"name":"alice","private_key_file":"'$D/c.key'","addresses":["192.168.100.2"],"server_public_key":"'$SP'","endpoint":"10.98.0.1:51820"'
bad "unknown field" "{$base,\"colour\":1}" 'unknown field \"colour\"'
bad "bad endpoint" "{${base/10.98.0.1:51820/10.98.0.1}}" 'endpoint:'
bad "bad keepalive" "{$base,\"persistent_keepalive\":-1}" 'persistent_keepalive'
bad "bad allowed IP" "{$base,\"allowed_ips\":[\"10.0.0.1/8\"]}" 'allowed_ips[0]: \"10.0.0.1/8\" has host bits set'
bad "missing key file" "{${base/c.key/nope.key}}" 'private_key_file: cannot open'
cp "$D/c.key" "$D/open.key" && chmod 0644 "$D/open.key"
bad "key file others can read" "{${base/c.key/open.key}}" 'private_key_file: key file'
bad "not JSON" "{$base" 'spec'
bad "a name that is a path" "{${base/\"alice\"/\"../alice\"}}" 'name: '
eq "invalid input wrote nothing" "$before" "$(sums)"

# --- remove ---------------------------------------------------------------------------------
out=$(run remove alice --dir "$OUT" --check)
json_eq "remove --check reports the three files" "$out" '[.changed,(.removed|length)]' '[true,3]'
eq "remove --check deletes nothing" "$before" "$(sums)"
out=$(run remove alice --dir "$OUT")
json_eq "remove deletes them" "$out" '[.changed,(.removed|length)]' '[true,3]'
eq "nothing left" "" "$(ls "$OUT")"
out=$(run remove alice --dir "$OUT")
json_eq "removing again changes nothing" "$out" '[.changed,.removed]' '[false,[]]'

# --- no key ever printed ----------------------------------------------------------------------
for k in "$D/c.key" "$D/c.psk"; do
	nomatch "$(basename "$k") never on stdout" -F -e "$(cat "$k")" "$D/stdout"
	nomatch "$(basename "$k") never on stderr" -F -e "$(cat "$k")" "$D/stderr"
done
