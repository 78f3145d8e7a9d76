#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# roles/warren_hardening's fail2ban: the role's jail (backend = systemd) and action, with a real
# fail2ban-server, systemd-journald and sshd, all inside the edge's network namespace and a
# private mount namespace (the host runs no systemd: journald gets its own /run/systemd,
# /run/log and a cgroup2 mount there). sshd's log reaches the journal through systemd-cat, so
# the jail matches SYSLOG_IDENTIFIER=sshd instead of the unit (set by the role's variable).
# Asserts: a brute force from an "internet" namespace gets banned, the ban is in warren's nft set
# (made by nft-apply), the attacker can no longer connect, the ban expires; an IPv6 attacker
# lands in ban6; an ignored admin address failing as often is never banned.
source "$(dirname "$0")/../lib.sh"

TOP=$(cd "$(dirname "$0")/../.." && pwd)
E=fe$T_ID A=fa$T_ID O=fo$T_ID
PORT=2222 BANTIME=15
D=$(mktemp -d)
t_cleanup "rm -rf $D"
t_edge_nets "$E" "$A" "$O"
t_cleanup "ip netns exec $E $WARREN_BIN/nft-apply delete"

# warren's table with its ban sets.
cat >"$D/p.json" <<JSON
{"interface": "wg$T_ID", "listen_port": 51820, "vpn_subnet": "10.95.0.0/24", "bans": true}
JSON
json_eq "nft-apply makes the ban sets" "$(nsx "$E" "$WARREN_BIN/nft-apply" "$D/p.json")" '.changed' 'true'

# fail2ban's configuration: Debian's, plus the role's jail and action rendered by Ansible.
cp -a /etc/fail2ban "$D/f2b"
t_f2b_private "$D"
cat >"$D/play.yml" <<YAML
- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Write the role's fail2ban jail and action.
      ansible.builtin.include_role:
        name: warren_hardening
        tasks_from: fail2ban
      vars:
        warren_hardening_fail2ban_install: false
        warren_hardening_fail2ban_dir: $D/f2b
        warren_hardening_fail2ban_reload: ["true"]
        warren_hardening_fail2ban_ignoreip: [198.51.101.9]
        warren_hardening_fail2ban_maxretry: 3
        warren_hardening_fail2ban_bantime: $BANTIME
        warren_hardening_fail2ban_port: "$PORT"
        warren_hardening_fail2ban_journalmatch: SYSLOG_IDENTIFIER=sshd
YAML
play() { (cd "$TOP" && ANSIBLE_STDOUT_CALLBACK=json ansible-playbook -i localhost, "$D/play.yml"); }
eq "the role writes the jail and the action" "[3,0]" "$(play | jq -c '.stats.localhost | [.changed, .failures]')"
eq "a second run changes nothing" "[0,0]" "$(play | jq -c '.stats.localhost | [.changed, .failures]')"
ok "the jail uses the systemd backend" grep -qx "backend = systemd" "$D/f2b/jail.d/warren.local"

# sshd (keys only: every attempt without the key fails), its host key and config.
ssh-keygen -q -t ed25519 -N '' -f "$D/hk"
cat >"$D/sshd_config" <<CONF
Port $PORT
HostKey $D/hk
PidFile $D/sshd.pid
PasswordAuthentication no
KbdInteractiveAuthentication no
AuthorizedKeysFile none
CONF
if [ ! -d /run/sshd ]; then t_cleanup "rmdir /run/sshd"; fi
# journald, sshd and fail2ban in one private mount namespace (inside the edge's netns).
cat >"$D/inner.sh" <<SH
#!/bin/bash
set -e
mount -t tmpfs tmpfs /run/systemd
mount -t tmpfs tmpfs /run/log
mount -t cgroup2 none /sys/fs/cgroup
mkdir -p /run/sshd
/lib/systemd/systemd-journald >"$D/journald.log" 2>&1 &
for i in \$(seq 100); do systemd-cat -t probe true 2>/dev/null && break; sleep 0.05; done
systemd-cat -t sshd /usr/sbin/sshd -D -e -f "$D/sshd_config" &
fail2ban-server -f -x -c "$D/f2b" >"$D/f2b.out" 2>&1 &
echo \$\$ >"$D/inner.pid"
wait
SH
chmod 0755 "$D/inner.sh"
nsx "$E" unshare -m --propagation private "$D/inner.sh" &
t_cleanup "kill -- -\$(cat $D/inner.pid) $! ; pkill -P \$(cat $D/inner.pid)"
ok "sshd listens" t_wait 10 nsx "$E" nc -z 127.0.0.1 $PORT
f2b() { nsenter -t "$(cat "$D/inner.pid")" -m -n fail2ban-client -c "$D/f2b" "$@"; }
ok "fail2ban runs the sshd jail" t_wait 20 f2b status sshd
banned() { nsx "$E" nft -j list set inet warren "$1" | jq -r '[.nftables[1].set.elem[]? | .elem.val // .] | join(" ")'; }
attempt() { nsx "$1" ssh -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
	-o ConnectTimeout=2 -p $PORT "intruder@$2" true >/dev/null 2>&1 || true; }

ok "the attacker reaches sshd before" nsx "$A" nc -z -w 2 198.51.100.1 $PORT
for _ in 1 2 3 4; do attempt "$A" 198.51.100.1; attempt "$O" 198.51.101.1; attempt "$O" 198.51.101.1; done
ok "the attacker is banned into warren's ban4" t_wait 30 sh -c "[ \"\$(ip netns exec $E nft -j list set inet warren ban4 | jq -r '.nftables[1].set.elem[0].elem.val')\" = 198.51.100.9 ]"
fails "the banned attacker can no longer connect" nsx "$A" nc -z -w 2 198.51.100.1 $PORT
echo "  ban4: $(banned ban4); fail2ban: $(f2b status sshd | tr -s ' \t\n' ' ' | sed 's/.*Actions//')"
ok "the ignored admin, with 8 failures, still connects" nsx "$O" nc -z -w 2 198.51.101.1 $PORT
nomatch "the admin is never in the set" -F 198.51.101.9 <<<"$(banned ban4)"
ok "the ban expires (bantime $BANTIME s)" t_wait $((BANTIME + 10)) nsx "$A" nc -z -w 1 198.51.100.1 $PORT
eq "and leaves the set" "" "$(banned ban4)"

for _ in 1 2 3 4; do attempt "$A" 2001:db8:a::1; done
ok "an IPv6 attacker lands in ban6" t_wait 30 sh -c "[ \"\$(ip netns exec $E nft -j list set inet warren ban6 | jq -r '.nftables[1].set.elem[0].elem.val')\" = 2001:db8:a::9 ]"
fails "and cannot connect over IPv6" nsx "$A" nc -z -w 2 2001:db8:a::1 $PORT
