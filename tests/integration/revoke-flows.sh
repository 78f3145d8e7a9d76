#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Revocation on the server during an open TCP session (docs/rotation.md), with the steps and
# the order roles/wireguard_server uses: nft-apply with the peer quarantined, wg-peer-sync
# without it, nft-apply without it, then the role's wg-cut-flows. The session through the
# gateway to a LAN host dies within 1 s, the peer cannot reconnect, it is in no nft set and no
# conntrack entry, and the other peer is untouched. Checked with conntrack(8), nft(8), wg(8).
source "$(dirname "$0")/../lib.sh"

G=vg$T_ID C=vc$T_ID B=vb$T_ID L=vl$T_ID WG=vwg$T_ID WC=vwc$T_ID WB=vwb$T_ID
D=$(mktemp -d)
t_cleanup "rm -rf $D"
TABLE=wv$T_ID
CUT=$(cd "$(dirname "$0")/../.." && pwd)/roles/wireguard_server/files/wg-cut-flows
t_tunnel --server-unset --keys g c --client-ips 192.168.100.1/32,192.168.20.0/24 \
	"$D" "$G" "$WG" "$C" "$WC" 10.93.1 192.168.100
t_tunnel --server-unset --keys g b --host 3 --client-ips 192.168.100.1/32,192.168.20.0/24 \
	"$D" "$G" "$WG" "$B" "$WB" 10.93.2 192.168.100
t_cleanup "ip netns exec $G $WARREN_BIN/nft-apply delete $TABLE"
t_ns "$L"
t_veth "$L" "vl$T_ID" 192.168.20.5/24 "$G" "gl$T_ID" 192.168.20.1/24
nsx "$G" sysctl -qw net.ipv4.ip_forward=1
ip -n "$C" route add 192.168.20.0/24 dev "$WC"
ip -n "$B" route add 192.168.20.0/24 dev "$WB"

peer() { printf '{"name":"%s","public_key":"%s","allowed_ips":["192.168.100.%s/32"]}' "$1" "${T_PUB[$1]}" "$2"; }
# files NAME PEERS-JSON NFT-PEERS-JSON: the wg-peer-sync state and nft-apply policy $D/NAME.*.json
files() {
	printf '{"interface":"%s","private_key_file":"%s","listen_port":51820,"peers":[%s]}\n' \
		"$WG" "$D/g.key" "$2" >"$D/$1.state.json"
	printf '{"table":"%s","interface":"%s","listen_port":51820,"vpn_subnet":"192.168.100.0/24",%s}\n' \
		"$TABLE" "$WG" '"allow_networks":["192.168.20.0/24"],"masquerade":true,"peers":['"$3"']' >"$D/$1.nft.json"
}
nft_c='{"name":"c","address":"192.168.100.2"}'
nft_b='{"name":"b","address":"192.168.100.3"}'
files s1 "$(peer c 2),$(peer b 3)" "$nft_c,$nft_b"
files quarantine "$(peer b 3)" '{"name":"c","address":"192.168.100.2","access":[]},'"$nft_b"
files s2 "$(peer b 3)" "$nft_b"
ok "the firewall is applied" nsx "$G" "$WARREN_BIN/nft-apply" "$D/s1.nft.json"
ok "the peers are applied" nsx "$G" "$WARREN_BIN/wg-peer-sync" sync "$D/s1.state.json"
ok "c reaches the LAN host" nsx "$C" ping -c 2 -W 2 -q 192.168.20.5
ok "b reaches the LAN host" nsx "$B" ping -c 2 -W 2 -q 192.168.20.5

# Started with ip netns exec itself (not the nsx function), so that $! is the process to kill.
# The LAN host writes the arrival time (microseconds) of every chunk; c sends one every 50 ms.
ip netns exec "$L" python3 -c 'import socket, sys, time
s = socket.create_server(("192.168.20.5", 8080))
c, _ = s.accept()
with open(sys.argv[1], "w", buffering=1) as f:
    while c.recv(100):
        f.write("%d\n" % (time.time() * 1e6))' "$D/rx" &
t_cleanup "kill $!"
sleep 0.3
ip netns exec "$C" python3 -c 'import socket, time
s = socket.create_connection(("192.168.20.5", 8080), timeout=2)
while True:
    try:
        s.send(b"x")
    except OSError:
        pass
    time.sleep(0.05)' &
t_cleanup "kill $!"
ok "the session carries data" t_wait 3 test -s "$D/rx"
sleep 0.5
ok "conntrack holds c's session" test "$(nsx "$G" conntrack -L -s 192.168.100.2 2>/dev/null | grep -c 'dport=8080')" -ge 1

# --- revoke c: the role's order ------------------------------------------------------------------
t0=${EPOCHREALTIME/./}
ok "the quarantine policy applies" nsx "$G" "$WARREN_BIN/nft-apply" "$D/quarantine.nft.json"
ok "wg-peer-sync takes c off" nsx "$G" "$WARREN_BIN/wg-peer-sync" sync "$D/s2.state.json"
ok "the final policy applies" nsx "$G" "$WARREN_BIN/nft-apply" "$D/s2.nft.json"
cut=$(nsx "$G" sh "$CUT" 192.168.100.2)
t1=${EPOCHREALTIME/./}
echo "  revocation took $(((t1 - t0) / 1000)) ms; wg-cut-flows: $cut"
ok "wg-cut-flows deleted c's flows" test "${cut#cut }" -ge 1
sleep 1.5
last=$(tail -n 1 "$D/rx")
echo "  the last data arrived $(((last - t0) / 1000)) ms after the revocation began"
ok "the session died within 1 s of the revocation" test "$last" -lt $((t0 + 1000000))
eq "nothing arrived after the revocation ended" "$last" "$(tail -n 1 "$D/rx")"
eq "no conntrack entry from or to c" "0 0" \
	"$(nsx "$G" conntrack -L -s 192.168.100.2 2>/dev/null | wc -l) $(nsx "$G" conntrack -L -d 192.168.100.2 2>/dev/null | wc -l)"
nomatch "c is in no nft set or rule" -F 192.168.100.2 <(nsx "$G" nft list table inet "$TABLE")
fails "c is off the interface" grep -qF -- "${T_PUB[c]}" <(nsx "$G" wg show "$WG" peers)
fails "c cannot reconnect (ping)" nsx "$C" ping -c 2 -W 1 -q 192.168.20.5
fails "c cannot open a new session" nsx "$C" python3 -c 'import socket; socket.create_connection(("192.168.20.5", 8080), timeout=1)'
ok "b still reaches the LAN host" nsx "$B" ping -c 2 -W 2 -q 192.168.20.5
eq "a second wg-cut-flows finds nothing to cut" "cut 0" "$(nsx "$G" sh "$CUT" 192.168.100.2)"
