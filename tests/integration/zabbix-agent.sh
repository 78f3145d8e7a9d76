#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# A real zabbix_agentd (Debian zabbix-agent 6.0), running as the unprivileged user zabbix on a
# loopback port with the project's UserParameter file, queried over the agent protocol about a
# wireguard-go interface carrying live peers and real traffic (ping, iperf3): the values must
# match `wg show dump`. Then: the template's structure against the real outputs, the Prometheus
# text through `promtool check metrics`, and bad input through the agent. Host only (userspace).
source "$(dirname "$0")/../lib.sh"

here=$(cd "$(dirname "$0")/.." && pwd)
repo=$(cd "$here/.." && pwd)
for p in zabbix_agentd promtool python3 iperf3 setpriv; do
	command -v "$p" >/dev/null || t_fail "$p is missing (make deps)"
done
python3 -c 'import yaml' || t_fail "python3-yaml is missing (make deps)"
id zabbix >/dev/null 2>&1 || t_fail "no user zabbix (package zabbix-agent)"

S=za$T_ID C=zb$T_ID WS=zaw$T_ID WC=zbw$T_ID
D=$(mktemp -d)
chmod 0755 "$D"
t_cleanup "rm -rf $D"
G=$((65000 + $$ % 500))
PORT=$((10100 + $$ % 9800)) # below the ephemeral range
install -d -m 0755 "$D/bin" "$D/state" "$D/agent"
cp "$WARREN_BIN/zabbix-wg-stats" "$D/bin/"
chmod 0755 "$D/bin/zabbix-wg-stats"

# Server socket group-accessible from the start (docs/zabbix.md), client socket root-only.
t_tunnel --port 51880 --group "$G" "$D" "$S" "$WS" "$C" "$WC" 10.79.0 10.80.0
CP=${T_PUB[c]} BP=$(wg genkey | wg pubkey)
nsx "$S" wg set "$WS" peer "$BP" allowed-ips 10.80.0.3/32
cat >"$D/state/$WS.json" <<JSON
{"interface": "$WS", "private_key_file": "/nonexistent/s.key", "peers": [
 {"name": "alice", "public_key": "$CP", "allowed_ips": ["10.80.0.2/32"], "always_on": true},
 {"name": "bob", "public_key": "$BP", "allowed_ips": ["10.80.0.3/32"], "always_on": true}]}
JSON
chmod -R a+rX "$D/state"

ok "tunnel up" t_wait 15 nsx "$C" ping -c 1 -W 1 10.80.0.1
nsx "$S" iperf3 -s -1 -B 10.80.0.1 -p 5298 >/dev/null 2>&1 &
t_cleanup "kill $! 2>/dev/null"
ok "iperf3 server listening" t_wait 5 sh -c "ip netns exec $S ss -ltn | grep -q 10.80.0.1:5298"
ok "one second of iperf3 through the tunnel" nsx "$C" iperf3 -c 10.80.0.1 -p 5298 -t 1 -J --logfile "$D/iperf.json"

# ---- the agent: the project's UserParameter file, paths pointed at this test ----------------
sed -e "s|/usr/bin/zabbix-wg-stats|$D/bin/zabbix-wg-stats|" \
	-e "s|/etc/warren/wireguard|$D/state|" "$repo/zabbix/userparameter_warren.conf" >"$D/agent/warren.conf"
t_zbx_agent_conf "$D/agent" 127.0.0.1 "$PORT" 127.0.0.1 warren-test "$D/agent/warren.conf"
# Foreground, as zabbix, with the socket's group as its one supplementary group (in production:
# `usermod -aG GROUP zabbix`). No sudo anywhere.
# The agent's commands see only this test's two sockets (symlinks), not those of other tests that
# share /var/run/wireguard on this machine.
install -d -m 0755 "$D/sockets"
ln -s "/var/run/wireguard/$WS.sock" "/var/run/wireguard/$WC.sock" "$D/sockets/"
WARREN_WG_SOCKET_DIR=$D/sockets setpriv --reuid=zabbix --regid=zabbix --groups "$G" --inh-caps=-all \
	zabbix_agentd -f -c "$D/agent/agent.conf" >"$D/agent/stdout" 2>&1 &
