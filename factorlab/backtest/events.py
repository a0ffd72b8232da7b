"""Event studies: what prices did around sparse signals (alphalens' event-study tear sheet).

An event is a (date, stock) with a value: an earnings surprise, an index addition, a buy
signal. :func:`evaluate_events` buckets the events (by default all in one; ``bins`` as
alphalens takes them, e.g. by sign), evaluates their forward returns as :func:`evaluate` does,
and measures each bucket's average cumulative return from ``before`` trading days before the
event to ``after`` days after it.

The cumulative return at offset *k* of an event on day *t* is ``close[t+k] / close[t] - 1``:
relative to the close of the event day, so it is 0 at *k = 0*, and negative before the event
when the price ran up into it. This is alphalens' original definition; alphalens-reloaded
passes daily returns through unchanged and plots their means as if cumulative
(alphalens-reloaded#8).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from factorlab.backtest.evaluation import evaluate
from factorlab.backtest.factor_report import FactorReport
from factorlab.backtest.significance import t_pvalue
from factorlab.errors import ConfigError
from factorlab.params import as_int

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from factorlab.data import Dataset
    from factorlab.factors.composite import Scores

__all__ = ["EventStudy", "evaluate_events"]

RelativeTo = Literal["market", "events"] | None
RELATIVE_TO = ("market", "events", None)
STATISTICS = ("mean", "std", "dates")  # of the date means, per bucket and offset
_BLOCK = 64  # event dates whose market moves are computed at once


def evaluate_events(
    events: pd.DataFrame | pd.Series | Scores,
    ds: Dataset | None = None,
    *,
    prices: pd.DataFrame | None = None,
    before: int = 10,
    after: int = 15,
    periods: Sequence[int] | int = (1, 5, 10),
    bins: int | Sequence[float] | None = 1,
    quantiles: int | Sequence[float] | None = None,
    relative_to: RelativeTo = "market",
    groupby: str | pd.Series | Mapping[object, object] | None = None,
    drop_incomplete: bool = False,
    align: Literal["exact", "previous"] = "exact",
) -> EventStudy:
    """What prices did around events: average cumulative returns by bucket, before and after.

    Parameters
    ----------
    events : DataFrame, Series or Scores
        Dates × tickers, NaN where nothing happened (or a Series indexed by (date, asset), as
        alphalens takes it).
    ds : Dataset, optional
        The market; or give ``prices`` instead.
    prices : DataFrame, optional
        Dates × assets, in place of ``ds``.
    before, after : int
        The window around each event, in trading days.
    periods : sequence of int
        Horizons of the forward returns evaluated per bucket, in trading days.
    bins, quantiles : optional
        How events are bucketed, as in :func:`evaluate` (and alphalens): by default all in one
        bucket; ``bins=[-np.inf, 0, np.inf]`` puts negative and positive events apart. Buckets
        by count within a date (``quantiles``) suit events that come many a day.
    relative_to : {"market", "events", None}
        What the cumulative returns are measured against: by default the average stock priced
        on the event day (market-adjusted, abnormal returns); ``"events"`` the average of that
        day's events (alphalens' ``demeaned=True``); None raw returns (alphalens' event tear
        sheet).
    groupby : str, Series or dict, optional
        Groups of stocks (as in :func:`evaluate`), for
        :meth:`EventStudy.average_cumulative_returns` with ``by_group=True``.
    drop_incomplete, align :
        As in :func:`evaluate`.

    Returns
    -------
    EventStudy

    Examples
    --------
    >>> import numpy as np
    >>> import factorlab as fl
    >>> ds = fl.load_dataset("sample", n_tickers=40, years=3)
    >>> jumps = ds.prices.pct_change(fill_method=None)
    >>> events = jumps.where(jumps.abs() > 0.08)  # days a stock moved more than 8 %
    >>> study = fl.evaluate_events(events, ds, bins=[-np.inf, 0, np.inf], before=5, after=10)
    >>> study.average_cumulative_returns().shape
    (6, 16)
    """
    if relative_to not in RELATIVE_TO:
        raise ConfigError(f"relative_to must be 'market', 'events' or None, got {relative_to!r}.")
    window = (as_int(before, "before", minimum=0), as_int(after, "after", minimum=0))
    report = evaluate(
        events,
        ds,
        periods=periods,
        quantiles=quantiles,
        groupby=groupby,
        drop_incomplete=drop_incomplete,
        align=align,
        prices=prices,
        bins=bins,
    )
    return EventStudy(report=report, before=window[0], after=window[1], relative_to=relative_to)


@dataclass(frozen=True)
class EventStudy:
    """What :func:`evaluate_events` returns.

    Attributes
    ----------
    report : FactorReport
        The events evaluated as a factor: :attr:`FactorReport.quantile_returns` (each bucket's
        mean forward return), :meth:`FactorReport.quantile_std_errors`,
        :meth:`FactorReport.quantile_statistics`, :meth:`FactorReport.factor_data`, ...
    before, after : int
        The window around each event, in trading days.
    relative_to : {"market", "events", None}
        The default of :meth:`average_cumulative_returns`.
    """

    report: FactorReport
    before: int
    after: int
    relative_to: RelativeTo = "market"

    @property
    def events(self) -> pd.DataFrame:
        """Each event: its value, bucket and (with ``groupby``) group, indexed by (date, asset).

        The events evaluated: those with a price on their day and a bucket at the shortest
        period.
        """
        rows, cols = np.nonzero(self._labels > 0)
        index = pd.MultiIndex.from_arrays(
            [self.report.factor.index[rows], self.report.factor.columns[cols]],
            names=["date", "asset"],
        )
        table = pd.DataFrame(
            {
                "value": self.report.factor.to_numpy()[rows, cols],
                "quantile": self._labels[rows, cols].astype(int),
            },
            index=index,
        )
        if self.report.groups is not None:
            table["group"] = self.report.groups.to_numpy()[cols]
        return table

    @property
    def counts(self) -> pd.DataFrame:
        """Events per date and bucket (dates × quantiles), over the dates with any."""
        labels = self._labels
        table = pd.DataFrame(
            {k: (labels == k).sum(axis=1) for k in range(1, self.report.quantiles + 1)},
            index=self.report.factor.index,
        )
        table.columns.name = "quantile"
        return table[table.sum(axis=1) > 0]

    def average_cumulative_returns(
        self, relative_to: RelativeTo | Literal["default"] = "default", by_group: bool = False
    ) -> pd.DataFrame:
        """Each bucket's mean and standard deviation of cumulative return around its events.

        As alphalens' ``average_cumulative_return_by_quantile`` (with its original,
        event-day-relative returns): on each date, the mean over the bucket's events of
        ``close[t+k] / close[t] - 1`` (less the same mean over the stocks ``relative_to``
        names), then the mean and standard deviation (``ddof=1``) of those date means, and how
        many dates they count. Offsets past either end of the prices are missing. The events
        counted are those bucketed at the shortest period, so events on the last rows (with no
        forward return yet) are left out, as alphalens leaves them out; with
        ``drop_incomplete=True`` the numbers are alphalens'.

        Parameters
        ----------
        relative_to : {"market", "events", None}, optional
            As in :func:`evaluate_events`; by default the study's.
        by_group : bool
            One curve per group and bucket (needs ``groupby``).

        Returns
        -------
        DataFrame
            Rows (``quantile``, ``statistic`` ∈ {``mean``, ``std``, ``dates``}), preceded by
            ``group`` with ``by_group``; one column per offset from ``-before`` to ``after``
            (trading days).

        Examples
        --------
        >>> import factorlab as fl
        >>> ds = fl.load_dataset("sample", n_tickers=40, years=3)
        >>> jumps = ds.prices.pct_change(fill_method=None)
        >>> study = fl.evaluate_events(jumps.where(jumps > 0.08), ds)
        >>> float(study.average_cumulative_returns().loc[(1, "mean"), 0])  # the event day
        0.0
        """
        relative = self.relative_to if relative_to == "default" else relative_to
        if relative not in RELATIVE_TO:
            raise ConfigError(
                f"relative_to must be 'market', 'events' or None, got {relative_to!r}."
            )
        groups = None
        if by_group:
            groups = self.report._groups("average_cumulative_returns(by_group=True)")
        return _average_cumulative_returns(
            self.report.prices.to_numpy(dtype=float),
            self._labels,
            self.before,
            self.after,
            relative,
            None if groups is None else groups.to_numpy(),
        )

    def summary(self, relative_to: RelativeTo | Literal["default"] = "default") -> pd.DataFrame:
        """Per bucket: events, dates, and the mean cumulative return ``after`` days on.

        Columns ``events``, ``dates`` (with events and a price ``after`` days on),
        ``mean return``, ``std error``, ``t-stat`` and ``p-value``, for the cumulative return
        from the event day's close to ``after`` days later (relative as in
        :meth:`average_cumulative_returns`), each date's events averaged first. Events on dates
        less than ``after`` days apart overlap, so the error is a lower bound for frequent
        events.

        Parameters
        ----------
        relative_to : {"market", "events", None}, optional
            As in :meth:`average_cumulative_returns`; by default the study's.

        Returns
        -------
        DataFrame
            One row per quantile.
        """
        curves = self.average_cumulative_returns(relative_to)[self.after].unstack("statistic")
        table = pd.DataFrame({"events": self.events.groupby("quantile").size()})
        table["dates"] = curves["dates"].astype(int)
        table["mean return"] = curves["mean"]
        table["std error"] = curves["std"] / np.sqrt(table["dates"])
        table["t-stat"] = table["mean return"] / table["std error"]
        table["p-value"] = [
            t_pvalue(t, n - 1) for t, n in zip(table["t-stat"], table["dates"], strict=True)
        ]
        table.index.name = "quantile"
        return table

    def plot(self) -> Figure:
        """Events over time, each bucket's average cumulative return, and its forward returns."""
        from factorlab.plots import plot_event_study  # matplotlib: loaded when drawn

        return plot_event_study(self)

    @property
    def _labels(self) -> np.ndarray:
        return self.report.labels[self.report.ic.columns[0]]

    def __repr__(self) -> str:
        counts = self.counts
        return (
            f"<EventStudy {int(counts.to_numpy().sum())} events on {len(counts)} dates, "
            f"{self.report.quantiles} bucket(s), window -{self.before}..+{self.after} days, "
            f"relative to {self.relative_to or 'nothing (raw returns)'}>"
        )


