"""The number guard: what counts as a number the model was given."""

from __future__ import annotations

import pytest

from factorlab.llm.guard import mark_unverified, numbers_of, unverified_numbers

FACTS = {"earnings_yield_pct": 6.87, "sharpe": 1.2874, "market_cap": 1234567.0,
         "cagr": 0.0563, "drawdown": -0.3703, "as_of": "2024-12-31"}  # fmt: skip


@pytest.mark.parametrize(
    "text",
    ["An earnings yield of 6.9%", "a yield near 7%", "Sharpe 1.29", "Sharpe of 1.3",
     "market cap of 1,234,567", "a market cap of 1.23 million", "CAGR of 5.63%",
     "CAGR of 0.056", "a drawdown of -37.0%", "it fell 37%", "as of 2024-12-31",
     "in 2024", "the top 3 names and 10 sectors"],
)  # fmt: skip
def test_numbers_from_the_input_pass_however_they_are_written(text):
    assert unverified_numbers(text, numbers_of(FACTS)) == []


@pytest.mark.parametrize(("text", "invented"), [
    ("A P/E of 45.3", ["45.3"]), ("Sharpe of 1.5", ["1.5"]), ("yield 8.1%", ["8.1%"]),
    ("revenue of $3.2bn", ["$3.2bn"]), ("in 2019 it rallied", ["2019"]),
])  # fmt: skip
def test_numbers_not_in_the_input_are_listed(text, invented):
    assert unverified_numbers(text, numbers_of(FACTS)) == invented


def test_marking_flags_each_unverified_number_once_even_at_a_sentence_end():
    text = "A P/E of 45.3. Not 45.35, but 45.3."
    assert mark_unverified(text, ["45.3"]) == (
        "A P/E of 45.3 [unverified]. Not 45.35, but 45.3 [unverified]."
    )
    assert mark_unverified(mark_unverified(text, ["45.3"]), ["45.3"]).count("[unverified]") == 2


def test_numbers_are_collected_from_nested_facts_and_dates():
    assert sorted(numbers_of({"a": [1.5, {"b": 2}], "day": "2024-03-31", "flag": True})) == [
        1.5, 2.0, 3.0, 31.0, 2024.0]  # fmt: skip
