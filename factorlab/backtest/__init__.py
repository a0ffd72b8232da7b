"""Backtests, performance metrics and factor evaluation."""

from factorlab.backtest import metrics
from factorlab.backtest.comparison import Capacity, Comparison, capacity, compare, cost_sensitivity
from factorlab.backtest.evaluation import evaluate
from factorlab.backtest.events import EventStudy, evaluate_events
from factorlab.backtest.factor_report import FactorReport
from factorlab.backtest.portfolio import backtest
from factorlab.backtest.result import BacktestResult

__all__ = [
    "BacktestResult",
    "Capacity",
    "Comparison",
    "EventStudy",
    "FactorReport",
    "backtest",
    "capacity",
    "compare",
    "cost_sensitivity",
    "evaluate",
    "evaluate_events",
    "metrics",
]
