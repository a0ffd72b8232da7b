"""Rule-based answers: documented thresholds, the same figures, always labelled by the caller."""

from __future__ import annotations

import pandas as pd
import pytest

import factorlab as fl
from factorlab.llm.facts import facts_for_report, facts_for_rows
from factorlab.llm.fallback import percentiles, rule_based_ratings, rule_based_report


def _table(ranks: list[int], universe: int | None) -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "composite": [1.0 - 0.1 * r for r in ranks],
            "rank": ranks,
            "value_score": 0.5,
            "growth_score": -0.25,
        },
        index=[f"T{r}" for r in ranks],
    )
    if universe:
        table.attrs["universe"] = universe
    return table


def test_ratings_follow_the_percentile_in_the_universe():
    table = _table([1, 30, 31, 70, 71, 100], universe=100)
    ratings = {r["ticker"]: r["rating"] for r in rule_based_ratings(table)}
    # percentiles: 1.0, 0.707, 0.697, 0.303, 0.293, 0.0
    assert ratings == {
        "T1": "BUY",
        "T30": "BUY",
        "T31": "HOLD",
        "T70": "HOLD",
        "T71": "SELL",
        "T100": "SELL",
    }


def test_without_a_universe_the_rank_within_the_table_is_used():
    assert percentiles(_table([1, 2, 3], universe=None)).tolist() == [1.0, 0.5, 0.0]


def test_a_rule_based_rationale_cites_only_the_tables_figures():
    from factorlab.llm.guard import Allowed, numbers_of, unverified_numbers

    table = _table([1, 50], universe=100)
    for rating in rule_based_ratings(table):
        text = f"{rating['rationale']} {rating['risks']}"
        percentile = 100 * (1 - (int(rating["ticker"][1:]) - 1) / 99)  # computed, not shown
        allowed = [*numbers_of(facts_for_rows(table)), Allowed(percentile, "percent")]
        assert unverified_numbers(text, allowed) == []


def test_a_table_without_a_composite_is_named():
    with pytest.raises(fl.ConfigError, match="needs a 'composite' column"):
        rule_based_ratings(pd.DataFrame({"x": [1.0]}, index=["A"]))


def test_rule_based_reports_summarize_each_kind(small_sample):
    scores = fl.score(small_sample)
    result = fl.backtest(scores.composite, small_sample)
    for obj, kind in (
        (result, "backtest"),
        (fl.evaluate(scores.composite, small_sample), "factor"),
        (scores, "scores"),
        (fl.screen(small_sample, top=5), "screen"),
    ):
        fields = rule_based_report(facts_for_report(obj, kind), kind)
        assert fields["summary"] and fields["suggested_checks"]
        text = " ".join([fields["summary"], *fields["strengths"], *fields["concerns"]])
        assert "None" not in text and "nan" not in text


def test_report_facts_name_their_units(small_sample):
    result = fl.backtest(fl.score(small_sample).composite, small_sample)
    facts = facts_for_report(result, "backtest")
    cagr = result.stats().loc["CAGR"].iloc[0]
    assert facts["strategy"]["CAGR_pct"] == pytest.approx(cagr * 100, rel=1e-2)
    assert "Sharpe ratio" in facts["strategy"] and facts["settings"]["cost_bps"] == 10


def test_the_worst_of_a_universe_are_sells_even_in_a_short_table(small_sample):
    latest = fl.score(small_sample).latest()
    worst = latest.tail(5)
    assert {r["rating"] for r in rule_based_ratings(worst)} == {"SELL"}


def test_a_lone_row_is_a_hold_and_a_missing_composite_says_so():
    lone = pd.DataFrame({"composite": [-2.5]}, index=["A"])
    assert rule_based_ratings(lone)[0]["rating"] == "HOLD"
    missing = pd.DataFrame({"composite": [1.0, float("nan")], "rank": [1, 2]}, index=["A", "B"])
    missing.attrs["universe"] = 2
    rating = rule_based_ratings(missing)[1]
    assert rating["rating"] == "HOLD" and "No composite score" in rating["rationale"]


def test_a_rationale_keeps_two_sentences_across_abbreviations():
    from factorlab.llm.schemas import RatingReply

    reply = RatingReply(
        ticker="A",
        rating="buy",
        confidence=0.5,
        risks="r",
        rationale="Cheap vs. the U.S. market. Strong growth. Third one.",
    )
    assert reply.rationale == "Cheap vs. the U.S. market. Strong growth."
    assert reply.rating == "BUY"
