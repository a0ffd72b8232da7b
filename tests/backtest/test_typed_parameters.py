"""Parameters as papermill passes them: a number where a list is expected is a list of one."""

from __future__ import annotations

import factorlab as fl
from factorlab.backtest.metrics import sharpe_ratio


def test_a_single_period_may_be_a_number(small_sample):
    report = fl.evaluate(fl.factors.momentum(small_sample), small_sample, periods=21)
    assert list(report.ic.columns) == [21]


def test_a_single_cost_level_may_be_a_number(small_sample):
    table = fl.cost_sensitivity(fl.factors.momentum(small_sample), small_sample, costs_bps=25)
    assert table.index.tolist() == [25.0]


def test_the_deflated_sharpe_can_judge_returns_over_the_benchmark(small_sample):
    runs = {f: fl.backtest(fl.factors.family_exposure(small_sample, f), small_sample)
            for f in ("value", "momentum")}  # fmt: skip
    comparison = fl.compare(runs)
    active = comparison.deflated_sharpe(active=True)
    excess = comparison.returns.sub(comparison.benchmark.fillna(0.0), axis=0)
    assert active.attrs["active"]
    assert active["Sharpe ratio"].round(12).equals(sharpe_ratio(excess).round(12))
