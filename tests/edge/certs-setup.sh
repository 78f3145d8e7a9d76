# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Shared by tests/integration/edge-certs*.sh: source after tests/lib.sh. A namespace with bind9
# (zones example.org, example.net, blocked.test; TSIG key warren-acme) and pebble (blocked.test
# refused by policy), a vault with the TSIG secret and an ACME account key, and roles/edge_certs
# pointed at $D. Sets D, NS, GRP, SECRET, CERTS (installed certificates), and:
#   certs_play [ARGS...]           runs the role inside NS (output in $D/out.N), ARGS to
#                                  ansible-playbook (-e JSON, --check)
#   certs_run ARGS...              runs the installed warren-certs inside NS
#   renew_ok NAME                  what Zabbix's warren.cert.renew_ok[NAME] reads (1 or 0)
#   serial NAME                    serial of the installed NAME/cert.pem (hex, lower case)
#   status NAME FILTER             jq FILTER on the status file of NAME
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=tests/edge/edge-lib.sh
source "$here/edge/edge-lib.sh"
D=$(mktemp -d)
chmod 0755 "$D" # the Zabbix agent (user zabbix) reads the status files below it
t_cleanup "rm -rf $D"
NS=ec$T_ID
GRP=wc$T_ID
CERTS=$D/etc/certs
t_ns "$NS"
edge_resolv "$NS" 127.0.0.1
edge_tls_ca "$D"
SECRET=$(edge_tsig_secret)
edge_bind "$NS" "$D" 127.0.0.1 warren-acme "$SECRET" example.org example.net:www,api blocked.test:www
edge_pebble "$NS" "$D" 127.0.0.1 blocked.test
t_cleanup "groupdel $GRP"
# shellcheck source=tests/lib-ansible.sh
source "$here/lib-ansible.sh"
openssl ecparam -name prime256v1 -genkey -noout -out "$D/account.key" 2>/dev/null
{
	echo "vault_tsig_secret: $SECRET"
	echo "vault_account_key: |"
	sed 's/^/  /' "$D/account.key"
} >"$D/vault.yml"
ansible-vault encrypt "$D/vault.yml" >/dev/null
cat >"$D/play.yml" <<PLAY
- name: Certificates for the edge.
  hosts: srv
  gather_facts: false
  vars_files: [$D/vault.yml]
  vars:
    edge_certs_acme_server: https://127.0.0.1:14000/dir
    edge_certs_email: admin@example.org
    edge_certs_certificates:
      - {name: wild, domains: [example.org, "*.example.org"]}
      - {name: multi, domains: [www.example.net, api.example.net, example.net], key_type: rsa2048}
    edge_certs_nameserver: 127.0.0.1:53
    edge_certs_tsig_key_name: warren-acme
    edge_certs_tsig_secret: "{{ vault_tsig_secret }}"
    edge_certs_account_key: "{{ vault_account_key }}"
    edge_certs_resolvers: [127.0.0.1:53]
    edge_certs_propagation_timeout: 15
    edge_certs_ca_root: $D/root.pem
    edge_certs_acme_tls_ca: $D/ca.pem
    edge_certs_group: $GRP
    edge_certs_dir: $CERTS
    edge_certs_reload_dir: $CERTS/reload.d
    edge_certs_state_dir: $D/state
    edge_certs_lego_path: $D/lego
    edge_certs_script: $D/bin/warren-certs
    edge_certs_config: $CERTS/certs.json
    edge_certs_install_packages: false
    edge_certs_systemd_dir: $D/systemd
    edge_certs_zabbix_agent_dir: $D/zabbix
    edge_certs_textfile_dir: $D/textfile
  pre_tasks:
    - name: Create the directories a real host has.
      ansible.builtin.file: {path: "{{ item }}", state: directory, mode: "0755"}
      loop: [$D/bin, $D/systemd, $D/zabbix]
  roles: [edge_certs]
PLAY
certs_play() {
	N=$((N + 1))
	ip netns exec "$NS" ansible-playbook -v -i "$INV/hosts.ini" "$D/play.yml" "$@" >"$D/out.$N" 2>&1
}
certs_run() { ip netns exec "$NS" "$D/bin/warren-certs" --config "$CERTS/certs.json" "$@"; }
renew_ok() { "$D/bin/warren-certs" --state-dir "$D/state" renew-ok "$1"; }
serial() { openssl x509 -noout -serial -in "$CERTS/$1/cert.pem" | cut -d= -f2 | tr 'A-F' 'a-f' | sed 's/^0*//'; }
status() { jq -r "$2" "$D/state/$1.json"; }
