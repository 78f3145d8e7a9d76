#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The server key rollover end to end through the roles' stages as playbooks/server-rollover.yml
# runs them (docs/rotation.md), inside a wireguard-go server namespace: roles/wireguard_peers
# keeps a pending server key and writes the clients' files with it and the new port, the server
# gets the second interface with that key (wg_peer_sync standing in for the server role's
# interface step) and the server role's start stage; three clients ping every 50 ms and each
# loads the file the role wrote for it; the retire stage retires the old interface and the
# vault's finish promotes the key. Second runs change nothing; the old key no longer handshakes.
source "$(dirname "$0")/../lib.sh"
S=rps$T_ID W0=rpo$T_ID W1=rpn$T_ID
D=$(mktemp -d)
t_cleanup "rm -rf $D"
umask 077
source "$(dirname "$0")/../lib-ansible.sh"
RL_DSTS=10.93.0.1
source "$(dirname "$0")/../lib-rollover-report.sh"
mkdir -p "$D/state" "$D/nft"

t_ns "$S"
for w in "$W0" "$W1"; do
	t_wg "$S" "$w"
	ip -n "$S" addr add 10.93.0.1/24 dev "$w"
	ip -n "$S" link set "$w" up
done
hv() {
	cat >"$INV/host_vars/srv.yml" <<EOT
wireguard_peers_pool: 10.93.0.0/24
wireguard_peers_endpoint: 10.94.0.1:$1
wireguard_peers_allowed_ips: [10.93.0.1/32]
wireguard_peers_keepalive: 0
wireguard_peers_bin_dir: $WARREN_BIN
wireguard_peers_server_psk_dir: $D/psk
wireguard_peers_audit_syslog: ""
wireguard_peers_host_peers:
  - {name: c1, endpoint: "10.94.1.1:$1"}
  - {name: c2, endpoint: "10.94.2.1:$1"}
  - {name: c3, endpoint: "10.94.3.1:$1"}
EOT
}
hv 51820
cat >"$D/play.yml" <<EOT
- name: Run one stage of the server key rollover as playbooks/server-rollover.yml does.
  hosts: vpn
  gather_facts: false
  vars:
    stage: ""
    main: $W0
    main_port: 51820
    # The interfaces of this stage: [name, port, server or next key].
    ifs: "{{ ([[main, main_port, 'server']] if stage != 'retire' else []) + ([['$W1', 51821, 'next']] if stage else []) }}"
  tasks:
    - name: Set the rollover of this stage.
      ansible.builtin.set_fact:
        wireguard_peers_rollover: {stage: "{{ stage }}", port: 51821}
      when: stage | length > 0
    - name: Keep the pending server key and write the client files.
      ansible.builtin.include_role: {name: wireguard_peers}
    - name: Install the preshared keys.
      ansible.builtin.include_role: {name: wireguard_peers, tasks_from: server}
    - name: Write the key of each interface of this stage.
      ansible.builtin.copy:
        content: "{{ (wireguard_peers_server_next_private_key if item.2 == 'next' else wireguard_peers_server_private_key) ~ '\\n' }}"
        dest: $D/{{ item.0 }}.key
        mode: "0600"
      loop: "{{ ifs }}"
      no_log: true
    - name: Apply the peers to the interfaces of this stage.
      wg_peer_sync:
        helper: $WARREN_BIN/wg-peer-sync
        state: "{{ {'interface': item.0, 'private_key_file': '$D/' ~ item.0 ~ '.key', 'listen_port': item.1 | int,
                 'peers': wireguard_peers_state} }}"
      loop: "{{ ifs }}"
    - name: Run the server role's stage.
      ansible.builtin.include_role: {name: wireguard_server, tasks_from: rollover}
      vars:
        wireguard_server_state_dir: $D/state
        wireguard_server_nft_dir: $D/nft
        wireguard_server_nft_table_prefix: warren_
        wireguard_server_interfaces: [{name: $W0, address: 10.93.0.1/24}, {name: $W1, address: 10.93.0.1/24}]
        wireguard_server_rollover: {stage: "{{ stage }}", old: $W0, new: $W1, idle: 5, wait: 30}
      when: stage | length > 0
    - name: Make the pending key the server key once the old interface retired.
      ansible.builtin.include_role: {name: wireguard_peers, tasks_from: rollover_finish}
      when: stage == 'retire'
    - name: Record the key events.
      ansible.builtin.include_role: {name: wireguard_peers, tasks_from: audit}
      when: wireguard_peers_events | length > 0
    - name: Keep the facts for the test.
      ansible.builtin.copy:
        content: "{{ {'events': wireguard_peers_events, 'info': wireguard_peers_info} | to_json }}"
        dest: $D/facts.json
        mode: "0600"
