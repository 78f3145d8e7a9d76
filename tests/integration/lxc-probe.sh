#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# lxc-probe against real unprivileged LXC containers (busybox rootfs, private lxcpath): missing,
# bad arguments, malformed config, stopped, running with and without tun, frozen, the Proxmox
# config format (also as Proxmox VE 8 writes it: long description, raw lxc lines, yes/on,
# net10, 8.5G, dev0 path=..., a pending section), a container run in the foreground in
# Proxmox's cgroup layout (lxc/ID/ns), and a forged "[lxc monitor]" process; checked against
# lxc-info, /proc, the cgroup files and ip(8).
# shellcheck source=../lib.sh
source "$(dirname "$0")/../lib.sh"

P=/tmp/warren-lxp-$T_ID
BR=lxpb$T_ID
PROBE=("$WARREN_BIN/lxc-probe" --lxc-path "$P" --pve-dir "$P/pve")
MIB256=268435456

mkdir -p "$P/pve"
chmod 0755 "$P"
t_cleanup "rm -rf $P"
for f in /etc/subuid /etc/subgid; do
	grep -q '^root:100000:65536$' "$f" 2>/dev/null || echo root:100000:65536 >>"$f"
done
ip link add "$BR" type bridge
t_cleanup "ip link del $BR"
ip addr add 10.232.77.1/24 dev "$BR"
ip link set "$BR" up

# make_ct NAME TUN ADDRESS: a busybox container whose init sleeps. TUN: 0 for none; "own" for a
# tun node of its own owned by the container's root (host uid 100000, 0660), as the role and
# Proxmox's devN make it; "root" for a node owned by host root at 0600, as the host's
# /dev/net/tun is without udev. The host's own /dev/net/tun is never used or changed.
make_ct() {
	local d=$P/$1
	mkdir -p "$d"/rootfs/{bin,dev,proc,sys,tmp,etc}
	chmod 0755 "$d"
	cp /bin/busybox "$d/rootfs/bin/"
	chown -R 100000:100000 "$d/rootfs"
	cat >"$d/config" <<-CONF
		# lxc-probe test container
		lxc.include = /usr/share/lxc/config/common.conf
		lxc.include = /usr/share/lxc/config/userns.conf
		lxc.uts.name = $1
		lxc.rootfs.path = dir:$d/rootfs
		lxc.idmap = u 0 100000 65536
		lxc.idmap = g 0 100000 65536
		lxc.net.0.type = veth
		lxc.net.0.link = $BR
		lxc.net.0.flags = up
		lxc.net.0.name = eth0
		lxc.net.0.ipv4.address = $3
		lxc.init.cmd = /bin/busybox sleep 3600
		lxc.start.auto = 1
		lxc.cgroup.memory.limit_in_bytes = 256M
		lxc.cgroup.cpuset.cpus = 0
	CONF
	if [ "$2" != 0 ]; then
		mknod -m 0000 "$d/tun" c 10 200
		if [ "$2" = own ]; then
			chown 100000:100000 "$d/tun" && chmod 0660 "$d/tun"
		else
			chmod 0600 "$d/tun"
		fi
		cat >>"$d/config" <<-CONF
			lxc.cgroup.devices.allow = c 10:200 rwm
			lxc.mount.entry = $d/tun dev/net/tun none bind,create=file 0 0
		CONF
	fi
	t_cleanup "lxc-stop -P $P -n $1 -k"
}

probe() { "${PROBE[@]}" "$@"; }
field() { jq -c "$2" <<<"$1"; }

