#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# roles/wireguard_peers and its modules, run by ansible-playbook against localhost with a
# temporary inventory and vault password: keys generated into an encrypted vault and never
# printed, stable addresses across reorder/add/disable/remove, clear failures, client files,
# idempotence, a check mode that writes nothing, and end to end: the published state applied
# with wg_peer_sync to a wireguard-go server and a client namespace connecting with the
# generated .conf.
source "$(dirname "$0")/../lib.sh"

S=prs$T_ID C=prc$T_ID WS=prws$T_ID WC=prwc$T_ID
D=$(mktemp -d)
t_cleanup "rm -rf $D"
umask 077
source "$(dirname "$0")/../lib-ansible.sh"
PSK=$D/server-psk
cat >"$D/play.yml" <<EOT
- name: Converge the peers and apply them to the test interface.
  hosts: vpn
  gather_facts: false
  roles:
    - wireguard_peers
  tasks:
    - name: Install the preshared keys on the server.
      ansible.builtin.include_role:
        name: wireguard_peers
        tasks_from: server
    - name: Write the server private key.
      ansible.builtin.copy:
        content: "{{ wireguard_peers_server_private_key }}\n"
        dest: $D/server.key
        mode: "0600"
      when: wireguard_peers_server_private_key is defined
      no_log: true
    - name: Apply the peers to the interface.
      wg_peer_sync:
        helper: $WARREN_BIN/wg-peer-sync
        state:
          interface: $WS
          private_key_file: $D/server.key
          listen_port: 51820
          peers: "{{ wireguard_peers_state }}"
      when: wireguard_peers_server_private_key is defined
      register: sync
    - name: Keep the facts for the test.
      ansible.builtin.copy:
        content: "{{ {'state': wireguard_peers_state, 'info': wireguard_peers_info, 'server': wireguard_peers_server, 'sync': sync} | to_json }}"
        dest: $D/facts.json
        mode: "0600"
EOT
# peers YAML-LIST: the host's peers (the common part is in the play's vars below).
peers() {
	cat >"$INV/host_vars/srv.yml" <<EOT
wireguard_peers_endpoint: 10.97.0.1:51820
wireguard_peers_bin_dir: $WARREN_BIN
wireguard_peers_server_psk_dir: $PSK
wireguard_peers_host_peers:
$1
EOT
}
sums() { find "$INV/wireguard" "$PSK" -type f -exec sha256sum {} + | sort; find "$INV/wireguard" "$PSK" -printf '%p %m\n' | sort; }
live() { wg show "$WS" dump | tail -n +2 | cut -f1,4 | sort; }

# --- the namespaces: a wireguard-go server and a client joined by veth ------------------------
t_ns "$S"
t_ns "$C"
t_veth "$S" "prvs$T_ID" 10.97.0.1/24 "$C" "prvc$T_ID" 10.97.0.2/24
t_wg "$S" "$WS"
t_wg "$C" "$WC"
ip -n "$S" addr add 192.168.100.1/24 dev "$WS"
ip -n "$S" link set "$WS" up
CAROL=$(wg genkey | wg pubkey)

