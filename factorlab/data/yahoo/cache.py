"""The on-disk cache of Yahoo downloads: one parquet file per ticker and kind, and an index.

Writes go to a temporary file beside the target and are renamed into place, so a reader never
sees half a file; the index is updated under a file lock, so two kernels (or a workshop room
sharing one folder) can fetch at once. A file that does not read back, or whose size is not the
one the index recorded, is treated as missing: removed, fetched again, and reported.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from factorlab._files import cache_root, write_atomic, write_temp

__all__ = ["FRESH_FOR", "YahooCache", "default_cache_dir"]

#: How long a cached kind stays fresh before it is fetched again.
FRESH_FOR = {"prices": timedelta(days=1)}
FRESH_FOR_OTHERS = timedelta(days=7)  # statements, earnings dates and info
_INDEX = "index.json"
_LOCK_TIMEOUT_S = 120


def default_cache_dir() -> Path:
    """``$FACTORLAB_CACHE``, else the per-user cache folder (platformdirs), plus ``yahoo``."""
    return cache_root() / "yahoo"


class YahooCache:
    """Parquet files under ``root``: ``<kind>/<TICKER>.parquet``, listed in ``index.json``
    with when each was fetched, its size, and what it covers.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> cache = YahooCache(tempfile.mkdtemp())
    >>> cache.put("ACME", "info", pd.DataFrame({"sector": ["Energy"]}))
    >>> cache.get("ACME", "info").frame["sector"].tolist()
    ['Energy']
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).expanduser()
        self.damaged: list[str] = []  # "TICKER kind" entries found damaged and removed

    # -- reading --------------------------------------------------------------------------------
    def get(self, ticker: str, kind: str) -> CachedEntry | None:
        """The cached frame and its index record, or None if absent or damaged."""
        record = self._read_index().get(_key(ticker, kind))
        path = self._path(ticker, kind)
        if record is None or not path.exists():
            return None
        try:
            if path.stat().st_size != record.get("bytes"):
                raise ValueError("its size differs from the one recorded when it was written")
            frame = pd.read_parquet(path)
        except Exception:  # a truncated or overwritten file: pyarrow raises many types
            self._discard(ticker, kind)
            return None
        return CachedEntry(frame, record)

    def is_fresh(self, entry: CachedEntry, kind: str, now: datetime | None = None) -> bool:
        fetched = datetime.fromisoformat(entry.record["fetched_at"])
        age = (now or datetime.now(UTC)) - fetched
        return age < FRESH_FOR.get(kind, FRESH_FOR_OTHERS)

    # -- writing --------------------------------------------------------------------------------
    def put(self, ticker: str, kind: str, frame: pd.DataFrame, **covers: Any) -> None:
        """Write ``frame`` atomically and record it (plus ``covers``, e.g. the start date).

        The file is written beside its target outside the lock; the rename and the index
        update happen together under it, so the index always describes the file in place."""
        path = self._path(ticker, kind)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp, size = write_temp(path, lambda target: frame.to_parquet(target))
        record = {"fetched_at": datetime.now(UTC).isoformat(timespec="seconds"), "bytes": size,
                  "rows": len(frame), **{k: _jsonable(v) for k, v in covers.items()}}  # fmt: skip
        try:
            with self._locked():
                os.replace(tmp, path)
                index = self._read_index()
                index[_key(ticker, kind)] = record
                self._write_index(index)
        finally:
            tmp.unlink(missing_ok=True)

    def _discard(self, ticker: str, kind: str) -> None:
        self.damaged.append(f"{ticker} {kind}")
        with self._locked():
            self._path(ticker, kind).unlink(missing_ok=True)
            index = self._read_index()
            if index.pop(_key(ticker, kind), None) is not None:
                self._write_index(index)

    # -- the index ------------------------------------------------------------------------------
    def _path(self, ticker: str, kind: str) -> Path:
        return self.root / kind / f"{ticker}.parquet"

    def _read_index(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads((self.root / _INDEX).read_text())
        except (OSError, ValueError):  # absent, or damaged: the files are re-fetched as needed
            return {}
        return data if isinstance(data, dict) else {}

    def _write_index(self, index: dict[str, dict[str, Any]]) -> None:
        text = json.dumps(index, indent=1, sort_keys=True)
        write_atomic(self.root / _INDEX, lambda target: target.write_text(text))

    @contextmanager
    def _locked(self) -> Iterator[None]:
        from filelock import FileLock

        self.root.mkdir(parents=True, exist_ok=True)
        with FileLock(str(self.root / ".lock"), timeout=_LOCK_TIMEOUT_S):
            yield


class CachedEntry:
    """A cached frame and what the index says about it."""

    def __init__(self, frame: pd.DataFrame, record: dict[str, Any]) -> None:
        self.frame = frame
        self.record = record


def _key(ticker: str, kind: str) -> str:
    return f"{kind}/{ticker}"


def _jsonable(value: Any) -> Any:
    return value.strftime("%Y-%m-%d") if isinstance(value, pd.Timestamp | datetime) else value
