#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# roles/edge_proxy with real Caddy, HAProxy and fail2ban on an edge namespace, a client on an
# "internet" namespace and the home lab's web server behind a real WireGuard tunnel
# (wireguard-go). The role runs with ansible-playbook inside the edge's namespace.
#   I (internet: 198.51.100.9 client/attacker, .10 admin) - E (edge: Caddy :80/:443, HAProxy
#   :8443, fail2ban, nft-apply's ban sets) =wg= H (home lab: 10.99.1.2 web and TLS servers)
# Asserts: names per site by s_client (wildcard, multi-name), the request reaches the home lab
# through the tunnel with the client's address in X-Forwarded-For (a forged one replaced),
# headers, redirect, HSTS; passthrough keeps the backend's certificate, PROXY v2 carries the
# client's address; a certificate replaced and reload.d/50-caddy run: the new serial is served
# and no request of a client looping through it fails; a 401/403 storm bans the attacker into
# ban4 and its connections fail, the ignored admin is never banned; second run changed=0.
source "$(dirname "$0")/../lib.sh"
D=$(mktemp -d)
t_cleanup "rm -rf $D"
source "$(dirname "$0")/../edge-proxy-lib.sh"

I=pi$T_ID E=pe$T_ID H=ph$T_ID
t_ns "$I"
t_ns "$E"
t_veth "$I" "i$T_ID" 198.51.100.9/24 "$E" "ei$T_ID" 198.51.100.1/24
ip -n "$I" addr add 198.51.100.10/24 dev "i$T_ID"
ip -n "$I" addr add 2001:db8:51::9/64 dev "i$T_ID" nodad
ip -n "$E" addr add 2001:db8:51::1/64 dev "ei$T_ID" nodad
t_tunnel "$D" "$E" "we$T_ID" "$H" "wh$T_ID" 10.201.0 10.99.1
ok "the home lab reaches the edge across the tunnel" t_wait 10 nsx "$H" ping -c 1 -W 1 -q 10.99.1.1
t_cleanup "ip netns exec $E $WARREN_BIN/nft-apply delete"
cat >"$D/nft.json" <<JSON
{"interface": "we$T_ID", "listen_port": 51820, "vpn_subnet": "10.99.1.0/24", "bans": true}
JSON
json_eq "nft-apply makes the ban sets" "$(nsx "$E" "$WARREN_BIN/nft-apply" "$D/nft.json")" '.changed' 'true'

# Certificates in roles/edge_certs' layout, from a test CA; the passthrough backend's own CA.
ep_ca edgeca
ep_ca homelabca
ep_cert edgeca "$D/certs/wild" '*.wild.test' '*.wild.test'
ep_cert edgeca "$D/certs/multi" a.multi.test a.multi.test b.multi.test
ep_cert homelabca "$D/hl" pass.test pass.test proxy.test

# The home lab: a web server (HTTP) and two TLS servers, one reading PROXY protocol v2. Every
# daemon is started with ip netns exec (which execs it), so $! is the daemon the cleanup kills.
UP=$(dirname "$0")/edge-proxy-upstream.py
ip netns exec "$H" "$UP" --bind 10.99.1.2 --port 8080 --log "$D/web.log" &
t_cleanup "kill $! ; wait $!"
ip netns exec "$H" "$UP" --bind 10.99.1.2 --port 9443 --log "$D/tls.log" --tls "$D/hl/fullchain.pem" "$D/hl/privkey.pem" &
t_cleanup "kill $! ; wait $!"
ip netns exec "$H" "$UP" --bind 10.99.1.2 --port 9444 --log "$D/tls.log" --tls "$D/hl/fullchain.pem" "$D/hl/privkey.pem" --proxy-v2 &
t_cleanup "kill $! ; wait $!"

# Caddy (an empty configuration and its admin endpoint, as a fresh service), HAProxy started by
# the role's reload command, fail2ban with warren_hardening's action (rendered by that role).
mkdir -p "$D/empty" "$D/xdg" "$D/log" "$D/f2b"
(cd "$D/empty" && XDG_DATA_HOME=$D/xdg XDG_CONFIG_HOME=$D/xdg exec ip netns exec "$E" caddy run >"$D/caddy.log" 2>&1) &
t_cleanup "kill $! ; wait $!"
ok "Caddy's admin endpoint is up" t_wait 10 nsx "$E" curl -sf http://localhost:2019/config/
cat >"$D/haproxy-reload" <<SH
#!/bin/sh
# start, or reload with the old process finishing its connections (-sf)
if [ -s $D/haproxy.pid ] && kill -0 \$(cat $D/haproxy.pid) 2>/dev/null; then
	exec haproxy -D -f $D/haproxy.cfg -p $D/haproxy.pid -sf \$(cat $D/haproxy.pid)
