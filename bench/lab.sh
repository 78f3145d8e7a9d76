#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The VPN server end to end (playbooks/site.yml on a real LXC container, lab/net networks):
#   - playbook time of a first full converge (container from the cached rootfs, peers, server),
#     of a converge with nothing to change, and of a converge that adds one peer;
#   - time from the end of that run to the new peer's first handshake, its client started the
#     moment the run ended (target < 2 s: the peer is live without any restart);
#   - iperf3 throughput from a client through the tunnel and the container to the LAN host,
#     against the same LAN host reached without the tunnel (router namespace over the bridge).
# Own names: prefix wbn, bridge wbnbr0, container warren-bench. Everything is removed at exit.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
P=wbn BR=wbnbr0 CT=warren-bench
T=$(mktemp -d /tmp/warren-bench-lab.XXXXXX)
INV=$T/inv

cleanup() {
	set +e
	lab/wgclient down "$P-c1" "${P}c1" >/dev/null 2>&1
	lab/wgclient down "$P-c2" "${P}c2" >/dev/null 2>&1
	[ -e "/var/lib/lxc/$CT/config" ] && timeout 60 lxc-destroy -f -n "$CT" >/dev/null 2>&1
	lab/net down "$P" "$BR" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

make -s all deb >/dev/null
mkdir -p "$INV/group_vars"
(umask 077 && head -c 32 /dev/urandom | base64 >"$T/vault-pass")
export ANSIBLE_VAULT_PASSWORD_FILE=$T/vault-pass ANSIBLE_NOCOLOR=1
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
cat >"$INV/group_vars/wireguard_ct_hosts.yml" <<EOT
wireguard_ct_name: $CT
wireguard_ct_hostname: $CT
wireguard_ct_bridge: $BR
wireguard_ct_ipv4: 192.168.10.90/24
wireguard_ct_gateway: 192.168.10.1
wireguard_ct_lxc_start_group: $CT
wireguard_ct_probe_bin: $REPO/build/lxc-probe
wireguard_ct_guests: [$CT]
EOT
servers() {
	cat >"$INV/group_vars/wireguard_servers.yml" <<EOT
wireguard_peers_endpoint: 198.51.100.1:51820
wireguard_peers_bin_dir: $REPO/build
wireguard_peers_data_dir: $T/data/wg0
wireguard_peers_peers: [$1]
wireguard_server_helpers_deb: $REPO/build/warren-helpers.deb
EOT
}

now() { date +%s.%N; }
# play NAME: run the playbook, print its wall time and its recap's changed counts.
play() {
	local t0 t1 log=$T/$1.log
	t0=$(now)
	ansible-playbook -i "$INV" playbooks/site.yml >"$log" 2>&1 || { tail -30 "$log"; exit 1; }
	t1=$(now)
	PLAY_END=$t1
	awk -v a="$t0" -v b="$t1" -v n="$1" -v c="$(grep -o 'changed=[0-9]*' "$log" | paste -sd, -)" \
		'BEGIN { printf "  %-34s %6.1f s   (%s)\n", n, b - a, c }'
}

lab/net up "$P" "$BR"
lab/net client "$P" 1
lab/net client "$P" 2
servers "{name: b-alice}, {name: b-bob}"
cached=$(find /var/cache/warren -maxdepth 1 -name "debian-*.tar" 2>/dev/null | head -1)
echo "playbooks/site.yml on container $CT (rootfs cache: ${cached:-none, debootstrap included})"
play "first full converge"
play "converge with nothing to change"
servers "{name: b-alice}, {name: b-bob}, {name: b-carol}"
play "converge adding one peer"

# The new peer's client starts the moment the run ended; poll its handshake every 10 ms.
lab/wgclient up "$P-c2" "${P}c2" "$T/data/wg0/clients/b-carol.conf"
ip netns exec "$P-c2" ping -c1 -W2 -q 192.168.10.5 >/dev/null &
while [ "$(ip netns exec "$P-c2" wg show "${P}c2" latest-handshakes | cut -f2)" = 0 ]; do
	sleep 0.01
done
hs=$(now)
wait
awk -v a="$PLAY_END" -v b="$hs" 'BEGIN { printf "  %-34s %6.2f s   (target < 2 s; includes starting the client)\n",
	"run end -> new peer handshake", b - a }'

# Throughput: client -> tunnel -> container (wireguard-go, 1 core) -> LAN host, and the raw path.
lab/wgclient up "$P-c1" "${P}c1" "$T/data/wg0/clients/b-alice.conf"
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
awk -v t="$tun" -v r="$raw" 'BEGIN { printf "  %-34s %6d Mbit/s (target >= 100)\n  %-34s %6d Mbit/s\n  %-34s %6.3f\n",
	"iperf3 through the tunnel", t, "iperf3 raw veth/bridge path", r, "ratio tunnel / raw", t / r }'
[ "$tun" -ge 100 ]
