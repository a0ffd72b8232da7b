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
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from factorlab.backtest.crosssection import (
    Bins,
    Forward,
    Quantiles,
    cross_sections,
)
from factorlab.backtest.factor_report import FactorReport
from factorlab.data import Dataset
from factorlab.data.panels import align_panel
from factorlab.errors import ConfigError, DataError
from factorlab.factors.composite import Scores
from factorlab.params import as_bool, as_int, split_items

if TYPE_CHECKING:
    pass

__all__ = ["MAX_LOSS", "evaluate"]

MAX_LOSS = 0.35  # warn when more than this share of factor values cannot be evaluated


def evaluate(
    factor: pd.DataFrame | pd.Series | Scores,
    ds: Dataset | None = None,
    periods: Sequence[int] | int = (1, 5, 21),
    quantiles: int | Sequence[float] | None = 5,
    groupby: str | pd.Series | Mapping[object, object] | None = None,
    drop_incomplete: bool = False,
    threads: int | None = None,
    align: Literal["exact", "previous"] = "exact",
    fill: Literal["latest"] | None = None,
    *,
    prices: pd.DataFrame | None = None,
    zero_aware: bool = False,
    bins: int | Sequence[float] | None = None,
    by_group: bool = False,
) -> FactorReport:
    """How well a factor ranks future returns: IC, quantile returns, spread, turnover.

    Parameters
    ----------
    factor : DataFrame, Series or Scores
        Dates × tickers; a Scores uses its composite, and a Series indexed by (date, asset),
        as alphalens takes it, is unstacked (with a note).
    ds : Dataset, optional
        The market; or give ``prices`` instead.
    periods : sequence of int
        Horizons in trading days (rows); a string "1,5,21" works too.
    quantiles : int or sequence of float
        Buckets per date, as ``pd.qcut`` (and alphalens) take them: a number of equal-count
        buckets, or their edges as shares in [0, 1] (``[0, 0.1, 0.5, 0.9, 1]``).
    groupby : str, Series, dict or None
        Also report quantile returns per group (buckets are still formed across all stocks):
        a column of ``ds.meta`` (``"sector"``), or, as alphalens takes it, a Series or dict
        mapping each asset to its group. A stock without a group is left out of everything,
        as alphalens leaves it out (counted in :attr:`FactorReport.loss`).
    drop_incomplete : bool
        Drop a (date, stock) when any period's forward return is missing (alphalens' rule).
    threads : int, optional
        Blocks of dates evaluated at once; by default one per processor core, up to 4.
    align : {"exact", "previous"}
        ``"previous"`` places a factor dated on non-trading days (``resample("ME")`` labels)
        on the last trading day on or before each date.
    fill : {"latest"} or None
        ``"latest"`` carries each stock's last value forward over the days without one.
    prices : DataFrame, optional
        Dates × assets, as alphalens takes them, in place of ``ds``:
        ``fl.evaluate(factor, prices=prices)``.
    zero_aware : bool
        Bucket negative values and the others apart, half the (even) number of ``quantiles``
        (or ``bins``) each, as alphalens' ``zero_aware=True``: for a signal whose sign means
        something.
    bins : int or sequence of float, optional
        Buckets by value instead of by count, as ``pd.cut`` (and alphalens) take them, with
        ``quantiles=None``: a number of equal-width ranges per date, or fixed edges.
    by_group : bool
        Form the buckets within each group of ``groupby`` (alphalens' ``binning_by_group``),
        so every group has each bucket.

    Examples
    --------
    >>> import factorlab as fl
    >>> ds = fl.load_dataset("sample", n_tickers=40, years=3)
    >>> report = fl.evaluate(fl.factors.momentum(ds), ds, periods=(1, 21))
    >>> list(report.ic_summary().index)
    [1, 21]
    """
    ds = _market(ds, prices)
    horizons = _periods(periods)
    threads = as_int(threads, "threads") if threads is not None else min(_cores(), 4)
    if threads < 1:
        raise ConfigError(f"threads must be 1 or more, got {threads}.")
    binning = _binning(quantiles, bins, as_bool(zero_aware, "zero_aware"))
    q = binning.count
    source = getattr(factor, "composite", factor)
    raw = align_panel(source, ds, "factor", align, fill)
    values = np.array(raw.to_numpy(dtype=float), order="C")  # a row-major copy
    del raw
    rows_given = _rows_given(source, ds.prices.index, fill is not None)
    # Each cause of loss is counted per date (and summed for the loss table): the same passes
    # over the values as counting the totals, and the losses can be read by period.
    given_by_date = _counts(values)
    given = int(given_by_date.sum())
    if given == 0:
        raise DataError("The factor has no values, so there is nothing to evaluate.")
    forward = Forward(ds.prices, ds.meta["delisted"])
    np.copyto(values, np.nan, where=np.isnan(forward.prices))
    left = _counts(values)
    by_date = {"factor values": given_by_date, "no price that day": given_by_date - left}
    labels = _labels(ds, groupby)
    if labels is not None and labels.isna().any():  # alphalens leaves out a stock without one
        values[:, labels.isna().to_numpy()] = np.nan
        by_date["no group"], left = left - _counts(values), _counts(values)
    groups = _groups(ds, groupby)
    if as_bool(by_group, "by_group") and groups is None:
        raise ConfigError("by_group needs groups: pass groupby= too, e.g. groupby='sector'.")
    found = cross_sections(
        values,
        forward,
        horizons,
        binning,
        drop_incomplete,
        groups,
        threads=threads,
        by_group=bool(by_group),
    )
    if drop_incomplete:  # cross_sections dropped them from ``values`` in place
        kept = _counts(values)
        by_date["a period without a forward return (drop_incomplete)"] = left - kept
        left = kept
    dates = ds.prices.index
    q_raw, q_demeaned, spreads, group_tables = {}, {}, {}, {}
    for h in horizons:
        means = pd.DataFrame(found.bucket_means[h], index=dates, columns=range(1, q + 1))
        q_raw[h] = means.mean()
        # Demeaning shifts every bucket of a day by that day's mean: no second pass needed.
        q_demeaned[h] = means.sub(found.day_means[h], axis=0).mean()
        spreads[h] = means[q] - means[1]
        if groups:
            group_tables[h] = pd.concat(
                {
                    g: pd.DataFrame(m, columns=range(1, q + 1)).mean()
                    for g, m in found.group_means[h].items()
                },
                names=["group", "quantile"],
            )
        with_forward = found.with_forward_by_date[h]
        by_date[f"no forward return, {h}d"] = left - with_forward
        # alphalens' "binning phase": dates whose edges collide, values beyond fixed edges
        by_date[f"no bucket, {h}d"] = with_forward - np.count_nonzero(found.labels[h], axis=1)
    evaluated = found.evaluated
    loss_by_date = pd.DataFrame(by_date, index=ds.prices.index)
    loss = loss_by_date.sum().rename("rows").astype(int).to_frame()
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
        quantile_returns_by_group=pd.concat(group_tables, axis=1) if group_tables else None,
        spread_series=pd.DataFrame(spreads),
        loss=loss,
        loss_by_date=loss_by_date,
        quantiles=q,
        groups=_labels(ds, groupby),
        bucket_means={
            h: pd.DataFrame(found.bucket_means[h], index=dates, columns=range(1, q + 1))
            for h in horizons
        },
        day_means={h: pd.Series(found.day_means[h], index=dates) for h in horizons},
        dated=dates[rows_given],
        settings={
            "periods": horizons,
            "buckets": _describe_binning(binning),
            "groupby": _describe_groups(groupby),
            "by_group": bool(by_group),
            "drop_incomplete": bool(drop_incomplete),
            "align": align,
            "fill": fill,
        },
    )


