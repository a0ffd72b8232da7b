"""``fl.risk_model``: style and industry exposures point in time, and the factor returns they earn.

Each date's exposures are those known at its close: the style families of
:mod:`factorlab.factors` (each re-standardized to a cap-weighted mean of 0 and a standard
deviation of 1 across stocks, as in Barra's USE4), and one industry per stock from
``ds.meta``. The next day's returns are regressed on them (see
:mod:`factorlab.risk.regression`), so a factor return is labelled with the day it was earned,
from exposures fixed the day before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from factorlab._threads import map_threads
from factorlab._warnings import warn
from factorlab.data import Dataset
from factorlab.errors import ConfigError
from factorlab.factors._memo import daily_returns
from factorlab.factors.custom import custom_exposure, read_custom
from factorlab.factors.exposure import family_exposures
from factorlab.factors.families.value import market_cap
from factorlab.factors.registry import FAMILIES
from factorlab.factors.rowwise import row_blocks
from factorlab.params import as_float, as_int, split_items
from factorlab.risk.attribution import Attribution, attribute
from factorlab.risk.bias import bias_statistics, default_portfolios
from factorlab.risk.covariance import MIN_DAYS, factor_covariances, specific_variances
from factorlab.risk.regression import fit_cross_sections

if TYPE_CHECKING:  # types only: a risk model reads backtest results, it does not build them
    from matplotlib.figure import Figure

    from factorlab.backtest.result import BacktestResult

__all__ = ["DEFAULT_STYLES", "RiskModel", "newey_west_lags", "risk_model", "standardize_styles"]

DEFAULT_STYLES: tuple[str, ...] = FAMILIES  # every family of the registry is a style
TRADING_DAYS = 252
RegressionWeights = Literal["sqrt_cap", "cap", "equal"]


@dataclass(frozen=True, eq=False)
class RiskModel:
    """A fitted factor risk model. Build one with :func:`risk_model`.

    Attributes
    ----------
    styles : dict of DataFrame
        Each style's standardized exposures, dates × tickers, known at each date's close.
    industries : Series
        Each ticker's industry (the meta column named by ``industries``); NaN when unknown.
    factor_returns : DataFrame
        Dates × factors (``market``, each industry, each style): the day's factor returns,
        earned on the exposures of the day before. The first date has none.
    specific_returns : DataFrame
        Dates × tickers: each stock's return less the part the factors explain.
    r_squared : Series
        Per date, the weighted R² of that day's regression.
    stocks_counted : Series
        Per date, how many stocks entered the regression.
    caps : DataFrame
        Market caps at each close (they weight the regression and group specific risk).
    returns : DataFrame
        The stocks' daily returns (NaN where a day or the one before has no price).
    settings : dict
        How the model was built.
    """

    styles: dict[str, pd.DataFrame] = field(repr=False)
    industries: pd.Series = field(repr=False)
    factor_returns: pd.DataFrame = field(repr=False)
    specific_returns: pd.DataFrame = field(repr=False)
    r_squared: pd.Series = field(repr=False)
    stocks_counted: pd.Series = field(repr=False)
    caps: pd.DataFrame = field(repr=False)
    returns: pd.DataFrame = field(repr=False)
    settings: dict[str, object]

    def __repr__(self) -> str:
        days = self.factor_returns.dropna(how="all")
        span = f"{days.index[0]:%Y-%m-%d} to {days.index[-1]:%Y-%m-%d}" if len(days) else "no days"
        return (
            f"RiskModel(styles={list(self.styles)}, industries={self.industry_names()}, "
            f"{span}, mean R² {self.r_squared.mean():.2f})"
        )

    def industry_names(self) -> list[str]:
        """The industry factors, in the order of ``factor_returns``' columns."""
        return [c for c in self.factor_returns.columns if c != "market" and c not in self.styles]

    def exposures(self, date: object) -> pd.DataFrame:
        """Every ticker's exposures at the close of ``date``: tickers × factors.

        The market column is 1, an industry column 1 for the ticker's industry and 0 for the
        others, a style column its standardized exposure (NaN where unknown).

        Parameters
        ----------
        date : date-like
            A day of the dataset, or a later one (the last close on or before it is used).

        Returns
        -------
        DataFrame
            Tickers × factors, in the order of ``factor_returns``' columns.
        """
        day = self._day(date, self.styles[next(iter(self.styles))].index)
        industries = pd.get_dummies(self.industries).reindex(columns=self.industry_names())
        table = pd.DataFrame({"market": 1.0}, index=self.industries.index)
        table = table.join(industries.astype(float))
        for name, panel in self.styles.items():
            table[name] = panel.loc[day]
        return table

    def covariance(self, date: object) -> pd.DataFrame:
        """The factor covariance forecast at the close of ``date``, annualized (× 252).

        Parameters
        ----------
        date : date-like
            The close the forecast is made at: it reads the factor returns earned up to and
            including that day (see :mod:`factorlab.risk.covariance`).

        Returns
        -------
        DataFrame
            Factors × factors.
        """
        row = self._forecast_row(date)
        names = list(self.factor_returns.columns)
        return pd.DataFrame(self._covariances[row] * TRADING_DAYS, index=names, columns=names)

    def specific_risk(self, date: object) -> pd.Series:
        """Each stock's specific volatility forecast at the close of ``date``, annualized.

        Parameters
        ----------
        date : date-like
            The close the forecast is made at.

        Returns
        -------
        Series
            By ticker; NaN for a stock without enough specific returns yet, or without a
            market cap.
        """
        row = self._forecast_row(date)
        daily = self._specific_variances[row]
        return pd.Series(np.sqrt(daily * TRADING_DAYS), index=self.caps.columns, name="specific")

    def forecast(self, date: object) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
        """The whole risk forecast at the close of ``date``, gaps filled, for an optimizer.

        The covariance of any two stocks is ``exposures @ factor_cov @ exposures.T`` plus the
        specific variance on the diagonal; a style exposure that is unknown counts as 0 (the
        cap-weighted average), a specific variance not yet known as the day's cap-weighted
        mean, and a factor too young for a covariance as riskless (as :meth:`risk` counts them).

        Parameters
        ----------
        date : date-like
            The close the forecast is made at.

        Returns
        -------
        exposures : DataFrame
            Tickers × factors.
        factor_cov : DataFrame
            Factors × factors, annualized.
        specific_var : Series
            By ticker, annualized; NaN only for a stock without a market cap that day.

        Examples
        --------
        >>> import factorlab as fl
        >>> ds = fl.load_dataset("sample", n_tickers=60, years=3)
        >>> model = fl.risk_model(ds, factors=["value", "momentum"])
        >>> exposures, factor_cov, specific_var = model.forecast(ds.dates[-1])
        >>> list(factor_cov.columns) == list(exposures.columns)
        True
        """
        row = self._forecast_row(date)
        day = self.factor_returns.index[row]
        exposures = self.exposures(day).fillna(0.0)
        names = self.factor_returns.columns
        factor_cov = pd.DataFrame(
            np.nan_to_num(self._covariances[row]) * TRADING_DAYS, index=names, columns=names
        )
        variance = pd.Series(self._specific_variances[row], index=self.caps.columns)
        caps = self.caps.loc[day]
        mean = np.nansum(variance * caps) / caps[variance.notna()].sum()
        specific = variance.fillna(mean).where(caps.notna()) * TRADING_DAYS
        return exposures, factor_cov, specific.rename("specific_var")

    def risk(self, weights: pd.Series | dict[str, float], date: object) -> pd.DataFrame:
        """A portfolio's ex-ante volatility at the close of ``date``, split into its sources.

        Parameters
        ----------
        weights : Series or dict
            Ticker -> weight (fractions of equity; shorts negative).
        date : date-like
            The close the forecast is made at.

        Returns
        -------
        DataFrame
            Rows: ``market``, each style, ``industries`` (all together), ``specific`` and
            ``total``. Columns: ``exposure`` (the portfolio's exposure to the factor),
            ``variance_ann`` (its part of the annual variance: exposure times the covariance
            with the portfolio's whole factor exposure, so the parts add up to the total),
            ``share`` of the total variance, and ``volatility_ann`` (the part's contribution
            to the volatility; the parts add up to the total volatility).

        Warns
        -----
        UserWarning
            When a held stock has no exposure to a style that day (taken as 0, the
            cap-weighted average) or no specific risk yet (taken as the day's cap-weighted
            mean), naming the stocks.
        """
        held = self._held(weights)
        row = self._forecast_row(date)
        day = self.factor_returns.index[row]
        table = self.exposures(day).loc[held.index]
        styles = list(self.styles)
        missing = table.index[table[styles].isna().any(axis=1)]
        variance = pd.Series(self._specific_variances[row], index=self.caps.columns)
        no_specific = held.index[variance.loc[held.index].isna()]
        gaps = []
        if len(missing):
            gaps.append(f"{_some(missing)} without every style exposure (taken as 0, the average)")
        if len(no_specific):
            gaps.append(
                f"{_some(no_specific)} without specific risk yet (taken as the day's cap-weighted "
                "mean)"
            )
        if gaps:
            warn(f"Risk on {day:%Y-%m-%d}: {' and '.join(gaps)}.")
        x = table.fillna(0.0).T @ held  # the portfolio's exposure to each factor
        young = self.factor_returns.columns[np.isnan(self._covariances[row]).all(axis=1)]
        if len(young) and (x[young] != 0).any():
            warn(
                f"Risk on {day:%Y-%m-%d}: the factors {', '.join(map(str, young))} have too few "
                f"days of returns for a covariance yet (they need {MIN_DAYS}); their risk counts "
                "as 0."
            )
        covariance = pd.DataFrame(
            np.nan_to_num(self._covariances[row]),
            index=self.factor_returns.columns,
            columns=self.factor_returns.columns,
        )
        parts = x * (covariance @ x)  # Euler: they sum to x' F x
        caps = self.caps.loc[day]
        mean_specific = np.nansum(variance * caps) / caps[variance.notna()].sum()
        specific = float((held**2 * variance.loc[held.index].fillna(mean_specific)).sum())
        industries = self.industry_names()
        rows = {"market": parts["market"], **{s: parts[s] for s in styles}}
        rows["industries"] = parts[industries].sum()
        rows["specific"] = specific
        total = sum(rows.values())
        out = pd.DataFrame({"variance_ann": pd.Series(rows) * TRADING_DAYS})
        out.loc["total", "variance_ann"] = total * TRADING_DAYS
        out.insert(0, "exposure", x.reindex(out.index))
        out["share"] = out["variance_ann"] / out.at["total", "variance_ann"]
        out["volatility_ann"] = out["variance_ann"] / np.sqrt(out.at["total", "variance_ann"])
        return out

    @cached_property
    def _covariances(self) -> np.ndarray:
        return factor_covariances(
            self.factor_returns.to_numpy(),
            float(self.settings["halflife"]),  # type: ignore[arg-type]
            lags=int(self.settings["newey_west_lags"]),  # type: ignore[call-overload]
        )

    @cached_property
    def _specific_variances(self) -> np.ndarray:
        return specific_variances(
            self.specific_returns.to_numpy(),
            self.caps.to_numpy()[1:],  # the caps at each day's close
            float(self.settings["halflife"]),  # type: ignore[arg-type]
            shrinkage=float(self.settings["specific_shrinkage"]),  # type: ignore[arg-type]
        )

    def _forecast_row(self, date: object) -> int:
        """The row of the forecast made at the close of ``date``, which must have history."""
        index = self.factor_returns.index
        asked = pd.Timestamp(date)
        if asked < index[0]:
            raise ConfigError(
                f"On {asked:%Y-%m-%d} the model has no factor returns yet (the first is earned "
                f"on {index[0]:%Y-%m-%d}), so no risk forecast. Pick a later date."
            )
        day = self._day(date, index)
        row = index.get_loc(day)
        if np.isnan(self._covariances[row]).all():
            raise ConfigError(
                f"On {day:%Y-%m-%d} the model has too few days of factor returns for a risk "
                f"forecast (it needs {MIN_DAYS}). Pick a later date."
            )
        return int(row)

    def _held(self, weights: pd.Series | dict[str, float]) -> pd.Series:
        held = pd.Series(weights, dtype=float)
        unknown = held.index.difference(self.caps.columns)
        if len(unknown):
            raise ConfigError(
                f"weights name tickers that are not in the dataset: {_some(unknown)}. Use "
                "tickers of ds.tickers."
            )
        return held[held != 0].dropna()

    def cumulative_returns(self) -> pd.DataFrame:
        """Each factor's compounded return since the first day: ``(1 + f).cumprod() - 1``."""
        return (1 + self.factor_returns.fillna(0.0)).cumprod() - 1

    def plot(self) -> Figure:
        """Cumulative factor returns (see :func:`factorlab.plots.plot_factor_returns`)."""
        from factorlab import plots  # plots sit above risk: loaded when a figure is asked for

        return plots.plot_factor_returns(self)

    def attribute(self, result: BacktestResult) -> Attribution:
        """Split a backtest's daily net return into the factors, stock picking and costs.

        See :mod:`factorlab.risk.attribution`.

        Parameters
        ----------
        result : BacktestResult
            A backtest on the dataset the model was fitted on.

        Returns
        -------
        Attribution
            Its ``parts`` add up to the backtest's net return each day.

        Examples
        --------
        >>> import factorlab as fl
        >>> ds = fl.load_dataset("sample", n_tickers=60, years=3)
        >>> model = fl.risk_model(ds, factors=("value", "momentum"))
        >>> parts = model.attribute(fl.backtest(fl.score(ds).composite, ds)).parts
        >>> list(parts.columns[-4:])
        ['value', 'momentum', 'specific', 'costs']
        """
        return attribute(result, self.factor_returns, self.styles, self.industries)

    def bias(
        self, portfolios: dict[str, pd.DataFrame] | None = None, burn_in: int = 252
    ) -> pd.DataFrame:
        """Out-of-sample bias statistics of the model's volatility forecasts.

        Each day, a portfolio's next-day return over the volatility forecast at the close
        before it; the statistic is the standard deviation of these ratios, 1 for a right
        forecast (see :mod:`factorlab.risk.bias`).

        Parameters
        ----------
        portfolios : dict of DataFrame, optional
            Name -> weights at each close (dates × tickers). By default the cap-weighted and
            equal-weighted market and five random books of 30 stocks (see
            :func:`factorlab.risk.bias.default_portfolios`).
        burn_in : int
            Days left out at the start, while the forecasts' averages fill.

        Returns
        -------
        DataFrame
            Per portfolio: ``bias``, ``days``, the band ``low``-``high`` a right forecast
            falls in about 95 % of the time (normal returns), and ``forecast_vol_ann``.
        """
        if portfolios is None:
            chosen = default_portfolios(self.caps)
        else:
            chosen = {}
            for name, weights in portfolios.items():  # a few named books
                frame = pd.DataFrame(weights)
                unknown = frame.columns.difference(self.caps.columns)
                if len(unknown):
                    self._held(pd.Series(1.0, index=unknown))  # raises, naming them
                chosen[name] = frame.reindex(
                    index=self.caps.index, columns=self.caps.columns
                ).fillna(0.0)
        daily = self.returns.to_numpy()
        following = np.full(daily.shape, np.nan)
        following[:-1] = daily[1:]
        variance = {name: self._forecast_variance(w.to_numpy()) for name, w in chosen.items()}
        return bias_statistics(chosen, variance, following, self.caps.index, burn_in)

    def _forecast_variance(self, weights: np.ndarray) -> np.ndarray:
        """Per close, the daily variance forecast of the portfolio held from it (NaN: none)."""
        n_dates = len(weights)
        covariance = np.full((n_dates, *self._covariances.shape[1:]), np.nan)
        covariance[1:] = self._covariances  # the forecast at the close of dates[j]
        specific = np.full(weights.shape, np.nan)
        specific[1:] = self._specific_variances
        # A held stock without a style exposure counts as average (0); without specific risk,
        # as the day's cap-weighted mean.
        caps = np.nan_to_num(self.caps.to_numpy())
        known = np.isfinite(specific)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = (np.where(known, specific, 0) * caps).sum(axis=1) / (known * caps).sum(axis=1)
        specific = np.where(known, specific, mean[:, None])
        names = self.industry_names()
        one_hot = pd.get_dummies(self.industries).reindex(columns=names, fill_value=False)
        exposure = [weights.sum(axis=1)[:, None], weights @ one_hot.to_numpy(dtype=float)]
        exposure += [
            np.einsum("dn,dn->d", weights, np.nan_to_num(panel.to_numpy()))[:, None]
            for panel in self.styles.values()
        ]
        x = np.hstack(exposure)
        factor = np.einsum("dk,dkl,dl->d", x, np.nan_to_num(covariance), x)
        factor[np.isnan(covariance).all(axis=(1, 2))] = np.nan
        return factor + np.einsum("dn,dn->d", weights**2, specific)

    def summary(self, lags: int | None = None) -> pd.DataFrame:
        """Fama-MacBeth statistics of each factor's daily returns.

        Parameters
        ----------
        lags : int, optional
            Autocovariance lags of the Newey-West standard error; by default
            :func:`newey_west_lags` of the number of days.

        Returns
        -------
        DataFrame
            One row per factor: ``mean_daily``, ``mean_ann`` (× 252), ``std_error_ann``
            (Newey-West, × 252), ``t_stat``, ``share_positive`` (of days with a return) and
            ``days``.
        """
        rows = {}
        for name, series in self.factor_returns.items():
            values = series.dropna().to_numpy()
            chosen = newey_west_lags(len(values)) if lags is None else int(lags)
            mean = values.mean() if len(values) else np.nan
            error = _newey_west_error(values, chosen)
            rows[name] = {
                "mean_daily": mean,
                "mean_ann": mean * TRADING_DAYS,
                "std_error_ann": error * TRADING_DAYS,
                "t_stat": mean / error if error > 0 else np.nan,
                "share_positive": float(np.mean(values > 0)) if len(values) else np.nan,
                "days": len(values),
            }
        return pd.DataFrame.from_dict(rows, orient="index")

    def _day(self, date: object, index: pd.DatetimeIndex) -> pd.Timestamp:
        day = pd.Timestamp(date)
        position = index.searchsorted(day, side="right") - 1
        if position < 0:
            raise ConfigError(
                f"{day:%Y-%m-%d} is before the model's first day ({index[0]:%Y-%m-%d}): it "
                "has no exposures yet. Pick a later date."
            )
        return index[position]


