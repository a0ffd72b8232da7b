"""The on-disk cache of Yahoo downloads: one parquet file per ticker and kind.

Each file has a small JSON record beside it (when it was fetched, its size, what it covers).
Writes go to a temporary file beside the target and are renamed into place, so a reader never
sees half a file; the rename of the data and of its record happen together under a lock for
that entry, so two kernels (or a workshop room sharing one folder) can fetch at once. A file
that does not read back, or whose size is not the one its record gives, is treated as missing:
checked again under the lock, then removed, fetched again, and reported. Records live beside
their files rather than in one index, so a large universe costs no more per entry than a small
one.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from filelock import FileLock

from factorlab._files import cache_root, write_atomic, write_temp
from factorlab.data.yahoo.fetch import STATEMENTS

__all__ = [
    "FRESH_FOR",
    "REMEMBER_FAILED_FOR",
    "CachedEntry",
    "YahooCache",
    "as_cached",
    "cached_earnings",
    "cached_info",
    "cached_statement",
    "default_cache_dir",
]

#: How long a cached kind stays fresh before it is fetched again.
FRESH_FOR = {"prices": timedelta(days=1)}
FRESH_FOR_OTHERS = timedelta(days=7)  # statements, earnings dates and company info
FRESH_FOR_EMPTY = timedelta(days=1)  # an empty answer may have been a hiccup: ask again soon
REMEMBER_FAILED_FOR = timedelta(days=1)  # a ticker Yahoo has no prices for is not asked again
_LOCK_TIMEOUT_S = 120


def default_cache_dir() -> Path:
    """``$FACTORLAB_CACHE``, else the per-user cache folder (platformdirs), plus ``yahoo``."""
    return cache_root() / "yahoo"


class CachedEntry:
    """A cached frame and its record."""

    def __init__(self, frame: pd.DataFrame, record: dict[str, Any]) -> None:
        self.frame = frame
        self.record = record


class YahooCache:
    """Parquet files under ``root``: ``<kind>/<TICKER>.parquet``, each with a JSON record.

    The record, ``<kind>/<TICKER>.json``, says when the file was fetched, its size and what it
    covers.

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
        """The cached frame and its record, or None if absent or damaged."""
        entry = self._read(ticker, kind)
        if entry is not False:
            return entry
        with self._locked(ticker, kind):  # a writer may have been halfway: look again
            again = self._read(ticker, kind)
            if again is False:
                self.damaged.append(f"{ticker} {kind}")
                self._data(ticker, kind).unlink(missing_ok=True)
                self._record(ticker, kind).unlink(missing_ok=True)
                return None
        return again

    def _read(self, ticker: str, kind: str) -> CachedEntry | None | Literal[False]:
        """The entry; None if absent; False if it does not check out."""
        try:
            record = json.loads(self._record(ticker, kind).read_text())
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return False
        path = self._data(ticker, kind)
        try:
            if path.stat().st_size != record.get("bytes"):
                return False
            return CachedEntry(pd.read_parquet(path), record)
        except FileNotFoundError:
            return False
        except Exception:  # a truncated or overwritten file: pyarrow raises many types
            return False

    def is_fresh(self, entry: CachedEntry, kind: str, now: datetime | None = None) -> bool:
        """Whether ``entry`` of ``kind`` was fetched recently enough to use without fetching again.

        Its age at ``now`` (default: the current UTC time) must be under :data:`FRESH_FOR` for
        that kind (7 days for kinds it does not list); an entry with no rows, which may have
        been a hiccup, stays fresh for 1 day only.
        """
        fetched = datetime.fromisoformat(entry.record["fetched_at"])
        age = (now or datetime.now(UTC)) - fetched
        if entry.record.get("rows") == 0:
            return age < FRESH_FOR_EMPTY
        return age < FRESH_FOR.get(kind, FRESH_FOR_OTHERS)

    # -- writing --------------------------------------------------------------------------------
    def put(self, ticker: str, kind: str, frame: pd.DataFrame, **covers: Any) -> None:
        """Write ``frame`` atomically and record it (plus ``covers``, e.g. the start date)."""
        path = self._data(ticker, kind)
        tmp, size = write_temp(path, lambda target: frame.to_parquet(target))
        record = {
            "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "bytes": size,
            "rows": len(frame),
            **{k: _jsonable(v) for k, v in covers.items()},
        }
        text = json.dumps(record, sort_keys=True)
        try:
            with self._locked(ticker, kind):
                os.replace(tmp, path)
                write_atomic(self._record(ticker, kind), lambda target: target.write_text(text))
        finally:
            tmp.unlink(missing_ok=True)

    # -- tickers Yahoo has no prices for --------------------------------------------------------
    def remember_failure(
        self, ticker: str, reason: str, start: pd.Timestamp, end: pd.Timestamp
    ) -> None:
        """Record that ``ticker`` had no prices from ``start`` to ``end``.

        Not for a rate limit or a network error: those pass.
        """
        record = {
            "reason": reason,
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "start": f"{pd.Timestamp(start):%Y-%m-%d}",
            "end": f"{pd.Timestamp(end):%Y-%m-%d}",
        }
        text = json.dumps(record, sort_keys=True)
        write_atomic(self._record(ticker, "failed"), lambda target: target.write_text(text))

    def known_failure(
        self,
        ticker: str,
        start: pd.Timestamp,
        end: pd.Timestamp,
        now: datetime | None = None,
    ) -> tuple[str, str] | None:
        """The reason and time of ``ticker``'s failure within :data:`REMEMBER_FAILED_FOR`.

        Only for a range inside the one that failed: a wider range may have prices.
        """
        try:
            record = json.loads(self._record(ticker, "failed").read_text())
            at = datetime.fromisoformat(record["at"])
            inside = pd.Timestamp(record["start"]) <= start and end <= pd.Timestamp(record["end"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if not inside or (now or datetime.now(UTC)) - at >= REMEMBER_FAILED_FOR:
            return None
        return str(record["reason"]), record["at"]

    def forget_failure(self, ticker: str) -> None:
        """Drop ``ticker``'s failure record (its prices came back)."""
        self._record(ticker, "failed").unlink(missing_ok=True)

    # -- places -----------------------------------------------------------------------------------
    def _data(self, ticker: str, kind: str) -> Path:
        return self.root / kind / f"{ticker}.parquet"

    def _record(self, ticker: str, kind: str) -> Path:
        return self.root / kind / f"{ticker}.json"

    @contextmanager
    def _locked(self, ticker: str, kind: str) -> Iterator[None]:

        folder = self.root / kind
        folder.mkdir(parents=True, exist_ok=True)
        with FileLock(str(folder / f".{ticker}.lock"), timeout=_LOCK_TIMEOUT_S):
            yield


def _jsonable(value: Any) -> Any:
    return value.strftime("%Y-%m-%d") if isinstance(value, pd.Timestamp | datetime) else value


# -- what is stored: a fetched part as a frame parquet can hold, and back -----------------------
def as_cached(details: Any, kind: str) -> pd.DataFrame:
    """A fetched part as a frame that parquet can hold (rows: periods or dates)."""
    if kind in STATEMENTS:
        statement = details.statements.get(kind, pd.DataFrame())
        if statement.empty:
            return pd.DataFrame()
        frame = statement.T  # periods × Yahoo rows
        frame.index = pd.DatetimeIndex(pd.to_datetime(frame.index)).tz_localize(None)
        frame.index.name = "period_end"
        frame.columns = [str(c) for c in frame.columns]
        return frame.apply(pd.to_numeric, errors="coerce")
    if kind == "earnings_dates":
        dates = details.earnings_dates
        if dates is None or dates.empty:
            return pd.DataFrame({"earnings_date": pd.DatetimeIndex([])})
        index = pd.DatetimeIndex(pd.to_datetime(dates.index))
        local = index.tz_localize(None) if index.tz is not None else index
        return pd.DataFrame({"earnings_date": local})
    info = {k: v for k, v in details.info.items()}
    return pd.DataFrame({k: [v] for k, v in info.items()}) if info else pd.DataFrame()


def cached_statement(frame: pd.DataFrame | None) -> pd.DataFrame | None:
    """A cached statement (periods × Yahoo rows) back as Yahoo lays it out (rows × periods)."""
    if frame is None or frame.empty:
        return None
    return frame.T


def cached_earnings(frame: pd.DataFrame | None) -> pd.DataFrame | None:
    """Cached earnings dates back as yfinance gives them (a DatetimeIndex of dates)."""
    if frame is None or frame.empty or "earnings_date" not in frame:
        return None
    return pd.DataFrame(index=pd.DatetimeIndex(frame["earnings_date"]))


def cached_info(frame: pd.DataFrame | None) -> dict[str, Any]:
    """A cached company profile back as a dict (NaN read back as None)."""
    if frame is None or frame.empty:
        return {}
    row = frame.iloc[0]
    return {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in row.items()}
