#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# zabbix-wg-stats runs with cap_net_admin, so its caller must not choose what it reads: the
# socket directory from the environment is ignored when the binary gained privileges; an
# interface name cannot lead out of the socket directory; a device that answers with an endless
# line costs a bounded amount of memory. Fake UAPI servers (python3) stand in for a socket the
# caller controls; without python3 (the kernel VM) only the name checks run.
source "$(dirname "$0")/../lib.sh"

for p in setpriv setcap; do
	command -v "$p" >/dev/null || t_fail "$p is missing"
done
D=$(mktemp -d)
chmod 0755 "$D"
t_cleanup "rm -rf $D"
Z=$WARREN_BIN/zabbix-wg-stats
U=$((60000 + $$ % 5000))

# run CMD...: out/rc hold the result.
run() {
	set +e
	out=$("$@" 2>"$D/stderr")
	rc=$?
	set -e
}

# ---- names -------------------------------------------------------------------------------------
for name in ../f a/b .. . "wg 0" $'wg\t0' $'wg\xff' much-too-long-name0; do
	run "$Z" get "$name"
	eq "get \"$name\": exit 2" 2 "$rc"
	json_eq "get \"$name\": not an interface name" "$out" '.msg|test("is not an interface name")' true
done
run "$Z" discovery wg0 "x/../y"
eq "discovery with a bad name among good ones: exit 2" 2 "$rc"

if ! command -v python3 >/dev/null; then
	echo "  (no python3: the fake-socket cases are skipped)"
	exit 0
fi
# ---- fake UAPI servers ---------------------------------------------------------------------------
# fake SOCKET MODE: serves SOCKET; MODE "device" answers a get with a device listening on 4242,
# "flood" with 300 MB that never end a line.
cat >"$D/fake.py" <<'PY'
import os, socket, sys
path, mode = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
os.chmod(path, 0o777)
s.listen(8)
while True:
    c, _ = s.accept()
    try:
        buf = b""
        while b"\n\n" not in buf:
            d = c.recv(4096)
            if not d:
                break
            buf += d
        if mode == "device":
            c.sendall(b"private_key=" + b"58" * 32 + b"\nlisten_port=4242\nerrno=0\n\n")
        else:
            chunk = b"a" * (1 << 20)
            for _ in range(300):
                c.sendall(chunk)
    except OSError:
        pass
    c.close()
PY
fake() {
	python3 "$D/fake.py" "$1" "$2" &
	t_cleanup "kill $!"
	t_wait 5 test -S "$1" || t_fail "the fake server did not start"
}
mkdir -m 0755 "$D/s"
fake "$D/s/fk$T_ID.sock" device
fake "$D/f.sock" device
fake "$D/s/fl$T_ID.sock" flood

run env WARREN_WG_SOCKET_DIR="$D/s" "$Z" get "fk$T_ID"
json_eq "root, no privileges gained: the test directory is honoured" "$out" '.listen_port' 4242
run env WARREN_WG_SOCKET_DIR="$D/s" "$Z" get ../f
eq "a name never reaches a socket outside the directory: exit 2" 2 "$rc"

# The same binary with cap_net_admin, run by an ordinary user who sets the variable.
cp "$Z" "$D/zws"
chmod 0755 "$D/zws"
as() { run env WARREN_WG_SOCKET_DIR="$D/s" setpriv --reuid="$U" --regid="$U" --clear-groups --inh-caps=-all "$@"; }
as "$D/zws" get "fk$T_ID"
json_eq "unprivileged copy without capabilities: the variable is honoured" "$out" '.listen_port' 4242
ok "cap_net_admin as a file capability" setcap cap_net_admin+ep "$D/zws"
as "$D/zws" get "fk$T_ID"
eq "with cap_net_admin the variable is ignored: exit 1" 1 "$rc"
json_eq "... and the caller's socket was never read" "$out" '[.failed, (.msg|test("no WireGuard interface"))]' '[true,true]'
as "$D/zws" discovery
nomatch "... nor listed by discovery" -e "fk$T_ID" <<<"$out"
as "$D/zws" discovery --interfaces
eq "... interface discovery works (exit 0)" 0 "$rc"
json_eq "... and is a list of interfaces" "$out" 'type' '"array"'
nomatch "... without the caller's socket" -e "fk$T_ID" <<<"$out"

# An endless line: refused as malformed after WGDEV_LINE_MAX bytes, not read into memory whole.
run /usr/bin/time -f '%M %e' -o "$D/time" env WARREN_WG_SOCKET_DIR="$D/s" "$Z" get "fl$T_ID"
eq "an endless line: exit 1" 1 "$rc"
json_eq "an endless line: a protocol error" "$out" '.msg|test("Protocol error")' true
read -r kb secs < <(tail -1 "$D/time")
ok "an endless line: peak RSS ${kb} KiB stays under 32 MiB" test "$kb" -lt 32768
ok "an endless line: over in ${secs} s" test "${secs%.*}" -lt 10
