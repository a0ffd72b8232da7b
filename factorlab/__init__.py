"""factorlab: factor investing research with honest backtests and a local LLM analyst.

Examples
--------
>>> import factorlab as fl
>>> ds = fl.load_dataset("sample", n_tickers=50, years=5)
>>> ds.prices.shape[1]
50
"""

from factorlab import factors
from factorlab._version import __version__
from factorlab.backtest import (
    BacktestResult,
    Capacity,
    Comparison,
    EventStudy,
    FactorReport,
    backtest,
    capacity,
    compare,
    cost_sensitivity,
    evaluate,
    evaluate_events,
    metrics,
)
from factorlab.data import Dataset, load_dataset
from factorlab.errors import ConfigError, DataError
from factorlab.factors import Scores, score, screen
from factorlab.monitor import monitor
from factorlab.notebook import notebook_dataset, record
from factorlab.risk import RiskModel, risk_model
from factorlab.sweep import Grid, SweepResult, load_sweep, simplex, sweep

__all__ = [
    "Analyst",
    "BacktestResult",
    "Capacity",
    "Comparison",
    "ConfigError",
    "DataError",
    "Dataset",
    "EventStudy",
    "FactorReport",
    "Grid",
    "RiskModel",
    "Scores",
    "SweepResult",
    "__version__",
    "backtest",
    "capacity",
    "compare",
    "cost_sensitivity",
    "evaluate",
    "evaluate_events",
    "factors",
    "plots",
    "load_dataset",
    "load_sweep",
    "metrics",
    "monitor",
    "notebook_dataset",
    "record",
    "risk_model",
    "score",
    "screen",
    "simplex",
    "sweep",
    "widgets",
]


def __getattr__(name: str) -> object:
    # The analyst (pydantic, and ollama once it talks) loads on first use: importing
    # factorlab stays cheap for everyone who never asks a model.
    if name == "Analyst":
        from factorlab.llm import Analyst  # pydantic and the model clients: on first use

        return Analyst
    if name in ("plots", "widgets"):  # matplotlib and ipywidgets load when first used
        import importlib

        return importlib.import_module(f"factorlab.{name}")
    raise AttributeError(f"module 'factorlab' has no attribute {name!r}")
