"""The Qt binding itself: a release that mishandles Python reference counts takes the whole app
down after enough use, so it is checked here, not discovered at a counter."""
import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    bare = Signal()
    flag = Signal(bool)
    number = Signal(int)


def test_emitting_signals_leaves_the_refcounts_of_true_and_false_alone(qapp):
    """PySide6 6.12.0 on Python 3.11 lost one reference to True per emit(), connected or not,
    until the interpreter aborted with 'bool_dealloc' (about 1,500 keystrokes in the customer
    screen). 300 emits of each kind must leave both counts where they were."""
    o = _Emitter()
    seen = []
    o.flag.connect(seen.append)
    o.number.connect(seen.append)
    before = sys.getrefcount(True), sys.getrefcount(False)
    for i in range(300):
        o.bare.emit()
        o.flag.emit(i % 2 == 0)
        o.number.emit(i)
    del seen[:]
    after = sys.getrefcount(True), sys.getrefcount(False)
    assert abs(after[0] - before[0]) < 50 and abs(after[1] - before[1]) < 50, (before, after)