def _rows_given(source: object, dates: pd.DatetimeIndex, filled: bool) -> np.ndarray:
    """Rows of ``dates`` the factor was given on (a row of NaN counts; it is a date).

    From a frame's index or, as alphalens reads a Series, its date level; each date placed on
    the last trading day on or before it. Every row from the first on, when ``fill`` spreads
    values over the days between.
    """
    if isinstance(source, pd.Series) and isinstance(source.index, pd.MultiIndex):
        given = pd.DatetimeIndex(source.index.levels[0])
    elif isinstance(source, pd.DataFrame | pd.Series):
        given = pd.DatetimeIndex(source.index)
    else:
        return np.arange(len(dates))
    rows = np.unique(dates.searchsorted(given, side="right") - 1)
    rows = rows[rows >= 0]
    if filled and len(rows):
        return np.arange(rows[0], len(dates))
    return rows


def _describe_binning(binning: Quantiles | Bins) -> str:
    """The buckets in words: "5 quantiles", "quantiles at 0, 0.1, 0.5, 0.9, 1", "3 bins"."""
    sign = ", negative and other values apart" if binning.zero_aware else ""
    if isinstance(binning, Bins):
        if binning.edges:
            return f"bins at {', '.join(f'{e:g}' for e in binning.edges)}"
        return f"{binning.number} equal-width bins{sign}"
    probs = binning.probs
    if np.allclose(np.diff(probs), probs[1] - probs[0]) and probs[0] == 0 and probs[-1] == 1:
        return f"{binning.count} quantiles{sign}"
    return f"quantiles at {', '.join(f'{p:g}' for p in probs)}"