def risk_model(
    ds: Dataset,
    factors: Sequence[str] = DEFAULT_STYLES,
    industries: str | None = "sector",
    regression_weights: RegressionWeights = "sqrt_cap",
    halflife: float = 126,
    newey_west_lags: int = 2,
    specific_shrinkage: float = 0.25,
    winsorize: float = 0.01,
    custom: Mapping[str, object] | None = None,
) -> RiskModel:
    """Fit a factor risk model: a market factor, industries and styles, every day.

    Parameters
    ----------
    ds : Dataset
        Prices, fundamentals (market cap weights the regression and the constraint), meta
        with the ``industries`` column; a benchmark for the beta in ``low_vol``.
    factors : sequence of str
        The style families, as :func:`factorlab.factors.family_exposure` names them; by
        default every family (value, growth, momentum, quality, low_vol).
    industries : str or None
        The column of ``ds.meta`` whose labels are the industry factors; None for none (the
        market factor and the styles alone).
    regression_weights : {"sqrt_cap", "cap", "equal"}
        The weight of each stock in the daily regression: the square root of its market cap
        (the default, as in USE4: big stocks count more, without swamping the rest), its
        market cap, or equal.
    halflife : float
        In days, the half-life of the exponential weights of the factor covariance and of the
        specific risk.
    newey_west_lags : int
        Lagged cross products added to the factor covariance (Bartlett weights), so that factor
        returns that lean on the days before are not under-forecast; 0 for none.
    specific_shrinkage : float
        In [0, 1], the weight of a stock's size decile (its cap-weighted mean) in its specific
        variance forecast: more tempers the noise of short or quiet histories.
    winsorize : float
        As in :func:`factorlab.factors.family_exposure`.
    custom : dict, optional
        Styles of your own, by name (name them in ``factors`` too): a panel, an
        alphalens-style Series or a :class:`factorlab.factors.Custom` (``fill="latest"`` for a
        monthly one), read as :func:`factorlab.score` reads custom factors.

    Returns
    -------
    RiskModel

    Examples
    --------
    >>> import factorlab as fl
    >>> ds = fl.load_dataset("sample", n_tickers=60, years=3)
    >>> model = fl.risk_model(ds, factors=("value", "momentum"))
    >>> list(model.factor_returns.columns[:1]), list(model.factor_returns.columns[-2:])
    (['market'], ['value', 'momentum'])
    """
    yours = read_custom(custom)
    styles = _check_styles(factors, yours)
    if regression_weights not in ("sqrt_cap", "cap", "equal"):
        raise ConfigError(
            f"Unknown regression_weights {regression_weights!r}. Known: sqrt_cap, cap, equal."
        )
    halflife = as_float(halflife, "halflife")
    if not halflife > 0:
        raise ConfigError(f"halflife must be a positive number of days, got {halflife}.")
    lags = as_int(newey_west_lags, "newey_west_lags", minimum=0)
    shrinkage = as_float(specific_shrinkage, "specific_shrinkage")
    if not 0 <= shrinkage <= 1:
        raise ConfigError(f"specific_shrinkage must be in [0, 1], got {shrinkage}.")
    if industries is None:
        # One group of every stock: the constraint pins its return to 0, so the market factor
        # carries the average alone; the group is left out of what the model reports.
        labels = pd.Series(np.nan, index=ds.prices.columns, dtype=object, name="industry")
        codes, names = np.zeros(len(labels), dtype=int), pd.Index(["(all)"])
    else:
        labels = ds.groups(industries, purpose="build industry factors from")
        codes, names = pd.factorize(labels, sort=True)
        clash = set(names) & ({"market"} | set(styles))
        if clash:
            raise ConfigError(
                f"The industry {sorted(clash)[0]!r} has the name of another factor. Rename it "
                f"in ds.meta[{industries!r}]."
            )

    caps = market_cap(ds).to_numpy()  # the shared, read-only memo: row order already
    built = family_exposures(ds, [s for s in styles if s not in yours], winsorize=winsorize)
    raw = {
        s: custom_exposure(ds, s, yours[s], winsorize) if s in yours else built[s] for s in styles
    }
    standardized = dict(
        zip(
            styles,
            map_threads(lambda name: standardize_styles(raw[name].to_numpy(), caps), styles),
            strict=True,
        )
    )
    weights = {"sqrt_cap": np.sqrt(caps), "cap": caps, "equal": np.where(caps > 0, 1.0, np.nan)}[
        regression_weights
    ]
    daily = daily_returns(ds)  # shared with the low_vol metrics
    following = np.full(daily.shape, np.nan)
    following[:-1] = daily[1:]  # row t: the return from the close of t to the next close
    fit = fit_cross_sections(
        following, list(standardized.values()), codes, len(names), weights, caps
    )

    dates, tickers = ds.prices.index, ds.prices.columns
    earned = dates[1:]  # a return is labelled with the day it is earned
    columns = ["market", *names, *styles]
    reported = [c for c in columns if industries is not None or c != "(all)"]
    return RiskModel(
        styles={
            name: pd.DataFrame(values, index=dates, columns=tickers, copy=False)
            for name, values in standardized.items()
        },
        industries=labels,
        factor_returns=pd.DataFrame(fit.coefficients[:-1], index=earned, columns=columns)[reported],
        specific_returns=pd.DataFrame(fit.residuals[:-1], index=earned, columns=tickers),
        r_squared=pd.Series(fit.r_squared[:-1], index=earned, name="r_squared"),
        stocks_counted=pd.Series(fit.counted[:-1], index=earned, name="stocks"),
        caps=pd.DataFrame(caps, index=dates, columns=tickers, copy=False),
        returns=pd.DataFrame(daily, index=dates, columns=tickers, copy=False),
        settings={
            "factors": list(styles),
            "industries": industries,
            "regression_weights": regression_weights,
            "halflife": halflife,
            "newey_west_lags": lags,
            "specific_shrinkage": shrinkage,
            "winsorize": winsorize,
            "custom": sorted(yours),
        },
    )


