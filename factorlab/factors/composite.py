"""The composite score: family exposures, standardized, optionally sector-neutral, weighted."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from factorlab._threads import map_threads
from factorlab.data import Dataset
from factorlab.errors import ConfigError
from factorlab.factors.custom import custom_exposure, read_custom
from factorlab.factors.exposure import family_exposures
from factorlab.factors.ranking import rank_ic
from factorlab.factors.transform import flat_dates, zscore
from factorlab.factors.transform import neutralize as demean_within
from factorlab.factors.weights import Weights, parse_weights
from factorlab.params import DateLike, as_bool, as_float

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["Scores", "combine", "score", "standardized_components"]


@dataclass(frozen=True)
class Scores:
    """The result of :func:`score`.

    Attributes
    ----------
    composite : DataFrame
        The weighted score, dates × tickers; higher = more attractive. NaN where a ticker lacks
        any weighted family (not listed, too little history, missing fundamentals).
    components : dict of DataFrame
        Each weighted family's standardized exposure, as combined.
    weights : dict
        The weights used (absolute values sum to 1).
    method, neutralize : str or None
        How the components were standardized and neutralized.
    """

    composite: pd.DataFrame
    components: dict[str, pd.DataFrame] = field(repr=False)
    weights: dict[str, float]
    method: str
    neutralize: str | None

    def latest(self, date: DateLike | None = None) -> pd.DataFrame:
        """One row per scored ticker at ``date`` (default: the last date), best first.

        Each row holds the ticker's components, the composite and its rank (1 = best).

        Parameters
        ----------
        date : str, date or Timestamp, optional
            The day to read, which must be one of the dates of these scores (no nearest day is
            looked for): a date, or text such as ``"2020-06-30"`` (read by ``pd.Timestamp``).
            None, the default, is the last date.

        Returns
        -------
        DataFrame
            Indexed by ``ticker``: one column per weighted component (its standardized
            exposure), then ``composite`` and ``rank`` (1 = best), sorted by composite, best
            first. Tickers without a composite on ``date`` are left out.
            ``.attrs["universe"]`` is how many rows there are, so how many the ranks are out of,
            even in a ``head()``.

        Raises
        ------
        ConfigError
            When ``date`` is not a date of these scores.
        """
        day = self.composite.index[-1] if date is None else pd.Timestamp(date)
        if day not in self.composite.index:
            raise ConfigError(f"{day:%Y-%m-%d} is not a date of these scores.")
        table = pd.DataFrame({name: panel.loc[day] for name, panel in self.components.items()})
        table["composite"] = self.composite.loc[day]
        table = table.dropna(subset=["composite"]).sort_values("composite", ascending=False)
        table["rank"] = range(1, len(table) + 1)
        table.index.name = "ticker"
        table.attrs["universe"] = len(table)  # ranks are out of this many, even in a head()
        return table

    def family_correlations(self) -> pd.DataFrame:
        """How much the families overlap: each pair's rank correlation, averaged over month ends.

        Each pair's Spearman correlation across stocks at every month end where all of them
        score more than two stocks, averaged over those month ends. ``.attrs["month_ends"]``
        says how many there were.

        Examples
        --------
        >>> import factorlab as fl
        >>> scores = fl.score(fl.load_dataset("sample", n_tickers=30, years=3))
        >>> table = scores.family_correlations()
        >>> list(table.columns), float(table.loc["value", "value"])
        (['value', 'growth', 'momentum'], 1.0)
        """
        month_ends = self.composite.groupby(self.composite.index.to_period("M")).tail(1).index
        names = list(self.components)
        panels = [self.components[n].loc[month_ends] for n in names]
        common = np.logical_and.reduce([p.notna().to_numpy() for p in panels])  # every family
        used = common.sum(axis=1) > 2
        panels = [p.where(common)[used] for p in panels]
        table = pd.DataFrame(np.eye(len(names)), index=names, columns=names)
        for (i, a), (j, b) in combinations(enumerate(names), 2):  # pairs of families, not dates
            table.loc[a, b] = table.loc[b, a] = rank_ic(panels[i], panels[j]).fillna(0.0).mean()
        table.attrs["month_ends"] = int(used.sum())
        return table

    def plot(self, n: int = 10, ax: Axes | None = None) -> Figure:
        """The ``n`` best and worst composites at the last date, split into weighted components.

        Horizontal bars, best at the top: each family's weighted contribution (its weight times
        its standardized component), with a dot marking the composite. Drawn by
        :func:`factorlab.plots.plot_scores`; matplotlib is imported only when a plot is drawn.

        Parameters
        ----------
        n : int
            How many of the best and how many of the worst stocks to show (default 10, so up to
            20 bars); every scored stock when there are at most ``2 * n``.
        ax : matplotlib Axes, optional
            The axes to draw on; by default a new figure with one axes.

        Returns
        -------
        Figure
            The figure drawn on: ``ax``'s figure when ``ax`` is given.
        """
        from factorlab.plots import plot_scores  # matplotlib: loaded when drawn

        return plot_scores(self, n=n, ax=ax)

    def __repr__(self) -> str:
        mix = "".join(
            f"{' - ' if w < 0 else ' + '}{k} {abs(w):.0%}" for k, w in self.weights.items()
        )
        mix = mix[3:] if mix.startswith(" + ") else "-" + mix[3:]
        c = self.composite
        scored = int(c.notna().any().sum())
        span = f"{c.index[0]:%Y-%m-%d}..{c.index[-1]:%Y-%m-%d}" if len(c) else "no dates"
        neutral = f", {self.neutralize}-neutral" if self.neutralize else ""
        return f"<Scores {self.method}, {mix}{neutral}: {scored} tickers scored, {span}>"

    def _repr_html_(self) -> str:
        mix = ", ".join(f"{k} {w:+.0%}" for k, w in self.weights.items())
        head = self.latest().head(10).round(2).to_html()
        return (
            f"<div><strong>factorlab Scores</strong> ({self.method}, weights {mix}, "
            f"neutralize={self.neutralize}) - top 10 on {self.composite.index[-1]:%Y-%m-%d}"
            f"{head}</div>"
        )


def score(
    ds: Dataset,
    weights: Weights = None,
    method: Literal["zscore", "rank"] = "zscore",
    neutralize: str | None = None,
    winsorize: float = 0.01,
    allow_short: bool = False,
    custom: Mapping[str, object] | None = None,
) -> Scores:
    """Combine factor families (and factors of your own) into one score per stock and day.

    Each weighted family's exposure (:func:`factorlab.factors.family_exposure`) is optionally
    demeaned within a group (``neutralize="sector"`` or ``"industry"``), then standardized per
    date: a z-score (``method="zscore"``) or a rank scaled to (-0.5, 0.5) and centred on 0
    (``"rank"``: ``(rank - 0.5) / n - 0.5``). The composite is the weighted sum, NaN for a ticker
    missing any weighted family. Adding a constant to a family changes nothing.

    Parameters
    ----------
    ds : Dataset
    weights : dict or str, optional
        Family weights, e.g. ``{"value": 0.3, "growth": 0.4, "momentum": 0.3}`` (the default),
        a JSON string, or ``"value=0.3,growth=0.4,momentum=0.3"``. See
        :func:`factorlab.factors.weights.parse_weights`.
    method : {"zscore", "rank"}
    neutralize : {"sector", "industry"}, another column of ``ds.meta``, or None
        A column of ``ds.meta`` to neutralize within (matched case-insensitively).
    winsorize : float
        Share clipped at each end of every metric before its z-score (0 to turn off).
    allow_short : bool
        Allow negative weights.
    custom : dict, optional
        Factors of your own, by name: a panel (dates × tickers, higher = better), an
        alphalens-style Series, or a :class:`factorlab.factors.Custom` that says which way is
        better and how to align it. Each is winsorized, z-scored and signed like a built-in
        metric, then weighted like a family: name it in ``weights``.

    Examples
    --------
    >>> import factorlab as fl
    >>> ds = fl.load_dataset("sample", n_tickers=30, years=3)
    >>> scores = fl.score(ds, weights="value=0.5,momentum=0.5")
    >>> list(scores.components), scores.composite.shape == ds.prices.shape
    (['value', 'momentum'], True)
    """
    yours = read_custom(custom)
    mix = parse_weights(weights, allow_short=as_bool(allow_short, "allow_short"), custom=yours)
    unweighted = [name for name in yours if name not in mix]
    if unweighted:
        raise ConfigError(
            f"custom factor {unweighted[0]!r} has no weight, so it would not count. Name it in "
            f"weights, e.g. weights={{'value': 0.5, {unweighted[0]!r}: 0.5}}."
        )
    components = standardized_components(
        ds, list(mix), method=method, neutralize=neutralize, winsorize=winsorize, custom=yours
    )
    return Scores(combine(components, mix), components, mix, method, neutralize)


def standardized_components(
    ds: Dataset,
    families: list[str],
    method: Literal["zscore", "rank"] = "zscore",
    neutralize: str | None = None,
    winsorize: float = 0.01,
    custom: Mapping[str, object] | None = None,
) -> dict[str, pd.DataFrame]:
    """Each family's exposure, neutralized and standardized as :func:`score` combines it.

    The costly part of a score, independent of the weights: compute it once, then
    :func:`combine` it with as many weight vectors as you like (a sweep does).

    Parameters
    ----------
    ds : Dataset
    families : list of str
        Families (and names in ``custom``) to compute.
    method, neutralize, winsorize, custom
        As in :func:`score`.

    Returns
    -------
    dict of DataFrame
        Family -> standardized exposure, dates × tickers.

    Examples
    --------
    >>> import factorlab as fl
    >>> ds = fl.load_dataset("sample", n_tickers=30, years=3)
    >>> parts = standardized_components(ds, ["value", "momentum"])
    >>> mixed = combine(parts, {"value": 0.5, "momentum": 0.5})
    >>> mixed.equals(fl.score(ds, "value=0.5,momentum=0.5").composite)
    True
    """
    yours = read_custom(custom)
    clip = as_float(winsorize, "winsorize")
    if method not in ("zscore", "rank"):
        raise ConfigError(f"Unknown score method {method!r}. Known methods: zscore, rank.")
    groups = _groups(ds, neutralize)
    built_in = family_exposures(ds, [f for f in families if f not in yours], winsorize=clip)

    def standardized(family: str) -> pd.DataFrame:
        exposure = (
            custom_exposure(ds, family, yours[family], winsorize=clip)
            if family in yours
            else built_in[family]
        )
        scale = None
        if groups is not None:
            # Judge the spread left after demeaning against the size before it: a factor
            # constant within each group leaves only rounding noise, which must not be ranked.
            scale = exposure.abs().mean(axis=1)
            exposure = demean_within(exposure, groups)
        if method == "zscore":
            return zscore(exposure, name=family, scale=scale)
        return _centred_rank(exposure.mask(flat_dates(exposure, family, scale), axis=0))

    return dict(zip(families, map_threads(standardized, families), strict=True))


def combine(components: Mapping[str, pd.DataFrame], weights: Mapping[str, float]) -> pd.DataFrame:
    """The weighted sum of standardized components: NaN where any weighted one is missing.

    Parameters
    ----------
    components : dict of DataFrame
        From :func:`standardized_components`.
    weights : dict
        Family -> weight, as :func:`factorlab.factors.parse_weights` returns them.

    Returns
    -------
    DataFrame
        The composite, dates × tickers.
    """
    names = list(weights)
    first = components[names[0]]
    total = np.multiply(first.to_numpy(), weights[names[0]])
    term = np.empty_like(total) if len(names) > 1 else total
    for name in names[1:]:  # a few families: one vectorized multiply-add each, in place
        np.multiply(components[name].to_numpy(), weights[name], out=term)
        total += term
    return pd.DataFrame(total, index=first.index, columns=first.columns, copy=False)


def _centred_rank(panel: pd.DataFrame) -> pd.DataFrame:
    """Ranks mapped to ``(rank - 0.5) / n - 0.5``: symmetric about 0 whatever the coverage."""
    count = panel.notna().sum(axis=1)
    return (panel.rank(axis=1) - 0.5).div(count, axis=0) - 0.5


def _groups(ds: Dataset, neutralize: str | None) -> pd.Series | None:
    if neutralize is None or str(neutralize).strip().lower() == "none":
        return None
    return ds.groups(neutralize, purpose="neutralize")
