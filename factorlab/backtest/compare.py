"""``fl.compare``: several backtests side by side, in one table and one chart."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from factorlab.backtest.result import BacktestResult, _figures
from factorlab.errors import ConfigError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["Comparison", "compare"]


@dataclass(frozen=True)
class Comparison:
    """What :func:`compare` returns: ``returns`` (one column per strategy, on common days) and
    ``benchmark`` (the first strategy's benchmark, if any)."""

    returns: pd.DataFrame
    benchmark: pd.Series | None

    def stats(self) -> pd.DataFrame:
        """One row per figure, one column per strategy (and the benchmark)."""
        columns = {name: _figures(self.returns[name], self.benchmark) for name in self.returns}
        if self.benchmark is not None:
            columns[f"benchmark ({self.benchmark.name})"] = _figures(self.benchmark, None)
        table = pd.DataFrame(columns)
        table.index.name = "figure"
        return table

    def plot(self) -> Figure:
        """Growth of 1 for every strategy (and the benchmark), log scale."""
        from factorlab.plots import plot_equity_curves

        return plot_equity_curves(self.returns, self.benchmark)

    def _repr_html_(self) -> str:
        return f"<div><strong>factorlab comparison</strong>{self.stats().round(4).to_html()}</div>"


def compare(results: Mapping[str, BacktestResult | pd.Series]) -> Comparison:
    """Put backtests side by side.

    Parameters
    ----------
    results : dict
        Name -> :class:`BacktestResult` (or a Series of daily returns). They are compared on
        the days they share.

    Examples
    --------
    >>> import factorlab as fl
    >>> ds = fl.load_dataset("sample", n_tickers=40, years=3)
    >>> runs = {f: fl.backtest(fl.factors.family_exposure(ds, f), ds) for f in ("value", "momentum")}
    >>> list(fl.compare(runs).stats().columns)
    ['value', 'momentum', 'benchmark (LABX)']
    """
    if not isinstance(results, Mapping) or not results:
        raise ConfigError("compare needs a dict of name -> backtest result, e.g. {'value': r1}.")
    series, benchmark = {}, None
    for name, result in results.items():
        if isinstance(result, BacktestResult):
            series[str(name)] = result.returns
            if benchmark is None and result.benchmark is not None:
                benchmark = result.benchmark
        elif isinstance(result, pd.Series):
            series[str(name)] = result
        else:
            raise ConfigError(
                f"compare: {name!r} is a {type(result).__name__}; give a backtest result or a "
                "Series of returns."
            )
    returns = pd.DataFrame(series).dropna()
    if returns.empty:
        raise ConfigError("compare: the results share no days; backtest them on the same data.")
    if benchmark is not None:
        benchmark = benchmark.reindex(returns.index)
    return Comparison(returns, benchmark)
