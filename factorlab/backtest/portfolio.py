"""``fl.backtest``: turn a signal into a portfolio and simulate it honestly."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from factorlab.backtest.engine import (
    rebalance_positions,
    simulate,
    target_weights,
    warn_if_degenerate,
)
from factorlab.backtest.result import BacktestResult
from factorlab.data import Dataset
from factorlab.errors import ConfigError, DataError
from factorlab.params import as_bool, as_float, as_int

__all__ = ["backtest"]


def backtest(
    signal: object,
    ds: Dataset,
    rebalance: object = "M",
    lag: object = 1,
    long: Literal["top", "bottom"] = "top",
    quantiles: object = 5,
    top_n: object = None,
    short: object = False,
    weighting: Literal["equal", "signal", "cap"] = "equal",
    max_weight: object = None,
    cost_bps: object = 10.0,
    benchmark: object = None,
) -> BacktestResult:
    """Backtest a signal: buy its best stocks (and optionally short its worst) at each rebalance.

    Parameters
    ----------
    signal : DataFrame or Scores
        Dates × tickers, higher = more attractive (``long="bottom"`` flips that); a
        :class:`~factorlab.Scores` uses its composite. NaN means "do not hold".
    ds : Dataset
    rebalance : "M", "W", "Q" or int
        Last trading day of each month, week or quarter, or every ``n`` trading days.
    lag : int
        Trading days from the signal to the holding: with ``lag=1`` weights decided at the close
        of *t* (from the signal at *t*) earn returns from *t+1*. At least 1.
    long : {"top", "bottom"}
    quantiles : int
        The long leg is the top quantile (the short leg the bottom one).
    top_n : int, optional
        Hold the ``top_n`` best instead (and short the ``top_n`` worst).
    short : bool
        Add the short leg: long +1, short -1 (dollar neutral).
    weighting : {"equal", "signal", "cap"}
        Within a leg: equal weights, weights rising with the signal, or by market cap.
    max_weight : float, optional
        Largest weight of one stock in a leg; the excess goes to the others.
    cost_bps : float
        Cost per unit of traded notional, in basis points (10 = 0.1 % of what is traded).
    benchmark : Series, "equal" or None
        Benchmark prices; None uses the dataset's (cap-weighted in the lab market), "equal" an
        equal-weight portfolio of every listed stock.

    Returns
    -------
    BacktestResult

    Examples
    --------
    >>> import factorlab as fl
    >>> ds = fl.load_dataset("sample", n_tickers=40, years=3)
    >>> result = fl.backtest(fl.factors.momentum(ds), ds, quantiles=4, cost_bps=5)
    >>> round(float(result.weights.iloc[-1].sum()), 6)
    1.0
    """
    lag_rows = as_int(lag, "lag")
    if lag_rows < 1:
        raise ConfigError(
            f"lag must be at least 1, got {lag_rows}: with lag 0 a signal made from a day's close "
            "would earn that same day's return (look-ahead)."
        )
    n_quantiles = as_int(quantiles, "quantiles")
    if n_quantiles < 2:
        raise ConfigError(f"quantiles must be at least 2 (top versus the rest), got {n_quantiles}.")
    n_top = None if top_n is None else as_int(top_n, "top_n", minimum=1)
    cost = as_float(cost_bps, "cost_bps")
    if cost < 0:
        raise ConfigError(f"cost_bps must be zero or more, got {cost}: trading never pays.")
    cap = None if max_weight is None else as_float(max_weight, "max_weight")
    if cap is not None and not 0 < cap <= 1:
        raise ConfigError(f"max_weight must be in (0, 1], got {cap}.")
    if long not in ("top", "bottom"):
        raise ConfigError(f"long must be 'top' or 'bottom', got {long!r}.")
    if weighting not in ("equal", "signal", "cap"):
        raise ConfigError(f"Unknown weighting {weighting!r}. Use 'equal', 'signal' or 'cap'.")

    panel = _aligned_signal(signal, ds).shift(lag_rows - 1)
    values = panel.to_numpy()
    listed = ds.prices.notna().to_numpy()
    has_signal = (~np.isnan(values) & listed).any(axis=1)
    if not has_signal.any():
        raise DataError(
            "The signal has no value for any listed stock on any date, so nothing can be held. "
            "Check that it is on the dataset's dates and tickers."
        )
    rows = rebalance_positions(ds.dates, rebalance, int(np.argmax(has_signal)))
    if len(rows) == 0:
        raise DataError("No rebalance day falls after the signal's first value.")
    size = None
    tradable = listed[rows]
    if weighting == "cap":
        from factorlab.factors.valuation import market_cap

        size = market_cap(ds).to_numpy()[rows]
        tradable = tradable & ~np.isnan(size)  # no market cap, no cap weight: not eligible
    targets = target_weights(
        values[rows],
        tradable,
        quantiles=n_quantiles,
        top_n=n_top,
        long_top=long == "top",
        short=as_bool(short, "short"),
        weighting=weighting,
        size=size,
        max_weight=cap,
    )
    usable = (~np.isnan(values[rows]) & tradable).sum(axis=1)
    warn_if_degenerate(targets, usable, ds.dates[rows], as_bool(short, "short"))
    sim = simulate(ds.prices, targets, rows, cost, delisted=ds.meta["delisted"])

    bench = _benchmark_returns(ds, benchmark, sim.returns.index)
    settings = {
        "rebalance": rebalance, "lag": lag_rows, "long": long, "quantiles": n_quantiles,
        "top_n": n_top, "short": as_bool(short, "short"), "weighting": weighting,
        "max_weight": cap, "cost_bps": cost,
    }  # fmt: skip
    return BacktestResult(
        returns=sim.returns,
        gross_returns=sim.gross_returns,
        weights=sim.weights,
        turnover=sim.turnover,
        costs=sim.costs,
        holdings_count=(sim.weights != 0).sum(axis=1).rename("holdings"),
        benchmark=bench,
        settings=settings,
    )


def _aligned_signal(signal: object, ds: Dataset) -> pd.DataFrame:
    panel = getattr(signal, "composite", signal)
    if not isinstance(panel, pd.DataFrame):
        raise DataError(
            f"signal must be a DataFrame of dates × tickers (or a Scores), got "
            f"{type(signal).__name__}."
        )
    extra_tickers = panel.columns.difference(ds.prices.columns)
    if len(extra_tickers):
        shown = ", ".join(map(str, extra_tickers[:5]))
        raise DataError(
            f"The signal has tickers the dataset does not: {shown}"
            f"{' and more' if len(extra_tickers) > 5 else ''}. Compute it from this dataset."
        )
    index = pd.DatetimeIndex(panel.index)
    extra_dates = index.difference(ds.dates)
    if len(extra_dates):
        raise DataError(
            f"The signal has {len(extra_dates)} dates that are not trading days of the dataset "
            f"(first {extra_dates[0]:%Y-%m-%d}). Compute it from this dataset, or reindex it "
            "to ds.dates."
        )
    try:
        numeric = panel.astype("float64")
    except (TypeError, ValueError) as err:
        raise DataError(f"The signal must hold numbers: {err}") from err
    infinite = np.isinf(numeric.to_numpy())
    if infinite.any():
        row, col = np.argwhere(infinite)[0]
        raise DataError(
            f"The signal is infinite for {numeric.columns[col]} on {index[row]:%Y-%m-%d} "
            f"({int(infinite.sum())} values in all). Replace infinities with NaN (not held)."
        )
    return numeric.set_axis(index, axis=0).reindex(index=ds.dates, columns=ds.prices.columns)


def _benchmark_returns(ds: Dataset, benchmark: object, days: pd.DatetimeIndex) -> pd.Series | None:
    if benchmark is None:
        if ds.benchmark is None:
            return None
        levels = ds.benchmark
    elif isinstance(benchmark, str) and benchmark == "equal":
        returns = ds.prices.pct_change(fill_method=None).mean(axis=1).loc[days]
        returns.iloc[0] = 0.0
        return returns.rename("equal-weight universe")
    elif isinstance(benchmark, pd.Series):
        levels = benchmark.reindex(ds.dates)
    else:
        raise ConfigError("benchmark must be None (the dataset's), 'equal' or a Series of prices.")
    returns = levels.pct_change(fill_method=None).loc[days]
    returns.iloc[0] = 0.0  # like the strategy, it starts at the first rebalance's close
    return returns.rename(levels.name or "benchmark")
