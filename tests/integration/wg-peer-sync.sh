#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# wg-peer-sync against a real WireGuard interface: a server and a client namespace joined by
# veth, a live tunnel, then add/update/disable/remove, checked with wg(8) and real pings.
source "$(dirname "$0")/../lib.sh"

S=s$T_ID C=c$T_ID WS=ws$T_ID WC=wc$T_ID
D=$(mktemp -d)
t_cleanup "rm -rf $D"
SYNC="$WARREN_BIN/wg-peer-sync"
# The client is configured with wg(8) only: the independent side of the tunnel. The server's
# interface is left to wg-peer-sync.
t_tunnel --psk --server-unset "$D" "$S" "$WS" "$C" "$WC" 10.99.0 192.168.100
SP=${T_PUB[s]} CP=${T_PUB[c]}
BP=$(wg genkey | wg pubkey)
KP=$(wg genkey | wg pubkey)

# state NAME JSON-PEERS [EXTRA-FIELDS]: writes $D/NAME.json
state() {
	printf '{"interface":"%s","private_key_file":"%s","listen_port":51820%s,"peers":%s}\n' \
		"$WS" "$D/s.key" "${3:-}" "$2" >"$D/$1.json"
}
alice='{"name":"alice","public_key":"'$CP'","preshared_key_file":"'$D/c.psk'","allowed_ips":["192.168.100.2/32"],"always_on":true}'
bob='{"name":"bob","public_key":"'$BP'","allowed_ips":["192.168.100.3/32"],"persistent_keepalive":25}'
carol='{"name":"carol","public_key":"'$KP'","allowed_ips":["192.168.100.4/32","fd00:100::4/128"],"endpoint":"127.0.0.1:4004"}'

run() { nsx "$S" "$SYNC" "$@" 2>>"$D/stderr" | tee -a "$D/stdout"; }
dump() { nsx "$S" wg show "$WS" dump | tail -n +2 | cut -f1,3,4,8 | sort; }
# The whole live configuration, keys included, as a digest: wireguard-go lists peers in map order.
snap() { nsx "$S" wg show "$WS" dump | cut -f1-4,8 | sort | sha256sum; }
hs() { nsx "$S" wg show "$WS" latest-handshakes | awk -v k="$1" '$1 == k { print $2 }'; }

# --- first sync: interface fields and two peers ------------------------------------
state s1 "[$alice,$bob]"
before=$(snap)
out=$(run sync "$D/s1.json" --check)
json_eq "check mode reports the change" "$out" '[.changed,.check,(.added|sort)]' '[true,true,["alice","bob"]]'
eq "check mode changes nothing" "$before" "$(snap)"
out=$(run sync "$D/s1.json")
json_eq "first sync adds both peers" "$out" '[.changed,(.added|sort),.updated,.removed,.unchanged]' \
	'[true,["alice","bob"],[],[],0]'
json_eq "first sync sets key and port" "$out" '.interface_changes' '["private_key","listen_port"]'
eq "wg sees the server public key" "$SP" "$(nsx "$S" wg show "$WS" public-key)"
eq "wg sees the listen port" "51820" "$(nsx "$S" wg show "$WS" listen-port)"
eq "wg sees exactly the state's peers" "$(printf '%s\t(none)\t192.168.100.3/32\t25\n%s\t(none)\t192.168.100.2/32\toff\n' "$BP" "$CP" | sort)" "$(dump)"
ok "the preshared key is set" sh -c "ip netns exec $S wg show $WS preshared-keys | grep -q '^$CP	$(cat "$D/c.psk")'"
ok "the tunnel carries traffic" nsx "$C" ping -c 2 -W 2 -q 192.168.100.1
ok "the server sees a handshake" test "$(hs "$CP")" -gt 0

# --- idempotence ---------------------------------------------------------------------
out=$(run sync "$D/s1.json")
json_eq "second sync changes nothing" "$out" '[.changed,.added,.updated,.removed,.unchanged]' '[false,[],[],[],2]'

# --- update one peer, add another: the untouched peer keeps its session ---------------
h1=$(hs "$CP")
rx1=$(nsx "$S" wg show "$WS" transfer | awk -v k="$CP" '$1 == k { print $2 }')
sleep 1.1
bob2='{"name":"bob","public_key":"'$BP'","allowed_ips":["192.168.100.3/32","192.168.100.30/32"],"persistent_keepalive":25}'
state s2 "[$alice,$bob2,$carol]"
out=$(run sync "$D/s2.json")
json_eq "update and add" "$out" '[.changed,.added,.updated,.removed,.unchanged]' '[true,["carol"],["bob"],[],1]'
eq "bob's allowed IPs replaced" "192.168.100.3/32 192.168.100.30/32" \
	"$(nsx "$S" wg show "$WS" allowed-ips | awk -v k="$BP" '$1 == k { $1 = ""; print substr($0, 2) }')"
eq "carol has both families and her endpoint" "127.0.0.1:4004	192.168.100.4/32,fd00:100::4/128" \
	"$(nsx "$S" wg show "$WS" dump | awk -v k="$KP" '$1 == k { print $3 "\t" $4 }')"
