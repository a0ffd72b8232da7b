"""The cross-sectional regression of a factor risk model, every date in one batched pass.

Each date ``t``, stock returns from the close of ``t`` to the next close are regressed on the
exposures known at the close of ``t``: a market factor (every stock's exposure 1), one dummy
per industry, and the style exposures. The fit is weighted least squares. Market and
industries together are collinear (the dummies sum to the market column), so, as in Barra's
USE4, the industry factor returns are constrained to a cap-weighted sum of zero: the market
factor carries the average return, and an industry's return is its excess over it.

The normal equations are built from panel-wide sums (the industry dummies never exist as a
matrix of stocks: their sums are group sums) and solved for all dates at once with numpy's
batched solver; there is no loop over dates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["CrossSection", "fit_cross_sections"]


@dataclass(frozen=True)
class CrossSection:
    """The fitted regressions, one per date (row).

    Attributes
    ----------
    coefficients : ndarray
        Dates × factors: the market, then each industry, then each style. NaN on a date with
        too few stocks to fit, and for an industry with no stock that date.
    residuals : ndarray
        Dates × stocks: return minus fitted return, wherever a stock has a return and every
        exposure (in the regression or not); NaN elsewhere.
    r_squared : ndarray
        Per date, the weighted R² of the fit (1 - weighted residual over weighted total sum of
        squares about the weighted mean).
    counted : ndarray
        Per date, how many stocks entered the regression.
    """

    coefficients: np.ndarray
    residuals: np.ndarray
    r_squared: np.ndarray
    counted: np.ndarray


def fit_cross_sections(
    returns: np.ndarray,
    styles: list[np.ndarray],
    industry: np.ndarray,
    n_industries: int,
    weights: np.ndarray,
    caps: np.ndarray,
) -> CrossSection:
    """Weighted least squares on each row, with industry returns summing to zero by cap.

    Parameters
    ----------
    returns : ndarray
        Dates × stocks: the return each stock earns after the date (NaN when unknown).
    styles : list of ndarray
        Each style's exposures, dates × stocks, known at the date.
    industry : ndarray of int
        Per stock, its industry's index in ``range(n_industries)``; -1 when it has none (such
        a stock stays out of the regression).
    n_industries : int
    weights : ndarray
        Dates × stocks: the regression weights (a stock with a weight that is not positive,
        or NaN, stays out).
    caps : ndarray
        Dates × stocks: market caps, which weight the constraint on industry returns.

    Returns
    -------
    CrossSection

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> industry = np.repeat([0, 1], 50)
    >>> style = rng.standard_normal((3, 100))
    >>> returns = 0.01 + 0.02 * style + np.where(industry == 0, 0.005, -0.005)
    >>> fit = fit_cross_sections(returns, [style], industry, 2, np.ones((3, 100)), np.ones((3, 100)))
    >>> np.round(fit.coefficients[0], 6).tolist()  # market, two industries, the style
    [0.01, 0.005, -0.005, 0.02]
    """
    n_dates, n_stocks = returns.shape
    n_styles = len(styles)
    size = 1 + n_industries + n_styles
    used = (
        np.isfinite(returns)
        & (industry >= 0)[None, :]
        & (weights > 0)
        & np.isfinite(caps)
        & (caps > 0)
    )
    for x in styles:
        used &= np.isfinite(x)
    w = np.where(used, weights, 0.0)
    y = np.where(used, returns, 0.0)
    xs = [np.where(used, x, 0.0) for x in styles]
    groups = np.zeros((n_stocks, n_industries))
    known = industry >= 0
    groups[np.flatnonzero(known), industry[known]] = 1.0

    # X'WX and X'Wy from panel-wide sums: market, industries (group sums), styles.
    a = np.zeros((n_dates, size, size))
    b = np.zeros((n_dates, size))
    ind = slice(1, 1 + n_industries)
    by_industry = w @ groups
    a[:, 0, 0] = w.sum(axis=1)
    a[:, 0, ind] = a[:, ind, 0] = by_industry
    a[:, ind, ind] = by_industry[:, :, None] * np.eye(n_industries)
    wy = w * y
    b[:, 0], b[:, ind] = wy.sum(axis=1), wy @ groups
    for k, xk in enumerate(xs):
        wx = w * xk
        col = 1 + n_industries + k
        a[:, 0, col] = a[:, col, 0] = wx.sum(axis=1)
        a[:, ind, col] = a[:, col, ind] = wx @ groups
        for j in range(k, n_styles):  # a handful of styles, each a panel-wide product
            a[:, col, 1 + n_industries + j] = a[:, 1 + n_industries + j, col] = np.einsum(
                "dn,dn->d", wx, xs[j]
            )
        b[:, col] = np.einsum("dn,dn->d", wx, y)

    # The constraint sum_p share_p f_p = 0, by writing the date's largest industry in terms
    # of the others: f = R g, with g the free coefficients (that industry left out).
    share = np.where(used, caps, 0.0) @ groups
    present = by_industry > 0
    counted = used.sum(axis=1)
    fits = (counted > size) & present.any(axis=1)
    dates = np.arange(n_dates)
    reference = 1 + np.argmax(np.where(present, share, -1.0), axis=1)  # its factor index
    free = np.ones((n_dates, size), dtype=bool)
    free[dates, reference] = False
    position = np.cumsum(free, axis=1) - 1  # each free factor's place in g
    restriction = np.zeros((n_dates, size, size - 1))
    rows, cols = np.nonzero(free)
    restriction[rows, cols, position[rows, cols]] = 1.0
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = share / share[dates, reference - 1][:, None]
    rows, cols = np.nonzero(free[:, ind] & fits[:, None])
    restriction[rows, reference[rows], position[rows, 1 + cols]] = -ratio[rows, cols]

    a_free = np.einsum("dji,djk,dkl->dil", restriction, a, restriction)
    b_free = np.einsum("dji,dj->di", restriction, b)
    # An industry with no stock that date: its coefficient is pinned to 0 (reported as NaN).
    rows, cols = np.nonzero(~present & free[:, ind])
    at = position[rows, 1 + cols]
    a_free[rows, at, :] = 0.0
    a_free[rows, :, at] = 0.0
    a_free[rows, at, at] = 1.0
    b_free[rows, at] = 0.0
    a_free[~fits] = np.eye(size - 1)  # placeholders, reported as NaN
    solvable = fits & (np.linalg.matrix_rank(a_free) == size - 1)
    a_free[~solvable] = np.eye(size - 1)
    g = np.linalg.solve(a_free, b_free[..., None])[..., 0]
    coefficients = np.einsum("dij,dj->di", restriction, g)
    coefficients[~solvable] = np.nan
    coefficients[:, ind][~present] = np.nan  # a view: set in place

    residuals = _residuals(returns, styles, industry, coefficients)
    r_squared = _weighted_r_squared(np.where(used, residuals, 0.0), y, w, solvable)
    return CrossSection(coefficients, residuals, r_squared, counted)


def _residuals(
    returns: np.ndarray, styles: list[np.ndarray], industry: np.ndarray, coefficients: np.ndarray
) -> np.ndarray:
    """Return minus fit for every stock with a return and exposures, in or out of the fit.

    NaN for a stock without an industry, or whose industry had no stock in the fit that date.
    """
    n_industries = coefficients.shape[1] - 1 - len(styles)
    fitted = np.full(returns.shape, np.nan)
    known = np.flatnonzero(industry >= 0)
    fitted[:, known] = coefficients[:, [0]] + coefficients[:, 1 + industry[known]]
    for k, x in enumerate(styles):
        fitted += coefficients[:, [1 + n_industries + k]] * x
    return returns - fitted


def _weighted_r_squared(
    residuals: np.ndarray, y: np.ndarray, w: np.ndarray, solvable: np.ndarray
) -> np.ndarray:
    total_weight = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (w * y).sum(axis=1) / total_weight
        total = (w * (y - mean[:, None]) ** 2).sum(axis=1)
        explained = 1 - (w * residuals**2).sum(axis=1) / total
    return np.where(solvable, explained, np.nan)
