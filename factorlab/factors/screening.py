"""The screen: one row per stock at a date, with its metrics, family scores and composite."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Literal

import pandas as pd

from factorlab._warnings import warn
from factorlab.data import Dataset
from factorlab.errors import DataError
from factorlab.factors.composite import score
from factorlab.factors.custom import read_custom
from factorlab.factors.exposure import usable_by
from factorlab.factors.metric import DAYS_PER_YEAR
from factorlab.factors.registry import FUNDAMENTAL_FAMILIES, METRICS
from factorlab.factors.weights import Weights
from factorlab.params import DateLike, as_date, as_int

__all__ = ["scoring_window", "screen", "sector_shares", "styled"]

_HISTORY_DAYS = DAYS_PER_YEAR + 60  # enough rows for every trailing window, with room to spare
_PERCENT = {m.name for m in METRICS if m.unit == "percent"}  # shown as percentages


def scoring_window(ds: Dataset, first: DateLike) -> Dataset:
    """``ds`` from about a year of trading days before ``first``: every trailing window a score
    on ``first`` or later needs, and no more, so scoring a few dates does not score decades.

    Examples
    --------
    >>> import factorlab as fl
    >>> ds = fl.load_dataset("sample", n_tickers=20, years=5)
    >>> part = scoring_window(ds, ds.end)
    >>> len(part.dates) < len(ds.dates), part.end == ds.end
    (True, True)
    """
    position = ds.dates.searchsorted(as_date(first, "first"), side="right") - 1
    return ds.slice(start=ds.dates[max(0, position - _HISTORY_DAYS)])


def screen(
    ds: Dataset,
    top: int | None = 10,
    weights: Weights = None,
    as_of: DateLike | None = None,
    method: Literal["zscore", "rank"] = "zscore",
    neutralize: str | None = None,
    winsorize: float = 0.01,
    allow_short: bool = False,
    custom: Mapping[str, object] | None = None,
) -> pd.DataFrame:
    """Rank the stocks on one date, best composite first.

    Only what was knowable at the close of ``as_of`` (default: the last date) is used; an
    ``as_of`` after the data's last day uses that day, with a warning. The scoring options,
    ``custom`` factors included, are those of :func:`factorlab.score`.

    Returns
    -------
    DataFrame
        Indexed by ticker: ``name``, ``sector``, ``price``, every raw metric of the weighted
        families (a custom factor's raw value under its own name), each family's score,
        ``composite`` and ``rank`` (1 = best); the ``top`` rows,
        or all with ``top=None``. ``.attrs["excluded"]`` maps each ticker left out to the
        reason; ``.attrs["as_of"]`` and ``.attrs["weights"]`` say what was used, and
        ``.attrs["universe"]`` how many stocks were ranked. Show it with
        :func:`styled` for a formatted table.

    Examples
    --------
    >>> import factorlab as fl
    >>> ds = fl.load_dataset("sample", n_tickers=40, years=3)
    >>> table = fl.screen(ds, top=5)
    >>> len(table), table["rank"].tolist()
    (5, [1, 2, 3, 4, 5])
    """
    count = None if top is None else as_int(top, "top", minimum=1)
    day = ds.end if as_of is None else as_date(as_of, "as_of")
    if day > ds.end:
        warn(
            f"as_of {day:%Y-%m-%d} is after the data's last day; the screen uses "
            f"{ds.end:%Y-%m-%d}, the latest it has."
        )
    known = ds.as_of(day)
    recent = scoring_window(known, known.end)
    # Custom values dated after as_of are dropped first; the rest are placed on the whole
    # dataset's calendar (which knows whether a label's day traded), then cut to the window.
    yours = {name: factor.on(ds, name, until=day) for name, factor in read_custom(custom).items()}
    yours = {
        name: replace(f, panel=f.panel.loc[recent.dates, recent.tickers])
        for name, f in yours.items()
    }
    scores = score(
        recent,
        weights,
        method,
        neutralize,
        winsorize,
        allow_short,
        custom=yours,
    )
    last = recent.end

    table = recent.meta[["name", "sector"]].copy()
    table["price"] = recent.prices.loc[last]
    for metric in METRICS:
        if metric.family in scores.weights and usable_by(metric, recent):
            table[metric.name] = metric.compute(recent).loc[last]
    for name, factor in yours.items():
        table[name] = factor.panel.loc[last]
    for family, panel in scores.components.items():
        table[f"{family}_score"] = panel.loc[last]
    table["composite"] = scores.composite.loc[last]

    # Tickers known by then but without a price in the recent window left the market earlier.
    table = table.reindex(known.tickers)
    excluded = _reasons(table, known, scores.weights, last, ds, set(yours))
    for ticker in ds.tickers:
        if ticker not in excluded and ticker not in table.index:
            excluded[ticker] = f"not listed on {last:%Y-%m-%d}"
    table = table.dropna(subset=["composite"]).sort_values("composite", ascending=False)
    if table.empty:
        raise DataError(
            f"No stock could be scored on {last:%Y-%m-%d}: "
            + "; ".join(sorted(set(excluded.values())))[:300]
            + ". Try a later as_of date or other weights."
        )
    table["rank"] = range(1, len(table) + 1)
    table.index.name = "ticker"
    out = table if count is None else table.head(count)
    out.attrs.update(
        {"as_of": last, "weights": scores.weights, "excluded": excluded, "universe": len(table)}
    )
    return out


def sector_shares(table: pd.DataFrame, meta: pd.DataFrame) -> pd.DataFrame:
    """Each sector's share of a screen (``table``, with a ``sector`` column) beside its share
    of the universe (``meta``): where the selection leans. Sorted by the universe's share.

    Examples
    --------
    >>> import pandas as pd
    >>> picked = pd.DataFrame({"sector": ["Energy", "Energy"]})
    >>> everyone = pd.DataFrame({"sector": ["Energy", "Utilities", "Utilities", "Energy"]})
    >>> sector_shares(picked, everyone).to_dict("index")
    {'Energy': {'selection': 1.0, 'universe': 0.5}, 'Utilities': {'selection': 0.0, 'universe': 0.5}}
    """
    picked = table["sector"].value_counts(normalize=True)
    universe = meta["sector"].value_counts(normalize=True)
    shares = pd.DataFrame({"selection": picked, "universe": universe}).fillna(0.0)
    shares.index.name = None
    return shares.sort_values("universe", kind="stable")


def styled(table: pd.DataFrame) -> object:
    """A pandas Styler of a screen: percentages, two decimals, the composite shaded."""
    formats = {c: "{:.1%}" for c in table.columns if c in _PERCENT}
    numeric = [c for c in table.select_dtypes("number").columns if c not in formats]
    formats |= {c: "{:.2f}" for c in numeric if c != "rank"}
    as_of = table.attrs.get("as_of")
    caption = f"Screen on {as_of:%Y-%m-%d}" if as_of is not None else "Screen"
    excluded = table.attrs.get("excluded", {})
    if excluded:
        caption += f" ({len(excluded)} tickers left out; see .attrs['excluded'])"
    return (
        table.style.format(formats, na_rep="-")
        .set_caption(caption)
        .bar(subset=["composite"], align="zero", color=["#d65f5f", "#5fba7d"])
    )


def _reasons(
    table: pd.DataFrame,
    known: Dataset,
    weights: dict[str, float],
    day: pd.Timestamp,
    full: Dataset,
    custom: set[str],
) -> dict[str, str]:
    """Why each unscored ticker has no composite on ``day``."""
    reasons = {}
    delisted = known.meta["delisted"]
    for ticker in table.index[table["composite"].isna()]:
        if pd.isna(table.at[ticker, "price"]):
            gone = delisted.get(ticker)
            reasons[ticker] = (
                f"delisted on {gone:%Y-%m-%d}" if pd.notna(gone) else f"no price on {day:%Y-%m-%d}"
            )
            continue
        missing = [f for f in weights if pd.isna(table.at[ticker, f"{f}_score"])]
        yours = [f for f in missing if f in custom]
        fundamental = [f for f in missing if f in FUNDAMENTAL_FAMILIES]
        history = [f for f in missing if f not in fundamental and f not in custom]
        parts = [f"no value of the custom factor {f}" for f in yours]
        if fundamental:
            parts.append(f"missing fundamentals for {', '.join(fundamental)}")
        if history:
            listed = full.meta.at[ticker, "listed"]
            parts.append(
                f"too little price history for {', '.join(history)} (listed {listed:%Y-%m-%d})"
            )
        reasons[ticker] = "; ".join(parts)
    return reasons
