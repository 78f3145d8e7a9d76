#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# roles/wireguard_server's site settings, rendered by Ansible from the role's own templates and
# defaults, brought up by the real wg-quick (wireguard-go) in a namespace:
#   - underlay_mtu 1492 gives the interface MTU 1412;
#   - routes (a site's IPv4 and IPv6 subnets) are installed by PostUp, and are back after
#     wg-quick down + up, as after a restart;
#   - the nft-apply policy carries mss_clamp (on because the host forwards), so the clamp rule is
#     in the live table;
#   - a second render changes nothing.
source "$(dirname "$0")/../lib.sh"

TOP=$(cd "$(dirname "$0")/../.." && pwd)
N=rn$T_ID
IF=rt$T_ID
D=$(mktemp -d)
t_cleanup "rm -rf $D"
t_ns "$N"
t_cleanup "ip netns exec $N $WARREN_BIN/nft-apply delete warren_$IF"
t_keys "$D" srv site
t_wg_dir

cat >"$D/play.yml" <<YAML
- hosts: localhost
  connection: local
  gather_facts: false
  vars_files: [$TOP/roles/wireguard_server/defaults/main.yml]
  vars:
    ansible_managed: test
    wireguard_server_ip_forward: true
    wireguard_server_nft_log: {enabled: false}
    _wireguard_server_if:
      name: $IF
      address: 10.98.0.1/24
      underlay_mtu: 1492
      routes: [192.168.40.0/24, "fd40::/64"]
      allow_networks: [192.168.40.0/24]
      deny_networks: []
    _wireguard_server_if_firewall: true
    _wireguard_server_if_table: warren_$IF
    _wireguard_server_if_port: 51830
    _wireguard_server_if_state_file: $D/$IF.json
    _wireguard_server_if_nft_file: $D/$IF.nft.json
    _wireguard_server_if_overlay: {}
  tasks:
    - name: Render the wg-quick configuration.
      ansible.builtin.template: {src: $TOP/roles/wireguard_server/templates/wg.conf.j2, dest: $D/$IF.conf, mode: "0600"}
    - name: Render the nft-apply policy.
      ansible.builtin.template: {src: $TOP/roles/wireguard_server/templates/nft-policy.json.j2, dest: $D/$IF.nft.json, mode: "0600"}
YAML
render() { (cd "$TOP" && ANSIBLE_STDOUT_CALLBACK=json ansible-playbook -i localhost, "$D/play.yml"); }
out=$(render)
json_eq "the role's templates render" "$out" '.stats.localhost | [.changed, .failures]' '[2,0]'
json_eq "a second render changes nothing" "$(render)" '.stats.localhost.changed' '0'
ok "MTU from the underlay" grep -qx "MTU = 1412" "$D/$IF.conf"
ok "a PostUp route per subnet" grep -qx "PostUp = ip route replace fd40::/64 dev %i" "$D/$IF.conf"
json_eq "the policy clamps (the host forwards)" "$(cat "$D/$IF.nft.json")" '.mss_clamp' 'true'

# The helpers from this build, not /usr/bin; wireguard-go through the role's launcher.
sed -i "s|/usr/bin/nft-apply|$WARREN_BIN/nft-apply|; s|/usr/bin/wg-peer-sync|$WARREN_BIN/wg-peer-sync|" "$D/$IF.conf"
cat >"$D/$IF.json" <<JSON
{"interface": "$IF", "private_key_file": "$D/srv.key", "listen_port": 51830,
 "peers": [{"name": "site", "public_key": "${T_PUB[site]}", "allowed_ips": ["10.98.0.2/32", "192.168.40.0/24", "fd40::/64"]}]}
JSON
cat >"$D/wg-go" <<SH
#!/bin/sh
"$WG_GO_UAPI" "\$1" >/dev/null 2>&1 &
echo \$! >"$D/wg-go.pid"
i=0
while [ ! -S "/var/run/wireguard/\$1.sock" ] && [ \$i -lt 100 ]; do sleep 0.05; i=\$((i + 1)); done
SH
chmod 0755 "$D/wg-go"
t_cleanup "kill \$(cat $D/wg-go.pid); rm -f /var/run/wireguard/$IF.sock"
up() { nsx "$N" env WG_QUICK_USERSPACE_IMPLEMENTATION="$D/wg-go" wg-quick up "$D/$IF.conf"; }
down() { nsx "$N" wg-quick down "$D/$IF.conf"; }
routes() { ip -n "$N" -4 route show dev "$IF"; ip -n "$N" -6 route show dev "$IF"; }

ok "wg-quick up" up
eq "the interface MTU" "1412" "$(ip -n "$N" -j link show "$IF" | jq ".[0].mtu")"
ok "the IPv4 site route" sh -c "ip -n $N -4 route show dev $IF | grep -q '^192.168.40.0/24'"
ok "the IPv6 site route" sh -c "ip -n $N -6 route show dev $IF | grep -q '^fd40::/64'"
ok "the peer is there (PostUp wg-peer-sync)" sh -c "ip netns exec $N wg show $IF peers | grep -qF '${T_PUB[site]}'"
ok "the clamp is in the live table" sh -c "ip netns exec $N nft list chain inet warren_$IF forward | grep -q 'maxseg size set rt mtu'"
ok "wg-quick down" down
eq "no route is left behind" "" "$(routes 2>/dev/null || true)"
ok "wg-quick up again (a restart)" up
ok "the IPv4 route is back" sh -c "ip -n $N -4 route show dev $IF | grep -q '^192.168.40.0/24'"
ok "the IPv6 route is back" sh -c "ip -n $N -6 route show dev $IF | grep -q '^fd40::/64'"
ok "wg-quick down at the end" down

# Without underlay_mtu, wg-quick derives the MTU itself: the default route's link less 80.
t_ns "u$N"
t_veth "$N" "ru$T_ID" 10.97.0.2/24 "u$N" "ur$T_ID" 10.97.0.1/24
ip -n "$N" link set "ru$T_ID" mtu 1492
ip -n "$N" route add default via 10.97.0.1
sed -i '/^MTU = /d' "$D/$IF.conf"
ok "wg-quick up without MTU" up
eq "wg-quick's own MTU over a 1492 link" "1412" "$(ip -n "$N" -j link show "$IF" | jq ".[0].mtu")"
ok "wg-quick down" down
ip -n "$N" link set "ru$T_ID" mtu 1500
ok "wg-quick up without MTU, 1500 link" up
eq "wg-quick's own MTU over a 1500 link" "1420" "$(ip -n "$N" -j link show "$IF" | jq ".[0].mtu")"
ok "wg-quick down at the very end" down
