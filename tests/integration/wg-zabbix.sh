#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# zabbix-wg-stats against a live WireGuard interface with real traffic, on either backend:
# get, discovery (and its shards) and the Prometheus text checked value by value against
# `wg show dump`; names and always-on from a state file whose key files do not even exist; bad
# input; and the unprivileged user: group access to the userspace socket, or cap_net_admin as a
# file capability on the binary for the kernel backend. Needs only bash, jq, ip, wg, setpriv,
# setcap and busybox, so it also runs in the qemu kernel VM (tests/vm/run).
source "$(dirname "$0")/../lib.sh"

S=zs$T_ID C=zc$T_ID WS=zws$T_ID WC=zwc$T_ID
for p in setpriv setcap; do
	command -v "$p" >/dev/null || t_fail "$p is missing (host: util-linux and libcap2-bin; VM: add it to BINS)"
done
D=$(mktemp -d)
chmod 0755 "$D"
t_cleanup "rm -rf $D"
# The binary the unprivileged user runs: a copy, so a file capability stays on this test's file.
Z=$D/zabbix-wg-stats
cp "$WARREN_BIN/zabbix-wg-stats" "$Z"
chmod 0755 "$Z"
U=$((60000 + $$ % 5000)) G=$((65000 + $$ % 500))

# alice: the real client; bob: has an endpoint but never answers (an endpoint is not a
# connection); carol: not in the state file, so unnamed. The server's UAPI socket (userspace) is
# made group-accessible before wireguard-go starts, by the role's own launcher
# (roles/wireguard_server/files/wg-go-uapi, docs/zabbix.md).
t_tunnel --psk --port 51870 --group "$G" "$D" "$S" "$WS" "$C" "$WC" 10.77.0 10.78.0
if [ "$WG_BACKEND" = userspace ]; then
	eq "socket directory: root, 0755, so the group can reach its socket" "drwxr-xr-x 0 0" \
		"$(stat -c '%A %u %g' /run/wireguard)"
fi
SP=${T_PUB[s]} CP=${T_PUB[c]}
BP=$(wg genkey | wg pubkey) KP=$(wg genkey | wg pubkey)
DP=$(wg genkey | wg pubkey) EP=$(wg genkey | wg pubkey)
nsx "$S" wg set "$WS" peer "$BP" allowed-ips 10.78.0.3/32,fd78::3/128 endpoint 10.77.0.9:51999 \
	peer "$KP" allowed-ips 10.78.0.4/32

# alice's key was made 100 days ago, her preshared key 3 days ago (key_created, psk_created);
# bob's state has no creation times.
BORN=$(($(date +%s) - 100 * 86400)) PBORN=$(($(date +%s) - 3 * 86400))
# The state names the peers; dave is expected but absent, erin is disabled. The key files it
# names do not exist: zabbix-wg-stats must never try to read them.
cat >"$D/state.json" <<JSON
{"interface": "$WS", "private_key_file": "$D/missing/server.key", "listen_port": 51870,
 "peers": [
  {"name": "alice", "public_key": "$CP", "preshared_key_file": "$D/missing/alice.psk",
   "allowed_ips": ["10.78.0.2/32"], "always_on": true, "key_created": $BORN, "psk_created": $PBORN},
  {"name": "bob", "public_key": "$BP", "allowed_ips": ["10.78.0.3/32", "fd78::3/128"],
   "always_on": true},
  {"name": "dave", "public_key": "$DP", "allowed_ips": ["10.78.0.5/32"], "always_on": true},
  {"name": "erin", "public_key": "$EP", "allowed_ips": ["10.78.0.6/32"], "enabled": false}
 ]}
JSON
chmod 0644 "$D/state.json"

pings() { nsx "$1" ping "${@:2}" >/dev/null 2>&1; }
ok "tunnel up: first ping" t_wait 15 pings "$C" -c 1 -W 1 10.78.0.1
ok "real traffic: five 1000-byte pings" pings "$C" -c 5 -s 1000 -W 2 10.78.0.1

