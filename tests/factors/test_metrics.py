"""Metric values worked out by hand on a tiny market, and against pandas/numpy references."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import factorlab as fl
from factorlab.factors import growth_rates, price, profitability, valuation


@pytest.fixture
def tiny() -> fl.Dataset:
    """Three tickers over 300 trading days; AAA files four quarters, one of them late."""
    dates = pd.bdate_range("2023-01-02", periods=300)
    steps = np.arange(300)
    prices = pd.DataFrame(
        {
            "AAA": 10 + 0.05 * steps,
            "BBB": 50 * 1.001**steps,
            "CCC": np.where(steps < 100, np.nan, 20.0 + np.sin(steps / 7)),
        },
        index=dates,
    )
    f = pd.DataFrame(
        [
            ("AAA", "2022-06-30", "2022-08-10", 100.0, 8.0, 50.0, 10.0),
            ("AAA", "2022-09-30", "2022-11-10", 110.0, 9.0, 52.0, 10.0),
            ("AAA", "2022-12-31", "2023-03-20", 120.0, 10.0, 55.0, 10.0),  # filed late
            ("AAA", "2023-03-31", "2023-05-10", 130.0, 11.0, 58.0, 10.0),
            ("AAA", "2023-06-30", "2023-08-10", 140.0, -2.0, 57.0, 12.0),
            ("BBB", "2022-12-31", "2023-02-15", 400.0, 40.0, 300.0, 20.0),
        ],
        columns=["ticker", "period_end", "available_at", "revenue", "net_income",
                 "book_equity", "shares_outstanding"],
    )  # fmt: skip
    return fl.Dataset(prices=prices, fundamentals=f)


def test_earnings_yield_uses_the_ttm_known_that_day_and_the_filed_shares(tiny):
    ey = valuation.earnings_yield(tiny)["AAA"]
    price_may_10 = tiny.prices.at[pd.Timestamp("2023-05-10"), "AAA"]
    assert np.isnan(ey["2023-03-17"])  # Q4 2022 not filed yet: only three quarters known
    assert np.isnan(ey["2023-05-09"])  # four quarters filed by 2023-03-20, but Q1 2022 missing
    assert ey["2023-05-10"] == pytest.approx((8 + 9 + 10 + 11) / (price_may_10 * 10))
    price_aug_10 = tiny.prices.at[pd.Timestamp("2023-08-10"), "AAA"]
    assert ey["2023-08-10"] == pytest.approx((9 + 10 + 11 - 2) / (price_aug_10 * 12))


def test_book_to_price_uses_the_latest_filed_balance_sheet(tiny):
    bp = valuation.book_to_price(tiny)
    day = pd.Timestamp("2023-03-20")
    assert bp.at[day, "AAA"] == pytest.approx(55 / (tiny.prices.at[day, "AAA"] * 10))
    assert bp.at[pd.Timestamp("2023-03-17"), "AAA"] == pytest.approx(
        52 / (tiny.prices.at[pd.Timestamp("2023-03-17"), "AAA"] * 10)
    )
    assert bp["CCC"].isna().all()  # no fundamentals


def test_revenue_growth_needs_eight_quarters(tiny):
    assert growth_rates.revenue_growth(tiny)["AAA"].isna().all()


def test_momentum_12_1_skips_the_latest_month(tiny):
    mom = price.momentum_12_1(tiny)
    p = tiny.prices["BBB"]
    t = p.index[280]
    assert mom.at[t, "BBB"] == pytest.approx(p.iloc[280 - 21] / p.iloc[280 - 252] - 1)
    assert mom.at[t, "BBB"] == pytest.approx(1.001 ** (252 - 21) - 1)
    assert mom["BBB"].iloc[:252].isna().all()
    assert mom["CCC"].isna().all()  # listed for fewer than 252 days


def test_rsi_matches_a_worked_example():
    # 14 changes: ten gains of 1 and four losses of 1, then one more gain of 2.
    changes = [1, 1, -1, 1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 2]
    closes = 100 + np.cumsum([0, *changes])
    ds = fl.Dataset(prices=pd.DataFrame({"X": closes.astype(float)},
                                        index=pd.bdate_range("2024-01-01", periods=16)))  # fmt: skip
    rsi = price.rsi(ds)["X"]
    assert rsi.iloc[:14].isna().all()
    first = 100 - 100 / (1 + (10 / 14) / (4 / 14))  # RS = 2.5
    assert rsi.iloc[14] == pytest.approx(first)  # 71.43
    gain, loss = (10 / 14 * 13 + 2) / 14, (4 / 14 * 13) / 14  # Wilder's smoothing
    assert rsi.iloc[15] == pytest.approx(100 - 100 / (1 + gain / loss))


def test_rsi_of_a_stock_that_only_rises_is_100(tiny):
    assert (price.rsi(tiny)["AAA"].dropna() == 100).all()


def test_volatility_matches_pandas_rolling_std(sample):
    returns = sample.prices.pct_change(fill_method=None)
    expected = returns.rolling(60, min_periods=48).std() * np.sqrt(252)
    pd.testing.assert_frame_equal(price.volatility(sample, 60), expected, atol=1e-10)


def test_beta_matches_numpy_on_the_last_year(sample):
    betas = price.beta(sample)
    stock = sample.prices.pct_change(fill_method=None).iloc[-252:]
    market = sample.benchmark.pct_change().iloc[-252:]
    for ticker in sample.tickers[:20]:
        ok = stock[ticker].notna()
        if ok.sum() < 202:
            continue
        expected = np.cov(stock[ticker][ok], market[ok])[0, 1] / market[ok].var()
        assert betas[ticker].iloc[-1] == pytest.approx(expected, rel=1e-9)


def test_volume_trend_matches_pandas(sample):
    v = sample.volume
    expected = (v.rolling(20, min_periods=16).mean() / v.rolling(120, min_periods=96).mean()).where(
        sample.prices.notna()
    )
    pd.testing.assert_frame_equal(price.volume_trend(sample), expected, atol=1e-12)


def test_quality_metrics_on_the_tiny_market(tiny):
    day = pd.Timestamp("2023-05-10")
    assert profitability.return_on_equity(tiny).at[day, "AAA"] == pytest.approx(38 / 58)
    assert np.isnan(profitability.gross_margin(tiny).at[day, "AAA"])  # no gross profit given


def test_price_metrics_say_what_they_need():
    prices = pd.DataFrame({"A": [1.0, 2.0]}, index=pd.bdate_range("2024-01-01", periods=2))
    ds = fl.Dataset(prices=prices)
    with pytest.raises(fl.DataError, match="the volume trend needs volume"):
        price.volume_trend(ds)
    with pytest.raises(fl.DataError, match="beta needs benchmark"):
        price.beta(ds)
