#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# WireGuard smoke test for either backend: two namespaces joined by a veth pair, a tunnel
# configured with wg(8) and ip(8), real pings across it, then the handshake, the byte counters and
# the roamed endpoint checked with `wg show`. Proves the qemu VM (WG_BACKEND=kernel, run by
# tests/vm/run) and the host harness (WG_BACKEND=userspace: bash tests/vm/smoke.sh) alike.
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"

A=vmsa$T_ID
B=vmsb$T_ID
WA=vmwa$T_ID
WB=vmwb$T_ID
tmp=$(mktemp -d)
t_cleanup "rm -rf $tmp"

t_ns "$A"
t_ns "$B"
t_veth "$A" "vmva$T_ID" 10.201.0.1/24 "$B" "vmvb$T_ID" 10.201.0.2/24
t_wg "$A" "$WA"
t_wg "$B" "$WB"

kind=$(ip -n "$A" -d -j link show "$WA" | jq -r '.[0].linkinfo.info_kind')
case "$WG_BACKEND" in
kernel) eq "interface is a kernel wireguard link" wireguard "$kind" ;;
userspace) eq "interface is wireguard-go's tun" tun "$kind" ;;
esac
# `ip netns exec` remounts /sys for the namespace: the VM's initramfs must allow that.
ok "A's sysfs shows $WA" nsx "$A" test -e "/sys/class/net/$WA"
fails "the root namespace's sysfs does not" test -e "/sys/class/net/$WA"

t_keys "$tmp" a b
pa=${T_PUB[a]} pb=${T_PUB[b]}
# A knows B's endpoint; B must learn A's from the handshake.
ok "configure A" nsx "$A" wg set "$WA" private-key "$tmp/a.key" listen-port 51820 \
	peer "$pb" allowed-ips 10.202.0.2/32,fd42:202::2/128 endpoint 10.201.0.2:51821
ok "configure B" nsx "$B" wg set "$WB" private-key "$tmp/b.key" listen-port 51821 \
	peer "$pa" allowed-ips 10.202.0.1/32,fd42:202::1/128
for side in "$A $WA 1" "$B $WB 2"; do
	read -r ns ifc n <<<"$side"
	ip -n "$ns" addr add "10.202.0.$n/24" dev "$ifc"
	ip -n "$ns" addr add "fd42:202::$n/64" dev "$ifc" nodad
	ip -n "$ns" link set "$ifc" up
done

eq "A's public key as wg shows it" "$pa" "$(nsx "$A" wg show "$WA" public-key)"
eq "A's peer is B" "$pb" "$(nsx "$A" wg show "$WA" peers)"
eq "no handshake before traffic" 0 "$(nsx "$A" wg show "$WA" latest-handshakes | cut -f2)"
eq "B has no endpoint yet" "(none)" "$(nsx "$B" wg show "$WB" endpoints | cut -f2)"

# pings NS ARGS...: ping from NS, quietly (iputils on the host, busybox in the VM).
pings() { nsx "$1" ping "${@:2}" >/dev/null 2>&1; }
ok "first ping across the tunnel" t_wait 15 pings "$A" -c 1 -W 1 10.202.0.2
ok "three IPv4 pings" pings "$A" -c 3 -i 0.2 -W 2 10.202.0.2
ok "IPv6 ping back from B" pings "$B" -c 2 -i 0.2 -W 2 fd42:202::1

for side in "$A $WA $pb" "$B $WB $pa"; do
	read -r ns ifc peer <<<"$side"
	read -r key hs < <(nsx "$ns" wg show "$ifc" latest-handshakes)
	eq "$ifc: handshake with the right peer" "$peer" "$key"
	ok "$ifc: handshake time set" test "$hs" -gt 0
	ok "$ifc: handshake is recent" test $(($(date +%s) - hs)) -lt 120
	read -r key rx tx < <(nsx "$ns" wg show "$ifc" transfer)
	ok "$ifc: received bytes ($rx)" test "$rx" -gt 0
	ok "$ifc: sent bytes ($tx)" test "$tx" -gt 0
done
eq "B learned A's endpoint" 10.201.0.1:51820 "$(nsx "$B" wg show "$WB" endpoints | cut -f2)"

ok "remove A from B" nsx "$B" wg set "$WB" peer "$pa" remove
eq "B has no peers" "" "$(nsx "$B" wg show "$WB" peers)"
fails "no ping once B dropped the peer" pings "$A" -c 1 -W 1 10.202.0.2
