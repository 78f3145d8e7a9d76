# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Shared shell harness for the integration suites (bash). Source it, then use:
#   t_ns NAME                 create network namespace NAME, removed on exit
#   t_wg NS IFACE             create a WireGuard interface in NS with the selected backend
#                             (WG_BACKEND=userspace: wireguard-go; kernel: the module)
#   t_keys DIR NAME...        private keys DIR/NAME.key (0600), public keys in ${T_PUB[NAME]}
#   t_psk DIR NAME...         preshared keys DIR/NAME.psk (0600)
#   t_tunnel ... DIR S WS C WC UNDERLAY NET
#                             a server and a client namespace, veth, WireGuard on both, up
#   t_cleanup CMD...          run CMD at exit (LIFO), even on failure
#   t_udp_hold NS PORT        keep UDP PORT busy in NS until the test ends
#   ok/eq/json_eq/fails/nomatch
#                             assertions; the first failure ends the test with exit 1
# Every name a test creates carries $T_ID so parallel or leftover runs never collide.
set -euo pipefail

: "${WARREN_BIN:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build}"
: "${WG_BACKEND:=userspace}"
export WARREN_BIN WG_BACKEND
T_NAME=${T_NAME:-$(basename "$0" .sh)}
T_ID=${T_ID:-w$$}
T_PASS=0
T_CLEAN=()
declare -A T_PUB=() # public keys made by t_keys, by name
declare -A T_NS=()  # namespaces made by t_ns

t_cleanup() { T_CLEAN+=("$*"); }

