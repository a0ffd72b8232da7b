"""Every figure factorlab draws.

Functions take results already computed and return a Figure; none computes statistics or calls
``plt.show()``.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING, cast

import numpy as np

from factorlab._docs import shared_doc
from factorlab.factors.screening import sector_shares

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.axis import Axis
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, PercentFormatter

    from factorlab.backtest.comparison import Capacity, Comparison
    from factorlab.backtest.events import EventStudy
    from factorlab.backtest.factor_report import FactorReport
    from factorlab.backtest.result import BacktestResult
    from factorlab.factors.composite import Scores
    from factorlab.risk.attribution import Attribution
    from factorlab.risk.model import RiskModel
    from factorlab.sweep.result import SweepResult

__all__ = [
    "plot_attribution",
    "plot_backtest",
    "plot_capacity",
    "plot_equity_curves",
    "plot_event_study",
    "plot_factor_correlations",
    "plot_factor_report",
    "plot_factor_returns",
    "plot_factor_weighted_returns",
    "plot_score_distributions",
    "plot_scores",
    "plot_sector_exposure",
    "plot_seed_vs_zscore",
    "plot_sweep",
    "plot_trading",
    "plot_turnover",
]


# The axes and the figure of every plot, documented once (see factorlab._docs).
_DOCS = {
    "ax": (
        "ax : matplotlib.axes.Axes, optional\n"
        "    The axes to draw on; the figure that holds them is returned."
    ),
    "scores_sections": (
        "Parameters\n"
        "----------\n"
        "scores : Scores\n"
        "    What :func:`factorlab.score` returns.\n"
        "ax : matplotlib.axes.Axes, optional\n"
        "    The axes to draw on; the figure that holds them is returned.\n"
        "\n"
        "Returns\n"
        "-------\n"
        "matplotlib.figure.Figure\n"
        "    The figure drawn on: the one holding ``ax`` when given, else a new one, made\n"
        "    without pyplot (so nothing shows until it is displayed)."
    ),
    "figure": (
        "matplotlib.figure.Figure\n"
        "    The figure drawn on: the one holding ``ax`` when given, else a new one, made\n"
        "    without pyplot (so nothing shows until it is displayed)."
    ),
}


def _show_in_notebooks() -> None:
    """Teach IPython to draw a bare Figure as a PNG, as factorlab never uses pyplot.

    The inline backend registers its formatter only when pyplot makes a figure.
    """
    try:
        from IPython import get_ipython  # IPython is there only inside a notebook's kernel
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    # IPython is there only inside a notebook's kernel
    from IPython.core.pylabtools import print_figure
    from matplotlib.figure import Figure  # matplotlib loads when a figure is drawn

    shell.display_formatter.formatters["image/png"].for_type(
        Figure, lambda fig: print_figure(fig, "png", bbox_inches="tight")
    )


_show_in_notebooks()

FAMILY_COLORS = {
    "value": "#4c72b0",
    "growth": "#55a868",
    "momentum": "#c44e52",
    "quality": "#8172b2",
    "low_vol": "#ccb974",
}
_OTHER_COLORS = ("#64b5cd", "#dd8452", "#937860", "#da8bc3", "#8c8c8c", "#17becf")


def family_color(name: str) -> str:
    """A family's colour; a custom factor gets one of the others, the same on every figure."""
    if name in FAMILY_COLORS:
        return FAMILY_COLORS[name]
    return _OTHER_COLORS[zlib.crc32(name.encode()) % len(_OTHER_COLORS)]


