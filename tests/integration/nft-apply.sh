#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# nft-apply on a real gateway: client -> WireGuard (wireguard-go) -> gateway -> LAN / DMZ, plus a
# client whose underlay address may not reach the WireGuard port. Asserts real traffic (ping,
# TCP connects, handshakes), drop counters and kernel log lines, and checks the ruleset with
# nft(8): idempotence without a batch (nft monitor), another table untouched, a kernel-rejected
# policy leaving the previous ruleset in place, and the read-back matching the policy.
source "$(dirname "$0")/../lib.sh"

G=ng$T_ID C=nc$T_ID B=nb$T_ID L=nl$T_ID Z=nz$T_ID
WG=gw$T_ID WC=cw$T_ID WB=bw$T_ID
D=$(mktemp -d)
t_cleanup "rm -rf $D"
APPLY="$WARREN_BIN/nft-apply"
PREFIX="wr$T_ID"
for ns in $G $C $B $L $Z; do t_ns "$ns"; done
t_cleanup "ip netns exec $G $WARREN_BIN/nft-apply delete" # and its witness file
t_veth "$L" "vl$T_ID" 192.168.20.5/24 "$G" "gl$T_ID" 192.168.20.1/24
t_veth "$Z" "vz$T_ID" 172.16.10.5/24 "$G" "gz$T_ID" 172.16.10.1/24
ip -n "$L" addr add 192.168.20.6/24 dev "vl$T_ID"
nsx "$G" sysctl -qw net.ipv4.ip_forward=1
# The LAN and DMZ hosts have no route back to the VPN: replies work only through masquerade.

# WireGuard, configured with wg(8) and ip(8) only: two clients of the gateway, each with an
# underlay of its own (10.77.1.0/24 and 10.77.2.0/24).
t_tunnel --keys g c --server-ips 192.168.100.2/32,192.168.100.3/32 \
	--client-ips 192.168.0.0/16,172.16.0.0/12 "$D" "$G" "$WG" "$C" "$WC" 10.77.1 192.168.100
t_tunnel --keys g b --host 4 --client-ips 192.168.0.0/16 "$D" "$G" "$WG" "$B" "$WB" 10.77.2 192.168.100
ip -n "$C" addr add 192.168.100.3/32 dev "$WC"
ip -n "$C" route add 192.168.20.0/24 dev "$WC"
ip -n "$C" route add 172.16.10.0/24 dev "$WC"
ip -n "$B" route add 192.168.20.0/24 dev "$WB"

# TCP listeners: LAN 192.168.20.5 and .6 on 8080 and 9090, DMZ on 8080.
listen() {
	nsx "$1" nc -lk "$2" "$3" >/dev/null 2>&1 &
	t_cleanup "kill $!"
}
for p in 8080 9090; do listen "$L" 192.168.20.5 $p; listen "$L" 192.168.20.6 $p; done
listen "$Z" 172.16.10.5 8080
# tcp SRC DST PORT: a TCP connect from the client with source address SRC.
tcp() { nsx "$C" nc -z -w 1 -s "$1" "$2" "$3"; }
ping_from() { nsx "$C" ping -c 1 -W 1 -q -I "$1" "$2"; }

# Log lines from a namespace need nf_log_all_netns; restore the host's value at exit.
old_log=$(sysctl -n net.netfilter.nf_log_all_netns)
t_cleanup "sysctl -qw net.netfilter.nf_log_all_netns=$old_log"
sysctl -qw net.netfilter.nf_log_all_netns=1
logged() { [ "$(dmesg | grep -c "$PREFIX $1 drop:")" -gt 0 ]; }

# Another table, created before any apply: must stay byte-for-byte the same.
nsx "$G" nft -f - <<'NFT'
table ip keepme {
	set friends { type ipv4_addr; elements = { 10.1.2.3 } }
	chain c { type filter hook input priority 10; policy accept; ip saddr @friends accept; }
}
NFT
other=$(nsx "$G" nft list table ip keepme)

