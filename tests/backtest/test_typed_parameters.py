"""Parameters as papermill passes them: a number where a list is expected is a list of one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import factorlab as fl
from factorlab.backtest.metrics import (
    deflated_sharpe_ratio,
    probabilistic_sharpe_ratio,
    sharpe_ratio,
)


def test_a_single_period_may_be_a_number(small_sample):
    report = fl.evaluate(fl.factors.momentum(small_sample), small_sample, periods=21)
    assert list(report.ic.columns) == [21]


def test_a_single_cost_level_may_be_a_number(small_sample):
    table = fl.cost_sensitivity(fl.factors.momentum(small_sample), small_sample, costs_bps=25)
    assert table.index.tolist() == [25.0]


def test_the_deflated_sharpe_can_judge_returns_over_the_benchmark(small_sample):
    runs = {
        f: fl.backtest(fl.factors.family_exposure(small_sample, f), small_sample)
        for f in ("value", "momentum")
    }
    comparison = fl.compare(runs)
    active = comparison.deflated_sharpe(active=True)
    total = comparison.deflated_sharpe()
    over = pd.DataFrame(
        {f: r.returns - r.benchmark.reindex(r.returns.index).fillna(0.0) for f, r in runs.items()}
    ).dropna()
    sharpe = sharpe_ratio(over)
    assert active.attrs["active"] and not total.attrs["active"]
    pd.testing.assert_series_equal(active["Sharpe ratio"], sharpe, check_names=False)
    pd.testing.assert_series_equal(
        active["PSR (vs 0)"], probabilistic_sharpe_ratio(over), check_names=False
    )
    expected_dsr = deflated_sharpe_ratio(over, 2, float(sharpe.var()))
    pd.testing.assert_series_equal(active["DSR"], expected_dsr, check_names=False)
    assert not np.allclose(active["Sharpe ratio"], total["Sharpe ratio"])


def test_the_deflated_sharpe_over_a_benchmark_needs_one():
    days = pd.bdate_range("2024-01-01", periods=300)
    returns = pd.Series(np.random.default_rng(0).normal(4e-4, 0.01, len(days)), index=days)
    with pytest.raises(fl.ConfigError, match="active=True needs a benchmark"):
        fl.compare({"a": returns, "b": returns * 0.5}).deflated_sharpe(active=True)