# run CMD...: zabbix-wg-stats as root in the server namespace; out/rc hold the result.
run() {
	set +e
	out=$(nsx "$S" "$Z" "$@" 2>"$D/stderr")
	rc=$?
	set -e
	printf '%s\n' "$out" >>"$D/all-output"
}
dump() { nsx "$S" wg show "$WS" dump | tail -n +2 | sort; }

# ---- get, value by value against wg show dump (no traffic between the two reads) -------------
# settled ARGS...: run between two identical dumps, retried while traffic (a kernel keepalive)
# moves the counters; leaves the first dump in $before.
settled() {
	local i
	for i in 1 2 3 4 5; do
		before=$(dump)
		run "$@"
		[ "$before" = "$(dump)" ] && return 0
		sleep 1
	done
	return 1
}
ok "get between two identical dumps" settled get "$WS" --state "$D/state.json"
now=$(date +%s)
eq "get succeeds" 0 "$rc"
eq "one line of JSON" 1 "$(printf '%s\n' "$out" | wc -l)"
json_eq "interface fields" "$out" '[.interface,.public_key,.listen_port,.has_state]' \
	"[\"$WS\",\"$SP\",51870,1]"
json_eq "peer counts: 3 on the interface, 1 connected (by handshake, not endpoint)" "$out" \
	'[.peers_total,.peers_connected,.peers_missing,.peers_always_on,.peers_always_on_down,.peers_always_on_missing]' \
	'[3,1,1,3,2,1]'
eq "rx total is the sum of wg's" "$(echo "$before" | awk '{s += $6} END {print s}')" \
	"$(echo "$out" | jq .rx_bytes)"
eq "tx total is the sum of wg's" "$(echo "$before" | awk '{s += $7} END {print s}')" \
	"$(echo "$out" | jq .tx_bytes)"
eq "every peer of wg is in get, no other" "$(echo "$before" | cut -f1)" \
	"$(echo "$out" | jq -r '.peers | keys[]' | sort)"
while IFS=$'\t' read -r key _psk ep aips hs rx tx _ka; do
	p=$(echo "$out" | jq -c --arg k "$key" '.peers[$k]')
	[ "$ep" = "(none)" ] && ep=""
	[ "$aips" = "(none)" ] && aips=""
	json_eq "peer $key: counters, handshake, endpoint, allowed IPs" "$p" \
		'[.rx_bytes,.tx_bytes,.latest_handshake,.endpoint,.allowed_ips]' \
		"[$rx,$tx,$hs,\"$ep\",\"$aips\"]"
	age=$(echo "$p" | jq .handshake_age)
	if [ "$hs" -eq 0 ]; then
		eq "peer $key: never: age -1, not connected, state never" "-1 0 never" \
			"$age $(echo "$p" | jq -r '"\(.connected) \(.state)"')"
	else
		ok "peer $key: age $age matches wg's $hs" test $((now - hs - age)) -ge 0 -a $((now - hs - age)) -le 2
		eq "peer $key: connected" "1 connected" "$(echo "$p" | jq -r '"\(.connected) \(.state)"')"
	fi
done <<<"$before"
json_eq "names and always-on from the state" "$out" \
	"[.peers[\"$CP\"].name,.peers[\"$BP\"].name,.peers[\"$KP\"].name,.peers[\"$CP\"].always_on,.peers[\"$KP\"].always_on]" \
	'["alice","bob","",1,0]'
ok "alice's key age is the state's key_created from now" test "$(echo "$out" |
	jq --argjson b "$BORN" --argjson t "$(echo "$out" | jq .time)" ".peers[\"$CP\"].key_age - (\$t - \$b)")" -eq 0
ok "alice's preshared key age is from psk_created" test "$(echo "$out" |
	jq --argjson b "$PBORN" --argjson t "$(echo "$out" | jq .time)" ".peers[\"$CP\"].psk_age - (\$t - \$b)")" -eq 0
