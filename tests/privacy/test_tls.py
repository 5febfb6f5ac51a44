"""In transit: the store's client verifies HQ's certificate against the OS trust store (plus a
private CA added the documented way), TLS 1.2 minimum, 1.3 preferred; HQ serves TLS itself.

Real HTTPS on loopback: HQ's app served by uvicorn with the certificate and key from HQ's settings
(`Settings.server_options()`, what `python -m hq serve --certfile --keyfile` uses). The test CA and
its leaves are made here (tests/privacy/tlsca.py)."""
from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest
import uvicorn

from hq.settings import Settings, server_tls_context
from sync.client import CertificateRefused, HQClient, Offline, tls_context
from tests.privacy.tlsca import CA
from tests.sync.harness import free_port

ROOT = Path(__file__).resolve().parents[2]


class TLSServer:
    def __init__(self, app, certfile, keyfile, lifespan="off"):
        self.port = free_port()
        settings = Settings(database_url="sqlite://", tls_certfile=str(certfile), tls_keyfile=str(keyfile))
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan=lifespan,
                                timeout_graceful_shutdown=1, **settings.server_options())
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def url(self, host="127.0.0.1") -> str:
        return f"https://{host}:{self.port}"

    def start(self):
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            assert self.thread.is_alive() and time.monotonic() < deadline, "TLS server did not start"
            time.sleep(0.02)
        return self

    def stop(self):
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    d = tmp_path_factory.mktemp("pki")
    ca, stranger = CA.make("Tsumugi Test CA"), CA.make("Unknown CA")
    return {
        "dir": d, "ca": ca.pem(d / "ca.pem"),
        "good": ca.leaf(d, "good"),
        "expired": ca.leaf(d, "expired", expired=True),
        "wrong_host": ca.leaf(d, "wronghost", hosts=("hq.example.jp",)),
        "unknown_ca": stranger.leaf(d, "stranger"),
    }


@pytest.fixture(scope="module")
def servers(pki, tmp_path_factory):
    """HQ (SQLite) over HTTPS with the good certificate; the same app behind the three bad ones."""
    from hq.app import create_app

    db = tmp_path_factory.mktemp("hq") / "hq.sqlite"
    app = create_app(settings=Settings(database_url=f"sqlite:///{db}", notify_poll_s=0.05))
    running = {"good": TLSServer(app, *pki["good"], lifespan="on").start()}
    for name in ("expired", "wrong_host", "unknown_ca"):
        running[name] = TLSServer(app, *pki[name]).start()
    running["app"] = app
    yield running
    for name in ("expired", "wrong_host", "unknown_ca", "good"):
        running[name].stop()


def test_good_certificate_works_with_the_private_ca_added(servers, pki):
    for host in ("127.0.0.1", "localhost"):
        c = HQClient(servers["good"].url(host), ca_bundle=pki["ca"])
        try:
            assert c.health()["ok"] is True
        finally:
            c.close()


def test_private_ca_from_the_environment(servers, pki, monkeypatch):
    monkeypatch.setenv("TSUMUGI_HQ_CA_BUNDLE", str(pki["ca"]))
    c = HQClient(servers["good"].url())
    try:
        assert c.health()["ok"] is True
    finally:
        c.close()


def test_without_the_private_ca_the_os_trust_store_refuses_it(servers, monkeypatch):
    """Proves the test CA is not trusted by default (so the other refusals mean something)."""
    monkeypatch.delenv("TSUMUGI_HQ_CA_BUNDLE", raising=False)
    c = HQClient(servers["good"].url())
    with pytest.raises(CertificateRefused) as ei:
        c.health()
    c.close()
    assert ei.value.code == "tls_unknown_ca"


@pytest.mark.parametrize("name,code", [("expired", "tls_expired"), ("wrong_host", "tls_wrong_host"),
                                       ("unknown_ca", "tls_unknown_ca")])
def test_bad_certificates_are_refused_with_a_distinct_status(servers, pki, name, code):
    c = HQClient(servers[name].url(), ca_bundle=pki["ca"])
    with pytest.raises(CertificateRefused) as ei:
        c.health()
    c.close()
    exc = ei.value
    assert exc.code == code
    assert isinstance(exc, Offline)  # the worker keeps retrying with backoff; not a traceback
    assert str(exc) == CertificateRefused.REASONS[code] and "Traceback" not in str(exc)


def test_verification_cannot_be_turned_off():
    with pytest.raises(ValueError, match="cannot be turned off"):
        HQClient("https://127.0.0.1:1", verify=False)


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1:DeprecationWarning")
def test_tls13_preferred_and_tls12_floor_on_both_sides(servers, pki):
    port = servers["good"].port

    def handshake(ctx, host="127.0.0.1"):
        with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
            with ctx.wrap_socket(raw, server_hostname=host) as tls:
                return tls.version()

    ctx = tls_context(pki["ca"])
    assert ctx.minimum_version == ssl.TLSVersion.TLSv1_2
    assert handshake(ctx) == "TLSv1.3"  # preferred: the highest both speak
    twelve = tls_context(pki["ca"])
    twelve.maximum_version = ssl.TLSVersion.TLSv1_2
    assert handshake(twelve) == "TLSv1.2"  # still accepted
    # a client that offers at most TLS 1.1 (its own security level lowered so it does offer it: the
    # same client completes a TLS 1.1 handshake with a server that allows it), refused by HQ
    old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    old.load_verify_locations(cafile=str(pki["ca"]))
    old.set_ciphers("DEFAULT:@SECLEVEL=0")
    old.minimum_version = ssl.TLSVersion.TLSv1
    old.maximum_version = ssl.TLSVersion.TLSv1_1
    with pytest.raises(ssl.SSLError):
        handshake(old)
    # HQ's context sets the floor itself, whatever the build's default
    base = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    base.minimum_version = ssl.TLSVersion.TLSv1
    assert server_tls_context(None, lambda: base).minimum_version == ssl.TLSVersion.TLSv1_2