eq "alice's handshake is untouched by the sync" "$h1" "$(hs "$CP")"
ok "alice's session still carries traffic" nsx "$C" ping -c 1 -W 2 -q 192.168.100.1
eq "alice needed no new handshake" "$h1" "$(hs "$CP")"
rx2=$(nsx "$S" wg show "$WS" transfer | awk -v k="$CP" '$1 == k { print $2 }')
ok "alice's byte counter kept counting (no peer re-creation)" test "$rx2" -gt "$rx1"
out=$(run sync "$D/s2.json")
json_eq "idempotent after update" "$out" '[.changed,.unchanged]' '[false,3]'

# --- absent fields mean "leave as it is" ------------------------------------------------
printf '{"interface":"%s"}\n' "$WS" >"$D/bare.json"
conf=$(snap)
out=$(run sync "$D/bare.json")
json_eq "a state with only the interface changes nothing" "$out" '.changed' 'false'
eq "private key, port and peers all kept" "$conf" "$(snap)"
bob_noaip='{"name":"bob","public_key":"'$BP'"}'
printf '{"interface":"%s","peers":[%s,%s,%s]}\n' "$WS" "$alice" "$bob_noaip" "$carol" >"$D/noaip.json"
out=$(run sync "$D/noaip.json")
json_eq "a peer without allowed_ips keeps them" "$out" '[.changed,.unchanged]' '[false,3]'
eq "nothing cleared" "$conf" "$(snap)"

# --- disable, then remove ----------------------------------------------------------------
bob_off='{"name":"bob","public_key":"'$BP'","allowed_ips":["192.168.100.3/32"],"enabled":false}'
state s3 "[$alice,$bob_off,$carol]"
out=$(run sync "$D/s3.json")
json_eq "disabling removes the peer from the interface" "$out" '[.changed,.removed,.unchanged]' '[true,["bob"],2]'
eq "bob is gone from the interface, alice and carol stay" "$(printf '%s\n' "$CP" "$KP" | sort)" \
	"$(nsx "$S" wg show "$WS" peers | sort)"
out=$(run sync "$D/s3.json")
json_eq "a disabled peer stays off" "$out" '[.changed,.unchanged]' '[false,3]'
state s4 "[$alice]"
out=$(run sync "$D/s4.json")
json_eq "a peer absent from the list is removed by public key" "$out" '[.changed,.removed]' "[true,[\"$KP\"]]"
eq "only alice is left" "$CP" "$(nsx "$S" wg show "$WS" peers)"
ok "alice still connected" nsx "$C" ping -c 1 -W 2 -q 192.168.100.1

# --- removing every peer needs a flag ------------------------------------------------------
state empty "[]"
conf=$(snap)
set +e
out=$(run sync "$D/empty.json")
rc=$?
set -e
eq "emptying is refused with exit 2" 2 "$rc"
json_eq "the refusal names the flag" "$out" '.msg|test("--allow-empty")' 'true'
eq "nothing removed" "$conf" "$(snap)"
out=$(run sync "$D/empty.json" --allow-empty --check)
json_eq "check mode with the flag reports the removal" "$out" '[.changed,.removed]' "[true,[\"$CP\"]]"
eq "and still removes nothing" "$conf" "$(snap)"
out=$(run sync "$D/empty.json" --allow-empty)
json_eq "with --allow-empty every peer goes" "$out" '[.changed,.removed]' "[true,[\"$CP\"]]"
eq "no peers left" "" "$(nsx "$S" wg show "$WS" peers)"
eq "the private key survived" "$SP" "$(nsx "$S" wg show "$WS" public-key)"
state back "[$alice]" ',"allow_empty":false'
out=$(run sync "$D/back.json")
json_eq "alice comes back" "$out" '.added' '["alice"]'
# The client still holds a session the server forgot; a reconnecting client starts afresh.
nsx "$C" wg set "$WC" peer "$SP" remove
nsx "$C" wg set "$WC" peer "$SP" preshared-key "$D/c.psk" endpoint 10.99.0.1:51820 allowed-ips 192.168.100.1/32
ok "and reconnects" t_wait 10 nsx "$C" ping -c 1 -W 1 -q 192.168.100.1

# --- show ----------------------------------------------------------------------------------
out=$(run show "$WS")
json_eq "show lists the live peer" "$out" '[.interface,.public_key,.listen_port,(.peers|length),.peers[0].public_key,.peers[0].preshared_key]' \
	"[\"$WS\",\"$SP\",51820,1,\"$CP\",true]"
set +e
out=$(run show "nope$T_ID")
rc=$?
set -e
eq "show of a missing interface exits 1" 1 "$rc"
json_eq "and says so" "$out" '.msg|test("does not exist")' 'true'

# --- keys: pubkey, genkey, genpsk -----------------------------------------------------------
for i in 1 2 3 4 5 6 7 8; do
	k=$(wg genkey)
	eq "pubkey is byte-identical to wg pubkey ($i)" "$(echo "$k" | wg pubkey | od -c)" "$(echo "$k" | "$SYNC" pubkey | od -c)"
