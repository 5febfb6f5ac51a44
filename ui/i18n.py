"""Installing the translators: resources/translations/tsumugi_<lang>.qm (Japanese by default)."""
from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

log = logging.getLogger(__name__)
TRANSLATIONS = Path(__file__).resolve().parents[1] / "resources" / "translations"
_installed: list[QTranslator] = []


def install(app: QCoreApplication, lang: str) -> bool:
    """Replace the installed translators with those for `lang` ("ja" or "en")."""
    for t in _installed:
        app.removeTranslator(t)
    _installed.clear()
    ok = True
    ours = QTranslator(app)
    qm = TRANSLATIONS / f"tsumugi_{lang}.qm"
    if not ours.load(str(qm)):
        if not qm.exists():
            try:  # a fresh checkout: compile the .ts files once
                from ui.i18n_build import build

                build()
            except Exception:
                log.warning("could not compile translations", exc_info=True)
        ok = ours.load(str(qm))
    if ok:
        app.installTranslator(ours)
        _installed.append(ours)
    else:
        log.warning("no translation file for %s", lang)
    qt = QTranslator(app)  # Qt's own strings (wizard buttons, context menus)
    if qt.load(QLocale(lang), "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        _installed.append(qt)
    QLocale.setDefault(QLocale(QLocale.Language.Japanese if lang == "ja" else QLocale.Language.English))
    return ok


def current() -> str:
    """The screen language the installed translators give ("ja" or "en"), for widgets that have no
    context to ask (the manager screens): install() sets the default locale along with them."""
    return "ja" if QLocale().language() == QLocale.Language.Japanese else "en"
