"""The value family: what a stock's price buys, as yields (higher = cheaper).

Yields rather than ratios, so that a loss (negative earnings) ranks as expensive instead of
producing a meaningless negative P/E. Market cap is the day's price times the latest known
share count; balance-sheet figures (shares, book equity, debt, cash) are the latest known, from
the most recent filed quarter that reports them; every figure is point in time (see
:mod:`factorlab.factors.pit`).
"""

from __future__ import annotations

import pandas as pd

from factorlab.data import Dataset
from factorlab.factors._memo import shared
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

    def compute(d: Dataset) -> pd.DataFrame:
        f = filings(d)
        shares = f.panel(f.latest_known("shares_outstanding"))
        price = d.prices if d.close is None else d.close
        return price * shares.where(shares > 0)

    return shared(ds, "market_cap", compute)


def enterprise_value(ds: Dataset) -> pd.DataFrame:
    """Market cap plus total debt minus cash, from the latest filed balance sheet."""
    f = filings(ds)
    return market_cap(ds) + f.panel(f.latest_known("total_debt")) - f.panel(f.latest_known("cash"))


def earnings_yield(ds: Dataset) -> pd.DataFrame:
    """TTM net income over market cap (the inverse of P/E)."""
    f = filings(ds)
    return f.panel(f.ttm("net_income")) / market_cap(ds)


def book_to_price(ds: Dataset) -> pd.DataFrame:
    """Latest known book equity over market cap (the inverse of P/B)."""
    f = filings(ds)
    return f.panel(f.latest_known("book_equity")) / market_cap(ds)


def sales_to_price(ds: Dataset) -> pd.DataFrame:
    """TTM revenue over market cap (the inverse of P/S)."""
    f = filings(ds)
    return f.panel(f.ttm("revenue")) / market_cap(ds)


def ebitda_to_ev(ds: Dataset) -> pd.DataFrame:
    """TTM EBITDA over enterprise value (the inverse of EV/EBITDA); NaN where EV <= 0."""
    f = filings(ds)
    ev = enterprise_value(ds)
    return f.panel(f.ttm("ebitda")) / ev.where(ev > 0)


def debt_to_equity(ds: Dataset) -> pd.DataFrame:
    """Total debt over book equity (a risk metric: lower is better); NaN where equity <= 0."""
    f = filings(ds)
    book = f.panel(f.latest_known("book_equity"))
    debt = f.panel(f.latest_known("total_debt"))
    return (debt / book.where(book > 0)).where(ds.prices.notna())


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
