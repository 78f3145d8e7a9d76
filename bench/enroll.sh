#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# warren-enrolld: enrollments per second over HTTPS (N sequential, then N in parallel, each a new
# TLS connection and a new key), and the time from a device's enrollment request to its first
# handshake (the agent's request, wg-quick up, the handshake), in namespaces with wireguard-go.
# Not a test. N=100 by default (the pool is a /24).
export T_QUIET=1 ENROLL_MAX_CONN=256
source "$(dirname "$0")/../tests/enroll-lib.sh"
N=${N:-100}
enroll_setup
tok bench --uses 0 --pool 10.77.1.0/24 --expires-in 3600
enroll_start
for i in $(seq $((2 * N))); do wg genkey | wg pubkey >"$D/k.$i"; done
one() {
	printf '{"token":"%s","public_key":"%s","hostname":"b%s"}' "${TOKEN[bench]}" "$(cat "$D/k.$1")" "$1" |
		nsx "$DV" curl -sS --cacert "$D/ca.pem" -o /dev/null -w '%{http_code}\n' --data-binary @- "$URL/v1/enroll"
}
t0=$(date +%s%N)
for i in $(seq "$N"); do one "$i"; done >"$D/seq.codes"
t1=$(date +%s%N)
pids=()
for i in $(seq $((N + 1)) $((2 * N))); do
	one "$i" >"$D/par.$i" &
	pids+=($!)
done
wait "${pids[@]}"
t2=$(date +%s%N)
ok=$(grep -c '^201$' "$D/seq.codes")
okp=$(cat "$D"/par.* | grep -c '^201$')
awk -v n="$N" -v ok="$ok" -v ns="$((t1 - t0))" 'BEGIN { printf "enroll: %d sequential enrollments (%d ok) in %.2f s: %.1f/s (curl + TLS handshake each)\n", n, ok, ns / 1e9, n / (ns / 1e9) }'
awk -v n="$N" -v ok="$okp" -v ns="$((t2 - t1))" 'BEGIN { printf "enroll: %d parallel enrollments (%d ok) in %.2f s: %.1f/s\n", n, ok, ns / 1e9, n / (ns / 1e9) }'
tok dev --uses 1
agent_conf dev "${TOKEN[dev]}"
t0=$(date +%s%N)
agent dev || echo "enroll: the agent failed with $?"
t1=$(date +%s%N)
awk -v ns="$((t1 - t0))" 'BEGIN { printf "enroll: agent start to first ping through the tunnel: %.0f ms\n", ns / 1e6 }'
echo "enroll: enrollment answer to handshake and ping: $(sed -n 's/.*tunnel up: handshake and ping \([0-9]*\) ms.*/\1/p' "$D/dev/agent.log") ms"