t_cleanup "kill $! 2>/dev/null"
zget() { python3 "$here/zabbix/zbx-get.py" 127.0.0.1 "$PORT" "$1"; }
if ! t_wait 15 zget agent.ping; then
	tail -5 "$D/agent/agent.log" "$D/agent/stdout" >&2
	t_fail "zabbix_agentd does not answer on 127.0.0.1:$PORT"
fi
T_PASS=$((T_PASS + 1))
eq "the agent runs as zabbix" zabbix "$(ps -o user= -p "$(head -1 "$D/agent/agent.pid")")"

dump() { nsx "$S" wg show "$WS" dump | tail -n +2 | sort; }
# Read between two identical dumps, retried while traffic (a keepalive) moves the counters.
settled() {
	local i
	for i in 1 2 3 4 5; do
		before=$(dump)
		out=$(zget "warren.wg.get[$WS]")
		[ "$before" = "$(dump)" ] && return 0
		sleep 1
	done
	return 1
}
ok "agent get between two identical dumps" settled
now=$(date +%s)
echo "$out" >"$D/get.json"
json_eq "agent get: totals" "$out" '[.interface,.listen_port,.peers_total,.peers_connected,.peers_always_on_down]' \
	"[\"$WS\",51880,2,1,1]"
while IFS=$'\t' read -r key _psk ep _aips hs rx tx _ka; do
	[ "$ep" = "(none)" ] && ep=""
	p=$(echo "$out" | jq -c --arg k "$key" '.peers[$k]')
	json_eq "agent get: $key counters and handshake as wg" "$p" '[.rx_bytes,.tx_bytes,.latest_handshake,.endpoint]' \
		"[$rx,$tx,$hs,\"$ep\"]"
	age=$(echo "$p" | jq .handshake_age)
	if [ "$hs" -eq 0 ]; then
		eq "agent get: $key never: age -1" -1 "$age"
	else
		ok "agent get: $key age $age vs wg $hs" test $((now - hs - age)) -ge 0 -a $((now - hs - age)) -le 2
	fi
done <<<"$before"
sent=$(jq '.end.sum_received.bytes' "$D/iperf.json")
ok "alice's rx covers the $sent bytes iperf3 delivered" test "$(echo "$out" | jq ".peers[\"$CP\"].rx_bytes")" -gt "$sent"
json_eq "agent get: names from the state" "$out" "[.peers[\"$CP\"].name,.peers[\"$BP\"].name]" '["alice","bob"]'

out=$(zget "warren.wg.peers[$WS]")
echo "$out" >"$D/peers.json"
json_eq "agent discovery: two peers, named" "$out" '[.[]."{#WG.PEER.NAME}"]|sort' '["alice","bob"]'
shards=""
for k in 1 2; do
	out=$(zget "warren.wg.peers[$WS,$k/2]")
	json_eq "agent discovery, shard $k/2: an array of its own rows" "$out" "[.[].\"{#WG.SHARD}\"|select(. != \"$k/2\")]" '[]'
	shards+=$(jq -r '.[]."{#WG.PEER}"' <<<"$out")$'\n'
done
eq "agent discovery, shards 1/2 and 2/2: every peer exactly once" "$(printf '%s\n' "$CP" "$BP" | sort)" \
	"$(sed '/^$/d' <<<"$shards" | sort)"
out=$(zget warren.wg.interfaces)
echo "$out" >"$D/interfaces.json"
json_eq "agent interface discovery: both, the unreadable one too (its host reports it)" "$out" \
	'[.[]|[."{#WG.IF}",."{#WG.SHARD}"]]|sort' "$(jq -cn --arg s "$WS" --arg c "$WC" '[[$s,"1/1"],[$c,"1/1"]]|sort')"

# ---- bad input through the agent: one clear line, which the template turns into a problem --------
out=$(zget "warren.wg.get[nosuch$T_ID]")
echo "$out" >"$D/fail.json"
json_eq "agent: unknown interface, one clear line" "$out" '[.failed,(.msg|test("no WireGuard interface"))]' '[true,true]'
out=$(zget "warren.wg.get[$WC]")
json_eq "agent: a root-only socket is 'no access'" "$out" '.msg|test("no access")' true
out=$(zget "warren.wg.get[$WS,5/4]")
json_eq "agent: bad shard" "$out" '.msg|test("--shard")' true

