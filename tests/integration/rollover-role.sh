#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The server key rollover's stages through roles/wireguard_server (tasks/rollover.yml,
# wireguard_server_rollover; docs/rotation.md), run with ansible-playbook inside the server's
# namespace: start installs the routing (and a second run changes nothing), three clients move
# to the new interface one by one under 50 ms pings, and retire waits until the old interface
# is idle, deletes it and the routing, and removes its firewall table and files. Asserts on real
# traffic (no ping lost away from a client's own config swap) and checks with ip, nft and wg.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../lib-rollover.sh"
umask 077
source "$(dirname "$0")/../lib-ansible.sh"

# The old interface's files as the role keeps them (state and policy directories of this test).
mkdir -p "$D/state" "$D/nft"
cp "$D/$W0.json" "$D/nft/$W0.json"
cp "$D/$W1.json" "$D/nft/$W1.json"
echo '{}' >"$D/state/$W0.json"
echo '{}' >"$D/state/$W1.json"
cat >"$D/play.yml" <<EOT
- name: Run one stage of a server key rollover.
  hosts: vpn
  gather_facts: false
  tasks:
    - name: Run the stage.
      ansible.builtin.include_role: {name: wireguard_server, tasks_from: rollover}
      vars:
        wireguard_server_state_dir: $D/state
        wireguard_server_nft_dir: $D/nft
        wireguard_server_nft_table_prefix: warren_
        wireguard_server_interfaces:
          - {name: $W0, address: 10.92.0.1/24}
          - {name: $W1, address: 10.92.0.1/24}
EOT
# stage STAGE [JSON]: the play in the server's namespace with wireguard_server_rollover.
stage() {
	local extra='{"wireguard_server_rollover": {"stage": "'$1'", "old": "'$W0'", "new": "'$W1'", "idle": '$IDLE', "wait": 30}}'
	[ $# -lt 2 ] || extra=$2
	N=$((N + 1))
	PATH=$WARREN_BIN:$PATH ip netns exec "$S" ansible-playbook -v -i "$INV/hosts.ini" "$D/play.yml" -e "$extra" \
		>"$D/out.$N" 2>&1
}

ok "the start stage succeeds" stage start
eq "... and reports a change" "changed=1 failed=0" "$(recap)"
eq "... the two rules are there, the pool taken from the new interface's address" \
	"10.92.0.0/24 dev $W0 scope link  10.92.0.0/24 dev $W1 scope link " \
	"$(ip -n "$S" route show table 22353) $(ip -n "$S" route show table 22354)"
ok "a second start stage succeeds" stage start
eq "... and changes nothing" "changed=0 failed=0" "$(recap)"
fails "a stage that is neither start nor retire fails" stage x '{"wireguard_server_rollover": {"stage": "x", "old": "a", "new": "b"}}'
ok "... naming the field" grep -q 'wireguard_server_rollover: needs stage' "$D/out.$N"
ok "... and the old interface is untouched" ip -n "$S" link show "$W0"

rl_move 400
ok "the retire stage succeeds" stage retire
echo "  old interface retired at $(ms) ms by the role (idle $IDLE s, tried every 5 s)"
ok "... while the clients still ping (400 at 50 ms: 20 s)" test "$(ms)" -lt 19000
eq "... and reports a change" "changed=3 failed=0" "$(recap)"
rl_report 400

fails "the old interface is gone" ip -n "$S" link show "$W0"
eq "no rollover rule is left" 0 "$(ip -n "$S" rule show | grep -c 'fwmark 0x575[12]' || true)"
fails "the marking table is gone" nsx "$S" nft list table inet warren_rollover
fails "the old interface's firewall table is gone" nsx "$S" nft list table inet "warren_$W0"
ok "the new interface's firewall table is still there" nsx "$S" nft list table inet "warren_$W1"
eq "the old interface's state and policy files are gone, the new one's are there" \
	"$D/nft/$W1.json $D/state/$W1.json" "$(find "$D/nft" "$D/state" -type f | sort | xargs)"
ok "a second retire stage succeeds" stage retire
eq "... and changes nothing" "changed=0 failed=0" "$(recap)"
for i in 1 2 3; do
	ok "the server reaches client $i on the new interface" nsx "$S" ping -c 1 -W 2 -q "10.92.0.$((i + 1))"
done