@shared_doc(**_DOCS)
def plot_scores(scores: Scores, n: int = 10, ax: Axes | None = None) -> Figure:
    """Horizontal bars of the best and worst composites at the last date, split by family.

    Bars of the ``n`` best and ``n`` worst composites at the last date (best at the top), each
    split into its families' weighted contributions (negative ones to the left of zero); a dot
    marks the composite.

    Without ``ax``, it draws on a new figure of its own, 8 inches wide and 0.3 inch a row plus
    1.5 inches high.

    Parameters
    ----------
    scores : Scores
        What :func:`factorlab.score` returns.
    n : int, default 10
        How many of the best and of the worst tickers to show (a number, not text); every
        scored ticker when there are at most ``2 * n``.
    {ax}

    Returns
    -------
    {figure}
    """
    table = scores.latest()
    shown = table if len(table) <= 2 * n else table.iloc[list(range(n)) + list(range(-n, 0))]
    shown = shown.iloc[::-1]  # best at the top
    fig, ax = _figure_and_axes(ax, height=0.3 * len(shown) + 1.5)
    rows = range(len(shown))
    positive_left = [0.0] * len(shown)
    negative_left = [0.0] * len(shown)
    for family, weight in scores.weights.items():
        part = (weight * shown[family]).to_numpy()
        left = [positive_left[i] if part[i] >= 0 else negative_left[i] for i in range(len(part))]
        ax.barh(list(rows), part, left=left, color=family_color(family), label=family)
        for i, value in enumerate(part):
            if value >= 0:
                positive_left[i] += value
            else:
                negative_left[i] += value
    ax.plot(shown["composite"].to_numpy(), list(rows), "ko", markersize=4, label="composite")
    handles, labels = ax.get_legend_handles_labels()
    order = [labels.index(name) for name in [*scores.weights, "composite"]]
    ax.set_yticks(list(rows), shown.index.tolist())
    ax.axvline(0, color="grey", linewidth=0.8)
    ax.set_xlabel("weighted contribution (standardized units)")
    ax.set_title(f"Composite score on {scores.composite.index[-1]:%Y-%m-%d}: best and worst")
    ax.legend(
        [handles[i] for i in order], [labels[i] for i in order], loc="lower right", fontsize="small"
    )
    return fig


def plot_backtest(result: BacktestResult, rolling_days: int = 126) -> Figure:
    """Three panels: growth of 1 against the benchmark, drawdown, and a rolling Sharpe ratio.

    The panels, sharing the time axis: growth of 1 for the strategy and its benchmark (in grey;
    log scale, net of costs, titled with the backtest's rule), the strategy's drawdown, and its
    rolling Sharpe ratio over ``rolling_days`` (about six months).

    Parameters
    ----------
    result : BacktestResult
        What :func:`factorlab.backtest` returns.
    rolling_days : int, default 126
        The rolling Sharpe ratio's window in trading days, 2 or more (126: about six months);
        text such as ``"126"`` works. The ratio is annualized and starts after a full window.

    Returns
    -------
    matplotlib.figure.Figure
        A new Figure, 9 by 7.5 inches with a constrained layout, made without pyplot (so
        nothing is shown until it is displayed).
    """
    fig = _new_figure(9, 7.5)
    equity_ax, drawdown_ax, sharpe_ax = fig.subplots(
        3, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1.2, 1.2]}
    )
    wealth = result.wealth()
    equity_ax.plot(wealth.index, wealth["strategy"].to_numpy(), label="strategy", color="#4c72b0")
    for name in wealth.columns[1:]:  # the benchmark
        equity_ax.plot(wealth.index, wealth[name].to_numpy(), label=name, color="grey")
    equity_ax.set_yscale("log")
    _plain_log_ticks(equity_ax.yaxis)
    equity_ax.set_ylabel("growth of 1 (log scale)")
    rule = result.rule
    equity_ax.set_title(f"Backtest, {rule}: net of costs" if rule else "Backtest: net of costs")
    equity_ax.legend(loc="upper left")

    drawdown = result.drawdown()
    drawdown_ax.fill_between(drawdown.index, drawdown.to_numpy(), 0, color="#c44e52", alpha=0.6)
    drawdown_ax.set_ylabel("drawdown")

    sharpe = result.rolling_sharpe(rolling_days)
    sharpe_ax.plot(sharpe.index, sharpe.to_numpy(), color="#55a868")
    sharpe_ax.axhline(0, color="grey", linewidth=0.8)
    sharpe_ax.set_ylabel(f"Sharpe, {rolling_days}d")
    return fig


