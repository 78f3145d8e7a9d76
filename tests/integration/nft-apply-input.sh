#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# nft-apply's "input_policy": "drop" on an edge gateway, IPv4 and IPv6, real kernel nftables:
#   internet I (2 v4 + 2 v6 addresses: an admin and a stranger) --- gateway G (nft-apply)
#   peer P =[WireGuard]= G
# G's policy: https (tcp/443) public, ssh (tcp/22) from the admin's v4 and v6 addresses only.
# G listens on tcp 22, 443 and 8080 and echoes udp 5353, both families. From I: 443 connects,
# 22 only from the admin, 8080 and udp 5353 get nothing, ping and neighbour discovery work; G's
# own connections out keep working; the WireGuard port and the peer's traffic pass; in_drop's
# counter rises; IPv6 wg_sources let P's tunnel in over IPv6 or cut it. Then "accept" brings
# back the old behaviour. nft -j list is the witness.
source "$(dirname "$0")/../lib.sh"

G=ig$T_ID I=ii$T_ID P=ip$T_ID
GI=gi$T_ID IG=ig$T_ID WG=wi$T_ID WP=pw$T_ID
D=$(mktemp -d)
t_cleanup "rm -rf $D"
APPLY="$WARREN_BIN/nft-apply"
t_ns "$G"
t_ns "$I"
t_cleanup "ip netns exec $G $APPLY delete" # and its witness file
t_veth "$G" "$GI" 198.51.100.1/24 "$I" "$IG" 198.51.100.2/24
ip -n "$I" addr add 198.51.100.7/24 dev "$IG"
ip -n "$G" addr add 2001:db8:100::1/64 dev "$GI" nodad
ip -n "$I" addr add 2001:db8:100::2/64 dev "$IG" nodad
ip -n "$I" addr add 2001:db8:100::7/64 dev "$IG" nodad
t_tunnel "$D" "$G" "$WG" "$P" "$WP" 10.72.0 10.72.9

# Listeners on G (tcp: accept and close; udp: echo), an HTTP server on I; a prober.
cat >"$D/listen.py" <<'PY'
import selectors, socket, sys
sel = selectors.DefaultSelector()
for port in (22, 443, 8080):
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::", port))
    s.listen(16)
    sel.register(s, selectors.EVENT_READ, "tcp")
u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
u.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
u.bind(("::", 5353))
sel.register(u, selectors.EVENT_READ, "udp")
open(sys.argv[1], "w").close()
while True:
    for key, _ in sel.select():
        if key.data == "tcp":
            key.fileobj.accept()[0].close()
        else:
            data, addr = key.fileobj.recvfrom(512)
            key.fileobj.sendto(data, addr)
PY
cat >"$D/probe.py" <<'PY'
# probe.py tcp|udp SRC DST PORT: prints connected, refused or timeout (udp: reply, refused,
# timeout)
import socket, sys
kind, src, dst, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM if kind == "tcp" else socket.SOCK_DGRAM)
s.settimeout(1.5)
s.bind((src, 0))
try:
    s.connect((dst, port))
    if kind == "udp":
        s.send(b"ping")
        s.recv(16)
    print("connected" if kind == "tcp" else "reply")
except ConnectionRefusedError:
    print("refused")
except (socket.timeout, TimeoutError):
    print("timeout")
PY
ip netns exec "$G" python3 "$D/listen.py" "$D/ready" &
t_cleanup "kill $!"
t_wait 5 test -e "$D/ready" || t_fail "G's listeners did not start"
mkdir "$D/www" && echo "hello from the internet" >"$D/www/index.html"
ip netns exec "$I" python3 -m http.server -b 198.51.100.2 -d "$D/www" 8000 >/dev/null 2>&1 &
t_cleanup "kill $!"
ok "I's HTTP server is up" t_wait 5 nsx "$I" curl -sf -o /dev/null http://198.51.100.2:8000/

# probe KIND SRC DST PORT EXPECTED: from I (from P when SRC is one of its 10.72.x.2, from G
# itself when SRC is a loopback address)
probe() {
	local ns=$I
	[[ $2 == 10.72.* ]] && ns=$P
	[[ $2 == 127.* ]] && ns=$G
	eq "$1 $2 -> $3 port $4" "$5" "$(nsx "$ns" python3 "$D/probe.py" "$1" "$2" "$3" "$4")"
}
counter() {
	nsx "$G" nft -j list counter inet warren in_drop | jq '.nftables[1].counter.packets'
}

