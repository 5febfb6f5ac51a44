"""The main window: setup → sign-in → counter, the status bar, scanning from any screen."""
from __future__ import annotations

import logging
import os
from types import SimpleNamespace

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.scanning.wedge import WedgeClassifier
from ui.context import Context
from ui.counter import CounterScreen
from ui.executor import DbExecutor
from ui.scan import CameraScanner, SerialScanner, WedgeFilter
from ui.signin import SignInScreen
from ui.sounds import Sounds
from ui.texts import texts

log = logging.getLogger(__name__)


def format_sync_time(value) -> str | None:
    """HQ's last success (ISO, UTC) → local '2026/11/22 21:05' for the status bar."""
    if not value:
        return None
    from ui.models import local_time

    try:
        return local_time(value) or str(value)
    except Exception:  # noqa: BLE001
        return str(value)


class MainWindow(QMainWindow):
    # SyncState from the sync worker's thread → the GUI thread (queued)
    sync_state_received = Signal(object)
    review_count_changed = Signal(int)

    def __init__(self, store, config, lang="ja", camera_source: str | None = None, wedge_clock=None,
                 parent=None):
        super().__init__(parent)
        self.setWindowTitle("Tsumugi 紡ぎ")
        self.resize(1280, 800)
        self.executor = DbExecutor(self)
        self.sounds = Sounds(config.sound, self)
        self.ctx = Context(store, self.executor, config, lang, self.sounds, self)
        self.ctx.message.connect(lambda text, ms: self.statusBar().showMessage(text, ms))
        self.camera_source = camera_source or config.camera or ""
        self.camera = None
        self.serial = None
        self.dialog = None
        self.wizard = None
        self._sync = (False, 0, None, False)
        self.sync_worker = None
        self.sync_state = None
        self.review_count = 0
        self.manager_window = None
        self.legacy_window = None
        self.net = DbExecutor(self, name="tsumugi-net")  # network work (start/stop sync, enrollment)
        self.ctx.net = self.net
        self.ctx.sync_poked.connect(self._count_queue)
        self.sync_state_received.connect(self._on_sync_state, Qt.ConnectionType.QueuedConnection)

        self.wedge = WedgeFilter(self._classifier(), self, clock=wedge_clock)
        self.wedge.scanned.connect(lambda text: self.handle_scan(text, "wedge"))
        self.wedge.half_burst.connect(self._half_burst)
        self.wedge.refused.connect(self._scan_refused)
        self.wedge.activity.connect(self._activity)
        QApplication.instance().installEventFilter(self.wedge)

        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.timeout.connect(self._idle_timeout)

        self.sync_label = QLabel()
        self.sync_label.setObjectName("syncState")
        self.keyfile_label = QLabel()
        self.keyfile_label.setObjectName("keyfileWarning")
        self.camera_label = QLabel()
        self.staff_label = QLabel()
        self.review_badge = QPushButton()
        self.review_badge.setObjectName("reviewBadge")
        self.review_badge.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.review_badge.setFlat(True)
        self.review_badge.clicked.connect(lambda: self.open_manager(tab="conflicts"))
        self.review_badge.hide()
        sb = self.statusBar()
        sb.addPermanentWidget(self.review_badge)
        sb.addPermanentWidget(self.camera_label)
        sb.addPermanentWidget(self.keyfile_label)
        sb.addPermanentWidget(self.staff_label)
        sb.addPermanentWidget(self.sync_label)

        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self.preview = QLabel()
        self.preview.setObjectName("cameraPreview")
        self.preview.setFixedSize(320, 180)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview_timer = QTimer(self)
        self.preview_timer.setInterval(200)  # a modest preview rate: 5 fps
        self.preview_timer.timeout.connect(self._update_preview)
        self.build_screens()
        self.start_devices()

    # -- building ----------------------------------------------------------------------------
    def _classifier(self):
        c = self.ctx.config
        return WedgeClassifier(max_interval_ms=c.wedge_max_interval_ms, min_length=c.wedge_min_length,
                               prefix=c.wedge_prefix, suffix=c.wedge_suffix or "\r")

    def build_screens(self):
        """(Re)build the screens, e.g. after the language changed."""
        self.preview.setParent(self)  # keep the camera preview alive across rebuilds
        self.preview.hide()
        while self.stack.count():
            w = self.stack.widget(0)
            self.stack.removeWidget(w)
            if w is not None:
                w.deleteLater()
        self.setup_screen = QWidget()
        lay = QVBoxLayout(self.setup_screen)
        lay.addStretch(1)
        title = QLabel(self.tr("Welcome to Tsumugi"))
        title.setObjectName("screenTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(title)
        note = QLabel(self.tr("This computer is not set up as a counter yet."))
        note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(note)
        self.setup_button = QPushButton(self.tr("Start setup"))
        self.setup_button.setObjectName("confirmButton")
        self.setup_button.setMinimumHeight(72)
        self.setup_button.clicked.connect(self.start_setup)
        lay.addWidget(self.setup_button, 0, Qt.AlignmentFlag.AlignCenter)
        lay.addStretch(1)
        self.stack.addWidget(self.setup_screen)
        if self.ctx.store.initialised:
            self.signin = SignInScreen(self.ctx)
            self.signin.signed_in.connect(self.sign_in)
            self.counter = CounterScreen(self.ctx)
            self.counter.new_member_requested.connect(self.open_new_member)
            self.counter.settings_requested.connect(self.open_settings)
            self.counter.sign_out_requested.connect(self.sign_out)
            self.counter.manager_requested.connect(self.open_manager)
            self.counter.legacy_import_requested.connect(self.open_legacy_import)
            self.counter.right.insertWidget(0, self.preview, 0, Qt.AlignmentFlag.AlignHCenter)
            self.stack.addWidget(self.signin)
            self.stack.addWidget(self.counter)
            if self.ctx.actor is not None:
                self.stack.setCurrentWidget(self.counter)
                self.counter.focus_amount()
            else:
                self.stack.setCurrentWidget(self.signin)
                self.signin.reset()
        else:
            self.signin = self.counter = None
            self.stack.setCurrentWidget(self.setup_screen)
        self.preview.setVisible(bool(self.camera_source))
        self.refresh_status()

    def refresh_status(self):
        online, queue, last, known = self._sync
        if not known:
            self.sync_label.setText(self.tr("Not connected"))
        else:
            state = self.tr("Online") if online else self.tr("Offline")
            text = self.tr("%1 · unsent %2").replace("%1", state).replace("%2", str(queue))
            if last:
                text += " · " + self.tr("last sync %1").replace("%1", last)
            code = getattr(self, "sync_error_code", None)
            if code and (code in ("clock_off", "bad_reply") or not online and code.startswith("tls_")):  # say why
                text += " · " + texts().error(SimpleNamespace(code=code))
            self.sync_label.setText(text)
        if os.environ.get("TSUMUGI_INSECURE_KEYFILE"):
            self.keyfile_label.setText(self.tr("Weaker key file in use (no OS keyring)"))
            self.keyfile_label.show()
        else:
            self.keyfile_label.hide()
        self._refresh_badge()
        a = self.ctx.actor
        self.staff_label.setText(self.tr("Staff: %1 (%2)").replace("%1", a.name).replace(
            "%2", str(a.staff_id)) if a else self.tr("Signed out"))

    @Slot(bool, int, object)
    def set_sync_state(self, online: bool, queue: int, last_sync: str | None = None):
        """For the sync engine: online/offline, unsent queue length, last sync time (text)."""
        self._sync = (bool(online), int(queue), last_sync, True)
        self.refresh_status()

    # -- 要確認 badge ------------------------------------------------------------------------------
    @Slot(int)
    def set_review_badge(self, count: int) -> None:
        """Open conflicts (要確認): shown on the main window while any is open."""
        self.review_count = max(0, int(count))
        self._refresh_badge()
        self.review_count_changed.emit(self.review_count)

    def _refresh_badge(self) -> None:
        n = self.review_count
        if n and self.ctx.actor is not None:
            self.review_badge.setText(self.tr("Needs review: %1").replace("%1", str(n)))
            a = self.ctx.actor
            self.review_badge.setToolTip(
                self.tr("Open the manager menu (F9) to see what needs review.") if a.is_manager
                else self.tr("Please tell the store manager."))
            self.review_badge.show()
        else:
            self.review_badge.hide()

    def refresh_review_count(self) -> None:
        """Count the open conflicts on the DB executor; the badge follows."""
        if self.executor._closed or not self.ctx.store.initialised:
            return
        from ui.manager import open_conflicts_count

        self.ctx.run(open_conflicts_count, self.ctx.store, on_ok=self.set_review_badge,
                     on_error=lambda exc: log.info("conflict count: %s", type(exc).__name__))

    # -- sync ------------------------------------------------------------------------------------
    def start_sync(self) -> None:
        """Start the store's sync worker off the GUI thread (nothing happens when not enrolled)."""
        if self.sync_worker is not None or self.net._closed or not self.ctx.store.initialised:
            return
        store = self.ctx.store

        def start():
            from sync.api import start_worker  # httpx & co. load here, off the GUI thread

            worker = start_worker(store)
            if worker is None:
                return None, None
            self._started_worker = worker  # so that shutdown stops it even before `ok` runs
            worker.add_listener(self._sync_listener)
            try:
                return worker, worker.state()
            except Exception:  # noqa: BLE001 - the first round will tell
                return worker, None

        def ok(pair):
            worker, state = pair
            if worker is None:
                return
            if self.net._closed:  # closing already
                self._stop_worker(worker)
                return
            self.sync_worker = worker
            self.ctx.sync = worker
            if state is not None:
                self._on_sync_state(state)

        def err(exc):
            log.warning("sync worker not started: %s", type(exc).__name__)
            self.ctx.status(self.tr("Sync with HQ could not start: %1").replace("%1", texts().error(exc)), 10000)

        self.net.submit(start, on_ok=ok, on_error=err)

    def _sync_listener(self, state) -> None:
        """Called on the sync worker's thread: hand the state to the GUI thread."""
        try:
            self.sync_state_received.emit(state)
        except RuntimeError:  # the window is gone (closing)
            pass

    def _count_queue(self) -> None:
        """After a points action: the queue as it is now (while offline the worker waits out its
        backoff before the next round, and the cashier should still see the count rise)."""
        worker = self.sync_worker
        if worker is None or self.executor._closed:
            return
        self.ctx.run(worker.state, on_ok=self._on_sync_state, on_error=lambda exc: None)

    @Slot(object)
    def _on_sync_state(self, st) -> None:
        self.sync_state = st
        self.sync_error_code = getattr(st, "error_code", None)
        self.set_sync_state(bool(st.online), int(st.queue), format_sync_time(st.last_sync))
        if self.manager_window is not None:
            try:
                self.manager_window.sync.set_state(st)
            except RuntimeError:
                self.manager_window = None
        if self.ctx.actor is not None:
            self.refresh_review_count()

    @staticmethod
    def _stop_worker(worker) -> None:
        try:
            worker.stop(timeout=2.0)
        except Exception:  # noqa: BLE001
            log.warning("sync worker did not stop cleanly", exc_info=True)

    def stop_sync(self) -> None:
        worker, self.sync_worker = self.sync_worker, None
        self.ctx.sync = None
        if worker is not None:
            worker.remove_listener(self._sync_listener)
            self._stop_worker(worker)

    def enrolled(self, info: dict | None = None) -> None:
        """The enrollment dialog succeeded: start syncing now."""
        self.start_sync()

    def set_language(self, lang: str):
        from ui import i18n

        if lang == self.ctx.lang:
            return
        i18n.install(QApplication.instance(), lang)
        self.ctx.lang = lang
        self.build_screens()

    # -- devices -------------------------------------------------------------------------------
    def start_devices(self):
        if self.camera_source:
            self.start_camera(self.camera_source)
        else:
            self.camera_label.setText(self.tr("Camera off"))
        port = self.ctx.config.serial_port
        if port:
            self.serial = SerialScanner(port, parent=self)
            self.serial.scanned.connect(lambda t: self.handle_scan(t, "serial"))
            self.serial.failed.connect(lambda why: self.ctx.status(
                self.tr("Serial scanner %1 is not available").replace("%1", port), 10000))
            self.serial.start()

    def start_camera(self, spec: str):
        self.stop_camera()
        self.camera_source = spec
        self.camera = CameraScanner(spec, self)
        self.camera.scanned.connect(lambda t: self.handle_scan(t, "camera"))
        self.camera.failed.connect(self._camera_failed)
        self.camera.start()
        self.camera_label.setText(self.tr("Camera on"))
        self.preview.show()
        self.preview_timer.start()

    def stop_camera(self):
        if self.camera is not None:
            self.camera.stop()
            self.camera = None
        self.preview_timer.stop()

    def _camera_failed(self, why: str):
        log.warning("camera: %s", why)
        self.camera_label.setText(self.tr("Camera not available"))
        self.preview.setText(self.tr("No camera"))
        self.ctx.status(self.tr("The camera could not be used; scan with the USB scanner."), 10000)

    def _update_preview(self):
        if self.camera is None:
            return
        frame = self.camera.frame_for_preview()
        if frame is None:
            return
        from ui.qr import bgr_to_qimage

        img = bgr_to_qimage(frame)
        self.preview.setPixmap(QPixmap.fromImage(img).scaled(
            self.preview.size(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation))

    # -- scanning --------------------------------------------------------------------------------
    def handle_scan(self, text: str, source: str = "wedge"):
        log.info("scan from %s (%d characters)", source, len(text))  # never the content (personal data)
        if self.counter is None:
            return
        if self.ctx.actor is None:
            self.ctx.status(self.tr("Sign in first, then scan."))
            self.sounds.play("bad")
            return
        if self.counter.migrating():  # the paper card wizard reads the card, then the member code
            self.counter.migrate_dialog.scan(text)
            return
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.cancel_for_scan()
        self.counter.close_dialog()
        self.stack.setCurrentWidget(self.counter)
        self.counter.lookup(text)

    def _scan_refused(self, reason: str):
        """A scanner burst the input method had changed (kana): nothing of it is used."""
        text = self.tr("The input method (IME) changed the scan. Switch the IME off (半角/全角 key) "
                       "and scan again.")
        self.statusBar().showMessage(self.tr("IME is on: switch it off and scan again."), 10000)
        self.sounds.play("bad")
        if self.counter is not None and self.ctx.actor is not None:
            self.counter.close_dialog()
            self.counter.panel.clear()
            self.counter.update_buttons()
            self.counter.panel.set_notice(text, error=True)

    def _half_burst(self):
        self.statusBar().showMessage(self.tr("Part of a scan was lost; please scan again."), 4000)

    # -- setup, sign in/out --------------------------------------------------------------------
    def start_setup(self):
        from ui.wizard import FirstRunWizard

        self.wizard = FirstRunWizard(self.ctx.lang, self)
        self.wizard.accepted.connect(self._wizard_done)
        self.wizard.open()
        return self.wizard

    def _wizard_done(self):
        from ui.wizard import run_setup

        values = self.wizard.values()  # the key-file opt-in, if any, was made before the store opened (ui.keystore)
        self.setup_button.setEnabled(False)
        self.ctx.status(self.tr("Creating the store…"), 0)

        def ok(manager_id):
            self.ctx.status(self.tr("The store is ready. Sign in as staff number %1.").replace(
                "%1", str(manager_id)), 15000)
            if values["lang"] != self.ctx.lang:
                self.set_language(values["lang"])
            else:
                self.build_screens()
            if self.signin is not None:
                self.signin.staff_no.setText(str(manager_id))
                self.signin.pin.setFocus()

        def err(exc):
            self.setup_button.setEnabled(True)
            self.ctx.status(texts().error(exc), 0)

        self.ctx.run(run_setup, self.ctx.store, values, on_ok=ok, on_error=err)

    def sign_in(self, actor):
        self.ctx.set_actor(actor)
        self.stack.setCurrentWidget(self.counter)
        self.counter.reset()
        self.counter.focus_amount()
        self._activity()
        self.refresh_status()
        self.refresh_review_count()
        if actor.is_manager:
            self.catch_up_reports()

    def sign_out(self):
        self.idle.stop()
        self.close_manager_screens()
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.cancel_for_scan()
        if self.counter is not None:
            self.counter.reset()
        self.ctx.set_actor(None)
        if self.signin is not None:
            self.stack.setCurrentWidget(self.signin)
            self.signin.reset()
        self.refresh_status()

    def _activity(self):
        if self.ctx.actor is not None:
            minutes = int(self.ctx.store.setting("idle_signout_minutes") or 10)
            self.idle.start(minutes * 60_000)

    def _idle_timeout(self):
        if self.ctx.actor is not None:
            self.sign_out()
            self.ctx.status(self.tr("Signed out after a quiet while."), 0)

    # -- dialogs ---------------------------------------------------------------------------------
    def open_new_member(self):
        if self.ctx.actor is None:
            return None
        from ui.member import NewMemberDialog  # with qrcode and PIL: loaded when first needed

        dlg = NewMemberDialog(self.ctx, self)
        dlg.registered.connect(lambda reg: self.counter.refresh_member(reg.member.id))
        dlg.registered.connect(lambda _reg: self.ctx.wake_sync())
        dlg.finished.connect(lambda _=0: self._dialog_closed())
        self.dialog = dlg
        dlg.open()
        return dlg

    def open_settings(self):
        if self.ctx.actor is None or not self.ctx.actor.is_manager:
            return None
        from ui.settings import SettingsDialog

        dlg = SettingsDialog(self.ctx, self)
        dlg.saved.connect(self._settings_saved)
        dlg.enrolled.connect(self.enrolled)
        dlg.finished.connect(lambda _=0: self._dialog_closed())
        self.dialog = dlg
        dlg.open()
        return dlg

    # -- the manager's screens (店長メニュー) -------------------------------------------------------
    def _runner(self):
        from ui.manager.runner import Runner

        if getattr(self, "_manager_runner", None) is None:
            self._manager_runner = Runner(self, executor=self.executor)
        return self._manager_runner

    def catch_up_reports(self) -> None:
        """After a manager signs in: every missed daily report / month-end, made on the DB executor."""
        if self.executor._closed:
            return
        from ui.manager.reports import catch_up_reports

        def done(made):
            if made:
                self.ctx.status(self.tr("Reports created: %1").replace("%1", str(len(made))), 8000)
                if self.manager_window is not None:
                    self.manager_window.reports.reload()

        catch_up_reports(self.ctx.store, self._runner(), on_done=done)

    def open_manager(self, tab: str | None = None):
        """F9: customers, 要確認, reports, audit log, sync health. Managers only."""
        a = self.ctx.actor
        if a is None or not a.is_manager:
            if a is not None:
                from app.errors import PermissionDenied

                self.ctx.status(texts().error(PermissionDenied("manager only")))
            return None
        if self.manager_window is None:
            from ui.manager import open_manager

            w = open_manager(self, self.ctx.store, a, executor=self.executor)
            w.setWindowFlag(Qt.WindowType.Window, True)
            w.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
            w.open_conflicts_changed.connect(self.set_review_badge)
            w.destroyed.connect(lambda _=None: setattr(self, "manager_window", None))
            if self.sync_state is not None:
                w.sync.set_state(self.sync_state)
            self.manager_window = w
        w = self.manager_window
        if tab == "conflicts":
            w.tabs.setCurrentWidget(w.conflicts)
        w.show()
        w.raise_()
        w.activateWindow()
        return w

    def open_legacy_import(self):
        """F10: 旧台帳の取込 (Excel / CSV). Managers only."""
        a = self.ctx.actor
        if a is None or not a.is_manager:
            return None
        if self.legacy_window is None:
            from ui.legacy_import import LegacyImportWindow

            w = LegacyImportWindow(self.ctx, self)
            w.setWindowFlag(Qt.WindowType.Window, True)
            w.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
            w.resize(1100, 720)
            w.destroyed.connect(lambda _=None: setattr(self, "legacy_window", None))
            self.legacy_window = w
        w = self.legacy_window
        w.show()
        w.raise_()
        w.activateWindow()
        return w

    def close_manager_screens(self) -> None:
        for name in ("manager_window", "legacy_window"):
            w = getattr(self, name)
            setattr(self, name, None)
            if w is not None:
                try:
                    w.close()
                except RuntimeError:
                    pass

    def _dialog_closed(self):
        self.dialog = None
        if self.counter is not None and self.stack.currentWidget() is self.counter:
            self.counter.focus_amount()

    def _settings_saved(self, values: dict):
        cfg = self.ctx.config
        self.wedge.configure(cfg.wedge_max_interval_ms, cfg.wedge_min_length, cfg.wedge_prefix, cfg.wedge_suffix)
        self.sounds.enabled = cfg.sound
        if (cfg.camera or "") != (self.camera_source or ""):
            if cfg.camera:
                self.start_camera(cfg.camera)
            else:
                self.stop_camera()
                self.camera_source = ""
                self.preview.hide()
                self.camera_label.setText(self.tr("Camera off"))
        self._activity()
        if values.get("language") and values["language"] != self.ctx.lang:
            self.set_language(values["language"])
        self.ctx.status(self.tr("Settings saved."))

    # -- closing ---------------------------------------------------------------------------------
    def shutdown(self):
        self.idle.stop()
        self.close_manager_screens()
        self.net.shutdown(wait=True)  # a worker being started is then known: stop it too
        started = getattr(self, "_started_worker", None)
        if started is not None and self.sync_worker is None:
            self.sync_worker = started
        self._started_worker = None
        self.stop_sync()
        if self.counter is not None:
            self.counter.panel.search.clear()  # no search may start once the executor is closed
        self.stop_camera()
        if self.serial is not None:
            self.serial.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.wedge)
        self.executor.shutdown(wait=True)  # let the last write finish; never lose an earn

    def closeEvent(self, event):
        self.shutdown()
        super().closeEvent(event)
