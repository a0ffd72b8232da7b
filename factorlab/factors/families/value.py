"""The value family: what a stock's price buys, as yields (higher = cheaper).

Yields rather than ratios, so that a loss (negative earnings) ranks as expensive instead of
producing a meaningless negative P/E. Market cap is the day's price times the latest known
share count; balance-sheet figures (shares, book equity, debt, cash) are the latest known, from
the most recent filed quarter that reports them; every figure is point in time (see
:mod:`factorlab.factors.pit`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from factorlab.data import Dataset
from factorlab.factors._memo import frame, prices, shared, unpriced
from factorlab.factors.metric import Metric
from factorlab.factors.pit import filings

__all__ = [
    "METRICS",
    "book_to_price",
    "debt_to_equity",
    "earnings_yield",
    "ebitda_to_ev",
    "enterprise_value",
    "market_cap",
    "sales_to_price",
]


def market_cap(ds: Dataset) -> pd.DataFrame:
    """The traded close times the latest known shares outstanding; NaN where either is missing.

    The traded close is ``ds.close``, else ``ds.prices``.
    """
    return frame(ds, _market_cap(ds))


def enterprise_value(ds: Dataset) -> pd.DataFrame:
    """Market cap plus total debt minus cash, from the latest filed balance sheet."""
    return frame(ds, _enterprise_value(ds))


def earnings_yield(ds: Dataset) -> pd.DataFrame:
    """TTM net income over market cap (the inverse of P/E)."""
    return frame(ds, _over_market_cap(ds, filings(ds).ttm("net_income")))


def book_to_price(ds: Dataset) -> pd.DataFrame:
    """Latest known book equity over market cap (the inverse of P/B)."""
    return frame(ds, _over_market_cap(ds, filings(ds).latest_known("book_equity")))


def sales_to_price(ds: Dataset) -> pd.DataFrame:
    """TTM revenue over market cap (the inverse of P/S)."""
    return frame(ds, _over_market_cap(ds, filings(ds).ttm("revenue")))


def ebitda_to_ev(ds: Dataset) -> pd.DataFrame:
    """TTM EBITDA over enterprise value (the inverse of EV/EBITDA); NaN where EV <= 0."""
    f, ev = filings(ds), _enterprise_value(ds)
    np.copyto(ev, np.nan, where=~(ev > 0))
    out = f.values(f.ttm("ebitda"))
    out /= ev
    return frame(ds, out)


def debt_to_equity(ds: Dataset) -> pd.DataFrame:
    """Total debt over book equity (a risk metric: lower is better); NaN where equity <= 0."""
    f = filings(ds)
    book = f.latest_known("book_equity")
    ratio = f.latest_known("total_debt") / np.where(book > 0, book, np.nan)
    return frame(ds, f.values(ratio, unpriced(ds)))


def _over_market_cap(ds: Dataset, per_event: np.ndarray) -> np.ndarray:
    out = filings(ds).values(per_event)
    out /= _market_cap(ds)
    return out


def _market_cap(ds: Dataset) -> np.ndarray:
    def compute(d: Dataset) -> np.ndarray:
        f = filings(d)
        cap = f.values(f.latest_known("shares_outstanding"))
        np.copyto(cap, np.nan, where=~(cap > 0))
        cap *= prices(d) if d.close is None else np.asarray(d.close.to_numpy(dtype=float))
        return cap

    return shared(ds, "market_cap", compute)


def _enterprise_value(ds: Dataset) -> np.ndarray:
    """A new array: market cap plus debt, minus cash (in that order, as the sum is rounded)."""
    f = filings(ds)
    ev = f.values(f.latest_known("total_debt"))
    np.add(_market_cap(ds), ev, out=ev)
    ev -= f.values(f.latest_known("cash"))
    return ev


METRICS = (
    Metric(
        "earnings_yield",
        "value",
        earnings_yield,
        True,
        "percent",
        "TTM net income / market cap",
        columns=("net_income", "shares_outstanding"),
    ),
    Metric(
        "book_to_price",
        "value",
        book_to_price,
        True,
        "ratio",
        "book equity / market cap",
        columns=("book_equity", "shares_outstanding"),
    ),
    Metric(
        "sales_to_price",
        "value",
        sales_to_price,
        True,
        "ratio",
        "TTM revenue / market cap",
        columns=("revenue", "shares_outstanding"),
    ),
    Metric(
        "ebitda_to_ev",
        "value",
        ebitda_to_ev,
        True,
        "percent",
        "TTM EBITDA / (market cap + debt - cash)",
        columns=("ebitda", "shares_outstanding", "total_debt", "cash"),
    ),
    Metric(
        "debt_to_equity",
        "value",
        debt_to_equity,
        False,
        "ratio",
        "total debt / book equity (risk: lower is better)",
        columns=("total_debt", "book_equity"),
    ),
)
