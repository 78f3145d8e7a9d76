#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# warren-enrolld over real HTTPS (a CA made here, pinned by the agent) and real WireGuard
# (wireguard-go) in namespaces: a device enrolls with the agent and pings a LAN host; every
# refusal with its status and message; 50 devices in parallel on a 50-use token; kill -9
# between the state write and the reply; rotation; the service runs as nobody.
source "$(dirname "$0")/../enroll-lib.sh"

enroll_setup
# A base peer of the playbook holds 10.77.1.2: the allocator must skip it.
BASE=$(wg genkey | wg pubkey)
nsx "$S" wg set "$WS" peer "$BASE" allowed-ips 10.77.1.2/32
tok dev1 --uses 1 --prefix kiosk-
enroll_start
ok "the service runs as nobody" test "$(stat -c %u "/proc/$SRV_PID")" = 65534

# --- a device enrolls with the agent, handshakes and pings the LAN ----------------------------
agent_conf dev "${TOKEN[dev1]}"
t0=$(date +%s%N)
rc=0
agent dev || rc=$?
t1=$(date +%s%N)
eq "the agent enrolls and brings the tunnel up" 0 "$rc"
ms=$(((t1 - t0) / 1000000))
echo "  agent: start to first ping through the tunnel in $ms ms"
ok "start to first ping under 2 s" test "$ms" -lt 2000
DEVPUB=$(wg pubkey <"$D/dev/state/private.key")
eq "the server has the device's key with the first free address (10.77.1.2 is a base peer)" \
	"10.77.1.1/32" "$(nsx "$S" wg show "$WS" allowed-ips | awk -v k="$DEVPUB" '$1 == k { print $2 }')"
ok "the LAN host answers through the tunnel" nsx "$DV" ping -c 1 -W 1 -q 192.168.77.5
ok "the device's private key is 0600" test "$(stat -c %a "$D/dev/state/private.key")" = 600
nomatch "the wg-quick config has no private key" -i '^PrivateKey' "$D/dev/wg/$WD.conf"
ok "the wg-quick config sets the key in PostUp" grep -q "^PostUp = wg set %i private-key $D/dev/state/private.key peer $SPUB persistent-keepalive 25$" "$D/dev/wg/$WD.conf"
ok "the token is deleted after success" test ! -e "$D/dev/token"
json_eq "the answer names the peer, its address and the server" "$(cat "$D/dev/state/enrolled.json")" \
	'[(.name|startswith("kiosk-dev-")),.address,.server_public_key,.endpoint,.allowed_ips]' \
	"[true,\"10.77.1.1/32\",\"$SPUB\",\"172.30.77.1:51820\",[\"10.77.0.0/16\",\"192.168.77.0/24\",\"172.16.77.0/24\"]]"
# The firewall (nft-apply, warren's policy): the enrolled peer of profile lan is an ordinary peer
# without an access list: it reaches allow_networks (the LAN) and never deny_networks (the DMZ).
cat >"$D/policy.json" <<JSON
{"table": "we$T_ID", "interface": "$WS", "listen_port": 51820, "wg_sources": ["0.0.0.0/0"],
 "vpn_subnet": "10.77.0.0/16", "allow_networks": ["192.168.77.0/24"],
 "deny_networks": ["172.16.77.0/24"], "masquerade": false}
JSON
t_cleanup "ip netns exec $S $WARREN_BIN/nft-apply delete we$T_ID"
ok "nft-apply applies the policy" nsx "$S" "$WARREN_BIN/nft-apply" "$D/policy.json"
ok "the DMZ host answers the server itself" nsx "$S" ping -c 1 -W 1 -q 172.16.77.5
ok "behind the firewall the enrolled device reaches the LAN" nsx "$DV" ping -c 1 -W 1 -q 192.168.77.5
fails "and never the DMZ" nsx "$DV" ping -c 1 -W 1 -q 172.16.77.5
priv=$(cat "$D/dev/state/private.key")
for f in "$D/srv/state.json" "$D/srv/audit.jsonl" "$D/srv/tokens.json" "$D/srv.log" "$D/dev/state/enrolled.json"; do
	nomatch "the device's private key is not in $(basename "$f")" -F "$priv" "$f"
