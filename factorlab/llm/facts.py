"""What the model is shown: only figures factorlab computed, rounded sensibly, named with units.

Each figure is named with its unit (``_pct`` percent, ``_z`` standard deviations, ``_x`` a
ratio). Never an empty table: a model prompted with nothing invents something.
"""

from __future__ import annotations

import math
from typing import Any, cast

import numpy as np
import pandas as pd

from factorlab.backtest.factor_report import FactorReport
from factorlab.backtest.result import FIGURE_UNITS, BacktestResult, periods_per_year
from factorlab.errors import ConfigError
from factorlab.factors.composite import Scores
from factorlab.factors.registry import FAMILIES, unit_of

__all__ = ["facts_for_rows", "facts_for_report", "report_kind"]

SCREEN_ROWS_SHOWN = 15  # a longer table would crowd the model's context


def _number(value: object, digits: int = 3) -> float | int | None:
    """``value`` to ``digits`` significant figures (None when missing)."""
    if value is None or isinstance(value, bool):
        return None
    number = float(value)  # type: ignore[arg-type]
    if not math.isfinite(number):
        return None
    if number == 0:
        return 0.0
    return float(round(number, digits - 1 - int(math.floor(math.log10(abs(number))))))


def _named(column: str, value: object) -> tuple[str, float | int | None]:
    """The fact's name with its unit, and the value in that unit."""
    if column == "rank":
        return "rank", None if pd.isna(value) else int(cast(float, value))
    if column == "composite" or column.endswith("_score") or column in FAMILIES:
        return column.replace("_score", "") + "_z", _number(value, 3)
    unit = unit_of(column) or FIGURE_UNITS.get(column)  # a metric's, or a backtest figure's
    if unit == "percent":
        number = _number(value, 6)
        return f"{column}_pct", None if number is None else _number(number * 100, 3)
    if unit == "ratio":
        return f"{column}_x", _number(value, 3)
    return column, _number(value, 4)


def facts_for_rows(table: pd.DataFrame) -> list[dict[str, Any]]:
    """One dict per ticker (the table's index) of its named, rounded figures."""
    if not isinstance(table, pd.DataFrame) or table.empty:
        raise ConfigError(
            "The table to rate is empty; rate a non-empty screen, e.g. fl.screen(ds, top=10)."
        )
    rows = []
    for ticker, row in table.iterrows():  # a few dozen rows: this is prompt text, not a hot path
        facts: dict[str, Any] = {"ticker": str(ticker)}
        for column, value in row.items():
            if isinstance(value, str):
                facts[str(column)] = value
            elif isinstance(value, int | float | np.integer | np.floating):
                name, number = _named(str(column), value)
                if number is not None:
                    facts[name] = number
        rows.append(facts)
    return rows


def report_kind(obj: object, kind: str | None = None) -> str:
    """``"screen"``, ``"scores"``, ``"backtest"`` or ``"factor"`` for ``obj``."""
    found = (
        "backtest"
        if isinstance(obj, BacktestResult)
        else "factor"
        if isinstance(obj, FactorReport)
        else "scores"
        if isinstance(obj, Scores)
        else "screen"
        if isinstance(obj, pd.DataFrame)
        else None
    )
    if kind == "alerts" and isinstance(obj, pd.DataFrame):  # a table of fl.monitor's alerts
        if not {"kind", "message", "ticker"} <= set(obj.columns):
            raise ConfigError("kind='alerts' takes the table fl.monitor returns.")
        return "alerts"
    if found is None:
        raise ConfigError(
            f"report() takes a screen table, a Scores, a BacktestResult or a FactorReport, got "
            f"{type(obj).__name__}."
        )
    if kind is not None and kind != found:
        raise ConfigError(f"kind={kind!r} does not match the object, which is a {found}.")
    return found


def facts_for_report(obj: object, kind: str) -> dict[str, Any]:
    """The figures a report on ``obj`` may cite."""
    return {
        "screen": _screen,
        "scores": _scores,
        "backtest": _backtest,
        "factor": _factor,
        "alerts": _alerts,
    }[kind](obj)


