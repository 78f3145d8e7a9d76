#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# wg-client-config sync: 50 peers' client files in one run. All files 0600, a second run changes
# nothing (inodes kept), one changed peer rewrites only its own files, remove deletes, --check
# writes nothing, bad input anywhere writes nothing (exit 2), a failure in the middle leaves the
# peers before it written, the files equal what `write` makes, and no key is ever printed.
source "$(dirname "$0")/../lib.sh"

D=$(mktemp -d)
t_cleanup "rm -rf $D"
BIN="$WARREN_BIN/wg-client-config"
OUT=$D/clients
N=50
umask 077

t_keys "$D" s
SP=${T_PUB[s]}
for i in $(seq -w 0 $((N - 1))); do
	t_keys "$D" "p$i"
	t_psk "$D" "p$i"
done

# peer I [EXTRA-JQ]: peer I's spec; even peers name their key files, odd ones carry inline keys.
peer() {
	local i=$1 extra=${2:-.}
	if [ $((10#$i % 2)) -eq 0 ]; then
		jq -nc --arg n "peer$i" --arg k "$D/p$i.key" --arg p "$D/p$i.psk" --arg sp "$SP" \
			--arg a "10.77.$((10#$i)).2/32" \
			'{name:$n,private_key_file:$k,preshared_key_file:$p,addresses:[$a],server_public_key:$sp,endpoint:"vpn.example.org:51820",dns:["192.168.1.1"],persistent_keepalive:25}' |
			jq -c "$extra"
	else
		jq -nc --arg n "peer$i" --arg k "$(cat "$D/p$i.key")" --arg p "$(cat "$D/p$i.psk")" \
			--arg sp "$SP" --arg a "10.77.$((10#$i)).2/32" \
			'{name:$n,private_key:$k,preshared_key:$p,addresses:[$a],server_public_key:$sp,endpoint:"vpn.example.org:51820",allowed_ips:["192.168.0.0/16","10.0.0.0/8"]}' |
			jq -c "$extra"
	fi
}
# spec FILE [SPECIAL-INDEX SPECIAL-JQ] [REMOVE-JSON]: the sync spec of all N peers.
spec() {
	local f=$1 si=${2:-} sj=${3:-.} rm=${4:-[]} i
	for i in $(seq -w 0 $((N - 1))); do
		if [ "$i" = "$si" ]; then peer "$i" "$sj"; else peer "$i"; fi
	done | jq -sc --argjson rm "$rm" '{peers: ., remove: $rm}' >"$f"
}
run() { "$BIN" "$@" 2>>"$D/stderr" | tee -a "$D/stdout"; }
sums() { (cd "$OUT" && find . -type f -printf '%p %m %i\n' | sort && cat ./* 2>/dev/null | sha256sum); }
inodes() { stat -c '%n %i' "$OUT"/*.* | sort; }
decode() { zbarimg -q --raw "$1" 2>/dev/null | head -c -1; }

spec "$D/spec.json"

# --- check mode, first run, idempotence -----------------------------------------------------
out=$(run sync - --dir "$OUT" --check <"$D/spec.json")
json_eq "--check reports every peer" "$out" '[.changed,.check,(.changed_peers|length),(.peers|length)]' "[true,true,$N,$N]"
fails "--check creates nothing, not even the directory" test -e "$OUT"
out=$(run sync - --dir "$OUT" <"$D/spec.json")
json_eq "the first run writes every peer" "$out" '[.changed,.check,(.changed_peers|length),.removed]' "[true,false,$N,[]]"
json_eq "changed_peers is in spec order" "$out" '.changed_peers[0:3]' '["peer00","peer01","peer02"]'
json_eq "each peer reports its files and public key" "$out" \
	'.peers.peer07|[.changed,.files.conf.path,.files.png.changed,.files.svg.changed,.public_key]' \
	"[true,\"$OUT/peer07.conf\",true,true,\"${T_PUB[p07]}\"]"
eq "3 files per peer" $((3 * N)) "$(find "$OUT" -type f | wc -l)"
eq "the directory is 0700" 700 "$(stat -c %a "$OUT")"
eq "every file is 0600" 600 "$(stat -c %a "$OUT"/* | sort -u | xargs)"
ok "an odd peer's inline preshared key is in its .conf" grep -qxF "PresharedKey = $(cat "$D/p07.psk")" "$OUT/peer07.conf"
ok "an even peer's key file is in its .conf" grep -qxF "PrivateKey = $(cat "$D/p08.key")" "$OUT/peer08.conf"
before=$(sums)
out=$(run sync - --dir "$OUT" <"$D/spec.json")
json_eq "a second run changes nothing" "$out" '[.changed,.changed_peers,([.peers[].changed]|any)]' '[false,[],false]'
eq "a second run leaves bytes, modes and inodes alone" "$before" "$(sums)"

# --- the files are exactly what write makes; the QR codes decode to the .conf --------------
peer 08 >"$D/one.json"
out=$(run write "$D/one.json" --dir "$D/w")
json_eq "write of the same peer spec" "$out" '.changed' 'true'
for e in conf png svg; do
	ok "sync's peer08.$e is byte-identical to write's" cmp "$OUT/peer08.$e" "$D/w/peer08.$e"
done
peer 09 >"$D/one-inline.json"
out=$(run write - --dir "$D/w" <"$D/one-inline.json")
json_eq "write takes inline keys from stdin too" "$out" '.changed' 'true'
ok "sync's peer09.conf (inline keys) is byte-identical to write's" cmp "$OUT/peer09.conf" "$D/w/peer09.conf"
ok "zbarimg decodes a PNG to its .conf" cmp <(decode "$OUT/peer33.png") "$OUT/peer33.conf"

# --- one changed peer rewrites only its own files -------------------------------------------
inodes >"$D/ino.before"
spec "$D/spec2.json" 21 '.endpoint = "vpn2.example.org:51821" | .allowed_ips = ["0.0.0.0/0"]'
out=$(run sync - --dir "$OUT" <"$D/spec2.json")
json_eq "only the changed peer is reported" "$out" '[.changed,.changed_peers,.peers.peer21.files.conf.changed,.peers.peer22.changed]' '[true,["peer21"],true,false]'
inodes >"$D/ino.after"
eq "only its three files got new inodes" "$OUT/peer21.conf $OUT/peer21.png $OUT/peer21.svg" \
	"$(diff "$D/ino.before" "$D/ino.after" | sed -n 's/^> \([^ ]*\) .*/\1/p' | xargs)"
ok "its .conf has the new endpoint" grep -qx 'Endpoint = vpn2.example.org:51821' "$OUT/peer21.conf"
ok "and the new allowed IPs" grep -qx 'AllowedIPs = 0.0.0.0/0' "$OUT/peer21.conf"
ok "its PNG decodes to the new .conf" cmp <(decode "$OUT/peer21.png") "$OUT/peer21.conf"

# --- check mode on a change writes nothing -----------------------------------------------------
before=$(sums)
out=$(run sync - --dir "$OUT" --check <"$D/spec.json")
json_eq "--check reports the change back" "$out" '[.changed,.check,.changed_peers]' '[true,true,["peer21"]]'
eq "--check wrote nothing" "$before" "$(sums)"

# --- invalid input: exit 2, the peer and field named, nothing written --------------------------
bad() { # bad DESCRIPTION SPEC-FILE STDIN(0|1) EXPECTED-MSG-PART
	local got rc
	if [ "$3" = 1 ]; then
		got=$("$BIN" sync - --dir "$OUT" <"$2" 2>>"$D/stderr") && rc=0 || rc=$?
	else
		got=$("$BIN" sync "$2" --dir "$OUT" 2>>"$D/stderr") && rc=0 || rc=$?
	fi
	echo "$got" >>"$D/stdout"
	eq "$1: exit 2" 2 "$rc"
	json_eq "$1: the failure names it" "$got" "[.failed, (.msg | contains(\"$4\"))]" '[true,true]'
	eq "$1: nothing written" "$before" "$(sums)"
}
spec "$D/bad.json" 17 '.allowed_ips = ["10.0.0.1/8"]'
bad "one bad peer among $N" "$D/bad.json" 1 'peers[17].allowed_ips[0]: \"10.0.0.1/8\" has host bits set'
spec "$D/bad.json" 40 '.endpoint = "nowhere"'
bad "a bad endpoint late in the list" "$D/bad.json" 1 'peers[40].endpoint: '
bad "inline keys from a spec file" "$D/spec.json" 0 'peers[1].private_key: inline keys are accepted only in a spec read from stdin'
spec "$D/bad.json" 30 '.name = "peer03"'
bad "a name twice" "$D/bad.json" 1 'peers[30].name: \"peer03\" is also peers[3].name'
spec "$D/bad.json" "" . '["peer12"]'
bad "a name both kept and removed" "$D/bad.json" 1 'remove[0]: \"peer12\" is also peers[12].name'
spec "$D/bad.json" 43 '.preshared_key = "c2VjcmV0"'
bad "a bad inline key" "$D/bad.json" 1 'peers[43].preshared_key: is not a base64 key of 32 bytes'
spec "$D/bad.json" 45 '.private_key_file = "/nonexistent.key"'
bad "both key fields" "$D/bad.json" 1 'peers[45].private_key: give either private_key_file or private_key'
spec "$D/bad.json" 46 '.private_key_file = "'"$D/nope.key"'"'
bad "a missing key file late in the list" "$D/bad.json" 1 'peers[46].private_key_file: cannot open'
spec "$D/bad.json" 02 '.colour = 1'
bad "an unknown field" "$D/bad.json" 1 'unknown field \"peers[2].colour\"'
echo '{"peers":[' >"$D/bad.json"
bad "not JSON" "$D/bad.json" 1 'spec \"-\"'
# A syntax error right at an inline key: jansson would quote it; the message must not.
k01=$(cat "$D/p01.key")
sed "s|\"private_key\":\"$k01\"|\"private_key\":$k01|" "$D/spec.json" >"$D/bad.json"
# jansson's wording depends on the key's first character (a digit starts a number): only the
# place is asserted here, and the key's absence from every output at the end.
bad "a syntax error at an inline key" "$D/bad.json" 1 '(line 1)'
fails "bad input never created a fresh directory" test -e "$D/fresh"

# --- remove ----------------------------------------------------------------------------------
jq -c '.peers |= [.[] | select(.name != "peer49" and .name != "peer48")] | .remove = ["peer49", "peer48", "ghost"]' \
	"$D/spec2.json" >"$D/spec3.json"
out=$(run sync - --dir "$OUT" --check <"$D/spec3.json")
json_eq "remove --check reports six files" "$out" '[.changed,(.removed|length)]' '[true,6]'
eq "remove --check deletes nothing" "$before" "$(sums)"
out=$(run sync - --dir "$OUT" <"$D/spec3.json")
json_eq "remove deletes both peers' files" "$out" '[.changed,.changed_peers,.removed[0],(.removed|length)]' "[true,[],\"$OUT/peer49.conf\",6]"
fails "peer49's files are gone" test -e "$OUT/peer49.png"
eq "the others stay" $((3 * (N - 2))) "$(find "$OUT" -type f | wc -l)"
out=$(run sync - --dir "$OUT" <"$D/spec3.json")
json_eq "removing again changes nothing" "$out" '[.changed,.removed]' '[false,[]]'

# --- a runtime failure in the middle: the peers before it stay written -----------------------
mkdir -p "$D/mid/peer10.svg"
got=$("$BIN" sync - --dir "$D/mid" <"$D/spec.json" 2>>"$D/stderr") && rc=0 || rc=$?
echo "$got" >>"$D/stdout"
eq "a directory in peer10's way: exit 1" 1 "$rc"
json_eq "the failure names the peer" "$got" '[.failed,(.msg|contains("\"peer10\" (peers[10])"))]' '[true,true]'
eq "the ten peers before it are written" 30 "$(find "$D/mid" -type f | wc -l)"
fails "peer10's set is not half written" test -e "$D/mid/peer10.conf"

# --- no key ever printed -------------------------------------------------------------------------
for k in "$D"/*.key "$D"/*.psk; do
	nomatch "$(basename "$k") never on stdout" -F -e "$(cat "$k")" "$D/stdout"
	nomatch "$(basename "$k") never on stderr" -F -e "$(cat "$k")" "$D/stderr"
done
