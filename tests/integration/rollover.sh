#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Server key rollover with no outage (docs/rotation.md): an old interface (old key, port 51820)
# and a new one (new key, port 51821) carry the same three peers and the same pool, each with
# its nft-apply firewall; wg-rollover (roles/wireguard_server/files) installs the routing that
# sends each reply out of the interface its peer now uses. Three clients ping the server and a
# LAN host behind it every 50 ms and move to their new config (new server key and port) one by
# one; wg-rollover retires the old interface once none of its peers had a handshake for IDLE
# seconds and it receives nothing. Asserts no lost ping and reports each stream's worst gap.
source "$(dirname "$0")/../lib.sh"

S=rls$T_ID L=rll$T_ID W0=rlo$T_ID W1=rln$T_ID
D=$(mktemp -d)
t_cleanup "rm -rf $D"
RO=$(cd "$(dirname "$0")/../.." && pwd)/roles/wireguard_server/files/wg-rollover
IDLE=${ROLLOVER_IDLE:-5}
ro() { nsx "$S" "$RO" "$@"; }

t_keys "$D" s0 s1 c1 c2 c3
t_ns "$S"
t_ns "$L"
nsx "$S" sysctl -qw net.ipv4.ip_forward=1
t_veth "$S" "rlg$T_ID" 192.168.20.1/24 "$L" "rlv$T_ID" 192.168.20.5/24
t_wg "$S" "$W0"
t_wg "$S" "$W1"
# Both interfaces as the role makes them: the same address and prefix, each its own key and port.
for w in "$W0:s0:51820" "$W1:s1:51821"; do
	IFS=: read -r w k p <<<"$w"
	nsx "$S" wg set "$w" private-key "$D/$k.key" listen-port "$p"
	ip -n "$S" addr add 10.92.0.1/24 dev "$w"
	ip -n "$S" link set "$w" up
	# The same firewall on both: one nft-apply table per interface, the same peers.
	printf '{"table": "warren_%s", "interface": "%s", "listen_port": %s, "vpn_subnet": "10.92.0.0/24",
	  "allow_networks": ["192.168.20.0/24"], "deny_networks": ["172.16.10.0/24"], "masquerade": true,
	  "peers": [{"name": "c1", "address": "10.92.0.2"}, {"name": "c2", "address": "10.92.0.3"},
	  {"name": "c3", "address": "10.92.0.4"}]}\n' "$w" "$w" "$p" >"$D/$w.json"
	ok "the firewall of $w applies" nsx "$S" "$WARREN_BIN/nft-apply" "$D/$w.json"
	t_cleanup "ip netns exec $S $WARREN_BIN/nft-apply delete warren_$w"
done

for i in 1 2 3; do
	C=rlc$i$T_ID WC=rlw$i$T_ID
	t_ns "$C"
	t_veth "$S" "rlu$i$T_ID" "10.91.$i.1/24" "$C" "rlt$i$T_ID" "10.91.$i.2/24"
	for w in "$W0" "$W1"; do
		nsx "$S" wg set "$w" peer "${T_PUB[c$i]}" allowed-ips "10.92.0.$((i + 1))/32"
	done
	t_wg "$C" "$WC"
	nsx "$C" wg set "$WC" private-key "$D/c$i.key" peer "${T_PUB[s0]}" \
		endpoint "10.91.$i.1:51820" allowed-ips 10.92.0.1/32,192.168.20.0/24
	ip -n "$C" addr add "10.92.0.$((i + 1))/32" dev "$WC"
	ip -n "$C" link set "$WC" up
	ip -n "$C" route add 10.92.0.1/32 dev "$WC"
	ip -n "$C" route add 192.168.20.0/24 dev "$WC"
	ok "client $i reaches the server on the old interface" nsx "$C" ping -c 1 -W 2 -q 10.92.0.1
	ok "client $i reaches the LAN host through the old interface" nsx "$C" ping -c 1 -W 2 -q 192.168.20.5
done

# --- start: the routing of the overlap --------------------------------------------------------
eq "start installs the routing" changed "$(ro start "$W0" "$W1" 10.92.0.0/24)"
eq "start again changes nothing" unchanged "$(ro start "$W0" "$W1" 10.92.0.0/24)"
eq "two routing rules, one per mark" "2" "$(ip -n "$S" rule show | grep -c 'fwmark 0x575[12] lookup 2235[34]')"
ok "each table routes the pool out of its interface" test \
	"$(ip -n "$S" route show table 22353) $(ip -n "$S" route show table 22354)" = \
	"10.92.0.0/24 dev $W0 scope link  10.92.0.0/24 dev $W1 scope link "
