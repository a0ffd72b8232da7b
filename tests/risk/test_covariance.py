"""Risk forecasts: pandas' exponential weights, Newey-West, shrinkage, and nothing from later."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from factorlab.risk.covariance import factor_covariances, specific_variances


@pytest.fixture
def returns() -> np.ndarray:
    rng = np.random.default_rng(4)
    out = rng.standard_normal((300, 3)) @ np.array([[1.0, 0.3, 0.0], [0, 1, 0.2], [0, 0, 1]]) * 0.01
    out[50:60, 2] = np.nan  # an industry with no stock for ten days
    return out


def test_without_lags_each_entry_is_pandas_ewm_mean_of_the_cross_products(returns):
    cov = factor_covariances(returns, halflife=40, lags=0)
    frame = pd.DataFrame(returns)
    for i, j in [(0, 0), (0, 1), (1, 2), (2, 2)]:
        expected = (frame[i] * frame[j]).ewm(halflife=40).mean()
        got = pd.Series(cov[:, i, j])
        known = got.notna()
        np.testing.assert_allclose(got[known], expected[known], rtol=1e-12)


def test_the_forecast_is_symmetric_and_nan_until_enough_days(returns):
    cov = factor_covariances(returns, halflife=40, lags=2)
    np.testing.assert_allclose(cov[100], cov[100].T)
    assert np.isnan(cov[:20]).all() and np.isfinite(cov[25]).all()


def test_newey_west_raises_the_variance_of_a_trending_factor():
    rng = np.random.default_rng(5)
    shocks = rng.standard_normal(3000) * 0.01
    trending = np.convolve(shocks, np.ones(5) / 5, mode="full")[:3000]  # autocorrelated
    both = np.column_stack([trending, shocks])
    plain, corrected = (factor_covariances(both, 500, lags)[-1] for lags in (0, 4))
    assert corrected[0, 0] > 2 * plain[0, 0]  # five-day sums have about 3x the naive variance
    assert corrected[1, 1] == pytest.approx(plain[1, 1], rel=0.2)  # white noise barely moves


def test_a_forecast_reads_nothing_after_its_day(returns):
    changed = returns.copy()
    changed[200:] *= 5
    np.testing.assert_array_equal(
        factor_covariances(returns, 40)[:200], factor_covariances(changed, 40)[:200]
    )


def test_specific_risk_shrinks_toward_the_size_groups_cap_weighted_mean():
    rng = np.random.default_rng(6)
    days, stocks = 120, 40
    vols = np.linspace(0.005, 0.04, stocks)
    specific = rng.standard_normal((days, stocks)) * vols
    caps = np.tile(np.arange(1.0, stocks + 1), (days, 1))  # size order = vol order
    own = specific_variances(specific, caps, halflife=60, shrinkage=0.0, groups=4)
    shrunk = specific_variances(specific, caps, halflife=60, shrinkage=1.0, groups=4)
    half = specific_variances(specific, caps, halflife=60, shrinkage=0.5, groups=4)
    np.testing.assert_allclose(half, (own + shrunk) / 2)
    group = slice(0, 10)  # the smallest decile pair: one group of ten
    expected = (own[-1, group] * caps[-1, group]).sum() / caps[-1, group].sum()
    np.testing.assert_allclose(shrunk[-1, group], expected)


def test_a_stock_without_enough_history_has_no_specific_risk_yet():
    specific = np.full((60, 3), 0.01)
    specific[:50, 2] = np.nan  # listed late
    caps = np.ones((60, 3))
    out = specific_variances(specific, caps, halflife=20)
    assert np.isnan(out[-1, 2]) and np.isfinite(out[-1, :2]).all()
