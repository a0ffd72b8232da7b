"""Checks run when a Dataset is built. Each returns a clean copy or raises a DataError that names
the ticker, column or date at fault and how to fix it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from factorlab.data.schema import FUNDAMENTAL_KEYS, FUNDAMENTAL_VALUES, META_COLUMNS
from factorlab.errors import DataError

_SHOW = 5  # how many offenders a message lists


def clean_prices(prices: object) -> pd.DataFrame:
    """Prices as a wide float64 panel on a sorted, unique, tz-naive DatetimeIndex of days."""
    frame = _wide_frame(prices, "prices")
    values = frame.to_numpy()
    if np.isinf(values).any():
        ticker, day = _first_where(frame, np.isinf(values))
        raise DataError(
            f"prices must be finite: {ticker} on {day:%Y-%m-%d} is infinite. Use NaN for days "
            "without a price."
        )
    bad = values <= 0
    if bad.any():
        ticker, day = _first_where(frame, bad)
        raise DataError(
            f"prices must be positive: {ticker} on {day:%Y-%m-%d} is {frame.at[day, ticker]!r} "
            f"({int(bad.sum())} values <= 0 in all). Use NaN for days without a price."
        )
    empty = frame.columns[frame.isna().all().to_numpy()]
    if len(empty):
        raise DataError(
            f"prices has tickers with no price at all: {_listing(empty)}. Drop those columns."
        )
    return frame


def clean_volume(volume: object, prices: pd.DataFrame) -> pd.DataFrame:
    """Volume on exactly the prices' dates and tickers, non-negative."""
    frame = _wide_frame(volume, "volume")
    _same_labels(frame.index, prices.index, "volume", "dates", "volume.reindex(prices.index)")
    _same_labels(frame.columns, prices.columns, "volume", "tickers", "volume[prices.columns]")
    frame = frame[prices.columns]
    negative = frame.to_numpy() < 0
    if negative.any():
        ticker, day = _first_where(frame, negative)
        raise DataError(f"volume must not be negative: {ticker} on {day:%Y-%m-%d}.")
    return frame


def clean_fundamentals(fundamentals: object, prices: pd.DataFrame) -> pd.DataFrame:
    """Long point-in-time fundamentals, one row per (ticker, period_end), sorted."""
    if not isinstance(fundamentals, pd.DataFrame):
        raise DataError(
            "fundamentals must be a DataFrame with one row per ticker and quarter, got "
            f"{type(fundamentals).__name__}."
        )
    frame = fundamentals.reset_index(drop=True).copy()
    missing = [c for c in ("ticker", "period_end", "available_at") if c not in frame.columns]
    if missing:
        raise DataError(
            f"fundamentals is missing the column(s) {', '.join(missing)}. Each row needs ticker, "
            "period_end and available_at (the first day the figures were known); see "
            "factorlab.data.describe_columns()."
        )
    frame["ticker"] = frame["ticker"].astype(str)
    for column in ("period_end", "available_at"):
        frame[column] = _dates(frame[column], f"fundamentals.{column}")
    unknown = pd.Index(frame["ticker"].unique()).difference(prices.columns)
    if len(unknown):
        raise DataError(
            f"fundamentals has tickers that are not in prices: {_listing(unknown)}. Add their "
            "prices or drop those rows."
        )
    early = frame["available_at"] < frame["period_end"]
    if early.any():
        row = frame[early].iloc[0]
        raise DataError(
            f"fundamentals for {row['ticker']} period {row['period_end']:%Y-%m-%d} have "
            f"available_at {row['available_at']:%Y-%m-%d}, before the period ended "
            f"({int(early.sum())} such rows). available_at must be on or after period_end: the "
            "filing date, or period_end plus a reporting lag."
        )
    duplicated = frame.duplicated(["ticker", "period_end"])
    if duplicated.any():
        row = frame[duplicated].iloc[0]
        raise DataError(
            f"fundamentals has more than one row for {row['ticker']} period "
            f"{row['period_end']:%Y-%m-%d}. Keep one row per ticker and period_end (the figures "
            "as first reported)."
        )
    if "fiscal_period" not in frame.columns:
        ends = pd.DatetimeIndex(frame["period_end"])
        frame["fiscal_period"] = ends.year.astype(str) + "Q" + ends.quarter.astype(str)
    frame["fiscal_period"] = frame["fiscal_period"].astype(str)
    for column in FUNDAMENTAL_VALUES:
        if column not in frame.columns:
            frame[column] = np.nan
        frame[column] = _numbers(frame[column], f"fundamentals.{column}")
    order = [*FUNDAMENTAL_KEYS, *FUNDAMENTAL_VALUES]
    extra = [c for c in frame.columns if c not in order]
    frame = frame[order + extra].sort_values(["ticker", "period_end"], ignore_index=True)
    return frame


