"""``fl.compare``: several backtests side by side, in one table and one chart."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
from factorlab.backtest.result import (
    BacktestResult,
    performance_figures,
    periods_per_year,
    styled_stats,
    trading_figures,
)
from factorlab.data import Dataset
from factorlab.errors import ConfigError
from factorlab.factors.composite import Scores
from factorlab.params import as_bool, as_float, as_floats, as_int

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "SENSITIVITY_FIGURES",
    "Capacity",
    "Comparison",
    "capacity",
    "compare",
    "cost_sensitivity",
]

# The figures of result.stats() that cost_sensitivity and capacity report at each level.
SENSITIVITY_FIGURES = (
    "CAGR",
    "Sharpe ratio",
    "max drawdown",
    "turnover per year",
    "costs per year",
)


@dataclass(frozen=True)
class Comparison:
    """What :func:`compare` returns: several strategies' daily returns, side by side.

    Attributes
    ----------
    returns : DataFrame
        Daily returns, one column per strategy, named as given to :func:`compare`: a
        backtest's net returns (after costs), or the Series of returns given. Only the days
        every strategy has a return (common days) are kept.
    benchmark : Series or None
        The first strategy's benchmark, if any (the benchmark's daily returns of the first
        backtest given that has one), on the days of ``returns``; None when none has one.
    results : dict of str to BacktestResult
        The backtests given as such (:class:`BacktestResult`), by name; a strategy given as a
        Series of returns is not in it.
    """

    returns: pd.DataFrame
    benchmark: pd.Series | None
    results: dict[str, BacktestResult] = field(default_factory=dict, repr=False)
    periods_per_year: float | None = None

    def _per_year(self) -> float:
        """The periods a year: as given to :func:`compare`, else read from the shared dates."""
        if self.periods_per_year is not None:
            return self.periods_per_year
        if self.results or isinstance(self.returns.index, pd.DatetimeIndex):
            return periods_per_year(self.returns.index)  # backtests' days: 252 when too few
        return metrics.periods_per_year_of(self.returns.index)  # raises, asking for it

    def stats(self) -> pd.DataFrame:
        """One row per figure, one column per strategy (and the benchmark), over shared days.

        The rows of ``result.stats()``, turnover, costs and holdings included, all over the days
        the strategies share. A strategy given as a Series of returns has no trading figures.
        """
        per_year = self._per_year()
        columns = {
            name: performance_figures(self.returns[name], self.benchmark, per_year)
            for name in self.returns
        }
        for name, result in self.results.items():
            columns[name] |= trading_figures(result, self.returns.index, per_year)
        if self.benchmark is not None:
            columns[f"benchmark ({self.benchmark.name})"] = performance_figures(
                self.benchmark, None, per_year
            )
        table = pd.DataFrame(columns)
        table.index.name = "figure"
        return table

    def wealth(self) -> pd.DataFrame:
        """Growth of 1 for every strategy and the benchmark, on the days they share.

        A day the benchmark has no level adds nothing to it.
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
        """Per strategy: annual Sharpe ratio, probabilistic (PSR) and deflated Sharpe ratio (DSR).

        Per strategy: annual Sharpe ratio, the probability its true Sharpe is above zero (PSR),
        and the deflated Sharpe ratio (DSR): that probability against the best Sharpe that
        ``n_trials`` unskilled configurations would show by luck, given the variance of these
        strategies' Sharpe ratios (Bailey & López de Prado, 2014). ``n_trials`` defaults to the
        number of strategies compared; pass every configuration you tried. ``active=True``
        judges the returns in excess of the benchmark: for a long-only portfolio, total returns
        mostly measure the market's own premium.

        Parameters
        ----------
        n_trials : int, optional
            How many configurations were tried (parameters, factors, weights...), at least 1.
            Default: the number of strategies compared. Text such as ``"20"`` is accepted.
        active : bool, default False
            Judge each strategy's daily returns minus the benchmark's (a day the benchmark has
            no return subtracts nothing). Needs a benchmark, else
            :class:`~factorlab.errors.ConfigError`. Text such as ``"false"`` is read as a bool.

        Returns
        -------
        DataFrame
            One row per strategy; columns ``Sharpe ratio`` (annualized with the periods a year of
            the returns' dates, 252 for trading days; no risk-free rate), ``PSR (vs 0)`` and ``DSR``, both probabilities between 0 and 1.
            ``attrs`` holds ``n_trials``, ``sharpe_variance`` (the sample variance of the
            strategies' annual Sharpe ratios; 0 for a single strategy) and ``active``.
        """
        trials = len(self.returns.columns) if n_trials is None else as_int(n_trials, "n_trials")
        if trials < 1:
            raise ConfigError(f"n_trials must be 1 or more, got {trials}.")
        returns = self.returns
        active = as_bool(active, "active")
        if active:
            if self.benchmark is None:
                raise ConfigError("active=True needs a benchmark; these results have none.")
            # The benchmark's return after a gap is measured from its last level, so a gap day
            # subtracts nothing and the day after subtracts the whole move: the sum is right.
            returns = returns.sub(self.benchmark.fillna(0.0), axis=0)
        per_year = self._per_year()
        sharpe = cast(pd.Series, sharpe_ratio(returns, periods_per_year=per_year))
        variance = float(sharpe.var()) if len(sharpe) > 1 else 0.0
        table = pd.DataFrame(
            {
                "Sharpe ratio": sharpe,
                "PSR (vs 0)": probabilistic_sharpe_ratio(returns, periods_per_year=per_year),
                "DSR": deflated_sharpe_ratio(returns, trials, variance, per_year),
            }
        )
        table.attrs.update({"n_trials": trials, "sharpe_variance": variance, "active": active})
        return table

    def __repr__(self) -> str:
        r = self.returns
        try:
            per_year = self._per_year()
        except ConfigError:  # undated returns without periods_per_year: no Sharpe to show
            per_year = float("nan")
        sharpe = cast(pd.Series, metrics.sharpe_ratio(r, periods_per_year=per_year))
        best = sharpe.idxmax() if sharpe.notna().any() else None
        lead = f": best Sharpe {best} {sharpe[best]:.2f}" if best is not None else ""
        names = ", ".join(map(str, r.columns[:4])) + (", ..." if len(r.columns) > 4 else "")
        return (
            f"<Comparison of {len(r.columns)} ({names}), "
            f"{r.index[0]:%Y-%m-%d}..{r.index[-1]:%Y-%m-%d}{lead}>"
        )

    def _repr_html_(self) -> str:
        return f"<div><strong>factorlab comparison</strong>{styled_stats(self.stats()).to_html()}</div>"


