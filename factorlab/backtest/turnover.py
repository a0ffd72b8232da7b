"""How fast a factor's buckets and ranks change: quantile turnover and rank autocorrelation.

Both compare each date with the one ``period`` steps earlier, stepping as alphalens does:

- A factor given on every trading day from its first date to its last (a day of NaN counts:
  it is a date of the factor) steps by trading days (rows of the price panel), and a day on
  which a bucket is empty has no turnover, nor has the day after it (at period 1).
- Any other factor (month ends, dates left out) steps by the dates it was observed on: period
  1 of a monthly factor compares each month with the month before. Each bucket steps over the
  dates on which it has names.

Ranks are those of each date's whole cross-section (average ranks for ties), correlated over
the stocks present on both dates (Pearson), as ``alphalens.performance.factor_rank_autocorrelation``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from factorlab.factors.ranking import pearson_rows, row_ranks

__all__ = ["by_trading_day", "quantile_turnover", "rank_autocorrelation"]

_BLOCK = 128  # dates correlated at once


def by_trading_day(dated: np.ndarray) -> bool:
    """Whether a factor observed on rows ``dated`` (sorted positions) steps by trading days.

    True when it has a value on every row from its first date to its last, as alphalens then
    gives its dates the trading calendar's frequency.
    """
    return dated.size > 0 and dated[-1] - dated[0] + 1 == dated.size


def _steps(observed: np.ndarray, daily: bool) -> np.ndarray:
    """Row positions a lag steps over: every row from the first observed to the last, or those."""
    rows = np.flatnonzero(observed)
    if daily and rows.size:
        return np.arange(rows[0], rows[-1] + 1)
    return rows


def rank_autocorrelation(
    factor: np.ndarray, evaluated: np.ndarray, dates: pd.Index, periods: list[int], daily: bool
) -> pd.DataFrame:
    """Each date's rank correlation of the factor with itself ``period`` steps earlier.

    Parameters
    ----------
    factor : ndarray
        Dates × stocks.
    evaluated : ndarray of bool
        The (date, stock) pairs that count (alphalens' rows of ``factor_data``).
    dates : Index
        The dates of the rows.
    periods : list of int
        Lags, in steps (see the module's docstring).
    daily : bool
        Step by trading days (:func:`by_trading_day`) rather than by observed dates.

    Returns
    -------
    DataFrame
        One row per date stepped over, one column per period; NaN for the first ``period``
        dates and where fewer than two stocks are present on both dates.
    """
    steps = _steps(np.asarray(evaluated.any(axis=1)), daily)
    ranks = row_ranks(np.where(evaluated[steps], factor[steps], np.nan))
    table = {}
    for h in periods:
        out = np.full(len(steps), np.nan)
        for start in range(h, len(steps), _BLOCK):  # blocks of dates: small temporaries
            stop = min(start + _BLOCK, len(steps))
            out[start:stop] = pearson_rows(ranks[start:stop], ranks[start - h : stop - h])
        table[h] = out
    frame = pd.DataFrame(table, index=dates[steps])
    frame.index.name, frame.columns.name = "date", "period"
    return frame


def quantile_turnover(
    labels: np.ndarray, dates: pd.Index, q: int, h: int, daily: bool
) -> pd.DataFrame:
    """Each date's share of a bucket's names that were not in it ``h`` steps earlier.

    Parameters
    ----------
    labels : ndarray
        Dates × stocks bucket labels, 1..q (0: not evaluated).
    dates : Index
        The dates of the rows.
    q : int
        The number of buckets.
    h : int
        The lag, in steps (see the module's docstring).
    daily : bool
        Step by trading days rather than by the dates each bucket has names on.

    Returns
    -------
    DataFrame
        One row per date any bucket steps over, one column per bucket (1 = lowest); NaN where
        the bucket, or the bucket ``h`` steps earlier, is empty, and for its first ``h`` steps.
    """
    columns, stepped = {}, np.zeros(len(dates), dtype=bool)
    for k in range(1, q + 1):  # a handful of buckets
        members = labels == k
        size = members.sum(axis=1)
        steps = _steps(size > 0, daily)
        stepped[steps] = True
        out = np.full(len(dates), np.nan)
        if h < len(steps):
            now, before = steps[h:], steps[:-h]
            new = (members[now] & ~members[before]).sum(axis=1)
            valid = (size[now] > 0) & (size[before] > 0)
            with np.errstate(invalid="ignore", divide="ignore"):
                out[now] = np.where(valid, new / size[now], np.nan)
        columns[k] = out
    frame = pd.DataFrame(columns, index=dates)[stepped]
    frame.index.name, frame.columns.name = "date", "quantile"
    return frame
