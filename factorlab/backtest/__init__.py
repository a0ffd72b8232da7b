"""Backtests, performance metrics and factor evaluation."""

from factorlab.backtest import metrics
from factorlab.backtest.portfolio import backtest
from factorlab.backtest.result import BacktestResult

__all__ = ["BacktestResult", "backtest", "metrics"]