def standardize_styles(exposures: np.ndarray, caps: np.ndarray) -> np.ndarray:
    """Each date's exposures less their cap-weighted mean, over their standard deviation.

    Only stocks with both an exposure and a positive market cap count (and keep a value); the
    standard deviation is equal-weighted (``ddof=1``), as in USE4: the cap-weighted market then
    has no style tilt, and a unit of exposure means the same on every date.

    Examples
    --------
    >>> x = np.array([[1.0, 2.0, 3.0]])
    >>> standardize_styles(x, np.array([[1.0, 1.0, 2.0]])).round(3).tolist()
    [[-1.25, -0.25, 0.75]]
    """
    out = np.empty(exposures.shape)
    for span in row_blocks(*exposures.shape):  # blocks of dates that stay in cache
        out[span] = _standardized(exposures[span], caps[span])
    return out


def _standardized(exposures: np.ndarray, caps: np.ndarray) -> np.ndarray:
    usable = np.isfinite(exposures) & (caps > 0)  # a NaN cap compares False
    filled = np.where(usable, exposures, 0.0)
    weight = np.where(usable, caps, 0.0)
    count = usable.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (weight * filled).sum(axis=1) / weight.sum(axis=1)
        plain_mean = filled.sum(axis=1) / count
        squares = np.where(usable, (filled - plain_mean[:, None]) ** 2, 0.0)
        spread = np.sqrt(squares.sum(axis=1) / (count - 1))
        scale = np.where(spread > 0, spread, np.nan)
        return np.where(usable, (filled - mean[:, None]) / scale[:, None], np.nan)


