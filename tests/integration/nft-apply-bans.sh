#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# nft-apply's ban sets ("bans": true): ban4 and ban6 (flags timeout) in warren's own table, and a
# drop of every protocol from their members first in input and forward. Elements are added from
# outside (as fail2ban's action does with nft(8)); nft-apply never compares or flushes them:
# a re-apply of the same policy leaves the bans in place with "changed": false. A ban stops the
# banned source (TCP and ping, IPv4 and IPv6) and no one else, and expires by itself.
source "$(dirname "$0")/../lib.sh"

E=be$T_ID A=ba$T_ID O=bo$T_ID
D=$(mktemp -d)
t_cleanup "rm -rf $D"
t_edge_nets "$E" "$A" "$O"
t_cleanup "ip netns exec $E $WARREN_BIN/nft-apply delete"
nsx "$E" nc -lk 2222 >/dev/null 2>&1 &
t_cleanup "kill $!"
nsx "$E" nc -6 -lk 2222 >/dev/null 2>&1 &
t_cleanup "kill $!"
cat >"$D/p.json" <<JSON
{"interface": "wg$T_ID", "listen_port": 51820, "vpn_subnet": "10.95.0.0/24", "bans": true}
JSON
apply() { nsx "$E" "$WARREN_BIN/nft-apply" "$D/p.json"; }
tcp() { nsx "$1" nc -z -w 1 "$2" 2222; }

json_eq "the ban sets and rules are applied" "$(apply)" '[.changed,.rules]' '[true,26]'
ok "the attacker connects before any ban" t_wait 5 tcp "$A" 198.51.100.1
ok "over IPv6 too" tcp "$A" 2001:db8:a::1
ok "ban the attacker's IPv4 address for 4 s" nsx "$E" nft add element inet warren ban4 '{ 198.51.100.9 timeout 4s }'
ok "and its IPv6 address" nsx "$E" nft add element inet warren ban6 '{ 2001:db8:a::9 timeout 4s }'
fails "the banned attacker cannot connect (IPv4)" tcp "$A" 198.51.100.1
fails "nor ping (every protocol)" nsx "$A" ping -c 1 -W 1 -q 198.51.100.1
fails "nor connect over IPv6" tcp "$A" 2001:db8:a::1
ok "another source still connects" tcp "$O" 198.51.101.1
json_eq "a re-apply changes nothing and keeps the bans" "$(apply)" '[.changed,.elements_removed]' '[false,0]'
eq "the ban is still in the set" "198.51.100.9" \
	"$(nsx "$E" nft -j list set inet warren ban4 | jq -r '.nftables[1].set.elem[0].elem.val')"
ok "the ban expires by itself" t_wait 8 tcp "$A" 198.51.100.1
ok "the IPv6 ban too" tcp "$A" 2001:db8:a::1
jq '.bans = false' "$D/p.json" >"$D/p2.json" && mv "$D/p2.json" "$D/p.json"
json_eq "bans off: 4 rules fewer" "$(apply)" '[.changed,.rules]' '[true,22]'