def compare(
    results: Mapping[str, BacktestResult | pd.Series], periods_per_year: float | None = None
) -> Comparison:
    """Put backtests side by side.

    Parameters
    ----------
    results : dict
        Name -> :class:`BacktestResult` (or a Series of returns). They are compared on the
        days they share.
    periods_per_year : float, optional
        Periods in a year of the returns (252 daily, 52 weekly, 12 monthly); by default read
        from their dates. Needed for Series of returns without dates.

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
    per_year = None if periods_per_year is None else as_float(periods_per_year, "periods_per_year")
    if per_year is not None and not per_year > 0:
        raise ConfigError(f"periods_per_year must be positive, got {periods_per_year!r}.")
    return Comparison(returns, benchmark, backtests, per_year)


def cost_sensitivity(
    signal: pd.DataFrame | pd.Series | Scores,
    ds: Dataset,
    costs_bps: Sequence[float] | str = (0, 10, 25, 50),
    **options: Any,
) -> pd.DataFrame:
    """The same backtest at several costs: one row per cost, in basis points of traded notional.

    Each row has CAGR, Sharpe ratio, max drawdown, turnover per year and costs per year: the
    strategy's figures of :meth:`BacktestResult.stats`.

    Parameters
    ----------
    signal : DataFrame, Series or Scores
        The signal to backtest, as :func:`factorlab.backtest` takes it (dates × tickers, higher
        = more attractive; a Scores uses its composite).
    ds : Dataset
        The data the backtests run on.
    costs_bps : sequence of float or str, default (0, 10, 25, 50)
        The cost levels, in basis points of traded notional (10 = 0.1 % of what is traded).
        Text such as ``"0,10,25"`` or ``"0 10 25"`` and a single number are accepted too; each
        level is parsed as a float. An empty list raises
        :class:`~factorlab.errors.ConfigError`.
    **options
        Other keyword arguments of :func:`factorlab.backtest` (``quantiles``, ``rebalance``,
        ``short``...), the same for every row; not ``cost_bps``, which each row sets.

    Returns
    -------
    DataFrame
        One row per cost level (a float; the index is named ``cost_bps``), in the order given;
        columns ``CAGR``, ``Sharpe ratio``, ``max drawdown``, ``turnover per year`` and
        ``costs per year``, as in :meth:`BacktestResult.stats`.

    Examples
    --------
    >>> import factorlab as fl
    >>> ds = fl.load_dataset("sample", n_tickers=40, years=3)
    >>> table = cost_sensitivity(fl.factors.momentum(ds), ds, costs_bps=(0, 50))
    >>> bool(table.loc[0, "CAGR"] > table.loc[50, "CAGR"])
    True
    """
    costs = as_floats(costs_bps, "costs_bps", "(0, 10, 25, 50)")
    rows = {}
    for cost in costs:  # a handful of backtests
        stats = backtest(signal, ds, cost_bps=cost, **options).stats()
        rows[cost] = stats.iloc[:, 0].reindex(list(SENSITIVITY_FIGURES))
    table = pd.DataFrame(rows).T
    table.index.name = "cost_bps"
    return table


@dataclass(frozen=True)
class Capacity:
    """What :func:`capacity` returns: one backtest's net figures at several sizes of book.

    Attributes
    ----------
    table : DataFrame
        One row per starting AUM (the index, ``aum``), columns ``CAGR``, ``Sharpe ratio``,
        ``max drawdown``, ``turnover per year`` and ``costs per year`` (net of the square-root
        market impact and ``cost_bps``), as in :meth:`BacktestResult.stats`.
    results : dict of float to BacktestResult
        Each size's backtest.
    """

    table: pd.DataFrame
    results: dict[float, BacktestResult] = field(repr=False)

    def plot(self) -> Figure:
        """Net Sharpe ratio and CAGR against AUM (log scale)."""
        from factorlab.plots import plot_capacity  # matplotlib: loaded when drawn

        return plot_capacity(self)

    def _repr_html_(self) -> str:
        styled = styled_stats(self.table.T).format_index("{:,.0f}", axis=1).to_html()
        return f"<div><strong>factorlab Capacity</strong> (columns: AUM){styled}</div>"


def capacity(
    signal: pd.DataFrame | pd.Series | Scores,
    ds: Dataset,
    aum: Sequence[float] = (1e6, 1e7, 1e8, 1e9, 1e10),
    **options: Any,
) -> Capacity:
    """How much a signal can manage: its net figures as the book grows, impact included.

    The same backtest at each starting AUM with ``costs="sqrt"``: each trade pays
    ``cost_bps`` plus square-root market impact (see :mod:`factorlab.backtest.costs`), which
    grows with the trade's size against the stock's daily traded value. Needs ``ds.volume``.

    Parameters
    ----------
    signal : DataFrame, Series or Scores
        As :func:`factorlab.backtest` takes it.
    ds : Dataset
    aum : sequence of float
        Starting sizes of the book, in the prices' currency; text such as ``"1e6,1e8"`` works.
    **options
        Other keyword arguments of :func:`factorlab.backtest` (``quantiles``, ``impact``,
        ``participation``, ``construct``...), the same for every size; not ``aum`` or
        ``costs``.

    Returns
    -------
    Capacity

    Examples
    --------
    >>> import factorlab as fl
    >>> ds = fl.load_dataset("sample", n_tickers=40, years=3)
    >>> sizes = fl.capacity(fl.factors.momentum(ds), ds, aum=(1e5, 1e7))
    >>> bool(sizes.table.loc[1e5, "CAGR"] > sizes.table.loc[1e7, "CAGR"])
    True
    """
    for name in ("aum", "costs"):
        if name in options:
            raise ConfigError(f"capacity sets {name} itself; drop it from the options.")
    sizes = as_floats(aum, "aum", "(1e6, 1e8, 1e10)")
    if min(sizes) <= 0:
        raise ConfigError(f"aum must be positive book sizes such as (1e6, 1e8), got {aum!r}.")
    results = {}
    for size in sizes:  # a handful of backtests
        results[size] = backtest(signal, ds, costs="sqrt", aum=size, **options)
    table = pd.DataFrame(
        {
            size: r.stats().iloc[:, 0].reindex(list(SENSITIVITY_FIGURES))
            for size, r in results.items()
        }
    ).T
    table.index.name = "aum"
    return Capacity(table, results)
