"""Where a backtest's daily return came from: the market, industries, styles, stock picking, costs.

Day ``t``'s gross return is what the book held at the close of ``t-1`` earned. Each held stock
that the model covers (an industry, every style exposure, a factor return for its industry that
day) earns its exposures at ``t-1`` times the day's factor returns, plus its specific return; a
factor's part is the book's exposure to it times its return. The specific part is the rest of
the gross return, so it also holds whatever the model does not cover (a stock without
exposures yet, a move across a trading halt), and costs are the net return less the gross: the
parts add up to the backtest's net return each day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from factorlab.errors import ConfigError

if TYPE_CHECKING:  # types only: a risk model reads results, it does not build them
    from matplotlib.figure import Figure

    from factorlab.backtest.result import BacktestResult

__all__ = ["Attribution", "attribute"]

TRADING_DAYS = 252


@dataclass(frozen=True)
class Attribution:
    """A backtest's daily return split into parts. Build one with ``model.attribute(result)``.

    Attributes
    ----------
    parts : DataFrame
        Days × parts: ``market``, each industry, each style, ``specific`` and ``costs``; each
        row adds up to ``total``. The first day, the buy-in, has costs only.
    total : Series
        The backtest's daily net return.
    exposures : DataFrame
        Days × factors: the book's exposure to each factor, held from the close before.
    styles, industries : list of str
        The style and industry parts, in ``parts``' order.
    factor_returns : DataFrame
        The model's factor returns on the backtest's days (none on the first).
    style_exposures : dict of DataFrame
        The model's style exposures (dates × tickers), for :meth:`to_pyfolio`.
    """

    parts: pd.DataFrame = field(repr=False)
    total: pd.Series = field(repr=False)
    exposures: pd.DataFrame = field(repr=False)
    styles: list[str]
    industries: list[str] = field(repr=False)
    factor_returns: pd.DataFrame = field(repr=False)
    style_exposures: dict[str, pd.DataFrame] = field(repr=False)

    def grouped(self) -> pd.DataFrame:
        """The parts with the industries summed into one ``industries`` column."""
        out = self.parts.drop(columns=self.industries)
        out.insert(1, "industries", self.parts[self.industries].sum(axis=1))
        return out

    def by_year(self) -> pd.DataFrame:
        """The grouped parts and the total, summed over each calendar year (they add up)."""
        table = self.grouped()
        table["total"] = self.total
        return table.groupby(table.index.year).sum()

    def summary(self) -> pd.DataFrame:
        """Each part's annual contribution and its share of the return's variance.

        Returns
        -------
        DataFrame
            Rows: ``market``, ``industries``, each style, ``specific``, ``costs`` and
            ``total``. Columns: ``contribution_ann`` (the mean daily part × 252; they add up to
            the total's), ``share_of_return`` and ``share_of_risk`` (the part's covariance with
            the total over the total's variance; they add up to 1).
        """
        parts = self.grouped()
        total = self.total
        table = pd.DataFrame(
            {
                "contribution_ann": parts.mean() * TRADING_DAYS,
                "share_of_risk": parts.apply(lambda part: part.cov(total)) / total.var(),
            }
        )
        table.loc["total"] = [total.mean() * TRADING_DAYS, 1.0]
        table.insert(
            1, "share_of_return", table["contribution_ann"] / table.at["total", "contribution_ann"]
        )
        return table

    def plot(self) -> Figure:
        """The parts' cumulative contributions, stacked (see :func:`factorlab.plots.plot_attribution`)."""
        from factorlab import plots  # plots sit above risk: loaded when a figure is asked for

        return plots.plot_attribution(self)

    def to_pyfolio(self) -> dict[str, pd.DataFrame | pd.Series]:
        """The inputs of ``pyfolio.perf_attrib.perf_attrib``, for pyfolio's own plots.

        Returns
        -------
        dict
            ``returns`` (the daily net return), ``factor_returns`` (days × factors) and
            ``factor_loadings`` (indexed by day and ticker), each day's loadings being the
            exposures the day's return was earned on: those of the close before. pyfolio
            multiplies them with its ``positions`` of the same day, so pass the positions held
            into each day: ``result.weights.shift(1)`` times an equity curve (a backtest of
            weights has no dollar positions of its own).
        """
        days = self.total.index
        loadings = pd.concat(
            {
                name: panel.shift(1).reindex(days).stack()  # the close before each day
                for name, panel in self.style_exposures.items()
            },
            axis=1,
        )
        return {
            "returns": self.total,
            "factor_returns": self.factor_returns.reindex(days)[self.styles],
            "factor_loadings": loadings,
        }


def attribute(
    result: BacktestResult,
    factor_returns: pd.DataFrame,
    styles: dict[str, pd.DataFrame],
    industries: pd.Series,
) -> Attribution:
    """Split a backtest's daily returns into factors, stock picking and costs.

    ``model.attribute(result)`` calls this with the model's parts.

    Parameters
    ----------
    result : BacktestResult
        A backtest on the dataset the factor returns and exposures come from.
    factor_returns : DataFrame
        Days × factors (``market``, the industries, the styles), labelled with the day earned.
    styles : dict of DataFrame
        Each style's exposures, dates × tickers, at each close.
    industries : Series
        Each ticker's industry.

    Returns
    -------
    Attribution
    """
    weights = result.weights
    missing = weights.columns.difference(industries.index)
    if len(missing) or not weights.index[1:].isin(factor_returns.index).all():
        raise ConfigError(
            "The backtest ran on other tickers or days than the risk model was fitted on. Fit "
            "the model on the backtest's dataset: fl.risk_model(ds) for fl.backtest(..., ds)."
        )
    days = weights.index[1:]
    held = weights.to_numpy()[:-1]  # the book at the previous close
    previous = weights.index[:-1]
    tickers = weights.columns
    names = list(styles)
    industry_names = [c for c in factor_returns.columns if c != "market" and c not in styles]
    f = factor_returns.loc[days]
    labels = industries.reindex(tickers)
    codes = pd.Categorical(labels, categories=industry_names).codes  # -1: none
    industry_return = np.full(held.shape, np.nan)
    known = np.flatnonzero(codes >= 0)
    industry_return[:, known] = f[industry_names].to_numpy()[:, codes[known]]
    if not industry_names:  # a model without industries covers every stock without them
        industry_return[:] = 0.0
    x = [styles[name].reindex(index=previous, columns=tickers).to_numpy() for name in names]
    covered = np.isfinite(industry_return) & np.isfinite(f["market"].to_numpy())[:, None]
    for panel in x:
        covered &= np.isfinite(panel)
    w = np.where(covered, held, 0.0)

    exposures = {"market": w.sum(axis=1)}
    one_hot = np.zeros((len(tickers), len(industry_names)))
    one_hot[known, codes[known]] = 1.0
    by_industry = w @ one_hot
    exposures.update({name: by_industry[:, p] for p, name in enumerate(industry_names)})
    exposures.update(
        {
            name: np.einsum("dn,dn->d", w, np.nan_to_num(panel))
            for name, panel in zip(names, x, strict=True)
        }
    )
    # The first day holds nothing from the close before: all it has is the buy-in's costs.
    all_days = weights.index
    exposure = pd.DataFrame(exposures, index=days)[list(f.columns)]
    exposure = exposure.reindex(all_days, fill_value=0.0)
    parts = exposure * f.reindex(all_days).fillna(0.0)
    gross = result.gross_returns.loc[all_days]
    net = result.returns.loc[all_days]
    parts["specific"] = gross - parts.sum(axis=1)
    parts["costs"] = net - gross
    return Attribution(
        parts, net.rename("total"), exposure, names, industry_names, f.reindex(all_days), styles
    )
