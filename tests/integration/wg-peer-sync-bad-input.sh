#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The bad-input corpus: every case exits 2 with one JSON line naming the field, and the live
# interface stays exactly as it was.
source "$(dirname "$0")/../lib.sh"

S=s$T_ID WS=wb$T_ID
D=$(mktemp -d)
t_cleanup "rm -rf $D"
t_ns "$S"
t_wg "$S" "$WS"
t_keys "$D" s
t_psk "$D" p
t_key_file "$D/garbage.key" "not a key"
(umask 027 && wg genkey >"$D/group.key")
(umask 022 && wg genpsk >"$D/open.psk" 2>/dev/null)
K1=$(wg genkey | wg pubkey)
K2=$(wg genkey | wg pubkey)
nsx "$S" wg set "$WS" private-key "$D/s.key" listen-port 51999 \
	peer "$K1" allowed-ips 192.168.100.2/32 peer "$K2" allowed-ips 192.168.100.3/32
snap() { nsx "$S" wg show "$WS" dump | cut -f1-4,8 | sort | sha256sum; }
before=$(snap)
n=0

# bad EXPECTED-MESSAGE-REGEX JSON: @IF@ @K1@ @K2@ @D@ are substituted.
bad() {
	local out rc
	n=$((n + 1))
	printf '%s\n' "$2" | sed "s|@IF@|$WS|g; s|@K1@|$K1|g; s|@K2@|$K2|g; s|@D@|$D|g" >"$D/case$n.json"
	set +e
	out=$(nsx "$S" "$WARREN_BIN/wg-peer-sync" sync "$D/case$n.json" 2>"$D/err$n")
	rc=$?
	set -e
	eq "case $n exits 2 ($1)" 2 "$rc"
	eq "case $n prints exactly one line" 1 "$(printf '%s\n' "$out" | wc -l)"
	json_eq "case $n is a failure object" "$out" '.failed' 'true'
	eq "case $n names the problem: $1" true "$(printf '%s' "$out" | jq --arg re "$1" '.msg | test($re)')"
	eq "case $n leaves the interface as it was" "$before" "$(snap)"
	nomatch "case $n never echoes a key on stderr" -F -e "$(cat "$D/s.key")" -e "$(cat "$D/p.psk")" "$D/err$n"
	nomatch "case $n never echoes a key on stdout" -F -e "$(cat "$D/s.key")" -e "$(cat "$D/p.psk")" <<<"$out"
}
P='"name":"a","public_key":"@K1@"'
bad 'expected near end of file \(line 2\)' '{'
bad 'duplicate' '{"interface":"@IF@","interface":"@IF@"}'
bad 'must be a JSON object' '[]'
bad 'interface: is required' '{}'
bad 'interface: .* not a valid interface name' '{"interface":"much-too-long-name0"}'
bad 'interface: .* not a valid interface name' '{"interface":"wg/0"}'
bad 'unknown field "listen-port"' '{"interface":"@IF@","listen-port":1}'
bad 'listen_port: 0 is out of range' '{"interface":"@IF@","listen_port":0}'
bad 'listen_port: 65536 is out of range' '{"interface":"@IF@","listen_port":65536}'
bad 'listen_port: must be an integer' '{"interface":"@IF@","listen_port":"51820"}'
bad 'fwmark: -1 is out of range' '{"interface":"@IF@","fwmark":-1}'
bad 'allow_empty: must be true or false' '{"interface":"@IF@","allow_empty":"yes"}'
bad 'peers: must be a list' '{"interface":"@IF@","peers":{}}'
bad 'peers\[0\]: must be an object' '{"interface":"@IF@","peers":["a"]}'
bad 'peers\[0\]: name: is required' '{"interface":"@IF@","peers":[{"public_key":"@K1@"}]}'
bad 'peers\[0\] \("\.\./x"\): name:' '{"interface":"@IF@","peers":[{"name":"../x","public_key":"@K1@"}]}'
bad 'peers\[0\] \("a"\): public_key: is required' '{"interface":"@IF@","peers":[{"name":"a"}]}'
bad 'peers\[0\] \("a"\): key_created: must be an integer' '{"interface":"@IF@","peers":[{"name":"a","public_key":"@K1@","key_created":"2026-12-01"}]}'
bad 'peers\[0\] \("a"\): psk_created: -5 is out of range' '{"interface":"@IF@","peers":[{"name":"a","public_key":"@K1@","psk_created":-5}]}'
bad 'public_key: .* not base64 of exactly 32 bytes' '{"interface":"@IF@","peers":[{"name":"a","public_key":"AAAA"}]}'
bad 'public_key: .* not base64 of exactly 32 bytes' '{"interface":"@IF@","peers":[{"name":"a","public_key":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="}]}'
bad 'public_key: .* not base64 of exactly 32 bytes' '{"interface":"@IF@","peers":[{"name":"a","public_key":"!AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}]}'
# Keys no handshake can use: all-zero (the usual placeholder) and other low-order points.
Z=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=
bad 'peers\[0\] \("a"\): public_key: "'$Z'" is the all-zero key' '{"interface":"@IF@","peers":[{"name":"a","public_key":"'$Z'"}]}'
for L in AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAIA= 4Ot6fDtBuK4WVuP68Z/EatoJjeucMrH9hmIFFl9JuAA= \
	X5yVvKNQjCSx0LFVnIPvWwREXMRYHI6G2CJO3dCfEdc= 7f///////////////////////////////////////38=; do
	bad 'peers\[1\] \("b"\): public_key: .* is a low-order Curve25519 point' '{"interface":"@IF@","peers":[{'"$P"'},{"name":"b","public_key":"'$L'"}]}'
