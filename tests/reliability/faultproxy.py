"""A fault-injecting HTTP/1.1 proxy on loopback, between a store's sync client and a real HQ.

    proxy = FaultProxy(("127.0.0.1", hq_port), seed=1, rate=0.3).start()
    ... point the store at proxy.url ...
    proxy.enabled = False          # quiesce: pass everything through
    proxy.stop()
    proxy.by_kind                  # {"latency": 12, "drop_request": 9, ...}

Written for the tests (threads, plain sockets; no HTTP library in the path). Each request the
client sends is read whole (headers + Content-Length body), then — with probability ``rate``,
while ``budget`` lasts — one fault is chosen at random:

- ``latency``: the request is held 20–400 ms before it goes to HQ (and answered normally);
- ``drop_request``: the client's connection is closed; the request never reaches HQ;
- ``drop_response``: the request reaches HQ (which commits), then the client's connection is
  closed before a byte of the answer is sent;
- ``reset_mid_response``: HQ's answer is cut at a random byte and the connection is reset (RST);
- ``truncate_body``: the headers and part of the body are sent, then the connection is closed
  (FIN): the client sees fewer bytes than Content-Length promised;
- ``duplicate``: the request bytes are sent to HQ twice (one after the other, on two connections);
  the client gets one of the two answers at random;
- ``duplicate_concurrent``: the same, but both copies are in flight at HQ at once (a retrying
  middlebox that did not wait): HQ's idempotency must hold under the race.

Anything else on the connection (the SSE stream, a chunked answer) is passed through unchanged.
Counters are kept per kind and in total; ``events`` lists (kind, method, path) for diagnosis.

Two hooks let a test act at an exact moment, e.g. kill HQ: ``on_sent(method, path, upstream_socket)``
runs once all but the last two bytes of the request are with HQ (so HQ has accepted the
connection and is reading the request: nothing is answered before the hook returns), and
``on_answer(method, path, answer)`` once HQ's whole answer is here; when it returns a kind
("drop_response", ...), that fault is applied to this answer (counted like the others).
"""
from __future__ import annotations

import random
import socket
import struct
import threading
import time

KINDS = ("latency", "drop_request", "drop_response", "reset_mid_response", "truncate_body", "duplicate",
         "duplicate_concurrent")


class _Closed(Exception):
    pass


def _recv_until(sock: socket.socket, buf: bytearray, marker: bytes) -> int:
    while True:
        i = buf.find(marker)
        if i >= 0:
            return i
        chunk = sock.recv(65536)
        if not chunk:
            raise _Closed
        buf += chunk


def _recv_exact(sock: socket.socket, buf: bytearray, n: int) -> None:
    while len(buf) < n:
        chunk = sock.recv(max(65536, n - len(buf)))
        if not chunk:
            raise _Closed
        buf += chunk


def _headers(head: bytes) -> dict[str, str]:
    out = {}
    for line in head.split(b"\r\n")[1:]:
        if b":" in line:
            k, v = line.split(b":", 1)
            out[k.strip().lower().decode("latin-1")] = v.strip().decode("latin-1")
    return out


def read_message(sock: socket.socket, buf: bytearray, *, response: bool = False) -> bytes | None:
    """One HTTP/1.1 message from `sock` (leftover bytes stay in `buf`). Returns None for a
    message this proxy does not frame itself (chunked), which is then streamed through."""
    end = _recv_until(sock, buf, b"\r\n\r\n") + 4
    head = bytes(buf[:end])
    h = _headers(head)
    if "chunked" in h.get("transfer-encoding", "").lower():
        return None
    if "content-length" in h:
        n = int(h["content-length"])
    elif response:
        n = None  # until close
    else:
        n = 0
    if n is None:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            buf += chunk
        msg = bytes(buf)
        del buf[:]
        return msg
    _recv_exact(sock, buf, end + n)
    msg = bytes(buf[:end + n])
    del buf[:end + n]
    return msg


