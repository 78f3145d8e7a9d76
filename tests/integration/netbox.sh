#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# roles/warren_netbox and the NetBox address book against a real NetBox (3.1.11, started here from
# $WARREN_THIRD_PARTY/netbox or GitHub by tests/netbox/start, stopped and removed at exit). Every
# result is checked independently through NetBox's REST API with curl and jq: the objects, a
# second run with changed=0 and no new object-change entry, check mode writing nothing, diff
# mode, a disabled and a removed peer, foreign untagged objects left alone, NetBox down or
# refusing (failure naming URL and status; warning mode), nb_inventory listing the server, and
# wireguard_peers_ipam netbox (stable addresses, pool exhausted).
source "$(dirname "$0")/../lib.sh"

REPO=$(cd "$(dirname "$0")/../.." && pwd)
D=$(mktemp -d)
t_cleanup "rm -rf $D"
# T_KEEP=DIR keeps the playbook outputs of a failed run for a look.
t_cleanup "[ -z \"\${T_KEEP:-}\" ] || cp -r $D/. \"\$T_KEEP\"/"
BASE=/tmp/warren-netbox-$T_ID
t_cleanup "$REPO/tests/netbox/stop $BASE"
M=nbm$T_ID W=nbw$T_ID
# Both ends of one veth pair, in this namespace but without addresses: the management interface
# (its MAC) and the "WireGuard" one (its MTU), as the role reads them from the gathered facts.
ip link add "$M" type veth peer name "$W"
t_cleanup "ip link del $M"
ip link set "$M" address 02:00:00:00:01:5a up
ip link set "$W" mtu 1380 up

t0=$(date +%s)
eval "$("$REPO/tests/netbox/start" "$BASE")"
echo "  NetBox up at $NETBOX_API in $(($(date +%s) - t0)) s"
TOKEN=$(sed -n 's/.*NETBOX_TOKEN=\([0-9a-f]*\).*/\1/p' "$BASE/env.sh")
HDR="Authorization: Token $TOKEN"
nb() { curl -sf -H "$HDR" -H 'Accept: application/json' "$NETBOX_API/api/$1"; }
changes() { nb 'extras/object-changes/?limit=1' | jq .count; }

umask 077
mkdir -p "$D/tmp"
: >"$D/ansible.cfg"
export ANSIBLE_CONFIG=$D/ansible.cfg ANSIBLE_LIBRARY=$REPO/library ANSIBLE_ROLES_PATH=$REPO/roles
export ANSIBLE_MODULE_UTILS=$REPO/module_utils ANSIBLE_FILTER_PLUGINS=$REPO/filter_plugins
export ANSIBLE_NOCOLOR=1 ANSIBLE_LOCAL_TEMP=$D/tmp ANSIBLE_RETRY_FILES_ENABLED=0
export ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3
head -c 24 /dev/urandom | base64 >"$D/vault-pass"
export ANSIBLE_VAULT_PASSWORD_FILE=$D/vault-pass
# The token in a vault file, as in a real inventory.
mkdir -p "$D/inv/host_vars/srv"
printf 'warren_netbox_token: %s\n' "$TOKEN" >"$D/token.yml"
ansible-vault encrypt --output "$D/inv/host_vars/srv/vault.yml" "$D/token.yml" >/dev/null 2>&1
rm "$D/token.yml"
cat >"$D/inv/hosts.ini" <<EOT
[wireguard_servers]
srv ansible_connection=local
EOT
cat >"$D/play.yml" <<EOT
- name: Register the server in NetBox.
  hosts: wireguard_servers
  gather_facts: false
  roles:
    - warren_netbox
