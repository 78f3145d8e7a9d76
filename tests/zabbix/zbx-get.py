#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# zbx-get.py HOST PORT KEY: asks a Zabbix agent for one item over the passive-check protocol
# ("ZBXD\1", 4-byte little-endian length, 4 reserved bytes, then the data), as zabbix_get does;
# Debian 12 ships no zabbix_get. Prints the value; for ZBX_NOTSUPPORTED prints the agent's
# message on stderr and exits 3.
import socket
import struct
import sys

host, port, key = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()
with socket.create_connection((host, port), timeout=30) as s:
    s.sendall(b"ZBXD\x01" + struct.pack("<II", len(key), 0) + key)
    buf = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
if buf[:5] != b"ZBXD\x01" or len(buf) < 13:
    sys.exit(f"zbx-get: bad reply {buf[:40]!r}")
(size,) = struct.unpack("<I", buf[5:9])
data = buf[13 : 13 + size]
if len(data) != size:
    sys.exit(f"zbx-get: short reply: {len(data)} of {size} bytes")
if data.startswith(b"ZBX_NOTSUPPORTED\0"):
    print(data[17:].decode(errors="replace"), file=sys.stderr)
    sys.exit(3)
sys.stdout.write(data.decode())
sys.stdout.write("\n")
