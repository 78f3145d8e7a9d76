# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# An offline ACME world for the edge suites (and the lab): a real bind9 serving zones with RFC2136
# updates signed by a TSIG key, and a real pebble (ACME test CA) that validates DNS-01 against that
# bind9. Source it after tests/lib.sh; every process runs inside a namespace the caller made and
# is killed at exit (t_cleanup). Independent of the roles: it only starts the servers.
#   edge_tls_ca DIR [IP]            a throwaway CA (DIR/ca.pem) and pebble's HTTPS certificate
#                                   for 127.0.0.1 and IP (DIR/pebble.pem, DIR/pebble.key), valid
#                                   EDGE_TLS_DAYS (default 2)
#   edge_tsig_secret                prints a new base64 HMAC-SHA256 secret
#   edge_bind NS DIR ADDR KEYNAME SECRET ZONE[:LABEL,...]...
#                                   named on ADDR:53 in NS, authoritative for each ZONE; KEYNAME
#                                   (hmac-sha256) may update only TXT at _acme-challenge.ZONE and
#                                   _acme-challenge.LABEL.ZONE (BIND has no infix wildcards, so each
#                                   host name of a certificate is listed)
#   edge_pebble NS DIR DNS [BLOCKED-DOMAIN...]
#                                   pebble on 127.0.0.1:14000 (EDGE_PEBBLE_ADDR:14000 if set;
#                                   management 127.0.0.1:15000) in NS, resolving
#                                   challenges through DNS (ADDR:53); writes its root to DIR/root.pem
#                                   (from the management endpoint), its pid in EDGE_PEBBLE_PID
#   edge_resolv NS ADDR             /etc/netns/NS/resolv.conf naming ADDR (ip netns exec mounts
#                                   it): lego looks up the NS host names with the system resolver
#   edge_wait_tcp NS ADDR PORT      waits (<= 10 s) until ADDR:PORT accepts in NS

edge_wait_tcp() {
	local i
	for i in $(seq 100); do
		if ip netns exec "$1" bash -c "exec 3<>/dev/tcp/$2/$3" 2>/dev/null; then return 0; fi
		sleep 0.1
	done
	echo "edge: nothing listens on $2:$3 in $1" >&2
	return 1
}

edge_resolv() {
	mkdir -p "/etc/netns/$1"
	t_cleanup "rm -rf /etc/netns/$1"
	echo "nameserver $2" >"/etc/netns/$1/resolv.conf"
}

edge_tls_ca() {
	local d=$1 san=IP:127.0.0.1,DNS:localhost
	[ -z "${2:-}" ] || san="$san,IP:$2"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days "${EDGE_TLS_DAYS:-2}" \
		-subj "/CN=warren edge test CA" -keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=pebble" \
		-keyout "$d/pebble.key" -out "$d/pebble.csr" 2>/dev/null
	openssl x509 -req -in "$d/pebble.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
		-days "${EDGE_TLS_DAYS:-2}" -extfile <(printf 'subjectAltName=%s\n' "$san") \
		-out "$d/pebble.pem" 2>/dev/null
}

edge_tsig_secret() { head -c 32 /dev/urandom | base64; }

edge_bind() {
	local ns=$1 d=$2 addr=$3 kname=$4 secret=$5 z zl l labels
	shift 5
	mkdir -p "$d/bind"
	# named listens on interface addresses only: a second loopback address goes onto lo.
	ip -n "$ns" -o addr show | grep -q " $addr/" || ip -n "$ns" addr add "$addr/32" dev lo
	cat >"$d/bind/named.conf" <<CONF
options {
	directory "$d/bind";
	pid-file "$d/bind/named.pid";
	listen-on port 53 { $addr; };
	listen-on-v6 { none; };
	recursion no;
	allow-transfer { none; };
	dnssec-validation no;
};
key "$kname" {
	algorithm hmac-sha256;
	secret "$secret";
};
CONF
	for zl in "$@"; do
		z=${zl%%:*}
		cat >"$d/bind/$z.zone" <<ZONE
\$TTL 60
@	IN SOA ns1.$z. hostmaster.$z. 1 3600 600 86400 60
	IN NS ns1.$z.
ns1	IN A $addr
@	IN A 127.0.0.1
*	IN A 127.0.0.1
ZONE
		# Only TXT records at _acme-challenge names, and only with the key: a leaked key
		# cannot repoint the zone's addresses.
		cat >>"$d/bind/named.conf" <<CONF
zone "$z" {
	type primary;
	file "$d/bind/$z.zone";
	update-policy {
		grant $kname. name _acme-challenge.$z. TXT;
CONF
		if [ "$zl" != "$z" ]; then
			labels=${zl#*:}
			for l in ${labels//,/ }; do
				printf '\t\tgrant %s. name _acme-challenge.%s.%s. TXT;\n' "$kname" "$l" "$z"
			done >>"$d/bind/named.conf"
		fi
		printf '\t};\n};\n' >>"$d/bind/named.conf"
	done
	ip netns exec "$ns" named -g -c "$d/bind/named.conf" -n 1 >"$d/bind/named.log" 2>&1 &
	t_cleanup "kill $! ; wait $!"
	edge_wait_tcp "$ns" "$addr" 53
}

edge_pebble() {
	local ns=$1 d=$2 dns=$3 blocked=""
	shift 3
	[ $# -eq 0 ] || blocked=$(printf '"%s",' "$@")
	cat >"$d/pebble.json" <<CONF
{"pebble": {"listenAddress": "${EDGE_PEBBLE_ADDR:-127.0.0.1}:14000", "managementListenAddress": "127.0.0.1:15000",
 "certificate": "$d/pebble.pem", "privateKey": "$d/pebble.key", "httpPort": 5002, "tlsPort": 5001,
 "ocspResponderURL": "", "externalAccountBindingRequired": false,
 "domainBlocklist": [${blocked%,}]}}
CONF
	PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=${EDGE_NONCEREJECT:-0} ip netns exec "$ns" pebble -config "$d/pebble.json" -dnsserver "$dns:53" \
		>"$d/pebble.log" 2>&1 &
	EDGE_PEBBLE_PID=$!
	t_cleanup "kill $! ; wait $!"
	edge_wait_tcp "$ns" 127.0.0.1 15000
	ip netns exec "$ns" curl -sf --cacert "$d/ca.pem" https://127.0.0.1:15000/roots/0 >"$d/root.pem"
}