# The independent sources lxc-probe's output is checked against.
# state_of CT: the state lxc-info reports, as lxc-probe spells it.
state_of() { lxc-info -P "$P" -n "$1" -s -H | tr '[:upper:]' '[:lower:]'; }
# idmap_of PID uid|gid: the kernel's id map of PID as JSON, [[nsid,hostid,range],...].
idmap_of() { awk 'BEGIN { printf "[" } { printf "%s[%d,%d,%d]", (NR > 1 ? "," : ""), $1, $2, $3 } END { printf "]" }' "/proc/$1/$2_map"; }
# ips_of CT: the IPv4 addresses lxc-info lists, sorted.
ips_of() { lxc-info -P "$P" -n "$1" -i | awk '$1 == "IP:" && $2 !~ /:/ { print $2 }' | sort; }
# probe_ips JSON: the IPv4 addresses (without prefix length) lxc-probe lists outside lo, sorted.
probe_ips() { jq -r '.interfaces[] | select(.name != "lo") | .addresses[] | select(test(":") | not) | sub("/.*"; "")' <<<"$1" | sort; }
# cg_file PID CONTROLLER V1-FILE V2-FILE: the file of PID's own cgroup, from /proc/PID/cgroup: V1-FILE
# in CONTROLLER's v1 hierarchy where PID has one, else V2-FILE in the v2 hierarchy.
cg_file() {
	local rel m
	rel=$(awk -F: -v c="$2" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' "/proc/$1/cgroup")
	if [ -n "$rel" ] && [ -f "/sys/fs/cgroup/$2$rel/$3" ]; then
		echo "/sys/fs/cgroup/$2$rel/$3"
		return
	fi
	rel=$(awk -F: '$1 == "0" { print $3 }' "/proc/$1/cgroup")
	for m in /sys/fs/cgroup/unified /sys/fs/cgroup; do
		[ -f "$m$rel/$4" ] && echo "$m$rel/$4" && return
	done
	t_fail "no cgroup file $3 or $4 for pid $1"
}
# ncpus FILE: how many CPUs a cpuset list (0-3,8) names.
ncpus() { tr ',' '\n' <"$1" | awk -F- 'NF { n += (NF == 2 ? $2 - $1 + 1 : 1) } END { print n + 0 }'; }

# Missing container and bad arguments.
out=$(probe warren-lxp-none) && rc=0 || rc=$?
eq "missing container exits 0" 0 "$rc"
eq "missing container" '{"exists":false}' "$out"
for args in "" "../etc" "a b" "--bogus x" "one two"; do
	# shellcheck disable=SC2086
	out=$(probe $args 2>/dev/null) && rc=0 || rc=$?
	eq "bad arguments [$args] exit 2" 2 "$rc"
	json_eq "bad arguments [$args] fail" "$out" .failed true
done

# Malformed configuration: a runtime failure naming the line, nothing printed but the failure.
mkdir -p "$P/broken" && printf 'lxc.uts.name = b\nthis is not a setting\n' >"$P/broken/config"
out=$(probe broken) && rc=0 || rc=$?
eq "malformed config exits 1" 1 "$rc"
json_eq "malformed config fails" "$out" .failed true
ok "malformed config names the line" grep -q 'config: line 2: expected' <<<"$out"
printf 'lxc.idmap = u 0 100000\n' >"$P/broken/config"
out=$(probe broken) && rc=0 || rc=$?
eq "bad id map exits 1" 1 "$rc"
ok "bad id map is quoted" grep -q 'bad id map \\"u 0 100000\\"' <<<"$out"

# Stopped container with tun configured.
make_ct lxp1 own 10.232.77.11/24
out=$(probe lxp1)
json_eq "stopped: exists" "$out" .exists true
json_eq "stopped: state" "$out" .state '"stopped"'
json_eq "stopped: state agrees with lxc-info" "$out" .state "\"$(state_of lxp1)\""
json_eq "stopped: no init" "$out" .init_pid null
json_eq "stopped: unprivileged" "$out" .unprivileged true
json_eq "stopped: id maps" "$out" '[.idmaps[]|[.type,.nsid,.hostid,.range]]' '[["u",0,100000,65536],["g",0,100000,65536]]'
json_eq "stopped: autostart" "$out" .autostart true
json_eq "stopped: limits" "$out" .limits "{\"cores\":1,\"disk\":null,\"memory\":$MIB256,\"swap\":null}"
json_eq "stopped: tun from config" "$out" '[.tun,.tun_detail.configured,.tun_detail.device]' '[true,true,null]'
json_eq "stopped: no netns facts" "$out" '[.kernel_wireguard,.interfaces,.usage]' '[null,null,null]'

# Running.
ok "lxp1 starts" lxc-start -P "$P" -n lxp1
ok "lxp1 is running" t_wait 5 sh -c "lxc-info -P $P -n lxp1 -s -H | grep -qx RUNNING"
start=$(date +%s%N)
out=$(timeout 5 "${PROBE[@]}" lxp1)
took=$((($(date +%s%N) - start) / 1000000))
ok "probe of a running container returns within 2 s ($took ms)" test "$took" -lt 2000
pid=$(lxc-info -P "$P" -n lxp1 -p -H)
json_eq "running: state" "$out" .state '"running"'
json_eq "running: state agrees with lxc-info" "$out" .state "\"$(state_of lxp1)\""
json_eq "running: init pid agrees with lxc-info" "$out" .init_pid "$pid"
eq "running: uid map in /proc" "0 100000 65536" "$(awk '{print $1, $2, $3}' /proc/"$pid"/uid_map)"
json_eq "running: the uid map agrees with the kernel's (/proc)" "$out" '[.idmaps[]|select(.type=="u")|[.nsid,.hostid,.range]]' "$(idmap_of "$pid" uid)"
json_eq "running: the gid map agrees with the kernel's (/proc)" "$out" '[.idmaps[]|select(.type=="g")|[.nsid,.hostid,.range]]' "$(idmap_of "$pid" gid)"
json_eq "running: tun usable" "$out" '[.tun,.tun_detail.device,.tun_detail.allowed,.tun_detail.root_can_open]' '[true,true,true,true]'
# tun_open CT: the container's root opens /dev/net/tun read-write, through lxc-attach (its
# namespaces and its cgroup): the independent check of root_can_open.
tun_open() { lxc-attach -P "$P" -n "$1" -- /bin/busybox sh -c 'exec 3<>/dev/net/tun' 2>/dev/null; }
ok "running: lxc-attach agrees: the container's root opens its tun" tun_open lxp1
kwg=false
[ -d /sys/module/wireguard ] && kwg=true
json_eq "running: kernel WireGuard as the host has it" "$out" .kernel_wireguard "$kwg"
json_eq "running: eth0 address" "$out" '[.interfaces[]|select(.name=="eth0")|.addresses[0]]' '["10.232.77.11/24"]'
want=$(nsenter -t "$pid" -n ip -j addr show dev eth0 | jq -c '[.[0].addr_info[]|"\(.local)/\(.prefixlen)"]')
json_eq "running: eth0 addresses agree with ip(8)" "$out" '[.interfaces[]|select(.name=="eth0")|.addresses[]]' "$want"
want=$(nsenter -t "$pid" -n ip -j link show dev eth0 | jq -c '.[0].address')
json_eq "running: eth0 MAC agrees with ip(8)" "$out" '.interfaces[]|select(.name=="eth0")|.mac' "$want"
ok "running: lxc-info shows the same IP" grep -qx 'IP:.*10.232.77.11' <<<"$(lxc-info -P "$P" -n lxp1 -i)"
eq "running: lxc-info lists the IPv4 addresses lxc-probe reports" "$(ips_of lxp1)" "$(probe_ips "$out")"
f=$(cg_file "$pid" memory memory.limit_in_bytes memory.max)
json_eq "running: memory limit agrees with the cgroup ($f)" "$out" .usage.memory_limit "$(cat "$f")"
json_eq "running: memory use from the cgroup version the limit is in" "$out" .usage.memory_from \
	"$(case $f in */memory.max) echo '"v2"' ;; *) echo '"v1"' ;; esac)"
json_eq "running: memory limit" "$out" .usage.memory_limit "$MIB256"
f=$(cg_file "$pid" cpuset cpuset.effective_cpus cpuset.cpus.effective)
json_eq "running: CPUs agree with the cgroup's cpuset ($f)" "$out" .usage.cpus "$(ncpus "$f")"
json_eq "running: one CPU" "$out" .usage.cpus 1
json_eq "running: usage is counted" "$out" '[.usage.memory > 0, .usage.cpu_usec > 0]' '[true,true]'
f=$(cg_file "$pid" cpuacct cpuacct.usage cpu.stat)
cpu_usec() { case $f in */cpu.stat) awk '$1 == "usage_usec" { print $2 }' "$f" ;; *) echo $(($(cat "$f") / 1000)) ;; esac; }
lo=$(cpu_usec)
u=$(probe lxp1 | jq .usage.cpu_usec)
hi=$(cpu_usec)
ok "running: CPU time between the cgroup's before and after ($lo <= $u <= $hi, $f)" test "$lo" -le "$u" -a "$u" -le "$hi"
quiet() { "$@" >/dev/null 2>&1; }
ok "host reaches the container" quiet ping -c1 -W2 10.232.77.11

