# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash disable=SC2034
# Shared by tests/integration/enroll*.sh and bench/enroll.sh: a VPN server namespace with
# wireguard-go and warren-enrolld (HTTPS with a CA made here), a LAN host behind it and a device
# namespace. Sourcing it sources tests/lib.sh.
#   enroll_setup            namespaces (server, LAN host, DMZ host, device), veths, the
#                           server's WireGuard, CA and certificate,
#                           the server secret and an empty token store
#   tok ID [OPTIONS]        token create ID (profile lan); its text in ${TOKEN[ID]}
#   enroll_start / _stop    the service as nobody (its pid in SRV_PID), stopped at exit
#   req CODE RESULT WORDS TOKEN KEY HOST
#                           POST /v1/enroll from the device namespace; asserts the status, the
#                           "error" result and words of the message (RESULT "" for success)
#   agent_conf NAME TOKEN   an agent configuration in $D/NAME; agent NAME runs it there
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
S=es$T_ID L=el$T_ID X=ex$T_ID DV=ed$T_ID WS=wes$T_ID WD=wed$T_ID
PORT=${ENROLL_PORT:-8443}
URL=https://172.30.77.1:$PORT
declare -A TOKEN=()
SRV_PID=

enroll_setup() {
	D=$(mktemp -d)
	chmod 755 "$D"
	t_cleanup "rm -rf $D"
	t_ns "$S"
	t_ns "$L"
	t_ns "$DV"
	t_ns "$X"
	t_veth "$S" "x$T_ID" 172.16.77.1/24 "$X" "y$T_ID" 172.16.77.5/24
	ip -n "$X" route add 10.77.0.0/16 via 172.16.77.1
	t_veth "$S" "l$T_ID" 192.168.77.1/24 "$L" "m$T_ID" 192.168.77.5/24
	ip -n "$L" route add 10.77.0.0/16 via 192.168.77.1
	t_veth "$S" "u$T_ID" 172.30.77.1/24 "$DV" "v$T_ID" 172.30.77.2/24
	nsx "$S" sysctl -qw net.ipv4.ip_forward=1
	# The service's user reaches the UAPI socket through its group, as with the server role.
	t_wg_go "$S" "$WS" --group 65534 --mode 0660
	t_key_file "$D/server.key"
	SPUB=$(wg pubkey <"$D/server.key")
	nsx "$S" wg set "$WS" private-key "$D/server.key" listen-port 51820
	ip -n "$S" addr add 10.77.0.1/16 dev "$WS"
	ip -n "$S" link set "$WS" up
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj /CN=warren-enroll-test-ca -keyout "$D/ca.key" -out "$D/ca.pem" 2>/dev/null
	install -d -o 65534 -g 65534 -m 0700 "$D/srv"
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=172.30.77.1 \
		-keyout "$D/srv/tls.key" -out "$D/tls.csr" 2>/dev/null
	printf 'subjectAltName=IP:172.30.77.1\n' >"$D/san"
	openssl x509 -req -in "$D/tls.csr" -CA "$D/ca.pem" -CAkey "$D/ca.key" -CAcreateserial \
		-days 2 -extfile "$D/san" -out "$D/srv/tls.pem" 2>/dev/null
	"$WARREN_BIN/warren-enrolld" secret --out "$D/srv/secret.key" >/dev/null
	echo '{"tokens": []}' >"$D/srv/tokens.json"
	cat >"$D/srv/conf.json" <<JSON
{"interface": "$WS", "endpoint": "172.30.77.1:51820", "listen": "0.0.0.0", "port": $PORT,
 "pool": "10.77.1.0/24", "allowed_ips": ["10.77.0.0/16", "192.168.77.0/24", "172.16.77.0/24"],
 "tokens_file": "$D/srv/tokens.json", "state_file": "$D/srv/state.json",
 "secret_file": "$D/srv/secret.key", "audit_file": "$D/srv/audit.jsonl",
 "tls_cert": "$D/srv/tls.pem", "tls_key": "$D/srv/tls.key", "max_connections": ${ENROLL_MAX_CONN:-60}, "timeout": 2}
JSON
	head -c 5000 /dev/zero | tr '\0' x >"$D/big"
	chown -R 65534:65534 "$D/srv"
}

tok() {
	local id=$1 out
	shift
	out=$("$WARREN_BIN/warren-enrolld" token create --tokens "$D/srv/tokens.json" \
		--secret "$D/srv/secret.key" --id "$id" --profile lan "$@") || t_fail "token create $id: $out"
	chown 65534:65534 "$D/srv/tokens.json"
	TOKEN[$id]=$(jq -r .token <<<"$out")
}

enroll_start() {
	ip netns exec "$S" setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$WARREN_BIN/warren-enrolld" serve "$D/srv/conf.json" >>"$D/srv.out" 2>>"$D/srv.log" &
	SRV_PID=$!
	t_cleanup "kill -9 $SRV_PID"
	t_wait 5 nsx "$DV" curl -s --cacert "$D/ca.pem" -o /dev/null "$URL/metrics" ||
		t_fail "warren-enrolld did not start: $(tail -n 5 "$D/srv.log" "$D/srv.out")"
}

enroll_stop() {
	kill "$SRV_PID"
	wait "$SRV_PID" 2>/dev/null || true
}

req() {
	local want=$1 res=$2 words=$3 token=$4 key=$5 host=$6 code
	code=$(printf '{"token":"%s","public_key":"%s","hostname":"%s"}' "$token" "$key" "$host" |
		nsx "$DV" curl -sS --cacert "$D/ca.pem" -o "$D/out" -D "$D/hdr" -w '%{http_code}' \
			--data-binary @- "$URL/v1/enroll" 2>/dev/null) || true
	[ "$want" = 000 ] && return 0
	eq "POST /v1/enroll ($host): status" "$want" "$code"
	if [ -n "$res" ]; then
		json_eq "POST /v1/enroll ($host): result" "$(cat "$D/out")" '.error' "\"$res\""
		grep -qi -- "$words" <<<"$(jq -r .message "$D/out")" ||
			t_fail "message for $host lacks \"$words\": $(cat "$D/out")"
	fi
}

agent_conf() {
	mkdir -p "$D/$1"
	(umask 077 && echo "$2" >"$D/$1/token")
	cat >"$D/$1/enroll.conf" <<CONF
SERVER_URL=$URL
CA_FILE=$D/ca.pem
TOKEN_FILE=$D/$1/token
STATE_DIR=$D/$1/state
CONF_DIR=$D/$1/wg
IFACE=$WD
PING_HOST=192.168.77.5
DEVICE_NAME=$1
ATTEMPTS=2
UP_CMD="wg-quick up"
CONF
}

agent() {
	t_cleanup "kill \$(cat $D/$WD.pid 2>/dev/null) ; rm -f /var/run/wireguard/$WD.sock"
	nsx "$DV" env WG_QUICK_USERSPACE_IMPLEMENTATION="$ROOT/lab/wg-go-bg" WARREN_LAB_WG_DIR="$D" \
		"$ROOT/agent/warren-enroll-agent" "$D/$1/enroll.conf" 2>>"$D/$1/agent.log" >&2
}
