"""Backtests, performance metrics and factor evaluation."""

from factorlab.backtest import metrics

__all__ = ["metrics"]
