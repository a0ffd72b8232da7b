"""Significance of ICs or spreads: t-statistics, p-values, and observations that do not overlap.

For a series of ICs or spreads: t-statistics, p-values, and the subset of observations far
enough apart not to overlap.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["apart", "t_pvalue", "t_stat"]


def apart(series: pd.Series, period: int) -> pd.Series:
    """The values of ``series`` at least ``period`` rows apart among the dates that have one.

    From the first, each next is the first value ``period`` or more rows on.
    """
    rows = np.flatnonzero(series.notna().to_numpy())
    if len(rows) == 0:
        return series.iloc[:0]
    following = np.searchsorted(rows, rows + period)  # the first value far enough on, per value
    kept = [0]
    while following[kept[-1]] < len(rows):  # one step per kept value (len / period at most)
        kept.append(int(following[kept[-1]]))
    return series.iloc[rows[kept]]


def t_stat(ic: pd.Series) -> float:
    """Mean over its standard error; NaN with fewer than two values or no spread."""
    n, std = len(ic), ic.std()
    return ic.mean() / (std / math.sqrt(n)) if n > 1 and std > 0 else np.nan


def t_pvalue(t: float, df: int) -> float:
    """Two-sided p-value of Student's t with ``df`` degrees of freedom."""
    if not np.isfinite(t) or df < 1:
        return np.nan
    x = df / (df + t * t)
    return _incomplete_beta(df / 2, 0.5, x)


def _incomplete_beta(a: float, b: float, x: float) -> float:
    """Regularized incomplete beta I_x(a, b), by Lentz's continued fraction."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x > (a + 1) / (a + b + 2):
        return 1.0 - _incomplete_beta(b, a, 1 - x)
    tiny, c, d = 1e-300, 1.0, 1 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    f = d
    for m in range(1, 300):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1 + numerator * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + numerator / c
            c = c if abs(c) > tiny else tiny
            f *= c * d
        if abs(c * d - 1) < 1e-15:
            break
    return math.exp(log_front) * f / a