@shared_doc(**_DOCS)
def plot_equity_curves(comparison: Comparison, ax: Axes | None = None) -> Figure:
    """Growth of 1 for each strategy of a :class:`~factorlab.backtest.Comparison`, log scale.

    Its benchmark, if any, is drawn in grey; all on the days the strategies share.

    Without ``ax``, it draws on a new figure of its own, 8 by 4.5 inches.

    Parameters
    ----------
    comparison : Comparison
        What :func:`factorlab.compare` returns.
    {ax}

    Returns
    -------
    {figure}
    """
    fig, ax = _figure_and_axes(ax, height=4.5)
    wealth = comparison.wealth()
    for name in wealth:
        grey = comparison.benchmark is not None and name == str(comparison.benchmark.name)
        ax.plot(
            wealth.index, wealth[name].to_numpy(), label=str(name), color="grey" if grey else None
        )
    ax.set_yscale("log")
    _plain_log_ticks(ax.yaxis)
    ax.set_ylabel("growth of 1 (log scale)")
    ax.set_title("Strategies compared, net of costs")
    ax.legend(loc="upper left")
    return fig


def plot_factor_report(report: FactorReport) -> Figure:
    """A factor tear sheet of five panels on one factor's evaluation.

    The panels: daily rank IC of the shortest period with its 63-day mean, and its histogram;
    mean return by quantile for each period (demeaned, in basis points); the cumulative
    top-minus-bottom spread (shortest period); and mean IC by horizon.

    Parameters
    ----------
    report : FactorReport
        What :func:`factorlab.evaluate` returns.

    Returns
    -------
    matplotlib.figure.Figure
        A new Figure, 14 by 7.5 inches with a constrained layout, made without pyplot (so
        nothing is shown until it is displayed).
    """
    fig = _new_figure(14, 7.5)
    (ic_ax, hist_ax, bars_ax), (spread_ax, decay_ax, spare) = fig.subplots(2, 3)
    fig.delaxes(spare)
    first = report.ic.columns[0]
    ic = report.ic[first]
    ic_ax.plot(ic.index, ic.to_numpy(), color="#4c72b0", alpha=0.35, linewidth=0.6, label="daily")
    smooth = report.rolling_ic(63)
    ic_ax.plot(smooth.index, smooth.to_numpy(), color="#4c72b0", label="63-day mean")
    ic_ax.axhline(0, color="grey", linewidth=0.8)
    ic_ax.set_title(f"Rank IC, {first}-day forward returns")
    ic_ax.legend(loc="upper left", fontsize="small")
    mean = report.ic_summary().loc[first, "IC mean"]
    hist_ax.hist(ic.dropna().to_numpy(), bins=40, color="#4c72b0", alpha=0.8)
    hist_ax.axvline(mean, color="black", linewidth=1)
    hist_ax.set_title(f"IC distribution, {first}d (mean {mean:.3f})")

    table = report.quantile_returns_demeaned * 1e4
    width = 0.8 / len(table.columns)
    for i, period in enumerate(table.columns):
        bars_ax.bar(
            table.index + (i - (len(table.columns) - 1) / 2) * width,
            table[period].to_numpy(),
            width=width,
            label=f"{period}d",
        )
    bars_ax.axhline(0, color="grey", linewidth=0.8)
    bars_ax.set_xticks(list(table.index))
    bars_ax.set_xlabel("quantile (1 = lowest factor)")
    bars_ax.set_ylabel("mean demeaned return, bps")
    bars_ax.set_title("Forward return by quantile")
    bars_ax.legend(fontsize="small")

    spread = report.cumulative_spread(first)
    spread_ax.plot(spread.index, spread.to_numpy(), color="#55a868")
    spread_ax.set_title(f"Cumulative top-minus-bottom spread ({first}d returns, per day)")

    decay = report.decay
    decay_ax.bar([str(h) for h in decay.index], decay.to_numpy(), color="#8172b2")
    decay_ax.axhline(0, color="grey", linewidth=0.8)
    decay_ax.set_xlabel("horizon, trading days")
    decay_ax.set_title("Mean IC by horizon")
    return fig