policy() { # NAME JQ-FILTER: the base policy, changed by the filter
	jq --arg i "$WG" --arg p "$PREFIX" '.interface = $i | .log.prefix = $p | '"$2" \
		>"$D/$1.json" <<'JSON'
{
  "interface": "wg0", "listen_port": 51820, "wg_sources": ["10.77.1.0/24"],
  "vpn_subnet": "192.168.100.0/24", "allow_networks": ["192.168.0.0/16"],
  "deny_networks": ["172.16.10.0/24"], "masquerade": true,
  "input": [{"name": "ssh", "proto": "tcp", "ports": [22], "sources": ["10.77.1.0/24"]}],
  "peers": [
    {"name": "admin", "address": "192.168.100.2"},
    {"name": "contractor", "address": "192.168.100.3",
     "access": [{"to": "192.168.20.5/32", "proto": "tcp", "ports": [8080]}]},
    {"name": "outsider", "address": "192.168.100.4"}
  ],
  "log": {"prefix": "x", "rate": 100, "per": "second", "burst": 20}
}
JSON
}
run() { nsx "$G" "$APPLY" "$@" 2>>"$D/stderr"; }
ruleset() { nsx "$G" nft list ruleset | grep -v -e packets -e '^$'; }
counter() { nsx "$G" nft -j list counter inet warren "$1" | jq '.nftables[1].counter.packets'; }

# --- first apply ----------------------------------------------------------------------------
policy p1 .
out=$(run "$D/p1.json" --check)
json_eq "--check reports the change" "$out" '[.changed,.check,.table]' '[true,true,"inet warren"]'
fails "--check creates nothing" nsx "$G" nft list table inet warren
out=$(run "$D/p1.json")
json_eq "first apply" "$out" '[.changed,.replaced,.rules,.set_elements]' '[true,true,27,7]'
ok "the tunnel comes up" t_wait 10 ping_from 192.168.100.2 192.168.100.1

# --- traffic --------------------------------------------------------------------------------
ok "LAN is reachable (ping)" ping_from 192.168.100.2 192.168.20.5
ok "LAN is reachable (TCP)" tcp 192.168.100.2 192.168.20.6 9090
d0=$(counter fwd_drop)
fails "DMZ is not reachable (ping)" ping_from 192.168.100.2 172.16.10.5
fails "DMZ is not reachable (TCP)" tcp 192.168.100.2 172.16.10.5 8080
ok "forward drops are counted" test "$(counter fwd_drop)" -gt "$d0"
ok "forward drops are logged" t_wait 3 logged fwd
ok "restricted peer reaches its host:port" tcp 192.168.100.3 192.168.20.5 8080
fails "restricted peer: other port" tcp 192.168.100.3 192.168.20.5 9090
fails "restricted peer: other host" tcp 192.168.100.3 192.168.20.6 8080
fails "restricted peer: ping" ping_from 192.168.100.3 192.168.20.5
fails "restricted peer: DMZ" tcp 192.168.100.3 172.16.10.5 8080

# The outsider's underlay address may not reach the WireGuard port: no handshake, ever.
w0=$(counter wg_drop)
nsx "$B" ping -c 3 -i 0.3 -W 1 -q 192.168.20.5 >/dev/null 2>&1 || true
ok "the disallowed source's handshakes are dropped" test "$(counter wg_drop)" -gt "$w0"
eq "no handshake from the disallowed source" 0 \
	"$(nsx "$B" wg show "$WB" latest-handshakes | awk '{print $2}')"
ok "WireGuard port drops are logged" t_wait 3 logged wg
ok "the allowed source has a handshake" \
	test "$(nsx "$C" wg show "$WC" latest-handshakes | awk '{print $2}')" -gt 0

