#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# zabbix-wg-stats against the community Zabbix approach (`wg show dump` piped through awk, one
# process per item, about 6 items per peer), with 1,000 and 10,000 peers on wireguard-go:
# wall time of discovery + a full get, peak RSS, and output size against zabbix_agentd 6.0's
# limit (a value must stay under 524,288 bytes). The community per-item cost is measured on a
# sample of calls and multiplied out: said so in the output. Runs in its own namespace.
# BENCH_PEERS="1000 10000" BENCH_RUNS=15 bench/zabbix-wg-stats.sh
set -euo pipefail
: "${WARREN_BIN:=$(cd "$(dirname "$0")/.." && pwd)/build}"
: "${BENCH_PEERS:=1000 10000}"
: "${BENCH_RUNS:=15}"
: "${BENCH_SAMPLE:=60}"
Z=$WARREN_BIN/zabbix-wg-stats
LIMIT=524288
NS=zbench$$ IF=zbw$$
D=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -f "/var/run/wireguard/$IF.sock"
	rm -rf "$D"
}
trap cleanup EXIT
for p in wireguard-go wg python3 /usr/bin/time awk; do
	command -v "$p" >/dev/null || { echo "bench: missing $p" >&2; exit 1; }
done

ip netns add "$NS"
mkdir -p /var/run/wireguard
ip netns exec "$NS" wireguard-go -f "$IF" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do [ -S "/var/run/wireguard/$IF.sock" ] && break; sleep 0.05; done
(umask 077 && wg genkey >"$D/s.key")

now_us() { echo "${EPOCHREALTIME/./}"; }
# median_ms RUNS CMD...: median wall time of CMD in milliseconds (stdout discarded).
median_ms() {
	local runs=$1 i t0 times=()
	shift
	for ((i = 0; i < runs; i++)); do
		t0=$(now_us)
		"$@" >/dev/null 2>&1
		times+=($(($(now_us) - t0)))
	done
	printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR] = $1} END {printf "%.2f", a[int((NR + 1) / 2)] / 1000}'
}
rss_kb() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", a / b}'; }

# The community template's items, one process each: wg show dump | awk picking one field.
community_item() { wg show "$IF" dump | awk -v k="$1" -v f="$2" '$1 == k { print $f }'; }
community_discovery() {
	wg show "$IF" dump | awk 'NR > 1 { printf "%s{\"{#IFNAME}\":\"%s\",\"{#PEER}\":\"%s\"}", (n++ ? "," : "["), "'"$IF"'", $1 } END { print "]" }'
}

printf '%-7s %-44s %12s %12s %8s\n' peers measure warren community ratio
for n in $BENCH_PEERS; do
	python3 - "$n" "$IF" "$D" <<'PY'
import base64, json, os, sys
n, ifname, d = int(sys.argv[1]), sys.argv[2], sys.argv[3]
peers = []
for i in range(n):
    key = base64.b64encode(os.urandom(32)).decode()
    peers.append({"name": f"peer-{i:05d}", "public_key": key,
                  "allowed_ips": [f"10.{64 + i // 65536}.{i // 256 % 256}.{i % 256}/32"],
                  "endpoint": f"192.0.2.{i % 250 + 1}:{20000 + i % 40000}",
                  "always_on": i % 10 == 0})
json.dump({"interface": ifname, "private_key_file": f"{d}/s.key", "listen_port": 51990,
           "peers": peers, "allow_empty": True}, open(f"{d}/state.json", "w"))
