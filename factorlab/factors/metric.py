"""One metric's record in the registry: what it is, which way is better, its unit, what it reads.

Adding a metric is one record (beside its family's functions) plus its function.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from factorlab.data import Dataset

__all__ = ["DAYS_PER_MONTH", "DAYS_PER_YEAR", "Metric", "Unit"]

# Windows are counted in rows of the price panel (trading days).
DAYS_PER_MONTH, DAYS_PER_YEAR = 21, 252

# How a metric's number reads: "percent", a decimal fraction shown as a percentage (0.05 is
# 5 %); "ratio", a plain multiple (book/price 0.8, beta 1.1); "points", a bounded index (RSI).
Unit = Literal["percent", "ratio", "points"]


@dataclass(frozen=True)
class Metric:
    """One raw metric: how to compute it and how to read it.

    Attributes
    ----------
    name : str
        The metric's name, as a column of ``fl.screen`` and a key of ``fl.factors.metrics``.
    family : str
        The family it belongs to.
    compute : callable
        ``compute(ds)`` gives the raw panel, dates × tickers, point in time.
    higher_is_better : bool
        Direction: False for a risk or a price multiple (lower is more attractive).
    unit : {"percent", "ratio", "points"}
        How its number reads (see :data:`Unit`).
    description : str
        One line on what it measures.
    in_family : bool
        Part of the family's combined exposure (False: reported only).
    columns : tuple of str
        The fundamentals columns it reads.
    parts : tuple of str
        The other parts of a Dataset it reads besides prices (``"volume"``, ``"benchmark"``).
    """

    name: str
    family: str
    compute: Callable[[Dataset], pd.DataFrame]
    higher_is_better: bool
    unit: Unit
    description: str
    in_family: bool = True
    columns: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()

    @property
    def needs(self) -> tuple[str, ...]:
        """The parts of a Dataset besides prices that the metric reads."""
        return ("fundamentals", *self.parts) if self.columns else self.parts
