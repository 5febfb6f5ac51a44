"""schemathesis against HQ's OpenAPI document: every operation, every phase (examples, coverage,
fuzzing, stateful), once per real credential (store, auditor, admin) and once without any.

    python -m benchmarks.hq_schema                       # the long profile: --max-examples 500
    python -m benchmarks.hq_schema --max-examples 30 --max-time 60    # what the test suite runs
    python -m benchmarks.hq_schema --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_me

HQ is served by uvicorn on a loopback port (a fresh SQLite file unless --database-url), with the
rate limit lifted (the fuzzer would otherwise spend its time on 429s). The credentials are real:
a store enrolled over HTTP with its own Ed25519 key, an auditor and an admin token. The runs go
store → auditor → anonymous → admin, so the admin's fuzzing (which may revoke stores, bump the
epoch, delete members) comes last.

Checks: ``not_a_server_error`` (no 5xx, no broken response) and ``negative_data_rejection`` (a
request that does not match the schema is answered 4xx). Prints one JSON line per credential and
a total: operations, cases (test cases generated), failures, and the failures themselves.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROLES = ("store", "auditor", "anonymous", "admin")
CHECKS = "not_a_server_error,negative_data_rejection"
PHASES = "examples,coverage,fuzzing,stateful"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LoopbackHQ:
    """HQ on 127.0.0.1:<port> in a thread (uvicorn), rate limit lifted."""

    def __init__(self, database_url: str, schema: str | None = None):
        import uvicorn

        from hq.app import create_app
        from hq.settings import Settings

        self.settings = Settings(database_url=database_url, schema=schema, rate_limit=10 ** 9, notify_poll_s=0.2)
        self.app = create_app(settings=self.settings)
        self.service = self.app.state.service
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="error", lifespan="on",
                                timeout_graceful_shutdown=1)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "LoopbackHQ":
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("HQ did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.service.db.close()

    def credentials(self) -> dict[str, str | None]:
        """Real credentials: a store enrolled over HTTP, an auditor and an admin token."""
        import httpx
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        store_id, code = self.service.add_store("Schema test store", "S900")
        pub = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        r = httpx.post(self.url + "/v1/enroll", json={"code": code, "store_id": store_id, "terminal_id": "T01",
                                                      "signing_key_id": "k-schema", "signing_public_key": pub.hex()},
                       timeout=10)
        r.raise_for_status()
        return {"store": r.json()["credential"], "auditor": self.service.add_principal("schema-auditor", "auditor"),
                "anonymous": None, "admin": self.service.add_principal("schema-admin", "admin")}


def run_role(url: str, role: str, token: str | None, *, max_examples: int, max_time: float | None, seed: int,
             workdir: Path, phases: str = PHASES) -> dict:
    report = workdir / f"run-{role}.json"
    cmd = [sys.executable, "-m", "schemathesis.cli", "run", f"{url}/openapi.json", "--checks", CHECKS,
           "--phases", phases, "--max-examples", str(max_examples), "--seed", str(seed), "--workers", "1",
           "--report", "json", "--report-json-path", str(report), "--generation-database", "none",
           "--no-color", "--continue-on-failure",
           "--suppress-health-check", "all", "--request-timeout", "30",
           # the event stream never ends by design: exercised by tests/sync, not fuzzed
           "--exclude-path", "/v1/sync/stream"]
    if max_time:
        cmd += ["--max-time", str(int(max_time))]
    if token:
        cmd += ["--header", f"Authorization: Bearer {token}"]
    env = dict(os.environ, SCHEMATHESIS_HOOKS="")
    started = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, cwd=workdir)
    elapsed = time.monotonic() - started
    data = json.loads(report.read_text()) if report.exists() else {}
    failures = [{"check": f["code"], "title": f["title"], "operations": f["operations"], "count": f["count"]}
                for f in data.get("failures", [])]
    errors = data.get("errors", []) if data else [f"schemathesis wrote no report (exit {proc.returncode}): "
                                                  f"{(proc.stderr or proc.stdout)[-2000:]}"]
    return {"role": role, "operations": data.get("operations", {}).get("tested", 0),
            "cases": data.get("test_cases", {}).get("generated", 0), "failures": failures, "errors": errors,
            "phases": {k: v["status"] for k, v in data.get("phases", {}).items()},
            "exit": proc.returncode, "seconds": round(elapsed, 1),
            # the failing cases as schemathesis prints them (with a curl line to reproduce each)
            "output": proc.stdout[proc.stdout.find("FAILURES"):][:20000] if failures or errors else ""}


def run(database_url: str | None = None, schema: str | None = None, *, max_examples: int = 500,
        max_time: float | None = None, seed: int = 1, roles=ROLES, phases: str = PHASES) -> dict:
    with tempfile.TemporaryDirectory(prefix="hq-schema-") as tmp:
        work = Path(tmp)
        url = database_url or f"sqlite:///{work / 'hq.sqlite'}"
        with LoopbackHQ(url, schema) as hq:
            creds = hq.credentials()
            results = [run_role(hq.url, role, creds[role], max_examples=max_examples, max_time=max_time, seed=seed,
                                workdir=work, phases=phases) for role in roles]
    total = {"operations": max(r["operations"] for r in results),
             "cases": sum(r["cases"] or 0 for r in results),
             "failures": (sum(f["count"] for r in results for f in r["failures"])
                          + sum(len(r["errors"]) for r in results)),
             "runs": len(results), "max_examples": max_examples, "seed": seed}
    return {"runs": results, "total": total}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.hq_schema", description=__doc__.split("\n")[0])
    p.add_argument("--max-examples", type=int, default=500)
    p.add_argument("--max-time", type=float, default=None, help="seconds per credential's run")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    p.add_argument("--roles", default=",".join(ROLES))
    p.add_argument("--phases", default=PHASES)
    args = p.parse_args(argv)
    res = run(args.database_url, max_examples=args.max_examples, max_time=args.max_time, seed=args.seed,
              roles=tuple(args.roles.split(",")), phases=args.phases)
    for r in res["runs"]:
        print(json.dumps({"bench": "hq_schema", **r}, ensure_ascii=False))
    print(json.dumps({"bench": "hq_schema", "total": res["total"]}))
    return 0 if res["total"]["failures"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