ok "the marking table is in nft" nsx "$S" nft list table inet warren_rollover
fails "a bad pool is refused" ro start "$W0" "$W1" 10.92.0.0
fails "the same interface twice is refused" ro start "$W0" "$W0" 10.92.0.0/24
eq "... with exit code 2" 2 "$(
	ro idle "$W0" x >/dev/null 2>&1
	echo $?
)"
# Monitoring: the agent's discovery (zabbix-wg-stats, every WireGuard interface) lists both.
ifs() { nsx "$S" "$WARREN_BIN/zabbix-wg-stats" discovery --interfaces | jq -r '.[]."{#WG.IF}"' | grep -x "$W0\|$W1" | sort | xargs; }
eq "the monitoring discovery lists both interfaces" "$(printf '%s\n' "$W1" "$W0" | sort | xargs)" "$(ifs)"
fails "the old interface is not idle: its peers just had handshakes" ro idle "$W0" "$IDLE"
fails "so retire refuses" ro retire "$W0" "$W1" "$IDLE"
ok "... and the old interface is still there" ip -n "$S" link show "$W0"

# --- the move: 200 pings every 50 ms per client to the server and to the LAN host ---------------
PINGS=()
for i in 1 2 3; do
	for dst in 10.92.0.1 192.168.20.5; do
		ip netns exec "rlc$i$T_ID" ping -D -i 0.05 -c 200 "$dst" >"$D/ping$i-$dst" 2>&1 &
		PINGS+=($!)
		t_cleanup "kill $!"
	done
done
t0=${EPOCHREALTIME/./}
ms() { echo $(((${EPOCHREALTIME/./} - t0) / 1000)); }
declare -A MOVED=()
for i in 1 2 3; do
	sleep 1.5
	# Client i's new config: the new server public key and port (wg setconf in real life).
	nsx "rlc$i$T_ID" wg set "rlw$i$T_ID" peer "${T_PUB[s0]}" remove peer "${T_PUB[s1]}" \
		endpoint "10.91.$i.1:51821" allowed-ips 10.92.0.1/32,192.168.20.0/24
	MOVED[$i]=$EPOCHREALTIME
	echo "  client $i moved at $(ms) ms"
done
refused=0
until ro retire "$W0" "$W1" "$IDLE" >"$D/retire" 2>>"$D/retire.err"; do
	refused=$((refused + 1))
	[ "$(ms)" -lt 30000 ] || t_fail "the old interface was not retired within 30 s: $(cat "$D/retire.err")"
	sleep 0.5
done
echo "  old interface retired at $(ms) ms (idle $IDLE s; refused $refused times before)"
eq "retire reports the change" changed "$(cat "$D/retire")"
wait "${PINGS[@]}"
T_LOST=0
for i in 1 2 3; do
	for dst in 10.92.0.1 192.168.20.5; do
		f=$D/ping$i-$dst
		# ping -D: "[EPOCH] 64 bytes from ... icmp_seq=N ...": the worst gap between replies, and
		# each lost request with its send time (midway between the replies around it) relative
		# to this client's move, in ms.
		read -r gap nlost far lost < <(sed -n 's/^\[\([0-9.]*\)\] .*icmp_seq=\([0-9]*\) .*/\2 \1/p' "$f" |
			awk -v m="${MOVED[$i]}" -v n=200 '
				function miss(a, b, t) { for (k = a; k < b; k++) { c++; l = l " " k "@" int((t - m) * 1000)
					if (t < m - 0.1 || t > m + 0.1) far++ } }
				NR > 1 && $2 - p > g { g = $2 - p }
				{ if ($1 > q + 1) miss(q + 1, $1, (p + $2) / 2); q = $1; p = $2 }
				END { if (q < n) miss(q + 1, n + 1, p); printf "%d %d %d %s\n", g * 1000, c, far, l ? substr(l, 2) : "none" }')
		echo "  client $i to $dst: worst gap between replies $gap ms; $(grep 'packets transmitted' "$f"); lost (icmp_seq@ms from its move): $lost"
		T_LOST=$((T_LOST + nlost))
		eq "client $i lost no ping to $dst away from its own config swap" 0 "$far"
		ok "... and at most the one in flight at the swap" test "$nlost" -le 1
	done
done
echo "  lost in all: $T_LOST of 1200 pings"

# --- after: only the new interface, no rollover routing left -----------------------------------
fails "the old interface is gone" ip -n "$S" link show "$W0"
eq "no rollover rule is left" 0 "$(ip -n "$S" rule show | grep -c 'fwmark 0x575[12]' || true)"
eq "no rollover route is left" "" "$(ip -n "$S" route show table 22353; ip -n "$S" route show table 22354)"
fails "the marking table is gone" nsx "$S" nft list table inet warren_rollover
eq "retire again changes nothing" unchanged "$(ro retire "$W0" "$W1" "$IDLE")"
eq "the monitoring discovery lists only the new interface" "$W1" "$(ifs)"
eq "... which has the three peers connected" 3 "$(nsx "$S" "$WARREN_BIN/zabbix-wg-stats" get "$W1" | jq .peers_connected)"
ok "the new interface's firewall is still there" nsx "$S" nft list table inet "warren_$W1"
for i in 1 2 3; do
	ok "the server reaches client $i on the new interface" nsx "$S" ping -c 1 -W 2 -q "10.92.0.$((i + 1))"
	ok "client $i reaches the LAN host" nsx "rlc$i$T_ID" ping -c 1 -W 2 -q 192.168.20.5
done
