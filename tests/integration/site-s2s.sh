#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Site-to-site between an edge VPS and a home lab behind a double NAT, built from the sites data
# by filter_plugins/warren_sites.py and applied with wg-peer-sync (wireguard-go):
#   VL (VPS LAN host) - V (edge, public, relay) - I ("internet") - N1 (carrier NAT)
#     - N2 (home router NAT) - H (home lab gateway) - HL (home LAN host)
#   and a third site behind a NAT of its own: I - N3 - S (shop gateway) - SL (shop LAN host).
# Asserts: only the NAT side keeps alive; each LAN host reaches the other; the two NAT'd sites
# reach each other through the edge (relay); after conntrack -F on
# both NATs the tunnel carries traffic from the VPS side again within the keepalive interval;
# a second sync of the same data changes nothing; overlapping sites are refused before any change.
source "$(dirname "$0")/../lib.sh"

V=sv$T_ID I=si$T_ID N1=sa$T_ID N2=sb$T_ID H=sh$T_ID HL=sl$T_ID VL=sm$T_ID
N3=sc$T_ID S=ss$T_ID SL=st$T_ID
WV=ev$T_ID WH=eh$T_ID WS=es$T_ID
KEEPALIVE=5
D=$(mktemp -d)
t_cleanup "rm -rf $D"
for ns in $V $I $N1 $N2 $H $HL $VL $N3 $S $SL; do t_ns "$ns"; done
for ns in $V $I $N1 $N2 $H $N3 $S; do nsx "$ns" sysctl -qw net.ipv4.ip_forward=1; done
t_veth "$V" "vi$T_ID" 198.18.0.2/24 "$I" "iv$T_ID" 198.18.0.1/24
t_veth "$N1" "ai$T_ID" 198.18.1.2/24 "$I" "ia$T_ID" 198.18.1.1/24
t_veth "$N2" "ba$T_ID" 100.64.0.2/24 "$N1" "ab$T_ID" 100.64.0.1/24
t_veth "$H" "hb$T_ID" 192.168.1.2/24 "$N2" "bh$T_ID" 192.168.1.1/24
t_veth "$HL" "lh$T_ID" 192.168.10.5/24 "$H" "hl$T_ID" 192.168.10.1/24
t_veth "$VL" "mv$T_ID" 10.70.0.5/24 "$V" "vm$T_ID" 10.70.0.1/24
t_veth "$N3" "ci$T_ID" 198.18.2.2/24 "$I" "ic$T_ID" 198.18.2.1/24
t_veth "$S" "sc$T_ID" 192.168.2.2/24 "$N3" "cs$T_ID" 192.168.2.1/24
t_veth "$SL" "ts$T_ID" 192.168.30.5/24 "$S" "st$T_ID" 192.168.30.1/24
ip -n "$N3" route add default via 198.18.2.1
ip -n "$S" route add default via 192.168.2.1
ip -n "$SL" route add default via 192.168.30.1
ip -n "$V" route add default via 198.18.0.1
ip -n "$N1" route add default via 198.18.1.1
ip -n "$N2" route add default via 100.64.0.1
ip -n "$H" route add default via 192.168.1.1
ip -n "$HL" route add default via 192.168.10.1
ip -n "$VL" route add default via 10.70.0.1
for x in "$N1 ai$T_ID" "$N2 ba$T_ID" "$N3 ci$T_ID"; do
	read -r ns out <<<"$x"
	nsx "$ns" nft -f - <<NFT
table ip nat {
	chain post {
		type nat hook postrouting priority 100;
		oifname "$out" masquerade
	}
}
NFT
done
ok "the home lab reaches the internet through both NATs" nsx "$H" ping -c 1 -W 2 -q 198.18.0.2
fails "the internet cannot reach the home lab" nsx "$V" ping -c 1 -W 1 -q 192.168.1.2

# The sites: the data every host would share in inventory.
t_keys "$D" edge home shop
cat >"$D/sites.json" <<JSON
{"edge": {"address": "10.99.0.1/24", "public_key": "${T_PUB[edge]}", "endpoint": "198.18.0.2:51820",
          "relay": true, "subnets": ["10.70.0.0/24"]},
 "home": {"address": "10.99.0.2/24", "public_key": "${T_PUB[home]}", "subnets": ["192.168.10.0/24"],
          "keepalive": $KEEPALIVE},
 "shop": {"address": "10.99.0.3/24", "public_key": "${T_PUB[shop]}", "subnets": ["192.168.30.0/24"],
          "keepalive": $KEEPALIVE}}