# Frozen, then thawed.
ok "lxp1 freezes" lxc-freeze -P "$P" -n lxp1
out=$(timeout 5 "${PROBE[@]}" lxp1)
json_eq "frozen: state" "$out" .state '"frozen"'
json_eq "frozen: state agrees with lxc-info" "$out" .state "\"$(state_of lxp1)\""
json_eq "frozen: still answers for its netns" "$out" .kernel_wireguard "$kwg"
ok "lxp1 thaws" lxc-unfreeze -P "$P" -n lxp1
json_eq "thawed: state" "$(probe lxp1)" .state '"running"'

# A running container without tun.
make_ct lxp2 0 10.232.77.12/24
ok "lxp2 starts" lxc-start -P "$P" -n lxp2
out=$(probe lxp2)
json_eq "no tun: state" "$out" .state '"running"'
json_eq "no tun: tun false" "$out" '[.tun,.tun_detail.configured,.tun_detail.device]' '[false,false,false]'
json_eq "no tun: its own address" "$out" '[.interfaces[]|select(.name=="eth0")|.addresses[0]]' '["10.232.77.12/24"]'
eq "no tun: lxc-info lists the IPv4 addresses lxc-probe reports" "$(ips_of lxp2)" "$(probe_ips "$out")"
ok "no tun: lxc-attach runs a command in lxp2" lxc-attach -P "$P" -n lxp2 -- /bin/busybox true
fails "no tun: lxc-attach agrees, the container's root cannot open one" tun_open lxp2

