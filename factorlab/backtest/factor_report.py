"""What :func:`factorlab.evaluate` returns: a factor's IC, quantiles, spread and turnover.

Each by period, with their summaries and the figures of its tear sheet.
"""

from __future__ import annotations

import os
import re
import warnings
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from factorlab._docs import shared_doc
from factorlab.backtest.crosssection import forward_returns, labels_as_float
from factorlab.backtest.significance import apart, t_pvalue, t_stat
from factorlab.backtest.turnover import by_trading_day, quantile_turnover, rank_autocorrelation
from factorlab.errors import ConfigError, DataError
from factorlab.factors.ranking import rank_ic
from factorlab.params import as_int

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["FactorReport"]

# A report's horizon, as its methods take it, documented once (see factorlab._docs).
_DOCS = {
    "period": (
        "period : int, optional\n"
        "    A horizon of the report, in trading days (one of the columns of :attr:`ic`); text\n"
        '    such as ``"21"`` is accepted. Its default is given above; a horizon the report\n'
        "    does not have raises :class:`~factorlab.errors.ConfigError`."
    ),
}


@dataclass(frozen=True)
class FactorReport:
    """What :func:`evaluate` returns.

    Every table is indexed by period (trading days), in its rows or its columns. Turnover, rank
    autocorrelation, buckets and forward returns are computed on first access.

    Attributes
    ----------
    factor : DataFrame
        The factor as evaluated: dates × tickers of the price panel, NaN where it has no value
        or the stock no price that day (and, with ``drop_incomplete``, where a period has no
        forward return).
    prices : DataFrame
        The dataset's prices, from which :attr:`forward_returns` are computed on access.
    delisted : Series or None
        Each ticker's last trading day (the dataset's ``meta["delisted"]``; NaT while listed).
    labels : dict of int to ndarray
        Per period, the bucket labels as small integers (dates × tickers; 0: not evaluated).
        :attr:`buckets` gives them as DataFrames.
    ic : DataFrame
        The daily rank IC (Spearman): one row per date, one column per period; NaN on a date
        without one.
    quantile_returns : DataFrame
        Mean forward return (over the period, not per day) of each bucket: one row per
        quantile (1 = lowest factor values), one column per period. The mean over dates of each
        date's bucket mean.
    quantile_returns_demeaned : DataFrame
        The same, after subtracting from each return the mean of its date over all evaluated
        stocks.
    quantile_returns_by_group : DataFrame or None
        With ``groupby``: the quantile returns within each group, rows indexed by (group,
        quantile), one column per period; buckets are still formed across all stocks. None
        without ``groupby``.
    spread_series : DataFrame
        Per date, the top bucket's mean forward return minus the bottom bucket's, one column
        per period (over the period, not per day).
    loss : DataFrame
        What could not be evaluated, and why: the first row (``factor values``) counts all the
        values given, each other row the values lost to one cause; columns ``rows`` (a count)
        and ``share`` (of the values given).
    loss_by_date : DataFrame or None
        The rows of :attr:`loss` counted per date: one row per date, one column per cause
        (summed, they are ``loss["rows"]``); :meth:`loss_by_period` sums them by period.
    quantiles : int
        The number of buckets.
    groups : Series or None
        With ``groupby``: each ticker's group (NaN: none).
    bucket_means : dict of int to DataFrame
        Per period, each date's mean forward return of each bucket (dates × quantiles).
    day_means : dict of int to Series
        Per period, each date's mean forward return over every evaluated stock.
    dated : DatetimeIndex or None
        The trading days the factor was given on (a row of NaN included): whether they run
        unbroken decides how turnover steps (see :mod:`factorlab.backtest.turnover`).
    settings : dict
        How :func:`evaluate` was called: periods, buckets (quantiles or bins, in words),
        groupby, by_group, drop_incomplete, align and fill.
    """

    factor: pd.DataFrame = field(repr=False)
    prices: pd.DataFrame = field(repr=False)
    delisted: pd.Series | None = field(repr=False)
    labels: dict[int, np.ndarray] = field(repr=False)
    ic: pd.DataFrame
    quantile_returns: pd.DataFrame
    quantile_returns_demeaned: pd.DataFrame
    quantile_returns_by_group: pd.DataFrame | None
    spread_series: pd.DataFrame = field(repr=False)
    loss: pd.DataFrame
    quantiles: int
    groups: pd.Series | None = field(default=None, repr=False)
    bucket_means: dict[int, pd.DataFrame] = field(default_factory=dict, repr=False)
    day_means: dict[int, pd.Series] = field(default_factory=dict, repr=False)
    settings: dict[str, object] = field(default_factory=dict, repr=False)
    dated: pd.DatetimeIndex | None = field(default=None, repr=False)
    loss_by_date: pd.DataFrame | None = field(default=None, repr=False)

    def ic_summary(self) -> pd.DataFrame:
        """Per period: IC mean, std, IR, % positive, and two t-statistics with their p-values.

        IR is mean / std; each t-statistic comes with its two-sided p-value.

        Daily ICs of an h-day horizon overlap (neighbours share h - 1 days of returns), so the
        overlapping t-statistic and p-value (alphalens' figures) overstate significance for
        h > 1. The non-overlapping ones use only ICs at least h trading days apart (see
        :meth:`non_overlapping_ic`): they are the ones to trust.

        Columns: ``IC mean``, ``IC std``, ``IR``, ``% positive``, ``dates``,
        ``t-stat (overlapping)``, ``p-value (overlapping)``, ``dates (non-overlapping)``,
        ``t-stat (non-overlapping)``, ``p-value (non-overlapping)``.
        """
        rows = {}
        for period, ic in self.ic.items():
            x = ic.dropna()
            apart = self.non_overlapping_ic(period)
            t, t_apart = t_stat(x), t_stat(apart)
            std = x.std()
            rows[period] = {
                "IC mean": x.mean(),
                "IC std": std,
                "IR": x.mean() / std if std > 0 else np.nan,
                "% positive": (x > 0).mean(),
                "dates": len(x),
                "t-stat (overlapping)": t,
                "p-value (overlapping)": t_pvalue(t, len(x) - 1),
                "dates (non-overlapping)": len(apart),
                "t-stat (non-overlapping)": t_apart,
                "p-value (non-overlapping)": t_pvalue(t_apart, len(apart) - 1),
            }
        table = pd.DataFrame(rows).T
        table.index.name = "period"
        return table

    def non_overlapping_ic(self, period: int) -> pd.Series:
        """The ICs of ``period`` that are at least ``period`` trading days apart.

        From the first date with an IC, each next one is the first date with an IC ``period``
        or more rows on.

        Stepping by observation dates, not by rows, keeps the ICs of a factor that has values
        only at month ends (about 21 days apart; those of a short month, 19 or 20 rows after
        the last one kept, overlap it and are skipped) instead of the few rows that happen to
        fall on a step.

        Parameters
        ----------
        period : int
            A horizon of the report, in trading days (one of the columns of :attr:`ic`); text
            such as ``"21"`` is accepted. A horizon the report does not have raises
            :class:`~factorlab.errors.ConfigError`.

        Returns
        -------
        Series
            The ICs kept, indexed by date.
        """
        period = self._period(period)
        return apart(self.ic[period], period)

    @shared_doc(**_DOCS)
    def rolling_ic(self, window: int = 63, period: int | None = None) -> pd.Series:
        """The mean IC of ``period`` over the last ``window`` trading days, each day.

        ``period`` defaults to the shortest. NaN until 20 ICs are in the window (``window``
        ICs for a window shorter than 20 days); dates without an IC do not count.

        Parameters
        ----------
        window : int, default 63
            Length of the window in trading days (rows), at least 2; 63 is about a quarter.
            Text such as ``"21"`` is accepted.
        {period}

        Returns
        -------
        Series
            One mean IC per date, named ``"IC, <window>d"``.
        """
        h = self._period(period)
        days = as_int(window, "window", minimum=2)
        return self.ic[h].rolling(days, min_periods=min(20, days)).mean().rename(f"IC, {days}d")

    @shared_doc(**_DOCS)
    def cumulative_spread(self, period: int | None = None) -> pd.Series:
        """The top-minus-bottom spread of ``period`` per day, summed over time.

        How the spread built up: each h-day spread is divided by h, and a date without a spread
        adds nothing. ``period`` defaults to the shortest.

        Parameters
        ----------
        {period}

        Returns
        -------
        Series
            The running sum, one value per date, named ``"spread, <period>d"``.
        """
        h = self._period(period)
        return (self.spread_series[h].fillna(0.0) / h).cumsum().rename(f"spread, {h}d")

    @shared_doc(**_DOCS)
    def worst_spreads(self, n: int = 5, period: int | None = None) -> pd.Series:
        """The ``n`` worst top-minus-bottom spreads of ``period``, one per non-overlapping window.

        ``period`` defaults to the longest. Non-overlapping windows: dates at least ``period``
        trading days apart, as for :meth:`non_overlapping_ic`. Worst first.

        Parameters
        ----------
        n : int, default 5
            How many spreads, at least 1 (fewer when there are not as many windows). Text such
            as ``"10"`` is accepted.
        {period}

        Returns
        -------
        Series
            The spreads (forward returns over the period, not per day), indexed by date, worst
            first.
        """
        h = self._period(period, longest=True)
        count = as_int(n, "n", minimum=1)
        return apart(self.spread_series[h], h).nsmallest(count)

    def _period(self, period: int | None, longest: bool = False) -> int:
        if period is None:
            return int(self.ic.columns[-1 if longest else 0])
        h = as_int(period, "period")
        if h not in self.ic.columns:
            raise ConfigError(
                f"No period {h} in this report; it has {', '.join(map(str, self.ic.columns))}."
            )
        return h

    @property
    def spread(self) -> pd.DataFrame:
        """Top minus bottom bucket's mean forward return, per period: mean and standard error.

        Daily observations of overlapping periods are not independent: treat the error of
        periods longer than one day as a lower bound.
        """
        s = self.spread_series
        table = pd.DataFrame({"mean": s.mean(), "std error": s.std() / np.sqrt(s.count())})
        table.index.name = "period"
        return table

    @cached_property
    def buckets(self) -> dict[int, pd.DataFrame]:
        """Each period's bucket labels (1 = lowest factor values; NaN: not evaluated)."""
        return {
            h: pd.DataFrame(
                labels_as_float(labels), index=self.factor.index, columns=self.factor.columns
            )
            for h, labels in self.labels.items()
        }

    @cached_property
    def rank_autocorrelation(self) -> pd.Series:
        """Mean rank autocorrelation of the factor per period (alphalens' tear-sheet figure).

        The mean over dates of :meth:`rank_autocorrelation_by_date`.
        """
        return self._autocorrelation.mean().rename("rank autocorrelation")

    def rank_autocorrelation_by_date(self) -> pd.DataFrame:
        """Each date's rank correlation of the factor with itself ``period`` steps earlier.

        As ``alphalens.performance.factor_rank_autocorrelation`` for each period (its numbers
        with ``drop_incomplete=True``, when every period has the same rows): the stocks
        bucketed at the shortest period are ranked on each date (average ranks for ties) and
        the ranks of two dates are correlated over the stocks present on both. A factor with a
        value every trading day steps by trading days; any other (month ends, say) steps by the
        dates it has values on, so period 1 of a monthly factor compares consecutive months.

        Returns
        -------
        DataFrame
            One row per date, one column per period; NaN for the first ``period`` steps.
        """
        return self._autocorrelation.copy()

    @cached_property
    def _autocorrelation(self) -> pd.DataFrame:
        first = self.ic.columns[0]
        return rank_autocorrelation(
            self.factor.to_numpy(),
            self.labels[first] > 0,
            self.factor.index,
            list(self.ic.columns),
            self._steps_by_day,
        )

    @shared_doc(**_DOCS)
    def quantile_turnover(self, period: int | None = None) -> pd.DataFrame:
        """Each date's share of each bucket's names that were not in it ``period`` steps earlier.

        As ``alphalens.performance.quantile_turnover`` for every quantile (its numbers with
        ``drop_incomplete=True``), on the buckets of the shortest period; ``period`` (by default the shortest) is the lag, stepping as
        :meth:`rank_autocorrelation_by_date` does (each bucket over the dates it has names
        on, for a factor without a value every trading day).

        Parameters
        ----------
        {period}

        Returns
        -------
        DataFrame
            One row per date, one column per quantile (1 = lowest); NaN where the bucket was
            empty then or ``period`` steps earlier.
        """
        h = self._period(period)
        first = self.ic.columns[0]
        return quantile_turnover(
            self.labels[first], self.factor.index, self.quantiles, h, self._steps_by_day
        )

    @cached_property
    def turnover(self) -> pd.DataFrame:
        """Per period: each bucket's mean turnover and the factor's mean rank autocorrelation.

        The means over dates of :meth:`quantile_turnover` and
        :meth:`rank_autocorrelation_by_date`: the figures of alphalens' turnover table.
        """
        rows = {h: self.quantile_turnover(h).mean() for h in self.ic.columns}
        table = pd.DataFrame(rows).T
        table.index.name, table.columns.name = "period", "quantile"
        return table.assign(**{"rank autocorrelation": self.rank_autocorrelation})

    @cached_property
    def _steps_by_day(self) -> bool:
        if self.dated is not None:
            return by_trading_day(self.factor.index.get_indexer(self.dated))
        return by_trading_day(np.flatnonzero(self.factor.notna().to_numpy().any(axis=1)))

    @property
    def forward_returns(self) -> dict[int, pd.DataFrame]:
        """The forward returns of each period (computed on access; see :func:`forward_returns`)."""
        return forward_returns(self.prices, list(self.ic.columns), self.delisted)

    def loss_by_period(self, freq: str = "Y") -> pd.DataFrame:
        """The loss table by period: where in time the values were lost, and why.

        Parameters
        ----------
        freq : str, default "Y"
            The periods, as pandas names them: "Y" years, "Q" quarters, "M" months.

        Returns
        -------
        DataFrame
            One row per period; the columns of :attr:`loss`'s rows (``factor values`` first,
            then each cause), as counts, and ``evaluated`` (the share of the period's values
            evaluated at the shortest period).

        Examples
        --------
        >>> import factorlab as fl
        >>> ds = fl.load_dataset("sample", n_tickers=40, years=3)
        >>> by_year = fl.evaluate(fl.factors.momentum(ds), ds, periods=(1, 5)).loss_by_period()
        >>> list(by_year.index)
        ['2022', '2023', '2024']
        """
        if self.loss_by_date is None:
            raise DataError("This report has no loss counts by date; evaluate the factor again.")
        try:
            periods = self.loss_by_date.index.to_period(freq)
        except (ValueError, TypeError):
            raise ConfigError(
                f"freq must be a pandas period such as 'Y', 'Q' or 'M', got {freq!r}."
            ) from None
        table = self.loss_by_date.groupby(periods).sum()
        table.index = table.index.astype(str)
        table.index.name = "period"
        shortest = self.ic.columns[0]
        lost = table[[f"no forward return, {shortest}d", f"no bucket, {shortest}d"]].sum(axis=1)
        causes_before = [c for c in table.columns[1:] if not re.search(r", \d+d$", c)]
        kept = table["factor values"] - table[causes_before].sum(axis=1) - lost
        with np.errstate(invalid="ignore", divide="ignore"):
            table["evaluated"] = kept / table["factor values"]
        return table

    def quantile_statistics(self) -> pd.DataFrame:
        """The factor's values in each bucket: min, max, mean, std, count and count %.

        As alphalens' quantile statistics table, over the values bucketed at the shortest
        period (alphalens' rows, and its numbers, with ``drop_incomplete=True``); ``count %`` is the bucket's
        share of them, in percent.

        Returns
        -------
        DataFrame
            One row per quantile (1 = lowest) that holds a value.
        """
        labels = self.labels[self.ic.columns[0]]
        rows, cols = np.nonzero(labels > 0)
        values = pd.Series(self.factor.to_numpy()[rows, cols])
        table = values.groupby(labels[rows, cols].astype(int)).agg(
            ["min", "max", "mean", "std", "count"]
        )
        table["count %"] = table["count"] / table["count"].sum() * 100.0
        table.index.name = "quantile"
        return table

    def quantile_std_errors(self, demeaned: bool = False) -> pd.DataFrame:
        """The standard error of each quantile's mean return, per period.

        As alphalens' ``mean_return_by_quantile``: the standard deviation over dates of each
        date's bucket mean (``ddof=1``) over the square root of the number of dates. The same
        shape as :attr:`quantile_returns` (``demeaned=True``: as
        :attr:`quantile_returns_demeaned`).

        Parameters
        ----------
        demeaned : bool
            Subtract each date's mean over all evaluated stocks first.

        Returns
        -------
        DataFrame
            One row per quantile, one column per period.
        """
        errors = {}
        for h, means in self.bucket_means.items():
            by_date = means.sub(self.day_means[h], axis=0) if demeaned else means
            errors[h] = by_date.std() / np.sqrt(by_date.count())
        table = pd.DataFrame(errors)
        table.index.name, table.columns.name = "quantile", "period"
        return table

    @shared_doc(**_DOCS)
    def factor_weights(
        self, period: int | None = None, demeaned: bool = True, equal_weight: bool = False
    ) -> pd.DataFrame:
        """Each date's weights of the factor-weighted book, as alphalens' ``factor_weights``.

        Over the stocks evaluated at ``period`` (by default the shortest): the factor less its
        date's mean (``demeaned``), or itself; with ``equal_weight`` only its sign, about the
        median when demeaned, each side sharing its half equally. Scaled to a gross of 1.

        Parameters
        ----------
        {period}
        demeaned, equal_weight : bool
            As in ``alphalens.performance.factor_weights``.

        Returns
        -------
        DataFrame
            Dates × tickers; NaN where a stock is not held.
        """
        h = self._period(period)
        values = self.factor.to_numpy()
        evaluated = (self.labels[h] > 0) & ~np.isnan(values)
        weights = _factor_weights(np.where(evaluated, values, np.nan), demeaned, equal_weight)
        return pd.DataFrame(
            np.where(evaluated, weights, np.nan),
            index=self.factor.index,
            columns=self.factor.columns,
        )

    def factor_returns(self, demeaned: bool = True, equal_weight: bool = False) -> pd.DataFrame:
        """Each period's return of a portfolio weighted by the factor, as alphalens builds it.

        Each date, over the stocks evaluated that period: with ``demeaned`` (the default) the
        factor less its mean (long above, short below), otherwise the factor itself; with
        ``equal_weight`` only its sign counts (and, demeaned, about the median, each side
        sharing its half equally). Weights are scaled to a gross of 1, and the return is the
        weighted sum of the forward returns over the period (alphalens' ``factor_returns``).

        Parameters
        ----------
        demeaned, equal_weight : bool
            As in ``alphalens.performance.factor_weights``.

        Returns
        -------
        DataFrame
            One row per date, one column per period; NaN on a date with nothing evaluated.
        """
        forward = self.forward_returns
        out = {}
        for h in self.ic.columns:
            weights = self.factor_weights(h, demeaned, equal_weight).to_numpy()
            returns = forward[h].to_numpy()
            used = ~np.isnan(weights) & ~np.isnan(returns)
            total = np.where(used, weights * np.where(used, returns, 0.0), 0.0).sum(axis=1)
            out[h] = np.where(used.any(axis=1), total, np.nan)
        table = pd.DataFrame(out, index=self.factor.index)
        table.columns.name = "period"
        return table

    def cumulative_factor_returns(
        self, demeaned: bool = True, equal_weight: bool = False
    ) -> pd.DataFrame:
        """:meth:`factor_returns` compounded over time, per period.

        Exact for period 1 (the book rebuilt every day). For an h-day period each day earns
        1/h of the h-day return of the book formed that day, as if h books started on
        consecutive days each held a 1/h share: an approximation that does not depend on the
        day one starts. A factor with values only every g days (month ends) earns g/h of each
        (all of it when g >= h: a monthly factor's 21-day book compounds month by month). A day
        without a return adds nothing; a period with none at all is NaN throughout.

        Parameters
        ----------
        demeaned, equal_weight : bool
            As in :meth:`factor_returns`.

        Returns
        -------
        DataFrame
            One row per date, one column per period: growth of 1 less 1.
        """
        returns = self.factor_returns(demeaned, equal_weight)
        out = {}
        for h in returns.columns:
            r = returns[h].to_numpy()
            rows = np.flatnonzero(~np.isnan(r))
            if not len(rows):
                out[h] = np.full(len(r), np.nan)
                continue
            # A book formed every `gap` rows earns gap/h of each h-day return (all of it when
            # it is held to the end, as a monthly factor's 21-day book is).
            gap = np.diff(rows)  # the last book counts as the one before it (h: the only)
            gap = np.r_[gap, gap[-1] if len(gap) else h]
            per_day = np.zeros(len(r))
            per_day[rows] = r[rows] * np.minimum(gap / h, 1.0)
            out[h] = np.cumprod(1 + per_day) - 1
        table = pd.DataFrame(out, index=returns.index)
        table.columns.name = "period"
        return table

    def alpha_beta(self, demeaned: bool = True, equal_weight: bool = False) -> pd.DataFrame:
        """Alpha and beta of :meth:`factor_returns` against the evaluated universe's mean return.

        Per period, an ordinary least squares fit of the factor portfolio's return on the mean
        forward return of the stocks evaluated that date (alphalens' ``factor_alpha_beta``);
        the alpha is annualized by compounding: ``(1 + alpha) ** (252 / period) - 1``.

        Parameters
        ----------
        demeaned, equal_weight : bool
            As in :meth:`factor_returns`.

        Returns
        -------
        DataFrame
            Rows ``Ann. alpha`` and ``beta``, one column per period.
        """
        portfolio = self.factor_returns(demeaned, equal_weight)
        table = {}
        for h in portfolio.columns:
            x, y = self.day_means[h].to_numpy(), portfolio[h].to_numpy()
            both = ~np.isnan(x) & ~np.isnan(y)
            if both.sum() < 2:
                table[h] = [np.nan, np.nan]
                continue
            design = np.column_stack([np.ones(both.sum()), x[both]])
            (alpha, beta), *_ = np.linalg.lstsq(design, y[both], rcond=None)
            table[h] = [(1 + alpha) ** (252 / h) - 1, beta]
        out = pd.DataFrame(table, index=["Ann. alpha", "beta"])
        out.columns.name = "period"
        return out

    @cached_property
    def ic_by_group(self) -> pd.DataFrame:
        """The daily rank IC within each group, as alphalens' ``by_group=True`` gives it.

        Indexed by (``date``, ``group``) for each date a group has a stock evaluated, one column
        per period: the Spearman correlation of the factor and each period's forward return
        across the group's stocks evaluated that day (NaN with fewer than two). Needs ``groupby`` in :func:`factorlab.evaluate`.
        """
        groups = self._groups("ic_by_group")
        forward = self.forward_returns
        periods = list(self.ic.columns)
        tables = {}
        for group in sorted(groups.dropna().unique(), key=str):  # a handful of groups
            members = (groups == group).to_numpy()
            ics, present = {}, np.zeros(len(self.factor), dtype=bool)
            for h in periods:
                evaluated = self.labels[h][:, members] > 0
                factor = self.factor.loc[:, members].where(evaluated)
                ics[h] = rank_ic(factor, forward[h].loc[:, members])
                present |= (evaluated & forward[h].loc[:, members].notna().to_numpy()).any(axis=1)
            tables[group] = pd.DataFrame(ics)[present]  # NaN where the group has one stock
        table = pd.concat(tables, names=["group", "date"]).swaplevel().sort_index()
        table.columns.name = "period"
        return table

    def mean_ic_by_group(self) -> pd.DataFrame:
        """Each group's mean daily IC per period: one row per group, one column per period.

        As alphalens' ``mean_information_coefficient(factor_data, by_group=True)``: every group
        of ``groupby``, NaN for one that never had two stocks evaluated on a date.
        """
        groups = sorted(self._groups("mean_ic_by_group").dropna().unique(), key=str)
        means = self.ic_by_group.groupby(level="group").mean()
        return means.reindex(pd.Index(groups, name="group"))

    def _groups(self, what: str) -> pd.Series:
        if self.groups is None:
            raise ConfigError(
                f"{what} needs groups: evaluate with groupby=, e.g. fl.evaluate(factor, ds, "
                "groupby='sector')."
            )
        return self.groups

    def factor_data(self) -> pd.DataFrame:
        """The evaluation as alphalens' ``factor_data`` frame, for alphalens' own functions.

        Indexed by (``date``, ``asset``), one row per factor value that has every period's
        forward return and a bucket, as ``alphalens.utils.get_clean_factor_and_forward_returns``
        builds it: a column of forward returns per period (``"1D"``, ``"5D"``, ...), then
        ``factor``, ``factor_quantile`` (1 = lowest) and, with ``groupby``, ``group``.
        Quantiles are those of the first period, which are alphalens' own when every period
        was evaluated on the same rows (``drop_incomplete=True``).

        Examples
        --------
        >>> import factorlab as fl
        >>> ds = fl.load_dataset("sample", n_tickers=40, years=3)
        >>> report = fl.evaluate(fl.factors.momentum(ds), ds, periods=(1, 5))
        >>> list(report.factor_data().columns)
        ['1D', '5D', 'factor', 'factor_quantile']
        """
        periods = list(self.ic.columns)
        forward = self.forward_returns
        columns = {f"{h}D": forward[h].to_numpy() for h in periods}
        quantile = labels_as_float(self.labels[periods[0]])
        keep = ~np.isnan(self.factor.to_numpy()) & ~np.isnan(quantile)
        for values in columns.values():
            keep &= ~np.isnan(values)
        rows, cols = np.nonzero(keep)
        index = pd.MultiIndex.from_arrays(
            [self.factor.index[rows], self.factor.columns[cols]], names=["date", "asset"]
        )
        table = pd.DataFrame(
            {name: values[rows, cols] for name, values in columns.items()}, index=index
        )
        table["factor"] = self.factor.to_numpy()[rows, cols]
        table["factor_quantile"] = quantile[rows, cols].astype(int)
        if self.groups is not None:
            table["group"] = self.groups.to_numpy()[cols]
        return table

    @property
    def decay(self) -> pd.Series:
        """Mean IC by horizon."""
        return self.ic.mean().rename("IC mean")

    def plot(self) -> Figure:
        """A tear sheet: IC over time, quantile returns, cumulative spread, IC decay."""
        from factorlab.plots import plot_factor_report  # matplotlib: loaded when drawn

        return plot_factor_report(self)

    def to_html(self, path: str | os.PathLike[str], title: str = "Factor report") -> Path:
        """Write the whole tear sheet to one self-contained HTML file; its path.

        Every table of this report and its figures (embedded as PNG, so the file fetches
        nothing and opens offline), the settings, and fingerprints of the factor and prices.
        The file is written atomically.

        Parameters
        ----------
        path : str or PathLike
            Where to write, e.g. ``"factor.html"``.
        title : str
            The page's title.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> import factorlab as fl
        >>> ds = fl.load_dataset("sample", n_tickers=40, years=3)
        >>> report = fl.evaluate(fl.factors.momentum(ds), ds, periods=(1, 5))
        >>> path = report.to_html(pathlib.Path(tempfile.mkdtemp()) / "momentum.html")
        >>> path.read_text().startswith("<!DOCTYPE html>")
        True
        """
        # pages sit above results and draw with matplotlib: loaded when a page is written
        from factorlab.pages import factor_report_page, write_page

        return write_page(path, factor_report_page(self, title))

    def __repr__(self) -> str:
        periods = "/".join(str(h) for h in self.ic.columns)
        known = self.factor.index[self.factor.notna().any(axis=1).to_numpy()]
        span = f"{known[0]:%Y-%m-%d}..{known[-1]:%Y-%m-%d}" if len(known) else "no values"
        longest = self.ic.columns[-1]
        row = self.ic_summary().loc[longest]
        return (
            f"<FactorReport {self.quantiles} quantiles, periods {periods} days, {span}: IC mean "
            f"{_fmt(row['IC mean'], '.3f')} at {longest}d (t "
            f"{_fmt(row['t-stat (non-overlapping)'], '.2f')} non-overlapping)>"
        )

    def _repr_html_(self) -> str:
        summary = self.ic_summary().style.format("{:.4f}")
        summary = summary.format("{:.1%}", subset=["% positive"])
        summary = summary.format("{:,.0f}", subset=["dates", "dates (non-overlapping)"])
        summary = summary.format(
            "{:.2f}", subset=["IR", "t-stat (overlapping)", "t-stat (non-overlapping)"]
        )
        returns = (self.quantile_returns * 1e4).style.format("{:.1f}")
        return (
            "<div><strong>factorlab FactorReport</strong>"
            f"{summary.to_html()}"
            f"<p>Mean forward return by quantile, bps</p>{returns.to_html()}</div>"
        )


def _factor_weights(values: np.ndarray, demeaned: bool, equal_weight: bool) -> np.ndarray:
    """Weights as alphalens' ``factor_weights`` per row of a panel (NaN: not held), gross 1."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN date has no centre
        if equal_weight:
            centred = values - np.nanmedian(values, axis=1, keepdims=True) if demeaned else values
            weights = np.sign(centred)
            if demeaned:  # each side shares its half equally
                short = (weights < 0).sum(axis=1, keepdims=True)
                long = (weights > 0).sum(axis=1, keepdims=True)
                weights = np.where(weights < 0, weights / np.maximum(short, 1), weights)
                weights = np.where(weights > 0, weights / np.maximum(long, 1), weights)
        else:
            weights = values - np.nanmean(values, axis=1, keepdims=True) if demeaned else values
    gross = np.nansum(np.abs(weights), axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(gross > 0, weights / gross, 0.0)


def _fmt(number: float, spec: str) -> str:
    return "n/a" if pd.isna(number) else format(number, spec)
