#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# roles/wireguard_ct's proxmox backend where Proxmox VE cannot run: every parameter the role
# passes to community.general.proxmox (tasks and module_defaults) is an option of the installed
# module with a matching type; and the role's own config handling (filter_plugins/warren_pve.py
# at the top of the repository, and the role's templates/pve-args.j2) against /etc/pve/lxc/ID.conf files in Proxmox's exact format:
# pending and snapshot sections, devN in both syntaxes, raw lxc.* lines, property strings with
# options an admin added. Asserts the pvesh arguments the role would send.
source "$(dirname "$0")/../lib.sh"

REPO=$(cd "$(dirname "$0")/../.." && pwd)
ROLE=$REPO/roles/wireguard_ct
D=$(mktemp -d)
t_cleanup "rm -rf $D"

# --- module parameters against ansible-doc ----------------------------------------------------
ansible-doc -j community.general.proxmox >"$D/doc.json"
out=$(python3 - "$D/doc.json" "$ROLE/tasks/proxmox.yml" "$ROLE/tasks/proxmox_absent.yml" <<'PY'
import json, sys, yaml
opts = json.load(open(sys.argv[1]))["community.general.proxmox"]["doc"]["options"]
seen, bad = set(), []
def check(params, where):
    for k, v in params.items():
        seen.add(k)
        if k not in opts:
            bad.append("%s: %s is not an option" % (where, k))
        elif k == "state" and v not in opts[k].get("choices", [v]):
            bad.append("%s: state %s is not a choice" % (where, v))
        elif opts[k].get("type") == "bool" and not (isinstance(v, bool) or "{{" in str(v)):
            bad.append("%s: %s should be a bool" % (where, k))
def walk(tasks, where):
    for t in tasks or []:
        md = (t.get("module_defaults") or {}).get("community.general.proxmox")
        if md:
            check(md, where + ": module_defaults")
        if "community.general.proxmox" in t:
            check(t["community.general.proxmox"], where + ": " + t["name"])
        walk(t.get("block"), where)
for f in sys.argv[2:]:
    walk(yaml.safe_load(open(f)), f.rsplit("/", 1)[1])
print(json.dumps({"bad": bad, "seen": sorted(seen)}))
PY
)
json_eq "every community.general.proxmox parameter is a documented option" "$out" '.bad' '[]'
json_eq "the API settings, timeout and purge are among them" "$out" \
	'[.seen[] | select(. == "api_token_secret" or . == "timeout" or . == "purge" or . == "pubkey" or . == "features")]' \
	'["api_token_secret","features","pubkey","purge","timeout"]'

# --- the drift check against Proxmox-format configs --------------------------------------------
export ANSIBLE_FILTER_PLUGINS=$REPO/filter_plugins ANSIBLE_NOCOLOR=1 ANSIBLE_LOCALHOST_WARNING=0
export ANSIBLE_INVENTORY_UNPARSED_WARNING=0
# args CONF-FILE [TUN]: the {"set": [...], "grow": ...} the role computes for this config.
args() {
	ansible localhost -o -m ansible.builtin.debug -a "msg={{ lookup('ansible.builtin.template', '$ROLE/templates/pve-args.j2', template_vars={'conf': lookup('ansible.builtin.file', '$1') | warren_pve_conf}) | from_json | to_json }}" \
		-e "@$ROLE/defaults/main.yml" -e "@$ROLE/vars/main.yml" -e "_wireguard_ct_pass_tun=${2:-true}" \
		-e wireguard_ct_id=190 -e wireguard_ct_bridge=vmbr0 -e wireguard_ct_ipv4=192.168.10.90/24 \
		-e wireguard_ct_gateway=192.168.10.1 -e wireguard_ct_hostname=vpn \
		-e wireguard_ct_hwaddr=BC:24:11:AA:BB:CC -e inventory_hostname_short=pve1 2>&1 |
		sed -n 's/^localhost | SUCCESS => //p' | jq -cS '.msg | if type == "string" then fromjson else . end'
}
# The config as pve-container writes it for exactly the wanted settings, plus what an admin
# added: firewall=1 on net0, startup up=, a second device, description lines, raw lxc keys.
cat >"$D/same.conf" <<'CONF'
#VPN gateway, managed by warren
#see https%3A//example.org/vpn
arch: amd64
cores: 1
dev0: /dev/ttyUSB0,gid=20
dev1: path=/dev/net/tun,gid=0,mode=0660,uid=0
features: nesting=1
hostname: vpn
memory: 1024
net0: name=eth0,bridge=vmbr0,firewall=1,gw=192.168.10.1,hwaddr=BC:24:11:AA:BB:CC,ip=192.168.10.90/24,type=veth
onboot: 1
ostype: debian
rootfs: local-lvm:vm-190-disk-0,size=8G
startup: order=10,up=30
swap: 512
tags: warren;wireguard
unprivileged: 1
lxc.apparmor.profile = generated
lxc.mount.auto: cgroup:rw

[pve:pending]
memory: 4096
cores: 4

[before-upgrade]
memory: 512
net0: name=eth0,bridge=vmbr9,hwaddr=BC:24:11:00:00:01,ip=dhcp,type=veth
snaptime: 1700000000
CONF
json_eq "the wanted config: nothing to set, pending and snapshot sections ignored" "$(args "$D/same.conf")" '.' '{"grow":false,"set":[]}'

sed -e 's/^memory: 1024$/memory: 2048/' -e 's/bridge=vmbr0/bridge=vmbr1/' -e 's/^startup: order=10,up=30$/startup: order=3,up=30/' \
	"$D/same.conf" >"$D/drift.conf"
json_eq "drift: memory, bridge and start order are set back, firewall=1 and up=30 kept" "$(args "$D/drift.conf")" '.set' \
	'["--memory","1024","--startup","order=10,up=30","--net0","name=eth0,bridge=vmbr0,firewall=1,gw=192.168.10.1,hwaddr=BC:24:11:AA:BB:CC,ip=192.168.10.90/24,type=veth"]'

grep -v '^dev1:' "$D/same.conf" >"$D/notun.conf"
json_eq "no tun device: the first free slot (dev0 is the admin's), with the container root as owner" \
	"$(args "$D/notun.conf")" '.set' '["--dev1","/dev/net/tun,gid=0,mode=0660,uid=0"]'
json_eq "no tun device and none wanted: nothing" "$(args "$D/notun.conf" false)" '.set' '[]'
sed -e 's|^dev1: path=/dev/net/tun,gid=0,mode=0660,uid=0$|dev3: /dev/net/tun|' "$D/same.conf" >"$D/tun3.conf"
json_eq "the old devN syntax is recognised" "$(args "$D/tun3.conf")" '.set' '[]'

sed -e 's/^features: nesting=1$/features: keyctl=1/' -e 's/^hostname: vpn$/hostname: old/' "$D/same.conf" >"$D/feat.conf"
json_eq "features merged (keyctl kept), hostname set back" "$(args "$D/feat.conf")" '.set' \
	'["--hostname","vpn","--features","keyctl=1,nesting=1"]'

for s in "size=4G:true" "size=8.5G:false" "size=8589934592:false" "size=8GiB:false" "size=8191M:true"; do
	sed -e "s/size=8G/${s%%:*}/" "$D/same.conf" >"$D/disk.conf"
	json_eq "root disk ${s%%:*}: grow ${s##*:}" "$(args "$D/disk.conf")" '.grow' "${s##*:}"
done