# A tun node owned by host root at 0600 (the host's /dev/net/tun without udev): mounted and
# allowed, but the container's root cannot open it, so tun is false.
make_ct lxp3 root 10.232.77.14/24
ok "lxp3 starts" lxc-start -P "$P" -n lxp3
out=$(probe lxp3)
json_eq "root-owned tun: not usable" "$out" '[.tun,.tun_detail.configured,.tun_detail.device,.tun_detail.allowed,.tun_detail.root_can_open]' '[false,true,true,true,false]'
fails "root-owned tun: lxc-attach agrees, the container's root cannot open it" tun_open lxp3
ok "root-owned tun: chown to the container's root" chown 100000:100000 "$P/lxp3/tun"
json_eq "root-owned tun: usable once the container's root owns it" "$(probe lxp3)" '[.tun,.tun_detail.root_can_open]' '[true,true]'
ok "root-owned tun: lxc-attach agrees after the chown" tun_open lxp3

# The Proxmox format: /etc/pve/lxc/ID.conf describes CT 4242, whose runtime is LXCPATH/4242.
make_ct 4242 own 10.232.77.13/24
cat >"$P/pve/4242.conf" <<-CONF
	arch: amd64
	cores: 1
	hostname: lxp-pve
	memory: 256
	swap: 128
	net0: name=eth0,bridge=$BR,hwaddr=BC:24:11:00:42:42,ip=10.232.77.13/24,type=veth
	onboot: 1
	rootfs: local-lvm:vm-4242-disk-0,size=8G
	unprivileged: 1
	dev0: /dev/net/tun

	[snap]
	memory: 4096
CONF
out=$(probe 4242)
json_eq "pve: backend" "$out" .backend '"proxmox"'
json_eq "pve: limits" "$out" .limits "{\"cores\":1,\"disk\":8589934592,\"memory\":$MIB256,\"swap\":134217728}"
json_eq "pve: stopped" "$out" .state '"stopped"'
ok "CT 4242 starts" lxc-start -P "$P" -n 4242
out=$(probe 4242)
json_eq "pve: running" "$out" .state '"running"'
json_eq "pve: init pid" "$out" .init_pid "$(lxc-info -P "$P" -n 4242 -p -H)"
json_eq "pve: unprivileged by default map" "$out" '[.unprivileged,.idmaps[0].hostid]' '[true,100000]'
pid=$(lxc-info -P "$P" -n 4242 -p -H)
json_eq "pve: the default uid map is the kernel's (/proc)" "$out" '[.idmaps[]|select(.type=="u")|[.nsid,.hostid,.range]]' "$(idmap_of "$pid" uid)"
json_eq "pve: tun" "$out" .tun true
ok "pve: lxc-attach agrees: the container's root opens its tun" tun_open 4242

