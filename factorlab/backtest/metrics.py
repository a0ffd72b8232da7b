"""Performance metrics: one pure function per figure, over simple returns.

Every function takes a Series (returns a float) or a DataFrame (returns a Series indexed by its
columns, one figure per column) of simple decimal returns, and ``periods_per_year`` (252 for
daily data, 52 weekly, 12 monthly). Missing returns are skipped, never treated as 0 %: each
column uses its own observations. The conventions are empyrical's where it defines the figure
(and the tests check agreement to 1e-10): annual figures compound over ``n / periods_per_year``
years; volatility uses ``ddof=1``; drawdowns count from a starting wealth of 1; alpha is
compounded; a risk-free rate is annual and converted per period as ``(1 + rf) ** (1 / N) - 1``.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import TypeAlias

import numpy as np
import pandas as pd

from factorlab._docs import shared_doc
from factorlab.errors import ConfigError

__all__ = [
    "annual_volatility",
    "beta_alpha",
    "cagr",
    "calmar_ratio",
    "deflated_sharpe_ratio",
    "hit_rate",
    "information_ratio",
    "max_drawdown",
    "periods_per_year_of",
    "probabilistic_sharpe_ratio",
    "sharpe_ratio",
    "sortino_ratio",
    "tracking_error",
]

Returns: TypeAlias = pd.Series | pd.DataFrame
_EULER_GAMMA = 0.5772156649015329

_PERIODS_PER_YEAR = (
    "periods_per_year : float, optional\n"
    "    Periods in a year: 252 for daily returns, 52 weekly, 12 monthly. By default it is\n"
    "    read from the dates of ``returns`` (trading days 252, every-day data 365, weeks 52,\n"
    "    months 12, quarters 4, years 1; see :func:`periods_per_year_of`); returns without\n"
    "    dates, intraday or spaced otherwise raise :class:`~factorlab.errors.ConfigError`\n"
    "    asking for it. A positive number (not text)."
)
# Parameters and results every metric shares, documented once (see factorlab._docs).
_DOCS = {
    "returns": (
        "returns : Series or DataFrame\n"
        "    Simple decimal returns (0.01 = 1 %), one per period; a DataFrame gives one figure\n"
        "    per column. A missing return (NaN) is skipped, not taken as 0 %: each column uses\n"
        "    its own observations."
    ),
    "benchmark": (
        "benchmark : Series\n"
        "    The benchmark's simple returns, aligned on the dates of ``returns`` (its other dates\n"
        "    are ignored). Only periods where both have a return count."
    ),
    "periods_per_year": _PERIODS_PER_YEAR,
    "against_benchmark": (
        "Parameters\n"
        "----------\n"
        "returns : Series or DataFrame\n"
        "    Simple decimal returns (0.01 = 1 %), one per period; a DataFrame gives one figure\n"
        "    per column. A missing return (NaN) is skipped, not taken as 0 %.\n"
        "benchmark : Series\n"
        "    The benchmark's simple returns, aligned on the dates of ``returns`` (its other dates\n"
        "    are ignored). Only periods where both have a return count.\n"
        "periods_per_year : float, optional\n"
        "    Periods in a year: 252 for daily returns, 52 weekly, 12 monthly; by default read\n"
        "    from the dates of ``returns`` (see :func:`periods_per_year_of`).\n"
        "\n"
        "Returns\n"
        "-------\n"
        "float or Series\n"
        "    A float for a Series of returns; for a DataFrame, a Series indexed by its columns.\n"
        "    NaN with fewer than two periods where both have a return."
    ),
    "series_parameters": (
        "Parameters\n"
        "----------\n"
        "returns : Series or DataFrame\n"
        "    Simple decimal returns (0.01 = 1 %), one per period; a DataFrame gives one figure\n"
        "    per column. A missing return (NaN) is skipped, not taken as 0 %: each column uses\n"
        "    its own observations.\n" + _PERIODS_PER_YEAR
    ),
    "one_figure": (
        "float or Series\n"
        "    A float for a Series of returns; for a DataFrame, a Series indexed by its columns."
    ),
}


@shared_doc(**_DOCS)
def cagr(returns: Returns, periods_per_year: float | None = None) -> float | pd.Series:
    """Compound annual growth rate: ``prod(1 + r) ** (periods_per_year / n) - 1``.

    ``n`` counts the periods that have a return; empyrical counts every row, so the two differ
    when returns are missing (they agree otherwise).

    {series_parameters}

    Returns
    -------
    {one_figure}
        NaN where there is no return.

    Examples
    --------
    >>> round(cagr(pd.Series([0.006] * 26), periods_per_year=52), 3)  # 26 weeks of +0.6 %
    0.365
    """
    periods_per_year = _periods(returns, periods_per_year)
    r = _values(returns, periods_per_year)
    n = np.sum(~np.isnan(r), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        growth = np.nanprod(1 + r, axis=0) ** (periods_per_year / n) - 1
    return _out(returns, np.where(n > 0, growth, np.nan))


@shared_doc(**_DOCS)
def annual_volatility(returns: Returns, periods_per_year: float | None = None) -> float | pd.Series:
    """Standard deviation of returns (``ddof=1``) times ``sqrt(periods_per_year)``.

    {series_parameters}

    Returns
    -------
    {one_figure}
        NaN with fewer than two returns.
    """
    periods_per_year = _periods(returns, periods_per_year)
    r = _values(returns, periods_per_year)
    return _out(returns, _std(r) * np.sqrt(periods_per_year))


@shared_doc(**_DOCS)
def sharpe_ratio(
    returns: Returns, risk_free: float = 0.0, periods_per_year: float | None = None
) -> float | pd.Series:
    """Annualized Sharpe ratio: mean excess return over its standard deviation.

    Per period (the standard deviation with ``ddof=1``), times ``sqrt(periods_per_year)``.
    ``risk_free`` is an annual rate.

    Parameters
    ----------
    {returns}
    risk_free : float, default 0.0
        Annual risk-free rate as a decimal (0.02 = 2 %), converted per period as
        ``(1 + risk_free) ** (1 / periods_per_year) - 1`` and subtracted from every return.
    {periods_per_year}

    Returns
    -------
    {one_figure}
        NaN with fewer than two returns.

    Examples
    --------
    >>> round(sharpe_ratio(pd.Series([0.01, -0.005, 0.02, 0.0]), periods_per_year=12), 4)
    1.9528
    """
    periods_per_year = _periods(returns, periods_per_year)
    excess = _values(returns, periods_per_year) - _per_period(risk_free, periods_per_year)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.nanmean(excess, axis=0) / _std(excess) * np.sqrt(periods_per_year)
    return _out(returns, ratio)


@shared_doc(**_DOCS)
def sortino_ratio(
    returns: Returns, required_return: float = 0.0, periods_per_year: float | None = None
) -> float | pd.Series:
    """Annualized mean excess return over downside deviation.

    Downside deviation is ``sqrt(mean(min(r - target, 0) ** 2))`` over *all* observations
    (not only the losing ones), annualized by ``sqrt(periods_per_year)``; ``required_return``
    is an annual rate. The mean excess return is annualized by ``periods_per_year``.

    Parameters
    ----------
    {returns}
    required_return : float, default 0.0
        The target, an annual rate as a decimal, converted per period as
        ``(1 + required_return) ** (1 / periods_per_year) - 1``.
    {periods_per_year}

    Returns
    -------
    {one_figure}
        Infinite when no return falls below the target (and some exceed it).
    """
    periods_per_year = _periods(returns, periods_per_year)
    excess = _values(returns, periods_per_year) - _per_period(required_return, periods_per_year)
    with np.errstate(invalid="ignore", divide="ignore"):
        downside = np.sqrt(np.nanmean(np.minimum(excess, 0.0) ** 2, axis=0))
        ratio = (
            np.nanmean(excess, axis=0) * periods_per_year / (downside * np.sqrt(periods_per_year))
        )
    return _out(returns, ratio)


@shared_doc(**_DOCS)
def max_drawdown(returns: Returns) -> float | pd.Series:
    """Largest peak-to-trough fall of cumulative wealth, as a negative decimal (0 if none).

    Wealth starts at 1, and the start counts as a peak; a missing return (NaN) leaves wealth
    unchanged.

    Parameters
    ----------
    returns : Series or DataFrame
        Simple decimal returns (0.01 = 1 %), one per period; a DataFrame gives one figure per
        column. There is no ``periods_per_year``: the figure does not depend on it.

    Returns
    -------
    {one_figure}
        NaN where there is no return at all.

    Examples
    --------
    >>> max_drawdown(pd.Series([0.1, -0.5, 0.2]))
    -0.5
    """
    r = _values(returns, 1)
    wealth = np.cumprod(1 + np.nan_to_num(r), axis=0)  # a skipped day leaves wealth unchanged
    peak = np.maximum.accumulate(np.vstack([np.ones((1, r.shape[1])), wealth]), axis=0)[1:]
    drawdown = np.min(wealth / peak - 1, axis=0, initial=0.0)
    return _out(returns, np.where(np.isnan(r).all(axis=0), np.nan, drawdown))


@shared_doc(**_DOCS)
def calmar_ratio(returns: Returns, periods_per_year: float | None = None) -> float | pd.Series:
    """CAGR over the absolute maximum drawdown; NaN when there was no drawdown.

    Parameters
    ----------
    {returns}
    {periods_per_year}

    Returns
    -------
    {one_figure}
        NaN when there was no drawdown or there is no return.
    """
    periods_per_year = _periods(returns, periods_per_year)
    growth = np.atleast_1d(np.asarray(cagr(returns, periods_per_year), dtype=float))
    drawdown = np.atleast_1d(np.asarray(max_drawdown(returns), dtype=float))
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(drawdown < 0, growth / np.abs(drawdown), np.nan)
    return _out(returns, np.where(np.isinf(ratio), np.nan, ratio))


@shared_doc(**_DOCS)
def hit_rate(returns: Returns) -> float | pd.Series:
    """Share of periods with a positive return, among those with a return.

    A return of exactly 0 is not a hit.

    Parameters
    ----------
    {returns}

    Returns
    -------
    {one_figure}
        A decimal between 0 and 1; NaN where there is no return.
    """
    r = _values(returns, 1)
    n = np.sum(~np.isnan(r), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return _out(returns, np.where(n > 0, np.sum(r > 0, axis=0) / n, np.nan))


@shared_doc(**_DOCS)
def beta_alpha(
    returns: Returns,
    benchmark: pd.Series,
    risk_free: float = 0.0,
    periods_per_year: float | None = None,
) -> pd.DataFrame | pd.Series:
    """Beta to ``benchmark`` and annualized, compounded alpha, on excess returns.

    Alpha is ``(1 + mean(r - beta * b)) ** periods_per_year - 1`` on excess returns (the
    risk-free rate is taken from both the returns and the benchmark). Only periods where both
    have a return count. Beta is the covariance of the excess returns with the benchmark's,
    over the benchmark's variance; beta and alpha are NaN when the benchmark does not vary.

    Parameters
    ----------
    {returns}
    {benchmark}
    risk_free : float, default 0.0
        Annual risk-free rate as a decimal, converted per period as
        ``(1 + risk_free) ** (1 / periods_per_year) - 1``.
    {periods_per_year}

    Returns
    -------
    Series or DataFrame
        A Series (``beta``, ``alpha_ann``) for a Series, a DataFrame (columns ``beta``,
        ``alpha_ann``, one row per column of ``returns``) for a DataFrame.
    """
    periods_per_year = _periods(returns, periods_per_year)
    r, b = _aligned(returns, benchmark, periods_per_year)
    rf = _per_period(risk_free, periods_per_year)
    r, b = r - rf, b - rf
    paired_b = np.where(np.isnan(r), np.nan, b)
    with np.errstate(invalid="ignore", divide="ignore"):
        residual = paired_b - np.nanmean(paired_b, axis=0)
        variance = np.nanmean(residual**2, axis=0)
        beta = np.nanmean(residual * r, axis=0) / np.where(variance < 1e-30, np.nan, variance)
        alpha = (1 + np.nanmean(r - beta * paired_b, axis=0)) ** periods_per_year - 1
    if isinstance(returns, pd.Series):
        return pd.Series({"beta": float(beta[0]), "alpha_ann": float(alpha[0])})
    return pd.DataFrame({"beta": beta, "alpha_ann": alpha}, index=returns.columns)


@shared_doc(**_DOCS)
def tracking_error(
    returns: Returns, benchmark: pd.Series, periods_per_year: float | None = None
) -> float | pd.Series:
    """Annualized standard deviation of the active return ``r - benchmark``.

    The standard deviation uses ``ddof=1`` and is annualized by ``sqrt(periods_per_year)``.

    {against_benchmark}
    """
    periods_per_year = _periods(returns, periods_per_year)
    r, b = _aligned(returns, benchmark, periods_per_year)
    return _out(returns, _std(r - b) * np.sqrt(periods_per_year))


@shared_doc(**_DOCS)
def information_ratio(
    returns: Returns, benchmark: pd.Series, periods_per_year: float | None = None
) -> float | pd.Series:
    """Annualized mean active return ``r - benchmark`` over :func:`tracking_error`.

    The mean active return is annualized by ``periods_per_year`` (not compounded).

    {against_benchmark}
    """
    periods_per_year = _periods(returns, periods_per_year)
    r, b = _aligned(returns, benchmark, periods_per_year)
    active_ann = np.nanmean(r - b, axis=0) * periods_per_year
    error = np.atleast_1d(np.asarray(tracking_error(returns, benchmark, periods_per_year)))
    with np.errstate(invalid="ignore", divide="ignore"):
        return _out(returns, active_ann / error)


@shared_doc(**_DOCS)
def probabilistic_sharpe_ratio(
    returns: Returns, benchmark_sharpe: float = 0.0, periods_per_year: float | None = None
) -> float | pd.Series:
    """Probabilistic Sharpe ratio: the probability the true Sharpe exceeds ``benchmark_sharpe``.

    Probability that the true Sharpe ratio exceeds ``benchmark_sharpe`` (annual), given the
    sample's length, skewness and kurtosis (Bailey & López de Prado, 2012).

    ``PSR = Phi((SR - SR*) * sqrt(n - 1) / sqrt(1 - skew * SR + (kurtosis - 1) / 4 * SR**2))``
    with per-period Sharpe ratios and non-excess kurtosis.

    Parameters
    ----------
    {returns}
    benchmark_sharpe : float, default 0.0
        The annual Sharpe ratio to beat, ``SR*``; divided by ``sqrt(periods_per_year)`` to
        compare it with the per-period Sharpe ratio.
    {periods_per_year}

    Returns
    -------
    {one_figure}
        A probability between 0 and 1; NaN with fewer than two returns.
    """
    periods_per_year = _periods(returns, periods_per_year)
    r = _values(returns, periods_per_year)
    sr, n, skew, kurt = _moments(r)
    star = benchmark_sharpe / np.sqrt(periods_per_year)
    return _out(returns, _psr(sr, star, n, skew, kurt))


def deflated_sharpe_ratio(
    returns: Returns, n_trials: int, sharpe_variance: float, periods_per_year: float | None = None
) -> float | pd.Series:
    """The deflated Sharpe ratio: the PSR against the best Sharpe ratio luck would give.

    The probabilistic Sharpe ratio against the best Sharpe ratio expected from ``n_trials``
    unskilled configurations (Bailey & López de Prado, 2014).

    Parameters
    ----------
    returns : Series or DataFrame
        The chosen configuration's returns.
    n_trials : int
        How many configurations were tried (parameters, factors, weights...).
    sharpe_variance : float
        Variance of the *annualized* Sharpe ratios across those trials.
    {periods_per_year}

    Notes
    -----
    ``SR0 = sqrt(V) * ((1 - g) * Z(1 - 1/N) + g * Z(1 - 1/(N e)))`` with ``g`` the
    Euler-Mascheroni constant and ``Z`` the standard normal quantile; the result is
    ``PSR(SR0)``. Close to 1: the Sharpe ratio survives the multiple testing.
    """
    periods_per_year = _periods(returns, periods_per_year)
    if int(n_trials) < 1:
        raise ConfigError(f"n_trials must be at least 1, got {n_trials}.")
    if not sharpe_variance >= 0:
        raise ConfigError(f"sharpe_variance must be zero or positive, got {sharpe_variance}.")
    r = _values(returns, periods_per_year)
    sr, n, skew, kurt = _moments(r)
    star = expected_max_sharpe(int(n_trials), sharpe_variance / periods_per_year)
    return _out(returns, _psr(sr, star, n, skew, kurt))


def expected_max_sharpe(n_trials: int, sharpe_variance: float) -> float:
    """Expected maximum of ``n_trials`` Sharpe ratios with true value 0 and the given variance.

    In the units of that variance's Sharpe ratios; 0 for a single trial.
    """
    if n_trials == 1:
        return 0.0
    z = NormalDist().inv_cdf
    spread = (1 - _EULER_GAMMA) * z(1 - 1 / n_trials) + _EULER_GAMMA * z(
        1 - 1 / (n_trials * math.e)
    )
    return math.sqrt(sharpe_variance) * spread


def _psr(sr: np.ndarray, star: float, n: np.ndarray, skew: np.ndarray, kurt: np.ndarray):
    with np.errstate(invalid="ignore", divide="ignore"):
        denominator = np.sqrt(1 - skew * sr + (kurt - 1) / 4 * sr**2)
        z = (sr - star) * np.sqrt(n - 1) / denominator
    cdf = np.frompyfunc(lambda x: NormalDist().cdf(x) if np.isfinite(x) else np.nan, 1, 1)
    return cdf(z).astype(float)


def _moments(r: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per column: per-period Sharpe ratio (ddof=1), count, skewness and kurtosis.

    Skewness and kurtosis are population figures, the kurtosis non-excess, as Bailey and López
    de Prado use them.
    """
    n = np.sum(~np.isnan(r), axis=0)
    mean = np.nanmean(r, axis=0)
    centred = r - mean
    with np.errstate(invalid="ignore", divide="ignore"):
        m2 = np.nanmean(centred**2, axis=0)
        skew = np.nanmean(centred**3, axis=0) / m2**1.5
        kurt = np.nanmean(centred**4, axis=0) / m2**2
        sr = mean / _std(r)
    return sr, n, skew, kurt


