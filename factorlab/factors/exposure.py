"""Each family's combined exposure, and the raw metric panels behind it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from factorlab._docs import shared_doc
from factorlab._threads import imap_threads
from factorlab._warnings import warn
from factorlab.data import Dataset
from factorlab.errors import DataError
from factorlab.factors.metric import Metric
from factorlab.factors.registry import METRICS, check_family
from factorlab.factors.transform import winsorized_zscore_values
from factorlab.params import as_float

__all__ = [
    "family_exposure",
    "family_exposures",
    "growth",
    "low_vol",
    "metrics",
    "missing_inputs",
    "momentum",
    "quality",
    "usable_by",
    "value",
]

# What the five family functions share, documented once (see factorlab._docs).
_DOCS = {
    "ds": (
        "ds : Dataset\n"
        "    The data the metrics read: prices, and the fundamentals, volume or benchmark that\n"
        "    the family's metrics need."
    ),
    "winsorize": (
        "winsorize : float\n"
        "    The share of each metric's values clipped at each end per date, before its z-score:\n"
        "    0.01 (the default) clips below the 1st and above the 99th percentile; 0 turns it\n"
        '    off; otherwise it must be in [0, 0.5). Text such as ``"0.05"`` is accepted.'
    ),
    "sections": (
        "Parameters\n"
        "----------\n"
        "ds : Dataset\n"
        "    The market, with the parts the family's metrics read (above).\n"
        "winsorize : float\n"
        "    As in :func:`family_exposure`: the share clipped at each end per date.\n"
        "\n"
        "Returns\n"
        "-------\n"
        "DataFrame\n"
        "    Dates × tickers, as ``ds.prices``; higher = more attractive, NaN where a ticker has\n"
        "    none of the family's metrics. See :func:`family_exposure`."
    ),
}


@shared_doc(**_DOCS)
def metrics(ds: Dataset, family: str) -> dict[str, pd.DataFrame]:
    """The raw metric panels of ``family`` (dates × tickers, in their own units).

    Every metric of the family is computed, so ``ds`` must have what each one reads (see
    :func:`missing_inputs`): unlike :func:`family_exposure`, which leaves such a metric out, a
    missing part (fundamentals, volume, a benchmark) raises a DataError.

    Parameters
    ----------
    {ds}
    family : str
        ``"value"``, ``"growth"``, ``"momentum"``, ``"quality"`` or ``"low_vol"``, spelled
        exactly so (lower case); any other name raises a ConfigError naming the families.

    Returns
    -------
    dict of DataFrame
        By metric name, in the registry's order: each metric's raw values, dates × tickers,
        point in time, neither winsorized, z-scored nor signed. Metrics reported but not part
        of the combined exposure (``in_family=False``, such as ``return_1m``) are included.

    Examples
    --------
    >>> import factorlab as fl
    >>> ds = fl.load_dataset("sample", n_tickers=20, years=3)
    >>> list(metrics(ds, "value"))
    ['earnings_yield', 'book_to_price', 'sales_to_price', 'ebitda_to_ev', 'debt_to_equity']
    """
    check_family(family)
    return {x.name: x.compute(ds) for x in METRICS if x.family == family}


@shared_doc(**_DOCS)
def family_exposure(ds: Dataset, family: str, winsorize: float = 0.01) -> pd.DataFrame:
    """A family's combined exposure: the mean of its metrics' z-scores, higher = more attractive.

    The equal-weight mean of its metrics' cross-sectional z-scores (each winsorized at
    ``winsorize`` first), signed so that higher = more attractive. Only the metrics that are
    part of the family's exposure count (``in_family``; not those only reported).

    A ticker's exposure on a date averages the metrics it has there; NaN if it has none. A
    metric whose input the dataset lacks (volume, benchmark) is left out, with a warning.

    Parameters
    ----------
    {ds}
    family : str
        ``"value"``, ``"growth"``, ``"momentum"``, ``"quality"`` or ``"low_vol"``, spelled
        exactly so (lower case).
    {winsorize}

    Returns
    -------
    DataFrame
        Dates × tickers, as ``ds.prices``: the mean of the metrics' signed z-scores, NaN where
        a ticker has none of them on a date.

    Raises
    ------
    ConfigError
        For an unknown family, or a ``winsorize`` outside [0, 0.5).
    DataError
        When the dataset lacks (or has only as NaN) the inputs of every metric of the family.

    Warns
    -----
    UserWarning
        When some metrics are left out for lack of their inputs, naming them and what they need.
    """
    return family_exposures(ds, [family], winsorize)[family]


def family_exposures(
    ds: Dataset, families: list[str], winsorize: float = 0.01
) -> dict[str, pd.DataFrame]:
    """:func:`family_exposure` of several families, their metrics computed side by side.

    One pool of threads for the metrics of every family (numpy's sorts and arithmetic release
    the GIL), each family's z-scores summed in the order of its metrics: the same numbers as
    one family at a time, in less time.

    Parameters
    ----------
    ds : Dataset
    families : list of str
        Families, as :func:`family_exposure` takes them.
    winsorize : float
        As in :func:`family_exposure`.

    Returns
    -------
    dict of DataFrame
        Family -> its combined exposure.
    """
    clip = as_float(winsorize, "winsorize")
    tasks = [(family, metric) for family in families for metric in _usable_members(ds, family)]
    # Metrics of prices first: they run while the first fundamental one builds the filings'
    # point-in-time view, which the others wait for. A family's metrics keep their order, so
    # its sum is the same whatever families are asked for.
    tasks.sort(key=lambda task: bool(task[1].columns))

    # z-score buffers already folded, reused (list ops are atomic): a z-score with 0 where it
    # is missing, and where it is present.
    spare: list[tuple[np.ndarray, np.ndarray]] = []

    def signed_zscore(task: tuple[str, Metric]) -> tuple[np.ndarray, np.ndarray]:
        metric = task[1]
        try:
            z, present = spare.pop()
        except IndexError:  # none yet, or the other thread took the last one
            z, present = np.empty(ds.prices.shape), np.empty(ds.prices.shape, dtype=bool)
        winsorized_zscore_values(metric.compute(ds), clip, name=metric.name, out=z, present=present)
        return (z if metric.higher_is_better else np.negative(z, out=z)), present

    total = {family: np.zeros(ds.prices.shape) for family in families}
    # A family has a handful of metrics: a byte counts them, at an eighth of the memory.
    count = {family: np.zeros(ds.prices.shape, dtype=np.uint8) for family in families}
    for (family, _), (z, present) in zip(tasks, imap_threads(signed_zscore, tasks), strict=True):
        total[family] += z  # summed in the order of the metrics, as they come
        count[family] += present
        spare.append((z, present))
    out = {}
    for family in families:
        mean = total[family]
        with np.errstate(invalid="ignore", divide="ignore"):
            mean /= count[family]  # 0 / 0: NaN where a ticker has none of the metrics
        out[family] = pd.DataFrame(
            mean, index=ds.prices.index, columns=ds.prices.columns, copy=False
        )
    return out


def _usable_members(ds: Dataset, family: str) -> list[Metric]:
    """The family's metrics that ``ds`` can feed; a DataError if none, a warning if some."""
    check_family(family)
    members = [m for m in METRICS if m.family == family and m.in_family]
    usable = [m for m in members if usable_by(m, ds)]
    if not usable:
        needed = sorted({need for m in members for need in missing_inputs(m, ds)})
        raise DataError(
            f"The {family} factor needs {' and '.join(needed)}, which this dataset does not "
            "have (or has only as NaN). Build it with fl.Dataset(...) including them; see "
            "factorlab.data.describe_columns()."
        )
    if len(usable) < len(members):
        skipped = [
            f"{m.name} (needs {', '.join(missing_inputs(m, ds))})"
            for m in members
            if m not in usable
        ]
        warn(f"The {family} exposure leaves out {', '.join(skipped)}: this dataset lacks it.")
    return usable