fi
exec haproxy -D -f $D/haproxy.cfg -p $D/haproxy.pid
SH
chmod 755 "$D/haproxy-reload"
t_cleanup "kill \$(cat $D/haproxy.pid)"
cp -a /etc/fail2ban/. "$D/f2b/"
rm -f "$D/f2b/jail.d/"*
t_f2b_private "$D"
cat >"$D/hardening.yml" <<YAML
- name: Install warren_hardening's ban action.
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Write the action (and the sshd jail, removed below as this edge has no journal).
      ansible.builtin.include_role:
        name: warren_hardening
        tasks_from: fail2ban
      vars:
        warren_hardening_fail2ban_install: false
        warren_hardening_fail2ban_dir: $D/f2b
        warren_hardening_fail2ban_reload: ["true"]
YAML
ansible-playbook -i localhost, "$D/hardening.yml" >"$D/hardening.out" 2>&1 || { tail -n 20 "$D/hardening.out"; t_fail "warren_hardening's play failed"; }
rm -f "$D/f2b/jail.d/warren.local"
ip netns exec "$E" fail2ban-server -f -x -c "$D/f2b" >"$D/f2b.out" 2>&1 &
t_cleanup "kill $! ; wait $!"
f2b() { nsx "$E" fail2ban-client -c "$D/f2b" "$@"; }
ok "fail2ban is up" t_wait 20 f2b ping

cat >"$D/vars.yml" <<YAML
edge_proxy_install: false
edge_proxy_manage_services: false
edge_proxy_caddyfile: $D/Caddyfile
edge_proxy_caddy_user: root
edge_proxy_log_dir: $D/log
edge_proxy_certs_dir: $D/certs
edge_proxy_reload_hook_dir: $D/certs/reload.d
edge_proxy_haproxy_config: $D/haproxy.cfg
edge_proxy_haproxy_reload: [$D/haproxy-reload]
edge_proxy_fail2ban_dir: $D/f2b
edge_proxy_fail2ban_reload: [fail2ban-client, -c, $D/f2b, reload]
edge_proxy_fail2ban_maxretry: 5
warren_hardening_fail2ban_ignoreip: [198.51.100.10]
edge_proxy_sites:
  - name: wild
    names: ["*.wild.test"]
    cert: wild
    upstreams: ["10.99.1.2:8080"]
    hsts: true
    request_headers: {X-Warren-Test: from-edge}
    response_headers: {X-Served-By: warren-edge}
  - name: multi
    names: [a.multi.test, b.multi.test]
    cert: multi
    upstreams: ["10.99.1.2:8080"]
  - name: pass
    mode: passthrough
    names: [pass.test, "*.pass.test"]
    upstreams: ["10.99.1.2:9443"]
  - name: proxied
    mode: passthrough
    names: [proxy.test]
    upstreams: ["10.99.1.2:9444"]
    send_proxy: true
YAML
EP_NS=$E
ep_play || { tail -n 30 "$D/out.$EP_N"; t_fail "the role failed inside the edge"; }
echo "  first run: $EP_RECAP"
ok "Caddy serves the sites" t_wait 10 nsx "$I" curl -sf -o /dev/null --cacert "$D/edgeca.pem" \
	--resolve x.wild.test:443:198.51.100.1 https://x.wild.test/
ok "the reload hook is installed" test -x "$D/certs/reload.d/50-caddy"

# Names: the wildcard site and the multi-name site, each verified up to the test CA.
sans() {
	nsx "$I" openssl s_client -connect 198.51.100.1:"${2:-443}" -servername "$1" ${3:+-CAfile "$3"} </dev/null 2>/dev/null |
		openssl x509 -noout -ext subjectAltName | tail -n +2 | tr -d ' '
}
eq "s_client sees the wildcard for x.wild.test" "DNS:*.wild.test" "$(sans x.wild.test)"
eq "s_client sees both names for b.multi.test" "DNS:a.multi.test,DNS:b.multi.test" "$(sans b.multi.test)"
ok "the chain verifies up to the CA" sh -c "ip netns exec $I openssl s_client -connect 198.51.100.1:443 \
	-servername a.multi.test -CAfile $D/edgeca.pem -verify_return_error </dev/null 2>&1 | grep -q 'Verify return code: 0'"

