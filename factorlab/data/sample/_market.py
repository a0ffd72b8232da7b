"""Daily return shocks of the lab market: market, sector and idiosyncratic.

They are fat-tailed, with volatility that clusters. Everything here is drawn up front; premia
are added later.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from factorlab.data.sample._universe import Universe

TRADING_DAYS = 252


@dataclass(frozen=True)
class MarketParams:
    """Noise levels of the shock model (all annualized where it says ``_ann``)."""

    equity_premium_ann: float = 0.07
    market_vol_ann: float = 0.16
    tail_df: float = 4.0  # Student-t degrees of freedom of every daily shock
    vol_persistence: float = 0.985  # daily AR(1) coefficient of log market volatility
    vol_of_log_vol: float = 0.45  # stationary std of log market volatility
    idio_vol_persistence: float = 0.97
    idio_vol_of_log_vol: float = 0.30
    cashflow_beta: float = 0.35  # share of an unexpected return that shows up in revenue


@dataclass(frozen=True)
class Shocks:
    """Daily shocks, ``days × tickers`` unless noted; ``common + idio`` is the return before premia."""

    common: np.ndarray  # market and sector part of each stock's return, incl. the equity premium
    idio: np.ndarray  # idiosyncratic part; its quarterly sums feed revenue (cash-flow news)
    idio_scale: np.ndarray  # the daily idiosyncratic volatility used, for volume
    market: np.ndarray  # days: the market factor's return


def draw_shocks(
    calendar: pd.DatetimeIndex, universe: Universe, params: MarketParams, rng: np.random.Generator
) -> Shocks:
    """Draw every daily shock of the market at once (no loop over days or tickers)."""
    n_days, n_tickers = len(calendar), len(universe.tickers)
    sectors = universe.sectors
    n_sectors = len(sectors)

    # One volatility regime for the whole market: log-vol is a stationary AR(1).
    log_vol = _ar1(rng.standard_normal((n_days, 1)), params.vol_persistence, params.vol_of_log_vol)
    regime = np.exp(log_vol[:, 0] - params.vol_of_log_vol**2)  # E[regime**2] == 1

    daily = 1 / np.sqrt(TRADING_DAYS)
    market = (
        params.equity_premium_ann / TRADING_DAYS
        + params.market_vol_ann * daily * regime * _unit_t(rng, (n_days,), params.tail_df)
    )
    sector_vol = sectors["vol_ann"].to_numpy()
    sector_shock = (
        sector_vol * daily * regime[:, None] * _unit_t(rng, (n_days, n_sectors), params.tail_df)
    )

    own_log_vol = _ar1(
        rng.standard_normal((n_days, n_tickers)),
        params.idio_vol_persistence,
        params.idio_vol_of_log_vol,
    )
    idio_scale = (
        universe.idio_vol_ann
        * daily
        * np.sqrt(regime)[:, None]  # idiosyncratic risk rises in turbulent markets too
        * np.exp(own_log_vol - params.idio_vol_of_log_vol**2)
    )
    idio = idio_scale * _unit_t(rng, (n_days, n_tickers), params.tail_df)

    common = (
        universe.beta * market[:, None]
        + universe.sector_loading * sector_shock[:, universe.sector_code]
    )
    return Shocks(common=common, idio=idio, idio_scale=idio_scale, market=market)


def _unit_t(rng: np.random.Generator, shape: tuple[int, ...], df: float) -> np.ndarray:
    """Student-t draws rescaled to unit variance: fat tails at a known volatility."""
    return rng.standard_t(df, shape) * np.sqrt((df - 2) / df)


def _ar1(innovations: np.ndarray, phi: float, stationary_std: float) -> np.ndarray:
    """Stationary AR(1) along axis 0 from standard-normal ``innovations``, for every column at once.

    ``x[t] = phi * x[t-1] + e[t]``, started from the stationary distribution. A recursion in time
    cannot be vectorized over time; each step here is one vector operation across all tickers,
    which benchmarks/sample.py measures at several times faster than pandas' ``ewm`` and about
    a hundred times faster than a loop over tickers and days.
    """
    out = np.empty_like(innovations)
    out[0] = innovations[0] * stationary_std
    step = innovations[1:] * (stationary_std * np.sqrt(1 - phi**2))
    for t in range(1, len(out)):
        out[t] = phi * out[t - 1] + step[t - 1]
    return out
