"""Mistakes a new user makes with their own data, caught with a message that says the fix."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import factorlab as fl


def _prices(index) -> pd.DataFrame:
    return pd.DataFrame(
        {"A": np.linspace(10, 11, len(index)), "B": np.linspace(20, 19, len(index))}, index=index
    )


def test_day_first_strings_read_month_first_are_named_with_the_format_to_use():
    strings = pd.bdate_range("2024-01-01", periods=40).strftime("%d/%m/%Y")
    misread = pd.to_datetime(strings, format="mixed")  # "02/01/2024" read as 1 February
    with pytest.raises(fl.DataError) as caught:
        fl.Dataset(prices=_prices(misread))
    message = str(caught.value)
    assert "not sorted" in message
    assert "Read day-first they are in order" in message
    assert "'02/01/2024'" in message  # the string as given: 2 January, read as 1 February
    assert "pd.to_datetime(strings, format='%d/%m/%Y')" in message


def test_unsorted_text_dates_mention_the_day_first_possibility():
    strings = ["2024-01-05", "2024-01-03", "2024-01-04"]
    with pytest.raises(fl.DataError, match=r"may be day-first .* format='%d/%m/%Y'"):
        fl.Dataset(prices=_prices(strings))


def test_unsorted_parsed_dates_just_ask_for_a_sort():
    dates = pd.to_datetime(["2024-01-05", "2024-01-03", "2024-01-04"])
    with pytest.raises(fl.DataError, match=r"not sorted: .*\. Sort them with \.sort_index\(\)\.$"):
        fl.Dataset(prices=_prices(dates))


def test_meta_columns_match_case_insensitively(tiny_parts):
    meta = tiny_parts["meta"].rename(columns={"sector": "Sector", "name": "NAME"})
    ds = fl.Dataset(**{**tiny_parts, "meta": meta})
    assert ds.meta.loc["AAA", "sector"] == "Energy" and ds.meta.loc["CCC", "name"] == "Ccc Ltd"
    assert ds.groups("SECTOR").equals(ds.meta["sector"])


def test_a_ticker_column_in_any_case_is_the_index(tiny_parts):
    meta = tiny_parts["meta"].reset_index().rename(columns={"ticker": "Ticker"})
    ds = fl.Dataset(**{**tiny_parts, "meta": meta})
    assert ds.meta.loc["BBB", "sector"] == "Energy"


def test_two_spellings_of_one_meta_column_are_refused(tiny_parts):
    meta = tiny_parts["meta"].assign(Sector="x", SECTOR="y").drop(columns="sector")
    with pytest.raises(fl.DataError, match="'Sector', 'SECTOR', which all read as 'sector'"):
        fl.Dataset(**{**tiny_parts, "meta": meta})


def test_neutralizing_by_a_missing_group_names_the_columns_there_are(small_sample):
    ds = small_sample
    meta = ds.meta.drop(columns=["sector", "industry"]).assign(gics_sector=ds.meta["sector"])
    custom = fl.Dataset(prices=ds.prices, fundamentals=ds.fundamentals, meta=meta, volume=ds.volume)
    with pytest.raises(
        fl.ConfigError,
        match=r"Cannot neutralize by 'sector': every ticker's sector is missing in ds.meta "
        r"\(ds.meta has values in: gics_sector\)",
    ):
        fl.score(custom, neutralize="sector")
    # and the column it has works, in any case
    by_own = fl.score(custom, neutralize="GICS_sector").composite
    by_sector = fl.score(ds, neutralize="sector").composite
    pd.testing.assert_frame_equal(by_own, by_sector)
    report = fl.evaluate(fl.factors.momentum(custom), custom, periods=(5,), groupby="gics_sector")
    assert set(report.quantile_returns_by_group.columns.get_level_values(0)) == {5}


def test_groups_prefers_the_exact_spelling(tiny_parts):
    meta = tiny_parts["meta"].assign(Style=["a", "a", "b"], style=["x", "y", "z"])
    ds = fl.Dataset(**{**tiny_parts, "meta": meta})
    assert ds.groups("Style").tolist() == ["a", "a", "b"]
    assert ds.groups("style").tolist() == ["x", "y", "z"]
