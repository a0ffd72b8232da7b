"""The Dataset: one market's prices, volume, point-in-time fundamentals, meta and benchmark."""

from __future__ import annotations

import hashlib
import html
import os
from typing import Any

import pandas as pd

from factorlab.data import validate
from factorlab.data.store import write_folder
from factorlab.errors import ConfigError, DataError
from factorlab.params import DateLike, Tickers, as_bool, as_date, as_tickers, did_you_mean

__all__ = ["Dataset", "fingerprint_of"]

_PARTS = ("volume", "close", "fundamentals", "benchmark", "truth")


class Dataset:
    """One market, held in the shapes every factorlab function expects.

    Parameters
    ----------
    prices : DataFrame
        Wide panel, trading days × tickers, positive floats; NaN where a ticker has no price
        (not yet listed, delisted, suspended). The only required part.
    volume : DataFrame, optional
        Shares traded, on the prices' dates and tickers.
    close : DataFrame, optional
        The traded close (adjusted for splits, not for dividends), on the prices' dates and
        tickers, when ``prices`` are dividend-adjusted: market cap is ``close`` times shares
        outstanding. Without it, ``prices`` serve.
    fundamentals : DataFrame, optional
        Long and point in time: ``ticker``, ``period_end``, ``available_at`` and the columns of
        :data:`factorlab.data.schema.FUNDAMENTAL_VALUES` (absent ones become NaN). A row may be
        used on day *t* only when ``available_at <= t``.
    meta : DataFrame, optional
        One row per ticker (index or a ``ticker`` column): ``name``, ``sector``, ``industry``,
        ``listed``, ``delisted``. Missing rows and columns are filled: listing dates from the
        prices, names and sectors as NaN.
    benchmark : Series, optional
        Index levels on exactly the prices' dates.
    truth : SampleTruth, optional
        The generator's parameters and true exposures (the embedded sample only).
    source : str
        Where the data came from ("sample", "yahoo", "user", a folder); recorded when saved.
    notes : list of str, optional
        Assumptions and caveats a reader should know (e.g. the survivorship caveat of a list
        of today's tickers).
    failed : dict, optional
        Tickers that a source could not load, each with the reason.

    Raises
    ------
    DataError
        When a part is malformed: the message names the ticker, column or date and the fix.

    Notes
    -----
    Treat a Dataset as read-only: ``as_of`` and ``slice`` return new ones.

    Examples
    --------
    >>> import pandas as pd, factorlab as fl
    >>> prices = pd.DataFrame({"ACME": [10.0, 10.5, 10.2]},
    ...                       index=pd.bdate_range("2024-01-01", periods=3))
    >>> fl.Dataset(prices=prices)
    <Dataset 'user': 1 tickers in 0 sectors, 2024-01-01 to 2024-01-03 (3 days)>
    """

    def __init__(
        self,
        prices: pd.DataFrame,
        volume: pd.DataFrame | None = None,
        fundamentals: pd.DataFrame | None = None,
        meta: pd.DataFrame | None = None,
        benchmark: pd.Series | None = None,
        *,
        close: pd.DataFrame | None = None,
        truth: Any = None,
        source: str = "user",
        notes: list[str] | None = None,
        failed: dict[str, str] | None = None,
    ) -> None:
        self.prices = validate.clean_prices(prices)
        self.volume = None if volume is None else validate.clean_volume(volume, self.prices)
        self.close = None if close is None else validate.clean_close(close, self.prices)
        self.fundamentals = (
            None if fundamentals is None else validate.clean_fundamentals(fundamentals, self.prices)
        )
        self.meta = validate.clean_meta(meta, self.prices)
        self.benchmark = (
            None if benchmark is None else validate.clean_benchmark(benchmark, self.prices)
        )
        self.truth = truth
        self.source = str(source)
        self.notes = list(notes or [])
        self.failed = dict(failed or {})

    # -- what is inside ---------------------------------------------------------------------
    @property
    def tickers(self) -> list[str]:
        """The tickers, in column order."""
        return self.prices.columns.tolist()

    @property
    def dates(self) -> pd.DatetimeIndex:
        """The trading days."""
        return self.prices.index

    @property
    def start(self) -> pd.Timestamp:
        """The first trading day."""
        return self.prices.index[0]

    @property
    def end(self) -> pd.Timestamp:
        """The last trading day."""
        return self.prices.index[-1]

    def require(self, *parts: str, purpose: str = "this") -> None:
        """Raise a DataError naming every part in ``parts`` this dataset lacks.

        Parameters
        ----------
        *parts : str
            Names of optional parts the caller needs: ``"volume"``, ``"close"``,
            ``"fundamentals"``, ``"benchmark"`` or ``"truth"``.
        purpose : str, default "this"
            What needs them, as the error message's subject: ``purpose="the value factor"``
            gives "the value factor needs fundamentals, ...".

        Raises
        ------
        DataError
            When any part in ``parts`` is None; the message names every missing part and how
            to build a dataset with them (or to use the embedded sample).

        Examples
        --------
        >>> import pandas as pd, factorlab as fl
        >>> prices = pd.DataFrame({"ACME": [10.0, 10.5]}, index=pd.bdate_range("2024-01-01", periods=2))
        >>> fl.Dataset(prices=prices).require("fundamentals", purpose="the value factor")
        Traceback (most recent call last):
        ...
        factorlab.errors.DataError: the value factor needs fundamentals, which this dataset does not have...
        """
        missing = [part for part in parts if getattr(self, part) is None]
        if missing:
            raise DataError(
                f"{purpose} needs {' and '.join(missing)}, which this dataset does not have. "
                f"Build it with fl.Dataset({', '.join(f'{p}=...' for p in missing)}, ...) or use "
                "fl.load_dataset('sample')."
            )

    def groups(self, column: str, purpose: str = "group") -> pd.Series:
        """Each ticker's label in the meta column ``column``, matched case-insensitively.

        The column is ``"sector"``, ``"industry"`` or a column you added.

        Parameters
        ----------
        column : str
            Name of a column of ``ds.meta`` other than ``name``, ``listed`` and ``delisted``.
            Surrounding spaces are ignored; an exact match wins, else the name is matched
            case-insensitively (when columns differ only in case, the first one).
        purpose : str, default "group"
            The verb the error message uses: "Cannot {purpose} by 'column': ...".

        Returns
        -------
        Series
            The column of ``ds.meta``, indexed by ticker and named after the column as
            spelled there; tickers without a label are NaN.

        Raises
        ------
        ConfigError
            When ``ds.meta`` has no such column, or every ticker's label is missing; the
            message names the columns it has.

        Examples
        --------
        >>> import factorlab as fl
        >>> ds = fl.load_dataset("sample", n_tickers=20, years=3)
        >>> ds.groups("Sector").equals(ds.meta["sector"])
        True
        """
        choices = [c for c in self.meta.columns if c not in ("name", "listed", "delisted")]
        wanted = str(column).strip()
        by_lower = {str(c).lower(): c for c in reversed(choices)}  # the first spelling wins
        key = wanted if wanted in choices else by_lower.get(wanted.lower())
        filled = [c for c in choices if self.meta[c].notna().any()]
        has = (
            f"ds.meta has values in: {', '.join(map(str, filled))}"
            if filled
            else ("ds.meta has no group labels at all")
        )
        if key is None:
            raise ConfigError(
                f"Cannot {purpose} by {column!r}: ds.meta has no such column ({has}). Use one "
                "of those, or build the dataset with meta=... holding that column."
            )
        labels = self.meta[key]
        if labels.isna().all():
            raise ConfigError(
                f"Cannot {purpose} by {column!r}: every ticker's {key} is missing in ds.meta "
                f"({has}). Build the dataset with meta=... holding a {key!r} column per ticker "
                "(its name is matched case-insensitively)."
            )
        return labels

    def summary(self) -> dict[str, Any]:
        """Counts and dates that describe the dataset, for printing or a report."""
        listed_late = (self.meta["listed"] > self.start).sum()
        return {
            "source": self.source,
            "tickers": len(self.tickers),
            "sectors": int(self.meta["sector"].nunique()),
            "start": self.start,
            "end": self.end,
            "days": len(self.dates),
            "fundamental_rows": 0 if self.fundamentals is None else len(self.fundamentals),
            "listed_late": int(listed_late),
            "delisted": int(self.meta["delisted"].notna().sum()),
            "benchmark": None if self.benchmark is None else self.benchmark.name,
            "failed": len(self.failed),
        }

    # -- views --------------------------------------------------------------------------------
    def as_of(self, date: DateLike) -> Dataset:
        """The dataset as it was knowable at the close of ``date``.

        Prices, volume and benchmark up to ``date``; fundamentals with ``available_at <= date``
        (a filing stamped with a time of day counts from the next day); tickers that had not
        listed yet are dropped, and a delisting after ``date`` is unknown. Extra columns you
        add to ``meta`` are passed through as they are.

        Parameters
        ----------
        date : str, date or Timestamp
            The last day known, inclusive; text such as ``"2020-06-30"`` works too (parsed with
            :func:`factorlab.params.as_date`, which drops a time of day and a time zone). It
            need not be a trading day; a date after the data's end keeps every day.

        Returns
        -------
        Dataset
            A new dataset; its notes gain "as of the close of YYYY-MM-DD".

        Raises
        ------
        DataError
            When ``date`` is before the data starts.
        ConfigError
            When ``date`` is not a date (such as a number, or text that does not parse).

        Examples
        --------
        >>> import factorlab as fl
        >>> ds = fl.load_dataset("sample", n_tickers=20, years=3)
        >>> past = ds.as_of("2023-06-30")
        >>> past.end, bool((past.fundamentals["available_at"] <= "2023-06-30").all())
        (Timestamp('2023-06-30 00:00:00'), True)
        """
        day = as_date(date, "date")
        if day < self.start:
            raise DataError(
                f"as_of date {day:%Y-%m-%d} is before the data starts ({self.start:%Y-%m-%d})."
            )
        return self._window(None, day, None, f"as of the close of {day:%Y-%m-%d}")

    def slice(
        self,
        start: DateLike | None = None,
        end: DateLike | None = None,
        tickers: Tickers | None = None,
    ) -> Dataset:
        """The dataset restricted to dates ``start..end`` (inclusive) and the given tickers.

        Fundamentals filed before ``start`` are kept (trailing sums need them); anything known
        only after ``end`` is dropped. Without ``tickers``, tickers with no price in the window
        are dropped; a ticker you ask for must have one.

        Parameters
        ----------
        start : str, date or Timestamp, optional
            The first day kept; text such as ``"2020-06-30"`` works too (parsed with
            :func:`factorlab.params.as_date`). None (the default) keeps from the data's start.
        end : str, date or Timestamp, optional
            The last day kept, in the same forms. None (the default) keeps to the data's end.
        tickers : list of str or str, optional
            The tickers to keep, in this order: a list, or a string such as ``"AAPL,MSFT"``
            (commas or spaces; parsed with :func:`factorlab.params.as_tickers`, duplicates
            dropped). Each is matched exactly, else case-insensitively when that is unambiguous.
            None (the default) keeps every ticker with a price in the window.

        Returns
        -------
        Dataset
            A new dataset on the trading days from ``start`` to ``end``.

        Raises
        ------
        DataError
            When ``start`` is after ``end``, there are no trading days between them, a ticker is
            not in the dataset (or matches several only by case), or a ticker you ask for has no
            price in the window.
        ConfigError
            When a date does not parse, or ``tickers`` is empty or not ticker strings.

        Examples
        --------
        >>> import factorlab as fl
        >>> ds = fl.load_dataset("sample", n_tickers=20, years=3)
        >>> part = ds.slice("2023-01-01", "2023-12-31", tickers=ds.tickers[:2])
        >>> len(part.tickers), f"{part.start:%Y-%m-%d}", f"{part.end:%Y-%m-%d}"
        (2, '2023-01-02', '2023-12-29')
        """
        first = None if start is None else as_date(start, "start")
        last = None if end is None else as_date(end, "end")
        if first is not None and last is not None and first > last:
            raise DataError(f"slice start {first:%Y-%m-%d} is after end {last:%Y-%m-%d}.")
        wanted = None if tickers is None else self._resolve(tickers)
        return self._window(first, last, wanted, None)

    def _resolve(self, tickers: object) -> list[str]:
        """Match requested tickers exactly, else case-insensitively when that is unambiguous."""
        known = set(self.tickers)
        by_upper: dict[str, list[str]] = {}
        for ticker in self.tickers:
            by_upper.setdefault(ticker.upper(), []).append(ticker)
        resolved = []
        for ticker in as_tickers(tickers, upper=False):
            matches = [ticker] if ticker in known else by_upper.get(ticker.upper(), [])
            if len(matches) != 1:
                found = f" It matches {', '.join(matches)}; spell it exactly." if matches else ""
                raise DataError(
                    f"Unknown ticker {ticker!r}: it is not in this dataset.{found}"
                    f"{did_you_mean(ticker, known) if not matches else ''} "
                    f"See ds.tickers for the {len(known)} known."
                )
            resolved.append(matches[0])
        return resolved

    def _window(
        self,
        start: pd.Timestamp | None,
        end: pd.Timestamp | None,
        tickers: list[str] | None,
        note: str | None,
    ) -> Dataset:
        prices = self.prices.loc[start:end]
        if prices.empty:
            raise DataError(
                f"No trading days {_span(start, end)}; the data runs from "
                f"{self.start:%Y-%m-%d} to {self.end:%Y-%m-%d}."
            )
        last_day = prices.index[-1]
        # What was known at the close of ``end`` (which may be a weekend) is the cut-off.
        cutoff = last_day if end is None else max(end, last_day)
        has_price = prices.notna().any()
        if tickers is None:
            tickers = has_price.index[has_price.to_numpy()].tolist()
        else:
            absent = [t for t in tickers if not has_price[t]]
            if absent:
                raise DataError(
                    f"{', '.join(absent)} has no price between {prices.index[0]:%Y-%m-%d} and "
                    f"{last_day:%Y-%m-%d}; see ds.meta for listing dates."
                )
        prices = prices[tickers]
        fundamentals = None
        if self.fundamentals is not None:
            f = self.fundamentals
            keep = f["ticker"].isin(tickers) & (f["available_at"] <= cutoff)
            fundamentals = f[keep]
        meta = self.meta.loc[tickers].copy()
        meta["delisted"] = meta["delisted"].where(meta["delisted"] <= cutoff)
        truth = self.truth
        if truth is not None and hasattr(truth, "window"):
            truth = truth.window(prices.index[0], last_day, tickers)
        return Dataset(
            prices=prices,
            volume=None if self.volume is None else self.volume.loc[prices.index, tickers],
            close=None if self.close is None else self.close.loc[prices.index, tickers],
            fundamentals=fundamentals,
            meta=meta,
            benchmark=None if self.benchmark is None else self.benchmark.loc[prices.index],
            truth=truth,
            source=self.source,
            notes=self.notes + ([note] if note else []),
            failed=self.failed,
        )

    def fingerprint(self) -> str:
        """A short hash of the data: two runs on the same fingerprint saw the same numbers.

        It covers prices, volume, close, fundamentals, meta and benchmark (values, index and
        column labels), not the source, notes, failed tickers or truth: 16 hex digits of a SHA-256.

        Examples
        --------
        >>> import factorlab as fl
        >>> a = fl.load_dataset("sample", n_tickers=20, years=3)
        >>> a.fingerprint() == fl.load_dataset("sample", n_tickers=20, years=3).fingerprint()
        True
        """
        return fingerprint_of(
            self.prices, self.volume, self.close, self.fundamentals, self.meta, self.benchmark
        )

    # -- persistence --------------------------------------------------------------------------
    def save(self, path: str | os.PathLike[str], *, overwrite: bool = True) -> None:
        """Write the dataset to a folder of parquet files and a JSON manifest, atomically.

        The files are written to a temporary folder beside ``path`` and renamed into place, so
        a crash never leaves a half-written dataset. An existing dataset folder is replaced
        (unless ``overwrite=False``); any other existing path is refused.

        Parameters
        ----------
        path : str or path-like
            The dataset folder; ``~`` is expanded and missing parent folders are made. Read it
            back with ``fl.load_dataset(path)``.
        overwrite : bool, default True
            Whether to replace a dataset already saved at ``path`` (text such as ``"false"``
            works).

        Raises
        ------
        DataError
            When ``path`` exists but is not a dataset folder, a dataset is there and
            ``overwrite`` is false, or a part cannot be stored as parquet (a column mixing
            types).

        Examples
        --------
        >>> import tempfile, factorlab as fl
        >>> ds = fl.load_dataset("sample", n_tickers=20, years=3)
        >>> folder = tempfile.mkdtemp() + "/lab"
        >>> ds.save(folder)
        >>> fl.load_dataset(folder).prices.equals(ds.prices)
        True
        """
        frames: dict[str, pd.DataFrame] = {"prices": self.prices, "meta": self.meta}
        parts = {
            "volume": self.volume,
            "close": self.close,
            "fundamentals": self.fundamentals,
            "benchmark": None if self.benchmark is None else self.benchmark.to_frame(),
        }
        frames |= {name: frame for name, frame in parts.items() if frame is not None}
        truth_params = None
        if self.truth is not None:
            truth_params, truth_frames = self.truth.to_saved()
            frames |= truth_frames
        details = {
            "source": self.source,
            "notes": self.notes,
            "failed": self.failed,
            "truth": truth_params,
        }
        write_folder(frames, details, path, overwrite=as_bool(overwrite, "overwrite"))

    # -- display -------------------------------------------------------------------------------
    def _headline(self) -> str:
        s = self.summary()
        return (
            f"{s['tickers']} tickers in {s['sectors']} sectors, {s['start']:%Y-%m-%d} to "
            f"{s['end']:%Y-%m-%d} ({s['days']:,} days)"
        )

    def __repr__(self) -> str:
        s = self.summary()
        extras = []
        if s["fundamental_rows"]:
            extras.append(f"{s['fundamental_rows']:,} fundamental rows")
        if s["delisted"]:
            extras.append(f"{s['delisted']} delisted")
        if s["failed"]:
            extras.append(f"{s['failed']} failed")
        tail = f"; {', '.join(extras)}" if extras else ""
        return f"<Dataset {self.source!r}: {self._headline()}{tail}>"

    def _repr_html_(self) -> str:
        s = self.summary()
        rows = [
            ("source", s["source"]),
            ("tickers", f"{s['tickers']:,} in {s['sectors']} sectors"),
            ("dates", f"{s['start']:%Y-%m-%d} to {s['end']:%Y-%m-%d} ({s['days']:,} trading days)"),
            ("listed late / delisted", f"{s['listed_late']} / {s['delisted']}"),
            (
                "fundamentals",
                f"{s['fundamental_rows']:,} rows" if self.fundamentals is not None else "none",
            ),
            ("volume", "yes" if self.volume is not None else "none"),
            ("benchmark", s["benchmark"] or "none"),
        ]
        if self.failed:
            rows.append(("failed", ", ".join(f"{t} ({why})" for t, why in self.failed.items())))
        if self.truth is not None:
            premia = getattr(self.truth, "premia_ann", {})
            rows.append(
                ("planted premia", ", ".join(f"{k} {v:+.1%}/yr" for k, v in premia.items()))
            )
        body = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
            f"<td style='text-align:left'>{html.escape(str(v))}</td></tr>"
            for k, v in rows
        )
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        return (
            f"<div><strong>factorlab Dataset</strong><table>{body}</table>"
            + (f"<ul>{notes}</ul>" if notes else "")
            + "</div>"
        )


def _span(start: pd.Timestamp | None, end: pd.Timestamp | None) -> str:
    if start is not None and end is not None:
        return f"between {start:%Y-%m-%d} and {end:%Y-%m-%d}"
    return f"from {start:%Y-%m-%d} on" if start is not None else f"up to {end:%Y-%m-%d}"


def fingerprint_of(*parts: pd.DataFrame | pd.Series | None) -> str:
    """16 hex digits of a SHA-256 of the frames' values, index and column labels, in order.

    A missing part (None) counts as one, so the position of every part matters.

    Examples
    --------
    >>> import pandas as pd
    >>> prices = pd.Series([1.0, 2.0], name="x")
    >>> fingerprint_of(prices) == fingerprint_of(prices.copy()) != fingerprint_of(prices * 2)
    True
    """
    digest = hashlib.sha256()
    for part in parts:
        if part is not None:
            digest.update(pd.util.hash_pandas_object(part, index=True).to_numpy().tobytes())
            labels = part.columns if isinstance(part, pd.DataFrame) else [part.name]
            digest.update(repr(list(labels)).encode())
        digest.update(b"|")
    return digest.hexdigest()[:16]
