"""The Yahoo loader: cached prices, then statements and company profiles, as a Dataset.

The Dataset carries notes on what the loader assumed and a list of what failed.
"""

from __future__ import annotations

import os
import re
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from factorlab.data import edgar
from factorlab.data.dataset import Dataset
from factorlab.data.edgar.splits import on_todays_shares
from factorlab.data.schema import FUNDAMENTAL_VALUES
from factorlab.data.yahoo.cache import (
    YahooCache,
    as_cached,
    cached_earnings,
    cached_info,
    cached_statement,
    default_cache_dir,
)
from factorlab.data.yahoo.fetch import (
    STATEMENTS,
    RetryPolicy,
    download_prices,
    fetch_details,
    forget_responses,
    is_rate_limit,
    quiet_yfinance,
)
from factorlab.data.yahoo.statements import (
    ANNUAL_LAG_DAYS,
    QUARTER_LAG_DAYS,
    adjust_for_splits,
    fundamentals_from_statements,
)
from factorlab.errors import ConfigError, DataError
from factorlab.params import DateLike, Tickers, as_bool, as_date, as_float, as_tickers

__all__ = ["load_yahoo"]

BATCH_SIZE = 100  # tickers per yf.download call
DETAIL_THREADS = 4  # tickers whose statements are fetched at once
DETAIL_KINDS = (*STATEMENTS, "earnings_dates", "info")
_SYMBOL = re.compile(r"^[A-Z0-9^][A-Z0-9.\-=^&]*$")  # BRK-B, ^GSPC, 7203.T, EURUSD=X
FUNDAMENTALS_SOURCES = ("auto", "yahoo", "edgar")
_US_SYMBOL = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z])?$")  # AAPL, BRK-B; not 7203.T, ^GSPC, X=F


@dataclass(frozen=True)
class EdgarOptions:
    """How to ask the SEC when fundamentals come from EDGAR."""

    user_agent: str | None
    cache_dir: Path | None  # None: EDGAR's default, beside Yahoo's in factorlab's cache
    max_age_days: float = 1.0


