"""Quantile turnover and rank autocorrelation: alphalens' numbers, dates and stepping."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import factorlab as fl


def _market(rng: np.random.Generator, days: int = 260, stocks: int = 30):
    dates = pd.bdate_range("2021-01-04", periods=days)
    tickers = [f"S{i:02d}" for i in range(stocks)]
    returns = rng.normal(0, 0.02, (days, stocks))
    prices = pd.DataFrame(40 * np.cumprod(1 + returns, axis=0), index=dates, columns=tickers)
    # A persistent signal, so that turnover and autocorrelation are far from their noise values.
    level = np.cumsum(rng.normal(size=(days, stocks)), axis=0)
    factor = pd.DataFrame(level + rng.normal(0, 2, (days, stocks)), index=dates, columns=tickers)
    return prices, factor


def _alphalens(factor: pd.DataFrame, prices: pd.DataFrame, periods, **options):
    """alphalens' per-date turnover of every quantile and rank autocorrelation, per period."""
    import alphalens as al

    stacked = factor.stack()
    stacked.index.names = ["date", "asset"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = al.utils.get_clean_factor_and_forward_returns(
            stacked, prices, periods=periods, filter_zscore=None, max_loss=1.0, **options
        )
    buckets = sorted(data["factor_quantile"].unique())
    turnover = {
        h: pd.concat(
            [al.performance.quantile_turnover(data["factor_quantile"], k, h) for k in buckets],
            axis=1,
        )
        for h in periods
    }
    autocorrelation = pd.concat(
        [al.performance.factor_rank_autocorrelation(data, h) for h in periods], axis=1
    )
    return turnover, autocorrelation


def _check(report: fl.FactorReport, factor, prices, periods, **options) -> None:
    theirs_turnover, theirs_autocorrelation = _alphalens(factor, prices, periods, **options)
    for h in periods:
        ours = report.quantile_turnover(h).dropna(how="all", axis=1)
        theirs = theirs_turnover[h]
        assert list(ours.columns) == [int(k) for k in theirs.columns]
        np.testing.assert_array_equal(ours.index, theirs.index)
        np.testing.assert_allclose(ours.to_numpy(), theirs.to_numpy(), atol=1e-12)
    ours = report.rank_autocorrelation_by_date()
    np.testing.assert_array_equal(ours.index, theirs_autocorrelation.index)
    np.testing.assert_allclose(ours.to_numpy(), theirs_autocorrelation.to_numpy(), atol=1e-12)
    means = report.turnover
    np.testing.assert_allclose(
        means["rank autocorrelation"].to_numpy(), theirs_autocorrelation.mean().to_numpy()
    )


def _evaluate(factor, prices, periods, **options) -> fl.FactorReport:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the last days have no forward return
        return fl.evaluate(factor, prices=prices, periods=periods, drop_incomplete=True, **options)


def test_a_daily_factor_turns_over_as_in_alphalens():
    prices, factor = _market(np.random.default_rng(1))
    factor = factor.mask(np.random.default_rng(2).random(factor.shape) < 0.1)  # gaps
    report = _evaluate(factor, prices, (1, 5), quantiles=5)
    _check(report, factor, prices, (1, 5), quantiles=5)


def test_a_monthly_factor_steps_by_its_own_dates():
    prices, factor = _market(np.random.default_rng(3))
    month_ends = factor.groupby(factor.index.to_period("M")).tail(1).index
    monthly = factor.loc[month_ends]
    report = _evaluate(monthly, prices, (1, 2), quantiles=4)
    _check(report, monthly, prices, (1, 2), quantiles=4)
    # Consecutive months compare, instead of days a month apart that no factor date has.
    assert report.rank_autocorrelation_by_date()[1].notna().sum() == len(month_ends) - 2
    assert report.turnover.loc[1, [1, 2, 3, 4]].notna().all()


def test_a_factor_with_a_gap_of_dates_steps_over_the_gap():
    prices, factor = _market(np.random.default_rng(4))
    gapped = factor.drop(factor.index[100:110])
    report = _evaluate(gapped, prices, (1, 3), quantiles=3)
    _check(report, gapped, prices, (1, 3), quantiles=3)


def test_an_empty_bucket_has_no_turnover_that_day_or_the_next():
    prices, factor = _market(np.random.default_rng(5))
    factor.iloc[[50, 51, 90]] = factor.iloc[[50, 51, 90]].clip(upper=1.5)  # nothing above 2
    edges = [-np.inf, -2.0, 2.0, np.inf]
    report = _evaluate(factor, prices, (1, 2), quantiles=None, bins=edges)
    _check(report, factor, prices, (1, 2), quantiles=None, bins=edges)
    turnover = report.quantile_turnover(1)
    assert turnover.loc[factor.index[[50, 51, 52, 90, 91]], 3].isna().all()
    assert turnover.loc[factor.index[[49, 53, 89, 92]], 3].notna().all()


def test_a_changing_universe_correlates_ranks_over_the_stocks_on_both_dates():
    prices, factor = _market(np.random.default_rng(6))
    listed = pd.DataFrame(True, index=factor.index, columns=factor.columns)
    listed.iloc[:120, :5] = False  # five stocks list late
    listed.iloc[200:, 5:10] = False  # five leave
    factor = factor.where(listed)
    report = _evaluate(factor, prices, (1, 21), quantiles=5)
    _check(report, factor, prices, (1, 21), quantiles=5)


def test_a_persistent_factor_turns_over_less_than_noise(shared_noise):
    prices, factor, noise = shared_noise
    persistent = _evaluate(factor, prices, (1,), quantiles=5)
    random = _evaluate(noise, prices, (1,), quantiles=5)
    buckets = [1, 2, 3, 4, 5]
    assert persistent.rank_autocorrelation[1] > 0.9 > 0.1 > abs(random.rank_autocorrelation[1])
    assert (persistent.turnover.loc[1, buckets] < random.turnover.loc[1, buckets]).all()
    # A noise factor's top fifth is about four-fifths new every day.
    assert random.turnover.loc[1, 5] == pytest.approx(0.8, abs=0.05)


@pytest.fixture(scope="module")
def shared_noise():
    prices, factor = _market(np.random.default_rng(7), stocks=60)
    noise = pd.DataFrame(
        np.random.default_rng(8).normal(size=factor.shape),
        index=factor.index,
        columns=factor.columns,
    )
    return prices, factor, noise


def test_turnover_lags_are_periods_of_the_report():
    prices, factor = _market(np.random.default_rng(9), days=60)
    report = _evaluate(factor, prices, (1, 5), quantiles=5)
    with pytest.raises(fl.ConfigError, match="No period 3 in this report; it has 1, 5"):
        report.quantile_turnover(3)


def test_a_day_without_values_inside_a_daily_factor_is_a_step_with_no_turnover():
    prices, factor = _market(np.random.default_rng(10), days=80)
    factor.iloc[20] = np.nan  # an outage: the date is there, its values are not
    report = _evaluate(factor, prices, (1, 2), quantiles=4)
    _check(report, factor, prices, (1, 2), quantiles=4)
    outage, after = factor.index[20], factor.index[21]
    assert report.rank_autocorrelation_by_date().loc[[outage, after], 1].isna().all()
    assert report.quantile_turnover(1).loc[after].isna().all()
