"""The portfolio simulator behind ``fl.backtest``: targets at each rebalance, drift in between.

Conventions (each tested):

- Weights are fractions of total equity, decided at the close of a rebalance day from the signal
  known then (``lag=1``; ``lag=2`` uses the signal of the day before) and earning returns from
  the next day on. ``weights.loc[t]`` is what is held over day ``t+1``.
- Between rebalances each position grows with its own price; cash earns nothing.
- A day without a price leaves a position's value unchanged, and the next price is measured
  from the last one seen. A position whose stock delists realizes its last return, and its
  value sits as cash from then on. At a rebalance, a delisted position is closed at its last
  value at no cost; a halted one (no price, not delisted) cannot trade, so it is carried as it
  is and each leg of the rest is scaled to the target leg's size around it.
- Costs are ``cost_bps`` per unit of traded notional (the sum of absolute weight changes),
  deducted at the rebalance close.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, TypeAlias

import numpy as np
import pandas as pd

from factorlab.backtest.crosssection import quantile_buckets
from factorlab.errors import ConfigError
from factorlab.params import as_int

__all__ = [
    "Rebalance",
    "Simulation",
    "rebalance_code",
    "rebalance_name",
    "rebalance_positions",
    "simulate",
    "target_weights",
]


@dataclass(frozen=True)
class Simulation:
    """Raw output of :func:`simulate`, all on the dataset's calendar from the first rebalance."""

    gross_returns: pd.Series
    returns: pd.Series
    weights: pd.DataFrame
    turnover: pd.Series  # per rebalance day
    costs: pd.Series  # per day, as a return
    rebalances: pd.DatetimeIndex


# How often to rebalance: a calendar period, in factorlab's, pandas' or plain words, or a
# number of trading days. Text such as "21" also works at run time (papermill passes text).
Rebalance: TypeAlias = (
    Literal[
        "M",
        "W",
        "Q",
        "Y",
        "ME",
        "QE",
        "YE",
        "BME",
        "BQE",
        "W-MON",
        "W-TUE",
        "W-WED",
        "W-THU",
        "W-FRI",
        "monthly",
        "weekly",
        "quarterly",
        "yearly",
        "daily",
    ]
    | int
)

_CALENDAR = {
    "M": "M",
    "ME": "M",
    "BM": "M",
    "BME": "M",
    "MONTH": "M",
    "MONTHLY": "M",
    "Q": "Q",
    "QE": "Q",
    "BQ": "Q",
    "BQE": "Q",
    "QUARTER": "Q",
    "QUARTERLY": "Q",
    "W": "W",
    "WEEK": "W",
    "WEEKLY": "W",
    "Y": "Y",
    "YE": "Y",
    "BY": "Y",
    "BYE": "Y",
    "A": "Y",
    "BA": "Y",
    "YEAR": "Y",
    "YEARLY": "Y",
    "ANNUAL": "Y",
    "ANNUALLY": "Y",
}
_DAILY = {"D", "B", "DAY", "DAILY"}
_WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
_NAMES = {"M": "monthly", "Q": "quarterly", "W": "weekly", "Y": "yearly"}


def rebalance_code(rebalance: Rebalance | str) -> str | int:
    """The rebalance schedule in one spelling: a calendar code or a number of trading days.

    The spellings: ``"M"``, ``"Q"``, ``"W"`` (weeks ending on the weekend), ``"W-WED"`` (weeks
    ending on another day), ``"Y"``, or a number of trading days.

    pandas' aliases (``"ME"``, ``"QE"``, ``"BME"``, ``"W-FRI"``, ``"YE"``) and words
    (``"monthly"``, ``"quarterly"``, ``"weekly"``, ``"yearly"``, ``"daily"``) are accepted.

    Examples
    --------
    >>> rebalance_code("ME"), rebalance_code("quarterly"), rebalance_code("W-FRI"), rebalance_code("21")
    ('M', 'Q', 'W', 21)
    """
    if isinstance(rebalance, str):
        text = rebalance.strip().upper()
        if text in _CALENDAR:
            return _CALENDAR[text]
        if text in _DAILY:
            return 1
        day = text.removeprefix("W-")
        if text.startswith("W-") and day in _WEEKDAYS:
            # A week ending Friday, Saturday or Sunday closes on its Friday, as "W" does.
            return "W" if day in ("FRI", "SAT", "SUN") else f"W-{day}"
    try:
        if isinstance(rebalance, bool):  # True is not a number of days
            raise ConfigError("a boolean")
        step = as_int(rebalance, "rebalance")  # 21.7 is refused, not cut to 21
    except ConfigError:
        raise ConfigError(
            f"Unknown rebalance {rebalance!r}. Use 'M' (monthly), 'W' (weekly), 'Q' "
            "(quarterly), 'Y' (yearly), a pandas alias such as 'ME', 'QE' or 'W-FRI', or a "
            "number of trading days such as 21."
        ) from None
    if step < 1:
        raise ConfigError(f"rebalance every {step} days is not possible; use 1 or more.")
    return step