def _describe_groups(groupby: str | pd.Series | Mapping[object, object] | None) -> str | None:
    """How the groups were given, in a few words (for a report's settings)."""
    if groupby is None or isinstance(groupby, str):
        return groupby
    return f"a mapping of {len(groupby)} assets"


def _cores() -> int:
    """Cores this process may use (its affinity mask, where the system has one)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def _counts(values: np.ndarray) -> np.ndarray:
    """How many values each date (row) holds."""
    return np.count_nonzero(~np.isnan(values), axis=1)


def _binning(
    quantiles: int | Sequence[float] | None, bins: int | Sequence[float] | None, zero_aware: bool
) -> Quantiles | Bins:
    """Alphalens' ``quantiles`` or ``bins`` (exactly one of them), as a bucketing rule."""
    if (quantiles is None) == (bins is None):
        raise ConfigError(
            "Give quantiles or bins, not both (as alphalens): bins=10 needs quantiles=None."
        )
    if bins is not None:
        if isinstance(bins, str) or not isinstance(bins, Iterable):
            bins = as_int(bins, "bins")
        return Bins.of(bins, zero_aware)
    if isinstance(quantiles, str) or not isinstance(quantiles, Iterable):
        quantiles = as_int(quantiles, "quantiles")
        if quantiles < 2:
            raise ConfigError(f"quantiles must be at least 2, got {quantiles}.")
    return Quantiles.of(quantiles, zero_aware)


def _market(ds: Dataset | None, prices: pd.DataFrame | None) -> Dataset:
    """The dataset, or one made of alphalens-style prices."""
    if (ds is None) == (prices is None):
        raise ConfigError(
            "Give the market once: a Dataset (fl.evaluate(factor, ds)) or a price panel "
            "(fl.evaluate(factor, prices=prices)), not both and not neither."
        )
    return ds if ds is not None else Dataset(prices=prices)


def _labels(
    ds: Dataset, groupby: str | pd.Series | Mapping[object, object] | None
) -> pd.Series | None:
    """Each ticker's group (NaN: none), from a meta column or a mapping of asset to group."""
    if groupby is None:
        return None
    if isinstance(groupby, str):
        return ds.groups(groupby).reindex(ds.prices.columns)
    if not isinstance(groupby, pd.Series | Mapping):
        raise ConfigError(
            "groupby must be a column of ds.meta (e.g. 'sector'), or a Series or dict mapping "
            f"each asset to its group; got {type(groupby).__name__}."
        )
    labels = pd.Series(groupby, dtype=object).reindex(ds.prices.columns)
    if labels.isna().all():
        raise ConfigError(
            "groupby names none of the factor's assets. Map the columns of the prices (or "
            "ds.tickers) to their groups."
        )
    return labels.rename("group")


def _groups(
    ds: Dataset, groupby: str | pd.Series | Mapping[object, object] | None
) -> dict[object, np.ndarray] | None:
    """Each group's stocks as column positions of the price panel."""
    groups = _labels(ds, groupby)
    if groups is None:
        return None
    return {name: np.flatnonzero((groups == name).to_numpy()) for name in groups.dropna().unique()}


def _table(by_period: dict[int, pd.Series]) -> pd.DataFrame:
    table = pd.DataFrame(by_period)
    table.index.name, table.columns.name = "quantile", "period"
    return table


def _periods(periods: object) -> list[int]:
    items: list[object]
    if isinstance(periods, str):  # papermill passes "1,5,21"
        items = list(split_items(periods))
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
