"""The true factor exposures the lab market pays premia on, computed point in time.

They are computed from exactly the data the Dataset exposes (published prices and filed
fundamentals).

- value: earnings yield (TTM net income / market cap) and book yield (book equity / market cap);
- growth: TTM revenue growth year over year and TTM earnings growth (change over the absolute
  year-ago TTM earnings, the base floored at 1 % of year-ago TTM revenue so a near-zero base
  cannot explode it);
- momentum: the 12-1 month return, ``price[t-21] / price[t-252] - 1``.

Market cap is the day's price times the latest *filed* share count. Each metric is turned into a
percentile rank across the tickers alive that day, centred and scaled to unit variance; a family
is the same transform of the mean of its metrics.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MOMENTUM_LOOKBACK_DAYS, MOMENTUM_SKIP_DAYS = 252, 21


def rank_z(x: np.ndarray) -> np.ndarray:
    """Percentile rank per row, centred and scaled to unit variance; NaN stays NaN."""
    x = np.atleast_2d(x)
    ranks = pd.DataFrame(x).rank(axis=1).to_numpy()
    count = np.sum(~np.isnan(x), axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return ((ranks - 0.5) / count - 0.5) * np.sqrt(12)


def family(*metric_z: np.ndarray) -> np.ndarray:
    """A family's exposure: the rank-z of the mean of its available metric z-scores."""
    stacked = np.stack(metric_z)
    count = np.sum(~np.isnan(stacked), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(stacked, axis=0) / count  # 0/0: a ticker with no metric stays NaN
    return rank_z(mean)


def trailing_sum(quarterly: np.ndarray) -> np.ndarray:
    """Sum of the last four quarters (``quarters × tickers``); NaN unless all four exist."""
    out = np.full_like(quarterly, np.nan)
    out[3:] = quarterly[3:] + quarterly[2:-1] + quarterly[1:-2] + quarterly[:-3]
    return out


def year_ago(quarterly: np.ndarray) -> np.ndarray:
    """The same array shifted four quarters later (row q holds quarter q-4)."""
    out = np.full_like(quarterly, np.nan)
    out[4:] = quarterly[:-4]
    return out


def earnings_growth(ttm_net_income: np.ndarray, ttm_revenue: np.ndarray) -> np.ndarray:
    """Year-over-year change in TTM earnings over a base that cannot be near zero."""
    base_income, base_revenue = year_ago(ttm_net_income), year_ago(ttm_revenue)
    base = np.maximum(np.abs(base_income), 0.01 * np.abs(base_revenue))
    with np.errstate(invalid="ignore", divide="ignore"):
        return (ttm_net_income - base_income) / base


def latest_filed_quarter(
    available_at: np.ndarray, published: np.ndarray, calendar: pd.DatetimeIndex
) -> np.ndarray:
    """Index of the latest quarter filed by each trading day (``days × tickers``), -1 where none.

    Filing dates rise with the quarter (lags are 25-90 days) and each ticker's published quarters
    are contiguous, so the latest filed quarter is the first published one plus the number filed
    so far, minus one. Filings are counted by the first trading day on or after their date.
    """
    quarter, ticker = np.nonzero(published)
    day = np.searchsorted(calendar.to_numpy(), available_at[quarter, ticker])
    filed_on = np.zeros((len(calendar) + 1, published.shape[1]), dtype=np.int32)
    np.add.at(filed_on, (day, ticker), 1)  # day == len(calendar): filed after the data ends
    count = np.cumsum(filed_on[:-1], axis=0)
    first = np.argmax(published, axis=0)
    return np.where(count > 0, first + count - 1, -1)


def gather(quarterly: np.ndarray, quarter: np.ndarray) -> np.ndarray:
    """``quarterly[quarter[m, i], i]`` for every date m and ticker i; NaN where quarter is -1."""
    columns = np.arange(quarterly.shape[1])
    values = quarterly[np.clip(quarter, 0, None), columns]
    return np.where(quarter >= 0, values, np.nan)
