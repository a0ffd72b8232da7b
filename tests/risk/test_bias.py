"""The bias statistic: 1 for a right forecast, and it moves with a wrong one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import factorlab as fl
from factorlab.risk.bias import bias_statistics, default_portfolios


@pytest.fixture
def known_risk():
    """Two stocks with daily volatility 1 % and 2 %, one book holding both equally."""
    rng = np.random.default_rng(7)
    dates = pd.bdate_range("2020-01-01", periods=3000)
    returns = rng.standard_normal((3000, 2)) * [0.01, 0.02]
    book = pd.DataFrame(0.5, index=dates, columns=["A", "B"])
    variance = np.full(3000, 0.25 * 0.01**2 + 0.25 * 0.02**2)
    return book, variance, returns, dates


def test_a_right_forecast_has_a_bias_of_one(known_risk):
    book, variance, returns, dates = known_risk
    table = bias_statistics({"book": book}, {"book": variance}, returns, dates, burn_in=100)
    row = table.loc["book"]
    assert row["low"] < row["bias"] < row["high"] and row["days"] == 2900


def test_a_forecast_of_twice_the_volatility_halves_the_statistic(known_risk):
    book, variance, returns, dates = known_risk
    right = bias_statistics({"b": book}, {"b": variance}, returns, dates, 0).at["b", "bias"]
    wrong = bias_statistics({"b": book}, {"b": 4 * variance}, returns, dates, 0).at["b", "bias"]
    assert wrong == pytest.approx(right / 2)


def test_a_day_missing_a_held_stocks_return_is_left_out(known_risk):
    book, variance, returns, dates = known_risk
    returns = returns.copy()
    returns[500, 1] = np.nan
    table = bias_statistics({"book": book}, {"book": variance}, returns, dates, burn_in=0)
    assert table.at["book", "days"] == 2999


def test_a_burn_in_as_long_as_the_data_or_negative_is_refused(known_risk):
    book, variance, returns, dates = known_risk
    for bad in (3000, -5):
        with pytest.raises(fl.ConfigError, match=f"burn_in must be .* got {bad}"):
            bias_statistics({"book": book}, {"book": variance}, returns, dates, burn_in=bad)


def test_default_test_books_are_fully_invested_every_day_with_a_cap():
    caps = pd.DataFrame(np.arange(1.0, 101.0)[None, :].repeat(5, 0))
    caps.iloc[0, :50] = np.nan
    books = default_portfolios(caps, n_random=2, size=10)
    assert list(books) == ["cap-weighted", "equal-weighted", "random 1", "random 2"]
    for weights in books.values():
        np.testing.assert_allclose(weights.sum(axis=1), 1.0)
        assert (weights.iloc[0, :50] == 0).all()
