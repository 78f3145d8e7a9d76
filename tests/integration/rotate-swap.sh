#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Key rotation at the helper level (docs/rotation.md), on either backend (the VM runs it on the
# kernel module): one peer's public key is swapped by one wg-peer-sync apply while another peer
# pings the server every 50 ms. The other peer loses no ping and keeps its session (the same
# handshake time, counters that only grew); the rotated peer is back with its new key within
# 5 s; its old key is refused.
source "$(dirname "$0")/../lib.sh"

S=rs$T_ID A=ra$T_ID B=rb$T_ID WS=rws$T_ID WA=rwa$T_ID WB=rwb$T_ID
D=$(mktemp -d)
t_cleanup "rm -rf $D"
SYNC="$WARREN_BIN/wg-peer-sync"
t_tunnel --server-unset --keys s a --psk "$D" "$S" "$WS" "$A" "$WA" 10.96.1 10.95.0
t_tunnel --server-unset --keys s b --psk --host 3 "$D" "$S" "$WS" "$B" "$WB" 10.96.2 10.95.0
t_keys "$D" a2

# state NAME A-PUBLIC-KEY: the server's state file $D/NAME.json, peers a and b.
state() {
	printf '{"interface":"%s","private_key_file":"%s","listen_port":51820,"peers":[%s,%s]}\n' \
		"$WS" "$D/s.key" \
		'{"name":"a","public_key":"'"$2"'","preshared_key_file":"'"$D/a.psk"'","allowed_ips":["10.95.0.2/32"]}' \
		'{"name":"b","public_key":"'"${T_PUB[b]}"'","preshared_key_file":"'"$D/b.psk"'","allowed_ips":["10.95.0.3/32"]}' \
		>"$D/$1.json"
}
run() { nsx "$S" "$SYNC" sync "$@" 2>>"$D/stderr"; }
# peer KEY: b's line of wg show dump (public key, endpoint, allowed IPs, handshake, rx, tx).
peer() { nsx "$S" wg show "$WS" dump | awk -v k="$1" '$1 == k { print $1, $3, $4, $5, $6, $7 }'; }
us() { echo "${EPOCHREALTIME/./}"; }

state s1 "${T_PUB[a]}"
out=$(run "$D/s1.json")
json_eq "the first sync adds both peers" "$out" '[.changed,(.added|sort)]' '[true,["a","b"]]'
ok "a reaches the server" nsx "$A" ping -c 2 -W 2 -q 10.95.0.1
ok "b reaches the server" nsx "$B" ping -c 2 -W 2 -q 10.95.0.1

# --- b pings every 50 ms for 6 s; a's key is swapped in the middle -----------------------------
before=$(peer "${T_PUB[b]}")
ip netns exec "$B" ping -i 0.05 -c 120 10.95.0.1 >"$D/ping.b" 2>&1 &
PING=$!
t_cleanup "kill $PING"
sleep 1
state s2 "${T_PUB[a2]}"
t0=$(us)
out=$(run "$D/s2.json")
t1=$(us)
# (wg-peer-sync names a removed peer by its public key: the live interface knows no names.)
json_eq "the swap is one apply: the old key out, the new one in, b untouched" "$out" \
	'[.changed,.added,.removed,.updated,.unchanged]' '[true,["a"],["'"${T_PUB[a]}"'"],[],1]'
echo "  swap applied in $(((t1 - t0) / 1000)) ms"
eq "the server holds the new key and b's, nothing else" "$(printf '%s\n' "${T_PUB[a2]}" "${T_PUB[b]}" | sort | xargs)" \
	"$(nsx "$S" wg show "$WS" peers | sort | xargs)"
fails "the old key is gone from the server" grep -qF -- "${T_PUB[a]}" <(nsx "$S" wg show "$WS" peers)
out=$(run "$D/s2.json")
json_eq "the same state again changes nothing" "$out" '[.changed,.unchanged]' '[false,2]'

# The old key cannot handshake: a's interface still has it, and its pings go nowhere.
fails "a with its old key is refused" nsx "$A" ping -c 2 -W 1 -q 10.95.0.1
# a gets its new config (the new private key), and is back within 5 s.
t0=$(us)
nsx "$A" wg set "$WA" private-key "$D/a2.key"
ok "a with its new key is back within 5 s" t_wait 5 nsx "$A" ping -c 1 -W 1 -q 10.95.0.1
t1=$(us)
echo "  a back after $(((t1 - t0) / 1000)) ms"

wait "$PING" || true
sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$D/ping.b")
got=$(sed -n 's/^[0-9]* packets transmitted, \([0-9]*\) \(packets \)\{0,1\}received.*/\1/p' "$D/ping.b")
echo "  b: $sent pings sent, $got answered"
eq "b sent its 120 pings" 120 "$sent"
eq "b lost no ping during the swap" "$sent" "$got"
after=$(peer "${T_PUB[b]}")
read -r _ ep1 ips1 hs1 rx1 tx1 <<<"$before"
read -r _ ep2 ips2 hs2 rx2 tx2 <<<"$after"
eq "b keeps its endpoint and allowed IPs" "$ep1 $ips1" "$ep2 $ips2"
eq "b keeps its handshake (no new session)" "$hs1" "$hs2"
ok "b's received bytes only grew" test "$rx2" -gt "$rx1"
ok "b's sent bytes only grew" test "$tx2" -gt "$tx1"
