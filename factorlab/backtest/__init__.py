"""Backtests, performance metrics and factor evaluation."""

from factorlab.backtest import metrics
from factorlab.backtest.compare import Comparison, compare
from factorlab.backtest.portfolio import backtest
from factorlab.backtest.result import BacktestResult

__all__ = ["BacktestResult", "Comparison", "backtest", "compare", "metrics"]
