"""The probability of backtest overfitting, by combinatorially symmetric cross-validation.

Bailey, Borwein, López de Prado and Zhu (2016), "The probability of backtest overfitting":
split the history into ``S`` blocks; for every way of choosing half of them as the in-sample
part, take the trial with the best in-sample Sharpe ratio and see where it ranks out of sample
(the other half). PBO is the share of splits where it ranks at or below the median: close to 0
when the best configuration is truly better, about 0.5 when all are luck.

Each trial is summarised by its returns' count, sum and sum of squares per month, so the Sharpe
ratio of any union of blocks is exact without keeping daily returns.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from factorlab.errors import ConfigError
from factorlab.params import as_int

__all__ = ["Overfitting", "probability_of_overfitting"]

_BATCH = 2048  # splits evaluated at once: bounds memory at N trials x this


@dataclass(frozen=True)
class Overfitting:
    """The outcome of :func:`probability_of_overfitting`.

    Attributes
    ----------
    probability : float
        PBO: the share of splits whose in-sample best ranks at or below the out-of-sample
        median.
    logits : ndarray
        Per split, ``log(w / (1 - w))`` with ``w`` the best's out-of-sample rank over N + 1.
    blocks, splits, trials : int
        How the history was cut, how many splits were tried, how many trials were ranked.
    """

    probability: float
    logits: np.ndarray
    blocks: int
    splits: int
    trials: int

    def __repr__(self) -> str:
        return (
            f"<Overfitting PBO {self.probability:.2f}: {self.trials} trials, {self.blocks} "
            f"blocks, {self.splits} splits>"
        )


def probability_of_overfitting(moments: np.ndarray, blocks: int = 16) -> Overfitting:
    """PBO of trials given their per-period return sums (CSCV, Bailey et al. 2016).

    Parameters
    ----------
    moments : ndarray, shape (trials, periods, 3)
        Per trial and period (a month): the number of returns, their sum and the sum of their
        squares.
    blocks : int
        ``S``, an even number of contiguous blocks of periods (16 by default, at least 2 and at
        most the number of periods).

    Returns
    -------
    Overfitting

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> daily = rng.normal(0, 0.01, (20, 48, 21))  # 20 trials of pure noise, 48 months
    >>> moments = np.stack([np.full((20, 48), 21.0), daily.sum(2), (daily**2).sum(2)], -1)
    >>> 0.2 < probability_of_overfitting(moments, blocks=8).probability < 0.8
    True
    """
    data = np.asarray(moments, dtype=float)
    if data.ndim != 3 or data.shape[2] != 3:
        raise ConfigError(f"moments must be trials x periods x 3, got shape {data.shape}.")
    trials, periods, _ = data.shape
    size = as_int(blocks, "blocks", minimum=2)
    if size % 2 or size > periods:
        raise ConfigError(
            f"blocks must be even and at most the number of periods ({periods}), got {blocks}."
        )
    if trials < 2:
        raise ConfigError("PBO ranks trials against each other: it needs at least two.")
    edges = np.array_split(np.arange(periods), size)
    per_block = np.stack([data[:, idx, :].sum(axis=1) for idx in edges])  # blocks x trials x 3
    total = per_block.sum(axis=0)
    choices = np.array(list(itertools.combinations(range(size), size // 2)), dtype=np.int64)
    indicator = np.zeros((len(choices), size))
    indicator[np.arange(len(choices))[:, None], choices] = 1.0
    logits = []
    for start in range(0, len(choices), _BATCH):  # splits in batches: memory N x batch
        chosen = indicator[start : start + _BATCH]
        inside = np.einsum("ks,snm->knm", chosen, per_block)
        outside = total[None] - inside
        best = np.argmax(_sharpe(inside), axis=1)
        oos = _sharpe(outside)
        mine = oos[np.arange(len(best)), best]
        below = (oos < mine[:, None]).sum(axis=1)
        ties = (oos == mine[:, None]).sum(axis=1)
        rank = below + (ties + 1) / 2  # 1..N, ties at their average
        share = rank / (trials + 1)
        logits.append(np.log(share / (1 - share)))
    logit = np.concatenate(logits)
    return Overfitting(float(np.mean(logit <= 0)), logit, size, len(choices), trials)


def _sharpe(sums: np.ndarray) -> np.ndarray:
    """Per-period Sharpe ratios from (count, sum, sum of squares); -inf where undefined."""
    n, s1, s2 = sums[..., 0], sums[..., 1], sums[..., 2]
    with np.errstate(invalid="ignore", divide="ignore"):
        variance = (s2 - s1**2 / n) / (n - 1)
        ratio = (s1 / n) / np.sqrt(variance)
    return np.where(np.isfinite(ratio), ratio, -math.inf)
