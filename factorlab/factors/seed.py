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
    """Stocks scored the seed's way: each metric bucketed 1-10, averaged within a family, weighted.

    Each metric is bucketed by the thresholds of
    :data:`factorlab.factors.transform.SEED_THRESHOLDS`. Value uses P/E, P/B, P/S, EV/EBITDA and
    debt/equity; growth uses TTM revenue and earnings growth; momentum the 12-1 month return.
    Only value, growth and momentum have seed thresholds. A loss (negative earnings, EBITDA or
    book) scores 1, the worst: a naive ratio would be negative and land in the cheapest bucket.

    Parameters
    ----------
    ds : Dataset
        Prices, and fundamentals for value and growth (momentum reads prices only).
    weights : dict or str, optional
        Weights of ``value``, ``growth`` and ``momentum``, the only families with seed
        thresholds: ``{"value": 0.5, "momentum": 0.5}``, the same as JSON, or text such as
        ``"value=0.5,momentum=0.5"``. None (the default) gives the seed's
        ``value=0.3,growth=0.4,momentum=0.3``. Rescaled, with a warning, when they do not sum
        to 1; negative weights are refused. See
        :func:`factorlab.factors.weights.parse_weights`.

    Returns
    -------
    Scores
        With ``method="buckets"`` and no neutralizing: each weighted family's bucket score
        (1-10, 10 = most attractive) as ``components`` and their weighted mean as
        ``composite``. NaN where a stock has no price, or none of a weighted family's metrics.

    Raises
    ------
    ConfigError
        For weights naming a family other than value, growth and momentum, or otherwise
        refused by :func:`factorlab.factors.weights.parse_weights`.

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
    """One family on the latest date, scored both ways, with each one's rank (1 = best).

    The seed's 1-10 bucket score (:func:`seed_scores`) sits next to factorlab's cross-sectional
    z-score (:func:`factorlab.score` with its defaults and this family alone).

    ``.attrs["rank_correlation"]`` is the Spearman correlation of the two scores: high when
    they order stocks alike, even though their scales differ.

    Parameters
    ----------
    ds : Dataset
        The data both scores read (fundamentals for value and growth); the comparison is on
        its last date.
    family : str
        ``"value"``, ``"growth"`` or ``"momentum"``, the families with seed thresholds
        (another name is a ConfigError that lists them).

    Returns
    -------
    DataFrame
        Indexed by ``ticker``, sorted by ``z_rank``: ``bucket_score``, ``z_score``,
        ``bucket_rank`` and ``z_rank`` (tied scores share the best of their ranks), only for
        stocks with both scores. ``.attrs["rank_correlation"]`` is described above;
        ``.attrs["family"]`` is ``family``.

    Examples
    --------
    >>> import factorlab as fl
    >>> ds = fl.load_dataset("sample", n_tickers=40, years=3)
    >>> list(seed_vs_zscore(ds, "value").columns)
    ['bucket_score', 'z_score', 'bucket_rank', 'z_rank']
    """
    name = str(family).strip().lower()
    seed = seed_scores(ds, {name: 1}).components[name].iloc[-1]
    z = score(ds, weights={name: 1}).components[name].iloc[-1]
    table = pd.DataFrame({"bucket_score": seed, "z_score": z}).dropna()
    table["bucket_rank"] = table["bucket_score"].rank(ascending=False, method="min").astype(int)
    table["z_rank"] = table["z_score"].rank(ascending=False, method="min").astype(int)
    table = table.sort_values("z_rank")
    table.index.name = "ticker"
    table.attrs["rank_correlation"] = float(
        table["bucket_score"].corr(table["z_score"], method="spearman")
    )
    table.attrs["family"] = name
    return table
