"""Checks run when a Dataset is built.

Each returns a clean copy or raises a DataError that names the ticker, column or date at fault and
how to fix it.
"""

from __future__ import annotations

from typing import Any

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
            f"prices must be positive: {ticker} on {day:%Y-%m-%d} is {float(frame.at[day, ticker])} "
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
    return _companion_panel(
        volume,
        prices,
        "volume",
        lambda v: (v < 0) | np.isinf(v),
        "a finite number of shares, not negative",
    )


def clean_close(close: object, prices: pd.DataFrame) -> pd.DataFrame:
    """The traded close on exactly the prices' dates and tickers: positive where given."""
    return _companion_panel(
        close, prices, "close", lambda v: (v <= 0) | np.isinf(v), "a positive, finite price"
    )


def _companion_panel(
    data: object, prices: pd.DataFrame, what: str, bad: Any, rule: str
) -> pd.DataFrame:
    """A panel beside the prices: their exact dates and tickers, no value ``bad`` flags."""
    frame = _wide_frame(data, what)
    _same_labels(frame.index, prices.index, what, "dates", f"{what}.reindex(prices.index)")
    _same_labels(frame.columns, prices.columns, what, "tickers", f"{what}[prices.columns]")
    frame = frame[prices.columns]
    flagged = bad(frame.to_numpy())
    if flagged.any():
        ticker, day = _first_where(frame, flagged)
        raise DataError(
            f"{what} must be {rule}: {ticker} on {day:%Y-%m-%d} is "
            f"{float(frame.at[day, ticker])}. Use NaN where {what} is unknown."
        )
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
    frame["period_end"] = _dates(frame["period_end"], "fundamentals.period_end")
    # A figure filed during a day is known from the next day on, never at that day's close.
    frame["available_at"] = _dates(frame["available_at"], "fundamentals.available_at", ceil=True)
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
    # A period may have several rows, each known from its own available_at (as first reported,
    # then as restated); two rows known from the same day would be ambiguous.
    duplicated = frame.duplicated(["ticker", "period_end", "available_at"])
    if duplicated.any():
        row = frame[duplicated].iloc[0]
        raise DataError(
            f"fundamentals has more than one row for {row['ticker']} period "
            f"{row['period_end']:%Y-%m-%d} available at {row['available_at']:%Y-%m-%d}. Keep one "
            "row per ticker, period_end and available_at (a restatement is a later row)."
        )
    if "fiscal_period" not in frame.columns:
        ends = pd.DatetimeIndex(frame["period_end"])
        frame["fiscal_period"] = ends.year.astype(str) + "Q" + ends.quarter.astype(str)
    frame["fiscal_period"] = frame["fiscal_period"].astype(str)
    for column in FUNDAMENTAL_VALUES:
        if column not in frame.columns:
            frame[column] = np.nan
        frame[column] = _numbers(frame[column], f"fundamentals.{column}")
    bad_shares = frame["shares_outstanding"] <= 0
    if bad_shares.any():
        row = frame[bad_shares].iloc[0]
        raise DataError(
            f"fundamentals.shares_outstanding must be positive: {row['ticker']} period "
            f"{row['period_end']:%Y-%m-%d} has {row['shares_outstanding']:g}. Use NaN if unknown."
        )
    order = [*FUNDAMENTAL_KEYS, *FUNDAMENTAL_VALUES]
    extra = [c for c in frame.columns if c not in order]
    frame = frame[order + extra].sort_values(
        ["ticker", "period_end", "available_at"], ignore_index=True
    )
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
    named = _canonical_names(meta, ["ticker", *META_COLUMNS])
    frame = named.set_index("ticker") if "ticker" in named.columns else named.copy()
    if not all(isinstance(t, str) for t in frame.index):
        raise DataError(
            "meta needs the tickers as its index or in a 'ticker' column; found "
            f"{frame.index[0]!r}. Fix: meta.set_index('ticker')."
        )
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
    if "listed" in frame:
        given = _dates(frame["listed"], "meta.listed", allow_missing=True)
        frame["listed"] = given.fillna(derived["listed"])
    else:
        frame["listed"] = derived["listed"]
    # A given delisting date, or its absence (NaT: still trading), is kept as given: a ticker
    # whose prices pause or end early is not thereby delisted.
    if "delisted" in frame:
        frame["delisted"] = _dates(frame["delisted"], "meta.delisted", allow_missing=True)
    else:
        frame["delisted"] = derived["delisted"]
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


