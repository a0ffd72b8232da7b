"""``fl.backtest``: turn a signal into a portfolio and simulate it honestly."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd

from factorlab._warnings import warn
from factorlab.backtest.costs import ImpactCosts, cut_warning, impact_inputs
from factorlab.backtest.engine import (
    Rebalance,
    rebalance_code,
    rebalance_positions,
    simulate,
    target_weights,
    warn_if_degenerate,
)
from factorlab.backtest.optimized import OptimizedBook, check_optimizer
from factorlab.backtest.optimizer import Constraints
from factorlab.backtest.result import BacktestResult
from factorlab.data import Dataset
from factorlab.data.panels import align_panel
from factorlab.errors import ConfigError, DataError
from factorlab.factors.composite import Scores
from factorlab.factors.families.value import market_cap
from factorlab.params import as_bool, as_float, as_int

__all__ = ["backtest"]


def backtest(
    signal: pd.DataFrame | pd.Series | Scores,
    ds: Dataset,
    rebalance: Rebalance = "M",
    lag: int = 1,
    long: Literal["top", "bottom"] = "top",
    quantiles: int = 5,
    top_n: int | None = None,
    short: bool = False,
    weighting: Literal["equal", "signal", "cap"] = "equal",
    max_weight: float | None = None,
    cost_bps: float = 10.0,
    benchmark: pd.Series | Literal["equal"] | None = None,
    align: Literal["exact", "previous"] = "exact",
    fill: Literal["latest"] | None = None,
    *,
    construct: Literal["quantiles", "optimize"] = "quantiles",
    risk_model: Any = None,
    risk_aversion: float = 1.0,
    ic: float = 0.05,
    sector_neutral: bool = False,
    sector_bounds: tuple[float, float] | Mapping[object, tuple[float, float]] | None = None,
    factor_bounds: Mapping[str, tuple[float, float]] | None = None,
    max_turnover: float | None = None,
    target_vol: float | None = None,
    gross: float = 2.0,
    covariance_days: int = 252,
    costs: Literal["flat", "sqrt"] = "flat",
    aum: float = 1e8,
    impact: float = 1.0,
    participation: float | None = None,
) -> BacktestResult:
    """Backtest a signal: buy its best stocks (and optionally short its worst) at each rebalance.

    Parameters
    ----------
    signal : DataFrame, Series or Scores
        Dates × tickers, higher = more attractive (``long="bottom"`` flips that); a
        :class:`~factorlab.Scores` uses its composite, and a Series indexed by (date, asset),
        as alphalens takes a factor, is unstacked. NaN means "do not hold".
    ds : Dataset
    rebalance : "M", "W", "Q", "Y" or int
        Last trading day of each month, week, quarter or year, or every ``n`` trading days.
        pandas aliases (``"ME"``, ``"QE"``, ``"W-FRI"``, ``"W-WED"``) and words
        (``"monthly"``, ``"quarterly"``, ``"weekly"``) work too.
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
        Cost per unit of traded notional, in basis points (10 = 0.1 % of what is traded). A
        value between 0 and 1 warns: 0.0025 is more likely a fraction (25 bps) than a fortieth
        of a basis point.
    benchmark : Series, "equal" or None
        Benchmark prices; None uses the dataset's (cap-weighted in the lab market), "equal" an
        equal-weight portfolio of every listed stock.
    align : {"exact", "previous"}
        ``"previous"`` places a signal dated on non-trading days (``resample("ME")`` labels)
        on the last trading day on or before each date; see
        :func:`factorlab.data.panels.align_panel`.
    fill : {"latest"} or None
        ``"latest"`` carries each stock's last signal forward to the days without one, so a
        sparse signal (Fridays only) has a value on every rebalance day instead of sitting in
        cash.
    construct : {"quantiles", "optimize"}
        ``"quantiles"`` holds the top quantile (or ``top_n``) as ``weighting`` says;
        ``"optimize"`` solves, at each rebalance, for the weights that maximize the signal's
        expected return less ``risk_aversion`` times the variance, under the constraints below
        (see :mod:`factorlab.backtest.optimizer`; needs ``pip install 'factorlab[optimize]'``).
        ``short=True`` makes the optimized book dollar-neutral (``gross`` long plus short),
        otherwise it is long-only and fully invested; ``max_weight`` caps every position.
    risk_model : RiskModel, optional
        The risk of the optimized book (:func:`factorlab.risk_model`); without one, the
        Ledoit-Wolf shrunk covariance of the last ``covariance_days`` daily returns.
    risk_aversion : float
        Weight of the annual variance against the expected annual return.
    ic : float
        The information coefficient assumed for expected returns (Grinold's
        ``ic * volatility * z-score``).
    sector_neutral : bool
        Sector weights equal to the benchmark's (the cap-weighted universe for a long-only
        book; zero net for a dollar-neutral one).
    sector_bounds : (lo, hi) or mapping of sector to (lo, hi), optional
        Bounds on each sector's weight relative to that benchmark instead.
    factor_bounds : mapping of style to (lo, hi), optional
        Bounds on the book's exposure to a risk-model style, relative to the benchmark
        (``{"momentum": (-0.1, 0.1)}``); needs ``risk_model``.
    max_turnover : float, optional
        Largest sum of absolute weight changes at a rebalance after the first.
    target_vol : float, optional
        Largest annualized ex-ante volatility of the book.
    gross : float
        Long plus short weight of a dollar-neutral optimized book.
    covariance_days : int
        Trading days of returns in the shrunk covariance when no risk model is given.
    costs : {"flat", "sqrt"}
        ``"flat"``: ``cost_bps`` of every unit traded. ``"sqrt"``: that plus market impact by
        the square-root law, ``impact * daily volatility * sqrt(traded / ADV)`` of each trade,
        for a book of ``aum`` (see :mod:`factorlab.backtest.costs`); needs ``ds.volume``.
    aum : float
        The book's value at the start, in the prices' currency (for ``costs="sqrt"`` and
        ``participation``); it then grows or shrinks with the book.
    impact : float
        The square-root law's coefficient (about 1 in empirical studies).
    participation : float, optional
        Largest share of a stock's average daily traded value one rebalance may trade (0.1:
        10 %); the rest of an order is cut, with a warning. An optimized book is cut the same
        way after it is solved. Needs ``ds.volume``.

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
    if 0 < cost < 1:
        # 0.0025 is a fraction (25 bps) in other libraries; 0.25 more likely a percent (25 bps)
        fraction, percent = cost * 1e4, cost * 100
        meant, as_what = (fraction, "a fraction") if fraction <= 200 else (percent, "a percent")
        warn(
            f"cost_bps={cost:g} is {cost:g} basis points ({cost / 100:g} % of what is traded). "
            f"If you meant {meant:g} bps ({cost:g} as {as_what}, as some libraries count "
            f"costs), pass cost_bps={meant:g}."
        )
    schedule = rebalance_code(rebalance)
    cap = None if max_weight is None else as_float(max_weight, "max_weight")
    if cap is not None and not 0 < cap <= 1:
        raise ConfigError(f"max_weight must be in (0, 1], got {cap}.")
    if long not in ("top", "bottom"):
        raise ConfigError(f"long must be 'top' or 'bottom', got {long!r}.")
    if weighting not in ("equal", "signal", "cap"):
        raise ConfigError(f"Unknown weighting {weighting!r}. Use 'equal', 'signal' or 'cap'.")

    raw = align_panel(getattr(signal, "composite", signal), ds, "signal", align, fill)
    panel = raw.shift(lag_rows - 1)
    values = panel.to_numpy()
    listed = ds.prices.notna().to_numpy()
    has_signal = (~np.isnan(values) & listed).any(axis=1)
    if not has_signal.any():
        raise DataError(
            "The signal has no value for any listed stock on any date, so nothing can be held. "
            "Check that it is on the dataset's dates and tickers."
        )
    rows = rebalance_positions(ds.dates, schedule, int(np.argmax(has_signal)))
    if len(rows) == 0:
        raise DataError("No rebalance day falls after the signal's first value.")
    size = None
    tradable = listed[rows]
    if weighting == "cap":
        size = market_cap(ds).to_numpy()[rows]
        tradable = tradable & ~np.isnan(size)  # no market cap, no cap weight: not eligible
    if construct not in ("quantiles", "optimize"):
        raise ConfigError(f"construct must be 'quantiles' or 'optimize', got {construct!r}.")
    book: np.ndarray | OptimizedBook
    if construct == "optimize":
        book = _optimized_book(
            ds,
            values[rows],
            rows,
            long_top=long == "top",
            short=as_bool(short, "short"),
            max_weight=cap,
            top_n=n_top,
            weighting=weighting,
            risk_model=risk_model,
            risk_aversion=as_float(risk_aversion, "risk_aversion"),
            ic=as_float(ic, "ic"),
            sector_neutral=as_bool(sector_neutral, "sector_neutral"),
            sector_bounds=sector_bounds,
            factor_bounds=factor_bounds,
            max_turnover=None if max_turnover is None else as_float(max_turnover, "max_turnover"),
            target_vol=None if target_vol is None else as_float(target_vol, "target_vol"),
            gross=as_float(gross, "gross"),
            covariance_days=as_int(covariance_days, "covariance_days", minimum=20),
        )
    else:
        book = target_weights(
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
        between = np.ones(len(has_signal), dtype=bool)
        between[rows] = False
        sparse = fill is None and bool((has_signal & between).any())
        warn_if_degenerate(book, usable, ds.dates[rows], as_bool(short, "short"), sparse)
    if costs not in ("flat", "sqrt"):
        raise ConfigError(f"costs must be 'flat' or 'sqrt', got {costs!r}.")
    size_costs = None
    if costs == "sqrt" or participation is not None:
        size_costs = _impact_costs(ds, rows, cost, aum, impact, participation)
    sim = simulate(
        ds.prices,
        book,
        rows,
        cost,
        delisted=ds.meta["delisted"],
        costs=size_costs if costs == "sqrt" else None,
        limit=None if size_costs is None else size_costs.limit,
    )
    if size_costs is not None and (message := cut_warning(size_costs, ds.dates[rows])):
        warn(message)
    if isinstance(book, OptimizedBook) and book.skipped:
        warn(
            f"On {len(book.skipped)} rebalance days fewer than two stocks had a signal, a price "
            f"and a risk forecast (first {book.skipped[0]:%Y-%m-%d}; a risk model needs a month "
            "of factor returns, a shrunk covariance half its window); the book sat in cash."
        )

    bench = _benchmark_returns(ds, benchmark, sim.returns.index)
    settings = {
        "rebalance": schedule,
        "lag": lag_rows,
        "long": long,
        "quantiles": n_quantiles,
        "top_n": n_top,
        "short": as_bool(short, "short"),
        "weighting": weighting,
        "max_weight": cap,
        "cost_bps": cost,
        "construct": construct,
        "costs": costs,
    }
    if size_costs is not None:
        settings.update(aum=float(aum), impact=float(impact), participation=participation)
    if construct == "optimize":
        settings.update(
            risk_model="given" if risk_model is not None else f"shrunk {covariance_days}-day",
            risk_aversion=risk_aversion,
            ic=ic,
            sector_neutral=sector_neutral,
            sector_bounds=None if sector_bounds is None else str(sector_bounds),
            factor_bounds=None if factor_bounds is None else str(factor_bounds),
            max_turnover=max_turnover,
            target_vol=target_vol,
            gross=gross if short else None,
        )
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


def _impact_costs(
    ds: Dataset,
    rows: np.ndarray,
    cost_bps: float,
    aum: float,
    impact: float,
    participation: float | None,
) -> ImpactCosts:
    """The square-root cost model and volume cap of a backtest, its inputs read once."""
    book_value = as_float(aum, "aum")
    if book_value <= 0:
        raise ConfigError(f"aum must be positive, got {book_value}: the book's value at the start.")
    coefficient = as_float(impact, "impact")
    if coefficient < 0:
        raise ConfigError(f"impact must be zero or more, got {coefficient}.")
    cap = None if participation is None else as_float(participation, "participation")
    if cap is not None and not 0 < cap <= 1:
        raise ConfigError(f"participation must be in (0, 1], a share of daily volume; got {cap}.")
    volatility, adv = impact_inputs(ds, rows)
    return ImpactCosts(cost_bps, book_value, coefficient, volatility, adv, cap)


def _optimized_book(
    ds: Dataset,
    signal: np.ndarray,
    rows: np.ndarray,
    *,
    long_top: bool,
    short: bool,
    max_weight: float | None,
    top_n: int | None,
    weighting: str,
    risk_model: Any,
    risk_aversion: float,
    ic: float,
    sector_neutral: bool,
    sector_bounds: tuple[float, float] | Mapping[object, tuple[float, float]] | None,
    factor_bounds: Mapping[str, tuple[float, float]] | None,
    max_turnover: float | None,
    target_vol: float | None,
    gross: float,
    covariance_days: int,
) -> OptimizedBook:
    """The optimized book's settings checked, and the book (see :mod:`.optimized`)."""
    check_optimizer()
    if top_n is not None or weighting != "equal":
        raise ConfigError(
            "top_n and weighting choose the quantile rule's holdings; an optimized book "
            "(construct='optimize') chooses its own. Drop them, or use construct='quantiles'."
        )
    if sector_neutral and sector_bounds is not None:
        raise ConfigError("Give sector_neutral=True or sector_bounds, not both.")
    if factor_bounds and risk_model is None:
        raise ConfigError("factor_bounds needs a risk model: pass risk_model=fl.risk_model(ds).")
    for name, value in (("max_turnover", max_turnover), ("target_vol", target_vol)):
        if value is not None and value <= 0:
            raise ConfigError(f"{name} must be positive, got {value}.")
    if risk_aversion < 0:
        raise ConfigError(f"risk_aversion must be zero or more, got {risk_aversion}.")
    if risk_model is not None:
        last = risk_model.factor_returns.index[-1]
        if last < ds.dates[rows[-1]]:
            raise ConfigError(
                f"The risk model ends on {last:%Y-%m-%d}, before the backtest's last rebalance "
                f"({ds.dates[rows[-1]]:%Y-%m-%d}): its risk would be stale. Fit it on the data "
                "the backtest runs on: risk_model=fl.risk_model(ds)."
            )
    bounds = (0.0, 0.0) if sector_neutral else sector_bounds
    sectors = None
    if bounds is not None:
        sectors = ds.groups("sector", "bound").reindex(ds.prices.columns).to_numpy(dtype=object)
    constraints = Constraints(
        long_only=not short,
        gross=gross,
        max_weight=max_weight,
        sector_bounds=bounds,
        factor_bounds=factor_bounds,
        max_turnover=max_turnover,
        target_vol=target_vol,
    )
    return OptimizedBook(
        ds,
        signal,
        rows,
        constraints,
        risk_model=risk_model,
        risk_aversion=risk_aversion,
        ic=ic,
        long_top=long_top,
        covariance_days=covariance_days,
        caps=None if short else market_cap(ds).to_numpy()[rows],
        sectors=sectors,
    )


def _benchmark_returns(
    ds: Dataset, benchmark: pd.Series | str | None, days: pd.DatetimeIndex
) -> pd.Series | None:
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
    # From the last level known, as a stock's return is measured across a halt: a day without a
    # level has no return (it is left out of comparisons), and the move across the gap counts
    # on the day the level is known again.
    returns = (levels / levels.ffill().shift(1) - 1).where(levels.notna()).loc[days]
    returns.iloc[0] = 0.0  # like the strategy, it starts at the first rebalance's close
    return returns.rename(levels.name or "benchmark")
