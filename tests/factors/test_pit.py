"""The point-in-time join: figures enter on their filing day, TTM never mixes in an older year."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import factorlab as fl
from factorlab.factors.pit import filings


def _dataset(rows: list[tuple[str, str, float]], days: int = 160) -> fl.Dataset:
    """One ticker, ACME, with quarterly revenue rows of (period_end, available_at, revenue)."""
    dates = pd.bdate_range("2023-01-02", periods=days)
    prices = pd.DataFrame({"ACME": np.linspace(10, 20, days)}, index=dates)
    fundamentals = pd.DataFrame(
        [("ACME", end, filed, revenue) for end, filed, revenue in rows],
        columns=["ticker", "period_end", "available_at", "revenue"],
    )
    return fl.Dataset(prices=prices, fundamentals=fundamentals)


ON_TIME = [
    ("2022-03-31", "2022-05-01", 10.0),
    ("2022-06-30", "2022-08-01", 20.0),
    ("2022-09-30", "2022-11-01", 30.0),
    ("2022-12-31", "2023-02-01", 40.0),
    ("2023-03-31", "2023-05-01", 50.0),
]


def _ttm(ds: fl.Dataset) -> pd.Series:
    f = filings(ds)
    return f.panel(f.ttm("revenue"))["ACME"]


def test_ttm_sums_the_last_four_filed_quarters_from_the_filing_day_on():
    ttm = _ttm(_dataset(ON_TIME))
    assert np.isnan(ttm["2023-01-31"])  # only three quarters filed
    assert ttm["2023-02-01"] == 10 + 20 + 30 + 40
    assert ttm["2023-04-28"] == 100  # Q1 2023 ended but is not filed yet
    assert ttm["2023-05-01"] == 20 + 30 + 40 + 50


def test_a_late_quarter_makes_the_ttm_unknown_until_it_is_filed():
    rows = [*ON_TIME[:2], ("2022-09-30", "2023-03-15", 30.0), *ON_TIME[3:]]  # Q3 filed late
    ttm = _ttm(_dataset(rows))
    assert np.isnan(ttm["2023-02-01"])  # Q4 is known, Q3 is not: no mixing in an older year
    assert np.isnan(ttm["2023-03-14"])
    assert ttm["2023-03-15"] == 100
    assert ttm["2023-05-01"] == 140


def test_a_missing_quarter_is_never_bridged_by_an_older_one():
    rows = [r for r in ON_TIME if r[0] != "2022-06-30"]
    ttm = _ttm(_dataset(rows))
    assert ttm.isna().all()


def test_a_weekend_filing_takes_effect_on_the_next_trading_day():
    rows = [*ON_TIME[:3], ("2022-12-31", "2023-02-04", 40.0)]  # a Saturday
    ttm = _ttm(_dataset(rows))
    assert np.isnan(ttm["2023-02-03"]) and ttm["2023-02-06"] == 100


def test_a_filing_after_the_last_day_is_never_used():
    rows = [*ON_TIME[:4], ("2023-03-31", "2023-12-01", 50.0)]
    ttm = _ttm(_dataset(rows, days=160))  # the data ends in August 2023
    assert ttm.iloc[-1] == 100


def test_quarter_back_reads_the_same_quarter_a_year_earlier():
    ds = _dataset(ON_TIME)
    f = filings(ds)
    assert f.panel(f.quarter("revenue"))["ACME"]["2023-05-01"] == 50
    assert f.panel(f.quarter("revenue", back=4))["ACME"]["2023-05-01"] == 10
    assert f.panel(f.ttm("revenue", back=1))["ACME"]["2023-05-01"] == 100


def test_a_dataset_without_fundamentals_says_what_needs_them():
    prices = pd.DataFrame({"ACME": [1.0, 2.0]}, index=pd.bdate_range("2024-01-01", periods=2))
    with pytest.raises(fl.DataError, match="fundamental factors needs fundamentals"):
        filings(fl.Dataset(prices=prices))


def test_a_52_53_week_fiscal_calendar_has_no_gaps():
    # Apple's quarter ends: the 2023-04-01 quarter must follow 2022-12-31, not leave a hole.
    ends = ["2022-09-24", "2022-12-31", "2023-04-01", "2023-07-01", "2023-09-30"]
    rows = [
        (e, str((pd.Timestamp(e) + pd.Timedelta(days=35)).date()), 10.0 * (i + 1))
        for i, e in enumerate(ends)
    ]
    ttm = _ttm(_dataset(rows, days=260))
    assert ttm["2023-08-07"] == 10 + 20 + 30 + 40
    assert ttm["2023-11-06"] == 20 + 30 + 40 + 50


def test_two_period_ends_for_one_fiscal_quarter_are_rejected():
    rows = [*ON_TIME, ("2023-04-02", "2023-05-20", 55.0)]  # a second "Q1 2023"
    with pytest.raises(
        fl.DataError,
        match="ACME has more than one period end for the same fiscal quarter "
        "\\(2023-03-31, 2023-04-02\\)",
    ):
        filings(_dataset(rows))


def test_a_restated_quarter_counts_from_its_own_filing_day_and_not_before():
    rows = [*ON_TIME, ("2022-09-30", "2023-03-15", 33.0)]  # Q3 2022 restated from 30 to 33
    ttm = _ttm(_dataset(rows))
    assert ttm["2023-02-01"] == 10 + 20 + 30 + 40  # as first reported
    assert ttm["2023-03-14"] == 100
    assert ttm["2023-03-15"] == 10 + 20 + 33 + 40  # the restatement, from its day on
    assert ttm["2023-05-01"] == 20 + 33 + 40 + 50


def test_a_restatement_changes_nothing_before_it_was_filed():
    """Change the future (add a restatement filed after t): nothing at or before t changes."""
    base = _ttm(_dataset(ON_TIME))
    restated = _ttm(_dataset([*ON_TIME, ("2022-12-31", "2023-04-03", 400.0)]))
    cut = pd.Timestamp("2023-03-31")
    pd.testing.assert_series_equal(base.loc[:cut], restated.loc[:cut])
    assert restated["2023-04-03"] == 10 + 20 + 30 + 400


def test_two_rows_for_one_quarter_known_the_same_day_are_rejected():
    rows = [*ON_TIME, ("2022-09-30", "2022-11-01", 31.0)]
    with pytest.raises(
        fl.DataError, match="more than one row for ACME period 2022-09-30 available at 2022-11-01"
    ):
        _dataset(rows)


def test_latest_known_falls_back_to_the_last_quarter_that_reported_the_figure():
    ds = _dataset(ON_TIME)
    f = ds.fundamentals.copy()
    f.loc[4, "revenue"] = np.nan  # the newest filing leaves revenue out
    ds = fl.Dataset(prices=ds.prices, fundamentals=f)
    fl_ = filings(ds)
    assert fl_.panel(fl_.latest_known("revenue"))["ACME"]["2023-05-01"] == 40
    assert np.isnan(fl_.panel(fl_.quarter("revenue"))["ACME"]["2023-05-01"])
