"""Performance metrics: hand-worked values, agreement with empyrical, and the shape contract."""

from __future__ import annotations

import math

import empyrical
import numpy as np
import pandas as pd
import pytest

import factorlab as fl
from factorlab.backtest import metrics as m
from factorlab.errors import ConfigError


@pytest.fixture(scope="module")
def daily() -> pd.DataFrame:
    rng = np.random.default_rng(4)
    index = pd.bdate_range("2015-01-01", periods=1500)
    data = {
        "steady": rng.normal(0.0005, 0.01, 1500),
        "fat_tails": rng.standard_t(3, 1500) * 0.01 + 0.0003,
        "losing": rng.normal(-0.0004, 0.015, 1500),
    }
    return pd.DataFrame(data, index=index)


@pytest.fixture(scope="module")
def market_returns(daily) -> pd.Series:
    rng = np.random.default_rng(5)
    return pd.Series(rng.normal(0.0003, 0.009, len(daily)), index=daily.index)


# -- agreement with empyrical (daily, NaN-free data) ------------------------------------------


@pytest.mark.parametrize("column", ["steady", "fat_tails", "losing"])
def test_agrees_with_empyrical(daily, market_returns, column):
    r = daily[column]
    rf_annual = 0.02
    rf_daily = (1 + rf_annual) ** (1 / 252) - 1
    assert m.cagr(r) == pytest.approx(empyrical.annual_return(r), abs=1e-10)
    assert m.annual_volatility(r) == pytest.approx(empyrical.annual_volatility(r), abs=1e-10)
    assert m.sharpe_ratio(r) == pytest.approx(empyrical.sharpe_ratio(r), abs=1e-10)
    assert m.sharpe_ratio(r, risk_free=rf_annual) == pytest.approx(
        empyrical.sharpe_ratio(r, risk_free=rf_daily), abs=1e-10
    )
    assert m.sortino_ratio(r) == pytest.approx(empyrical.sortino_ratio(r), abs=1e-10)
    assert m.max_drawdown(r) == pytest.approx(empyrical.max_drawdown(r), abs=1e-10)
    assert m.calmar_ratio(r) == pytest.approx(empyrical.calmar_ratio(r), abs=1e-10)
    alpha, beta = empyrical.alpha_beta(r, market_returns, risk_free=rf_daily)
    ours = m.beta_alpha(r, market_returns, risk_free=rf_annual)
    assert ours["beta"] == pytest.approx(beta, abs=1e-10)
    assert ours["alpha_ann"] == pytest.approx(alpha, abs=1e-10)


def test_a_dataframe_gives_one_figure_per_column_equal_to_each_series(daily, market_returns):
    for func in (
        m.cagr,
        m.annual_volatility,
        m.sharpe_ratio,
        m.sortino_ratio,
        m.max_drawdown,
        m.calmar_ratio,
        m.hit_rate,
        m.probabilistic_sharpe_ratio,
    ):
        table = func(daily)
        assert isinstance(table, pd.Series) and list(table.index) == list(daily.columns)
        for column in daily:
            value = func(daily[column])
            assert isinstance(value, float)
            assert table[column] == pytest.approx(value, abs=1e-12)
    both = m.beta_alpha(daily, market_returns)
    assert list(both.columns) == ["beta", "alpha_ann"]
    assert both.loc["steady", "beta"] == pytest.approx(
        m.beta_alpha(daily["steady"], market_returns)["beta"]
    )


def test_inputs_are_not_modified(daily, market_returns):
    before = daily.copy()
    for func in (m.cagr, m.sharpe_ratio, m.max_drawdown, m.sortino_ratio):
        func(daily)
    m.beta_alpha(daily, market_returns)
    pd.testing.assert_frame_equal(daily, before)


# -- hand-worked values -------------------------------------------------------------------------


def test_cagr_uses_periods_not_calendar_days():
    # 26 weekly returns of +0.6 %: half a year, so the annual rate is 1.006 ** 52 - 1.
    assert m.cagr(pd.Series([0.006] * 26), periods_per_year=52) == pytest.approx(1.006**52 - 1)


def test_max_drawdown_counts_from_a_starting_wealth_of_one():
    assert m.max_drawdown(pd.Series([-0.2, 0.1])) == pytest.approx(-0.2)
    assert m.max_drawdown(pd.Series([0.1, -0.5, 0.2])) == pytest.approx(-0.5)
    assert m.max_drawdown(pd.Series([0.01, 0.02])) == 0.0


def test_calmar_is_nan_without_a_drawdown():
    assert math.isnan(m.calmar_ratio(pd.Series([0.01, 0.02, 0.0]), periods_per_year=252))


