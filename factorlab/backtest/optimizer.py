"""One rebalance's optimal weights: expected return less a risk penalty, under real constraints.

The problem, solved with cvxpy (Clarabel, its default open-source conic solver)::

    maximize    alpha' w  -  risk_aversion * w' Sigma w
    subject to  budget:        sum(w) = 1 (long-only) or sum(w) = 0 and sum|w| <= gross
                long-only:     w >= 0
                max_weight:    |w_i| <= max_weight
                sectors:       lo <= S'(w - b) <= hi   (sector_neutral: lo = hi = 0)
                factors:       lo_j <= X_j'(w - b) <= hi_j
                max_turnover:  sum|w - w_before| <= max_turnover
                target_vol:    w' Sigma w <= target_vol ** 2

``Sigma = X F X' + diag(d)`` is annualized, from a risk model's forecast (factor form, so its
size grows with the stocks, not their square) or a shrunk sample covariance. ``b`` is the
benchmark the sector and factor bounds are measured against: the cap-weighted universe for a
long-only book, nothing (zero) for a dollar-neutral one. ``alpha`` is Grinold's
``ic * volatility * score``: an expected annual return of a stock whose signal is ``score``
standard deviations above the day's mean.

When the constraints cannot all hold, the problem is solved again with every constraint but the
budget given a slack, the total slack minimized: the constraints whose slack is needed are the
ones named in the error.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from factorlab.errors import ConfigError, DataError
from factorlab.params import split_items

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "BookProblem",
    "Constraints",
    "InfeasibleError",
    "RiskForm",
    "idle_cash",
    "optimal_weights",
]

TOLERANCE = 1e-7  # a slack above this is a constraint that had to give


class InfeasibleError(DataError):
    """The constraints cannot all hold on a rebalance day; the message names the ones that clash."""


@dataclass(frozen=True)
class Constraints:
    """What every rebalance must respect; see the module's docstring for the problem.

    Attributes
    ----------
    long_only : bool
        Long-only and fully invested; otherwise dollar-neutral with ``gross`` at most.
    gross : float
        Sum of absolute weights of a dollar-neutral book (2: 100 % long, 100 % short).
    max_weight : float or None
        Largest absolute weight of one stock.
    sector_bounds : tuple or mapping or None
        Bounds on each sector's weight relative to the benchmark, ``(lo, hi)`` for every sector
        or a mapping of sector to ``(lo, hi)``; ``(0, 0)`` is sector-neutral.
    factor_bounds : mapping or None
        Style name to ``(lo, hi)`` bounds on the book's exposure relative to the benchmark.
    max_turnover : float or None
        Largest sum of absolute weight changes at a rebalance (not the first one, the buy-in).
    target_vol : float or None
        Largest annualized ex-ante volatility.
    """

    long_only: bool = True
    gross: float = 2.0
    max_weight: float | None = None
    sector_bounds: tuple[float, float] | Mapping[object, tuple[float, float]] | None = None
    factor_bounds: Mapping[str, tuple[float, float]] | None = None
    max_turnover: float | None = None
    target_vol: float | None = None


@dataclass(frozen=True)
class RiskForm:
    """An annualized covariance in factor form: ``exposures @ factor_cov @ exposures.T + diag``.

    ``exposures`` is stocks × factors (``factor_names``), ``specific_var`` the stocks' specific
    variances. A full covariance ``C`` is the form with ``exposures = cholesky(C)``, an identity
    ``factor_cov`` and zero specific variances.
    """

    exposures: np.ndarray
    factor_cov: np.ndarray
    specific_var: np.ndarray
    factor_names: list[str] = field(default_factory=list)

    def variance(self, weights: np.ndarray) -> float:
        """The annual variance of ``weights``."""
        x = self.exposures.T @ weights
        return float(x @ self.factor_cov @ x + (self.specific_var * weights**2).sum())


def optimal_weights(
    alpha: np.ndarray,
    risk: RiskForm,
    constraints: Constraints,
    *,
    risk_aversion: float = 1.0,
    before: np.ndarray | None = None,
    sectors: np.ndarray | None = None,
    benchmark: np.ndarray | None = None,
    day: str = "",
) -> np.ndarray:
    """The weights that maximize ``alpha' w - risk_aversion * w' Sigma w`` under ``constraints``.

    Parameters
    ----------
    alpha : ndarray
        Each stock's expected annual return.
    risk : RiskForm
        The annualized covariance of the same stocks.
    constraints : Constraints
    risk_aversion : float
        Weight of the variance in the objective (annual units).
    before : ndarray, optional
        The weights held before this rebalance (for ``max_turnover``); None at the buy-in.
    sectors : ndarray, optional
        Each stock's sector label (for ``sector_bounds``).
    benchmark : ndarray, optional
        Benchmark weights of a long-only book (for sector and factor bounds).
    day : str
        The rebalance day, for messages.

    Returns
    -------
    ndarray
        The weights, fractions of equity.

    Raises
    ------
    InfeasibleError
        When the constraints cannot all hold; the message names those that clash.
    """
    import cvxpy as cp  # an optional extra (factorlab[optimize]): loaded when a book is optimized

    problem, w, _ = _problem(
        cp, alpha, risk, constraints, risk_aversion, before, sectors, benchmark
    )
    _solve(cp, problem)
    if problem.status in ("optimal", "optimal_inaccurate") and w.value is not None:
        return np.asarray(w.value, dtype=float)
    if problem.status in ("infeasible", "infeasible_inaccurate"):
        raise InfeasibleError(
            _clash(cp, alpha, risk, constraints, risk_aversion, before, sectors, benchmark, day)
        )
    raise DataError(
        f"The optimizer could not solve the rebalance of {day or 'this day'} (status "
        f"{problem.status!r}). Check the signal and the risk model for extreme values."
    )


class BookProblem:
    """One cvxpy problem for every rebalance of a backtest, its data held in parameters.

    Built once for all the dataset's stocks, so cvxpy compiles it once (its parameters make it
    DPP) and each rebalance only updates the numbers: the expected returns, the risk loadings,
    a per-stock bound that is 0 for a stock outside that day's universe, the book held before
    and the benchmark's sector and style weights. :meth:`solve` returns None when the
    constraints cannot all hold, for :func:`optimal_weights` on that day's stocks to name them.
    """

    def __init__(
        self,
        n: int,
        n_factors: int,
        constraints: Constraints,
        risk_aversion: float,
        sectors: np.ndarray | None = None,
        factor_names: list[str] | None = None,
    ) -> None:
        import cvxpy as cp  # the optimize extra: loaded when a book is optimized

        self.cp, self.constraints = cp, constraints
        c = constraints
        self.w = w = cp.Variable(n)
        self.alpha = cp.Parameter(n)
        self.loadings = cp.Parameter((n, n_factors))
        self.specific = cp.Parameter(n, nonneg=True)
        self.cap = cp.Parameter(n, nonneg=True)
        variance = cp.sum_squares(self.loadings.T @ w) + cp.sum_squares(
            cp.multiply(self.specific, w)
        )
        rules: list[Any] = [w <= self.cap]
        if c.long_only:
            rules += [cp.sum(w) == 1, w >= 0]
        else:
            rules += [cp.sum(w) == 0, w >= -self.cap, cp.norm1(w) <= c.gross]
        self.sector_dummies = None
        if c.sector_bounds is not None:
            if sectors is None:
                raise ConfigError("sector bounds need each stock's sector.")
            names, codes = np.unique(sectors.astype(str), return_inverse=True)
            self.sector_dummies = np.eye(len(names))[codes]
            lo, hi = _bounds(c.sector_bounds, list(names), "sector_bounds")
            self.sector_base = cp.Parameter(len(names))
            active = self.sector_dummies.T @ w - self.sector_base
            rules += [active >= lo, active <= hi]
        self.columns: list[int] = []
        if c.factor_bounds:
            lo, hi, self.columns = _factor_bounds(c.factor_bounds, factor_names or [])
            self.styles = cp.Parameter((n, len(self.columns)))
            self.style_base = cp.Parameter(len(self.columns))
            active = self.styles.T @ w - self.style_base
            rules += [active >= lo, active <= hi]
        if c.max_turnover is not None:
            self.before = cp.Parameter(n)
            self.turnover = cp.Parameter(nonneg=True)
            rules.append(cp.norm1(w - self.before) <= self.turnover)
        if c.target_vol is not None:
            rules.append(variance <= c.target_vol**2)
        self.problem = cp.Problem(cp.Maximize(self.alpha @ w - risk_aversion * variance), rules)

    def solve(
        self,
        alpha: np.ndarray,
        risk: RiskForm,
        usable: np.ndarray,
        before: np.ndarray | None,
        benchmark: np.ndarray | None,
    ) -> np.ndarray | None:
        """The weights of every stock (0 outside ``usable``), or None when infeasible.

        ``alpha``, ``risk`` and ``benchmark`` cover the usable stocks; ``before`` every stock
        (None: the buy-in, not limited by turnover).
        """
        c, n = self.constraints, len(usable)
        full = np.zeros(n)
        full[usable] = alpha
        self.alpha.value = full
        loadings = np.zeros(self.loadings.shape)
        k = risk.factor_cov.shape[0]
        if np.array_equal(risk.factor_cov, np.eye(k)):  # a full covariance's own root
            loadings[usable, :k] = risk.exposures
        else:
            loadings[usable, :k] = risk.exposures @ np.linalg.cholesky(_psd(risk.factor_cov))
        self.loadings.value = loadings
        specific = np.zeros(n)
        specific[usable] = np.sqrt(np.maximum(risk.specific_var, 0.0))
        self.specific.value = specific
        limit = c.max_weight if c.max_weight is not None else (1.0 if c.long_only else c.gross)
        self.cap.value = np.where(usable, limit, 0.0)
        bench = np.zeros(n)
        if c.long_only and benchmark is not None:
            bench[usable] = benchmark
        if self.sector_dummies is not None:
            self.sector_base.value = self.sector_dummies.T @ bench
        if self.columns:
            styles = np.zeros(self.styles.shape)
            styles[usable] = risk.exposures[:, self.columns]
            self.styles.value = styles
            self.style_base.value = styles.T @ bench
        if c.max_turnover is not None:
            self.before.value = np.zeros(n) if before is None else before
            # the buy-in (from cash) is not limited: room for any book; nor is putting idle
            # cash (left by a delisting or a cut order) back to work
            free = before is None or not before.any()
            self.turnover.value = 2 * c.gross + 2 if free else c.max_turnover + idle_cash(c, before)
        _solve(self.cp, self.problem)
        if self.problem.status in ("optimal", "optimal_inaccurate") and self.w.value is not None:
            return np.asarray(self.w.value, dtype=float)
        if self.problem.status in ("infeasible", "infeasible_inaccurate"):
            return None
        raise DataError(
            f"The optimizer could not solve a rebalance (status {self.problem.status!r}). Check "
            "the signal and the risk model for extreme values."
        )


def idle_cash(c: Constraints, held: np.ndarray | None) -> float:
    """What the book must put back to work to meet its budget, free of the turnover limit.

    Cash a delisting or a cut order left (long-only), or gross a dollar-neutral book lost.
    """
    if held is None:
        return 0.0
    if c.long_only:
        return max(1.0 - float(held.sum()), 0.0)
    return max(c.gross - float(np.abs(held).sum()), 0.0)


def _solve(cp: Any, problem: Any) -> None:
    try:
        problem.solve(solver=cp.CLARABEL)
    except cp.error.SolverError:
        problem.solve(solver=cp.SCS)  # a second, first-order solver when Clarabel stalls


def _problem(
    cp: Any,
    alpha: np.ndarray,
    risk: RiskForm,
    c: Constraints,
    risk_aversion: float,
    before: np.ndarray | None,
    sectors: np.ndarray | None,
    benchmark: np.ndarray | None,
    slack: bool = False,
    drop: str | None = None,
) -> tuple[Any, Any, dict[str, Any]]:
    """The cvxpy problem; with ``slack``, every constraint but the budget gets a named slack.

    ``drop`` leaves out one constraint (by name), and the objective, for a feasibility check.
    """
    n = len(alpha)
    w = cp.Variable(n)
    b = benchmark if (c.long_only and benchmark is not None) else np.zeros(n)
    factor_part = risk.exposures.T @ w
    root = np.linalg.cholesky(_psd(risk.factor_cov))
    variance = cp.sum_squares(root.T @ factor_part) + cp.sum_squares(
        cp.multiply(np.sqrt(np.maximum(risk.specific_var, 0.0)), w)
    )
    slacks: dict[str, Any] = {}

    def give(name: str) -> Any:
        if not slack:
            return 0.0
        slacks[name] = cp.Variable(nonneg=True)
        return slacks[name]

    rules: list[Any] = []
    if c.long_only:
        rules.append(cp.sum(w) == 1)
        if drop != "long-only":
            rules.append(w >= -give("long-only"))
    else:
        rules.append(cp.sum(w) == 0)
        if drop != "gross":
            rules.append(cp.norm1(w) <= c.gross + give("gross"))
    if c.max_weight is not None and drop != "max_weight":
        rules.append(cp.abs(w) <= c.max_weight + give("max_weight"))
    if c.sector_bounds is not None and drop != "sector_bounds":
        if sectors is None:
            raise ConfigError("sector bounds need each stock's sector.")
        names, codes = np.unique(sectors.astype(str), return_inverse=True)
        dummies = np.eye(len(names))[codes]  # stocks × sectors
        lo, hi = _bounds(c.sector_bounds, list(names), "sector_bounds")
        active = dummies.T @ (w - b)
        room = give("sector_bounds")
        rules += [active >= lo - room, active <= hi + room]
    if c.factor_bounds and drop != "factor_bounds":
        lo, hi, columns = _factor_bounds(c.factor_bounds, risk.factor_names)
        active = risk.exposures[:, columns].T @ (w - b)
        room = give("factor_bounds")
        rules += [active >= lo - room, active <= hi + room]
    if c.max_turnover is not None and before is not None and drop != "max_turnover":
        rules.append(cp.norm1(w - before) <= c.max_turnover + give("max_turnover"))
    if c.target_vol is not None and drop != "target_vol":
        rules.append(variance <= c.target_vol**2 + give("target_vol"))
    if slack:
        objective = cp.Minimize(cp.sum(cp.hstack(list(slacks.values()))))
    elif drop is not None:
        objective = cp.Minimize(0)
    else:
        objective = cp.Maximize(alpha @ w - risk_aversion * variance)
    return cp.Problem(objective, rules), w, slacks


def _clash(
    cp: Any,
    alpha: np.ndarray,
    risk: RiskForm,
    c: Constraints,
    risk_aversion: float,
    before: np.ndarray | None,
    sectors: np.ndarray | None,
    benchmark: np.ndarray | None,
    day: str,
) -> str:
    """Which constraints clash: the message of an infeasible rebalance.

    First each constraint is left out in turn: those whose absence makes the rest feasible are
    each enough to loosen. When none is, the constraints whose slack a minimum-total-slack
    solution needs are named together.
    """
    where = f" on {day}" if day else ""
    args = (cp, alpha, risk, c, risk_aversion, before, sectors, benchmark)
    budget = "fully invested, long-only" if c.long_only else f"dollar-neutral, gross {c.gross}"
    _, _, named = _problem(*args, slack=True)
    alone = []
    for name in named:
        problem, _, _ = _problem(*args, drop=name)
        _solve(cp, problem)
        if problem.status in ("optimal", "optimal_inaccurate"):
            alone.append(name)
    if alone:
        listed = ", ".join(f"{name}={_setting(c, name)}" for name in alone)
        which = "it" if len(alone) == 1 else "any one of them"
        return (
            f"The constraints cannot all hold{where} over {len(alpha)} stocks ({budget}): "
            f"{listed} clash with the rest; loosening {which} would do."
        )
    problem, _, slacks = _problem(*args, slack=True)
    if slacks:
        _solve(cp, problem)
    given = [name for name, s in slacks.items() if s.value is not None and s.value > TOLERANCE]
    if not given:
        return (
            f"The constraints cannot all hold{where} over {len(alpha)} stocks ({budget}); "
            "loosen them or widen the universe."
        )
    listed = ", ".join(f"{name}={_setting(c, name)}" for name in given)
    return (
        f"The constraints cannot all hold{where} over {len(alpha)} stocks ({budget}): {listed} "
        "clash together; loosen them."
    )


def _setting(c: Constraints, name: str) -> object:
    return {"long-only": True}.get(name, getattr(c, name, None))


def _bounds(
    bounds: tuple[float, float] | Mapping[Any, tuple[float, float]],
    names: list[str],
    what: str,
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds per name, from one pair or a mapping (missing names: free)."""
    example = "(-0.05, 0.05)"

    def pair(value: object) -> list[float]:
        items = split_items(value) if isinstance(value, str) else value  # "(-0.05, 0.05)" too
        try:
            numbers = [float(v) for v in items]  # type: ignore[attr-defined]  # checked below
        except (TypeError, ValueError):
            numbers = []
        if len(numbers) != 2 or any(math.isnan(n) for n in numbers):  # an open side: +-inf
            raise ConfigError(
                f"{what} takes a (lower, upper) pair of numbers such as {example}; got {value!r}."
            )
        return numbers

    if isinstance(bounds, Mapping):
        known = {str(k): pair(v) for k, v in bounds.items()}
        pairs = [known.get(name, [-np.inf, np.inf]) for name in names]
    else:
        pairs = [pair(bounds)] * len(names)
    lo, hi = (np.array([p[i] for p in pairs]) for i in (0, 1))
    if (lo > hi).any():
        raise ConfigError(f"{what}: every lower bound must be at most its upper bound.")
    return lo, hi


