#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Monitoring end to end against a REAL Zabbix 6.0 server, started by the lab's own hook
# (lab/zabbix up, on this run's names and ports: tests/zabbix/zabbix-server.sh gives it its own
# PostgreSQL, zabbix_server, php-fpm and nginx, next to a lab's): the role imports the shipped
# template and a second importcompare is equal; a container built by the roles
# (playbooks/site.yml: wireguard_ct, wireguard_peers, wireguard_server, warren_monitoring) is
# registered with its agent; peer discovery finds its peers; item values match `wg show dump`
# after real traffic; problems fire and clear for an always-on peer with no handshake, a peer
# removed from the interface, and a broken install (binary gone); the LLD rule shows the
# helper's own error; the role's second run reports changed=0; a Zabbix that is down gives one
# clear message (or a warning); lab/zabbix show lists the peers. Everything is removed at exit.
source "$(dirname "$0")/../lib.sh"

REPO=$(cd "$(dirname "$0")/../.." && pwd)
N=$((20 + $$ % 200))
ZNAME=test-$N CT=wzb$T_ID BR=wzbr$N NET=10.211.$N CNS=wzc$T_ID CIF=wzc$N
WEB=$((18100 + N)) SRV=$((10200 + N)) PG=$((15500 + N))
# WARREN_ZBX_TEST_AGENT=zabbix-agent2 runs the suite with Zabbix agent 2 (its own rootfs).
AGENT=${WARREN_ZBX_TEST_AGENT:-zabbix-agent}
D=$(mktemp -d)
chmod 0700 "$D"
t_cleanup "rm -rf $D"

# ---- the server, through the lab's own hook (lab/zabbix) on this run's names ----------------------
INV=$D/inv
mkdir -p "$INV/group_vars" "$D/tmp"
head -c 24 /dev/urandom | base64 >"$INV/.vault-pass"
# The bridge exists before the converge here, as lab/net makes it before lab/run's hook.
ip link add "$BR" type bridge
t_cleanup "ip link del $BR"
ip link set "$BR" up
export WARREN_LAB_ZBX_NAME=$ZNAME WARREN_LAB_ZBX_PORTS="$WEB $SRV $PG" WARREN_LAB_ZBX_BRIDGE=$BR \
	WARREN_LAB_ZBX_ADDR=$NET.1/24 WARREN_LAB_ZBX_INV=$INV WARREN_LAB_ZBX_HOST=$CT WARREN_LAB_ZBX_ENV=$D/zabbix.env
t_cleanup "$REPO/lab/zabbix down"
ok "lab/zabbix up: a Zabbix server of this run's own comes up" "$REPO/lab/zabbix" up
eq "the env file: 0600, with the API, user and password" "600 4" \
	"$(stat -c %a "$D/zabbix.env") $(grep -cE '^ZABBIX_(API|URL|USER|PASSWORD)=.' "$D/zabbix.env")"
set -a
# shellcheck disable=SC1091
. "$D/zabbix.env"
set +a
ok "the API credentials for the role are vault-encrypted" \
	grep -qx '.ANSIBLE_VAULT;1.1;AES256' <(head -1 "$INV/host_vars/$CT/zabbix.vault.yml")
nomatch "no password in the clear in the inventory" -rF -e "$ZABBIX_PASSWORD" "$INV"
source "$REPO/tests/zabbix/zbx-host.sh"
reload() { zabbix_server -c "/var/lib/warren-zbx/$ZNAME/zabbix_server.conf" -R config_cache_reload >/dev/null; }
TPL=$REPO/zabbix/template_warren_wireguard.yaml
ok "a fresh server: importcompare reports the templates as new" \
	test "$(zapi importcompare "$TPL" | jq 'length')" -gt 0

# ---- the container, converged by the roles ----------------------------------------------------
INV=$D/inv
cat >"$INV/hosts.yml" <<EOT
all:
  children:
    wireguard_ct_hosts:
      hosts:
        localhost: {ansible_connection: local, ansible_python_interpreter: /usr/bin/python3}
    wireguard_servers:
      hosts:
        $CT: {ansible_connection: warren_lxc, ansible_host: $CT, ansible_python_interpreter: /usr/bin/python3}
