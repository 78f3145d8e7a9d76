#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The userspace socket protocol from the client side, with a stand-in server (uapi-fake.py) where
# real wireguard-go cannot be made to misbehave: a socket that never answers times out with a
# message naming the interface; set requests are small, one at a time, interface fields alone,
# and a large peer continues with update_only; a refused request names its peers. Then, against
# real wireguard-go, the behaviour the request size relies on: a rejected line ends the request
# and what was read with it is dropped, but what follows the first 4096 bytes reaches the log.
source "$(dirname "$0")/../lib.sh"

if [ "$WG_BACKEND" != userspace ]; then
	T_QUIET=1
	echo "SKIP $T_NAME (the userspace socket protocol; backend $WG_BACKEND)"
	exit 0
fi
D=$(mktemp -d)
t_cleanup "rm -rf $D"
SYNC="$WARREN_BIN/wg-peer-sync"
FAKE="$(cd "$(dirname "$0")" && pwd)/uapi-fake.py"
export WARREN_WG_SOCKET_DIR=$D/sock
mkdir -m 0700 "$WARREN_WG_SOCKET_DIR"

# fake IFACE MODE [ARGS...]: a stand-in socket for IFACE.
fake() {
	local sock=$WARREN_WG_SOCKET_DIR/$1.sock
	python3 "$FAKE" "$sock" "${@:2}" &
	t_cleanup "kill $!"
	t_wait 5 test -e "$sock.ready" || t_fail "uapi-fake.py did not start for $1"
}

t_keys "$D" s
t_psk "$D" p
# state FILE IFACE PEERS-JSON
state() {
	printf '{"interface":"%s","private_key_file":"%s","listen_port":51851,"fwmark":3,"peers":%s}\n' \
		"$2" "$D/s.key" "$3" >"$1"
}

# --- a socket that never answers ----------------------------------------------------------
fake "hang$T_ID" hang
fake "noset$T_ID" no-set
state "$D/hang.json" "hang$T_ID" '[]'
state "$D/noset.json" "noset$T_ID" '[]'
# The three waits run side by side: each is the helper's 10 s timeout.
t0=$SECONDS
# run NAME CMD...: CMD's output into $D/NAME.out, its exit status into $D/NAME.rc.
run() {
	local rc=0
	"${@:2}" >"$D/$1.out" 2>&1 || rc=$?
	echo "$rc" >"$D/$1.rc"
}
pids=()
run show "$SYNC" show "hang$T_ID" &
pids+=($!)
run sync "$SYNC" sync "$D/hang.json" &
pids+=($!)
run set "$SYNC" sync "$D/noset.json" &
pids+=($!)
wait "${pids[@]}"
took=$((SECONDS - t0))
ok "the helper gave up after its timeout, not before and not much later ($took s)" test "$took" -ge 9 -a "$took" -le 20
for c in show sync set; do
	eq "$c on a silent socket: exit 1" 1 "$(cat "$D/$c.rc")"
	json_eq "$c on a silent socket: one JSON failure" "$(cat "$D/$c.out")" '.failed' 'true'
done
json_eq "show says it timed out and names the interface" "$(cat "$D/show.out")" \
	".msg|[test(\"timed out\"),test(\"hang$T_ID\"),test(\"not permitted\")]" '[true,true,false]'
json_eq "sync says it timed out reading the interface" "$(cat "$D/sync.out")" \
	".msg|[test(\"cannot read\"),test(\"timed out\"),test(\"hang$T_ID\")]" '[true,true,true]'
json_eq "a set that is never answered times out too" "$(cat "$D/set.out")" \
	".msg|[test(\"applying\"),test(\"timed out\"),test(\"noset$T_ID\")]" '[true,true,true]'

# --- what the helper sends: small requests, one at a time -----------------------------------
N=200
head -c $((N * 64)) /dev/urandom | base64 -w 0 | tr -d '+/=' | fold -w 42 | awk -v n=$N 'NR <= n { print $0 "A=" }' >"$D/keys"
BIG=$(wg genkey | wg pubkey)
BIGHEX=$(echo "$BIG" | base64 -d | od -An -v -tx1 | tr -d ' \n')
awk -v psk="$D/p.psk" 'BEGIN { printf "[" }
	{ printf "%s{\"name\":\"p%d\",\"public_key\":\"%s\",\"preshared_key_file\":\"%s\",\"allowed_ips\":[\"10.1.%d.%d/32\"],\"endpoint\":\"10.2.0.1:%d\"}",
	  (NR > 1 ? "," : ""), NR, $1, psk, int(NR / 250), NR % 250, 1000 + NR }
	END { printf "]" }' "$D/keys" >"$D/small.json"
seq 0 2999 | awk 'BEGIN { printf "[" } { printf "%s\"10.50.%d.%d/32\"", (NR > 1 ? "," : ""), int($1 / 250), $1 % 250 } END { printf "]" }' >"$D/bigaips.json"
jq --arg k "$BIG" --arg psk "$D/p.psk" --slurpfile a "$D/bigaips.json" \
	'. + [{name: "big", public_key: $k, preshared_key_file: $psk, allowed_ips: $a[0]}]' "$D/small.json" >"$D/peers.json"
