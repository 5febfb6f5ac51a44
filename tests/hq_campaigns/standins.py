"""Local stand-ins on loopback for the services we cannot reach: LINE Messaging API, an SMTP
server, a weather endpoint. Real sockets, real protocols, recording what they received."""
from __future__ import annotations

import json
import socket
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


class HTTPStandIn:
    def __init__(self, reply):
        self.requests: list[dict] = []
        self.reply = reply  # (method, path, query, body) -> (status, json)
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _do(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                u = urlparse(self.path)
                req = {"method": self.command, "path": u.path, "query": parse_qs(u.query),
                       "headers": dict(self.headers), "body": json.loads(body) if body else None}
                outer.requests.append(req)
                status, payload = outer.reply(req)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _do

            def log_message(self, *a):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class SMTPStandIn:
    """Enough SMTP (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) for smtplib."""

    def __init__(self):
        self.messages: list[dict] = []
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                w = lambda line: self.wfile.write(line.encode() + b"\r\n")  # noqa: E731
                w("220 standin ESMTP")
                mail_from, rcpts = None, []
                while True:
                    raw = self.rfile.readline()
                    if not raw:
                        return
                    line = raw.decode().rstrip("\r\n")
                    cmd = line[:4].upper()
                    if cmd == "EHLO":
                        w("250-standin")
                        w("250 8BITMIME")
                    elif cmd == "HELO":
                        w("250 standin")
                    elif cmd == "MAIL":
                        mail_from, rcpts = line[10:].strip(), []
                        w("250 OK")
                    elif cmd == "RCPT":
                        rcpts.append(line[8:].strip())
                        w("250 OK")
                    elif cmd == "DATA":
                        w("354 go ahead")
                        data = []
                        while True:
                            l2 = self.rfile.readline()
                            if l2 in (b".\r\n", b".\n", b""):
                                break
                            data.append(l2)
                        outer.messages.append({"from": mail_from, "to": rcpts, "data": b"".join(data)})
                        w("250 queued")
                    elif cmd == "QUIT":
                        w("221 bye")
                        return
                    else:
                        w("250 OK")

        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