cat >"$D/drop.json" <<'JSON'
{"interface": "WG", "listen_port": 51820, "vpn_subnet": "10.72.9.0/24",
 "input_policy": "drop",
 "input": [
   {"name": "https", "proto": "tcp", "ports": [443]},
   {"name": "ssh", "proto": "tcp", "ports": [22],
    "sources": ["198.51.100.7", "2001:db8:100::7/128"]}],
 "peers": [{"name": "laptop", "address": "10.72.9.2"}]}
JSON
sed -i "s/\"WG\"/\"$WG\"/" "$D/drop.json"
jq '.input_policy = "accept"' "$D/drop.json" >"$D/accept.json"

# Before: no table. Everything on G answers (8080 and udp too), which the drop policy changes.
probe tcp 198.51.100.2 198.51.100.1 8080 connected
probe udp 2001:db8:100::2 2001:db8:100::1 5353 reply

out=$(nsx "$G" "$APPLY" "$D/drop.json")
json_eq "the drop policy applies" "$out" '[.changed,.replaced,.rules,.set_elements]' '[true,true,38,6]'
J=$(nsx "$G" nft -j list table inet warren)
json_eq "nft: input has policy drop" "$J" \
	'.nftables[] | select(.chain.name == "input") | .chain.policy' '"drop"'
json_eq "nft: input ends in goto in_drop" "$J" \
	'[.nftables[] | select(.rule.chain == "input")][-1].rule.expr' '[{"goto":{"target":"in_drop"}}]'
json_eq "nft: in_allow6 holds ::/0 . tcp . 443 and the admin's /128 . tcp . 22" "$J" \
	'[.nftables[] | select(.set.name == "in_allow6") | .set.elem[].concat | map(if type == "object" then (.prefix.addr + "/" + (.prefix.len|tostring)) else . end) | join(" ")] | sort' \
	'["2001:db8:100::7 tcp 22","::/0 tcp 443"]'
out=$(nsx "$G" "$APPLY" "$D/drop.json")
json_eq "a second apply changes nothing" "$out" '.changed' 'false'
out=$(nsx "$G" "$APPLY" "$D/drop.json" --check)
json_eq "--check agrees" "$out" '[.changed,.check]' '[false,true]'
nsx "$G" nft add table ip "other$T_ID" # a commit elsewhere: the next run reads and compares
out=$(nsx "$G" "$APPLY" "$D/drop.json")
json_eq "and a full compare agrees" "$out" '[.changed,.verified]' '[false,"compare"]'
nsx "$G" nft delete table ip "other$T_ID"

before=$(counter)
probe tcp 198.51.100.2 198.51.100.1 443 connected
probe tcp 2001:db8:100::2 2001:db8:100::1 443 connected
probe tcp 198.51.100.2 198.51.100.1 22 timeout
probe tcp 2001:db8:100::2 2001:db8:100::1 22 timeout
probe tcp 198.51.100.7 198.51.100.1 22 connected
probe tcp 2001:db8:100::7 2001:db8:100::1 22 connected
probe tcp 198.51.100.2 198.51.100.1 8080 timeout
probe tcp 2001:db8:100::7 2001:db8:100::1 8080 timeout
probe udp 198.51.100.2 198.51.100.1 5353 timeout
probe udp 2001:db8:100::2 2001:db8:100::1 5353 timeout
probe udp 198.51.100.2 198.51.100.1 5999 timeout # no listener: not even port unreachable
after=$(counter)
ok "in_drop counted the refused packets ($before -> $after)" test "$after" -ge $((before + 7))
echo "  in_drop counter: $before -> $after packets over the 7 refused probes (SYNs retransmitted)"

# Loopback: open for G's own unlisted ports; a listed port stays governed there too (as with
# "accept"), so 127.0.0.2 is no admin.
probe tcp 127.0.0.1 127.0.0.1 8080 connected
probe tcp 127.0.0.1 198.51.100.1 8080 connected
probe tcp 127.0.0.2 127.0.0.1 22 timeout

