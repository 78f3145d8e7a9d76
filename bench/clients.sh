#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# N real clients at once (N=${N:-200}; the spec asks for at least 20 concurrent peers):
#   - playbooks/site.yml on a real LXC container with N peers in the inventory (c001..cN: keys
#     in the run's own vault, addresses, client .conf files), timed, with its three slowest
#     tasks (profile_tasks);
#   - N client namespaces (lab/net client), each a real WireGuard client: wg-quick with
#     wireguard-go (lab/wg-go-bg, as lab/wgclient does) from its own generated .conf, started
#     in parallel batches of BATCH (20); time from "all started" to "all N handshaken";
#   - asserts: every client has a handshake and pings the LAN host 192.168.10.5 through its
#     tunnel; no client reaches the DMZ host 172.16.10.5 (all N try; the server's fwd_drop
#     counter must count their packets); `zabbix-wg-stats get wg0` in the container reports N
#     connected, and `wg show wg0 latest-handshakes` there agrees;
#   - while all N ping the LAN host at once (ping -i 0.2 for 20 s, measured over 10 s): the server's
#     wireguard-go RSS and CPU (from the host's /proc), the container's memory (its cgroup),
#     the clients' memory, and the packet loss.
# References in the same run: the spec's 20 peers, and the server idle with N peers configured.
# The host's fs.inotify.max_user_instances is raised for the run if below N + 256 (each
# wireguard-go holds one instance), and restored at exit.
# Own names: prefix wbc, bridge wbcbr0, container warren-clients, client interfaces wbcw1..wbcwN,
# everything else in a temp dir. Everything is removed at exit, also on failure or Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
# shellcheck source=bench/lab-inventory
source bench/lab-inventory
N=${N:-200} BATCH=${BATCH:-20} SPEC=20
P=wbc BR=wbcbr0 CT=warren-clients
LAN=192.168.10.5 DMZ=172.16.10.5
# lab/net gives client K the address 198.51.100.(10+K), so K <= 244; the pool has 253 peers.
if ! [[ $N =~ ^[0-9]+$ ]] || [ "$N" -lt 1 ] || [ "$N" -gt 244 ]; then
	echo "clients: N must be 1..244" >&2
	exit 2
fi
T=$(mktemp -d /tmp/warren-bench-clients.XXXXXX)
INV=$T/inv DATA=$T/data/wg0 WG=$T/wg R=$T/res
WG_DIR_MADE=0
[ -d /run/wireguard ] || WG_DIR_MADE=1
# Every wireguard-go holds an inotify instance (on its UAPI socket), and all N clients run as
# root: the default fs.inotify.max_user_instances (128) stops the client near number 100 ("Cannot
# find device"). Raised for this run only, restored at exit.
INOTIFY=/proc/sys/fs/inotify/max_user_instances
INOTIFY0=$(cat "$INOTIFY") INOTIFY_SET=0

