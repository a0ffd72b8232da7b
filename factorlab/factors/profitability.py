"""Quality metrics: profitable, conservatively financed companies."""

from __future__ import annotations

import numpy as np
import pandas as pd

from factorlab.data import Dataset
from factorlab.factors.pit import filings

__all__ = ["gross_margin", "leverage", "return_on_equity"]


def return_on_equity(ds: Dataset) -> pd.DataFrame:
    """TTM net income over the latest filed book equity; NaN where equity <= 0."""
    f = filings(ds)
    book = f.latest_known("book_equity")
    with np.errstate(invalid="ignore", divide="ignore"):
        roe = np.where(book > 0, f.ttm("net_income") / book, np.nan)
    return f.panel(roe).where(ds.prices.notna())


def gross_margin(ds: Dataset) -> pd.DataFrame:
    """TTM gross profit over TTM revenue."""
    f = filings(ds)
    revenue = f.ttm("revenue")
    with np.errstate(invalid="ignore", divide="ignore"):
        margin = np.where(revenue > 0, f.ttm("gross_profit") / revenue, np.nan)
    return f.panel(margin).where(ds.prices.notna())


def leverage(ds: Dataset) -> pd.DataFrame:
    """Debt over debt plus book equity (the debt share of capital); lower is better."""
    f = filings(ds)
    debt, book = f.latest_known("total_debt"), f.latest_known("book_equity")
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(debt + book > 0, debt / (debt + book), np.nan)
    return f.panel(ratio).where(ds.prices.notna())