def test_sortino_averages_squared_shortfalls_over_all_periods():
    r = pd.Series([0.02, -0.01, 0.03, -0.02])
    downside = math.sqrt((0.01**2 + 0.02**2) / 4)
    assert m.sortino_ratio(r, periods_per_year=12) == pytest.approx(
        r.mean() * 12 / (downside * math.sqrt(12))
    )


def test_hit_rate_ignores_missing_returns():
    assert m.hit_rate(pd.Series([0.01, -0.01, np.nan, 0.02])) == pytest.approx(2 / 3)


def test_missing_returns_are_skipped_not_read_as_zero():
    with_gap = pd.Series([0.01, np.nan, 0.03, -0.02])
    without = pd.Series([0.01, 0.03, -0.02])
    assert m.sharpe_ratio(with_gap, periods_per_year=252) == pytest.approx(
        m.sharpe_ratio(without, periods_per_year=252)
    )
    assert m.cagr(with_gap, periods_per_year=252) == pytest.approx(
        m.cagr(without, periods_per_year=252)
    )


def test_tracking_error_and_information_ratio_by_hand():
    r = pd.Series([0.02, 0.00, 0.01, 0.03])
    b = pd.Series([0.01, 0.01, 0.00, 0.02])
    active = r - b  # 0.01, -0.01, 0.01, 0.01
    assert m.tracking_error(r, b, periods_per_year=12) == pytest.approx(
        active.std() * math.sqrt(12)
    )
    assert m.information_ratio(r, b, periods_per_year=12) == pytest.approx(
        active.mean() / active.std() * math.sqrt(12)
    )


def test_a_constant_series_gives_nan_or_inf_not_an_error():
    flat = pd.Series([0.0] * 10)
    assert math.isnan(m.sharpe_ratio(flat, periods_per_year=252))
    assert m.max_drawdown(flat) == 0.0


# -- probabilistic and deflated Sharpe ratios ---------------------------------------------------


def test_psr_matches_the_formula_worked_by_hand(daily):
    r = daily["steady"]
    sr = r.mean() / r.std()
    centred = r - r.mean()
    skew = (centred**3).mean() / (centred**2).mean() ** 1.5
    kurt = (centred**4).mean() / (centred**2).mean() ** 2
    z = sr * math.sqrt(len(r) - 1) / math.sqrt(1 - skew * sr + (kurt - 1) / 4 * sr**2)
    expected = 0.5 * (1 + math.erf(z / math.sqrt(2)))
    assert m.probabilistic_sharpe_ratio(r) == pytest.approx(expected, abs=1e-12)


def test_deflated_sharpe_reproduces_bailey_and_lopez_de_prados_example():
    """Their example: annual SR 2.5 over 1250 days, 100 trials with annual SR variance 0.5,
    skewness -3, kurtosis 10. Worked through the paper's formulas (with 250 days a year) the
    deflated Sharpe ratio is about 0.90."""
    sr = 2.5 / math.sqrt(250)
    star = m.expected_max_sharpe(100, 0.5 / 250)
    # Expected best of 100 unskilled trials, annualized: sqrt(0.5) * (0.4228 * Z(0.99) + 0.5772 *
    # Z(1 - 1 / (100 e))) = 0.7071 * (0.4228 * 2.3263 + 0.5772 * 2.6802) = 1.789.
    assert star * math.sqrt(250) == pytest.approx(1.789, abs=1e-3)
    dsr = m._psr(np.array([sr]), star, np.array([1250]), np.array([-3.0]), np.array([10.0]))[0]
    assert dsr == pytest.approx(0.90, abs=0.01)


def test_more_trials_deflate_the_sharpe_ratio_more(daily):
    r = daily["steady"]
    one = m.deflated_sharpe_ratio(r, n_trials=1, sharpe_variance=0.5)
    many = m.deflated_sharpe_ratio(r, n_trials=1000, sharpe_variance=0.5)
    assert one == pytest.approx(m.probabilistic_sharpe_ratio(r))
    assert many < one


def test_bad_parameters_are_named():
    with pytest.raises(ConfigError, match="periods_per_year must be a positive number"):
        m.sharpe_ratio(pd.Series([0.01, 0.02]), periods_per_year=0)
    with pytest.raises(ConfigError, match="returns must be a pandas Series or DataFrame"):
        m.cagr([0.01, 0.02])
    with pytest.raises(ConfigError, match="n_trials must be at least 1"):
        m.deflated_sharpe_ratio(
            pd.Series([0.01, 0.02]), n_trials=0, sharpe_variance=0.1, periods_per_year=252
        )