def usable_by(metric: Metric, ds: Dataset) -> bool:
    """Whether ``ds`` has every part and fundamentals column ``metric`` reads."""
    return not missing_inputs(metric, ds)


def missing_inputs(metric: Metric, ds: Dataset) -> list[str]:
    """What ``metric`` reads that ``ds`` lacks: missing parts and empty fundamentals columns.

    Parts are named as such (``"volume"``); fundamentals columns are those with no value at all
    (``"fundamentals.shares_outstanding"``).
    """
    missing = [part for part in metric.needs if getattr(ds, part) is None]
    if ds.fundamentals is not None:
        known = ds.fundamentals
        missing += [
            f"fundamentals.{c}"
            for c in metric.columns
            if c not in known.columns or known[c].isna().all()
        ]
    return missing


@shared_doc(**_DOCS)
def value(ds: Dataset, winsorize: float = 0.01) -> pd.DataFrame:
    """Value exposure: earnings yield, book/price, sales/price, EBITDA/EV, minus debt/equity.

    Every value metric reads filed statements (and market cap, from prices and shares).

    {sections}

    Examples
    --------
    >>> import factorlab as fl
    >>> ds = fl.load_dataset("sample", n_tickers=20, years=3)
    >>> value(ds).shape == ds.prices.shape
    True
    """
    return family_exposure(ds, "value", winsorize)


@shared_doc(**_DOCS)
def growth(ds: Dataset, winsorize: float = 0.01) -> pd.DataFrame:
    """Growth exposure: TTM revenue and earnings growth, quarterly revenue growth, minus PEG.

    Every growth metric reads filed statements.

    {sections}
    """
    return family_exposure(ds, "growth", winsorize)


@shared_doc(**_DOCS)
def momentum(ds: Dataset, winsorize: float = 0.01) -> pd.DataFrame:
    """Momentum exposure: 12-1, 3, 6 and 12 month returns, RSI(14) and the volume trend.

    Prices alone, but for the volume trend, which needs volume (left out, with a warning,
    without it).

    {sections}
    """
    return family_exposure(ds, "momentum", winsorize)


@shared_doc(**_DOCS)
def quality(ds: Dataset, winsorize: float = 0.01) -> pd.DataFrame:
    """Quality exposure: return on equity and gross margin, minus leverage.

    Every quality metric reads filed statements: profits, equity and debt.

    {sections}
    """
    return family_exposure(ds, "quality", winsorize)


@shared_doc(**_DOCS)
def low_vol(ds: Dataset, winsorize: float = 0.01) -> pd.DataFrame:
    """Low-volatility exposure: minus 1-year volatility, minus 1-year beta.

    Volatility reads prices; beta needs a benchmark too (left out, with a warning, without it).

    {sections}
    """
    return family_exposure(ds, "low_vol", winsorize)
