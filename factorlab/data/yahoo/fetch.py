"""The boundary to yfinance: every network call factorlab makes to Yahoo goes through here.

yfinance reports most failures by logging them and returning an empty frame, not by raising
(ranaroussi/yfinance#1548, #2625). This module turns both into a per-ticker reason, retries
rate limits a bounded number of times with exponential backoff and jitter, and never loops.
Tests replace ``yfinance.download`` and ``yfinance.Ticker`` with fakes, and also run yfinance
whole against a fake Yahoo on 127.0.0.1 (``tests/data/yahoo/over_http.py``).
"""

from __future__ import annotations

import ast
import logging
import random
import re
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

import pandas as pd

__all__ = [
    "PRICE_FIELDS",
    "STATEMENTS",
    "RetryPolicy",
    "download_prices",
    "fetch_details",
    "forget_responses",
    "quiet_yfinance",
]

T = TypeVar("T")

#: Columns kept from ``yf.download(auto_adjust=False, actions=True)``, renamed.
PRICE_FIELDS = {
    "Adj Close": "adj_close",
    "Close": "close",
    "Volume": "volume",
    "Stock Splits": "split",
}

#: The statements fetched per ticker: kind -> (Ticker method, frequency). Annual income is
#: not fetched: it cannot be split into quarters (see statements.py).
STATEMENTS = {
    "quarterly_income": ("get_income_stmt", "quarterly"),
    "quarterly_balance": ("get_balance_sheet", "quarterly"),
    "quarterly_cashflow": ("get_cash_flow", "quarterly"),
    "annual_balance": ("get_balance_sheet", "yearly"),
}

_quiet_lock = threading.Lock()
_quiet_depth = 0
_quiet_saved: tuple[Any, ...] = ()


@contextmanager
def quiet_yfinance() -> Iterator[None]:
    """A context in which yfinance raises, logs only to factorlab and shows no warnings.

    While inside (re-entrant, across threads): yfinance raises instead of hiding exceptions
    in empty frames, its log records reach factorlab's handlers (whatever level the user set)
    but not the user's screen, and warnings issued from its code are not shown.
    """
    global _quiet_depth, _quiet_saved
    logger = logging.getLogger("yfinance")
    with _quiet_lock:
        if _quiet_depth == 0:
            debug = _debug_config()
            _quiet_saved = (logger.level, logger.propagate, debug.hide_exceptions)
            logger.setLevel(logging.WARNING)
            logger.propagate = False
            logger.addHandler(_SILENT)
            debug.hide_exceptions = False
            warnings.filterwarnings("ignore", module=r"yfinance(\..*)?$")
        _quiet_depth += 1
    try:
        yield
    finally:
        with _quiet_lock:
            _quiet_depth -= 1
            if _quiet_depth == 0:
                level, propagate, hide = _quiet_saved
                logger.setLevel(level)
                logger.propagate = propagate
                logger.removeHandler(_SILENT)
                _debug_config().hide_exceptions = hide
                _remove_warning_filter(r"yfinance(\..*)?$")


def _remove_warning_filter(module: str) -> None:
    for entry in list(warnings.filters):
        if entry[0] == "ignore" and getattr(entry[3], "pattern", None) == module:
            warnings.filters.remove(entry)  # type: ignore[attr-defined]  # a list at run time
            break
    getattr(warnings, "_filters_mutated", lambda: None)()  # drop the filters' cached lookups


_SILENT = logging.NullHandler()  # so Python's last-resort handler does not print either


def _debug_config() -> Any:
    """Yfinance's debug settings (``yf.config.debug``; a stand-in on versions without it)."""
    import yfinance as yf  # yfinance costs about a second: only to download

    debug = getattr(getattr(yf, "config", None), "debug", None)
    return debug if debug is not None else _NoConfig()


class _NoConfig:
    hide_exceptions = True


def forget_responses() -> None:
    """Drop yfinance's in-memory copies of Yahoo's responses (for ``refresh=True``)."""
    try:
        from yfinance.data import YfData  # yfinance costs about a second: only to download

        YfData.cache_get.cache_clear()
    except (ImportError, AttributeError):  # another yfinance: nothing of the kind to clear
        pass


_RATE_LIMITED = re.compile(r"rate.?limit|too many requests|\b429\b", re.IGNORECASE)


