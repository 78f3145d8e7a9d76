#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# shellcheck disable=SC2119 # certs_play takes optional ansible-playbook arguments
# roles/edge_certs against a real pebble (ACME test CA) validating DNS-01 against a real bind9
# that takes TSIG-signed RFC2136 updates (tests/edge/): a wildcard and a multi-SAN certificate
# issued by the role through lego; a real Caddy serving them is checked with openssl s_client up
# to pebble's root; a forced renewal is served with a new serial while a client loops through
# Caddy and no request fails; the second run of the role reports changed=0; the Zabbix agent
# (real zabbix_agentd, the role's UserParameters) and the textfile for node_exporter report
# expiry and renewal status; no secret appears in any output.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../edge/certs-setup.sh"
for p in lego pebble named caddy zabbix_agentd promtool systemd-analyze; do
	command -v "$p" >/dev/null || t_fail "$p is missing (tests/deps.txt)"
done

# ---- issue with the role ---------------------------------------------------------------------
t0=$(date +%s.%N)
certs_play || { tail -30 "$D/out.$N" >&2; t_fail "the role failed"; }
echo "  first run: $(echo "$(date +%s.%N) - $t0" | bc) s, $(recap)"
eq "the first run changed and did not fail" 0 "$(recap | grep -c 'changed=0\|failed=[1-9]' || true)"
for n in wild multi; do
	for f in cert chain fullchain privkey; do ok "$n/$f.pem installed" test -s "$CERTS/$n/$f.pem"; done
	eq "$n/privkey.pem is 0640 root:$GRP" "640 root $GRP" "$(stat -L -c '%a %U %G' "$CERTS/$n/privkey.pem")"
	ok "$n: the chain verifies to pebble's root (fetched from its management endpoint)" \
		openssl verify -CAfile "$D/root.pem" -untrusted "$CERTS/$n/chain.pem" "$CERTS/$n/cert.pem"
	eq "$n: status without error" null "$(status $n .last_error)"
	eq "$n: status serial is the installed one" "$(serial $n)" "$(status $n .serial)"
done
sans() { openssl x509 -noout -ext subjectAltName -in "$1" | tail -n +2 | tr -d ' ' | tr ',' '\n' | sort | tr '\n' ' '; }
eq "wild: the wildcard's names" "DNS:*.example.org DNS:example.org " "$(sans "$CERTS/wild/cert.pem")"
eq "multi: the three names" "DNS:api.example.net DNS:example.net DNS:www.example.net " "$(sans "$CERTS/multi/cert.pem")"
ok "multi: an RSA key as asked" sh -c "openssl pkey -in $CERTS/multi/privkey.pem -text -noout | grep -q 'Private-Key: (2048 bit'"
ok "the account key from the vault is the one lego used (0600)" \
	test "$(stat -c %a "$D/lego/wild/accounts/127.0.0.1_14000/admin@example.org/keys/admin@example.org.key")" = 600
ok "lego registered that key" test -s "$D/lego/wild/accounts/127.0.0.1_14000/admin@example.org/account.json"
ok "the preflight's test records are gone" sh -c "! ip netns exec $NS dig +short @127.0.0.1 TXT _acme-challenge.example.org | grep -q warren-preflight"

certs_play || t_fail "the second run failed"
eq "the second run changes nothing" "changed=0 failed=0" "$(recap)"
ok "check mode runs" certs_play --check --diff
eq "check mode reports nothing to change" "changed=0 failed=0" "$(recap)"
ok "the timer and service are valid units" systemd-analyze verify "$D/systemd/warren-certs-renew.timer" "$D/systemd/warren-certs-renew.service"
ok "the timer is daily with a random delay" grep -qx 'RandomizedDelaySec=3600' "$D/systemd/warren-certs-renew.timer"

# ---- a real Caddy serving the files ----------------------------------------------------------
mkdir -p "$D/caddy"
cat >"$D/Caddyfile" <<CONF
{
	admin 127.0.0.1:2019
	auto_https disable_redirects
	storage file_system $D/caddy
}
https://example.org:8443, https://*.example.org:8443 {
	tls $CERTS/wild/fullchain.pem $CERTS/wild/privkey.pem
	respond "wild {host}"
}
https://www.example.net:8443, https://api.example.net:8443, https://example.net:8443 {
	tls $CERTS/multi/fullchain.pem $CERTS/multi/privkey.pem
	respond "multi {host}"
}
CONF
XDG_DATA_HOME=$D/caddy XDG_CONFIG_HOME=$D/caddy ip netns exec "$NS" \
	caddy run --config "$D/Caddyfile" --adapter caddyfile >"$D/caddy.log" 2>&1 &
t_cleanup "kill $! ; wait $!"
edge_wait_tcp "$NS" 127.0.0.1 8443 || t_fail "caddy does not listen"
served() { # NAME: serial and SANs of the certificate caddy serves for NAME, after verifying it
	ip netns exec "$NS" openssl s_client -connect 127.0.0.1:8443 -servername "$1" \
		-verify_hostname "$1" -CAfile "$D/root.pem" -verify_return_error </dev/null 2>/dev/null |
		openssl x509 -noout -serial | cut -d= -f2 | tr 'A-F' 'a-f' | sed 's/^0*//'
}
for h in example.org shop.example.org; do eq "s_client $h: the wildcard, verified to pebble's root" "$(serial wild)" "$(served $h)"; done
for h in www.example.net api.example.net example.net; do eq "s_client $h: the multi-SAN, verified" "$(serial multi)" "$(served $h)"; done

