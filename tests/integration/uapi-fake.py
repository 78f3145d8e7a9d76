#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# A stand-in for wireguard-go's UAPI socket, for the client side of the protocol (used by
# wg-peer-sync-uapi.sh):
#   uapi-fake.py SOCKET hang           accepts connections and never answers
#   uapi-fake.py SOCKET no-set         answers "get" (an empty device on port 51850), never "set"
#   uapi-fake.py SOCKET record LOG [REJECT-HEX]
#                                      answers "get" the same way and every "set" with errno=0,
#                                      except the first request that names public key
#                                      REJECT-HEX (errno=-22); writes one JSON line per set
#                                      request to LOG: its size, its keys (never the values), and
#                                      whether more bytes arrived before the reply was sent.
# Touches SOCKET.ready once it listens.
import json
import select
import socket
import sys
import threading

GET_REPLY = b"listen_port=51850\nerrno=0\n\n"


def read_request(conn, buf):
    """Returns (request, rest): bytes up to and including the empty line, or None at EOF."""
    while True:
        if buf.startswith(b"get=1\n\n"):
            return buf[:7], buf[7:]
        end = buf.find(b"\n\n")
        if buf.startswith(b"set=1\n") and end >= 0:
            return buf[: end + 2], buf[end + 2 :]
        data = conn.recv(65536)
        if not data:
            return None, buf
        buf += data


def serve(conn, mode, log, reject, state):
    buf = b""
    with conn:
        if mode == "hang":
            while conn.recv(65536):
                pass
            return
        while True:
            req, buf = read_request(conn, buf)
            if req is None:
                return
            if req.startswith(b"get"):
                conn.sendall(GET_REPLY)
                continue
            if mode == "no-set":
                while conn.recv(65536):
                    pass
                return
            # Anything more before the reply means the client did not wait for it.
            early = bool(buf) or bool(select.select([conn], [], [], 0.05)[0])
            lines = req.decode().split("\n")[1:-2]
            keys = [line.split("=", 1)[0] for line in lines]
            errno = 0
            if reject and not state["rejected"] and ("public_key=" + reject) in lines:
                errno, state["rejected"] = -22, True
            with open(log, "a") as f:
                f.write(json.dumps({"bytes": len(req), "keys": keys, "early": early,
                                    "errno": errno, "reject": errno != 0}) + "\n")
            conn.sendall(b"errno=%d\n\n" % errno)


def main():
    path, mode = sys.argv[1], sys.argv[2]
    log = sys.argv[3] if len(sys.argv) > 3 else None
    reject = sys.argv[4] if len(sys.argv) > 4 else None
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(16)
    open(path + ".ready", "w").close()
    state = {"rejected": False}
    while True:
        conn, _ = s.accept()
        threading.Thread(target=serve, args=(conn, mode, log, reject, state), daemon=True).start()


if __name__ == "__main__":
    main()
