#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Per-site health (docs/site-to-site.md#per-site-health) on real parts: two sites joined by
# wireguard-go (peers from filter_plugins/warren_sites.py), a real zabbix_agentd as zabbix at the
# home site with the project's UserParameter file and the sites file roles/warren_monitoring
# renders. Asserts through the agent: site discovery; up, handshake age and an answered ICMP
# probe with RTT > 0; a clear error while net.ipv4.ping_group_range excludes zabbix; the far LAN
# host's link down -> the probe fails within its timeout and the handshake age grows; TCP
# connect probes (answered, refused) and ICMPv6; the Prometheus text (promtool, values); the
# template's site rule checked against these real outputs; bad sites files -> exit 2 naming the
# field; a missing sites file is no sites; the role's ping_group_range tasks (check only: a clear
# failure; by default: the range widened to the zabbix group, then changed=0).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../lib-site-health.sh"
command -v promtool >/dev/null || t_fail "promtool is missing (make deps)"

eq "the role rendered the sites file 0644" 644 "$(stat -c %a "$D/etc/sites.json")"
json_eq "the sites file: the edge, its key, its probe and the site interface" "$(cat "$D/etc/sites.json")" \
	'[.site, (.sites | map([.site, .public_key, .probe, .interface]))]' \
	"$(jq -cn --arg k "${T_PUB[edge]}" --arg i "$WH" '["home", [["edge", $k, "10.70.0.5", $i]]]')"
nomatch "no private key in the sites file" -F -e "$(cat "$D/home.key")" -e "$(cat "$D/edge.key")" "$D/etc/sites.json"
ok "the tunnel is up: the home gateway reaches the edge LAN host" t_wait 15 nsx "$H" ping -c 1 -W 1 -q 10.70.0.5

out=$(zget warren.wg.site.discovery)
echo "$out" >"$D/site-rows.json"
json_eq "agent: site discovery" "$out" '[.[] | [."{#SITE}", ."{#IFNAME}", ."{#SITE.PROBE}"]]' \
	"[[\"edge\",\"$WH\",\"10.70.0.5\"]]"

# A new namespace's ping_group_range is "1 0": nobody may open ICMP datagram sockets.
eq "ping_group_range of a new namespace" "1	0" "$(nsx "$H" cat /proc/sys/net/ipv4/ping_group_range)"
out=$(zget warren.wg.site.get)
json_eq "ICMP not allowed: not probed (-1), a clear error naming the sysctl; the tunnel still up" "$out" \
	'.sites.edge | [.probe_success, (.probe_error | test("ping_group_range must include")), .up]' '[-1,true,1]'
# The role's part for it (roles/warren_monitoring/tasks/sites.yml), run in the home namespace,
# its sysctl file in this test's directory.
cat >"$D/check.yml" <<EOT
- name: Run the role's ping_group_range tasks.
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Let zabbix send ICMP probes, as the role does.
      ansible.builtin.include_role: {name: warren_monitoring, tasks_from: sites}
EOT
check() { (cd "$REPO" && ANSIBLE_NOCOLOR=1 ANSIBLE_LOCALHOST_WARNING=0 nsx "$H" ansible-playbook -c local \
	-i localhost, -e "@$D/render-vars.yml" -e "warren_monitoring_sysctl_file=$D/etc/90-warren-monitoring.conf" \
	"$@" "$D/check.yml") >"$D/check.log" 2>&1; }
recap() { awk '/^PLAY RECAP/ { r = 1; next } r && /changed=/ { sub(/.*changed=/, ""); sub(/ .*/, ""); print }' "$D/check.log"; }
fails "warren_monitoring_ping_group_manage=false: the role refuses ICMP probes the range excludes" \
	check -e '{"warren_monitoring_ping_group_manage": false}'
