"""A fake Yahoo at yfinance's boundary: ``yf.download`` and ``yf.Ticker`` replaced by objects
that answer from constructed data the way yfinance 1.7 does (failures logged, not raised; an
empty frame when nothing comes back), and count every call."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yfinance
from yfinance.exceptions import YFRateLimitError

from factorlab.data.yahoo.fetch import RetryPolicy

RATE_LIMIT_TEXT = "YFRateLimitError('Too Many Requests. Rate limited. Try after a while.')"
DATES = pd.bdate_range("2023-01-02", "2024-12-31")


def price_frame(
    seed: int,
    split_on: str | None = None,
    ratio: float = 4.0,
    dates: pd.DatetimeIndex = DATES,
    splits: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Adjusted close, close, volume and splits on ``dates``; with a split, the close before it
    is already divided by the ratio (Yahoo adjusts history for splits)."""
    rng = np.random.default_rng(seed)
    close = 50 * np.cumprod(1 + rng.normal(0.0005, 0.015, len(dates)))
    frame = pd.DataFrame(
        {
            "Adj Close": close * 0.98,
            "Close": close,
            "Volume": rng.integers(1e5, 1e6, len(dates)),
            "Dividends": 0.0,
            "Stock Splits": 0.0,
        },
        index=dates,
    )
    for day, size in ({split_on: ratio} if split_on else splits or {}).items():
        frame.loc[pd.Timestamp(day), "Stock Splits"] = size
    return frame


def statements(
    shares: float = 1e9, split_on: str | None = None, ratio: float = 4.0
) -> dict[str, pd.DataFrame]:
    """Five quarters and two fiscal years, with Yahoo's row names (rows × period ends), shares
    as reported: periods after a split count post-split shares."""
    quarters = pd.to_datetime(
        ["2023-09-30", "2023-12-31", "2024-03-31", "2024-06-30", "2024-09-30"]
    )
    years = pd.to_datetime(["2022-12-31", "2023-12-31"])
    q_income = pd.DataFrame(
        {
            d: [100.0 + i, 40.0 + i, 30.0, 10.0 + i, (10.0 + i) / shares]
            for i, d in enumerate(quarters)
        },
        index=[
            "Total Revenue",
            "Gross Profit",
            "EBITDA",
            "Net Income Common Stockholders",
            "Diluted EPS",
        ],
    )
    q_balance = pd.DataFrame(
        {d: [500.0 + i, 200.0, 80.0, shares] for i, d in enumerate(quarters)},
        index=[
            "Stockholders Equity",
            "Total Debt",
            "Cash Cash Equivalents And Short Term Investments",
            "Ordinary Shares Number",
        ],
    )
    q_cashflow = pd.DataFrame(  # yfinance's raw names; payments are negative
        {d: [20.0 + i, -5.0, -2.0] for i, d in enumerate(quarters)},
        index=["OperatingCashFlow", "CapitalExpenditure", "CommonStockDividendPaid"],
    )
    a_income = pd.DataFrame(
        {d: [400.0, 40.0] for d in years}, index=["Total Revenue", "Net Income"]
    )
    a_balance = pd.DataFrame(
        {d: [450.0 + i, 190.0, 70.0, shares] for i, d in enumerate(years)},
        index=[
            "Stockholders Equity",
            "Total Debt",
            "Cash And Cash Equivalents",
            "Ordinary Shares Number",
        ],
    )
    if split_on:
        after = [d for d in quarters if d >= pd.Timestamp(split_on)]
        q_balance.loc["Ordinary Shares Number", after] *= ratio
        q_income.loc["Diluted EPS", after] /= ratio
    return {
        "quarterly_income": q_income,
        "quarterly_balance": q_balance,
        "quarterly_cashflow": q_cashflow,
        "annual_income": a_income,
        "annual_balance": a_balance,
    }


def earnings_dates() -> pd.DataFrame:
    """Announcements after the close, exchange time zone, as yfinance returns them."""
    when = pd.to_datetime(
        [
            "2023-02-02 16:30",
            "2023-11-02 16:30",
            "2024-02-01 16:30",
            "2024-05-02 16:30",
            "2024-08-01 16:30",
            "2024-10-31 16:30",
            "2025-01-30 16:30",
        ]
    ).tz_localize("America/New_York")
    frame = pd.DataFrame({"EPS Estimate": 1.0, "Reported EPS": 1.0, "Surprise(%)": 0.0}, index=when)
    frame.index.name = "Earnings Date"
    return frame


