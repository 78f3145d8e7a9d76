#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# roles/edge_certs when things go wrong, against the real pebble + bind9 of tests/edge/: bad input
# fails naming the field before any change; a wrong TSIG key, a zone the nameserver is not
# authoritative for (and one no resolver knows), and the CA refusing by policy each fail the
# play and the script with a clear error, keep the installed certificate, and turn the renewal
# status (status file, Zabbix renew_ok, Prometheus warren_cert_renew_success) to failed; the
# next good run turns it back.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../edge/certs-setup.sh"
msg() { grep -h '^fatal:' "$D/out.$N" | grep -o 'warren-certs: .\{0,300\}(the installed' | head -1; }
wild_only='"edge_certs_certificates": [{"name": "wild", "domains": ["example.org", "*.example.org"]}]'

# ---- bad input: the field is named, nothing is created ---------------------------------------
fails "a domain with an upper-case letter and an underscore" \
	certs_play -e '{"edge_certs_certificates": [{"name": "bad", "domains": ["Bad_Name.example.org"]}]}'
ok "the failure names edge_certs_certificates[bad]" grep -q 'edge_certs_certificates\[bad\]' "$D/out.$N"
fails "a wildcard that is not the leftmost label" \
	certs_play -e '{"edge_certs_certificates": [{"name": "x", "domains": ["www.*.example.org"]}]}'
ok "named again" grep -q 'edge_certs_certificates\[x\]' "$D/out.$N"
fails "an unknown key type" \
	certs_play -e '{"edge_certs_certificates": [{"name": "x", "domains": ["example.org"], "key_type": "dsa"}]}'
ok "argument_specs names key_type" grep -q 'key_type' "$D/out.$N"
fails "a TSIG secret that is not base64" certs_play -e '{"edge_certs_tsig_secret": "not base64!"}'
ok "the failure names edge_certs_tsig_secret" grep -q 'edge_certs_tsig_secret: not a base64' "$D/out.$N"
nomatch "and does not show it" -F 'not base64!' "$D/out.$N"
fails "an http ACME server" certs_play -e '{"edge_certs_acme_server": "http://127.0.0.1:14000/dir"}'
ok "the failure names edge_certs_acme_server" grep -q 'edge_certs_acme_server: not an https' "$D/out.$N"
fails "a CA root given as text that is not PEM" certs_play -e '{"edge_certs_ca_root_pem": "not a PEM"}'
ok "the failure names edge_certs_ca_root_pem" grep -q 'edge_certs_ca_root_pem: needs edge_certs_ca_root' "$D/out.$N"
fails "an HTTPS CA given as PEM for a relative path" \
	certs_play -e "{\"edge_certs_acme_tls_ca\": \"ca.pem\", \"edge_certs_acme_tls_ca_pem\": $(jq -Rs . <"$D/ca.pem")}"
ok "the failure names edge_certs_acme_tls_ca_pem" grep -q 'edge_certs_acme_tls_ca_pem: needs' "$D/out.$N"
ok "no change was made by any of them" test ! -e "$CERTS" -a ! -e "$D/state" -a ! -e "$D/bin/warren-certs"

# ---- the good state the failures start from --------------------------------------------------
certs_play -e "{$wild_only}" || t_fail "the role failed"
good=$(serial wild)
eq "wild issued" null "$(status wild .last_error)"

# ---- a wrong TSIG key ------------------------------------------------------------------------
WRONG=$(edge_tsig_secret)
fails "the renewal with a wrong TSIG secret fails the play" \
	certs_play -e "{$wild_only, \"edge_certs_tsig_secret\": \"$WRONG\", \"edge_certs_renew_days\": 99999}"
