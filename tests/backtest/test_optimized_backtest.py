"""fl.backtest(..., construct="optimize"): every constraint holds at every rebalance of the lab
market, clashes are named, and nothing after a rebalance changes it."""

from __future__ import annotations

import builtins
import warnings

import numpy as np
import pandas as pd
import pytest

import factorlab as fl
from factorlab.backtest.optimizer import InfeasibleError
from factorlab.factors.families.value import market_cap

pytest.importorskip("cvxpy", reason="the optimizer is the optional extra factorlab[optimize]")

TOL = 1e-6


@pytest.fixture(scope="module")
def market():
    ds = fl.load_dataset("sample", n_tickers=60, years=4, seed=5)
    model = fl.risk_model(ds, factors=["value", "momentum", "low_vol"])
    signal = fl.factors.momentum(ds)
    return ds, model, signal


def _optimized(ds, signal, **options) -> fl.BacktestResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # early rebalances without a forecast
        return fl.backtest(signal, ds, construct="optimize", **options)


def _rebalance_weights(result: fl.BacktestResult) -> pd.DataFrame:
    """The targets set at each rebalance the book was invested."""
    weights = result.weights.loc[result.turnover.index]
    return weights[weights.abs().sum(axis=1) > 0]


def test_a_long_only_book_keeps_its_budget_caps_turnover_and_volatility(market):
    ds, model, signal = market
    result = _optimized(
        ds, signal, risk_model=model, max_weight=0.06, max_turnover=0.5, target_vol=0.3
    )
    weights = _rebalance_weights(result)
    assert len(weights) > 20
    assert (weights >= -TOL).all().all()
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, atol=1e-6)
    assert weights.max().max() <= 0.06 + TOL
    turnover = result.turnover.loc[weights.index].iloc[1:]  # after the buy-in
    before = result.weights.shift(1).loc[turnover.index]  # drifted; delisted shown as cash
    idle = 1 - before.sum(axis=1)  # putting idle cash back to work is not limited
    assert (turnover <= 0.5 + idle + 1e-5).all()
    assert (turnover > 0.5 + 1e-5).sum() <= (idle > 1e-9).sum()
    for day, row in weights.iterrows():  # every rebalance
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            volatility = model.risk(row[row != 0], day).at["total", "volatility_ann"]
        assert volatility <= 0.3 + 1e-4


def test_a_dollar_neutral_book_is_neutral_in_every_sector(market):
    ds, model, signal = market
    result = _optimized(
        ds, signal, risk_model=model, short=True, max_weight=0.04, sector_neutral=True, gross=2.0
    )
    weights = _rebalance_weights(result)
    np.testing.assert_allclose(weights.sum(axis=1), 0.0, atol=1e-6)
    assert (weights.abs().sum(axis=1) <= 2.0 + 1e-5).all()
    assert weights.abs().max().max() <= 0.04 + TOL
    sectors = ds.meta["sector"]
    by_sector = weights.T.groupby(sectors).sum().T
    np.testing.assert_allclose(by_sector.to_numpy(), 0.0, atol=1e-5)


def test_style_and_sector_bounds_hold_against_the_cap_weighted_universe(market):
    ds, model, signal = market
    result = _optimized(
        ds,
        signal,
        risk_model=model,
        factor_bounds={"momentum": (-0.1, 0.1)},
        sector_bounds=(-0.02, 0.02),
    )
    weights = _rebalance_weights(result)
    sectors = ds.meta["sector"]
    for day, row in weights.iterrows():  # every rebalance
        exposures, _, specific = model.forecast(day)
        usable = specific.notna() & signal.loc[day].notna() & ds.prices.loc[day].notna()
        names = usable.index[usable]
        caps = market_cap(ds).loc[day, names]
        bench = caps / caps.sum()  # the cap-weighted universe the bounds are measured against
        active = exposures.loc[names, "momentum"] @ (row[names] - bench)
        assert -0.1 - 1e-5 <= active <= 0.1 + 1e-5
        by_sector = (row[names] - bench).groupby(sectors[names]).sum()
        assert by_sector.abs().max() <= 0.02 + 1e-5


def test_constraints_that_cannot_hold_are_named(market):
    ds, model, signal = market
    with pytest.raises(InfeasibleError, match=r"max_weight=0.001 clash with the rest"):
        _optimized(ds, signal, risk_model=model, max_weight=0.001)


def test_the_quantile_rule_options_are_refused(market):
    ds, model, signal = market
    with pytest.raises(fl.ConfigError, match="an optimized book .* chooses its own"):
        _optimized(ds, signal, top_n=10)
    with pytest.raises(fl.ConfigError, match="factor_bounds needs a risk model"):
        _optimized(ds, signal, factor_bounds={"momentum": (0, 1)})
    with pytest.raises(fl.ConfigError, match="construct must be 'quantiles' or 'optimize'"):
        fl.backtest(signal, ds, construct="optimise")


def test_without_cvxpy_the_error_says_how_to_install_it(market, monkeypatch):
    ds, _, signal = market
    real = builtins.__import__

    def no_cvxpy(name, *args, **kwargs):
        if name == "cvxpy":
            raise ImportError("No module named 'cvxpy'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_cvxpy)
    with pytest.raises(fl.DataError, match=r"pip install 'factorlab\[optimize\]'"):
        fl.backtest(signal, ds, construct="optimize")


def test_a_shrunk_covariance_book_does_not_look_ahead(market, rewrite_future):
    ds, _, signal = market
    small = ds.slice(tickers=list(ds.tickers[:25]))
    day = small.dates[len(small.dates) * 2 // 3]
    future = rewrite_future(small, day, np.random.default_rng(4))
    scores = fl.factors.momentum(small)
    future_scores = fl.factors.momentum(future)
    plain = _optimized(small, scores, max_weight=0.2, max_turnover=0.6)
    changed = _optimized(future, future_scores, max_weight=0.2, max_turnover=0.6)
    pd.testing.assert_frame_equal(plain.weights.loc[:day], changed.weights.loc[:day])
    pd.testing.assert_series_equal(plain.returns.loc[:day], changed.returns.loc[:day])


def test_idle_cash_is_put_back_to_work_outside_the_turnover_limit(market):
    ds, model, signal = market
    result = _optimized(
        ds,
        signal,
        risk_model=model,
        max_weight=0.1,
        max_turnover=0.6,
        costs="sqrt",
        aum=1e9,
        participation=0.05,  # cuts most orders: the book is left partly in cash
    )
    invested = result.weights.loc[result.turnover.index].sum(axis=1)
    assert invested.min() < 0.5 and invested.iloc[-1] > invested.min()


def test_a_stale_risk_model_is_refused(market):
    ds, model, signal = market
    early = fl.risk_model(ds.slice(end=ds.dates[400]), factors=["momentum"])
    with pytest.raises(fl.ConfigError, match="risk model ends on .* its risk would be stale"):
        _optimized(ds, signal, risk_model=early)


def test_a_risk_model_book_does_not_look_ahead(market, rewrite_future):
    ds, model, signal = market
    day = ds.dates[len(ds.dates) * 3 // 4]
    future = rewrite_future(ds, day, np.random.default_rng(6))
    options = {"max_weight": 0.08, "max_turnover": 0.5, "factor_bounds": {"momentum": (-0.3, 0.3)}}
    plain = _optimized(ds, signal, risk_model=model, **options)
    changed = _optimized(
        future,
        signal,
        risk_model=fl.risk_model(future, factors=["value", "momentum", "low_vol"]),
        **options,
    )
    pd.testing.assert_frame_equal(plain.weights.loc[:day], changed.weights.loc[:day], atol=1e-7)
