#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Peers that no state may hold, put on a live interface behind warren's back with `wg set`: the
# all-zero key and a low-order point. Both backends accept them. Every read (show, sync, all of
# zabbix-wg-stats) must still work, and the next sync removes them. Needs only bash, jq, ip and
# wg, so it also runs in the qemu kernel VM (tests/vm/run).
source "$(dirname "$0")/../lib.sh"

S=bl$T_ID WS=wbl$T_ID
D=$(mktemp -d)
t_cleanup "rm -rf $D"
t_ns "$S"
t_wg "$S" "$WS"
t_keys "$D" s
K1=$(wg genkey | wg pubkey)
Z=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=
L=4Ot6fDtBuK4WVuP68Z/EatoJjeucMrH9hmIFFl9JuAA= # a point of order 8
cat >"$D/state.json" <<JSON
{"interface": "$WS", "private_key_file": "$D/s.key", "listen_port": 51931,
 "peers": [{"name": "good", "public_key": "$K1", "allowed_ips": ["10.93.0.2/32"]}]}
JSON
# sync [ARGS]: must succeed; its JSON in $out.
sync() { out=$(nsx "$S" "$WARREN_BIN/wg-peer-sync" sync "$D/state.json" "$@") || t_fail "sync $*: $out"; }
peers() { nsx "$S" wg show "$WS" peers | sort | xargs; }

sync
json_eq "the good peer is added" "$out" '.added' '["good"]'
ok "wg set adds the all-zero key" nsx "$S" wg set "$WS" peer "$Z" allowed-ips 10.93.0.9/32
ok "and a low-order key" nsx "$S" wg set "$WS" peer "$L" allowed-ips 10.93.0.10/32
eq "wg lists all three" "$(printf '%s\n' "$K1" "$Z" "$L" | sort | xargs)" "$(peers)"

# Reading the interface works, and shows what is there.
out=$(nsx "$S" "$WARREN_BIN/wg-peer-sync" show "$WS") || t_fail "show: $out"
json_eq "show reads it, all three peers" "$out" '[.peers[].public_key] | sort' \
	"$(printf '%s\n' "$K1" "$Z" "$L" | jq -Rsc 'split("\n")[:-1] | sort')"
for cmd in "get $WS" "discovery $WS" "discovery --interfaces $WS"; do
	# shellcheck disable=SC2086 # the command's words
	ok "zabbix-wg-stats $cmd works" nsx "$S" "$WARREN_BIN/zabbix-wg-stats" $cmd
done
out=$(nsx "$S" "$WARREN_BIN/zabbix-wg-stats" get "$WS") || t_fail "zabbix-wg-stats get: $out"
json_eq "zabbix-wg-stats get counts the three" "$out" '.peers_total' 3
ok "zabbix-wg-stats prometheus works" nsx "$S" "$WARREN_BIN/zabbix-wg-stats" prometheus "$WS"

# The next sync removes them, and only them.
sync --check
json_eq "a check names both for removal" "$out" '[.changed, (.removed | sort), .unchanged]' \
	"[true,$(printf '%s\n' "$Z" "$L" | jq -Rsc 'split("\n")[:-1] | sort'),1]"
eq "the check changed nothing" "$(printf '%s\n' "$K1" "$Z" "$L" | sort | xargs)" "$(peers)"
sync
json_eq "the sync removes both" "$out" '[.changed, (.removed | length)]' '[true,2]'
eq "only the good peer is left" "$K1" "$(peers)"
sync
json_eq "the next sync has nothing to do" "$out" '[.changed, .unchanged]' '[false,1]'
