"""SweepResult: the best trials, the deflated Sharpe ratio, PBO, and files."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

import factorlab as fl
from factorlab.sweep import probability_of_overfitting


@pytest.fixture(scope="module")
def ds() -> fl.Dataset:
    return fl.load_dataset("sample", n_tickers=60, years=5, seed=7)


@pytest.fixture(scope="module")
def res(ds) -> fl.SweepResult:
    grid = fl.Grid(weights=fl.simplex(["value", "growth", "momentum"], step=0.5), cost_bps=[5, 50])
    return fl.sweep(grid, ds, workers=1, progress=False)


def test_best_sorts_by_a_figure_and_lowest_turns_it_round(res):
    best = res.best("Sharpe ratio", n=3)
    assert len(best) == 3 and best["Sharpe ratio"].is_monotonic_decreasing
    assert best["Sharpe ratio"].iloc[0] == res.table["Sharpe ratio"].max()
    calm = res.best("annual volatility", lowest=True)
    assert calm["annual volatility"].iloc[0] == res.table["annual volatility"].min()


def test_an_unknown_figure_is_named_with_a_suggestion(res):
    with pytest.raises(fl.ConfigError, match=r"No figure 'sharpe'.*Did you mean 'sharpe ratio'"):
        res.best("sharpe")


def test_returns_are_recomputed_to_the_trials_figures(res):
    tid = res.best().index[0]
    returns = res.returns(tid)[tid].dropna()
    assert fl.metrics.sharpe_ratio(returns) == pytest.approx(res.table.loc[tid, "Sharpe ratio"])


def test_the_deflated_sharpe_ratio_equals_the_formula_by_hand(res):
    dsr = res.deflated_sharpe()
    tid = dsr["trial"]
    r = res.returns(tid)[tid].dropna().to_numpy()
    n_trials = len(res.table)
    variance = res.table["Sharpe ratio"].var(ddof=1) / 252  # per day
    gamma = 0.5772156649015329
    z = NormalDist().inv_cdf
    sr0 = math.sqrt(variance) * (
        (1 - gamma) * z(1 - 1 / n_trials) + gamma * z(1 - 1 / (n_trials * math.e))
    )
    sr = r.mean() / r.std(ddof=1)
    skew = scipy_stats.skew(r)
    kurt = scipy_stats.kurtosis(r, fisher=False)
    by_hand = NormalDist().cdf(
        (sr - sr0) * math.sqrt(len(r) - 1) / math.sqrt(1 - skew * sr + (kurt - 1) / 4 * sr**2)
    )
    assert dsr["deflated Sharpe ratio"] == pytest.approx(by_hand, abs=1e-9)
    assert dsr["trials"] == n_trials
    assert dsr["expected max Sharpe"] == pytest.approx(sr0 * math.sqrt(252))


def _moments(daily: np.ndarray) -> np.ndarray:
    """Per trial and month (21 days each): count, sum, sum of squares."""
    months = daily.reshape(daily.shape[0], -1, 21)
    return np.stack([np.full(months.shape[:2], 21.0), months.sum(2), (months**2).sum(2)], -1)


def test_pbo_is_about_a_half_when_every_trial_is_luck():
    rng = np.random.default_rng(1)
    noise = rng.normal(0.0, 0.01, (40, 120 * 21))  # 40 trials, ten years, no skill at all
    found = probability_of_overfitting(_moments(noise), blocks=10)
    assert 0.3 < found.probability < 0.7
    assert found.splits == math.comb(10, 5) and found.trials == 40


def test_pbo_is_near_zero_when_one_configuration_is_truly_better():
    rng = np.random.default_rng(2)
    daily = rng.normal(0.0, 0.01, (40, 120 * 21))
    daily[17] += 0.002  # a planted edge: a Sharpe ratio of about 3
    found = probability_of_overfitting(_moments(daily), blocks=10)
    assert found.probability < 0.05


def test_pbo_of_a_sweep_runs_on_its_monthly_sums(res):
    found = res.pbo(blocks=8)
    assert 0 <= found.probability <= 1 and found.trials == len(res.table)
    assert "PBO" in repr(found)


def test_pbo_refuses_an_odd_number_of_blocks(res):
    with pytest.raises(fl.ConfigError, match="blocks must be even"):
        res.pbo(blocks=7)


def test_a_saved_sweep_loads_back_whole(res, ds, tmp_path):
    path = res.save(tmp_path / "sweep.json")
    back = fl.load_sweep(path, ds=ds)
    pd.testing.assert_frame_equal(back.table, res.table, check_dtype=False)
    assert back.pbo(blocks=8).probability == res.pbo(blocks=8).probability
    assert back.deflated_sharpe()["deflated Sharpe ratio"] == pytest.approx(
        res.deflated_sharpe()["deflated Sharpe ratio"]
    )


def test_a_sweep_loaded_without_its_dataset_says_how_to_get_returns(res, tmp_path):
    back = fl.load_sweep(res.save(tmp_path / "s.json"))
    with pytest.raises(fl.DataError, match=r"fl.load_sweep\(path, ds=ds\)"):
        back.returns(back.table.index[0])


def test_a_figure_is_found_whatever_its_case(res):
    assert res.best("sharpe ratio").index[0] == res.best("Sharpe ratio").index[0]


def test_the_heatmap_averages_a_figure_over_the_other_parameters(res):
    table = res.heatmap("cost_bps", "value weight")
    assert list(table.columns) == ["5.0", "50.0"] and table.attrs["metric"] == "Sharpe ratio"
    at_five = res.table[(res.table["cost_bps"] == 5) & (res.table["value weight"] == 1.0)]
    assert table.loc["1.0", "5.0"] == pytest.approx(at_five["Sharpe ratio"].mean())


def test_the_expected_best_by_luck_grows_with_the_number_of_trials(res):
    assert 0 < res.expected_best_sharpe() < res.table["Sharpe ratio"].std() * 3


def test_plot_draws_the_sharpe_ratios_against_luck_and_a_heat_map(res):
    fig = res.plot()
    assert len(fig.axes) == 3  # the histogram, the heat map and its colour bar
    assert "by luck" in " ".join(t.get_text() for t in fig.axes[0].get_legend().get_texts())


def test_active_deflation_judges_returns_over_the_benchmark(res):
    active = res.deflated_sharpe(active=True)
    assert active["active"] and active["trial"] == res.table["information ratio"].idxmax()
    assert active["Sharpe ratio"] == res.table["information ratio"].max()
    returns = res.returns(active["trial"], active=True)[active["trial"]].dropna()
    expected = fl.metrics.deflated_sharpe_ratio(
        returns, len(res.table), res.table["information ratio"].var(ddof=1)
    )
    assert active["deflated Sharpe ratio"] == pytest.approx(expected)