def clean_meta(meta: object | None, prices: pd.DataFrame) -> pd.DataFrame:
    """One row per ticker of prices; ``listed``/``delisted`` taken from the prices when absent."""
    has_price = prices.notna()
    first = has_price.idxmax()  # every column has a price (clean_prices checked)
    last = has_price.iloc[::-1].idxmax()
    derived = pd.DataFrame(
        {
            "name": pd.Series(np.nan, index=prices.columns, dtype="str"),
            "sector": pd.Series(np.nan, index=prices.columns, dtype="str"),
            "industry": pd.Series(np.nan, index=prices.columns, dtype="str"),
            "listed": pd.DatetimeIndex(first.to_numpy()),
            "delisted": pd.DatetimeIndex(last.where(last < prices.index[-1]).to_numpy()),
        },
        index=prices.columns,
    )
    if meta is None:
        return derived
    if not isinstance(meta, pd.DataFrame):
        raise DataError(f"meta must be a DataFrame indexed by ticker, got {type(meta).__name__}.")
    frame = meta.set_index("ticker") if "ticker" in meta.columns else meta.copy()
    frame.index = frame.index.astype(str)
    if frame.index.duplicated().any():
        raise DataError(
            f"meta has duplicate tickers: {_listing(frame.index[frame.index.duplicated()])}. "
            "Keep one row per ticker."
        )
    unknown = frame.index.difference(prices.columns)
    if len(unknown):
        raise DataError(
            f"meta has tickers that are not in prices: {_listing(unknown)}. Drop those rows."
        )
    frame = frame.reindex(prices.columns)
    for column in ("name", "sector", "industry"):
        frame[column] = frame[column].astype("str") if column in frame else derived[column]
        frame[column] = frame[column].where(frame[column].notna() & (frame[column] != "nan"))
    for column in ("listed", "delisted"):
        given = (
            _dates(frame[column], f"meta.{column}", allow_missing=True) if column in frame else None
        )
        frame[column] = derived[column] if given is None else given.fillna(derived[column])
    early = first.to_numpy() < frame["listed"].to_numpy()
    if early.any():
        ticker = prices.columns[np.argmax(early)]
        raise DataError(
            f"meta says {ticker} listed on {frame.at[ticker, 'listed']:%Y-%m-%d} but it has a "
            f"price on {first[ticker]:%Y-%m-%d}. Fix the date or drop the earlier prices."
        )
    late = last.to_numpy() > frame["delisted"].to_numpy()
    if late.any():
        ticker = prices.columns[np.argmax(late)]
        raise DataError(
            f"meta says {ticker} delisted on {frame.at[ticker, 'delisted']:%Y-%m-%d} but it has a "
            f"price on {last[ticker]:%Y-%m-%d}. Fix the date or drop the later prices."
        )
    extra = [c for c in frame.columns if c not in META_COLUMNS]
    frame = frame[[*META_COLUMNS, *extra]]
    frame.index.name = "ticker"
    return frame


def clean_benchmark(benchmark: object, prices: pd.DataFrame) -> pd.Series:
    """A positive price Series on exactly the prices' calendar."""
    if isinstance(benchmark, pd.DataFrame) and benchmark.shape[1] == 1:
        benchmark = benchmark.iloc[:, 0]
    if not isinstance(benchmark, pd.Series):
        raise DataError(
            f"benchmark must be a Series of index levels, got {type(benchmark).__name__}."
        )
    series = benchmark.astype("float64").copy()
    series.index = _date_index(series.index, "benchmark")
    _same_labels(
        series.index, prices.index, "benchmark", "dates", "benchmark.reindex(prices.index)"
    )
    if (series <= 0).any():
        day = series.index[np.argmax(series.to_numpy() <= 0)]
        raise DataError(f"benchmark must be positive: it is {series[day]!r} on {day:%Y-%m-%d}.")
    series.name = "benchmark" if series.name is None else str(series.name)
    series.index.name = "date"
    return series


