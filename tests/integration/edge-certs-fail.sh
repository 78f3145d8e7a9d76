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

# ---- a zone not delegated to the nameserver ----------------------------------------------------
stray='{"name": "stray", "domains": ["www.other.test"], "zone": "other.test"}'
fails "a certificate in a zone the nameserver does not serve fails the play" \
	certs_play -e "{\"edge_certs_certificates\": [{\"name\": \"wild\", \"domains\": [\"example.org\", \"*.example.org\"]}, $stray]}"
echo "  not delegated: $(msg)"
ok "the error says NOTAUTH: not authoritative" grep -q 'answered NOTAUTH: the server is not authoritative' "$D/out.$N"
eq "stray: status failed" 0 "$(renew_ok stray)"
eq "stray: no certificate" null "$(status stray .not_after)"
eq "wild: still good" 1 "$(renew_ok wild)"
fails "without a zone, no resolver knows other.test" certs_run run stray
certs_play -e "{\"edge_certs_certificates\": [{\"name\": \"nozone\", \"domains\": [\"www.other.test\"]}]}" || true
echo "  no zone: $(msg)"
ok "the error says no zone was found: not delegated" grep -q 'no zone found for www.other.test.*not delegated' "$D/out.$N"

# ---- the CA refusing: pebble's policy forbids blocked.test -----------------------------------
fails "a new certificate the CA refuses fails the play" \
	certs_play -e '{"edge_certs_certificates": [{"name": "blocked", "domains": ["www.blocked.test"]}]}'
echo "  refused: $(msg)"
ok "the error is the CA's: rejectedIdentifier, forbidden by policy" grep -q 'rejectedIdentifier.*forbidden by policy' "$D/out.$N"
eq "blocked: status failed" 0 "$(renew_ok blocked)"
fails "wild with a refused name added fails" \
	certs_play -e '{"edge_certs_certificates": [{"name": "wild", "domains": ["example.org", "*.example.org", "www.blocked.test"]}]}'
eq "wild: the old certificate is kept" "$good" "$(serial wild)"
ok "wild: the old one still verifies" openssl verify -CAfile "$D/root.pem" -untrusted "$CERTS/wild/chain.pem" "$CERTS/wild/cert.pem"
ok "wild: the status records the refusal" sh -c "jq -r .last_error $D/state/wild.json | grep -q rejectedIdentifier"
ok "wild: warren_cert_renew_success 0" grep -qx 'warren_cert_renew_success{name="wild"} 0' "$D/textfile/warren_certs.prom"
eq "wild: the status still has the installed serial" "$good" "$(status wild .serial)"
