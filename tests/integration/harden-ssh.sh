#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# playbooks/edge.yml (nft-apply, then roles/warren_hardening) against a real sshd (Debian's
# OpenSSH, Debian's own sshd_config with its Include) in a network namespace, with cloud-init's
# drop-in turning passwords back on:
#   - nft-apply's table has the ban sets and the clamp; only the listed source reaches sshd;
#   - the role's 00- drop-in wins: sshd -T says passwordauthentication no, and a password login
#     is refused (the server offers publickey only); the admin's key still logs in;
#   - ssh-audit passes the policy kept in the repository;
#   - a second run changes nothing;
#   - a change sshd -t refuses, and a change sshd accepts but that locks the admin out, are both
#     rolled back: the previous drop-in is back byte for byte and the admin logs in.
source "$(dirname "$0")/../lib.sh"

TOP=$(cd "$(dirname "$0")/../.." && pwd)
E=he$T_ID
PORT=2222
D=$(mktemp -d)
t_cleanup "rm -rf $D"
t_ns "$E"
t_cleanup "ip netns exec $E $WARREN_BIN/nft-apply delete" # and its witness file
if [ ! -d /run/sshd ]; then t_cleanup "rmdir /run/sshd"; fi

# sshd: Debian's sshd_config, its Include pointed at the test's directory; the test's own port,
# host keys and pid file. StrictModes off only because the test's files live under /tmp.
mkdir -p "$D/sshd_config.d" "$D/ak"
sed "s|^Include /etc/ssh/sshd_config.d/\*.conf|Include $D/sshd_config.d/*.conf|" \
	/etc/ssh/sshd_config >"$D/sshd_config"
grep -q "^Include $D/" "$D/sshd_config" || t_fail "Debian's sshd_config has no Include line"
cat >>"$D/sshd_config" <<CONF
Port $PORT
ListenAddress 127.0.0.1
HostKey $D/hk_ed25519
HostKey $D/hk_rsa
PidFile $D/sshd.pid
StrictModes no
AuthorizedKeysFile $D/ak/%u
CONF
printf 'PasswordAuthentication yes\n' >"$D/sshd_config.d/50-cloud-init.conf"
ssh-keygen -q -t ed25519 -N '' -f "$D/hk_ed25519"
ssh-keygen -q -t rsa -b 3072 -N '' -f "$D/hk_rsa"
ssh-keygen -q -t ed25519 -N '' -f "$D/admin"
cp "$D/admin.pub" "$D/ak/root"
mkdir -p /run/sshd
nsx "$E" /usr/sbin/sshd -f "$D/sshd_config"
t_cleanup "kill \$(cat $D/sshd.pid)"
ok "sshd listens" t_wait 5 nsx "$E" nc -z 127.0.0.1 $PORT

SSH=(ssh -o "ProxyCommand=ip netns exec $E nc %h %p" -o "UserKnownHostsFile=$D/kh"
	-o StrictHostKeyChecking=accept-new -o BatchMode=yes -o ConnectTimeout=5 -p "$PORT")
admin() { "${SSH[@]}" -o IdentitiesOnly=yes -i "$D/admin" root@127.0.0.1 true; }
methods() { # what the server offers to a client without a key
	"${SSH[@]}" -o PubkeyAuthentication=no -o PreferredAuthentications=password \
		nobody@127.0.0.1 true 2>&1 | sed -n 's/.*Permission denied (\(.*\)).*/\1/p'
}
effective() { sshd -T -f "$D/sshd_config" | grep "^$1 "; }

ok "before: the admin logs in" admin
eq "before: cloud-init's file turns passwords on" "passwordauthentication yes" \
	"$(effective passwordauthentication)"
eq "before: the server offers passwords" "publickey,password" "$(methods)"