def _std(r: np.ndarray) -> np.ndarray:
    n = np.sum(~np.isnan(r), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        centred = r - np.nanmean(r, axis=0)
        return np.where(n > 1, np.sqrt(np.nansum(centred**2, axis=0) / (n - 1)), np.nan)


def _per_period(annual_rate: float, periods_per_year: float) -> float:
    return (1 + float(annual_rate)) ** (1 / periods_per_year) - 1


def periods_per_year_of(index: pd.Index) -> float:
    """How many periods make a year, read from the spacing of ``index``'s dates.

    From the median gap between consecutive dates: days give 252 when they are trading days
    (about 250 a year, whichever days of the week) and 365 when they are every day (300 or
    more a year); weeks give 52, months 12, quarters 4 and years 1.

    Parameters
    ----------
    index : Index
        The dates of the returns (a ``DatetimeIndex``).

    Returns
    -------
    float
        Periods per year.

    Raises
    ------
    ConfigError
        For an index without dates, with fewer than two, or spaced otherwise: the message
        asks for ``periods_per_year``.

    Examples
    --------
    >>> periods_per_year_of(pd.date_range("2024-01-05", periods=26, freq="W-FRI"))
    52.0
    >>> periods_per_year_of(pd.bdate_range("2024-01-01", periods=30))
    252.0
    """
    ask = "pass periods_per_year (252 daily, 52 weekly, 12 monthly)"
    if not isinstance(index, pd.DatetimeIndex):
        raise ConfigError(
            f"The returns are indexed by {type(index).__name__}, not dates, so how many make a "
            f"year cannot be read from them: {ask}."
        )
    dates = index.dropna().unique().sort_values()
    if len(dates) < 2:
        raise ConfigError(f"{len(dates)} dated return is too few to tell their spacing: {ask}.")
    gap = float(np.median((dates[1:] - dates[:-1]).total_seconds())) / 86_400  # in days
    if gap < 0.5:
        raise ConfigError(f"The returns are intraday ({gap * 24:g} hours apart): {ask}.")
    if gap <= 4:  # days: trading days (weekends, holidays, a Friday-Monday pair) or every day
        span = (dates[-1] - dates[0]).total_seconds() / 86_400
        per_year = (len(dates) - 1) / span * 365.25
        return 365.0 if per_year >= 300 else 252.0
    for low, high, per_year in ((5, 9, 52.0), (26, 35, 12.0), (85, 95, 4.0), (350, 380, 1.0)):
        if low <= gap <= high:
            return per_year
    raise ConfigError(
        f"The returns' dates are {gap:g} days apart (the median): neither daily, weekly, "
        f"monthly, quarterly nor yearly; {ask}."
    )


def _periods(returns: Returns, periods_per_year: float | None) -> float:
    """``periods_per_year`` checked, or read from the dates of ``returns``."""
    if periods_per_year is None and isinstance(returns, pd.Series | pd.DataFrame):
        return periods_per_year_of(returns.index)
    return periods_per_year  # type: ignore[return-value]  # checked by _values


def _values(returns: Returns, periods_per_year: float) -> np.ndarray:
    if not isinstance(returns, pd.Series | pd.DataFrame):
        raise ConfigError(
            f"returns must be a pandas Series or DataFrame of simple returns, got "
            f"{type(returns).__name__}."
        )
    if not isinstance(periods_per_year, int | float) or periods_per_year <= 0:
        raise ConfigError(
            f"periods_per_year must be a positive number (252 daily, 52 weekly, 12 monthly), "
            f"got {periods_per_year!r}."
        )
    values = returns.to_numpy(dtype=float)
    return values[:, None] if values.ndim == 1 else values


def _aligned(returns: Returns, benchmark: pd.Series, periods_per_year: float):
    if not isinstance(benchmark, pd.Series):
        raise ConfigError(f"benchmark must be a Series of returns, got {type(benchmark).__name__}.")
    r = _values(returns, periods_per_year)
    b = benchmark.reindex(returns.index).to_numpy(dtype=float)[:, None]
    b = np.broadcast_to(b, r.shape)
    both = ~np.isnan(r) & ~np.isnan(b)
    return np.where(both, r, np.nan), np.where(both, b, np.nan)


def _out(returns: Returns, values: np.ndarray) -> float | pd.Series:
    values = np.asarray(values, dtype=float)
    if isinstance(returns, pd.Series):
        return float(values.reshape(-1)[0])
    return pd.Series(values, index=returns.columns)
