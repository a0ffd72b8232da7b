"""Factor evaluation on wide panels: forward returns, rank IC, quantile returns, spread, turnover.

Conventions (alphalens-reloaded's, unless said otherwise; tests check agreement to 1e-9):

- The forward return at *t* over *h* days is ``close[t+h] / close[t] - 1``, *h* counted in rows
  of the price panel. A stock that delists within the horizon realizes its return to its last
  price (as in the backtest, and as alphalens' forward-filling gives); unlike alphalens, a
  halt is not forward-filled into a made-up 0 %: it has no forward return.
- IC is the Spearman rank correlation (average ranks for ties) across stocks on each date.
- Buckets are ``pd.qcut`` on each date's values, numbered 1..Q: ties share a bucket, sizes may
  be uneven, and a date whose edges collide (too many ties) gets no buckets.
- A quantile's return is the mean over dates of that date's bucket mean (so changing bucket
  sizes do not bias it); ``demeaned`` subtracts each date's mean over all stocks first.
- ``drop_incomplete=True`` drops a (date, stock) whenever any period's forward return is
  missing, as alphalens does; by default each period keeps what it has.
- Periods are rows of the panel (trading days) everywhere, turnover included.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from factorlab._docs import shared_doc
from factorlab.backtest.crosssection import (
    Forward,
    cross_sections,
    forward_returns,
    labels_as_float,
)
from factorlab.backtest.significance import apart, t_pvalue, t_stat
from factorlab.data import Dataset
from factorlab.data.panels import align_panel
from factorlab.errors import ConfigError, DataError
from factorlab.factors.composite import Scores
from factorlab.factors.ranking import pearson_rows, row_ranks
from factorlab.params import as_int

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["FactorReport", "evaluate"]

MAX_LOSS = 0.35  # warn when more than this share of factor values cannot be evaluated


# A report's horizon, as its methods take it, documented once (see factorlab._docs).
_DOCS = {
    "period": (
        "period : int, optional\n"
        "    A horizon of the report, in trading days (one of the columns of :attr:`ic`); text\n"
        '    such as ``"21"`` is accepted. Its default is given above; a horizon the report\n'
        "    does not have raises :class:`~factorlab.errors.ConfigError`."
    ),
}


@dataclass(frozen=True)
class FactorReport:
    """What :func:`evaluate` returns.

    Every table is indexed by period (trading days), in its rows or its columns. Turnover, rank
    autocorrelation, buckets and forward returns are computed on first access.

    Attributes
    ----------
    factor : DataFrame
        The factor as evaluated: dates × tickers of the price panel, NaN where it has no value
        or the stock no price that day (and, with ``drop_incomplete``, where a period has no
        forward return).
    prices : DataFrame
        The dataset's prices, from which :attr:`forward_returns` are computed on access.
    delisted : Series or None
        Each ticker's last trading day (the dataset's ``meta["delisted"]``; NaT while listed).
    labels : dict of int to ndarray
        Per period, the bucket labels as small integers (dates × tickers; 0: not evaluated).
        :attr:`buckets` gives them as DataFrames.
    ic : DataFrame
        The daily rank IC (Spearman): one row per date, one column per period; NaN on a date
        without one.
    quantile_returns : DataFrame
        Mean forward return (over the period, not per day) of each bucket: one row per
        quantile (1 = lowest factor values), one column per period. The mean over dates of each
        date's bucket mean.
    quantile_returns_demeaned : DataFrame
        The same, after subtracting from each return the mean of its date over all evaluated
        stocks.
    quantile_returns_by_group : DataFrame or None
        With ``groupby``: the quantile returns within each group, rows indexed by (group,
        quantile), one column per period; buckets are still formed across all stocks. None
        without ``groupby``.
    spread_series : DataFrame
        Per date, the top bucket's mean forward return minus the bottom bucket's, one column
        per period (over the period, not per day).
    loss : DataFrame
        What could not be evaluated, and why: the first row (``factor values``) counts all the
        values given, each other row the values lost to one cause; columns ``rows`` (a count)
        and ``share`` (of the values given).
    quantiles : int
        The number of buckets.
    """

    factor: pd.DataFrame = field(repr=False)
    prices: pd.DataFrame = field(repr=False)
    delisted: pd.Series | None = field(repr=False)
    labels: dict[int, np.ndarray] = field(repr=False)
    ic: pd.DataFrame
    quantile_returns: pd.DataFrame
    quantile_returns_demeaned: pd.DataFrame
    quantile_returns_by_group: pd.DataFrame | None
    spread_series: pd.DataFrame = field(repr=False)
    loss: pd.DataFrame
    quantiles: int

    def ic_summary(self) -> pd.DataFrame:
        """Per period: IC mean, std, IR, % positive, and two t-statistics with their p-values.

        IR is mean / std; each t-statistic comes with its two-sided p-value.

        Daily ICs of an h-day horizon overlap (neighbours share h - 1 days of returns), so the
        overlapping t-statistic and p-value (alphalens' figures) overstate significance for
        h > 1. The non-overlapping ones use only ICs at least h trading days apart (see
        :meth:`non_overlapping_ic`): they are the ones to trust.

        Columns: ``IC mean``, ``IC std``, ``IR``, ``% positive``, ``dates``,
        ``t-stat (overlapping)``, ``p-value (overlapping)``, ``dates (non-overlapping)``,
        ``t-stat (non-overlapping)``, ``p-value (non-overlapping)``.
        """
        rows = {}
        for period, ic in self.ic.items():
            x = ic.dropna()
            apart = self.non_overlapping_ic(period)
            t, t_apart = t_stat(x), t_stat(apart)
            std = x.std()
            rows[period] = {
                "IC mean": x.mean(),
                "IC std": std,
                "IR": x.mean() / std if std > 0 else np.nan,
                "% positive": (x > 0).mean(),
                "dates": len(x),
                "t-stat (overlapping)": t,
                "p-value (overlapping)": t_pvalue(t, len(x) - 1),
                "dates (non-overlapping)": len(apart),
                "t-stat (non-overlapping)": t_apart,
                "p-value (non-overlapping)": t_pvalue(t_apart, len(apart) - 1),
            }
        table = pd.DataFrame(rows).T
        table.index.name = "period"
        return table

    def non_overlapping_ic(self, period: int) -> pd.Series:
        """The ICs of ``period`` that are at least ``period`` trading days apart.

        From the first date with an IC, each next one is the first date with an IC ``period``
        or more rows on.

        Stepping by observation dates, not by rows, keeps the ICs of a factor that has values
        only at month ends (about 21 days apart; those of a short month, 19 or 20 rows after
        the last one kept, overlap it and are skipped) instead of the few rows that happen to
        fall on a step.

        Parameters
        ----------
        period : int
            A horizon of the report, in trading days (one of the columns of :attr:`ic`); text
            such as ``"21"`` is accepted. A horizon the report does not have raises
            :class:`~factorlab.errors.ConfigError`.

        Returns
        -------
        Series
            The ICs kept, indexed by date.
        """
        period = self._period(period)
        return apart(self.ic[period], period)

    @shared_doc(**_DOCS)
    def rolling_ic(self, window: int = 63, period: int | None = None) -> pd.Series:
        """The mean IC of ``period`` over the last ``window`` trading days, each day.

        ``period`` defaults to the shortest. NaN until 20 ICs are in the window (``window``
        ICs for a window shorter than 20 days); dates without an IC do not count.

        Parameters
        ----------
        window : int, default 63
            Length of the window in trading days (rows), at least 2; 63 is about a quarter.
            Text such as ``"21"`` is accepted.
        {period}

        Returns
        -------
        Series
            One mean IC per date, named ``"IC, <window>d"``.
        """
        h = self._period(period)
        days = as_int(window, "window", minimum=2)
        return self.ic[h].rolling(days, min_periods=min(20, days)).mean().rename(f"IC, {days}d")

    @shared_doc(**_DOCS)
    def cumulative_spread(self, period: int | None = None) -> pd.Series:
        """The top-minus-bottom spread of ``period`` per day, summed over time.

        How the spread built up: each h-day spread is divided by h, and a date without a spread
        adds nothing. ``period`` defaults to the shortest.

        Parameters
        ----------
        {period}

        Returns
        -------
        Series
            The running sum, one value per date, named ``"spread, <period>d"``.
        """
        h = self._period(period)
        return (self.spread_series[h].fillna(0.0) / h).cumsum().rename(f"spread, {h}d")

    @shared_doc(**_DOCS)
    def worst_spreads(self, n: int = 5, period: int | None = None) -> pd.Series:
        """The ``n`` worst top-minus-bottom spreads of ``period``, one per non-overlapping window.

        ``period`` defaults to the longest. Non-overlapping windows: dates at least ``period``
        trading days apart, as for :meth:`non_overlapping_ic`. Worst first.

        Parameters
        ----------
        n : int, default 5
            How many spreads, at least 1 (fewer when there are not as many windows). Text such
            as ``"10"`` is accepted.
        {period}

        Returns
        -------
        Series
            The spreads (forward returns over the period, not per day), indexed by date, worst
            first.
        """
        h = self._period(period, longest=True)
        count = as_int(n, "n", minimum=1)
        return apart(self.spread_series[h], h).nsmallest(count)

    def _period(self, period: int | None, longest: bool = False) -> int:
        if period is None:
            return int(self.ic.columns[-1 if longest else 0])
        h = as_int(period, "period")
        if h not in self.ic.columns:
            raise ConfigError(
                f"No period {h} in this report; it has {', '.join(map(str, self.ic.columns))}."
            )
        return h

    @property
    def spread(self) -> pd.DataFrame:
        """Top minus bottom bucket's mean forward return, per period: mean and standard error.

        Daily observations of overlapping periods are not independent: treat the error of
        periods longer than one day as a lower bound.
        """
        s = self.spread_series
        table = pd.DataFrame({"mean": s.mean(), "std error": s.std() / np.sqrt(s.count())})
        table.index.name = "period"
        return table

    @cached_property
    def buckets(self) -> dict[int, pd.DataFrame]:
        """Each period's bucket labels (1 = lowest factor values; NaN: not evaluated)."""
        return {
            h: pd.DataFrame(
                labels_as_float(labels), index=self.factor.index, columns=self.factor.columns
            )
            for h, labels in self.labels.items()
        }

    @cached_property
    def rank_autocorrelation(self) -> pd.Series:
        """Spearman correlation of the factor with itself h rows earlier, per period."""
        return _rank_autocorrelation(self.factor, list(self.ic.columns))

    @cached_property
    def turnover(self) -> pd.DataFrame:
        """Per period: each bucket's turnover and the factor's rank autocorrelation.

        A bucket's turnover is the share of its names that are new since h rows earlier.
        """
        first = self.ic.columns[0]
        table = _turnover(self.labels[first], list(self.ic.columns), self.quantiles)
        return table.assign(**{"rank autocorrelation": self.rank_autocorrelation})

    @property
    def forward_returns(self) -> dict[int, pd.DataFrame]:
        """The forward returns of each period (computed on access; see :func:`forward_returns`)."""
        return forward_returns(self.prices, list(self.ic.columns), self.delisted)

    @property
    def decay(self) -> pd.Series:
        """Mean IC by horizon."""
        return self.ic.mean().rename("IC mean")

    def plot(self) -> Figure:
        """A tear sheet: IC over time, quantile returns, cumulative spread, IC decay."""
        from factorlab.plots import plot_factor_report  # matplotlib: loaded when drawn

        return plot_factor_report(self)

    def __repr__(self) -> str:
        periods = "/".join(str(h) for h in self.ic.columns)
        known = self.factor.index[self.factor.notna().any(axis=1).to_numpy()]
        span = f"{known[0]:%Y-%m-%d}..{known[-1]:%Y-%m-%d}" if len(known) else "no values"
        longest = self.ic.columns[-1]
        row = self.ic_summary().loc[longest]
        return (
            f"<FactorReport {self.quantiles} quantiles, periods {periods} days, {span}: IC mean "
            f"{_fmt(row['IC mean'], '.3f')} at {longest}d (t "
            f"{_fmt(row['t-stat (non-overlapping)'], '.2f')} non-overlapping)>"
        )

    def _repr_html_(self) -> str:
        return (
            "<div><strong>factorlab FactorReport</strong>"
            f"{self.ic_summary().round(4).to_html()}"
            f"<p>Mean forward return by quantile</p>{self.quantile_returns.round(5).to_html()}</div>"
        )


def evaluate(
    factor: pd.DataFrame | pd.Series | Scores,
    ds: Dataset,
    periods: Sequence[int] | int = (1, 5, 21),
    quantiles: int = 5,
    groupby: str | None = None,
    drop_incomplete: bool = False,
    threads: int | None = None,
    align: Literal["exact", "previous"] = "exact",
    fill: Literal["latest"] | None = None,
) -> FactorReport:
    """How well a factor ranks future returns: IC, quantile returns, spread, turnover.

    Parameters
    ----------
    factor : DataFrame, Series or Scores
        Dates × tickers; a Scores uses its composite, and a Series indexed by (date, asset),
        as alphalens takes it, is unstacked (with a note).
    ds : Dataset
    periods : sequence of int
        Horizons in trading days (rows); a string "1,5,21" works too.
    quantiles : int
    groupby : "sector", "industry", another column of ``ds.meta``, or None
        Also report quantile returns per group (buckets are still formed across all stocks).
    drop_incomplete : bool
        Drop a (date, stock) when any period's forward return is missing (alphalens' rule).
    threads : int, optional
        Blocks of dates evaluated at once; by default one per processor core, up to 4.
    align : {"exact", "previous"}
        ``"previous"`` places a factor dated on non-trading days (``resample("ME")`` labels)
        on the last trading day on or before each date.
    fill : {"latest"} or None
        ``"latest"`` carries each stock's last value forward over the days without one.

    Examples
    --------
    >>> import factorlab as fl
    >>> ds = fl.load_dataset("sample", n_tickers=40, years=3)
    >>> report = fl.evaluate(fl.factors.momentum(ds), ds, periods=(1, 21))
    >>> list(report.ic_summary().index)
    [1, 21]
    """
    horizons = _periods(periods)
    threads = as_int(threads, "threads") if threads is not None else min(_cores(), 4)
    if threads < 1:
        raise ConfigError(f"threads must be 1 or more, got {threads}.")
    q = as_int(quantiles, "quantiles")
    if q < 2:
        raise ConfigError(f"quantiles must be at least 2, got {q}.")
    raw = align_panel(getattr(factor, "composite", factor), ds, "factor", align, fill)
    values = np.array(raw.to_numpy(dtype=float), order="C")  # a row-major copy
    del raw
    given = int((~np.isnan(values)).sum())
    if given == 0:
        raise DataError("The factor has no values, so there is nothing to evaluate.")
    forward = Forward(ds.prices, ds.meta["delisted"])
    np.copyto(values, np.nan, where=np.isnan(forward.prices))
    loss_rows = {"factor values": given, "no price that day": given - _count(values)}
    groups = _groups(ds, groupby)
    found = cross_sections(values, forward, horizons, q, drop_incomplete, groups, threads=threads)
    if drop_incomplete:
        loss_rows["a period without a forward return (drop_incomplete)"] = found.dropped_incomplete
    left = _count(values)
    dates = ds.prices.index
    q_raw, q_demeaned, spreads, by_group = {}, {}, {}, {}
    for h in horizons:
        means = pd.DataFrame(found.bucket_means[h], index=dates, columns=range(1, q + 1))
        q_raw[h] = means.mean()
        # Demeaning shifts every bucket of a day by that day's mean: no second pass needed.
        q_demeaned[h] = means.sub(found.day_means[h], axis=0).mean()
        spreads[h] = means[q] - means[1]
        if groups:
            by_group[h] = pd.concat(
                {
                    g: pd.DataFrame(m, columns=range(1, q + 1)).mean()
                    for g, m in found.group_means[h].items()
                },
                names=["group", "quantile"],
            )
        loss_rows[f"no forward return or bucket, {h}d"] = left - found.evaluated[h]
    evaluated = found.evaluated
    loss = pd.Series(loss_rows, name="rows").to_frame()
    loss["share"] = loss["rows"] / given
    worst = 1 - min(evaluated.values()) / given  # every cause together, worst horizon
    if worst > MAX_LOSS:
        warnings.warn(
            f"{worst:.0%} of the factor values could not be evaluated at some horizon (see "
            "report.loss); the results describe only the rest.",
            UserWarning,
            stacklevel=2,
        )
    return FactorReport(
        factor=pd.DataFrame(values, index=dates, columns=ds.prices.columns, copy=False),
        prices=ds.prices,
        delisted=ds.meta["delisted"],
        labels=found.labels,
        ic=pd.DataFrame({h: pd.Series(found.ic[h], index=dates) for h in horizons}),
        quantile_returns=_table(q_raw),
        quantile_returns_demeaned=_table(q_demeaned),
        quantile_returns_by_group=pd.concat(by_group, axis=1) if by_group else None,
        spread_series=pd.DataFrame(spreads),
        loss=loss,
        quantiles=q,
    )


def _fmt(number: float, spec: str) -> str:
    return "n/a" if pd.isna(number) else format(number, spec)


def _cores() -> int:
    """Cores this process may use (its affinity mask, where the system has one)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def _rank_autocorrelation(panel: pd.DataFrame, horizons: list[int]) -> pd.Series:
    """Mean Spearman correlation of the factor with itself ``h`` rows earlier, per period ``h``.

    Over dates ``h`` rows apart (non-overlapping; alphalens uses every date, which repeats
    information).

    The factor is ranked once; a date whose stocks are the same as ``h`` rows earlier reuses
    those ranks, and only the other dates are ranked again on the stocks they share.
    """
    values = panel.to_numpy()
    present = ~np.isnan(values)
    ranks = row_ranks(values)
    out = {}
    for h in horizons:
        now = np.arange(h, len(values), h)
        same = (present[now] == present[now - h]).all(axis=1)
        a, b = ranks[now].copy(), ranks[now - h].copy()
        if (~same).any():
            changed = now[~same]
            both = present[changed] & present[changed - h]
            a[~same] = row_ranks(np.where(both, values[changed], np.nan))
            b[~same] = row_ranks(np.where(both, values[changed - h], np.nan))
        out[h] = pearson_rows(a, b).mean()
    return pd.Series(out, name="rank autocorrelation")


def _count(values: np.ndarray) -> int:
    return int((~np.isnan(values)).sum())


def _groups(ds: Dataset, groupby: str | None) -> dict[object, np.ndarray] | None:
    """Each group's stocks as column positions of the price panel."""
    if groupby is None:
        return None
    groups = ds.groups(groupby).reindex(ds.prices.columns)
    return {name: np.flatnonzero((groups == name).to_numpy()) for name in groups.dropna().unique()}


def _turnover(labels: np.ndarray, horizons: list[int], q: int) -> pd.DataFrame:
    """Share of a bucket's names on a date that were not in it ``h`` rows earlier, averaged."""
    rows = {}
    for h in horizons:
        per_bucket = {}
        for k in range(1, q + 1):
            now = labels == k
            before = np.zeros_like(now)
            before[h:] = now[:-h]
            size = now.sum(axis=1)
            fresh = (now & ~before).sum(axis=1)
            valid = (size > 0) & (np.arange(len(now)) >= h) & (before.sum(axis=1) > 0)
            with np.errstate(invalid="ignore", divide="ignore"):
                share = np.where(valid, fresh / size, 0.0)
            per_bucket[k] = share.sum() / valid.sum() if valid.any() else np.nan
        rows[h] = per_bucket
    table = pd.DataFrame(rows).T
    table.index.name, table.columns.name = "period", "quantile"
    return table


def _table(by_period: dict[int, pd.Series]) -> pd.DataFrame:
    table = pd.DataFrame(by_period)
    table.index.name, table.columns.name = "quantile", "period"
    return table


def _periods(periods: object) -> list[int]:
    items: list[object]
    if isinstance(periods, str):  # papermill passes "1,5,21"
        items = list(periods.replace(",", " ").split())
    elif isinstance(periods, int | float):  # papermill -p periods 21 passes a number
        items = [periods]
    elif isinstance(periods, Iterable):
        items = list(periods)
    else:
        raise ConfigError(
            f"periods must be trading-day horizons such as (1, 5, 21), got {periods!r}."
        )
    horizons = [as_int(p, "periods") for p in items]
    if not horizons or any(h < 1 for h in horizons):
        raise ConfigError(f"periods must be trading-day horizons of 1 or more, got {periods!r}.")
    return sorted(set(horizons))
