"""Real processes for HQ crash tests: HQ as `python -m hq serve` (one or more uvicorn workers) that
a test can SIGKILL and start again on the same port and database, and a private PostgreSQL cluster
(initdb into a temporary folder, its own port) that a test may restart under load without touching
the PostgreSQL server everybody else uses."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.sync.harness import free_port

ROOT = Path(__file__).resolve().parents[2]


class HQProcess:
    """`python -m hq serve` in its own process group. ``service`` is an HQService in this process
    on the same database (enrollment codes, and reading HQ's books for the checks)."""

    def __init__(self, database_url: str, *, workers: int = 1, schema: str | None = None, log: Path | None = None):
        from hq.db import HQDatabase
        from hq.service import HQService
        from hq.settings import Settings

        self.database_url = database_url
        self.workers = workers
        self.schema = schema
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        settings = Settings(database_url=database_url, schema=schema)
        db = HQDatabase(database_url, schema=schema)
        db.upgrade()
        self.service = HQService(db, settings)
        self.service.init()
        self.proc: subprocess.Popen | None = None

    def env(self) -> dict:
        env = dict(os.environ)
        env.update(TSUMUGI_HQ_SCHEDULER="0", TSUMUGI_HQ_RATE_LIMIT="100000000", TSUMUGI_HQ_POLL_S="0.05",
                   TSUMUGI_HQ_DATABASE_URL=self.database_url, PYTHONPATH=str(ROOT))
        if self.schema:
            env["TSUMUGI_HQ_SCHEMA"] = self.schema
        return env

    def start(self, timeout: float = 60) -> "HQProcess":
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL
        self.proc = subprocess.Popen([sys.executable, "-m", "hq", "serve", "--host", "127.0.0.1", "--port",
                                      str(self.port), "--workers", str(self.workers)],
                                     cwd=ROOT, env=self.env(), stdout=out, stderr=out, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"HQ exited with {self.proc.returncode}")
            try:
                if httpx.get(self.url + "/v1/health", timeout=1).status_code == 200 and \
                        len(self.worker_pids()) >= (self.workers if self.workers > 1 else 0):
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError("HQ did not start")

    def worker_pids(self) -> list[int]:
        """uvicorn's worker processes (children of the server process) when workers > 1."""
        if self.proc is None or self.workers <= 1:
            return []
        pids = []
        for task in Path(f"/proc/{self.proc.pid}/task").glob("*"):
            try:
                pids += [int(x) for x in (task / "children").read_text().split()]
            except OSError:
                pass
        # multiprocessing's resource tracker is a child too: workers are the ones running uvicorn
        out = []
        for pid in pids:
            try:
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            try:  # a killed worker stays a zombie until uvicorn reaps it: no longer a worker
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except (OSError, IndexError):
                continue
            if b"resource_tracker" not in cmd and state not in ("Z", "X"):
                out.append(pid)
        return out

    def kill(self) -> None:
        """SIGKILL the whole server (every worker too): no shutdown, no goodbye."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self.proc = None

    def close(self) -> None:
        self.stop()
        self.service.db.close()


def pid_serving(pids: list[int], local_port: int) -> int | None:
    """Which of `pids` holds the server side of the TCP connection whose client port is `local_port`
    (read from /proc: the connection's socket inode, then whose file descriptor it is)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            f = line.split()
            remote_port = int(f[2].rsplit(":", 1)[1], 16)
            if remote_port == local_port:
                inodes.add(f[9])
    for pid in pids:
        try:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                try:
                    target = os.readlink(fd)
                except OSError:
                    continue
                if target.startswith("socket:[") and target[8:-1] in inodes:
                    return pid
        except OSError:
            continue
    return None


def pg_bin() -> Path | None:
    for d in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True) + [Path("/usr/local/bin")]:
        if (d / "initdb").exists() and (d / "pg_ctl").exists():
            return d
    return None


class PrivatePostgres:
    """A PostgreSQL cluster of our own: initdb into a new temporary folder (as the postgres user
    when we are root, since initdb refuses root; pytest's tmp_path is root's own, so the cluster
    lives beside it in /tmp), trust auth on loopback, a free port. ``remove()`` deletes it."""

    def __init__(self):
        import tempfile

        self.bin = pg_bin()
        if self.bin is None:
            raise FileNotFoundError("PostgreSQL server binaries (initdb, pg_ctl) not found")
        self.folder = Path(tempfile.mkdtemp(prefix="tsumugi-pg-"))
        self.data = self.folder / "pgdata"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *args, check=True, timeout=120):
        r = subprocess.run(self._as + [str(a) for a in args], capture_output=True, timeout=timeout)
        if check and r.returncode:
            raise RuntimeError(f"{args[0]} failed ({r.returncode}): {r.stderr.decode(errors='replace')[-800:]}")
        return r

    def init(self) -> "PrivatePostgres":
        self.folder.mkdir(parents=True, exist_ok=True)
        if self._as:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run(self.bin / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--no-sync")
        with open(self.data / "postgresql.conf", "a") as f:
            f.write(f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.folder}'\n"
                    "max_connections = 100\nshared_buffers = 32MB\nfsync = on\n")
        return self

    def pg_ctl(self, *args, timeout=120):
        return self._run(self.bin / "pg_ctl", "-D", self.data, "-l", self.folder / "pg.log", "-w", "-t", "60",
                         *args, timeout=timeout)

    def start(self):
        self.pg_ctl("start")

    def restart(self, mode: str = "fast"):
        self.pg_ctl("restart", "-m", mode)

    def stop(self):
        self.pg_ctl("stop", "-m", "fast", timeout=60)

    def remove(self):
        if (self.data / "postmaster.pid").exists():
            self.pg_ctl("stop", "-m", "immediate", timeout=60)
        shutil.rmtree(self.folder, ignore_errors=True)