done
n=$(wc -l <"$D/srv/audit.jsonl")
eq "the agent run again is a no-op" 0 "$(agent dev >/dev/null 2>&1; echo $?)"
eq "and sends nothing" "$n" "$(wc -l <"$D/srv/audit.jsonl")"

# --- refusals: status, result and a message that says what to do ------------------------------
K1=$(wg genkey | wg pubkey)
req 403 used_up "used up" "${TOKEN[dev1]}" "$K1" reuse
tok old --uses 5 --expires-at $(($(date +%s) - 10))
req 403 expired "expired" "${TOKEN[old]}" "$K1" late
tok gone --uses 5
ok "token revoke" "$WARREN_BIN/warren-enrolld" token revoke --tokens "$D/srv/tokens.json" gone
out=$("$WARREN_BIN/warren-enrolld" token revoke --tokens "$D/srv/tokens.json" gone)
json_eq "revoking again changes nothing" "$out" '.changed' 'false'
chown 65534:65534 "$D/srv/tokens.json"
req 403 revoked "revoked" "${TOKEN[gone]}" "$K1" rev
req 401 unknown_token "not known" "nosuch.$(printf '%064d' 0)" "$K1" who
req 401 unknown_token "not known" "${TOKEN[gone]%????}0000" "$K1" who
tok slow --uses 10 --rate 2
req 201 "" "" "${TOKEN[slow]}" "$(wg genkey | wg pubkey)" r1
req 201 "" "" "${TOKEN[slow]}" "$(wg genkey | wg pubkey)" r2
req 429 rate_limited "retry after" "${TOKEN[slow]}" "$(wg genkey | wg pubkey)" r3
ra=$(sed -n 's/^[Rr]etry-[Aa]fter: *\([0-9]*\).*/\1/p' "$D/hdr")
ok "429 carries Retry-After (${ra}s) up to an hour" test "${ra:-0}" -ge 1 -a "${ra:-0}" -le 3600
tok any --uses 20
req 409 duplicate_key "cloned image" "${TOKEN[any]}" "$DEVPUB" clone
req 409 duplicate_key "already in use" "${TOKEN[any]}" "$BASE" base
req 422 server_key "server's own key" "${TOKEN[any]}" "$SPUB" srv
req 422 invalid "all-zero" "${TOKEN[any]}" "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" zero
req 422 invalid "low-order" "${TOKEN[any]}" "4Ot6fDtBuK4WVuP68Z/EatoJjeucMrH9hmIFFl9JuAA=" low
req 422 invalid "hostname" "${TOKEN[any]}" "$K1" "-bad name"
tok tiny --uses 5 --pool 10.77.1.248/30
req 201 "" "" "${TOKEN[tiny]}" "$(wg genkey | wg pubkey)" p1
req 201 "" "" "${TOKEN[tiny]}" "$(wg genkey | wg pubkey)" p2
req 409 pool_exhausted "exhausted" "${TOKEN[tiny]}" "$(wg genkey | wg pubkey)" p3
code=$(nsx "$DV" curl -sS --cacert "$D/ca.pem" -o "$D/out" -w '%{http_code}' --data-binary "@$D/big" "$URL/v1/enroll")
eq "a body over 4 KiB is refused" 413 "$code"
code=$(nsx "$DV" curl -sS --cacert "$D/ca.pem" -o "$D/out" -w '%{http_code}' --data-binary 'not json' "$URL/v1/enroll")
eq "a body that is not JSON is refused" 422 "$code"
code=$(nsx "$DV" curl -s -o /dev/null -w '%{http_code}' "https://172.30.77.1:$PORT/v1/self" || true)
eq "a client without the pinned CA does not connect" 000 "$code"

