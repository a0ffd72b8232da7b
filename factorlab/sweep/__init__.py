"""Sweeps: thousands of configurations of a score and a backtest, every trial counted.

:class:`Grid` and :func:`simplex` say which trials; :func:`sweep` runs them (in this process,
local processes, or on Dask), sharing the costly work; :class:`SweepResult` holds one row per
trial and the tests of luck that need all of them: the deflated Sharpe ratio and the
probability of backtest overfitting.
"""

from factorlab.sweep.engine import run_trial, sweep
from factorlab.sweep.grid import Grid, grid_from_mapping, simplex, trial_id
from factorlab.sweep.overfitting import Overfitting, probability_of_overfitting
from factorlab.sweep.result import SweepResult, load_sweep

__all__ = [
    "Grid",
    "Overfitting",
    "SweepResult",
    "grid_from_mapping",
    "load_sweep",
    "probability_of_overfitting",
    "run_trial",
    "simplex",
    "sweep",
    "trial_id",
]
