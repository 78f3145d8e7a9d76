#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# roles/warren_enroll with ansible-playbook: the token store gets keyed hashes of the inventory's
# secrets (Python's BLAKE2b, checked against warren-enrolld's by a real enrollment over HTTPS
# with the inventory's token), the configuration the service runs with; a second run changes
# nothing; a bad variable fails before any change. Files only (no systemd on this host).
source "$(dirname "$0")/../enroll-lib.sh"

enroll_setup
TS=$(openssl rand -hex 32)
R=$D/role
mkdir -p "$R"
vars() { # EXTRA-TOKEN-YAML
	cat <<YML
warren_enroll_service: false
warren_enroll_helper: $WARREN_BIN/warren-enrolld
warren_enroll_dir: $R/etc
warren_enroll_state_dir: $R/var
warren_enroll_interface: $WS
warren_enroll_endpoint: 172.30.77.1:51820
warren_enroll_pool: 10.77.1.0/24
warren_enroll_allowed_ips: [10.77.0.0/16, 192.168.77.0/24]
warren_enroll_port: $PORT
warren_enroll_secret: "$(cat "$D/srv/secret.key")"
warren_enroll_tls_cert: "{{ lookup('file', '$D/srv/tls.pem') }}"
warren_enroll_tls_key: "{{ lookup('file', '$D/srv/tls.key') }}"
warren_enroll_tokens:
  - {id: inv, secret: "$TS", expires: $(($(date +%s) + 3600)), uses: 2, profile: lan, name_prefix: inv-}
$1
YML
}
printf -- '- name: Install warren-enrolld.\n  hosts: localhost\n  gather_facts: false\n  roles: [warren_enroll]\n' >"$D/play.yml"
play() { (cd "$ROOT" && ansible-playbook -i localhost, -c local -e "@$D/vars.yml" "$@" "$D/play.yml" >"$D/play.out" 2>&1); }
recap() { sed -n 's/.*localhost *: ok=[0-9]* *changed=\([0-9]*\).*failed=\([0-9]*\).*/changed=\1 failed=\2/p' "$D/play.out"; }
vars "" >"$D/vars.yml"
play || t_fail "the role failed: $(tail -n 20 "$D/play.out")"
ok "the first run changes something" sh -c "grep -q 'changed=[1-9]' $D/play.out"
nomatch "the token store has no secret" -F "$TS" "$R/etc/tokens.json"
nomatch "the play's output has no secret" -F "$TS" "$D/play.out"
ok "the server secret is 0600" test "$(stat -c %a "$R/etc/secret.key")" = 600
ok "the TLS key is 0600" test "$(stat -c %a "$R/etc/tls.key")" = 600
play || t_fail "the second run failed"
eq "a second run changes nothing" "changed=0 failed=0" "$(recap)"
play --check || t_fail "check mode failed"
eq "check mode changes nothing" "changed=0 failed=0" "$(recap)"

# The service runs with what the role wrote: the inventory's token enrolls a device.
ip netns exec "$S" "$WARREN_BIN/warren-enrolld" serve "$R/etc/conf.json" >"$D/srv2.out" 2>"$D/srv2.log" &
t_cleanup "kill $!"
t_wait 5 nsx "$DV" curl -s --cacert "$D/ca.pem" -o /dev/null "$URL/metrics" || t_fail "no service: $(cat "$D/srv2.log" "$D/srv2.out")"
K=$(wg genkey | wg pubkey)
req 201 "" "" "inv.$TS" "$K" gw1
json_eq "the answer follows the inventory's token" "$(cat "$D/out")" '[(.name|startswith("inv-gw1-")),.profile,.address]' '[true,"lan","10.77.1.1/32"]'
eq "wg on the server has the device" "10.77.1.1/32" "$(nsx "$S" wg show "$WS" allowed-ips | awk -v k="$K" '$1 == k { print $2 }')"
req 401 unknown_token "not known" "inv.$(openssl rand -hex 32)" "$(wg genkey | wg pubkey)" gw2

# A token without a secret fails the argument check before anything changes.
sum=$(cat "$R/etc/"* | sha256sum)
vars "  - {id: nosecret, expires: 1, profile: lan}" >"$D/vars.yml"
fails "a token without a secret fails" play
ok "the failure names the field" grep -q "secret" "$D/play.out"
eq "and nothing changed" "$sum" "$(cat "$R/etc/"* | sha256sum)"
