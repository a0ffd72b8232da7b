"""Point in time: turn long, filed fundamentals into wide daily panels, without look-ahead.

On each day *t* a ticker's figures are those of the quarters filed by *t* (``available_at <= t``).
The "latest quarter" is the most recent fiscal quarter filed so far; a trailing-twelve-month (TTM)
figure sums that quarter and the three before it, and is NaN unless all four were filed by *t*
(a quarter filed late, or never, makes the TTM unknown rather than mixing in an older year).

The join is one vectorized pass: every filing is an event that may change a ticker's figures;
each event's figures are computed once, and each day takes the last event on or before it.

A quarter may have several rows, each with its own ``available_at``: the figures as first
reported, then as restated (a 10-K/A, or a comparative changed in a later filing). A row stands
for the whole quarter from its ``available_at`` on, so each event reads every quarter as it was
known on the event's date, and a restatement never reaches a day before it was filed.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from factorlab.data import Dataset
from factorlab.errors import DataError

__all__ = ["Filings", "filings", "over_positive"]

_CACHE: weakref.WeakKeyDictionary[Dataset, Filings] = weakref.WeakKeyDictionary()
_LOCK = threading.RLock()


@dataclass(frozen=True, eq=False)
class Filings:
    """A dataset's filings as events, ready to be read back as daily panels.

    Use :func:`filings` to build one (it is cached per Dataset).
    """

    dates: pd.DatetimeIndex  # trading days
    tickers: pd.Index
    columns: dict[str, np.ndarray]  # fundamental values by row of the (sorted) fundamentals
    versions: np.ndarray  # sorted keys: (ticker, quarter slot) then the row's available day
    version_rows: np.ndarray  # the row of each key
    span: int  # quarter slots per ticker
    first_quarter: int
    event_ticker: np.ndarray  # one entry per filing, sorted by ticker then date
    event_date: np.ndarray
    event_latest: np.ndarray  # the latest fiscal quarter filed as of the event
    last_event: np.ndarray  # days × tickers: index of the last event on or before the day, -1

    def quarter(self, column: str, back: int = 0) -> np.ndarray:
        """Per event: ``column`` of the quarter ``back`` quarters before the latest filed one.

        NaN unless that quarter was filed by the event's date.
        """
        slot = self.event_latest - back - self.first_quarter
        period = self.event_ticker * self.span + slot
        # The latest row of that (ticker, quarter) available by the event's date, if any.
        wanted = period * _DAY_SCALE + _days(self.event_date)
        position = np.searchsorted(self.versions, wanted, side="right") - 1
        found = (slot >= 0) & (position >= 0)
        found[found] = self.versions[position[found]] // _DAY_SCALE == period[found]
        out = np.full(len(slot), np.nan)
        out[found] = self.columns[column][self.version_rows[position[found]]]
        return out

    def latest_known(self, column: str, max_back: int = 7) -> np.ndarray:
        """Per event: ``column`` of the most recent filed quarter that reports it.

        It looks back at most ``max_back`` quarters (a balance-sheet figure older than two years
        is too stale).
        """
        out = self.quarter(column)
        for back in range(1, max_back + 1):  # a handful of vector passes, not a loop over data
            missing = np.isnan(out)
            if not missing.any():
                break
            out[missing] = self.quarter(column, back)[missing]
        return out

    def ttm(self, column: str, back: int = 0) -> np.ndarray:
        """Per event: the trailing-twelve-month sum of ``column``, over four consecutive quarters.

        The four quarters end ``back`` quarters before the latest filed one; NaN if any of them
        is missing or not yet filed.
        """
        quarters = [self.quarter(column, back + k) for k in range(4)]
        return quarters[0] + quarters[1] + quarters[2] + quarters[3]  # NaN propagates

    def panel(self, per_event: np.ndarray, listed: pd.DataFrame | None = None) -> pd.DataFrame:
        """Per-event values spread over the trading days (each day: its ticker's last event).

        With ``listed`` (the price panel), only on days the stock has a price.
        """
        unlisted = None if listed is None else listed.isna().to_numpy()
        return pd.DataFrame(
            self.values(per_event, unlisted), index=self.dates, columns=self.tickers, copy=False
        )

    def values(self, per_event: np.ndarray, unlisted: np.ndarray | None = None) -> np.ndarray:
        """:meth:`panel` as a new array (dates × tickers, in row order), NaN where ``unlisted``."""
        with_sentinel = np.append(per_event, np.nan)  # index -1 (no filing yet) reads NaN
        out = with_sentinel[self.last_event]
        if unlisted is not None:
            out[unlisted] = np.nan
        return out


def over_positive(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """``numerator / denominator`` where the denominator is positive; NaN elsewhere."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, numerator / denominator, np.nan)


def filings(ds: Dataset) -> Filings:
    """The point-in-time view of ``ds.fundamentals`` (built once per Dataset, then cached).

    Raises
    ------
    DataError
        If the dataset has no fundamentals.

    Examples
    --------
    >>> import factorlab as fl
    >>> ds = fl.load_dataset("sample", n_tickers=20, years=3)
    >>> f = filings(ds)
    >>> ttm_revenue = f.panel(f.ttm("revenue"))      # daily, wide, point in time
    >>> ttm_revenue.shape == ds.prices.shape
    True
    """
    with _LOCK:  # metrics computed on threads build it once
        cached = _CACHE.get(ds)
        if cached is None:
            ds.require("fundamentals", purpose="fundamental factors")
            cached = _build(ds.fundamentals, ds.dates, ds.prices.columns)
            _CACHE[ds] = cached
        return cached


def _build(f: pd.DataFrame, dates: pd.DatetimeIndex, tickers: pd.Index) -> Filings:
    ticker = tickers.get_indexer(f["ticker"])
    quarter = fiscal_quarter_number(f["period_end"])
    keys = pd.DataFrame({"ticker": ticker, "quarter": quarter, "end": f["period_end"].to_numpy()})
    clash = keys.drop_duplicates().duplicated(["ticker", "quarter"], keep=False)
    if clash.any():
        first_row = keys.drop_duplicates()[clash.to_numpy()].iloc[0]
        name = tickers[first_row["ticker"]]
        same = f.loc[f["ticker"] == name, "period_end"][
            fiscal_quarter_number(f.loc[f["ticker"] == name, "period_end"]) == first_row["quarter"]
        ].unique()
        raise DataError(
            f"{name} has more than one period end for the same fiscal quarter "
            f"({', '.join(f'{d:%Y-%m-%d}' for d in same)}). Keep one period_end per quarter."
        )
    first = int(quarter.min()) if len(quarter) else 0
    span = int(quarter.max()) - first + 1 if len(quarter) else 1
    available = f["available_at"].to_numpy()
    period = ticker.astype(np.int64) * span + (quarter - first)
    version_keys = period * _DAY_SCALE + _days(available)
    version_order = np.argsort(version_keys, kind="stable")

    order = np.lexsort((quarter, available, ticker))  # by ticker, then filing date, then quarter
    event_ticker, event_date = ticker[order], available[order]
    event_latest = (
        pd.Series(quarter[order]).groupby(event_ticker).cummax().to_numpy()
        if len(order)
        else quarter[order]
    )
    last_event = _last_event_by_day(event_ticker, event_date, dates, len(tickers))
    columns = {c: f[c].to_numpy(dtype="float64") for c in _numeric_columns(f)}
    return Filings(
        dates=dates,
        tickers=tickers,
        columns=columns,
        versions=version_keys[version_order],
        version_rows=version_order,
        span=span,
        first_quarter=first,
        event_ticker=event_ticker,
        event_date=event_date,
        event_latest=event_latest,
        last_event=last_event,
    )


_DAY_SCALE = 1 << 17  # more days than 1970-2262 hold: a (period, day) key is period * scale + day


def _days(stamps: np.ndarray) -> np.ndarray:
    """Whole days since 1970-01-01 of datetime64 values, as int64."""
    return np.asarray(stamps).astype("datetime64[D]").astype(np.int64)


def fiscal_quarter_number(period_end: pd.Series) -> np.ndarray:
    """Consecutive integers for consecutive fiscal quarters.

    Quarters are counted in steps of 91.3125 days (a year over four), rounded, so calendar
    quarter ends and 52/53-week fiscal calendars alike (Apple's 2022-12-31, 2023-04-01,
    2023-07-01, 2023-09-30) number 1, 2, 3, 4 apart, with no gap and no repeat.
    """
    days = (pd.DatetimeIndex(period_end) - pd.Timestamp("1970-01-01")).days.to_numpy()
    return np.rint(days / 91.3125).astype(int)


def _last_event_by_day(
    event_ticker: np.ndarray, event_date: np.ndarray, dates: pd.DatetimeIndex, n_tickers: int
) -> np.ndarray:
    """``days × tickers`` index of each ticker's last event dated on or before each day."""
    # A filing dated on a non-trading day takes effect on the next trading day.
    day = np.searchsorted(dates.to_numpy(), event_date, side="left")
    marks = np.full((len(dates) + 1, n_tickers), -1)
    # Events are sorted by ticker then date, so the largest index per (day, ticker) is the latest.
    np.maximum.at(marks, (day, event_ticker), np.arange(len(event_ticker)))
    marks = marks[:-1]  # filings after the last day never take effect
    # Carry each ticker's latest event forward in time: a running maximum of event indices works
    # because, within a ticker, later events have larger indices.
    return np.maximum.accumulate(marks, axis=0)


def _numeric_columns(f: pd.DataFrame) -> Sequence[str]:
    keys = {"ticker", "period_end", "available_at", "fiscal_period"}
    return [c for c in f.columns if c not in keys and pd.api.types.is_numeric_dtype(f[c])]
