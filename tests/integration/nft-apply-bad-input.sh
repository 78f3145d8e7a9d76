#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# nft-apply's bad-input corpus: every case exits 2 with {"failed": true} and a message naming
# the field, and the live ruleset (applied from docs/examples/nft-policy.json first) stays
# exactly as it was: same text, and nft monitor sees no new generation.
source "$(dirname "$0")/../lib.sh"

G=nx$T_ID
D=$(mktemp -d)
t_cleanup "rm -rf $D"
APPLY="$WARREN_BIN/nft-apply"
EX="$(dirname "$0")/../../docs/examples/nft-policy.json"
t_ns "$G"
t_cleanup "ip netns exec $G $WARREN_BIN/nft-apply delete" # and its witness file
out=$(nsx "$G" "$APPLY" "$EX")
json_eq "the example policy applies" "$out" '[.changed,.rules]' '[true,27]'
out=$(nsx "$G" "$APPLY" "$EX")
json_eq "the example policy is idempotent" "$out" '.changed' 'false'
before=$(nsx "$G" nft list ruleset)
nsx "$G" nft monitor >"$D/monitor" 2>&1 &
t_cleanup "kill $!"
sleep 0.5

n=0
# bad NEEDLE FILE: nft-apply FILE must exit 2, fail, and name NEEDLE in its message.
bad() {
	local out rc
	set +e
	out=$(nsx "$G" "$APPLY" "$2")
	rc=$?
	set -e
	eq "exit 2 for $1" 2 "$rc"
	json_eq "failed for $1" "$out" '.failed' 'true'
	json_eq "message names $1" "$out" ".msg | contains($(jq -n --arg s "$1" '$s'))" 'true'
	n=$((n + 1))
}
# mut NEEDLE JQ-FILTER: the example policy changed by the filter.
mut() {
	jq "$2" "$EX" >"$D/case.json"
	bad "$1" "$D/case.json"
}