def load_yahoo(
    tickers: Tickers,
    start: DateLike = "2015-01-01",
    end: DateLike | None = None,
    benchmark: str | None = "SPY",
    cache_dir: str | os.PathLike[str] | None = None,
    refresh: bool = False,
    offline: bool = False,
    progress: bool = True,
    retry: RetryPolicy | None = None,
    fundamentals: Literal["auto", "yahoo", "edgar"] = "auto",
    user_agent: str | None = None,
    edgar_max_age_days: float = 1.0,
) -> Dataset:
    """A Dataset of today's ``tickers`` from Yahoo Finance, cached on disk.

    Parameters
    ----------
    tickers : list of str or str
        Yahoo symbols ("AAPL,MSFT" works). Upper-cased; a symbol with a space is refused (Yahoo
        writes share classes with a dash: BRK-B).
    start, end : date, optional
        The first and last day of the dataset (``end``: today).
    benchmark : str or None
        A Yahoo symbol whose adjusted close becomes ``ds.benchmark`` ("SPY"); None for none.
    cache_dir : path, optional
        Where downloads are kept; else ``$FACTORLAB_CACHE``, else the per-user cache folder.
    refresh : bool
        Download again even what the cache holds fresh (prices are fresh for a day,
        statements, earnings dates and company info for a week).
    offline : bool
        Use only the cache, at any age; say what is missing. No network.
    progress : bool
        Show progress bars.
    retry : RetryPolicy, optional
        How often and how patiently to retry when Yahoo rate-limits (4 attempts by default).
    fundamentals : {"auto", "yahoo", "edgar"}
        Where the statements come from. ``"edgar"``: every quarter since the company's first
        XBRL filing (2009 for the largest), as first reported and dated by its filing, from the
        SEC (US filers only; see :func:`factorlab.data.edgar.fundamentals`), cached in
        ``edgar/`` beside Yahoo's. ``"yahoo"``: the last five quarters or so, as restated
        today. ``"auto"`` (default): EDGAR when every ticker is a US listing and a SEC
        User-Agent is set, else Yahoo; ``ds.notes`` says which and why.
    user_agent : str, optional
        For ``fundamentals="edgar"``: your name and email, which the SEC asks of every client
        (default ``$FACTORLAB_SEC_USER_AGENT``); not needed when the cache holds everything.
    edgar_max_age_days : float, default 1
        How old a cached EDGAR company-facts file may be before it is fetched again (a
        company files a few times a quarter; 7 saves requests in a long session, 0 asks now).

    Returns
    -------
    Dataset
        ``prices``: adjusted close (splits and dividends), for returns. ``close``: the traded
        close (splits only), which with shares outstanding gives market cap. ``volume``.
        ``fundamentals``: from Yahoo, the quarters and fiscal years it serves (about five and
        four), with ``available_at`` the day after the earnings date that reported them, else
        period end + 45 days (quarters) or + 90 days (years); ``available_basis`` says which.
        From EDGAR, every filed quarter with ``available_at`` the business day after its
        filing, shares and EPS on today's split basis.
        ``meta``: name, sector and industry. ``failed``: each ticker that could not be loaded,
        with the reason. ``notes``: the source, the time, and every assumption above.

    Raises
    ------
    ConfigError
        For bad arguments (no tickers, a symbol with a space, start after end), or EDGAR
        fundamentals to download without a User-Agent.
    DataError
        When no ticker could be loaded at all (offline, Yahoo down, every symbol unknown), or
        no company's fundamentals from EDGAR.

    Examples
    --------
    >>> import factorlab as fl
    >>> ds = fl.load_dataset("yahoo", tickers="AAPL,MSFT", start="2020-01-01")  # doctest: +SKIP
    >>> ds.failed  # doctest: +SKIP
    {}
    >>> ds = fl.load_dataset("yahoo", tickers="AAPL", fundamentals="edgar")  # doctest: +SKIP
    """
    given = as_tickers(tickers, "tickers", upper=False) if not _blank(tickers) else []
    symbols = _symbols(given)
    first = as_date(start, "start")
    today = pd.Timestamp(datetime.now(UTC).date())
    last = today if end is None else as_date(end, "end")
    if first > last:
        raise ConfigError(f"start ({first:%Y-%m-%d}) is after end ({last:%Y-%m-%d}).")
    index_symbol = None if benchmark in (None, "", "none", "None") else _symbols(benchmark)[0]
    refresh, offline, progress = (
        as_bool(v, n)
        for v, n in ((refresh, "refresh"), (offline, "offline"), (progress, "progress"))
    )
    if refresh and offline:
        raise ConfigError(
            "refresh=True downloads again and offline=True never downloads; choose one."
        )
    max_age = as_float(edgar_max_age_days, "edgar_max_age_days")
    if not 0 <= max_age <= 3660:  # a timedelta past ten years is of no use, and far past, an error
        raise ConfigError(
            f"edgar_max_age_days must be between 0 and 3660 days, got {edgar_max_age_days!r}."
        )
    source, why = _fundamentals_source(fundamentals, symbols, user_agent)
    cache = YahooCache(default_cache_dir() if cache_dir is None else cache_dir)
    options = None
    if source == "edgar":
        folder = None if cache_dir is None else Path(cache_dir).expanduser() / "edgar"
        options = EdgarOptions(user_agent or None, folder, max_age)
    loader = _Loader(
        cache, retry or RetryPolicy(), first, last, today, refresh, offline, progress, options
    )
    loader.notes.append(why)
    if refresh:
        forget_responses()
    with quiet_yfinance():
        return loader.load(symbols, index_symbol, given)