EOT
# run [ARGS...]: the play in the server's namespace.
run() {
	N=$((N + 1))
	PATH=$WARREN_BIN:$PATH ip netns exec "$S" ansible-playbook -v -i "$INV/hosts.ini" "$D/play.yml" "$@" >"$D/out.$N" 2>&1
}
# spriv FIELD: the vault's server key (server or server_next), empty without one; skey FIELD: its
# public key, or "none".
spriv() { vault | python3 -c 'import sys, yaml
e = yaml.safe_load(sys.stdin)["wireguard_keys"].get(sys.argv[1])
print(e["private_key"] if e else "")' "$1"; }
skey() { local k; k=$(spriv "$1"); if [ -n "$k" ]; then wg pubkey <<<"$k"; else echo none; fi; }
conf_pub() { sed -n 's/^PublicKey *= *//p' "$DATA/clients/c$1.conf"; }
conf_ep() { sed -n 's/^Endpoint *= *//p' "$DATA/clients/c$1.conf"; }
# load I FILE: client I's interface gets FILE's WireGuard settings (wg setconf replaces them all).
load() { nsx "rpc$1$T_ID" wg setconf "rpw$1$T_ID" <(wg-quick strip "$2"); }

ok "the run without a rollover succeeds" run
OLD=$(skey server)
spriv server >"$D/keys"
for i in 1 2 3; do
	C=rpc$i$T_ID WC=rpw$i$T_ID
	t_ns "$C"
	t_veth "$S" "rpu$i$T_ID" "10.94.$i.1/24" "$C" "rpt$i$T_ID" "10.94.$i.2/24"
	t_wg "$C" "$WC"
	cp "$DATA/clients/c$i.conf" "$D/old-c$i.conf"
	load "$i" "$D/old-c$i.conf"
	ip -n "$C" addr add "$(fact -r ".info.c$i.address")/32" dev "$WC"
	ip -n "$C" link set "$WC" up
	ip -n "$C" route add 10.93.0.1/32 dev "$WC"
	ok "client $i reaches the server on the old interface with its file" nsx "$C" ping -c 1 -W 2 -q 10.93.0.1
done

fails "a stage that is neither start nor retire fails" run -e stage=x
ok "... naming the field" grep -q 'wireguard_peers_rollover: needs stage start or retire' "$D/out.$N"

n=1000
for i in 1 2 3; do
	ip netns exec "rpc$i$T_ID" ping -D -i 0.05 -c "$n" 10.93.0.1 >"$D/ping$i-10.93.0.1" 2>&1 &
	PINGS+=($!)
	t_cleanup "kill $!"
done
t0=${EPOCHREALTIME/./}
ok "the start stage succeeds" run -e stage=start
echo "  start stage done at $(ms) ms"
NEXT=$(skey server_next)
spriv server_next >>"$D/keys"
ok "... the vault holds a pending key beside the server key" test "$NEXT" != none -a "$NEXT" != "$OLD" -a "$(skey server)" = "$OLD"
for i in 1 2 3; do
	eq "... client $i's file has the pending key and the new port" "$NEXT 10.94.$i.1:51821" "$(conf_pub "$i") $(conf_ep "$i")"
done
eq "... the new interface has the pending key and the same peers" "$NEXT $(nsx "$S" wg show "$W0" peers | sort | xargs)" \
	"$(nsx "$S" wg show "$W1" public-key) $(nsx "$S" wg show "$W1" peers | sort | xargs)"
eq "... the start event names fingerprints" "server-rollover-start server $(printf '%s' "$OLD" | base64 -d | sha256sum | cut -c1-16)" \
	"$(fact -r '.events[] | select(.event == "server-rollover-start") | "\(.event) \(.peer) \(.old)"')"
ok "a second start stage succeeds" run -e stage=start
eq "... and changes nothing" "" "$(changed_tasks)"
eq "... the pending key is the same" "$NEXT" "$(skey server_next)"

for i in 1 2 3; do
	sleep 1.5
	load "$i" "$DATA/clients/c$i.conf"
	MOVED[$i]=$EPOCHREALTIME
	echo "  client $i loaded its new file at $(ms) ms"
done
ok "the retire stage succeeds" run -e stage=retire
echo "  retire stage done at $(ms) ms"
ok "... while the clients still ping ($n at 50 ms)" test "$(ms)" -lt $((n * 50))
rl_report "$n"
fails "the old interface is gone" ip -n "$S" link show "$W0"
eq "the vault's server key is the new one, nothing pending" "$NEXT none" "$(skey server) $(skey server_next)"
eq "the finish event names fingerprints" "server-rollover-finish $(printf '%s' "$NEXT" | base64 -d | sha256sum | cut -c1-16)" \
	"$(fact -r '.events[] | select(.event == "server-rollover-finish") | "\(.event) \(.new)"')"
eq "the audit log has the start and the finish" "server-rollover-start server-rollover-finish" \
	"$(jq -r .event "$DATA/audit.jsonl" | grep server-rollover | xargs)"
ok "a second retire stage succeeds" run -e stage=retire
eq "... and changes nothing" "" "$(changed_tasks)"

# The old server key no longer handshakes: client 1 with its old file aimed at the new port.
sed 's/:51820$/:51821/' "$D/old-c1.conf" >"$D/old-port-c1.conf"
load 1 "$D/old-port-c1.conf"
fails "client 1 with the old server key gets no answer" nsx "rpc1$T_ID" ping -c 2 -W 2 -q 10.93.0.1
eq "... and had no handshake" 0 "$(nsx "rpc1$T_ID" wg show "rpw1$T_ID" latest-handshakes | awk '{print $2}')"
load 1 "$DATA/clients/c1.conf"
for i in 1 2 3; do
	ok "client $i reaches the server on the new interface" nsx "rpc$i$T_ID" ping -c 1 -W 2 -q 10.93.0.1
done

# The inventory change after the retirement (docs/rotation.md): the new port in the endpoints
# and the new interface as the main one; a run without a rollover then changes nothing.
hv 51821
ok "the run without a rollover after the inventory change succeeds" run -e main="$W1" -e main_port=51821
eq "... and changes nothing" "" "$(changed_tasks)"
while read -r k; do
	nomatch "no server key in ansible's output" -F -- "$k" "$D"/out.*
	nomatch "no server key in the audit log" -F -- "$k" "$DATA/audit.jsonl"
done <"$D/keys"
