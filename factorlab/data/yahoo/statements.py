"""Yahoo's statements as factorlab fundamentals: one documented mapping, point-in-time dates.

Yahoo serves the last four or five quarters and four fiscal years, as they stand today
(restated, not as first reported). Nothing is back-filled: a quarter Yahoo does not serve is
missing, so trailing-twelve-month figures exist only once four consecutive quarters do.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

__all__ = [
    "ANNUAL_LAG_DAYS",
    "CASH_FLOWS",
    "FLOWS",
    "QUARTER_LAG_DAYS",
    "STOCKS",
    "YAHOO_ROWS",
    "adjust_for_splits",
    "fundamentals_from_statements",
    "mapping_table",
]

#: factorlab column -> Yahoo statement rows; per period, the first row with a value wins.
#: Matching ignores case, spaces and punctuation, so "Total Revenue" and yfinance's raw
#: "TotalRevenue" both match.
YAHOO_ROWS: dict[str, tuple[str, ...]] = {
    "revenue": ("Total Revenue", "Operating Revenue"),
    "gross_profit": ("Gross Profit",),
    "ebitda": ("EBITDA", "Normalized EBITDA"),
    "net_income": ("Net Income Common Stockholders", "Net Income"),
    "eps": ("Diluted EPS", "Basic EPS"),
    "book_equity": ("Stockholders Equity", "Common Stock Equity"),
    "total_debt": ("Total Debt",),
    "cash": ("Cash Cash Equivalents And Short Term Investments", "Cash And Cash Equivalents"),
    "shares_outstanding": ("Ordinary Shares Number", "Share Issued"),
    "total_assets": ("Total Assets",),
    "operating_cash_flow": (
        "Operating Cash Flow",
        "Cash Flow From Continuing Operating Activities",
    ),
    "capex": ("Capital Expenditure",),
    "dividends": ("Common Stock Dividend Paid", "Cash Dividends Paid"),
}
FLOWS = ("revenue", "gross_profit", "ebitda", "net_income", "eps")  # income statement
CASH_FLOWS = ("operating_cash_flow", "capex", "dividends")  # cash-flow statement
PAYMENTS = ("capex", "dividends")  # outflows: negative on Yahoo, positive in factorlab
# (dividends: common stock's where Yahoo splits them out, else all cash dividends paid)
STOCKS = (
    "book_equity",
    "total_debt",
    "cash",
    "shares_outstanding",
    "total_assets",
)  # balance sheet

QUARTER_LAG_DAYS = 45  # a quarter's figures are assumed known this long after it ends...
ANNUAL_LAG_DAYS = 90  # ...and a fiscal year's this long, when no earnings date says otherwise
EARNINGS_WINDOW_DAYS = 120  # an earnings date this soon after a period end reports that period
_SPLIT_TOLERANCE = 1.5  # share counts within this factor of a split's ratio "show" the split


def mapping_table() -> pd.DataFrame:
    """The mapping as a table, for the docs and ``ds.notes``."""
    return pd.DataFrame(
        [
            (
                column,
                " / ".join(rows),
                "income statement"
                if column in FLOWS
                else "cash-flow statement"
                if column in CASH_FLOWS
                else "balance sheet",
            )
            for column, rows in YAHOO_ROWS.items()
        ],
        columns=["factorlab column", "Yahoo row (first found)", "statement"],
    )


def fundamentals_from_statements(
    ticker: str,
    statements: dict[str, pd.DataFrame],
    earnings_dates: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Long fundamentals rows of one ticker from its Yahoo statements.

    Quarterly income statement, cash-flow statement and balance sheet give one row per
    quarter (capital expenditure and dividends as positive payments). Annual balance
    sheets add the fiscal-year-end stocks (equity, debt, cash, shares) for years the quarterly
    data does not reach; annual income is not split into quarters (that would need the other
    three quarters), so it is not used.

    ``available_at`` is the day after the first earnings date within 120 days of the period's
    end (announcements often come after the close), else ``period_end`` + 45 days for a quarter
    and + 90 days for a year-end-only row. ``available_basis`` says which.

    Examples
    --------
    >>> income = pd.DataFrame({pd.Timestamp("2024-03-31"): [100.0, 9.0]},
    ...                       index=["Total Revenue", "Net Income"])
    >>> rows = fundamentals_from_statements("ACME", {"quarterly_income": income})
    >>> rows[["ticker", "period_end", "available_at", "revenue", "net_income"]].to_dict("records")[0]
    {'ticker': 'ACME', 'period_end': Timestamp('2024-03-31 00:00:00'), 'available_at': Timestamp('2024-05-15 00:00:00'), 'revenue': 100.0, 'net_income': 9.0}
    """
    quarterly = (
        _values(statements.get("quarterly_income"), FLOWS)
        .join(_values(statements.get("quarterly_cashflow"), CASH_FLOWS), how="outer")
        .join(_values(statements.get("quarterly_balance"), STOCKS), how="outer")
    )
    for column in PAYMENTS:  # Yahoo books a payment as a negative cash flow
        if column in quarterly:
            quarterly[column] = -quarterly[column]
    annual = _values(statements.get("annual_balance"), STOCKS)
    for column in STOCKS:  # fill a quarter's missing stocks from the same day's annual figures
        if column not in quarterly:
            quarterly[column] = np.nan
    quarterly = quarterly.reindex(columns=[*FLOWS, *CASH_FLOWS, *STOCKS])
    shared = quarterly.index.intersection(annual.index)
    quarterly.loc[shared, list(STOCKS)] = quarterly.loc[shared, list(STOCKS)].fillna(
        annual.loc[shared, list(STOCKS)]
    )
    year_only = annual.drop(index=shared).reindex(columns=[*FLOWS, *CASH_FLOWS, *STOCKS])
    rows = pd.concat([quarterly.assign(kind="quarter"), year_only.assign(kind="year")])
    rows = rows[rows[[*FLOWS, *CASH_FLOWS, *STOCKS]].notna().any(axis=1)].sort_index()
    if rows.empty:
        return pd.DataFrame(
            columns=[
                "ticker",
                "period_end",
                "available_at",
                *FLOWS,
                *CASH_FLOWS,
                *STOCKS,
                "available_basis",
            ]
        )
    ends = pd.DatetimeIndex(rows.index)
    announced = _announcements(ends, earnings_dates)
    lag = np.where(rows["kind"] == "quarter", QUARTER_LAG_DAYS, ANNUAL_LAG_DAYS)
    fallback = ends + pd.to_timedelta(lag, unit="D")
    out = rows.drop(columns="kind").reset_index(drop=True)
    out.insert(0, "ticker", ticker)
    out.insert(1, "period_end", ends)
    out.insert(2, "available_at", announced.fillna(pd.Series(fallback)).to_numpy())
    out["available_basis"] = np.where(
        announced.notna().to_numpy(),
        "day after the earnings date",
        np.where(
            rows["kind"] == "quarter",
            f"period end + {QUARTER_LAG_DAYS} days",
            f"period end + {ANNUAL_LAG_DAYS} days",
        ),
    )
    return out


