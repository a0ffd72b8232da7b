"""``fl.monitor``: what changed in the scores between two dates, as alerts.

It is pure: no files, no network, no clock.

Scores on each date use only what was knowable at its close (factorlab's scores are point in
time), so the alerts for ``since`` → ``until`` never depend on anything after ``until``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np
import pandas as pd

from factorlab.data import Dataset
from factorlab.errors import ConfigError
from factorlab.factors import score
from factorlab.factors.screening import scoring_window
from factorlab.factors.weights import Weights
from factorlab.params import DateLike, as_date, as_float, as_int

__all__ = ["ALERT_COLUMNS", "Thresholds", "monitor"]

ALERT_COLUMNS = ["date", "ticker", "kind", "family", "before", "after", "message"]


@dataclass(frozen=True)
class Thresholds:
    """When a change is worth an alert.

    top_n : entering or leaving the top (or bottom) ``top_n`` by composite.
    zscore_move : a family z-score moving by more than this many standard deviations.
    rank_move : the composite rank moving by more than this many places.
    drawdown : the price more than this fraction below its high since ``since``.
    """

    top_n: int = 10
    zscore_move: float = 1.0
    rank_move: int = 20
    drawdown: float = 0.15

    @classmethod
    def parse(cls, value: object) -> Thresholds:
        """From None, a Thresholds, a dict, or text such as ``"top_n=5,drawdown=0.2"``."""
        if value is None:
            return cls()
        if isinstance(value, Thresholds):
            return value
        if isinstance(value, str):
            items = [part.split("=", 1) for part in value.replace(";", ",").split(",") if part]
            if any(len(item) != 2 for item in items):
                raise ConfigError(
                    f"thresholds must look like 'top_n=10,drawdown=0.15', got {value!r}."
                )
            value = {k.strip(): v.strip() for k, v in items}
        if not isinstance(value, dict):
            raise ConfigError(f"thresholds must be a dict or text, got {type(value).__name__}.")
        known = {f.name: f.type for f in fields(cls)}
        unknown = sorted(set(value) - set(known))
        if unknown:
            raise ConfigError(
                f"Unknown threshold(s) {', '.join(unknown)}; known: {', '.join(known)}."
            )
        parsed: dict[str, Any] = {
            k: (as_int(v, k) if known[k] == "int" else as_float(v, k)) for k, v in value.items()
        }
        return cls(**parsed)


def monitor(
    ds: Dataset,
    weights: Weights = None,
    since: DateLike | None = None,
    until: DateLike | None = None,
    thresholds: Thresholds | Mapping[str, float] | str | None = None,
) -> pd.DataFrame:
    """Alerts for what changed between the closes of ``since`` and ``until``.

    Kinds: ``entered top``, ``left top``, ``entered bottom``, ``left bottom`` (top/bottom
    ``top_n`` by composite), ``zscore move`` (a family score moved more than ``zscore_move``),
    ``rank move`` (the composite rank moved more than ``rank_move`` places), ``drawdown`` (the
    price is more than ``drawdown`` below its high since ``since``), and ``new fundamentals``
    (figures that became known after ``since``, up to ``until``).

    Parameters
    ----------
    ds : Dataset
    weights : family weights, as for :func:`factorlab.score`
    since, until : dates
        ``until`` defaults to the last date; ``since`` to 21 trading days before it. Each is
        moved back to the last trading day on or before it.
    thresholds : Thresholds, dict or text

    Returns
    -------
    DataFrame
        One row per alert: ``date`` (``until``), ``ticker``, ``kind``, ``family`` (for a
        z-score move), ``before``, ``after``, ``message``.

    Examples
    --------
    >>> import factorlab as fl
    >>> ds = fl.load_dataset("sample", n_tickers=40, years=3)
    >>> alerts = monitor(ds, since="2024-11-29")  # fl.monitor
    >>> set(alerts["kind"]) <= {"entered top", "left top", "entered bottom", "left bottom",
    ...                         "zscore move", "rank move", "drawdown", "new fundamentals"}
    True
    """
    limits = Thresholds.parse(thresholds)
    end = _trading_day(ds, until, "until") if until is not None else ds.end
    start = (
        _trading_day(ds, since, "since")
        if since is not None
        else ds.dates[max(ds.dates.get_loc(end) - 21, 0)]
    )
    if start >= end:
        raise ConfigError(f"since ({start:%Y-%m-%d}) must be before until ({end:%Y-%m-%d}).")
    known = ds.as_of(end)  # nothing after until can reach an alert
    scores = score(scoring_window(known, start), weights=weights)  # since..until, not decades
    alerts: list[dict[str, Any]] = []
    before, after = _ranked(scores.composite.loc[start]), _ranked(scores.composite.loc[end])
    alerts += _membership(before, after, limits.top_n)
    alerts += _rank_moves(before, after, limits.rank_move)
    for family, panel in scores.components.items():
        alerts += _zscore_moves(family, panel.loc[start], panel.loc[end], limits.zscore_move)
    alerts += _drawdowns(known.prices.loc[start:end], limits.drawdown)
    alerts += _new_fundamentals(known, start, end)
    table = pd.DataFrame(alerts, columns=ALERT_COLUMNS[1:])
    table.insert(0, "date", end)
    table.attrs.update({"since": start, "until": end, "thresholds": asdict(limits)})
    return table.sort_values(["kind", "ticker"], ignore_index=True)


def _trading_day(ds: Dataset, value: object, name: str) -> pd.Timestamp:
    day = as_date(value, name)
    position = ds.dates.searchsorted(day, side="right") - 1
    if position < 0:
        raise ConfigError(
            f"{name} ({day:%Y-%m-%d}) is before the data starts ({ds.start:%Y-%m-%d})."
        )
    return ds.dates[position]


def _ranked(composite: pd.Series) -> pd.Series:
    """Rank 1 = best, on the stocks that have a composite."""
    return composite.dropna().rank(ascending=False, method="first").astype(int)


def _membership(before: pd.Series, after: pd.Series, n: int) -> list[dict[str, Any]]:
    out = []
    for side in ("top", "bottom"):
        was, now = _members(before, n, side), _members(after, n, side)
        for ticker in sorted(now - was):
            out.append(
                {
                    "ticker": ticker,
                    "kind": f"entered {side}",
                    "before": _rank_or_nan(before, ticker),
                    "after": after[ticker],
                    "message": f"{ticker} entered the {side} {n} (rank "
                    f"{_rank_text(before, ticker)} -> {after[ticker]})",
                }
            )
        for ticker in sorted(was - now):
            out.append(
                {
                    "ticker": ticker,
                    "kind": f"left {side}",
                    "before": before[ticker],
                    "after": _rank_or_nan(after, ticker),
                    "message": f"{ticker} left the {side} {n} (rank {before[ticker]} -> "
                    f"{_rank_text(after, ticker)})",
                }
            )
    return out


def _members(ranks: pd.Series, n: int, side: str) -> set[str]:
    chosen = ranks <= n if side == "top" else ranks > len(ranks) - n
    return set(ranks.index[chosen.to_numpy()])


def _rank_or_nan(ranks: pd.Series, ticker: str) -> float:
    return float(ranks[ticker]) if ticker in ranks.index else np.nan


def _rank_text(ranks: pd.Series, ticker: str) -> str:
    return str(ranks[ticker]) if ticker in ranks.index else "unranked"


def _rank_moves(before: pd.Series, after: pd.Series, limit: int) -> list[dict[str, Any]]:
    both = before.index.intersection(after.index)
    change = after[both] - before[both]
    moved = change[change.abs() > limit]
    return [
        {
            "ticker": t,
            "kind": "rank move",
            "before": before[t],
            "after": after[t],
            "message": f"{t} moved {'up' if d < 0 else 'down'} {abs(d)} places in the composite "
            f"rank ({before[t]} -> {after[t]})",
        }
        for t, d in moved.items()
    ]


def _zscore_moves(
    family: str, before: pd.Series, after: pd.Series, limit: float
) -> list[dict[str, Any]]:
    change = (after - before).dropna()
    moved = change[change.abs() > limit]
    return [
        {
            "ticker": t,
            "kind": "zscore move",
            "family": family,
            "before": before[t],
            "after": after[t],
            "message": f"{t}'s {family} score moved {d:+.2f} sd ({before[t]:+.2f} -> "
            f"{after[t]:+.2f})",
        }
        for t, d in moved.items()
    ]


def _drawdowns(prices: pd.DataFrame, limit: float) -> list[dict[str, Any]]:
    high, last = prices.max(), prices.ffill().iloc[-1]
    drop = (last / high - 1).dropna()
    deep = drop[drop < -limit]
    return [
        {
            "ticker": t,
            "kind": "drawdown",
            "before": high[t],
            "after": last[t],
            "message": f"{t} is {-d:.1%} below its high of {high[t]:,.2f} since "
            f"{prices.index[0]:%Y-%m-%d}",
        }
        for t, d in deep.items()
    ]


def _new_fundamentals(ds: Dataset, start: pd.Timestamp, end: pd.Timestamp) -> list[dict[str, Any]]:
    if ds.fundamentals is None:
        return []
    f = ds.fundamentals
    fresh = f[(f["available_at"] > start) & (f["available_at"] <= end)]
    return [
        {
            "ticker": row.ticker,
            "kind": "new fundamentals",
            "before": np.nan,
            "after": np.nan,
            "message": f"{row.ticker} reported {row.fiscal_period} (period "
            f"ended {row.period_end:%Y-%m-%d}), known from "
            f"{row.available_at:%Y-%m-%d}",
        }
        for row in fresh.itertuples()
    ]


# -- the scheduled command ----------------------------------------------------------------------