ok "and says why, naming the sysctl" grep -qF 'ping_group_range is \"1\t0\" and excludes the zabbix group' "$D/check.log"
ZG=$(id -g zabbix)
ok "by default the role widens the range to the zabbix group" check
eq "it changed the range and its sysctl file" "2 $ZG	$ZG" "$(recap) $(nsx "$H" cat /proc/sys/net/ipv4/ping_group_range)"
eq "the sysctl file, for the next boot" "net.ipv4.ping_group_range = $ZG $ZG" "$(grep -v '^#' "$D/etc/90-warren-monitoring.conf")"
ok "a second run" check
eq "a second run: changed=0" 0 "$(recap)"
out=$(zget warren.wg.site.get)
echo "$out" >"$D/site-get.json"
json_eq "agent: the edge is up on $WH, its LAN host answers, RTT > 0" "$out" \
	'.site, (.sites.edge | [.interface, .up, .state, .probe_success, .probe_rtt > 0, .probe_rtt < 1, .probe_error, .handshake_age >= 0])' \
	"\"home\"
[\"$WH\",1,\"connected\",1,true,true,\"\",true]"
echo "  ICMP probe RTT through the tunnel: $(jq .sites.edge.probe_rtt <<<"$out") s"

# ---- the Prometheus text, as zabbix --------------------------------------------------------------
zws prometheus "$WH" --sites "$D/etc/sites.json" >"$D/metrics.prom"
ok "promtool check metrics" sh -c "promtool check metrics <$D/metrics.prom"
prom() { awk -v m="$1{site=\"edge\",interface=\"$WH\"}" '$1 == m { print $2 }' "$D/metrics.prom"; }
eq "prometheus: warren_site_up" 1 "$(prom warren_site_up)"
eq "prometheus: warren_site_probe_success" 1 "$(prom warren_site_probe_success)"
ok "prometheus: warren_site_probe_rtt_seconds > 0" awk -v v="$(prom warren_site_probe_rtt_seconds)" 'BEGIN { exit !(v > 0) }'
ok "prometheus: warren_site_handshake_age_seconds >= 0" awk -v v="$(prom warren_site_handshake_age_seconds)" 'BEGIN { exit !(v != "" && v >= 0) }'

# ---- the far LAN host goes away ------------------------------------------------------------------
age1=$(jq .sites.edge.handshake_age <<<"$out")
ip -n "$VL" link set "lv$T_ID" down
t0=$(date +%s.%N)
out=$(zget warren.wg.site.get)
t=$(echo "$(date +%s.%N) - $t0" | bc)
json_eq "LAN host down: the probe fails (timed out), the tunnel is still up" "$out" \
	'.sites.edge | [.probe_success, .probe_result, .probe_rtt, .up]' '[0,"Connection timed out",-1,1]'
echo "  site-get through the agent with the LAN host down: $t s"
ok "the failing probe took its 1 s timeout, not more ($t s)" awk -v t="$t" 'BEGIN { exit !(t >= 0.9 && t < 2.5) }'
sleep 2
out=$(zget warren.wg.site.get)
ok "the handshake age grows ($age1 s, then $(jq .sites.edge.handshake_age <<<"$out") s)" \
	test "$(jq .sites.edge.handshake_age <<<"$out")" -ge $((age1 + 2))
zws prometheus "$WH" --sites "$D/etc/sites.json" --probe-timeout 300 >"$D/metrics.prom"
eq "prometheus: warren_site_probe_success 0, no RTT sample" "0 " \
	"$(prom warren_site_probe_success) $(prom warren_site_probe_rtt_seconds)"
ip -n "$VL" link set "lv$T_ID" up
ip -n "$VL" route add default via 10.70.0.1 2>/dev/null || true
ok "the LAN host is back: the probe answers again" t_wait 10 sh -c \
	"$(declare -f zws nsx); D=$D H=$H zws site-get --sites $D/etc/sites.json | jq -e '.sites.edge.probe_success == 1'"

# ---- TCP connect and ICMPv6 (sites files edited from the rendered one) ----------------------------
ip netns exec "$VL" python3 -c 'import socket, signal
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.70.0.5", 2222)); s.listen(8); signal.pause()' &
t_cleanup "kill $!"
jq '.sites[0].probe = "10.70.0.5:2222"' "$D/etc/sites.json" >"$D/tcp.json"
jq '.sites[0].probe = "10.70.0.5:2223"' "$D/etc/sites.json" >"$D/tcp-closed.json"
jq '.sites[0].probe = "::1"' "$D/etc/sites.json" >"$D/icmp6.json"
chmod 0644 "$D"/*.json
ok "TCP connect to a listening port: success, RTT > 0" t_wait 5 sh -c \
	"$(declare -f zws nsx); D=$D H=$H zws site-get --sites $D/tcp.json | jq -e '.sites.edge | .probe_success == 1 and .probe_rtt > 0'"
json_eq "TCP connect to a closed port: refused, fails" "$(zws site-get --sites "$D/tcp-closed.json")" \
	'.sites.edge | [.probe_success, .probe_result]' '[0,"Connection refused"]'
json_eq "ICMPv6 echo over a datagram socket" "$(zws site-get --sites "$D/icmp6.json")" \
	'.sites.edge | [.probe_success, .probe_rtt > 0]' '[1,true]'

# ---- the template's site rule against these real outputs -------------------------------------------
zws get "$WH" >"$D/get.json"
zws discovery "$WH" >"$D/peers.json"
zws discovery --interfaces "$WH" >"$D/interfaces.json"
zws get "nosuch$T_ID" >"$D/fail.json" || true
tpl() {
	/usr/bin/python3 "$REPO/tests/zabbix/check-template.py" "$1" "$REPO/zabbix/userparameter_warren.conf" \
		"$D/get.json" "$D/fail.json" "$D/peers.json" "$D/interfaces.json" "$D/site-get.json" "$D/site-rows.json"
}
ok "template: all three, the sites rule's JSONPaths and macros too, match the real outputs" \
	tpl "$REPO/zabbix/template_warren_wireguard.yaml"
sed "s/\.probe_success'$/.probe_ok'/" "$REPO/zabbix/template_warren_wireguard.yaml" >"$D/broken.yaml"
fails "the check catches a site JSONPath to a field site-get lacks" tpl "$D/broken.yaml"

# ---- bad input -------------------------------------------------------------------------------------
bad() {
	local rc=0
	printf '%s\n' "$1" >"$D/bad.json"
	chmod 0644 "$D/bad.json"
	out=$(zws site-get --sites "$D/bad.json") || rc=$?
	eq "bad sites file ($2): exit 2" 2 "$rc"
	json_eq "bad sites file ($2): the message names the field" "$out" ".failed, (.msg | contains(\"$2\"))" 'true
true'
}
bad '{"sites": [{"site": "edge", "public_key": "x"}]}' 'sites[0].public_key: \"x\" is not a base64 WireGuard key'
bad "{\"sites\": [{\"site\": \"edge\", \"public_key\": \"${T_PUB[edge]}\", \"probe\": \"10.70.0.5:99999\"}]}" 'sites[0].probe: \"10.70.0.5:99999\"'
bad "{\"sites\": [{\"site\": \"edge\", \"public_key\": \"${T_PUB[edge]}\", \"probes\": 1}]}" 'unknown field \"sites[0].probes\"'
bad '{"site": "home"}' 'sites: is required'
rc=0
out=$(zws prometheus "$WH" --sites "$D/bad.json") || rc=$?
eq "prometheus with a bad sites file: exit 2" "2 true" "$rc $(jq .failed <<<"$out")"
rc=0
out=$(zws site-get --probe-timeout 9000 --sites "$D/etc/sites.json") || rc=$?
eq "a probe timeout over 5000 ms: exit 2" "2 true" "$rc $(jq '.msg | test("--probe-timeout")' <<<"$out")"
json_eq "a missing sites file is no sites" "$(zws site-discovery --sites "$D/nonexistent.json")" '.' '[]'
json_eq "and no site families in the Prometheus text" \
	"$(zws prometheus "$WH" --sites "$D/nonexistent.json" | grep -c '^warren_site' || true)" '.' '0'
