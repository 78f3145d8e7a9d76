#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# A listen port that another socket holds fails closed, with 3,000 new peers and their preshared
# keys in the same sync: one JSON object on stdout, exit 1, a message that names the port, and
# the interface keeps its port, fwmark and peers and still carries traffic. On wireguard-go, no
# preshared key reaches its log (LOG_LEVEL=verbose). Two ways to fail: the helper sees the busy
# port in its own network namespace and sends nothing; or it cannot see it (it runs in another
# namespace than the one the interface binds in), the port is refused and the old one restored.
source "$(dirname "$0")/../lib.sh"

S=ps$T_ID C=pc$T_ID X=px$T_ID H=ph$T_ID WS=pws$T_ID WC=pwc$T_ID WM=pwm$T_ID
D=$(mktemp -d)
t_cleanup "rm -rf $D"
SYNC="$WARREN_BIN/wg-peer-sync"
LOG=$D/wg-go.log
umask 077 # the 3,000 preshared key files below, written by awk, must be private
# The client with wg(8); the server's interface is left to wg-peer-sync. wireguard-go logs verbosely.
t_tunnel --psk --server-unset --log "$LOG" "$D" "$S" "$WS" "$C" "$WC" 10.98.0 192.168.98
SP=${T_PUB[s]} CP=${T_PUB[c]}

alice='{"name":"alice","public_key":"'$CP'","preshared_key_file":"'$D/c.psk'","allowed_ips":["192.168.98.2/32"]}'
printf '{"interface":"%s","private_key_file":"%s","listen_port":51820,"peers":[%s]}\n' \
	"$WS" "$D/s.key" "$alice" >"$D/base.json"
out=$(nsx "$S" "$SYNC" sync "$D/base.json")
json_eq "the server starts on port 51820 with one peer" "$out" '[.changed,.added]' '[true,["alice"]]'
ok "the tunnel carries traffic" nsx "$C" ping -c 2 -W 2 -q 192.168.98.1

# 3,000 peers, each with a preshared key (its own file) and a keepalive, no allowed IPs. The
# sizes are chosen so that the old single-stream writer put a whole "preshared_key=" line exactly
# at byte 4096 of its request, where wireguard-go's first read ends: "set=1" (6 bytes),
# "listen_port=99" (15), "fwmark=7" (9), then 190 bytes per peer, the 22nd peer's key at 4096.
N=3000
mkdir "$D/psk"
rnd_keys() { head -c $((N * 64)) /dev/urandom | base64 -w 0 | tr -d '+/=' | fold -w 42 | awk -v n=$N 'NR <= n { print $0 "A=" }'; }
rnd_keys >"$D/keys"
rnd_keys >"$D/psks"
eq "$N distinct public keys and $N distinct preshared keys" "$N $N" \
	"$(sort -u "$D/keys" | wc -l) $(sort -u "$D/psks" | wc -l)"
awk -v d="$D/psk" '{ f = d "/" NR ".psk"; print > f; close(f) }' "$D/psks"
paste "$D/keys" <(seq $N) | awk -v d="$D/psk" 'BEGIN { printf "[" }
	{ printf "%s{\"name\":\"p%d\",\"public_key\":\"%s\",\"preshared_key_file\":\"%s/%d.psk\",\"persistent_keepalive\":1000}",
	  (NR > 1 ? "," : ""), $2, $1, d, $2 }
	END { printf "]" }' >"$D/peers.json"
# state FILE IFACE PORT FWMARK: the interface with alice (on WS) and the 3,000 peers.
state() {
	local first=[]
	[ "$2" = "$WS" ] && first="[$alice]"
	jq -n --arg i "$2" --arg k "$D/s.key" --argjson port "$3" --argjson mark "$4" \
		--argjson a "$first" --slurpfile p "$D/peers.json" \
		'{interface: $i, private_key_file: $k, listen_port: $port, fwmark: $mark, peers: ($a + $p[0])}' >"$1"
}
snap() { nsx "$S" wg show "$1" dump | cut -f1-4,8 | sort | sha256sum; }

# fails_closed DESCRIPTION NS STATE PORT: a sync in NS must fail with exit 1, one JSON object on
# stdout and a message naming PORT; the output is left in $out.
fails_closed() {
	local rc=0
	nsx "$2" "$SYNC" sync "$3" >"$D/out" 2>"$D/err" || rc=$?
	out=$(cat "$D/out")
	eq "$1: exit 1 (not a signal)" 1 "$rc"
	eq "$1: exactly one line on stdout" 1 "$(wc -l <"$D/out")"
	json_eq "$1: one JSON failure object" "$out" '[type,.failed]' '["object",true]'
	json_eq "$1: the message names port $4" "$out" ".msg|test(\"listen_port $4\\\\b\")" 'true'
}

