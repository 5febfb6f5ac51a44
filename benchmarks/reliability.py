"""Reliability section of ``python -m benchmarks``: small default-sized runs of the three harnesses
of issue 9, each in its own process (each installs its own in-memory keyring), one JSON figure each:

- ``python -m benchmarks.crash --kills N``      store killed with SIGKILL: kill points survived
- ``python -m benchmarks.faults --faults N``    fault-injecting proxy between stores and HQ
- ``python -m benchmarks.simulate --schedules N --jobs 2``  deterministic simulation schedules

Sizes: TSUMUGI_REL_KILLS (100), TSUMUGI_REL_FAULTS (200), TSUMUGI_REL_SCHEDULES (500). A harness
whose module is not in this checkout is reported as not available, not as a failure.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def _run(module: str, args: list[str], timeout: float) -> tuple[dict | None, str, int]:
    """(last JSON line printed, stderr tail, exit status) of `python -m module args`."""
    try:
        p = subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True, text=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {timeout:.0f} s", -1
    line = None
    for raw in reversed(p.stdout.splitlines()):
        if raw.startswith("{"):
            try:
                line = json.loads(raw)
                break
            except ValueError:
                continue
    return line, p.stderr[-1500:], p.returncode


def _available(module: str) -> bool:
    return (ROOT / (module.replace(".", "/") + ".py")).exists()


def run(log=print, kills: int | None = None, faults: int | None = None, schedules: int | None = None) -> list[dict]:
    kills = kills or int(os.environ.get("TSUMUGI_REL_KILLS", "100"))
    faults = faults or int(os.environ.get("TSUMUGI_REL_FAULTS", "200"))
    schedules = schedules or int(os.environ.get("TSUMUGI_REL_SCHEDULES", "500"))
    figures = []

    def figure(name, module, args, timeout, pick):
        if not _available(module):
            log(f"reliability: {module} is not in this checkout: not available")
            figures.append({"name": name, "available": False, "command": f"python -m {module} {' '.join(args)}"})
            return
        log(f"reliability: python -m {module} {' '.join(args)}")
        load_before = _load()
        t0 = time.perf_counter()
        out, err, rc = _run(module, args, timeout)
        fig = {"name": name, "available": True, "command": f"python -m {module} {' '.join(args)}",
               "exit_status": rc, "seconds": round(time.perf_counter() - t0, 1),
               "load_average_before": load_before, "load_average_after": _load()}
        if out is None:
            fig.update({"violations": None, "error": err})
        else:
            fig.update(pick(out))
        figures.append(fig)

    figure("reliability.crash", "benchmarks.crash", ["--kills", str(kills), "--dir", "/dev/shm"
                                                     if Path("/dev/shm").is_dir() else "/tmp"], 3600,
           lambda o: {"kill_points": o.get("kill_points"),
                      # a kill after which any check failed (or the child reported an error) did not survive
                      "kill_points_survived": max(0, (o.get("kill_points") or 0) - (o.get("violations") or 0)),
                      "acknowledged_entries": o.get("acknowledged_entries"), "violations": o.get("violations")})
    figure("reliability.faults", "benchmarks.faults", ["--faults", str(faults)], 3600,
           lambda o: {"faults_injected": o.get("faults_injected"), "by_kind": o.get("by_kind"),
                      "duplicates": o.get("duplicates"), "losses": o.get("losses"),
                      "violations": o.get("violations")})
    figure("reliability.simulation", "benchmarks.simulate", ["--schedules", str(schedules), "--jobs", "2"], 3600,
           lambda o: {"schedules_run": o.get("schedules"), "steps": o.get("steps"),
                      "faults_injected": o.get("faults_injected"), "crashes": o.get("crashes"),
                      "hq_restores": o.get("hq_restores"), "violations": o.get("violations"),
                      "first_failing_seed": o.get("first_failing_seed")})
    return figures


if __name__ == "__main__":
    for f in run(log=lambda m: print(m, file=sys.stderr)):
        print(json.dumps(f, ensure_ascii=False))
