"""Warnings that point at the user's line, not at factorlab's insides."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from types import FrameType

__all__ = ["warn"]

_PACKAGE = str(Path(__file__).resolve().parent)


def warn(message: str, category: type[Warning] = UserWarning) -> None:
    """``warnings.warn`` at the first frame outside factorlab, however deep the call is.

    So the warning names the caller's line and Python's once-per-line filter works per call site.
    """
    level = 2  # the caller of warn()
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame = frame.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level)