echo "  wrong key: $(msg)"
ok "the error says the TSIG key was rejected by the nameserver" grep -q 'TSIG rejected.*NOTAUTH' "$D/out.$N"
ok "and names the server" grep -q '127.0.0.1:53 (update of example.org)' "$D/out.$N"
eq "the old certificate is kept" "$good" "$(serial wild)"
ok "the status file records the error" sh -c "jq -r .last_error $D/state/wild.json | grep -q 'TSIG rejected'"
eq "renew-ok (Zabbix) says failed" 0 "$(renew_ok wild)"
ok "warren_cert_renew_success{name=wild} 0" grep -qx 'warren_cert_renew_success{name="wild"} 0' "$D/textfile/warren_certs.prom"
for f in "$D"/out.* "$D"/state/*.json; do
	nomatch "no secret in $(basename "$f")" -F -- "$WRONG" "$f"
	nomatch "no secret in $(basename "$f")" -F -- "$SECRET" "$f"
done
certs_play -e "{$wild_only}" || t_fail "the role failed with the right key"
eq "a good run clears the failure" 1 "$(renew_ok wild)"

# ---- one play, four certificates that cannot be issued, beside a good one -------------------
# stray: a zone the nameserver does not serve; nozone: a zone no resolver knows; nogrant: a name
# the update-policy has no grant for; blocked: a name pebble's policy refuses. Each fails on its
# own, wild is untouched, and the play fails.
many='"edge_certs_certificates": [{"name": "wild", "domains": ["example.org", "*.example.org"]},
 {"name": "stray", "domains": ["www.other.test"], "zone": "other.test"},
 {"name": "nozone", "domains": ["www.other.test"]},
 {"name": "nogrant", "domains": ["shop.example.net"]},
 {"name": "blocked", "domains": ["www.blocked.test"]}]'
fails "four certificates that cannot be issued fail the play" certs_play -e "{$many}"
err() { status "$1" .last_error; }
for n in stray nozone nogrant blocked; do
	echo "  $n: $(err $n)"
	eq "$n: renew_ok (Zabbix) 0" 0 "$(renew_ok $n)"
	eq "$n: no certificate, no expiry" null "$(status $n .not_after)"
	ok "$n: warren_cert_renew_success 0" grep -qx "warren_cert_renew_success{name=\"$n\"} 0" "$D/textfile/warren_certs.prom"
done
ok "stray: NOTAUTH, the server is not authoritative" sh -c "echo '$(err stray)' | grep -q '127.0.0.1:53 (update of other.test): adding a TXT at _acme-challenge.www.other.test answered NOTAUTH: the server is not authoritative'"
ok "nozone: no zone found, not delegated" sh -c "echo '$(err nozone)' | grep -q 'no zone found for www.other.test through the resolvers 127.0.0.1:53 .*not delegated'"
ok "nogrant: REFUSED by the update-policy, at which name" sh -c "echo \"$(err nogrant)\" | grep -q 'adding a TXT at _acme-challenge.shop.example.net answered REFUSED: the zone.s update-policy'"
ok "blocked: the CA's rejectedIdentifier, forbidden by policy" sh -c "echo '$(err blocked | tr -d \"\'\")' | grep -q 'rejectedIdentifier.*forbidden by policy'"
eq "wild: still good" 1 "$(renew_ok wild)"
eq "wild: same serial" "$good" "$(serial wild)"
fails "the script alone exits non-zero for it too" certs_run run stray

printf 'key "warren-acme" {\n\talgorithm hmac-sha256;\n\tsecret "%s";\n};\n' "$SECRET" >"$D/tsig.key"
printf 'server 127.0.0.1 53\nzone example.org\nupdate add www.example.org. 60 A 192.0.2.66\nsend\n' >"$D/evil.txt"
fails "the key cannot repoint an address (nsupdate)" ip netns exec "$NS" nsupdate -k "$D/tsig.key" "$D/evil.txt"
eq "www.example.org still has its address" 127.0.0.1 "$(ip netns exec "$NS" dig +short @127.0.0.1 www.example.org A)"

# ---- an authoritative server that never sees the record -------------------------------------
# A second server for example.org on 127.0.0.2 with its own copy of the zone and no transfer
# from the primary: a secondary that lags, or a delegation to a server the update never reaches.
edge_bind "$NS" "$D/b2" 127.0.0.2 warren-acme "$SECRET" example.org
fails "a record not visible on every authoritative server fails the renewal" \
	certs_play -e "{$wild_only, \"edge_certs_authoritative\": [\"127.0.0.1:53\", \"127.0.0.2:53\"], \"edge_certs_propagation_timeout\": 3, \"edge_certs_renew_days\": 99999}"
echo "  not visible: $(msg)"
ok "the error names the server that does not see it" \
	grep -q 'authoritative server 127.0.0.2:53: the test TXT at _acme-challenge.example.org is not visible after 3s: not delegated or not propagated' "$D/out.$N"
eq "the old certificate is kept" "$good" "$(serial wild)"
eq "renew_ok 0" 0 "$(renew_ok wild)"
ok "the preflight removed its record from the primary" \
	sh -c "! ip netns exec $NS dig +short @127.0.0.1 TXT _acme-challenge.example.org | grep -q ."

# ---- the CA refusing a renewal: the old certificate stays --------------------------------
fails "wild with a refused name added fails" \
	certs_play -e '{"edge_certs_certificates": [{"name": "wild", "domains": ["example.org", "*.example.org", "www.blocked.test"]}]}'
eq "wild: the old certificate is kept" "$good" "$(serial wild)"
ok "wild: the old one still verifies" openssl verify -CAfile "$D/root.pem" -untrusted "$CERTS/wild/chain.pem" "$CERTS/wild/cert.pem"
ok "wild: the status records the refusal" sh -c "jq -r .last_error $D/state/wild.json | grep -q rejectedIdentifier"
ok "wild: warren_cert_renew_success 0" grep -qx 'warren_cert_renew_success{name="wild"} 0' "$D/textfile/warren_certs.prom"
eq "wild: the status still has the installed serial" "$good" "$(status wild .serial)"

# ---- a new chain that does not verify to the configured root: the checks refuse it -----------
fails "a renewal whose chain does not lead to edge_certs_ca_root fails" \
	certs_play -e "{$wild_only, \"edge_certs_ca_root\": \"$D/ca.pem\", \"edge_certs_renew_days\": 99999}"
echo "  chain: $(msg)"
ok "the error is the chain check's, quoting openssl" grep -q 'the new chain does not verify: .*unable to get' "$D/out.$N"
eq "wild: the old certificate is kept" "$good" "$(serial wild)"
eq "renew_ok 0" 0 "$(renew_ok wild)"
certs_play -e "{$wild_only}" || t_fail "the good run failed"
ok "the next good run installs the renewed certificate it refused before" test "$(serial wild)" != "$good"
eq "renew_ok 1" 1 "$(renew_ok wild)"
