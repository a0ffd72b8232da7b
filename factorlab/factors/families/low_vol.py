"""The low-volatility family: calm stocks, measured by their volatility and beta.

Windows are counted in rows of the price panel (trading days); a return needs a price at both
ends, so a suspended or delisted stock has no return rather than a made-up 0 %.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from factorlab.data import Dataset
from factorlab.factors._memo import daily_returns, frame
from factorlab.factors.metric import DAYS_PER_YEAR, Metric
from factorlab.factors.rowwise import BLOCK_CELLS

__all__ = ["METRICS", "beta", "rolling_means", "volatility"]


def volatility(ds: Dataset, days: int) -> pd.DataFrame:
    """Annualized standard deviation of daily returns over ``days`` rows (at least 80 % present)."""
    returns = daily_returns(ds)
    [((mean, mean_sq), count)] = rolling_means([returns, returns**2], [(days, int(0.8 * days))])
    variance = np.subtract(mean_sq, np.square(mean, out=mean), out=mean_sq)
    with np.errstate(invalid="ignore", divide="ignore"):
        variance *= count
        variance /= count - 1  # the sample variance, ddof=1
    np.clip(variance, 0, None, out=variance)
    out = np.sqrt(variance, out=variance)
    out *= np.sqrt(DAYS_PER_YEAR)
    return frame(ds, out)


def beta(ds: Dataset, days: int = DAYS_PER_YEAR) -> pd.DataFrame:
    """Slope of a stock's daily returns on the benchmark's over ``days`` rows (80 % present)."""
    ds.require("benchmark", purpose="beta")
    assert ds.benchmark is not None  # require() raised otherwise
    market = ds.benchmark.pct_change(fill_method=None).to_numpy()[:, None]
    # Pair the two series: only days on which both have a return enter any moment.
    returns = np.where(np.isnan(market), np.nan, daily_returns(ds))
    paired = np.where(np.isnan(returns), np.nan, market)
    [((mean_r, mean_rm, mean_m, mean_mm), _)] = rolling_means(
        [returns, returns * paired, paired, paired**2], [(days, int(0.8 * days))]
    )
    # In place: slope = (rm - r * m) / (mm - m ** 2), where that variance is positive.
    covariance = np.subtract(mean_rm, np.multiply(mean_r, mean_m, out=mean_r), out=mean_rm)
    variance = np.subtract(mean_mm, np.square(mean_m, out=mean_m), out=mean_mm)
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = np.divide(covariance, variance, out=covariance)
    slope[~(variance > 0)] = np.nan
    return frame(ds, slope)


def rolling_means(
    arrays: list[np.ndarray], windows: list[tuple[int, int]]
) -> list[tuple[list[np.ndarray], np.ndarray]]:
    """Means of the non-NaN values over trailing windows of rows, and how many were present.

    ``arrays`` must be NaN on the same days (a series and its square, say); ``windows`` holds
    ``(rows, min_periods)`` pairs. For each window: the mean of each array (NaN where fewer
    than ``min_periods`` values are present) and the count. Running sums down the rows, taken
    once for all windows and worked through in blocks of columns small enough to stay in
    cache (a column is a stock: no loop over stocks), with no panel-sized temporaries.
    """
    n_rows, n_cols = arrays[0].shape
    out = [
        (
            [np.empty((n_rows, n_cols), order="F") for _ in arrays],
            np.empty((n_rows, n_cols), np.int32, order="F"),
        )
        for _ in windows
    ]
    step = max(1, BLOCK_CELLS // max(n_rows, 1))
    for start in range(0, n_cols, step):  # blocks of stocks, each one vectorized pass
        cols = slice(start, start + step)
        present = ~np.isnan(arrays[0][:, cols])
        running = np.cumsum(present, axis=0, dtype=np.int32)
        sums = []
        for x in arrays:
            total = np.where(present, x[:, cols], 0.0)
            sums.append(np.cumsum(total, axis=0, out=total))  # in place
        for (means, count), (window, min_periods) in zip(out, windows, strict=True):
            trailing = count[:, cols]
            _trailing(running, window, trailing)
            short = trailing < max(min_periods, 1)
            for total, mean in zip(sums, means, strict=True):
                block = mean[:, cols]
                _trailing(total, window, block)
                with np.errstate(invalid="ignore", divide="ignore"):
                    block /= trailing
                block[short] = np.nan
    return out


def _trailing(running: np.ndarray, window: int, out: np.ndarray) -> None:
    """Sums over trailing windows of ``window`` rows into ``out``, from running sums."""
    out[:] = running
    out[window:] -= running[:-window]


METRICS = (
    Metric(
        "volatility_252d",
        "low_vol",
        partial(volatility, days=252),
        False,
        "percent",
        "annualized 1-year volatility of daily returns",
    ),
    Metric(
        "beta",
        "low_vol",
        beta,
        False,
        "ratio",
        "1-year beta of daily returns to the benchmark",
        parts=("benchmark",),
    ),
)
