"""Starting the counter: `python -m ui [--db PATH] [--lang ja|en] [--demo] [--camera-source PATH] [--self-test]`."""
from __future__ import annotations

import argparse
import json
import logging
import logging.handlers
import os
import sys
import tempfile
import time
from pathlib import Path

RESOURCES = Path(__file__).resolve().parents[1] / "resources"
log = logging.getLogger("ui")


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="tsumugi", description="Tsumugi loyalty counter")
    p.add_argument("--db", help="store database (default: the user data folder's store.sqlite)")
    p.add_argument("--lang", choices=("ja", "en"), help="screen language (default: the store's, else ja)")
    p.add_argument("--demo", action="store_true", help="open the first-run wizard with the demo store chosen")
    p.add_argument("--camera-source", help="a video file or image folder (or a camera number) to scan from")
    p.add_argument("--config", help="this PC's settings.json (default: the user config folder)")
    p.add_argument("--self-test", action="store_true", help="start offscreen, check everything, exit 0 if fine")
    return p.parse_args(argv)


def setup_logging(folder: Path | None = None) -> None:
    root = logging.getLogger()
    if root.handlers:
        return
    root.setLevel(logging.INFO)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    h = logging.StreamHandler()
    h.setFormatter(fmt)
    root.addHandler(h)
    if folder is not None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fh = logging.handlers.RotatingFileHandler(folder / "tsumugi.log", maxBytes=2_000_000, backupCount=5,
                                                      encoding="utf-8")
            fh.setFormatter(fmt)
            root.addHandler(fh)
        except OSError:
            pass


def make_app(argv=None):
    from PySide6.QtGui import QFont, QFontDatabase
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(list(argv or sys.argv[:1]))
    app.setApplicationName("Tsumugi")
    families = set(QFontDatabase.families())
    for fam in ("Noto Sans CJK JP", "Noto Sans JP", "IPAexGothic", "Yu Gothic UI", "Hiragino Sans", "Meiryo"):
        if fam in families:
            app.setFont(QFont(fam, 12))
            break
    qss = RESOURCES / "style.qss"
    if qss.exists():
        app.setStyleSheet(qss.read_text(encoding="utf-8"))
    return app


def build_window(store, config, lang, camera_source=None, wedge_clock=None):
    from ui.main_window import MainWindow

    return MainWindow(store, config, lang, camera_source=camera_source, wedge_clock=wedge_clock)


