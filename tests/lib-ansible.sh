# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# For the suites that run roles/wireguard_peers with ansible-playbook against localhost: a
# temporary inventory with host srv, a vault password, and Ansible pointed at the repository.
# Source it after tests/lib.sh, with $D the test's temporary directory. Sets REPO, INV (the
# inventory) and DATA (srv's wg0 data directory), and the functions below; the suite writes
# $D/play.yml (whose last task keeps the facts the test reads in $D/facts.json).
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
INV=$D/inv
# shellcheck disable=SC2034 # for the suites that source this
DATA=$INV/wireguard/srv/wg0
mkdir -p "$INV/host_vars" "$D/tmp"
(umask 077 && head -c 24 /dev/urandom | base64 >"$D/vault-pass")
: >"$D/ansible.cfg"
export ANSIBLE_CONFIG=$D/ansible.cfg ANSIBLE_LIBRARY=$REPO/library ANSIBLE_ROLES_PATH=$REPO/roles
export ANSIBLE_MODULE_UTILS=$REPO/module_utils ANSIBLE_FILTER_PLUGINS=$REPO/filter_plugins
export ANSIBLE_VAULT_PASSWORD_FILE=$D/vault-pass ANSIBLE_NOCOLOR=1 ANSIBLE_LOCAL_TEMP=$D/tmp
export ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3
printf '[vpn]\nsrv ansible_connection=local\n' >"$INV/hosts.ini"

N=0
# play [ARGS...]: runs the playbook with -v, output kept in $D/out.N (all runs are searched for keys).
play() {
	N=$((N + 1))
	ansible-playbook -v -i "$INV/hosts.ini" "$D/play.yml" "$@" >"$D/out.$N" 2>&1
}
recap() { grep -o 'changed=[0-9]* *unreachable=0 *failed=[0-9]*' "$D/out.$N" | awk '{print $1, $3}'; }
# Tasks that reported a change, but the test's own bookkeeping (the facts file).
changed_tasks() { awk '/^TASK \[/ { t = $0 } /^changed: / { print t }' "$D/out.$N" | sort -u | grep -v 'Keep the facts' || true; }
fact() { jq -cS "$@" "$D/facts.json"; }
vault() { ansible-vault view "$DATA/keys.vault.yml"; }