@dataclass
class RetryPolicy:
    """Bounded retries for rate limits: ``attempts`` calls in all, with sleeps between them.

    The sleep before retry ``k`` is ``base_delay_s * 2**k`` (times a random factor in
    [0.5, 1.5], at most ``max_delay_s``).
    """

    attempts: int = 4
    base_delay_s: float = 2.0
    max_delay_s: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)
    delays: list[float] = field(default_factory=list)  # every sleep taken, for the notes

    def wait(self, retry: int) -> None:
        """The backoff sleep before retry ``retry`` (counted from 0), recorded in ``delays``."""
        delay = min(self.base_delay_s * 2**retry * self.rng.uniform(0.5, 1.5), self.max_delay_s)
        self.delays.append(delay)
        self.sleep(delay)


def is_rate_limit(error: BaseException | str) -> bool:
    """Whether an exception or yfinance's error text says Yahoo rate-limited us."""
    if isinstance(error, BaseException) and type(error).__name__ == "YFRateLimitError":
        return True
    return bool(_RATE_LIMITED.search(str(error)))


@dataclass
class PriceBatch:
    """Downloaded prices: a frame per ticker and a reason per failed ticker.

    Each frame has the ``PRICE_FIELDS`` columns on the ticker's trading days.
    """

    frames: dict[str, pd.DataFrame]
    failed: dict[str, str]


def download_prices(
    tickers: Sequence[str], start: pd.Timestamp, end: pd.Timestamp, policy: RetryPolicy
) -> PriceBatch:
    """Daily prices of ``tickers`` from ``start`` to ``end`` (both inclusive).

    They come from ``yf.download``, retrying the tickers Yahoo rate-limited.
    """
    frames: dict[str, pd.DataFrame] = {}
    failed: dict[str, str] = {}
    pending = list(tickers)
    for attempt in range(policy.attempts):
        if attempt:
            policy.wait(attempt - 1)
        data, errors = _download(pending, start, end)
        limited = []
        for ticker in pending:
            frame = _one_ticker(data, ticker)
            if frame is not None:
                frames[ticker] = frame
                failed.pop(ticker, None)
                continue
            reason = (
                errors.get(ticker)
                or errors.get("*")
                or (
                    f"no prices between {start:%Y-%m-%d} and {end:%Y-%m-%d} (unknown or delisted "
                    "ticker, or no trading in that range)"
                )
            )
            failed[ticker] = reason
            if is_rate_limit(reason):
                limited.append(ticker)
        if not limited:
            break
        pending = limited
    for ticker, reason in failed.items():
        if is_rate_limit(reason):
            failed[ticker] = f"rate-limited by Yahoo after {policy.attempts} attempts ({reason})"
    return PriceBatch(frames, failed)


def _download(
    tickers: list[str], start: pd.Timestamp, end: pd.Timestamp
) -> tuple[pd.DataFrame | None, dict[str, str]]:
    """One ``yf.download`` call; the errors it logged (or raised), by ticker (``"*"``: all)."""
    import yfinance as yf  # yfinance costs about a second: only to download

    capture = _ErrorCapture()
    logger = logging.getLogger("yfinance")
    try:
        with quiet_yfinance():
            logger.addHandler(capture)
            data = yf.download(
                list(tickers),
                start=start.strftime("%Y-%m-%d"),
                end=(end + pd.Timedelta(days=1)).strftime("%Y-%m-%d"),  # exclusive in yfinance
                auto_adjust=False,
                actions=True,
                progress=False,
                threads=True,
                group_by="column",
                multi_level_index=True,
            )
    except Exception as err:  # yfinance raises a handful of types (network, JSON, rate limit)
        return None, {"*": f"{type(err).__name__}: {err}"}
    finally:
        logger.removeHandler(capture)
    return data, capture.by_ticker


