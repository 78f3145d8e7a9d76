#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# nft-apply against `nft -f` with 10,000 peers, each with its own access list (3 elements each),
# in a network namespace this script creates and removes. The reference file is the equivalent
# ruleset as an operator would reload it: delete warren's table and recreate it, in one file.
# Prints medians and the ratios nft-apply / nft -f for: first apply, no-op re-apply (proved by the
# ruleset generation, see docs/nft-apply.md), one peer's list changed. Targets: <= 1.0x, <= 0.1x,
# <= 0.2x. Also prints, without a target, the no-op that must read the table back and compare.
set -euo pipefail
: "${WARREN_BIN:=$(cd "$(dirname "$0")/.." && pwd)/build}"
PEERS=${PEERS:-10000}
RUNS=${RUNS:-5}
NS=nftbench$$
DIR=$(mktemp -d)
trap '$APPLY delete >/dev/null 2>&1; ip netns del $NS 2>/dev/null; rm -rf "$DIR"' EXIT
APPLY="ip netns exec $NS $WARREN_BIN/nft-apply"
ip netns add $NS

# gen PORT: the policy (JSON) and the equivalent .nft file, the middle peer's tcp ports being 22,PORT.
gen() {
	awk -v n="$PEERS" -v port="$1" -v json="$2" -v nft="$3" 'BEGIN {
	printf "{\"interface\":\"wg0\",\"listen_port\":51820,\"wg_sources\":[\"0.0.0.0/0\"]," \
	       "\"vpn_subnet\":\"10.100.0.0/16\",\"allow_networks\":[\"192.168.0.0/16\"]," \
	       "\"deny_networks\":[\"172.16.10.0/24\"],\"masquerade\":true," \
	       "\"input\":[{\"name\":\"ssh\",\"proto\":\"tcp\",\"ports\":[22]," \
	       "\"sources\":[\"192.168.10.0/24\"]}],\"peers\":[" > json
	svc = ""; rst = ""
	for (i = 0; i < n; i++) {
		a = sprintf("10.100.%d.%d", int(i / 250), i % 250 + 1)
		h = sprintf("192.168.%d.%d", i % 200, i % 250 + 1)
		t = sprintf("192.168.%d.0/24", 200 + i % 50)
		p = (i == int(n / 2)) ? port : 443
		printf "%s{\"address\":\"%s\",\"access\":[{\"to\":\"%s/32\",\"proto\":\"tcp\"," \
		       "\"ports\":[22,%d]},{\"to\":\"%s\",\"proto\":\"udp\",\"ports\":[\"5000-5100\"]}]}",
		       i ? "," : "", a, h, p, t > json
		svc = svc sprintf("%s%s . %s . tcp . 22, %s . %s . tcp . %d, %s . %s . udp . 5000-5100",
				  i ? ",\n" : "", a, h, a, h, p, a, t)
		rst = rst sprintf("%s%s", i ? ", " : "", a)
	}
	print "]}" > json
	print "table inet warren\ndelete table inet warren\ntable inet warren {" > nft
	print "counter fwd_drop {}\ncounter wg_drop {}\ncounter in_drop {}" > nft
	print "set wg_src { type ipv4_addr; flags interval; elements = { 0.0.0.0/0 } }" > nft
	print "set deny_nets { type ipv4_addr; flags interval; elements = { 172.16.10.0/24 } }" > nft
	print "set allow_nets { type ipv4_addr; flags interval; elements = { 192.168.0.0/16 } }" > nft
	print "set restricted { type ipv4_addr; elements = { " rst " } }" > nft
	print "set in_svc { type inet_proto . inet_service; flags interval; elements = { tcp . 22 } }" > nft
	print "set in_allow { type ipv4_addr . inet_proto . inet_service; flags interval; " \
	      "elements = { 192.168.10.0/24 . tcp . 22 } }" > nft
	print "set peer_net { type ipv4_addr . ipv4_addr; flags interval; }" > nft
	print "set peer_proto { type ipv4_addr . ipv4_addr . inet_proto; flags interval; }" > nft
	print "set peer_svc { type ipv4_addr . ipv4_addr . inet_proto . inet_service; " \
	      "flags interval; elements = {\n" svc " } }" > nft
	print "chain input { type filter hook input priority 0; policy accept;" > nft
	print "udp dport 51820 ip saddr @wg_src accept\nudp dport 51820 goto wg_drop" > nft
	print "ip saddr . meta l4proto . th dport @in_allow accept" > nft
	print "meta l4proto . th dport @in_svc goto in_drop\n}" > nft
	print "chain forward { type filter hook forward priority 0; policy accept;" > nft
	print "tcp flags syn / syn,rst tcp option maxseg size set rt mtu" > nft
	print "iifname \"wg0\" ip daddr @deny_nets goto fwd_drop" > nft
	print "ct state established,related accept" > nft
	print "iifname \"wg0\" ip saddr . ip daddr @peer_net accept" > nft
	print "iifname \"wg0\" ip saddr . ip daddr . meta l4proto @peer_proto accept" > nft
	print "iifname \"wg0\" ip saddr . ip daddr . meta l4proto . th dport @peer_svc accept" > nft
	print "iifname \"wg0\" ip saddr @restricted goto fwd_drop" > nft
	print "iifname \"wg0\" ip daddr @allow_nets accept\niifname \"wg0\" goto fwd_drop\n}" > nft
	for (k = 0; k < 3; k++) {
		c = k == 0 ? "fwd" : k == 1 ? "wg" : "input"
		o = k == 0 ? "fwd_drop" : k == 1 ? "wg_drop" : "in_drop"
		print "chain " o " { limit rate 10/minute burst 5 packets log prefix \"warren " c \
		      " drop: \"\ncounter name " o " drop\n}" > nft
	}
	print "chain postrouting { type nat hook postrouting priority 100; policy accept;" > nft
	print "ip saddr 10.100.0.0/16 oifname != \"wg0\" masquerade\n}\n}" > nft
	}'
}

