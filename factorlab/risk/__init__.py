"""A factor risk model: exposures point in time, factor returns, covariance and attribution."""

from factorlab.risk.model import RiskModel, risk_model

__all__ = ["RiskModel", "risk_model"]
