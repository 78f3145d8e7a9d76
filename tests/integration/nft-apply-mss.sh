#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The MSS clamp of nft-apply on a site-to-site path whose underlay MTU is 1492 (PPPoE) and where
# ICMP "fragmentation needed" / "packet too big" never comes back (filtered, as on many paths):
#   client C (LAN, MTU 1500) - home gateway G (nft-apply) =[WireGuard, MTU 1412]= VPS V - server S
# S serves a 100 KB file over HTTPS (python3 http.server + ssl). With the clamp, G lowers the MSS
# of C's SYN to the tunnel's route MTU, S never sends more than fits, and the download completes,
# over IPv4 and IPv6. With "mss_clamp": false, S sends full 1500-byte segments, V cannot fit them
# into the tunnel, its ICMP is dropped, and the download stalls. S records the MSS of each
# connection (TCP_MAXSEG) so the test shows the clamp's value, not only its effect.
source "$(dirname "$0")/../lib.sh"

C=mc$T_ID G=mg$T_ID V=mv$T_ID S=ms$T_ID
WG=gm$T_ID WV=vm$T_ID
UNDERLAY_MTU=1492
TUN_MTU=$((UNDERLAY_MTU - 80)) # WireGuard's overhead over IPv6 underlay: 80 bytes
D=$(mktemp -d)
t_cleanup "rm -rf $D"
for ns in $C $G $V $S; do t_ns "$ns"; done
t_cleanup "ip netns exec $G $WARREN_BIN/nft-apply delete" # and its witness file
for ns in $G $V; do
	nsx "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
done
t_veth "$C" "c$T_ID" 10.61.1.2/24 "$G" "gc$T_ID" 10.61.1.1/24
t_veth "$S" "s$T_ID" 10.61.2.2/24 "$V" "vs$T_ID" 10.61.2.1/24
t_veth "$G" "gu$T_ID" 10.61.0.2/24 "$V" "vu$T_ID" 10.61.0.1/24
ip -n "$G" link set "gu$T_ID" mtu $UNDERLAY_MTU
ip -n "$V" link set "vu$T_ID" mtu $UNDERLAY_MTU
ip -n "$C" addr add fd61:1::2/64 dev "c$T_ID" nodad
ip -n "$G" addr add fd61:1::1/64 dev "gc$T_ID" nodad
ip -n "$S" addr add fd61:2::2/64 dev "s$T_ID" nodad
ip -n "$V" addr add fd61:2::1/64 dev "vs$T_ID" nodad
ip -n "$C" route add default via 10.61.1.1
ip -n "$C" -6 route add default via fd61:1::1
ip -n "$S" route add default via 10.61.2.1
ip -n "$S" -6 route add default via fd61:2::1

# The tunnel: V listens, G (behind the 1492 link) connects.
t_keys "$D" v g
t_wg "$V" "$WV"
t_wg "$G" "$WG"
nsx "$V" wg set "$WV" private-key "$D/v.key" listen-port 51820 \
	peer "${T_PUB[g]}" allowed-ips 10.61.9.2/32,10.61.1.0/24,fd61:1::/64
nsx "$G" wg set "$WG" private-key "$D/g.key" peer "${T_PUB[v]}" endpoint 10.61.0.1:51820 \
	allowed-ips 10.61.9.1/32,10.61.2.0/24,fd61:2::/64 persistent-keepalive 25
for x in "$V $WV 10.61.9.1 10.61.1.0/24 fd61:1::/64" "$G $WG 10.61.9.2 10.61.2.0/24 fd61:2::/64"; do
	read -r ns ifc addr net4 net6 <<<"$x"
	ip -n "$ns" addr add "$addr/24" dev "$ifc"
	ip -n "$ns" link set "$ifc" mtu $TUN_MTU up
	ip -n "$ns" route add "$net4" dev "$ifc"
	ip -n "$ns" -6 route add "$net6" dev "$ifc"
done
ok "the tunnel carries C's ping to S" t_wait 10 nsx "$C" ping -c 1 -W 1 -q 10.61.2.2

# The black hole: V's "fragmentation needed" and "packet too big" never leave it.
nsx "$V" nft -f - <<'NFT'
table inet blackhole {
	chain out { type filter hook output priority 0; policy accept;
		icmp type destination-unreachable icmp code frag-needed drop
		icmpv6 type packet-too-big drop
	}
}
NFT

