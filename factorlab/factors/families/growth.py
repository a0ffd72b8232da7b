"""The growth family: how fast sales and earnings grow, from filed statements."""

from __future__ import annotations

import numpy as np
import pandas as pd

from factorlab.data import Dataset
from factorlab.factors._memo import frame, unpriced
from factorlab.factors.families.value import earnings_yield
from factorlab.factors.metric import Metric
from factorlab.factors.pit import filings, over_positive

__all__ = [
    "EARNINGS_BASE_FLOOR",
    "METRICS",
    "earnings_growth",
    "peg",
    "quarterly_revenue_growth",
    "revenue_growth",
]

EARNINGS_BASE_FLOOR = 0.01  # of year-ago TTM revenue: the smallest base earnings growth divides by


def revenue_growth(ds: Dataset) -> pd.DataFrame:
    """TTM revenue over TTM revenue a year earlier, minus 1; NaN where the base is not positive."""
    f = filings(ds)
    return frame(
        ds, f.values(over_positive(f.ttm("revenue"), f.ttm("revenue", back=4)) - 1, unpriced(ds))
    )


def earnings_growth(ds: Dataset) -> pd.DataFrame:
    """Change in TTM net income over a year, divided by the absolute year-ago TTM net income.

    The divisor is floored at 1 % of year-ago TTM revenue, so a base near zero cannot turn a
    small change into a huge growth rate, and a negative base still gives improvement a positive
    sign (a loss of 10 shrinking to a loss of 5 is growth of +50 %).
    """
    return frame(ds, filings(ds).values(_earnings_growth(ds), unpriced(ds)))


def quarterly_revenue_growth(ds: Dataset) -> pd.DataFrame:
    """Latest quarter's revenue over the same quarter a year before, minus 1 (no seasonality)."""
    f = filings(ds)
    growth = over_positive(f.quarter("revenue"), f.quarter("revenue", back=4)) - 1
    return frame(ds, f.values(growth, unpriced(ds)))


def peg(ds: Dataset) -> pd.DataFrame:
    """P/E over earnings growth in percent (lower is better); only where both are positive."""
    pe = 1 / earnings_yield(ds).to_numpy()
    growth_pct = filings(ds).values(100 * _earnings_growth(ds), unpriced(ds))
    both_positive = (pe > 0) & (growth_pct > 0)
    np.divide(pe, growth_pct, out=pe)
    pe[~both_positive] = np.nan
    return frame(ds, pe)


def _earnings_growth(ds: Dataset) -> np.ndarray:
    """Per filing event, the earnings growth of :func:`earnings_growth`."""
    f = filings(ds)
    now, ago = f.ttm("net_income"), f.ttm("net_income", back=4)
    # fmax ignores a missing revenue (banks often report none): the floor then does not apply.
    base = np.fmax(np.abs(ago), EARNINGS_BASE_FLOOR * np.abs(f.ttm("revenue", back=4)))
    return over_positive(now - ago, base)


METRICS = (
    Metric(
        "revenue_growth",
        "growth",
        revenue_growth,
        True,
        "percent",
        "TTM revenue vs TTM revenue a year before",
        columns=("revenue",),
    ),
    Metric(
        "earnings_growth",
        "growth",
        earnings_growth,
        True,
        "percent",
        "change in TTM net income over |year-ago TTM net income| (floored)",
        columns=("net_income",),
    ),
    Metric(
        "quarterly_revenue_growth",
        "growth",
        quarterly_revenue_growth,
        True,
        "percent",
        "latest quarter's revenue vs the same quarter a year before",
        columns=("revenue",),
    ),
    Metric(
        "peg",
        "growth",
        peg,
        False,
        "ratio",
        "P/E / earnings growth in % (both positive)",
        columns=("net_income", "shares_outstanding"),
    ),
)