t_run_cleanup() {
	local rc=$? i
	set +e
	for ((i = ${#T_CLEAN[@]} - 1; i >= 0; i--)); do
		eval "${T_CLEAN[$i]}" >/dev/null 2>&1
	done
	if [ -n "${T_QUIET:-}" ]; then
		: # a benchmark: its own output says what happened
	elif [ "$rc" -eq 0 ]; then
		echo "PASS $T_NAME ($T_PASS checks, backend $WG_BACKEND)"
	else
		echo "FAIL $T_NAME (after $T_PASS checks, backend $WG_BACKEND)"
	fi
	exit "$rc"
}
trap t_run_cleanup EXIT
trap 'exit 130' INT TERM

t_fail() {
	echo "  not ok: $*" >&2
	exit 1
}

# ok DESCRIPTION CMD...: CMD must succeed.
ok() {
	local what=$1
	shift
	"$@" >/dev/null 2>&1 || t_fail "$what (command: $*)"
	T_PASS=$((T_PASS + 1))
}

# fails DESCRIPTION CMD...: CMD must fail.
fails() {
	local what=$1
	shift
	if "$@" >/dev/null 2>&1; then t_fail "$what (unexpectedly succeeded: $*)"; fi
	T_PASS=$((T_PASS + 1))
}

# nomatch DESCRIPTION GREP-ARGS...: grep GREP-ARGS must select nothing, and say so with exit 1:
# a missing or unreadable file or a bad pattern (exit 2) is a failure, never a pass as it is for
# `fails grep ...`. Without a file, grep reads stdin. The failure never prints the pattern: it
# is often a key.
nomatch() {
	local what=$1 rc=0
	shift
	grep -q "$@" 2>/dev/null || rc=$?
	[ "$rc" -eq 1 ] || t_fail "$what (grep exited $rc, not 1)"
	T_PASS=$((T_PASS + 1))
}

# eq DESCRIPTION EXPECTED ACTUAL
eq() {
	[ "$2" == "$3" ] || t_fail "$1: expected [$2], got [$3]"
	T_PASS=$((T_PASS + 1))
}

# json_eq DESCRIPTION JSON JQ-FILTER EXPECTED
json_eq() {
	local got
	got=$(printf '%s' "$2" | jq -c "$3" 2>/dev/null) || t_fail "$1: not JSON: $2"
	[ "$got" == "$4" ] || t_fail "$1: $3 expected $4, got $got (in $2)"
	T_PASS=$((T_PASS + 1))
}

t_ns() {
	ip netns add "$1"
	T_NS[$1]=1
	t_cleanup "ip netns del $1"
	ip -n "$1" link set lo up
}

# t_veth NS1 IF1 ADDR1 NS2 IF2 ADDR2: a veth pair between two namespaces.
t_veth() {
	ip link add "$2" netns "$1" type veth peer name "$5" netns "$4"
	ip -n "$1" addr add "$3" dev "$2"
	ip -n "$4" addr add "$6" dev "$5"
	ip -n "$1" link set "$2" up
	ip -n "$4" link set "$5" up
}

# The role's wireguard-go launcher (binds the UAPI socket with a chosen group and mode, then
# execs wireguard-go): the tests start wireguard-go exactly as the server does.
WG_GO_UAPI=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/roles/wireguard_server/files/wg-go-uapi

# t_wg_dir: wireguard-go's socket directory, root 0755, made by this suite when missing (never
# left to the umask of whichever wireguard-go comes first) and removed again at exit if empty.
t_wg_dir() {
	if [ ! -d /run/wireguard ]; then
		install -d -o root -g root -m 0755 /run/wireguard
		t_cleanup "rmdir /run/wireguard"
	fi
}

# t_wg_go NS IFACE [--group G] [--log FILE]: wireguard-go for IFACE in NS through the role's
# launcher; the socket is root-only unless a group is given. With --log, wireguard-go logs at
# LOG_LEVEL=verbose into FILE. Waits for the interface and its socket.
t_wg_go() {
	local ns=$1 ifc=$2 log=/dev/null level=error i
	local args=()
	shift 2
	while [ $# -gt 0 ]; do
		case "$1" in
		--log)
			log=$2 level=verbose
			shift 2
			;;
		*)
			args+=("$1")
			shift
			;;
		esac
	done
	t_wg_dir
	LOG_LEVEL=$level ip netns exec "$ns" "$WG_GO_UAPI" "${args[@]}" "$ifc" >"$log" 2>&1 &
	t_cleanup "kill $! ; rm -f /var/run/wireguard/$ifc.sock"
	for i in $(seq 100); do
		[ -S "/var/run/wireguard/$ifc.sock" ] && ip -n "$ns" link show "$ifc" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	t_fail "wireguard-go did not create $ifc"
}

# t_wg NS IFACE: a WireGuard interface, not yet up. Names must be unique across namespaces
# (wireguard-go's sockets share /var/run/wireguard).
t_wg() {
	local ns=$1 ifc=$2
	case "$WG_BACKEND" in
	userspace)
		t_wg_go "$ns" "$ifc"
		;;
	kernel)
		ip -n "$ns" link add "$ifc" type wireguard
		;;
	*) t_fail "unknown WG_BACKEND $WG_BACKEND" ;;
	esac
}

# t_udp_hold NS PORT: a socket that holds UDP PORT in NS until the test ends. userspace: a
# python3 socket on 0.0.0.0 without SO_REUSEADDR (wireguard-go binds with it, so another
# wireguard-go would not keep it out); kernel (the VM has no python3): a kernel WireGuard
# interface listening on PORT, which binds IPv4 and IPv6 exclusively.
t_udp_hold() {
	local ns=$1 port=$2 ifc=h$2$T_ID
	case "$WG_BACKEND" in
	userspace)
		rm -f "/tmp/$ifc.ready"
		ip netns exec "$ns" python3 -c 'import signal, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", int(sys.argv[1])))
open(sys.argv[2], "w").close()
signal.pause()' "$port" "/tmp/$ifc.ready" &
		t_cleanup "kill $! ; rm -f /tmp/$ifc.ready"
		t_wait 5 test -e "/tmp/$ifc.ready" || t_fail "no socket holds UDP $port in $ns"
		;;
	kernel)
		ip -n "$ns" link add "$ifc" type wireguard
		ip netns exec "$ns" wg set "$ifc" listen-port "$port"
		ip -n "$ns" link set "$ifc" up
		;;
	esac
}

