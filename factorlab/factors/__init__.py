"""Factor exposures as wide daily panels, computed point in time.

Examples
--------
>>> import factorlab as fl
>>> ds = fl.load_dataset("sample", n_tickers=20, years=3)
>>> fl.factors.momentum(ds).shape == ds.prices.shape
True
"""

from factorlab.factors import transform
from factorlab.factors.families import (
    FAMILIES,
    available,
    family_exposure,
    growth,
    low_vol,
    metrics,
    momentum,
    quality,
    value,
)

__all__ = [
    "FAMILIES",
    "available",
    "family_exposure",
    "growth",
    "low_vol",
    "metrics",
    "momentum",
    "quality",
    "transform",
    "value",
]
