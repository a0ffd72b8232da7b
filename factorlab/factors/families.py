"""The factor families, their metrics, and each family's combined exposure."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import pandas as pd

from factorlab.data import Dataset
from factorlab.errors import ConfigError, DataError
from factorlab.factors import growth_rates as g
from factorlab.factors import price as m
from factorlab.factors import profitability as q
from factorlab.factors import valuation as v
from factorlab.factors.transform import winsorize as clip_extremes
from factorlab.factors.transform import zscore
from factorlab.params import did_you_mean

__all__ = [
    "FAMILIES",
    "METRICS",
    "Metric",
    "available",
    "family_exposure",
    "growth",
    "low_vol",
    "metrics",
    "missing_inputs",
    "momentum",
    "quality",
    "value",
]


@dataclass(frozen=True)
class Metric:
    """One raw metric: how to compute it and which way is attractive."""

    name: str
    family: str
    compute: Callable[[Dataset], pd.DataFrame]
    higher_is_better: bool
    description: str
    in_family: bool = True  # part of the family's combined exposure
    columns: tuple[str, ...] = ()  # the fundamentals columns it reads

    @property
    def needs(self) -> tuple[str, ...]:
        """The parts of a Dataset besides prices that the metric reads."""
        if self.columns:
            return ("fundamentals",)
        return {"volume_trend": ("volume",), "beta": ("benchmark",)}.get(self.name, ())


METRICS: tuple[Metric, ...] = (
    Metric("earnings_yield", "value", v.earnings_yield, True, "TTM net income / market cap",
           columns=("net_income", "shares_outstanding")),
    Metric("book_to_price", "value", v.book_to_price, True, "book equity / market cap",
           columns=("book_equity", "shares_outstanding")),
    Metric("sales_to_price", "value", v.sales_to_price, True, "TTM revenue / market cap",
           columns=("revenue", "shares_outstanding")),
    Metric("ebitda_to_ev", "value", v.ebitda_to_ev, True,
           "TTM EBITDA / (market cap + debt - cash)",
           columns=("ebitda", "shares_outstanding", "total_debt", "cash")),
    Metric("debt_to_equity", "value", v.debt_to_equity, False,
           "total debt / book equity (risk: lower is better)",
           columns=("total_debt", "book_equity")),
    Metric("revenue_growth", "growth", g.revenue_growth, True,
           "TTM revenue vs TTM revenue a year before", columns=("revenue",)),
    Metric("earnings_growth", "growth", g.earnings_growth, True,
           "change in TTM net income over |year-ago TTM net income| (floored)",
           columns=("net_income",)),
    Metric("quarterly_revenue_growth", "growth", g.quarterly_revenue_growth, True,
           "latest quarter's revenue vs the same quarter a year before", columns=("revenue",)),
    Metric("peg", "growth", g.peg, False, "P/E / earnings growth in % (both positive)",
           columns=("net_income", "shares_outstanding")),
    Metric("momentum_12_1", "momentum", m.momentum_12_1, True,
           "return from 12 months to 1 month ago"),
    Metric("return_1m", "momentum", partial(m.trailing_return, months=1), True,
           "return over the last month (reported; short-term reversal, so not combined)",
           in_family=False),
    Metric("return_3m", "momentum", partial(m.trailing_return, months=3), True,
           "return over the last 3 months"),
    Metric("return_6m", "momentum", partial(m.trailing_return, months=6), True,
           "return over the last 6 months"),
    Metric("return_12m", "momentum", partial(m.trailing_return, months=12), True,
           "return over the last 12 months"),
    Metric("rsi_14", "momentum", m.rsi, True, "Wilder's 14-day relative strength index"),
    Metric("volatility_60d", "momentum", partial(m.volatility, days=60), False,
           "annualized 60-day volatility (reported; a risk, combined in low_vol instead)",
           in_family=False),
    Metric("volume_trend", "momentum", m.volume_trend, True,
           "20-day over 120-day average volume"),
    Metric("return_on_equity", "quality", q.return_on_equity, True,
           "TTM net income / book equity", columns=("net_income", "book_equity")),
    Metric("gross_margin", "quality", q.gross_margin, True, "TTM gross profit / TTM revenue",
           columns=("gross_profit", "revenue")),
    Metric("leverage", "quality", q.leverage, False, "debt / (debt + book equity)",
           columns=("total_debt", "book_equity")),
    Metric("volatility_252d", "low_vol", partial(m.volatility, days=252), False,
           "annualized 1-year volatility of daily returns"),
    Metric("beta", "low_vol", m.beta, False, "1-year beta of daily returns to the benchmark"),
)  # fmt: skip

FAMILIES: tuple[str, ...] = ("value", "growth", "momentum", "quality", "low_vol")


def available() -> pd.DataFrame:
    """Every family and metric with a one-line description.

    Columns: ``family``, ``metric``, ``higher_is_better``, ``in_family`` (part of the family's
    combined exposure) and ``description``.

    Examples
    --------
    >>> table = available()
    >>> sorted(table["family"].unique())
    ['growth', 'low_vol', 'momentum', 'quality', 'value']
    """
    return pd.DataFrame(
        [(x.family, x.name, x.higher_is_better, x.in_family, x.description) for x in METRICS],
        columns=["family", "metric", "higher_is_better", "in_family", "description"],
    )


def metrics(ds: Dataset, family: str) -> dict[str, pd.DataFrame]:
    """The raw metric panels of ``family`` (dates × tickers, in their own units).

    Examples
    --------
    >>> import factorlab as fl
    >>> ds = fl.load_dataset("sample", n_tickers=20, years=3)
    >>> list(metrics(ds, "value"))
    ['earnings_yield', 'book_to_price', 'sales_to_price', 'ebitda_to_ev', 'debt_to_equity']
    """
    _check_family(family)
    return {x.name: x.compute(ds) for x in METRICS if x.family == family}


def family_exposure(ds: Dataset, family: str, winsorize: float = 0.01) -> pd.DataFrame:
    """A family's combined exposure: the equal-weight mean of its metrics' cross-sectional
    z-scores (each winsorized at ``winsorize`` first), signed so that higher = more attractive.

    A ticker's exposure on a date averages the metrics it has there; NaN if it has none. A
    metric whose input the dataset lacks (volume, benchmark) is left out, with a warning.
    """
    _check_family(family)
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
        skipped = [f"{m.name} (needs {', '.join(missing_inputs(m, ds))})"
                   for m in members if m not in usable]  # fmt: skip
        warnings.warn(
            f"The {family} exposure leaves out {', '.join(skipped)}: this dataset lacks it.",
            UserWarning,
            stacklevel=2,
        )
    total = count = None
    for metric in usable:
        raw = metric.compute(ds)
        z = zscore(clip_extremes(raw, winsorize) if winsorize else raw, name=metric.name)
        z = z if metric.higher_is_better else -z
        total = z.fillna(0.0) if total is None else total + z.fillna(0.0)
        present = z.notna().astype(float)
        count = present if count is None else count + present
    return total / count.where(count > 0)


def usable_by(metric: Metric, ds: Dataset) -> bool:
    """Whether ``ds`` has every part and fundamentals column ``metric`` reads."""
    return not missing_inputs(metric, ds)


def missing_inputs(metric: Metric, ds: Dataset) -> list[str]:
    """What ``metric`` reads that ``ds`` lacks: parts (``"volume"``) and fundamentals columns
    with no value at all (``"fundamentals.shares_outstanding"``)."""
    missing = [part for part in metric.needs if getattr(ds, part) is None]
    if ds.fundamentals is not None:
        known = ds.fundamentals
        missing += [f"fundamentals.{c}" for c in metric.columns
                    if c not in known.columns or known[c].isna().all()]  # fmt: skip
    return missing


def value(ds: Dataset, winsorize: float = 0.01) -> pd.DataFrame:
    """Value exposure: earnings yield, book/price, sales/price, EBITDA/EV, minus debt/equity.

    Examples
    --------
    >>> import factorlab as fl
    >>> ds = fl.load_dataset("sample", n_tickers=20, years=3)
    >>> value(ds).shape == ds.prices.shape
    True
    """
    return family_exposure(ds, "value", winsorize)


def growth(ds: Dataset, winsorize: float = 0.01) -> pd.DataFrame:
    """Growth exposure: TTM revenue and earnings growth, quarterly revenue growth, minus PEG."""
    return family_exposure(ds, "growth", winsorize)


def momentum(ds: Dataset, winsorize: float = 0.01) -> pd.DataFrame:
    """Momentum exposure: 12-1, 3, 6 and 12 month returns, RSI(14) and the volume trend."""
    return family_exposure(ds, "momentum", winsorize)


def quality(ds: Dataset, winsorize: float = 0.01) -> pd.DataFrame:
    """Quality exposure: return on equity and gross margin, minus leverage."""
    return family_exposure(ds, "quality", winsorize)


def low_vol(ds: Dataset, winsorize: float = 0.01) -> pd.DataFrame:
    """Low-volatility exposure: minus 1-year volatility, minus 1-year beta."""
    return family_exposure(ds, "low_vol", winsorize)


def _check_family(family: str) -> None:
    if family not in FAMILIES:
        raise ConfigError(
            f"Unknown factor family {family!r}.{did_you_mean(family, FAMILIES)} Known families: "
            f"{', '.join(FAMILIES)}."
        )
