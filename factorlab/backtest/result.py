"""The result of a backtest: returns, weights, costs, and how it reads as a table and a chart."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from factorlab.backtest import metrics

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["BacktestResult"]

_DAYS = 252


@dataclass(frozen=True)
class BacktestResult:
    """What :func:`factorlab.backtest` returns.

    Attributes
    ----------
    returns : Series
        Daily net returns (after costs), from the first rebalance day.
    gross_returns : Series
        Daily returns before costs.
    weights : DataFrame
        End-of-day weights (fractions of equity): ``weights.loc[t]`` earns day ``t+1``.
    turnover : Series
        Traded notional at each rebalance, as a fraction of equity (1.0 = the whole book); the
        first is the initial buy-in, which ``stats()`` leaves out of its turnover figures.
    costs : Series
        Daily cost, as a return (non-zero on rebalance days).
    holdings_count : Series
        Number of positions held each day.
    benchmark : Series or None
        The benchmark's daily returns on the same days.
    settings : dict
        The parameters used.
    """

    returns: pd.Series
    gross_returns: pd.Series
    weights: pd.DataFrame = field(repr=False)
    turnover: pd.Series = field(repr=False)
    costs: pd.Series = field(repr=False)
    holdings_count: pd.Series = field(repr=False)
    benchmark: pd.Series | None = field(repr=False)
    settings: dict = field(default_factory=dict)

    def stats(self) -> pd.DataFrame:
        """A tidy table: one row per figure, one column for the strategy and one for the
        benchmark (when there is one). Annual figures use 252 trading days."""
        columns = {"strategy": self.returns}
        if self.benchmark is not None:
            columns[f"benchmark ({self.benchmark.name})"] = self.benchmark
        rows = {}
        for name, r in columns.items():
            rows[name] = _figures(r, self.benchmark if name == "strategy" else None)
        table = pd.DataFrame(rows)
        years = len(self.returns) / _DAYS
        after_first = self.turnover.iloc[1:]  # the first day's buy-in is not trading activity
        table.loc["turnover per rebalance", "strategy"] = after_first.mean()
        table.loc["turnover per year", "strategy"] = after_first.sum() / years
        table.loc["costs per year", "strategy"] = self.costs.sum() / years
        table.loc["average holdings", "strategy"] = self.holdings_count.mean()
        table.index.name = "figure"
        return table

    def monthly_table(self) -> pd.DataFrame:
        """Compounded returns by year (rows) and month (columns 1-12), plus the full year."""
        monthly = (1 + self.returns).groupby(
            [self.returns.index.year, self.returns.index.month]
        ).prod() - 1
        table = monthly.unstack()
        table.index.name, table.columns.name = "year", "month"
        table["year"] = (1 + self.returns).groupby(self.returns.index.year).prod() - 1
        return table

    def plot(self) -> Figure:
        """Equity curve against the benchmark, drawdown, and a rolling 6-month Sharpe ratio."""
        from factorlab.plots import plot_backtest

        return plot_backtest(self)

    def _repr_html_(self) -> str:
        s = self.settings
        head = ", ".join(f"{k}={v}" for k, v in s.items())
        return (
            f"<div><strong>factorlab BacktestResult</strong> ({head}), "
            f"{self.returns.index[0]:%Y-%m-%d} to {self.returns.index[-1]:%Y-%m-%d}"
            f"{self.stats().round(4).to_html()}</div>"
        )


def _figures(r: pd.Series, benchmark: pd.Series | None) -> dict[str, float]:
    out = {
        "CAGR": metrics.cagr(r),
        "annual volatility": metrics.annual_volatility(r),
        "Sharpe ratio": metrics.sharpe_ratio(r),
        "Sortino ratio": metrics.sortino_ratio(r),
        "max drawdown": metrics.max_drawdown(r),
        "Calmar ratio": metrics.calmar_ratio(r),
        "hit rate": metrics.hit_rate(r),
        "total return": float(np.prod(1 + r.dropna()) - 1),
    }
    if benchmark is not None:
        both = metrics.beta_alpha(r, benchmark)
        out["beta"] = both["beta"]
        out["alpha (annual)"] = both["alpha_ann"]
        out["tracking error"] = metrics.tracking_error(r, benchmark)
        out["information ratio"] = metrics.information_ratio(r, benchmark)
    return out
