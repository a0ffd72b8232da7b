"""The result of a backtest: returns, weights, costs, and how it reads as a table and a chart."""

from __future__ import annotations

import html
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from factorlab.backtest import metrics
from factorlab.backtest.engine import rebalance_code, rebalance_name
from factorlab.errors import ConfigError
from factorlab.params import as_int

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from pandas.io.formats.style import Styler

    from factorlab.data import Dataset

__all__ = [
    "FIGURE_UNITS",
    "BacktestResult",
    "holding_rule",
    "performance_figures",
    "periods_per_year",
    "styled_stats",
    "trading_figures",
]

# Every row of stats(), with how its number reads: "percent" (a decimal fraction), "ratio" (a
# multiple) or "number" (as it is: a Sharpe ratio, a count of holdings).
FIGURE_UNITS: dict[str, str] = {
    "CAGR": "percent",
    "annual volatility": "percent",
    "Sharpe ratio": "number",
    "Sortino ratio": "number",
    "max drawdown": "percent",
    "Calmar ratio": "number",
    "hit rate": "percent",
    "total return": "percent",
    "beta": "number",
    "alpha (annual)": "percent",
    "tracking error": "percent",
    "information ratio": "number",
    "turnover per rebalance": "percent",
    "turnover per year": "ratio",
    "costs per year": "percent",
    "average holdings": "number",
}

_DAYS = 252
_BUCKETS = {
    2: "half",
    3: "tercile",
    4: "quartile",
    5: "quintile",
    10: "decile",
    20: "ventile",
    100: "percentile",
}


def holding_rule(settings: dict) -> str:
    """What a backtest holds, in words; empty when ``settings`` does not say.

    For example ``"top quintile"``, ``"top 20 long, bottom 20 short"`` or
    ``"bottom decile, cap-weighted"``.

    Examples
    --------
    >>> holding_rule({"quantiles": 5, "long": "top", "short": False, "weighting": "equal"})
    'top quintile'
    >>> holding_rule({"top_n": 20, "quantiles": 5, "long": "top", "short": True})
    'top 20 long, bottom 20 short'
    >>> holding_rule({"construct": "optimize", "short": False, "max_weight": 0.05})
    'optimized long-only book, at most 5% each'
    """
    if settings.get("construct") == "optimize":
        book = (
            "optimized dollar-neutral book" if settings.get("short") else "optimized long-only book"
        )
        limits = [
            f"{label} {_number(settings[key], scale)}{unit}"
            for key, label, scale, unit in (
                ("max_weight", "at most", 100, "% each"),
                ("max_turnover", "turnover at most", 100, "% a rebalance"),
                ("target_vol", "volatility at most", 100, "%"),
            )
            if settings.get(key) is not None
        ]
        if settings.get("sector_neutral"):
            limits.append("sector-neutral")
        return ", ".join([book, *limits])
    top_n, q = settings.get("top_n"), settings.get("quantiles")
    try:
        size = str(int(top_n)) if top_n is not None else _BUCKETS.get(int(q), f"1/{int(q)}")  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return ""  # settings that do not say (a result built by hand)
    best, worst = ("top", "bottom") if settings.get("long", "top") == "top" else ("bottom", "top")
    rule = f"{best} {size}"
    if settings.get("short"):
        rule = f"{rule} long, {worst} {size} short"
    if settings.get("weighting", "equal") != "equal":
        rule += f", {settings['weighting']}-weighted"
    if settings.get("max_weight") is not None:
        rule += f", at most {_number(settings['max_weight'], 100)}% each"
    return rule


