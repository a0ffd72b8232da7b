"""Warnings that point at the user's line, not at factorlab's insides."""

from __future__ import annotations

import sys
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

__all__ = ["deferred", "warn"]

_PACKAGE = str(Path(__file__).resolve().parent)
_LOCAL = threading.local()  # per thread: the warnings held back by deferred(), if any


@contextmanager
def deferred() -> Iterator[list[tuple[str, type[Warning]]]]:
    """Hold back :func:`warn` in this thread; the list gets each (message, category).

    A worker thread's stack does not reach the user's line, so work run on threads collects
    its warnings and the calling thread issues them (see :func:`factorlab._threads.map_threads`).
    """
    caught: list[tuple[str, type[Warning]]] = []
    _LOCAL.caught = caught
    try:
        yield caught
    finally:
        _LOCAL.caught = None


def warn(message: str, category: type[Warning] = UserWarning) -> None:
    """``warnings.warn`` at the first frame outside factorlab, however deep the call is.

    So the warning names the caller's line and Python's once-per-line filter works per call site.
    Inside :func:`deferred`, it is kept for the calling thread to issue instead.
    """
    caught = getattr(_LOCAL, "caught", None)
    if caught is not None:
        caught.append((message, category))
        return
    level = 2  # the caller of warn()
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame = frame.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level)