cleanup() {
	local f pid i alive
	set +e
	trap - INT TERM
	jobs -p | xargs -r kill 2>/dev/null
	for f in "$WG"/*.pid; do
		[ -f "$f" ] || continue
		pid=$(cat "$f")
		[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = wireguard-go ] && kill "$pid" 2>/dev/null
	done
	for i in $(seq 50); do
		alive=0
		for f in "$WG"/*.pid; do
			[ -f "$f" ] && [ "$(cat "/proc/$(cat "$f")/comm" 2>/dev/null)" = wireguard-go ] && alive=1 && break
		done
		[ $alive -eq 0 ] && break
		sleep 0.1
	done
	[ -e "/var/lib/lxc/$CT/config" ] && timeout 60 lxc-destroy -f -n "$CT" >/dev/null 2>&1
	lab/net down "$P" "$BR" >/dev/null 2>&1
	for i in $(seq "$N"); do rm -f "/run/wireguard/${P}w$i.sock"; done
	[ $WG_DIR_MADE -eq 1 ] && rmdir /run/wireguard 2>/dev/null
	[ $INOTIFY_SET -eq 1 ] && echo "$INOTIFY0" >"$INOTIFY"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
row() { printf '  %-54s %s\n' "$1" "$2"; }
FAILED=()
check() { # check WHAT OK(0/1) DETAIL
	if [ "$2" -eq 1 ]; then
		row "$1" "ok   $3"
	else
		row "$1" "FAIL $3"
		FAILED+=("$1: $3")
	fi
}
name() { printf 'c%03d' "$1"; }
# par FN: FN K for K in 1..N, BATCH at a time (a batch is waited for before the next starts).
par() {
	local k pids=()
	for k in $(seq "$N"); do
		"$1" "$k" &
		pids+=($!)
		if [ ${#pids[@]} -ge "$BATCH" ]; then
			wait "${pids[@]}" || true
			pids=()
		fi
	done
	[ ${#pids[@]} -eq 0 ] || wait "${pids[@]}" || true
}
ct() { lxc-attach -n "$CT" -- "$@"; }
# The server's wireguard-go, seen from the host: the one in the container's pid namespace.
server_pid() {
	local init ns p
	init=$(build/lxc-probe "$CT" | jq -r .init_pid)
	ns=$(readlink "/proc/$init/ns/pid")
	for p in $(pgrep -x wireguard-go); do
		[ "$(readlink "/proc/$p/ns/pid" 2>/dev/null)" = "$ns" ] && echo "$p" && return 0
	done
	return 1
}
# ticks PID: its utime+stime in clock ticks; rss_kib PID [FIELD]: its VmRSS (or FIELD) in KiB.
# 0 for a process that is gone (its loss shows in the checks).
ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
rss_kib() { awk -v k="${2:-VmRSS}:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
# clients_ticks, clients_rss: utime+stime (clock ticks) and VmRSS (KiB) summed over the
# clients' wireguard-go (CPIDS), in one awk; a process that is gone counts 0.
clients_cat() { printf "/proc/%s/$1\n" "${CPIDS[@]}" | xargs cat 2>/dev/null || true; }
clients_ticks() { clients_cat stat | awk '{ sub(/^.*\) /, ""); t += $12 + $13 } END { print t + 0 }'; }
clients_rss() { clients_cat status | awk '$1 == "VmRSS:" { t += $2 } END { print t + 0 }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
fwd_drop() { ct nft -j list counter inet warren_wg0 fwd_drop | jq '.nftables[1].counter.packets'; }
# lan_seen NAME: packets counted by the LAN host's own counter NAME (table inet wbc, made below).
lan_seen() { ip netns exec "$P-lan" nft -j list counter inet wbc "$1" | jq '.nftables[1].counter.packets'; }
# ct_rss: the container's resident memory in bytes, page cache left out (cgroup memory.stat).
ct_rss() {
	local v1=/sys/fs/cgroup/memory/lxc.payload.$CT/memory.stat v2=/sys/fs/cgroup/lxc.payload.$CT/memory.stat
	if [ -r "$v1" ]; then
		awk '$1 == "total_rss" { print $2 }' "$v1"
	elif [ -r "$v2" ]; then
		awk '$1 == "anon" { print $2 }' "$v2"
	else
		echo 0
	fi
}
server_handshakes() { ct wg show wg0 latest-handshakes | awk '$2 > 0' | wc -l; }

make -s all deb >/dev/null
mkdir -p "$INV/group_vars/all" "$WG" "$R"
ln -s "$REPO/group_vars/all/site.yml" "$INV/group_vars/all/00-site.yml"
(umask 077 && head -c 32 /dev/urandom | base64 >"$T/vault-pass")
export ANSIBLE_VAULT_PASSWORD_FILE=$T/vault-pass ANSIBLE_NOCOLOR=1
export ANSIBLE_CALLBACKS_ENABLED=ansible.posix.profile_tasks
bench_inventory "$INV" "$CT" "$BR" "$REPO"
# Every client routes the DMZ into its tunnel too, so that the server's firewall is what stops it.
{
	cat <<EOT
wireguard_peers_endpoint: 198.51.100.1:51820
wireguard_peers_bin_dir: $REPO/build
wireguard_peers_data_dir: $DATA
wireguard_peers_allowed_ips: [192.168.0.0/16, 172.16.10.0/24]
wireguard_server_helpers_deb: $REPO/build/warren-helpers.deb
wireguard_peers_peers:
EOT
	for k in $(seq "$N"); do echo "  - {name: $(name "$k")}"; done
} >"$INV/group_vars/wireguard_servers.yml"

echo "$N clients at once: container $CT, namespaces $P-c1..$P-c$N, $(nproc) cores on the host"
if [ "$INOTIFY0" -lt $((N + 256)) ]; then
	INOTIFY_SET=1
	echo $((N + 256)) >"$INOTIFY"
	echo "  fs.inotify.max_user_instances $INOTIFY0 -> $((N + 256)) for this run (restored at exit)"
fi
lab/net up "$P" "$BR"
# The LAN host counts the echo requests it gets: through the tunnel they come from the
# container (masqueraded, 192.168.10.90), never from a client's own address.
ip netns exec "$P-lan" nft -f - <<EOT
table inet wbc {
	counter via_ct {
	}
	counter direct {
	}
	chain input {
		type filter hook input priority filter; policy accept;
		icmp type echo-request ip saddr 192.168.10.90 counter name via_ct
		ip saddr 198.51.100.0/24 counter name direct
	}
}
EOT
t0=$(now)
if ! ansible-playbook -i "$INV" playbooks/site.yml >"$T/converge.log" 2>&1; then
	tail -40 "$T/converge.log"
	echo "clients: the playbook failed" >&2
	exit 1
fi
row "converge, $N peers (site.yml, container included)" \
	"$(since "$t0") s   ($(grep -o 'changed=[0-9]*' "$T/converge.log" | paste -sd, -))"
# profile_tasks lists the tasks by time, the slowest first, after the recap.
sed -n '/^PLAY RECAP/,$p' "$T/converge.log" | sed -n 's/^\(.*[^ ]\) -\{1,\} \([0-9.]*s\)$/\2 \1/p' | awk 'NR <= 3' |
	while read -r t task; do row "    slowest tasks (profile_tasks)" "$t  $task"; done
[ "$(find "$DATA/clients" -name 'c*.conf' | wc -l)" -eq "$N" ] || { echo "clients: expected $N client .conf files" >&2; exit 1; }

SPID=$(server_pid) || { echo "clients: no wireguard-go in $CT" >&2; exit 1; }
rss_idle=$(rss_kib "$SPID")
mem_idle=$(ct_rss)

t0=$(now)
ns_up() { lab/net client "$P" "$1" >"$R/ns.$1" 2>&1 || echo "lab/net client $1 failed" >>"$R/errors"; }
par ns_up
[ ! -s "$R/errors" ] || { cat "$R/errors" "$R"/ns.*; exit 1; }
row "$N client namespaces (lab/net client, $BATCH at a time)" "$(since "$t0") s"

# Each client from its own .conf: wg-quick with wireguard-go through lab/wg-go-bg.
client_up() {
	local k=$1 ifc=${P}w$1
	install -m 0600 "$DATA/clients/$(name "$k").conf" "$WG/$ifc.conf"
	ip netns exec "$P-c$k" env WG_QUICK_USERSPACE_IMPLEMENTATION="$REPO/lab/wg-go-bg" \
		WARREN_LAB_WG_DIR="$WG" wg-quick up "$WG/$ifc.conf" >"$R/up.$k" 2>&1 &&
		ip -n "$P-c$k" link show "$ifc" >/dev/null 2>&1 || echo "$(name "$k"): wg-quick up failed" >>"$R/errors"
}
t_first=$(now)
par client_up
t_started=$(now)
if [ -s "$R/errors" ]; then
	cat "$R/errors"
	grep -hv -e '^\[#\]' -e 'Unknown device type' -e 'Missing WireGuard kernel module' "$R"/up.* | sort | uniq -c | awk 'NR <= 10'
	exit 1
fi
row "$N clients started (wg-quick up, $BATCH at a time)" "$(since "$t_first") s"
mapfile -t CPIDS < <(cat "$WG"/*.pid)
started_kib=$(clients_rss)

# They handshake on their own (PersistentKeepalive); count them on the server.
hs=0
while [ "$(awk -v a="$t_started" -v b="$(now)" 'BEGIN { print (b - a > 60) }')" = 0 ]; do
	hs=$(server_handshakes)
	[ "$hs" -ge "$N" ] && break
	sleep 0.2
done
check "all $N handshaken on the server" "$([ "$hs" -ge "$N" ] && echo 1 || echo 0)" \
	"$hs/$N, $(since "$t_started") s after all started, $(since "$t_first") s after the first"

echo "== assertions"
client_check() {
	local k=$1 ifc=${P}w$1 h
	h=$(ip netns exec "$P-c$k" wg show "$ifc" latest-handshakes | cut -f2)
	[ "${h:-0}" != 0 ] && echo "$k" >"$R/hs.$k"
	ip -n "$P-c$k" route get "$LAN" | grep -q " dev $ifc " && echo "$k" >"$R/route.$k"
	ip netns exec "$P-c$k" ping -c 3 -i 0.2 -W 2 -q "$LAN" >/dev/null 2>&1 && echo "$k" >"$R/lan.$k"
	return 0
}
dmz_check() {
	local k=$1 rc=0
	ip netns exec "$P-c$k" ping -c 2 -i 0.2 -W 1 -q "$DMZ" >/dev/null 2>&1 || rc=$?
	echo "$rc" >"$R/dmz.$k"
}
# missing PREFIX: the names of the clients without a file $R/PREFIX.K (at most 10).
missing() {
	local k out=()
	for k in $(seq "$N"); do [ -e "$R/$1.$k" ] || out+=("$(name "$k")"); done
	[ ${#out[@]} -eq 0 ] || echo "missing: ${out[*]:0:10}$([ ${#out[@]} -le 10 ] || echo " ...")"
}
count() { find "$R" -maxdepth 1 -name "$1.*" | wc -l; }
via0=$(lan_seen via_ct)
par client_check
n=$(count hs)
check "every client has a handshake (wg show)" "$([ "$n" -eq "$N" ] && echo 1 || echo 0)" "$n/$N $(missing hs)"
n=$(count route)
check "every client routes $LAN into its tunnel" "$([ "$n" -eq "$N" ] && echo 1 || echo 0)" "$n/$N $(missing route)"
n=$(count lan)
check "every client pings LAN host $LAN" "$([ "$n" -eq "$N" ] && echo 1 || echo 0)" "$n/$N $(missing lan)"
via=$(($(lan_seen via_ct) - via0)) direct=$(lan_seen direct)
check "LAN host: echo requests via the container, direct" "$([ "$via" -ge "$N" ] && [ "$direct" -eq 0 ] && echo 1 || echo 0)" \
	"$via from 192.168.10.90, $direct from 198.51.100.0/24"

drop0=$(fwd_drop)
par dmz_check
drop1=$(fwd_drop)
n=$({ grep -lx 1 "$R"/dmz.* || true; } | wc -l)
reached=$({ grep -lx 0 "$R"/dmz.* || true; } | sed 's/.*\.//' | sort -n | while read -r k; do name "$k"; done | awk 'NR <= 10' | paste -sd' ' -)
check "no client reaches DMZ host $DMZ (all $N tried)" "$([ "$n" -eq "$N" ] && echo 1 || echo 0)" \
	"$n/$N got no reply${reached:+; REACHED by $reached}"
check "server's fwd_drop counted them (>= 2 a client)" "$([ $((drop1 - drop0)) -ge $((2 * N)) ] && echo 1 || echo 0)" \
	"$drop0 -> $drop1 (+$((drop1 - drop0)), expected >= $((2 * N)))"

zs=$(ct zabbix-wg-stats get wg0 --state /etc/warren/wireguard/wg0.json)
zc=$(jq .peers_connected <<<"$zs") zt=$(jq .peers_total <<<"$zs") zm=$(jq .peers_missing <<<"$zs")
check "zabbix-wg-stats get wg0: peers_connected" "$([ "$zc" -eq "$N" ] && echo 1 || echo 0)" \
	"$zc (peers_total $zt, peers_missing $zm)"
wc=$(ct wg show wg0 latest-handshakes | awk -v now="$(date +%s)" '$2 > 0 && now - $2 < 180' | wc -l)
check "wg show wg0 latest-handshakes: < 180 s old" "$([ "$wc" -eq "$N" ] && echo 1 || echo 0)" "$wc"

echo "== all $N ping $LAN at once (ping -i 0.2 -c 100, 20 s; measured over 10 s)"
t0=$(now)
for k in $(seq "$N"); do
	ip netns exec "$P-c$k" ping -c 100 -i 0.2 -W 2 -q "$LAN" >"$R/load.$k" 2>&1 &
done
row "$N pings started" "in $(since "$t0") s"
sleep 1
# Each figure over its own window (the server's, the container's, the clients' are a moment apart).
w0=$(now) s0=$(ticks "$SPID")
lw0=$(now) c0=$(clients_ticks)
cw0=$(now) ctr0=$(build/lxc-probe "$CT" | jq .usage.cpu_usec)
sleep 10
w1=$(now) s1=$(ticks "$SPID")
lw1=$(now) c1=$(clients_ticks)
cw1=$(now) probe=$(build/lxc-probe "$CT")
clients_kib=$(clients_rss)
rss_load=$(rss_kib "$SPID") hwm=$(rss_kib "$SPID" VmHWM)
ctr1=$(jq .usage.cpu_usec <<<"$probe") mem_usage=$(jq .usage.memory <<<"$probe") mem_load=$(ct_rss)
wait
hz=$(getconf CLK_TCK)
read -r sent got < <(awk '/packets transmitted/ { s += $1; r += $4 } END { print s + 0, r + 0 }' "$R"/load.*)
# pct A B PER_SECOND T0 T1: the CPU time B - A (in PER_SECOND units) as % of one core over T0..T1.
pct() { awk -v a="$1" -v b="$2" -v per_s="$3" -v t0="$4" -v t1="$5" 'BEGIN { printf "%.1f", 100 * (b - a) / per_s / (t1 - t0) }'; }
cpu=$(pct "$s0" "$s1" "$hz" "$w0" "$w1") ctcpu=$(pct "$ctr0" "$ctr1" 1e6 "$cw0" "$cw1")
ccpu=$(pct "$c0" "$c1" "$hz" "$lw0" "$lw1")
row "server wireguard-go CPU ($(awk -v a="$w0" -v b="$w1" 'BEGIN { printf "%.1f", b - a }') s, utime+stime)" "$cpu % of one core"
row "container CPU (cgroup, lxc-probe; 1 core)" "$ctcpu % of one core"
row "server wireguard-go RSS (VmRSS; VmHWM)" "$(mib "$rss_load"); $(mib "$hwm")"
row "container memory: RSS (memory.stat); with page cache" "$(mib $((mem_load / 1024))); $(mib $((mem_usage / 1024)))"
row "$N client wireguard-go: RSS total (per client)" \
	"$(mib "$clients_kib") ($(mib $((clients_kib / N)))); at start $(mib "$started_kib")"
row "$N client wireguard-go: CPU total" "$ccpu % of one core"
loss=$(awk -v s="$sent" -v r="$got" 'BEGIN { printf "%.2f", s ? 100 * (s - r) / s : 100 }')
check "ping replies (all $N, packet loss)" "$(awk -v l="$loss" 'BEGIN { print (l < 1) }')" \
	"$got/$sent received, $loss % loss (must be < 1 %)"

echo "== against the references"
row "peers connected / the spec's $SPEC" "$(awk -v n="$zc" -v s="$SPEC" 'BEGIN { printf "%.1f", n / s }')"
row "server RSS: $N pinging / $N configured, idle" \
	"$(awk -v a="$rss_load" -v b="$rss_idle" 'BEGIN { printf "%.2f (%.1f / %.1f MiB)", a / b, a / 1024, b / 1024 }')"
row "container RSS: $N pinging / $N configured, idle" \
	"$(awk -v a="$mem_load" -v b="$mem_idle" 'BEGIN { printf "%.2f (%.1f / %.1f MiB)", a / b, a / 1048576, b / 1048576 }')"
row "server CPU per pinging peer (5 pings/s each)" "$(awk -v c="$cpu" -v n="$N" 'BEGIN { printf "%.3f %% of a core", c / n }')"
row "server RSS / $N peers" "$(awk -v a="$rss_load" -v n="$N" 'BEGIN { printf "%.1f KiB", a / n }')"

if [ ${#FAILED[@]} -gt 0 ]; then
	echo "clients: ${#FAILED[@]} check(s) failed:" >&2
	printf '  %s\n' "${FAILED[@]}" >&2
	exit 1
fi
echo "clients: all checks passed"
