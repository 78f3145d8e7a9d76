# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# The measurement of the server key rollover suites (tests/lib-rollover.sh, rollover-play.sh):
# three clients (1-3) ping each address of RL_DSTS every 50 ms into $D/pingI-DST while they move
# to the new interface at MOVED[I] (EPOCHREALTIME); ms prints the milliseconds since t0.
RL_DSTS=${RL_DSTS:-10.92.0.1 192.168.20.5}
ms() { echo $(((${EPOCHREALTIME/./} - t0) / 1000)); }
declare -A MOVED=()
PINGS=()
t0=0

# rl_report COUNT: waits for the pings; prints each stream's worst gap and losses and asserts
# that no ping was lost away from its client's own config swap (at most the one in flight then).
rl_report() {
	local n=$1 i dst f gap nlost far lost
	wait "${PINGS[@]}"
	T_LOST=0
	for i in 1 2 3; do
		for dst in $RL_DSTS; do
			f=$D/ping$i-$dst
			# ping -D: "[EPOCH] 64 bytes from ... icmp_seq=N ...": the worst gap between replies, and
			# each lost request with its send time (midway between the replies around it) relative
			# to this client's move, in ms.
			read -r gap nlost far lost < <(sed -n 's/^\[\([0-9.]*\)\] .*icmp_seq=\([0-9]*\) .*/\2 \1/p' "$f" |
				awk -v m="${MOVED[$i]}" -v n="$n" '
					function miss(a, b, t) { for (k = a; k < b; k++) { c++; l = l " " k "@" int((t - m) * 1000)
						if (t < m - 0.1 || t > m + 0.1) far++ } }
					NR > 1 && $2 - p > g { g = $2 - p }
					{ if ($1 > q + 1) miss(q + 1, $1, (p + $2) / 2); q = $1; p = $2 }
					END { if (q < n) miss(q + 1, n + 1, p); printf "%d %d %d %s\n", g * 1000, c, far, l ? substr(l, 2) : "none" }')
			echo "  client $i to $dst: worst gap between replies $gap ms; $(grep 'packets transmitted' "$f"); lost (icmp_seq@ms from its move): $lost"
			T_LOST=$((T_LOST + nlost))
			eq "client $i lost no ping to $dst away from its own config swap" 0 "$far"
			ok "... and at most the one in flight at the swap" test "$nlost" -le 1
		done
	done
	echo "  lost in all: $T_LOST of $((3 * $(wc -w <<<"$RL_DSTS") * n)) pings"
}