json_eq "key age unknown without a creation time (bob) or a state entry (carol): -1" "$out" \
	"[.peers[\"$BP\"].key_age,.peers[\"$BP\"].psk_age,.peers[\"$KP\"].key_age]" '[-1,-1,-1]'
ok "alice moved real bytes both ways" test "$(echo "$out" | jq ".peers[\"$CP\"].rx_bytes")" -gt 5000
run get "$WS"
json_eq "without a state: no names, nobody always on" "$out" \
	'[.has_state,.peers_always_on,([.peers[].name]|unique)]' '[0,0,[""]]'

# ---- discovery and shards --------------------------------------------------------------------
run discovery "$WS" --state "$D/state.json"
json_eq "discovery: one LLD row per peer" "$out" 'length' 3
json_eq "discovery row of alice" "$out" "map(select(.\"{#WG.PEER}\" == \"$CP\"))[0]" \
	"{\"{#WG.IF}\":\"$WS\",\"{#WG.PEER.ALWAYS_ON}\":\"1\",\"{#WG.PEER.KEY_CREATED}\":\"$BORN\",\"{#WG.PEER.NAME}\":\"alice\",\"{#WG.PEER}\":\"$CP\",\"{#WG.SHARD}\":\"1/1\"}"
json_eq "discovery: bob's key creation time is unknown: 0" "$out" \
	"map(select(.\"{#WG.PEER}\" == \"$BP\"))[0].\"{#WG.PEER.KEY_CREATED}\"" '"0"'
all=$(echo "$before" | cut -f1)
for n in 2 3; do
	d="" g=""
	for k in $(seq "$n"); do
		run discovery "$WS" --shard "$k/$n"
		d+=$(echo "$out" | jq -r '.[]."{#WG.PEER}"')$'\n'
		run get "$WS" --shard "$k/$n"
		json_eq "get shard $k/$n: totals stay interface-wide" "$out" '[.peers_total,.shard,.shards]' "[3,$k,$n]"
		g+=$(echo "$out" | jq -r '.peers | keys[]')$'\n'
	done
	eq "discovery shards of $n: every peer exactly once" "$all" "$(echo "$d" | sed '/^$/d' | sort)"
	eq "get shards of $n: every peer exactly once, as in discovery" "$all" "$(echo "$g" | sed '/^$/d' | sort)"
done
run discovery --interfaces "$WS"
json_eq "interface discovery: one shard" "$out" '[.[]|[."{#WG.IF}",."{#WG.SHARD}",."{#WG.SHARD.ID}"]]' "[[\"$WS\",\"1/1\",\"$WS\"]]"
run discovery --interfaces --shard-peers 2 "$WS"
json_eq "interface discovery: 3 peers at 2 a shard" "$out" '[.[]."{#WG.SHARD}"]' '["1/2","2/2"]'

# ---- Prometheus text ---------------------------------------------------------------------------
ok "prometheus between two identical dumps" settled prometheus "$WS" --state "$D/state.json"
eq "prometheus succeeds" 0 "$rc"
metric() { echo "$out" | awk -v m="$1" -v k="$2" 'index($0, m "{") == 1 && index($0, "public_key=\"" k "\"") { print $NF }'; }
while IFS=$'\t' read -r key _psk _ep _aips hs rx tx _ka; do
	eq "prometheus rx of $key" "$rx" "$(metric wireguard_peer_receive_bytes_total "$key")"
	eq "prometheus tx of $key" "$tx" "$(metric wireguard_peer_transmit_bytes_total "$key")"
	eq "prometheus handshake of $key" "$hs" "$(metric wireguard_peer_last_handshake_seconds "$key")"
