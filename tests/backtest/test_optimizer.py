"""One rebalance's optimization: the same problem written directly in cvxpy, and clear refusals."""

from __future__ import annotations

import numpy as np
import pytest

from factorlab.backtest.optimizer import Constraints, InfeasibleError, RiskForm, optimal_weights

cp = pytest.importorskip("cvxpy", reason="the optimizer is the optional extra factorlab[optimize]")


def _case(n: int = 12, k: int = 3, seed: int = 0):
    rng = np.random.default_rng(seed)
    alpha = rng.normal(0, 0.03, n)
    exposures = rng.normal(size=(n, k))
    loadings = rng.normal(0, 0.1, (k, k))
    factor_cov = loadings @ loadings.T + np.eye(k) * 0.01
    specific = rng.uniform(0.02, 0.09, n)
    sectors = np.array(["a", "b", "c"])[np.arange(n) % 3]
    return alpha, RiskForm(exposures, factor_cov, specific, ["f0", "f1", "f2"]), sectors


def _direct(alpha, risk, lam, extra):
    """The same problem as cvxpy code written out by hand, with a full covariance."""
    sigma = risk.exposures @ risk.factor_cov @ risk.exposures.T + np.diag(risk.specific_var)
    w = cp.Variable(len(alpha))
    problem = cp.Problem(
        cp.Maximize(alpha @ w - lam * cp.quad_form(w, cp.psd_wrap(sigma))), extra(w, sigma)
    )
    problem.solve(solver=cp.CLARABEL)
    return w.value


def test_a_long_only_book_with_a_cap_equals_cvxpy():
    alpha, risk, _ = _case()
    ours = optimal_weights(alpha, risk, Constraints(max_weight=0.2), risk_aversion=2.0)
    theirs = _direct(alpha, risk, 2.0, lambda w, s: [cp.sum(w) == 1, w >= 0, w <= 0.2])
    np.testing.assert_allclose(ours, theirs, atol=1e-6)


def test_a_dollar_neutral_sector_neutral_book_equals_cvxpy():
    alpha, risk, sectors = _case(seed=1)
    dummies = (sectors[:, None] == np.array(["a", "b", "c"])).astype(float)
    ours = optimal_weights(
        alpha,
        risk,
        Constraints(long_only=False, gross=1.5, max_weight=0.3, sector_bounds=(0.0, 0.0)),
        risk_aversion=1.0,
        sectors=sectors,
    )
    theirs = _direct(
        alpha,
        risk,
        1.0,
        lambda w, s: [
            cp.sum(w) == 0,
            cp.norm1(w) <= 1.5,
            cp.abs(w) <= 0.3,
            dummies.T @ w == 0,
        ],
    )
    np.testing.assert_allclose(ours, theirs, atol=1e-6)


def test_turnover_volatility_and_factor_bounds_equal_cvxpy():
    alpha, risk, _ = _case(seed=2)
    before = np.full(12, 1 / 12)
    bench = np.full(12, 1 / 12)
    constraints = Constraints(
        max_turnover=0.4, target_vol=0.15, factor_bounds={"f1": (-0.05, 0.05)}
    )
    ours = optimal_weights(
        alpha, risk, constraints, risk_aversion=0.5, before=before, benchmark=bench
    )
    x1 = risk.exposures[:, 1]
    theirs = _direct(
        alpha,
        risk,
        0.5,
        lambda w, s: [
            cp.sum(w) == 1,
            w >= 0,
            cp.norm1(w - before) <= 0.4,
            cp.quad_form(w, cp.psd_wrap(s)) <= 0.15**2,
            x1 @ (w - bench) >= -0.05,
            x1 @ (w - bench) <= 0.05,
        ],
    )
    np.testing.assert_allclose(ours, theirs, atol=1e-6)
    assert np.abs(ours - before).sum() <= 0.4 + 1e-7
    assert risk.variance(ours) <= 0.15**2 + 1e-7


def test_clashing_constraints_are_named():
    alpha, risk, sectors = _case()
    with pytest.raises(InfeasibleError, match=r"on 2020-01-31 over 12 stocks") as caught:
        optimal_weights(alpha, risk, Constraints(max_weight=0.05), day="2020-01-31")
    assert "max_weight=0.05 clash with the rest; loosening it would do" in str(caught.value)
    before = np.r_[np.ones(1), np.zeros(11)]  # all in one stock: turnover 0.1 cannot reach
    with pytest.raises(InfeasibleError, match="max_turnover=0.1, target_vol=0.2 clash with"):
        optimal_weights(alpha, risk, Constraints(max_turnover=0.1, target_vol=0.2), before=before)


def test_unknown_factor_bounds_are_named():
    alpha, risk, _ = _case()
    with pytest.raises(Exception, match="factor_bounds names value, not a factor"):
        optimal_weights(alpha, risk, Constraints(factor_bounds={"value": (0, 1)}))


@pytest.mark.parametrize("long_only", [True, False])
def test_the_compiled_problem_gives_the_days_own_optimum(long_only):
    """The backtest's BookProblem (every stock, those outside the day held at 0) equals the
    problem on the day's stocks alone, itself equal to cvxpy written directly (above)."""
    from factorlab.backtest.optimizer import BookProblem, idle_cash

    alpha, risk, sectors = _case(n=15, seed=3)
    usable = np.ones(15, dtype=bool)
    usable[[2, 7, 11]] = False  # no signal or no price that day
    before = np.full(15, 1 / 15) if long_only else np.r_[np.full(7, 0.1), np.full(8, -0.0875)]
    bench = np.full(12, 1 / 12)
    constraints = Constraints(
        long_only=long_only,
        max_weight=0.3,
        sector_bounds=(-0.05, 0.05),
        factor_bounds={"f0": (-0.2, 0.2)},
        max_turnover=1.2,
        target_vol=0.3,
    )
    compiled = BookProblem(15, 3, constraints, 1.5, sectors=sectors, factor_names=risk.factor_names)
    day = RiskForm(
        risk.exposures[usable], risk.factor_cov, risk.specific_var[usable], risk.factor_names
    )
    ours = compiled.solve(alpha[usable], day, usable, before, bench if long_only else None)
    room = 1.2 + idle_cash(constraints, before) - np.abs(before[~usable]).sum()
    alone = optimal_weights(
        alpha[usable],
        day,
        Constraints(**{**constraints.__dict__, "max_turnover": room}),
        risk_aversion=1.5,
        before=before[usable],
        sectors=sectors[usable],
        benchmark=bench if long_only else None,
    )
    assert ours is not None
    np.testing.assert_allclose(ours[~usable], 0.0, atol=1e-9)
    np.testing.assert_allclose(ours[usable], alone, atol=1e-6)