def _number(value: object, times: float = 1) -> str:
    """``value`` (times ``times``) in a short form, or as given when it is not a number."""
    try:
        return f"{float(value) * times:.3g}"  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)


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

    @property
    def rule(self) -> str:
        """The backtest in a few words: what it holds, how often it trades, what it pays.

        For example ``"top quintile, monthly, 25 bps"``.
        """
        s = self.settings
        parts = [holding_rule(s)]
        if "rebalance" in s:
            parts.append(rebalance_name(rebalance_code(s["rebalance"])))
        if s.get("lag", 1) != 1:
            parts.append(f"lag {s['lag']}")
        if "cost_bps" in s:
            cost = f"{_number(s['cost_bps'])} bps"
            if s.get("costs") == "sqrt":
                cost += f" + square-root impact at {_number(s.get('aum'))} AUM"
            parts.append(cost)
        return ", ".join(p for p in parts if p)

    def stats(self) -> pd.DataFrame:
        """A tidy table: one row per figure, one column for the strategy and one for the benchmark.

        The benchmark's column is there when there is a benchmark. Annual figures take the
        periods a year from the returns' dates (252 for trading days). The columns' name (shown
        above the index) is the backtest's :attr:`rule`.
        """
        columns = {"strategy": self.returns}
        if self.benchmark is not None:
            columns[f"benchmark ({self.benchmark.name})"] = self.benchmark
        per_year = periods_per_year(self.returns.index)
        rows = {}
        for name, r in columns.items():
            benchmark = self.benchmark if name == "strategy" else None
            rows[name] = performance_figures(r, benchmark, per_year)
        table = pd.DataFrame(rows)
        for figure, number in trading_figures(self, self.returns.index, per_year).items():
            table.loc[figure, "strategy"] = number
        table.index.name = "figure"
        table.columns.name = self.rule or None
        return table

    def wealth(self) -> pd.DataFrame:
        """Growth of 1, net of costs: a column ``strategy`` and one for the benchmark.

        A day the benchmark has no level adds nothing to it.
        """
        columns = {"strategy": self.returns}
        if self.benchmark is not None:
            columns[str(self.benchmark.name)] = self.benchmark.fillna(0.0)
        return (1 + pd.DataFrame(columns)).cumprod()

    def drawdown(self) -> pd.Series:
        """The strategy's fall from its highest wealth so far, as a negative decimal each day.

        Starting wealth 1 counts as a peak; the minimum is ``stats()``' max drawdown.
        """
        wealth = (1 + self.returns).cumprod()
        return (wealth / np.maximum(wealth.cummax(), 1.0) - 1).rename("drawdown")

    def rolling_sharpe(self, window: int = 126) -> pd.Series:
        """The annualized Sharpe ratio over the last ``window`` trading days, each day.

        The mean of the daily net returns over their standard deviation (``ddof=1``), times
        the square root of the periods a year (252 for trading days), with no risk-free rate. NaN until a full window has passed (and for a
        window that holds a missing return).

        Parameters
        ----------
        window : int, default 126
            Length of the window in trading days (rows of :attr:`returns`), at least 2; 126 is
            about six months. Text such as ``"63"`` is accepted.

        Returns
        -------
        Series
            One Sharpe ratio per day of :attr:`returns`, named ``"Sharpe, <window>d"``.
        """
        days = as_int(window, "window", minimum=2)
        mean = self.returns.rolling(days).mean()
        std = self.returns.rolling(days).std()
        per_year = periods_per_year(self.returns.index)
        return (mean / std * np.sqrt(per_year)).rename(f"Sharpe, {days}d")

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
        from factorlab.plots import plot_backtest  # matplotlib: loaded when drawn

        return plot_backtest(self)

    def to_html(
        self,
        path: str | os.PathLike[str],
        title: str = "Backtest report",
        *,
        ds: Dataset | None = None,
        risk_model: Any = None,
        n_trials: int = 1,
        sharpe_variance: float = 0.0,
    ) -> Path:
        """Write the backtest to one self-contained HTML file, for someone without a notebook.

        The equity curve against the benchmark on the same days, drawdowns, the stats table,
        returns by month, turnover and costs, the probabilistic and deflated Sharpe ratios, the
        attribution when a risk model is given, and the settings with fingerprints. Figures are
        PNGs inside the file: it opens offline and fetches nothing. Written atomically.

        Parameters
        ----------
        path : str or PathLike
            Where to write, e.g. ``"report.html"``.
        title : str
            The page's title.
        ds : Dataset, optional
            The data the backtest ran on: its fingerprint goes into the settings.
        risk_model : RiskModel, optional
            Adds where the return came from (:meth:`factorlab.RiskModel.attribute`).
        n_trials, sharpe_variance :
            For the deflated Sharpe ratio: how many configurations were tried, and the
            variance of their annual Sharpe ratios (``SweepResult`` gives both).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> import factorlab as fl
        >>> ds = fl.load_dataset("sample", n_tickers=40, years=3)
        >>> result = fl.backtest(fl.factors.momentum(ds), ds)
        >>> path = result.to_html(pathlib.Path(tempfile.mkdtemp()) / "report.html", ds=ds)
        >>> path.stat().st_size < 3_000_000
        True
        """
        # pages sit above results and draw with matplotlib: loaded when a page is written
        from factorlab.pages import backtest_page, write_page

        text = backtest_page(
            self,
            title,
            ds=ds,
            risk_model=risk_model,
            n_trials=n_trials,
            sharpe_variance=sharpe_variance,
        )
        return write_page(path, text)

    def __repr__(self) -> str:
        s, r = self.settings, self.returns
        parts = [str(s["rebalance"])] if "rebalance" in s else []
        parts.append(holding_rule(s))
        if s.get("lag", 1) != 1:
            parts.append(f"lag {s['lag']}")
        if "cost_bps" in s:
            parts.append(f"{_number(s['cost_bps'])} bps")
        head = " " + ", ".join(p for p in parts if p) if any(parts) else ""
        if r.dropna().empty:
            return f"<BacktestResult{head}: no returns>"
        per_year = periods_per_year(r.index)
        return (
            f"<BacktestResult{head}: CAGR {metrics.cagr(r, per_year):.1%}, Sharpe "
            f"{metrics.sharpe_ratio(r, periods_per_year=per_year):.2f}, "
            f"{r.index[0]:%Y-%m-%d}..{r.index[-1]:%Y-%m-%d}>"
        )

    def _repr_html_(self) -> str:
        s = self.settings
        head = ", ".join(f"{k}={v}" for k, v in s.items())
        if self.returns.dropna().empty:
            return f"<div><strong>factorlab BacktestResult</strong> ({head}): no returns</div>"
        return (
            f"<div><strong>factorlab BacktestResult</strong>: {html.escape(self.rule)} ({head}), "
            f"{self.returns.index[0]:%Y-%m-%d} to {self.returns.index[-1]:%Y-%m-%d}"
            f"{styled_stats(self.stats()).to_html()}</div>"
        )