def _fundamentals_source(choice: str, symbols: list[str], agent: str | None) -> tuple[str, str]:
    """``"yahoo"`` or ``"edgar"`` for ``choice``, and a note saying which and why."""
    source = str(choice).strip().lower()
    if source not in FUNDAMENTALS_SOURCES:
        raise ConfigError(
            f"fundamentals must be 'auto', 'yahoo' or 'edgar', got {choice!r}: 'edgar' for "
            "every quarter since 2009 as first reported (US filers), 'yahoo' for the last five, "
            "'auto' for EDGAR when every ticker is a US one and a SEC User-Agent is set."
        )
    if source == "edgar":
        return source, "Fundamentals source: SEC EDGAR (fundamentals='edgar')."
    if source == "yahoo":
        return source, "Fundamentals source: Yahoo (fundamentals='yahoo')."
    foreign = [s for s in symbols if not _US_SYMBOL.match(s)]
    if foreign:
        return "yahoo", (
            "Fundamentals source: Yahoo, as some tickers are not US listings ("
            + ", ".join(foreign[:5])
            + "); SEC EDGAR covers US filers only."
        )
    if not (agent or os.environ.get("FACTORLAB_SEC_USER_AGENT", "").strip()):
        return "yahoo", (
            "Fundamentals source: Yahoo (about five quarters), as no SEC User-Agent is set; set "
            "FACTORLAB_SEC_USER_AGENT to your name and email (or pass user_agent=) for every "
            "quarter since 2009 from SEC EDGAR, as first reported."
        )
    return "edgar", "Fundamentals source: SEC EDGAR (US tickers, a SEC User-Agent set)."


def _span(stamps: list[str]) -> str:
    """'at T' or 'between T1 and T2' (UTC, to the minute) for ISO timestamps."""
    if not stamps:
        return "never"
    first, last = min(stamps)[:16], max(stamps)[:16]
    return f"at {first} UTC" if first == last else f"between {first} and {last} UTC"


# Currencies Yahoo quotes in minor units: the major currency, and how many minor units make one
# (statements in the major unit are multiplied by it to meet prices in the minor one).
MINOR_UNITS = {
    "GBp": ("GBP", 100.0),
    "GBX": ("GBP", 100.0),
    "ZAc": ("ZAR", 100.0),
    "ILA": ("ILS", 100.0),
}
# Statement columns in currency units (shares outstanding is a count): flows over the quarter,
# and stocks at its end.
FLOW_COLUMNS = [c for c, meaning in FUNDAMENTAL_VALUES.items() if "(flow" in meaning]
STOCK_COLUMNS = [
    c for c in FUNDAMENTAL_VALUES if c not in FLOW_COLUMNS and c != "shares_outstanding"
]
QUARTER = "91D"
FX_HISTORY = pd.Timedelta(days=5 * 366)  # how far before the start exchange rates are read


def _in_trading_currency(found: pd.DataFrame, rate: pd.Series | None) -> pd.DataFrame:
    """Statement amounts in the price's currency, at the daily rates of each period.

    Flows at the mean rate of the quarter ending on the period end, balances at the rate of
    the period end (or the last before it). A period before the first known rate takes the
    first one, if it was known when the period's figures were (``available_at``); else its
    amounts are NaN, as a rate from after that day would be look-ahead. No rate: no rows.
    """
    if rate is None:
        return found.iloc[0:0]
    rate = rate.sort_index()
    ends = pd.DatetimeIndex(found["period_end"])
    at_end = rate.reindex(rate.index.union(ends)).ffill().bfill().loc[ends].to_numpy()
    mean = rate.rolling(QUARTER).mean()
    over_quarter = mean.reindex(mean.index.union(ends)).ffill().bfill().loc[ends].to_numpy()
    out = found.copy()
    flows = [c for c in FLOW_COLUMNS if c in out]
    stocks = [c for c in STOCK_COLUMNS if c in out]
    out[flows] = out[flows].mul(over_quarter, axis=0)
    out[stocks] = out[stocks].mul(at_end, axis=0)
    too_early = pd.DatetimeIndex(found["available_at"]) < rate.index[0]
    out.loc[too_early, flows + stocks] = float("nan")
    return out


def _gone(reason: str) -> bool:
    """Whether Yahoo's answer says it has no prices for the name, not that it was unreachable.

    Such a name is remembered for a day, so that reruns do not ask again.
    """
    text = reason.lower()
    if is_rate_limit(reason) or "connection" in text or "resolve" in text or "timed out" in text:
        return False
    return any(w in text for w in ("delisted", "no price", "no prices", "not found"))


def _plain(reason: str) -> str:
    """Yfinance's reason for a failed download, in words.

    Its bare ``HTTPError('HTTP Error 404: Not Found')`` is Yahoo's answer for a symbol it does
    not know; the reason says so.
    """
    if re.search(r"HTTP Error 404|\b404 Client Error", reason):
        return (
            "Yahoo has no such symbol (HTTP 404 Not Found: possibly delisted, renamed or "
            f"mistyped; yfinance said {reason})"
        )
    return reason


