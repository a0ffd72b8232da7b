"""Sorting and ranking every row of a panel at once, and two panels' rank correlation per date.

Sorting and ranking are the hot path of factor evaluation.

Positions come back as *flat* indices into the panel (row offset included), because a flat
``np.take`` or assignment is several times faster than ``take_along_axis``, and callers reuse
output buffers (allocating a fresh panel costs about as much as filling it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "center_sorted_ranks",
    "pearson_rows",
    "rank_ic",
    "row_ranks",
    "sort_rows",
    "sorted_ranks",
]

_INT64_MAX = np.iinfo(np.int64).max
_MAX_INDEX_BITS = 20  # beyond a million columns, fall back to argsort


def sort_rows(
    values: np.ndarray, order: np.ndarray | None = None, ordered: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Flat positions that sort each row (NaN last), and the sorted rows.

    numpy's argsort of floats is several times slower than its vectorized sort, so this sorts
    64-bit keys instead: the value's bits, mapped to keep their order, with the column number
    in the lowest bits. Values that differ only in those bits can come out in column order;
    rows where that broke the order (checked) are argsorted, so the result is exact.

    Parameters
    ----------
    values : 2-D array, compared as float64 (converted to a row-major float64 copy if needed)
    order, ordered : optional int64 / float64 buffers of the same shape to write into

    Examples
    --------
    >>> order, ordered = sort_rows(np.array([[3.0, np.nan, 1.0], [2.0, 5.0, 4.0]]))
    >>> order.tolist(), ordered.tolist()
    ([[2, 0, 1], [3, 5, 4]], [[1.0, 3.0, nan], [2.0, 4.0, 5.0]])
    """
    values = np.ascontiguousarray(values, dtype=np.float64)
    n_rows, n_cols = values.shape
    order = np.empty(values.shape, dtype=np.int64) if order is None else order
    ordered = np.empty(values.shape) if ordered is None else ordered
    if values.size == 0:
        return order, ordered
    index_bits = max(n_cols - 1, 1).bit_length()
    if index_bits > _MAX_INDEX_BITS:
        order[:] = np.argsort(values, axis=1)
    else:
        bits = values.view(np.int64)
        np.right_shift(bits, 63, out=order)  # -1 for negatives: flip their magnitude bits,
        order &= _INT64_MAX  # so that a larger magnitude sorts lower
        order ^= bits
        np.copyto(order, _INT64_MAX, where=np.isnan(values))  # any NaN, whatever its sign bit
        order >>= index_bits
        order <<= index_bits
        order |= np.arange(n_cols, dtype=np.int64)
        order.sort(axis=1)
        order &= (1 << index_bits) - 1
    offsets = (np.arange(n_rows, dtype=np.int64) * n_cols)[:, None]
    order += offsets
    np.take(values.ravel(), order, out=ordered, mode="clip")
    unsorted = np.flatnonzero((ordered[:, 1:] < ordered[:, :-1]).any(axis=1))
    if len(unsorted):
        redo = np.argsort(values[unsorted], axis=1)
        order[unsorted] = redo + offsets[unsorted]
        ordered[unsorted] = np.take_along_axis(values[unsorted], redo, axis=1)
    return order, ordered


def sorted_ranks(ordered: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Average ranks (1-based) along each row of a row-sorted array, as ``DataFrame.rank``.

    Tied values share the mean of their positions. ``out`` may be ``ordered`` itself.

    Examples
    --------
    >>> sorted_ranks(np.array([[1.0, 2.0, 2.0, 7.0]])).tolist()
    [[1.0, 2.5, 2.5, 4.0]]
    """
    n_cols = ordered.shape[1]
    tied = np.flatnonzero((ordered[:, 1:] == ordered[:, :-1]).any(axis=1))  # NaN != NaN
    tied_ranks = _tie_averaged(ordered[tied]) if len(tied) else None
    out = np.empty(ordered.shape) if out is None else out
    out[:] = np.arange(1.0, n_cols + 1)
    if tied_ranks is not None:
        out[tied] = tied_ranks
    return out


def _tie_averaged(ordered: np.ndarray) -> np.ndarray:
    """Each position's tie group runs from ``first`` to ``last``: its rank is their mean + 1."""
    n_cols = ordered.shape[1]
    position = np.arange(n_cols)
    starts = np.ones(ordered.shape, dtype=bool)
    starts[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    first = np.maximum.accumulate(np.where(starts, position, 0), axis=1)
    ends = np.ones(ordered.shape, dtype=bool)
    ends[:, :-1] = starts[:, 1:]
    last = np.minimum.accumulate(np.where(ends, position, n_cols)[:, ::-1], axis=1)[:, ::-1]
    return (first + last) / 2 + 1


def row_ranks(values: np.ndarray) -> np.ndarray:
    """Average ranks (1 = lowest) within each row, NaN kept: ``DataFrame.rank(axis=1)``.

    The values are ranked as float64 (integers beyond 2**53 that float64 cannot tell apart tie).

    Examples
    --------
    >>> row_ranks(np.array([[0.3, np.nan, 0.1, 0.3]])).tolist()
    [[2.5, nan, 1.0, 2.5]]
    """
    values = np.ascontiguousarray(values, dtype=np.float64)
    order, ordered = sort_rows(values)
    ranks = np.empty(values.shape)
    ranks.ravel()[order.ravel()] = sorted_ranks(ordered, out=ordered).ravel()
    np.copyto(ranks, np.nan, where=np.isnan(values))
    return ranks


def center_sorted_ranks(ranks: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Sorted ranks centred in place, so that row sums of products are covariances.

    Each row's mean rank ((n + 1) / 2, ties or not) is subtracted from its first ``count``
    positions, and the rest are zeroed.
    """
    ranks -= ((count + 1) / 2)[:, None]
    np.copyto(ranks, 0.0, where=np.arange(ranks.shape[1]) >= count[:, None])
    return ranks


def rank_ic(factor: pd.DataFrame, returns: pd.DataFrame) -> pd.Series:
    """Spearman correlation across stocks per date, on stocks that have both values."""
    both = factor.notna().to_numpy() & returns.notna().to_numpy()
    a = row_ranks(np.where(both, factor.to_numpy(dtype=float), np.nan))
    b = row_ranks(np.where(both, returns.to_numpy(dtype=float), np.nan))
    return pd.Series(pearson_rows(a, b).to_numpy(), index=factor.index)


def pearson_rows(a: np.ndarray, b: np.ndarray) -> pd.Series:
    """Per-row Pearson correlation over entries present in both (NaN rows give NaN)."""
    both = ~np.isnan(a) & ~np.isnan(b)
    n = both.sum(axis=1)
    a, b = np.where(both, a, np.nan), np.where(both, b, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        a = a - (np.nansum(a, axis=1) / n)[:, None]
        b = b - (np.nansum(b, axis=1) / n)[:, None]
        r = np.nansum(a * b, axis=1) / np.sqrt(np.nansum(a * a, axis=1) * np.nansum(b * b, axis=1))
    return pd.Series(np.where(n >= 2, r, np.nan))