done
# A peer with the interface's own key: WireGuard ignores it, so a sync would never converge.
bad 'peer "b": public_key: is the public key of the interface itself' '{"interface":"@IF@","private_key_file":"@D@/s.key","peers":[{'"$P"'},{"name":"b","public_key":"'"${T_PUB[s]}"'"}]}'
bad 'peer "b": public_key: is the public key of the interface itself' '{"interface":"@IF@","peers":[{'"$P"'},{"name":"b","public_key":"'"${T_PUB[s]}"'"}]}'
bad 'unknown field "allowedips"' '{"interface":"@IF@","peers":[{'"$P"',"allowedips":[]}]}'
bad 'allowed_ips: must be a list' '{"interface":"@IF@","peers":[{'"$P"',"allowed_ips":"10.0.0.1/32"}]}'
bad 'allowed_ips\[0\]: "192.168.100.300/32" is not an IP range' '{"interface":"@IF@","peers":[{'"$P"',"allowed_ips":["192.168.100.300/32"]}]}'
bad 'allowed_ips\[1\]: .* invalid prefix length' '{"interface":"@IF@","peers":[{'"$P"',"allowed_ips":["10.0.0.1/32","10.0.0.0/33"]}]}'
bad 'invalid prefix length' '{"interface":"@IF@","peers":[{'"$P"',"allowed_ips":["10.0.0.0/"]}]}'
bad 'allowed_ips\[0\]: "10.0.0.0/\t8" has an invalid prefix length' '{"interface":"@IF@","peers":[{'"$P"',"allowed_ips":["10.0.0.0/\t8"]}]}'
bad 'allowed_ips\[0\]: .* is not an IP range' '{"interface":"@IF@","peers":[{'"$P"',"allowed_ips":["10.0.0.0\t/8"]}]}'
bad 'host bits set; did you mean "192.168.100.0/24"' '{"interface":"@IF@","peers":[{'"$P"',"allowed_ips":["192.168.100.2/24"]}]}'
bad 'host bits set; did you mean "fd00::/64"' '{"interface":"@IF@","peers":[{'"$P"',"allowed_ips":["fd00::1/64"]}]}'
bad 'listed twice' '{"interface":"@IF@","peers":[{'"$P"',"allowed_ips":["10.0.0.1/32","10.0.0.1"]}]}'
bad 'peers "a" and "b": duplicate public_key' '{"interface":"@IF@","peers":[{'"$P"'},{"name":"b","public_key":"@K1@"}]}'
bad 'name "a" is used twice' '{"interface":"@IF@","peers":[{'"$P"'},{"name":"a","public_key":"@K2@"}]}'
bad 'peers "[ab]" and "[ab]" both claim allowed IP 192.168.100.9/32' '{"interface":"@IF@","peers":[{'"$P"',"allowed_ips":["192.168.100.9/32"]},{"name":"b","public_key":"@K2@","allowed_ips":["192.168.100.9/32"]}]}'
bad 'peers "[ab]" and "[ab]" overlap: allowed IP 192.168.100.9/32 of "b" lies inside 192.168.100.0/24 of "a"' '{"interface":"@IF@","peers":[{'"$P"',"allowed_ips":["192.168.100.0/24"]},{"name":"b","public_key":"@K2@","allowed_ips":["192.168.100.9/32"]}]}'
bad 'endpoint: .* not host:port' '{"interface":"@IF@","peers":[{'"$P"',"endpoint":"192.0.2.1"}]}'
bad 'endpoint: .* invalid port' '{"interface":"@IF@","peers":[{'"$P"',"endpoint":"192.0.2.1:0"}]}'
bad 'endpoint: .* invalid port' '{"interface":"@IF@","peers":[{'"$P"',"endpoint":"192.0.2.1:65536"}]}'
bad 'endpoint: .* not host:port' '{"interface":"@IF@","peers":[{'"$P"',"endpoint":"fd00::1:51820"}]}'
bad 'endpoint: cannot resolve' '{"interface":"@IF@","peers":[{'"$P"',"endpoint":"no-such-host.invalid:51820"}]}'
bad 'persistent_keepalive: 65536 is out of range' '{"interface":"@IF@","peers":[{'"$P"',"persistent_keepalive":65536}]}'
bad 'enabled: must be true or false' '{"interface":"@IF@","peers":[{'"$P"',"enabled":1}]}'
bad 'private_key_file: cannot open key file' '{"interface":"@IF@","private_key_file":"@D@/missing.key"}'
bad 'private_key_file: .* readable by group or others \(mode 0640\)' '{"interface":"@IF@","private_key_file":"@D@/group.key"}'
bad 'private_key_file: .* does not hold a base64 key' '{"interface":"@IF@","private_key_file":"@D@/garbage.key"}'
bad 'private_key_file: .* not a regular file' '{"interface":"@IF@","private_key_file":"@D@"}'
bad 'peers\[0\] \("a"\): preshared_key_file: .* readable by group or others' '{"interface":"@IF@","peers":[{'"$P"',"preshared_key_file":"@D@/open.psk"}]}'
# A good private key with a bad peer: nothing may be applied, not even the key.
bad 'peers\[1\] \("b"\): allowed_ips' '{"interface":"@IF@","private_key_file":"@D@/p.psk","listen_port":1234,"peers":[{'"$P"'},{"name":"b","public_key":"@K2@","allowed_ips":["x"]}]}'
# Bad arguments.
set +e
out=$(nsx "$S" "$WARREN_BIN/wg-peer-sync" sync "$D/case1.json" --force)
rc=$?
set -e
eq "an unknown flag exits 2" 2 "$rc"
json_eq "and names it" "$out" '.msg|test("--force")' 'true'
eq "the interface never changed" "$before" "$(snap)"
# A path that is not UTF-8: the real problem is named (it used to say "out of memory"), and
# genkey writes nothing it could not report.
X=$'\xff'
set +e
out=$(nsx "$S" "$WARREN_BIN/wg-peer-sync" sync "$D/$X.json")
rc=$?
set -e
eq "a missing state with a non-UTF-8 name: exit 2" 2 "$rc"
json_eq "... and says it is missing" "$out" '.msg|test("\\\\xff\\.json.*No such file")' 'true'
set +e
out=$(nsx "$S" "$WARREN_BIN/wg-peer-sync" genkey --out "$D/$X.key")
rc=$?
set -e
eq "genkey --out a non-UTF-8 path: exit 2" 2 "$rc"
json_eq "... saying so" "$out" '.msg|test("--out: .* is not valid UTF-8")' 'true'
fails "... and writes no key" test -e "$D/$X.key"
