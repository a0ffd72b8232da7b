"""A sweep's result: one row per trial, and the tests of luck that need every trial."""

from __future__ import annotations

import json
import os
from io import StringIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from factorlab._files import write_atomic
from factorlab.backtest import backtest, metrics
from factorlab.data import Dataset
from factorlab.errors import ConfigError, DataError
from factorlab.factors import score
from factorlab.factors.registry import FAMILIES
from factorlab.factors.weights import DEFAULT_WEIGHTS
from factorlab.params import as_bool, did_you_mean
from factorlab.sweep.grid import BACKTEST_PARAMETERS, SCORE_PARAMETERS
from factorlab.sweep.overfitting import Overfitting, probability_of_overfitting

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["SweepResult", "load_sweep"]

_SHARPE = "Sharpe ratio"


class SweepResult:
    """Every trial of a sweep: parameters and figures per row, and what luck would give.

    Attributes
    ----------
    table : DataFrame
        Indexed by trial id: the parameters (``weights`` as text and one ``<family> weight``
        column per family), then the figures of ``BacktestResult.stats()``.
    computed, reused : int
        Trials this call ran, and trials it read from the store.
    complete : bool
        False when the sweep was interrupted.
    """

    def __init__(
        self,
        table: pd.DataFrame,
        parameters: dict[str, dict[str, Any]],
        moments: dict[str, tuple[list[str], list[list[float]]]],
        ds: Dataset | None = None,
        computed: int = 0,
        reused: int = 0,
        complete: bool = True,
    ) -> None:
        self.table = table
        self.parameters = parameters  # trial id -> its parameters, as run
        self._moments = moments
        self._ds = ds
        self.computed, self.reused, self.complete = computed, reused, complete

    @classmethod
    def from_rows(
        cls,
        rows: list[dict[str, Any]],
        trials: dict[str, dict[str, Any]],
        ds: Dataset | None = None,
        computed: int = 0,
        reused: int = 0,
        complete: bool = True,
    ) -> SweepResult:
        """The result of ``rows`` as tasks return them, in the order of ``trials``."""
        by_id = {row["trial"]: row for row in rows}
        order = [tid for tid in trials if tid in by_id]
        records = []
        for tid in order:  # one record per trial: building a table, not a hot path
            parameters = by_id[tid]["parameters"]
            records.append({**_columns(parameters), **by_id[tid]["figures"]})
        table = pd.DataFrame.from_records(records, index=pd.Index(order, name="trial"))
        weights = [c for c in table.columns if c.endswith(" weight")]
        table[weights] = table[weights].fillna(0.0)  # a family a vector leaves out weighs 0
        place = {f"{family} weight": i for i, family in enumerate(FAMILIES)}
        weights.sort(key=lambda c: (place.get(c, len(place)), c))
        others = [c for c in _parameter_columns(table) if c not in weights and c != "weights"]
        first = (["weights"] if "weights" in table else []) + weights + others
        table = table[first + [c for c in table.columns if c not in first]]
        moments = {tid: (by_id[tid]["months"], by_id[tid]["moments"]) for tid in order}
        parameters = {tid: by_id[tid]["parameters"] for tid in order}
        return cls(table, parameters, moments, ds, computed, reused, complete)

    def __len__(self) -> int:
        return len(self.table)

    def best(self, metric: str = _SHARPE, n: int = 1, lowest: bool = False) -> pd.DataFrame:
        """The ``n`` trials with the highest ``metric`` (``lowest=True``: the lowest).

        Parameters
        ----------
        metric : str
            A figure column of :attr:`table` (``"Sharpe ratio"``, ``"CAGR"``, ...).
        n : int
            How many.
        lowest : bool
            For figures where less is better (``"annual volatility"``).
        """
        column = self._figure(metric)
        return self.table.sort_values(column, ascending=lowest, na_position="last").head(n)

    def _figure(self, metric: str) -> str:
        """The figure column named ``metric``, matched case-insensitively."""
        figures = [c for c in self.table.columns if c not in _parameter_columns(self.table)]
        by_lower = {f.lower(): f for f in figures}
        key = str(metric).strip().lower()
        if key in by_lower:
            return by_lower[key]
        raise ConfigError(
            f"No figure {metric!r} in the sweep.{did_you_mean(key, by_lower)} Figures: "
            f"{', '.join(figures)}."
        )

    def returns(self, trial_ids: str | list[str], active: bool = False) -> pd.DataFrame:
        """Daily net returns of trials, recomputed from their parameters.

        Parameters
        ----------
        trial_ids : str or list of str
            Ids from :attr:`table`'s index.
        active : bool
            Returns minus the benchmark's (a day it has no return subtracts nothing).

        Returns
        -------
        DataFrame
            Dates × trial id.
        """
        ds = self._dataset()
        ids = [trial_ids] if isinstance(trial_ids, str) else list(trial_ids)
        unknown = [t for t in ids if t not in self.parameters]
        if unknown:
            raise ConfigError(f"No trial {unknown[0]!r} in this sweep; see res.table.index.")
        series = {}
        for tid in ids:  # a few trials asked for by name
            trial = self.parameters[tid]
            scored = score(ds, **{k: trial[k] for k in SCORE_PARAMETERS if k in trial})
            options = {k: trial[k] for k in BACKTEST_PARAMETERS if k in trial}
            result = backtest(scored.composite, ds, **options)
            series[tid] = result.returns
            if active:
                if result.benchmark is None:
                    raise ConfigError("active=True needs a benchmark; this dataset has none.")
                series[tid] = result.returns - result.benchmark.fillna(0.0)
        return pd.DataFrame(series)

    def deflated_sharpe(self, trial: str | None = None, active: bool = False) -> pd.Series:
        """The deflated Sharpe ratio of ``trial`` (default: the best Sharpe ratio).

        The PSR of its daily returns against the best Sharpe ratio luck would give among this
        sweep's trials (Bailey and López de Prado 2014): the number of trials and the variance
        of their annualized Sharpe ratios come from the sweep itself.

        Parameters
        ----------
        trial : str, optional
            A trial id; by default the trial with the highest Sharpe ratio (information ratio
            with ``active``).
        active : bool
            Judge returns in excess of the benchmark, with the trials' information ratios as
            their Sharpe ratios: a long-only portfolio's total return is mostly the market's
            premium, which needs no skill.

        Returns
        -------
        Series
            ``trial``, ``Sharpe ratio`` (of active returns with ``active``), ``trials``,
            ``Sharpe variance``, ``expected max Sharpe`` (annualized, what the best of that many
            unskilled trials would show), ``deflated Sharpe ratio`` (a probability; near 1: not
            luck) and ``active``.
        """
        column = "information ratio" if as_bool(active, "active") else _SHARPE
        sharpe = self.table[column].dropna() if column in self.table else pd.Series(dtype=float)
        if sharpe.empty:
            raise DataError(f"No trial has a {column}; nothing to deflate.")
        chosen = trial or str(sharpe.idxmax())
        variance = float(sharpe.var(ddof=1)) if len(sharpe) > 1 else 0.0
        returns = self.returns(chosen, active=active)[chosen].dropna()
        n = len(sharpe)
        return pd.Series(
            {
                "trial": chosen,
                _SHARPE: float(self.table.loc[chosen, column]),
                "trials": n,
                "Sharpe variance": variance,
                "expected max Sharpe": self.expected_best_sharpe(column),
                "deflated Sharpe ratio": float(
                    metrics.deflated_sharpe_ratio(returns, n_trials=n, sharpe_variance=variance)
                ),
                "active": bool(active),
            },
            name="deflated Sharpe",
        )

    def expected_best_sharpe(self, metric: str = _SHARPE) -> float:
        """The best annualized Sharpe ratio that as many unskilled trials would show by luck.

        From the number of trials and the variance of their Sharpe ratios (the false strategy
        theorem, Bailey and López de Prado 2014); 0 for a single trial.

        Parameters
        ----------
        metric : str
            The column read as each trial's Sharpe ratio (``"information ratio"`` for active
            returns).
        """
        sharpe = self.table[self._figure(metric)].dropna()
        if len(sharpe) < 2:
            return 0.0
        variance = float(sharpe.var(ddof=1)) / 252
        return float(metrics.expected_max_sharpe(len(sharpe), variance) * np.sqrt(252))

    def varying(self) -> list[str]:
        """The parameter columns that take more than one value in this sweep."""
        columns = [c for c in _parameter_columns(self.table) if c != "weights"]
        return [c for c in columns if self.table[c].astype(str).nunique(dropna=False) > 1]

    def heatmap(
        self, x: str | None = None, y: str | None = None, metric: str = _SHARPE
    ) -> pd.DataFrame:
        """``metric`` averaged over every other parameter, for each pair of ``x`` and ``y``.

        Parameters
        ----------
        x, y : str, optional
            Parameter columns of :attr:`table`; by default the two that vary most.
        metric : str
            A figure column.

        Returns
        -------
        DataFrame
            Rows: the values of ``y``; columns: the values of ``x``.
        """
        column = self._figure(metric)
        ranked = sorted(
            self.varying(), key=lambda c: -self.table[c].astype(str).nunique(dropna=False)
        )
        x = x or (ranked[0] if ranked else None)
        y = y or next((c for c in ranked if c != x), None)
        if x is None or y is None or x not in self.table or y not in self.table:
            raise ConfigError(
                f"heatmap needs two parameters of the sweep, got x={x!r}, y={y!r}; varying: "
                f"{', '.join(self.varying()) or 'none'}."
            )
        table = self.table.copy()
        for name in (x, y):  # None (no neutralizing, no cap) is a value of its own
            table[name] = table[name].astype(object).where(table[name].notna(), "none").astype(str)
        out = table.pivot_table(index=y, columns=x, values=column, aggfunc="mean")
        out.attrs["metric"] = column
        return out

    def plot(self, x: str | None = None, y: str | None = None, metric: str = _SHARPE) -> Figure:
        """The trials' Sharpe ratios against luck, and a heat map of two parameters.

        See :meth:`heatmap`; drawn by :func:`factorlab.plots.plot_sweep`.

        Parameters
        ----------
        x, y : str, optional
            The heat map's parameters (default: the two that vary most).
        metric : str
            The heat map's figure.
        """
        from factorlab.plots import plot_sweep  # matplotlib: loaded when drawn

        return plot_sweep(self, x=x, y=y, metric=metric)

    def pbo(self, blocks: int = 16) -> Overfitting:
        """The probability of backtest overfitting of this sweep (CSCV).

        See :func:`factorlab.sweep.overfitting.probability_of_overfitting`.

        Parameters
        ----------
        blocks : int
            Contiguous blocks of months the history is cut into (even).
        """
        return probability_of_overfitting(self.moments(), blocks=blocks)

    def moments(self) -> np.ndarray:
        """Per trial and month of the data: count, sum and sum of squares of daily returns."""
        months = sorted({m for names, _ in self._moments.values() for m in names})
        where = {m: i for i, m in enumerate(months)}
        out = np.zeros((len(self._moments), len(months), 3))
        for row, (names, values) in enumerate(self._moments.values()):  # trials: small rows
            out[row, [where[m] for m in names]] = values
        return out

    # -- files ----------------------------------------------------------------------------------
    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the result to a JSON file (atomically); :func:`load_sweep` reads it back.

        Parameters
        ----------
        path : str or path
            The file to write.
        """
        target = Path(path).expanduser()
        target.parent.mkdir(parents=True, exist_ok=True)
        document = {
            "table": json.loads(self.table.to_json(orient="split")),
            "parameters": self.parameters,
            "moments": self._moments,
            "computed": self.computed,
            "reused": self.reused,
            "complete": self.complete,
        }
        text = json.dumps(document)
        write_atomic(target, lambda tmp: tmp.write_text(text))
        return target

    def _dataset(self) -> Dataset:
        if self._ds is None:
            raise DataError(
                "This sweep was loaded without its dataset; returns are recomputed from it: "
                "fl.load_sweep(path, ds=ds)."
            )
        return self._ds

    def __repr__(self) -> str:
        state = "" if self.complete else ", interrupted"
        best = self.table[_SHARPE].max() if len(self.table) else float("nan")
        return (
            f"<SweepResult {len(self.table)} trials ({self.computed} computed, {self.reused} "
            f"reused{state}); best Sharpe ratio {best:.2f}>"
        )


def load_sweep(path: str | os.PathLike[str], ds: Dataset | None = None) -> SweepResult:
    """A sweep saved with :meth:`SweepResult.save` (``ds``: to recompute returns).

    Parameters
    ----------
    path : str or path
        The saved file.
    ds : Dataset, optional
        The dataset it ran on, for :meth:`SweepResult.returns` and the deflated Sharpe ratio.
    """
    source = Path(path).expanduser()
    try:
        document = json.loads(source.read_text())
        table = pd.read_json(_text(document["table"]), orient="split")
    except (OSError, ValueError, KeyError) as err:
        raise DataError(
            f"{source} is not a saved sweep ({err}); save one with res.save()."
        ) from err
    table.index.name = "trial"
    moments = {k: (v[0], v[1]) for k, v in document["moments"].items()}
    return SweepResult(
        table,
        document["parameters"],
        moments,
        ds,
        document.get("computed", 0),
        document.get("reused", 0),
        document.get("complete", True),
    )


def _text(split: dict[str, Any]) -> StringIO:
    return StringIO(json.dumps(split))  # pandas reads JSON text from a buffer


def _columns(parameters: dict[str, Any]) -> dict[str, Any]:
    """A trial's parameters as table columns: weights as text and one column per family."""
    out: dict[str, Any] = {}
    for name, value in parameters.items():
        if name == "weights":
            weights = value or DEFAULT_WEIGHTS
            out["weights"] = ", ".join(f"{k}={w:g}" for k, w in weights.items())
            for family, weight in weights.items():
                out[f"{family} weight"] = weight
        else:
            out[name] = value
    return out


def _parameter_columns(table: pd.DataFrame) -> list[str]:
    known = {*SCORE_PARAMETERS, *BACKTEST_PARAMETERS}
    return [c for c in table.columns if c in known or c.endswith(" weight")]