# -- how many periods make a year --------------------------------------------------------------


def test_the_frequency_is_read_from_the_dates_weekly_worked_check():
    weeks = pd.Series(0.006, index=pd.date_range("2024-01-05", periods=26, freq="W-FRI"))
    assert m.cagr(weeks) == pytest.approx(1.006**52 - 1)  # 36.5 %, not 1.006^252 - 1
    assert m.sharpe_ratio(weeks + [0.001, -0.001] * 13) == pytest.approx(
        m.sharpe_ratio(weeks + [0.001, -0.001] * 13, periods_per_year=52)
    )


@pytest.mark.parametrize(
    ("dates", "per_year"),
    [
        (pd.bdate_range("2024-01-01", periods=60), 252),
        (pd.date_range("2024-01-01", periods=60, freq="D"), 365),  # trades every day
        (pd.date_range("2020-01-31", periods=24, freq="ME"), 12),
        (pd.date_range("2010-03-31", periods=12, freq="QE"), 4),
        (pd.date_range("2000-12-31", periods=10, freq="YE"), 1),
    ],
)
def test_each_common_spacing_gives_its_periods_per_year(dates, per_year):
    assert m.periods_per_year_of(dates) == per_year


def test_returns_the_frequency_cannot_be_read_from_ask_for_it():
    with pytest.raises(ConfigError, match="RangeIndex, not dates.*pass periods_per_year"):
        m.sharpe_ratio(pd.Series([0.01, 0.02, -0.01]))
    odd = pd.DatetimeIndex(["2024-01-01", "2024-01-20", "2024-02-08", "2024-02-27"])
    with pytest.raises(ConfigError, match="19 days apart.*pass periods_per_year"):
        m.cagr(pd.Series(0.01, index=odd))
    assert m.cagr(pd.Series(0.01, index=odd), periods_per_year=19) > 0  # told: fine


def test_compare_reads_a_weekly_series_as_weekly():
    weeks = pd.Series(0.006, index=pd.date_range("2024-01-05", periods=26, freq="W-FRI"))
    table = fl.compare({"weekly": weeks}).stats()
    assert table.loc["CAGR", "weekly"] == pytest.approx(1.006**52 - 1)


@pytest.mark.parametrize(
    "dates",
    [
        pd.DatetimeIndex(["2024-01-05", "2024-01-08"]),  # a Friday and a Monday
        pd.DatetimeIndex(["2024-01-04", "2024-01-05", "2024-01-08"]),
        # Tokyo's trading days seen in UTC: the evening before, some of them on Sundays
        (pd.bdate_range("2024-01-01", periods=60).tz_localize("Asia/Tokyo").tz_convert("UTC")),
        pd.bdate_range("2024-01-07", periods=60, freq="C", weekmask="Sun Mon Tue Wed Thu"),
    ],
    ids=["friday-monday", "three days", "tokyo in utc", "sunday to thursday"],
)
def test_trading_days_of_any_week_are_252_a_year(dates):
    assert m.periods_per_year_of(dates) == 252


def test_intraday_returns_ask_for_periods_per_year():
    with pytest.raises(ConfigError, match="intraday"):
        m.periods_per_year_of(pd.date_range("2024-01-02 09:30", periods=50, freq="h"))


def test_a_backtest_too_short_to_read_its_frequency_counts_trading_days():
    ds = fl.load_dataset("sample", n_tickers=30, years=3, seed=1)
    short = ds.slice("2024-12-26", "2024-12-31")
    signal = pd.DataFrame(1.0, index=short.dates, columns=short.tickers)
    with pytest.warns(UserWarning):  # a tiny backtest, warned about as such
        result = fl.backtest(signal, short, rebalance=1, top_n=5)
    assert "Sharpe ratio" in result.stats().index and repr(result).startswith("<BacktestResult")


def test_compare_takes_periods_per_year_for_returns_without_dates():
    plain = pd.Series([0.01, -0.005, 0.02, 0.0, 0.01])
    with pytest.raises(ConfigError, match="pass periods_per_year"):
        fl.compare({"a": plain}).stats()
    table = fl.compare({"a": plain}, periods_per_year=12).stats()
    assert table.loc["Sharpe ratio", "a"] == pytest.approx(
        m.sharpe_ratio(plain, periods_per_year=12)
    )


def test_every_day_returns_annualize_rolling_sharpe_and_turnover_by_365():
    from factorlab.backtest.result import periods_per_year

    assert periods_per_year(pd.date_range("2024-01-01", periods=400, freq="D")) == 365
    assert periods_per_year(pd.DatetimeIndex(["2024-01-05"])) == 252  # too few: trading days
