"""Cross-sectional transforms: each works per date (row) of a wide panel and ignores NaN.

A NaN stays NaN, and a date with too few values to transform comes out all NaN rather than
raising: a panel of exposures has many such dates at the start of the data. An infinite value
(a ratio over zero) is treated as missing, so one bad figure cannot blank a whole date.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from factorlab._warnings import warn
from factorlab.errors import ConfigError
from factorlab.factors.rowwise import row_quantile, standardize_rows

__all__ = [
    "SEED_THRESHOLDS",
    "bucket_score",
    "flat_dates",
    "neutralize",
    "rank",
    "winsorize",
    "winsorized_zscore",
    "zscore",
]

# The seed's bucket scores: a metric's value is placed between these cut points and scored 1-10
# (10 = most attractive). Ratios where lower is cheaper (P/E, P/B, P/S, EV/EBITDA, debt/equity)
# score 10 below the first cut; growth rates and returns score 10 above the last.
SEED_THRESHOLDS: dict[str, tuple[Sequence[float], bool]] = {
    "pe": ((5, 10, 15, 20, 25, 30, 40, 50, 75), False),
    "pb": ((0.5, 1, 1.5, 2, 3, 4, 5, 7, 10), False),
    "ps": ((0.5, 1, 1.5, 2, 3, 4, 6, 8, 12), False),
    "ev_ebitda": ((4, 6, 8, 10, 12, 15, 20, 25, 35), False),
    "debt_to_equity": ((0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5), False),
    "revenue_growth": ((-0.1, -0.05, 0, 0.03, 0.06, 0.1, 0.15, 0.2, 0.3), True),
    "earnings_growth": ((-0.2, -0.1, 0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5), True),
    "momentum": ((-0.3, -0.2, -0.1, 0, 0.05, 0.1, 0.2, 0.3, 0.5), True),
}


def winsorize(
    panel: pd.DataFrame,
    limits: float = 0.01,
    method: Literal["quantile", "mad"] = "quantile",
    n_mad: float = 5.0,
) -> pd.DataFrame:
    """Clip each date's extremes.

    ``method="quantile"`` clips below the ``limits`` and above the ``1 - limits`` quantile of the
    date; ``method="mad"`` clips at the median plus or minus ``n_mad`` scaled median absolute
    deviations (1.4826 MAD, the standard deviation for normal data).

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame([[1.0, 2.0, 3.0, 100.0]])
    >>> winsorize(panel, limits=0.25).round(2).values.tolist()
    [[1.75, 2.0, 3.0, 27.25]]
    """
    values = _finite(panel)
    if method == "quantile":
        if not 0 <= limits < 0.5:
            raise ConfigError(f"winsorize limits must be in [0, 0.5), got {limits}.")
        ordered = np.sort(values, axis=1)  # sorted once; NaN go last
        low = row_quantile(ordered, limits)
        high = row_quantile(ordered, 1 - limits)
    elif method == "mad":
        median = row_quantile(np.sort(values, axis=1), 0.5)
        deviation = np.abs(values - median[:, None])
        spread = n_mad * 1.4826 * row_quantile(np.sort(deviation, axis=1), 0.5)
        spread[spread == 0] = np.inf  # over half the values tie: nothing is an outlier
        low, high = median - spread, median + spread
    else:
        raise ConfigError(f"Unknown winsorize method {method!r}. Known methods: quantile, mad.")
    clipped = np.clip(values, low[:, None], high[:, None])  # NaN bounds leave NaN rows as NaN
    return pd.DataFrame(clipped, index=panel.index, columns=panel.columns, copy=False)


def _finite_frame(panel: pd.DataFrame) -> pd.DataFrame:
    """The panel as floats, with infinities made missing."""
    return pd.DataFrame(_finite(panel), index=panel.index, columns=panel.columns, copy=False)


def _finite(panel: pd.DataFrame) -> np.ndarray:
    # A new array in C order whatever the frame's layout: rows are then summed the same way
    # (numpy's pairwise sum along contiguous rows) for every input, and sorted in place.
    values = np.array(panel.to_numpy(dtype=float), dtype=float, order="C")
    np.copyto(values, np.nan, where=np.isinf(values))
    return values


DISPERSION_RTOL = 1e-10  # a spread below this share of the values' size is rounding noise


def zscore(
    panel: pd.DataFrame, name: str | None = None, scale: pd.Series | None = None
) -> pd.DataFrame:
    """Subtract each date's mean and divide by its standard deviation (``ddof=1``).

    A date with fewer than two values, or with no spread, is all NaN. A spread below
    :data:`DISPERSION_RTOL` times the values' size counts as none (see :func:`flat_dates`): a
    metric that is constant up to floating-point noise (0.2 ± 3e-17 for every stock) has
    nothing to rank, and a z-score would blow the noise up to full-size scores. Such dates are
    NaN too, with one warning naming ``name`` (the metric) and the dates.

    Examples
    --------
    >>> import pandas as pd
    >>> zscore(pd.DataFrame([[1.0, 2.0, 3.0]])).values.tolist()
    [[-1.0, 0.0, 1.0]]
    """
    values = np.empty(panel.shape)
    size = None if scale is None else np.asarray(scale.reindex(panel.index), dtype=float)
    noisy = standardize_rows(
        values, 0.0, size, rtol=DISPERSION_RTOL, source=panel.to_numpy(dtype=float)
    )
    if noisy.any():
        _warn_noisy(name, panel.index[noisy])
    return pd.DataFrame(values, index=panel.index, columns=panel.columns, copy=False)


def winsorized_zscore(
    panel: pd.DataFrame, limits: float = 0.01, name: str | None = None
) -> pd.DataFrame:
    """``zscore(winsorize(panel, limits), name)`` in one pass over one copy of the panel.

    The same numbers, bit for bit; a score standardizes a dozen panels this way, so the time
    saved counts. The panel is worked through in blocks of dates small enough to stay in the
    processor's cache (see :mod:`factorlab.factors.rowwise`). ``limits=0`` is the z-score
    alone.

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame([[1.0, 2.0, 3.0, 100.0]])
    >>> winsorized_zscore(panel, 0.25).equals(zscore(winsorize(panel, 0.25)))
    True
    """
    values = winsorized_zscore_values(panel, limits, name)
    return pd.DataFrame(values, index=panel.index, columns=panel.columns, copy=False)


def winsorized_zscore_values(
    panel: pd.DataFrame,
    limits: float = 0.01,
    name: str | None = None,
    out: np.ndarray | None = None,
    present: np.ndarray | None = None,
) -> np.ndarray:
    """:func:`winsorized_zscore` as a writable array (dates × tickers, in row order).

    Written into ``out`` when given (float64, the panel's shape, row order), so that a caller
    standardizing many panels can reuse one buffer; else into a new array. With ``present``
    (bool, the same shape), missing z-scores are 0 and ``present`` says where they exist (see
    :func:`factorlab.factors.rowwise.standardize_rows`).
    """
    if limits and not 0 <= limits < 0.5:
        raise ConfigError(f"winsorize limits must be in [0, 0.5), got {limits}.")
    values = np.empty(panel.shape) if out is None else out
    source = panel.to_numpy(dtype=float)
    noisy = standardize_rows(values, limits, rtol=DISPERSION_RTOL, source=source, present=present)
    if noisy.any():
        _warn_noisy(name, panel.index[noisy])
    return values


def flat_dates(
    panel: pd.DataFrame,
    name: str | None = None,
    scale: pd.Series | None = None,
    std: pd.Series | None = None,
) -> pd.Series:
    """Dates whose values have no spread beyond rounding.

    That is, a standard deviation of at most :data:`DISPERSION_RTOL` times ``scale``, the
    values' size. By default that is the absolute mean, which equals their mean absolute size
    whenever the spread is that small; after a demeaning, which leaves only the noise, pass the
    mean absolute size from before it. Warns once, naming ``name``, when some spread was there
    but only as noise.

    Examples
    --------
    >>> import pandas as pd
    >>> flat_dates(pd.DataFrame([[0.2, 0.2, 0.2], [1.0, 2.0, 3.0]])).tolist()
    [True, False]
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     flat = flat_dates(pd.DataFrame([[0.2, 0.2 + 3e-17, 0.2 - 3e-17]]), name="debt_to_equity")
    >>> flat.tolist(), str(caught[0].message)[:44]
    ([True], 'debt_to_equity is constant up to rounding on')
    """
    std = panel.std(axis=1) if std is None else std
    size = panel.mean(axis=1).abs() if scale is None else scale
    flat = std <= DISPERSION_RTOL * size  # a NaN spread (fewer than two values) compares False
    noisy = flat & (std > 0)
    if noisy.any():  # pandas' std of identical values can be 3e-17: those are not noise
        rows = panel[noisy.to_numpy()]
        noisy[noisy] = (rows.max(axis=1) > rows.min(axis=1)).to_numpy()
    if noisy.any():
        _warn_noisy(name, panel.index[noisy.to_numpy()])
    return flat


def _warn_noisy(name: str | None, days: pd.Index) -> None:
    warn(
        f"{name or 'The panel'} is constant up to rounding on {_first_dates(days)}: its spread "
        f"is below {DISPERSION_RTOL:g} of its size, so it cannot rank stocks there. Those dates "
        "get NaN scores, as an exactly constant metric does."
    )


def _first_dates(days: pd.Index) -> str:
    """``1 date (2024-01-01)`` or ``120 dates (first 2020-01-31)``."""
    first = days[0]
    shown = f"{first:%Y-%m-%d}" if isinstance(first, pd.Timestamp) else str(first)
    return f"1 date ({shown})" if len(days) == 1 else f"{len(days)} dates (first {shown})"


def rank(panel: pd.DataFrame) -> pd.DataFrame:
    """Each value's percentile rank on its date, in (0, 1]; ties share their average rank.

    Examples
    --------
    >>> import pandas as pd
    >>> rank(pd.DataFrame([[10.0, 30.0, 20.0, None]])).values.tolist()
    [[0.3333333333333333, 1.0, 0.6666666666666666, nan]]
    """
    return _finite_frame(panel).rank(axis=1, pct=True)


def neutralize(panel: pd.DataFrame, groups: pd.Series) -> pd.DataFrame:
    """Subtract each group's mean on each date (e.g. ``groups = ds.meta["sector"]``).

    Tickers with no group are demeaned together, as a group of their own.

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame([[1.0, 3.0, 10.0]], columns=["A", "B", "C"])
    >>> sectors = pd.Series({"A": "Energy", "B": "Energy", "C": "Utilities"})
    >>> neutralize(panel, sectors).values.tolist()
    [[-1.0, 1.0, 0.0]]
    """
    labels = groups.reindex(panel.columns).astype(object).where(lambda g: g.notna(), "(none)")
    means = panel.T.groupby(labels.to_numpy()).transform("mean").T
    return panel - means


def bucket_score(
    panel: pd.DataFrame, thresholds: Sequence[float] | str, higher_is_better: bool | None = None
) -> pd.DataFrame:
    """Map values to scores 1-10 by fixed cut points, as the seed did; NaN stays NaN.

    ``thresholds`` is nine increasing cut points, or the name of a metric in
    :data:`SEED_THRESHOLDS` (which also says whether higher is better). A value equal to a cut
    point belongs to the range above it. Unlike a z-score or a
    rank, a bucket score ignores the cross-section: on a day when every stock is expensive,
    every stock scores low.

    Examples
    --------
    >>> import pandas as pd
    >>> bucket_score(pd.DataFrame([[4.0, 12.0, 80.0]]), "pe").values.tolist()
    [[10.0, 8.0, 1.0]]
    """
    if isinstance(thresholds, str):
        if thresholds not in SEED_THRESHOLDS:
            raise ConfigError(
                f"No seed thresholds for {thresholds!r}. Known: {', '.join(SEED_THRESHOLDS)}; "
                "or pass nine cut points."
            )
        cuts, better_high = SEED_THRESHOLDS[thresholds]
        higher_is_better = better_high if higher_is_better is None else higher_is_better
    else:
        cuts = thresholds
        if higher_is_better is None:
            raise ConfigError("bucket_score needs higher_is_better=True or False with cut points.")
    edges = np.asarray(cuts, dtype=float)
    if edges.shape != (9,) or np.any(np.diff(edges) <= 0):
        raise ConfigError(f"thresholds must be nine increasing cut points, got {list(cuts)}.")
    values = panel.to_numpy(dtype=float)
    bucket = np.searchsorted(edges, values, side="right") + 1.0  # 1..10, low values first
    scores = bucket if higher_is_better else 11.0 - bucket
    scores[np.isnan(values)] = np.nan
    return pd.DataFrame(scores, index=panel.index, columns=panel.columns, copy=False)
