"""The portfolio simulator behind ``fl.backtest``: targets at each rebalance, drift in between.

Conventions (each tested):

- Weights are fractions of total equity, decided at the close of a rebalance day from the signal
  known then (``lag=1``; ``lag=2`` uses the signal of the day before) and earning returns from
  the next day on. ``weights.loc[t]`` is what is held over day ``t+1``.
- Between rebalances each position grows with its own price; cash earns nothing.
- A day without a price leaves a position's value unchanged, and the next price is measured
  from the last one seen. A position whose stock delists realizes its last return, and its
  value sits as cash from then on. At a rebalance, a position without a price (delisted or
  halted) is closed at its last value at no cost.
- Costs are ``cost_bps`` per unit of traded notional (the sum of absolute weight changes),
  deducted at the rebalance close.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from factorlab.errors import ConfigError

__all__ = ["Simulation", "rebalance_positions", "simulate", "target_weights"]


@dataclass(frozen=True)
class Simulation:
    """Raw output of :func:`simulate`, all on the dataset's calendar from the first rebalance."""

    gross_returns: pd.Series
    returns: pd.Series
    weights: pd.DataFrame
    turnover: pd.Series  # per rebalance day
    costs: pd.Series  # per day, as a return
    rebalances: pd.DatetimeIndex


def rebalance_positions(dates: pd.DatetimeIndex, rebalance: object, first: int) -> np.ndarray:
    """Row positions of the rebalance days from row ``first`` on: the last trading day of each
    month ("M"), week ("W") or quarter ("Q"), or every ``n`` trading days (an integer)."""
    if isinstance(rebalance, str) and rebalance.strip().upper() in ("M", "W", "Q"):
        code = rebalance.strip().upper()
        if code == "W":
            period = dates.to_period("W").asi8
        else:
            period = dates.to_period(code).asi8
        last = np.flatnonzero(np.r_[period[1:] != period[:-1], True])
        return last[last >= first]
    try:
        step = int(rebalance)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ConfigError(
            f"Unknown rebalance {rebalance!r}. Use 'M' (monthly), 'W' (weekly), 'Q' (quarterly) "
            "or a number of trading days such as 21."
        ) from None
    if step < 1:
        raise ConfigError(f"rebalance every {step} days is not possible; use 1 or more.")
    return np.arange(first, len(dates), step)


def target_weights(
    signal: np.ndarray,
    tradable: np.ndarray,
    *,
    quantiles: int,
    top_n: int | None,
    long_top: bool,
    short: bool,
    weighting: str,
    size: np.ndarray | None,
    max_weight: float | None,
) -> np.ndarray:
    """Target weights (``rebalances × tickers``): long leg sums to 1, short leg to -1.

    Vectorized over rebalance days: ranks are taken per row among tradable stocks with a signal.
    """
    usable = tradable & ~np.isnan(signal)
    score = np.where(usable, signal if long_top else -signal, np.nan)
    ranks = pd.DataFrame(score).rank(axis=1, method="first").to_numpy()  # 1 = worst
    count = usable.sum(axis=1, keepdims=True)
    if top_n is not None:
        long = ranks > count - top_n
        short_leg = ranks <= np.minimum(top_n, count)
    else:
        bucket = np.ceil(ranks * quantiles / np.maximum(count, 1))  # 1..quantiles
        long = bucket == quantiles
        short_leg = bucket == 1
    long &= usable
    short_leg &= usable & short & ~long
    weights = _leg(long, score, weighting, size, max_weight) - _leg(
        short_leg, -score, weighting, size, max_weight
    )
    return weights


def _leg(
    member: np.ndarray, score: np.ndarray, weighting: str, size: np.ndarray | None,
    max_weight: float | None,
) -> np.ndarray:  # fmt: skip
    if weighting == "equal":
        raw = member.astype(float)
    elif weighting == "signal":
        # Proportional to how far each member's signal lies beyond the weakest member's.
        strength = np.where(member, score, np.nan)
        floor = np.nanmin(np.where(member, strength, np.inf), axis=1, keepdims=True)
        spread = np.nanmax(np.where(member, strength, -np.inf), axis=1, keepdims=True) - floor
        raw = np.where(member, 1 + (strength - floor) / np.where(spread > 0, spread, 1), 0.0)
    elif weighting == "cap":
        raw = np.where(member, np.nan_to_num(size), 0.0)
    else:
        raise ConfigError(f"Unknown weighting {weighting!r}. Use 'equal', 'signal' or 'cap'.")
    total = raw.sum(axis=1, keepdims=True)
    weights = np.divide(raw, total, out=np.zeros_like(raw), where=total > 0)
    return weights if max_weight is None else _cap(weights, max_weight)