EOT
cat >"$INV/group_vars/all.yml" <<EOT
wireguard_ct_backend: lxc
wireguard_ct_name: $CT
wireguard_ct_hostname: $CT
wireguard_ct_bridge: $BR
wireguard_ct_lxc_bridge_address: $NET.1/24
wireguard_ct_lxc_bridge_remove: true
wireguard_ct_ipv4: $NET.90/24
wireguard_ct_gateway: $NET.1
wireguard_ct_lxc_start_group: $CT
wireguard_ct_probe_bin: $REPO/build/lxc-probe
wireguard_ct_guests: [$CT]
wireguard_ct_lxc_extra_packages: [$AGENT]
wireguard_peers_endpoint: $NET.90:51820
wireguard_peers_bin_dir: $REPO/build
wireguard_peers_data_dir: $D/wg0
wireguard_server_helpers_deb: $REPO/build/warren-helpers.deb
wireguard_peers_peers:
  - {name: alice, always_on: true, keepalive: 2}
  - {name: bob, always_on: true}
  - {name: carol}
warren_monitoring_prometheus: true
warren_monitoring_agent: $AGENT
# Both templates: the per-interface one on the host, and interface discovery (host prototypes).
warren_monitoring_zabbix_templates:
  - warren WireGuard interface by Zabbix agent
  - warren WireGuard by Zabbix agent
# The role's default macros: {\$WG.KEY.MAX_AGE_DAYS} from this.
wireguard_peers_key_max_age_days: 90
# Per-site health (docs/site-to-site.md#per-site-health): this server is the site "home"; the far
# site "edge" is probed at the bridge's address (an ICMP echo from the unprivileged container).
warren_monitoring_site: home
warren_sites:
  home: {address: 10.98.0.2/24, public_key: "$(wg genkey | wg pubkey)", subnets: [10.97.0.0/24]}
  edge: {address: 10.98.0.1/24, public_key: "$(wg genkey | wg pubkey)", endpoint: "$NET.1:51999",
         subnets: [$NET.0/24], probe: "$NET.1"}
EOT
export ANSIBLE_VAULT_PASSWORD_FILE=$INV/.vault-pass ANSIBLE_NOCOLOR=1 ANSIBLE_LOCAL_TEMP=$D/tmp
t_cleanup "cd $REPO && ansible-playbook -i $INV -e wireguard_ct_state=absent playbooks/site.yml --limit localhost >$D/destroy.log 2>&1 || timeout 60 lxc-destroy -f -n $CT"
play() { (cd "$REPO" && ansible-playbook -i "$INV" playbooks/site.yml "$@"); }
t0=$SECONDS
play >"$D/run1.log" 2>&1 || { tail -40 "$D/run1.log" >&2; t_fail "first converge"; }
echo "  first converge: $((SECONDS - t0)) s" >&2
ok "the role imported the template (it differed)" \
	grep -q "changed: \[$CT -> localhost\]" <(grep -A1 'TASK \[warren_monitoring : Import the template' "$D/run1.log")
eq "a second importcompare is equal (the file is Zabbix's canonical export)" "[]" "$(zapi importcompare "$TPL" | jq -c .)"
eq "the stock group keeps its UUID" a571c0d144b14fd4a87a9d9b2aa9fcd6 \
	"$(zapi hostgroup.get '{"filter":{"name":["Templates/Applications"]},"output":["uuid"]}' | jq -r '.[0].uuid')"
ct() { lxc-attach -n "$CT" -- "$@"; }
ok "the agent ($AGENT) runs in the container" ct systemctl is-active --quiet "$AGENT"
ok "zabbix is in the socket group" sh -c "lxc-attach -n $CT -- id -nG zabbix | grep -qw wg-monitor"
eq "the sites file in the container: 0644, the edge and its probe" "644 edge $NET.1" \
	"$(ct stat -c %a /etc/warren/sites.json) $(ct cat /etc/warren/sites.json | jq -r '.sites[0] | "\(.site) \(.probe)"')"
ZG=$(ct getent group zabbix | cut -d: -f3)
eq "the role widened ping_group_range in the unprivileged container to the zabbix group" "$ZG	$ZG" \
	"$(ct cat /proc/sys/net/ipv4/ping_group_range)"
