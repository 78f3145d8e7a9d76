#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The VPN server end to end (playbooks/site.yml on a real LXC container, lab/net networks), at
# 2, 200 and 1,000 peers (WARREN_BENCH_PEERS):
#   - playbook wall time of a first converge (a new container from the cached rootfs, keys,
#     client files, server), of a converge with nothing to change, and of one adding a peer;
#   - the time from the end of that run to the new peer's first handshake, its client started
#     the moment the run ended (target < 2 s: the peer is live without any restart);
#   - the reference, in the same run and on the same container and connection: the plain-Ansible
#     way (githubixx's role and most others): one template with every peer, applied with
#     `wg syncconf` when it changed (bench/reference/). Printed as ratios warren / reference;
#   - iperf3 throughput from a client through the tunnel and the container to the LAN host,
#     against the same LAN host reached without the tunnel (router namespace over the bridge).
# Targets (issue 12): no-change converge <= 10 s at 2 peers and <= 15 s at 1,000; adding one
# peer to 1,000 <= 15 s; first converge at 1,000 <= 90 s.
# Own names: prefix wbn, bridge wbnbr0, container warren-bench. Everything is removed at exit.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
# shellcheck source=bench/lab-inventory
source bench/lab-inventory
P=wbn BR=wbnbr0 CT=warren-bench
T=$(mktemp -d /tmp/warren-bench-lab.XXXXXX)
INV=$T/inv

destroy_ct() {
	[ -e "/var/lib/lxc/$CT/config" ] && timeout 60 lxc-destroy -f -n "$CT" >/dev/null 2>&1
	return 0
}
cleanup() {
	set +e
	lab/wgclient down "$P-c1" "${P}c1" >/dev/null 2>&1
	lab/wgclient down "$P-c2" "${P}c2" >/dev/null 2>&1
	destroy_ct
	lab/net down "$P" "$BR" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

make -s all deb >/dev/null
(umask 077 && head -c 32 /dev/urandom | base64 >"$T/vault-pass" && wg genkey >"$T/ref.key")
export ANSIBLE_VAULT_PASSWORD_FILE=$T/vault-pass ANSIBLE_NOCOLOR=1 ANSIBLE_CONFIG=$REPO/ansible.cfg
bench_inventory "$INV" "$CT" "$BR" "$REPO"
# servers N: N peers (b0001...), the first two named as the lab's clients use them. A /21 pool
# holds 1,000 peers and more.
servers() {
	{
		cat <<EOT
wireguard_peers_endpoint: 198.51.100.1:51820
wireguard_peers_bin_dir: $REPO/build
wireguard_peers_data_dir: $T/data/wg0
wireguard_peers_pool: 10.200.0.0/21
wireguard_server_address: 10.200.0.1/21
wireguard_server_helpers_deb: $REPO/build/warren-helpers.deb
wireguard_peers_peers:
EOT
		seq -f '  - {name: b%04g}' 1 "$1"
	} >"$INV/group_vars/wireguard_servers.yml"
}

now() { date +%s.%N; }
# play NAME ARGS...: ansible-playbook ARGS, set SECS to its wall time, print it with the recap's
# changed counts.
play() {
	local t0 t1 log=$T/play.log
	t0=$(now)
	ansible-playbook -i "$INV" "${@:2}" >"$log" 2>&1 || { tail -30 "$log"; exit 1; }
	t1=$(now)
	PLAY_END=$t1
	SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	printf "  %-44s %6s s   (%s)\n" "$1" "$SECS" "$(grep -o 'changed=[0-9]*' "$log" | paste -sd, -)"
}
# ratio NAME WARREN REFERENCE [TARGET]
ratio() {
	awk -v n="$1" -v w="$2" -v r="$3" -v t="${4:-}" 'BEGIN { printf "  %-44s %6.2f x  (warren %.1f s, reference %.1f s)%s\n",
		"  ratio warren / reference, " n, w / r, w, r, (t == "" ? "" : "  target " t) }'
}

# handshake NS IFACE CONF: start the client the moment the last run ended; poll every 10 ms.
handshake() {
	lab/wgclient down "$1" "$2" >/dev/null 2>&1
	lab/wgclient up "$1" "$2" "$3"
	ip netns exec "$1" ping -c1 -W2 -q 192.168.10.5 >/dev/null &
	while [ "$(ip netns exec "$1" wg show "$2" latest-handshakes | cut -f2)" = 0 ]; do
		sleep 0.01
	done
	awk -v a="$PLAY_END" -v b="$(now)" 'BEGIN { printf "  %-44s %6.2f s   (target < 2 s; includes starting the client)\n",
		"run end -> new peer handshake", b - a }'
	wait
}

lab/net up "$P" "$BR"
lab/net client "$P" 1
lab/net client "$P" 2
cached=$(find /var/cache/warren -maxdepth 1 -name "debian-*.tar" 2>/dev/null | head -1)
echo "playbooks/site.yml on container $CT (rootfs cache: ${cached:-none, debootstrap included})"
echo "reference: bench/reference/site.yml, one template of every peer + wg syncconf (interface wgref)"
for n in ${WARREN_BENCH_PEERS:-2 200 1000}; do
	echo "--- $n peers"
	destroy_ct
	rm -rf "$T/data"
	servers "$n"
	play "warren: first converge" playbooks/site.yml
	play "warren: converge with nothing to change" playbooks/site.yml
	w_same=$SECS
	servers $((n + 1))
	play "warren: converge adding one peer" playbooks/site.yml
	w_add=$SECS
	handshake "$P-c2" "${P}c2" "$T/data/wg0/clients/b$(printf %04d $((n + 1))).conf"

	bench/reference/peers "$n" "$T/ref.key" >"$T/ref-peers.json"
	play "reference: first converge" bench/reference/site.yml -e "@$T/ref-peers.json"
	play "reference: converge with nothing to change" bench/reference/site.yml -e "@$T/ref-peers.json"
	r_same=$SECS
	bench/reference/peers $((n + 1)) "$T/ref.key" >"$T/ref-peers.json"
	play "reference: converge adding one peer" bench/reference/site.yml -e "@$T/ref-peers.json"
	r_add=$SECS
	ratio "nothing to change" "$w_same" "$r_same" "$([ "$n" -le 2 ] && echo "<= 10 s" || echo "<= 15 s at 1,000")"
	ratio "adding one peer" "$w_add" "$r_add" "<= 15 s at 1,000"
done

# Throughput: client -> tunnel -> container (wireguard-go, 1 core) -> LAN host, and the raw path.
lab/wgclient up "$P-c1" "${P}c1" "$T/data/wg0/clients/b0001.conf"
ip netns exec "$P-c1" ping -c1 -W2 -q 192.168.10.5 >/dev/null
iperf() {
	ip netns exec "$P-lan" iperf3 -s -1 -D -I "$T/iperf.pid"
	sleep 0.3
	ip netns exec "$1" iperf3 -c 192.168.10.5 -t "${WARREN_BENCH_SECONDS:-5}" -J |
		jq '.end.sum_received.bits_per_second / 1e6 | floor'
	sleep 0.2
}
tun=$(iperf "$P-c1")
raw=$(iperf "$P-rtr")
awk -v t="$tun" -v r="$raw" 'BEGIN { printf "  %-44s %6d Mbit/s (target >= 100)\n  %-44s %6d Mbit/s\n  %-44s %6.3f\n",
	"iperf3 through the tunnel", t, "iperf3 raw veth/bridge path", r, "ratio tunnel / raw", t / r }'
[ "$tun" -ge 100 ]
