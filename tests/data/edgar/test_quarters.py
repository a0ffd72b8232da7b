"""Company facts into point-in-time quarters: each rule on hand-written facts, then on the
recorded facts of real companies, with figures checked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import factorlab as fl
from factorlab.data.edgar import EdgarError, flatten, quarterly_rows

from .helpers import company, fact, recorded


def _rows(facts: dict, ticker: str = "ACME") -> pd.DataFrame:
    return quarterly_rows(flatten(facts), {int(facts["cik"]): ticker})


def _at(rows: pd.DataFrame, end: str) -> pd.DataFrame:
    return rows[rows["period_end"] == pd.Timestamp(end)].reset_index(drop=True)


CALENDAR_YEAR = [  # 3-month revenue of 2023, each in its 10-Q, and the year in the 10-K
    fact("2023-01-01", "2023-03-31", 100, "2023-05-02"),
    fact("2023-04-01", "2023-06-30", 110, "2023-08-01"),
    fact("2023-07-01", "2023-09-30", 120, "2023-10-31"),
    fact("2023-01-01", "2023-12-31", 460, "2024-02-20", form="10-K"),
]


def test_a_quarter_is_known_from_the_business_day_after_its_filing():
    rows = _rows(company(Revenues=CALENDAR_YEAR))
    first = _at(rows, "2023-03-31").iloc[0]
    assert first["revenue"] == 100
    assert first["filed"] == pd.Timestamp("2023-05-02")
    assert first["available_at"] == pd.Timestamp("2023-05-03")
    friday = _rows(company(Revenues=[fact("2023-01-01", "2023-03-31", 1, "2023-05-05")]))
    assert friday["available_at"].iloc[0] == pd.Timestamp("2023-05-08")  # the next Monday


def test_the_fourth_quarter_is_the_year_minus_three_quarters_known_with_the_10k():
    rows = _rows(company(Revenues=CALENDAR_YEAR))
    q4 = _at(rows, "2023-12-31")
    assert len(q4) == 1 and q4.loc[0, "revenue"] == 460 - 100 - 110 - 120
    assert q4.loc[0, "available_at"] == pd.Timestamp("2024-02-21")
    assert q4.loc[0, "form"] == "10-K" and q4.loc[0, "fiscal_period"] == "FY2023Q4"


def test_each_fourth_quarter_is_its_own_year_minus_its_own_quarters_in_any_order():
    later_year = [  # listed before the year it follows, as a file may list them
        fact("2024-01-01", "2024-03-31", 200, "2024-05-02"),
        fact("2024-04-01", "2024-06-30", 210, "2024-08-01"),
        fact("2024-07-01", "2024-09-30", 220, "2024-10-31"),
        fact("2024-01-01", "2024-12-31", 1000, "2025-02-20", form="10-K"),
    ]
    revenue = [*later_year, *CALENDAR_YEAR]
    income = [{**f, "val": f["val"] / 10} for f in revenue]
    rows = _rows(company(Revenues=revenue, NetIncomeLoss=income))
    for column, scale in (("revenue", 1), ("net_income", 10)):
        assert _at(rows, "2023-12-31")[column].tolist() == [(460 - 100 - 110 - 120) / scale]
        assert _at(rows, "2024-12-31")[column].tolist() == [(1000 - 200 - 210 - 220) / scale]


def test_eps_and_average_share_counts_are_never_derived_from_the_year():
    year = [*CALENDAR_YEAR[:3], fact("2023-01-01", "2023-12-31", 400, "2024-02-20", form="10-K")]
    average = [{**f, "val": f["val"] * 1e6} for f in year]
    rows = _rows(
        company(
            Revenues=CALENDAR_YEAR,
            EarningsPerShareDiluted=year,
            WeightedAverageNumberOfSharesOutstandingBasic=average,
        )
    )
    q4 = _at(rows, "2023-12-31").iloc[0]
    assert np.isnan(q4["eps"]) and np.isnan(q4["shares_outstanding"])
    assert _at(rows, "2023-09-30").iloc[0]["eps"] == 120


def test_year_to_date_cash_flows_are_differenced_into_quarters():
    ytd = [
        fact("2023-01-01", "2023-03-31", 30, "2023-05-02"),
        fact("2023-01-01", "2023-06-30", 70, "2023-08-01"),
        fact("2023-01-01", "2023-09-30", 90, "2023-10-31"),
        fact("2023-01-01", "2023-12-31", 150, "2024-02-20", form="10-K"),
    ]
    rows = _rows(company(Revenues=CALENDAR_YEAR, NetCashProvidedByUsedInOperatingActivities=ytd))
    by_end = rows.drop_duplicates("period_end", keep="last").set_index("period_end")
    assert by_end["operating_cash_flow"].tolist() == [30, 40, 20, 60]
    q3 = _at(rows, "2023-09-30").iloc[0]
    assert q3["available_at"] == pd.Timestamp("2023-11-01")  # with the 9-month figure


def test_a_restatement_is_a_second_row_from_its_own_filing_day():
    amended = [*CALENDAR_YEAR, fact("2023-04-01", "2023-06-30", 115, "2023-09-15", form="10-Q/A")]
    rows = _rows(company(Revenues=amended))
    q2 = _at(rows, "2023-06-30")
    assert q2["revenue"].tolist() == [110, 115]
    assert q2["available_at"].tolist() == [pd.Timestamp("2023-08-02"), pd.Timestamp("2023-09-18")]
    assert q2["form"].tolist() == ["10-Q", "10-Q/A"]
    # The derived fourth quarter uses the amended second quarter: 460 - 100 - 115 - 120.
    assert _at(rows, "2023-12-31")["revenue"].tolist() == [125]


def test_a_comparative_restated_in_a_later_filing_is_a_new_version_but_rounding_is_not():
    later = [
        *CALENDAR_YEAR,
        fact("2023-01-01", "2023-03-31", 104, "2024-05-01"),  # restated in next year's 10-Q
        fact("2023-04-01", "2023-06-30", 110, "2024-08-01"),  # the same figure again
    ]
    rows = _rows(company(Revenues=later))
    assert _at(rows, "2023-03-31")["revenue"].tolist() == [100, 104]
    assert _at(rows, "2023-06-30")["revenue"].tolist() == [110]


def test_values_that_agree_after_rounding_are_one_figure_and_small_changes_are_not():
    thousands, millions = 21_461_268_000.0, 21_461_000_000.0  # Tesla's 2018 revenue, twice
    rows = _rows(
        company(
            Revenues=[
                fact("2018-10-01", "2018-12-31", thousands, "2019-02-19", form="10-K"),
                fact("2018-10-01", "2018-12-31", millions, "2020-02-13", form="10-K"),
            ]
        )
    )
    assert rows["revenue"].tolist() == [thousands]
    changed = _rows(
        company(
            Revenues=[
                fact("2018-10-01", "2018-12-31", 7_225_873_000, "2019-02-19", form="10-K"),
                fact("2018-10-01", "2018-12-31", 7_225_000_000, "2020-02-13", form="10-K"),
            ]
        )
    )
    assert changed["revenue"].tolist() == [7_225_873_000, 7_225_000_000]  # 873k > half a million


def test_a_missing_quarter_stays_missing():
    rows = _rows(company(Revenues=[CALENDAR_YEAR[0], CALENDAR_YEAR[2]]))
    assert set(rows["period_end"]) == {pd.Timestamp("2023-03-31"), pd.Timestamp("2023-09-30")}
    assert rows["revenue"].tolist() == [100, 120]  # no second quarter, nothing carried over


def test_a_53_week_year_and_its_13_week_quarters():
    weeks = [  # a retailer's year to 2024-02-03: 13, 13, 13 and 14 weeks
        fact("2023-01-29", "2023-04-29", 10, "2023-06-01"),
        fact("2023-04-30", "2023-07-29", 11, "2023-09-01"),
        fact("2023-07-30", "2023-10-28", 12, "2023-12-01"),
        fact("2023-01-29", "2024-02-03", 50, "2024-03-20", form="10-K"),  # 371 days
    ]
    rows = _rows(company(Revenues=weeks))
    assert rows["period_end"].dt.strftime("%Y-%m-%d").tolist() == [
        "2023-04-29",
        "2023-07-29",
        "2023-10-28",
        "2024-02-03",
    ]
    assert rows["revenue"].tolist() == [10, 11, 12, 17]
    assert rows["fiscal_period"].tolist() == ["FY2024Q1", "FY2024Q2", "FY2024Q3", "FY2024Q4"]


def test_a_fiscal_year_ending_in_september():
    september = [
        fact("2022-10-01", "2022-12-31", 5, "2023-02-01"),
        fact("2023-01-01", "2023-03-31", 6, "2023-05-01"),
        fact("2023-04-01", "2023-06-30", 7, "2023-08-01"),
        fact("2022-10-01", "2023-09-30", 26, "2023-11-15", form="10-K"),
    ]
    rows = _rows(company(Revenues=september))
    assert rows["fiscal_period"].tolist() == ["FY2023Q1", "FY2023Q2", "FY2023Q3", "FY2023Q4"]
    assert rows["revenue"].tolist() == [5, 6, 7, 8]


def test_balances_are_read_at_the_period_end_and_the_share_count_falls_back():
    facts = company(
        Revenues=CALENDAR_YEAR[:2],
        StockholdersEquity=[
            fact(None, "2023-03-31", 900, "2023-05-02"),
            fact(None, "2023-06-30", 950, "2023-08-01"),
        ],
        dei__EntityCommonStockSharesOutstanding=[fact(None, "2023-07-25", 42, "2023-08-01")],
    )
    # the cover page is dated by its filing: give the filing's period its count
    facts["facts"]["dei"]["EntityCommonStockSharesOutstanding"]["units"]["shares"][0]["accn"] = (
        facts["facts"]["us-gaap"]["Revenues"]["units"]["USD"][1]["accn"]
    )
    rows = _rows(facts)
    assert rows["book_equity"].tolist() == [900, 950]
    assert np.isnan(rows["shares_outstanding"].iloc[0])
    assert rows["shares_outstanding"].iloc[1] == 42
    assert "shares_outstanding=EntityCommonStockSharesOutstanding" in rows["concepts"].iloc[1]


def test_the_first_filed_concept_is_used_and_named():
    facts = company(
        RevenueFromContractWithCustomerExcludingAssessedTax=[CALENDAR_YEAR[0]],
        Revenues=[fact("2023-01-01", "2023-03-31", 101, "2024-05-01")],  # tagged differently later
    )
    rows = _rows(facts)
    assert rows["revenue"].tolist() == [100]
    assert "revenue=RevenueFromContractWithCustomerExcludingAssessedTax" in rows["concepts"][0]


def test_ebitda_is_operating_income_plus_depreciation():
    facts = company(
        Revenues=[CALENDAR_YEAR[0]],
        OperatingIncomeLoss=[fact("2023-01-01", "2023-03-31", 20, "2023-05-02")],
        DepreciationDepletionAndAmortization=[fact("2023-01-01", "2023-03-31", 5, "2023-05-02")],
    )
    rows = _rows(facts)
    assert rows["ebitda"].tolist() == [25]
    assert "ebitda=OperatingIncomeLoss+DepreciationDepletionAndAmortization" in rows["concepts"][0]


def test_an_ifrs_filer_and_a_filer_in_another_currency_are_refused():
    with pytest.raises(EdgarError, match="Logistic Properties of the Americas .* files no us-gaap"):
        flatten(recorded("lpa"))
    euro = company(Revenues=[])
    euro["facts"]["us-gaap"]["Revenues"]["units"] = {"EUR": [CALENDAR_YEAR[0]]}
    with pytest.raises(EdgarError, match="reports Revenues in EUR, not US dollars"):
        flatten(euro)


def test_no_row_is_known_before_its_filing():
    rows = _rows(recorded("tsla"), "TSLA")
    assert (rows["available_at"] > rows["filed"]).all()
    assert (rows["filed"] > rows["period_end"]).all()


# -- real companies, figures checked by hand against their filings --------------------------


@pytest.fixture(scope="module")
def tesla() -> pd.DataFrame:
    return _rows(recorded("tsla"), "TSLA")


def test_tesla_has_quarters_from_2010_to_2022(tesla):
    assert tesla["period_end"].min() <= pd.Timestamp("2010-12-31")
    assert tesla["period_end"].max() == pd.Timestamp("2022-09-30")
    assert tesla["period_end"].nunique() >= 48


def test_tesla_derived_fourth_quarter_cash_flow_is_the_year_minus_nine_months(tesla):
    # 10-K 2018: operating cash flow 2,097,802 thousand for the year; 10-Q Q3 2018: 863,241
    # thousand for nine months: the fourth quarter is the difference, known with the 10-K.
    q4 = _at(tesla, "2018-12-31").iloc[0]
    assert q4["operating_cash_flow"] == 2_097_802_000 - 863_241_000
    assert q4["available_at"] == pd.Timestamp("2019-02-20")  # 10-K filed 2019-02-19


def test_tesla_quarterly_revenue_as_first_reported(tesla):
    q1 = _at(tesla, "2019-03-31").iloc[0]
    assert q1["revenue"] == 4_541_464_000 and q1["form"] == "10-Q"  # filed 2019-04-29
    assert _at(tesla, "2019-12-31").iloc[0]["revenue"] == 7_384_000_000


def test_tesla_share_count_restated_after_the_2020_split_is_a_later_row(tesla):
    year_end = _at(tesla, "2019-12-31")
    shares = year_end["shares_outstanding"].tolist()
    assert shares[0] == 181_000_000 and shares[-1] == 905_000_000  # 5-for-1 in August 2020
    assert year_end["available_at"].iloc[-1] > pd.Timestamp("2020-08-31")


def test_snowflake_fiscal_year_ends_in_january():
    rows = _rows(recorded("snow"), "SNOW")
    q3 = _at(rows, "2020-10-31").iloc[0]
    assert q3["fiscal_period"] == "FY2021Q3"
    assert q3["revenue"] == 159_624_000  # Q3 fiscal 2021 product and services revenue


def test_tesla_value_and_growth_metrics_span_ten_years(tesla):
    dates = pd.bdate_range("2010-06-29", "2022-12-30")
    prices = pd.DataFrame({"TSLA": np.linspace(20, 200, len(dates))}, index=dates)
    ds = fl.Dataset(prices=prices, fundamentals=tesla.drop(columns=["accn", "form", "filed"]))
    value = fl.factors.metrics(ds, "value")
    growth = fl.factors.metrics(ds, "growth")
    for panel in (value["sales_to_price"], value["book_to_price"], growth["revenue_growth"]):
        known = panel["TSLA"].dropna().index
        assert known[-1] - known[0] >= pd.Timedelta(days=365 * 10)


def _tesla_and_snowflake() -> fl.Dataset:
    rows = pd.concat([_rows(recorded("tsla"), "TSLA"), _rows(recorded("snow"), "SNOW")])
    dates = pd.bdate_range("2012-01-02", "2022-12-30")
    prices = pd.DataFrame(
        {"TSLA": np.linspace(20, 200, len(dates)), "SNOW": np.linspace(300, 150, len(dates))},
        index=dates,
    )
    return fl.Dataset(prices=prices, fundamentals=rows.reset_index(drop=True))


def test_no_row_of_as_of_t_was_filed_after_t():
    ds = _tesla_and_snowflake()
    for t in ("2014-06-30", "2019-08-05", "2021-03-01"):
        known = ds.as_of(t).fundamentals
        assert len(known) and (known["filed"] < pd.Timestamp(t)).all()


def test_perturbing_every_figure_filed_after_t_leaves_factors_up_to_t_unchanged():
    ds = _tesla_and_snowflake()
    t = pd.Timestamp("2019-08-05")
    later = ds.fundamentals["filed"] >= t
    perturbed = ds.fundamentals.copy()
    numbers = perturbed.select_dtypes("number").columns
    perturbed.loc[later, numbers] = perturbed.loc[later, numbers] * 3 + 7
    other = fl.Dataset(prices=ds.prices, fundamentals=perturbed)
    for family in ("value", "growth", "quality"):
        before, after = fl.factors.metrics(ds, family), fl.factors.metrics(other, family)
        for name, panel in before.items():
            pd.testing.assert_frame_equal(panel.loc[:t], after[name].loc[:t], obj=name)
            assert not panel.loc[t:].equals(after[name].loc[t:]) or panel.isna().all().all()