# Through the tunnel, with the client's address: a forged X-Forwarded-For is replaced.
get() { nsx "$I" curl -s --cacert "$D/edgeca.pem" --resolve "$1:443:198.51.100.1" --resolve "$1:80:198.51.100.1" "${@:2}"; }
rx0=$(nsx "$E" wg show "we$T_ID" transfer | awk '{print $2}')
eq "a request reaches the home lab" "home-lab" "$(get x.wild.test https://x.wild.test/hello -H 'X-Forwarded-For: 203.0.113.66')"
eq "the home lab logs the tunnel peer, the client's address and the role's header" \
	"http peer=10.99.1.1 xff=198.51.100.9 test=from-edge path=/hello" "$(tail -n 1 "$D/web.log")"
rx1=$(nsx "$E" wg show "we$T_ID" transfer | awk '{print $2}')
ok "the answer came through the tunnel ($rx0 -> $rx1 bytes)" test "$rx1" -gt "$rx0"
hdrs=$(get x.wild.test -D - -o /dev/null https://x.wild.test/)
ok "HSTS on the site with hsts: true" grep -qi '^strict-transport-security: max-age=31536000' <<<"$hdrs"
ok "the site's response header" grep -qi '^x-served-by: warren-edge' <<<"$hdrs"
nomatch "no HSTS on the other site" -i '^strict-transport-security' <<<"$(get a.multi.test -D - -o /dev/null https://a.multi.test/)"
eq "HTTP redirects to HTTPS" "301 https://b.multi.test/p?q=1" \
	"$(get b.multi.test -o /dev/null -w '%{http_code} %{redirect_url}' 'http://b.multi.test/p?q=1')"

# Passthrough through HAProxy: the backend's own certificate; PROXY v2 with the client's address.
ok "HAProxy listens" t_wait 10 nsx "$I" nc -z -w 1 198.51.100.1 8443
issuer() { nsx "$I" openssl s_client -connect 198.51.100.1:8443 -servername "$1" </dev/null 2>/dev/null | openssl x509 -noout -issuer -subject | tr '\n' ' '; }
eq "passthrough shows the home lab's own certificate" "issuer=CN = homelabca subject=CN = pass.test " "$(issuer pass.test)"
eq "a wildcard passthrough name reaches the same backend" "issuer=CN = homelabca subject=CN = pass.test " "$(issuer x.pass.test)"
fails "the wildcard covers one label only" sh -c "ip netns exec $I openssl s_client -connect 198.51.100.1:8443 -servername a.b.pass.test </dev/null 2>/dev/null | openssl x509 -noout"
eq "passthrough carries the request" "passthrough" \
	"$(nsx "$I" curl -s --cacert "$D/homelabca.pem" --resolve pass.test:8443:198.51.100.1 https://pass.test:8443/)"
eq "without send_proxy the backend sees the edge" "tls peer=10.99.1.1 proxy=-" "$(tail -n 1 "$D/tls.log")"
eq "PROXY v2 site" "passthrough" \
	"$(nsx "$I" curl -s --cacert "$D/homelabca.pem" --resolve proxy.test:8443:198.51.100.1 https://proxy.test:8443/)"
eq "PROXY v2 gives the backend the client's address" "tls peer=10.99.1.1 proxy=198.51.100.9" "$(tail -n 1 "$D/tls.log")"
fails "an unknown name gets nothing" nsx "$I" curl -s -k --resolve other.test:8443:198.51.100.1 https://other.test:8443/

# Second run: nothing to change.
ok "a second run succeeds" ep_play
eq "a second run changes nothing" "changed=0 failed=0" "$EP_RECAP"

# Certificate renewal: new files, then the hook, while a client loops requests through it.
serial() { nsx "$I" openssl s_client -connect 198.51.100.1:443 -servername x.wild.test </dev/null 2>/dev/null | openssl x509 -noout -serial; }
old=$(serial)
(
	end=$((SECONDS + 6)) n=0 bad=0
	while [ $SECONDS -lt $end ]; do
		code=$(get x.wild.test -o /dev/null -w '%{http_code}' --max-time 5 https://x.wild.test/loop) || true
		n=$((n + 1))
		[ "$code" = 200 ] || bad=$((bad + 1))
	done
	echo "$n $bad" >"$D/loop"
) &
loop=$!
sleep 1.5
ep_cert edgeca "$D/certs/wild" '*.wild.test' '*.wild.test'
ok "the hook reloads Caddy" nsx "$E" "$D/certs/reload.d/50-caddy" wild
new=$(serial)
wait $loop
read -r n bad <"$D/loop"
echo "  reload: $old -> $new; $n requests during the loop, $bad failed"
ok "the new serial is served" test "$new" != "$old" -a "$new" = "$(openssl x509 -noout -serial -in "$D/certs/wild/fullchain.pem")"
ok "the client looped through the reload ($n requests)" test "$n" -gt 20
eq "no request failed during the reload" 0 "$bad"
ok "the hook ignores another certificate's name" nsx "$E" "$D/certs/reload.d/50-caddy" not-ours
# Why --force: a plain reload of the same configuration keeps the old certificate (caddy #5139).
# Caddy 2.6.2 skips a reload whose JSON is byte for byte the running one; the Caddyfile adapter
# does not always name the servers the same way, so the JSON is adapted once and loaded twice.
nsx "$E" caddy adapt --adapter caddyfile --config "$D/Caddyfile" >"$D/caddy.json" 2>/dev/null
ok "the adapted JSON loads (forced)" nsx "$E" caddy reload --force --config "$D/caddy.json"
ep_cert edgeca "$D/certs/wild" '*.wild.test' '*.wild.test'
ok "a plain caddy reload of the same JSON succeeds" nsx "$E" caddy reload --config "$D/caddy.json"
eq "and still serves the previous serial" "$new" "$(serial)"
ok "the hook reloads" nsx "$E" "$D/certs/reload.d/50-caddy" wild
eq "and the new file is served" "$(openssl x509 -noout -serial -in "$D/certs/wild/fullchain.pem")" "$(serial)"

# Check mode: a changed site is reported, nothing written, nothing reloaded.
cp "$D/Caddyfile" "$D/Caddyfile.before"
sed -i 's/X-Served-By: warren-edge/X-Served-By: warren-edge-2/' "$D/vars.yml"
ok "a check-mode run with a changed header succeeds" ep_play --check --diff
ok "it reports the change" grep -q '^changed=[1-9]' <<<"$EP_RECAP"
ok "its diff shows the new header" grep -q '^+.*X-Served-By "warren-edge-2"' "$D/out.$EP_N"
ok "the Caddyfile is unchanged" cmp "$D/Caddyfile" "$D/Caddyfile.before"
nomatch "Caddy still serves the old header" -i 'warren-edge-2' <<<"$(get x.wild.test -D - -o /dev/null https://x.wild.test/)"
sed -i 's/X-Served-By: warren-edge-2/X-Served-By: warren-edge/' "$D/vars.yml"

# fail2ban: a 401/403 storm from the attacker; the admin (the SSH jail's ignoreip) as many.
ok "the jail watches Caddy's logs" t_wait 10 f2b status warren-caddy-auth
# (the attacker may be banned before its last attempts: those time out)
for _ in 1 2 3 4; do
	get a.multi.test -o /dev/null --max-time 2 https://a.multi.test/private || true
	get a.multi.test -o /dev/null --max-time 2 https://a.multi.test/forbidden || true
	get a.multi.test -o /dev/null --interface 198.51.100.10 https://a.multi.test/private
	get a.multi.test -o /dev/null --interface 198.51.100.10 https://a.multi.test/forbidden
done
banned() { nsx "$E" nft -j list set inet warren ban4 | jq -r '[.nftables[1].set.elem[]? | .elem.val // .] | join(" ")'; }
ok "the attacker lands in warren's ban4" t_wait 20 sh -c "ip netns exec $E nft -j list set inet warren ban4 | grep -q 198.51.100.9"
echo "  ban4: $(banned); $(f2b status warren-caddy-auth | tr -s ' \t\n' ' ' | sed 's/.*Actions//')"
fails "the attacker's connections fail" nsx "$I" curl -s -k --connect-timeout 2 --resolve a.multi.test:443:198.51.100.1 https://a.multi.test/
nomatch "the admin is never banned" -F 198.51.100.10 <<<"$(banned)"
eq "the admin still connects" 200 "$(get a.multi.test -o /dev/null -w '%{http_code}' --interface 198.51.100.10 https://a.multi.test/)"

# The same over IPv6: the attacker's address lands in ban6.
get6() { nsx "$I" curl -s --cacert "$D/edgeca.pem" --resolve "a.multi.test:443:[2001:db8:51::1]" --max-time 2 "$@"; }
eq "an IPv6 client is served" 200 "$(get6 -o /dev/null -w '%{http_code}' https://a.multi.test/)"
for _ in 1 2 3 4 5 6; do get6 -o /dev/null https://a.multi.test/private || true; done
ok "the IPv6 attacker lands in ban6" t_wait 20 sh -c "ip netns exec $E nft -j list set inet warren ban6 | grep -q 2001:db8:51::9"
fails "and its IPv6 connections fail" get6 -o /dev/null https://a.multi.test/
