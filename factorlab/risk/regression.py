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

from factorlab._threads import map_threads
from factorlab.factors.rowwise import row_blocks

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
    groups = np.zeros((n_stocks, n_industries))
    known = industry >= 0
    groups[np.flatnonzero(known), industry[known]] = 1.0
    a = np.zeros((n_dates, size, size))
    b = np.zeros((n_dates, size))
    share = np.zeros((n_dates, n_industries))
    counted = np.zeros(n_dates, dtype=int)

    spans = list(row_blocks(n_dates, n_stocks))  # blocks of dates that stay in cache
    block_rows = spans[0].stop - spans[0].start if spans else 0
    spare: list[_Block] = []  # buffers reused by block after block (list ops are atomic)

    def block(span: slice) -> _Block:
        try:
            this = spare.pop()
        except IndexError:  # none free yet
            this = _Block(block_rows, n_stocks, n_styles)
        this.load(returns[span], [x[span] for x in styles], known, weights[span], caps[span])
        return this

    def sums(span: slice) -> None:  # each block writes its own rows
        this = block(span)
        a[span], b[span] = this.normal_equations(groups)
        share[span] = this.caps @ groups
        counted[span] = this.used.sum(axis=1)
        spare.append(this)

    map_threads(sums, spans)  # numpy's products release the GIL: blocks run side by side
    ind = slice(1, 1 + n_industries)
    by_industry = a[:, 0, ind]

    # The constraint sum_p share_p f_p = 0, by writing the date's largest industry in terms
    # of the others: f = R g, with g the free coefficients (that industry left out).
    present = by_industry > 0
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

    residuals = np.empty(returns.shape)
    r_squared = np.empty(n_dates)

    def fit(span: slice) -> None:
        this = block(span)
        residuals[span] = _residuals(returns[span], styles, span, industry, coefficients[span])
        r_squared[span] = this.r_squared(residuals[span])
        spare.append(this)

    map_threads(fit, spans)
    r_squared[~solvable] = np.nan
    return CrossSection(coefficients, residuals, r_squared, counted)


class _Block:
    """Buffers for one block of dates, loaded block after block.

    Which stocks enter each regression, and their weights, returns and exposures (0 where they
    do not enter).
    """

    def __init__(self, rows: int, width: int, n_styles: int) -> None:
        self.rows = rows
        self._used = np.empty((rows, width), dtype=bool)
        self._check = np.empty((rows, width), dtype=bool)
        self._w, self._y, self._caps = (np.empty((rows, width)) for _ in range(3))
        self._x = [np.empty((rows, width)) for _ in range(n_styles)]

    def load(
        self,
        returns: np.ndarray,
        styles: list[np.ndarray],
        has_industry: np.ndarray,
        weights: np.ndarray,
        caps: np.ndarray,
    ) -> None:
        n = len(returns)
        used, check = self._used[:n], self._check[:n]
        np.isfinite(returns, out=used)
        used &= has_industry[None, :]
        used &= np.greater(weights, 0, out=check)  # NaN compares False
        used &= np.greater(caps, 0, out=check)
        for x in styles:
            used &= np.isfinite(x, out=check)
        unused = np.logical_not(used, out=check)
        self.used = used
        self.w, self.y, self.caps = self._w[:n], self._y[:n], self._caps[:n]
        self.x = [buffer[:n] for buffer in self._x]
        for target, source in zip(
            (self.w, self.y, self.caps, *self.x), (weights, returns, caps, *styles), strict=True
        ):
            np.copyto(target, source)
            np.putmask(target, unused, 0.0)
        # Weights that sum to 1 each date: the fit is the same, and the normal equations keep
        # a scale at which a rank test (and the pinned coefficient of an absent industry) holds
        # whatever the currency of a market cap.
        with np.errstate(invalid="ignore", divide="ignore"):
            self.w /= np.where(used.any(axis=1), self.w.sum(axis=1), 1.0)[:, None]

    def normal_equations(self, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """X'WX and X'Wy: market, industries (group sums: no dummy matrix), styles."""
        n_industries = groups.shape[1]
        size = 1 + n_industries + len(self.x)
        dates = len(self.w)
        a, b = np.zeros((dates, size, size)), np.zeros((dates, size))
        ind = slice(1, 1 + n_industries)
        by_industry = self.w @ groups
        a[:, 0, 0] = self.w.sum(axis=1)
        a[:, 0, ind] = a[:, ind, 0] = by_industry
        a[:, ind, ind] = by_industry[:, :, None] * np.eye(n_industries)
        wy = self.w * self.y
        b[:, 0], b[:, ind] = wy.sum(axis=1), wy @ groups
        for k, xk in enumerate(self.x):
            wx = self.w * xk
            col = 1 + n_industries + k
            a[:, 0, col] = a[:, col, 0] = wx.sum(axis=1)
            a[:, ind, col] = a[:, col, ind] = wx @ groups
            for j in range(k, len(self.x)):  # a handful of styles, each one product
                other = 1 + n_industries + j
                a[:, col, other] = a[:, other, col] = np.einsum("dn,dn->d", wx, self.x[j])
            b[:, col] = np.einsum("dn,dn->d", wx, self.y)
        return a, b

    def r_squared(self, residuals: np.ndarray) -> np.ndarray:
        """The weighted R² of each date's fit, about the weighted mean return."""
        w, y = self.w, self.y
        total_weight = w.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = (w * y).sum(axis=1) / total_weight
            total = (w * (y - mean[:, None]) ** 2).sum(axis=1)
            unexplained = (w * np.where(self.used, residuals, 0.0) ** 2).sum(axis=1)
            return 1 - unexplained / total


def _residuals(
    returns: np.ndarray,
    styles: list[np.ndarray],
    span: slice,
    industry: np.ndarray,
    coefficients: np.ndarray,
) -> np.ndarray:
    """Return minus fit for every stock with a return and exposures, in or out of the fit.

    NaN for a stock without an industry, or whose industry had no stock in the fit that date.
    """
    n_industries = coefficients.shape[1] - 1 - len(styles)
    fitted = np.full(returns.shape, np.nan)
    known = np.flatnonzero(industry >= 0)
    fitted[:, known] = coefficients[:, [0]] + coefficients[:, 1 + industry[known]]
    for k, x in enumerate(styles):
        fitted += coefficients[:, [1 + n_industries + k]] * x[span]
    return returns - fitted
