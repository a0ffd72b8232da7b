"""fl.Grid and fl.simplex: the trials of a sweep, checked before any runs."""

from __future__ import annotations

import pytest

import factorlab as fl
from factorlab.sweep import trial_id


def test_the_grid_is_the_product_of_its_lists():
    grid = fl.Grid(rebalance=["M", "Q"], quantiles=[5, 10], cost_bps=[5, 10, 25])
    assert len(grid) == 12
    assert grid.trials()[0] == {"rebalance": "M", "quantiles": 5, "cost_bps": 5.0}
    assert "12 trials: 2 rebalance x 2 quantiles x 3 cost_bps" in repr(grid)


def test_a_single_value_is_a_list_of_one_and_weights_take_vectors():
    grid = fl.Grid(weights=[{"value": 1.0}, "value=0.5,momentum=0.5"], rebalance="Q")
    assert [t["weights"] for t in grid] == [{"value": 1.0}, {"value": 0.5, "momentum": 0.5}]
    assert {t["rebalance"] for t in grid} == {"Q"}


def test_simplex_gives_every_vector_on_the_step_summing_to_one():
    vectors = fl.simplex(["value", "growth", "momentum"], step=0.1)
    assert len(vectors) == 66  # (10 + 2 choose 2)
    assert all(abs(sum(v.values()) - 1) < 1e-12 for v in vectors)
    assert {"value": 1.0} in vectors and {"value": 0.5, "growth": 0.2, "momentum": 0.3} in vectors


@pytest.mark.parametrize("step", [0.3, 0, -0.5, 2])
def test_simplex_refuses_a_step_that_does_not_divide_one(step):
    with pytest.raises(fl.ConfigError, match="simplex step"):
        fl.simplex(["value", "growth"], step=step)


def test_an_unknown_parameter_is_named_with_a_suggestion():
    with pytest.raises(fl.ConfigError, match=r"no parameter 'quantile'.*'quantiles'"):
        fl.Grid(quantile=[5])


def test_an_empty_list_is_named():
    with pytest.raises(fl.ConfigError, match="'cost_bps' has an empty list"):
        fl.Grid(cost_bps=[])


def test_weights_that_do_not_sum_to_one_are_refused_unless_renormalized():
    with pytest.raises(fl.ConfigError, match=r"Grid weights .* sum to 2.*renormalize=True"):
        fl.Grid(weights=[{"value": 1.0, "momentum": 1.0}])
    grid = fl.Grid(weights=[{"value": 1.0, "momentum": 1.0}], renormalize=True)
    assert grid.trials()[0]["weights"] == {"value": 0.5, "momentum": 0.5}


def test_bad_values_are_refused_before_anything_runs():
    with pytest.raises(fl.ConfigError, match="rebalance"):
        fl.Grid(rebalance=["monthly", "fortnightly"])
    with pytest.raises(fl.ConfigError, match="cost_bps"):
        fl.Grid(cost_bps=[-5])
    with pytest.raises(fl.ConfigError, match="quantiles"):
        fl.Grid(quantiles=["five"])


def test_a_trial_id_is_stable_and_depends_on_the_data():
    trial = {"weights": {"value": 1.0}, "rebalance": "M"}
    assert trial_id(trial, "aaaa") == trial_id(dict(reversed(list(trial.items()))), "aaaa")
    assert trial_id(trial, "aaaa") != trial_id(trial, "bbbb")
    assert len(trial_id(trial, "aaaa")) == 16


def test_text_with_commas_is_a_list_as_papermill_passes_it():
    grid = fl.Grid(rebalance="M, Q", quantiles="5,10", cost_bps="10")
    assert len(grid) == 4 and {t["quantiles"] for t in grid} == {5, 10}
