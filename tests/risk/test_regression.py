"""The batched cross-sectional regression: statsmodels' numbers, the constraint, the edge dates."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm

from factorlab.risk.regression import fit_cross_sections


@pytest.fixture
def market():
    """Six dates, 80 stocks in four industries, two styles, sqrt-cap weights and some gaps."""
    rng = np.random.default_rng(11)
    dates, stocks = 6, 80
    industry = rng.integers(0, 4, stocks)
    industry[:3] = -1  # no industry: out of the regression
    styles = [rng.standard_normal((dates, stocks)) for _ in range(2)]
    caps = rng.lognormal(8, 1, (dates, stocks))
    returns = 0.001 + 0.01 * styles[0] - 0.004 * styles[1] + rng.normal(0, 0.02, (dates, stocks))
    returns[rng.random(returns.shape) < 0.1] = np.nan
    styles[1][rng.random(returns.shape) < 0.05] = np.nan
    return returns, styles, industry, caps


def _statsmodels_fit(returns, styles, industry, caps, date):
    """One date by hand: the constraint substituted into the design, then statsmodels' WLS."""
    y, x1, x2, c = returns[date], styles[0][date], styles[1][date], caps[date]
    used = np.isfinite(y) & np.isfinite(x1) & np.isfinite(x2) & (industry >= 0)
    dummies = np.eye(4)[industry[used]]
    share = np.array([c[used][industry[used] == p].sum() for p in range(4)])
    reference = int(np.argmax(share))
    others = [p for p in range(4) if p != reference]
    # f_ref = -sum_p share_p / share_ref f_p: each other industry's column less its share of ref's
    industry_columns = [
        dummies[:, p] - share[p] / share[reference] * dummies[:, reference] for p in others
    ]
    design = np.column_stack([np.ones(used.sum()), *industry_columns, x1[used], x2[used]])
    params = sm.WLS(y[used], design, weights=np.sqrt(c[used])).fit().params
    industries = np.zeros(4)
    industries[others] = params[1:4]
    industries[reference] = -share[others] @ params[1:4] / share[reference]
    return np.r_[params[0], industries, params[4:]]


def test_each_dates_factor_returns_equal_statsmodels_wls_with_the_constraint(market):
    returns, styles, industry, caps = market
    fit = fit_cross_sections(returns, styles, industry, 4, np.sqrt(caps), caps)
    for date in range(len(returns)):
        expected = _statsmodels_fit(returns, styles, industry, caps, date)
        np.testing.assert_allclose(fit.coefficients[date], expected, rtol=0, atol=1e-10)


def test_industry_returns_sum_to_zero_by_cap(market):
    returns, styles, industry, caps = market
    fit = fit_cross_sections(returns, styles, industry, 4, np.sqrt(caps), caps)
    used = np.isfinite(returns) & np.isfinite(styles[1]) & (industry >= 0)
    share = np.stack([np.where(used & (industry == p), caps, 0).sum(1) for p in range(4)], 1)
    np.testing.assert_allclose((share * fit.coefficients[:, 1:5]).sum(1), 0, atol=1e-12)


def test_residuals_are_the_returns_the_factors_leave(market):
    returns, styles, industry, caps = market
    fit = fit_cross_sections(returns, styles, industry, 4, np.sqrt(caps), caps)
    f = fit.coefficients
    stock = 10  # has an industry
    fitted = f[:, 0] + f[:, 1 + industry[stock]] + f[:, 5] * styles[0][:, stock]
    fitted += f[:, 6] * styles[1][:, stock]
    np.testing.assert_allclose(fit.residuals[:, stock], returns[:, stock] - fitted, atol=1e-15)
    assert np.isnan(fit.residuals[:, 0]).all()  # no industry: not modelled


def test_an_industry_absent_on_a_date_has_no_return_and_the_rest_still_fit(market):
    returns, styles, industry, caps = market
    returns = returns.copy()
    returns[2, industry == 3] = np.nan
    fit = fit_cross_sections(returns, styles, industry, 4, np.sqrt(caps), caps)
    assert np.isnan(fit.coefficients[2, 4])
    assert np.isfinite(np.delete(fit.coefficients[2], 4)).all()
    assert np.isfinite(fit.coefficients[3]).all()


def test_a_date_with_too_few_stocks_is_nan_not_an_error(market):
    returns, styles, industry, caps = market
    returns = returns.copy()
    returns[0] = np.nan
    returns[1, 8:] = np.nan  # five stocks for seven factors
    fit = fit_cross_sections(returns, styles, industry, 4, np.sqrt(caps), caps)
    assert np.isnan(fit.coefficients[:2]).all() and np.isnan(fit.r_squared[:2]).all()
    assert np.isfinite(fit.coefficients[2:, [0, 5, 6]]).all()


def test_r_squared_is_the_weighted_share_explained(market):
    returns, styles, industry, caps = market
    fit = fit_cross_sections(returns, styles, industry, 4, np.sqrt(caps), caps)
    assert ((fit.r_squared > 0) & (fit.r_squared < 1)).all()


def test_blocks_of_dates_on_threads_give_the_fit_of_one_block(market, monkeypatch):
    from factorlab.factors import rowwise

    returns, styles, industry, caps = market
    returns = np.tile(returns, (50, 1))  # 300 dates
    styles = [np.tile(x, (50, 1)) for x in styles]
    caps = np.tile(caps, (50, 1))
    whole = fit_cross_sections(returns, styles, industry, 4, np.sqrt(caps), caps)
    monkeypatch.setattr(rowwise, "BLOCK_CELLS", 7 * 80)  # blocks of 7 dates
    blocked = fit_cross_sections(returns, styles, industry, 4, np.sqrt(caps), caps)
    np.testing.assert_allclose(blocked.coefficients, whole.coefficients, rtol=0, atol=1e-15)
    np.testing.assert_allclose(blocked.residuals, whole.residuals, rtol=0, atol=1e-15)


def test_the_scale_of_the_weights_changes_nothing_even_with_an_absent_industry(market):
    returns, styles, industry, caps = market
    returns = returns.copy()
    returns[2, industry == 3] = np.nan
    small = fit_cross_sections(returns, styles, industry, 4, caps, caps)
    huge = fit_cross_sections(returns, styles, industry, 4, caps * 1e12, caps * 1e12)
    np.testing.assert_allclose(huge.coefficients, small.coefficients, rtol=1e-9, equal_nan=True)
    assert np.isfinite(huge.coefficients[2, [0, 1, 2, 3, 5, 6]]).all()