# --- 1. the helper sees the busy port in its own namespace: nothing is sent ------------------
t_udp_hold "$S" 99
state "$D/busy.json" "$WS" 99 7
before=$(snap "$WS")
fails_closed "port 99 busy in the interface's namespace" "$S" "$D/busy.json" 99
json_eq "the message says it is in use and which port is kept" "$out" \
	'.msg|[test("in use"),test("keeps port 51820"),test("nothing was changed")]' '[true,true,true]'
eq "listen port still 51820" 51820 "$(nsx "$S" wg show "$WS" listen-port)"
eq "fwmark untouched" off "$(nsx "$S" wg show "$WS" fwmark)"
eq "key, port and peers exactly as before" "$before" "$(snap "$WS")"
ok "the tunnel still carries traffic" nsx "$C" ping -c 1 -W 2 -q 192.168.98.1

# --- 2. the helper cannot see the busy port: the request is refused, the old port restored -----
if [ "$WG_BACKEND" = userspace ]; then
	# wireguard-go's socket is reachable from any namespace; the helper runs in X, where 99 is
	# free, and wireguard-go, in S, cannot bind it.
	t_ns "$X"
	B_NS=$X B_IF=$WS B_PORT=99 B_OLD=51820
	B_FILE=$D/busy.json
else
	# A kernel interface binds in the namespace that created it: WM is made in H, where port 98
	# is held, then moved into S, where the helper runs and sees 98 free.
	t_ns "$H"
	t_udp_hold "$H" 98
	ip -n "$H" link add "$WM" type wireguard
	nsx "$H" wg set "$WM" private-key "$D/s.key" listen-port 51830
	ip -n "$H" link set "$WM" netns "$S"
	ip -n "$S" link set "$WM" up
	B_NS=$S B_IF=$WM B_PORT=98 B_OLD=51830
	B_FILE=$D/busy-wm.json
	state "$B_FILE" "$WM" 98 7
fi
before=$(snap "$B_IF")
fails_closed "port $B_PORT refused by the interface" "$B_NS" "$B_FILE" "$B_PORT"
json_eq "the message says the old port was restored" "$out" \
	".msg|[test(\"in use\"),test(\"listen_port $B_OLD restored\")]" '[true,true]'
eq "listen port back to $B_OLD" "$B_OLD" "$(nsx "$S" wg show "$B_IF" listen-port)"
eq "fwmark untouched" off "$(nsx "$S" wg show "$B_IF" fwmark)"
eq "key, port and peers exactly as before" "$before" "$(snap "$B_IF")"
ok "the tunnel still carries traffic" nsx "$C" ping -c 1 -W 2 -q 192.168.98.1
if [ "$WG_BACKEND" = userspace ]; then
	ok "wireguard-go did refuse the port (the rollback path ran)" grep -q "failed to set listen_port" "$LOG"
fi

# --- 3. a free port: everything is applied, and a second run changes nothing -----------------
state "$D/free.json" "$WS" 51821 7
out=$(nsx "$S" "$SYNC" sync "$D/free.json")
json_eq "on a free port the whole sync applies" "$out" \
	'[.changed,(.added|length),.interface_changes]' "[true,$N,[\"listen_port\",\"fwmark\"]]"
eq "listen port 51821" 51821 "$(nsx "$S" wg show "$WS" listen-port)"
eq "fwmark 7" 0x7 "$(nsx "$S" wg show "$WS" fwmark)"
eq "$((N + 1)) peers" $((N + 1)) "$(nsx "$S" wg show "$WS" peers | wc -l)"
nsx "$S" wg show "$WS" preshared-keys | grep -v "^$CP" | cut -f2 | sort >"$D/live-psks"
ok "every preshared key is the state's" cmp "$D/live-psks" <(sort "$D/psks")
out=$(nsx "$S" "$SYNC" sync "$D/free.json")
json_eq "a second run changes nothing" "$out" '[.changed,.unchanged]' "[false,$((N + 1))]"
nsx "$C" wg set "$WC" peer "$SP" endpoint 10.98.0.1:51821
ok "the tunnel works on the new port" t_wait 10 nsx "$C" ping -c 1 -W 1 -q 192.168.98.1

# --- 4. wireguard-go's log holds no key -------------------------------------------------------
if [ "$WG_BACKEND" = userspace ]; then
	python3 -c 'import base64, sys
for line in sys.stdin:
    print(base64.b64decode(line).hex())' <"$D/psks" >"$D/psks.hex"
	nomatch "no preshared key (base64) in wireguard-go's log" -F -f "$D/psks" "$LOG"
	nomatch "no preshared key (hex) in wireguard-go's log" -iF -f "$D/psks.hex" "$LOG"
	nomatch "no request line in wireguard-go's log" -E "invalid UAPI operation|preshared_key=|[0-9a-f]{32}" "$LOG"
	ok "the log is not empty (verbose logging worked)" grep -q "UAPI: Updating listen port" "$LOG"
fi
for f in "$D/s.key" "$D/c.psk" "$D/psk/1.psk"; do
	nomatch "no key from $(basename "$f") in the helper's output" -F -e "$(cat "$f")" "$D/out" "$D/err"
done