# ---- template against the real outputs ---------------------------------------------------------
ok "template structure" python3 "$here/zabbix/check-template.py" "$repo/zabbix/template_warren_wireguard.yaml" \
	"$repo/zabbix/userparameter_warren.conf" "$D/get.json" "$D/fail.json" "$D/peers.json" "$D/interfaces.json"
# A broken template must be caught: a JSONPath to a field get does not print.
sed 's/\$\.peers_connected/$.peers_up/' "$repo/zabbix/template_warren_wireguard.yaml" >"$D/broken.yaml"
fails "the check catches a JSONPath to a field get lacks" python3 "$here/zabbix/check-template.py" "$D/broken.yaml" \
	"$repo/zabbix/userparameter_warren.conf" "$D/get.json" "$D/fail.json" "$D/peers.json" "$D/interfaces.json"
sed "0,/key: 'warren.wg.get\[/s/key: 'warren.wg.get\[/key: 'warren.wg.getx[/" \
	"$repo/zabbix/template_warren_wireguard.yaml" >"$D/broken2.yaml"
fails "the check catches a dependent item without its master" python3 "$here/zabbix/check-template.py" \
	"$D/broken2.yaml" "$repo/zabbix/userparameter_warren.conf" "$D/get.json" "$D/fail.json" "$D/peers.json" "$D/interfaces.json"

# The 6.0 importer's two traps: a group only a host prototype uses, a stock group's other UUID.
grep -v -e "^      uuid: f2481361f99448eea617b7b1d4765566" -e "^      name: 'Discovered hosts'" \
	"$repo/zabbix/template_warren_wireguard.yaml" | sed '/^  groups:/{n;/^    -$/d}' >"$D/broken3.yaml"
fails "the check catches a host prototype group missing from zabbix_export.groups" python3 \
	"$here/zabbix/check-template.py" "$D/broken3.yaml" "$repo/zabbix/userparameter_warren.conf" \
	"$D/get.json" "$D/fail.json" "$D/peers.json" "$D/interfaces.json"
sed 's/a571c0d144b14fd4a87a9d9b2aa9fcd6/fdd1a24c3cb1412d9cef63b8c7c93983/' \
	"$repo/zabbix/template_warren_wireguard.yaml" >"$D/broken4.yaml"
fails "the check catches a stock group with another UUID" python3 "$here/zabbix/check-template.py" \
	"$D/broken4.yaml" "$repo/zabbix/userparameter_warren.conf" "$D/get.json" "$D/fail.json" "$D/peers.json" "$D/interfaces.json"

# ---- Prometheus, as the zabbix user ----------------------------------------------------------------
# Read between two identical dumps, retried while a keepalive moves the counters.
prom_settled() {
	for _ in 1 2 3 4 5; do
		before=$(dump)
		setpriv --reuid=zabbix --regid=zabbix --groups "$G" "$D/bin/zabbix-wg-stats" prometheus "$WS" \
			--state "$D/state" >"$D/metrics.prom"
		[ "$before" = "$(dump)" ] && return 0
		sleep 1
	done
	return 1
}
ok "prometheus as zabbix, between two identical dumps" prom_settled
ok "promtool check metrics" sh -c "promtool check metrics <$D/metrics.prom"
setpriv --reuid=zabbix --regid=zabbix --groups "$G" "$D/bin/zabbix-wg-stats" prometheus "$WS" --state "$D/state" --compat >"$D/compat.prom"
ok "promtool check metrics, --compat" sh -c "promtool check metrics <$D/compat.prom"
eq "prometheus: alice's received bytes as wg" \
	"$(echo "$before" | awk -v k="$CP" '$1 == k { print $6 }')" \
	"$(awk -v k="$CP" 'index($0, "wireguard_peer_receive_bytes_total{") == 1 && index($0, k) { print $NF }' "$D/metrics.prom")"