def _average_cumulative_returns(
    prices: np.ndarray,
    labels: np.ndarray,
    before: int,
    after: int,
    relative_to: RelativeTo,
    groups: np.ndarray | None,
) -> pd.DataFrame:
    """Mean and std over dates of each (bucket[, group])'s date-mean cumulative return."""
    rows, cols = np.nonzero(labels > 0)  # the events, by date
    buckets = labels[rows, cols].astype(np.int64)
    if groups is None:
        codes, names = np.zeros(len(rows), dtype=np.int64), pd.Index([""])
    else:
        codes, names = pd.factorize(groups[cols], sort=True)  # -1: no group
    kept = codes >= 0
    curve = buckets[kept] * len(names) + codes[kept]  # one curve per (bucket, group)
    width = int(curve.max(initial=0)) + 1
    cells, cell = np.unique(rows[kept].astype(np.int64) * width + curve, return_inverse=True)
    cell_curve = cells % width
    curves = np.unique(curve)
    dates, date_of_event = np.unique(rows, return_inverse=True)
    base = prices[rows, cols]
    offsets = np.arange(-before, after + 1)
    mean = np.full((len(curves), len(offsets)), np.nan)
    std = np.full((len(curves), len(offsets)), np.nan)
    count = np.zeros((len(curves), len(offsets)))
    if relative_to == "market":
        market = _market_moves(prices, dates, offsets)
    for j, k in enumerate(offsets):  # a few dozen offsets, each over every event at once
        moved = _relative(prices, rows + k, cols, base)
        if relative_to == "market":
            moved -= market[date_of_event, j]
        elif relative_to == "events":  # every event of the day, in any bucket or group
            moved -= _means(moved, date_of_event, len(dates))[date_of_event]
        by_cell = _means(moved[kept], cell, len(cells))
        for i, c in enumerate(curves):  # a handful of buckets (times groups)
            values = by_cell[cell_curve == c]
            values = values[~np.isnan(values)]
            mean[i, j] = values.mean() if len(values) else np.nan
            std[i, j] = values.std(ddof=1) if len(values) > 1 else np.nan
            count[i, j] = len(values)
    levels = [(int(c) // len(names), names[int(c) % len(names)]) for c in curves]
    table = pd.DataFrame(
        np.stack([mean, std, count], axis=1).reshape(-1, len(offsets)),
        index=pd.MultiIndex.from_tuples(
            [(q, g, s) for q, g in levels for s in STATISTICS],
            names=["quantile", "group", "statistic"],
        ),
        columns=pd.Index(offsets, name="day"),
    )
    if groups is None:
        return table.droplevel("group")
    return table.reorder_levels(["group", "quantile", "statistic"]).sort_index(
        level=["group"], sort_remaining=False
    )


def _relative(
    prices: np.ndarray, rows: np.ndarray, cols: np.ndarray, base: np.ndarray
) -> np.ndarray:
    """``prices[rows, cols] / base - 1``, NaN outside the panel or where not finite."""
    inside = (rows >= 0) & (rows < len(prices))
    moved = np.full(len(rows), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        moved[inside] = prices[rows[inside], cols[inside]] / base[inside] - 1
    moved[~np.isfinite(moved)] = np.nan  # a zero price on the event day
    return moved


def _market_moves(prices: np.ndarray, dates: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Per event date and offset, the mean over stocks priced that day of ``close[t+k] / close[t] - 1``.

    Dates × offsets; computed in blocks of dates so that the temporaries stay in the cache.
    """
    out = np.full((len(dates), len(offsets)), np.nan)
    for start in range(0, len(dates), _BLOCK):  # blocks of dates
        block = dates[start : start + _BLOCK]
        base = prices[block]
        for j, k in enumerate(offsets):  # a few dozen offsets
            later = block + k
            inside = (later >= 0) & (later < len(prices))
            with np.errstate(invalid="ignore", divide="ignore"):
                moved = prices[later[inside]] / base[inside] - 1
                moved[~np.isfinite(moved)] = np.nan
                count = (~np.isnan(moved)).sum(axis=1)
                means = np.where(count > 0, np.nansum(moved, axis=1) / count, np.nan)
            out[start : start + _BLOCK, j][inside] = means
    return out


def _means(values: np.ndarray, key: np.ndarray, n: int) -> np.ndarray:
    """Mean of ``values`` (NaN skipped) per integer ``key`` in 0..n-1; NaN where none."""
    present = ~np.isnan(values)
    total = np.bincount(key[present], weights=values[present], minlength=n)
    count = np.bincount(key[present], minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / count, np.nan)
