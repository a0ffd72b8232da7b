"""Yahoo statements as point-in-time fundamentals: the mapping, the dates, splits, no back-fill."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from factorlab.data.yahoo.statements import (
    YAHOO_ROWS,
    adjust_for_splits,
    fundamentals_from_statements,
    mapping_table,
)


def _statement(rows: dict[str, list[float]], ends: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, index=pd.to_datetime(ends)).T


def test_every_column_maps_from_yahoos_pretty_or_raw_row_names():
    pretty = _statement({"Total Revenue": [100.0], "Diluted EPS": [1.5]}, ["2024-03-31"])
    raw = _statement({"TotalRevenue": [100.0], "DilutedEPS": [1.5]}, ["2024-03-31"])
    for statement in (pretty, raw):
        rows = fundamentals_from_statements("A", {"quarterly_income": statement})
        assert rows.loc[0, "revenue"] == 100.0 and rows.loc[0, "eps"] == 1.5
    assert set(YAHOO_ROWS) == set(mapping_table()["factorlab column"])


def test_the_cash_flow_statement_gives_cash_flow_and_positive_payments():
    cash = _statement(
        {
            "OperatingCashFlow": [30.0],
            "CapitalExpenditure": [-8.0],
            "CashDividendsPaid": [-3.0],
        },
        ["2024-03-31"],
    )
    rows = fundamentals_from_statements("A", {"quarterly_cashflow": cash})
    assert rows.loc[0, ["operating_cash_flow", "capex", "dividends"]].tolist() == [30.0, 8.0, 3.0]
    table = mapping_table().set_index("factorlab column")
    assert table.loc["capex", "statement"] == "cash-flow statement"


def test_the_first_listed_yahoo_row_wins():
    income = _statement(
        {"Net Income": [5.0], "Net Income Common Stockholders": [4.0]}, ["2024-03-31"]
    )
    rows = fundamentals_from_statements("A", {"quarterly_income": income})
    assert rows.loc[0, "net_income"] == 4.0


def test_available_at_is_the_day_after_the_earnings_date_else_a_stated_lag():
    ends = ["2023-12-31", "2024-03-31", "2024-06-30"]
    income = _statement({"Total Revenue": [1.0, 2.0, 3.0]}, ends)
    # Q4 reported on 2024-02-01 after the close; Q1's date is missing; Q2's is 200 days late.
    announced = pd.DataFrame(index=pd.to_datetime(["2024-02-01 16:30", "2025-01-16 08:00"]))
    rows = fundamentals_from_statements("A", {"quarterly_income": income}, announced)
    assert rows["available_at"].tolist() == [
        pd.Timestamp("2024-02-02"),  # the day after the announcement
        pd.Timestamp("2024-05-15"),  # period end + 45 days
        pd.Timestamp("2024-08-14"),
    ]
    assert rows["available_basis"].tolist() == [
        "day after the earnings date",
        "period end + 45 days",
        "period end + 45 days",
    ]


def test_annual_balance_sheets_add_year_end_rows_and_fill_a_quarters_gaps():
    quarterly = _statement({"Total Revenue": [10.0], "Total Debt": [np.nan]}, ["2023-12-31"])
    annual = _statement(
        {"Stockholders Equity": [90.0, 100.0], "Total Debt": [40.0, 50.0]},
        ["2022-12-31", "2023-12-31"],
    )
    income = _statement({"Total Revenue": [400.0, 420.0]}, ["2022-12-31", "2023-12-31"])
    rows = fundamentals_from_statements(
        "A",
        {
            "quarterly_income": quarterly,
            "quarterly_balance": quarterly,
            "annual_balance": annual,
            "annual_income": income,
        },
    )
    year_end_2022, q4_2023 = rows.iloc[0], rows.iloc[1]
    assert year_end_2022["period_end"] == pd.Timestamp("2022-12-31")
    assert np.isnan(year_end_2022["revenue"])  # annual income is never passed off as a quarter
    assert year_end_2022["book_equity"] == 90.0
    assert year_end_2022["available_at"] == pd.Timestamp("2023-03-31")  # + 90 days
    assert q4_2023["revenue"] == 10.0 and q4_2023["total_debt"] == 50.0
    assert len(rows) == 2


def test_missing_quarters_stay_missing():
    income = _statement({"Total Revenue": [1.0, 2.0]}, ["2023-06-30", "2024-03-31"])
    rows = fundamentals_from_statements("A", {"quarterly_income": income})
    assert rows["period_end"].tolist() == [pd.Timestamp("2023-06-30"), pd.Timestamp("2024-03-31")]


def test_no_statements_give_no_rows():
    assert fundamentals_from_statements("A", {}).empty


def _shares(values: list[float], ends: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period_end": pd.to_datetime(ends),
            "shares_outstanding": values,
            "eps": [2.0] * len(values),
        }
    )


SPLIT = pd.Series({pd.Timestamp("2024-06-10"): 4.0, pd.Timestamp("2024-01-05"): 0.0})


def test_share_counts_reported_before_a_split_are_put_on_todays_basis():
    rows, notes = adjust_for_splits(
        _shares([100.0, 100.0, 400.0], ["2024-03-31", "2024-03-30", "2024-06-30"]), SPLIT
    )
    assert rows["shares_outstanding"].tolist() == [400.0, 400.0, 400.0]
    assert rows["eps"].tolist() == [0.5, 0.5, 2.0]
    assert notes == [
        "2024-06-10 split 4-for-1: earlier share counts and EPS adjusted by its ratio."
    ]


def test_share_counts_already_adjusted_are_left_alone():
    rows, notes = adjust_for_splits(_shares([400.0, 401.0], ["2024-03-31", "2024-06-30"]), SPLIT)
    assert rows["shares_outstanding"].tolist() == [400.0, 401.0]
    assert "already reflect it" in notes[0]


def test_a_split_after_the_last_statement_is_judged_against_todays_count():
    before = _shares([100.0], ["2024-03-31"])
    assert adjust_for_splits(before, SPLIT, shares_now=400.0)[0]["shares_outstanding"][0] == 400.0
    assert adjust_for_splits(before, SPLIT, shares_now=100.0)[0]["shares_outstanding"][0] == 100.0


@pytest.mark.parametrize("later", [250.0, 1000.0])
def test_a_change_that_is_neither_the_ratio_nor_none_is_left_as_served(later):
    rows, notes = adjust_for_splits(_shares([100.0, later], ["2024-03-31", "2024-06-30"]), SPLIT)
    assert rows["shares_outstanding"].tolist() == [100.0, later]
    assert "left as served" in notes[0]
