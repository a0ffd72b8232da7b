"""Building a Dataset: what it holds, how it is cleaned, and every validation error."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import factorlab as fl
from factorlab.data.schema import FUNDAMENTAL_VALUES


def test_only_prices_are_required_and_missing_parts_are_none(tiny_parts):
    ds = fl.Dataset(prices=tiny_parts["prices"])
    assert ds.volume is None and ds.fundamentals is None and ds.benchmark is None
    assert ds.meta.index.tolist() == ["AAA", "BBB", "CCC"]
    assert ds.source == "user" and ds.failed == {} and ds.truth is None


def test_panels_are_float64_on_a_naive_day_index(tiny_parts):
    prices = tiny_parts["prices"].copy()
    prices.index = prices.index.tz_localize("US/Eastern") + pd.Timedelta(hours=16)
    ds = fl.Dataset(prices=prices)
    assert ds.prices.index.tz is None
    assert (ds.prices.index == tiny_parts["prices"].index).all()
    assert (ds.prices.dtypes == "float64").all()
    assert ds.prices.index.name == "date" and ds.prices.columns.name == "ticker"


def test_integer_prices_become_float64():
    prices = pd.DataFrame({"A": [1, 2, 3]}, index=pd.bdate_range("2024-01-01", periods=3))
    assert fl.Dataset(prices=prices).prices.dtypes.iloc[0] == "float64"


def test_building_does_not_modify_the_callers_frames(tiny_parts):
    before = {k: v.copy() for k, v in tiny_parts.items()}
    fl.Dataset(**tiny_parts)
    for name, frame in tiny_parts.items():
        if isinstance(frame, pd.DataFrame):
            pd.testing.assert_frame_equal(frame, before[name])
        else:
            pd.testing.assert_series_equal(frame, before[name])


def test_meta_listing_dates_are_derived_from_prices(tiny_parts):
    ds = fl.Dataset(**tiny_parts)
    dates = tiny_parts["prices"].index
    assert ds.meta.loc["CCC", "listed"] == dates[2]
    assert ds.meta.loc["BBB", "delisted"] == dates[2]
    assert pd.isna(ds.meta.loc["AAA", "delisted"])
    assert ds.meta.loc["AAA", "name"] == "Aaa Corp"
    assert list(ds.meta.columns[:5]) == ["name", "sector", "industry", "listed", "delisted"]


def test_missing_meta_rows_are_filled_with_nan(tiny_parts):
    meta = tiny_parts["meta"].drop(index="CCC")
    ds = fl.Dataset(prices=tiny_parts["prices"], meta=meta)
    assert pd.isna(ds.meta.loc["CCC", "sector"])
    assert ds.meta.loc["CCC", "listed"] == tiny_parts["prices"].index[2]


def test_fundamentals_get_every_schema_column_and_a_fiscal_period(tiny_parts):
    ds = fl.Dataset(**tiny_parts)
    f = ds.fundamentals
    assert set(FUNDAMENTAL_VALUES) <= set(f.columns)
    assert f["book_equity"].isna().all()
    assert f["fiscal_period"].tolist() == ["2023Q3", "2023Q4", "2023Q4"]
    assert f["period_end"].dtype == "datetime64[ns]"


# -- validation: each failure names what is wrong and the fix -------------------------------


def test_unsorted_dates_are_rejected_with_the_fix(tiny_parts):
    prices = tiny_parts["prices"].iloc[[0, 2, 1, 3]]
    with pytest.raises(
        fl.DataError,
        match=r"prices dates are not sorted: 2024-01-02 comes after 2024-01-03.*sort_index",
    ):
        fl.Dataset(prices=prices)


def test_duplicate_dates_are_rejected(tiny_parts):
    prices = tiny_parts["prices"].iloc[[0, 1, 1, 2]]
    with pytest.raises(fl.DataError, match="prices has duplicate dates: 2024-01-02"):
        fl.Dataset(prices=prices)


def test_duplicate_tickers_are_rejected(tiny_parts):
    prices = tiny_parts["prices"].copy()
    prices.columns = ["AAA", "AAA", "CCC"]
    with pytest.raises(fl.DataError, match="prices has duplicate tickers: AAA"):
        fl.Dataset(prices=prices)


@pytest.mark.parametrize("bad", [0.0, -1.0])
def test_non_positive_prices_are_rejected_naming_ticker_and_date(tiny_parts, bad):
    prices = tiny_parts["prices"].copy()
    prices.iloc[3, 0] = bad
    with pytest.raises(fl.DataError, match=r"prices must be positive: AAA on 2024-01-04.*Use NaN"):
        fl.Dataset(prices=prices)


def test_infinite_prices_are_rejected(tiny_parts):
    prices = tiny_parts["prices"].copy()
    prices.iloc[1, 1] = np.inf
    with pytest.raises(fl.DataError, match="BBB on 2024-01-02 is infinite"):
        fl.Dataset(prices=prices)


def test_a_ticker_without_any_price_is_rejected(tiny_parts):
    prices = tiny_parts["prices"].assign(DDD=np.nan)
    with pytest.raises(fl.DataError, match="no price at all: DDD"):
        fl.Dataset(prices=prices)


def test_non_numeric_prices_are_rejected(tiny_parts):
    prices = tiny_parts["prices"].astype(object)
    prices.iloc[0, 0] = "ten"
    with pytest.raises(fl.DataError, match="prices must hold numbers only"):
        fl.Dataset(prices=prices)


def test_prices_must_be_a_dataframe():
    with pytest.raises(
        fl.DataError, match="prices must be a DataFrame of dates × tickers, got list"
    ):
        fl.Dataset(prices=[1, 2, 3])


def test_available_at_before_period_end_is_rejected(tiny_parts):
    f = tiny_parts["fundamentals"].copy()
    f.loc[1, "available_at"] = pd.Timestamp("2023-12-01")
    with pytest.raises(
        fl.DataError,
        match=r"AAA period 2023-12-31 have available_at 2023-12-01, before the period ended",
    ):
        fl.Dataset(prices=tiny_parts["prices"], fundamentals=f)


def test_fundamentals_for_tickers_absent_from_prices_are_rejected(tiny_parts):
    f = tiny_parts["fundamentals"].copy()
    f.loc[2, "ticker"] = "ZZZ"
    with pytest.raises(fl.DataError, match="fundamentals has tickers that are not in prices: ZZZ"):
        fl.Dataset(prices=tiny_parts["prices"], fundamentals=f)


def test_fundamentals_missing_a_key_column_are_rejected(tiny_parts):
    f = tiny_parts["fundamentals"].drop(columns="available_at")
    with pytest.raises(fl.DataError, match="missing the column\\(s\\) available_at"):
        fl.Dataset(prices=tiny_parts["prices"], fundamentals=f)


def test_duplicate_fundamental_periods_are_rejected(tiny_parts):
    f = pd.concat([tiny_parts["fundamentals"], tiny_parts["fundamentals"].iloc[[0]]])
    with pytest.raises(fl.DataError, match="more than one row for AAA period 2023-09-30"):
        fl.Dataset(prices=tiny_parts["prices"], fundamentals=f)


def test_a_restatement_is_a_later_row_of_the_same_period(tiny_parts):
    later = tiny_parts["fundamentals"].iloc[[0]].assign(available_at=pd.Timestamp("2024-01-05"))
    f = pd.concat([tiny_parts["fundamentals"], later.assign(revenue=101.0)])
    ds = fl.Dataset(prices=tiny_parts["prices"], fundamentals=f)
    rows = ds.fundamentals[ds.fundamentals["period_end"] == "2023-09-30"]
    assert rows["revenue"].tolist() == [100.0, 101.0]  # sorted by when each was known
    known = ds.as_of("2024-01-04").fundamentals
    assert known.loc[known["period_end"] == "2023-09-30", "revenue"].tolist() == [100.0]


def test_meta_for_tickers_absent_from_prices_is_rejected(tiny_parts):
    meta = pd.concat([tiny_parts["meta"], pd.DataFrame({"name": ["Zed"]}, index=["ZZZ"])])
    with pytest.raises(fl.DataError, match="meta has tickers that are not in prices: ZZZ"):
        fl.Dataset(prices=tiny_parts["prices"], meta=meta)


def test_meta_delisting_before_a_price_is_rejected(tiny_parts):
    meta = tiny_parts["meta"].assign(delisted=pd.to_datetime(["2024-01-02", None, None]))
    with pytest.raises(
        fl.DataError, match="AAA delisted on 2024-01-02 but it has a price on 2024-01-08"
    ):
        fl.Dataset(prices=tiny_parts["prices"], meta=meta)


def test_meta_listing_after_a_price_is_rejected(tiny_parts):
    meta = tiny_parts["meta"].assign(listed=pd.to_datetime([None, None, "2024-01-05"]))
    with pytest.raises(
        fl.DataError, match="CCC listed on 2024-01-05 but it has a price on 2024-01-03"
    ):
        fl.Dataset(prices=tiny_parts["prices"], meta=meta)


def test_benchmark_on_another_calendar_is_rejected_with_the_fix(tiny_parts):
    benchmark = tiny_parts["benchmark"].iloc[1:]
    with pytest.raises(
        fl.DataError,
        match=r"benchmark is not on the prices' dates: 1 dates of prices are missing \(2024-01-01.*reindex",
    ):
        fl.Dataset(prices=tiny_parts["prices"], benchmark=benchmark)


def test_volume_with_other_tickers_is_rejected(tiny_parts):
    volume = tiny_parts["volume"].rename(columns={"CCC": "DDD"})
    with pytest.raises(
        fl.DataError,
        match="volume is not on the prices' tickers: 1 tickers of prices are missing \\(CCC\\)",
    ):
        fl.Dataset(prices=tiny_parts["prices"], volume=volume)


def test_negative_volume_is_rejected(tiny_parts):
    volume = tiny_parts["volume"].copy()
    volume.iloc[0, 0] = -5
    with pytest.raises(
        fl.DataError,
        match="volume must be a finite number of shares, not negative: AAA on 2024-01-01 is -5.0. Use NaN",
    ):
        fl.Dataset(prices=tiny_parts["prices"], volume=volume)


def test_require_names_the_missing_parts_and_the_purpose(tiny_parts):
    ds = fl.Dataset(prices=tiny_parts["prices"])
    with pytest.raises(fl.DataError, match="the value factor needs fundamentals and volume"):
        ds.require("fundamentals", "volume", purpose="the value factor")
    fl.Dataset(**tiny_parts).require("fundamentals", "volume")  # present: no error


# -- views ----------------------------------------------------------------------------------


def test_as_of_keeps_only_what_was_known_at_that_close(tiny_parts):
    ds = fl.Dataset(**tiny_parts)
    past = ds.as_of("2024-01-03")
    assert past.end == pd.Timestamp("2024-01-03")
    assert past.fundamentals["available_at"].max() <= pd.Timestamp("2024-01-03")
    assert len(past.fundamentals) == 2  # AAA's Q4 is filed on 2024-01-04
    assert past.meta.loc["BBB", "delisted"] == pd.Timestamp("2024-01-03")  # its last day is d


def test_as_of_hides_a_delisting_that_comes_later(tiny_parts):
    past = fl.Dataset(**tiny_parts).as_of("2024-01-02")
    assert pd.isna(past.meta.loc["BBB", "delisted"])


def test_as_of_drops_tickers_that_had_not_listed(tiny_parts):
    ds = fl.Dataset(**tiny_parts)
    assert ds.as_of("2024-01-02").tickers == ["AAA", "BBB"]


def test_as_of_before_the_data_is_an_error(tiny_parts):
    with pytest.raises(fl.DataError, match="before the data starts \\(2024-01-01\\)"):
        fl.Dataset(**tiny_parts).as_of("2023-06-30")


def test_slice_selects_dates_and_tickers_and_keeps_earlier_filings(tiny_parts):
    ds = fl.Dataset(**tiny_parts)
    part = ds.slice("2024-01-03", "2024-01-05", tickers="aaa, ccc")
    assert part.tickers == ["AAA", "CCC"]
    assert part.start == pd.Timestamp("2024-01-03") and part.end == pd.Timestamp("2024-01-05")
    assert part.fundamentals["fiscal_period"].tolist() == ["2023Q3", "2023Q4"]
    assert part.benchmark.index.equals(part.prices.index)
    assert part.volume.columns.tolist() == ["AAA", "CCC"]


def test_slice_without_tickers_drops_names_with_no_price_in_the_window(tiny_parts):
    assert fl.Dataset(**tiny_parts).slice(end="2024-01-02").tickers == ["AAA", "BBB"]


def test_slice_with_an_unknown_ticker_suggests_a_known_one(tiny_parts):
    with pytest.raises(fl.DataError, match="Unknown ticker 'AAB'.*Did you mean 'AAA'"):
        fl.Dataset(**tiny_parts).slice(tickers=["AAB"])


def test_slice_asking_for_a_ticker_with_no_price_in_the_window_says_so(tiny_parts):
    with pytest.raises(fl.DataError, match="CCC has no price between 2024-01-01 and 2024-01-02"):
        fl.Dataset(**tiny_parts).slice(end="2024-01-02", tickers=["CCC"])


def test_slice_with_start_after_end_is_an_error(tiny_parts):
    with pytest.raises(fl.DataError, match="start 2024-01-05 is after end 2024-01-02"):
        fl.Dataset(**tiny_parts).slice("2024-01-05", "2024-01-02")


def test_slice_with_a_bad_date_string_is_a_config_error(tiny_parts):
    with pytest.raises(fl.ConfigError, match="start must be a date"):
        fl.Dataset(**tiny_parts).slice("last tuesday")


# -- display --------------------------------------------------------------------------------


def test_repr_says_what_is_inside(tiny_parts):
    text = repr(fl.Dataset(**tiny_parts))
    assert text == (
        "<Dataset 'user': 3 tickers in 2 sectors, 2024-01-01 to 2024-01-08 (6 days); "
        "3 fundamental rows, 1 delisted>"
    )


def test_html_repr_lists_the_parts(sample):
    page = sample._repr_html_()
    for text in ("200 in 11 sectors", "2010-01-01 to 2024-12-31", "LABX", "planted premia"):
        assert text in page


def test_summary_counts_listings_and_delistings(tiny_parts):
    s = fl.Dataset(**tiny_parts).summary()
    assert (s["tickers"], s["sectors"], s["listed_late"], s["delisted"]) == (3, 2, 1, 1)


# -- more edge cases ---------------------------------------------------------------------------


def test_meta_with_duplicate_tickers_is_rejected(tiny_parts):
    meta = pd.concat([tiny_parts["meta"], tiny_parts["meta"].iloc[[0]]])
    with pytest.raises(fl.DataError, match="meta has duplicate tickers: AAA"):
        fl.Dataset(prices=tiny_parts["prices"], meta=meta)


def test_meta_without_ticker_labels_says_how_to_index_it(tiny_parts):
    meta = tiny_parts["meta"].reset_index(drop=True)
    with pytest.raises(
        fl.DataError, match="meta needs the tickers as its index or in a 'ticker' column"
    ):
        fl.Dataset(prices=tiny_parts["prices"], meta=meta)


def test_volume_on_another_calendar_is_rejected(tiny_parts):
    volume = tiny_parts["volume"].iloc[:-1]
    with pytest.raises(
        fl.DataError,
        match="volume is not on the prices' dates: 1 dates of prices are missing \\(2024-01-08\\)",
    ):
        fl.Dataset(prices=tiny_parts["prices"], volume=volume)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (0.0, "positive and finite: it is 0.0 on 2024-01-02"),
        (np.inf, "positive and finite: it is inf on 2024-01-02"),
        ("n/a", "benchmark must hold numbers"),
    ],
)
def test_a_bad_benchmark_level_is_rejected(tiny_parts, bad, message):
    benchmark = tiny_parts["benchmark"].astype(object)
    benchmark.iloc[1] = bad
    with pytest.raises(fl.DataError, match=message):
        fl.Dataset(prices=tiny_parts["prices"], benchmark=benchmark)


def test_numeric_dates_are_rejected_rather_than_read_as_1970(tiny_parts):
    f = tiny_parts["fundamentals"].assign(period_end=[20230930, 20231231, 20231231])
    with pytest.raises(fl.DataError, match="must hold dates, not numbers \\(found 20230930\\)"):
        fl.Dataset(prices=tiny_parts["prices"], fundamentals=f)
    with pytest.raises(fl.ConfigError, match="got the number 20240103"):
        fl.Dataset(**tiny_parts).as_of(20240103)


def test_a_filing_with_a_time_of_day_counts_from_the_next_day(tiny_parts):
    f = tiny_parts["fundamentals"].copy()
    f.loc[2, "available_at"] = pd.Timestamp("2024-01-02 18:00")  # BBB, after the close
    ds = fl.Dataset(prices=tiny_parts["prices"], fundamentals=f)
    assert ds.fundamentals.loc[2, "available_at"] == pd.Timestamp("2024-01-03")
    assert "BBB" not in ds.as_of("2024-01-02").fundamentals["ticker"].tolist()
    assert "BBB" in ds.as_of("2024-01-03").fundamentals["ticker"].tolist()


def test_as_of_a_weekend_keeps_filings_dated_that_weekend(tiny_parts):
    f = tiny_parts["fundamentals"].copy()
    f.loc[1, "available_at"] = pd.Timestamp("2024-01-06")  # a Saturday
    past = fl.Dataset(prices=tiny_parts["prices"], fundamentals=f).as_of("2024-01-06")
    assert past.end == pd.Timestamp("2024-01-05")
    assert len(past.fundamentals) == 3


def test_as_of_after_the_end_returns_everything(tiny_parts):
    ds = fl.Dataset(**tiny_parts)
    later = ds.as_of("2030-01-01")
    pd.testing.assert_frame_equal(later.prices, ds.prices)
    assert len(later.fundamentals) == len(ds.fundamentals)


def test_a_gap_in_prices_is_not_a_delisting_when_meta_says_alive(tiny_parts):
    prices = tiny_parts["prices"].copy()
    prices.loc["2024-01-04":"2024-01-05", "AAA"] = np.nan  # a trading halt
    meta = tiny_parts["meta"].assign(delisted=pd.NaT)
    ds = fl.Dataset(prices=prices, meta=meta)
    assert ds.meta["delisted"].isna().all()
    assert pd.isna(ds.as_of("2024-01-05").meta.loc["AAA", "delisted"])


def test_slice_with_a_ticker_that_matches_two_cases_asks_for_the_exact_one():
    prices = pd.DataFrame(
        {"abc": [1.0, 2.0], "ABC": [3.0, 4.0]}, index=pd.bdate_range("2024-01-01", periods=2)
    )
    ds = fl.Dataset(prices=prices)
    assert ds.slice(tickers=["abc"]).tickers == ["abc"]
    with pytest.raises(fl.DataError, match="It matches abc, ABC; spell it exactly"):
        ds.slice(tickers=["Abc"])


def test_an_empty_window_names_the_dates_asked_for(tiny_parts):
    with pytest.raises(
        fl.DataError,
        match="No trading days from 2025-01-01 on; the data runs from 2024-01-01 to 2024-01-08",
    ):
        fl.Dataset(**tiny_parts).slice(start="2025-01-01")


def test_a_close_panel_must_match_the_prices_and_be_positive(tiny_parts):
    close = tiny_parts["prices"].copy()
    ds = fl.Dataset(prices=tiny_parts["prices"], close=close)
    np.testing.assert_array_equal(ds.close.to_numpy(), close.to_numpy())
    close.iloc[0, 0] = -1.0
    with pytest.raises(fl.DataError, match="close must be a positive, finite price: AAA on"):
        fl.Dataset(prices=tiny_parts["prices"], close=close)
    with pytest.raises(fl.DataError, match="close"):
        fl.Dataset(prices=tiny_parts["prices"], close=close.iloc[:3])


def test_the_fingerprint_changes_with_one_price_or_one_filing(small_sample):
    def rebuilt(**changes):
        parts = {
            "prices": small_sample.prices,
            "volume": small_sample.volume,
            "fundamentals": small_sample.fundamentals,
            "meta": small_sample.meta,
            "benchmark": small_sample.benchmark,
        }
        return fl.Dataset(**{**parts, **changes})

    same = rebuilt().fingerprint()
    prices = small_sample.prices.copy()
    prices.iloc[-1, 0] *= 1.0001
    filings = small_sample.fundamentals.copy()
    filings.loc[filings.index[0], "revenue"] += 1.0
    assert rebuilt().fingerprint() == same
    assert rebuilt(prices=prices).fingerprint() != same
    assert rebuilt(fundamentals=filings).fingerprint() != same
    assert small_sample.slice(start=small_sample.dates[1]).fingerprint() != same