def rebalance_name(code: str | int) -> str:
    """``"monthly"``, ``"weekly (Wednesdays)"``, ``"every 21 days"``, ``"daily"``."""
    if isinstance(code, int):
        return "daily" if code == 1 else f"every {code} days"
    if code.startswith("W-"):
        return f"weekly ({code[2:].title()})"
    return _NAMES[code]


def rebalance_positions(
    dates: pd.DatetimeIndex, rebalance: Rebalance | str, first: int
) -> np.ndarray:
    """Row positions of the rebalance days from row ``first`` on.

    The last trading day of each month, quarter, year or week, or every ``n`` trading days (see
    :func:`rebalance_code`).
    """
    code = rebalance_code(rebalance)
    if isinstance(code, str):
        period = dates.to_period(code).asi8
        # The data's last day closes its period only if it is that period's last business day.
        closes_on = 4 if code == "W" else _WEEKDAYS.index(code[2:]) if code.startswith("W-") else 0
        end = {
            "M": pd.offsets.BMonthEnd(),
            "Q": pd.offsets.BQuarterEnd(),
            "Y": pd.offsets.BYearEnd(),
        }.get(code[0], pd.offsets.Week(weekday=closes_on))
        complete = bool(end.is_on_offset(dates[-1])) if len(dates) else False
        last = np.flatnonzero(np.r_[period[1:] != period[:-1], complete])
        return last[last >= first]
    step = min(code, max(len(dates), 1))  # longer than the data: one rebalance, at the start
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

    Vectorized over rebalance days, among tradable stocks with a signal: the legs are the top
    and bottom ``pd.qcut`` buckets (as in ``fl.evaluate``), or the ``top_n`` best and worst with
    ties at the cut-off all included. A stock in both legs (a tiny universe) is only long.
    """
    usable = tradable & ~np.isnan(signal)
    score = np.where(usable, signal if long_top else -signal, np.nan)
    if top_n is not None:
        # Ties at the cut-off are all held, rather than picked by ticker order.
        best = pd.DataFrame(-score).rank(axis=1, method="min").to_numpy()
        worst = pd.DataFrame(score).rank(axis=1, method="min").to_numpy()
        long = best <= top_n
        short_leg = worst <= top_n
    else:
        # The same buckets as fl.evaluate (pd.qcut per day): ties share a bucket.
        bucket = quantile_buckets(pd.DataFrame(score), quantiles).to_numpy()
        long = bucket == quantiles
        short_leg = bucket == 1
    short_leg &= usable & short & ~long
    weights = _leg(long, score, weighting, size, max_weight) - _leg(
        short_leg, -score, weighting, size, max_weight
    )
    return weights


def _leg(
    member: np.ndarray,
    score: np.ndarray,
    weighting: str,
    size: np.ndarray | None,
    max_weight: float | None,
) -> np.ndarray:
    if weighting == "equal":
        raw = member.astype(float)
    elif weighting == "signal":
        # Proportional to how far each member's signal lies beyond the weakest member's.
        strength = np.where(member, score, np.nan)
        floor = np.nanmin(np.where(member, strength, np.inf), axis=1, keepdims=True)
        spread = np.nanmax(np.where(member, strength, -np.inf), axis=1, keepdims=True) - floor
        raw = np.where(member, 1 + (strength - floor) / np.where(spread > 0, spread, 1), 0.0)
    elif weighting == "cap":
        if size is None:
            raise ConfigError("weighting='cap' needs market caps; none were given.")
        raw = np.where(member, np.nan_to_num(size), 0.0)
    else:
        raise ConfigError(f"Unknown weighting {weighting!r}. Use 'equal', 'signal' or 'cap'.")
    total = raw.sum(axis=1, keepdims=True)
    weights = np.divide(raw, total, out=np.zeros_like(raw), where=total > 0)
    return weights if max_weight is None else _cap(weights, max_weight)


def _cap(weights: np.ndarray, max_weight: float) -> np.ndarray:
    """The weights clipped at ``max_weight``, the excess handed to the others in proportion.

    Row by row at once; in a leg too small to respect the cap, every member gets ``max_weight``
    and the rest stays in cash.
    """
    w = weights.copy()
    members = w > 0
    for _ in range(50):  # converges in a few passes; bounded, not a loop over data
        over = w > max_weight + 1e-12
        if not over.any():
            break
        excess = np.where(over, w - max_weight, 0.0).sum(axis=1, keepdims=True)
        w = np.where(over, max_weight, w)
        room = np.where(members & ~over & (w < max_weight), w, 0.0)
        share = np.divide(
            room,
            room.sum(axis=1, keepdims=True),
            out=np.zeros_like(room),
            where=room.sum(axis=1, keepdims=True) > 0,
        )
        w = w + share * excess
    impossible = members.sum(axis=1) * max_weight < 1 - 1e-12
    if impossible.any():
        w[impossible] = np.where(members[impossible], max_weight, 0.0)
    return w


def simulate(
    prices: pd.DataFrame,
    targets: np.ndarray | Callable[[int, np.ndarray], np.ndarray],
    rebalances: np.ndarray,
    cost_bps: float,
    delisted: pd.Series | None = None,
    costs: Callable[[int, np.ndarray, float], float] | None = None,
    limit: Callable[[int, np.ndarray, np.ndarray, float], np.ndarray] | None = None,
) -> Simulation:
    """Hold ``targets[k]`` from the close of row ``rebalances[k]`` to the close of the next one.

    ``targets`` may instead be a function of the rebalance's number and the weights held just
    before it (drifted, delisted stocks as cash) that returns the target: for a book whose
    choice depends on what it holds (a turnover limit).

    ``costs(k, trades, level)`` replaces the flat ``cost_bps``: the cost of rebalance ``k``'s
    weight changes as a fraction of equity, given the book's value then (1 at the start, net of
    costs). ``limit(k, before, target, level)`` may cut the trades first (a volume cap).

    ``delisted`` gives each ticker's last trading day (NaT while alive): after it, a position's
    value is cash. A held stock with no price on a rebalance day that has not delisted is
    halted: it cannot be traded, so it is carried at its last value and each leg of the rest of
    the book is scaled to keep the target leg's size (see ``_around_stuck``). A loop over
    rebalance days (each depends on the one before); within a holding period every position's
    growth comes from one cumulative log-return pass.
    """
    p = prices.to_numpy()
    n_days, n = p.shape
    last_price = prices.ffill().to_numpy()
    returns = np.zeros_like(p)
    # From the last price seen, so a move across a trading halt is not lost; a day without a
    # price (halted, delisted, not yet listed) leaves a position's value where it was.
    returns[1:] = p[1:] / last_price[:-1] - 1
    returns[np.isnan(returns)] = 0.0
    log_growth = np.cumsum(np.log1p(returns), axis=0)
    priced = ~np.isnan(p)
    gone_after = _last_day_rows(prices.index, delisted, n)

    first = rebalances[0]
    gross = np.zeros(n_days - first)
    cost = np.zeros(n_days - first)
    end_weights = np.zeros((n_days - first, n))
    turnover = np.zeros(len(rebalances))
    held = np.zeros(n)
    level = 1.0  # the book's net value at this close, before its trades (1 at the start)
    for k, day in enumerate(rebalances):
        dead = day > gone_after  # delisted by now: the value was paid out as cash
        stuck = (held != 0) & ~priced[day] & ~dead
        target = targets(k, np.where(dead, 0.0, held)) if callable(targets) else targets[k]
        if stuck.any():
            target = _around_stuck(target, held, stuck)
        before = np.where(dead, 0.0, held)
        if limit is not None:
            target = limit(k, before, target, level)
        turnover[k] = np.abs(target - before).sum()
        if costs is None:
            cost[day - first] = cost_bps / 1e4 * turnover[k]
        else:
            cost[day - first] = costs(k, target - before, level)
        level *= 1 - cost[day - first]
        end_weights[day - first] = target
        stop = rebalances[k + 1] if k + 1 < len(rebalances) else n_days - 1
        if stop > day:
            span = np.arange(day + 1, stop + 1)
            value = target * np.exp(log_growth[span] - log_growth[day])
            equity = 1 - target.sum() + value.sum(axis=1)
            gross[span - first] = equity / np.r_[1.0, equity[:-1]] - 1
            level *= equity[-1]
            weights = value / equity[:, None]
            held = weights[-1].copy()
            weights[span[:, None] > gone_after[None, :]] = 0.0  # shown as cash once delisted
            end_weights[span - first] = weights
        end_weights[day - first] = target  # after the close's trades
    net = (1 + gross) * (1 - cost) - 1
    index = prices.index[first:]
    return Simulation(
        gross_returns=pd.Series(gross, index=index, name="gross"),
        returns=pd.Series(net, index=index, name="strategy"),
        weights=pd.DataFrame(end_weights, index=index, columns=prices.columns),
        turnover=pd.Series(turnover, index=prices.index[rebalances], name="turnover"),
        costs=pd.Series(cost, index=index, name="costs"),
        rebalances=prices.index[rebalances],
    )


def _around_stuck(target: np.ndarray, held: np.ndarray, stuck: np.ndarray) -> np.ndarray:
    """``target`` rebuilt around positions that cannot trade (``stuck``, kept as ``held``).

    Each leg of the rest (long, short) is scaled down so that, with the stuck positions on its
    side, the leg keeps the target leg's size: a fully invested book stays so, one that holds
    cash keeps that cash, and a dollar-neutral one stays neutral (a halted short is offset
    inside the short leg, not by the long one). A leg is never scaled up (which could break
    a weight cap), and one whose stuck positions exceed its size is left at those alone.
    """
    free = np.where(stuck, 0.0, target)
    for sign in (1.0, -1.0):  # the long leg, then the short one
        leg = sign * free > 0
        size = target[sign * target > 0].sum()  # including what it wanted in stuck names
        kept = held[stuck & (sign * held > 0)].sum()
        room = free[leg].sum()
        if room != 0:
            free[leg] *= min(max((size - kept) / room, 0.0), 1.0)
    free[stuck] = held[stuck]
    return free


def _last_day_rows(dates: pd.DatetimeIndex, delisted: pd.Series | None, n: int) -> np.ndarray:
    """Row of each ticker's delisting (its last trading day); past the end while alive."""
    if delisted is None:
        return np.full(n, len(dates))
    days = pd.DatetimeIndex(delisted)
    rows = np.searchsorted(dates.to_numpy(), days.to_numpy(), side="left").astype(float)
    rows[days.isna()] = len(dates)
    return rows