# HTTPS server on S: a self-signed certificate, 100 KB, TCP_MAXSEG of each connection logged.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=s -keyout "$D/k.pem" \
	-out "$D/c.pem" >/dev/null 2>&1
head -c 102400 /dev/urandom >"$D/big"
cat >"$D/srv.py" <<'PY'
import http.server, socket, ssl, sys
d, fam = sys.argv[1], socket.AF_INET6
class H(http.server.SimpleHTTPRequestHandler):
    def setup(self):
        mss = self.request.getsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG)
        with open(d + "/mss.log", "a") as f:
            f.write("%s %d\n" % (self.client_address[0], mss))
        super().setup()
    def log_message(self, *a):
        pass
class S(http.server.ThreadingHTTPServer):
    address_family = fam
    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(d + "/c.pem", d + "/k.pem")
srv = S(("::", 8443), lambda *a: H(*a, directory=d))
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
open(d + "/ready", "w").close()
srv.serve_forever()
PY
nsx "$S" /usr/bin/python3 "$D/srv.py" "$D" >/dev/null 2>&1 &
t_cleanup "kill $!"
ok "the HTTPS server is up" t_wait 10 test -e "$D/ready"

policy() { # MSS_CLAMP: G's policy
	cat >"$D/p.json" <<JSON
{"interface": "$WG", "listen_port": 51820, "vpn_subnet": "10.61.9.0/24",
 "allow_networks": ["10.61.1.0/24"], "mss_clamp": $1}
JSON
	nsx "$G" "$WARREN_BIN/nft-apply" "$D/p.json"
}
# get HOST: the 100 KB file from S through the tunnel; prints curl's exit code and the size.
get() {
	local rc=0
	rm -f "$D/got"
	nsx "$C" curl -sk --max-time 6 -o "$D/got" "https://$1:8443/big" || rc=$?
	echo "$rc $(stat -c %s "$D/got" 2>/dev/null || echo 0)"
}

out=$(policy true)
json_eq "the clamp is applied" "$out" '[.changed,.rules]' '[true,22]'
json_eq "a second apply changes nothing" "$(policy true)" '.changed' 'false'
ok "nft(8) lists the clamp first in forward" sh -c "ip netns exec $G nft list chain inet warren forward |
	sed -n 4p | grep -q 'tcp flags syn / syn,rst tcp option maxseg size set rt mtu'"
eq "IPv4, clamped: the 100 KB HTTPS response arrives" "0 102400" "$(get 10.61.2.2)"
eq "IPv6, clamped: the 100 KB HTTPS response arrives" "0 102400" "$(get "[fd61:2::2]")"
ok "the clamped MSS is the tunnel MTU less 40 (IPv4) and 60 (IPv6)" \
	grep -qx "10.61.1.2 $((TUN_MTU - 40 - 12))\|::ffff:10.61.1.2 $((TUN_MTU - 40 - 12))" "$D/mss.log"
ok "the clamped IPv6 MSS" grep -qx "fd61:1::2 $((TUN_MTU - 60 - 12))" "$D/mss.log"
echo "  clamped (TCP_MAXSEG at S, options excluded): $(tr '\n' ' ' <"$D/mss.log")"
cp "$D/mss.log" "$D/mss.clamped" && : >"$D/mss.log"

json_eq "without the clamp: one rule fewer" "$(policy false)" '[.changed,.rules]' '[true,21]'
r4=$(get 10.61.2.2)
r6=$(get "[fd61:2::2]")
echo "  unclamped: IPv4 curl exit/bytes $r4, IPv6 $r6; MSS at S: $(tr '\n' ' ' <"$D/mss.log")"
eq "IPv4, unclamped: the response stalls (curl times out, exit 28)" "28" "${r4%% *}"
eq "IPv6, unclamped: the response stalls (curl times out, exit 28)" "28" "${r6%% *}"
ok "unclamped, S sends full-size segments" grep -q " 14[0-9][0-9]$" "$D/mss.log"

json_eq "clamp back on" "$(policy true)" '[.changed,.rules]' '[true,22]'
eq "and the download works again" "0 102400" "$(get 10.61.2.2)"
