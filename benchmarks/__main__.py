"""python -m benchmarks [--members N --entries M] [sections...]

Runs the benchmark sections that exist (core, decode, counter, sync, ..., reliability; a missing
module is skipped) and prints one JSON object per figure on stdout; progress goes to stderr. Sections whose ``run``
takes a ``db`` argument get a working copy of the generated store database (generated once per
--members/--entries/--seed and cached, see benchmarks/gen_store.py).
"""
from __future__ import annotations

import argparse
import importlib
import inspect
import json
import os
import shutil
import sys
import time
import traceback
from pathlib import Path

SECTIONS = ("core", "decode", "counter", "sync", "manager", "legacy_import", "hq_jobs", "reliability")


def _log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def load_section(name: str):
    """The section's module, or None when benchmarks/<name>.py does not exist."""
    try:
        return importlib.import_module(f"benchmarks.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"benchmarks.{name}":
            return None
        raise


def _preload_app() -> None:
    """Import the store's modules now: a long run (generation takes many minutes) should not pick
    up a half-edited file from a colleague's working tree half-way through."""
    import pkgutil

    import app.services
    import app.store  # noqa: F401

    for info in pkgutil.iter_modules(app.services.__path__):
        importlib.import_module(f"app.services.{info.name}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    ap.add_argument("sections", nargs="*", help=f"any of {', '.join(SECTIONS)} (default: all that exist)")
    ap.add_argument("--members", type=int, default=1_000_000)
    ap.add_argument("--entries", type=int, default=10_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--n", type=int, default=2000, help="counter earns timed by the core section")
    ap.add_argument("--searches", type=int, default=200, help="queries per member-search figure")
    ap.add_argument("--db", type=Path, help="use this generated database instead of the cached one")
    ap.add_argument("--in-place", action="store_true",
                    help="write to the cached database itself instead of a throwaway copy")
    ap.add_argument("--force", action="store_true", help="regenerate the cached database")
    args = ap.parse_args(argv)

    unknown = [s for s in args.sections if s not in SECTIONS]
    if unknown:
        ap.error(f"unknown section(s) {', '.join(unknown)}; known: {', '.join(SECTIONS)}")

    from benchmarks.gen_store import db_path_for, ensure_store, install_memory_keyring, meta_path_for

    install_memory_keyring()  # no OS keyring here, and never a key file
    _preload_app()
    wanted = list(args.sections) or list(SECTIONS)
    modules = {}
    for name in wanted:
        mod = load_section(name)
        if mod is None:
            if args.sections:
                _log(f"section {name}: benchmarks/{name}.py does not exist")
                return 2
            _log(f"section {name}: not present, skipped")
            continue
        modules[name] = mod

    ctx = {"members": args.members, "entries": args.entries}
    work: Path | None = None
    meta: dict = {}
    needs_db = any("db" in inspect.signature(m.run).parameters for m in modules.values())
    failed = False
    try:
        if needs_db:
            if args.db:
                source = args.db
                mp = meta_path_for(source)
                meta = json.loads(mp.read_text(encoding="utf-8")) if mp.exists() else {}
                meta["cached"] = True
                ctx = {"members": meta.get("members", args.members), "entries": meta.get("entries", args.entries)}
            else:
                _log(f"store database: {db_path_for(args.members, args.entries, args.seed)}")
                g = ensure_store(args.members, args.entries, seed=args.seed, force=args.force, log=_log)
                source, meta = g.path, dict(g.meta, cached=g.cached)
                _log(("reusing cached" if g.cached else "generated") +
                     f" database ({meta['generation_s']} s to generate, {meta['size_bytes'] / 1e6:,.0f} MB)")
            if args.in_place:
                work = None
                target = source
            else:
                work = source.with_name(f"{source.stem}.work-{os.getpid()}.db")  # concurrent runs each get their own
                for p in (work, Path(f"{work}-wal"), Path(f"{work}-shm")):
                    p.unlink(missing_ok=True)
                t0 = time.perf_counter()
                shutil.copyfile(source, work)
                _log(f"working copy {work} ({time.perf_counter() - t0:.0f} s)")
                target = work
        for name, mod in modules.items():
            params = inspect.signature(mod.run).parameters
            kwargs = {}
            if "db" in params:
                kwargs["db"] = target
            if "meta" in params:
                kwargs["meta"] = meta
            if "log" in params:
                kwargs["log"] = _log
            for key in ("members", "entries"):
                if key in params:
                    kwargs[key] = ctx[key]
            if name == "core":
                kwargs.update(n=args.n, searches=args.searches)
            _log(f"section {name}")
            try:
                figures = mod.run(**kwargs)
            except Exception:
                failed = True
                _log(f"section {name} failed:\n{traceback.format_exc()}")
                continue
            for fig in figures:
                for key, value in ctx.items():
                    fig.setdefault(key, value)
                print(json.dumps(fig, ensure_ascii=False), flush=True)
    finally:
        if work is not None:
            for p in (work, Path(f"{work}-wal"), Path(f"{work}-shm")):
                p.unlink(missing_ok=True)
        elif args.in_place and needs_db and not args.db:
            _note_in_place_use(source, wanted)
    return 1 if failed else 0


def _note_in_place_use(path: Path, sections: list[str]) -> None:
    """An --in-place run changed the cached store (earns booked, cards reissued, the WAL folded
    in): record that in its sidecar, with the file's new size, so the next run reuses it as the
    "used" store it now is instead of taking the size change for a broken file and regenerating
    an hour's worth of store."""
    from app.db import connect_raw
    from benchmarks.gen_store import meta_path_for

    con = connect_raw(path, pragmas=False)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()
    mp = meta_path_for(path)
    meta = json.loads(mp.read_text(encoding="utf-8"))
    meta["size_bytes"] = path.stat().st_size
    meta["in_place_runs"] = meta.get("in_place_runs", 0) + 1
    meta.setdefault("in_place_sections", []).append(",".join(sections))
    mp.write_text(json.dumps(meta, indent=1, ensure_ascii=False), encoding="utf-8")
    _log(f"the cached store was changed in place ({meta['in_place_runs']} run(s) so far); sidecar updated")


if __name__ == "__main__":
    sys.exit(main())
