"""The optimized book of ``fl.backtest(..., construct="optimize")``: one optimization a rebalance.

At each rebalance, over the stocks with a signal, a price and a risk forecast:

- the risk is the risk model's forecast at that close (:meth:`factorlab.RiskModel.forecast`),
  or, without one, the Ledoit-Wolf shrunk covariance of the last ``covariance_days`` daily
  returns up to that close;
- the expected return of a stock is Grinold's ``ic * volatility * score``, its score the
  signal's z-score across those stocks (negated with ``long="bottom"``);
- the benchmark of a long-only book (for sector and factor bounds) is those stocks weighted by
  market cap (a stock whose cap is unknown counts at the day's median cap);
- the book held just before (drifted since the last rebalance) is what ``max_turnover``
  measures from; selling a stock that left the universe counts against it, and the buy-in
  (from cash: the first rebalance, or one after days the book sat in cash) is not limited, nor
  is putting idle cash back to work (left by a delisting or an order the volume cap cut).

Everything read is known at that close: the risk model's forecast and the returns up to it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from factorlab.backtest.optimizer import (
    BookProblem,
    Constraints,
    InfeasibleError,
    RiskForm,
    idle_cash,
    optimal_weights,
    shrunk_covariance,
)
from factorlab.errors import ConfigError, DataError

if TYPE_CHECKING:
    from factorlab.data import Dataset

__all__ = ["OptimizedBook"]

MIN_STOCKS = 2  # fewer tradable stocks than this: the book sits in cash


class OptimizedBook:
    """Each rebalance's target weights, decided from what is held (see the module's docstring).

    Called by :func:`factorlab.backtest.engine.simulate` as ``book(k, held)``.
    """

    def __init__(
        self,
        ds: Dataset,
        signal: np.ndarray,
        rows: np.ndarray,
        constraints: Constraints,
        *,
        risk_model: Any = None,
        risk_aversion: float = 1.0,
        ic: float = 0.05,
        long_top: bool = True,
        covariance_days: int = 252,
        caps: np.ndarray | None = None,
        sectors: np.ndarray | None = None,
    ) -> None:
        self.ds = ds
        self.signal = signal if long_top else -signal  # rows: the rebalances
        self.rows = rows
        self.constraints = constraints
        self.risk_model = risk_model
        self.risk_aversion = risk_aversion
        self.ic = ic
        self.covariance_days = covariance_days
        self.caps = caps  # rows: the rebalances
        self.sectors = sectors
        self.listed = ds.prices.notna().to_numpy()
        self.returns = ds.prices.pct_change(fill_method=None) if risk_model is None else None
        self.skipped: list[pd.Timestamp] = []  # rebalances with too few stocks: held cash
        self.problem: BookProblem | None = None  # compiled at the first rebalance

    def __call__(self, k: int, held: np.ndarray) -> np.ndarray:
        """The target weights of rebalance ``k``, given the weights ``held`` just before it."""
        row = int(self.rows[k])
        day = self.ds.dates[row]
        score = self.signal[k]
        usable = ~np.isnan(score) & self.listed[row]
        risk, usable = self._risk(row, usable)
        target = np.zeros(len(score))
        if usable.sum() < MIN_STOCKS:
            self.skipped.append(day)
            return target
        z = score[usable]
        z = (z - z.mean()) / z.std() if z.std() > 0 else np.zeros_like(z)
        volatility = np.sqrt(_diagonal(risk))
        alpha = self.ic * volatility * z
        benchmark = self._benchmark(k, usable)
        invested = self.constraints.max_turnover is not None and held.any()
        if self.problem is None:
            self.problem = BookProblem(
                len(score),
                len(score) if self.risk_model is None else risk.factor_cov.shape[0],
                self.constraints,
                self.risk_aversion,
                sectors=self.sectors,
                factor_names=risk.factor_names,
            )
        weights = self.problem.solve(alpha, risk, usable, held if invested else None, benchmark)
        if weights is not None:
            weights[np.abs(weights) < 1e-9] = 0.0  # the solver's dust
            return weights
        # Infeasible: solved again on the day's stocks alone, to name the clashing constraints.
        constraints = self.constraints
        before = None
        if invested and constraints.max_turnover is not None:  # the buy-in is not limited
            forced = float(np.abs(held[~usable]).sum())  # sold: it left the universe
            before = held[usable]
            room = constraints.max_turnover + idle_cash(constraints, held) - forced
            constraints = replace(constraints, max_turnover=max(room, 0.0))
        try:
            target[usable] = optimal_weights(
                alpha,
                risk,
                constraints,
                risk_aversion=self.risk_aversion,
                before=before,
                sectors=None if self.sectors is None else self.sectors[usable],
                benchmark=benchmark,
                day=f"{day:%Y-%m-%d}",
            )
        except InfeasibleError as error:
            if before is None or not np.abs(held[~usable]).sum():
                raise
            forced = float(np.abs(held[~usable]).sum())
            raise InfeasibleError(
                f"{error} Of the max_turnover of {self.constraints.max_turnover}, {forced:.3g} "
                "went to selling stocks that left the universe (no signal, price or risk); "
                f"idle cash of {idle_cash(self.constraints, held):.3g} was free to reinvest."
            ) from None
        target[np.abs(target) < 1e-9] = 0.0  # the solver's dust
        return target

    def _risk(self, row: int, usable: np.ndarray) -> tuple[RiskForm, np.ndarray]:
        """The risk of the usable stocks at the close of ``row``, and those it covers."""
        day = self.ds.dates[row]
        if self.risk_model is not None:
            try:
                exposures, factor_cov, specific = self.risk_model.forecast(day)
            except ConfigError:  # too early for a forecast: the book waits in cash
                return RiskForm(np.zeros((0, 0)), np.zeros((0, 0)), np.zeros(0)), usable & False
            tickers = self.ds.prices.columns
            specific = specific.reindex(tickers).to_numpy()
            usable = usable & ~np.isnan(specific)
            x = exposures.reindex(tickers).to_numpy()[usable]
            return (
                RiskForm(
                    np.nan_to_num(x),
                    factor_cov.to_numpy(),
                    specific[usable],
                    list(factor_cov.columns),
                ),
                usable,
            )
        assert self.returns is not None
        window = self.returns.iloc[max(row - self.covariance_days + 1, 1) : row + 1]
        enough = window.notna().sum().to_numpy() >= max(len(window) // 2, 20)
        usable = usable & enough
        if usable.sum() < MIN_STOCKS:
            return RiskForm(np.zeros((0, 0)), np.zeros((0, 0)), np.zeros(0)), usable
        covariance = shrunk_covariance(window.loc[:, usable])
        root = np.linalg.cholesky(covariance + np.eye(len(covariance)) * 1e-12)
        identity = np.eye(len(covariance))
        return RiskForm(root, identity, np.zeros(len(covariance))), usable

    def _benchmark(self, k: int, usable: np.ndarray) -> np.ndarray | None:
        if not self.constraints.long_only:
            return None
        n = int(usable.sum())
        if self.caps is None:
            return np.full(n, 1 / n)
        caps = self.caps[k][usable]
        known = np.isfinite(caps) & (caps > 0)
        if not known.any():
            return np.full(n, 1 / n)
        caps = np.where(known, caps, np.median(caps[known]))  # a stock without a cap: a typical one
        return caps / caps.sum()


def _diagonal(risk: RiskForm) -> np.ndarray:
    """Each stock's variance under ``risk``."""
    x = risk.exposures
    return np.einsum("ij,jk,ik->i", x, risk.factor_cov, x) + risk.specific_var


def check_optimizer() -> None:
    """Fail early, with the fix, when the optimize extra is not installed."""
    try:
        import cvxpy  # noqa: F401  the optional extra, checked before any work is done
    except ImportError as error:
        raise DataError(
            "construct='optimize' needs cvxpy: pip install 'factorlab[optimize]'."
        ) from error