def _blank(value: object) -> bool:
    return isinstance(value, str) and not value.strip()


def _symbols(value: object) -> list[str]:
    if _blank(value) or (isinstance(value, list) and not value):
        raise ConfigError("tickers is empty; give at least one Yahoo symbol, e.g. 'AAPL,MSFT'.")
    symbols = as_tickers(value, "tickers")
    for symbol in symbols:
        if " " in symbol or not _SYMBOL.match(symbol):
            hint = f" Did you mean {symbol.replace(' ', '-')!r}?" if " " in symbol else ""
            raise ConfigError(
                f"{symbol!r} is not a Yahoo symbol: use letters, digits and . - ^ = only (share "
                f"classes take a dash, as in BRK-B).{hint}"
            )
    return symbols


class _Loader:
    """One load: the cache, the retry policy, the dates, and what happened along the way."""

    def __init__(
        self,
        cache: YahooCache,
        retry: RetryPolicy,
        start: pd.Timestamp,
        end: pd.Timestamp,
        today: pd.Timestamp,
        refresh: bool,
        offline: bool,
        progress: bool,
        edgar: EdgarOptions | None = None,
    ) -> None:
        self.cache, self.retry = cache, retry
        # With fundamentals from EDGAR, Yahoo serves only company profiles besides prices.
        self.edgar = edgar
        self.statements = edgar is None
        self.kinds = DETAIL_KINDS if self.statements else ("info",)
        self.splits: dict[str, pd.Series] = {}  # symbol -> split ratios by day, for the join
        self.start, self.end, self.today = start, end, today
        self.refresh, self.offline, self.progress = refresh, offline, progress
        self.notes: list[str] = []
        self.stale: dict[str, str] = {}  # symbol -> why a stale cached copy was used
        self.stale_details: list[str] = []  # "TICKER kind" kept over an empty answer
        self.downloads = 0
        self.fetched: list[str] = []  # when each price series used was downloaded (UTC)

    # -- the whole load ---------------------------------------------------------------------------
    def load(self, symbols: list[str], index_symbol: str | None, given: list[str]) -> Dataset:
        wanted = symbols + ([index_symbol] if index_symbol and index_symbol not in symbols else [])
        frames, failed = self._prices(wanted)
        bench = frames.get(index_symbol) if index_symbol else None
        frames = {s: frames[s] for s in symbols if s in frames}
        failed = {s: failed[s] for s in symbols if s in failed}
        panels = self._panels(frames, failed)
        if not panels:
            raise self._nothing_loaded(symbols, failed)
        prices, close, volume = panels
        loaded = prices.columns.tolist()
        details = self._details(loaded)
        rates = self._currency_rates(loaded, details, failed) if self.statements else {}
        fundamentals, meta = self._fundamentals_and_meta(loaded, frames, details, rates)
        no_fundamentals: dict[str, str] = {}
        if self.edgar is not None:
            fundamentals = self._edgar_fundamentals(loaded, self.edgar, no_fundamentals)
        benchmark = self._benchmark(bench, index_symbol, prices.index)
        self._explain(given, symbols, index_symbol, benchmark is not None)
        if failed:
            warnings.warn(
                f"Yahoo: {len(failed)} of {len(symbols)} tickers could not be loaded and are left "
                "out: " + "; ".join(f"{t} ({why})" for t, why in failed.items()) + ". See "
                "ds.failed.",
                UserWarning,
                stacklevel=4,
            )
        if self.cache.damaged:
            warnings.warn(f"Yahoo cache: {self._damaged_text()}", UserWarning, stacklevel=4)
        if no_fundamentals:
            warnings.warn(
                "EDGAR: no fundamentals for "
                + "; ".join(f"{t} ({why})" for t, why in no_fundamentals.items())
                + ". Their prices are loaded; their value and growth metrics are missing. See "
                "ds.failed.",
                UserWarning,
                stacklevel=4,
            )
            failed.update(
                {t: f"fundamentals from EDGAR: {why}" for t, why in no_fundamentals.items()}
            )
        return Dataset(
            prices=prices,
            volume=volume,
            fundamentals=fundamentals,
            meta=meta,
            benchmark=benchmark,
            close=close,
            source="yahoo",
            notes=self.notes,
            failed=failed,
        )

    # -- prices ---------------------------------------------------------------------------------
    def _prices(self, symbols: list[str]) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
        frames: dict[str, pd.DataFrame] = {}
        failed: dict[str, str] = {}
        cached = {s: self.cache.get(s, "prices") for s in symbols}
        to_fetch = []
        for symbol, entry in cached.items():
            if entry is not None and self._usable(entry, "prices"):
                frames[symbol] = entry.frame
                self.fetched.append(entry.record["fetched_at"])
                cached_from = pd.Timestamp(entry.record.get("start", self.start))
                if self.offline and cached_from > self.start:
                    self.stale[symbol] = f"the cache starts on {cached_from:%Y-%m-%d} (offline)"
            elif self.offline:
                failed[symbol] = (
                    "not in the cache, and offline=True does not download; run "
                    "once online, or load a saved dataset"
                )
            elif (
                not self.refresh
                and (known := self.cache.known_failure(symbol, self.start, self.today)) is not None
            ):
                failed[symbol] = (  # Yahoo said so within a day: not asked again
                    f"{known[0]} (remembered from {known[1]}; refresh=True asks again)"
                )
            else:
                to_fetch.append(symbol)
        batches = [to_fetch[i : i + BATCH_SIZE] for i in range(0, len(to_fetch), BATCH_SIZE)]
        for batch in self._bar(batches, "Yahoo prices", len(to_fetch) > BATCH_SIZE):
            starts = [self.start] + [
                pd.Timestamp(entry.record.get("start", self.start))
                for s in batch
                if (entry := cached.get(s)) is not None
            ]
            first = min(starts)  # keep what an earlier, longer load cached
            found = download_prices(batch, first, self.today, self.retry)
            self.downloads += 1
            for symbol, frame in found.frames.items():
                frame = frame[frame.index < self.today]  # today's bar may be unfinished
                self.cache.put(symbol, "prices", frame, start=first)
                self.cache.forget_failure(symbol)
                frames[symbol] = frame
                self.fetched.append(datetime.now(UTC).isoformat(timespec="seconds"))
            for symbol, reason in found.failed.items():
                entry = cached.get(symbol)
                if entry is not None:  # a stale copy beats nothing: say so
                    frames[symbol] = entry.frame
                    self.fetched.append(entry.record["fetched_at"])
                    self.stale[symbol] = f"download failed ({reason})"
                else:
                    failed[symbol] = reason = _plain(reason)
                    if _gone(reason):  # a rate limit or a network error passes; this stays
                        self.cache.remember_failure(symbol, reason, first, self.today)
        return frames, failed

    def _usable(self, entry: Any, kind: str) -> bool:
        if self.offline:
            return True
        if self.refresh or not self.cache.is_fresh(entry, kind):
            return False
        if kind == "info" and "currency" in entry.frame and "financialCurrency" not in entry.frame:
            return False  # cached before the statements' currency was kept: fetch it again
        return (
            kind != "prices" or pd.Timestamp(entry.record.get("start", "2100-01-01")) <= self.start
        )

    def _panels(
        self, frames: dict[str, pd.DataFrame], failed: dict[str, str]
    ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame] | None:
        inside = {}
        for symbol, frame in frames.items():
            window = frame.loc[(frame.index >= self.start) & (frame.index <= self.end)]
            window = window[window["adj_close"] > 0]
            if window.empty:
                failed[symbol] = f"no prices between {self.start:%Y-%m-%d} and {self.end:%Y-%m-%d}"
            else:
                inside[symbol] = window
        if not inside:
            return None
        dates = pd.DatetimeIndex(sorted(set().union(*(f.index for f in inside.values()))))

        def panel(column: str) -> pd.DataFrame:
            wide = pd.DataFrame({s: f[column] for s, f in inside.items()}).reindex(dates)
            wide.index.name = "date"
            return wide

        prices = panel("adj_close")
        close = panel("close").where(lambda c: c > 0)
        volume = panel("volume").where(lambda v: v >= 0)
        return prices, close, volume

    def _benchmark(
        self, frame: pd.DataFrame | None, symbol: str | None, dates: pd.DatetimeIndex
    ) -> pd.Series | None:
        if symbol is None:
            return None
        if frame is None:
            warnings.warn(
                f"Yahoo: the benchmark {symbol} could not be loaded; the dataset has no "
                "benchmark (fl.backtest can use benchmark='equal').",
                UserWarning,
                stacklevel=5,
            )
            self.notes.append(f"The benchmark {symbol} could not be loaded.")
            return None
        levels = frame["adj_close"].reindex(dates)
        return levels.where(levels > 0).rename(symbol)

    # -- statements, earnings dates, info ---------------------------------------------------------
    def _details(self, symbols: list[str]) -> dict[str, dict[str, Any]]:
        """Per symbol and kind, the cached or fetched frame; failures are kept as reasons."""
        out: dict[str, dict[str, Any]] = {s: {} for s in symbols}
        missing: dict[str, list[str]] = {}
        for symbol in symbols:
            for kind in self.kinds:
                entry = self.cache.get(symbol, kind)
                if entry is not None and self._usable(entry, kind):
                    out[symbol][kind] = entry.frame
                elif self.offline:
                    out[symbol][kind] = None
                    out[symbol].setdefault("failed", {})[kind] = "not in the cache (offline)"
                else:
                    missing.setdefault(symbol, []).append(kind)
        if not missing:
            return out

        def fetch(symbol: str) -> tuple[str, Any]:
            return symbol, fetch_details(symbol, missing[symbol], self.retry)

        with ThreadPoolExecutor(DETAIL_THREADS) as pool:
            results = pool.map(fetch, list(missing))
            for symbol, details in self._bar(results, "Yahoo statements", True, len(missing)):
                for kind in missing[symbol]:
                    frame = as_cached(details, kind)
                    entry = self.cache.get(symbol, kind)
                    kept = None if entry is None or entry.frame.empty else entry.frame
                    if kind in details.failed:
                        out[symbol][kind] = kept  # a stale copy helps
                        out[symbol].setdefault("failed", {})[kind] = details.failed[kind]
                    elif frame.empty and kept is not None:  # Yahoo's empty answer may be a hiccup
                        out[symbol][kind] = kept
                        self.stale_details.append(f"{symbol} {kind}")
                    else:
                        self.cache.put(symbol, kind, frame)
                        out[symbol][kind] = frame
        return out

    # -- currencies -------------------------------------------------------------------------------
    def _currency_rates(
        self, symbols: list[str], details: dict[str, dict], failed: dict[str, str]
    ) -> dict[str, pd.Series | None]:
        """The daily rate from each ticker's statement currency to its price's, where they differ.

        None for a ticker without a rate: its fundamentals are dropped and it is listed in
        ``failed``.
        """
        pairs: dict[str, tuple[str, float]] = {}  # symbol -> (FX symbol, minor-unit factor)
        for symbol in symbols:
            info = cached_info(details[symbol].get("info"))
            trade, reported = info.get("currency"), info.get("financialCurrency")
            if not trade or not reported:
                continue
            major, factor = MINOR_UNITS.get(str(trade), (str(trade), 1.0))
            if str(reported).upper() == major.upper():
                if factor != 1.0:  # prices in pence, statements in pounds: x 100
                    pairs[symbol] = ("", factor)
                continue
            pairs[symbol] = (f"{str(reported).upper()}{major.upper()}=X", factor)
        wanted = sorted({fx for fx, _ in pairs.values() if fx})
        frames: dict[str, pd.DataFrame] = {}
        fx_failed: dict[str, str] = {}
        if wanted:  # rates from years back: statements before the start count (trailing sums)
            start, self.start = self.start, self.start - FX_HISTORY
            try:
                frames, fx_failed = self._prices(wanted)
            finally:
                self.start = start
        out: dict[str, pd.Series | None] = {}
        converted = []
        for symbol, (fx, factor) in pairs.items():
            if not fx:
                out[symbol] = pd.Series(factor, index=pd.DatetimeIndex([self.start]))
                continue
            frame = frames.get(fx)
            if frame is None or frame["close"].dropna().empty:
                why = fx_failed.get(fx, "no rate came back")
                failed[symbol] = (
                    f"statements in another currency than its price and no {fx} rate ({why}); "
                    "its fundamentals are left out"
                )
                out[symbol] = None
                continue
            out[symbol] = frame["close"].dropna() * factor
            converted.append(f"{symbol} ({fx})")
        if converted:
            self.notes.append(
                "Statements converted to the trading currency at Yahoo's daily rates (flows at "
                "the quarter's mean rate, balances at the period end's): "
                + ", ".join(converted)
                + "."
            )
        return out

    def _fundamentals_and_meta(
        self,
        symbols: list[str],
        prices: dict[str, pd.DataFrame],
        details: dict[str, dict],
        rates: dict[str, pd.Series | None] | None = None,
    ) -> tuple[pd.DataFrame | None, pd.DataFrame]:
        rows, meta, split_notes, no_statements, no_meta = [], {}, [], {}, {}
        partial: dict[str, str] = {}  # fundamentals loaded, but some statements not
        for symbol in symbols:
            parts = details[symbol]
            info = cached_info(parts.get("info"))
            self.splits[symbol] = prices[symbol]["split"]
            statements = {
                kind: cached_statement(parts.get(kind)) for kind in STATEMENTS if self.statements
            }
            found = fundamentals_from_statements(
                symbol, statements, cached_earnings(parts.get("earnings_dates"))
            )
            if rates and symbol in rates and not found.empty:
                found = _in_trading_currency(found, rates[symbol])
            if found.empty and rates and rates.get(symbol, 1) is None:
                pass  # no rate: listed in failed already
            elif found.empty and not self.statements:
                pass  # the fundamentals come from elsewhere
            elif found.empty:
                reasons = {k: v for k, v in parts.get("failed", {}).items() if k in STATEMENTS}
                no_statements[symbol] = "; ".join(sorted(set(reasons.values()))) or "none served"
            else:
                missing = {k: v for k, v in parts.get("failed", {}).items() if k in STATEMENTS}
                if missing:
                    partial[symbol] = "; ".join(
                        f"{k.replace('_', ' ')}: {why}" for k, why in sorted(missing.items())
                    )
                found, notes = adjust_for_splits(
                    found, prices[symbol]["split"], info.get("sharesOutstanding")
                )
                split_notes += [f"{symbol} {note}" for note in notes]
                rows.append(found[found["available_at"] <= self.end])
            name = info.get("longName") or info.get("shortName")
            if not (name or info.get("sector")):
                no_meta[symbol] = parts.get("failed", {}).get("info", "none served")
            meta[symbol] = {
                "name": name,
                "sector": info.get("sector"),
                "industry": info.get("industry"),
                "delisted": pd.NaT,
            }
        if no_statements:
            warnings.warn(
                "Yahoo: no fundamentals for "
                + "; ".join(f"{t} ({why})" for t, why in no_statements.items())
                + ". Their value and growth "
                "metrics are missing.",
                UserWarning,
                stacklevel=5,
            )
            self.notes.append("No fundamentals for: " + ", ".join(no_statements) + ".")
        if partial:
            warnings.warn(
                "Yahoo: some statements missing for "
                + "; ".join(f"{t} ({why})" for t, why in partial.items())
                + ". Their figures are NaN there.",
                UserWarning,
                stacklevel=5,
            )
            self.notes.append(
                "Some statements missing: "
                + "; ".join(f"{t} ({why})" for t, why in partial.items())
                + "."
            )
        if no_meta:
            warnings.warn(
                "Yahoo: no company name or sector for "
                + ", ".join(no_meta)
                + "; ds.meta has NaN there.",
                UserWarning,
                stacklevel=5,
            )
        self.notes += split_notes
        table = pd.DataFrame.from_dict(meta, orient="index")
        table.index.name = "ticker"
        table["delisted"] = pd.to_datetime(table["delisted"])
        for column in ("name", "sector", "industry"):
            table[column] = table[column].astype("str").where(table[column].notna())
        fundamentals = pd.concat(rows, ignore_index=True) if rows else None
        if fundamentals is not None and fundamentals.empty:
            fundamentals = None
        return fundamentals, table

    def _edgar_fundamentals(
        self, symbols: list[str], options: EdgarOptions, failed: dict[str, str]
    ) -> pd.DataFrame | None:
        """EDGAR's rows for ``symbols`` on today's share basis, known by ``end``.

        Companies without rows go into ``failed``; none at all raises EDGAR's DataError, which
        names the offline routes.
        """
        rows = edgar.fundamentals(
            symbols,
            options.user_agent,
            cache_dir=options.cache_dir,
            offline=self.offline,
            refresh=self.refresh,
            max_age_days=options.max_age_days,
        )
        failed.update(rows.attrs.get("failed", {}))
        edgar_notes = list(rows.attrs.get("notes", []))
        rows, split_notes = on_todays_shares(rows, self.splits)
        rows = rows[rows["available_at"] <= self.end].reset_index(drop=True)
        self.notes += edgar_notes + split_notes
        return rows if not rows.empty else None

    # -- what a reader should know --------------------------------------------------------------
    def _explain(
        self, given: list[str], symbols: list[str], index_symbol: str | None, has_benchmark: bool
    ) -> None:
        now = datetime.now(UTC).isoformat(timespec="minutes")
        self.notes[:0] = [
            f"Source: Yahoo Finance through yfinance, loaded {now}; prices downloaded "
            f"{_span(self.fetched)} (cache: {self.cache.root}{', offline' if self.offline else ''}).",
            "Survivorship: the tickers are a list of today's names, so companies that were "
            "delisted, merged or went bankrupt before today are missing, and backtests on them "
            "are biased upward.",
            "Prices are Yahoo's adjusted close (splits and dividends), so returns include "
            "dividends; market cap uses the traded close (ds.close) times shares outstanding.",
            "Meta: name, sector and industry are today's, from Yahoo's company profile; no "
            "ticker is marked delisted.",
        ]
        if self.statements:
            self.notes[3:3] = [
                "Fundamentals: Yahoo serves about the last five quarters and four fiscal years, "
                "as restated today; older periods are missing, not back-filled, so trailing-"
                "twelve-month figures start once four consecutive quarters exist. Quarterly "
                "income, cash-flow (capital expenditure and dividends as positive payments) and "
                "balance-sheet figures; annual income is not split into quarters; annual "
                "balance sheets supply year-end equity, debt, cash and shares.",
                "available_at: the day after the earnings date that reported the period, where "
                f"Yahoo gives one; else period end + {QUARTER_LAG_DAYS} days for a quarter and + "
                f"{ANNUAL_LAG_DAYS} days for a fiscal year (see fundamentals.available_basis).",
            ]
        if [str(t).upper() for t in given] != list(given):
            self.notes.append("Tickers were upper-cased: " + ", ".join(symbols) + ".")
        if index_symbol and has_benchmark:
            self.notes.append(f"Benchmark: {index_symbol} adjusted close.")
        for symbol, why in self.stale.items():
            self.notes.append(f"{symbol}: used an older cached copy of its prices; {why}.")
        if self.stale_details:
            self.notes.append(
                "Yahoo answered with nothing for "
                + ", ".join(self.stale_details)
                + "; the cached copy was kept."
            )
        if self.cache.damaged:
            self.notes.append(self._damaged_text())

    def _damaged_text(self) -> str:
        again = "not fetched again (offline)" if self.offline else "fetched again"
        return f"damaged file(s) removed and {again}: {', '.join(self.cache.damaged)}."

    def _nothing_loaded(self, symbols: list[str], failed: dict[str, str]) -> DataError:
        shown = "; ".join(f"{t}: {why}" for t, why in list(failed.items())[:5])
        limited = failed and all("rate-limited" in why for why in failed.values())
        cause = (
            "Yahoo rate-limited every request; wait a few minutes and try again."
            if limited
            else "The network may be unreachable, Yahoo may be down, or the symbols unknown."
        )
        return DataError(
            f"No data came back from Yahoo for any of the {len(symbols)} tickers ({shown}). "
            f"{cause} To work offline: load_dataset('yahoo', ..., offline=True) uses what an "
            "earlier run cached; load_dataset('sample') is the embedded lab market; and a "
            "dataset saved with ds.save(path) (or `factorlab fetch ... --save path`) loads with "
            "load_dataset(path)."
        )

    def _bar(self, items: Any, label: str, show: bool, total: int | None = None) -> Any:
        if not (self.progress and show):
            return items
        from tqdm.auto import tqdm  # tqdm.auto loads the notebook widgets: only for a progress bar

        return tqdm(items, desc=label, total=total, leave=False)