RECORDED = Path(__file__).parent / "recorded"
#: Yahoo's 2021 quoteSummary field -> the row yfinance serves the same figure under today
QUOTE_SUMMARY_ROWS = {
    "totalRevenue": "Total Revenue",
    "grossProfit": "Gross Profit",
    "netIncomeApplicableToCommonShares": "Net Income Common Stockholders",
    "netIncome": "Net Income",
    "totalStockholderEquity": "Stockholders Equity",
    "cash": "Cash And Cash Equivalents",
    "totalAssets": "Total Assets",
    "totalCashFromOperatingActivities": "Operating Cash Flow",
    "capitalExpenditures": "Capital Expenditure",
    "dividendsPaid": "Cash Dividends Paid",
}
INFO_MODULES = ("price", "summaryDetail", "defaultKeyStatistics", "financialData", "assetProfile")


def recorded(symbol: str) -> tuple[dict, dict[str, pd.DataFrame]]:
    """A ticker's company info and quarterly statements from Yahoo responses recorded by
    node-yahoo-finance2 (see ``recorded/README.md``), in the shapes yfinance hands them over:
    ``info`` merges the quoteSummary modules' raw values, as yfinance does; statements are rows
    x period ends, the figures untouched, the field names those yfinance uses today."""
    modules = json.loads((RECORDED / f"{symbol}.json").read_text())
    info: dict = {}
    for name in INFO_MODULES:
        body = modules[name]["body"][name]
        info.update({k: v.get("raw") if isinstance(v, dict) else v for k, v in body.items()})
    info = {k: v for k, v in info.items() if v is not None and v != {}}

    def frame(module: str, key: str) -> pd.DataFrame:
        periods = modules[module]["body"][module][key]
        columns = {
            pd.Timestamp(p["endDate"]["fmt"]): {
                QUOTE_SUMMARY_ROWS[k]: float(v["raw"])
                for k, v in p.items()
                if k in QUOTE_SUMMARY_ROWS and isinstance(v, dict) and "raw" in v
            }
            for p in periods
        }
        return pd.DataFrame(columns)

    return info, {
        "quarterly_income": frame("incomeStatementHistoryQuarterly", "incomeStatementHistory"),
        "quarterly_balance": frame("balanceSheetHistoryQuarterly", "balanceSheetStatements"),
        "quarterly_cashflow": frame("cashflowStatementHistoryQuarterly", "cashflowStatements"),
    }


@dataclass
class FakeYahoo:
    """Known symbols and their data; knobs for failures; counters of every call."""

    prices: dict[str, pd.DataFrame] = field(default_factory=dict)
    statements: dict[str, dict[str, pd.DataFrame]] = field(default_factory=dict)
    earnings: dict[str, pd.DataFrame] = field(default_factory=dict)
    info: dict[str, dict] = field(default_factory=dict)
    offline: bool = False
    rate_limited_calls: int = 0  # this many download calls are rate-limited for every symbol
    info_fails: set[str] = field(default_factory=set)  # info is rate-limited for these
    statement_fails: set[str] = field(default_factory=set)  # statements rate-limited for these
    download_calls: list[list[str]] = field(default_factory=list)
    ticker_calls: list[tuple[str, str]] = field(default_factory=list)

    @property
    def calls(self) -> int:
        return len(self.download_calls) + len(self.ticker_calls)

    def download(self, tickers, start=None, end=None, **kwargs) -> pd.DataFrame:
        assert kwargs["auto_adjust"] is False and kwargs["actions"] is True
        symbols = [t.upper() for t in tickers]
        self.download_calls.append(symbols)
        logger = logging.getLogger("yfinance")
        frames, errors = {}, {}
        limited = len(self.download_calls) <= self.rate_limited_calls
        for symbol in symbols:
            if self.offline:
                errors[symbol] = "ConnectionError('Failed to resolve query2.finance.yahoo.com')"
            elif limited:
                errors[symbol] = RATE_LIMIT_TEXT
            elif symbol not in self.prices:
                errors[symbol] = (
                    "YFPricesMissingError('possibly delisted; no price data found "
                    f"(1d {start} -> {end})')"
                )
            else:
                frame = self.prices[symbol]
                frames[symbol] = frame.loc[(frame.index >= start) & (frame.index < end)]
        if errors:  # as yfinance 1.7 reports them: logged, grouped by message
            logger.error("\n%.f Failed download%s:", len(errors), "s" if len(errors) > 1 else "")
            by_message: dict[str, list[str]] = {}
            for symbol, message in errors.items():
                by_message.setdefault(message, []).append(symbol)
            for message, syms in by_message.items():
                logger.error(f"{syms}: " + message)
        if not frames:
            return pd.DataFrame()
        for symbol in errors:  # yfinance reindexes a failed ticker's empty frame: all NaN
            frames[symbol] = pd.DataFrame(
                np.nan,
                index=next(iter(frames.values())).index,
                columns=next(iter(frames.values())).columns,
            )
        data = pd.concat(frames, axis=1, sort=True, names=["Ticker", "Price"])
        data.columns = data.columns.swaplevel(0, 1)
        return data.sort_index(axis=1, level=0)

    def Ticker(self, symbol: str):  # yfinance's name
        return _FakeTicker(self, symbol.upper())


