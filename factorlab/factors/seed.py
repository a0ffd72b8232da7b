"""The seed's scoring, kept for teaching: fixed thresholds map each ratio to 1-10 per family.

Compare it with :func:`factorlab.score`: bucket scores ignore the cross-section (on a day when
every stock is expensive, every stock scores low) and jump at arbitrary cut points.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from factorlab.data import Dataset
from factorlab.errors import ConfigError
from factorlab.factors.composite import Scores, score
from factorlab.factors.registry import metric
from factorlab.factors.transform import bucket_score
from factorlab.factors.weights import Weights, parse_weights

__all__ = ["SEED_FAMILIES", "SEED_METRICS", "seed_scores", "seed_vs_zscore"]

# The seed's metrics: its own name for each (a key of SEED_THRESHOLDS), the registry metric it
# reads, and whether it turned that yield into a price ratio (P/E from the earnings yield).
SEED_METRICS: dict[str, tuple[str, bool]] = {
    "pe": ("earnings_yield", True),
    "pb": ("book_to_price", True),
    "ps": ("sales_to_price", True),
    "ev_ebitda": ("ebitda_to_ev", True),
    "debt_to_equity": ("debt_to_equity", False),
    "revenue_growth": ("revenue_growth", False),
    "earnings_growth": ("earnings_growth", False),
    "momentum": ("momentum_12_1", False),
}
SEED_FAMILIES: tuple[str, ...] = tuple(
    dict.fromkeys(metric(name).family for name, _ in SEED_METRICS.values())
)


def seed_scores(ds: Dataset, weights: Weights = None) -> Scores:
    """Score stocks the seed's way: each metric bucketed 1-10 by the thresholds of
    :data:`factorlab.factors.transform.SEED_THRESHOLDS`, averaged within a family, weighted.

    Value uses P/E, P/B, P/S, EV/EBITDA and debt/equity; growth uses TTM revenue and earnings
    growth; momentum the 12-1 month return. Only value, growth and momentum have seed
    thresholds. A loss (negative earnings, EBITDA or book) scores 1, the worst: a naive ratio
    would be negative and land in the cheapest bucket.

    Examples
    --------
    >>> import factorlab as fl
    >>> ds = fl.load_dataset("sample", n_tickers=30, years=3)
    >>> seed = fl.factors.seed_scores(ds)
    >>> float(seed.composite.min().min()) >= 1, float(seed.composite.max().max()) <= 10
    (True, True)
    """
    mix = parse_weights(weights)
    unknown = set(mix) - set(SEED_FAMILIES)
    if unknown:
        raise ConfigError(
            f"The seed scored only {', '.join(SEED_FAMILIES[:-1])} and {SEED_FAMILIES[-1]}, not "
            f"{', '.join(sorted(unknown))}."
        )
    listed = ds.prices.notna()
    components: dict[str, pd.DataFrame] = {}
    for family in mix:
        buckets = []
        for seed_name, (name, as_price_ratio) in SEED_METRICS.items():
            if metric(name).family == family:
                raw = metric(name).compute(ds)
                buckets.append(bucket_score(_ratio(raw) if as_price_ratio else raw, seed_name))
        components[family] = _mean(buckets)
    components = {k: v.where(listed) for k, v in components.items()}
    composite = sum(w * components[f] for f, w in mix.items()) / sum(mix.values())
    return Scores(composite, components, mix, "buckets", None)


def _ratio(yield_panel: pd.DataFrame) -> pd.DataFrame:
    """Price ratio from a yield; a non-positive yield (a loss) becomes +inf, the worst bucket."""
    with np.errstate(divide="ignore"):
        return (1 / yield_panel).where(yield_panel > 0, np.inf).where(yield_panel.notna())


def _mean(panels: list[pd.DataFrame]) -> pd.DataFrame:
    return pd.concat(panels).groupby(level=0).mean()


def seed_vs_zscore(ds: Dataset, family: str) -> pd.DataFrame:
    """One family on the latest date, scored both ways: the seed's 1-10 bucket score next to
    factorlab's cross-sectional z-score, with each one's rank (1 = best).

    ``.attrs["rank_correlation"]`` is the Spearman correlation of the two scores: high when
    they order stocks alike, even though their scales differ.

    Examples
    --------
    >>> import factorlab as fl
    >>> ds = fl.load_dataset("sample", n_tickers=40, years=3)
    >>> list(seed_vs_zscore(ds, "value").columns)
    ['bucket_score', 'z_score', 'bucket_rank', 'z_rank']
    """
    seed = seed_scores(ds, {family: 1}).components[family].iloc[-1]
    z = score(ds, weights={family: 1}).components[family].iloc[-1]
    table = pd.DataFrame({"bucket_score": seed, "z_score": z}).dropna()
    table["bucket_rank"] = table["bucket_score"].rank(ascending=False, method="min").astype(int)
    table["z_rank"] = table["z_score"].rank(ascending=False, method="min").astype(int)
    table = table.sort_values("z_rank")
    table.index.name = "ticker"
    table.attrs["rank_correlation"] = float(
        table["bucket_score"].corr(table["z_score"], method="spearman")
    )
    table.attrs["family"] = family
    return table