# --- idempotence: no batch at all on the second apply ----------------------------------------
before=$(ruleset)
nsx "$G" nft monitor >"$D/monitor" 2>&1 &
mon=$!
t_cleanup "kill $mon"
sleep 0.5
out=$(run "$D/p1.json")
json_eq "second apply changes nothing" "$out" '[.changed,.replaced,.elements_added]' '[false,false,0]'
json_eq "proved by the unchanged generation" "$out" '.verified' '"generation"'
nsx "$G" nft add table inet "nftmark$T_ID"
nsx "$G" nft delete table inet "nftmark$T_ID"
ok "nft monitor saw the marker" t_wait 3 grep -q "nftmark$T_ID" "$D/monitor"
# Two generations, both the marker's: the second apply committed nothing, not even an empty batch.
eq "nft monitor saw only the marker" "2 2" \
	"$(grep -c "nftmark$T_ID" "$D/monitor") $(grep -c '^# new generation' "$D/monitor")"
eq "the ruleset is unchanged" "$before" "$(ruleset)"
out=$(run "$D/p1.json")
json_eq "another table's commit forces a full compare, still no change" "$out" \
	'[.changed,.verified]' '[false,"compare"]'

# --- drift: a hand edit of warren's table is seen and undone ---------------------------------
fails "no access before the drift" tcp 192.168.100.3 192.168.20.6 8080
nsx "$G" nft add element inet warren peer_svc '{ 192.168.100.3 . 192.168.20.6 . tcp . 8080 }'
ok "the hand-added element opens the path" tcp 192.168.100.3 192.168.20.6 8080
out=$(run "$D/p1.json")
json_eq "the drift is repaired" "$out" '[.changed,.replaced,.elements_removed,.verified]' \
	'[true,false,1,"compare"]'
fails "the path is closed again" tcp 192.168.100.3 192.168.20.6 8080
eq "the ruleset is the policy's again" "$before" "$(ruleset)"

# --- one peer's list changes: element messages only -------------------------------------------
policy p2 '.peers[1].access[0].ports = [9090]'
out=$(run "$D/p2.json" --check)
json_eq "--check sees one element to swap" "$out" '[.changed,.replaced,.elements_added,.elements_removed]' '[true,false,1,1]'
eq "--check changed nothing" "$before" "$(ruleset)"
out=$(run "$D/p2.json")
json_eq "peer change is elements only" "$out" '[.changed,.replaced,.elements_added,.elements_removed]' '[true,false,1,1]'
ok "counters survive an element update" test "$(counter fwd_drop)" -gt 0
ok "restricted peer reaches the new port" tcp 192.168.100.3 192.168.20.5 9090
fails "restricted peer lost the old port" tcp 192.168.100.3 192.168.20.5 8080
kill $mon
ok "nft monitor saw the element change" grep -q "element inet warren peer_svc" "$D/monitor"
out=$(run "$D/p2.json")
json_eq "and then nothing" "$out" '.changed' 'false'

# --- read-back with nft -j matches the policy -------------------------------------------------
J=$(nsx "$G" nft -j list table inet warren)
elems() { printf '%s' "$J" | jq -c --arg s "$1" '[.nftables[] | select(.set.name == $s) | .set.elem // [] | .[]]'; }
json_eq "deny_nets" "$(elems deny_nets)" '.' '[{"prefix":{"addr":"172.16.10.0","len":24}}]'
json_eq "allow_nets" "$(elems allow_nets)" '.' '[{"prefix":{"addr":"192.168.0.0","len":16}}]'
json_eq "wg_src" "$(elems wg_src)" '.' '[{"prefix":{"addr":"10.77.1.0","len":24}}]'
json_eq "restricted peers" "$(elems restricted)" '.' '["192.168.100.3"]'
json_eq "the contractor's list" "$(elems peer_svc)" '.' '[{"concat":["192.168.100.3","192.168.20.5","tcp",9090]}]'
json_eq "input sources" "$(elems in_allow)" '.' '[{"concat":[{"prefix":{"addr":"10.77.1.0","len":24}},"tcp",22]}]'
json_eq "rule count" "$J" '[.nftables[] | select(.rule)] | length' '27'
json_eq "base chains" "$J" '[.nftables[] | select(.chain.hook) | .chain | [.name,.type,.hook,.prio,.policy]]' \
	'[["input","filter","input",0,"accept"],["forward","filter","forward",0,"accept"],["postrouting","nat","postrouting",100,"accept"]]'