class _FakeTicker:
    """Like yfinance 1.7's Ticker: a failure raises only when ``yf.config.debug.hide_exceptions``
    is off; otherwise it is logged and the answer is empty (statements) or None (earnings,
    info). A handle whose ``info`` failed answers None from then on without asking again."""

    def __init__(self, yahoo: FakeYahoo, symbol: str) -> None:
        self.yahoo, self.symbol = yahoo, symbol
        self._info_fetched = False

    def _fail(self, error: Exception, empty):
        if yfinance.config.debug.hide_exceptions:
            logging.getLogger("yfinance").error(f"{self.symbol}: {error}")
            return empty
        raise error

    def _statement(self, what: str, kind: str):
        self.yahoo.ticker_calls.append((self.symbol, what))
        if self.yahoo.offline:
            return self._fail(
                ConnectionError("Failed to resolve query2.finance.yahoo.com"), pd.DataFrame()
            )
        if self.symbol in self.yahoo.statement_fails:
            return self._fail(YFRateLimitError(), pd.DataFrame())
        return self.yahoo.statements.get(self.symbol, {}).get(kind, pd.DataFrame())

    def get_income_stmt(self, freq="yearly"):
        kind = "quarterly_income" if freq == "quarterly" else "annual_income"
        return self._statement(f"income {freq}", kind)

    def get_balance_sheet(self, freq="yearly"):
        kind = "quarterly_balance" if freq == "quarterly" else "annual_balance"
        return self._statement(f"balance {freq}", kind)

    def get_cash_flow(self, freq="yearly"):
        kind = "quarterly_cashflow" if freq == "quarterly" else "annual_cashflow"
        return self._statement(f"cash flow {freq}", kind)

    def get_earnings_dates(self, limit=12):
        self.yahoo.ticker_calls.append((self.symbol, "earnings"))
        if self.yahoo.offline:
            return self._fail(ConnectionError("Failed to resolve query2.finance.yahoo.com"), None)
        return self.yahoo.earnings.get(self.symbol)

    @property
    def info(self):
        if self._info_fetched:  # yfinance 1.7 marks info fetched before it asks
            return None
        self._info_fetched = True
        self.yahoo.ticker_calls.append((self.symbol, "info"))
        if self.yahoo.offline:
            return self._fail(ConnectionError("Failed to resolve query2.finance.yahoo.com"), None)
        if self.symbol in self.yahoo.info_fails:
            return self._fail(YFRateLimitError(), None)
        return self.yahoo.info.get(self.symbol, {})


@pytest.fixture
def yahoo(monkeypatch) -> FakeYahoo:
    """A fake Yahoo with AAA (a 4-for-1 split in 2024), BBB and the SPY benchmark."""
    fake = FakeYahoo(
        prices={
            "AAA": price_frame(1, split_on="2024-06-10"),
            "BBB": price_frame(2),
            "SPY": price_frame(3),
        },
        statements={
            "AAA": statements(shares=250e6, split_on="2024-06-10"),
            "BBB": statements(shares=2e9),
        },
        earnings={"AAA": earnings_dates(), "BBB": earnings_dates()},
        info={
            "AAA": {
                "longName": "Aaa Corp",
                "sector": "Technology",
                "industry": "Software",
                "sharesOutstanding": 1e9,
            },
            "BBB": {
                "longName": "Bbb Inc",
                "sector": "Energy",
                "industry": "Oil & Gas",
                "sharesOutstanding": 2e9,
            },
        },
    )
    monkeypatch.setattr(yfinance, "download", fake.download)
    monkeypatch.setattr(yfinance, "Ticker", fake.Ticker)
    return fake


@pytest.fixture
def no_wait() -> RetryPolicy:
    """Retries that record their delays instead of sleeping."""
    return RetryPolicy(sleep=lambda seconds: None)