def self_test() -> int:
    """Offscreen: open a DB in a temp dir, set up a store, build the main window, sign in, scan a
    rendered member QR through the decoder; exit 0 if all is fine. Prints one JSON line."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    t0 = time.perf_counter()
    from PySide6.QtWidgets import QApplication

    from app import secrets
    from app.store import Store
    from ui import i18n
    from ui.config import LocalConfig
    from ui.wizard import run_setup

    figures = {}
    with tempfile.TemporaryDirectory(prefix="tsumugi-selftest-") as tmp:
        tmp = Path(tmp)
        if not secrets.available():  # only inside this temp dir, for this check
            os.environ["TSUMUGI_INSECURE_KEYFILE"] = str(tmp / "keys.json")
        app = make_app()
        i18n.install(app, "ja")
        config = LocalConfig.load(tmp / "settings.json")
        config.sound = False
        store = Store.open(tmp / "store.sqlite")
        run_setup(store, {"store_id": "S999", "terminal_id": "T01", "manager_name": "selftest", "pin": "1234",
                          "lang": "ja"})
        actor = store.staff.authenticate(1, "1234")
        reg = store.members.register(actor, "テスト")
        from app.scanning.decoders import decode_image
        from ui.qr import qimage_to_bgr, qr_image

        found = [r.text for r in decode_image(qimage_to_bgr(qr_image(reg.code, 6)))]
        try:  # HQ's certificate is checked against the OS trust store: truststore must be bundled
            from sync.client import tls_context

            tls_context()
        except Exception as exc:  # noqa: BLE001 - reported, not raised
            print(json.dumps({"self_test": "failed", "why": f"TLS context: {type(exc).__name__}: {exc}"}))
            return 1
        if reg.code not in found:
            print(json.dumps({"self_test": "failed", "why": "rendered QR did not decode"}))
            return 1
        win = build_window(store, config, "ja")
        win.show()
        app.processEvents()
        win.sign_in(actor)
        done = []
        win.counter.lookup(reg.code, on_done=done.append)
        deadline = time.monotonic() + 10
        while not done and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.005)
        ok = done == [True] and win.counter.view is not None and win.counter.view.member_id == reg.member.id
        figures["self_test_s"] = round(time.perf_counter() - t0, 3)
        win.close()
        store.close()
        QApplication.processEvents()
    print(json.dumps({"self_test": "ok" if ok else "failed", **figures}))
    return 0 if ok else 1


def import_domain() -> None:
    """Import the store's domain (SQLAlchemy, the services) *before* PySide6: once PySide6 is
    imported it inspects every module imported after it (its ``__feature__`` hook reads their
    source), which costs a few hundred ms over these ~500 modules. Alembic is not imported: an
    up-to-date database is recognised without it (app.db.schema_is_current).
    Nothing here touches Qt, a device or the disk."""
    import app.store  # noqa: F401
    from app.services import audit, conflicts, coupons, customers, ledger, members, migration, reports  # noqa: F401
    from app.services import rulesets, segments, staff  # noqa: F401


def warm_up(store) -> None:
    """Runs on the DB executor after the window is shown: the first SQL compiled and the rule set
    parsed, so the first scan is as quick as the next. Reads only; no personal data."""
    store.rules.current()
    store.members.find("0000000000")
    try:
        store.members.resolve("0000000000")
    except Exception:  # noqa: BLE001 — "unknown card" is the expected answer
        pass
    store.coupons.available("00000000-0000-0000-0000-000000000000")
    from app.store import settle_heap

    settle_heap()  # start-up's objects out of the cyclic GC's way (no ~50 ms collection mid-earn)


def start(argv=None, ask_no_keyring=None):
    """Start the counter up to its first screen shown (sign-in, or set-up on a new PC); returns
    (app, window, store), or None when there is no OS keyring and the user chose to quit rather
    than use the weaker key file (then no file is created). The window is shown before warm-up
    work, which then runs on the DB executor. `ask_no_keyring(path) -> "keyfile" | "quit"` stands
    in for that dialog in tests."""
    args = parse_args(argv)
    import_domain()
    from ui.config import LocalConfig, default_db_path, user_data_dir

    app = make_app()
    from ui import hooks

    hooks.install_crash_handler()  # ui.crash sets up the scrubbed, rotating logs when present
    setup_logging(user_data_dir() / "logs")  # otherwise ours (a no-op if logging is set up)
    config = LocalConfig.load(args.config)

    from app.store import Store
    from ui import i18n
    from ui.keystore import ensure_secret_store

    # the database key is made at first open and kept only via app.secrets: with no OS keyring
    # and no key-file opt-in yet, ask first (Japanese unless --lang says otherwise), or quit
    first_lang = args.lang or "ja"
    i18n.install(app, first_lang)
    if not ensure_secret_store(config, ask=ask_no_keyring):
        return None
    db = Path(args.db) if args.db else default_db_path()
    store = Store.open(db, background_checkpoint=True)
    lang = args.lang or store.setting("language") or "ja"
    if lang != first_lang:
        i18n.install(app, lang)
    win = build_window(store, config, lang, camera_source=args.camera_source)
    win.show()
    if not store.initialised:
        wiz = win.start_setup()
        if args.demo:
            wiz.demo.setChecked(True)
    else:
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, lambda: win.ctx.run(warm_up, store, on_error=lambda exc: log.info(
            "warm-up: %s", type(exc).__name__)))
        QTimer.singleShot(0, win.start_sync)  # sync with HQ (when enrolled), started off the GUI thread
    return app, win, store


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.self_test:
        return self_test()
    started = start(argv)
    if started is None:
        return 1  # no OS keyring and the user chose to quit (said in the log)
    app, win, store = started
    rc = app.exec()
    store.close()
    return rc


if __name__ == "__main__":
    sys.exit(main())
