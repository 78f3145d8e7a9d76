#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# 1,000 peers survive a sync round trip exactly, including one peer with 1,200 allowed IPs,
# more than one netlink message holds (the kernel backend splits the set and the dump).
source "$(dirname "$0")/../lib.sh"

S=s$T_ID WS=wk$T_ID
D=$(mktemp -d)
t_cleanup "rm -rf $D"
t_ns "$S"
t_wg "$S" "$WS"
t_keys "$D" s
N=1000

# N distinct public keys without N processes: 42 random base64 characters and "A=" is
# always the encoding of 32 bytes.
head -c $((N * 40)) /dev/urandom | base64 -w 0 | tr '+/' '-_' | tr -d '=' | fold -w 42 |
	awk -v n=$N "NR <= n" | sed 's/$/A=/; s/-/+/g; s/_/\//g' >"$D/keys"
eq "$N distinct keys" $N "$(sort -u "$D/keys" | wc -l)"
awk -v n=$N 'BEGIN { printf "[" }
	{ i = NR - 1; printf "%s{\"name\":\"p%d\",\"public_key\":\"%s\",\"allowed_ips\":[\"10.%d.%d.0/24\",\"fd00:%x::/64\"],\"persistent_keepalive\":%d}",
	  (NR > 1 ? "," : ""), i, $1, int(i / 250), i % 250, i + 1, i % 3 * 10 }
	END { printf "]" }' "$D/keys" >"$D/peers.json"
# One peer with 1,200 host routes.
seq 0 1199 | awk '{ printf "%s\"172.20.%d.%d/32\"", (NR > 1 ? "," : ""), int($1 / 250), $1 % 250 }' >"$D/big.json"
big=$(wg genkey | wg pubkey)
jq --arg k "$big" --slurpfile b <(echo "[$(cat "$D/big.json")]") --arg f "$D/s.key" --arg i "$WS" \
	'{interface: $i, private_key_file: $f, listen_port: 52000,
	  peers: (. + [{name: "big", public_key: $k, allowed_ips: $b[0]}])}' "$D/peers.json" >"$D/state.json"

out=$(nsx "$S" "$WARREN_BIN/wg-peer-sync" sync "$D/state.json")
json_eq "all peers added" "$out" '[.changed,(.added|length),.unchanged]' "[true,$((N + 1)),0]"

# Expected and live, one "key allowed-ip" line each, and one "key keepalive" line each.
jq -r '.peers[] | .public_key as $k | .allowed_ips[] | "\($k)\t\(.)"' "$D/state.json" | sort >"$D/want"
nsx "$S" wg show "$WS" allowed-ips | awk '{ for (i = 2; i <= NF; i++) print $1 "\t" $i }' | sort >"$D/live"
eq "wg show lists $((N + 1)) peers" $((N + 1)) "$(nsx "$S" wg show "$WS" peers | wc -l)"
ok "every allowed IP of every peer matches the state exactly" cmp "$D/want" "$D/live"
jq -r '.peers[] | "\(.public_key)\t\(.persistent_keepalive // 0 | if . == 0 then "off" else tostring end)"' "$D/state.json" | sort >"$D/want"
nsx "$S" wg show "$WS" persistent-keepalive | sort >"$D/live"
ok "every keepalive matches" cmp "$D/want" "$D/live"
eq "the big peer has all 1200 allowed IPs" 1200 "$(nsx "$S" wg show "$WS" allowed-ips | awk -v k="$big" '$1 == k { print NF - 1 }')"

out=$(nsx "$S" "$WARREN_BIN/wg-peer-sync" sync "$D/state.json")
json_eq "a second sync of $((N + 1)) peers changes nothing" "$out" '[.changed,.unchanged]' "[false,$((N + 1))]"

# show reads the same back through the helper's own backend.
out=$(nsx "$S" "$WARREN_BIN/wg-peer-sync" show "$WS")
json_eq "show returns every peer" "$out" '.peers|length' "$((N + 1))"
json_eq "show returns the big peer whole" "$out" "[.peers[] | select(.public_key == \"$big\") | .allowed_ips | length]" '[1200]'

# Change 10 peers' allowed IPs and drop 5: only those are touched.
jq '.peers |= (map(if (.name | test("^p[0-9]$")) then .allowed_ips += ["192.168.200." + (.name[1:]) + "/32"] else . end) | map(select(.name | test("^p99[5-9]$") | not)))' \
	"$D/state.json" >"$D/state2.json"
out=$(nsx "$S" "$WARREN_BIN/wg-peer-sync" sync "$D/state2.json")
json_eq "10 updated, 5 removed, the rest untouched" "$out" '[(.updated|length),(.removed|length),.unchanged]' "[10,5,$((N + 1 - 15))]"
eq "$((N - 4)) peers remain" $((N - 4)) "$(nsx "$S" wg show "$WS" peers | wc -l)"

# A sync interrupted halfway, or hand edits (drift): remove 300 peers and change 50 peers'
# allowed IPs behind the helper's back. The next sync repairs exactly that and nothing else.
# One listing, split: wireguard-go lists peers in a different order on every call.
nsx "$S" wg show "$WS" peers >"$D/all"
head -n 300 "$D/all" >"$D/gone"
sed -n '301,350p' "$D/all" >"$D/bent"
args=()
while read -r k; do args+=(peer "$k" remove); done <"$D/gone"
i=0
while read -r k; do args+=(peer "$k" allowed-ips "10.250.0.$i/32"); i=$((i + 1)); done <"$D/bent"
nsx "$S" wg set "$WS" "${args[@]}"
eq "drifted to $((N - 304)) peers" $((N - 304)) "$(nsx "$S" wg show "$WS" peers | wc -l)"
out=$(nsx "$S" "$WARREN_BIN/wg-peer-sync" sync "$D/state2.json")
json_eq "the next sync adds back 300 and repairs 50" "$out" '[.changed,(.added|length),(.updated|length),(.removed|length)]' '[true,300,50,0]'
jq -r '.peers[] | .public_key as $k | .allowed_ips[] | "\($k)\t\(.)"' "$D/state2.json" | sort >"$D/want"
nsx "$S" wg show "$WS" allowed-ips | awk '{ for (i = 2; i <= NF; i++) print $1 "\t" $i }' | sort >"$D/live"
ok "the interface matches the state exactly again" cmp "$D/want" "$D/live"
out=$(nsx "$S" "$WARREN_BIN/wg-peer-sync" sync "$D/state2.json")
json_eq "and the sync after that changes nothing" "$out" '.changed' 'false'
