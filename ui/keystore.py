"""Before the store database is opened: make sure its key has somewhere to live.

The store database is encrypted and its key is created at first open and kept only through
app.secrets (the OS keyring, or the explicit, weaker TSUMUGI_INSECURE_KEYFILE opt-in). With no
keyring and no opt-in, Store.open refuses, so this runs *before* it (ui.main.start): a small,
clear dialog says there is no OS keyring, what to do about it, and offers one explicit choice:
keep the keys in a key file in the user data folder (weaker), or quit. Never silent.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from app import secrets
from ui import config as _config

log = logging.getLogger(__name__)

KEYFILE = "keyfile"
QUIT = "quit"


class NoKeyringDialog(QDialog):
    """No OS keyring: explain, then the one explicit choice. accept() = key file, reject() = quit."""

    def __init__(self, keyfile: Path, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("No OS keyring on this computer"))
        self.setObjectName("noKeyringDialog")
        self.setMinimumWidth(620)
        lay = QVBoxLayout(self)
        head = QLabel(self.tr("No OS keyring on this computer"))
        head.setObjectName("dialogTitle")
        lay.addWidget(head)
        for text in (
            self.tr("Tsumugi keeps the store's keys (the database key and the signing key) in the OS keyring. "
                    "This computer has none, or it is locked, so the keys cannot be kept safely."),
            self.tr("What to do: install or unlock a keyring, then start Tsumugi again. On Linux that is "
                    "GNOME Keyring or KWallet; Windows and macOS have one built in."),
            self.tr("Or, knowing it is weaker, keep the keys in a key file in the user data folder, readable "
                    "only by this user. The status bar and the log will show that it is in use."),
        ):
            label = QLabel(text)
            label.setWordWrap(True)
            lay.addWidget(label)
        path = QLabel(str(keyfile))
        path.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(path)
        row = QHBoxLayout()
        self.quit_button = QPushButton(self.tr("Quit"))
        self.quit_button.setObjectName("cancelButton")
        self.keyfile_button = QPushButton(self.tr("Use a key file (weaker)"))
        self.quit_button.clicked.connect(self.reject)
        self.keyfile_button.clicked.connect(self.accept)
        self.quit_button.setDefault(True)  # the safe choice is the default; the weaker one is explicit
        row.addWidget(self.quit_button)
        row.addStretch(1)
        row.addWidget(self.keyfile_button)
        lay.addLayout(row)

    def choice(self) -> str:
        return KEYFILE if self.result() == QDialog.DialogCode.Accepted else QUIT


def ask_no_keyring(keyfile: Path) -> str:
    """The real question, asked once at start before any window exists (a modal dialog)."""
    dlg = NoKeyringDialog(keyfile)
    dlg.exec()
    return dlg.choice()


def ensure_secret_store(config: _config.LocalConfig, ask: Callable[[Path], str] | None = None) -> bool:
    """True when the store's keys have somewhere to live (the keyring, or the key file opted in to,
    now or before: remembered in settings.json). False when the user chose to quit: then nothing
    may be created. `ask(keyfile_path) -> "keyfile" | "quit"` is the dialog (injectable in tests)."""
    if config.apply_keyfile_opt_in():
        log.warning("insecure key file in use: keys are not in an OS keyring")
        return True
    if secrets.available():
        return True
    path = _config.default_keyfile_path()
    log.warning("no OS keyring on this computer: asking whether to use the weaker key file")
    answer = (ask or ask_no_keyring)(path)
    if answer != KEYFILE:
        log.warning("no OS keyring and the user chose to quit: nothing was created")
        return False
    os.environ["TSUMUGI_INSECURE_KEYFILE"] = str(path)
    config.insecure_keyfile = str(path)
    config.save()
    log.warning("the user opted in to the insecure key file (weaker than an OS keyring): %s", path)
    return True