def plot_trading(result: BacktestResult) -> Figure:
    """Turnover at each rebalance and costs paid, cumulative, of one backtest.

    Parameters
    ----------
    result : BacktestResult
        What :func:`factorlab.backtest` returns; the bars are its ``turnover`` (the first
        rebalance, the buy-in, included) and the line the running sum of its ``costs``.

    Returns
    -------
    matplotlib.figure.Figure
        A new Figure, 11 by 3.5 inches, made without pyplot.
    """
    fig = _new_figure(11, 3.5)
    turnover_ax, cost_ax = fig.subplots(1, 2)
    turnover = result.turnover
    turnover_ax.bar(turnover.index, turnover.to_numpy(), width=15, color="#4c72b0")
    turnover_ax.yaxis.set_major_formatter(_percent())
    turnover_ax.set_title("Turnover at each rebalance (sum of weight changes)")
    paid = result.costs.cumsum()
    cost_ax.plot(paid.index, paid.to_numpy(), color="#c44e52")
    cost_ax.yaxis.set_major_formatter(_percent())
    cost_ax.set_title("Costs paid, cumulative (fraction of equity)")
    return fig


def plot_capacity(capacity: Capacity) -> Figure:
    """Net Sharpe ratio and CAGR of one signal against the size of the book.

    Parameters
    ----------
    capacity : Capacity
        What :func:`factorlab.capacity` returns; the points are its ``table``.

    Returns
    -------
    matplotlib.figure.Figure
        A new Figure, 11 by 4 inches, made without pyplot.
    """
    table = capacity.table
    fig = _new_figure(11, 4)
    sharpe_ax, cagr_ax = fig.subplots(1, 2)
    sizes = table.index.to_numpy(dtype=float)
    sharpe_ax.plot(sizes, table["Sharpe ratio"].to_numpy(), "o-", color="#4c72b0")
    cagr_ax.plot(sizes, table["CAGR"].to_numpy(), "o-", color="#55a868")
    cagr_ax.yaxis.set_major_formatter(_percent())
    for axes, title in ((sharpe_ax, "Net Sharpe ratio"), (cagr_ax, "Net CAGR")):
        axes.set_xscale("log")
        axes.xaxis.set_major_formatter(_money())
        axes.axhline(0, color="grey", linewidth=0.8)
        axes.set_xlabel("assets under management at the start")
        axes.set_title(f"{title}, after square-root market impact")
    return fig


def plot_turnover(report: FactorReport) -> Figure:
    """How fast the factor changes: its buckets' turnover and its rank autocorrelation.

    Left, the top and bottom buckets' turnover at the shortest period, date by date, with their
    means; right, the rank autocorrelation of every period, date by date.

    Parameters
    ----------
    report : FactorReport
        What :func:`factorlab.evaluate` returns; the lines are
        :meth:`FactorReport.quantile_turnover` and :meth:`FactorReport.rank_autocorrelation_by_date`.

    Returns
    -------
    matplotlib.figure.Figure
        A new Figure, 14 by 4 inches, made without pyplot.
    """
    fig = _new_figure(14, 4)
    turnover_ax, autocorrelation_ax = fig.subplots(1, 2)
    first = report.ic.columns[0]
    turnover = report.quantile_turnover(first)
    means = report.turnover.loc[first]
    for bucket, color in ((report.quantiles, "#55a868"), (1, "#c44e52")):
        series = turnover[bucket]
        turnover_ax.plot(series.index, series.to_numpy(), color=color, alpha=0.5, linewidth=0.7)
        turnover_ax.axhline(
            means[bucket], color=color, label=f"quantile {bucket} (mean {means[bucket]:.0%})"
        )
    turnover_ax.yaxis.set_major_formatter(_percent())
    turnover_ax.set_title(f"Names new to the bucket since {first} day(s) before")
    turnover_ax.legend(fontsize="small")
    autocorrelation = report.rank_autocorrelation_by_date()
    for period in autocorrelation.columns:
        series = autocorrelation[period]
        autocorrelation_ax.plot(series.index, series.to_numpy(), linewidth=0.8, label=f"{period}d")
    autocorrelation_ax.set_title("Rank autocorrelation of the factor")
    autocorrelation_ax.legend(fontsize="small")
    return fig