fake "rec$T_ID" record "$D/rec.log"
state "$D/rec.json" "rec$T_ID" "$(cat "$D/peers.json")"
out=$("$SYNC" sync "$D/rec.json")
json_eq "the sync succeeds" "$out" '[.changed,(.added|length)]' "[true,$((N + 1))]"
R=$D/rec.log
eq "no request over 4096 bytes" 0 "$(jq -s 'map(select(.bytes > 4096)) | length' "$R")"
eq "no request sent before the previous reply" 0 "$(jq -s 'map(select(.early)) | length' "$R")"
json_eq "the interface fields come first, each alone: port, fwmark, then the key" \
	"$(jq -sc '.[0:3] | map(.keys)' "$R")" '.' '[["listen_port"],["fwmark"],["private_key"]]'
eq "no later request carries an interface field" 0 \
	"$(jq -s '.[3:] | map(select(.keys | any(. == "listen_port" or . == "fwmark" or . == "private_key"))) | length' "$R")"
eq "every peer is named exactly once with its preshared key" "$((N + 1)) $((N + 1))" \
	"$(jq -s '[.[].keys[] | select(. == "preshared_key")] | length' "$R") $(jq -s '[.[].keys[] | select(. == "replace_allowed_ips")] | length' "$R")"
eq "every allowed IP is sent once" $((N + 3000)) "$(jq -s '[.[].keys[] | select(. == "allowed_ip")] | length' "$R")"
# The big peer (about 80 KB) fills requests by itself: the first has its key and
# replace_allowed_ips, the others name it again with update_only and carry only allowed IPs.
jq -sc '.[] | select(.keys == ["public_key", "update_only"] + (.keys[2:] | map(select(. == "allowed_ip"))) and (.keys | length) > 2)' "$R" >"$D/cont"
ok "the big peer continues in several requests with update_only" test "$(wc -l <"$D/cont")" -ge 10

# --- a refused request names the peer it carried ----------------------------------------------
fake "rej$T_ID" record "$D/rej.log" "$BIGHEX"
state "$D/rej.json" "rej$T_ID" "$(cat "$D/peers.json")"
rc=0
"$SYNC" sync "$D/rej.json" >"$D/rej.out" 2>&1 || rc=$?
out=$(cat "$D/rej.out")
eq "a refused request: exit 1" 1 "$rc"
json_eq "the message names the big peer by name and public key" "$out" \
	".msg|[contains(\"Invalid argument\"),contains(\"peer \\\"big\\\" ($BIG)\"),contains(\"earlier requests were applied\")]" \
	'[true,true,true]'
eq "nothing was sent after the refused request" "$(jq -s 'map(.reject) | index(true) + 1' "$D/rej.log")" "$(wc -l <"$D/rej.log")"
nomatch "no key in the helper's output" -F -e "$(cat "$D/s.key")" -e "$(cat "$D/p.psk")" "$D/rej.out"
# A request of many small peers: the message names the first and the last of them (peers go in
# key order, so the big peer, whose random key may sort anywhere, can be the first).
P50=$(sed -n 50p "$D/keys")
fake "rej2$T_ID" record "$D/rej2.log" "$(echo "$P50" | base64 -d | od -An -v -tx1 | tr -d ' \n')"
state "$D/rej2.json" "rej2$T_ID" "$(cat "$D/peers.json")"
out=$("$SYNC" sync "$D/rej2.json" || true)
json_eq "a refused request of several peers names the first and the last" "$out" \
	'.msg|test("in a request for [0-9]+ peers, \"(big|p[0-9]+)\" \\([^)]+\\) to \"(big|p[0-9]+)\" \\([^)]+\\)")' 'true'
n=$(jq -s 'map(select(.reject))[0].keys | map(select(. == "public_key")) | length' "$D/rej2.log")
json_eq "and counts the peers the request carried" "$out" ".msg|test(\"for $n peers\")" 'true'

# --- real wireguard-go: what the request size relies on ---------------------------------------
unset WARREN_WG_SOCKET_DIR
S=us$T_ID WS=uws$T_ID
t_ns "$S"
t_wg_go "$S" "$WS" --log "$D/wg-go.log"
ip -n "$S" link set "$WS" up
t_udp_hold "$S" 99
M1=$(head -c 32 /dev/urandom | od -An -v -tx1 | tr -d ' \n')
M2=$(head -c 32 /dev/urandom | od -An -v -tx1 | tr -d ' \n')
# raw MARKER OFFSET: one set request whose first line is refused (the busy port), with a
# preshared_key line carrying MARKER at byte OFFSET (filler lines before it, never parsed).
raw() {
	python3 - "/var/run/wireguard/$WS.sock" "$1" "$2" "$BIGHEX" <<'PY'
import socket, sys
path, mark, pad, peer = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
head = b"set=1\nlisten_port=99\n"
body = b"public_key=" + peer.encode() + b"\n"
n, fill = pad - len(head) - len(body), b""
while n > 60:
    fill, n = fill + b"x" * 39 + b"\n", n - 40
if n > 0:
    fill += b"x" * (n - 1) + b"\n"
req = head + fill + body + b"preshared_key=" + mark.encode() + b"\n\n"
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)
s.sendall(req)
print(s.recv(64).decode().strip())
PY
}
eq "wireguard-go refuses the busy port" "errno=-98" "$(raw "$M1" 0)"
ok "and logs why" t_wait 2 grep -q "failed to set listen_port" "$D/wg-go.log"
nomatch "a key within the first 4096 bytes of the refused request is dropped, never logged" \
	-e "$M1" "$D/wg-go.log"
raw "$M2" 4096 >/dev/null || true
ok "a key starting at byte 4096 is read as a new operation and logged (why requests stay under it)" \
	t_wait 2 grep -q "invalid UAPI operation: preshared_key=$M2" "$D/wg-go.log"
