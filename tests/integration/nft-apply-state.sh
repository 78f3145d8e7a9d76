#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# nft-apply's generation witness (/run/warren/nft-apply/netns-COOKIE): it names the boot it was
# written in, and a witness from another boot (a /run that is not a tmpfs) is never trusted;
# --check never writes it, whether it is missing or stale.
source "$(dirname "$0")/../lib.sh"

G=ns$T_ID
D=$(mktemp -d)
t_cleanup "rm -rf $D"
APPLY="$WARREN_BIN/nft-apply"
EX="$(dirname "$0")/../../docs/examples/nft-policy.json"
DIR=/run/warren/nft-apply
BOOT=$(cat /proc/sys/kernel/random/boot_id)
t_ns "$G"
t_cleanup "ip netns exec $G $APPLY delete" # and its witness file
run() { out=$(nsx "$G" "$APPLY" "$@") || t_fail "nft-apply $*: $out"; }
files() { find "$DIR" -maxdepth 1 -name 'netns-*' 2>/dev/null | sort; }

# This namespace's witness: the one file the first apply adds.
before=$(files)
run "$EX"
json_eq "the example policy applies" "$out" '[.changed,.verified]' '[true,"compare"]'
W=$(comm -13 <(echo "$before") <(files))
eq "the apply wrote one witness" 1 "$(echo "$W" | grep -c .)"
ok "the witness names this boot" grep -q " $BOOT " "$W"
run "$EX"
json_eq "the next apply is proved by the generation" "$out" '[.changed,.verified]' '[false,"generation"]'

# A witness from an earlier boot, with a generation that happens to match: compared in full.
sed -i "s/ $BOOT / 00000000-0000-4000-8000-000000000000 /" "$W"
run "$EX"
json_eq "another boot's witness is not trusted" "$out" '[.changed,.verified]' '[false,"compare"]'
ok "the compare wrote this boot's witness again" grep -q " $BOOT " "$W"

# --check writes nothing: not a missing witness, not a stale one.
rm "$W"
run "$EX" --check
json_eq "--check with no witness compares" "$out" '[.changed,.check,.verified]' '[false,true,"compare"]'
fails "--check did not write the witness" test -e "$W"
run "$EX"
sum=$(sha256sum "$W")
nsx "$G" nft add table inet "other$T_ID" # another commit: the generation moves
run "$EX" --check
json_eq "--check after another commit compares" "$out" '[.changed,.verified]' '[false,"compare"]'
eq "--check left the stale witness as it was" "$sum" "$(sha256sum "$W")"
run "$EX"
json_eq "a real run after that updates it" "$out" '[.changed,.verified]' '[false,"compare"]'
run "$EX"
json_eq "... and is believed next time" "$out" '.verified' '"generation"'
