"""Attribution: the parts add up to the backtest's return, and each is what its definition says."""

from __future__ import annotations

import numpy as np
import pytest

import factorlab as fl


@pytest.fixture(scope="module")
def lab() -> fl.Dataset:
    return fl.load_dataset("sample", n_tickers=80, years=4, seed=12)


@pytest.fixture(scope="module")
def model(lab) -> fl.RiskModel:
    return fl.risk_model(lab, factors=("value", "growth", "momentum"))


@pytest.fixture(scope="module")
def result(lab):
    return fl.backtest(fl.score(lab).composite, lab, cost_bps=10)


@pytest.fixture(scope="module")
def attribution(model, result):
    return model.attribute(result)


def test_the_parts_add_up_to_the_net_return_every_day(attribution, result):
    total = attribution.parts.sum(axis=1)
    np.testing.assert_allclose(total, result.returns, rtol=0, atol=1e-12)
    assert attribution.parts["costs"].lt(0).any()


def test_a_factors_part_is_the_books_exposure_times_the_factor_return(attribution, model, result):
    day = attribution.parts.index[200]
    before = result.weights.index[result.weights.index.get_loc(day) - 1]
    held = result.weights.loc[before]
    held = held[held != 0]
    exposure = (model.styles["momentum"].loc[before, held.index] * held).sum()
    assert attribution.exposures.at[day, "momentum"] == pytest.approx(exposure, rel=1e-12)
    assert attribution.parts.at[day, "momentum"] == pytest.approx(
        exposure * model.factor_returns.at[day, "momentum"], rel=1e-12
    )


def test_the_specific_part_is_the_weighted_specific_returns_when_the_model_covers_the_book(
    attribution, model, result
):
    days = attribution.parts.index[100:300]
    for day in days[::20]:
        before = result.weights.index[result.weights.index.get_loc(day) - 1]
        held = result.weights.loc[before]
        held = held[held != 0]
        specific = model.specific_returns.loc[day, held.index]
        covered = all(model.styles[s].loc[before, held.index].notna().all() for s in model.styles)
        if specific.notna().all() and covered:
            assert attribution.parts.at[day, "specific"] == pytest.approx(
                (held * specific).sum(), abs=1e-12
            )


def test_the_summary_shares_add_up(attribution):
    summary = attribution.summary()
    parts = summary.drop(index="total")
    assert parts["contribution_ann"].sum() == pytest.approx(summary.at["total", "contribution_ann"])
    assert parts["share_of_risk"].sum() == pytest.approx(1.0)
    assert list(summary.index[:2]) == ["market", "industries"]


def test_by_year_sums_the_daily_parts_and_the_plot_draws_them(attribution):
    years = attribution.by_year()
    np.testing.assert_allclose(years.drop(columns="total").sum(axis=1), years["total"], atol=1e-12)
    assert len(attribution.plot().axes) == 1


def test_pyfolio_inputs_are_in_pyfolios_shapes(attribution):
    inputs = attribution.to_pyfolio()
    loadings = inputs["factor_loadings"]
    assert loadings.index.nlevels == 2 and list(loadings.columns) == attribution.styles
    assert inputs["returns"].index.equals(inputs["factor_returns"].index)


def test_a_backtest_on_another_dataset_is_refused(model):
    other = fl.load_dataset("sample", n_tickers=30, years=3, seed=1)
    with pytest.raises(fl.ConfigError, match="other tickers or days"):
        model.attribute(fl.backtest(fl.score(other).composite, other))


def test_the_first_day_is_the_buy_in_with_costs_only(attribution, result):
    first = attribution.parts.iloc[0]
    assert first.drop("costs").abs().sum() == 0
    assert first["costs"] == pytest.approx(result.returns.iloc[0])


def test_pyfolio_loadings_are_those_each_days_return_was_earned_on(attribution, result):
    inputs = attribution.to_pyfolio()
    day = attribution.parts.index[250]
    held_into_day = result.weights.shift(1).loc[day]
    loadings = inputs["factor_loadings"].xs(day)["momentum"]
    expected = (held_into_day.reindex(loadings.index) * loadings).sum()
    assert attribution.exposures.at[day, "momentum"] == pytest.approx(expected, rel=1e-9)
