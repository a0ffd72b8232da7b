"""Writing files so that a reader never sees half of one.

Each file is written to a temporary file beside the target, flushed to disk, then renamed onto
it (atomic on one file system).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import platformdirs

__all__ = ["cache_root", "write_atomic", "write_temp"]


def cache_root() -> Path:
    """Where factorlab caches downloads and model answers.

    That is ``$FACTORLAB_CACHE`` when set, else the per-user cache folder (platformdirs).
    """
    root = os.environ.get("FACTORLAB_CACHE")
    if root:
        return Path(root).expanduser()

    return Path(platformdirs.user_cache_dir("factorlab", appauthor=False))


def write_temp(path: Path, write: Callable[[Path], object]) -> tuple[Path, int]:
    """``write(temporary path)`` beside ``path``, flushed to disk; the temporary path and its size.

    The caller renames it onto ``path`` (``os.replace``), perhaps under a lock.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        return tmp, tmp.stat().st_size
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomic(path: Path, write: Callable[[Path], object]) -> int:
    """``write`` to a temporary file and rename it onto ``path``; returns the size written."""
    tmp, size = write_temp(path, write)
    try:
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return size
