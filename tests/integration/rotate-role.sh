#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Key rotation and revocation through roles/wireguard_peers (docs/rotation.md), against a real
# wireguard-go server and two client namespaces that use the generated .conf files: on-demand
# rotation while another peer pings every 50 ms, rotation by age picking exactly the expired
# keys, preshared key rotation, a new public key that a peer brings, revocation, and the audit
# trail (controller log and syslog socket) with one entry per event and no key anywhere.
source "$(dirname "$0")/../lib.sh"

S=ors$T_ID CA=orca$T_ID CB=orcb$T_ID WS=orws$T_ID WA=orwa$T_ID WB=orwb$T_ID
D=$(mktemp -d)
t_cleanup "rm -rf $D"
umask 077
source "$(dirname "$0")/../lib-ansible.sh"
PSK=$D/server-psk
LOG=$DATA/audit.jsonl

# A syslog socket standing in for the container's /dev/log (journald): every datagram to a file.
python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "ab", buffering=0) as f:
    while True:
        f.write(s.recv(65536) + b"\n")' "$D/syslog.sock" "$D/syslog.txt" &
t_cleanup "kill $!"
t_wait 5 test -S "$D/syslog.sock" || t_fail "no syslog socket"

cat >"$D/play.yml" <<EOT
- name: Converge the peers, apply them to the test interface and record the key events.
  hosts: vpn
  gather_facts: false
  roles:
    - wireguard_peers
  # The server step and the audit as playbooks/site.yml has them: a failure is recorded too.
  tasks:
    - name: Apply the peers, recording a failure in the key audit log.
      block:
        - name: Install the preshared keys on the server.
          ansible.builtin.include_role: {name: wireguard_peers, tasks_from: server}
        - name: Write the server private key.
          ansible.builtin.copy:
            content: "{{ wireguard_peers_server_private_key }}\n"
            dest: $D/server.key
            mode: "0600"
          no_log: true
        - name: Apply the peers to the interface.
          wg_peer_sync:
            helper: "{{ sync_helper | default('$WARREN_BIN/wg-peer-sync') }}"
            state: {interface: $WS, private_key_file: $D/server.key, listen_port: 51820, peers: "{{ wireguard_peers_state }}"}
          register: sync
      rescue:
        - name: Record this run's key events as failed.
          ansible.builtin.include_role: {name: wireguard_peers, tasks_from: audit}
          vars: {wireguard_peers_audit_result: failed}
          when: wireguard_peers_events | length > 0
        - name: Fail as the server step did.
          ansible.builtin.fail: {msg: "{{ ansible_failed_result.msg | default('the server step failed') }}"}
    - name: Record the key events.
      ansible.builtin.include_role: {name: wireguard_peers, tasks_from: audit}
      when: wireguard_peers_events | length > 0
    - name: Keep the facts for the test.
      ansible.builtin.copy:
        content: "{{ {'events': wireguard_peers_events, 'revoked': wireguard_peers_revoked, 'info': wireguard_peers_info, 'sync': sync} | to_json }}"
        dest: $D/facts.json
        mode: "0600"
EOT
# peers YAML-LIST: the host's peers.
peers() {
	cat >"$INV/host_vars/srv.yml" <<EOT
wireguard_peers_endpoint: 10.94.0.1:51820
wireguard_peers_bin_dir: $WARREN_BIN
wireguard_peers_server_psk_dir: $PSK
wireguard_peers_audit_syslog: $D/syslog.sock
wireguard_peers_host_peers:
$1
EOT
}
# vault_edit PYTHON: runs PYTHON on the vault's wireguard_keys as k (peers in p), re-encrypts.
vault_edit() {
	vault | python3 -c 'import sys, yaml
d = yaml.safe_load(sys.stdin); k = d["wireguard_keys"]; p = k["peers"]
exec(sys.argv[1])
sys.stdout.write(yaml.safe_dump(d))' "$1" >"$D/plain.yml"
	ansible-vault encrypt --output "$DATA/keys.vault.yml" "$D/plain.yml" >/dev/null 2>&1
	rm -f "$D/plain.yml"
}
# keep_keys: every key the vault holds now, added to $D/keys (all of them are searched at the end).
keep_keys() {
	vault | python3 -c 'import sys, yaml
k = yaml.safe_load(sys.stdin)["wireguard_keys"]
print(k["server"]["private_key"])
for e in k["peers"].values():
    for f in ("private_key", "preshared_key"):
        if f in e: print(e[f])' >>"$D/keys"
}
pub() { fact -r ".info.$1.public_key"; }
fp() { printf '%s' "$1" | base64 -d | sha256sum | cut -c1-16; }
# client NS IFACE NAME: NAME's generated .conf on IFACE in NS (wg setconf replaces it all).
client() {
	nsx "$1" wg setconf "$2" <(wg-quick strip "$DATA/clients/$3.conf")
	ip -n "$1" addr flush dev "$2"
	ip -n "$1" addr add "$(fact -r ".info.\"$3\".address")/32" dev "$2"
	ip -n "$1" link set "$2" up
	ip -n "$1" route replace 192.168.100.1/32 dev "$2"
}
hs() { nsx "$S" wg show "$WS" dump | awk -v k="$1" '$1 == k { print $5, $6, $7 }'; }
events() { fact -c '[.events[] | [.event, .peer, .trigger]]'; }

