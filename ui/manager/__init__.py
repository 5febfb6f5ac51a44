"""The store manager's screens (店長): 顧客一覧/顧客詳細, ポイント調整, 要確認, 日報/月次締め, 操作ログ.

    from ui.manager import open_manager
    w = open_manager(parent, store, actor)        # -> ManagerWindow (a QWidget, not yet shown)
    w.open_conflicts_changed.connect(main_window.set_review_badge)   # 要確認 count
    w.show()

A cashier is refused: open_manager shows a translated warning over `parent` (when given) and
raises app.errors.PermissionDenied. The services refuse manager actions to a cashier as well.
Pass the app's DbExecutor as `executor=` to share its serial database thread.
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from app.errors import PermissionDenied
from app.services.staff import require


def open_manager(parent: QWidget | None, store, actor, *, executor=None, inline: bool = False) -> QWidget:
    try:
        require(actor, "manager", "open the manager screens")
    except PermissionDenied:
        if parent is not None:
            QMessageBox.warning(parent, QCoreApplication.translate("Manager", "Store manager"),
                                QCoreApplication.translate(
                                    "Manager", "Only a store manager can open these screens. "
                                               "Please sign in with a manager's staff number."))
        raise
    from .window import ManagerWindow

    return ManagerWindow(store, actor, parent, executor=executor, inline=inline)


def open_conflicts_count(store) -> int:
    """For the main window's 要確認 badge without opening the screens (call on the DB executor)."""
    return store.conflicts.open_count()


__all__ = ["open_manager", "open_conflicts_count"]
