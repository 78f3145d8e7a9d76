#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# wg-peer-sync against `wg syncconf` given the same desired state, 10,000 peers, on the
# interface of the selected backend (WG_BACKEND=userspace: wireguard-go; kernel: in the VM).
# Prints the median of $ROUNDS runs of each, the ratio, the target, and peak RSS; then the no-op
# against its floor, one `wg show IFACE dump` of the same interface.
T_QUIET=1
source "$(dirname "$0")/../tests/lib.sh"

N=${N:-10000}
ROUNDS=${ROUNDS:-5}
CASES=${CASES:-full noop one hundred floor rss} # which measurements, in this order (also fulldown)
# VERBOSE=1: every round's time on stderr
S=bs$T_ID
D=$(mktemp -d)
t_cleanup "rm -rf $D"
t_ns "$S"
umask 077
wg genkey >"$D/s.key"
SYNC="$WARREN_BIN/wg-peer-sync"

head -c $((N * 40)) /dev/urandom | base64 -w 0 | tr '+/' '-_' | tr -d '=' | fold -w 42 |
	awk -v n="$N" "NR <= n" | sed 's/$/A=/; s/-/+/g; s/_/\//g' >"$D/keys"
# state FILE CHANGED: CHANGED peers get a different allowed IP.
mkstate() {
	awk -v c="$2" -v key="$D/s.key" -v ifc="$3" 'BEGIN { printf "{\"interface\":\"%s\",\"private_key_file\":\"%s\",\"listen_port\":51820,\"peers\":[", ifc, key }
	{ i = NR - 1; printf "%s{\"name\":\"p%d\",\"public_key\":\"%s\",\"allowed_ips\":[\"10.%d.%d.%d/32\"],\"persistent_keepalive\":25}",
	  (NR > 1 ? "," : ""), i, $1, (i < c ? 200 : 10), int(i / 250), i % 250 }
	END { print "]}" }' "$D/keys" >"$1"
}
mkconf() {
	jq -r --arg k "$(cat "$D/s.key")" '"[Interface]\nPrivateKey = \($k)\nListenPort = 51820\n",
		(.peers[] | "[Peer]\nPublicKey = \(.public_key)\nAllowedIPs = \(.allowed_ips | join(", "))\nPersistentKeepalive = 25\n")' "$1" >"$2"
}
ms() { echo $(($(date +%s%N) / 1000000)); }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

n=0
fresh() { # a new empty interface for each full-sync round
	n=$((n + 1))
	IFC=wb$n$T_ID
	t_wg "$S" "$IFC"
	[ -n "${LINK_DOWN:-}" ] || ip -n "$S" link set "$IFC" up
}
drop() {
	if [ "$WG_BACKEND" = kernel ]; then ip -n "$S" link del "$IFC"; else
		pkill -f "wireguard-go -f $IFC\$" || true
		# gone, and its port with it, before the next round's wireguard-go binds the same one
		for _ in $(seq 200); do
			pgrep -f "wireguard-go -f $IFC\$" >/dev/null || break
			sleep 0.05
		done
		rm -f "/var/run/wireguard/$IFC.sock"
	fi
}

# time_pair LABEL TARGET PREP-STATE: runs ours and syncconf ROUNDS times each.
results=()
bench() {
	local label=$1 target=$2 changed=$3 from=$4 i t0 a b
	: >"$D/ours"
	: >"$D/ref"
	for i in $(seq "$ROUNDS"); do
		for tool in ours ref; do
			fresh
			mkstate "$D/want.json" "$changed" "$IFC"
			mkconf "$D/want.json" "$D/want.conf"
			if [ "$from" != empty ]; then
				mkstate "$D/base.json" 0 "$IFC"
				nsx "$S" "$SYNC" sync "$D/base.json" >"$D/out.json" ||
					{ echo "bench: the base sync failed: $(cat "$D/out.json")" >&2; exit 1; }
			fi
			t0=$(ms)
			if [ $tool = ours ]; then
				nsx "$S" "$SYNC" sync "$D/want.json" >"$D/out.json" ||
					{ echo "bench: wg-peer-sync failed (exit $?): $(cat "$D/out.json")" >&2; exit 1; }
			else
				nsx "$S" wg syncconf "$IFC" "$D/want.conf" ||
					{ echo "bench: wg syncconf failed (exit $?)" >&2; exit 1; }
			fi
			echo $(($(ms) - t0)) >>"$D/$tool"
			[ -z "${VERBOSE:-}" ] || echo "  $label: $tool $(tail -n 1 "$D/$tool") ms" >&2
			[ "$(nsx "$S" wg show "$IFC" peers | wc -l)" -eq "$N" ] || { echo "bench: $tool left the wrong peer count" >&2; exit 1; }
			drop
		done
	done
	a=$(median <"$D/ours")
	b=$(median <"$D/ref")
	results+=("$(printf '%-34s wg-peer-sync %6d ms  wg syncconf %6d ms  ratio %5.2fx  (target <= %s)' \
		"$label" "$a" "$b" "$(echo "$a $b" | awk '{ printf "%.2f", ($2 > 0 ? $1 / $2 : 0) }')" "$target")")
	echo "${results[-1]}"
}

