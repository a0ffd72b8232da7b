"""Backtests, performance metrics and factor evaluation."""

from factorlab.backtest import metrics
from factorlab.backtest.compare import Comparison, compare
from factorlab.backtest.evaluation import FactorReport, evaluate
from factorlab.backtest.portfolio import backtest
from factorlab.backtest.result import BacktestResult

__all__ = [
    "BacktestResult",
    "Comparison",
    "FactorReport",
    "backtest",
    "compare",
    "evaluate",
    "metrics",
]