class _ErrorCapture(logging.Handler):
    """Collects yfinance's ``"['AAA', 'BBB']: reason"`` error lines, by ticker."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.by_ticker: dict[str, str] = {}

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage().strip()
        match = re.match(r"^(\[.*?\]):\s*(.*)$", message, re.DOTALL)
        if match:
            try:
                tickers = ast.literal_eval(match.group(1))
            except (ValueError, SyntaxError):
                return
            for ticker in tickers:
                self.by_ticker[str(ticker).upper()] = match.group(2).strip()
        elif ":" in message:  # "AAA: reason", as Ticker methods log
            ticker, _, reason = message.partition(":")
            if ticker.strip() and " " not in ticker.strip():
                self.by_ticker.setdefault(ticker.strip().upper(), reason.strip())


def _one_ticker(data: pd.DataFrame | None, ticker: str) -> pd.DataFrame | None:
    """The ticker's columns of a ``yf.download`` result, or None when it has no price."""
    if data is None or data.empty or not isinstance(data.columns, pd.MultiIndex):
        return None
    columns = data.columns
    level = 1 if ticker in columns.get_level_values(1) else None
    if level is None:
        return None
    frame = data.xs(ticker, axis=1, level=level)
    frame = frame.reindex(columns=list(PRICE_FIELDS)).rename(columns=PRICE_FIELDS)
    frame = frame.astype("float64")
    frame = frame[frame["adj_close"].notna()]
    if frame.empty:
        return None
    index = pd.DatetimeIndex(frame.index)
    frame.index = (index.tz_localize(None) if index.tz is not None else index).normalize()
    frame.index.name = "date"
    frame["split"] = frame["split"].fillna(0.0)
    return frame[~frame.index.duplicated(keep="last")]


@dataclass
class Details:
    """What ``yf.Ticker`` gives for one ticker, with the reason for each part that failed.

    The parts are statements by kind (Yahoo rows × period ends), earnings dates and a few
    ``info`` fields.
    """

    statements: dict[str, pd.DataFrame]
    earnings_dates: pd.DataFrame
    info: dict[str, Any]
    failed: dict[str, str]


INFO_FIELDS = (
    "longName",
    "shortName",
    "sector",
    "industry",
    "sharesOutstanding",
    "currency",
    "financialCurrency",  # the statements' currency: an ADR's may not be its price's
    "exchange",
)


def fetch_details(ticker: str, kinds: Sequence[str], policy: RetryPolicy) -> Details:
    """The statements, earnings dates and info of one ticker that ``kinds`` asks for.

    ``kinds`` holds any of ``STATEMENTS``, ``"earnings_dates"``, ``"info"``; a part that fails
    is empty, with its reason in ``failed``.
    """
    out = Details({}, pd.DataFrame(), {}, {})
    for kind in kinds:
        with quiet_yfinance():
            value, reason = _call_with_retries(partial(_part, ticker, kind), policy)
        if reason:
            out.failed[kind] = reason
        if kind in STATEMENTS:
            out.statements[kind] = value if isinstance(value, pd.DataFrame) else pd.DataFrame()
        elif kind == "earnings_dates":
            out.earnings_dates = value if isinstance(value, pd.DataFrame) else pd.DataFrame()
        else:
            info = value if isinstance(value, dict) else {}
            out.info = {k: info[k] for k in INFO_FIELDS if info.get(k) is not None}
    return out


def _part(ticker: str, kind: str) -> Any:
    """One request for one part.

    A fresh ``Ticker`` each time: yfinance remembers a failed ``info`` and would answer a retry with
    nothing, without asking Yahoo again.
    """
    import yfinance as yf  # yfinance costs about a second: only to download

    handle = yf.Ticker(ticker)
    if kind in STATEMENTS:
        method, freq = STATEMENTS[kind]
        return getattr(handle, method)(freq=freq)
    if kind == "earnings_dates":
        return handle.get_earnings_dates(limit=40)
    if kind == "info":
        info = handle.info
        if not info:
            raise LookupError("Yahoo returned no company profile")
        return info
    raise ValueError(f"unknown kind {kind!r}")


def _call_with_retries(call: Callable[[], T], policy: RetryPolicy) -> tuple[T | None, str]:
    """``call()``, retried on rate limits; ``(value, "")`` or ``(None, reason)``."""
    reason = ""
    for attempt in range(policy.attempts):
        if attempt:
            policy.wait(attempt - 1)
        try:
            return call(), ""
        except Exception as err:  # yfinance raises many types; each becomes a reason
            reason = f"{type(err).__name__}: {err}"
            if not is_rate_limit(err):
                return None, reason
    return None, f"rate-limited by Yahoo after {policy.attempts} attempts ({reason})"
