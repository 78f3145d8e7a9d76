#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Per-site health on a REAL Zabbix 6.0 server (tests/zabbix/zabbix-server.sh, an instance of this
# run's own): the shipped templates import, and a second importcompare is equal; a host linked to
# "warren WireGuard sites by Zabbix agent" and polling the real zabbix_agentd at the home site of
# a wireguard-go site-to-site tunnel (tests/lib-site-health.sh) discovers the far site; its items
# get the probe and the handshake age; taking the far LAN host's link down fires
# "Site edge unreachable" (three failed probes) and bringing it back resolves it.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../lib-site-health.sh"
ZG=$(id -g zabbix)
nsx "$H" sysctl -qw net.ipv4.ping_group_range="$ZG $ZG"
ok "the tunnel is up" t_wait 15 nsx "$H" ping -c 1 -W 1 -q 10.70.0.5

ZN=sh-$((1 + $$ % 9000)) ZOFF=$(($$ % 300))
ZS=$REPO/tests/zabbix/zabbix-server.sh
t_cleanup "$ZS down $ZN --purge"
t0=$SECONDS
ok "a Zabbix 6.0 server of this run's own comes up" "$ZS" up "$ZN" $((18400 + ZOFF)) $((10400 + ZOFF)) $((15600 + ZOFF))
echo "  server up in $((SECONDS - t0)) s" >&2
eval "$("$ZS" env "$ZN")"
export ZABBIX_API ZABBIX_USER ZABBIX_PASSWORD
source "$REPO/tests/zabbix/zbx-host.sh"
reload() { zabbix_server -c "/var/lib/warren-zbx/$ZN/zabbix_server.conf" -R config_cache_reload >/dev/null; }
TPL=$REPO/zabbix/template_warren_wireguard.yaml
ok "the three templates import" zapi import "$TPL"
eq "a second importcompare is equal (the file is Zabbix's canonical export)" "[]" "$(zapi importcompare "$TPL" | jq -c .)"
TID=$(zapi template.get '{"filter":{"host":["warren WireGuard sites by Zabbix agent"]},"output":["templateid"]}' | jq -r '.[0].templateid')
GID=$(zapi hostgroup.get '{"filter":{"name":["Discovered hosts"]},"output":["groupid"]}' | jq -r '.[0].groupid')
HID=$(zapi host.create "$(jq -cn --arg h "site-health-$T_ID" --arg ip "$SH_AGENT_IP" --arg port "$SH_PORT" \
	--arg t "$TID" --arg g "$GID" '{host: $h, groups: [{groupid: $g}], templates: [{templateid: $t}],
	interfaces: [{type: 1, main: 1, useip: 1, ip: $ip, dns: "", port: $port}],
	macros: [{macro: "{$WG.SITE.INTERVAL}", value: "5s"}, {macro: "{$WG.SITE.LLD.INTERVAL}", value: "10s"}]}')" |
	jq -r '.hostids[0]')
ok "a host with the sites template, polling the home site's agent" test -n "$HID" -a "$HID" != null

value() { items "$1" | jq -r '.[0].lastvalue'; }
discovered() { reload; poll warren.wg.site.discovery; sleep 2; test "$(items 'warren.wg.site.probe[edge]' | jq length)" -eq 1; }
t0=$SECONDS
ok "the site LLD discovers the edge" t_wait 90 discovered
echo "  discovered after $((SECONDS - t0)) s" >&2
probed() { reload; poll warren.wg.site.get; sleep 1; [ "$(value 'warren.wg.site.probe[edge]')" = 1 ]; }
ok "the edge's probe item: 1 (its LAN host answers)" t_wait 90 probed
eq "the edge's tunnel-up item: 1" 1 "$(value 'warren.wg.site.up[edge]')"
ok "the edge's RTT item > 0" awk -v v="$(value 'warren.wg.site.probe.rtt[edge]')" 'BEGIN { exit !(v > 0) }'
ok "the edge's handshake age item >= 0" test "$(value 'warren.wg.site.age[edge]')" -ge 0
nomatch "no problem while the site is healthy" -F "unreachable" <<<"$(problems)"

ip -n "$VL" link set "lv$T_ID" down
t0=$SECONDS
fired() { poll warren.wg.site.get; sleep 1; problems | grep -qx "Site edge unreachable"; }
ok "the far LAN host down: 'Site edge unreachable' fires" t_wait 90 fired
echo "  'Site edge unreachable' after $((SECONDS - t0)) s (probe every 5 s, three failures)" >&2
eq "the probe item: 0" 0 "$(value 'warren.wg.site.probe[edge]')"
ip -n "$VL" link set "lv$T_ID" up
ip -n "$VL" route add default via 10.70.0.1 2>/dev/null || true
resolved() { poll warren.wg.site.get; sleep 1; ! problems | grep -qx "Site edge unreachable"; }
ok "the LAN host back: the problem resolves" t_wait 60 resolved
