"""Metric values worked out by hand on a tiny market, and against pandas/numpy references."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import factorlab as fl
from factorlab.factors.families import growth as growth_rates
from factorlab.factors.families import low_vol, momentum
from factorlab.factors.families import quality as profitability
from factorlab.factors.families import value as valuation


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
        columns=[
            "ticker",
            "period_end",
            "available_at",
            "revenue",
            "net_income",
            "book_equity",
            "shares_outstanding",
        ],
    )
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
    mom = momentum.momentum_12_1(tiny)
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
    ds = fl.Dataset(
        prices=pd.DataFrame(
            {"X": closes.astype(float)}, index=pd.bdate_range("2024-01-01", periods=16)
        )
    )
    rsi = momentum.rsi(ds)["X"]
    assert rsi.iloc[:14].isna().all()
    first = 100 - 100 / (1 + (10 / 14) / (4 / 14))  # RS = 2.5
    assert rsi.iloc[14] == pytest.approx(first)  # 71.43
    gain, loss = (10 / 14 * 13 + 2) / 14, (4 / 14 * 13) / 14  # Wilder's smoothing
    assert rsi.iloc[15] == pytest.approx(100 - 100 / (1 + gain / loss))


def _wilder_rsi_by_hand(closes: pd.Series, window: int = 14) -> pd.Series:
    """RSI over the days with a change, one day at a time, as Wilder wrote it down."""
    out = pd.Series(np.nan, index=closes.index)
    changes = closes.diff()
    seen, gain, loss = [], np.nan, np.nan
    for day, change in changes.items():
        if np.isnan(change):
            continue  # no price today or yesterday: the averages wait
        seen.append(change)
        if len(seen) == window:
            gain = sum(max(c, 0) for c in seen) / window
            loss = sum(max(-c, 0) for c in seen) / window
        elif len(seen) > window:
            gain = (gain * (window - 1) + max(change, 0)) / window
            loss = (loss * (window - 1) + max(-change, 0)) / window
        if len(seen) >= window:
            out[day] = 100 - 100 / (1 + gain / loss) if loss else 100.0
    return out


def test_rsi_skips_a_suspension_and_carries_its_averages_across_it():
    rng = np.random.default_rng(8)
    closes = 50 * np.exp(np.cumsum(rng.normal(0, 0.02, 80)))
    closes[30:36] = np.nan  # suspended for six days
    dates = pd.bdate_range("2024-01-01", periods=80)
    ds = fl.Dataset(prices=pd.DataFrame({"X": closes, "Y": closes[::-1]}, index=dates))
    rsi = momentum.rsi(ds)
    for ticker in ("X", "Y"):
        pd.testing.assert_series_equal(
            rsi[ticker], _wilder_rsi_by_hand(ds.prices[ticker]), check_names=False, atol=1e-10
        )


def test_rsi_of_a_stock_that_only_rises_is_100(tiny):
    assert (momentum.rsi(tiny)["AAA"].dropna() == 100).all()


def test_volatility_matches_pandas_rolling_std(sample):
    returns = sample.prices.pct_change(fill_method=None)
    expected = returns.rolling(60, min_periods=48).std() * np.sqrt(252)
    pd.testing.assert_frame_equal(low_vol.volatility(sample, 60), expected, atol=1e-10)


def test_beta_matches_numpy_on_the_last_year(sample):
    betas = low_vol.beta(sample)
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
    pd.testing.assert_frame_equal(momentum.volume_trend(sample), expected, atol=1e-12)


def test_quality_metrics_on_the_tiny_market(tiny):
    day = pd.Timestamp("2023-05-10")
    assert profitability.return_on_equity(tiny).at[day, "AAA"] == pytest.approx(38 / 58)
    assert np.isnan(profitability.gross_margin(tiny).at[day, "AAA"])  # no gross profit given


def test_price_metrics_say_what_they_need():
    prices = pd.DataFrame({"A": [1.0, 2.0]}, index=pd.bdate_range("2024-01-01", periods=2))
    ds = fl.Dataset(prices=prices)
    with pytest.raises(fl.DataError, match="the volume trend needs volume"):
        momentum.volume_trend(ds)
    with pytest.raises(fl.DataError, match="beta needs benchmark"):
        low_vol.beta(ds)


@pytest.fixture
def ten_quarters() -> fl.Dataset:
    """GRO files ten quarters (the last without a share count); BNK reports no revenue."""
    dates = pd.bdate_range("2021-01-04", periods=800)
    prices = pd.DataFrame({"GRO": 20.0, "BNK": 5.0}, index=dates)
    ends = pd.date_range("2021-03-31", periods=10, freq="QE")
    income = [-10, -10, -10, -8, -6, -4, 1, 2, 3, 4]
    rows = [
        (
            "GRO",
            end,
            end + pd.Timedelta(days=30),
            100.0 + 10 * q,
            0.4 * (100 + 10 * q),
            income[q] + 5.0,
            float(income[q]),
            500.0,
            200.0,
            50.0,
            np.nan if q == 9 else 10.0,
        )
        for q, end in enumerate(ends)
    ]
    rows += [
        (
            "BNK",
            end,
            end + pd.Timedelta(days=30),
            np.nan,
            np.nan,
            np.nan,
            -2.5 if q < 4 else -1.25,
            100.0,
            0.0,
            10.0,
            20.0,
        )
        for q, end in enumerate(ends[:8])
    ]
    f = pd.DataFrame(
        rows,
        columns=[
            "ticker",
            "period_end",
            "available_at",
            "revenue",
            "gross_profit",
            "ebitda",
            "net_income",
            "book_equity",
            "total_debt",
            "cash",
            "shares_outstanding",
        ],
    )
    return fl.Dataset(prices=prices, fundamentals=f)


def test_growth_metrics_by_hand(ten_quarters):
    day = pd.Timestamp("2023-08-01")  # the tenth quarter (2023-06-30) is filed on 2023-07-30
    ttm_now, ttm_ago = 160 + 170 + 180 + 190, 120 + 130 + 140 + 150
    assert growth_rates.revenue_growth(ten_quarters).at[day, "GRO"] == pytest.approx(700 / 540 - 1)
    assert ttm_now == 700 and ttm_ago == 540
    assert growth_rates.quarterly_revenue_growth(ten_quarters).at[day, "GRO"] == pytest.approx(
        190 / 150 - 1
    )
    # TTM earnings went from -28 to +10: growth (10 - -28) / |-28|, the base above the 1 % floor.
    growth = growth_rates.earnings_growth(ten_quarters)
    assert growth.at[day, "GRO"] == pytest.approx(38 / 28)
    cap = 20.0 * 10  # the latest filing has no share count: the one before it is used
    assert growth_rates.peg(ten_quarters).at[day, "GRO"] == pytest.approx(
        (cap / 10) / (100 * 38 / 28)
    )


def test_earnings_growth_of_a_shrinking_loss_without_revenue_is_positive(ten_quarters):
    # BNK: TTM loss of 10 becomes a loss of 5, and it reports no revenue: +50 %.
    day = pd.Timestamp("2023-02-01")
    assert growth_rates.earnings_growth(ten_quarters).at[day, "BNK"] == pytest.approx(0.5)
    assert np.isnan(growth_rates.peg(ten_quarters).at[day, "BNK"])  # no positive P/E


def test_valuation_and_quality_metrics_by_hand(ten_quarters):
    day = pd.Timestamp("2023-08-01")
    cap = 20.0 * 10
    assert valuation.market_cap(ten_quarters).at[day, "GRO"] == cap
    assert valuation.enterprise_value(ten_quarters).at[day, "GRO"] == cap + 200 - 50
    assert valuation.ebitda_to_ev(ten_quarters).at[day, "GRO"] == pytest.approx(30 / 350)
    assert valuation.debt_to_equity(ten_quarters).at[day, "GRO"] == pytest.approx(0.4)
    assert valuation.sales_to_price(ten_quarters).at[day, "GRO"] == pytest.approx(700 / cap)
    assert profitability.leverage(ten_quarters).at[day, "GRO"] == pytest.approx(200 / 700)
    assert profitability.gross_margin(ten_quarters).at[day, "GRO"] == pytest.approx(0.4)
    assert profitability.return_on_equity(ten_quarters).at[day, "GRO"] == pytest.approx(10 / 500)
    # BNK: no debt and more cash than nothing: EV = 5 * 20 + 0 - 10.
    assert valuation.enterprise_value(ten_quarters).at[day, "BNK"] == 90


def test_rsi_is_undefined_for_a_price_that_never_moves(ten_quarters):
    assert momentum.rsi(ten_quarters)["GRO"].isna().all()


def test_beta_pairs_days_when_the_benchmark_has_gaps(sample):
    benchmark = sample.benchmark.copy()
    benchmark.iloc[-200:-150] = np.nan
    ds = fl.Dataset(sample.prices, benchmark=benchmark)
    stock = sample.prices.pct_change(fill_method=None)["ACME"].iloc[-252:]
    market = benchmark.pct_change(fill_method=None).iloc[-252:]
    ok = stock.notna() & market.notna()
    expected = np.cov(stock[ok], market[ok])[0, 1] / market[ok].var()
    assert low_vol.beta(ds)["ACME"].iloc[-1] == pytest.approx(expected, rel=1e-9)


def test_a_zero_share_count_is_rejected_before_it_can_make_infinite_yields(ten_quarters):
    f = ten_quarters.fundamentals.copy()
    f.loc[f["ticker"].eq("GRO").idxmax(), "shares_outstanding"] = 0
    with pytest.raises(
        fl.DataError, match="shares_outstanding must be positive: GRO period 2021-03-31"
    ):
        fl.Dataset(prices=ten_quarters.prices, fundamentals=f)