# nsx NS CMD...: run CMD inside NS.
nsx() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

# t_key_file PATH [KEY]: a private key file, mode 0600.
t_key_file() {
	(umask 077 && if [ $# -gt 1 ]; then echo "$2"; else wg genkey; fi >"$1")
}

# t_keys DIR NAME...: for each NAME a new private key DIR/NAME.key (wg genkey, mode 0600 whatever
# the umask); its public key in ${T_PUB[NAME]}.
t_keys() {
	local dir=$1 n
	shift
	for n in "$@"; do
		[ ! -e "$dir/$n.key" ] || t_fail "t_keys: $dir/$n.key exists"
		t_key_file "$dir/$n.key"
		T_PUB[$n]=$(wg pubkey <"$dir/$n.key")
	done
}

# t_psk DIR NAME...: for each NAME a new preshared key DIR/NAME.psk (wg genpsk, mode 0600).
t_psk() {
	local dir=$1 n
	shift
	for n in "$@"; do
		[ ! -e "$dir/$n.psk" ] || t_fail "t_psk: $dir/$n.psk exists"
		(umask 077 && wg genpsk >"$dir/$n.psk")
	done
}

# t_tunnel [OPTIONS] DIR SERVER-NS SERVER-IF CLIENT-NS CLIENT-IF UNDERLAY NET: a live WireGuard
# tunnel. The namespaces (t_ns, unless the test made them already) are joined by a veth pair,
# g<CLIENT-IF> in the server's with UNDERLAY.1/24 and v<CLIENT-IF> in the client's with
# UNDERLAY.2/24. Each gets a WireGuard interface (t_wg), up; keys DIR/s.key and DIR/c.key (t_keys,
# unless the test made them already). The server listens on 51820 with NET.1/24 and allows the
# client NET.2/32; the client has NET.2/24, the server as its peer at UNDERLAY.1:51820, and
# allows NET.1/32. Another call with the same server interface adds another client to it.
#   --keys S C            key names instead of s and c
#   --psk                 a preshared key DIR/C.psk (t_psk, unless made already) on both sides
#   --port PORT           the server's listen port
#   --host N              the client's host number in NET (2)
#   --server-ips LIST     the allowed IPs the server gives the client (NET.N/32)
#   --client-ips LIST     the allowed IPs the client gives the server (NET.1/32)
#   --group G, --log FILE the server's wireguard-go through t_wg_go with these (userspace only)
#   --server-unset        the server's key, port and peers are the test's (address and up only)
#   --client-unset        the client's interface is the test's: no key, peer, address, not up
t_tunnel() {
	local ks=s kc=c psk=0 port=51820 host=2 sips="" cips="" sunset=0 cunset=0 k
	local go=() pskarg=()
	while [ $# -gt 0 ]; do
		case "$1" in
		--keys) ks=$2 kc=$3 && shift 3 ;;
		--psk) psk=1 && shift ;;
		--port) port=$2 && shift 2 ;;
		--host) host=$2 && shift 2 ;;
		--server-ips) sips=$2 && shift 2 ;;
		--client-ips) cips=$2 && shift 2 ;;
		--group | --log) go+=("$1" "$2") && shift 2 ;;
		--server-unset) sunset=1 && shift ;;
		--client-unset) cunset=1 && shift ;;
		-*) t_fail "t_tunnel: unknown option $1" ;;
		*) break ;;
		esac
	done
	[ $# -eq 7 ] || t_fail "t_tunnel: expected DIR SERVER-NS SERVER-IF CLIENT-NS CLIENT-IF UNDERLAY NET"
	local dir=$1 s=$2 ws=$3 c=$4 wc=$5 u=$6 net=$7
	: "${sips:=$net.$host/32}" "${cips:=$net.1/32}"
	for k in "$ks" "$kc"; do
		[ -n "${T_PUB[$k]:-}" ] || t_keys "$dir" "$k"
	done
	if [ $psk -eq 1 ]; then
		[ -e "$dir/$kc.psk" ] || t_psk "$dir" "$kc"
		pskarg=(preshared-key "$dir/$kc.psk")
	fi
	[ -n "${T_NS[$s]:-}" ] || t_ns "$s"
	[ -n "${T_NS[$c]:-}" ] || t_ns "$c"
	t_veth "$s" "g$wc" "$u.1/24" "$c" "v$wc" "$u.2/24"
	if ! ip -n "$s" link show "$ws" >/dev/null 2>&1; then
		if [ "$WG_BACKEND" = userspace ] && [ ${#go[@]} -gt 0 ]; then
			t_wg_go "$s" "$ws" "${go[@]}"
		else
			t_wg "$s" "$ws"
		fi
		[ $sunset -eq 1 ] || nsx "$s" wg set "$ws" private-key "$dir/$ks.key" listen-port "$port"
		ip -n "$s" addr add "$net.1/24" dev "$ws"
		ip -n "$s" link set "$ws" up
	fi
	[ $sunset -eq 1 ] || nsx "$s" wg set "$ws" peer "${T_PUB[$kc]}" "${pskarg[@]}" allowed-ips "$sips"
	t_wg "$c" "$wc"
	[ $cunset -eq 0 ] || return 0
	nsx "$c" wg set "$wc" private-key "$dir/$kc.key" \
		peer "${T_PUB[$ks]}" "${pskarg[@]}" endpoint "$u.1:$port" allowed-ips "$cips"
	ip -n "$c" addr add "$net.$host/24" dev "$wc"
	ip -n "$c" link set "$wc" up
}

# t_wait SECONDS CMD...: poll CMD until it succeeds.
t_wait() {
	local end=$((SECONDS + $1))
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.1
	done
}

# t_zbx_agent_conf DIR LISTEN PORT SERVER HOSTNAME INCLUDE: a zabbix_agentd configuration in
# DIR/agent.conf (pid and log files in DIR, which becomes zabbix's), for a foreground agent that
# the test starts as user zabbix.
t_zbx_agent_conf() {
	cat >"$1/agent.conf" <<CONF
PidFile=$1/agent.pid
LogFile=$1/agent.log
LogType=file
ListenIP=$2
ListenPort=$3
Server=$4
StartAgents=2
Hostname=$5
Timeout=10
AllowRoot=0
Include=$6
CONF
	chown -R zabbix "$1"
}

# t_edge_nets E A O: an edge namespace E with an admin A (198.51.100.9, 2001:db8:a::9) and an
# outsider O (198.51.101.9) on links of their own; E is .1 (and 2001:db8:a::1) on each.
t_edge_nets() {
	for ns in "$1" "$2" "$3"; do t_ns "$ns"; done
	t_veth "$2" "a$T_ID" 198.51.100.9/24 "$1" "ea$T_ID" 198.51.100.1/24
	t_veth "$3" "o$T_ID" 198.51.101.9/24 "$1" "eo$T_ID" 198.51.101.1/24
	ip -n "$2" addr add 2001:db8:a::9/64 dev "a$T_ID" nodad
	ip -n "$1" addr add 2001:db8:a::1/64 dev "ea$T_ID" nodad
}

# t_f2b_private D: fail2ban settings in D/f2b/fail2ban.local (the test's copy of /etc/fail2ban)
# that keep its fail2ban-server to D/f2b.sock, D/f2b.pid, D/f2b.log and an in-memory database.
t_f2b_private() {
	cat >"$1/f2b/fail2ban.local" <<CONF
[Definition]
socket = $1/f2b.sock
pidfile = $1/f2b.pid
dbfile = :memory:
logtarget = $1/f2b.log
CONF
}
