#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# One peer whose configuration is larger than any single request: 3,000 IPv4 and 1,000 IPv6
# allowed IPs (about 110 KB of UAPI text) and a preshared key, beside small peers. It converges
# in one run, a second run changes nothing, and a replaced set converges too; wg(8) agrees.
source "$(dirname "$0")/../lib.sh"

S=bs$T_ID WS=bws$T_ID
D=$(mktemp -d)
t_cleanup "rm -rf $D"
SYNC="$WARREN_BIN/wg-peer-sync"
t_ns "$S"
t_wg "$S" "$WS"
ip -n "$S" link set "$WS" up
t_keys "$D" s
t_psk "$D" big
BIG=$(wg genkey | wg pubkey)
A=$(wg genkey | wg pubkey)
Z=$(wg genkey | wg pubkey)

# aips V4 V6 OFFSET: a JSON list of V4 IPv4 /32s and V6 IPv6 /128s, starting at OFFSET.
aips() {
	awk -v n4="$1" -v n6="$2" -v o="$3" 'BEGIN {
		printf "["
		for (i = 0; i < n4; i++)
			printf "%s\"10.%d.%d.%d/32\"", (i ? "," : ""), 100 + int((i + o) / 62500), int((i + o) / 250) % 250, (i + o) % 250
		for (i = 0; i < n6; i++)
			printf ",\"fd00:b16::%x/128\"", i + o + 1
		printf "]" }'
}
# state FILE BIG-ALLOWED-IPS
state() {
	jq -n --arg i "$WS" --arg k "$D/s.key" --arg big "$BIG" --arg psk "$D/big.psk" --arg a "$A" \
		--arg z "$Z" --argjson aips "$2" \
		'{interface: $i, private_key_file: $k, listen_port: 51840, peers: [
		   {name: "a-small", public_key: $a, allowed_ips: ["192.168.40.2/32"]},
		   {name: "big", public_key: $big, preshared_key_file: $psk, allowed_ips: $aips,
		    persistent_keepalive: 25},
		   {name: "z-small", public_key: $z, allowed_ips: ["192.168.40.3/32"]}]}' >"$1"
}
# The state's and the interface's allowed IPs, one "key<TAB>range" line each, sorted.
want() { jq -r '.peers[] | .public_key as $k | .allowed_ips[] | "\($k)\t\(.)"' "$1" | sort; }
live() { nsx "$S" wg show "$WS" allowed-ips | awk '{ for (i = 2; i <= NF; i++) print $1 "\t" $i }' | sort; }

state "$D/s1.json" "$(aips 3000 1000 0)"
eq "the big peer's UAPI text is over 64 KiB" 1 "$(want "$D/s1.json" | awk -v k="$BIG" '$1 == k { n += length("allowed_ip=" $2 "\n") } END { print (n > 65536) }')"
out=$(nsx "$S" "$SYNC" sync "$D/s1.json" || true)
json_eq "one run adds all three peers" "$out" '[.changed,(.added|sort)]' '[true,["a-small","big","z-small"]]'
eq "the big peer has all 4000 allowed IPs" 4000 "$(nsx "$S" wg show "$WS" allowed-ips | awk -v k="$BIG" '$1 == k { print NF - 1 }')"
ok "wg show agrees with the state, range by range" cmp <(want "$D/s1.json") <(live)
eq "the big peer's preshared key and keepalive" "$(cat "$D/big.psk") 25" \
	"$(nsx "$S" wg show "$WS" dump | awk -v k="$BIG" '$1 == k { print $2, $8 }')"
out=$(nsx "$S" "$SYNC" sync "$D/s1.json" || true)
json_eq "a second run changes nothing" "$out" '[.changed,.unchanged]' '[false,3]'

# Half the ranges replaced, and 500 more: the set is replaced, not appended to.
state "$D/s2.json" "$(aips 3500 1000 1500)"
out=$(nsx "$S" "$SYNC" sync "$D/s2.json")
json_eq "a replaced set updates only the big peer" "$out" '[.changed,.updated,.unchanged]' '[true,["big"],2]'
eq "the big peer has 4500 allowed IPs" 4500 "$(nsx "$S" wg show "$WS" allowed-ips | awk -v k="$BIG" '$1 == k { print NF - 1 }')"
ok "wg show agrees with the new state" cmp <(want "$D/s2.json") <(live)
out=$(nsx "$S" "$SYNC" sync "$D/s2.json")
json_eq "and the run after that changes nothing" "$out" '[.changed,.unchanged]' '[false,3]'

# Back to a small set: the old ranges are all gone.
state "$D/s3.json" '["10.200.0.1/32"]'
out=$(nsx "$S" "$SYNC" sync "$D/s3.json")
json_eq "shrinking the big peer" "$out" '[.changed,.updated]' '[true,["big"]]'
ok "wg show agrees" cmp <(want "$D/s3.json") <(live)
