#!/bin/bash
# temporary experiment (not committed)
source "$(dirname "$0")/../tests/lib.sh"
N=${N:-2000}
S=ex$T_ID; t_ns $S; D=$(mktemp -d); umask 077; wg genkey > $D/s.key
head -c $((N * 40)) /dev/urandom | base64 -w 0 | tr '+/' '-_' | tr -d '=' | fold -w 42 | awk -v n="$N" "NR <= n" | sed 's/$/A=/; s/-/+/g; s/_/\//g' >"$D/keys"
for ifc in e1 e2 e3 e4; do
awk -v key="$D/s.key" -v ifc=$ifc 'BEGIN { printf "{\"interface\":\"%s\",\"private_key_file\":\"%s\",\"listen_port\":51820,\"peers\":[", ifc, key }
	{ i = NR - 1; printf "%s{\"name\":\"p%d\",\"public_key\":\"%s\",\"allowed_ips\":[\"10.%d.%d.%d/32\"],\"persistent_keepalive\":25}", (NR > 1 ? "," : ""), i, $1, 10, int(i / 250), i % 250 } END { print "]}" }' "$D/keys" > $D/$ifc.json
done
jq -r --arg k "$(cat $D/s.key)" '"[Interface]\nPrivateKey = \($k)\nListenPort = 51820\n", (.peers[] | "[Peer]\nPublicKey = \(.public_key)\nAllowedIPs = \(.allowed_ips | join(", "))\nPersistentKeepalive = 25\n")' $D/e1.json > $D/conf
ms() { echo $(($(date +%s%N) / 1000000)); }
for up in down up; do
for ifc in e1 e2; do ip -n $S link add $ifc type wireguard; [ $up = up ] && ip -n $S link set $ifc up; done
t0=$(ms); /usr/bin/time -f "ours user %U sys %S" ip netns exec $S $WARREN_BIN/wg-peer-sync sync $D/e1.json >/dev/null; t1=$(ms)
/usr/bin/time -f "syncconf user %U sys %S" ip netns exec $S wg syncconf e2 $D/conf; t2=$(ms)
echo "$up: ours $((t1-t0)) ms, syncconf $((t2-t1)) ms"
ip -n $S link del e1; ip -n $S link del e2; sleep 2
done
# swapped order, up
for ifc in e3 e4; do ip -n $S link add $ifc type wireguard; ip -n $S link set $ifc up; done
t0=$(ms); ip netns exec $S wg syncconf e4 $D/conf; t1=$(ms)
sed -i "s/\"interface\":\"e1\"/\"interface\":\"e3\"/" $D/e3.json
ip netns exec $S $WARREN_BIN/wg-peer-sync sync $D/e3.json >/dev/null; t2=$(ms)
echo "swapped up: syncconf $((t1-t0)) ms, ours $((t2-t1)) ms"