echo "wg-peer-sync vs wg syncconf: $N peers, backend $WG_BACKEND, median of $ROUNDS"
want() { [[ " $CASES " == *" $1 "* ]]; }
want full && bench "full sync into an empty interface" 1.0x 0 empty
# The same with the link down. On an up kernel interface every new peer with a keepalive starts a
# handshake at once and again every 5 s (two Curve25519 operations each, on an unbound
# workqueue), endpoint or not: under TCG that work starves the process still adding peers, so
# the case above mostly measures the kernel's handshakes. Down, only the peers are added.
want fulldown && LINK_DOWN=1 bench "full sync, empty interface, down" 1.0x 0 empty
want noop && bench "no-op re-sync" 0.5x 0 full
want one && bench "1-peer change" 0.5x 1 full
want hundred && bench "100-peer change" 0.5x 100 full

# The no-op against its floor: one `wg show IFACE dump` of the same interface with the same N
# peers, which is the least any tool must do to know that nothing differs. Alternating, on one
# interface that wg-peer-sync filled.
us() { echo $(($(date +%s%N) / 1000)); }
want floor || exit 0
fresh
mkstate "$D/want.json" 0 "$IFC"
nsx "$S" "$SYNC" sync "$D/want.json" >"$D/out.json" ||
	{ echo "bench: the first sync failed: $(cat "$D/out.json")" >&2; exit 1; }
: >"$D/noop"
: >"$D/dump"
for _ in $(seq "$ROUNDS"); do
	t0=$(us)
	nsx "$S" "$SYNC" sync "$D/want.json" >"$D/out.json" ||
		{ echo "bench: the no-op sync failed: $(cat "$D/out.json")" >&2; exit 1; }
	echo $(($(us) - t0)) >>"$D/noop"
	[ "$(jq -r .changed "$D/out.json")" = false ] || { echo "bench: the no-op sync changed something" >&2; exit 1; }
	t0=$(us)
	nsx "$S" wg show "$IFC" dump >"$D/dump.txt"
	echo $(($(us) - t0)) >>"$D/dump"
	[ "$(($(wc -l <"$D/dump.txt") - 1))" -eq "$N" ] || { echo "bench: wg show dump listed the wrong peer count" >&2; exit 1; }
done
rm -f "$D/dump.txt"
drop
a=$(median <"$D/noop")
b=$(median <"$D/dump")
printf '%-34s wg-peer-sync %6.1f ms  wg show dump %6.1f ms  ratio %5.2fx  (target <= 1.2x)\n' \
	"no-op re-sync against its floor" "$(echo "$a" | awk '{ print $1 / 1000 }')" \
	"$(echo "$b" | awk '{ print $1 / 1000 }')" "$(echo "$a $b" | awk '{ printf "%.2f", ($2 > 0 ? $1 / $2 : 0) }')"

# Peak RSS of the no-op sync and of the full sync at N peers.
want rss || exit 0
fresh
mkstate "$D/want.json" 0 "$IFC"
rss_full=$(nsx "$S" /usr/bin/time -f %M "$SYNC" sync "$D/want.json" 2>&1 >/dev/null)
rss_noop=$(nsx "$S" /usr/bin/time -f %M "$SYNC" sync "$D/want.json" 2>&1 >/dev/null)
drop
printf 'peak RSS of wg-peer-sync at %d peers: full sync %d KiB (%.1f MiB), no-op %d KiB (%.1f MiB)  (target <= 32 MiB)\n' \
	"$N" "$rss_full" "$(echo "$rss_full" | awk '{ print $1 / 1024 }')" "$rss_noop" "$(echo "$rss_noop" | awk '{ print $1 / 1024 }')"