# --- bounded: an idle connection is closed after the timeout (2 s); the service holds at most
# max_connections (60) connections, the rest wait in the kernel's backlog ----------------------
idle() { nsx "$DV" timeout "$1" bash -c "exec 3<>/dev/tcp/172.30.77.1/$PORT && cat <&3 >/dev/null"; }
t0=$(date +%s%N)
idle 10 || true
ms=$((($(date +%s%N) - t0) / 1000000))
ok "an idle connection is closed after the 2 s timeout (${ms} ms)" test "$ms" -ge 1500 -a "$ms" -lt 5000
socks() { find "/proc/$SRV_PID/fd" -lname 'socket:*' | wc -l; }
n0=$(socks)
pids=()
for _ in $(seq 70); do
	idle 30 &
	pids+=($!)
done
t_wait 10 bash -c "[ \$(find /proc/$SRV_PID/fd -lname 'socket:*' | wc -l) -ge $((n0 + 60)) ]" || true
sleep 0.5
eq "70 idle clients hold only the 60 connections of the limit" 60 $(($(socks) - n0))
wait "${pids[@]}" || true

# --- a revoked token through the agent: refused once, never sent again ------------------------
agent_conf rv "${TOKEN[gone]}"
eq "the agent exits 3 on a refused token" 3 "$(agent rv >/dev/null 2>&1; echo $?)"
n=$(wc -l <"$D/srv/audit.jsonl")
eq "run again, it exits 3" 3 "$(agent rv >/dev/null 2>&1; echo $?)"
eq "without sending the token again" "$n" "$(wc -l <"$D/srv/audit.jsonl")"

# --- the agent's other exit codes ---------------------------------------------------------------
agent_conf rl "${TOKEN[slow]}"
eq "the agent exits 7 when rate-limited beyond BACKOFF_MAX" 7 "$(agent rl >/dev/null 2>&1; echo $?)"
ok "and keeps the token for a later run" test -s "$D/rl/token" -a ! -e "$D/rl/state/token.refused"
agent_conf px "${TOKEN[tiny]}"
eq "the agent exits 4 on a conflict (pool exhausted)" 4 "$(agent px >/dev/null 2>&1; echo $?)"

# --- idempotence: the same token and key get the same answer, counted once --------------------
KI=$(wg genkey | wg pubkey)
req 201 "" "" "${TOKEN[any]}" "$KI" idem
a1=$(jq -r .address "$D/out")
req 200 "" "" "${TOKEN[any]}" "$KI" idem
eq "a retry gets the same address" "$a1" "$(jq -r .address "$D/out")"
used=$("$WARREN_BIN/warren-enrolld" token list --tokens "$D/srv/tokens.json" --state "$D/srv/state.json")
json_eq "the token counted the device once" "$used" '.tokens[]|select(.id=="any")|.used' '1'

# --- 50 devices in parallel on one 50-use token: 50 addresses, the 51st refused ---------------
tok fleet --uses 50 --pool 10.77.1.64/26
for i in $(seq 51); do wg genkey | wg pubkey >"$D/fleet.$i.pub"; done
t0=$(date +%s%N)
pids=()
for i in $(seq 51); do
	printf '{"token":"%s","public_key":"%s","hostname":"f%s"}' "${TOKEN[fleet]}" "$(cat "$D/fleet.$i.pub")" "$i" |
		nsx "$DV" curl -sS --cacert "$D/ca.pem" -o "$D/fleet.$i.out" -w '%{http_code}\n' \
			--data-binary @- "$URL/v1/enroll" >"$D/fleet.$i.code" &
	pids+=($!)
done
wait "${pids[@]}"
t1=$(date +%s%N)
cat "$D"/fleet.*.pub >"$D/fleet.keys"
echo "  51 parallel requests answered in $(((t1 - t0) / 1000000)) ms"
eq "50 enrolled" 50 "$(cat "$D"/fleet.*.code | grep -c '^201$')"
eq "the 51st refused as used up" "403 used_up" "$(for i in $(seq 51); do
	[ "$(cat "$D/fleet.$i.code")" = 403 ] && echo "403 $(jq -r .error "$D/fleet.$i.out")"; done)"
