"""What the figures draw is computed by tested methods of the results: drawdown, rolling Sharpe,
growth of 1, rolling IC, cumulative and worst spreads, family correlations, sector shares."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import factorlab as fl


@pytest.fixture(scope="module")
def lab() -> fl.Dataset:
    return fl.load_dataset("sample", n_tickers=60, years=4, seed=17)


@pytest.fixture(scope="module")
def result(lab) -> fl.BacktestResult:
    return fl.backtest(fl.score(lab), lab)


@pytest.fixture(scope="module")
def report(lab) -> fl.FactorReport:
    return fl.evaluate(fl.factors.momentum(lab), lab, periods=(1, 5, 21))


def test_drawdown_is_the_fall_from_the_running_peak_and_its_minimum_the_max_drawdown(result):
    r = result.returns.to_numpy()
    wealth, peak, by_hand = 1.0, 1.0, []
    for x in r:  # the plain loop, day by day
        wealth *= 1 + x
        peak = max(peak, wealth)
        by_hand.append(wealth / peak - 1)
    np.testing.assert_allclose(result.drawdown().to_numpy(), by_hand, atol=1e-12)
    assert result.drawdown().min() == pytest.approx(result.stats().loc["max drawdown", "strategy"])


def test_rolling_sharpe_is_the_annualized_sharpe_of_the_last_window(result):
    rolling = result.rolling_sharpe(126)
    last = result.returns.iloc[-126:]
    assert rolling.iloc[-1] == pytest.approx(last.mean() / last.std() * np.sqrt(252))
    assert rolling.iloc[:125].isna().all() and rolling.iloc[125:].notna().all()
    with pytest.raises(fl.ConfigError, match="window must be at least 2"):
        result.rolling_sharpe(1)


def test_wealth_compounds_the_strategy_and_the_benchmark(result):
    wealth = result.wealth()
    assert list(wealth.columns) == ["strategy", "LABX"]
    assert wealth["strategy"].iloc[-1] == pytest.approx(np.prod(1 + result.returns))
    assert wealth["LABX"].iloc[-1] == pytest.approx(np.prod(1 + result.benchmark.fillna(0)))


def test_comparison_wealth_has_every_strategy_and_the_benchmark(lab, result):
    other = fl.backtest(fl.factors.value(lab), lab)
    comparison = fl.compare({"composite": result, "value": other})
    wealth = comparison.wealth()
    assert list(wealth.columns) == ["composite", "value", "LABX"]
    assert wealth["value"].iloc[-1] == pytest.approx(np.prod(1 + comparison.returns["value"]))


def test_rolling_ic_is_the_mean_of_the_last_window_of_ics(report):
    rolling = report.rolling_ic(63)
    ic = report.ic[1]
    assert rolling.iloc[-1] == pytest.approx(ic.iloc[-63:].mean())
    assert report.rolling_ic(63, period=5).iloc[-1] == pytest.approx(report.ic[5].iloc[-63:].mean())
    with pytest.raises(fl.ConfigError, match="No period 2 in this report; it has 1, 5, 21"):
        report.rolling_ic(period=2)


def test_cumulative_spread_sums_the_per_day_spread(report):
    spread = report.spread_series[5]
    assert report.cumulative_spread(5).iloc[-1] == pytest.approx(spread.sum() / 5)


def test_worst_spreads_take_one_date_per_window_worst_first(lab, report):
    worst = report.worst_spreads(5)
    assert len(worst) == 5 and worst.is_monotonic_increasing
    assert (np.diff(np.sort(lab.dates.get_indexer(worst.index))) >= 21).all()
    greedy, last = {}, None
    for day, value in report.spread_series[21].dropna().items():  # the plain walk, by dates
        position = lab.dates.get_loc(day)
        if last is None or position - last >= 21:
            greedy[day], last = value, position
    expected = pd.Series(greedy).nsmallest(5)
    np.testing.assert_array_equal(worst.to_numpy(), expected.to_numpy())
    assert worst.index.equals(expected.index)


def test_family_correlations_are_the_mean_month_end_spearman_correlation(lab):
    scores = fl.score(lab)
    table = scores.family_correlations()
    names = list(scores.components)
    month_ends = scores.composite.groupby(scores.composite.index.to_period("M")).tail(1).index
    per_month = [
        pd.DataFrame({n: scores.components[n].loc[day] for n in names})
        .dropna()
        .corr(method="spearman")
        for day in month_ends
    ]
    per_month = [c for c in per_month if c.notna().all().all()]
    expected = sum(per_month) / len(per_month)
    np.testing.assert_allclose(table.to_numpy(), expected.to_numpy(), atol=1e-12)
    assert table.attrs["month_ends"] == len(per_month)


def test_sector_shares_compare_the_selection_with_the_universe(lab):
    table = fl.screen(lab, top=12)
    shares = fl.factors.sector_shares(table, lab.meta)
    assert shares["selection"].sum() == pytest.approx(1) and shares[
        "universe"
    ].sum() == pytest.approx(1)
    for sector in shares.index:
        assert shares.loc[sector, "selection"] == pytest.approx((table["sector"] == sector).mean())
        assert shares.loc[sector, "universe"] == pytest.approx(
            (lab.meta["sector"] == sector).mean()
        )
    assert shares["universe"].is_monotonic_increasing


def test_seed_vs_zscore_ranks_both_ways_and_states_their_spearman_correlation(lab):
    table = fl.factors.seed_vs_zscore(lab, "value")
    assert table["z_rank"].tolist() == sorted(table["z_rank"])
    assert table.loc[table["z_score"].idxmax(), "z_rank"] == 1
    assert table["bucket_score"].between(1, 10).all()
    expected = stats.spearmanr(table["bucket_score"], table["z_score"]).statistic
    assert table.attrs["rank_correlation"] == pytest.approx(expected)
    assert table.attrs["family"] == "value"
