"""The cases of alphalens-reloaded's own tests, checked on factorlab.

Inputs and expected values are taken from alphalens-reloaded's ``tests/test_utils.py``
(``quantize_factor``, ``get_clean_factor_and_forward_returns``) and ``tests/test_performance.py``
(``factor_information_coefficient``, ``mean_information_coefficient``,
``mean_return_by_quantile``, ``quantile_turnover``, ``factor_rank_autocorrelation``,
``factor_weights``, ``factor_returns``, ``factor_alpha_beta``); each is fed to ``fl.evaluate`` the
way factorlab takes it. Not ported: cases with ``group_adjust`` (factorlab has no group-demeaned
IC or returns), ``by_time`` means, intraday prices, and ``average_cumulative_return_by_quantile``
(its expected values come from alphalens-reloaded's returns that are not relative to the event
day; see ``factorlab.backtest.events``).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import factorlab as fl

nan = np.nan


def _evaluate(values, prices=None, periods=(1,), dates=None, **options) -> fl.FactorReport:
    """``values`` (dates × assets) evaluated on ``prices`` (by default flat, one day longer)."""
    values = np.asarray(values, dtype=float)
    if dates is None:
        dates = pd.date_range("2015-01-01", periods=len(values) + max(periods))
    tickers = [chr(ord("A") + i) for i in range(values.shape[1])]
    if prices is None:
        prices = np.ones((len(dates), values.shape[1]))
    prices = pd.DataFrame(prices, index=dates, columns=tickers)
    factor = pd.DataFrame(values, index=dates[: len(values)], columns=tickers)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tiny cross-sections lose values by design
        return fl.evaluate(factor, prices=prices, periods=periods, **options)


# test_utils.py: factor_data (A, B in group 1; C, D in group 2) and the biased factor's
# eight assets (groups 1, 1, 2, 2, 1, 1, 2, 2).
FACTOR = [[1, 2, 3, 4], [4, 3, 2, 1]]
FACTOR_GROUPS = {"A": 1, "B": 1, "C": 2, "D": 2}
BIASED = [[-1, 3, -2, 4, -5, 7, -6, 8], [-4, 2, -3, 1, -8, 6, -7, 5]]
BIASED_GROUPS = {"A": 1, "B": 1, "C": 2, "D": 2, "E": 1, "F": 1, "G": 2, "H": 2}

QUANTIZE_CASES = [
    # (factor, quantiles, bins, by_group, zero_aware, expected labels, row by row)
    ("factor", 4, None, False, False, [1, 2, 3, 4, 4, 3, 2, 1]),
    ("factor", 2, None, False, False, [1, 1, 2, 2, 2, 2, 1, 1]),
    ("factor", 2, None, True, False, [1, 2, 1, 2, 2, 1, 2, 1]),
    ("biased", 4, None, False, True, [2, 3, 2, 3, 1, 4, 1, 4, 2, 3, 2, 3, 1, 4, 1, 4]),
    ("biased", 2, None, False, True, [1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2]),
    ("biased", 2, None, True, True, [1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2]),
    ("biased", None, 4, False, True, [2, 3, 2, 3, 1, 4, 1, 4, 2, 3, 2, 3, 1, 4, 1, 4]),
    ("biased", None, 2, False, True, [1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2]),
    ("biased", None, 2, True, True, [1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2]),
    ("factor", [0, 0.25, 0.5, 0.75, 1.0], None, False, False, [1, 2, 3, 4, 4, 3, 2, 1]),
    ("factor", [0, 0.5, 0.75, 1.0], None, False, False, [1, 1, 2, 3, 3, 2, 1, 1]),
    ("factor", [0, 0.25, 0.5, 1.0], None, False, False, [1, 2, 3, 3, 3, 3, 2, 1]),
    ("factor", [0, 0.5, 1.0], None, False, False, [1, 1, 2, 2, 2, 2, 1, 1]),
    ("factor", [0.25, 0.5, 0.75], None, False, False, [nan, 1, 2, nan, nan, 2, 1, nan]),
    ("factor", [0, 0.5, 1.0], None, True, False, [1, 2, 1, 2, 2, 1, 2, 1]),
    ("factor", [0.5, 1.0], None, True, False, [nan, 1, nan, 1, 1, nan, 1, nan]),
    ("factor", [0, 1.0], None, True, False, [1, 1, 1, 1, 1, 1, 1, 1]),
    ("factor", None, 4, False, False, [1, 2, 3, 4, 4, 3, 2, 1]),
    ("factor", None, 2, False, False, [1, 1, 2, 2, 2, 2, 1, 1]),
    ("factor", None, 3, False, False, [1, 1, 2, 3, 3, 2, 1, 1]),
    ("factor", None, 8, False, False, [1, 3, 6, 8, 8, 6, 3, 1]),
    ("factor", None, [0, 1, 2, 3, 5], False, False, [1, 2, 3, 4, 4, 3, 2, 1]),
    ("factor", None, [1, 2, 3], False, False, [nan, 1, 2, nan, nan, 2, 1, nan]),
    ("factor", None, [0, 2, 5], False, False, [1, 1, 2, 2, 2, 2, 1, 1]),
    ("factor", None, [0.5, 2.5, 4.5], False, False, [1, 1, 2, 2, 2, 2, 1, 1]),
    ("factor", None, [0.5, 2.5], True, False, [1, 1, nan, nan, nan, nan, 1, 1]),
    ("factor", None, 2, True, False, [1, 2, 1, 2, 2, 1, 2, 1]),
]


@pytest.mark.parametrize(
    ("which", "quantiles", "bins", "by_group", "zero_aware", "expected"), QUANTIZE_CASES
)
def test_quantize_factor_cases(which, quantiles, bins, by_group, zero_aware, expected):
    values, groups = (FACTOR, FACTOR_GROUPS) if which == "factor" else (BIASED, BIASED_GROUPS)
    report = _evaluate(
        values,
        quantiles=quantiles,
        bins=bins,
        by_group=by_group,
        zero_aware=zero_aware,
        groupby=groups,
    )
    labels = report.buckets[1].iloc[:2].to_numpy().ravel()
    np.testing.assert_array_equal(labels, np.array(expected, dtype=float))


def _prices_for(forward_returns: list[list[float]]) -> np.ndarray:
    """Prices whose one-day forward returns are ``forward_returns`` (dates × assets)."""
    growth = 1 + np.asarray(forward_returns, dtype=float)
    return np.vstack([np.ones(growth.shape[1]), np.cumprod(growth, axis=0)])


@pytest.mark.parametrize(
    ("forward", "expected"),
    [([[4, 3, 2, 1], [1, 2, 3, 4]], [-1.0, -1.0]), ([[1, 2, 3, 4], [4, 3, 2, 1]], [1.0, 1.0])],
)
def test_information_coefficient_cases(forward, expected):
    report = _evaluate(FACTOR, _prices_for(forward), quantiles=None, bins=1)
    np.testing.assert_allclose(report.ic[1].iloc[:2].to_numpy(), expected, atol=1e-15)


def test_information_coefficient_by_group_case():
    report = _evaluate(
        FACTOR,
        _prices_for([[1, 2, 3, 4], [4, 3, 2, 1]]),
        quantiles=None,
        bins=1,
        groupby=FACTOR_GROUPS,
    )
    by_group = report.ic_by_group[1]
    assert list(by_group.index.get_level_values("group")) == [1, 2, 1, 2]
    np.testing.assert_allclose(by_group.to_numpy(), 1.0, atol=1e-15)
    np.testing.assert_allclose(report.mean_ic_by_group()[1].to_numpy(), [1.0, 1.0], atol=1e-15)


MEAN_RETURN_CASES = [
    # (daily growth per asset, factor on three days, bins, by_group, expected means)
    (
        [1.1, 1.2, 1.1, 1.2, 1.1, 1.2],
        [[1, 2, 1, 2, 1, 2]] * 3,
        2,
        False,
        [0.1, 0.2],
    ),
    (
        [1.1, 1.2, 1.1, 1.2, 1.1, 1.2],
        [[1, 2, 1, 2, 1, 2]] * 3,
        2,
        True,
        [0.1, 0.1, 0.2, 0.2],
    ),
    (
        [1.1, 1.1, 1.1, 1.2, 1.2, 1.2],
        [[1, 2, 3, 1, 2, 3]] * 3,
        3,
        False,
        [0.15, 0.15, 0.15],
    ),
    (
        [1.1, 1.1, 1.1, 1.2, 1.2, 1.2],
        [[1, 2, 3, 1, 2, 3]] * 3,
        3,
        True,
        [0.1, 0.2, 0.1, 0.2, 0.1, 0.2],
    ),
    (
        [1.5, 1.5, 1.2, 1.0, 1.0, 1.0],
        [[1, 1, 2, 2, 2, 2], [2, 2, 1, 2, 2, 2], [2, 2, 1, 2, 2, 2]],
        2,
        False,
        [0.3, 0.15],
    ),
    (
        [1.5, 1.5, 1.2, 1.0, 1.0, 1.0],
        [[1, 1, 3, 2, 2, 2], [3, 3, 1, 2, 2, 2], [3, 3, 1, 2, 2, 2]],
        3,
        False,
        [0.3, 0.0, 0.4],
    ),
    (
        [1.6, 1.6, 1.0, 1.0, 1.0, 1.0],
        [[1, 1, 2, 2, 2, 2], [2, 2, 1, 1, 1, 1], [2, 2, 1, 1, 1, 1]],
        2,
        False,
        [0.2, 0.4],
    ),
    (
        [1.6, 1.6, 1.0, 1.6, 1.6, 1.0],
        [[1, 1, 2, 1, 1, 2], [2, 2, 1, 2, 2, 1], [2, 2, 1, 2, 2, 1]],
        2,
        True,
        [0.2, 0.2, 0.4, 0.4],
    ),
]


@pytest.mark.parametrize(("growth", "factor", "bins", "by_group", "expected"), MEAN_RETURN_CASES)
def test_mean_return_by_quantile_cases(growth, factor, bins, by_group, expected):
    prices = np.array([[g**i for g in growth] for i in range(1, 5)])
    groups = dict(zip("ABCDEF", [1, 1, 1, 2, 2, 2], strict=True))
    report = _evaluate(
        factor,
        prices,
        dates=pd.date_range("2015-01-11", periods=4),
        quantiles=None,
        bins=bins,
        groupby=groups,
    )
    if by_group:  # alphalens orders them by quantile, then group
        got = report.quantile_returns_by_group[1].swaplevel().sort_index().to_numpy()
    else:
        got = report.quantile_returns[1].to_numpy()
    np.testing.assert_allclose(got, expected, atol=1e-12)


# test_performance.py's quantile_turnover cases: labels given directly, here as values cut at
# fixed edges so that each value is its own bucket.
UP, DOWN, SWAP = [1.0, 2.0, 3.0, 4.0], [4.0, 3.0, 2.0, 1.0], [1.0, 3.0, 2.0, 4.0]
TURNOVER_CASES = [
    ([UP, DOWN, UP, UP], 4, 1, [nan, 1.0, 1.0, 0.0]),
    ([UP, DOWN, UP, UP], 4, 2, [nan, nan, 0.0, 1.0]),
    ([UP, DOWN, UP, UP], 4, 3, [nan, nan, nan, 0.0]),
    ([UP, UP, UP, UP], 3, 1, [nan, 0.0, 0.0, 0.0]),
    ([UP, UP, UP, UP], 3, 2, [nan, nan, 0.0, 0.0]),
    ([UP, UP, UP, UP], 3, 3, [nan, nan, nan, 0.0]),
    ([UP, DOWN, UP, DOWN], 2, 1, [nan, 1.0, 1.0, 1.0]),
    ([UP, SWAP] * 6, 3, 4, [nan] * 4 + [0.0] * 8),
    ([UP, SWAP] * 5 + [UP, UP], 3, 10, [nan] * 10 + [0.0, 1.0]),
]


@pytest.mark.parametrize(("labels", "quantile", "period", "expected"), TURNOVER_CASES)
def test_quantile_turnover_cases(labels, quantile, period, expected):
    report = _evaluate(labels, periods=(1, period), quantiles=None, bins=[0.5, 1.5, 2.5, 3.5, 4.5])
    got = report.quantile_turnover(period)[quantile].iloc[: len(labels)]
    np.testing.assert_array_equal(got.to_numpy(), expected)


AUTOCORRELATION_CASES = [
    ([UP, UP, UP, UP], 1, [nan, 1.0, 1.0, 1.0]),
    ([DOWN, UP, DOWN, UP], 1, [nan, -1.0, -1.0, -1.0]),
    (
        [UP, [2, 1, 4, 3], DOWN, UP, [2, 1, 4, 3], DOWN]
        + [[2, 1, 4, 3], DOWN, UP, [2, 1, 4, 3], [2, 1, 4, 3], DOWN],
        3,
        [nan, nan, nan, 1.0, 1.0, 1.0, 0.6, -0.6, -1.0, 1.0, -0.6, -1.0],
    ),
]


@pytest.mark.parametrize(("values", "period", "expected"), AUTOCORRELATION_CASES)
def test_factor_rank_autocorrelation_cases(values, period, expected):
    report = _evaluate(values, periods=sorted({1, period}), quantiles=None, bins=1)
    got = report.rank_autocorrelation_by_date()[period].iloc[: len(values)]
    np.testing.assert_allclose(got.to_numpy(), expected, atol=1e-12)


WEIGHT_CASES = [
    # (factor, demeaned, equal_weight, expected weights of the values present, row by row)
    (
        [[3, 4, 2, 1, nan], [3, 4, -2, -1, nan], [3, nan, nan, 1, 4]],
        False,
        False,
        [0.30, 0.40, 0.20, 0.10, 0.30, 0.40, -0.20, -0.10, 0.375, 0.125, 0.50],
    ),
    (
        [[3, 4, 2, 1, nan], [3, 4, -2, -1, nan], [3, nan, nan, 1, 4]],
        True,
        False,
        [0.125, 0.375, -0.125, -0.375, 0.20, 0.30, -0.30, -0.20, 0.10, -0.50, 0.40],
    ),
    (
        [[3, 4, 2, 1, 5], [3, 4, -2, -1, 5], [3, nan, nan, 1, nan]],
        False,
        True,
        [0.20, 0.20, 0.20, 0.20, 0.20, 0.20, 0.20, -0.20, -0.20, 0.20, 0.50, 0.50],
    ),
    (
        [[1, 4, 2, 3, nan], [1, 4, -2, -3, nan], [3, nan, nan, 2, 7]],
        True,
        True,
        [-0.25, 0.25, -0.25, 0.25, 0.25, 0.25, -0.25, -0.25, 0.0, -0.50, 0.50],
    ),
]


@pytest.mark.parametrize(("values", "demeaned", "equal_weight", "expected"), WEIGHT_CASES)
def test_factor_weights_cases(values, demeaned, equal_weight, expected):
    report = _evaluate(values, quantiles=None, bins=1)
    weights = report.factor_weights(demeaned=demeaned, equal_weight=equal_weight).iloc[:3]
    got = weights.to_numpy().ravel()
    np.testing.assert_allclose(got[~np.isnan(got)], expected, atol=1e-12)


@pytest.mark.parametrize(
    ("factor", "forward", "expected"),
    [
        (FACTOR, [[4, 3, 2, 1], [1, 2, 3, 4]], [-1.25, -1.25]),
        ([[1, 1, 1, 1], [1, 1, 1, 1]], [[4, 3, 2, 1], [1, 2, 3, 4]], [0.0, 0.0]),
    ],
)
def test_factor_returns_cases(factor, forward, expected):
    report = _evaluate(factor, _prices_for(forward), quantiles=None, bins=1)
    np.testing.assert_allclose(
        report.factor_returns(demeaned=True)[1].iloc[:2].to_numpy(), expected, atol=1e-12
    )


def test_factor_alpha_beta_case():
    report = _evaluate(FACTOR, _prices_for([[1, 2, 3, 4], [1, 1, 1, 1]]), quantiles=None, bins=1)
    alpha, beta = report.alpha_beta()[1]
    assert alpha == pytest.approx(-1.0, abs=1e-12)
    assert beta == pytest.approx(5 / 6, abs=1e-12)


FACTOR_DATA_PRICES = [[1.10**i, 0.50**i, 3.00**i, 0.90**i, 0.50**i, 1.00**i] for i in range(1, 9)]
FACTOR_DATA_GROUPS = {"A": 1, "B": 2, "C": 1, "D": 2, "E": 1, "F": 2}


def test_clean_factor_and_forward_returns_case_of_a_daily_factor():
    factor = [[3, 4, 2, 1, nan, nan], [3, nan, nan, 1, 4, 2], [3, 4, 2, 1, nan, nan]]
    report = _evaluate(
        factor,
        FACTOR_DATA_PRICES[:6],
        periods=(1, 2, 3),
        dates=pd.date_range("2015-01-11", periods=6),
        quantiles=4,
        groupby=FACTOR_DATA_GROUPS,
    )
    expected = [
        [0.1, 0.21, 0.331, 3.0, 1, 3],
        [-0.5, -0.75, -0.875, 4.0, 2, 4],
        [2.0, 8.00, 26.000, 2.0, 1, 2],
        [-0.1, -0.19, -0.271, 1.0, 2, 1],
        [0.1, 0.21, 0.331, 3.0, 1, 3],
        [-0.1, -0.19, -0.271, 1.0, 2, 1],
        [-0.5, -0.75, -0.875, 4.0, 1, 4],
        [0.0, 0.00, 0.000, 2.0, 2, 2],
        [0.1, 0.21, 0.331, 3.0, 1, 3],
        [-0.5, -0.75, -0.875, 4.0, 2, 4],
        [2.0, 8.00, 26.000, 2.0, 1, 2],
        [-0.1, -0.19, -0.271, 1.0, 2, 1],
    ]
    _check_factor_data(report.factor_data(), expected)


def test_clean_factor_and_forward_returns_case_of_an_event():
    factor = [
        [1, nan, nan, nan, nan, 6],
        [4, nan, nan, 7, nan, nan],
        [nan, nan, nan, nan, nan, nan],
        [nan, 3, nan, 2, nan, nan],
        [nan, nan, 1, nan, 3, nan],
    ]
    report = _evaluate(
        factor,
        FACTOR_DATA_PRICES,
        periods=(1, 2, 3),
        dates=pd.bdate_range("2017-01-12", periods=8),
        quantiles=4,
        groupby=FACTOR_DATA_GROUPS,
    )
    expected = [
        [0.1, 0.21, 0.331, 1.0, 1, 1],
        [0.0, 0.00, 0.000, 6.0, 2, 4],
        [0.1, 0.21, 0.331, 4.0, 1, 1],
        [-0.1, -0.19, -0.271, 7.0, 2, 4],
        [-0.5, -0.75, -0.875, 3.0, 2, 4],
        [-0.1, -0.19, -0.271, 2.0, 2, 1],
        [2.0, 8.00, 26.000, 1.0, 1, 1],
        [-0.5, -0.75, -0.875, 3.0, 1, 4],
    ]
    _check_factor_data(report.factor_data(), expected)


def _check_factor_data(ours: pd.DataFrame, expected: list[list[float]]) -> None:
    """alphalens' columns 1D, 2D, 3D, factor, group, factor_quantile, row by row."""
    columns = ["1D", "2D", "3D", "factor", "group", "factor_quantile"]
    np.testing.assert_allclose(ours[columns].to_numpy(dtype=float), expected, rtol=1e-12)
