"""``fl.compare``: several backtests side by side, in one table and one chart."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import pandas as pd

from factorlab.backtest import metrics
from factorlab.backtest.metrics import (
    deflated_sharpe_ratio,
    probabilistic_sharpe_ratio,
    sharpe_ratio,
)
from factorlab.backtest.portfolio import backtest
from factorlab.backtest.result import BacktestResult, performance_figures, trading_figures
from factorlab.data import Dataset
from factorlab.errors import ConfigError
from factorlab.factors.composite import Scores
from factorlab.params import as_float, as_int

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["Comparison", "compare", "cost_sensitivity"]


@dataclass(frozen=True)
class Comparison:
    """What :func:`compare` returns: ``returns`` (one column per strategy, on common days),
    ``benchmark`` (the first strategy's benchmark, if any) and ``results`` (the backtests
    given as such, by name).
    """

    returns: pd.DataFrame
    benchmark: pd.Series | None
    results: dict[str, BacktestResult] = field(default_factory=dict, repr=False)

    def stats(self) -> pd.DataFrame:
        """One row per figure, one column per strategy (and the benchmark): the rows of
        ``result.stats()``, turnover, costs and holdings included, all over the days the
        strategies share. A strategy given as a Series of returns has no trading figures.
        """
        columns = {
            name: performance_figures(self.returns[name], self.benchmark) for name in self.returns
        }
        for name, result in self.results.items():
            columns[name] |= trading_figures(result, self.returns.index)
        if self.benchmark is not None:
            columns[f"benchmark ({self.benchmark.name})"] = performance_figures(
                self.benchmark, None
            )
        table = pd.DataFrame(columns)
        table.index.name = "figure"
        return table

    def wealth(self) -> pd.DataFrame:
        """Growth of 1 for every strategy and the benchmark (a day the benchmark has no level
        adds nothing to it), on the days they share.
        """
        columns = dict(self.returns.items())
        if self.benchmark is not None:
            columns[str(self.benchmark.name)] = self.benchmark.fillna(0.0)
        return (1 + pd.DataFrame(columns)).cumprod()

    def plot(self) -> Figure:
        """Growth of 1 for every strategy (and the benchmark), log scale."""
        from factorlab.plots import plot_equity_curves  # matplotlib: loaded when drawn

        return plot_equity_curves(self)

    def deflated_sharpe(self, n_trials: int | None = None, active: bool = False) -> pd.DataFrame:
        """Per strategy: annual Sharpe ratio, the probability its true Sharpe is above zero
        (PSR), and the deflated Sharpe ratio (DSR): that probability against the best Sharpe
        that ``n_trials`` unskilled configurations would show by luck, given the variance of
        these strategies' Sharpe ratios (Bailey & López de Prado, 2014). ``n_trials``
        defaults to the number of strategies compared; pass every configuration you tried.
        ``active=True`` judges the returns in excess of the benchmark: for a long-only
        portfolio, total returns mostly measure the market's own premium.
        """
        trials = len(self.returns.columns) if n_trials is None else as_int(n_trials, "n_trials")
        if trials < 1:
            raise ConfigError(f"n_trials must be 1 or more, got {trials}.")
        returns = self.returns
        if active:
            if self.benchmark is None:
                raise ConfigError("active=True needs a benchmark; these results have none.")
            returns = returns.sub(self.benchmark.fillna(0.0), axis=0)
        sharpe = cast(pd.Series, sharpe_ratio(returns))  # a DataFrame in, a Series out
        variance = float(sharpe.var()) if len(sharpe) > 1 else 0.0
        table = pd.DataFrame(
            {
                "Sharpe ratio": sharpe,
                "PSR (vs 0)": probabilistic_sharpe_ratio(returns),
                "DSR": deflated_sharpe_ratio(returns, trials, variance),
            }
        )
        table.attrs.update({"n_trials": trials, "sharpe_variance": variance, "active": active})
        return table

    def __repr__(self) -> str:
        r = self.returns
        sharpe = cast(pd.Series, metrics.sharpe_ratio(r))  # a DataFrame in, a Series out
        best = sharpe.idxmax() if sharpe.notna().any() else None
        lead = f": best Sharpe {best} {sharpe[best]:.2f}" if best is not None else ""
        names = ", ".join(map(str, r.columns[:4])) + (", ..." if len(r.columns) > 4 else "")
        return (
            f"<Comparison of {len(r.columns)} ({names}), "
            f"{r.index[0]:%Y-%m-%d}..{r.index[-1]:%Y-%m-%d}{lead}>"
        )

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
    series, benchmark, backtests = {}, None, {}
    for name, result in results.items():
        if isinstance(result, BacktestResult):
            series[str(name)] = result.returns
            backtests[str(name)] = result
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
    return Comparison(returns, benchmark, backtests)


def cost_sensitivity(
    signal: pd.DataFrame | pd.Series | Scores,
    ds: Dataset,
    costs_bps: Sequence[float] | str = (0, 10, 25, 50),
    **options: Any,
) -> pd.DataFrame:
    """The same backtest at several costs: one row per cost (basis points of traded notional)
    with CAGR, Sharpe ratio, max drawdown, turnover per year and costs per year.

    Examples
    --------
    >>> import factorlab as fl
    >>> ds = fl.load_dataset("sample", n_tickers=40, years=3)
    >>> table = cost_sensitivity(fl.factors.momentum(ds), ds, costs_bps=(0, 50))
    >>> bool(table.loc[0, "CAGR"] > table.loc[50, "CAGR"])
    True
    """
    given: object = costs_bps
    if isinstance(given, str):
        given = given.replace(",", " ").split()
    elif isinstance(given, int | float):  # papermill -p costs_to_try 25 passes a number
        given = [given]
    if not isinstance(given, Iterable):
        raise ConfigError(f"costs_bps must be cost levels such as (0, 10, 25, 50), got {given!r}.")
    costs = [as_float(c, "costs_bps") for c in given]
    if not costs:
        raise ConfigError("costs_bps is empty; give cost levels such as (0, 10, 25, 50).")
    figures = ["CAGR", "Sharpe ratio", "max drawdown", "turnover per year", "costs per year"]
    rows = {}
    for cost in costs:  # a handful of backtests
        stats = backtest(signal, ds, cost_bps=cost, **options).stats()
        rows[cost] = stats.iloc[:, 0].reindex(figures)
    table = pd.DataFrame(rows).T
    table.index.name = "cost_bps"
    return table
