#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# roles/warren_hardening's sysctls, run by Ansible inside a network namespace standing in for an
# unprivileged container: the net.* values are set there (and in the role's sysctl.d file), the
# host's own values are untouched, forwarding stays on, a second run changes nothing, and a
# sysctl outside net.* or one that turns forwarding off is refused before any change.
source "$(dirname "$0")/../lib.sh"

TOP=$(cd "$(dirname "$0")/../.." && pwd)
N=hs$T_ID
D=$(mktemp -d)
t_cleanup "rm -rf $D"
t_ns "$N"
cat >"$D/play.yml" <<YAML
- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Apply the hardening role's sysctls.
      ansible.builtin.include_role:
        name: warren_hardening
        tasks_from: sysctl
      vars:
        warren_hardening_sysctl_file: $D/60-warren-hardening.conf
YAML
play() { (cd "$TOP" && ip netns exec "$N" env ANSIBLE_STDOUT_CALLBACK=json ansible-playbook -i localhost, "$D/play.yml" "$@"); }
stats() { jq -c '.stats.localhost | [.changed, .failures]'; }
host_before=$(sysctl -n net.ipv4.conf.all.accept_redirects net.ipv4.ip_forward | tr '\n' ' ')
eq "forwarding starts off in the namespace" "0" "$(nsx "$N" sysctl -n net.ipv4.ip_forward)"

eq "the first run sets them" "[1,0]" "$(play | stats)"
eq "no redirects accepted" "0" "$(nsx "$N" sysctl -n net.ipv4.conf.all.accept_redirects)"
eq "IPv6 redirects too" "0" "$(nsx "$N" sysctl -n net.ipv6.conf.all.accept_redirects)"
eq "IPv4 forwarding on" "1" "$(nsx "$N" sysctl -n net.ipv4.ip_forward)"
eq "IPv6 forwarding on (IPv6 is not turned off)" "1 0" \
	"$(nsx "$N" sysctl -n net.ipv6.conf.all.forwarding net.ipv6.conf.all.disable_ipv6 | tr '\n' ' ' | sed 's/ $//')"
ok "the sysctl.d file holds them for the next boot" grep -qx "net.ipv4.ip_forward=1" "$D/60-warren-hardening.conf"
eq "the host's own values are untouched" "$host_before" \
	"$(sysctl -n net.ipv4.conf.all.accept_redirects net.ipv4.ip_forward | tr '\n' ' ')"
eq "a second run changes nothing" "[0,0]" "$(play | stats)"

cp "$D/60-warren-hardening.conf" "$D/before"
refused() { # SYSCTL VALUE: the run fails on the role's check, naming the sysctl
	local out
	out=$(play -e "{\"warren_hardening_sysctls\": {\"$1\": $2}}") && t_fail "$1=$2 went through"
	json_eq "$1=$2 is refused by name" "$out" \
		"[.. | .msg? | strings | select(test(\"warren_hardening_sysctls.$1: only net\"))] | length > 0" 'true'
}
refused kernel.kptr_restrict 2
refused net.ipv4.ip_forward 0
ok "nothing was changed by the refused runs" cmp "$D/before" "$D/60-warren-hardening.conf"
eq "forwarding still on" "1" "$(nsx "$N" sysctl -n net.ipv4.ip_forward)"