def plot_factor_weighted_returns(report: FactorReport) -> Figure:
    """The factor-weighted long/short book's cumulative return, per period.

    Parameters
    ----------
    report : FactorReport
        What :func:`factorlab.evaluate` returns; the lines are
        :meth:`FactorReport.cumulative_factor_returns`.

    Returns
    -------
    matplotlib.figure.Figure
        A new Figure, 11 by 4 inches, made without pyplot.
    """
    cumulative = report.cumulative_factor_returns()
    fig = _new_figure(11, 4)
    axes = fig.subplots()
    for period in cumulative.columns:
        axes.plot(cumulative.index, cumulative[period].to_numpy(), label=f"{period}d")
    axes.axhline(0, color="grey", linewidth=0.8)
    axes.yaxis.set_major_formatter(_percent())
    axes.set_title("Factor-weighted long/short book, cumulative return")
    axes.legend(fontsize="small")
    return fig


def plot_event_study(study: EventStudy) -> Figure:
    """An event study on three panels: events over time, cumulative returns, forward returns.

    The panels: events per month by bucket; each bucket's average cumulative return from
    ``before`` days before its events to ``after`` days after (relative as the study says), with
    a band of one standard error of the date means; and each bucket's mean forward return per
    period with its standard error.

    Parameters
    ----------
    study : EventStudy
        What :func:`factorlab.evaluate_events` returns.

    Returns
    -------
    matplotlib.figure.Figure
        A new Figure, 14 by 4.5 inches with a constrained layout, made without pyplot.
    """
    from matplotlib.dates import ConciseDateFormatter  # matplotlib loads when a figure is drawn

    fig = _new_figure(14, 4.5)
    count_ax, curve_ax, bars_ax = fig.subplots(1, 3)
    monthly = study.counts.groupby(study.counts.index.to_period("M")).sum()
    bottom = np.zeros(len(monthly))
    months = monthly.index.to_timestamp()
    for bucket in monthly.columns:
        count_ax.bar(months, monthly[bucket].to_numpy(), width=20, bottom=bottom, label=bucket)
        bottom = bottom + monthly[bucket].to_numpy()
    count_ax.set_title("Events per month")
    count_ax.xaxis.set_major_formatter(ConciseDateFormatter(count_ax.xaxis.get_major_locator()))
    count_ax.legend(title="quantile", fontsize="small")

    curves = study.average_cumulative_returns()
    for bucket in curves.index.get_level_values("quantile").unique():
        mean = curves.loc[(bucket, "mean")] * 1e4
        error = curves.loc[(bucket, "std")] / np.sqrt(curves.loc[(bucket, "dates")]) * 1e4
        days = mean.index.to_numpy()
        curve_ax.plot(days, mean.to_numpy(), label=f"quantile {bucket}")
        curve_ax.fill_between(
            days, (mean - error).to_numpy(), (mean + error).to_numpy(), alpha=0.2, linewidth=0
        )
    curve_ax.axvline(0, color="grey", linewidth=0.8)
    curve_ax.axhline(0, color="grey", linewidth=0.8)
    curve_ax.set_xlabel("trading days from the event")
    curve_ax.set_ylabel("cumulative return, bps")
    against = {"market": "the market", "events": "the day's events", None: "nothing (raw)"}
    curve_ax.set_title(f"Average cumulative return, relative to {against[study.relative_to]}")
    curve_ax.legend(fontsize="small")

    table = study.report.quantile_returns * 1e4
    errors = study.report.quantile_std_errors() * 1e4
    width = 0.8 / len(table.columns)
    for i, period in enumerate(table.columns):
        bars_ax.bar(
            table.index + (i - (len(table.columns) - 1) / 2) * width,
            table[period].to_numpy(),
            yerr=errors[period].to_numpy(),
            width=width,
            label=f"{period}d",
        )
    bars_ax.axhline(0, color="grey", linewidth=0.8)
    bars_ax.set_xticks(list(table.index))
    bars_ax.set_xlabel("quantile")
    bars_ax.set_ylabel("mean forward return, bps")
    bars_ax.set_title("Forward return by quantile (± 1 std error)")
    bars_ax.legend(fontsize="small")
    return fig