done
# One run for many keys: one private key a line in, one public key a line out, in order.
(umask 077 && for i in $(seq 100); do wg genkey; done >"$D/batch.keys")
while read -r k; do echo "$k" | wg pubkey; done <"$D/batch.keys" >"$D/batch.wg"
"$SYNC" pubkey <"$D/batch.keys" >"$D/batch.pub"
ok "pubkey of 100 keys at once equals wg pubkey of each" cmp "$D/batch.wg" "$D/batch.pub"
ok "... also without the last newline" cmp "$D/batch.wg" <(head -c -1 "$D/batch.keys" | "$SYNC" pubkey)
out=$( (head -n 50 "$D/batch.keys" && echo "not-a-key" && tail -n 10 "$D/batch.keys") | "$SYNC" pubkey) && rc=0 || rc=$?
eq "a bad line among keys: exit 2" 2 "$rc"
json_eq "... one JSON object naming the line, and no public key printed before it" "$out" '.msg' '"line 51: not a base64 private key of 32 bytes"'
out=$(printf '%s\n\n' "$(head -n 1 "$D/batch.keys")" | "$SYNC" pubkey) && rc=0 || rc=$?
json_eq "an empty line is a bad line" "$out" '[.failed,.msg]' '[true,"line 2: not a base64 private key of 32 bytes"]'
(umask 077 && "$SYNC" genkey --count 200 >"$D/many.keys")
eq "genkey --count 200 prints 200 distinct keys" 200 "$(sort -u "$D/many.keys" | wc -l)"
eq "... each one wg accepts" 200 "$(while read -r k; do echo "$k" | wg pubkey; done <"$D/many.keys" | sort -u | wc -l)"
eq "... and pubkey takes them all back" 200 "$("$SYNC" pubkey <"$D/many.keys" | wc -l)"
eq "genpsk --count 3 prints three 32-byte keys" "32 32 32" \
	"$("$SYNC" genpsk --count 3 | while read -r k; do echo "$k" | base64 -d | wc -c; done | xargs)"
rc=0
(umask 022 && "$SYNC" genkey --count 5 >"$D/open-many.key") || rc=$?
eq "genkey --count refuses a file others can read: exit 1" 1 "$rc"
eq "... and wrote no key into it" "" "$(grep -v failed "$D/open-many.key" || true)"
out=$("$SYNC" genkey --count 2 --out "$D/x.key") && rc=0 || rc=$?
eq "--count with --out: exit 2" 2 "$rc"
fails "... and no file written" test -e "$D/x.key"
for n in 0 100001 -1 1x; do
	out=$("$SYNC" genpsk --count "$n") && rc=0 || rc=$?
	eq "genpsk --count $n: exit 2" 2 "$rc"
done
k=$("$SYNC" genkey)
ok "genkey makes a key wg accepts" sh -c "echo $k | wg pubkey >/dev/null"
ok "genpsk makes 32 bytes" test "$("$SYNC" genpsk | base64 -d | wc -c)" -eq 32
rc=0
(umask 022 && "$SYNC" genkey >"$D/open.key") || rc=$?
eq "genkey refuses a file others can read: exit 1" 1 "$rc"
json_eq "... and says why, in that file" "$(cat "$D/open.key")" '[.failed,(.msg|test("group or others can read"))]' '[true,true]'
eq "and wrote no key into it" "" "$(grep -v failed "$D/open.key" || true)"
ok "genkey --out writes a private file" "$SYNC" genkey --out "$D/new.key"
eq "mode 0600" 600 "$(stat -c %a "$D/new.key")"
# The old check, honestly named: /dev/null/x cannot be created whatever the code does.
out=$("$SYNC" genkey --out /dev/null/x) && rc=0 || rc=$?
eq "genkey --out where no file can be made: exit 1" 1 "$rc"
json_eq "... and says which path" "$out" '[.failed,(.msg|contains("/dev/null/x"))]' '[true,true]'
# A symlink at the --out path is replaced by the key file (the rename of a new 0600 file), never
# followed: the file it points to keeps its content and mode.
echo canary >"$D/canary"
chmod 0644 "$D/canary"
ln -s "$D/canary" "$D/link.key"
out=$("$SYNC" genkey --out "$D/link.key")
json_eq "genkey --out onto a symlink replaces the link" "$out" '[.changed,.path]' "[true,\"$D/link.key\"]"
eq "the symlink's target is untouched: content and mode" "canary 644" "$(cat "$D/canary") $(stat -c %a "$D/canary")"
fails "the path is no longer a symlink" test -L "$D/link.key"
eq "it is a 0600 file holding a key wg accepts" "600 1" \
	"$(stat -c %a "$D/link.key") $(wg pubkey <"$D/link.key" | grep -c .)"
eq "and no temporary file is left beside it" 0 "$(find "$D" -name '*.tmp.*' | wc -l)"

# --- no key ever reaches stdout or stderr ----------------------------------------------------
for f in "$D/s.key" "$D/c.psk" "$D/c.key"; do
	nomatch "no key from $(basename "$f") in any output" -F -e "$(cat "$f")" "$D/stdout" "$D/stderr"
done
