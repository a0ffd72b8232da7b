"""Per-date statistics of wide panels (dates × tickers): quantiles, means, z-scores.

A panel of 3,000 stocks over ten years is 60 MB, and a score standardizes a dozen of them.
They are worked through in blocks of dates of a couple of MB, in buffers reused from block to
block: a block stays in the processor's cache for every pass over it, and no panel-sized
temporary is made (a fresh one costs about as much to map from the operating system as the
arithmetic done on it).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

__all__ = [
    "BLOCK_CELLS",
    "TAIL_SAMPLE_STEP",
    "Workspace",
    "row_blocks",
    "row_mean_std",
    "row_quantile",
    "standardize_rows",
    "tail_quantiles",
]

BLOCK_CELLS = 1 << 18  # 2 MB of float64 per block of dates
TAIL_SAMPLE_STEP = 8  # every 8th column bounds a row's tails (see tail_quantiles)


class Workspace:
    """Buffers for one block of dates, reused by every block of a panel.

    Parameters
    ----------
    rows, width : int
        The largest block: dates per block and tickers.
    """

    def __init__(self, rows: int, width: int) -> None:
        self.floats = np.empty((rows, width))
        self.missing = np.empty((rows, width), dtype=bool)
        self.low = np.empty((rows, width), dtype=bool)
        self.high = np.empty((rows, width), dtype=bool)

    def for_block(self, rows: int) -> Workspace:
        """The same buffers cut to a block of ``rows`` dates (the last block may be short)."""
        if rows == len(self.floats):
            return self
        cut = Workspace.__new__(Workspace)
        cut.floats, cut.missing = self.floats[:rows], self.missing[:rows]
        cut.low, cut.high = self.low[:rows], self.high[:rows]
        return cut


def row_blocks(n_rows: int, width: int) -> Iterator[slice]:
    """Consecutive blocks of rows of about :data:`BLOCK_CELLS` cells each."""
    step = max(1, BLOCK_CELLS // max(width, 1))
    for start in range(0, n_rows, step):  # blocks of dates, not one date at a time
        yield slice(start, min(start + step, n_rows))


def standardize_rows(
    values: np.ndarray,
    limits: float = 0.0,
    size: np.ndarray | None = None,
    rtol: float = 1e-10,
    source: np.ndarray | None = None,
    present: np.ndarray | None = None,
) -> np.ndarray:
    """Winsorize (unless ``limits`` is 0) and z-score each row of ``values``, in place.

    Each row is clipped at its ``limits`` and ``1 - limits`` quantiles (NaN ignored), then has
    its mean subtracted and is divided by its standard deviation (``ddof=1``). A row with fewer
    than two values, or whose standard deviation is at most ``rtol`` times its size (``size``,
    by default its absolute mean), becomes all NaN.

    Parameters
    ----------
    values : ndarray
        Dates × tickers, float64, in row order (C order); overwritten.
    limits : float
        The share clipped at each end, in [0, 0.5).
    size : ndarray, optional
        Per row, the size its spread is judged against.
    rtol : float
        The relative spread below which a row is flat.
    source : ndarray, optional
        Where to read the values from, block by block, with infinities taken as missing;
        ``values`` is then only written (it may be uninitialized). Without it, ``values`` is
        read as it is.
    present : ndarray of bool, optional
        If given (the shape of ``values``), it receives where a z-score exists, and missing
        z-scores are written as 0 instead of NaN: ready to be summed over several panels,
        done while each block is in cache.

    Returns
    -------
    ndarray of bool
        Per row: flat, but with distinct values (a spread of rounding noise). The caller may
        warn about them.

    Examples
    --------
    >>> values = np.array([[1.0, 2.0, 3.0], [5.0, 5.0, 5.0]])
    >>> standardize_rows(values).tolist(), values.tolist()
    ([False, False], [[-1.0, 0.0, 1.0], [nan, nan, nan]])
    """
    noisy = np.zeros(len(values), dtype=bool)
    blocks = list(row_blocks(*values.shape))
    if not blocks:
        return noisy
    work = Workspace(blocks[0].stop - blocks[0].start, values.shape[1])
    for rows in blocks:
        block, scratch = values[rows], work.for_block(rows.stop - rows.start)
        if source is not None:  # copied while the block is in cache, not in a pass of its own
            np.copyto(block, source[rows])
            infinite = np.isinf(block, out=scratch.missing)
            if infinite.any():
                np.putmask(block, infinite, np.nan)
        missing = np.isnan(block, out=scratch.missing)
        count = values.shape[1] - np.count_nonzero(missing, axis=1)
        if limits:
            low, high = tail_quantiles(block, limits, scratch, count)
            np.clip(block, low[:, None], high[:, None], out=block)  # NaN stays NaN
        mean, std = row_mean_std(block, scratch, count)
        scale = np.abs(mean) if size is None else size[rows]
        flat = std <= rtol * scale  # NaN (fewer than two values) compares False
        suspect = np.flatnonzero(flat & (std > 0))
        if len(suspect):  # pandas' std of identical values can be 3e-17: those are not noise
            these = block[suspect]
            noisy[rows.start + suspect] = np.nanmax(these, axis=1) > np.nanmin(these, axis=1)
        block -= mean[:, None]
        block /= np.where(flat, np.nan, std)[:, None]
        if present is not None:
            missing = np.isnan(block, out=scratch.missing)  # flat dates are missing too
            np.logical_not(missing, out=present[rows])
            np.putmask(block, missing, 0.0)
    return noisy


def row_mean_std(
    values: np.ndarray, work: Workspace | None = None, count: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's mean and standard deviation (``ddof=1``), NaN ignored.

    The formulas of pandas' ``DataFrame.mean(axis=1)`` and ``std(axis=1)``
    (``nanops.nanmean``, ``nanvar``): the values with NaN as 0 summed along the row, over
    their count; then the two-pass variance. Each sum runs along a row in memory (numpy's
    pairwise sum), so the last bits do not depend on the panel's memory order or on whether
    bottleneck is installed, as pandas' do. ``work`` (whose ``missing`` must then hold
    ``np.isnan(values)``) and ``count`` save recomputing them.

    Examples
    --------
    >>> mean, std = row_mean_std(np.array([[1.0, 2.0, np.nan, 3.0]]))
    >>> mean.tolist(), std.tolist()
    ([2.0], [1.0])
    """
    if work is None:
        work = Workspace(*values.shape)
        np.isnan(values, out=work.missing)
    missing = work.missing
    if count is None:
        count = values.shape[1] - np.count_nonzero(missing, axis=1)
    filled = work.floats
    np.copyto(filled, values)
    np.putmask(filled, missing, 0.0)
    total = filled.sum(axis=1)
    counted = count.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / counted  # 0 / 0 = NaN for an empty row
        enough = np.where(counted > 1, counted, np.nan)
        np.subtract((total / enough)[:, None], filled, out=filled)
        np.square(filled, out=filled)
        np.putmask(filled, missing, 0.0)
        std = np.sqrt(filled.sum(axis=1) / (enough - 1))
    return mean, std