# playbooks/edge.yml with this host in its "edge" group: the firewall, then the role.
cat >"$D/inv.yml" <<YAML
edge:
  hosts:
    localhost:
      ansible_connection: local
      warren_edge_nft_helper: $WARREN_BIN/nft-apply
      warren_edge_nft_policy:
        interface: wge$T_ID
        listen_port: 51820
        vpn_subnet: 10.94.0.0/24
        input: [{name: ssh, proto: tcp, ports: [$PORT], sources: [127.0.0.1]}]
      warren_hardening_sshd_config_dir: $D/sshd_config.d
      warren_hardening_sshd_config: $D/sshd_config
      warren_hardening_sshd_reload: [sh, -c, "kill -HUP \$(cat $D/sshd.pid)"]
      warren_hardening_authorized_keys_file: $D/ak/%u
      warren_hardening_login_host: 127.0.0.1
      warren_hardening_login_port: $PORT
      warren_hardening_login_key: $D/admin
      warren_hardening_login_ssh_options: [-o, "ProxyCommand=ip netns exec $E nc %h %p",
                                           -o, "UserKnownHostsFile=$D/kh"]
      warren_hardening_sshd_options: "{{ extra | default({}) }}"
      warren_hardening_sysctl_file: $D/60-warren-hardening.conf
      warren_hardening_fail2ban_enabled: false  # harden-f2b.sh
YAML
# Inside the namespace, as inside the edge's container: the role's sysctls land there.
play() { (cd "$TOP" && ip netns exec "$E" env ANSIBLE_STDOUT_CALLBACK=json ansible-playbook -i "$D/inv.yml" playbooks/edge.yml "$@"); }
stats() { jq -c '.stats.localhost | [.changed, .failures]'; }

out=$(play) || t_fail "the role failed: $(echo "$out" | jq -c '[.plays[].tasks[].hosts.localhost | select(.failed) | .msg]')"
eq "edge.yml changed the firewall, the sysctls and sshd" "[4,0]" "$(echo "$out" | stats)"
eq "the drop-in wins over cloud-init's" "passwordauthentication no" "$(effective passwordauthentication)"
eq "key exchanges chosen from ssh -Q" \
	"kexalgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512" \
	"$(effective kexalgorithms)"
publickey_only() { [ "$(methods)" = publickey ]; }
ok "the running sshd reloaded: it offers publickey only" t_wait 5 publickey_only
eq "a password login is refused" "publickey" "$(methods)"
ok "the admin logs in with the key" admin
ok "the firewall has fail2ban's ban sets and the MSS clamp" sh -c "ip netns exec $E nft list table inet warren |
	grep -q 'set ban6' && ip netns exec $E nft list table inet warren | grep -q 'maxseg size set rt mtu'"
fails "only the listed source reaches sshd (the namespace's own other address)" \
	nsx "$E" nc -z -w 2 -s 127.0.0.2 127.0.0.1 "$PORT"
ok "ssh-audit passes the repository's policy" \
	nsx "$E" ssh-audit -P "$TOP/roles/warren_hardening/files/ssh-audit-policy.txt" -p $PORT 127.0.0.1
eq "a second run changes nothing" "[0,0]" "$(play | stats)"
cp "$D/sshd_config.d/00-warren.conf" "$D/good.conf"

# A change sshd -t refuses: never reloaded, the previous file back.
out=$(play -e '{"extra": {"MaxAuthTries": "lots"}}') && t_fail "a bad option went through"
json_eq "sshd -t refused it, and the role says it rolled back" "$out" \
	'[.plays[].tasks[].hosts.localhost | select(.msg? and (.msg | test("rolled back"))) | .msg | test("Test the whole sshd")] | length > 0' 'true'
rolled() { jq -r '[.plays[].tasks[].hosts.localhost | select(.msg? and (.msg | test("rolled back"))) | .msg][0]'; }
echo "  $(echo "$out" | rolled)"
ok "the previous drop-in is back" cmp "$D/good.conf" "$D/sshd_config.d/00-warren.conf"
ok "the admin still logs in" admin

# A change sshd accepts that locks the admin out: reloaded, the fresh login fails, rolled back.
out=$(play -e '{"extra": {"AllowUsers": "nobody"}}') && t_fail "a lock-out went through"
json_eq "the fresh login failed, and the role rolled back" "$out" \
	'[.plays[].tasks[].hosts.localhost | select(.msg? and (.msg | test("rolled back"))) | .msg | test("Log in afresh")] | length > 0' 'true'
echo "  $(echo "$out" | rolled)"
ok "the previous drop-in is back after the lock-out" cmp "$D/good.conf" "$D/sshd_config.d/00-warren.conf"
eq "the running sshd has no AllowUsers" "" "$(effective allowusers || true)"
ok "the admin logs in after the rollback" t_wait 5 admin
eq "and a run after all that changes nothing" "[0,0]" "$(play | stats)"
