"""Costs that grow with size: the square-root law, the volume cap, and fl.capacity."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import factorlab as fl
from factorlab.backtest.costs import ADV_DAYS, VOLATILITY_DAYS, ImpactCosts


def _flat_market(days: int = 120, volume: float = 1e5):
    """Two stocks at a price of 10, alternating +1 % / -1 % (a daily volatility of about 1 %),
    trading ``volume`` shares a day: an ADV of a million."""
    dates = pd.bdate_range("2023-01-02", periods=days)
    moves = np.where(np.arange(days) % 2, 1.01, 1 / 1.01)
    path = 10 * np.cumprod(moves)
    prices = pd.DataFrame({"A": path, "B": path[::-1].copy()}, index=dates)
    shares = pd.DataFrame(volume, index=dates, columns=["A", "B"])
    return fl.Dataset(prices=prices, volume=shares)


def test_the_impact_of_a_trade_grows_as_the_square_root_of_its_size():
    volatility, adv = np.array([[0.02, 0.03]]), np.array([[1e6, 4e6]])
    trades = np.array([0.1, -0.05])
    costs = [ImpactCosts(5.0, aum, 1.0, volatility, adv)(0, trades, 1.0) for aum in (1e6, 4e6)]
    linear = 5e-4 * 0.15
    impact = [c - linear for c in costs]
    assert impact[1] / impact[0] == pytest.approx(2.0, rel=1e-12)  # four times the size
    by_hand = 0.1 * 0.02 * np.sqrt(0.1 * 1e6 / 1e6) + 0.05 * 0.03 * np.sqrt(0.05 * 1e6 / 4e6)
    assert impact[0] == pytest.approx(by_hand, rel=1e-12)


def test_a_backtests_impact_costs_follow_the_law_on_a_constructed_market():
    ds = _flat_market()
    signal = pd.DataFrame(
        {"A": 1.0, "B": 0.0}, index=ds.dates
    )  # always hold A: one buy-in, then nothing
    signal.iloc[:VOLATILITY_DAYS] = np.nan  # start once volatility and ADV are known
    costs = {}
    for aum in (1e5, 4e5):
        result = fl.backtest(signal, ds, quantiles=2, costs="sqrt", aum=aum, cost_bps=0)
        costs[aum] = result.costs[result.costs > 0]
    assert len(costs[1e5]) == 1  # the buy-in only
    day = costs[1e5].index[0]
    returns = ds.prices["A"].pct_change().loc[:day].iloc[-VOLATILITY_DAYS:]
    adv = (ds.prices["A"] * ds.volume["A"]).loc[:day].iloc[-ADV_DAYS:].mean()
    expected = returns.std() * np.sqrt(1e5 / adv)  # all of the book into A
    assert costs[1e5].iloc[0] == pytest.approx(expected, rel=1e-9)
    assert costs[4e5].iloc[0] / costs[1e5].iloc[0] == pytest.approx(2.0, rel=1e-9)


def test_the_volume_cap_cuts_orders_and_says_so():
    ds = _flat_market(volume=1e3)  # an ADV of 10,000
    signal = pd.DataFrame({"A": 1.0, "B": 0.0}, index=ds.dates)
    signal.iloc[:VOLATILITY_DAYS] = np.nan
    with pytest.warns(UserWarning, match=r"orders beyond 10% of a stock's average daily"):
        result = fl.backtest(signal, ds, quantiles=2, aum=1e6, participation=0.1)
    first = result.turnover.index[0]
    # A million to invest, a tenth of about 10,000 a day allowed: the book buys about a
    # thousandth and holds cash.
    adv = (ds.prices["A"] * ds.volume["A"]).loc[:first].iloc[-ADV_DAYS:].mean()
    assert result.weights.loc[first, "A"] == pytest.approx(0.1 * adv / 1e6, rel=1e-9)
    assert result.turnover.loc[first] == pytest.approx(0.1 * adv / 1e6, rel=1e-9)


def test_a_sell_that_is_cut_scales_the_buys_so_the_book_is_not_levered():
    volatility, adv = np.full((1, 3), 0.02), np.array([[1e4, 1e9, 1e9]])
    cap = ImpactCosts(0.0, 1e6, 1.0, volatility, adv, participation=0.1)
    before = np.array([0.5, 0.5, 0.0])
    target = np.array([0.0, 0.5, 0.5])  # sell A (too thin to sell), buy C
    done = cap.limit(0, before, target, 1.0)
    assert done[0] == pytest.approx(0.5 - 1e-3)  # a thousand of half a million sold
    assert done.sum() == pytest.approx(1.0)
    assert done[2] == pytest.approx(1e-3)
    assert cap.cut and cap.cut[0][0] == 0


def test_a_capacity_curve_falls_as_the_book_grows(small_sample):
    with pytest.warns(UserWarning, match="larger than a whole day's traded value"):
        sizes = fl.capacity(fl.factors.momentum(small_sample), small_sample, aum=(1e5, 1e7, 1e9))
    table = sizes.table
    assert list(table.index) == [1e5, 1e7, 1e9]
    assert (np.diff(table["Sharpe ratio"].to_numpy()) <= 0).all()
    assert (np.diff(table["CAGR"].to_numpy()) <= 0).all()
    assert (np.diff(table["costs per year"].to_numpy()) >= 0).all()
    figure = sizes.plot()
    figure.canvas.draw()  # tick labels are made when drawn
    labels = {t.get_text() for t in figure.axes[0].get_xticklabels()}
    assert {"100k", "10M", "1B"} <= labels  # plain amounts, not 10⁵
    assert "Net Sharpe ratio" in figure.axes[0].get_title()


def test_impact_needs_volume_and_sane_settings(tiny_parts):
    ds = fl.Dataset(prices=tiny_parts["prices"])
    signal = ds.prices
    with pytest.raises(fl.DataError, match="volume"):
        fl.backtest(signal, ds, costs="sqrt", rebalance=1)
    with pytest.raises(fl.ConfigError, match="costs must be 'flat' or 'sqrt'"):
        fl.backtest(signal, ds, costs="linear", rebalance=1)
    full = fl.Dataset(prices=tiny_parts["prices"], volume=tiny_parts["volume"])
    with pytest.raises(fl.ConfigError, match="participation must be in"):
        fl.backtest(signal, full, participation=5, rebalance=1)
    with pytest.raises(fl.ConfigError, match="aum must be positive"):
        fl.backtest(signal, full, costs="sqrt", aum=0, rebalance=1)


def test_impact_costs_do_not_look_ahead(small_sample, rewrite_future):
    day = small_sample.dates[len(small_sample.dates) // 2]
    future = rewrite_future(small_sample, day, np.random.default_rng(2))
    signal = fl.factors.momentum(small_sample)
    options = {"costs": "sqrt", "aum": 1e8, "participation": 0.05}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        plain = fl.backtest(signal, small_sample, **options)
        changed = fl.backtest(signal, future, **options)  # the same signal: only data changed
    pd.testing.assert_series_equal(plain.costs.loc[:day], changed.costs.loc[:day])
    pd.testing.assert_frame_equal(plain.weights.loc[:day], changed.weights.loc[:day])


def test_the_volume_cap_keeps_a_dollar_neutral_book_neutral(small_sample):
    signal = fl.factors.momentum(small_sample)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        result = fl.backtest(
            signal, small_sample, short=True, costs="sqrt", aum=3e8, participation=0.3
        )
    held = result.weights.loc[result.turnover.index]
    assert held.abs().sum(axis=1).max() <= 2.0 + 1e-9
    np.testing.assert_allclose(held.sum(axis=1), 0.0, atol=1e-9)


def test_a_book_too_big_for_its_market_is_warned_and_never_pays_more_than_it_has(small_sample):
    signal = fl.factors.momentum(small_sample)
    with pytest.warns(UserWarning, match="larger than a whole day's traded value"):
        result = fl.backtest(signal, small_sample, costs="sqrt", aum=1e13)
    assert result.costs.max() <= 1.0
    assert result.returns.notna().all()


def test_the_benchmark_counts_the_move_across_a_gap_once(small_sample):
    benchmark = small_sample.benchmark.copy()
    benchmark.iloc[[300, 301, 550]] = np.nan
    ds = fl.Dataset(prices=small_sample.prices, meta=small_sample.meta, benchmark=benchmark)
    result = fl.backtest(fl.factors.momentum(small_sample), ds)
    start = result.returns.index[0]
    levels = benchmark.loc[start:].dropna()
    total = (1 + result.benchmark.fillna(0.0)).prod() - 1
    assert total == pytest.approx(levels.iloc[-1] / levels.iloc[0] - 1, rel=1e-12)
    assert result.benchmark.iloc[1:].isna().sum() == 3  # the missing days only
