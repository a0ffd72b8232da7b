"""Rule-based answers for when no model answers, always labelled as such.

They have the same shapes as the model's, and are built from the same figures.

Ratings follow the composite score's percentile in the universe (the screen's ``rank`` out of
``attrs["universe"]`` when the table has them, else the rank within the table): the top 30 % is
BUY, the bottom 30 % SELL, the rest HOLD.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from factorlab.errors import ConfigError

__all__ = ["BUY_ABOVE", "SELL_BELOW", "rule_based_ratings", "rule_based_report"]

BUY_ABOVE = 0.70  # percentile of the composite at or above which a stock is a BUY
SELL_BELOW = 0.30  # ... and at or below which it is a SELL


def percentiles(table: pd.DataFrame) -> pd.Series:
    """Each row's composite percentile, 1 = best in the universe."""
    universe = table.attrs.get("universe")
    if "rank" in table and universe and int(universe) > 1:
        return 1 - (table["rank"].astype(float) - 1) / (int(universe) - 1)
    if "composite" not in table:
        raise ConfigError(
            "A rule-based rating needs a 'composite' column (fl.screen gives one); this table "
            f"has {', '.join(map(str, table.columns[:8]))}."
        )
    n = int(table["composite"].notna().sum())
    if n < 2:  # one stock alone has no rank to speak of
        return pd.Series(0.5, index=table.index)
    return (table["composite"].rank(method="average") - 1) / (n - 1)


def rule_based_ratings(table: pd.DataFrame) -> list[dict[str, Any]]:
    """One rating per row of ``table`` from its composite percentile."""
    pct = percentiles(table)
    out = []
    for ticker, row in table.iterrows():  # a screen's rows: prompt-sized, not a hot path
        p = float(pct.loc[ticker]) if pd.notna(pct.loc[ticker]) else 0.5
        rating = "BUY" if p >= BUY_ABOVE else "SELL" if p <= SELL_BELOW else "HOLD"
        families = {
            c.removesuffix("_score"): row[c]
            for c in row.index
            if str(c).endswith("_score") and pd.notna(row[c])  # every family's, custom ones too
        }
        strongest = max(families, key=lambda name: families[name]) if families else None
        weakest = min(families, key=lambda name: families[name]) if families else None
        composite = row.get("composite", np.nan)
        rationale = (
            f"Composite score {composite:+.2f} sd puts it at the {p:.0%} percentile."
            if pd.notna(composite)
            else "No composite score: rated HOLD."
        )
        if pd.isna(composite):
            rating, p = "HOLD", 0.5
        if strongest is not None:
            rationale += f" Strongest family: {strongest} ({families[strongest]:+.2f} sd)."
        risks = (
            f"Weakest family: {weakest} ({families[weakest]:+.2f} sd)."
            if weakest
            else "No family scores to judge the risks by."
        )
        out.append(
            {
                "ticker": str(ticker),
                "rating": rating,
                "confidence": round(min(1.0, abs(p - 0.5) * 2), 2),
                "rationale": rationale,
                "risks": risks,
            }
        )
    return out


def rule_based_report(facts: dict[str, Any], kind: str) -> dict[str, Any]:
    """A templated report from the same figures the model would have seen."""
    if kind == "backtest":
        s, b = facts.get("strategy", {}), facts.get("benchmark", {})
        summary = (
            f"Over {facts['period']} the strategy returned {s.get('CAGR_pct')}% a year with a "
            f"Sharpe ratio of {s.get('Sharpe ratio')} and a worst drawdown of "
            f"{s.get('max drawdown_pct')}%, against {b.get('CAGR_pct')}% and "
            f"{b.get('Sharpe ratio')} for the benchmark."
        )
        better = (s.get("Sharpe ratio") or 0) > (b.get("Sharpe ratio") or 0)
        strengths = ["Higher Sharpe ratio than the benchmark."] if better else []
        concerns = [] if better else ["No better risk-adjusted return than the benchmark."]
        concerns.append(
            f"Costs take {s.get('costs per year_pct')}% a year at "
            f"{s.get('turnover per year_x')} times its value traded a year."
        )
        checks = [
            "Vary the cost assumption and the rebalance frequency.",
            "Check the deflated Sharpe ratio given how many variants were tried.",
        ]
    elif kind == "factor":
        horizons = facts.get("horizons", {})
        longest = list(horizons)[-1] if horizons else None
        h = horizons.get(longest, {})
        summary = (
            f"At {longest} the mean rank IC is {h.get('ic_mean')} (non-overlapping t-stat "
            f"{h.get('t_stat_non_overlapping')}), and top minus bottom quantile earns "
            f"{h.get('top_minus_bottom_pct')}% per period."
        )
        t = h.get("t_stat_non_overlapping") or 0
        strengths = ["The IC is statistically distinguishable from zero."] if abs(t) > 2 else []
        concerns = [] if abs(t) > 2 else ["The IC is not significant at the 5% level."]
        checks = ["Look at the IC by year and by sector.", "Check turnover and costs."]
    elif kind == "alerts":
        counts = facts.get("by_kind", {})
        summary = (
            f"{facts.get('alerts_in_all')} alerts: "
            + ", ".join(f"{n} {k}" for k, n in counts.items())
            + "."
        )
        strengths, concerns = [], ["Alerts report changes; whether they matter needs a look."]
        checks = ["Open the screen for the tickers that entered or left the top."]
    elif kind == "scores":
        top = facts.get("top_5", [{}])[0]
        summary = (
            f"{facts.get('tickers_scored')} tickers scored on {facts.get('as_of')}; the "
            f"best composite is {top.get('ticker')} at {top.get('composite_z')} sd."
        )
        strengths, concerns = [], ["Scores describe the cross-section, not expected returns."]
        checks = ["Backtest the composite before trusting it."]
    else:
        rows = facts.get("rows", [{}])
        summary = (
            f"The screen shows {facts.get('tickers_shown')} tickers; the best composite is "
            f"{rows[0].get('ticker')} at {rows[0].get('composite_z')} sd."
        )
        strengths, concerns = [], ["A screen ranks today's figures; it is not a backtest."]
        checks = ["Backtest the composite.", "Check sector concentration."]
    return {
        "summary": summary,
        "strengths": strengths,
        "concerns": concerns,
        "suggested_checks": checks,
    }