# ---- forced renewal under load -----------------------------------------------------------------
cat >"$CERTS/reload.d/50-caddy" <<HOOK
#!/bin/sh
XDG_DATA_HOME=$D/caddy XDG_CONFIG_HOME=$D/caddy exec caddy reload --force --config $D/Caddyfile --adapter caddyfile --address 127.0.0.1:2019
HOOK
chmod 0755 "$CERTS/reload.d/50-caddy"
old=$(serial wild)
(
	trap 'exit 0' TERM
	while :; do
		if ip netns exec "$NS" curl -sf --max-time 5 --resolve www.example.org:8443:127.0.0.1 \
			--cacert "$D/root.pem" https://www.example.org:8443/ >/dev/null; then echo ok; else echo fail; fi
	done >"$D/loop"
) &
loop=$!
t_cleanup "kill $loop"
sleep 1
t0=$(date +%s.%N)
certs_run run --force wild >"$D/force.json" 2>"$D/force.err" || { cat "$D/force.err" >&2; t_fail "forced renewal failed"; }
echo "  forced renewal with checks, swap and caddy reload --force: $(echo "$(date +%s.%N) - $t0" | bc) s"
sleep 1
kill $loop
wait $loop || true
new=$(serial wild)
ok "the forced renewal installed a new serial ($old -> $new)" test "$old" != "$new"
eq "caddy serves the new serial" "$new" "$(served www.example.org)"
eq "multi untouched" "$(status multi .serial)" "$(serial multi)"
echo "  requests through the reload: $(grep -c ok "$D/loop") ok, $(grep -c fail "$D/loop" || true) failed"
ok "requests went through during the renewal" test "$(grep -c ok "$D/loop")" -gt 10
eq "no request failed during the renewal" 0 "$(grep -c fail "$D/loop" || true)"
eq "the previous version is kept beside the new one" 2 "$(find "$CERTS/.versions" -maxdepth 1 -name 'wild-*' | wc -l)"

# ---- monitoring: a real zabbix_agentd with the role's UserParameters, and the textfile -----
PORT=10050 # the namespace is the suite's own: the agent's standard port, outside the ephemeral range
mkdir -p "$D/agent"
t_zbx_agent_conf "$D/agent" 127.0.0.1 "$PORT" 127.0.0.1 warren-certs-test "$D/zabbix/userparameter_warren_certs.conf"
ip netns exec "$NS" setpriv --reuid=zabbix --regid=zabbix --clear-groups --inh-caps=-all \
	zabbix_agentd -f -c "$D/agent/agent.conf" >"$D/agent/stdout" 2>&1 &
t_cleanup "kill $!"
zget() { ip netns exec "$NS" python3 "$here/zabbix/zbx-get.py" 127.0.0.1 "$PORT" "$1"; }
t_wait 30 zget agent.ping || { tail -n 5 "$D/agent/agent.log" "$D/agent/stdout" >&2; t_fail "zabbix_agentd does not answer"; }
eq "warren.cert.discovery" '[{"{#CERT}": "multi"}, {"{#CERT}": "wild"}]' "$(zget warren.cert.discovery)"
left=$(zget 'warren.cert.expiry[wild]')
want=$(($(date -d "$(openssl x509 -noout -enddate -in "$CERTS/wild/cert.pem" | cut -d= -f2)" +%s) - $(date +%s)))
ok "warren.cert.expiry[wild] is the seconds left ($left, openssl: $want)" test $((left - want)) -le 5 -a $((want - left)) -le 5
eq "warren.cert.renew_ok[wild]" 1 "$(zget 'warren.cert.renew_ok[wild]')"
P=$D/textfile/warren_certs.prom
ok "the textfile passes promtool check metrics" sh -c "promtool check metrics <$P"
ok "warren_cert_renew_success{name=wild} 1" grep -qx 'warren_cert_renew_success{name="wild"} 1' "$P"
R=$here/../roles/edge_certs/files
ok "promtool check rules on the role's alert rules" promtool check rules "$R/warren_certs.rules.yml"
ok "promtool test rules: each alert fires and stays quiet as expected" promtool test rules "$R/warren_certs.test.yml"
sed 's/< 14 \* 86400/< 1 * 86400/' "$R/warren_certs.rules.yml" >"$D/warren_certs.rules.yml"
cp "$R/warren_certs.test.yml" "$D/"
fails "the promtool tests catch an expiry threshold moved" promtool test rules "$D/warren_certs.test.yml"
ok "warren_cert_not_after_seconds{name=multi}" grep -qx "warren_cert_not_after_seconds{name=\"multi\"} $(status multi .not_after)" "$P"

# ---- no secret anywhere ------------------------------------------------------------------------
key_line=$(sed -n 2p "$D/account.key")
for f in "$D"/out.* "$D/force.json" "$D/force.err" "$D"/state/*.json "$P" "$D/agent/agent.log"; do
	nomatch "no TSIG secret in $(basename "$f")" -F -- "$SECRET" "$f"
	nomatch "no account key in $(basename "$f")" -F -- "$key_line" "$f"
done
