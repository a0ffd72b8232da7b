"""The metric registry: every metric and family, in one place.

Every other list of metric or family names in factorlab (the screen's columns and formats, the
analyst's facts and units, the reasons a stock is left out, the seed's metrics) is derived from
:data:`METRICS` here; ``tests/factors/test_registry.py`` says so.
"""

from __future__ import annotations

import pandas as pd

from factorlab.errors import ConfigError
from factorlab.factors.families import growth, low_vol, momentum, quality, value
from factorlab.factors.metric import Metric, Unit
from factorlab.params import did_you_mean

__all__ = [
    "FAMILIES",
    "FUNDAMENTAL_FAMILIES",
    "METRICS",
    "available",
    "check_family",
    "metric",
    "unit_of",
]

METRICS: tuple[Metric, ...] = (
    *value.METRICS,
    *growth.METRICS,
    *momentum.METRICS,
    *quality.METRICS,
    *low_vol.METRICS,
)

FAMILIES: tuple[str, ...] = tuple(dict.fromkeys(m.family for m in METRICS))

# Families whose metrics read filed statements: a stock without fundamentals has none of them.
FUNDAMENTAL_FAMILIES: tuple[str, ...] = tuple(dict.fromkeys(m.family for m in METRICS if m.columns))

_BY_NAME = {m.name: m for m in METRICS}


def metric(name: str) -> Metric:
    """The registry's record of the metric ``name``.

    Examples
    --------
    >>> metric("earnings_yield").unit
    'percent'
    """
    if name not in _BY_NAME:
        raise ConfigError(
            f"Unknown metric {name!r}.{did_you_mean(name, _BY_NAME)} See "
            "fl.factors.available() for every metric."
        )
    return _BY_NAME[name]


def unit_of(name: str) -> Unit | None:
    """The unit of the metric ``name``, or None when it is not a metric."""
    found = _BY_NAME.get(name)
    return None if found is None else found.unit


def available() -> pd.DataFrame:
    """Every family and metric with a one-line description.

    Columns: ``family``, ``metric``, ``higher_is_better``, ``unit``, ``in_family`` (part of
    the family's combined exposure) and ``description``.

    Examples
    --------
    >>> table = available()
    >>> sorted(table["family"].unique())
    ['growth', 'low_vol', 'momentum', 'quality', 'value']
    """
    return pd.DataFrame(
        [
            (x.family, x.name, x.higher_is_better, x.unit, x.in_family, x.description)
            for x in METRICS
        ],
        columns=["family", "metric", "higher_is_better", "unit", "in_family", "description"],
    )


def check_family(family: str) -> None:
    """Raise a ConfigError naming the known families when ``family`` is not one."""
    if family not in FAMILIES:
        raise ConfigError(
            f"Unknown factor family {family!r}.{did_you_mean(family, FAMILIES)} Known families: "
            f"{', '.join(FAMILIES)}."
        )
