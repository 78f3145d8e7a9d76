#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# roles/edge_proxy refuses bad sites before any change: a site without names, an upstream that is
# not host:port, a certificate name with "/", an unknown field. Each run fails naming the field,
# and every file of a good run before it (Caddyfile, hook, fail2ban jail and filter, HAProxy's
# configuration) is byte for byte the same after; no file appears where none was. The role
# installs its packages itself (apt, both already there from tests/deps.txt).
source "$(dirname "$0")/../lib.sh"
D=$(mktemp -d)
t_cleanup "rm -rf $D"
source "$(dirname "$0")/../edge-proxy-lib.sh"

# Caddy's user and the certificates' group, made for this test (Debian's caddy user untouched).
U=wpu$T_ID G=wpg$T_ID
groupadd --system "$G"
t_cleanup "groupdel $G"
useradd --system --no-create-home --shell /usr/sbin/nologin "$U"
t_cleanup "userdel $U; groupdel $U"
ep_ca ca
ep_cert ca "$D/etc/certs/web" web.test web.test
mkdir -p "$D/etc/f2b/action.d" "$D/etc/f2b/filter.d" "$D/etc/f2b/jail.d"
: >"$D/etc/f2b/action.d/warren-nft.conf"
base() {
	cat <<YAML
edge_proxy_install: true
edge_proxy_manage_services: false
edge_proxy_caddyfile: $D/etc/Caddyfile
edge_proxy_caddy_user: $U
edge_proxy_cert_group: $G
edge_proxy_caddy_reload: ["true"]
edge_proxy_log_dir: $D/etc/log
edge_proxy_certs_dir: $D/etc/certs
edge_proxy_reload_hook_dir: $D/etc/certs/reload.d
edge_proxy_haproxy_config: $D/etc/haproxy.cfg
edge_proxy_haproxy_reload: ["true"]
edge_proxy_fail2ban_dir: $D/etc/f2b
edge_proxy_fail2ban_reload: ["true"]
edge_proxy_sites:
  - {name: pass, mode: passthrough, names: [pass.test], upstreams: ["10.99.1.2:443"], send_proxy: true}
YAML
}
{
	base
	echo '  - {name: web, names: [web.test, "*.web.test"], cert: web, upstreams: ["10.99.1.2:8080"]}'
} >"$D/vars.yml"
ep_play || { tail -n 20 "$D/out.$EP_N"; t_fail "the good run failed"; }
eq "a good run" "changed=13 failed=0" "$EP_RECAP"
ok "Caddy's user joined the certificates' group" sh -c "id -nG $U | grep -qw $G"
eq "it owns the access logs" "$U" "$(stat -c %U "$D/etc/log/web.access.json")"
snap() { (cd "$D/etc" && find . -type f | sort | xargs sha256sum); }
before=$(snap)

# bad LABEL SITE-YAML EXPECTED-MESSAGE [VARS-YAML]: the run fails with the message and changes
# no file.
bad() {
	{
		[ -z "${4:-}" ] || echo "$4"
		base
		echo "  - $2"
	} >"$D/vars.yml"
	if ep_play; then t_fail "$1: the run succeeded"; fi
	ok "$1: fails naming the field" grep -qF "$3" "$D/out.$EP_N"
	eq "$1: nothing changed" "$before" "$(snap)"
	printf '  %s: %s\n' "$1" "$(grep -o '"msg": "[^"]*' "$D/out.$EP_N" | head -n 1 | cut -c9-160)"
}
bad "a site without names" '{name: web, cert: web, upstreams: ["10.99.1.2:8080"]}' \
	"missing required arguments: names found in edge_proxy_sites"
bad "an empty list of names" '{name: web, names: [], cert: web, upstreams: ["10.99.1.2:8080"]}' \
	"edge_proxy_sites[1].names: needs host names"
bad "a host name with a space" '{name: web, names: ["web .test"], cert: web, upstreams: ["10.99.1.2:8080"]}' \
	"edge_proxy_sites[1].names: needs host names"
bad "an upstream without a port" '{name: web, names: [web.test], cert: web, upstreams: ["10.99.1.2"]}' \
	"edge_proxy_sites[1].upstreams: needs host:port entries, port 1-65535 (['10.99.1.2'])"
bad "an upstream with port 70000" '{name: web, names: [web.test], cert: web, upstreams: ["10.99.1.2:70000"]}' \
	"edge_proxy_sites[1].upstreams: needs host:port entries"
bad "a URL as upstream" '{name: web, names: [web.test], cert: web, upstreams: ["http://10.99.1.2:80"]}' \
	"edge_proxy_sites[1].upstreams: needs host:port entries"
bad "a certificate name with /" '{name: web, names: [web.test], cert: ../web, upstreams: ["10.99.1.2:8080"]}' \
	"edge_proxy_sites[1].cert: needs a certificate name"
bad "no certificate for mode http" '{name: web, names: [web.test], upstreams: ["10.99.1.2:8080"]}' \
	"edge_proxy_sites[1].cert: needs a certificate name"
bad "send_proxy on a Caddy site" '{name: web, names: [web.test], cert: web, upstreams: ["10.99.1.2:8080"], send_proxy: true}' \
	"edge_proxy_sites[1].mode: http does not go with"
bad "a header value with a quote" "{name: web, names: [web.test], cert: web, upstreams: ['10.99.1.2:8080'], response_headers: {X-A: 'a\"b'}}" \
	"edge_proxy_sites[1].request_headers/response_headers"
bad "a duplicate site name" '{name: pass, names: [web.test], cert: web, upstreams: ["10.99.1.2:8080"]}' \
	"edge_proxy_sites[1].name: not unique"
bad "a misspelt field" '{name: web, names: [web.test], cert: web, upstream: ["10.99.1.2:8080"]}' \
	"edge_proxy_sites.upstream. Supported parameters include"
bad "a certificate that is not there" '{name: web, names: [web.test], cert: nothere, upstreams: ["10.99.1.2:8080"]}' \
	"nothere/fullchain.pem: no such file or directory"

{
	base
	echo '  - {name: web, names: [web.test, "*.web.test"], cert: web, upstreams: ["10.99.1.2:8080"]}'
} >"$D/vars.yml"
ep_play || t_fail "the good run again failed"
eq "the good configuration again changes nothing" "changed=0 failed=0" "$EP_RECAP"

# HAProxy alone (edge_proxy_backend: haproxy): it owns the HTTPS port; a Caddy site is refused.
{
	base
	echo 'edge_proxy_backend: haproxy'
	echo 'edge_proxy_https_port: 4443'
} >"$D/vars.yml"
ep_play || { tail -n 20 "$D/out.$EP_N"; t_fail "the HAProxy-only run failed"; }
ok "HAProxy alone binds the HTTPS port (haproxy -c passed)" grep -qx '	bind :4443' "$D/etc/haproxy.cfg"
ok "with PROXY v2 to the upstream" grep -qx '	server u0 10.99.1.2:443 send-proxy-v2' "$D/etc/haproxy.cfg"
before=$(snap)
bad "a Caddy site with backend haproxy" '{name: web, names: [web.test], cert: web, upstreams: ["10.99.1.2:8080"]}' \
	"edge_proxy_sites[1].mode: http does not go with" "edge_proxy_backend: haproxy"
