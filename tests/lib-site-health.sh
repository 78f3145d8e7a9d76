# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Two sites joined by a real tunnel (wireguard-go, peers from filter_plugins/warren_sites.py
# applied with wg-peer-sync), and a real zabbix_agentd at the home site running as zabbix with
# the project's UserParameter file and the sites file that roles/warren_monitoring renders:
#   VL (edge LAN host, 10.70.0.5) - V (edge, public) = tunnel = H (home gateway: the agent)
#   host namespace - H over a veth ($SH_AGENT_IP:$SH_PORT), so a Zabbix server can poll it.
# Sourced after tests/lib.sh by site-health*.sh. Sets D, REPO, H, V, VL, WH, WV, SH_PORT,
# SH_AGENT_IP, SH_HOST_IP and the functions zget (agent query) and zws (helper as zabbix).
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
for p in zabbix_agentd setpriv jq; do
	command -v "$p" >/dev/null || t_fail "$p is missing (make deps)"
done
id zabbix >/dev/null 2>&1 || t_fail "no user zabbix (package zabbix-agent)"
H=hh$T_ID V=hv$T_ID VL=hl$T_ID WH=hwh$T_ID WV=hwv$T_ID
SH_N=$((1 + $$ % 250))
SH_HOST_IP=10.214.$SH_N.1 SH_AGENT_IP=10.214.$SH_N.2
SH_PORT=$((10100 + ($$ + 7) % 9800))
G=$((64000 + $$ % 500))
D=$(mktemp -d)
chmod 0755 "$D"
t_cleanup "rm -rf $D"
install -d -m 0755 "$D/bin" "$D/agent" "$D/sockets" "$D/etc"
cp "$WARREN_BIN/zabbix-wg-stats" "$D/bin/"
chmod 0755 "$D/bin/zabbix-wg-stats"

for ns in $H $V $VL; do t_ns "$ns"; done
nsx "$V" sysctl -qw net.ipv4.ip_forward=1
t_veth "$H" "hv$T_ID" 198.19.0.2/24 "$V" "vh$T_ID" 198.19.0.1/24
t_veth "$VL" "lv$T_ID" 10.70.0.5/24 "$V" "vl$T_ID" 10.70.0.1/24
ip -n "$VL" route add default via 10.70.0.1
ip link add "hz$T_ID" type veth peer name "zh$T_ID" netns "$H"
t_cleanup "ip link del hz$T_ID"
ip addr add "$SH_HOST_IP/30" dev "hz$T_ID"
ip -n "$H" addr add "$SH_AGENT_IP/30" dev "zh$T_ID"
ip link set "hz$T_ID" up
ip -n "$H" link set "zh$T_ID" up

# The sites as inventory holds them: the edge's LAN host is its probe.
t_keys "$D" edge home
cat >"$D/sites.json" <<JSON
{"edge": {"address": "10.99.0.1/24", "public_key": "${T_PUB[edge]}", "endpoint": "198.19.0.1:51830",
          "subnets": ["10.70.0.0/24"], "probe": "10.70.0.5"},
 "home": {"address": "10.99.0.2/24", "public_key": "${T_PUB[home]}", "subnets": ["192.168.10.0/24"],
          "probe": "192.168.10.5", "keepalive": 5}}
JSON
# site NAME IFACE PORT: that site's wg-peer-sync state from the filter, as site-s2s.sh does.
site_state() {
	/usr/bin/python3 - "$D/sites.json" "$1" "$2" "$3" "$D/$1.key" <<'PY'
import json, os, sys
sys.path.insert(0, os.path.join(os.environ["REPO"], "filter_plugins"))
from warren_sites import warren_site_peers
sites, me, ifc, port, key = sys.argv[1:]
out = warren_site_peers(json.load(open(sites)), me)
json.dump({"interface": ifc, "private_key_file": key, "listen_port": int(port),
           "peers": out["peers"]}, sys.stdout)
PY
}
export REPO
site_state edge "$WV" 51830 >"$D/edge.json"
site_state home "$WH" 51831 >"$D/home.json"
t_wg_go "$V" "$WV"
t_wg_go "$H" "$WH" --group "$G"
for x in "$V $WV edge 10.99.0.1" "$H $WH home 10.99.0.2"; do
	read -r ns ifc name addr <<<"$x"
	nsx "$ns" "$WARREN_BIN/wg-peer-sync" sync "$D/$name.json" >/dev/null
	ip -n "$ns" addr add "$addr/24" dev "$ifc"
	ip -n "$ns" link set "$ifc" up