def newey_west_lags(days: int) -> int:
    """The Newey-West (1994) rule of thumb: ``floor(4 (days / 100) ** (2 / 9))`` lags."""
    return int(np.floor(4 * (max(days, 0) / 100) ** (2 / 9)))


def _newey_west_error(values: np.ndarray, lags: int) -> float:
    """The standard error of the mean of ``values``, Bartlett-weighted autocovariances."""
    n = len(values)
    if n < 2:
        return np.nan
    centred = values - values.mean()
    variance = centred @ centred / n
    for lag in range(1, min(lags, n - 1) + 1):  # a few lags, each a vector product
        variance += 2 * (1 - lag / (lags + 1)) * (centred[lag:] @ centred[:-lag]) / n
    return float(np.sqrt(variance / n))


def _some(tickers: pd.Index) -> str:
    """``2 stocks (AAA, BBB)``, or the first five of many."""
    shown = ", ".join(map(str, tickers[:5])) + (", ..." if len(tickers) > 5 else "")
    return f"{len(tickers)} stocks ({shown})" if len(tickers) else "no stocks"


def _check_styles(factors: Sequence[str], custom: Mapping[str, object]) -> tuple[str, ...]:
    styles = tuple(split_items(factors)) if isinstance(factors, str) else tuple(factors)
    if not styles:
        raise ConfigError("factors is empty: name at least one style, e.g. factors=('value',).")
    for name in styles:
        if name not in FAMILIES and name not in custom:
            raise ConfigError(
                f"Unknown style factor {name!r}. Known: {', '.join(FAMILIES)}, or a name in "
                "custom=."
            )
    unused = [name for name in custom if name not in styles]
    if unused:
        raise ConfigError(
            f"custom style {unused[0]!r} is not in factors, so it would not count. Add it: "
            f"factors=({', '.join(map(repr, (*styles, unused[0])))})."
        )
    if len(set(styles)) < len(styles):
        raise ConfigError(f"factors names a style twice: {list(styles)}.")
    return styles