def test_store_enrolls_and_syncs_over_https(servers, pki, tmp_path, monkeypatch):
    from app.services.setup import init_store
    from app.store import SYSTEM, Store
    from sync.engine import SyncEngine, enroll

    monkeypatch.setenv("TSUMUGI_HQ_CA_BUNDLE", str(pki["ca"]))
    service = servers["app"].state.service
    store = Store.open(tmp_path / "s.sqlite")
    try:
        init_store(store, "S201")
        mgr = store.staff.add(SYSTEM, "店長", "manager", "482916")
        actor = store.staff.authenticate(mgr.id, "482916")
        _, code = service.add_store("S201", "S201")
        enroll(store, servers["good"].url("localhost"), code)
        member = store.members.register(actor, "ヤマダハナコ").member
        store.ledger.earn(actor, member.id, 3480, key=uuid.uuid4())
        engine = SyncEngine(store)
        try:
            res = engine.sync_once()
            assert res["pushed"] and engine.online
        finally:
            engine.close()
        assert service.member(member.id)["balance"] == store.ledger.balance(member.id)["balance"] > 0
        # the same store pointed at a server with the wrong certificate: a clear status, kept
        monkeypatch.delenv("TSUMUGI_HQ_CA_BUNDLE")
        engine = SyncEngine(store)
        try:
            with pytest.raises(CertificateRefused) as ei:
                engine.sync_once()
            assert ei.value.code == "tls_unknown_ca" and engine.online is False
            assert "not signed by an authority this computer trusts" in engine.last_error
            st = engine.state()  # what the status bar gets: the code, worded by ui/texts.py
            assert st.online is False and st.error_code == "tls_unknown_ca"
        finally:
            engine.close()
    finally:
        store.close()


def test_hq_serve_command_serves_https(pki, tmp_path):
    port = free_port()
    certfile, keyfile = pki["good"]
    env = dict(os.environ, TSUMUGI_HQ_SCHEDULER="0")
    cmd = [sys.executable, "-m", "hq", "--database-url", f"sqlite:///{tmp_path / 'hq.sqlite'}", "serve",
           "--port", str(port), "--certfile", str(certfile), "--keyfile", str(keyfile)]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        ctx = tls_context(pki["ca"])
        while True:
            try:
                r = httpx.get(f"https://localhost:{port}/v1/health", verify=ctx, timeout=2)
                break
            except httpx.ConnectError as exc:
                assert "CERTIFICATE" not in str(exc).upper(), exc
                assert proc.poll() is None and time.monotonic() < deadline, proc.stdout.read().decode()[-2000:]
                time.sleep(0.3)
        assert r.status_code == 200 and r.json()["ok"] is True
        with pytest.raises(httpx.TransportError):  # plain HTTP is not served on the TLS port
            httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=2).raise_for_status()
    finally:
        proc.terminate()
        proc.wait(15)


def test_hq_serve_refuses_half_a_tls_setup(pki, tmp_path):
    p = subprocess.run([sys.executable, "-m", "hq", "--database-url", f"sqlite:///{tmp_path / 'x.sqlite'}",
                        "serve", "--certfile", str(pki["good"][0])], cwd=ROOT, capture_output=True, text=True,
                       stdin=subprocess.DEVNULL, timeout=60, env=dict(os.environ, TSUMUGI_HQ_TLS_KEYFILE=""))
    assert p.returncode == 2 and "both a certificate file and a key file" in p.stderr
    assert not (tmp_path / "x.sqlite").exists()


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1:DeprecationWarning")
def test_a_server_below_tls12_is_refused_as_tls_protocol(pki):
    """A server that speaks at most TLS 1.1 (an old appliance in front of HQ): the store refuses it,
    with its own status."""
    srv = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    srv.load_cert_chain(*pki["good"])
    srv.set_ciphers("DEFAULT:@SECLEVEL=0")
    srv.minimum_version = ssl.TLSVersion.TLSv1
    srv.maximum_version = ssl.TLSVersion.TLSv1_1
    sock = socket.create_server(("127.0.0.1", 0))
    port = sock.getsockname()[1]

    def serve():
        conn, _ = sock.accept()
        try:
            srv.wrap_socket(conn, server_side=True).close()
        except (ssl.SSLError, OSError):
            conn.close()

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    c = HQClient(f"https://127.0.0.1:{port}", ca_bundle=pki["ca"])
    try:
        with pytest.raises(CertificateRefused) as ei:
            c.health()
    finally:
        c.close()
        t.join(5)
        sock.close()
    assert ei.value.code == "tls_protocol"