def _cap(weights: np.ndarray, max_weight: float) -> np.ndarray:
    """Clip weights at ``max_weight`` and hand the excess to the others in proportion, row by
    row at once; a leg too small to respect the cap is spread equally."""
    w = weights.copy()
    members = w > 0
    for _ in range(50):  # converges in a few passes; bounded, not a loop over data
        over = w > max_weight + 1e-12
        if not over.any():
            break
        excess = np.where(over, w - max_weight, 0.0).sum(axis=1, keepdims=True)
        w = np.where(over, max_weight, w)
        room = np.where(members & ~over & (w < max_weight), w, 0.0)
        share = np.divide(room, room.sum(axis=1, keepdims=True), out=np.zeros_like(room),
                          where=room.sum(axis=1, keepdims=True) > 0)  # fmt: skip
        w = w + share * excess
    impossible = members.sum(axis=1) * max_weight < 1 - 1e-12
    if impossible.any():
        w[impossible] = np.where(members[impossible], max_weight, 0.0)
    return w


def simulate(
    prices: pd.DataFrame,
    targets: np.ndarray,
    rebalances: np.ndarray,
    cost_bps: float,
) -> Simulation:
    """Hold ``targets[k]`` from the close of row ``rebalances[k]`` to the close of the next one.

    One cumulative log-return pass over the whole panel gives every position's growth since its
    segment began; there is no loop over days or tickers.
    """
    p = prices.to_numpy()
    n_days, _ = p.shape
    last_price = prices.ffill().to_numpy()
    returns = np.zeros_like(p)
    # From the last price seen, so a move across a trading halt is not lost; a day without a
    # price (halted, delisted, not yet listed) leaves a position's value where it was.
    returns[1:] = p[1:] / last_price[:-1] - 1
    returns[np.isnan(returns)] = 0.0
    log_growth = np.cumsum(np.log1p(returns), axis=0)

    first = rebalances[0]
    days = np.arange(first, n_days)
    # The holdings that earn day t's return were set at the last rebalance strictly before t.
    segment = np.searchsorted(rebalances, days, side="left") - 1
    segment[0] = 0  # the first rebalance day itself earns nothing (the portfolio was cash)
    start = rebalances[segment]
    held = targets[segment]
    growth = np.exp(log_growth[days] - log_growth[start])
    value = held * growth
    cash = 1 - targets.sum(axis=1)
    equity = cash[segment] + value.sum(axis=1)
    previous = np.r_[1.0, equity[:-1]]
    previous[np.isin(days - 1, rebalances)] = 1.0  # each segment starts from equity 1
    gross = np.where(days == first, 0.0, equity / previous - 1)

    # Weights just before each rebalance (a delisted position is cash, not traded).
    listed = ~np.isnan(p)
    turnover = np.empty(len(rebalances))
    turnover[0] = np.abs(targets[0]).sum()
    if len(rebalances) > 1:
        rows = rebalances[1:] - first
        before = value[rows] / equity[rows, None]
        before = np.where(listed[rebalances[1:]], before, 0.0)
        turnover[1:] = np.abs(targets[1:] - before).sum(axis=1)
    cost_rate = cost_bps / 1e4 * turnover
    cost = np.zeros(len(days))
    cost[rebalances - first] = cost_rate
    net = (1 + gross) * (1 - cost) - 1

    end_weights = value / equity[:, None]
    # After its last price a delisted stock's value is cash: it has no weight any more.
    last_row = n_days - 1 - np.argmax(listed[::-1], axis=0)
    end_weights[days[:, None] > last_row[None, :]] = 0.0
    end_weights[rebalances - first] = targets  # after the close's trades
    index = prices.index[first:]
    return Simulation(
        gross_returns=pd.Series(gross, index=index, name="gross"),
        returns=pd.Series(net, index=index, name="strategy"),
        weights=pd.DataFrame(end_weights, index=index, columns=prices.columns),
        turnover=pd.Series(turnover, index=prices.index[rebalances], name="turnover"),
        costs=pd.Series(cost, index=index, name="costs"),
        rebalances=prices.index[rebalances],
    )


def warn_if_degenerate(targets: np.ndarray, usable_count: np.ndarray, dates: pd.DatetimeIndex):
    """Warn when a portfolio holds nothing or everything (top-k larger than the universe)."""
    holds = (targets != 0).sum(axis=1)
    empty = holds == 0
    if empty.any():
        warnings.warn(
            f"On {int(empty.sum())} rebalance days no stock qualified (first {dates[empty][0]:%Y-%m-%d}); "
            "the portfolio sat in cash. Check the signal's coverage.",
            UserWarning,
            stacklevel=3,
        )
    everything = (holds == usable_count) & (usable_count > 1) & ~empty
    if everything.any():
        warnings.warn(
            f"On {int(everything.sum())} rebalance days the portfolio held every stock with a "
            "signal, so it is the universe, not a factor portfolio. Use fewer names (top_n) or "
            "more quantiles.",
            UserWarning,
            stacklevel=3,
        )