eq "50 unique addresses" 50 "$(cat "$D"/fleet.*.out | jq -r '.address // empty' | sort -u | grep -c '^10\.77\.1\.')"
eq "wg on the server lists the 50 with those addresses" \
	"$(cat "$D"/fleet.*.out | jq -r 'select(.address) | .public_key + " " + .address' | sort)" \
	"$(nsx "$S" wg show "$WS" allowed-ips | awk 'NR == FNR { k[$1] = 1; next } $1 in k { print $1 " " $2 }' "$D/fleet.keys" - | sort)"

# --- kill -9 between the state write and the reply, then a retry ------------------------------
tok k9 --uses 1
enroll_stop
agent_conf dn "${TOKEN[any]}"
t0=$(date +%s%N)
eq "the agent exits 7 when the server is unreachable after ATTEMPTS tries" 7 "$(agent dn >/dev/null 2>&1; echo $?)"
ms=$((($(date +%s%N) - t0) / 1000000))
ok "after backing off 1-1.5 s with jitter between its 2 attempts (${ms} ms)" test "$ms" -ge 1000 -a "$ms" -lt 3000
WARREN_ENROLLD_TEST_CRASH=after-state-write enroll_start
KK=$(wg genkey | wg pubkey)
req 000 "" "" "${TOKEN[k9]}" "$KK" crash || true
ok "the service died (SIGKILL after the write)" t_wait 5 sh -c "! kill -0 $SRV_PID"
rec=$(jq -r --arg k "$KK" '.peers[]|select(.public_key==$k)|.address' "$D/srv/state.json")
ok "the state on disk has the allocation" test -n "$rec"
nsx "$S" wg set "$WS" peer "$DEVPUB" remove
enroll_start
ok "a restart applies the enrolled peers again" sh -c "ip netns exec $S wg show $WS allowed-ips | grep -q '$DEVPUB'"
req 200 "" "" "${TOKEN[k9]}" "$KK" crash
eq "the retry gets the address recorded before the crash" "$rec/32" "$(jq -r .address "$D/out")"
cred=$(jq -r .credential "$D/out")
used=$("$WARREN_BIN/warren-enrolld" token list --tokens "$D/srv/tokens.json" --state "$D/srv/state.json")
json_eq "the token is counted once" "$used" '.tokens[]|select(.id=="k9")|.used' '1'
req 403 used_up "used up" "${TOKEN[k9]}" "$(wg genkey | wg pubkey)" crash2

# --- the device credential: GET /v1/self, POST /v1/rotate -------------------------------------
self() { nsx "$DV" curl -sS --cacert "$D/ca.pem" -o "$D/out" -w '%{http_code}' -H "Authorization: Bearer $1" "$URL/v1/self"; }
eq "GET /v1/self with the credential" 200 "$(self "$cred")"
json_eq "self names the peer" "$(cat "$D/out")" '.address' "\"$rec/32\""
eq "a wrong credential is refused" 401 "$(self "${cred%????}0000")"
NK=$(wg genkey | wg pubkey)
code=$(printf '{"public_key":"%s"}' "$NK" | nsx "$DV" curl -sS --cacert "$D/ca.pem" -o "$D/out" \
	-w '%{http_code}' -H "Authorization: Bearer $cred" --data-binary @- "$URL/v1/rotate")
eq "POST /v1/rotate with a new key" 200 "$code"
eq "wg: the new key holds the address" "$rec/32" "$(nsx "$S" wg show "$WS" allowed-ips | awk -v k="$NK" '$1 == k { print $2 }')"
nomatch "wg: the old key is gone" -F "$KK" <(nsx "$S" wg show "$WS" peers)