json_eq "masquerade rule" "$J" '[.nftables[] | select(.rule.chain == "postrouting") | .rule.expr[-1]]' '[{"masquerade":null}]'
json_eq "log prefix" "$J" '[.nftables[] | select(.rule.chain == "fwd_drop") | .rule.expr[] | select(.log) | .log.prefix]' "[\"$PREFIX fwd drop: \"]"
out=$(run show)
json_eq "show agrees" "$out" '[.exists,.rules,.set_elements,.sets.peer_svc.elements]' '[true,27,7,1]'

# --- a policy the kernel rejects leaves the previous ruleset in place -------------------------
policy bad '.priority = {"nat": -300} | .peers += [{"address": "192.168.100.9", "access": []}]'
before=$(ruleset)
set +e
out=$(run "$D/bad.json")
rc=$?
set -e
eq "kernel rejection exits 1" 1 "$rc"
json_eq "the message names the rejected object" "$out" '[.failed, (.msg | test("rejected chain postrouting"))]' '[true,true]'
eq "the previous ruleset is intact" "$before" "$(ruleset)"
ok "and still enforced" tcp 192.168.100.3 192.168.20.5 9090

# --- a ruleset changed underneath: the batch carries the generation and the kernel refuses it ---
# strace holds nft-apply right before it sends its batch: the fifth setsockopt (SO_SNDBUFFORCE;
# nl_open's two timeouts and others come first) follows the read and the compare. Meanwhile
# another commit moves the generation.
policy p4 '.peers[1].access[0].ports = [9090] | .deny_networks += ["10.9.9.0/24"]'
before=$(ruleset)
nsx "$G" env ASAN_OPTIONS=detect_leaks=0 strace -qq -o /dev/null -e trace=setsockopt \
	-e inject=setsockopt:delay_exit=2000000:when=5 "$APPLY" "$D/p4.json" >"$D/race" &
race=$!
sleep 0.8
nsx "$G" nft add table inet "nftbump$T_ID"
set +e
wait $race
rc=$?
set -e
eq "a stale batch exits 1" 1 "$rc"
json_eq "and says so" "$(cat "$D/race")" '.msg | test("ruleset changed while")' 'true'
nsx "$G" nft delete table inet "nftbump$T_ID"
eq "nothing of the stale batch was applied" "$before" "$(ruleset)"
out=$(run "$D/p4.json")
json_eq "run again, it applies" "$out" '[.changed,.replaced]' '[true,false]'
json_eq "the new deny network is there" "$(nsx "$G" nft -j list set inet warren deny_nets)" \
	'[.nftables[1].set.elem[].prefix.addr]' '["10.9.9.0","172.16.10.0"]'
out=$(run "$D/p2.json")

# --- structure change replaces the table in one batch ------------------------------------------
policy p3 '.masquerade = false'
out=$(run "$D/p3.json")
json_eq "structure change" "$out" '[.changed,.replaced,.rules]' '[true,true,26]'
fails "no masquerade, no LAN replies" tcp 192.168.100.2 192.168.20.6 9090
out=$(run "$D/p2.json")
ok "masquerade back" tcp 192.168.100.2 192.168.20.6 9090

# --- a shrinking access list cuts open flows; peers never reach each other or the DMZ side ---
# An echo server on the LAN, and a client that keeps one TCP connection open from 192.168.100.2:
# it echoes once, waits for $D/go, then tries again (2 s).
nsx "$L" python3 -c '
import socket, threading
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("192.168.20.5", 7007)); s.listen(8)
def echo(c):
    while True:
        d = c.recv(64)
        if not d: return
        c.sendall(d)