@shared_doc(**_DOCS)
def plot_factor_correlations(scores: Scores, ax: Axes | None = None) -> Figure:
    """Heatmap of the families' correlations across stocks, averaged over month ends.

    A Spearman correlation per month end, then the mean (see
    :meth:`~factorlab.factors.Scores.family_correlations`): how much the families overlap. Each
    cell is annotated; the colours run from -1 to 1, and the title gives the number of month
    ends. Drawn with seaborn.

    Without ``ax``, it draws on a new figure of its own, 8 by 4 inches.

    {scores_sections}
    """
    import seaborn as sns  # seaborn loads matplotlib's styles: only when drawn

    total = scores.family_correlations()
    count = total.attrs["month_ends"]
    fig, ax = _figure_and_axes(ax, height=4.0)
    sns.heatmap(
        total,
        vmin=-1,
        vmax=1,
        cmap="vlag",
        annot=True,
        fmt=".2f",
        square=True,
        cbar_kws={"shrink": 0.8},
        ax=ax,
    )
    ax.set_title(f"Family correlations across stocks (mean of {count} month ends)")
    return fig


@shared_doc(**_DOCS)
def plot_score_distributions(scores: Scores, ax: Axes | None = None) -> Figure:
    """Histograms of each family's score and the composite on the last date.

    One outline per family in its colour, the composite in black, over the tickers with a
    composite on that date (30 bins each).

    Without ``ax``, it draws on a new figure of its own, 8 by 4 inches.

    {scores_sections}
    """
    table = scores.latest()
    fig, ax = _figure_and_axes(ax, height=4.0)
    for name in [*scores.components, "composite"]:
        values = table[name].dropna().to_numpy()
        ax.hist(
            values,
            bins=30,
            histtype="step",
            linewidth=1.5,
            label=name,
            color="black" if name == "composite" else family_color(name),
        )
    ax.set_xlabel("score (family scores are z-scores; the composite is their weighted sum)")
    ax.set_ylabel("stocks")
    ax.set_title(f"Score distributions on {scores.composite.index[-1]:%Y-%m-%d}")
    ax.legend(fontsize="small")
    return fig


@shared_doc(**_DOCS)
def plot_sector_exposure(table: pd.DataFrame, meta: pd.DataFrame, ax: Axes | None = None) -> Figure:
    """Share of each sector in a screen against its share of the universe: where it leans.

    The screen is ``table``, with a ``sector`` column; the universe is ``meta``. A share is a
    fraction of the stocks; sectors are sorted by the universe's share, the largest at the top
    (see :func:`~factorlab.factors.sector_shares`).

    Without ``ax``, it draws on a new figure of its own, 8 inches wide and 0.35 inch a sector
    plus 1.5 inches high.

    Parameters
    ----------
    table : DataFrame
        The selection, one row per stock with a ``sector`` column (``fl.screen`` gives one).
    meta : DataFrame
        The universe, one row per stock with a ``sector`` column (``ds.meta``).
    {ax}

    Returns
    -------
    {figure}
    """
    shares = sector_shares(table, meta)
    fig, ax = _figure_and_axes(ax, height=0.35 * len(shares) + 1.5)
    rows = np.arange(len(shares))
    ax.barh(
        rows + 0.2, shares["selection"].to_numpy(), height=0.4, label="selection", color="#4c72b0"
    )
    ax.barh(rows - 0.2, shares["universe"].to_numpy(), height=0.4, label="universe", color="grey")
    ax.set_yticks(rows, shares.index.tolist())
    ax.set_xlabel("share of stocks")
    ax.set_title("Sector exposure: selection against universe")
    ax.legend(loc="lower right", fontsize="small")
    return fig