def row_quantile(
    ordered: np.ndarray, q: float, count: np.ndarray | None = None, start: np.ndarray | None = None
) -> np.ndarray:
    """Quantile ``q`` of each row of a row-sorted array (NaN last); NaN for an all-NaN row.

    By linear interpolation, as numpy's default. One vectorized pass instead of a loop over
    rows. ``count`` (non-NaN values per row) may be passed when several quantiles are taken.
    With ``start``, each row's quantile is that of its ``count`` sorted values from position
    ``start`` on (a segment of the row, such as its negative values).

    Examples
    --------
    >>> row_quantile(np.array([[1.0, 2.0, 3.0, np.nan]]), 0.25).tolist()
    [1.5]
    """
    if count is None:
        count = np.sum(~np.isnan(ordered), axis=1)
    position, below, above = _quantile_ranks(count, q)
    rows = np.arange(len(ordered))
    if start is None:
        low, high = ordered[rows, below], ordered[rows, above]
    else:  # an empty segment may start past the row's end: it reads NaN anyway
        last = ordered.shape[1] - 1
        low = ordered[rows, np.minimum(start + below, last)]
        high = ordered[rows, np.minimum(start + above, last)]
    return _interpolate(low, high, position, below, count)


def tail_quantiles(
    values: np.ndarray, q: float, work: Workspace | None = None, count: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Quantiles ``q`` and ``1 - q`` of each row, NaN ignored; NaN for an all-NaN row.

    Exactly ``row_quantile(np.sort(values, axis=1), q)`` and the same at ``1 - q``, without
    sorting whole rows when ``q`` is small: a sorted sample of every
    :data:`TAIL_SAMPLE_STEP`-th column gives each row a bound below which lie at least the
    values the low quantile needs (checked by counting them), and only those are sorted; the
    same at the top. A row whose sample misjudges its tail is sorted whole. A 1 % winsorize so
    sorts a few percent of a panel instead of all of it. ``work`` and ``count`` (non-NaN
    values per row) save allocating and recounting.

    Examples
    --------
    >>> values = np.array([[1.0, 2.0, 3.0, 100.0, np.nan]])
    >>> [x.tolist() for x in tail_quantiles(values, 0.25)]
    [[1.75], [27.25]]
    """
    if count is None:
        count = values.shape[1] - np.count_nonzero(np.isnan(values), axis=1)
    low_at, high_at = _quantile_ranks(count, q), _quantile_ranks(count, 1 - q)
    wanted = [low_at[1], low_at[2], high_at[1], high_at[2]]
    if values.shape[1] < 16 * TAIL_SAMPLE_STEP or q > 0.05:  # the tails are most of the row
        ordered = np.sort(values, axis=1)
        rows = np.arange(len(values))
        pick = [ordered[rows, r] for r in wanted]
    else:
        work = Workspace(*values.shape) if work is None else work
        pick = _tail_order_statistics(values, count, wanted[:2], wanted[2:], work)
    low = _interpolate(pick[0], pick[1], low_at[0], low_at[1], count)
    high = _interpolate(pick[2], pick[3], high_at[0], high_at[1], count)
    return low, high


def _quantile_ranks(count: np.ndarray, q: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where quantile ``q`` of ``count`` sorted values falls: position, rank below, rank above."""
    position = (count - 1).clip(min=0) * q
    below = np.floor(position).astype(int)
    above = np.minimum(below + 1, (count - 1).clip(min=0))
    return position, below, above


def _interpolate(
    low: np.ndarray, high: np.ndarray, position: np.ndarray, below: np.ndarray, count: np.ndarray
) -> np.ndarray:
    out = low + (high - low) * (position - below)
    return np.where(count > 0, out, np.nan)


def _tail_order_statistics(
    values: np.ndarray,
    count: np.ndarray,
    low_ranks: list[np.ndarray],
    high_ranks: list[np.ndarray],
    work: Workspace,
) -> list[np.ndarray]:
    """Each row's values at ascending ranks near its bottom and near its top, NaN ignored.

    Only the values beyond a bound taken from a sample of the columns are sorted; a row whose
    bounds leave out a needed rank (the sample misjudged it) is sorted whole.
    """
    rows = np.arange(len(values))
    sample = np.sort(values[:, ::TAIL_SAMPLE_STEP], axis=1)  # NaN last
    in_sample = sample.shape[1] - np.count_nonzero(np.isnan(sample), axis=1)
    need_low = np.max(low_ranks, axis=0) + 1  # how many of the smallest values are read
    need_high = count - np.min(high_ranks, axis=0)  # and of the largest
    bounds = []
    for need in (need_low, need_high):  # the sample's value at twice the needed share, or so
        at = np.ceil(2 * need / np.maximum(count, 1) * in_sample).astype(int) + 2
        bounds.append(np.minimum(at, in_sample - 1).clip(min=0))
    low_bound = sample[rows, bounds[0]]  # NaN where the row has no value in the sample
    high_bound = sample[rows, (in_sample - 1 - bounds[1]).clip(min=0)]
    in_tails = np.less_equal(values, low_bound[:, None], out=work.low)  # NaN compares False
    in_tails |= np.greater_equal(values, high_bound[:, None], out=work.high)
    at = np.flatnonzero(in_tails)  # one scan of both tails, in row order
    at_row, tail = at // values.shape[1], values.ravel()[at]
    low_side, high_side = tail <= low_bound[at_row], tail >= high_bound[at_row]
    found_low = np.bincount(at_row[low_side], minlength=len(values))
    found_high = np.bincount(at_row[high_side], minlength=len(values))
    ok = (found_low >= need_low) & (found_high >= need_high)

    keep = ok[at_row]
    at_row, tail = at_row[keep], tail[keep]
    out = []
    for ranks, side, found, mine in (
        (low_ranks, "low", found_low, low_side[keep]),
        (high_ranks, "high", found_high, high_side[keep]),
    ):
        found = np.where(ok, found, 0)
        width = max(int(found.max()), 1)
        start = np.cumsum(found) - found
        dense = np.full((len(values), width), np.inf if side == "low" else -np.inf)
        dense[at_row[mine], np.arange(mine.sum()) - start[at_row[mine]]] = tail[mine]
        dense.sort(axis=1)
        # A low tail holds ranks 0..found-1; a high tail the last `found` ranks, right-aligned.
        shift = 0 if side == "low" else width - count
        for r in ranks:
            column = np.where(ok, r + shift, 0)
            out.append(np.where(ok, dense[rows, column], np.nan))
    redo = np.flatnonzero(~ok & (count > 0))
    if len(redo):
        ordered = np.sort(values[redo], axis=1)
        for r, result in zip(low_ranks + high_ranks, out, strict=True):
            result[redo] = ordered[np.arange(len(redo)), r[redo]]
    return out
