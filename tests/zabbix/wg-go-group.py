#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# wg-go-group.py GID IFACE: runs `wireguard-go -f IFACE` on a UAPI socket created here with
# mode 0660 and group GID, handed over in WG_UAPI_FD, as a systemd socket unit with
# SocketGroup= and SocketMode=0660 does (docs/zabbix.md). The socket must never be chmod'ed
# once wireguard-go runs: wireguard-go 0.0.20220316 exits on any attribute change of it.
import os
import socket
import sys

gid, ifname = int(sys.argv[1]), sys.argv[2]
path = f"/var/run/wireguard/{ifname}.sock"
os.makedirs("/var/run/wireguard", mode=0o755, exist_ok=True)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
old = os.umask(0o077)
s.bind(path)
os.umask(old)
os.chown(path, 0, gid)
os.chmod(path, 0o660)
s.listen(16)
os.set_inheritable(s.fileno(), True)
os.environ["WG_UAPI_FD"] = str(s.fileno())
os.execvp("wireguard-go", ["wireguard-go", "-f", ifname])
