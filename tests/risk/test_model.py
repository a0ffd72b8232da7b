"""fl.risk_model: exposures and factor returns point in time, Fama-MacBeth, clear errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

import factorlab as fl
from factorlab.factors.families.value import market_cap
from factorlab.risk.model import newey_west_lags, standardize_styles


@pytest.fixture(scope="module")
def lab() -> fl.Dataset:
    return fl.load_dataset("sample", n_tickers=60, years=4, seed=9)


@pytest.fixture(scope="module")
def model(lab) -> fl.RiskModel:
    return fl.risk_model(lab, factors=("value", "momentum", "low_vol"))


def test_factor_returns_have_the_market_each_industry_and_each_style(lab, model):
    sectors = sorted(lab.meta["sector"].dropna().unique())
    assert list(model.factor_returns.columns) == [
        "market",
        *sectors,
        "value",
        "momentum",
        "low_vol",
    ]
    assert model.factor_returns.index.equals(lab.dates[1:])  # labelled with the day earned
    assert model.specific_returns.shape == (len(lab.dates) - 1, len(lab.tickers))


def test_styles_have_cap_weighted_mean_zero_and_unit_spread(lab, model):
    caps = market_cap(lab)
    day = lab.dates[-1]
    x, c = model.styles["value"].loc[day], caps.loc[day]
    ok = x.notna() & c.notna()
    assert (x[ok] * c[ok]).sum() / c[ok].sum() == pytest.approx(0, abs=1e-12)
    assert x[ok].std() == pytest.approx(1)


def test_standardizing_takes_the_cap_weighted_mean_and_equal_weighted_spread():
    x = np.array([[1.0, 2.0, 3.0, np.nan], [4.0, 4.0, 4.0, 4.0]])
    caps = np.array([[1.0, 1.0, 2.0, 5.0], [1.0, 1.0, 1.0, 1.0]])
    out = standardize_styles(x, caps)
    np.testing.assert_allclose(out[0, :3], (x[0, :3] - 2.25) / 1.0)
    assert np.isnan(out[0, 3]) and np.isnan(out[1]).all()  # no exposure; no spread


def test_a_day_return_is_explained_by_the_exposures_of_the_day_before(lab, model):
    day, before = lab.dates[-5], lab.dates[-6]
    table = model.exposures(before)
    returns = lab.prices.pct_change(fill_method=None).loc[day]
    explained = table @ model.factor_returns.loc[day].fillna(0)  # NaN: no such industry that day
    specific = model.specific_returns.loc[day]
    both = specific.notna()
    np.testing.assert_allclose((explained + specific)[both], returns[both], atol=1e-12)


def test_fama_macbeth_t_stats_equal_statsmodels_newey_west(model):
    summary = model.summary(lags=5)
    for factor in ("market", "value", "momentum"):
        series = model.factor_returns[factor].dropna().to_numpy()
        fit = sm.OLS(series, np.ones(len(series))).fit(
            cov_type="HAC", cov_kwds={"maxlags": 5, "use_correction": False}
        )
        assert summary.at[factor, "t_stat"] == pytest.approx(fit.tvalues[0], rel=1e-9)
        assert summary.at[factor, "mean_ann"] == pytest.approx(252 * series.mean())


def test_the_default_newey_west_lags_follow_the_rule_of_thumb():
    assert newey_west_lags(100) == 4 and newey_west_lags(2500) == 8


def test_changing_the_future_changes_no_exposure_or_factor_return_up_to_that_day(
    lab, rewrite_future
):
    day = lab.dates[500]
    plain = fl.Dataset(lab.prices, lab.volume, lab.fundamentals, lab.meta, lab.benchmark)
    future = rewrite_future(plain, day, np.random.default_rng(3))
    ours, theirs = (fl.risk_model(d, factors=("value", "momentum")) for d in (plain, future))
    for name in ("value", "momentum"):
        pd.testing.assert_frame_equal(ours.styles[name].loc[:day], theirs.styles[name].loc[:day])
    pd.testing.assert_frame_equal(ours.factor_returns.loc[:day], theirs.factor_returns.loc[:day])
    pd.testing.assert_frame_equal(
        ours.specific_returns.loc[:day], theirs.specific_returns.loc[:day]
    )
    assert (
        not ours.factor_returns.loc[day:].iloc[1:].equals(theirs.factor_returns.loc[day:].iloc[1:])
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"factors": ("value", "size")}, "Unknown style factor 'size'"),
        ({"factors": ()}, "factors is empty"),
        ({"regression_weights": "volume"}, "Unknown regression_weights 'volume'"),
        ({"halflife": 0}, "halflife must be a positive"),
        ({"newey_west_lags": -1}, "newey_west_lags must be at least 0"),
        ({"specific_shrinkage": 1.5}, "specific_shrinkage must be in"),
        ({"industries": "country"}, "country"),
    ],
)
def test_bad_settings_say_what_is_wrong(lab, options, message):
    with pytest.raises(fl.ConfigError, match=message):
        fl.risk_model(lab, **options)


def test_exposures_before_the_first_day_are_refused(lab, model):
    with pytest.raises(fl.ConfigError, match="before the model's first day"):
        model.exposures(lab.dates[0] - pd.Timedelta(days=3))


def test_portfolio_risk_parts_add_up_to_the_direct_quadratic_form(lab, model):
    day = lab.dates[-30]
    specific = model.specific_risk(day)
    held = specific.dropna().index[:25]
    weights = pd.Series(np.linspace(0.02, 0.06, len(held)), index=held)
    table = model.risk(weights, day)
    x = model.exposures(day).loc[held].fillna(0.0).T @ weights
    covariance = model.covariance(day).fillna(0.0)
    expected = x @ covariance @ x + (weights**2 * specific[held] ** 2).sum()
    assert table.at["total", "variance_ann"] == pytest.approx(expected, rel=1e-10)
    parts = table.drop(index="total")
    assert parts["variance_ann"].sum() == pytest.approx(expected, rel=1e-10)
    assert parts["volatility_ann"].sum() == pytest.approx(np.sqrt(expected), rel=1e-10)
    assert table.at["market", "exposure"] == pytest.approx(weights.sum())


def test_covariance_is_annualized_and_the_same_as_the_forecast_rows(lab, model):
    from factorlab.risk.covariance import factor_covariances

    day = lab.dates[-10]
    daily = factor_covariances(model.factor_returns.to_numpy(), 126)
    row = model.factor_returns.index.get_loc(day)
    np.testing.assert_allclose(model.covariance(day).to_numpy(), 252 * daily[row])


def test_weights_for_tickers_outside_the_dataset_are_refused(lab, model):
    with pytest.raises(fl.ConfigError, match="not in the dataset: 1 stocks \\(ZZZZ\\)"):
        model.risk({"ZZZZ": 1.0}, lab.dates[-1])


def test_a_forecast_before_the_model_has_history_is_refused(lab, model):
    with pytest.raises(fl.ConfigError, match="too few days of factor returns"):
        model.covariance(lab.dates[3])


def test_risk_forecasts_at_t_do_not_change_when_the_future_does(lab, rewrite_future):
    day = lab.dates[600]
    plain = fl.Dataset(lab.prices, lab.volume, lab.fundamentals, lab.meta, lab.benchmark)
    future = rewrite_future(plain, day, np.random.default_rng(4))
    ours, theirs = (fl.risk_model(d, factors=("momentum",)) for d in (plain, future))
    pd.testing.assert_frame_equal(ours.covariance(day), theirs.covariance(day))
    pd.testing.assert_series_equal(ours.specific_risk(day), theirs.specific_risk(day))


def test_the_model_plots_its_cumulative_factor_returns(model):
    figure = model.plot()
    assert len(figure.axes) == 2
    assert model.cumulative_returns().iloc[-1].notna().all()


def test_a_model_without_industries_has_the_market_and_the_styles_only(lab):
    model = fl.risk_model(lab, factors=("value", "momentum"), industries=None)
    assert list(model.factor_returns.columns) == ["market", "value", "momentum"]
    result = fl.backtest(fl.score(lab).composite, lab)
    parts = model.attribute(result).parts
    np.testing.assert_allclose(parts.sum(axis=1), result.returns, atol=1e-12)
    assert model.risk({lab.tickers[0]: 1.0}, lab.dates[-1]).at["industries", "variance_ann"] == 0


def test_a_custom_style_must_be_named_in_factors(lab):
    panel = lab.prices.pct_change(fill_method=None).rolling(63).std()
    with pytest.raises(fl.ConfigError, match="custom style 'calm' is not in factors"):
        fl.risk_model(lab, factors=("value",), custom={"calm": panel})
    model = fl.risk_model(lab, factors=("value", "calm"), custom={"calm": panel})
    assert "calm" in model.factor_returns.columns


def test_books_with_tickers_outside_the_dataset_are_refused_by_the_bias_test(lab, model):
    book = pd.DataFrame({"ZZZZ": 0.5, lab.tickers[0]: 0.5}, index=lab.dates)
    with pytest.raises(fl.ConfigError, match="not in the dataset: 1 stocks \\(ZZZZ\\)"):
        model.bias({"mine": book})


def test_a_risk_forecast_on_the_first_day_says_there_are_no_factor_returns_yet(lab, model):
    with pytest.raises(fl.ConfigError, match="no factor returns yet"):
        model.risk({lab.tickers[0]: 1.0}, lab.dates[0])


def test_the_forecast_settings_reach_the_forecasts(lab):
    from factorlab.risk.covariance import factor_covariances, specific_variances

    model = fl.risk_model(
        lab, factors=("momentum",), halflife=60, newey_west_lags=0, specific_shrinkage=1.0
    )
    day = lab.dates[-1]
    daily = factor_covariances(model.factor_returns.to_numpy(), 60, lags=0)[-1]
    np.testing.assert_allclose(model.covariance(day).to_numpy(), 252 * daily)
    shrunk = specific_variances(
        model.specific_returns.to_numpy(), model.caps.to_numpy()[1:], 60, shrinkage=1.0
    )[-1]
    np.testing.assert_allclose(model.specific_risk(day).to_numpy(), np.sqrt(252 * shrunk))


def test_risk_warns_when_a_held_factor_is_too_young_for_a_covariance(lab):
    late = lab.tickers[0]
    prices = lab.prices.copy()
    prices.loc[: lab.dates[299], late] = np.nan  # it lists on day 300, alone in its sector
    meta = lab.meta.copy()
    meta.loc[late, "sector"] = "Late Listings"
    ds = fl.Dataset(prices, lab.volume, lab.fundamentals, meta, lab.benchmark)
    model = fl.risk_model(ds, factors=("momentum",))
    with pytest.warns(UserWarning) as caught:  # its specific risk is too young as well
        model.risk({late: 0.5, lab.tickers[1]: 0.5}, ds.dates[310])
    messages = [str(w.message) for w in caught]
    assert any("Late Listings have too few days of returns" in m for m in messages), messages
    assert any(f"1 stocks ({late}) without specific risk yet" in m for m in messages), messages