# ICMP: ping both ways, both families; IPv6 neighbour discovery from scratch.
ok "I pings G (IPv4)" nsx "$I" ping -c 1 -W 2 -q 198.51.100.1
ip -n "$G" -6 neigh flush dev "$GI"
ip -n "$I" -6 neigh flush dev "$IG"
ok "I pings G (IPv6) after a neighbour flush on both" nsx "$I" ping -6 -c 1 -W 2 -q 2001:db8:100::1
ip -n "$G" -6 neigh flush dev "$GI"
ip -n "$I" -6 neigh flush dev "$IG"
ok "G pings I (IPv6) after a neighbour flush on both" nsx "$G" ping -6 -c 1 -W 2 -q 2001:db8:100::2
eq "G learned I's link-layer address by NDP" "1" \
	"$(ip -n "$G" -6 neigh show dev "$GI" 2001:db8:100::2 | grep -c lladdr)"
ok "G's own connection out gets its replies (established)" \
	nsx "$G" curl -sf --max-time 3 -o "$D/got" http://198.51.100.2:8000/
eq "and the whole body" "hello from the internet" "$(cat "$D/got")"

# The WireGuard port and the VPN interface: a fresh handshake through the drop policy, and the
# peer (no access list) reaches G's unlisted port through the tunnel, not around it.
nsx "$P" wg set "$WP" peer "${T_PUB[s]}" endpoint 10.72.0.1:51820
ok "the peer's ping through the tunnel (a handshake on udp 51820)" \
	t_wait 10 nsx "$P" ping -c 1 -W 1 -q 10.72.9.1
ok "the handshake is recent" test "$(nsx "$G" wg show "$WG" latest-handshakes | awk '{print $2}')" -gt 0
probe tcp 10.72.9.2 10.72.9.1 8080 connected
probe tcp 10.72.0.2 10.72.0.1 8080 timeout # the same peer over the underlay: the internet

# IPv6 wg_sources: P moves its endpoint to G's IPv6 underlay address. Allowed: the tunnel
# carries; another IPv6 source or an IPv4-only list: wg_drop counts and the tunnel is cut.
ip -n "$G" addr add fd72::1/64 dev "g$WP" nodad
ip -n "$P" addr add fd72::2/64 dev "v$WP" nodad
nsx "$P" wg set "$WP" peer "${T_PUB[s]}" endpoint "[fd72::1]:51820"
wgsrc() {
	jq --argjson s "$1" '.wg_sources = $s' "$D/drop.json" >"$D/wg6.json"
	nsx "$G" "$APPLY" "$D/wg6.json"
}
wgdrop() { nsx "$G" nft -j list counter inet warren wg_drop | jq '.nftables[1].counter.packets'; }
json_eq "wg_sources with an IPv6 address" "$(wgsrc '["10.72.0.9", "fd72::2"]')" '[.changed,.rules]' '[true,40]'
ok "P's tunnel runs over IPv6 from an allowed source" t_wait 10 nsx "$P" ping -c 1 -W 1 -q 10.72.9.1
eq "G sees P's endpoint on IPv6" "[fd72::2]" 	"$(nsx "$G" wg show "$WG" endpoints | awk '{print $2}' | sed 's/:[0-9]*$//')"
json_eq "another IPv6 source only" "$(wgsrc '["fd72::3"]')" '.changed' 'true'
w0=$(wgdrop)
fails "the tunnel is cut for P's IPv6 source" nsx "$P" ping -c 2 -W 1 -q 10.72.9.1
ok "wg_drop counted it ($w0 -> $(wgdrop))" test "$(wgdrop)" -gt "$w0"
json_eq "IPv4 sources only" "$(wgsrc '["10.72.0.2"]')" '[.changed,.rules]' '[true,39]'
fails "closes the port to IPv6" nsx "$P" ping -c 2 -W 1 -q 10.72.9.1

out=$(nsx "$G" "$APPLY" "$D/accept.json")
json_eq "accept replaces the table" "$out" '[.changed,.replaced,.rules]' '[true,true,25]'
J=$(nsx "$G" nft -j list table inet warren)
json_eq "nft: input has policy accept" "$J" \
	'.nftables[] | select(.chain.name == "input") | .chain.policy' '"accept"'
probe tcp 198.51.100.2 198.51.100.1 8080 connected
probe udp 2001:db8:100::2 2001:db8:100::1 5353 reply
probe udp 198.51.100.2 198.51.100.1 5999 refused
probe tcp 2001:db8:100::2 2001:db8:100::1 22 timeout # listed ports stay governed
probe tcp 2001:db8:100::7 2001:db8:100::1 22 connected
out=$(nsx "$G" "$APPLY" "$D/accept.json")
json_eq "a second accept apply changes nothing" "$out" '.changed' 'false'
