# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# For the server key rollover suites (tests/integration/rollover*.sh, docs/rotation.md): source
# after tests/lib.sh. Builds a wireguard-go server namespace $S with the old interface $W0 (key s0,
# port 51820) and the new one $W1 (key s1, port 51821), both 10.92.0.1/24 with the same three peers
# and an nft-apply table each; a LAN host 192.168.20.5 behind it; three clients rlcI$T_ID on the
# old interface. Sets D (temporary directory), RO (wg-rollover), IDLE, and the functions below.
S=rls$T_ID L=rll$T_ID W0=rlo$T_ID W1=rln$T_ID
D=$(mktemp -d)
t_cleanup "rm -rf $D"
RO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/roles/wireguard_server/files/wg-rollover
# shellcheck disable=SC2034 # used by the suites
IDLE=5

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

# ro ARGS...: wg-rollover in the server's namespace.
ro() { nsx "$S" "$RO" "$@"; }
# ifs: the rollover's interfaces in the monitoring discovery (zabbix-wg-stats lists every
# WireGuard interface).
ifs() { nsx "$S" "$WARREN_BIN/zabbix-wg-stats" discovery --interfaces | jq -r '.[]."{#WG.IF}"' | grep -x "$W0\|$W1" | sort | xargs; }

# rl_move COUNT: every client pings the server and the LAN host every 50 ms, COUNT times each
# (background, pids in PINGS); the clients move to the new interface one by one, 1.5 s apart
# (their times in MOVED); ms prints the milliseconds since the pings began.
rl_move() {
	local n=$1 i dst
	PINGS=()
	for i in 1 2 3; do
		for dst in 10.92.0.1 192.168.20.5; do
			ip netns exec "rlc$i$T_ID" ping -D -i 0.05 -c "$n" "$dst" >"$D/ping$i-$dst" 2>&1 &
			PINGS+=($!)
			t_cleanup "kill $!"
		done
	done
	t0=${EPOCHREALTIME/./}
	for i in 1 2 3; do
		sleep 1.5
		# Client i's new config: the new server public key and port (wg setconf in real life).
		nsx "rlc$i$T_ID" wg set "rlw$i$T_ID" peer "${T_PUB[s0]}" remove peer "${T_PUB[s1]}" \
			endpoint "10.91.$i.1:51821" allowed-ips 10.92.0.1/32,192.168.20.0/24
		MOVED[$i]=$EPOCHREALTIME
		echo "  client $i moved at $(ms) ms"
	done
}
source "$(dirname "${BASH_SOURCE[0]}")/lib-rollover-report.sh"
