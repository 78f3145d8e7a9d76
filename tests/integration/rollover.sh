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
source "$(dirname "$0")/../lib-rollover.sh"

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
# Monitoring: the agent's discovery lists both interfaces.
eq "the monitoring discovery lists both interfaces" "$(printf '%s\n' "$W1" "$W0" | sort | xargs)" "$(ifs)"
fails "the old interface is not idle: its peers just had handshakes" ro idle "$W0" "$IDLE"
fails "idle fails on an interface that does not exist" ro idle "rlz$T_ID" "$IDLE"
fails "so retire refuses" ro retire "$W0" "$W1" "$IDLE"
ok "... and the old interface is still there" ip -n "$S" link show "$W0"

# --- the move: 200 pings every 50 ms per client to the server and to the LAN host ---------------
rl_move 200
refused=0
until ro retire "$W0" "$W1" "$IDLE" >"$D/retire" 2>>"$D/retire.err"; do
	refused=$((refused + 1))
	[ "$(ms)" -lt 30000 ] || t_fail "the old interface was not retired within 30 s: $(cat "$D/retire.err")"
	sleep 0.5
done
echo "  old interface retired at $(ms) ms (idle $IDLE s; refused $refused times before)"
ok "... while the clients still ping (200 at 50 ms: 10 s)" test "$(ms)" -lt 9000
eq "retire reports the change" changed "$(cat "$D/retire")"
rl_report 200

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