done
ip -n "$H" route add 10.70.0.0/24 dev "$WH"
ip -n "$V" route add 192.168.10.0/24 dev "$WV"
ln -s "/var/run/wireguard/$WH.sock" "$D/sockets/"

# The sites file exactly as roles/warren_monitoring renders it (its defaults and vars, the one
# file its warren_files call would install), for the home site and its interface.
cat >"$D/render-vars.yml" <<EOT
warren_sites: "{{ lookup('ansible.builtin.file', '$D/sites.json') | from_json }}"
warren_monitoring_site: home
warren_monitoring_site_interface: $WH
warren_monitoring_agent: none
EOT
cat >"$D/render.yml" <<EOT
- name: Render the sites file as roles/warren_monitoring does.
  hosts: localhost
  gather_facts: false
  vars_files: [$REPO/roles/warren_monitoring/defaults/main.yml, $REPO/roles/warren_monitoring/vars/main.yml,
               $D/render-vars.yml]
  tasks:
    - name: Write the role's one file.
      ansible.builtin.copy:
        content: "{{ (_warren_monitoring_files | selectattr('path', 'eq', warren_monitoring_sites_file) | first).content }}"
        dest: $D/etc/sites.json
        mode: "{{ (_warren_monitoring_files | first).mode }}"
EOT
(cd "$REPO" && ANSIBLE_NOCOLOR=1 ANSIBLE_LOCALHOST_WARNING=0 ansible-playbook -c local -i localhost, "$D/render.yml") \
	>"$D/render.log" 2>&1 || { tail -20 "$D/render.log" >&2; t_fail "rendering the sites file"; }

# The agent: the project's UserParameter file, pointed at this test's binary and sites file.
sed -e "s|/usr/bin/zabbix-wg-stats site-\([a-z]*\)|$D/bin/zabbix-wg-stats site-\1 --sites $D/etc/sites.json|" \
	-e "s|/usr/bin/zabbix-wg-stats|$D/bin/zabbix-wg-stats|" "$REPO/zabbix/userparameter_warren.conf" >"$D/agent/warren.conf"
t_zbx_agent_conf "$D/agent" "127.0.0.1,$SH_AGENT_IP" "$SH_PORT" "127.0.0.1,$SH_HOST_IP" "site-health-$T_ID" "$D/agent/warren.conf"
WARREN_WG_SOCKET_DIR=$D/sockets ip netns exec "$H" setpriv --reuid=zabbix --regid=zabbix --groups "$G" --inh-caps=-all \
	zabbix_agentd -f -c "$D/agent/agent.conf" >"$D/agent/stdout" 2>&1 &
t_cleanup "kill $! 2>/dev/null"
zget() { /usr/bin/python3 "$REPO/tests/zabbix/zbx-get.py" "$SH_AGENT_IP" "$SH_PORT" "$1"; }
t_wait 15 zget agent.ping || { tail -5 "$D/agent/agent.log" >&2; t_fail "zabbix_agentd does not answer"; }
# zws ARGS...: the helper as zabbix in the home namespace, with the socket group.
zws() {
	WARREN_WG_SOCKET_DIR=$D/sockets nsx "$H" setpriv --reuid=zabbix --regid=zabbix --groups "$G" \
		--inh-caps=-all "$D/bin/zabbix-wg-stats" "$@"
}