def _screen(table: pd.DataFrame) -> dict[str, Any]:
    facts: dict[str, Any] = {"what": "a stock screen: one row per ticker, best composite first"}
    if "as_of" in table.attrs:
        facts["as_of"] = f"{pd.Timestamp(table.attrs['as_of']):%Y-%m-%d}"
    if "weights" in table.attrs:
        facts["family_weights"] = {k: _number(v) for k, v in table.attrs["weights"].items()}
    shown = table.head(SCREEN_ROWS_SHOWN)
    facts["tickers_in_table"] = len(table)
    facts["tickers_shown"] = len(shown)
    if "sector" in table:
        facts["sectors"] = {str(k): int(v) for k, v in table["sector"].value_counts().items()}
    facts["rows"] = facts_for_rows(shown)
    return facts


def _scores(scores: Any) -> dict[str, Any]:
    latest = scores.latest().dropna(subset=["composite"])
    # every component is a z-score, a custom factor's too: name them as the screen does
    z_scores = latest.rename(columns={name: f"{name}_score" for name in scores.components})
    if latest.empty:
        raise ConfigError("These scores have no composite on their latest date; nothing to report.")
    return {
        "what": "factor scores of a universe on its latest date (cross-sectional z-scores)",
        "as_of": f"{scores.composite.index[-1]:%Y-%m-%d}",
        "family_weights": {k: _number(v) for k, v in scores.weights.items()},
        "method": scores.method,
        "tickers_scored": len(latest),
        "family_correlations": {
            f"{a}~{b}": _number(latest[a].corr(latest[b]))
            for i, a in enumerate(scores.weights)
            for b in list(scores.weights)[i + 1 :]
            if a in latest and b in latest
        },
        "top_5": facts_for_rows(z_scores.head(5)),
        "bottom_5": facts_for_rows(z_scores.tail(5)),
    }


def _backtest(result: Any) -> dict[str, Any]:
    stats = result.stats()
    columns = list(stats.columns)
    figures = {}
    for label, column in zip(("strategy", "benchmark"), columns, strict=False):
        figures[label] = {
            _named(str(name), value)[0]: _named(str(name), value)[1]
            for name, value in stats[column].items()
            if _named(str(name), value)[1] is not None
        }
    returns = result.returns
    return {
        "what": "a backtest of a factor portfolio, net of costs, against a benchmark",
        "period": f"{returns.index[0]:%Y-%m-%d} to {returns.index[-1]:%Y-%m-%d}",
        "years": _number(len(returns) / periods_per_year(returns.index), 3),
        "settings": {
            k: (v if isinstance(v, str | bool) or v is None else _number(v))
            for k, v in result.settings.items()
        },
        "benchmark_name": columns[1] if len(columns) > 1 else None,
        **figures,
    }


def _factor(report: Any) -> dict[str, Any]:
    summary = report.ic_summary()
    spread = report.spread
    per_period = {}
    for period in summary.index:
        row = summary.loc[period]
        per_period[f"{int(period)}d"] = {
            "ic_mean": _number(row["IC mean"]),
            "ic_ir": _number(row["IR"]),
            "t_stat_non_overlapping": _number(row["t-stat (non-overlapping)"]),
            "p_value_non_overlapping": _number(row["p-value (non-overlapping)"]),
            "share_positive_pct": _number(row["% positive"] * 100),
            "top_minus_bottom_pct": _number(spread.loc[period, "mean"] * 100),
            "top_minus_bottom_std_error_pct": _number(spread.loc[period, "std error"] * 100),
            "quantile_mean_return_pct": {
                str(int(q)): _number(v * 100) for q, v in report.quantile_returns[period].items()
            },
        }
    return {
        "what": "a factor's information coefficient and quantile returns over forward horizons",
        "period": f"{report.ic.index[0]:%Y-%m-%d} to {report.ic.index[-1]:%Y-%m-%d}",
        "quantiles": report.quantiles,
        "horizons": per_period,
    }


def _alerts(table: pd.DataFrame) -> dict[str, Any]:
    shown = table.head(20)
    return {
        "what": "alerts from a factor monitor: what changed in scores, ranks and prices",
        "alerts_in_all": len(table),
        "by_kind": {str(k): int(v) for k, v in table["kind"].value_counts().items()},
        "alerts": [
            {"ticker": str(r["ticker"]), "kind": str(r["kind"]), "message": str(r["message"])}
            for r in shown.to_dict("records")
        ],
    }
