"""The number guard: what counts as a number the model was given."""

from __future__ import annotations

import pytest

from factorlab.llm.guard import Allowed, mark_unverified, numbers_of, unverified_numbers

FACTS = {
    "earnings_yield_pct": 6.87,
    "sharpe": 1.2874,
    "market_cap": 1234567.0,
    "cagr": 0.0563,
    "drawdown": -0.3703,
    "as_of": "2024-12-31",
    "composite_z": 1.33,
    "return_12m_pct": 129.0,
    "rsi_14": 61.2,
    "t_stat": 2.1234,
}


@pytest.mark.parametrize(
    "text",
    [
        "An earnings yield of 6.9%",
        "a yield near 7%",
        "Sharpe 1.29",
        "Sharpe of 1.3",
        "market cap of 1,234,567",
        "a market cap of 1.23 million",
        "CAGR of 5.63%",
        "CAGR of 0.056",
        "a drawdown of -37.0%",
        "it fell 37%",
        "as of 2024-12-31",
        "the top 3 names and 10 sectors",
        "the 12-month return of 129%",
        "a 14-day RSI of 61",
        "a 2.12 t-stat",
        "beat the S&P 500",
        "its 52-week high",
        "a 60 day window",
    ],
)
def test_numbers_from_the_input_pass_however_they_are_written(text):
    assert unverified_numbers(text, numbers_of(FACTS)) == []


@pytest.mark.parametrize(
    ("text", "invented"),
    [
        ("A P/E of 45.3", ["45.3"]),
        ("Sharpe of 1.5", ["1.5"]),
        ("yield 8.1%", ["8.1%"]),
        ("revenue of $3.2bn", ["$3.2bn"]),
        ("in 2019 it rallied", ["2019"]),
        ("a P/E of 133", ["133"]),  # 1.33 × 100, but not written as a percent
        ("a composite of -1.33 sd", ["-1.33"]),  # the sign is wrong
        ("an earnings yield of 9%", ["9%"]),
        ("a drawdown of -8%", ["-8%"]),  # not counts
        ("ranked 25th", ["25th"]),
    ],
)
def test_numbers_not_in_the_input_are_listed(text, invented):
    assert unverified_numbers(text, numbers_of(FACTS)) == invented


def test_marking_flags_each_unverified_number_once_even_at_a_sentence_end():
    text = "A P/E of 45.3. Not 45.35, but 45.3."
    assert mark_unverified(text, ["45.3"]) == (
        "A P/E of 45.3 [unverified]. Not 45.35, but 45.3 [unverified]."
    )
    assert mark_unverified(mark_unverified(text, ["45.3"]), ["45.3"]).count("[unverified]") == 2


def test_numbers_are_collected_from_nested_facts_dates_and_keys():
    found = numbers_of(
        {"a": [1.5, {"b_pct": 2}], "day": "2024-03-31", "rsi_14": 50.0, "flag": True}
    )
    assert sorted(found, key=lambda a: (a.kind, a.value)) == [
        Allowed(3.0, "exact"),
        Allowed(14.0, "exact"),
        Allowed(31.0, "exact"),
        Allowed(2024.0, "exact"),
        Allowed(1.5, "fraction"),
        Allowed(50.0, "fraction"),
        Allowed(2.0, "percent"),
    ]