PY
	ip netns exec "$NS" "$WARREN_BIN/wg-peer-sync" sync "$D/state.json" >/dev/null
	got=$(wg show "$IF" peers | wc -l)
	[ "$got" -eq "$n" ] || { echo "bench: interface has $got peers, wanted $n" >&2; exit 1; }
	S=(--state "$D/state.json")

	tg=$(median_ms "$BENCH_RUNS" "$Z" get "$IF" "${S[@]}")
	td=$(median_ms "$BENCH_RUNS" "$Z" discovery "$IF" "${S[@]}")
	tp=$(median_ms "$BENCH_RUNS" "$Z" prometheus "$IF" "${S[@]}")
	gsz=$("$Z" get "$IF" "${S[@]}" 2>/dev/null | wc -c)
	dsz=$("$Z" discovery "$IF" "${S[@]}" 2>/dev/null | wc -c)
	rg=$(rss_kb "$Z" get "$IF" "${S[@]}")
	rd=$(rss_kb "$Z" discovery "$IF" "${S[@]}")
	# Community: discovery is one pipeline (measured); get is 6 items x n peers, each its own
	# pipeline: BENCH_SAMPLE calls are timed and the mean multiplied by 6n.
	cd_ms=$(median_ms "$BENCH_RUNS" community_discovery)
	cdsz=$(community_discovery | wc -c)
	keys=$(wg show "$IF" peers | awk -v n="$BENCH_SAMPLE" "NR <= n")
	t0=$(now_us)
	c=0
	for k in $keys; do
		community_item "$k" 6 >/dev/null
		c=$((c + 1))
	done
	per_item_ms=$(awk -v t=$(($(now_us) - t0)) -v c=$c 'BEGIN {printf "%.3f", t / c / 1000}')
	cg_ms=$(awk -v p="$per_item_ms" -v n="$n" 'BEGIN {printf "%.0f", p * 6 * n}')
	crss=$(rss_kb sh -c "wg show $IF dump | awk '\$1 == \"x\"'")
	ours=$(awk -v a="$tg" -v b="$td" 'BEGIN {printf "%.2f", a + b}')
	comm=$(awk -v a="$cg_ms" -v b="$cd_ms" 'BEGIN {printf "%.2f", a + b}')

	printf '%-7s %-44s %12s %12s %8s\n' "$n" "get (ms, median of $BENCH_RUNS)" "$tg" "${cg_ms}*" "$(ratio "$cg_ms" "$tg")"
	printf '%-7s %-44s %12s %12s %8s\n' "$n" "discovery (ms)" "$td" "$cd_ms" "$(ratio "$cd_ms" "$td")"
	printf '%-7s %-44s %12s %12s %8s\n' "$n" "discovery + full get (ms)" "$ours" "${comm}*" "$(ratio "$comm" "$ours")"
	printf '%-7s %-44s %12s %12s\n' "$n" "processes per poll of every item" 1 "$((6 * n))"
	printf '%-7s %-44s %12s %12s\n' "$n" "community: one item call (ms, mean of $c)" - "$per_item_ms"
	printf '%-7s %-44s %12s\n' "$n" "prometheus (ms)" "$tp"
	printf '%-7s %-44s %12s %12s\n' "$n" "peak RSS get / discovery (KiB)" "$rg / $rd" "$crss"
	printf '%-7s %-44s %12s %12s\n' "$n" "get size (bytes; limit $LIMIT)" "$gsz" -
	printf '%-7s %-44s %12s %12s\n' "$n" "discovery size (bytes)" "$dsz" "$cdsz"
	for what in get discovery; do
		shards=1
		while :; do
			max=0
			for k in $(seq "$shards"); do
				s=$("$Z" $what "$IF" "${S[@]}" --shard "$k/$shards" 2>/dev/null | wc -c)
				[ "$s" -gt "$max" ] && max=$s
			done
			[ "$max" -lt "$LIMIT" ] && break
			shards=$((shards + 1))
		done
		printf '%-7s %-44s %12s\n' "$n" "$what: shards to fit, largest shard (bytes)" "$shards, $max"
	done
	ts=$(median_ms "$BENCH_RUNS" "$Z" get "$IF" "${S[@]}" --shard 1/"$(((n + 1499) / 1500))")
	printf '%-7s %-44s %12s\n' "$n" "get of shard 1 at 1,500 peers a shard (ms)" "$ts"
done
echo "* community get = measured mean of one item call x 6 items x peers (extrapolated, not run"
echo "  in full); no sudo counted. Handshakes and counters are 0 here (no traffic): live values"
echo "  add up to ~30 bytes a peer to get."