def _factor_bounds(
    bounds: Mapping[str, tuple[float, float]], names: list[str]
) -> tuple[np.ndarray, np.ndarray, list[int]]:
    unknown = [k for k in bounds if k not in names]
    if unknown:
        raise ConfigError(
            f"factor_bounds names {', '.join(map(str, unknown))}, not a factor of the risk model "
            f"({', '.join(names)})."
        )
    columns = [names.index(k) for k in bounds]
    lo, hi = _bounds(dict(bounds), list(bounds), "factor_bounds")
    return lo, hi, columns


def _psd(matrix: np.ndarray) -> np.ndarray:
    """A covariance nudged to be positive definite, for its Cholesky factor."""
    matrix = (matrix + matrix.T) / 2
    values, vectors = np.linalg.eigh(matrix)
    floor = max(float(values.max(initial=0.0)), 1e-12) * 1e-10
    return (vectors * np.maximum(values, floor)) @ vectors.T


def shrunk_covariance(returns: pd.DataFrame) -> np.ndarray:
    """Ledoit-Wolf shrunk covariance of daily returns, annualized (scikit-learn's estimator).

    Missing returns count as 0 (a stock's own mean is removed first).
    """
    from sklearn.covariance import ledoit_wolf  # the optimize extra: loaded when used

    values = returns.to_numpy(dtype=float)
    centred = np.nan_to_num(values - np.nanmean(values, axis=0))
    covariance, _ = ledoit_wolf(centred, assume_centered=True)
    return covariance * 252
