"""First run: create the store, the terminal and the first manager; pick the language; HQ later;
or fill a demo store. Says where the store's keys are kept. With no OS keyring, the one explicit
opt-in (the weaker key file) is offered before the store database is opened (ui.keystore, from
ui.main.start): the database is encrypted and its key must have a home first, so by the time this
wizard runs the keys go either to the keyring or to the key file the user chose."""
from __future__ import annotations

import os

from PySide6.QtCore import Signal
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from app import secrets


class _Page(QWizardPage):
    def __init__(self, title, validate=None):
        super().__init__()
        self.setTitle(title)
        self._validate = validate

    def validatePage(self):
        return self._validate() if self._validate else True


def run_setup(store, values: dict):
    """Runs on the executor thread: service calls only. Returns the first manager's staff number."""
    from app.services.setup import init_store
    from app.store import Actor

    init_store(store, values["store_id"], terminal_id=values["terminal_id"])
    manager = store.staff.add(None, values["manager_name"], "manager", values["pin"])
    actor = Actor(manager.id, "manager", manager.name)
    store.update_settings(actor, language=values["lang"])
    if values.get("demo"):
        from app.demo import fill_demo

        fill_demo(store, actor)
    return manager.id


class FirstRunWizard(QWizard):
    language_chosen = Signal(str)

    def __init__(self, lang="ja", parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Tsumugi first-run setup"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setMinimumSize(720, 520)
        self.setButtonText(QWizard.WizardButton.NextButton, self.tr("Next"))
        self.setButtonText(QWizard.WizardButton.BackButton, self.tr("Back"))
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("Finish"))
        self.setButtonText(QWizard.WizardButton.CancelButton, self.tr("Cancel"))
        self.keyfile_in_use = secrets.insecure_keyfile_in_use()

        # 1. welcome, language, demo or real store
        p1 = _Page(self.tr("Welcome to Tsumugi"))
        l1 = QVBoxLayout(p1)
        l1.addWidget(QLabel(self.tr("This sets up this computer as a loyalty counter. It takes a minute.")))
        self.lang = QComboBox()
        self.lang.addItem("日本語", "ja")
        self.lang.addItem("English", "en")
        self.lang.setCurrentIndex(0 if lang == "ja" else 1)
        f1 = QFormLayout()
        f1.addRow(self.tr("Language"), self.lang)
        l1.addLayout(f1)
        self.real = QRadioButton(self.tr("Set up a real store"))
        self.demo = QRadioButton(self.tr("Try a demo store (sample members, history and a coupon)"))
        self.real.setChecked(True)
        group = QButtonGroup(p1)
        group.addButton(self.real)
        group.addButton(self.demo)
        l1.addWidget(self.real)
        l1.addWidget(self.demo)
        l1.addStretch(1)
        self.addPage(p1)

        # 2. store and terminal, HQ later
        p2 = _Page(self.tr("Store and terminal"), self._check_store)
        f2 = QFormLayout(p2)
        self.store_id = QLineEdit("S001")
        self.terminal_id = QLineEdit("T01")
        f2.addRow(self.tr("Store id"), self.store_id)
        f2.addRow(self.tr("Terminal"), self.terminal_id)
        hq = QLabel(self.tr("Connecting to HQ can be done later, in the settings. The counter works offline."))
        hq.setWordWrap(True)
        f2.addRow(hq)
        self.page2_msg = QLabel("")
        self.page2_msg.setObjectName("dialogMessage")
        f2.addRow(self.page2_msg)
        self.addPage(p2)

        # 3. first manager
        p3 = _Page(self.tr("First store manager"), self._check_manager)
        f3 = QFormLayout(p3)
        self.manager_name = QLineEdit()
        self.pin = QLineEdit()
        self.pin2 = QLineEdit()
        for w in (self.pin, self.pin2):
            w.setEchoMode(QLineEdit.EchoMode.Password)
            w.setValidator(QIntValidator(0, 99999999, self))
            w.setMaxLength(8)
        f3.addRow(self.tr("Name"), self.manager_name)
        f3.addRow(self.tr("PIN (4 to 8 digits)"), self.pin)
        f3.addRow(self.tr("PIN again"), self.pin2)
        f3.addRow(QLabel(self.tr("The manager signs in with staff number 1.")))
        self.page3_msg = QLabel("")
        self.page3_msg.setObjectName("dialogMessage")
        f3.addRow(self.page3_msg)
        self.addPage(p3)

        # 4. where keys are kept (the key-file choice, if any, was made before the database opened)
        p4 = _Page(self.tr("Keeping the store's keys"))
        l4 = QVBoxLayout(p4)
        if self.keyfile_in_use:
            warn = QLabel(self.tr(
                "This computer has no OS keyring, so, as you chose, the store's keys are kept in a key file "
                "readable only by this user (weaker):"))
            warn.setWordWrap(True)
            warn.setObjectName("warning")
            l4.addWidget(warn)
            l4.addWidget(QLabel(os.environ.get("TSUMUGI_INSECURE_KEYFILE", "")))
            l4.addWidget(QLabel(self.tr("The status bar will show that the weaker key file is in use.")))
        else:
            l4.addWidget(QLabel(self.tr("The store's signing key will be kept in this computer's OS keyring.")))
        l4.addStretch(1)
        self.addPage(p4)

    # -- validation ----------------------------------------------------------------------------
    def _check_store(self):
        sid = self.store_id.text().strip()
        if not sid or not sid.replace("-", "").isalnum():
            self.page2_msg.setText(self.tr("A store id is letters and digits, e.g. S001."))
            return False
        return True

    def _check_manager(self):
        if not self.manager_name.text().strip():
            self.page3_msg.setText(self.tr("Please enter a name."))
            return False
        pin = self.pin.text()
        if not (pin.isdigit() and 4 <= len(pin) <= 8):
            self.page3_msg.setText(self.tr("A PIN is 4 to 8 digits."))
            return False
        if pin != self.pin2.text():
            self.page3_msg.setText(self.tr("The two PINs differ."))
            return False
        return True

    def values(self) -> dict:
        return {
            "lang": self.lang.currentData(), "demo": self.demo.isChecked(),
            "store_id": self.store_id.text().strip(), "terminal_id": self.terminal_id.text().strip() or "T01",
            "manager_name": self.manager_name.text().strip(), "pin": self.pin.text(),
        }
