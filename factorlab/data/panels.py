"""A user's panel (a signal, a factor, a custom family) placed on a dataset's days and tickers.

Wide panels (dates × tickers) are factorlab's shape; alphalens users hold a factor as a Series
indexed by (date, asset). Both are accepted. A panel whose labels are not trading days
(``resample("ME")`` labels month ends, weekends included) can be moved to the last trading day
on or before each label, and a sparse one (Fridays only) carried forward to the days between.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from factorlab._warnings import warn
from factorlab.data.dataset import Dataset
from factorlab.data.validate import parse_dates
from factorlab.errors import ConfigError, DataError

__all__ = ["align_panel", "as_wide"]

Align = Literal["exact", "previous"]
Fill = Literal["latest"] | None


def align_panel(
    panel: object,
    ds: Dataset,
    what: str = "signal",
    align: Align = "exact",
    fill: Fill = None,
    until: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """``panel`` as float64 on ``ds.dates`` × ``ds.tickers`` (NaN where it has no value).

    Parameters
    ----------
    panel : DataFrame or Series
        Dates × tickers, or a Series indexed by (date, asset) as alphalens takes it (unstacked,
        with a note). Tickers must be the dataset's; a ticker it lacks is NaN.
    ds : Dataset
    what : str
        What the panel is ("signal", "factor", "custom factor 'reversal'"), for messages.
    align : {"exact", "previous"}
        ``"exact"``: every date must be a trading day of ``ds``. ``"previous"``: a date that is
        not moves to the last trading day on or before it (a month-end label on a Sunday to
        the Friday). That is right for dates on which nothing traded (weekends, holidays,
        calendar month ends); a date that was a trading day elsewhere would bring a day's later
        information back, so a trading day's own value is never replaced, and where several
        dates land on one day the earliest wins. Dates after the data's last day are dropped,
        since what they knew may postdate it.
    fill : {"latest"} or None
        ``"latest"`` carries each ticker's last value forward over the days without one, while
        the ticker has a price: a weekly signal then has a value on every rebalance day.
    until : Timestamp, optional
        Ignore values dated after this day (not known yet), before aligning: a screen
        ``as_of`` a day passes it.

    Raises
    ------
    DataError
        A panel of another shape, tickers the dataset lacks, dates that are not trading days
        (with ``align="exact"``), values that are not numbers, or infinities.

    Examples
    --------
    >>> import factorlab as fl
    >>> ds = fl.load_dataset("sample", n_tickers=20, years=3)
    >>> month_ends = ds.prices.resample("ME").last()  # labelled by calendar month end
    >>> aligned = align_panel(month_ends, ds, align="previous")
    >>> aligned.shape == ds.prices.shape, bool(aligned.loc["2024-11-29"].notna().any())
    (True, True)
    """
    if align not in ("exact", "previous"):
        raise ConfigError(f"align must be 'exact' or 'previous', got {align!r}.")
    if fill not in (None, "latest", "none"):
        raise ConfigError(f"fill must be None or 'latest', got {fill!r}.")
    wide = as_wide(panel, what)
    if wide.columns.has_duplicates:
        twice = wide.columns[wide.columns.duplicated()]
        raise DataError(
            f"The {what} has the ticker {twice[0]} in more than one column; keep one column per "
            "ticker."
        )
    extra_tickers = wide.columns.difference(ds.prices.columns)
    if len(extra_tickers):
        shown = ", ".join(map(str, extra_tickers[:5]))
        raise DataError(
            f"The {what} has tickers the dataset does not: {shown}"
            f"{' and more' if len(extra_tickers) > 5 else ''}. Compute it from this dataset."
        )
    index = _dates(wide.index, what)
    wide = _numbers(wide.set_axis(index, axis=0), what)
    if until is not None:
        wide = wide[wide.index <= until]
    if align == "previous":
        wide = _to_previous_trading_day(wide, ds.dates, what)
    else:
        extra_dates = wide.index.difference(ds.dates)
        if len(extra_dates):
            raise DataError(_not_trading_days(extra_dates, ds.dates, what))
    out = wide.reindex(index=ds.dates, columns=ds.prices.columns)
    if fill == "latest":
        out = out.ffill().where(ds.prices.notna())
    return out


def as_wide(panel: object, what: str = "signal") -> pd.DataFrame:
    """A dates × tickers DataFrame from a wide panel or an alphalens-style Series.

    The Series is indexed by (date, asset); it is unstacked, with a note.

    Examples
    --------
    >>> import pandas as pd
    >>> index = pd.MultiIndex.from_product([pd.to_datetime(["2024-01-02"]), ["A", "B"]],
    ...                                    names=["date", "asset"])
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as notes:
    ...     warnings.simplefilter("always")
    ...     wide = as_wide(pd.Series([1.0, 2.0], index=index))
    >>> wide.values.tolist(), "unstacked" in str(notes[0].message)
    ([[1.0, 2.0]], True)
    """
    if isinstance(panel, pd.DataFrame) and isinstance(panel.index, pd.MultiIndex):
        if panel.shape[1] != 1 and "factor" not in panel.columns:
            raise DataError(
                f"The {what} has a (date, asset) index and {panel.shape[1]} columns; pass one "
                "column as a Series, e.g. factor_data['factor']."
            )
        panel = panel["factor"] if "factor" in panel.columns else panel.iloc[:, 0]
    if isinstance(panel, pd.Series):
        return _unstacked(panel, what)
    if not isinstance(panel, pd.DataFrame):
        raise DataError(
            f"The {what} must be a DataFrame of dates × tickers, or a Series indexed by (date, "
            f"asset) as alphalens takes it; got {type(panel).__name__}."
        )
    return panel


def _unstacked(series: pd.Series, what: str) -> pd.DataFrame:
    index = series.index
    if not isinstance(index, pd.MultiIndex) or index.nlevels != 2:
        raise DataError(
            f"A {what} given as a Series must be indexed by (date, asset), as alphalens takes "
            "it; pass a DataFrame of dates × tickers otherwise."
        )
    kinds = [isinstance(level, pd.DatetimeIndex) for level in index.levels]
    if kinds == [False, True]:  # (asset, date): swap to (date, asset)
        series = series.swaplevel()
    elif kinds != [True, False]:
        raise DataError(
            f"The {what}'s index must have one level of dates and one of tickers (alphalens' "
            f"(date, asset)); its levels are {list(index.names)}. Convert the dates with "
            "pd.to_datetime first."
        )
    if series.index.duplicated().any():
        date, asset = series.index[series.index.duplicated()][0]
        raise DataError(
            f"The {what} has more than one value for {asset} on {date:%Y-%m-%d}; keep one per "
            "(date, asset)."
        )
    wide = series.unstack()
    warn(
        f"The {what} came as a Series indexed by (date, asset), as alphalens takes it; it was "
        f"unstacked into a panel of {wide.shape[0]} dates × {wide.shape[1]} tickers."
    )
    wide.columns = wide.columns.astype(str)
    return wide


def _not_trading_days(extra: pd.DatetimeIndex, days: pd.DatetimeIndex, what: str) -> str:
    """Why dates off the calendar are refused, and whether ``align='previous'`` is the fix.

    It is for weekend and month-end labels, not for weekdays the dataset does not trade on
    (another exchange's calendar), which would bring a day's later information back.
    """
    option = "align='previous'"
    fix = (
        f"wrap it as fl.factors.Custom(panel, {option})"
        if what.startswith("custom factor")
        else f"pass {option}"
    )
    inside = (extra >= days[0]) & (extra <= days[-1])
    weekdays = extra[inside & (extra.day_of_week < 5)]
    message = (
        f"The {what} has {len(extra)} dates that are not trading days of the dataset (first "
        f"{extra[0]:%Y-%m-%d}). For labels of days without trading (weekends, month ends from "
        f"resample('ME')), {fix} to place each on the last trading day on or before it."
    )
    if len(weekdays):
        message += (
            f" {len(weekdays)} of them are weekdays within the data (first "
            f"{weekdays[0]:%Y-%m-%d}): if they traded on another calendar, moving them back a day "
            f"would use that day's later prices, so compute the {what} from this dataset instead."
        )
    return message


def _dates(index: pd.Index, what: str) -> pd.DatetimeIndex:
    dates = parse_dates(index, f"The {what}")
    if dates.has_duplicates:
        raise DataError(
            f"The {what} has duplicate dates: {dates[dates.duplicated()][0]:%Y-%m-%d} appears "
            "more than once. Keep one row per day."
        )
    return dates


def _numbers(panel: pd.DataFrame, what: str) -> pd.DataFrame:
    try:
        numeric = panel.astype("float64")
    except (TypeError, ValueError) as err:
        raise DataError(f"The {what} must hold numbers: {err}") from err
    infinite = np.isinf(numeric.to_numpy())
    if infinite.any():
        row, col = np.argwhere(infinite)[0]
        raise DataError(
            f"The {what} is infinite for {numeric.columns[col]} on {panel.index[row]:%Y-%m-%d} "
            f"({int(infinite.sum())} values in all). Replace infinities with NaN (not held)."
        )
    return numeric


def _to_previous_trading_day(wide: pd.DataFrame, days: pd.DatetimeIndex, what: str) -> pd.DataFrame:
    """``wide`` with every row on a trading day: off-calendar rows move back to one.

    Rows on trading days stay; the others move to the last trading day on or before their
    date, filling only values that day lacks (earliest label first). Rows after the last
    trading day or before the first are dropped, with a note for the former.
    """
    ordered = wide.sort_index()
    after = ordered.index > days[-1]
    if after.any():
        count = int(after.sum())
        warn(
            f"The {what} has {count} date{'s' if count > 1 else ''} after the data's last day "
            f"({days[-1]:%Y-%m-%d}); they were dropped, since what they knew may be later than "
            "anything in the dataset."
        )
    position = days.searchsorted(ordered.index, side="right") - 1
    keep = (position >= 0) & ~after
    on_calendar = ordered.index.isin(days)
    own = ordered[on_calendar & keep]
    moved = ordered[~on_calendar & keep].set_axis(days[position[~on_calendar & keep]], axis=0)
    # The earliest label knew the least after the day it lands on; a day's own value stays.
    moved = moved.groupby(level=0, sort=True).first()
    return own.combine_first(moved)