EOT
# vars YAML: the host's settings besides the token (peers as roles/wireguard_peers publishes them).
vars() {
	cat >"$D/inv/host_vars/srv/main.yml" <<EOT
warren_netbox_url: $NETBOX_API
warren_netbox_mgmt_interface: $M
warren_netbox_mgmt_address: 192.168.10.90/24
warren_netbox_wireguard_interfaces: [{name: $W, address: 192.168.100.1/24, listen_port: 51820}]
wireguard_ct_facts: {backend: lxc, name: "190", limits: {cores: 1, memory: 1073741824, disk: null}}
wireguard_peers_server: {pool: 192.168.100.0/24}
$1
EOT
}
N=0
play() {
	N=$((N + 1))
	ansible-playbook -v -i "$D/inv/hosts.ini" "$D/play.yml" "$@" >"$D/out.$N" 2>&1
}
recap() { grep -o 'changed=[0-9]* *unreachable=0 *failed=[0-9]*' "$D/out.$N" | awk '{print $1, $3}'; }
K1=$(wg genkey | wg pubkey) K2=$(wg genkey | wg pubkey) K3=$(wg genkey | wg pubkey)
PEERS3="wireguard_peers_info:
  alice: {address: 192.168.100.2, public_key: \"$K1\", enabled: true}
  bob: {address: 192.168.100.3, public_key: \"$K2\", enabled: true}
  carol: {address: 192.168.100.4, public_key: \"$K3\", enabled: true}"

# --- objects warren must never touch -----------------------------------------------------------
nbpost() { curl -sf -H "$HDR" -H 'Content-Type: application/json' -X POST "$NETBOX_API/api/$1" -d "$2"; }
FIP=$(nbpost ipam/ip-addresses/ '{"address": "192.168.100.200/24", "description": "foreign"}' | jq .id)
FCT=$(nbpost virtualization/cluster-types/ '{"name": "Foreign", "slug": "foreign"}' | jq .id)
FCL=$(nbpost virtualization/clusters/ "{\"name\": \"foreign\", \"type\": $FCT}" | jq .id)
FVM=$(nbpost virtualization/virtual-machines/ "{\"name\": \"foreign-vm\", \"cluster\": $FCL}" | jq .id)
foreign() { echo "$(nb "ipam/ip-addresses/$FIP/" | jq -c '[.address, .description, .status.value, .last_updated]')" \
	"$(nb "virtualization/virtual-machines/$FVM/" | jq -c '[.name, .status.value, .last_updated]')"; }
F0=$(foreign)

# --- first run, check mode first -----------------------------------------------------------------
vars "$PEERS3"
c0=$(changes)
ok "a check run against an empty NetBox succeeds" play --check --diff
eq "... and writes nothing (object-change count)" "$c0" "$(changes)"
eq "... and NetBox has no VM srv" 0 "$(nb 'virtualization/virtual-machines/?name=srv' | jq .count)"
t0=$(date +%s.%N)
ok "the first run succeeds" play --diff
t1=$(date +%s.%N)
echo "  first run: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s, $(recap)"
nomatch "the token appears nowhere in the output" -rF "$TOKEN" "$D"/out.*
VM=$(nb 'virtualization/virtual-machines/?name=srv' | jq -c '.results[0]')
json_eq "the VM: CT 190, 1 vcpu, 1024 MiB, 8 GB, active, VPN gateway, tagged" "$VM" \
	'[.custom_fields.warren_ct_id, .vcpus, .memory, .disk, .status.value, .role.name, [.tags[].slug]]' \
	'[190,1,1024,8,"active","VPN gateway",["warren"]]'
json_eq "... in cluster lxc-* of type LXC" "$(nb "virtualization/clusters/$(jq .cluster.id <<<"$VM")/")" \
	'[.type.name, [.tags[].slug]]' '["LXC",["warren"]]'
json_eq "... its primary IPv4 is the management address" "$VM" '.primary_ip4.address' '"192.168.10.90/24"'
IFS_JSON=$(nb "virtualization/interfaces/?virtual_machine_id=$(jq .id <<<"$VM")")
json_eq "interfaces: management with its MAC, WireGuard with its live MTU" "$IFS_JSON" \
	'[.results[] | [.name, .mac_address, .mtu]] | sort' "[[\"$M\",\"02:00:00:00:01:5A\",null],[\"$W\",null,1380]]"
json_eq "addresses on the interfaces" "$(nb "ipam/ip-addresses/?virtual_machine_id=$(jq .id <<<"$VM")")" \
	'[.results[] | [.address, .assigned_object.name]] | sort' "[[\"192.168.10.90/24\",\"$M\"],[\"192.168.100.1/24\",\"$W\"]]"
json_eq "the WireGuard service: UDP 51820" "$(nb "ipam/services/?virtual_machine_id=$(jq .id <<<"$VM")")" \
	'[.results[] | [.name, .protocol.value, .ports]]' "[[\"WireGuard $W\",\"udp\",[51820]]]"
json_eq "the VPN prefix with its role and description" "$(nb 'ipam/prefixes/?prefix=192.168.100.0/24')" \
	'[.count, .results[0].role.name, .results[0].description, [.results[0].tags[].slug]]' \
	'[1,"VPN","WireGuard VPN of srv (warren)",["warren"]]'
peers() { nb 'ipam/ip-addresses/?parent=192.168.100.0/24&tag=warren&limit=0' |
	jq -c '[.results[] | select(.custom_fields.warren_peer) | [.address, .description, .status.value, .custom_fields.warren_public_key]] | sort'; }
eq "every peer's address with its name, status active and public key" \
	"[[\"192.168.100.2/24\",\"alice\",\"active\",\"$K1\"],[\"192.168.100.3/24\",\"bob\",\"active\",\"$K2\"],[\"192.168.100.4/24\",\"carol\",\"active\",\"$K3\"]]" \
	"$(peers)"

# --- idempotence ----------------------------------------------------------------------------------
c1=$(changes)
t0=$(date +%s.%N)
ok "the second run succeeds" play
t1=$(date +%s.%N)
echo "  second run: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s, $(recap)"
eq "... with changed=0" "changed=0 failed=0" "$(recap)"
eq "... and no new object-change entry" "$c1" "$(changes)"

# --- bob disabled, carol removed: check mode, diff, then for real -----------------------------------
vars "wireguard_peers_info:
  alice: {address: 192.168.100.2, public_key: \"$K1\", enabled: true}
  bob: {address: 192.168.100.3, public_key: \"$K2\", enabled: false}"
ok "a check run with bob disabled and carol removed succeeds" play --check --diff
eq "... reports the change" "changed=1 failed=0" "$(recap)"
ok "... its diff shows bob's status going to deprecated" grep -q '"status": "deprecated"' "$D/out.$N"
eq "... and writes nothing" "$c1" "$(changes)"
ok "the run succeeds" play --diff
eq "bob is deprecated, carol's address is gone" \
	"[[\"192.168.100.2/24\",\"alice\",\"active\",\"$K1\"],[\"192.168.100.3/24\",\"bob\",\"deprecated\",\"$K2\"]]" "$(peers)"
ok "the next run has nothing to change" play
eq "... changed=0" "changed=0 failed=0" "$(recap)"
eq "the foreign IP address and VM are untouched" "$F0" "$(foreign)"
eq "the foreign IP address still exists untagged" '["192.168.100.200/24",[]]' \
	"$(nb "ipam/ip-addresses/$FIP/" | jq -c '[.address, .tags]')"

# --- refusing to take over foreign objects --------------------------------------------------------
vars "$PEERS3
warren_netbox_vm_name: foreign-vm"
c2=$(changes)
fails "a VM of the same name without the warren tag stops the run" play
ok "... naming the object" grep -qF "already has virtual-machines name=\\\"foreign-vm\\\" id $FVM without the" "$D/out.$N"
vars "wireguard_peers_info:
  dave: {address: 192.168.100.200, public_key: \"$K3\", enabled: true}"
fails "a peer whose address NetBox holds untagged stops the run" play
ok "... naming the peer and the address" grep -q 'peer dave: NetBox already has 192.168.100.200/24' "$D/out.$N"
eq "... and nothing was written by either" "$c2" "$(changes)"
eq "the foreign objects are still untouched" "$F0" "$(foreign)"

# --- NetBox down or refusing ------------------------------------------------------------------------
DOWN=http://127.0.0.1:$((${NETBOX_API##*:} + 1000))
vars "$PEERS3
warren_netbox_url: $DOWN"
fails "NetBox down fails the run" play
ok "... naming the URL" grep -qF "NetBox $DOWN/api/status/ did not answer" "$D/out.$N"
vars "$PEERS3
warren_netbox_url: $DOWN
warren_netbox_optional: true"
ok "with warren_netbox_optional, NetBox down is only a warning" play
ok "... that names the URL" grep -qF "WARNING: NetBox was not updated (warren_netbox_optional is true). NetBox $DOWN/api/status/ did not answer" "$D/out.$N"
vars "$PEERS3"
fails "a token NetBox refuses fails the run" play -e warren_netbox_token=0000000000000000000000000000000000000000
ok "... naming the URL and the HTTP status" grep -qF "NetBox $NETBOX_API/api/status/ answered HTTP 403" "$D/out.$N"
RO=$(head -c 20 /dev/urandom | od -An -tx1 | tr -d ' \n')
nbpost users/tokens/ "{\"user\": 1, \"key\": \"$RO\", \"write_enabled\": false}" >/dev/null
c2=$(changes)
fails "a read-only token fails the run before anything is written" play -e "warren_netbox_token=$RO"
ok "... naming the URL, the HTTP status and why" grep -qF \
	"NetBox $NETBOX_API/api/ipam/ip-addresses/ answered HTTP 200 to OPTIONS without the write actions" "$D/out.$N"
eq "... and nothing was written" "$c2" "$(changes)"

# --- nb_inventory ----------------------------------------------------------------------------------
# The repository's own configuration, inventories/netbox/netbox.yml, with the URL and token from
# the environment, as the lab uses it.
INVJ=$(NETBOX_API=$NETBOX_API NETBOX_TOKEN=$TOKEN ansible-inventory -i "$REPO/inventories/netbox/netbox.yml" \
	--list 2>"$D/inv.err")
json_eq "nb_inventory lists the server in wireguard_servers, by tag and by role, with its address" "$INVJ" \
	'[.wireguard_servers.hosts, .tags_warren.hosts, ."device_roles_vpn-gateway".hosts, ._meta.hostvars.srv.primary_ip4]' \
	'[["srv"],["srv"],["srv"],"192.168.10.90"]'
json_eq "... reached by its CT id from the custom field" "$INVJ" '._meta.hostvars.srv.ansible_host' '"190"'
json_eq "... and not the foreign VM" "$INVJ" '._meta.hostvars | has("foreign-vm")' false

# --- wireguard_peers_ipam netbox: addresses allocated from the NetBox prefix ----------------------
POOL=10.77.0.0/29
nbpost ipam/ip-addresses/ '{"address": "10.77.0.3/29", "description": "foreign, in the pool"}' >/dev/null
cat >"$D/ipam.ini" <<EOT
[vpn]
ipam ansible_connection=local
EOT
cat >"$D/ipam.yml" <<EOT
- name: Allocate the peers' addresses in NetBox.
  hosts: vpn
  gather_facts: false
  roles:
    - wireguard_peers
  tasks:
    - name: Keep the addresses for the test.
      ansible.builtin.copy:
        content: "{% set o = {} %}{% for k, v in wireguard_peers_info.items() %}{% set _ = o.update({k: v.address})
          %}{% endfor %}{{ o | to_json }}"
        dest: $D/addrs.json
        mode: "0600"
EOT
# ipam PEERS: the peers (YAML flow list) of the ipam host.
ipam() {
	mkdir -p "$D/host_vars"
	cat >"$D/host_vars/ipam.yml" <<EOT
wireguard_peers_ipam: netbox
wireguard_peers_netbox_url: $NETBOX_API
wireguard_peers_pool: $POOL
wireguard_peers_endpoint: 10.97.0.1:51820
wireguard_peers_bin_dir: $WARREN_BIN
wireguard_peers_data_dir: $D/ipam-data
wireguard_peers_bootstrap: true
wireguard_peers_host_peers: $1
EOT
	cp "$D/inv/host_vars/srv/vault.yml" "$D/host_vars/ipam-token.yml"
}
iplay() {
	N=$((N + 1))
	ansible-playbook -v -i "$D/ipam.ini" -e "@$D/host_vars/ipam.yml" -e "@$D/host_vars/ipam-token.yml" \
		"$D/ipam.yml" "$@" >"$D/out.$N" 2>&1
}
inb() { nb "ipam/ip-addresses/?parent=$POOL&limit=0" | jq -c '[.results[] | [.address, .description, [.tags[].slug]]] | sort'; }
ipam "[{name: a1}, {name: a2}]"
c3=$(changes)
ok "a check run of the NetBox allocation succeeds" iplay --check --diff
eq "... and writes nothing" "$c3" "$(changes)"
ok "the NetBox allocation succeeds" iplay
eq "a1 and a2 get the lowest free addresses; the foreign 10.77.0.3 is skipped" '{"a1":"10.77.0.2","a2":"10.77.0.4"}' \
	"$(jq -cS . "$D/addrs.json")"
eq "NetBox holds them, tagged, and the foreign one untouched" \
	'[["10.77.0.2/29","a1",["warren"]],["10.77.0.3/29","foreign, in the pool",[]],["10.77.0.4/29","a2",["warren"]]]' "$(inb)"
ok "no address file is written" test ! -e "$D/ipam-data/addresses.yml"
c4=$(changes)
ok "the allocation run again succeeds" iplay
eq "... with changed=0" "changed=0 failed=0" "$(recap)"
eq "... and no new object-change entry" "$c4" "$(changes)"
ipam "[{name: a0}, {name: a2}, {name: a1}]"
ok "a new peer in front, the others reordered" iplay
eq "... nobody is renumbered; a0 gets the next free address" '{"a0":"10.77.0.5","a1":"10.77.0.2","a2":"10.77.0.4"}' \
	"$(jq -cS . "$D/addrs.json")"
ipam "[{name: a0}, {name: a1}, {name: a2}, {name: a3}, {name: a4}]"
c5=$(changes)
fails "two more peers than the pool has room for fail the run" iplay
ok "... saying the pool is exhausted" grep -q "pool $POOL is exhausted: 4 usable addresses, 4 allocated, 1 more needed (a4)" "$D/out.$N"
eq "... and nothing was written" "$c5" "$(changes)"
ipam "[{name: a0}, {name: a1}, {name: a2, state: absent}]"
ok "a2 set absent" iplay
eq "... its address object is deleted" \
	'[["10.77.0.2/29","a1",["warren"]],["10.77.0.3/29","foreign, in the pool",[]],["10.77.0.5/29","a0",["warren"]]]' "$(inb)"
nomatch "the token appears nowhere in the output" -rF "$TOKEN" "$D"/out.*
