"""Self-contained HTML pages of results: tables and figures in one file that fetches nothing.

A page is one HTML file with its style sheet inline and every figure a PNG inside the file
(a ``data:`` address), so it opens offline, attaches to an e-mail and shows the same numbers
as the result it was made from. Tables keep the raw numbers in each cell's ``data-value`` and
show them rounded.
"""

from __future__ import annotations

import base64
import html
import io
import os
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from factorlab._files import write_atomic
from factorlab._version import __version__
from factorlab.backtest import metrics
from factorlab.backtest.result import FIGURE_UNITS, periods_per_year
from factorlab.data.dataset import fingerprint_of
from factorlab.plots import plot_factor_weighted_returns, plot_trading, plot_turnover

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from factorlab.backtest.factor_report import FactorReport
    from factorlab.backtest.result import BacktestResult
    from factorlab.data import Dataset

__all__ = [
    "backtest_page",
    "factor_report_page",
    "figure_tag",
    "page",
    "stats_formats",
    "table_tag",
    "write_page",
]

Format = Callable[[float], str]

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto;
       max-width: 1150px; color: #222; line-height: 1.4; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ddd; }
p.lead { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 0.6em 0 1.2em; font-size: 0.9em; }
th, td { padding: 0.25em 0.7em; border-bottom: 1px solid #eee; }
td { text-align: right; font-variant-numeric: tabular-nums; }
th { text-align: left; background: #f6f6f6; }
caption { text-align: left; font-weight: 600; padding-bottom: 0.3em; white-space: nowrap; }
div.row { display: flex; flex-wrap: wrap; gap: 0 2.5em; align-items: flex-start; }
figure { margin: 1em 0; }
figure img { max-width: 100%; height: auto; }
figcaption { color: #555; font-size: 0.9em; }
dl.settings { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1.2em; }
dl.settings dt { font-weight: 600; }
dl.settings dd { margin: 0; }
"""


def percent(digits: int = 1) -> Format:
    """Shares as percents: ``0.0312`` reads ``3.1%``."""
    return lambda x: f"{x:.{digits}%}"


def bps(x: float) -> str:
    """Returns in basis points: ``0.0012`` reads ``12.0``."""
    return f"{x * 1e4:.1f}"


def fixed(digits: int) -> Format:
    """A fixed number of decimals."""
    return lambda x: f"{x:.{digits}f}"


def whole(x: float) -> str:
    """A count, with thousands separated."""
    return f"{x:,.0f}"


_FOUR_DECIMALS = fixed(4)


def figure_tag(fig: Figure, alt: str, caption: str = "", dpi: int = 96) -> str:
    """A figure as an ``<img>`` holding its PNG, inside a ``<figure>`` with a caption."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    text = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return (
        f'<figure><img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">{text}</figure>'
    )


def table_tag(
    frame: pd.DataFrame,
    caption: str,
    formats: Mapping[Any, Format] | None = None,
    default: Format | None = None,
    by_row: bool = False,
) -> str:
    """A table of ``frame``: a format per column (``default``, four decimals, for the rest).

    With ``by_row``, ``formats`` is keyed by row instead. NaN shows as a dash.

    Each number's cell keeps its raw value in ``data-value``, so what a reader sees rounded can
    be checked exactly.
    """
    formats = formats or {}
    default = default or _FOUR_DECIMALS
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    index_name = " / ".join(str(n) for n in frame.index.names if n is not None)
    rows = []
    for label, row in frame.iterrows():  # a table's rows: a handful
        name = " / ".join(map(str, label)) if isinstance(label, tuple) else str(label)
        cells = [f"<th>{html.escape(name)}</th>"]
        for column, value in row.items():
            form = formats.get(label if by_row else column, default)
            cells.append(_cell(value, form))
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f"<table><caption>{html.escape(caption)}</caption>"
        f"<thead><tr><th>{html.escape(index_name)}</th>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _cell(value: object, form: Format) -> str:
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        number = float(value)
        if np.isnan(number):
            return '<td data-value="NaN">–</td>'
        return f'<td data-value="{number!r}">{html.escape(form(number))}</td>'
    return f"<td>{html.escape(str(value))}</td>"


def row(*parts: str) -> str:
    """Parts side by side, wrapping when the page is narrow."""
    return f"<div class='row'>{''.join(parts)}</div>"


def page(title: str, lead: str, sections: list[tuple[str, list[str]]]) -> str:
    """A whole page: a title, a lead line and sections of ready HTML parts."""
    body = "".join(
        f"<section><h2>{html.escape(heading)}</h2>{''.join(parts)}</section>"
        for heading, parts in sections
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><h1>{html.escape(title)}</h1><p class='lead'>{html.escape(lead)}</p>"
        f"{body}</body></html>\n"
    )


def settings_tag(settings: Mapping[str, object]) -> str:
    """How a result was made, as a list of names and values."""
    items = "".join(
        f"<dt>{html.escape(str(k))}</dt><dd>{html.escape(_text(v))}</dd>"
        for k, v in settings.items()
    )
    return f"<dl class='settings'>{items}</dl>"


def _text(value: object) -> str:
    if value is None:
        return "none"
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    return str(value)


def write_page(path: str | os.PathLike[str], text: str) -> Path:
    """Write a page atomically (a reader never sees half a file); its path."""
    target = Path(path)
    write_atomic(target, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return target


def factor_report_page(report: FactorReport, title: str = "Factor report") -> str:
    """The whole of alphalens' tear sheet as one page: every table and figure of a factor's evaluation.

    Sections: information coefficient (summary, by group), returns by quantile (raw, demeaned,
    standard errors, spread, statistics of the values, by group), the factor-weighted book
    (alpha and beta, cumulative return), turnover (table and figure), what could not be
    evaluated, and the settings with fingerprints of the factor and prices.
    """
    periods = list(report.ic.columns)
    known = report.factor.index[report.factor.notna().any(axis=1).to_numpy()]
    span = f"{known[0]:%Y-%m-%d} to {known[-1]:%Y-%m-%d}" if len(known) else "no values"
    lead = (
        f"{report.quantiles} buckets; periods {', '.join(f'{h}d' for h in periods)}; "
        f"{span}; {int(report.factor.notna().to_numpy().sum()):,} factor values."
    )
    by_period: dict[object, Format] = {f"{h}d": bps for h in periods}
    ic_formats: dict[object, Format] = {
        "IC mean": fixed(4),
        "IC std": fixed(4),
        "IR": fixed(3),
        "% positive": percent(1),
        "dates": whole,
        "t-stat (overlapping)": fixed(2),
        "p-value (overlapping)": fixed(4),
        "dates (non-overlapping)": whole,
        "t-stat (non-overlapping)": fixed(2),
        "p-value (non-overlapping)": fixed(4),
    }
    ic_parts = [
        table_tag(report.ic_summary(), "IC summary, per period", ic_formats),
        figure_tag(
            report.plot(),
            "Factor tear sheet",
            "IC over time, its distribution, "
            "returns by quantile, the cumulative spread and IC decay.",
        ),
    ]
    returns_parts = [
        row(
            table_tag(_titled(report.quantile_returns), "Mean forward return, bps", by_period),
            table_tag(
                _titled(report.quantile_returns_demeaned),
                "Less each date's mean, bps",
                by_period,
            ),
            table_tag(_titled(report.quantile_std_errors()), "Standard error, bps", by_period),
        ),
        row(
            table_tag(
                report.spread, "Top minus bottom quantile, bps", {"mean": bps, "std error": bps}
            ),
            table_tag(
                report.quantile_statistics(),
                "Factor values in each quantile",
                {"count": whole, "count %": fixed(1)},
            ),
        ),
    ]
    if report.groups is not None:
        ic_parts.insert(1, table_tag(_titled(report.mean_ic_by_group()), "Mean IC by group", {}))
    by_group = report.quantile_returns_by_group
    if by_group is not None:
        returns_parts.append(
            row(
                *(
                    table_tag(
                        by_group[h].unstack("quantile"),
                        f"By group and quantile, {h}d, bps",
                        default=bps,
                    )
                    for h in periods
                )
            )
        )
    book_parts = [
        table_tag(
            _titled(report.alpha_beta()),
            "Alpha (annualized) and beta against the evaluated universe's mean return",
            {},
        ),
        figure_tag(
            plot_factor_weighted_returns(report),
            "Factor-weighted book, cumulative return",
            "Weights: the factor less its daily mean, scaled to a gross of 1.",
        ),
    ]
    turnover = report.turnover.copy()
    turnover.columns = turnover.columns.map(str)
    turnover_parts = [
        table_tag(
            turnover,
            "Mean turnover by quantile, and mean rank autocorrelation",
            {c: percent(1) for c in turnover.columns if c != "rank autocorrelation"},
        ),
        figure_tag(plot_turnover(report), "Turnover and rank autocorrelation"),
    ]
    settings = dict(report.settings)
    settings["evaluated factor fingerprint"] = fingerprint_of(report.factor)
    settings["prices fingerprint"] = fingerprint_of(report.prices)
    settings["factorlab"] = __version__
    settings["made"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    sections = [
        ("Information coefficient", ic_parts),
        ("Returns by quantile", returns_parts),
        ("Factor-weighted long/short book", book_parts),
        ("Turnover", turnover_parts),
        (
            "What could not be evaluated",
            [
                table_tag(
                    report.loss,
                    "Factor values lost, by cause",
                    {"rows": whole, "share": percent(1)},
                )
            ],
        ),
        ("Settings", [settings_tag(settings)]),
    ]
    return page(title, lead, sections)


def _titled(frame: pd.DataFrame) -> pd.DataFrame:
    """Period columns as ``"5d"`` headers."""
    out = frame.copy()
    out.columns = [f"{c}d" if isinstance(c, int | np.integer) else str(c) for c in out.columns]
    return out


def stats_formats() -> dict[str, Format]:
    """How each row of ``stats()`` reads: percents as percents, ratios and numbers to 2 places."""
    ratio = fixed(2)
    return {
        figure: {"percent": percent(2), "ratio": lambda x: f"{x:.2f}x"}.get(unit, ratio)
        for figure, unit in FIGURE_UNITS.items()
    }


def backtest_page(
    result: BacktestResult,
    title: str = "Backtest report",
    *,
    ds: Dataset | None = None,
    risk_model: Any = None,
    n_trials: int = 1,
    sharpe_variance: float = 0.0,
) -> str:
    """A backtest as one page: figures, the stats, monthly returns, costs, significance.

    Sections: the equity curve against the benchmark with drawdowns and the rolling Sharpe
    ratio; the stats table (the numbers of :meth:`BacktestResult.stats`, each rounded only for
    the eye); returns by month and year; turnover and costs; the probabilistic and deflated
    Sharpe ratios (``n_trials`` configurations tried, their annual Sharpe ratios of variance
    ``sharpe_variance``); with ``risk_model``, where the return came from; and the settings with
    fingerprints of the result and, with ``ds``, of the dataset.
    """
    returns = result.returns
    lead = (
        f"{result.rule}; {returns.index[0]:%Y-%m-%d} to {returns.index[-1]:%Y-%m-%d}, "
        f"{len(returns):,} trading days."
    )
    stats = result.stats()
    benchmark_note = ""
    if result.benchmark is not None:
        missing = int(result.benchmark.iloc[1:].isna().sum())
        benchmark_note = (
            f"The benchmark is compared on the same days; {missing} day(s) without a benchmark "
            "level are left out of the comparison, not filled (the move across a gap counts on "
            "the day the level is known again)."
        )
    performance = [
        figure_tag(
            result.plot(),
            "Equity curve, drawdown and rolling Sharpe ratio",
            "Growth of 1 net of costs against the benchmark (log scale), the fall from the "
            "highest wealth so far, and the Sharpe ratio over the last six months.",
        ),
        table_tag(stats, "Performance, net of costs", stats_formats(), by_row=True),
    ]
    if benchmark_note:
        performance.append(f"<p>{html.escape(benchmark_note)}</p>")
    monthly = result.monthly_table()
    months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
    monthly.columns = [months[c - 1] if isinstance(c, int) else str(c) for c in monthly.columns]
    per_year = periods_per_year(returns.index)
    sharpe = float(metrics.sharpe_ratio(returns, periods_per_year=per_year))
    significance = pd.DataFrame(
        {
            "value": [
                sharpe,
                float(metrics.probabilistic_sharpe_ratio(returns, periods_per_year=per_year)),
                float(metrics.deflated_sharpe_ratio(returns, n_trials, sharpe_variance, per_year)),
                float(n_trials),
            ]
        },
        index=[
            "Sharpe ratio",
            "probabilistic Sharpe ratio (true Sharpe > 0)",
            "deflated Sharpe ratio",
            "configurations tried",
        ],
    )
    significance_formats: dict[str, Format] = {"value": fixed(3)}
    sections = [
        ("Performance", performance),
        (
            "Returns by month",
            [table_tag(monthly, "Compounded net return by month and year", default=percent(1))],
        ),
        (
            "Trading and costs",
            [
                figure_tag(plot_trading(result), "Turnover and costs"),
            ],
        ),
        (
            "Is it luck?",
            [
                table_tag(significance, "Significance of the Sharpe ratio", significance_formats),
                "<p>The deflated Sharpe ratio is the probability that the true Sharpe ratio "
                "beats the best one expected by luck from the configurations tried (Bailey and "
                "López de Prado, 2014); with one configuration it is the probabilistic Sharpe "
                "ratio.</p>",
            ],
        ),
    ]
    if risk_model is not None:
        attribution = risk_model.attribute(result)
        summary = attribution.summary()
        sections.append(
            (
                "Where the return came from",
                [
                    table_tag(
                        summary,
                        "Annual contribution and shares of return and risk",
                        {
                            "contribution_ann": percent(2),
                            "share_of_return": percent(1),
                            "share_of_risk": percent(1),
                        },
                    ),
                    figure_tag(attribution.plot(), "Attribution by year"),
                ],
            )
        )
    settings = dict(result.settings)
    settings["result fingerprint"] = fingerprint_of(result.returns, result.weights)
    if ds is not None:
        settings["dataset fingerprint"] = ds.fingerprint()
    settings["factorlab"] = __version__
    settings["made"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    sections.append(("Settings", [settings_tag(settings)]))
    return page(title, lead, sections)