def _reset(sock: socket.socket) -> None:
    """Close with RST (SO_LINGER 0) instead of FIN."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


class FaultProxy:
    def __init__(self, upstream: tuple[str, int], *, seed: int = 1, rate: float = 0.3, budget: int | None = None,
                 kinds: tuple[str, ...] = KINDS, paths: tuple[str, ...] | None = None, latency_ms=(20, 400)):
        self.upstream = upstream
        self.rng = random.Random(seed)
        self.rate = rate
        self.budget = budget           # faults still to inject (None: no limit)
        self.kinds = kinds
        self.paths = paths             # only requests to these path prefixes get faults (None: all)
        self.latency_ms = latency_ms
        self.on_sent = None
        self.on_answer = None
        self.enabled = True
        self.by_kind: dict[str, int] = {k: 0 for k in kinds}
        self.requests = 0
        self.events: list[tuple[str, str, str]] = []
        self._lock = threading.Lock()
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(128)
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._conns: set[socket.socket] = set()

    @property
    def injected(self) -> int:
        return sum(self.by_kind.values())

    # -- life -------------------------------------------------------------------------------
    def start(self) -> "FaultProxy":
        t = threading.Thread(target=self._accept, name="faultproxy-accept", daemon=True)
        t.start()
        self._threads.append(t)
        return self

    def stop(self) -> None:
        self._stop.set()
        try:
            self._sock.close()
        except OSError:
            pass
        with self._lock:
            conns = list(self._conns)
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            c.close()
        for t in self._threads:
            t.join(5)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._sock.accept()
            except OSError:
                return
            with self._lock:
                self._conns.add(client)
            t = threading.Thread(target=self._serve, args=(client,), name="faultproxy-conn", daemon=True)
            t.start()
            with self._lock:
                self._threads = [x for x in self._threads if x.is_alive()] + [t]

    # -- one client connection ----------------------------------------------------------------
    def _pick(self, method: str, path: str) -> str | None:
        with self._lock:
            self.requests += 1
            if not self.enabled or (self.budget is not None and self.budget <= 0):
                return None
            if self.paths is not None and not any(path.startswith(p) for p in self.paths):
                return None
            if self.rng.random() >= self.rate:
                return None
            kind = self.rng.choice(self.kinds)
            self.by_kind[kind] += 1
            if self.budget is not None:
                self.budget -= 1
            self.events.append((kind, method, path))
            return kind

    def _exchange(self, request: bytes, method: str = "", path: str = "") -> tuple[bytes | None, socket.socket | None]:
        """Send one request to HQ on a fresh connection; the whole answer, or (None, socket)
        when HQ answers with a body this proxy streams through (chunked)."""
        up = socket.create_connection(self.upstream, timeout=120)
        if self.on_sent is not None:
            # the request but its last two bytes: HQ has the connection and waits for the end of
            # the request while the hook runs (a worker to kill is then certainly serving it)
            up.sendall(request[:-2])
            self.on_sent(method, path, up)
            try:
                up.sendall(request[-2:])
            except OSError:
                up.close()
                raise
        else:
            up.sendall(request)
        buf = bytearray()
        try:
            msg = read_message(up, buf, response=True)
        except (_Closed, OSError):
            up.close()
            raise
        if msg is None:
            return bytes(buf), up
        up.close()
        return msg, None

    def _serve(self, client: socket.socket) -> None:
        buf = bytearray()
        try:
            while not self._stop.is_set():
                try:
                    request = read_message(client, buf)
                except (_Closed, OSError):
                    return
                if request is None:  # a chunked request: not sent by the sync client
                    return
                line = request.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
                method, path = line[0], (line[1] if len(line) > 1 else "")
                kind = self._pick(method, path)
                if kind == "drop_request":
                    return
                if kind == "latency":
                    time.sleep(self.rng.uniform(*self.latency_ms) / 1000)
                try:
                    twin: dict = {}
                    if kind == "duplicate_concurrent":
                        def other():
                            try:
                                twin["answer"], st = self._exchange(request)
                                if st is not None:
                                    st.close()
                            except (_Closed, OSError) as exc:
                                twin["error"] = exc
                        t = threading.Thread(target=other, daemon=True)
                        t.start()
                    answer, stream = self._exchange(request, method, path)
                    if kind == "duplicate_concurrent":
                        t.join(120)
                        if stream is None and twin.get("answer") and self.rng.random() < 0.5:
                            answer = twin["answer"]
                    if self.on_answer is not None and stream is None:
                        forced = self.on_answer(method, path, answer)
                        if forced:
                            kind = forced
                            with self._lock:
                                self.by_kind[kind] = self.by_kind.get(kind, 0) + 1
                                self.events.append((kind, method, path))
                    if kind == "duplicate":
                        again, stream2 = self._exchange(request)
                        if stream2 is not None:
                            stream2.close()
                        if stream is None and self.rng.random() < 0.5:
                            answer = again
                except (_Closed, OSError):
                    return  # HQ went away: so does the client's connection
                if stream is not None:  # pass the rest through as it comes
                    client.sendall(answer)
                    self._pipe(stream, client)
                    return
                if kind == "drop_response":
                    return
                if kind == "reset_mid_response":
                    client.sendall(answer[:self.rng.randrange(0, max(1, len(answer)))])
                    _reset(client)
                    return
                if kind == "truncate_body":
                    end = answer.find(b"\r\n\r\n") + 4
                    body = len(answer) - end
                    client.sendall(answer[:end + (self.rng.randrange(0, body) if body > 0 else 0)])
                    if body == 0:
                        _reset(client)
                    return
                client.sendall(answer)
        except OSError:
            return
        finally:
            with self._lock:
                self._conns.discard(client)
            try:
                client.close()
            except OSError:
                pass

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                chunk = src.recv(65536)
                if not chunk:
                    return
                dst.sendall(chunk)
        except OSError:
            return
        finally:
            src.close()
