"""Risk forecasts: the factors' covariance and each stock's specific risk, known at each close.

Both are exponentially weighted averages of what the model has seen up to and including the
day, so the forecast made at the close of ``t`` (for the days after it) never reads a return
earned after ``t``.

- Factor covariance: the exponentially weighted mean of the outer products of daily factor
  returns (taken about zero, as risk models do for daily returns, whose means are noise next to
  their spread), with a Newey-West correction: the lagged cross products, weighted by Bartlett's
  ``1 - lag / (lags + 1)``, added in both directions, so that autocorrelated factor returns are
  not under-forecast when compounded.
- Specific risk: the exponentially weighted mean of each stock's squared specific returns,
  shrunk toward the cap-weighted mean of its size group (the stocks of the same cap decile that
  day): ``(1 - shrinkage) * own + shrinkage * group``, which tempers the noise of a short or
  quiet history, as USE4's Bayesian shrinkage does.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["MIN_DAYS", "factor_covariances", "specific_variances"]

MIN_DAYS = 21  # days of returns a forecast needs before it is given


def factor_covariances(
    factor_returns: np.ndarray, halflife: float, lags: int = 2, min_days: int = MIN_DAYS
) -> np.ndarray:
    """Each day's forecast of the daily factor covariance: days × factors × factors.

    Parameters
    ----------
    factor_returns : ndarray
        Days × factors. A NaN (an industry with no stock that day) counts as no return: it
        leaves that factor's averages where they were.
    halflife : float
        In days.
    lags : int
        Newey-West lags (0: none).
    min_days : int
        Days with a return a pair of factors needs before its covariance is given (NaN before).

    Returns
    -------
    ndarray
        Row ``t``: the covariance from returns up to and including day ``t``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> returns = rng.standard_normal((2000, 2)) @ np.array([[1.0, 0.5], [0.0, 1.0]]) * 0.01
    >>> np.round(factor_covariances(returns, halflife=5000, lags=0)[-1] * 1e4, 1).tolist()
    [[1.0, 0.5], [0.5, 1.2]]
    """
    days, k = factor_returns.shape
    present = np.isfinite(factor_returns)
    filled = np.where(present, factor_returns, 0.0)
    outer = filled[:, :, None] * filled[:, None, :]
    both = present[:, :, None] & present[:, None, :]
    covariance = _ewm_mean(outer, both, halflife)
    for lag in range(1, lags + 1):  # a couple of lags, each a whole-panel pass
        lagged = np.zeros_like(outer)
        lagged[lag:] = filled[lag:, :, None] * filled[:-lag, None, :]
        pair = np.zeros_like(both)
        pair[lag:] = present[lag:, :, None] & present[:-lag, None, :]
        cross = np.nan_to_num(_ewm_mean(lagged, pair, halflife))
        covariance = covariance + (1 - lag / (lags + 1)) * (cross + cross.transpose(0, 2, 1))
    seen = np.cumsum(both, axis=0)
    covariance[seen < min_days] = np.nan
    return covariance


def specific_variances(
    specific_returns: np.ndarray,
    caps: np.ndarray,
    halflife: float,
    shrinkage: float = 0.25,
    groups: int = 10,
    min_days: int = MIN_DAYS,
) -> np.ndarray:
    """Each day's forecast of each stock's daily specific variance: days × stocks.

    Parameters
    ----------
    specific_returns : ndarray
        Days × stocks.
    caps : ndarray
        Days × stocks: market caps at each close, for the size groups.
    halflife : float
        In days.
    shrinkage : float
        The weight of the size group's mean, in [0, 1].
    groups : int
        Size groups (by cap, per day).
    min_days : int
        Specific returns a stock needs before its risk is given (NaN before).

    Returns
    -------
    ndarray
        Row ``t``: from specific returns up to and including day ``t``; NaN for a stock
        without enough history or without a cap that day.
    """
    present = np.isfinite(specific_returns)
    squares = np.where(present, specific_returns, 0.0) ** 2
    own = _ewm_mean(squares, present, halflife)
    own[np.cumsum(present, axis=0) < min_days] = np.nan
    usable = np.isfinite(own) & (caps > 0)  # a NaN cap compares False
    shrunk = (1 - shrinkage) * own + shrinkage * _group_means(own, caps, usable, groups)
    return np.where(usable, shrunk, np.nan)


def _group_means(
    values: np.ndarray, caps: np.ndarray, usable: np.ndarray, groups: int
) -> np.ndarray:
    """Each usable stock's size group's cap-weighted mean of ``values``, that day.

    Group ``g`` holds the stocks whose cap ranks in ``(g / groups, (g + 1) / groups]`` among
    the day's usable stocks.
    """
    n_days, n_stocks = values.shape
    count = usable.sum(axis=1)
    rows = np.arange(n_days)
    order = np.argsort(np.where(usable, caps, np.inf), axis=1, kind="stable")  # usable first
    rank = np.empty(values.shape)
    rank[rows[:, None], order] = np.arange(1, n_stocks + 1)  # 1 = the day's smallest cap
    share = rank / np.maximum(count, 1)[:, None]
    group = np.where(usable, np.ceil(share * groups).astype(int) - 1, groups)  # `groups`: none
    key = (rows[:, None] * (groups + 1) + group).ravel()
    weight = np.where(usable, caps, 0.0).ravel()
    size = n_days * (groups + 1)
    total = np.bincount(key, weights=weight * np.where(usable, values, 0.0).ravel(), minlength=size)
    mass = np.bincount(key, weights=weight, minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = total / mass
    return means[key].reshape(values.shape)


def _ewm_mean(values: np.ndarray, present: np.ndarray, halflife: float) -> np.ndarray:
    """Exponentially weighted mean down the first axis, of the entries present so far.

    The weights of past entries decay by half every ``halflife`` rows; an absent entry adds
    nothing and takes no weight (pandas' ``ewm(halflife=..., adjust=True)`` with gaps).
    """
    shape = values.shape
    flat_values = values.reshape(shape[0], -1)
    flat_present = present.reshape(shape[0], -1)
    frame = pd.DataFrame(np.where(flat_present, flat_values, np.nan))
    out = frame.ewm(halflife=halflife, adjust=True, ignore_na=False).mean()
    return np.array(out.to_numpy(), order="C").reshape(shape)  # ours to edit