# --- metrics and the audit trail ----------------------------------------------------------------
m=$(nsx "$DV" curl -sS --cacert "$D/ca.pem" "$URL/metrics")
ok "metrics count enrollments by result" grep -q '^warren_enroll_requests_total{result="enrolled"} ' <<<"$m"
eq "metrics: free addresses in the pool (254 - 57 enrolled - 1 base peer)" 196 \
	"$(awk '$1 == "warren_enroll_pool_free_addresses" { print $2 }' <<<"$m")"
ok "every audit record has token id, key fingerprint, source and result" \
	jq -e -s 'all(.[]; has("token_id") and has("key_fingerprint") and has("source") and has("result"))' "$D/srv/audit.jsonl"
for t in "${!TOKEN[@]}"; do
	s=${TOKEN[$t]#*.}
	for f in "$D/srv/state.json" "$D/srv/audit.jsonl" "$D/srv/tokens.json" "$D/srv.log"; do
		nomatch "token $t's secret is not in $(basename "$f")" -F "$s" "$f"
	done
done

# --- a playbook run after the enrollments keeps every enrolled peer (wg-peer-sync --overlay) --
NEWP=$(wg genkey | wg pubkey)
printf '{"interface":"%s","private_key_file":"%s","listen_port":51820,"peers":[%s,%s]}\n' "$WS" \
	"$D/server.key" "{\"name\":\"base\",\"public_key\":\"$BASE\",\"allowed_ips\":[\"10.77.1.2/32\"]}" \
	"{\"name\":\"new\",\"public_key\":\"$NEWP\",\"allowed_ips\":[\"10.77.9.9/32\"]}" >"$D/base.json"
enrolled=$(jq '.peers|length' "$D/srv/state.json")
out=$("$WARREN_BIN/wg-peer-sync" sync "$D/base.json" --check)
json_eq "without the overlay a sync would remove every enrolled peer" "$out" '.removed|length' "$enrolled"
cat >"$D/play.yml" <<YML
- name: Apply the playbook's peers and keep the enrolled ones.
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Sync the server's peers with the enrolled peers as an overlay.
      wg_peer_sync:
        state: "{{ lookup('file', '$D/base.json') | from_json }}"
        overlay: $D/srv/state.json
        overlay_pool: 10.77.1.0/24
        helper: $WARREN_BIN/wg-peer-sync
      register: r
    - name: Show the result.
      ansible.builtin.debug:
        msg: "{{ r.added }} {{ r.removed }} {{ r.overlay }}"
YML
play() { (cd "$ROOT" && ANSIBLE_STDOUT_CALLBACK=json ansible-playbook -i localhost, -c local "$D/play.yml" 2>"$D/play.err"); }
out=$(play) || t_fail "the playbook failed: $(tail -n 5 "$D/play.err") $out"
json_eq "the playbook adds its new peer and removes nothing" "$out" \
	'.plays[0].tasks[0].hosts.localhost|[.changed,.added,.removed,.overlay]' "[true,[\"new\"],[],$enrolled]"
eq "wg: every enrolled peer is still there with its address" \
	"$(jq -r '.peers[]|.public_key + " " + .address + "/32"' "$D/srv/state.json" | sort)" \
	"$(nsx "$S" wg show "$WS" allowed-ips | grep -v -e "^$BASE" -e "^$NEWP" | tr "\t" " " | sort)"
out=$(play) || t_fail "the playbook failed again"
json_eq "a second run changes nothing" "$out" '.plays[0].tasks[0].hosts.localhost.changed' 'false'
jq '.peers[0].allowed_ips = ["10.77.9.0/24"]' "$D/srv/state.json" >"$D/bad-overlay.json"
out=$("$WARREN_BIN/wg-peer-sync" sync "$D/base.json" --overlay "$D/bad-overlay.json" --overlay-pool 10.77.1.0/24) && t_fail "an overlay outside its pool was accepted"
json_eq "an overlay peer outside the pool is refused by name" "$out" '.msg|test("outside the overlay.s pool")' 'true'