@shared_doc(**_DOCS)
def plot_seed_vs_zscore(table: pd.DataFrame, ax: Axes | None = None) -> Figure:
    """The seed's 1-10 bucket score against the cross-sectional z-score, one dot per stock.

    ``table`` is from :func:`factorlab.factors.seed_vs_zscore`; the title names its family
    and the two scores' rank correlation.

    Without ``ax``, it draws on a new figure of its own, 8 by 4.5 inches.

    Parameters
    ----------
    table : DataFrame
        One row per stock with ``z_score`` and ``bucket_score`` columns, and the family and
        the rank correlation in ``attrs["family"]`` and ``attrs["rank_correlation"]``, as
        ``seed_vs_zscore`` sets them.
    {ax}

    Returns
    -------
    {figure}
    """
    fig, ax = _figure_and_axes(ax, height=4.5)
    family = table.attrs.get("family", "family")
    ax.scatter(
        table["z_score"].to_numpy(),
        table["bucket_score"].to_numpy(),
        s=12,
        alpha=0.7,
        color=FAMILY_COLORS.get(family, "#4c72b0"),
    )
    ax.set_xlabel("z-score (cross-sectional)")
    ax.set_ylabel("bucket score (seed, 1-10)")
    correlation = table.attrs.get("rank_correlation", float("nan"))
    ax.set_title(f"{family}: two ways to score (rank correlation {correlation:.2f})")
    return fig