def _wide_frame(data: object, what: str) -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame):
        raise DataError(
            f"{what} must be a DataFrame of dates × tickers, got {type(data).__name__}."
        )
    if data.empty:
        raise DataError(f"{what} is empty: it needs at least one date and one ticker.")
    frame = data.copy()
    frame.index = _date_index(frame.index, what)
    if not all(isinstance(c, str) for c in frame.columns):
        bad = next(c for c in frame.columns if not isinstance(c, str))
        raise DataError(f"{what} columns must be ticker strings; found {bad!r}.")
    if frame.columns.duplicated().any():
        raise DataError(
            f"{what} has duplicate tickers: {_listing(frame.columns[frame.columns.duplicated()])}. "
            "Keep one column per ticker."
        )
    try:
        frame = frame.astype("float64")
    except (TypeError, ValueError) as err:
        raise DataError(f"{what} must hold numbers only: {err}") from err
    frame.columns = pd.Index(frame.columns, dtype="str", name="ticker")
    return frame


def _date_index(index: pd.Index, what: str) -> pd.DatetimeIndex:
    if not isinstance(index, pd.DatetimeIndex):
        try:
            index = pd.DatetimeIndex(index)
        except (TypeError, ValueError) as err:
            raise DataError(f"{what} must be indexed by dates: {err}") from err
    if index.tz is not None:
        index = index.tz_localize(None)  # keep the exchange's wall-clock dates
    index = index.normalize().as_unit("ns")
    if index.hasnans:
        raise DataError(f"{what} has a missing (NaT) date in its index.")
    if index.has_duplicates:
        day = index[index.duplicated()][0]
        raise DataError(
            f"{what} has duplicate dates: {day:%Y-%m-%d} appears more than once. Keep one row "
            "per day, e.g. frame[~frame.index.duplicated(keep='last')]."
        )
    if not index.is_monotonic_increasing:
        position = int(np.argmax(index[1:] < index[:-1])) + 1
        raise DataError(
            f"{what} dates are not sorted: {index[position]:%Y-%m-%d} comes after "
            f"{index[position - 1]:%Y-%m-%d}. Sort them with .sort_index()."
        )
    return pd.DatetimeIndex(index, freq=None, name="date")


def _same_labels(got: pd.Index, want: pd.Index, what: str, kind: str, fix: str) -> None:
    if got.equals(want) or (kind == "tickers" and got.sort_values().equals(want.sort_values())):
        return
    missing, extra = want.difference(got), got.difference(want)
    parts = []
    if len(missing):
        parts.append(f"{len(missing)} {kind} of prices are missing ({_listing(missing)})")
    if len(extra):
        parts.append(f"{len(extra)} {kind} are not in prices ({_listing(extra)})")
    if not parts:
        parts.append(f"the {kind} are in another order")
    raise DataError(f"{what} is not on the prices' {kind}: {'; '.join(parts)}. Fix: {fix}.")


def _dates(column: pd.Series, what: str, allow_missing: bool = False) -> pd.Series:
    try:
        dates = pd.to_datetime(column)
    except (TypeError, ValueError) as err:
        raise DataError(f"{what} must hold dates: {err}") from err
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)
    dates = dates.dt.normalize().astype("datetime64[ns]")
    if not allow_missing and dates.isna().any():
        raise DataError(f"{what} has a missing date in row {int(np.argmax(dates.isna()))}.")
    return dates


def _numbers(column: pd.Series, what: str) -> pd.Series:
    try:
        return column.astype("float64")
    except (TypeError, ValueError) as err:
        raise DataError(f"{what} must hold numbers: {err}") from err


def _first_where(frame: pd.DataFrame, mask: np.ndarray) -> tuple[str, pd.Timestamp]:
    row, col = np.argwhere(mask)[0]
    return frame.columns[col], frame.index[row]


def _listing(labels: pd.Index) -> str:
    shown = ", ".join(str(x) for x in labels[:_SHOW])
    return shown + (f" and {len(labels) - _SHOW} more" if len(labels) > _SHOW else "")