def styled_stats(table: pd.DataFrame) -> Styler:
    """A stats table as people read it: percents as percents, ratios and numbers to 2 places.

    Only the display changes (a pandas Styler); the DataFrame keeps its raw numbers.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"strategy": [0.0712, 0.81, 9.4]},
    ...                      index=["CAGR", "Sharpe ratio", "turnover per year"])
    >>> "7.12%" in styled_stats(table).to_html()
    True
    """
    formats = {"percent": "{:.2%}", "ratio": "{:.2f}x", "number": "{:.2f}"}
    styler = table.style
    for figure in table.index:
        unit = FIGURE_UNITS.get(str(figure), "number")
        styler = styler.format(formats[unit], subset=pd.IndexSlice[[figure], :], na_rep="–")
    return styler


def periods_per_year(dates: pd.Index) -> float:
    """How many of a backtest's return dates make a year.

    Read from the dates (:func:`~factorlab.backtest.metrics.periods_per_year_of`); 252 when
    they are too few or too irregular to tell, as a backtest steps through a dataset's trading
    days.
    """
    try:
        return metrics.periods_per_year_of(dates)
    except ConfigError:
        return float(_DAYS)


def trading_figures(
    result: BacktestResult, days: pd.Index, per_year: float | None = None
) -> dict[str, float]:
    """Turnover per rebalance and per year, costs per year and average holdings of ``result``.

    Over ``days`` (its own, or the days a comparison shares), ``per_year`` of which make a year
    (default: read from them). The first rebalance's buy-in is not trading activity and is
    left out of turnover.
    """
    years = len(days) / (per_year or periods_per_year(days))
    turnover = result.turnover.iloc[1:]  # the first day's buy-in is not trading activity
    turnover = turnover[turnover.index.isin(days)]
    return {
        "turnover per rebalance": turnover.mean(),
        "turnover per year": turnover.sum() / years,
        "costs per year": result.costs.reindex(days).sum() / years,
        "average holdings": result.holdings_count.reindex(days).mean(),
    }


def performance_figures(
    r: pd.Series, benchmark: pd.Series | None, per_year: float
) -> dict[str, float]:
    """The return figures of ``stats()`` for one series of returns, ``per_year`` a year.

    Against a benchmark, also beta, alpha, tracking error and information ratio.
    """
    out = {
        "CAGR": metrics.cagr(r, per_year),
        "annual volatility": metrics.annual_volatility(r, per_year),
        "Sharpe ratio": metrics.sharpe_ratio(r, periods_per_year=per_year),
        "Sortino ratio": metrics.sortino_ratio(r, periods_per_year=per_year),
        "max drawdown": metrics.max_drawdown(r),
        "Calmar ratio": metrics.calmar_ratio(r, per_year),
        "hit rate": metrics.hit_rate(r),
        "total return": float(np.prod(1 + r.dropna()) - 1),
    }
    if benchmark is not None:
        both = metrics.beta_alpha(r, benchmark, periods_per_year=per_year)
        out["beta"] = both["beta"]
        out["alpha (annual)"] = both["alpha_ann"]
        out["tracking error"] = metrics.tracking_error(r, benchmark, per_year)
        out["information ratio"] = metrics.information_ratio(r, benchmark, per_year)
    return out