done <<<"$before"
ok "alice's name label" grep -q "^wireguard_peer_connected{interface=\"$WS\",public_key=\"$CP\",name=\"alice\"} 1\$" <<<"$out"
ok "interface gauge" grep -qx "wireguard_peers{interface=\"$WS\"} 3" <<<"$out"
ok "missing peers gauge (dave)" grep -qx "wireguard_peers_always_on_missing{interface=\"$WS\"} 1" <<<"$out"
ok "alice's state: connected 1" grep -qx "wireguard_peer_state{interface=\"$WS\",public_key=\"$CP\",name=\"alice\",state=\"connected\"} 1" <<<"$out"
ok "alice's state: never 0" grep -qx "wireguard_peer_state{interface=\"$WS\",public_key=\"$CP\",name=\"alice\",state=\"never\"} 0" <<<"$out"
ok "bob's state: never 1" grep -qx "wireguard_peer_state{interface=\"$WS\",public_key=\"$BP\",name=\"bob\",state=\"never\"} 1" <<<"$out"
eq "every peer has exactly one state" "3" "$(grep '^wireguard_peer_state{' <<<"$out" | grep -c '} 1$')"
eq "bob's handshake age: -1 (never)" "-1" "$(metric wireguard_peer_handshake_age_seconds "$BP")"
eq "alice's key creation time, as in the state" "$BORN" "$(metric wireguard_peer_key_created_seconds "$CP")"
eq "alice's preshared key creation time" "$PBORN" "$(metric wireguard_peer_preshared_key_created_seconds "$CP")"
eq "no key creation sample for bob (unknown)" "" "$(metric wireguard_peer_key_created_seconds "$BP")"
help=$(awk '$1 == "#" && $2 == "HELP" { print $3 }' <<<"$out" | sort)
ok "prometheus prints several metric families ($(wc -l <<<"$help"))" test "$(wc -l <<<"$help")" -gt 3
eq "each family has one HELP" "$(sort -u <<<"$help")" "$help"
eq "each family has one TYPE, as its HELP" "$help" "$(awk '$1 == "#" && $2 == "TYPE" { print $3 }' <<<"$out" | sort)"
eq "every sample belongs to such a family" "" \
	"$(grep -v '^#' <<<"$out" | sed 's/[{ ].*//' | sort -u | grep -vxF -f <(echo "$help") || true)"

# prometheus_wireguard_exporter's names and labels, for existing dashboards
ok "prometheus --compat between two identical dumps" settled prometheus "$WS" --state "$D/state.json" --compat
eq "prometheus --compat succeeds" 0 "$rc"
eq "--compat: the exporter's three families, nothing else" \
	"wireguard_latest_handshake_seconds wireguard_received_bytes_total wireguard_sent_bytes_total" \
	"$(awk '$2 == "TYPE" { print $3 }' <<<"$out" | sort | xargs)"
while IFS=$'\t' read -r key _psk _ep aips hs rx tx _ka; do
	[ "$aips" = "(none)" ] && aips=""
	eq "--compat: sent, received, handshake of $key" "$tx $rx $hs" \
		"$(metric wireguard_sent_bytes_total "$key") $(metric wireguard_received_bytes_total "$key") $(metric wireguard_latest_handshake_seconds "$key")"
	ok "--compat: allowed_ips label of $key" grep -qF "public_key=\"$key\",allowed_ips=\"$aips\"" <<<"$out"
done <<<"$before"
ok "--compat: alice's friendly_name" grep -q "^wireguard_sent_bytes_total{interface=\"$WS\",public_key=\"$CP\",allowed_ips=\"10.78.0.2/32\",friendly_name=\"alice\"} " <<<"$out"
nomatch "--compat: an unnamed peer gets no friendly_name" -e "public_key=\"$KP\".*friendly_name" <<<"$out"
run get "$WS" --compat
eq "--compat is for prometheus only: exit 2" 2 "$rc"

