"""load_dataset: named sources, folder paths, and helpful errors."""

from __future__ import annotations

import pandas as pd
import pytest

import factorlab as fl


def test_a_misspelt_source_lists_the_sources_and_suggests_sample():
    with pytest.raises(
        fl.DataError,
        match="Unknown dataset source 'smaple', and there is no folder of that name here. Did you mean 'sample'?",
    ) as info:
        fl.load_dataset("smaple")
    message = str(info.value)
    assert "'yahoo'" in message and "ds.save(path)" in message and "Try 'sample'" in message


def test_a_path_like_string_that_does_not_exist_says_so():
    with pytest.raises(
        fl.DataError, match="No dataset folder at data/missing: the path does not exist"
    ):
        fl.load_dataset("data/missing")


def test_source_must_be_a_name_or_a_path():
    with pytest.raises(fl.DataError, match="source must be a name"):
        fl.load_dataset(42)


def test_sample_parameters_may_arrive_as_strings():
    ds = fl.load_dataset("sample", n_tickers="30", years="3", seed="5")
    assert len(ds.tickers) == 30 and ds.truth.seed == 5


def test_ambiguous_sample_parameters_are_config_errors():
    with pytest.raises(fl.ConfigError, match="n_tickers must be an integer, got 'lots'"):
        fl.load_dataset("sample", n_tickers="lots")
    with pytest.raises(fl.ConfigError, match="n_tickers must be at most 5000"):
        fl.load_dataset("sample", n_tickers=10_000)


def test_an_option_the_source_does_not_take_is_named():
    with pytest.raises(
        fl.DataError,
        match="n_ticker is not an option of sample; it accepts: n_tickers, seed, years",
    ):
        fl.load_dataset("sample", n_ticker=30)


def test_any_source_can_be_restricted_to_tickers_and_dates(small_sample, tmp_path):
    small_sample.save(tmp_path / "lab")
    alive = small_sample.prices.loc["2022-01-03"].dropna().index[:3].tolist()
    part = fl.load_dataset(
        str(tmp_path / "lab"), tickers=alive, start="2022-01-01", end="2022-06-30"
    )
    assert part.tickers == alive
    assert part.start >= pd.Timestamp("2022-01-01") and part.end <= pd.Timestamp("2022-06-30")
    whole = fl.load_dataset("sample", n_tickers=20, years=3, tickers=None, start="", end=None)
    assert len(whole.tickers) == 20
    with pytest.raises(fl.DataError, match="Unknown ticker 'AAA'"):
        fl.load_dataset("sample", n_tickers=20, years=3, tickers=["AAA"])


def test_the_yahoo_source_asks_for_tickers():
    with pytest.raises(fl.DataError, match=r"load_dataset\('yahoo'\) needs tickers"):
        fl.load_dataset("yahoo")
