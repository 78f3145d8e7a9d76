# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# For tests/integration/edge-proxy*.sh: test certificates in roles/edge_certs' layout and a
# playbook that runs roles/edge_proxy. Source it after tests/lib.sh with $D the test's directory.
#   ep_ca NAME                  a CA: $D/NAME.key, $D/NAME.pem
#   ep_cert CA DIR CN SAN...    DIR/fullchain.pem (leaf + CA) and DIR/privkey.pem (0600)
#   ep_play [ARGS...]           ansible-playbook on $D/play.yml with $D/vars.yml (inside network
#                               namespace $EP_NS if set); output in $D/out.N, "changed=C
#                               failed=F" of the recap in $EP_RECAP
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export ANSIBLE_ROLES_PATH=$TOP/roles ANSIBLE_LIBRARY=$TOP/library ANSIBLE_NOCOLOR=1
export ANSIBLE_MODULE_UTILS=$TOP/module_utils ANSIBLE_FILTER_PLUGINS=$TOP/filter_plugins
export ANSIBLE_LOCAL_TEMP=$D/ansible-tmp ANSIBLE_RETRY_FILES_ENABLED=0
export ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 ANSIBLE_CONFIG=$TOP/ansible.cfg

ep_ca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-keyout "$D/$1.key" -out "$D/$1.pem" -subj "/CN=$1" 2>/dev/null
}

ep_cert() {
	local ca=$1 dir=$2 cn=$3 san
	shift 3
	san=$(printf 'DNS:%s,' "$@")
	mkdir -p "$dir"
	(umask 077 && openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$dir/privkey.new" -out "$dir/req.csr" -subj "/CN=$cn" 2>/dev/null)
	openssl x509 -req -in "$dir/req.csr" -CA "$D/$ca.pem" -CAkey "$D/$ca.key" -set_serial "0x$(openssl rand -hex 8)" \
		-days 2 -extfile <(printf 'subjectAltName=%s\n' "${san%,}") -out "$dir/leaf.pem" 2>/dev/null
	cat "$dir/leaf.pem" "$D/$ca.pem" >"$dir/fullchain.new"
	mv "$dir/privkey.new" "$dir/privkey.pem"
	mv "$dir/fullchain.new" "$dir/fullchain.pem"
	rm -f "$dir/req.csr" "$dir/leaf.pem"
}

cat >"$D/play.yml" <<YAML
- name: Run roles/edge_proxy.
  hosts: localhost
  connection: local
  gather_facts: false
  vars_files: [$D/vars.yml]
  roles:
    - edge_proxy
YAML
EP_N=0
# shellcheck disable=SC2034 # read by the suites
EP_RECAP=""
ep_play() {
	EP_N=$((EP_N + 1))
	local rc=0
	if [ -n "${EP_NS:-}" ]; then set -- ip netns exec "$EP_NS" ansible-playbook "$@"; else set -- ansible-playbook "$@"; fi
	"$@" -i localhost, "$D/play.yml" >"$D/out.$EP_N" 2>&1 || rc=$?
	# shellcheck disable=SC2034 # read by the suites
	EP_RECAP=$(grep -o 'changed=[0-9]* .*failed=[0-9]*' "$D/out.$EP_N" | awk '{print $1, $3}')
	return $rc
}