# What Proxmox VE 8 writes or accepts: a URL-encoded description over 4 KiB as #-lines on top,
# raw lxc lines with ':' and '=', yes/on booleans, net10, size=8.5G, dev0 as path=...,options,
# then a [pve:pending] section and a snapshot whose values must not be reported.
make_ct 4244 own 10.232.77.16/24
{
	printf '#'
	for _ in $(seq 120); do printf 'WireGuard%%20CT%%3A%%20%%C3%%A9t%%C3%%A9%%20'; done
	printf '\n#second%%20line\n'
	cat <<-CONF
		arch: amd64
		cores: 1
		hostname: lxp-pve-raw
		memory: 256
		swap: 128
		net10: name=eth0,bridge=$BR,hwaddr=BC:24:11:00:42:44,ip=10.232.77.16/24,type=veth
		onboot: yes
		rootfs: local-lvm:vm-4244-disk-0,size=8.5G
		unprivileged: on
		dev0: path=/dev/net/tun,uid=0,gid=0,mode=0660
		lxc.cgroup2.devices.allow = c 10:200 rwm
		lxc.idmap = u 0 100000 65536
		lxc.idmap: g 0 100000 65536

		[pve:pending]
		memory: 1024
		onboot: no
		net10: name=eth1,bridge=vmbr9
		dev0: /dev/null

		[before-upgrade]
		memory: 4096
	CONF
} >"$P/pve/4244.conf"
ok "pve raw: the description line is over 4 KiB" test "$(head -n1 "$P/pve/4244.conf" | wc -c)" -gt 4096
out=$(probe 4244) && rc=0 || rc=$?
eq "pve raw: probe exits 0" 0 "$rc"
json_eq "pve raw: backend" "$out" .backend '"proxmox"'
json_eq "pve raw: current limits, not pending" "$out" .limits "{\"cores\":1,\"disk\":9126805504,\"memory\":$MIB256,\"swap\":134217728}"
json_eq "pve raw: onboot yes, unprivileged on" "$out" '[.autostart,.unprivileged]' '[true,true]'
json_eq "pve raw: raw lxc id maps" "$out" '[.idmaps[]|[.type,.nsid,.hostid,.range]]' '[["u",0,100000,65536],["g",0,100000,65536]]'
json_eq "pve raw: net10" "$out" '[.net[]|[.index,.name,.link,.ipv4]]' "[[10,\"eth0\",\"$BR\",\"10.232.77.16/24\"]]"
json_eq "pve raw: rootfs and hostname" "$out" '[.rootfs,.hostname]' '["local-lvm:vm-4244-disk-0","lxp-pve-raw"]'
json_eq "pve raw: tun from dev0 path=" "$out" '[.state,.tun_detail.configured]' '["stopped",true]'
ok "CT 4244 starts" lxc-start -P "$P" -n 4244
out=$(probe 4244)
json_eq "pve raw: running, tun usable" "$out" '[.state,.tun,.tun_detail.root_can_open]' '["running",true,true]'
json_eq "pve raw: running, memory still the current value" "$out" .limits.memory "$MIB256"
ok "CT 4244 stops" lxc-stop -P "$P" -n 4244 -k

# Deterministic: two probes agree on everything but usage.
a=$(probe lxp1 | jq -c 'del(.usage)')
b=$(probe lxp1 | jq -c 'del(.usage)')
eq "two probes agree" "$a" "$b"

# Stopped again.
ok "lxp2 stops" lxc-stop -P "$P" -n lxp2 -k
out=$(probe lxp2)
json_eq "stopped again" "$out" '[.state,.init_pid]' '["stopped",null]'
json_eq "stopped again, as lxc-info says" "$out" .state "\"$(state_of lxp2)\""