now() { date +%s%N; }
# median of the arguments (nanoseconds)
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
ms() { awk -v n="$1" 'BEGIN {printf "%.1f ms", n / 1e6}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}'; }

gen 443 "$DIR/a.json" "$DIR/a.nft"
gen 8443 "$DIR/b.json" "$DIR/b.nft"

ref=() first=() noop=() cmp=() one=()
for ((r = 0; r < RUNS; r++)); do
	$APPLY delete >/dev/null
	t=$(now)
	ip netns exec $NS nft -f "$DIR/a.nft"
	ref+=($(($(now) - t)))

	$APPLY delete >/dev/null
	t=$(now)
	out=$($APPLY "$DIR/a.json")
	first+=($(($(now) - t)))
	[ "$(echo "$out" | jq -c '[.changed, .replaced, .set_elements]')" = "[true,true,$((PEERS * 4 + 5))]" ] ||
		{ echo "unexpected first apply: $out" >&2; exit 1; }

	t=$(now)
	out=$($APPLY "$DIR/a.json")
	noop+=($(($(now) - t)))
	[ "$(echo "$out" | jq -c '[.changed, .verified]')" = '[false,"generation"]' ] ||
		{ echo "no-op: $out" >&2; exit 1; }

	# The same no-op after another table's commit: no witness, a full read-back and compare.
	ip netns exec $NS nft add table inet nftbenchbump
	ip netns exec $NS nft delete table inet nftbenchbump
	t=$(now)
	out=$($APPLY "$DIR/a.json")
	cmp+=($(($(now) - t)))
	[ "$(echo "$out" | jq -c '[.changed, .verified]')" = '[false,"compare"]' ] ||
		{ echo "compare no-op: $out" >&2; exit 1; }

	t=$(now)
	out=$($APPLY "$DIR/b.json")
	one+=($(($(now) - t)))
	[ "$(echo "$out" | jq -c '[.changed, .replaced, .elements_added, .elements_removed]')" = \
		"[true,false,1,1]" ] || { echo "unexpected one-peer apply: $out" >&2; exit 1; }
	listed=$(ip netns exec $NS nft list set inet warren peer_svc)
	[[ $listed == *"tcp . 8443"* ]] ||
		{ echo "one-peer change not in the kernel" >&2; exit 1; }
done
# The reference loads the same table: nft sees as many elements as nft-apply wrote.
count=$(ip netns exec $NS nft -j list set inet warren peer_svc | jq '[.nftables[].set.elem // empty | length] | add')
[ "$count" -eq $((PEERS * 3)) ] || { echo "peer_svc holds $count elements" >&2; exit 1; }

R=$(median "${ref[@]}") F=$(median "${first[@]}") N=$(median "${noop[@]}") O=$(median "${one[@]}")
C=$(median "${cmp[@]}")
echo "nft-apply bench: $PEERS peers, $((PEERS * 3)) peer_svc elements, median of $RUNS runs"
echo "  nft -f (reference, full reload)  $(ms "$R")"
echo "  nft-apply first apply            $(ms "$F")   ratio $(ratio "$F" "$R")x (target <= 1.0x)"
echo "  nft-apply no-op re-apply         $(ms "$N")   ratio $(ratio "$N" "$R")x (target <= 0.1x)"
echo "  no-op after another table moved  $(ms "$C")   ratio $(ratio "$C" "$R")x (full compare; no target)"
echo "  nft-apply one peer changed       $(ms "$O")   ratio $(ratio "$O" "$R")x (target <= 0.2x)"
awk -v f="$(ratio "$F" "$R")" -v n="$(ratio "$N" "$R")" -v o="$(ratio "$O" "$R")" \
	'BEGIN { exit !(f <= 1.0 && n <= 0.1 && o <= 0.2) }' || { echo "  target missed"; exit 1; }
echo "  all targets met"
