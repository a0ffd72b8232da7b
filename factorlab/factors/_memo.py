"""Panels that several metrics share (daily returns, market cap), computed once per Dataset."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable

import pandas as pd

from factorlab.data import Dataset

_PANELS: weakref.WeakKeyDictionary[Dataset, dict[str, pd.DataFrame]] = weakref.WeakKeyDictionary()
_LOCK = threading.RLock()  # metrics computed on threads build each shared panel once


def shared(ds: Dataset, key: str, compute: Callable[[Dataset], pd.DataFrame]) -> pd.DataFrame:
    """``compute(ds)``, remembered for as long as ``ds`` lives. Callers must not modify it."""
    with _LOCK:
        panels = _PANELS.setdefault(ds, {})
        if key not in panels:
            panels[key] = compute(ds)
        return panels[key]


def daily_returns(ds: Dataset) -> pd.DataFrame:
    """Simple daily returns; NaN where either day has no price (never a made-up 0 %)."""
    return shared(ds, "daily_returns", lambda d: d.prices.pct_change(fill_method=None))