ok "the agent's site-get: the edge's ICMP probe answers from the container" sh -c \
	"/usr/bin/python3 $REPO/tests/zabbix/zbx-get.py $NET.90 10050 warren.wg.site.get | jq -e '.sites.edge.probe_success == 1 and .sites.edge.up == -1'"
ok "the agent answers the server's address with the interface (zbx-get)" sh -c \
	"/usr/bin/python3 $REPO/tests/zabbix/zbx-get.py $NET.90 10050 'warren.wg.get[wg0,1/1]' | jq -e '.interface == \"wg0\"'"

HID=$(zapi host.get "{\"filter\":{\"host\":[\"$CT\"]},\"output\":[\"hostid\"]}" | jq -r '.[0].hostid')
ok "the host is registered" test -n "$HID" -a "$HID" != null
json_eq "its agent interface is the container's management address" \
	"$(zapi hostinterface.get "{\"hostids\":[\"$HID\"],\"output\":[\"ip\",\"port\",\"type\"]}")" \
	'[.[0].ip,.[0].port,.[0].type]' "[\"$NET.90\",\"10050\",\"1\"]"
json_eq "its macros" "$(zapi usermacro.get "{\"hostids\":[\"$HID\"],\"output\":[\"macro\",\"value\"]}")" \
	'[.[]|[.macro,.value]]|sort' "[[\"{\$WG.HANDSHAKE.MAX}\",\"300\"],[\"{\$WG.IF}\",\"wg0\"],[\"{\$WG.KEY.MAX_AGE_DAYS}\",\"90\"]]"

# ---- the role's second run -----------------------------------------------------------------------
t0=$SECONDS
ANSIBLE_CALLBACKS_ENABLED=ansible.posix.profile_tasks play >"$D/run2.log" 2>&1 ||
	{ tail -40 "$D/run2.log" >&2; t_fail "second converge"; }
t2=$((SECONDS - t0))
eq "second converge: changed=0 on both hosts" "0 0" \
	"$(awk '/^PLAY RECAP/ { r = 1; next } r && /changed=/ { sub(/.*changed=/, ""); sub(/ .*/, ""); printf "%s ", $0 }' "$D/run2.log" | xargs)"
t0=$SECONDS
play -e warren_monitoring_enabled=false >"$D/run3.log" 2>&1 || t_fail "converge without monitoring"
echo "  no-change converge: $t2 s with warren_monitoring, $((SECONDS - t0)) s without; slowest tasks:" >&2
grep -E -- ' -{3,} [0-9.]+s$' "$D/run2.log" | awk '{ print $NF, $0 }' | sort -rn | cut -d' ' -f2- | head -6 >&2

# Zabbix down (nothing listens on port 1): the registration alone, as the role runs it.
cat >"$D/register.yml" <<EOT
- name: Register the server in a Zabbix that is down.
  hosts: $CT
  gather_facts: false
  tasks:
    - name: Run the role's registration.
      ansible.builtin.include_role: {name: warren_monitoring, tasks_from: register}
EOT
down=(-e warren_monitoring_zabbix_api_url=http://127.0.0.1:1/api_jsonrpc.php)
(cd "$REPO" && ansible-playbook -i "$INV" "$D/register.yml" "${down[@]}") >"$D/down1.log" 2>&1 && t_fail "a Zabbix that is down must fail the registration"
ok "Zabbix down: one clear message, the VPN is up" grep -q "registering $CT in Zabbix at http://127.0.0.1:1/api_jsonrpc.php failed in .*Connection refused.*The VPN is up" "$D/down1.log"
nomatch "Zabbix down: the password is not shown" -F -e "$ZABBIX_PASSWORD" "$D/down1.log"
ok "Zabbix down, warren_monitoring_zabbix_required=false: a warning, the run succeeds" sh -c \
	"cd $REPO && ansible-playbook -i $INV $D/register.yml ${down[*]} -e warren_monitoring_zabbix_required=false >$D/down2.log 2>&1 && grep -q 'WARNING: warren_monitoring could not register' $D/down2.log"

# ---- clients with real traffic: alice (always on), bob (always on, later) ---------------------
# client K NAME: namespace $CNS-K on the bridge at $NET.1K, up with wg-quick and NAME's .conf.
client() {
	local ns=$CNS-$1 ifc=$CIF$1
	t_ns "$ns"
	ip link add "$ifc-h" type veth peer name "$ifc-c" netns "$ns"
	t_cleanup "ip link del $ifc-h"
	ip link set "$ifc-h" master "$BR" up
	ip -n "$ns" addr add "$NET.1$1/24" dev "$ifc-c"
	ip -n "$ns" link set "$ifc-c" up
	t_cleanup "$REPO/lab/wgclient down $ns $ifc"
	"$REPO/lab/wgclient" up "$ns" "$ifc" "$D/wg0/clients/$2.conf"
}
ok "alice's client comes up with wg-quick and her generated .conf" client 1 alice
ok "alice reaches the server through the tunnel" t_wait 20 ip netns exec "$CNS-1" ping -c1 -W1 192.168.100.1
ok "real traffic: twenty 1000-byte pings" ip netns exec "$CNS-1" ping -c 20 -i 0.2 -s 1000 -W 2 192.168.100.1

# ---- discovery, values --------------------------------------------------------------------------
# until SECONDS CMD...: CMD until it succeeds, polling the master item every 5 s meanwhile.
until_() {
	local end=$((SECONDS + $1)) next=0
	shift
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -ge $end ] && return 1
		if [ $SECONDS -ge $next ]; then poll 'warren.wg.get[' || true; next=$((SECONDS + 5)); fi
		sleep 1
	done
}
# The master item keeps no history (so no lastclock): its first dependent item tells.
master_has_value() { items 'warren.wg.error[' | jq -e '.[0].lastclock != "0"'; }
reload
ok "the master item gets values from the agent" until_ 90 master_has_value
peers_found() { poll 'warren.wg.peers['; sleep 2; test "$(items 'warren.wg.peer.state[' | jq length)" -eq 3; }
ok "LLD discovers the three peers" until_ 90 peers_found
# Interface discovery: one host per interface from the host prototype, in "Discovered hosts"
# (the group the 6.0 importer could not find before it was listed in the export).
disc_host() {
	poll 'warren.wg.interfaces'
	sleep 2
	zapi host.get "{\"filter\":{\"host\":[\"wg $CT wg0\"]},\"selectGroups\":[\"name\"],\"selectParentTemplates\":[\"host\"]}" |
		jq -e '.[0] | (.groups[].name == "Discovered hosts") and (.parentTemplates[].host == "warren WireGuard interface by Zabbix agent")'
}
ok "interface discovery creates the host \"wg $CT wg0\" in Discovered hosts, with the interface template" \
	until_ 60 disc_host
eq "the handshake trigger exists for the two always-on peers only (not carol)" \
	"alice bob" "$(zapi trigger.get "{\"hostids\":[\"$HID\"],\"search\":{\"description\":\"has had no handshake\"},\"expandDescription\":true,\"output\":[\"description\"]}" |
		jq -r '.[].description' | sed 's/.*always-on peer \([a-z]*\) .*/\1/' | sort | xargs)"
reload
PUB_A=$(ct wg show wg0 dump | awk -v ip=192.168.100.2/32 'NR > 1 && $4 == ip { print $1 }')
state_of() { items "warren.wg.peer.$1[$2]" | jq -r '.[0].lastvalue'; }
alice_connected() { test "$(state_of state "$PUB_A")" = 2; }
ok "alice's state item: connected (2)" until_ 90 alice_connected
dump=$(ct wg show wg0 dump | tail -n +2)
poll 'warren.wg.get['
sleep 4
while IFS=$'\t' read -r key _psk ep _aips hs _rx _tx _ka; do
	[ "$ep" = "(none)" ] && ep=""
	eq "peer $key: latest handshake and endpoint as wg show dump" "$hs|$ep" \
		"$(state_of latest_handshake "$key")|$(state_of endpoint "$key")"
done <<<"$dump"
json_eq "interface items: 3 peers, 1 connected, 2 always on" \
	"$(items 'warren.wg.peers.' | jq -c 'map({(.key_|sub("\\[.*";"")): .lastvalue})|add')" \
	'[."warren.wg.peers.total",."warren.wg.peers.connected",."warren.wg.peers.always_on",."warren.wg.peers.always_on_down"]' \
	'["3","1","2","1"]'
rx=$(items "warren.wg.peer.rx[$PUB_A]" | jq -r '.[0].lastvalue')
ok "alice's received rate is a number ($rx bps)" test -n "$rx"

# ---- the Prometheus endpoint on the management address -------------------------------------------
curl -fsS -m 10 "http://$NET.90:9586/metrics" >"$D/metrics.prom" || t_fail "GET http://$NET.90:9586/metrics"
ok "promtool check metrics on the served text" sh -c "promtool check metrics <$D/metrics.prom"
dump=$(ct wg show wg0 dump | tail -n +2)
pm() { awk -v m="$1" -v k="$2" 'index($0, m "{") == 1 && index($0, "public_key=\"" k "\"") { print $NF }' "$D/metrics.prom"; }
while IFS=$'\t' read -r key _psk _ep _aips hs _rx _tx _ka; do
	eq "exporter: handshake of $key as wg show dump" "$hs" "$(pm wireguard_peer_last_handshake_seconds "$key")"
done <<<"$dump"
while read -r m; do
	ok "the alert rules' series $m is served" grep -q "^$m{" "$D/metrics.prom"
done < <(grep -o 'wireguard_[a-z_]*' "$REPO/prometheus/warren_wireguard.rules.yml" | sort -u)
ok "GET / is a 404" sh -c "curl -sS -m 10 -o /dev/null -w '%{http_code}' http://$NET.90:9586/ | grep -qx 404"
# ---- problems that fire and clear -----------------------------------------------------------------
has() { problems | grep -qF "$1"; }
triggers() {
	zapi trigger.get "{\"hostids\":[\"$HID\"],\"expandDescription\":true,\"output\":[\"description\"]}" | jq -r '.[].description'
}
has_trigger() { triggers | grep -qF "$1"; }
no_trigger() { ! triggers | grep -qF "$1"; }
hasnt() { ! problems | grep -qF "$1"; }
ok "problem: always-on bob has had no handshake" until_ 60 has "always-on peer bob has had no handshake"
ok "no such problem for alice" hasnt "always-on peer alice has"
ok "bob's client comes up" client 2 bob
ok "bob reaches the server" t_wait 20 ip netns exec "$CNS-2" ping -c1 -W1 192.168.100.1
ok "bob's problem clears once he has a handshake" until_ 60 hasnt "always-on peer bob has had no handshake"

# alice stops: a problem within two polls of the master item (her keepalives, every 2 s here and
# 25 s by default, stop). poll_wait: one poll, and wait until its value is in.
poll_wait() {
	local c0
	c0=$(items "warren.wg.peer.rx[$PUB_A]" | jq -r '.[0].lastclock')
	poll 'warren.wg.get['
	for _ in $(seq 30); do
		[ "$(items "warren.wg.peer.rx[$PUB_A]" | jq -r '.[0].lastclock')" != "$c0" ] && return 0
		sleep 1
	done
	return 1
}
ok "alice's stopped-peer trigger exists (always on)" has_trigger "always-on peer alice stopped"
ok "carol has none (not always on)" no_trigger "always-on peer carol"
ok "a poll while alice is up" poll_wait
ok "no problem for alice while she sends keepalives" hasnt "always-on peer alice stopped"
"$REPO/lab/wgclient" down "$CNS-1" "${CIF}1"
ok "first poll after alice stopped" poll_wait
ok "second poll after alice stopped" poll_wait
# (the trigger is computed when the value comes in: a few seconds, and no third poll)
if ! t_wait 20 has "always-on peer alice stopped"; then
	items "warren.wg.peer." | jq -c '.[] | [.key_[0:40], .lastvalue, .lastclock, .error]' >&2
	t_fail "problem within two polls: always-on alice stopped"
fi
T_PASS=$((T_PASS + 1))
ok "alice comes back" "$REPO/lab/wgclient" up "$CNS-1" "${CIF}1" "$D/wg0/clients/alice.conf"
ok "alice reaches the server again" t_wait 20 ip netns exec "$CNS-1" ping -c1 -W1 192.168.100.1
ok "her problem clears" until_ 60 hasnt "always-on peer alice stopped"

ct wg set wg0 peer "$PUB_A" remove
ok "problem: an always-on peer missing from the interface (alice removed live)" \
	until_ 60 has "always-on peer(s) missing from the interface"
ok "problem: a state peer missing" has "peer(s) of the state missing from the interface"
ok "wg-peer-sync puts her back" ct wg-peer-sync sync /etc/warren/wireguard/wg0.json
# Her client sent only keepalives meanwhile, which start no handshake: data does.
ok "alice reaches the server again (a new handshake)" t_wait 30 ip netns exec "$CNS-1" ping -c1 -W1 192.168.100.1
ok "the missing-peer problems clear" until_ 60 hasnt "missing from the interface"

ct mv /usr/bin/zabbix-wg-stats /usr/bin/zabbix-wg-stats.off
t_cleanup "lxc-attach -n $CT -- mv /usr/bin/zabbix-wg-stats.off /usr/bin/zabbix-wg-stats"
ok "problem: a broken install (the binary is gone)" until_ 60 has "zabbix-wg-stats is not installed or broken"
msg=$(items 'warren.wg.error.msg[' | jq -r '.[0].lastvalue')
ok "the error message item shows the shell's answer, not \"ok\" ($msg)" grep -q "printed no JSON.*not found" <<<"$msg"
poll 'warren.wg.peers['
lld_err() {
	zapi discoveryrule.get "{\"hostids\":[\"$HID\"],\"search\":{\"key_\":\"warren.wg.peers[\"},\"output\":[\"error\"]}" |
		jq -r '.[0].error' | grep -q "printed no JSON"
}
ok "the peer LLD rule shows what the helper printed" t_wait 30 lld_err
ct mv /usr/bin/zabbix-wg-stats.off /usr/bin/zabbix-wg-stats
ok "the broken-install problem clears" until_ 60 hasnt "zabbix-wg-stats is not installed or broken"

# ---- key age: the state's key_created (from the vault), the warning before the maximum age ------
BORN_A=$(ct cat /etc/warren/wireguard/wg0.json | jq --arg k "$PUB_A" '.peers[] | select(.public_key == $k) | .key_created')
key_age_ok() {
	items "warren.wg.peer.key_age[$PUB_A]" | jq -e --argjson b "$BORN_A" \
		'.[0] | (.lastvalue | tonumber) as $a | (.lastclock | tonumber) - $b - $a | fabs <= 5'
}
ok "alice's key-age item: from the state's key_created ($BORN_A) to the poll" until_ 60 key_age_ok
ok "no key-age problem: keys minutes old, 90 days allowed" hasnt "is due for rotation"
# {\$WG.KEY.WARN_DAYS} 90 on the host: the warning starts at age 0; {\$WG.KEY.MAX_AGE_DAYS} 0 ends it.
zapi usermacro.create "{\"hostid\":\"$HID\",\"macro\":\"{\$WG.KEY.WARN_DAYS}\",\"value\":\"90\"}" >/dev/null
reload
ok "problem: warned {\$WG.KEY.WARN_DAYS} days before the maximum age" until_ 90 has "key of peer alice is due for rotation"
MID=$(zapi usermacro.get "{\"hostids\":[\"$HID\"],\"filter\":{\"macro\":\"{\$WG.KEY.MAX_AGE_DAYS}\"},\"output\":[\"hostmacroid\"]}" | jq -r '.[0].hostmacroid')
zapi usermacro.update "{\"hostmacroid\":\"$MID\",\"value\":\"0\"}" >/dev/null
reload
ok "{\$WG.KEY.MAX_AGE_DAYS} 0: no key-age problem" until_ 90 hasnt "is due for rotation"

# ---- what make lab prints: lab/zabbix show ---------------------------------------------------------
out=$("$REPO/lab/zabbix" show)
ok "lab/zabbix show: the frontend URL" grep -qF "Zabbix frontend: http://127.0.0.1:$WEB/" <<<"$out"
eq "lab/zabbix show: a state item per peer, with its value" "alice bob carol" \
	"$(grep -E ': state +[0-2] (never|stale|connected)$' <<<"$out" | awk '{print $1}' | sort | xargs)"