JSON
# site NAME IFACE PORT: that site's wg-peer-sync state and routes from the filter.
site() {
	/usr/bin/python3 - "$D/sites.json" "$1" "$2" "$3" "$D/$1.key" "$D/$1.routes" <<'PY'
import json, os, sys
sys.path.insert(0, os.path.join(os.environ["TOP"], "filter_plugins"))
from warren_sites import warren_site_peers
sites, me, ifc, port, key, routes = sys.argv[1:]
out = warren_site_peers(json.load(open(sites)), me)
json.dump({"interface": ifc, "private_key_file": key, "listen_port": int(port),
           "peers": out["peers"]}, sys.stdout)
open(routes, "w").write("\n".join(out["routes"]) + "\n")
PY
}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
export TOP
site edge "$WV" 51820 >"$D/edge.json"
site home "$WH" 51821 >"$D/home.json"
site shop "$WS" 51822 >"$D/shop.json"
json_eq "edge: no keepalive towards the NAT side, no endpoint" "$(cat "$D/edge.json")" \
	'.peers[0] | [.persistent_keepalive, .endpoint, .allowed_ips]' \
	'[null,null,["10.99.0.2/32","192.168.10.0/24"]]'
json_eq "home: keepalive towards the edge" "$(cat "$D/home.json")" \
	'.peers[0] | [.persistent_keepalive, .endpoint]' "[$KEEPALIVE,\"198.18.0.2:51820\"]"
json_eq "home: the shop (NAT'd too) is behind the relay" "$(cat "$D/home.json")" \
	'[.peers[].name], .peers[0].allowed_ips' \
	'["edge"]
["10.99.0.1/32","10.70.0.0/24","10.99.0.3/32","192.168.30.0/24"]'

t_wg "$V" "$WV"
t_wg "$H" "$WH"
t_wg "$S" "$WS"
for x in "$V $WV edge 10.99.0.1" "$H $WH home 10.99.0.2" "$S $WS shop 10.99.0.3"; do
	read -r ns ifc name addr <<<"$x"
	out=$(nsx "$ns" "$WARREN_BIN/wg-peer-sync" sync "$D/$name.json")
	json_eq "$name: peers applied" "$out" '.changed' 'true'
	json_eq "$name: a second sync changes nothing" \
		"$(nsx "$ns" "$WARREN_BIN/wg-peer-sync" sync "$D/$name.json")" '.changed' 'false'
	ip -n "$ns" addr add "$addr/24" dev "$ifc"
	ip -n "$ns" link set "$ifc" up
	while read -r r; do ip -n "$ns" route replace "$r" dev "$ifc"; done <"$D/$name.routes"
done
ok "the home LAN host reaches the VPS LAN host" t_wait 15 nsx "$HL" ping -c 1 -W 1 -q 10.70.0.5
ok "the VPS LAN host reaches the home LAN host" nsx "$VL" ping -c 1 -W 1 -q 192.168.10.5
ok "the shop LAN host reaches the home LAN host through the relay" \
	t_wait 15 nsx "$SL" ping -c 1 -W 1 -q 192.168.10.5
ok "and the home LAN host the shop LAN host" nsx "$HL" ping -c 1 -W 1 -q 192.168.30.5
eq "the edge sees the home lab from the carrier NAT's address" "198.18.1.2" \
	"$(nsx "$V" wg show "$WV" endpoints | awk -v k="${T_PUB[home]}" '$1 == k {print $2}' | cut -d: -f1)"

# Both NATs forget every mapping. Traffic from the VPS side has no way in until the home side's
# keepalive opens a new one: it must be back within the keepalive interval (plus one ping).
for ns in $N1 $N2; do ok "conntrack -F on $ns" nsx "$ns" conntrack -F; done
start=$(date +%s.%N)
ok "the VPS LAN host reaches the home LAN again within the keepalive interval" \
	t_wait $((KEEPALIVE + 2)) nsx "$VL" ping -c 1 -W 1 -q 192.168.10.5
echo "  recovered after conntrack -F in $(echo "$(date +%s.%N) - $start" | bc) s (keepalive $KEEPALIVE s)"
ok "and the home LAN host the VPS LAN" nsx "$HL" ping -c 1 -W 1 -q 10.70.0.5

# Overlapping data is refused before anything is applied.
jq '.home.subnets = ["10.70.0.128/25"]' "$D/sites.json" >"$D/bad.json"
fails "an overlap between the sites is refused" /usr/bin/python3 -c "
import json, sys; sys.path.insert(0, '$TOP/filter_plugins')
from warren_sites import warren_site_peers
warren_site_peers(json.load(open('$D/bad.json')), 'edge')"
