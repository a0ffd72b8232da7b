"""The quality family: profitable, conservatively financed companies."""

from __future__ import annotations

import pandas as pd

from factorlab.data import Dataset
from factorlab.factors._memo import frame, unpriced
from factorlab.factors.metric import Metric
from factorlab.factors.pit import filings, over_positive

__all__ = ["METRICS", "gross_margin", "leverage", "return_on_equity"]


def return_on_equity(ds: Dataset) -> pd.DataFrame:
    """TTM net income over the latest known book equity; NaN where equity <= 0."""
    f = filings(ds)
    return frame(
        ds,
        f.values(over_positive(f.ttm("net_income"), f.latest_known("book_equity")), unpriced(ds)),
    )


def gross_margin(ds: Dataset) -> pd.DataFrame:
    """TTM gross profit over TTM revenue."""
    f = filings(ds)
    return frame(ds, f.values(over_positive(f.ttm("gross_profit"), f.ttm("revenue")), unpriced(ds)))


def leverage(ds: Dataset) -> pd.DataFrame:
    """Debt over debt plus book equity (the debt share of capital); lower is better."""
    f = filings(ds)
    debt, book = f.latest_known("total_debt"), f.latest_known("book_equity")
    return frame(ds, f.values(over_positive(debt, debt + book), unpriced(ds)))


METRICS = (
    Metric(
        "return_on_equity",
        "quality",
        return_on_equity,
        True,
        "percent",
        "TTM net income / book equity",
        columns=("net_income", "book_equity"),
    ),
    Metric(
        "gross_margin",
        "quality",
        gross_margin,
        True,
        "percent",
        "TTM gross profit / TTM revenue",
        columns=("gross_profit", "revenue"),
    ),
    Metric(
        "leverage",
        "quality",
        leverage,
        False,
        "percent",
        "debt / (debt + book equity)",
        columns=("total_debt", "book_equity"),
    ),
)
