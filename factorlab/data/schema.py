"""The names and meanings of every column a Dataset holds, in one place.

Fundamentals are long and point in time: one row per (ticker, fiscal quarter). Flows
(revenue, profits, EPS) are for the quarter alone; stocks (equity, debt, cash, shares) are
as at ``period_end``. A row may be used on date *t* only when ``available_at <= t``.
"""

from __future__ import annotations

__all__ = ["FUNDAMENTAL_KEYS", "FUNDAMENTAL_VALUES", "META_COLUMNS", "describe_columns"]

FUNDAMENTAL_KEYS: dict[str, str] = {
    "ticker": "the company's ticker, a column of the price panel",
    "period_end": "last day of the fiscal quarter the row describes",
    "available_at": "first day the figures could be known (filing date); never before period_end",
    "fiscal_period": "the fiscal quarter as text, e.g. '2019Q3'",
}

FUNDAMENTAL_VALUES: dict[str, str] = {
    "revenue": "total revenue of the quarter (flow, currency units)",
    "gross_profit": "revenue less cost of goods sold, for the quarter (flow)",
    "ebitda": "earnings before interest, tax, depreciation and amortization (flow)",
    "net_income": "net income attributable to shareholders, for the quarter (flow)",
    "eps": "net income per share outstanding at period end, for the quarter (flow)",
    "book_equity": "shareholders' equity at period end (stock)",
    "total_debt": "short- plus long-term debt at period end (stock)",
    "cash": "cash and short-term investments at period end (stock)",
    "shares_outstanding": "common shares outstanding at period end (stock, count)",
    "total_assets": "total assets at period end (stock)",
    "operating_cash_flow": "net cash from operating activities, for the quarter (flow)",
    "capex": "payments for property, plant and equipment, for the quarter (flow, positive)",
    "dividends": "dividends paid to common shareholders, for the quarter (flow, positive)",
}

META_COLUMNS: dict[str, str] = {
    "name": "company name",
    "sector": "sector (GICS-style, e.g. 'Information Technology')",
    "industry": "industry within the sector",
    "listed": "first trading day with a price in this dataset",
    "delisted": "last trading day of a ticker that stopped trading; NaT while it is alive",
}


def describe_columns() -> str:
    """Return a plain-text table of every fundamental and meta column and its meaning."""
    lines = ["fundamentals (long, one row per ticker and quarter):"]
    for name, meaning in {**FUNDAMENTAL_KEYS, **FUNDAMENTAL_VALUES}.items():
        lines.append(f"  {name:<19} {meaning}")
    lines.append("meta (one row per ticker):")
    for name, meaning in META_COLUMNS.items():
        lines.append(f"  {name:<19} {meaning}")
    return "\n".join(lines)