def adjust_for_splits(
    rows: pd.DataFrame, splits: pd.Series, shares_now: float | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """Put share counts and EPS on the basis of today's split-adjusted prices.

    Yahoo's closes are adjusted for every split since; its statements may not be. For each
    split (date -> ratio, 4.0 for 4-for-1) the share count of the last period before it is
    compared with the first one after it (or today's count from ``info``): if they differ by
    about the ratio, the earlier figures were as reported and are adjusted (shares × ratio,
    EPS ÷ ratio); if they agree, they already were. Returns the rows and a note per split.
    """
    rows = rows.copy()
    notes = []
    for day, ratio in splits[(splits > 0) & (splits != 1)].sort_index().items():
        before = rows["period_end"] < day
        known = rows["shares_outstanding"].notna()
        if not (before & known).any():
            continue
        last_before = rows.loc[before & known, "shares_outstanding"].iloc[-1]
        after = rows.loc[~before & known, "shares_outstanding"]
        reference = after.iloc[0] if len(after) else shares_now
        label = f"{day:%Y-%m-%d} split {ratio:g}-for-1"
        if reference is not None and reference > 0 and last_before > 0:
            change = reference / last_before
            if abs(math.log(change / ratio)) < math.log(_SPLIT_TOLERANCE):
                adjusted = True
            elif abs(math.log(change)) < math.log(_SPLIT_TOLERANCE):
                notes.append(f"{label}: Yahoo's earlier share counts already reflect it.")
                continue
            else:
                notes.append(
                    f"{label}: share counts moved {change:.2f}x across it, neither the "
                    "ratio nor 1; left as served."
                )
                continue
        else:
            adjusted = True  # figures reported before a split count pre-split shares
        if adjusted:
            rows.loc[before, "shares_outstanding"] *= ratio
            rows.loc[before, "eps"] /= ratio
            notes.append(f"{label}: earlier share counts and EPS adjusted by its ratio.")
    return rows, notes


def _key(name: object) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


def _values(statement: pd.DataFrame | None, columns: tuple[str, ...]) -> pd.DataFrame:
    """Period ends × the factorlab ``columns`` found in one Yahoo statement (rows × periods)."""
    if statement is None or statement.empty:
        return pd.DataFrame(columns=list(columns), index=pd.DatetimeIndex([], name="period_end"))
    by_key = {_key(name): name for name in statement.index}
    found = {}
    for column in columns:  # per period, the first listed row that has a value there
        rows = [
            pd.to_numeric(statement.loc[by_key[_key(n)]], errors="coerce")
            for n in YAHOO_ROWS[column]
            if _key(n) in by_key
        ]
        if rows:
            combined = rows[0]
            for row in rows[1:]:
                combined = combined.combine_first(row)
            found[column] = combined
    frame = pd.DataFrame(found, index=statement.columns).reindex(columns=list(columns))
    ends = pd.DatetimeIndex(pd.to_datetime(frame.index))
    frame.index = (ends.tz_localize(None) if ends.tz is not None else ends).normalize()
    frame.index.name = "period_end"
    frame = frame.astype("float64")
    frame = frame[frame.notna().any(axis=1)]
    return frame[~frame.index.duplicated(keep="first")].sort_index()


def _announcements(ends: pd.DatetimeIndex, earnings_dates: pd.DataFrame | None) -> pd.Series:
    """For each period end, the day after the first earnings date within the window.

    The window runs from the period end (exclusive) to ``EARNINGS_WINDOW_DAYS`` after it; NaT
    where there is none.
    """
    ends = pd.DatetimeIndex(ends).as_unit("ns")
    none = pd.Series(pd.NaT, index=range(len(ends)), dtype="datetime64[ns]")
    if earnings_dates is None or len(earnings_dates.index) == 0:  # the index holds the dates
        return none
    dates = pd.DatetimeIndex(pd.to_datetime(earnings_dates.index))
    if dates.tz is not None:
        dates = dates.tz_localize(None)  # exchange-local wall time (yfinance gives the exchange's)
    dates = dates.normalize().unique().sort_values().as_unit("ns")
    position = np.searchsorted(dates.to_numpy(), ends.to_numpy(), side="right")
    first_after = dates.to_numpy()[np.minimum(position, len(dates) - 1)]
    reports = (position < len(dates)) & (
        first_after <= (ends + pd.Timedelta(days=EARNINGS_WINDOW_DAYS)).to_numpy()
    )
    announced = np.where(reports, first_after + np.timedelta64(1, "D"), np.datetime64("NaT"))
    return pd.Series(announced, dtype="datetime64[ns]")