mut 'unknown field "bogus"' '.bogus = 1'
mut 'unknown field "peers[1].acces"' '.peers[1].acces = []'
mut 'unknown field "peers[1].access[0].port"' '.peers[1].access[0].port = 22'
mut 'unknown field "log.level"' '.log.level = "info"'
mut 'unknown field "input[0].source"' '.input[0].source = ["10.0.0.0/8"]'
mut '"interface"' 'del(.interface)'
mut '"interface"' '.interface = "wg0;evil"'
mut '"interface"' '.interface = "a-very-long-interface-name"'
mut '"listen_port"' 'del(.listen_port)'
mut '"listen_port"' '.listen_port = 70000'
mut '"listen_port"' '.listen_port = "51820"'
mut '"vpn_subnet"' '.vpn_subnet = "192.168.100.0/33"'
mut '"vpn_subnet"' '.vpn_subnet = "192.168.100.1/24"'
mut '"table"' '.table = "warren table"'
mut '"wg_sources"' '.wg_sources = []'
mut '"wg_sources[0]"' '.wg_sources = ["0.0.0.0/x"]'
mut '"allow_networks[0]"' '.allow_networks = ["192.168.1.1/16"]'
mut $'"allow_networks[0]": "192.168.0.0/\t16" has an invalid prefix length' '.allow_networks = ["192.168.0.0/\t16"]'
mut '"wg_sources[0]": "0.0.0.0/ 0" has an invalid prefix length' '.wg_sources = ["0.0.0.0/ 0"]'
mut '"deny_networks[1]"' '.deny_networks += ["not-an-address"]'
mut '"deny_networks"' '.deny_networks = "172.16.10.0/24"'
mut '"masquerade"' '.masquerade = "yes"'
mut '"peer_to_peer"' '.peer_to_peer = 1'
mut '"peers[0].address"' '.peers[0].address = "10.0.0.1"'
mut '"peers[0].address"' '.peers[0].address = "192.168.100.0/30"'
mut '"peers[2].address"' '.peers[2].address = .peers[1].address'
mut '"peers[0].address"' 'del(.peers[0].address)'
# The parser's own message, not "must be a single address" from an unset range.
mut '"peers[0].address": "192.168.100.300" is not an IPv4 address' '.peers[0].address = "192.168.100.300"'
mut '"peers[0].address": "192.168.100.2/ 32" has an invalid prefix length' '.peers[0].address = "192.168.100.2/ 32"'
mut '"peers[1].access[0].to"' '.peers[1].access[0].to = "192.168.10.20/24"'
mut '"peers[1].access[0].proto"' '.peers[1].access[0].proto = "tcpx"'
mut '"peers[1].access[0].ports[0]"' '.peers[1].access[0].ports[0] = 0'
mut '"peers[1].access[0].ports[1]"' '.peers[1].access[0].ports[1] = "90-80"'
mut '"peers[1].access[0].ports[1]"' '.peers[1].access[0].ports[1] = 443'
mut '"peers[3].access[0].ports"' '.peers[3].access[0].ports = [22]'
mut '"peers[1].access[1].ports"' '.peers[1].access[1].ports = [1]'
mut '"peers[2].access[1]"' '.peers[2].access += [{"to": "192.168.20.0/24", "proto": "tcp", "ports": ["20-30"]}]'
mut '"peers[3].access[1]"' '.peers[3].access += [{"to": "192.168.30.128/25"}]'
mut '"input[1]"' '.input[1].sources = ["192.168.10.0/24"] | .input[1].ports = [22]'
mut '"input[0].sources"' '.input[0].sources = []'
mut '"input[0].ports"' '.input[0].proto = "icmp"'
mut '"input[0].ports"' 'del(.input[0].ports)'
mut '"input[0].proto"' 'del(.input[0].proto)'
mut '"input[0].name"' 'del(.input[0].name)'
# input_policy and IPv6 sources (input entries and wg_sources only).
mut '"input_policy": "deny" must be "accept" or "drop"' '.input_policy = "deny"'
mut '"input_policy"' '.input_policy = true'
mut '"input[0].sources[2]": "2001:db8::1/32" has host bits set' '.input[0].sources += ["2001:db8::1/32"]'
mut '"input[0].sources[0]": "2001:db8::/129" has an invalid prefix length' '.input[0].sources = ["2001:db8::/129"]'
mut '"input[0].sources[0]": "2001:db8:::1" is not an IPv6 address' '.input[0].sources = ["2001:db8:::1"]'
mut '"input[0].sources": IPv6 entries 0 and 1 overlap' '.input[0].sources = ["2001:db8::/32", "2001:db8:1::/48"]'
mut '"input[2]": overlaps input[0]' '.input[0].sources += ["2001:db8::/32"] | .input += [{"name": "pub", "proto": "tcp", "ports": [22]}]'
mut '"wg_sources[1]": "fd00::1/8" has host bits set' '.wg_sources += ["fd00::1/8"]'
mut '"allow_networks[0]": "fd00::/8" is not an IPv4 address' '.allow_networks = ["fd00::/8"]'
mut '"peers[0].address"' '.peers[0].address = "fd00::2"'
mut '"log.per"' '.log.per = "week"'
mut '"log.rate"' '.log.rate = 0'
mut '"log.prefix"' '.log.prefix = "a\"b"'
mut '"log.enabled"' '.log.enabled = "no"'
mut '"priority.nat"' '.priority.nat = 1.5'
mut '"priority.filter"' '.priority.filter = 3000000000'
mut '"peers"' '.peers = {}'
echo '{"interface": "wg0", "interface": "wg1"}' >"$D/dup.json"
bad 'duplicate' "$D/dup.json"
echo '{"interface": ' >"$D/trunc.json"
bad 'cannot parse policy' "$D/trunc.json"
echo '[]' >"$D/array.json"
bad 'must be a JSON object' "$D/array.json"
bad 'cannot read policy' "$D/missing.json"
bad 'cannot read policy "'"$D"'/\xff.json": No such file' "$D/"$'\xff'".json" # not "out of memory"

eq "the ruleset is exactly as before" "$before" "$(nsx "$G" nft list ruleset)"
eq "no batch reached the kernel" "" "$(cat "$D/monitor")"
# ... and the monitor was listening: a marker commit of our own shows, and nothing else.
nsx "$G" nft add table inet "nxmark$T_ID"
nsx "$G" nft delete table inet "nxmark$T_ID"
ok "nft monitor was listening (it sees a marker)" t_wait 3 grep -q "nxmark$T_ID" "$D/monitor"
eq "nft monitor saw only the marker's two commits" "2 2" \
	"$(grep -c "nxmark$T_ID" "$D/monitor") $(grep -c '^# new generation' "$D/monitor")"
echo "  $n bad inputs rejected"