def plot_sweep(
    result: SweepResult, x: str | None = None, y: str | None = None, metric: str = "Sharpe ratio"
) -> Figure:
    """Two panels: the trials' Sharpe ratios against luck, and a heat map of two parameters.

    Left, a histogram of every trial's Sharpe ratio with the best marked and the best that as
    many unskilled trials would show by luck (:meth:`SweepResult.expected_best_sharpe`). Right,
    ``metric`` averaged over the other parameters for each pair of ``x`` and ``y``
    (:meth:`SweepResult.heatmap`); left out when fewer than two parameters vary.

    Parameters
    ----------
    result : SweepResult
        What :func:`factorlab.sweep` returns.
    x, y : str, optional
        The heat map's parameters (default: the two that vary most).
    metric : str
        The heat map's figure (default the Sharpe ratio).

    Returns
    -------
    matplotlib.figure.Figure
        A new Figure, 11 by 4.5 inches (5.5 without the heat map), made without pyplot.
    """
    sharpe = result.table["Sharpe ratio"].dropna()
    both = len(result.varying()) >= 2 or (x is not None and y is not None)
    fig = _new_figure(11 if both else 5.5, 4.5)
    axes = fig.subplots(1, 2 if both else 1, squeeze=False)[0]
    left = axes[0]
    left.hist(sharpe.to_numpy(), bins=min(40, max(5, len(sharpe) // 4)), color="#4c72b0")
    luck = result.expected_best_sharpe()
    left.axvline(luck, color="#c44e52", linestyle="--", label=f"best of {len(sharpe)} by luck")
    if len(sharpe):
        left.axvline(float(sharpe.max()), color="black", label="best trial")
    left.set_xlabel("Sharpe ratio (annualized)")
    left.set_ylabel("trials")
    left.set_title(f"{len(sharpe)} trials")
    left.legend(loc="upper left")
    if both:
        table = result.heatmap(x, y, metric)
        right = axes[1]
        image = right.imshow(table.to_numpy(dtype=float), aspect="auto", cmap="viridis")
        right.set_xticks(range(len(table.columns)), [str(c) for c in table.columns])
        right.set_yticks(range(len(table.index)), [str(i) for i in table.index])
        right.set_xlabel(str(table.columns.name))
        right.set_ylabel(str(table.index.name))
        right.set_title(f"{table.attrs['metric']}, averaged over the other parameters")
        fig.colorbar(image, ax=right)
    return fig


def _figure_and_axes(ax: Axes | None, height: float = 4.0) -> tuple[Figure, Axes]:
    """The figure holding ``ax`` and ``ax``, or a new 8-inch-wide figure and its one axes."""
    if ax is not None:
        return cast("Figure", ax.get_figure(root=True)), ax
    fig = _new_figure(8, height)
    return fig, fig.add_subplot()


def plot_factor_returns(model: RiskModel) -> Figure:
    """The cumulative returns of a risk model's factors: the styles, and the market beside them.

    Parameters
    ----------
    model : RiskModel
        What :func:`factorlab.risk_model` returns; the lines are
        :meth:`RiskModel.cumulative_returns`.

    Returns
    -------
    matplotlib.figure.Figure
        A new Figure, 11 by 4 inches, made without pyplot.
    """
    cumulative = model.cumulative_returns()
    fig = _new_figure(11, 4)
    styles, market = fig.subplots(1, 2, width_ratios=(2, 1))
    for name in model.styles:
        styles.plot(cumulative.index, cumulative[name], label=name)
    styles.axhline(0, color="grey", linewidth=0.8)
    styles.set_title("Style factor returns, cumulative")
    styles.legend(loc="upper left")
    market.plot(cumulative.index, cumulative["market"], color="black")
    market.set_title("Market factor, cumulative")
    for axes in (styles, market):
        axes.yaxis.set_major_formatter(_percent())
    return fig


def plot_attribution(attribution: Attribution) -> Figure:
    """A backtest's return by source, year by year: stacked bars and the year's total.

    Parameters
    ----------
    attribution : Attribution
        What ``model.attribute(result)`` returns; the bars are :meth:`Attribution.by_year`.

    Returns
    -------
    matplotlib.figure.Figure
        A new Figure, 11 by 4.5 inches, made without pyplot.
    """
    table = attribution.by_year()
    parts = table.drop(columns="total")
    fig = _new_figure(11, 4.5)
    axes = fig.subplots()
    x = np.arange(len(table))
    above, below = np.zeros(len(table)), np.zeros(len(table))
    for name in parts.columns:
        values = parts[name].to_numpy()
        base = np.where(values >= 0, above, below)
        axes.bar(x, values, bottom=base, label=name, width=0.7)
        above += np.clip(values, 0, None)
        below += np.clip(values, None, 0)
    axes.plot(x, table["total"], "o", color="black", label="total")
    axes.axhline(0, color="grey", linewidth=0.8)
    axes.set_xticks(x, [str(year) for year in table.index])
    axes.yaxis.set_major_formatter(_percent())
    axes.set_title("Where the return came from, by year (sums of daily parts)")
    axes.legend(loc="upper left", ncols=4, fontsize="small")
    return fig


def _plain_log_ticks(axis: Axis) -> None:
    """A log axis labelled 0.5, 1, 2, 5 (not 10⁰ and 4×10⁰)."""
    from matplotlib.ticker import (  # matplotlib loads when a figure is drawn
        FuncFormatter,
        LogLocator,
        NullFormatter,
    )

    axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    axis.set_minor_formatter(NullFormatter())


def _money() -> FuncFormatter:
    """Plain tick labels for amounts on a log axis: 1M, 100M, 10B (not 10⁶)."""
    from matplotlib.ticker import FuncFormatter  # matplotlib loads when a figure is drawn

    def label(value: float, _: object) -> str:
        for size, unit in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
            if abs(value) >= size:
                return f"{value / size:g}{unit}"
        return f"{value:g}"

    return FuncFormatter(label)


def _percent() -> PercentFormatter:
    """Tick labels in percent (0.05 reads 5%)."""
    from matplotlib.ticker import PercentFormatter  # matplotlib loads when a figure is drawn

    return PercentFormatter(1.0, decimals=0)


def _new_figure(width: float, height: float) -> Figure:
    """A figure of ``width`` by ``height`` inches with a constrained layout, without pyplot."""
    from matplotlib.figure import Figure  # matplotlib loads when a figure is drawn

    return Figure(figsize=(width, height), layout="constrained")
