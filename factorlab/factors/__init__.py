"""Factor exposures as wide daily panels, computed point in time.

Examples
--------
>>> import factorlab as fl
>>> ds = fl.load_dataset("sample", n_tickers=20, years=3)
>>> fl.factors.momentum(ds).shape == ds.prices.shape
True
"""

from factorlab.factors import transform
from factorlab.factors.composite import Scores, score
from factorlab.factors.custom import Custom
from factorlab.factors.exposure import (
    family_exposure,
    growth,
    low_vol,
    metrics,
    momentum,
    quality,
    value,
)
from factorlab.factors.registry import FAMILIES, METRICS, available
from factorlab.factors.screening import screen, sector_shares, styled
from factorlab.factors.seed import seed_scores, seed_vs_zscore
from factorlab.factors.weights import parse_weights

__all__ = [
    "FAMILIES",
    "METRICS",
    "Custom",
    "Scores",
    "available",
    "family_exposure",
    "growth",
    "low_vol",
    "metrics",
    "momentum",
    "parse_weights",
    "quality",
    "score",
    "screen",
    "seed_scores",
    "sector_shares",
    "seed_vs_zscore",
    "styled",
    "transform",
    "value",
]
