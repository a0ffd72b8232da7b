"""String parameters, as papermill and the command line pass them, are parsed or rejected clearly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from factorlab.errors import ConfigError
from factorlab.params import as_bool, as_date, as_float, as_int, as_tickers, did_you_mean


@pytest.mark.parametrize("given", [300, "300", " 300 ", 300.0, "300.0", np.int64(300), "3_00"])
def test_as_int_accepts_whole_numbers_in_any_form(given):
    assert as_int(given, "n_tickers") == 300


@pytest.mark.parametrize("given", ["abc", "3.5", 3.5, True, None, float("nan"), "inf"])
def test_as_int_rejects_what_is_not_a_whole_number_and_names_the_parameter(given):
    with pytest.raises(ConfigError, match="n_tickers"):
        as_int(given, "n_tickers")


def test_as_int_enforces_a_minimum():
    with pytest.raises(ConfigError, match="n_tickers must be at least 20, got 5"):
        as_int("5", "n_tickers", minimum=20)


def test_as_float_parses_strings_and_rejects_infinity():
    assert as_float("0.25", "w") == 0.25
    with pytest.raises(ConfigError, match="finite"):
        as_float("inf", "w")
    with pytest.raises(ConfigError, match="w must be a number"):
        as_float("lots", "w")


@pytest.mark.parametrize(
    ("given", "expected"), [("true", True), ("No", False), ("1", True), (0, False)]
)
def test_as_bool_reads_common_spellings(given, expected):
    assert as_bool(given, "refresh") is expected


def test_as_bool_rejects_other_words():
    with pytest.raises(ConfigError, match="refresh must be true or false"):
        as_bool("maybe", "refresh")


def test_as_date_returns_naive_midnight_timestamps():
    assert as_date("2020-06-30", "end") == pd.Timestamp("2020-06-30")
    assert as_date(pd.Timestamp("2020-06-30 15:00", tz="US/Eastern"), "end") == pd.Timestamp(
        "2020-06-30"
    )


@pytest.mark.parametrize("given", ["soon", "", None])
def test_as_date_rejects_non_dates_with_an_example(given):
    with pytest.raises(ConfigError, match="end must be a date such as '2020-06-30'"):
        as_date(given, "end")


def test_as_tickers_splits_strings_uppercases_and_drops_duplicates():
    assert as_tickers("aapl, MSFT NVDA,aapl") == ["AAPL", "MSFT", "NVDA"]
    assert as_tickers(["msft"]) == ["MSFT"]


@pytest.mark.parametrize("given", ["", " , ", 42, [1, 2]])
def test_as_tickers_rejects_empty_or_non_string_input(given):
    with pytest.raises(ConfigError, match="tickers"):
        as_tickers(given)


def test_did_you_mean_suggests_the_closest_choice_or_nothing():
    assert did_you_mean("smaple", ["sample", "yahoo"]) == " Did you mean 'sample'?"
    assert did_you_mean("zzz", ["sample", "yahoo"]) == ""


def test_a_list_of_numbers_is_read_from_text_a_number_or_a_sequence_and_refused_empty():
    from factorlab.params import as_floats

    assert as_floats("1e6,1e8", "aum", "(1e6, 1e8)") == [1e6, 1e8]
    assert as_floats((0, 10), "costs_bps", "(0, 10)") == [0.0, 10.0]
    with pytest.raises(ConfigError, match=r"costs_bps is empty; give numbers such as \(0, 10\)"):
        as_floats("", "costs_bps", "(0, 10)")
    with pytest.raises(ConfigError, match="aum must be a number, got 'big'"):
        as_floats("1e6 big", "aum", "(1e6, 1e8)")


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("1,5,21", ["1", "5", "21"]),
        ("1 5  21", ["1", "5", "21"]),
        ("[1, 5, 21]", ["1", "5", "21"]),  # a list passed through papermill's -p
        ("(3, 5)", ["3", "5"]),
        ('["AAPL", "MSFT"]', ["AAPL", "MSFT"]),
        ("('value', 'momentum')", ["value", "momentum"]),
        ("[]", []),
    ],
)
def test_a_list_written_as_text_splits_into_its_items(text, items):
    from factorlab.params import split_items

    assert split_items(text) == items


def test_every_list_knob_reads_a_list_literal_passed_as_text():
    import warnings

    import factorlab as fl

    ds = fl.load_dataset("sample", n_tickers=30, years=3, seed=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = fl.evaluate(fl.factors.momentum(ds), ds, periods="[1, 5]")
    assert list(report.ic.columns) == [1, 5]
    assert [t["quantiles"] for t in fl.Grid(quantiles="[3, 5]").trials()] == [3, 5]
    assert len(fl.Grid(sector_bounds="(-0.05, 0.05)")) == 1  # one pair, not two values
    assert len(fl.Grid(sector_bounds="[(-0.05, 0.05), (-0.1, 0.1)]")) == 2
    assert len(fl.Grid(weights="[{'value': 1}, {'momentum': 1}]")) == 2
    assert ds.slice(tickers=f'["{ds.tickers[0]}"]').tickers == [ds.tickers[0]]
    assert as_tickers("['aapl', 'msft']") == ["AAPL", "MSFT"]
    model = fl.risk_model(ds, factors="['value', 'momentum']")
    assert repr(model).startswith("RiskModel(styles=['value', 'momentum']")


def test_bounds_read_a_pair_from_text_and_name_a_bad_one():
    from factorlab.backtest.optimizer import _bounds

    lo, hi = _bounds("(-0.05, 0.05)", ["Energy", "Utilities"], "sector_bounds")
    assert lo.tolist() == [-0.05, -0.05] and hi.tolist() == [0.05, 0.05]
    with pytest.raises(ConfigError, match=r"sector_bounds takes a \(lower, upper\) pair"):
        _bounds("(-0.05, 0, 0.05)", ["Energy"], "sector_bounds")
    with pytest.raises(ConfigError, match=r"sector_bounds takes a \(lower, upper\) pair"):
        _bounds("(low, 0.05)", ["Energy"], "sector_bounds")
    lo, hi = _bounds({"Energy": (0, np.inf)}, ["Energy", "Utilities"], "sector_bounds")
    assert lo.tolist() == [0, -np.inf] and hi.tolist() == [np.inf, np.inf]  # an open side