# --- first run ---------------------------------------------------------------------------------
peers "  - {name: alice}
  - {name: bob, address: 192.168.100.10, full_tunnel: true, always_on: true}
  - {name: carol, public_key: \"$CAROL\", access: [{to: 192.168.1.0/24}]}"
ok "a check run on a fresh environment succeeds" play --check --diff
fails "... and creates nothing" test -e "$INV/wireguard" -o -e "$PSK" -o -e "$D/server.key"
ok "the first run succeeds" play
eq "the first run changes things" "failed=0" "$(recap | cut -d' ' -f2)"
# shellcheck disable=SC2016 # the literal text $ANSIBLE_VAULT, not a variable
ok "the vault file is vault-encrypted" grep -q '^\$ANSIBLE_VAULT;' "$DATA/keys.vault.yml"
eq "the vault file is 0600" 600 "$(stat -c %a "$DATA/keys.vault.yml")"
V=$(vault)
eq "the vault holds keys for alice and bob, a preshared key only for carol" \
	'{"alice":["preshared_key","private_key"],"bob":["preshared_key","private_key"],"carol":["preshared_key"]}' \
	"$(python3 -c 'import sys, yaml, json; d = yaml.safe_load(sys.stdin)["wireguard_keys"]; print(json.dumps({k: sorted(f for f in v if f.endswith("_key")) for k, v in d["peers"].items()}, separators=(",", ":"), sort_keys=True))' <<<"$V")"
ok "the vault holds the server key" grep -q '^  server:' <<<"$V"
eq "addresses: alice first free, bob fixed, carol next" '{"alice":"192.168.100.2","bob":"192.168.100.10","carol":"192.168.100.3"}' \
	"$(fact '.info | map_values(.address)')"
eq "the server state: names, /32s, flags" \
	'[["alice",["192.168.100.2/32"],true,false],["bob",["192.168.100.10/32"],true,true],["carol",["192.168.100.3/32"],true,false]]' \
	"$(fact '[.state[] | [.name, .allowed_ips, .enabled, .always_on]]')"
eq "carol's own public key is used" "\"$CAROL\"" "$(fact '.state[] | select(.name == "carol") | .public_key')"
eq "the access list is passed through" '[{"to":"192.168.1.0/24"}]' "$(fact '.info.carol.access')"
eq "client files for alice and bob only, all 0600" \
	"alice.conf 600 alice.png 600 alice.svg 600 bob.conf 600 bob.png 600 bob.svg 600" \
	"$(cd "$DATA/clients" && stat -c '%n %a' ./* | sed 's|^\./||' | sort | xargs)"
eq "the client directory is 0700" 700 "$(stat -c %a "$DATA/clients")"
ok "alice has the split tunnel" grep -qx 'AllowedIPs = 192.168.0.0/16' "$DATA/clients/alice.conf"
ok "bob has the full tunnel" grep -qx 'AllowedIPs = 0.0.0.0/0, ::/0' "$DATA/clients/bob.conf"
ok "keepalive 25 by default" grep -qx 'PersistentKeepalive = 25' "$DATA/clients/alice.conf"
ok "the clients get the server's public key" grep -qx "PublicKey = $(fact -r .server.public_key)" "$DATA/clients/alice.conf"
ok "alice's QR code decodes to her .conf" cmp <(zbarimg -q --raw "$DATA/clients/alice.png" 2>/dev/null | head -c -1) "$DATA/clients/alice.conf"
eq "the preshared key files on the server are 0600" "alice.psk 600 bob.psk 600 carol.psk 600" \
	"$(cd "$PSK" && stat -c '%n %a' ./* | sed 's|^\./||' | sort | xargs)"
eq "wg_peer_sync added the three peers" '[true,["alice","bob","carol"]]' "$(fact '[.sync.changed, (.sync.added | sort)]')"
eq "wg sees exactly the three peers" \
	"$(fact -r '.state[] | .public_key + " " + .allowed_ips[0]' | sort)" "$(live | tr '\t' ' ')"

# --- a real tunnel with the generated .conf ------------------------------------------------------
cp "$DATA/clients/alice.conf" "$D/$WC.conf"
nsx "$C" wg setconf "$WC" <(wg-quick strip "$D/$WC.conf")
ip -n "$C" addr add "$(fact -r .info.alice.address)/32" dev "$WC"
ip -n "$C" link set "$WC" up
ip -n "$C" route add 192.168.0.0/16 dev "$WC"
ok "alice reaches the server through the tunnel" nsx "$C" ping -c 2 -W 2 -q 192.168.100.1
ALICE=$(fact -r '.info.alice.public_key')
ok "the server has alice's handshake" test "$(wg show "$WS" latest-handshakes | awk -v k="$ALICE" '$1 == k {print $2}')" -gt 0

# --- idempotence ---------------------------------------------------------------------------------
ok "the second run succeeds" play
eq "the second run changes nothing" "" "$(changed_tasks)"
eq "wg_peer_sync has nothing to do" '[false,3]' "$(fact '[.sync.changed, .sync.unchanged]')"

# --- check mode writes nothing ---------------------------------------------------------------------
before=$(sums)
live_before=$(live)
peers "  - {name: eve}
  - {name: alice, dns: [192.168.1.1]}
  - {name: bob, address: 192.168.100.10, full_tunnel: true, enabled: false}
  - {name: carol, state: absent, public_key: \"$CAROL\"}"
ok "a check run succeeds" play --check --diff
eq "check mode changed no file" "$before" "$(sums)"
eq "check mode changed nothing live" "$live_before" "$(live)"

# A keys file that is not vault-encrypted is refused, although include_vars could read it (wg_keys
# gets the content Ansible loaded, and still checks the file itself); nothing is written.
cp -p "$DATA/keys.vault.yml" "$D/vault.bak"
(umask 077 && vault >"$D/plain.yml")
cp "$D/plain.yml" "$DATA/keys.vault.yml"
before_plain=$(find "$INV/wireguard" -type f ! -name keys.vault.yml -exec sha256sum {} + | sort)
fails "a keys file that is not vault-encrypted is refused" play
ok "... naming it" grep -q "keys.vault.yml is not vault-encrypted; refusing to use it" "$D/out.$N"
ok "... and left as it was" cmp "$D/plain.yml" "$DATA/keys.vault.yml"
eq "... and nothing else was written" "$before_plain" \
	"$(find "$INV/wireguard" -type f ! -name keys.vault.yml -exec sha256sum {} + | sort)"
mv "$D/vault.bak" "$DATA/keys.vault.yml"
rm -f "$D/plain.yml"

# --- reorder, add, disable: nobody is renumbered; the disabled peer keeps its keys ----------------
peers "  - {name: eve}
  - {name: carol, public_key: \"$CAROL\"}
  - {name: bob, address: 192.168.100.10, full_tunnel: true, enabled: false}
  - {name: alice}"
ok "the reordering run succeeds" play
eq "nobody renumbered; eve gets the next free address" \
	'{"alice":"192.168.100.2","bob":"192.168.100.10","carol":"192.168.100.3","eve":"192.168.100.4"}' \
	"$(fact '.info | map_values(.address)')"
eq "bob is disabled in the state" false "$(fact '.state[] | select(.name == "bob") | .enabled')"
eq "wg_peer_sync added eve and removed bob" '[["eve"],["bob"]]' "$(fact '[.sync.added, .sync.removed]')"
fails "bob is off the server" grep -q "$(fact -r .info.bob.public_key)" <(wg show "$WS" peers)
ok "bob keeps his keys" grep -q '^    bob:' <(vault)
ok "bob keeps his client files" test -f "$DATA/clients/bob.conf"
ok "alice still reaches the server" nsx "$C" ping -c 1 -W 2 -q 192.168.100.1

# --- remove: gone everywhere ----------------------------------------------------------------------
peers "  - {name: eve}
  - {name: carol, public_key: \"$CAROL\"}
  - {name: bob, state: absent}
  - {name: alice}"
ok "the removing run succeeds" play
fails "bob is out of the vault" grep -q '^    bob:' <(vault)
fails "bob is out of the address file" grep -q 'bob' "$DATA/addresses.yml"
fails "bob's client files are gone" test -e "$DATA/clients/bob.conf" -o -e "$DATA/clients/bob.png" -o -e "$DATA/clients/bob.svg"
fails "bob's preshared key file is gone" test -e "$PSK/bob.psk"
eq "the others keep their addresses" '{"alice":"192.168.100.2","carol":"192.168.100.3","eve":"192.168.100.4"}' \
	"$(fact '.info | map_values(.address)')"
ok "the run after removal succeeds" play
ok "the run after that changes nothing at all" play
eq "... changed=0" "changed=0 failed=0" "$(recap)"

# --- clear failures that change nothing ----------------------------------------------------------
before=$(sums)
failing() { # failing DESCRIPTION EXTRA-PEERS-JSON EXPECTED-MESSAGE [EXTRA-VARS-JSON]
	printf '{"wireguard_peers_peers": %s %s}\n' "$2" "${4:-}" >"$D/extra.json"
	fails "$1: the run fails" play -e "@$D/extra.json"
	ok "$1: the message says why" grep -qF "$3" "$D/out.$N"
	eq "$1: nothing changed" "$before" "$(sums)"
}
failing "two peers claim one address" '[{"name": "zed", "address": "192.168.100.2"}]' \
	'two peers claim 192.168.100.2: alice and zed'
failing "an address outside the pool" '[{"name": "zed", "address": "10.0.0.5"}]' \
	'peer zed: address 10.0.0.5 is outside the pool 192.168.100.0/24'
failing "the server's address" '[{"name": "zed", "address": "192.168.100.1"}]' \
	'peer zed: address 192.168.100.1 is reserved'
failing "pool exhaustion" '[{"name": "x1"}, {"name": "x2"}]' \
	'pool 192.168.100.0/29 is exhausted: 5 usable addresses' \
	', "wireguard_peers_pool": "192.168.100.0/29", "wireguard_peers_host_peers": [{"name": "a1"}, {"name": "a2"}, {"name": "a3"}, {"name": "a4"}, {"name": "a5"}], "wireguard_peers_data_dir": "'"$D/small"'"'
ok "exhaustion names the count and the peers" grep -qF '2 more needed (a4, a5)' "$D/out.$N"
failing "a misspelt peer field" '[{"name": "zed", "adress": "192.168.100.9"}]' 'adress'
# Keys a peer may not bring: each named, before anything is written (the key task hides its output).
Z=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=
failing "the all-zero placeholder key" '[{"name": "zed", "public_key": "'$Z'"}]' \
	"peer zed: public_key '$Z' is not a usable WireGuard public key"
failing "a low-order key" '[{"name": "zed", "public_key": "4Ot6fDtBuK4WVuP68Z/EatoJjeucMrH9hmIFFl9JuAA="}]' \
	"peer zed: public_key '4Ot6fDtBuK4WVuP68Z/EatoJjeucMrH9hmIFFl9JuAA=' is not a usable"
failing "the production inventory's placeholder" '[{"name": "zed", "public_key": "REPLACE-ME-with-the-probe-public-key"}]' \
	"peer zed: public_key 'REPLACE-ME-with-the-probe-public-key' is not a usable"
failing "the server's own public key" '[{"name": "zed", "public_key": "'"$(fact -r .server.public_key)"'"}]' \
	'peer zed: public_key is the public key of the server itself'

# --- wg_peer_sync passes the helper's refusals on, and changes nothing --------------------------
live_before=$(live)
adhoc() { N=$((N + 1)); ansible -i "$INV/hosts.ini" srv -m wg_peer_sync -a "$1" >"$D/out.$N" 2>&1; }
fails "a bad public key fails the module" adhoc '{"helper": "'"$WARREN_BIN/wg-peer-sync"'", "state": {"interface": "'"$WS"'", "peers": [{"name": "x", "public_key": "bad"}]}}'
ok "... naming the field" grep -q 'public_key' "$D/out.$N"
fails "an empty peer list is refused" adhoc '{"helper": "'"$WARREN_BIN/wg-peer-sync"'", "state": {"interface": "'"$WS"'", "peers": []}}'
ok "... saying so" grep -q 'allow' "$D/out.$N"
eq "the refusals changed nothing live" "$live_before" "$(live)"

# --- no key in any output, nor left in plaintext outside the vault and the client files -----------
V=$(vault)
for k in $(python3 -c 'import sys, yaml
d = yaml.safe_load(sys.stdin)["wireguard_keys"]
print(d["server"]["private_key"])
for p in d["peers"].values():
    print(*(v for f, v in p.items() if f.endswith("_key")), sep="\n")' <<<"$V"); do
	fails "a key never appears in ansible's output" grep -qF "$k" "$D"/out.*
	fails "a key never appears in the facts or the address file" grep -qF "$k" "$D/facts.json" "$DATA/addresses.yml"
done
eq "no stray file in the data directory" "addresses.yml clients keys.vault.yml" "$(find "$DATA" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort | xargs)"

# --- a missing vault file never becomes a new server key while the server has one -------------
OLDPUB=$(fact -r .server.public_key)
mv "$DATA/keys.vault.yml" "$D/keys.vault.yml.saved"
over=(-e "wireguard_peers_interface=$WS" -e "wireguard_peers_data_dir=$DATA")
fails "no vault file, but the server's key file exists: refused" \
	play "${over[@]}" -e "wireguard_peers_server_key_file=$D/server.key"
ok "... and the refusal says what to do" grep -q 'wireguard_peers_bootstrap: true' "$D/out.$N"
fails "... and no vault file was made" test -e "$DATA/keys.vault.yml"
fails "no vault file, no key file, but the live interface has a key: refused" \
	play "${over[@]}" -e "wireguard_peers_server_key_file=$D/none.key"
ok "... naming the live interface" grep -q "live interface $WS" "$D/out.$N"
fails "... and no vault file was made" test -e "$DATA/keys.vault.yml"
ok "with wireguard_peers_bootstrap a new server key is made" \
	play "${over[@]}" -e "wireguard_peers_server_key_file=$D/server.key" -e wireguard_peers_bootstrap=true
ok "... into a new vault file" test -e "$DATA/keys.vault.yml"
ok "... and it is a different key" test "$(fact -r .server.public_key)" != "$OLDPUB"