# A process anyone can start, titled as lxp2's monitor, with a child in its own user and network
# namespaces: lxc-probe must not take it for the (stopped) container.
setpriv --reuid=nobody --regid=nogroup --clear-groups \
	bash -c "exec -a '[lxc monitor] $P lxp2' bash -c 'unshare -Urn sleep 60 & wait'" &
forger=$!
t_cleanup "pkill -P $forger; kill $forger"
ok "the forged monitor has its child" t_wait 5 pgrep -P "$forger"
ok "the forged title is there" grep -qa "lxc monitor. $P lxp2" "/proc/$forger/cmdline"
json_eq "a forged monitor title is ignored" "$(probe lxp2)" '[.state,.init_pid]' '["stopped",null]'

# Proxmox's way: lxc-start -F (foreground, as pve-container@ID.service does), the container's
# processes in lxc/ID/ns and the monitor in lxc.monitor/ID (lxc.cgroup.dir.*), config in
# Proxmox's format.
make_ct 4243 own 10.232.77.15/24
cat >>"$P/4243/config" <<-CONF
	lxc.cgroup.dir.container = lxc/4243
	lxc.cgroup.dir.container.inner = ns
	lxc.cgroup.dir.monitor = lxc.monitor/4243
	lxc.console.path = none
CONF
sed -e 's/lxp-pve/lxp-pve-fg/' -e 's/00:42:42/00:42:43/' -e 's/10.232.77.13/10.232.77.15/' \
	"$P/pve/4242.conf" >"$P/pve/4243.conf"
json_eq "foreground: stopped before the start" "$(probe 4243)" .state '"stopped"'
lxc-start -F -P "$P" -n 4243 </dev/null >/dev/null 2>&1 &
t_cleanup "kill $!"
ok "foreground: lxc-info says running" t_wait 5 sh -c "lxc-info -P $P -n 4243 -s -H | grep -qx RUNNING"
pid=$(lxc-info -P "$P" -n 4243 -p -H)
ok "foreground: init sits in lxc/4243/ns" grep -q ':/lxc/4243/ns$' "/proc/$pid/cgroup"
# grep -l prints every match even when a process vanished under it (exit 2): the list must be empty.
eq "foreground: no \"[lxc monitor]\" process names it" "" "$(grep -las 'lxc monito[r] .* 4243' /proc/[0-9]*/cmdline || true)"
out=$(probe 4243)
json_eq "foreground: running, init pid agrees with lxc-info" "$out" '[.backend,.state,.init_pid]' "[\"proxmox\",\"running\",$pid]"
json_eq "foreground: tun usable" "$out" '[.tun,.tun_detail.root_can_open]' '[true,true]'
ok "foreground: lxc-attach agrees: the container's root opens its tun" tun_open 4243
json_eq "foreground: eth0 address from inside" "$out" '[.interfaces[]|select(.name=="eth0")|.addresses[0]]' '["10.232.77.15/24"]'
want=$(nsenter -t "$pid" -n ip -j addr show dev eth0 | jq -c '[.[0].addr_info[]|"\(.local)/\(.prefixlen)"]')
json_eq "foreground: eth0 addresses agree with ip(8)" "$out" '[.interfaces[]|select(.name=="eth0")|.addresses[]]' "$want"
json_eq "foreground: limits from the Proxmox config" "$out" '.limits.memory' "$MIB256"
json_eq "foreground: usage read from lxc/4243" "$out" '.usage.memory > 0' 'true'
ok "foreground: lxc-freeze" lxc-freeze -P "$P" -n 4243
out=$(probe 4243)
json_eq "foreground: frozen" "$out" .state '"frozen"'
json_eq "foreground: frozen, as lxc-info says" "$out" .state "\"$(state_of 4243)\""
ok "foreground: lxc-unfreeze" lxc-unfreeze -P "$P" -n 4243
ok "foreground: lxc-stop" lxc-stop -P "$P" -n 4243 -k
json_eq "foreground: stopped again" "$(probe 4243)" '[.state,.init_pid]' '["stopped",null]'