def _canonical_names(frame: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """``frame`` with columns such as ``Sector`` or ``SECTOR`` renamed to ``sector``.

    A column is not renamed when one of that exact name is there already.
    """
    renames: dict[object, str] = {}
    for column in frame.columns:
        lower = str(column).strip().lower()
        if lower in names and column != lower and lower not in frame.columns:
            renames.setdefault(column, lower)
    if len(set(renames.values())) < len(renames):  # "Sector" and "SECTOR": ambiguous
        clash = [c for c in renames if list(renames.values()).count(renames[c]) > 1]
        raise DataError(
            f"meta has columns {', '.join(map(repr, clash))}, which all read as "
            f"{renames[clash[0]]!r}. Keep one."
        )
    return frame.rename(columns=renames) if renames else frame


def clean_benchmark(benchmark: object, prices: pd.DataFrame) -> pd.Series:
    """A positive price Series on exactly the prices' calendar."""
    if isinstance(benchmark, pd.DataFrame) and benchmark.shape[1] == 1:
        benchmark = benchmark.iloc[:, 0]
    if not isinstance(benchmark, pd.Series):
        raise DataError(
            f"benchmark must be a Series of index levels, got {type(benchmark).__name__}."
        )
    series = _numbers(benchmark, "benchmark").copy()
    series.index = _date_index(series.index, "benchmark")
    _same_labels(
        series.index, prices.index, "benchmark", "dates", "benchmark.reindex(prices.index)"
    )
    values = series.to_numpy()
    bad = (values <= 0) | np.isinf(values)
    if bad.any():
        day = series.index[np.argmax(bad)]
        raise DataError(
            f"benchmark must be positive and finite: it is {float(series[day])} on "
            f"{day:%Y-%m-%d}. Use NaN for days without a level."
        )
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
        raise DataError(
            f"{what} must hold numbers only ({err}). Convert with "
            f"{what}.apply(pd.to_numeric, errors='coerce') to turn the rest into NaN."
        ) from err
    frame.columns = pd.Index(frame.columns, dtype="str", name="ticker")
    return frame


def parse_dates(values: pd.Index | pd.Series, subject: str) -> Any:
    """``values``, an index or a column, as dates without a time zone.

    Numbers are refused (pandas would read 20240131 as nanoseconds, not a date), text is parsed,
    and a time zone is dropped, keeping the exchange's wall-clock dates. A failure is a
    DataError that names ``subject`` ("prices", "The signal") and the fix.
    """
    index = isinstance(values, pd.Index)
    holds = "be indexed by dates" if index else "hold dates"
    present = np.asarray(values.dropna())
    if pd.api.types.is_numeric_dtype(values.dtype) and len(present):
        raise DataError(
            f"{subject} must {holds}, not numbers (found {present[0]}). Parse them first, e.g. "
            "pd.to_datetime(values.astype(str), format='%Y%m%d')."
        )
    try:
        dates = pd.DatetimeIndex(values) if index else pd.to_datetime(values)
    except (TypeError, ValueError) as err:
        raise DataError(f"{subject} must {holds} such as '2024-03-31': {err}") from err
    if index and dates.tz is not None:
        return dates.tz_localize(None)
    if not index and getattr(dates.dt, "tz", None) is not None:
        return dates.dt.tz_localize(None)
    return dates


def _date_index(given: pd.Index, what: str) -> pd.DatetimeIndex:
    index = parse_dates(given, what)
    index = index.normalize().as_unit("ns")
    if index.hasnans:
        raise DataError(
            f"{what} has a missing (NaT) date in its index. Drop those rows: "
            f"{what}[{what}.index.notna()]."
        )
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
            f"{index[position - 1]:%Y-%m-%d}. {_day_first_hint(index, given)}"
        )
    return pd.DatetimeIndex(index, freq=None, name="date")


def _day_first_hint(index: pd.DatetimeIndex, given: pd.Index) -> str:
    """How to fix unsorted dates.

    When reading them day-first would sort them, or they came as text, it says that they may be
    day-first strings read month-first.
    """
    fix = "pd.to_datetime(strings, format='%d/%m/%Y') (or dayfirst=True)"
    swap = index.day <= 12
    swapped = pd.to_datetime(
        pd.DataFrame(
            {
                "year": index.year,
                "month": np.where(swap, index.day, index.month),
                "day": np.where(swap, index.month, index.day),
            }
        )
    )
    if swapped.is_monotonic_increasing and swap.any():
        telling = swap & (index.day != index.month)  # 01/01 reads the same either way
        example = index[np.argmax(telling if telling.any() else swap)]
        return (
            f"Read day-first they are in order: they look like day-first strings (such as "
            f"'{example:%m/%d/%Y}') parsed month-first. Parse them with {fix}; if they really "
            "are out of order, sort them with .sort_index()."
        )
    if not isinstance(given, pd.DatetimeIndex):
        return (
            f"If they came from strings such as '03/04/2024', they may be day-first and read "
            f"month-first: parse them with {fix}. Otherwise sort them with .sort_index()."
        )
    return "Sort them with .sort_index()."


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


def _dates(
    column: pd.Series, what: str, allow_missing: bool = False, ceil: bool = False
) -> pd.Series:
    """Dates at midnight; ``ceil`` moves a time after midnight to the next day."""
    dates = parse_dates(column, what)
    dates = (dates.dt.ceil("D") if ceil else dates.dt.normalize()).astype("datetime64[ns]")
    if not allow_missing and dates.isna().any():
        raise DataError(
            f"{what} has a missing date in row {int(np.argmax(dates.isna()))}. Every row needs "
            "one; drop the row or fill in the date."
        )
    return dates


def _numbers(column: pd.Series, what: str) -> pd.Series:
    try:
        return column.astype("float64")
    except (TypeError, ValueError) as err:
        raise DataError(
            f"{what} must hold numbers ({err}). Convert with pd.to_numeric(..., errors='coerce')."
        ) from err


def _first_where(frame: pd.DataFrame, mask: np.ndarray) -> tuple[str, pd.Timestamp]:
    row, col = np.argwhere(mask)[0]
    return frame.columns[col], frame.index[row]


def _listing(labels: pd.Index) -> str:
    def text(label: object) -> str:
        return f"{label:%Y-%m-%d}" if isinstance(label, pd.Timestamp) else str(label)

    shown = ", ".join(text(x) for x in labels[:_SHOW])
    return shown + (f" and {len(labels) - _SHOW} more" if len(labels) > _SHOW else "")