def warn_if_degenerate(
    targets: np.ndarray,
    usable_count: np.ndarray,
    dates: pd.DatetimeIndex,
    short: bool,
    sparse: bool = False,
) -> None:
    """Warnings for a portfolio that holds nothing or everything, or has a lopsided short leg.

    Warn when a portfolio holds nothing or everything, or its short leg is empty or smaller
    than its long leg (a universe too small for the quantiles). ``sparse``: the signal has
    values on days between rebalances, so an empty rebalance day may be a gap in a sparse
    signal, which ``fill="latest"`` would carry over.
    """
    holds = (targets != 0).sum(axis=1)
    empty = holds == 0
    if empty.any():
        fix = (
            "The signal has values on other days: if it is sparse (weekly, say), pass "
            "fill='latest' to carry each stock's last value forward to the rebalance days."
            if sparse
            else "Check the signal's coverage."
        )
        warnings.warn(
            f"On {int(empty.sum())} of {len(empty)} rebalance days no stock qualified (first "
            f"{dates[empty][0]:%Y-%m-%d}); the portfolio sat in cash. {fix}",
            UserWarning,
            stacklevel=3,
        )
    everything = (holds == usable_count) & (usable_count > 1) & ~empty & (targets >= 0).all(axis=1)
    if everything.any():
        warnings.warn(
            f"On {int(everything.sum())} rebalance days the portfolio held every stock with a "
            "signal, so it is the universe, not a factor portfolio. Use fewer names (top_n) or "
            "more quantiles.",
            UserWarning,
            stacklevel=3,
        )
    if short:
        longs, shorts = (targets > 0).sum(axis=1), (targets < 0).sum(axis=1)
        lopsided = (shorts < longs) & ~empty
        if lopsided.any():
            warnings.warn(
                f"On {int(lopsided.sum())} rebalance days the short leg had fewer names than the "
                f"long leg (first {dates[lopsided][0]:%Y-%m-%d}; on some it may be empty): the "
                "universe is too small for these quantiles.",
                UserWarning,
                stacklevel=3,
            )