while True:
    c, _ = s.accept(); threading.Thread(target=echo, args=(c,), daemon=True).start()
' >/dev/null 2>&1 &
t_cleanup "kill $!"
ok "the echo server listens" t_wait 10 sh -c "ip netns exec $L ss -Hltn 'sport = :7007' | grep -q ."
held() { # a held connection in the background; $D/held.out says "open" or "cut" at the end
	rm -f "$D/go" "$D/go.up" "$D/held.out"
	nsx "$C" python3 -c '
import os, socket, sys, time
for attempt in range(30):  # the echo server listens; the first SYN may still race the tunnel
    try:
        c = socket.create_connection(("192.168.20.5", 7007), timeout=2, source_address=("192.168.100.2", 0))
        break
    except OSError:
        time.sleep(0.1)
c.sendall(b"a"); assert c.recv(1) == b"a"
open(sys.argv[1] + ".up", "w").close()
while not os.path.exists(sys.argv[1]): time.sleep(0.05)
c.sendall(b"b")
try: print("open" if c.recv(1) == b"b" else "cut")
except OSError: print("cut")
' "$D/go" >"$D/held.out" 2>/dev/null &
	held_pid=$!
}
t_wait 5 tcp 192.168.100.2 192.168.20.6 9090
held
ok "held connection is up" t_wait 5 test -e "$D/go.up"
touch "$D/go"
wait "$held_pid" || true
eq "control: a held connection keeps working across a no-op" open "$(cat "$D/held.out")"
held
ok "held connection is up again" t_wait 5 test -e "$D/go.up"
policy q1 '.peers[0].access = []'
out=$(run "$D/q1.json")
json_eq "quarantining admin is elements only" "$out" '[.changed,.replaced]' '[true,false]'
touch "$D/go"
wait "$held_pid" || true
eq "quarantine cuts admin's open connection at once" cut "$(cat "$D/held.out")"
fails "quarantined: no new connection either" tcp 192.168.100.2 192.168.20.6 9090
fails "quarantined: not even the gateway's VPN address" ping_from 192.168.100.2 192.168.100.1
out=$(run "$D/p2.json")
ok "admin is back" t_wait 5 tcp 192.168.100.2 192.168.20.6 9090
ok "admin pings the gateway's VPN address" ping_from 192.168.100.2 192.168.100.1
fails "the gateway's own DMZ address is denied on input too" ping_from 192.168.100.2 172.16.10.1
fails "a restricted peer cannot ping the gateway" ping_from 192.168.100.3 192.168.100.1

# Peer to peer: let the outsider's underlay in, then 192.168.100.4 -> 192.168.100.2.
policy i1 '.wg_sources += ["10.77.2.0/24"]'
out=$(run "$D/i1.json")
ok "the second peer connects" t_wait 10 nsx "$B" ping -c 1 -W 1 -q 192.168.100.1
fails "peers are isolated by default (allow_networks covers the VPN subnet)" \
	nsx "$B" ping -c 2 -W 1 -q 192.168.100.2
policy i2 '.wg_sources += ["10.77.2.0/24"] | .peer_to_peer = true'
out=$(run "$D/i2.json")
json_eq "peer_to_peer drops one rule" "$out" '[.changed,.replaced,.rules]' '[true,true,26]'
ok "peer_to_peer: the peers reach each other" nsx "$B" ping -c 2 -W 1 -q 192.168.100.2
out=$(run "$D/p2.json")

# --- the other table, and delete ---------------------------------------------------------------
eq "the other table is unchanged" "$other" "$(nsx "$G" nft list table ip keepme)"
out=$(run delete)
json_eq "delete" "$out" '[.changed,.table]' '[true,"inet warren"]'
fails "warren's table is gone" nsx "$G" nft list table inet warren
out=$(run delete)
json_eq "delete again changes nothing" "$out" '.changed' 'false'
eq "the other table survived delete" "$other" "$(nsx "$G" nft list table ip keepme)"
