#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# A measurement for the server key rollover that is not built yet (docs/rotation.md, "Not done
# yet"): can clients move from the old server key to a new one with no lost ping? The old
# interface (old key, port 51820) and a new one (new key, port 51821) hold the same peers and
# addresses in one namespace. Replies must leave by the interface each peer now uses: every
# packet from a WireGuard interface marks its connection (ct mark), the mark is copied onto the
# replies, and a routing rule sends marked replies out of the new interface. Three clients ping
# every 50 ms and move one by one (new server key and port); the old interface is retired once
# none of its peers has sent anything for 2 s. Prints each client's worst gap and losses. Not a
# test: it proves the routing design the role would install, with wg(8), ip(8) and nft(8) only.
T_QUIET=1
source "$(dirname "$0")/../tests/lib.sh"

S=bos$T_ID W0=bow0$T_ID W1=bow1$T_ID
D=$(mktemp -d)
t_cleanup "rm -rf $D"
t_keys "$D" s0 s1 c1 c2 c3
t_ns "$S"
t_wg "$S" "$W0"
t_wg "$S" "$W1"
nsx "$S" wg set "$W0" private-key "$D/s0.key" listen-port 51820
nsx "$S" wg set "$W1" private-key "$D/s1.key" listen-port 51821
ip -n "$S" addr add 10.92.0.1/24 dev "$W0"
ip -n "$S" addr add 10.92.0.1/32 dev "$W1" # no prefix route: the rule below routes it
ip -n "$S" link set "$W0" up
ip -n "$S" link set "$W1" up
nsx "$S" nft -f - <<NFT
table inet rollover {
	chain pre {
		type filter hook prerouting priority mangle; policy accept;
		iifname "$W1" ct mark set 1
		iifname "$W0" ct mark set 0
	}
	chain out {
		type route hook output priority mangle; policy accept;
		meta mark set ct mark
	}
}
NFT
ip -n "$S" rule add fwmark 1 lookup 51821
ip -n "$S" route add 10.92.0.0/24 dev "$W1" table 51821
# A fallback behind the old interface's own prefix route: once that interface is gone, the new
# one carries the pool (and a locally made reply always finds a first route to re-route).
ip -n "$S" route add 10.92.0.0/24 dev "$W1" metric 100

for i in 1 2 3; do
	C=boc$i$T_ID WC=bowc$i$T_ID
	t_ns "$C"
	t_veth "$S" "bog$i$T_ID" "10.91.$i.1/24" "$C" "bov$i$T_ID" "10.91.$i.2/24"
	for w in "$W0" "$W1"; do
		nsx "$S" wg set "$w" peer "${T_PUB[c$i]}" allowed-ips "10.92.0.$((i + 1))/32"
	done
	t_wg "$C" "$WC"
	nsx "$C" wg set "$WC" private-key "$D/c$i.key" peer "${T_PUB[s0]}" \
		endpoint "10.91.$i.1:51820" allowed-ips 10.92.0.1/32
	ip -n "$C" addr add "10.92.0.$((i + 1))/24" dev "$WC"
	ip -n "$C" link set "$WC" up
	nsx "$C" ping -c 1 -W 2 -q 10.92.0.1 >/dev/null || t_fail "client $i does not reach the server"
done

# Each client pings every 50 ms for 9 s; client i moves at second 1.5 i (its new config: the new
# server public key and port), by replacing its one peer.
PINGS=()
for i in 1 2 3; do
	nsx "boc$i$T_ID" ping -D -i 0.05 -c 180 10.92.0.1 >"$D/ping$i" 2>&1 &
	PINGS+=($!)
	t_cleanup "kill $!"
done
t0=${EPOCHREALTIME/./}
for i in 1 2 3; do
	sleep 1.5
	nsx "boc$i$T_ID" wg set "bowc$i$T_ID" peer "${T_PUB[s0]}" remove peer "${T_PUB[s1]}" \
		endpoint "10.91.$i.1:51821" allowed-ips 10.92.0.1/32
done
# Retire the old interface once none of its peers has sent anything for 2 s (rx counters still).
rx() { nsx "$S" wg show "$W0" transfer | awk '{ s += $2 } END { print s + 0 }'; }
last=$(rx) still=0
while [ $still -lt 20 ]; do
	sleep 0.1
	now=$(rx)
	if [ "$now" = "$last" ]; then still=$((still + 1)); else still=0 last=$now; fi
done
ip -n "$S" link del "$W0"
echo "old interface retired $(((${EPOCHREALTIME/./} - t0) / 1000)) ms after the pings began (idle 2 s)"
wait "${PINGS[@]}"
rc=0
for i in 1 2 3; do
	# ping -D: "[EPOCH.USEC] 64 bytes from ...": the largest gap between two replies, and losses.
	gap=$(sed -n 's/^\[\([0-9.]*\)\] .*bytes from.*/\1/p' "$D/ping$i" |
		awk 'NR > 1 && $1 - p > m { m = $1 - p } { p = $1 } END { printf "%d", m * 1000 }')
	sum=$(grep 'packets transmitted' "$D/ping$i")
	echo "client $i: worst gap between replies $gap ms; $sum"
	grep -q ' 0% packet loss' "$D/ping$i" || rc=1
done
echo "interfaces left in the server's namespace: $(ip -n "$S" -br link show | awk '{ sub(/@.*/, "", $1); print $1 }' | xargs)"
exit $rc
