"""The risk model against what the lab market planted: premia found, risk forecast right."""

from __future__ import annotations

import pytest

import factorlab as fl


@pytest.fixture(scope="module")
def on_true_exposures(sample) -> fl.RiskModel:
    """The lab market's own exposures as styles, carried from each month end (point in time).

    No industries: the lab market plants its premia on the styles alone, and its value
    exposure leans by sector, so sector factors would take a share of the value premium.
    """
    custom = {
        f"true_{name}": fl.factors.Custom(panel, fill="latest")
        for name, panel in sample.truth.exposures.items()
    }
    return fl.risk_model(sample, factors=tuple(custom), custom=custom, industries=None)


@pytest.mark.parametrize("factor", ["value", "growth", "momentum"])
def test_each_planted_premium_is_found_within_two_standard_errors(
    sample, on_true_exposures, factor
):
    # Stated scaling: a style's daily factor return is the return of one cross-sectional
    # standard deviation of exposure; 252 of them are the planted premium per year.
    row = on_true_exposures.summary().loc[f"true_{factor}"]
    planted = sample.truth.premia_ann[factor]
    assert row["mean_ann"] > 0
    assert abs(row["mean_ann"] - planted) < 2 * row["std_error_ann"]


def test_the_library_exposures_earn_each_planted_premium_with_its_sign(sample):
    summary = fl.risk_model(sample, factors=("value", "growth", "momentum")).summary()
    assert (summary.loc[["value", "growth", "momentum"], "mean_ann"] > 0).all()
    assert (summary.loc[["growth", "momentum"], "t_stat"] > 2).all()


def test_risk_forecasts_are_unbiased_out_of_sample(sample):
    bias = fl.risk_model(sample).bias()
    assert bias["days"].min() > 3000
    assert bias["bias"].between(0.8, 1.2).all(), bias
