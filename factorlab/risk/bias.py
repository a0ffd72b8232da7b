"""How well the risk forecasts hold up: the bias statistic of test portfolios, out of sample.

For a portfolio held from the close of ``t`` to the next close, its return divided by the
volatility forecast at the close of ``t`` has a standard deviation of 1 when the forecast is
right. That standard deviation over many days is the bias statistic: above 1, risk was
under-forecast; below, over-forecast. Every forecast reads only what was known at its close, so
every day is out of sample; the first days (``burn_in``) are left out while the averages fill.
With ``n`` days, a right forecast gives a statistic within about ``1 ± 2 * sqrt(2 / n)``
(normal returns; fat tails widen it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from factorlab.errors import ConfigError

__all__ = ["bias_statistics", "default_portfolios"]


def default_portfolios(
    caps: pd.DataFrame, n_random: int = 5, size: int = 30, seed: int = 0
) -> dict[str, pd.DataFrame]:
    """The default test portfolios, rebalanced every close: weights, dates × tickers.

    ``cap-weighted`` and ``equal-weighted`` (every stock with a cap), and ``n_random``
    portfolios of ``size`` stocks drawn once (each day, those of them with a cap, equal
    weights): random books carry specific risk as a real one does. Portfolios built from the
    model's own style exposures would read low: the daily regression makes the specific
    returns of such a portfolio close to nil by construction.
    """
    priced = caps.notna() & (caps > 0)
    out = {
        "cap-weighted": caps.where(priced).div(caps.where(priced).sum(axis=1), axis=0),
        "equal-weighted": priced.div(priced.sum(axis=1), axis=0).astype(float),
    }
    rng = np.random.default_rng(seed)
    for k in range(n_random):
        picked = rng.choice(len(caps.columns), min(size, len(caps.columns)), replace=False)
        held = priced & caps.columns.isin(caps.columns[picked])[None, :]
        out[f"random {k + 1}"] = held.div(held.sum(axis=1), axis=0).astype(float)
    return {name: w.fillna(0.0) for name, w in out.items()}


def bias_statistics(
    portfolios: dict[str, pd.DataFrame],
    forecast_variance: dict[str, np.ndarray],
    next_returns: np.ndarray,
    dates: pd.DatetimeIndex,
    burn_in: int,
) -> pd.DataFrame:
    """The bias statistic of each portfolio from its daily variance forecasts.

    Parameters
    ----------
    portfolios : dict of DataFrame
        Weights at each close, dates × tickers.
    forecast_variance : dict of ndarray
        Per portfolio and date, the forecast daily variance at that close (NaN: none).
    next_returns : ndarray
        Dates × tickers: each stock's return from the close to the next close.
    dates : DatetimeIndex
    burn_in : int
        Dates left out at the start.

    Returns
    -------
    DataFrame
        Per portfolio: ``bias`` (the standard deviation of the standardized returns),
        ``days``, ``low`` and ``high`` (``1 ± 2 * sqrt(2 / days)``) and
        ``forecast_vol_ann`` (the mean forecast volatility, annualized).
    """
    if not 0 <= burn_in < len(dates):
        raise ConfigError(
            f"burn_in must be a number of days from 0 to {len(dates) - 1}, got {burn_in}."
        )
    rows = {}
    for name, weights in portfolios.items():
        w = weights.to_numpy()
        realized = np.einsum("dn,dn->d", w, np.nan_to_num(next_returns))
        # A day counts when every held stock has its next return.
        complete = ~np.any((w != 0) & np.isnan(next_returns), axis=1)
        variance = forecast_variance[name]
        usable = complete & np.isfinite(variance) & (variance > 0)
        usable[:burn_in] = False
        z = realized[usable] / np.sqrt(variance[usable])
        days = int(usable.sum())
        band = 2 * np.sqrt(2 / days) if days else np.nan
        rows[name] = {
            "bias": float(np.std(z, ddof=1)) if days > 1 else np.nan,
            "days": days,
            "low": 1 - band,
            "high": 1 + band,
            "forecast_vol_ann": float(np.sqrt(252 * variance[usable]).mean()) if days else np.nan,
        }
    return pd.DataFrame.from_dict(rows, orient="index")