# ---- bad input ---------------------------------------------------------------------------------
run get "nosuch$T_ID"
eq "unknown interface: exit 1" 1 "$rc"
json_eq "unknown interface: one clear line" "$out" '[.failed,(.msg|test("no WireGuard interface"))]' '[true,true]'
run discovery "nosuch$T_ID"
eq "discovery of an unknown interface: exit 1" 1 "$rc"
echo '{"interface": "x", "peers": [' >"$D/bad.json"
run get "$WS" --state "$D/bad.json"
eq "malformed state: exit 2" 2 "$rc"
json_eq "malformed state: the file is named" "$out" ".msg|contains(\"$D/bad.json\")" true
echo '{"interface": "x", "peers": [{"name": "a", "public_key": "nope"}]}' >"$D/bad2.json"
run prometheus --state "$D/bad2.json"
eq "invalid state (bad key): exit 2" 2 "$rc"
run get "$WS" --state "$D/none.json"
eq "missing state file: exit 2" 2 "$rc"
json_eq "missing state file: named" "$out" '.msg|test("none.json.*No such file")' true
run get "$WS" --shard 3/2
eq "shard 3/2: exit 2" 2 "$rc"
run get
eq "get without an interface: exit 2" 2 "$rc"
for secret in "$(cat "$D/s.key")" "$(cat "$D/c.key")" "$(cat "$D/c.psk")"; do
	nomatch "no private or preshared key in any output" -F -e "$secret" "$D/all-output"
done

# ---- unprivileged ------------------------------------------------------------------------------
# as [--groups G] CMD...: the binary as uid $U in the server namespace, no capabilities kept.
as() {
	local grp=(--clear-groups)
	[ "$1" = --groups ] && grp=(--groups "$2") && shift 2
	set +e
	out=$(nsx "$S" setpriv --reuid="$U" --regid="$U" "${grp[@]}" --inh-caps=-all "$@" 2>&1)
	rc=$?
	set -e
	printf '%s\n' "$out" >>"$D/all-output"
}
same() { jq -c 'del(.time) | .peers |= map_values(del(.handshake_age))'; }
# as_same ARGS...: root's and the unprivileged user's `get` agree (retried while counters move).
as_same() {
	local i
	for i in 1 2 3 4 5; do
		run get "$WS" --state "$D/state.json"
		want=$(echo "$out" | same)
		as "$@" "$Z" get "$WS" --state "$D/state.json"
		[ "$rc" -eq 0 ] && [ "$want" = "$(echo "$out" | same)" ] && return 0
		sleep 1
	done
	return 1
}
as "$Z" get "$WS" --state "$D/state.json"
eq "unprivileged, no access: exit 1" 1 "$rc"
json_eq "unprivileged, no access: says so" "$out" '.msg|test("no access")' true
case "$WG_BACKEND" in
userspace)
	eq "socket: group $G, mode 0660" "srw-rw---- 0 $G" "$(stat -c '%A %u %g' "/var/run/wireguard/$WS.sock")"
	ok "socket group member: get works, same document as root" as_same --groups "$G"
	as --groups "$G" "$Z" get "$WC"
	eq "socket group member: a root-only socket stays closed" 1 "$rc"
	as --groups "$G" "$Z" discovery "$WS" --state "$D/state.json"
	json_eq "socket group member: discovery" "$out" 'length' 3
	as "$Z" get "$WS"
	eq "not in the group: still no access" 1 "$rc"
	;;
kernel)
	ok "cap_net_admin as a file capability" setcap cap_net_admin+ep "$Z"
	ok "file capability: get works, same document as root" as_same
	as "$Z" prometheus "$WS"
	eq "file capability: prometheus works" 0 "$rc"
	as wg show "$WS" dump
	ok "while wg itself, unprivileged, may not read it" test "$rc" -ne 0
	;;
esac
for secret in "$(cat "$D/s.key")" "$(cat "$D/c.psk")"; do
	nomatch "no key in the unprivileged outputs either" -F -e "$secret" "$D/all-output"
done
