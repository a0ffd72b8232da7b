"""fl.backtest: exact hand-worked cases, no look-ahead, no survivorship bias, clear errors."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import factorlab as fl


def _two_stocks(prices: dict[str, list[float]]) -> fl.Dataset:
    index = pd.bdate_range("2024-01-01", periods=len(next(iter(prices.values()))))
    return fl.Dataset(prices=pd.DataFrame(prices, index=index))


# -- hand-worked ---------------------------------------------------------------------------------


def test_two_stocks_equal_weight_with_costs_by_hand():
    ds = _two_stocks({"A": [10, 11, 12.1, 12.1, 13.31], "B": [20, 20, 18, 18, 19.8]})
    signal = pd.DataFrame(1.0, index=ds.dates, columns=ds.tickers)  # hold both, equally
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # it holds the whole universe, which it warns about
        result = fl.backtest(signal, ds, rebalance=2, quantiles=2, top_n=2, cost_bps=10)
    r = result.gross_returns
    # Day 0: buy 50/50 at the close, cost 10 bps on a traded notional of 1.
    assert r.iloc[0] == 0.0 and result.costs.iloc[0] == pytest.approx(0.001)
    # Day 1: A +10 %, B 0 % -> +5 %.
    assert r.iloc[1] == pytest.approx(0.05)
    # Day 2: drifted weights 0.55/1.05 and 0.5/1.05; A +10 %, B -10 % -> (0.055 - 0.05) / 1.05.
    assert r.iloc[2] == pytest.approx((0.55 * 0.1 - 0.5 * 0.1) / 1.05)
    # Day 2 is a rebalance: back to 50/50 from the drifted weights.
    before = np.array([0.55 * 1.1, 0.5 * 0.9]) / (0.55 * 1.1 + 0.5 * 0.9)
    assert result.turnover.iloc[1] == pytest.approx(np.abs(0.5 - before).sum())
    assert result.costs.iloc[2] == pytest.approx(0.001 * result.turnover.iloc[1])
    assert result.returns.iloc[2] == pytest.approx((1 + r.iloc[2]) * (1 - result.costs.iloc[2]) - 1)
    # Day 4: A +10 %, B +10 % from 50/50 held since day 2 (day 3 flat) -> +10 %.
    assert r.iloc[4] == pytest.approx(0.10)


def test_returns_are_yesterdays_weights_times_todays_stock_returns(sample):
    result = fl.backtest(fl.score(sample), sample, short=True)
    stock = sample.prices.pct_change(fill_method=None).fillna(0.0).loc[result.returns.index]
    implied = (result.weights.shift(1) * stock).sum(axis=1).iloc[1:]
    np.testing.assert_allclose(result.gross_returns.iloc[1:], implied, atol=1e-12)


def test_net_returns_are_gross_returns_less_costs_on_traded_notional(sample):
    result = fl.backtest(fl.factors.momentum(sample), sample, cost_bps=25)
    expected_cost = (0.0025 * result.turnover).reindex(result.costs.index, fill_value=0.0)
    pd.testing.assert_series_equal(result.costs, expected_cost, check_names=False)
    np.testing.assert_allclose(
        result.returns, (1 + result.gross_returns) * (1 - result.costs) - 1, atol=1e-15
    )
    free = fl.backtest(fl.factors.momentum(sample), sample, cost_bps=0)
    assert (
        fl.backtest(fl.factors.momentum(sample), sample, cost_bps=25).returns.sum()
        < free.returns.sum()
    )


def test_weights_sum_to_one_long_and_to_zero_long_short_at_each_rebalance(sample):
    long_only = fl.backtest(fl.score(sample), sample)
    at_rebalance = long_only.weights.loc[long_only.turnover.index]
    np.testing.assert_allclose(at_rebalance.sum(axis=1), 1.0, atol=1e-12)
    assert (long_only.weights.sum(axis=1) <= 1 + 1e-12).all()  # cash after a delisting
    long_short = fl.backtest(fl.score(sample), sample, short=True)
    at_rebalance = long_short.weights.loc[long_short.turnover.index]
    np.testing.assert_allclose(at_rebalance.sum(axis=1), 0.0, atol=1e-12)
    np.testing.assert_allclose(at_rebalance.abs().sum(axis=1), 2.0, atol=1e-12)


# -- no look-ahead -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def backtest_lab() -> fl.Dataset:
    return fl.load_dataset("sample", n_tickers=40, years=3, seed=2)


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(position=st.integers(300, 700), seed=st.integers(0, 2**16))
def test_changing_prices_after_t_changes_nothing_at_or_before_t(backtest_lab, position, seed):
    day = backtest_lab.dates[position]
    signal = fl.factors.momentum(backtest_lab)
    rng = np.random.default_rng(seed)
    prices = backtest_lab.prices.copy()
    after = prices.index > day
    prices.loc[after] *= rng.uniform(0.5, 2.0, prices.loc[after].shape)
    future = fl.Dataset(
        prices,
        backtest_lab.volume,
        backtest_lab.fundamentals,
        backtest_lab.meta,
        backtest_lab.benchmark,
    )
    signal_future = signal.copy()
    signal_future.loc[after] = rng.normal(size=signal_future.loc[after].shape)
    a = fl.backtest(signal, backtest_lab, short=True)
    b = fl.backtest(signal_future, future, short=True)
    pd.testing.assert_series_equal(a.returns.loc[:day], b.returns.loc[:day])
    pd.testing.assert_frame_equal(a.weights.loc[:day], b.weights.loc[:day])


def test_a_signal_equal_to_todays_return_does_not_earn_it(backtest_lab):
    today = backtest_lab.prices.pct_change(fill_method=None)
    result = fl.backtest(today, backtest_lab, rebalance=1, top_n=5, cost_bps=0)
    # Held from the next day: the same-day return is not earned, the next day's is.
    assert abs(result.returns.mean()) < 0.5 * today.abs().mean().mean()
    with pytest.warns(UserWarning, match="no stock qualified"):  # its last day has no signal
        cheat = fl.backtest(today.shift(-1), backtest_lab, rebalance=1, top_n=5, cost_bps=0)
    assert cheat.returns.mean() > 10 * abs(result.returns.mean())


def test_lag_two_uses_the_signal_of_the_day_before(backtest_lab):
    signal = fl.factors.momentum(backtest_lab)
    pd.testing.assert_series_equal(
        fl.backtest(signal, backtest_lab, lag=2).returns,
        fl.backtest(signal.shift(1), backtest_lab, lag=1).returns,
    )


# -- delistings ----------------------------------------------------------------------------------


def test_a_held_stock_that_crashes_and_delists_shows_the_loss_and_leaves_cash():
    ds = _two_stocks(
        {
            "DIE": [10, 10, 1, np.nan, np.nan, np.nan],  # -90 %, then delisted
            "OK": [10, 10, 10, 10, 11, 11],
        }
    )
    signal = pd.DataFrame({"DIE": 1.0, "OK": 1.0}, index=ds.dates)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = fl.backtest(signal, ds, rebalance=10, top_n=2, cost_bps=0)
    assert result.returns.iloc[2] == pytest.approx(-0.45)  # half the book lost 90 %
    assert result.weights.iloc[3]["DIE"] == 0.0  # its value is now cash
    assert result.weights.iloc[3]["OK"] == pytest.approx(0.5 / 0.55)
    assert result.returns.iloc[4] == pytest.approx(0.5 / 0.55 * 0.1)  # cash earns nothing
    total = (1 + result.returns).prod() - 1
    assert total == pytest.approx(0.55 * (1 + 0.5 / 0.55 * 0.1) - 1)


def test_sample_delistings_run_without_error_and_never_hold_a_dead_stock(sample):
    result = fl.backtest(fl.score(sample), sample)
    dead = sample.prices.loc[result.weights.index].isna()
    assert (result.weights.where(dead).fillna(0.0) == 0).all().all()


# -- options ---------------------------------------------------------------------------------------


def test_top_n_holds_that_many_stocks(backtest_lab):
    result = fl.backtest(fl.factors.momentum(backtest_lab), backtest_lab, top_n=7)
    assert (result.holdings_count.loc[result.turnover.index] == 7).all()


def test_max_weight_caps_every_position(sample):
    result = fl.backtest(fl.score(sample), sample, weighting="cap", max_weight=0.06)
    at_rebalance = result.weights.loc[result.turnover.index]
    assert at_rebalance.max().max() <= 0.06 + 1e-12
    np.testing.assert_allclose(at_rebalance.sum(axis=1), 1.0, atol=1e-9)


def test_cap_weighting_is_proportional_to_market_cap(backtest_lab):
    from factorlab.factors.families.value import market_cap

    result = fl.backtest(fl.factors.momentum(backtest_lab), backtest_lab, weighting="cap")
    day = result.turnover.index[5]
    held = result.weights.loc[day]
    held = held[held > 0]
    caps = market_cap(backtest_lab).loc[day, held.index]
    np.testing.assert_allclose(held, caps / caps.sum(), rtol=1e-12)


def test_monthly_rebalances_fall_on_the_last_trading_day_of_each_month(backtest_lab):
    result = fl.backtest(fl.factors.momentum(backtest_lab), backtest_lab, rebalance="M")
    days = result.turnover.index
    assert (days[1:].month != (days[1:] + pd.offsets.BDay(1)).month).all()


def test_the_composite_long_short_earns_the_planted_premia(sample):
    result = fl.backtest(fl.score(sample), sample, short=True)
    assert result.stats().loc["Sharpe ratio", "strategy"] > 0.5


def test_holding_everything_or_nothing_is_warned_about(backtest_lab):
    everything = pd.DataFrame(1.0, index=backtest_lab.dates, columns=backtest_lab.tickers)
    with pytest.warns(UserWarning, match="held every stock with a signal"):
        fl.backtest(everything, backtest_lab, top_n=len(backtest_lab.tickers))


def test_stats_monthly_table_and_plot(backtest_lab):

    result = fl.backtest(fl.factors.momentum(backtest_lab), backtest_lab)
    stats = result.stats()
    assert {"strategy", "benchmark (LABX)"} <= set(stats.columns)
    growth = (1 + result.returns).prod() ** (252 / len(result.returns)) - 1
    assert stats.loc["CAGR", "strategy"] == pytest.approx(growth)
    table = result.monthly_table()
    assert list(table.columns[:12]) == list(range(1, 13)) and "year" in table.columns
    year = table.index[1]
    assert table.loc[year, "year"] == pytest.approx(
        np.prod(1 + table.loc[year, list(range(1, 13))].dropna()) - 1
    )
    fig = result.plot()
    assert len(fig.axes) == 3
    assert [line.get_label() for line in fig.axes[0].get_lines()][:2] == ["strategy", "LABX"]
    assert "factorlab BacktestResult" in result._repr_html_()


# -- errors ----------------------------------------------------------------------------------------


def test_bad_input_gets_a_clear_error(backtest_lab):
    signal = fl.factors.momentum(backtest_lab)
    with pytest.raises(fl.DataError, match="tickers the dataset does not: ZZZ"):
        fl.backtest(signal.assign(ZZZ=1.0), backtest_lab)
    shifted = signal.set_axis(signal.index + pd.Timedelta(days=1))
    with pytest.raises(fl.DataError, match="dates that are not trading days of the dataset"):
        fl.backtest(shifted, backtest_lab)
    with pytest.raises(fl.DataError, match="no value for any listed stock"):
        fl.backtest(signal * np.nan, backtest_lab)
    with pytest.raises(fl.ConfigError, match="quantiles must be at least 2"):
        fl.backtest(signal, backtest_lab, quantiles=1)
    with pytest.raises(fl.ConfigError, match="cost_bps must be zero or more, got -5"):
        fl.backtest(signal, backtest_lab, cost_bps=-5)
    with pytest.raises(fl.ConfigError, match="Unknown rebalance 'fortnightly'"):
        fl.backtest(signal, backtest_lab, rebalance="fortnightly")
    with pytest.raises(fl.ConfigError, match="lag must be at least 1"):
        fl.backtest(signal, backtest_lab, lag=0)
    with pytest.raises(fl.ConfigError, match="Unknown weighting 'value'"):
        fl.backtest(signal, backtest_lab, weighting="value")


# -- compare -----------------------------------------------------------------------------------


def test_compare_tables_each_strategy_and_the_benchmark(backtest_lab):

    runs = {
        f: fl.backtest(fl.factors.family_exposure(backtest_lab, f), backtest_lab)
        for f in ("value", "momentum")
    }
    comparison = fl.compare(runs)
    table = comparison.stats()
    assert list(table.columns) == ["value", "momentum", "benchmark (LABX)"]
    assert table.loc["Sharpe ratio", "value"] == pytest.approx(
        runs["value"].stats().loc["Sharpe ratio", "strategy"]
    )
    fig = comparison.plot()
    assert [line.get_label() for line in fig.axes[0].get_lines()] == ["value", "momentum", "LABX"]


def test_compare_accepts_plain_return_series_and_rejects_other_things(backtest_lab):
    r = fl.backtest(fl.factors.momentum(backtest_lab), backtest_lab).returns
    assert list(fl.compare({"a": r, "b": r * 0.5}).stats().columns) == ["a", "b"]
    with pytest.raises(fl.ConfigError, match="'a' is a list"):
        fl.compare({"a": [0.01, 0.02]})
    with pytest.raises(fl.ConfigError, match="compare needs a dict"):
        fl.compare({})


# -- halts, delistings on rebalance days, small universes, ties -----------------------------------


def test_a_halted_position_is_carried_through_a_rebalance_and_takes_its_loss():
    # H is halted on the rebalance day (row 2) and comes back at -50 %; it cannot be sold.
    ds = _two_stocks({"H": [10, 10, np.nan, 5, 5, 5], "B": [10, 10, 10, 10, 10, 10]})
    signal = pd.DataFrame({"H": 1.0, "B": 1.0}, index=ds.dates)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = fl.backtest(signal, ds, rebalance=2, top_n=2, cost_bps=0)
    assert result.weights.iloc[2]["H"] == pytest.approx(0.5)  # still held after the rebalance
    assert result.weights.iloc[2].sum() == pytest.approx(1.0)  # the rest reinvested: no cash
    assert result.returns.iloc[3] == pytest.approx(-0.25)  # half the book falls 50 %
    assert (1 + result.returns).prod() - 1 == pytest.approx(-0.25)


def test_a_halted_short_keeps_a_dollar_neutral_book_neutral():
    # D, shorted, is halted on the rebalance day (row 2): it stays short, and the short leg
    # (not the long one) is rebuilt around it.
    flat = [10.0] * 6
    ds = _two_stocks(
        {"A": flat, "B": [10, 11, 12, 12, 12, 12], "C": flat, "D": [10, 9, np.nan, 9, 9, 9]}
    )
    signal = pd.DataFrame({"A": 4.0, "B": 3.0, "C": 2.0, "D": 1.0}, index=ds.dates)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = fl.backtest(signal, ds, rebalance=2, top_n=2, short=True, cost_bps=0)
    after = result.weights.iloc[2]
    assert after["D"] < 0 and after["D"] != pytest.approx(-0.5)  # carried as it drifted
    assert after.sum() == pytest.approx(0.0, abs=1e-12)  # still dollar-neutral
    assert after[after > 0].sum() == pytest.approx(-after[after < 0].sum())
    assert after[["A", "B"]].tolist() == pytest.approx([0.5, 0.5])  # the long leg untouched


@pytest.mark.parametrize(
    ("target", "held", "expected"),
    [
        # fully invested, the halted name (last) not in the target: the rest takes 1 - 0.3
        ([0.5, 0.5, 0.0], [0.0, 0.0, 0.3], [0.35, 0.35, 0.3]),
        # a book that holds 40 % cash keeps it
        ([0.6, 0.0, 0.0], [0.0, 0.0, 0.3], [0.3, 0.0, 0.3]),
        # never scaled up, whatever the target wanted in the halted name (a cap stays a cap)
        ([0.25, 0.25, 0.5], [0.0, 0.0, 0.1], [0.25, 0.25, 0.1]),
        # dollar-neutral: a halted short is offset in the short leg
        ([0.5, -0.5, 0.0], [0.0, 0.0, -0.2], [0.5, -0.3, -0.2]),
        # a halted position bigger than its leg: the rest of that leg is closed
        ([1.0, 0.0, 0.0], [0.0, 0.0, 1.2], [0.0, 0.0, 1.2]),
    ],
)
def test_a_book_is_rebuilt_leg_by_leg_around_a_halted_position(target, held, expected):
    from factorlab.backtest.engine import _around_stuck

    stuck = np.array([False, False, True])
    rebuilt = _around_stuck(np.array(target), np.array(held), stuck)
    np.testing.assert_allclose(rebuilt, expected, atol=1e-12)


def test_a_stock_delisting_on_a_rebalance_day_becomes_cash_and_is_reinvested():
    ds = _two_stocks({"D": [10, 10, 12, np.nan, np.nan, np.nan], "B": [10, 10, 10, 10, 11, 11]})
    meta = pd.DataFrame({"delisted": pd.to_datetime([ds.dates[2], None])}, index=["D", "B"])
    ds = fl.Dataset(prices=ds.prices, meta=meta)
    signal = pd.DataFrame({"D": 1.0, "B": 1.0}, index=ds.dates)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = fl.backtest(signal, ds, rebalance=3, top_n=2, cost_bps=10)
    assert result.returns.iloc[2] == pytest.approx(0.1)  # D's last day, +20 % on half
    # At the next rebalance (row 3) D is gone: its value is cash, reinvested in B at no cost
    # for D (only buying B with D's cash is traded).
    assert result.weights.iloc[3].tolist() == [0.0, 1.0]
    assert result.turnover.iloc[1] == pytest.approx(1 - 0.5 / 1.1)
    assert result.returns.iloc[4] == pytest.approx((1.1 - 1) * 1.0, rel=1e-9)


def test_a_small_universe_is_not_silently_long_only(backtest_lab):
    three = fl.Dataset(prices=backtest_lab.prices.iloc[:, :3])
    signal = pd.DataFrame(
        np.random.default_rng(0).normal(size=(len(three.dates), 3)),
        index=three.dates,
        columns=three.tickers,
    )
    result = fl.backtest(signal, three, quantiles=5, short=True)
    at_rebalance = result.weights.loc[result.turnover.index]
    # qcut puts the lowest of three in bucket 1 and the highest in bucket 5: one name each.
    assert ((at_rebalance > 0).sum(axis=1) == 1).all()
    assert ((at_rebalance < 0).sum(axis=1) == 1).all()


def test_a_short_leg_smaller_than_the_long_leg_is_warned_about(backtest_lab):
    tied = pd.DataFrame(1.0, index=backtest_lab.dates, columns=backtest_lab.tickers)
    tied.iloc[:, 0] = 0.0  # one clear loser, everyone else tied at the top
    with pytest.warns(UserWarning, match="short leg had fewer names than the long leg"):
        fl.backtest(tied, backtest_lab, top_n=3, short=True)


def test_tied_signals_share_the_cut_off_instead_of_ticker_order(backtest_lab):
    flat = pd.DataFrame(1.0, index=backtest_lab.dates, columns=backtest_lab.tickers)
    flat.iloc[:, :3] = 2.0
    result = fl.backtest(flat, backtest_lab, top_n=2)
    held = result.weights.loc[result.turnover.index[0]]
    assert set(held[held > 0].index) == set(backtest_lab.tickers[:3])  # all three tied at the top


def test_the_last_day_is_not_a_rebalance_unless_its_month_is_complete(backtest_lab):
    cut = fl.Dataset(backtest_lab.prices.loc[:"2023-07-05"], backtest_lab.volume.loc[:"2023-07-05"])
    result = fl.backtest(fl.factors.momentum(cut), cut, rebalance="M")
    assert result.turnover.index[-1] == pd.Timestamp("2023-06-30")
    assert result.costs.iloc[-1] == 0.0


def test_an_infinite_signal_is_named(backtest_lab):
    signal = fl.factors.momentum(backtest_lab)
    signal.iloc[300, 2] = np.inf
    with pytest.raises(fl.DataError, match=f"infinite for {backtest_lab.tickers[2]}"):
        fl.backtest(signal, backtest_lab)


def test_long_bottom_buys_the_lowest_signal(backtest_lab):
    signal = fl.factors.momentum(backtest_lab)
    day = fl.backtest(signal, backtest_lab, long="bottom").turnover.index[3]
    held = fl.backtest(signal, backtest_lab, long="bottom").weights.loc[day]
    lowest = signal.loc[day].dropna().nsmallest((held > 0).sum()).index
    assert set(held[held > 0].index) == set(lowest)


def test_signal_weighting_gives_more_to_stronger_signals(backtest_lab):
    signal = fl.factors.momentum(backtest_lab)
    result = fl.backtest(signal, backtest_lab, weighting="signal")
    day = result.turnover.index[3]
    held = result.weights.loc[day]
    held = held[held > 0]
    strength = signal.loc[day, held.index]
    assert held.corr(strength) > 0.9 and held.sum() == pytest.approx(1.0)


def test_the_equal_weight_benchmark_is_the_mean_stock_return(backtest_lab):
    result = fl.backtest(fl.factors.momentum(backtest_lab), backtest_lab, benchmark="equal")
    expected = (
        backtest_lab.prices.pct_change(fill_method=None).mean(axis=1).loc[result.returns.index]
    )
    np.testing.assert_allclose(result.benchmark.iloc[1:], expected.iloc[1:])
    assert result.benchmark.iloc[0] == 0.0 and result.benchmark.name == "equal-weight universe"


@pytest.mark.parametrize(
    ("code", "offset"), [("W", pd.offsets.Week(weekday=4)), ("Q", pd.offsets.BQuarterEnd())]
)
def test_weekly_and_quarterly_rebalances_fall_on_period_ends(backtest_lab, code, offset):
    days = fl.backtest(
        fl.factors.momentum(backtest_lab), backtest_lab, rebalance=code
    ).turnover.index
    nxt = backtest_lab.dates[backtest_lab.dates.get_indexer(days[1:-1]) + 1]
    assert (days[1:-1].to_period(code) != nxt.to_period(code)).all()


def test_a_same_day_signal_earns_exactly_the_next_days_returns_of_its_picks(backtest_lab):
    today = backtest_lab.prices.pct_change(fill_method=None)
    result = fl.backtest(today, backtest_lab, rebalance=1, top_n=5, cost_bps=0)
    days = result.returns.index
    for i in range(1, 40):  # each day: equal weights in yesterday's five best, held one day
        picks = today.loc[days[i - 1]].nlargest(5).index
        expected = today.loc[days[i], picks].fillna(0.0).mean()
        assert result.returns.iloc[i] == pytest.approx(expected, abs=1e-12)
