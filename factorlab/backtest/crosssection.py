"""The kernels of factor evaluation, shared by ``fl.evaluate`` and the backtest.

Forward returns, buckets, rank IC and bucket means, each per date (the rank correlation of two
panels lives with the ranking, in :mod:`factorlab.factors.ranking`).

Every date is a cross-section of its own, so the panel is processed in blocks of dates. A block
of a few hundred dates fits in the processor's cache, its buffers are allocated once and reused
for every block and period (a freshly allocated panel costs about as much as filling it), and
peak memory does not grow with the number of dates.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from factorlab.errors import ConfigError
from factorlab.factors.ranking import center_sorted_ranks, sort_rows, sorted_ranks
from factorlab.factors.rowwise import row_quantile

__all__ = [
    "Bins",
    "Quantiles",
    "CrossSections",
    "Forward",
    "bucket_labels",
    "cross_sections",
    "forward_returns",
    "labels_as_float",
    "quantile_buckets",
]

BLOCK_CELLS = 1 << 20  # about a million cells (8 MB of float64) per block


class Forward:
    """Forward returns ``close[t+h] / close[t] - 1`` of one price panel, for any block of rows.

    A stock that delists within the horizon (``delisted``: last trading days) realizes its
    return to its last price; other missing prices give NaN.
    """

    def __init__(self, prices: pd.DataFrame, delisted: pd.Series | None = None) -> None:
        # Row-major: every pass runs along dates' rows (pandas hands out column-major).
        self.prices = np.ascontiguousarray(prices.to_numpy(dtype=float))
        self.ends: np.ndarray | None = None  # row of each stock's last trading day
        if delisted is not None and delisted.notna().any():
            last = pd.DatetimeIndex(delisted)
            rows = np.searchsorted(pd.DatetimeIndex(prices.index).to_numpy(), last.to_numpy())
            self.ends = np.where(last.isna(), len(prices), rows)
        self._last_price: np.ndarray | None = None  # the last price, held past delisting
        if self.ends is not None:  # made here, not on first use: blocks may run in threads
            self._last_price = np.ascontiguousarray(pd.DataFrame(self.prices).ffill())

    def into(self, h: int, rows: slice | None = None, out: np.ndarray | None = None) -> np.ndarray:
        """Forward returns over ``h`` rows for the dates in ``rows`` (all by default)."""
        start, stop, _ = (rows or slice(None)).indices(len(self.prices))
        out = np.empty((stop - start, self.prices.shape[1])) if out is None else out
        self._ratio(self.prices, h, start, out)
        if self.ends is None:
            return out
        dates = np.arange(start, stop)[:, None]
        ends_inside = (dates < self.ends[None, :]) & (dates + h > self.ends[None, :])
        if ends_inside.any() and self._last_price is not None:  # made with self.ends
            realized = self._ratio(self._last_price, h, start, np.empty(out.shape))
            np.copyto(out, realized, where=ends_inside)
        return out

    def _ratio(self, later: np.ndarray, h: int, start: int, out: np.ndarray) -> np.ndarray:
        inside = max(min(len(out), len(self.prices) - h - start), 0)  # rows with a t + h
        out[inside:] = np.nan
        if inside:
            np.divide(
                later[start + h : start + h + inside],
                self.prices[start : start + inside],
                out=out[:inside],
            )
            out[:inside] -= 1
        return out


@dataclass(frozen=True)
class Quantiles:
    """How each date's values are bucketed: ``pd.qcut`` at ``probs``, or per sign.

    With ``zero_aware``, the negative values and the others are bucketed apart, each at
    ``probs`` (alphalens' ``zero_aware=True``): the negatives take the lower half of the labels.
    """

    probs: tuple[float, ...]
    zero_aware: bool = False

    @property
    def count(self) -> int:
        """How many buckets."""
        return (len(self.probs) - 1) * (2 if self.zero_aware else 1)

    @property
    def trims(self) -> bool:
        """Whether the edges leave values out (they do not span 0 to 1), as qcut does."""
        return self.probs[0] > 0 or self.probs[-1] < 1

    @classmethod
    def of(
        cls, quantiles: int | Sequence[float] | Quantiles, zero_aware: bool = False
    ) -> Quantiles:
        """From alphalens' ``quantiles``: a count of equal buckets, or edges in [0, 1]."""
        if isinstance(quantiles, Quantiles):
            return quantiles
        if isinstance(quantiles, int | np.integer):
            if zero_aware:
                if quantiles < 2 or quantiles % 2:
                    raise ConfigError(
                        f"zero_aware needs an even number of quantiles (half for each sign), "
                        f"got {quantiles}."
                    )
                return cls(tuple(np.linspace(0, 1, quantiles // 2 + 1)), True)
            return cls(tuple(np.linspace(0, 1, int(quantiles) + 1)))
        probs = tuple(float(p) for p in quantiles)
        if zero_aware:
            raise ConfigError("zero_aware takes a number of quantiles, not a list of edges.")
        if len(probs) < 2 or any(b <= a for a, b in zip(probs, probs[1:], strict=False)):
            raise ConfigError(f"quantile edges must be 2 or more increasing numbers, got {probs}.")
        if probs[0] < 0 or probs[-1] > 1:
            raise ConfigError(f"quantile edges must lie in [0, 1], got {probs}.")
        return cls(probs)


@dataclass(frozen=True)
class Bins:
    """Each date's values cut into ranges, as ``pd.cut`` (and alphalens' ``bins``) cuts them.

    ``count`` equal-width ranges between the date's lowest and highest value (the lowest edge
    lowered by 0.1 % of the range, as pandas does), or the fixed ``edges`` (a value on or below
    the first edge or above the last is in no bucket). With ``zero_aware``, negative values and
    the others are cut apart, half the ranges each.
    """

    number: int = 0
    edges: tuple[float, ...] = ()
    zero_aware: bool = False

    @property
    def count(self) -> int:
        """How many buckets."""
        return len(self.edges) - 1 if self.edges else self.number

    @property
    def trims(self) -> bool:
        """Fixed edges may leave values out."""
        return bool(self.edges)

    @classmethod
    def of(cls, bins: int | Sequence[float], zero_aware: bool = False) -> Bins:
        """From alphalens' ``bins``: a number of equal-width ranges, or their edges."""
        if isinstance(bins, int | np.integer):
            if bins < 1 or (zero_aware and (bins < 2 or bins % 2)):
                raise ConfigError(
                    f"bins must be a positive number{' (even, with zero_aware)' if zero_aware else ''}"
                    f", got {bins}."
                )
            return cls(number=int(bins), zero_aware=zero_aware)
        edges = tuple(float(e) for e in bins)
        if zero_aware:
            raise ConfigError("zero_aware takes a number of bins, not a list of edges.")
        if len(edges) < 2 or any(b <= a for a, b in zip(edges, edges[1:], strict=False)):
            raise ConfigError(f"bin edges must be 2 or more increasing numbers, got {edges}.")
        return cls(edges=edges)


def bucket_labels(
    values: np.ndarray, ordered: np.ndarray, quantiles: int | Quantiles | Bins
) -> tuple[np.ndarray, np.ndarray]:
    """``pd.qcut(row, quantiles, labels=False) + 1`` per row (0: no bucket), and cumulative counts.

    The labels, and, per row, how many values each bucket and the ones below it hold (rows ×
    buckets+1, starting at 0). ``ordered`` is ``values`` sorted along rows, NaN last. A row whose
    edges collide gets no buckets (alphalens drops such a date).
    """
    binning = quantiles if isinstance(quantiles, Bins) else Quantiles.of(quantiles)
    if isinstance(binning, Bins):
        return _cut_labels(values, ordered, binning)
    q = binning.count
    count = (~np.isnan(ordered)).sum(axis=1)
    if binning.zero_aware:
        negative = (ordered < 0).sum(axis=1)  # sorted first
        segments = [(np.zeros_like(count), negative), (negative, count - negative)]
    else:
        segments = [(np.zeros_like(count), count)]
    edges: list[np.ndarray] = []  # the interior edges, in order
    valid = count > 0
    for start, size in segments:
        these = [row_quantile(ordered, p, size, start) for p in binning.probs]
        valid &= (size > 0) & (np.diff(np.stack(these, axis=1), axis=1) > 0).all(axis=1)
        edges += these[1:-1] + [these[-1]]  # each segment's top closes its last bucket
    edges = edges[:-1]  # the last segment's top is the row's maximum: no edge above it
    outside = None
    if binning.trims:  # values beyond the outer edges are in no bucket, as qcut leaves them
        outside = (values < these[0][:, None]) | (values > these[-1][:, None])
    count = np.where(valid, count, 0)
    labels = np.ones(values.shape, dtype=np.uint8 if q < 256 else np.uint16)
    upto = np.zeros((len(values), q + 1), dtype=np.int64)
    for j, edge in enumerate(edges, start=1):  # in (e[j-1], e[j]] -> j; the lowest -> 1
        above = values > edge[:, None]
        labels += above
        upto[:, j] = count - above.sum(axis=1)
    upto[:, q] = count
    upto[~valid] = 0
    labels[np.isnan(values) | ~valid[:, None]] = 0
    if outside is not None:
        labels[outside] = 0
        upto = cumulative_counts(labels, q)
    return labels, upto


def _cut_labels(
    values: np.ndarray, ordered: np.ndarray, bins: Bins
) -> tuple[np.ndarray, np.ndarray]:
    """``pd.cut(row, bins, labels=False) + 1`` per row (0: no bucket), and cumulative counts."""
    q = bins.count
    count = (~np.isnan(ordered)).sum(axis=1)
    rows = np.arange(len(ordered))
    if bins.edges:
        edges = [np.full(len(values), e) for e in bins.edges]
        valid = count > 0
        sides = [(edges, np.ones(values.shape, dtype=bool), 0)]
    else:
        half = q // 2 if bins.zero_aware else q
        negative = (ordered < 0).sum(axis=1)
        if bins.zero_aware:
            segments = [(np.zeros_like(count), negative, 0), (negative, count - negative, half)]
        else:
            segments = [(np.zeros_like(count), count, 0)]
        valid = count > 0
        sides = []
        for start, size, offset in segments:
            valid &= size > 0
            last = np.maximum(start + size - 1, 0).clip(max=ordered.shape[1] - 1)
            low, high = ordered[rows, np.minimum(start, ordered.shape[1] - 1)], ordered[rows, last]
            edges = _equal_width_edges(low, high, half)
            member = (
                np.ones(values.shape, dtype=bool)
                if not bins.zero_aware
                else (values < 0 if offset == 0 else values >= 0)
            )
            sides.append((edges, member, offset))
    labels = np.zeros(values.shape, dtype=np.uint8 if q < 256 else np.uint16)
    for edges, member, offset in sides:
        # searchsorted(edges, x, "left"): how many edges lie below x; 1..n inside the range.
        side = np.zeros(values.shape, dtype=np.int64)
        for edge in edges:  # a few edges, each one pass
            side += values > edge[:, None]
        inside = member & (side >= 1) & (side <= len(edges) - 1)
        labels[inside] = (side + offset)[inside]
    labels[np.isnan(values) | ~valid[:, None]] = 0
    return labels, cumulative_counts(labels, q)


def _equal_width_edges(low: np.ndarray, high: np.ndarray, n: int) -> list[np.ndarray]:
    """Pandas' edges for ``pd.cut(x, n)`` per row from its lowest and highest value."""
    with np.errstate(invalid="ignore"):
        flat = low == high
        pad_low = np.where(low != 0, 0.001 * np.abs(low), 0.001)
        pad_high = np.where(high != 0, 0.001 * np.abs(high), 0.001)
        start = np.where(flat, low - pad_low, low)
        stop = np.where(flat, high + pad_high, high)
        step = (stop - start) / n
        edges = [k * step + start for k in range(n)] + [stop]  # as np.linspace computes them
        edges[0] = np.where(flat, edges[0], edges[0] - (stop - start) * 0.001)
    return edges


def cumulative_counts(labels: np.ndarray, q: int) -> np.ndarray:
    """Per row, how many cells hold a label of at most j, for j = 0..q (rows × q+1)."""
    upto = np.zeros((len(labels), q + 1), dtype=np.int64)
    labelled = labels > 0
    for j in range(1, q + 1):  # a few buckets, each one pass
        upto[:, j] = (labelled & (labels <= j)).sum(axis=1)
    return upto


@dataclass
class CrossSections:
    """What :func:`cross_sections` gives: per period, the daily figures of a factor's evaluation.

    Per period ``h``: the daily rank IC, each bucket's mean forward return per date (dates × q),
    each date's mean forward return, the bucket labels (0: none), and per group the bucket
    means per date; plus how many cells had a forward return, were evaluated (had one and a
    bucket) or were dropped.
    """

    ic: dict[int, np.ndarray]
    bucket_means: dict[int, np.ndarray]
    day_means: dict[int, np.ndarray]
    labels: dict[int, np.ndarray]
    group_means: dict[int, dict[object, np.ndarray]]
    evaluated: dict[int, int] = field(default_factory=dict)
    dropped_incomplete: int = 0
    with_forward: dict[int, int] = field(default_factory=dict)
    with_forward_by_date: dict[int, np.ndarray] = field(default_factory=dict)


def cross_sections(
    values: np.ndarray,
    forward: Forward,
    horizons: list[int],
    quantiles: int | Quantiles | Bins,
    drop_incomplete: bool = False,
    groups: dict[object, np.ndarray] | None = None,
    threads: int = 1,
    block_rows: int | None = None,
    by_group: bool = False,
) -> CrossSections:
    """Evaluate a factor (``values``: dates × stocks, row-major, NaN = none) block by block.

    With ``drop_incomplete`` a cell without a forward return for some period is dropped for
    all of them, and ``values`` is changed in place to show it. ``groups`` maps a group name
    to its stocks' column positions; with ``by_group`` each group is bucketed on its own (a
    stock without a group is in no bucket). ``threads`` blocks run at once (numpy releases the
    GIL).
    """
    binning = quantiles if isinstance(quantiles, Bins) else Quantiles.of(quantiles)
    q = binning.count
    n_rows, n_cols = values.shape
    block_rows = block_rows or max(1, BLOCK_CELLS // max(n_cols, 1))
    out = CrossSections(
        ic={h: np.full(n_rows, np.nan) for h in horizons},
        bucket_means={h: np.full((n_rows, q), np.nan) for h in horizons},
        day_means={h: np.full(n_rows, np.nan) for h in horizons},
        labels={
            h: np.zeros(values.shape, dtype=np.uint8 if q < 256 else np.uint16) for h in horizons
        },
        group_means={h: {g: np.full((n_rows, q), np.nan) for g in groups or {}} for h in horizons},
        with_forward_by_date={h: np.zeros(n_rows, dtype=np.int64) for h in horizons},
    )
    blocks = [slice(s, min(s + block_rows, n_rows)) for s in range(0, n_rows, block_rows)]
    threads = max(1, min(threads, len(blocks)))

    def work(share: list[slice]) -> tuple[dict[int, int], int, dict[int, int]]:
        space = _Workspace(min(block_rows, n_rows), n_cols)
        evaluated, dropped, with_forward = dict.fromkeys(horizons, 0), 0, dict.fromkeys(horizons, 0)
        for rows in share:
            block_evaluated, block_dropped, block_forward = _block(
                values,
                rows,
                forward,
                horizons,
                binning,
                drop_incomplete,
                groups,
                space,
                out,
                by_group,
            )
            dropped += block_dropped
            for h, n in block_evaluated.items():
                evaluated[h] += n
                with_forward[h] += block_forward[h]
        return evaluated, dropped, with_forward

    shares = [blocks[i::threads] for i in range(threads)]
    if threads == 1:
        results = [work(shares[0])]
    else:
        with ThreadPoolExecutor(threads) as pool:
            results = list(pool.map(work, shares))
    out.evaluated = {h: sum(r[0][h] for r in results) for h in horizons}
    out.dropped_incomplete = sum(r[1] for r in results)
    out.with_forward = {h: sum(r[2][h] for r in results) for h in horizons}
    return out


class _Workspace:
    """Block-sized buffers, allocated once per thread."""

    def __init__(self, n_rows: int, n_cols: int) -> None:
        shape = (n_rows, n_cols)
        self.fwd, self.scratch, self.centered = (np.empty(shape) for _ in range(3))
        self.order, self.factor_order = (np.empty(shape, dtype=np.int64) for _ in range(2))

    def views(self, n: int) -> _Workspace:
        """The first ``n`` rows of every buffer (still row-major) for a shorter last block."""
        view = object.__new__(_Workspace)
        view.__dict__ = {name: buffer[:n] for name, buffer in self.__dict__.items()}
        return view


class _Binned:
    """A block's buckets and centered ranks on one set of cells with a forward return.

    Reused across periods while that set does not change.
    """

    def __init__(
        self,
        values: np.ndarray,
        present: np.ndarray,
        binning: Quantiles | Bins,
        space: _Workspace,
        within: dict[object, np.ndarray] | None = None,
    ):
        self.present = present
        self.within_groups = within is not None
        x = space.scratch
        np.copyto(x, values)
        np.copyto(x, np.nan, where=~present)
        self.order, ordered = sort_rows(
            x, order=space.factor_order, ordered=space.order.view(np.float64)
        )
        if within is not None:  # each group bucketed on its own (alphalens' by_group)
            self.labels = np.zeros(x.shape, dtype=np.uint8 if binning.count < 256 else np.uint16)
            for members in within.values():  # a handful of groups
                sub = x[:, members]
                self.labels[:, members] = bucket_labels(sub, np.sort(sub, axis=1), binning)[0]
            self.upto = cumulative_counts(self.labels, binning.count)
        else:
            self.labels, self.upto = bucket_labels(x, ordered, binning)
        if binning.trims or within is not None:  # values left out of every bucket are out of
            np.copyto(x, np.nan, where=self.labels == 0)  # the IC and the means too
            self.order, ordered = sort_rows(
                x, order=space.factor_order, ordered=space.order.view(np.float64)
            )
        self.count = self.upto[:, -1]  # 0 on a date without buckets: it is dropped
        self.usable = self.labels > 0
        ranks = center_sorted_ranks(sorted_ranks(ordered, out=ordered), self.count)
        self.centered = space.centered  # centered ranks in place, 0 where unusable
        self.centered.ravel()[self.order.ravel()] = ranks.ravel()
        self.sum_of_squares = np.einsum("ij,ij->i", self.centered, self.centered)


def _block(
    values: np.ndarray,
    rows: slice,
    forward: Forward,
    horizons: list[int],
    binning: Quantiles | Bins,
    drop_incomplete: bool,
    groups: dict[object, np.ndarray] | None,
    space: _Workspace,
    out: CrossSections,
    by_group: bool = False,
) -> tuple[dict[int, int], int, dict[int, int]]:
    q = binning.count
    block = values[rows]  # a view: drop_incomplete writes through
    space = space.views(len(block))
    dropped = 0
    if drop_incomplete:
        before = int((~np.isnan(block)).sum())
        for h in horizons:
            np.copyto(block, np.nan, where=np.isnan(forward.into(h, rows, out=space.fwd)))
        dropped = before - int((~np.isnan(block)).sum())
    binned: _Binned | None = None
    evaluated, with_forward = {}, {}
    for h in horizons:
        r = forward.into(h, rows, out=space.fwd)
        present = ~np.isnan(block) & ~np.isnan(r)
        out.with_forward_by_date[h][rows] = np.count_nonzero(present, axis=1)
        with_forward[h] = int(out.with_forward_by_date[h][rows].sum())
        if binned is None or not np.array_equal(present, binned.present):
            binned = _Binned(block, present, binning, space, groups if by_group else None)
        np.copyto(r, np.nan, where=~binned.usable)  # a date without buckets is dropped
        if groups:
            for name, members in groups.items():
                out.group_means[h][name][rows] = _bucket_means(
                    r[:, members], binned.labels[:, members], q
                )
        if binned.within_groups:  # buckets are not contiguous in the row's order
            means = _bucket_means(r, binned.labels, q)
            with np.errstate(invalid="ignore", divide="ignore"):
                day_mean = np.nansum(r, axis=1) / binned.count
            day_mean[binned.count == 0] = np.nan
        else:
            means, day_mean = _bucket_means_along(binned, r, space.scratch)
        out.bucket_means[h][rows] = means
        out.day_means[h][rows] = day_mean
        out.ic[h][rows] = _rank_ic_sorted(binned, r, space.order, space.scratch)
        out.labels[h][rows] = binned.labels
        evaluated[h] = int(binned.count.sum())
    return evaluated, dropped, with_forward


def _bucket_means_along(
    binned: _Binned, r: np.ndarray, buffer: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each bucket's mean forward return per date (dates × q) and each date's mean.

    Buckets are contiguous in the factor's sort order, so each is one segment of ``r`` gathered in
    that order, summed on its own (``np.add.reduceat``: an extreme return in one bucket cannot leak
    into another's sum, as differences of a running total would let it).
    """
    along = np.take(r.ravel(), binned.order, out=buffer, mode="clip")  # NaN past each count
    np.copyto(along, 0.0, where=np.isnan(along))
    n_rows, n_cols = along.shape
    upto = binned.upto
    starts = (np.arange(n_rows)[:, None] * n_cols + upto[:, :-1]).ravel()
    sums = np.add.reduceat(along.ravel(), np.minimum(starts, along.size - 1))
    sizes = np.diff(upto, axis=1)
    sums = np.where(sizes > 0, sums.reshape(n_rows, -1), 0.0)  # an empty bucket sums to nothing
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(sizes > 0, sums / sizes, np.nan)
        day_mean = np.where(binned.count > 0, sums.sum(axis=1) / binned.count, np.nan)
    return means, day_mean


def _rank_ic_sorted(
    binned: _Binned, r: np.ndarray, order: np.ndarray, buffer: np.ndarray
) -> np.ndarray:
    """Spearman IC per date of the factor and ``r`` (NaN off the usable cells).

    Overwrites ``r``: the returns' ranks stay in their sort order and the factor's ranks are
    gathered into it, so nothing is scattered back.
    """
    _, ranks = sort_rows(r, order=order, ordered=buffer)
    b = center_sorted_ranks(sorted_ranks(ranks, out=ranks), binned.count)
    a = np.take(binned.centered.ravel(), order, out=r, mode="clip")
    with np.errstate(invalid="ignore", divide="ignore"):
        ic = np.einsum("ij,ij->i", a, b) / np.sqrt(
            binned.sum_of_squares * np.einsum("ij,ij->i", b, b)
        )
    ic[binned.count < 2] = np.nan
    return ic


def _bucket_means(values: np.ndarray, labels: np.ndarray, q: int) -> np.ndarray:
    """Per date, each bucket's mean of ``values`` (dates × buckets 1..q), in one pass.

    Labels 0 are not in a bucket. The one pass is a bincount over (date, bucket) cells.
    """
    valid = ~np.isnan(values) & (labels > 0)
    rows = np.nonzero(valid)[0]
    cell = rows * q + labels[valid].astype(np.int64) - 1
    size = len(values) * q
    total = np.bincount(cell, weights=values[valid], minlength=size).reshape(-1, q)
    count = np.bincount(cell, minlength=size).reshape(-1, q)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / count, np.nan)


def forward_returns(
    prices: pd.DataFrame, periods: Sequence[int], delisted: pd.Series | None = None
) -> dict[int, pd.DataFrame]:
    """``{h: close[t+h] / close[t] - 1}`` for each period ``h`` (rows).

    A stock that delists within the horizon (``delisted``: last trading days) realizes its
    return to its last price, as in the backtest; other missing prices give NaN.
    """
    forward = Forward(prices, delisted)
    return {
        h: pd.DataFrame(forward.into(h), index=prices.index, columns=prices.columns)
        for h in periods
    }


def quantile_buckets(factor: pd.DataFrame, quantiles: int) -> pd.DataFrame:
    """``pd.qcut(row, quantiles, labels=False) + 1`` for every date at once.

    A date whose edges are not unique is all NaN (alphalens drops it).
    """
    values = factor.to_numpy(dtype=float)
    labels, _ = bucket_labels(values, np.sort(values, axis=1), quantiles)
    return pd.DataFrame(labels_as_float(labels), index=factor.index, columns=factor.columns)


def labels_as_float(labels: np.ndarray) -> np.ndarray:
    """Bucket labels as floats, NaN where a cell has no bucket (label 0)."""
    out = labels.astype(float)
    out[labels == 0] = np.nan
    return out
