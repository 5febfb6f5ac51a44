"""Start-up as `python -m ui` does it (ui.main.start), in a fresh process: the sign-in screen is
shown without loading what the first screen does not need (Alembic for an up-to-date database,
OpenCV / zxing-cpp, qrcode / PIL, printing, the manager and migration screens), and the warm-up
runs on the DB executor after the window is shown. Speed itself is measured in
benchmarks/counter.py (cold_start_s), never asserted here."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from app.store import Store

ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import json, sys, time
from ui.main import start
import ui.main as um
ran = []
real = um.warm_up
um.warm_up = lambda store: ran.append(real(store) or "done")
app, win, store = start(["--db", sys.argv[1], "--config", sys.argv[2], "--lang", "en"])
app.processEvents()
shown = {"signin": win.stack.currentWidget() is win.signin and win.signin.isVisible()}
loaded = sorted(m for m in ("alembic", "cv2", "zxingcpp", "numpy", "qrcode", "PIL", "escpos",
                            "ui.printing", "app.printing", "ui.member", "ui.settings", "ui.wizard",
                            "ui.manager", "ui.migrate", "ui.legacy_import", "app.scanning.decoders")
                if m in sys.modules)
deadline = time.monotonic() + 30
while not ran and time.monotonic() < deadline:
    app.processEvents()
    time.sleep(0.005)
print(json.dumps({"shown": shown, "loaded_at_signin": loaded, "warm_up": ran}))
win.shutdown()
store.close()
"""


SETUP = r"""
import sys
from app.store import Store
from ui.wizard import run_setup
store = Store.open(sys.argv[1])
run_setup(store, {"store_id": "S001", "terminal_id": "T01", "manager_name": "起動", "pin": "1234", "lang": "en"})
store.close()
"""


def test_start_shows_sign_in_without_loading_what_it_does_not_need(tmp_path):
    keys = tmp_path / "keys.json"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_DATA_HOME=str(tmp_path / "data"),
               XDG_CONFIG_HOME=str(tmp_path / "config"), TSUMUGI_INSECURE_KEYFILE=str(keys))
    # the store is made in a child process too: its keys (signing, database) go to the same key file
    p = subprocess.run([sys.executable, "-c", SETUP, str(tmp_path / "store.sqlite")], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr[-2000:]
    p = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path / "store.sqlite"), str(tmp_path / "settings.json")],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    lines = [ln for ln in p.stdout.splitlines() if ln.startswith("{")]
    assert p.returncode == 0 and lines, p.stderr[-2000:]
    got = json.loads(lines[-1])
    assert got["shown"] == {"signin": True}
    assert got["loaded_at_signin"] == []
    assert got["warm_up"] == ["done"]


def test_up_to_date_database_is_recognised_and_an_old_one_upgraded(tmp_path):
    from app.db import _script_heads, schema_is_current

    assert len(_script_heads()) == 1
    fresh = tmp_path / "fresh.sqlite"
    assert not schema_is_current(fresh)
    Store.open(fresh).close()  # a new file: Alembic creates the schema
    assert schema_is_current(fresh)
    from app.db import connect_raw

    con = connect_raw(fresh)
    con.execute("UPDATE alembic_version SET version_num = 'an-older-one'")
    con.commit()
    con.close()
    assert not schema_is_current(fresh)  # then Store.open hands it to Alembic, as before
