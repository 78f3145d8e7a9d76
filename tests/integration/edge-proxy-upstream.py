#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# The home lab's web server for tests/integration/edge-proxy.sh. One line per request in LOG:
#   http: "peer=ADDR xff=X-Forwarded-For test=X-Warren-Test path=PATH"; /private answers 401,
#         /forbidden 403, anything else 200 "home-lab".
#   --tls CERT KEY: TLS itself (a passthrough upstream), "tls peer=ADDR proxy=SRC" where SRC is
#         the source address of a PROXY protocol v2 header (--proxy-v2) or "-"; answers
#         "passthrough".
import argparse
import http.server
import socket
import socketserver
import ssl
import struct

SIG = b"\r\n\r\n\x00\r\nQUIT\n"


def log(path, line):
    with open(path, "a") as f:
        f.write(line + "\n")


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("short read")
        buf += chunk
    return buf


def proxy_v2_source(sock):
    head = recv_exact(sock, 16)
    if head[:12] != SIG:
        raise ConnectionError("no PROXY v2 signature")
    body = recv_exact(sock, struct.unpack("!H", head[14:16])[0])
    if head[13] >> 4 == 1:  # AF_INET
        return socket.inet_ntop(socket.AF_INET, body[0:4])
    if head[13] >> 4 == 2:  # AF_INET6
        return socket.inet_ntop(socket.AF_INET6, body[0:16])
    return "local"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bind", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--tls", nargs=2)
    p.add_argument("--proxy-v2", action="store_true")
    a = p.parse_args()

    class Web(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            log(a.log, "http peer=%s xff=%s test=%s path=%s" % (
                self.client_address[0], self.headers.get("X-Forwarded-For", "-"),
                self.headers.get("X-Warren-Test", "-"), self.path))
            code = {"/private": 401, "/forbidden": 403}.get(self.path, 200)
            body = b"home-lab\n"
            self.send_response(code)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    class Tls(socketserver.BaseRequestHandler):
        def handle(self):
            src = proxy_v2_source(self.request) if a.proxy_v2 else "-"
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(a.tls[0], a.tls[1])
            with ctx.wrap_socket(self.request, server_side=True) as s:
                s.recv(4096)
                log(a.log, "tls peer=%s proxy=%s" % (self.client_address[0], src))
                s.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 12\r\nConnection: close\r\n\r\n"
                          b"passthrough\n")

    socketserver.ThreadingTCPServer.allow_reuse_address = True
    handler = Tls if a.tls else Web
    server = socketserver.ThreadingTCPServer((a.bind, a.port), handler)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
