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
    """``ds`` from about a year of trading days before ``first``, the history a score there needs.

    That is every trailing window a score on ``first`` or later needs, and no more, so scoring a
    few dates does not score decades.

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
    """The stocks ranked on one date, best composite first.

    Only what was knowable at the close of ``as_of`` (default: the last date) is used; an
    ``as_of`` after the data's last day uses that day, with a warning. The scoring options,
    ``custom`` factors included, are those of :func:`factorlab.score`.

    Parameters
    ----------
    ds : Dataset
        The data to screen; it is cut to what was known at the close of ``as_of``, and to about
        a year of history before it (see :func:`scoring_window`).
    top : int or None
        How many of the best stocks to return, at least 1 (default 10); None returns every
        ranked stock. Text such as ``"20"`` is accepted.
    weights : dict or str, optional
        Family weights, custom factors' included: ``{"value": 0.5, "momentum": 0.5}``, the
        same as JSON, or text such as ``"value=0.5,momentum=0.5"``. None (the default) gives
        the seed's ``value=0.3,growth=0.4,momentum=0.3``. Rescaled, with a warning, when their
        absolute values do not sum to 1; see :func:`factorlab.factors.weights.parse_weights`.
    as_of : str, date or Timestamp, optional
        The day to screen, e.g. ``"2020-06-30"`` (text is accepted); scored on the last
        trading day on or before it. None (the default) is the data's last day.
    method : {"zscore", "rank"}
        How each family is standardized per date: a z-score (the default) or a rank centred
        on 0, as in :func:`factorlab.score`.
    neutralize : str or None
        A column of ``ds.meta`` within which each family is demeaned before it is
        standardized: ``"sector"``, ``"industry"`` or one you added, matched
        case-insensitively. None or ``"none"`` (the default is None) for no neutralizing.
    winsorize : float
        The share of each metric's (and custom factor's) values clipped at each end per date
        before its z-score: 0.01 (the default) clips below the 1st and above the 99th
        percentile. 0 turns it off; otherwise it must be in [0, 0.5). Text such as ``"0.05"``
        is accepted.
    allow_short : bool
        Allow negative weights (default False). Text such as ``"true"`` or ``"no"`` is
        accepted.
    custom : dict, optional
        Factors of your own, by name, as in :func:`factorlab.score`: a panel, an
        alphalens-style Series or a :class:`factorlab.factors.Custom`. Each must be named in
        ``weights``; its values dated after ``as_of`` are ignored.

    Returns
    -------
    DataFrame
        Indexed by ticker: ``name``, ``sector``, ``price``, every raw metric of the weighted
        families (a custom factor's raw value under its own name), each family's score,
        ``composite`` and ``rank`` (1 = best); the ``top`` rows,
        or all with ``top=None``. ``.attrs["excluded"]`` maps each ticker left out to the
        reason; ``.attrs["as_of"]`` and ``.attrs["weights"]`` say what was used, and
        ``.attrs["universe"]`` how many stocks were ranked; ``.attrs["failed"]`` maps each
        ticker the dataset could not load to why (``ds.failed``). Show it with
        :func:`styled` for a formatted table.

    Raises
    ------
    DataError
        When no stock can be scored on the day (the message gives the reasons), or ``as_of`` is
        before the data starts.

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
        {
            "as_of": last,
            "weights": scores.weights,
            "excluded": excluded,
            "universe": len(table),
            "failed": dict(ds.failed),  # tickers asked for that could not be loaded, and why
        }
    )
    return out


def sector_shares(table: pd.DataFrame, meta: pd.DataFrame) -> pd.DataFrame:
    """Each sector's share of a screen beside its share of the universe: where the selection leans.

    The screen is ``table``, with a ``sector`` column; the universe is ``meta``. Sorted by the
    universe's share.

    Parameters
    ----------
    table : DataFrame
        The selection: a table from :func:`screen`, or any frame with a ``sector`` column, one
        row per stock.
    meta : DataFrame
        The universe, one row per stock with a ``sector`` column, such as ``ds.meta``.

    Returns
    -------
    DataFrame
        Indexed by sector (an unnamed index), with columns ``selection`` and ``universe``: the
        sector's share of the rows of ``table`` and of ``meta``, each between 0 and 1, 0.0
        where a sector is absent from one of them. Rows without a sector are not counted.
        Sorted by ``universe``, smallest share first (ties keep their order).

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
    """A pandas Styler of a screen: percentages, two decimals, the composite shaded.

    Parameters
    ----------
    table : DataFrame
        A table from :func:`screen`. Metrics whose unit is ``"percent"`` are shown as
        percentages with one decimal, other numbers (except ``rank``) with two decimals, a
        missing value as ``-``; the ``composite`` column, which it must have, is shaded with
        bars from zero (red below, green above). Its ``.attrs["as_of"]`` and
        ``.attrs["excluded"]``, when present, make the caption.

    Returns
    -------
    pandas.io.formats.style.Styler
        The formatted table, captioned ``Screen on <as_of>`` and, when tickers were left out,
        how many (with a pointer to ``.attrs['excluded']``).
    """
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