# --- the namespaces: a wireguard-go server, two clients; the endpoint 10.94.0.1 on the server's lo
t_ns "$S"
t_ns "$CA"
t_ns "$CB"
ip -n "$S" addr add 10.94.0.1/32 dev lo
t_veth "$S" "orga$T_ID" 10.94.1.1/24 "$CA" "orva$T_ID" 10.94.1.2/24
t_veth "$S" "orgb$T_ID" 10.94.2.1/24 "$CB" "orvb$T_ID" 10.94.2.2/24
ip -n "$CA" route add 10.94.0.1/32 via 10.94.1.1
ip -n "$CB" route add 10.94.0.1/32 via 10.94.2.1
t_wg "$S" "$WS"
t_wg "$CA" "$WA"
t_wg "$CB" "$WB"
ip -n "$S" addr add 192.168.100.1/24 dev "$WS"
ip -n "$S" link set "$WS" up
CAROL=$(wg genkey | wg pubkey)
CAROL2=$(wg genkey | wg pubkey)

PEERS="  - {name: alice}
  - {name: bob}
  - {name: carol, public_key: \"$CAROL\"}"
peers "$PEERS"
ok "the first run succeeds" play
keep_keys
eq "creating keys is no rotation: no event, no audit log" "[] no" "$(events) $(test -e "$LOG" && echo yes || echo no)"
eq "every key has its creation time in the vault" "alice created psk_created bob created psk_created carol created psk_created" \
	"$(vault | python3 -c 'import sys, yaml
for n, e in sorted(yaml.safe_load(sys.stdin)["wireguard_keys"]["peers"].items()):
    print(n, *sorted(k for k in e if k.endswith("created")))' | xargs)"
client "$CA" "$WA" alice
client "$CB" "$WB" bob
ok "alice connects with her .conf" nsx "$CA" ping -c 2 -W 2 -q 192.168.100.1
ok "bob connects with his .conf" nsx "$CB" ping -c 2 -W 2 -q 192.168.100.1
cp "$DATA/clients/alice.conf" "$D/alice-old.conf"

# --- check mode: a rotation is reported, nothing is written ----------------------------------------
sums() { find "$INV/wireguard" "$PSK" -type f -exec sha256sum {} + | sort; }
before=$(sums)
ok "a check run with a rotation succeeds" play --check -e '{"wireguard_peers_rotate": ["alice"]}'
ok "... reports the rotation" grep -q "rotate alice" "$D/out.$N"
eq "... and writes nothing" "$before" "$(sums)"
fails "... not even the audit log" test -e "$LOG"
fails "a rotation of a peer that does not exist is refused" play -e '{"wireguard_peers_rotate": ["zed"]}'
ok "... naming it" grep -q "rotate: no present peer named zed" "$D/out.$N"
eq "... and nothing was written" "$before" "$(sums)"

# --- on demand: alice's key is rotated while bob pings every 50 ms ------------------------------
A1=$(pub alice)
B1=$(pub bob)
hb1=$(hs "$B1")
# ip netns exec execs ping: $! is ping itself, which SIGINT ends with its summary.
ip netns exec "$CB" ping -i 0.05 -w 30 192.168.100.1 >"$D/ping.bob" 2>&1 &
PING=$!
t_cleanup "kill $PING"
sleep 1
ok "the rotating run succeeds" play -e '{"wireguard_peers_rotate": ["alice"]}'
A2=$(pub alice)
ok "alice has a new public key" test "$A2" != "$A1"
eq "one event: alice's key, on demand" '[["rotate","alice","on-demand"]]' "$(events)"
eq "the server swapped her key in one apply and left bob alone" '[["alice"],["'"$A1"'"],[],2]' \
	"$(fact -c '[.sync.added, .sync.removed, .sync.updated, .sync.unchanged]')"
eq "alice keeps her address" "192.168.100.2" "$(fact -r .info.alice.address)"
fails "alice has a new .conf" cmp -s "$D/alice-old.conf" "$DATA/clients/alice.conf"
ok "... and a new QR code that decodes to it" cmp <(zbarimg -q --raw "$DATA/clients/alice.png" 2>/dev/null | head -c -1) "$DATA/clients/alice.conf"
fails "alice with her old config is refused" nsx "$CA" ping -c 2 -W 1 -q 192.168.100.1
client "$CA" "$WA" alice
ok "alice with her new config is back within 5 s" t_wait 5 nsx "$CA" ping -c 1 -W 1 -q 192.168.100.1
kill -INT "$PING"
wait "$PING" || true
sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$D/ping.bob")
got=$(sed -n 's/^[0-9]* packets transmitted, \([0-9]*\) received.*/\1/p' "$D/ping.bob")
echo "  bob: $sent pings every 50 ms during the rotation, $got answered"
eq "bob lost no ping" "$sent" "$got"
eq "bob's handshake is the same" "$(cut -d' ' -f1 <<<"$hb1")" "$(hs "$B1" | cut -d' ' -f1)"
keep_keys
eq "the audit log has one line, with fingerprints and the result" \
	"[\"srv\",\"wg0\",\"rotate\",\"alice\",\"on-demand\",\"$(fp "$A1")\",\"$(fp "$A2")\",\"applied\"]" \
	"$(jq -c '[.host, .interface, .event, .peer, .trigger, .old, .new, .result]' "$LOG")"
eq "the syslog socket got the same line, tagged" "warren-keys: $(cat "$LOG")" "$(sed 's/^<37>//' "$D/syslog.txt")"
eq "the audit log is 0600" 600 "$(stat -c %a "$LOG")"
echo "  audit line: $(cat "$LOG")"
ok "the run after that changes nothing" play
eq "... no task changed" "" "$(changed_tasks)"
eq "... and logged nothing" 1 "$(wc -l <"$LOG")"

# --- by age: exactly the expired keys ------------------------------------------------------------
old=$(date -u -d '-40 days' +%Y-%m-%dT%H:%M:%SZ)
mid=$(date -u -d '-29 days' +%Y-%m-%dT%H:%M:%SZ)
vault_edit "p['bob']['created'] = '$old'; p['alice']['created'] = '$mid'; p['alice']['psk_created'] = '$old'; p['carol']['created'] = '$old'"
ok "a run with key_max_age_days 30 and psk_max_age_days 30 succeeds" \
	play -e '{"wireguard_peers_key_max_age_days": 30, "wireguard_peers_psk_max_age_days": 30}'
eq "exactly bob's key and alice's preshared key were due (carol's own key is hers to change)" \
	'[["psk-rotate","alice","age"],["rotate","bob","age"]]' "$(fact -c '[.events[] | [.event, .peer, .trigger]] | sort')"
ok "bob got a new key" test "$(pub bob)" != "$B1"
eq "alice kept her key" "$A2" "$(pub alice)"
keep_keys
eq "three lines in the audit log now" 3 "$(wc -l <"$LOG")"

# --- preshared key: the old one is refused, the new one works --------------------------------------
cp "$DATA/clients/alice.conf" "$D/alice-psk1.conf"
ok "on-demand preshared key rotation succeeds" play -e '{"wireguard_peers_rotate_psk": ["alice"]}'
keep_keys
eq "one psk-rotate event" '[["psk-rotate","alice","on-demand"]]' "$(events)"
eq "alice's public key is unchanged" "$A2" "$(pub alice)"
nsx "$CA" wg setconf "$WA" <(wg-quick strip "$D/alice-psk1.conf")
fails "alice with the old preshared key cannot connect" nsx "$CA" ping -c 2 -W 1 -q 192.168.100.1
client "$CA" "$WA" alice
ok "alice with the new preshared key connects" t_wait 5 nsx "$CA" ping -c 1 -W 1 -q 192.168.100.1
ok "the server's preshared key file holds the new key" \
	test "$(nsx "$S" wg show "$WS" preshared-keys | awk -v k="$A2" '$1 == k { print $2 }')" = "$(cat "$PSK/alice.psk")"

# --- a peer that brings its own key: a new public key is swapped the same way ----------------------
PEERS="  - {name: alice}
  - {name: bob}
  - {name: carol, public_key: \"$CAROL2\"}"
peers "$PEERS"
ok "carol's new public key is applied" play
eq "one public-key event, fingerprints of both keys" "[[\"public-key\",\"carol\",\"inventory\",\"$(fp "$CAROL")\",\"$(fp "$CAROL2")\"]]" \
	"$(fact -c '[.events[] | [.event, .peer, .trigger, .old, .new]]')"
eq "the server swapped carol's key alone" '[["carol"],["'"$CAROL"'"],2]' "$(fact -c '[.sync.added, .sync.removed, .sync.unchanged]')"

# --- revocation: bob is gone everywhere in one run -------------------------------------------------
B2=$(pub bob)
peers "  - {name: alice}
  - {name: bob, state: absent}
  - {name: carol, public_key: \"$CAROL2\"}"
ok "revoking bob succeeds" play
eq "one revoke event with his key's fingerprint" "[[\"revoke\",\"bob\",\"state absent\",\"$(fp "$B2")\",null]]" \
	"$(fact -c '[.events[] | [.event, .peer, .trigger, .old, .new]]')"
eq "the revoked list names him and his address (for the firewall, conntrack and NetBox)" \
	'[{"address":"192.168.100.3","name":"bob"}]' "$(fact -c .revoked)"
fails "bob is off the interface" grep -qF -- "$B2" <(nsx "$S" wg show "$WS" peers)
fails "bob's client files are gone" test -e "$DATA/clients/bob.conf" -o -e "$DATA/clients/bob.png" -o -e "$DATA/clients/bob.svg"
fails "bob's preshared key file is gone" test -e "$PSK/bob.psk"
fails "bob is out of the vault" grep -q '^    bob:' <(vault)
# bob's namespace still has his last config (his key, the server as its peer).
fails "bob cannot reconnect" nsx "$CB" ping -c 2 -W 1 -q 192.168.100.1

# --- a rotation whose server step fails is recorded as failed; the next run applies the key -------
A3=$(pub alice)
fails "a rotation whose server step fails fails" play -e '{"wireguard_peers_rotate": ["alice"], "sync_helper": "/nonexistent/wg-peer-sync"}'
keep_keys
eq "the audit log records it with result failed" '["rotate","alice","on-demand","failed"]' \
	"$(tail -n 1 "$LOG" | jq -c '[.event, .peer, .trigger, .result]')"
eq "... and so does the journal" "warren-keys: $(tail -n 1 "$LOG")" "$(tail -n 1 "$D/syslog.txt" | sed 's/^<37>//')"
ok "the next run succeeds" play
ok "... and puts the vault's new key on the server in place of the old one" \
	test "$(fact -c '[.sync.added, .sync.removed]')" = '[["alice"],["'"$A3"'"]]'
eq "... with no new event: the rotation was recorded once" "[]" "$(events)"

# --- the audit trail: one entry per event, the same in the journal, and no key anywhere ----------
eq "seven events, seven lines" 7 "$(wc -l <"$LOG")"
eq "the journal got every line" 7 "$(wc -l <"$D/syslog.txt")"
eq "every line has exactly the documented fields" '["event","host","interface","new","old","peer","result","time","trigger"]' \
	"$(jq -c 'keys' "$LOG" | sort -u)"
echo "$CAROL" "$CAROL2" | tr ' ' '\n' >>"$D/keys"
eq "some keys were collected for the search" yes "$(test "$(sort -u "$D/keys" | wc -l)" -ge 12 && echo yes)"
echo "  $(sort -u "$D/keys" | wc -l) distinct keys searched for"
while read -r k; do
	nomatch "no key in the audit log" -F -- "$k" "$LOG"
	nomatch "no key in the journal" -F -- "$k" "$D/syslog.txt"
	nomatch "no key in ansible's output" -F -- "$k" "$D"/out.*
done < <(sort -u "$D/keys" | grep -v -e "$CAROL" -e "$CAROL2")
