"""Quarterly fundamentals of the lab market.

Growth is persistent, margins mean-revert, retained earnings build book equity, share counts
drift, and each quarter is reported 25-90 days after its end.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from factorlab.data.sample._market import MarketParams, _ar1
from factorlab.data.sample._universe import Universe

HISTORY_QUARTERS = 8  # quarters reported before the first price, so growth is known from day one
MIN_LAG_DAYS, MAX_LAG_DAYS = 25, 90


@dataclass(frozen=True)
class Fundamentals:
    """Every quarter of every firm (``quarters × tickers`` arrays), published or not."""

    period_end: pd.DatetimeIndex  # quarters
    lag_days: np.ndarray  # calendar days from period end to filing
    values: dict[str, np.ndarray]  # the FUNDAMENTAL_VALUES columns

    @property
    def available_at(self) -> np.ndarray:
        """Filing dates as ``datetime64[ns]``, ``quarters × tickers``."""
        return self.period_end.to_numpy()[:, None] + self.lag_days.astype("timedelta64[D]")


def quarter_ends(calendar: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """Calendar quarter ends from ``HISTORY_QUARTERS`` before the first day to the last day."""
    first = calendar[0] - pd.offsets.QuarterEnd(HISTORY_QUARTERS)
    return pd.date_range(first, calendar[-1], freq="QE")


def draw_fundamentals(
    calendar: pd.DatetimeIndex,
    universe: Universe,
    idio: np.ndarray,
    params: MarketParams,
    rng: np.random.Generator,
) -> Fundamentals:
    """Quarterly statements for every firm, drawn at random.

    Revenue responds to the firm's own surprise returns (``cashflow_beta``), so prices and
    fundamentals move together as in real markets.
    """
    ends = quarter_ends(calendar)
    n_q, n = len(ends), len(universe.tickers)
    sec = universe.sectors.iloc[universe.sector_code].reset_index(drop=True)
    start_q = int(np.searchsorted(ends, calendar[0]))  # first quarter that ends inside the data

    # Cash-flow news: the quarter's summed idiosyncratic return, drawn afresh before the data.
    quarter_of_day = np.searchsorted(ends, calendar)  # trading day -> index of its quarter
    in_quarter = quarter_of_day < n_q  # days after the last full quarter feed no statement
    news = np.zeros((n_q, n))
    np.add.at(news, quarter_of_day[in_quarter], idio[in_quarter])
    news[:start_q] = rng.normal(0, 1, (start_q, n)) * universe.idio_vol_ann / 2

    # Revenue: a persistent firm growth rate plus news; log level anchored so that annual sales at
    # the first price equal the sector's sales/price times the firm's market cap.
    firm_growth = sec["growth_ann"].to_numpy() + rng.normal(0, 0.06, n)
    growth_ann = firm_growth + _ar1(rng.standard_normal((n_q, n)), 0.9, 0.08)
    log_step = growth_ann / 4 + params.cashflow_beta * news + rng.normal(0, 0.025, (n_q, n))
    log_level = np.cumsum(log_step, axis=0)
    sales_to_price = sec["sales_to_price"].to_numpy() * np.exp(rng.normal(0, 0.5, n))
    anchor = np.log(sales_to_price * universe.start_cap / 4) - log_level[start_q]
    seasonal = _seasonality(universe, rng)[ends.quarter.to_numpy() - 1, :]
    revenue = np.exp(log_level + anchor + seasonal)

    net_margin_firm = sec["net_margin"].to_numpy() + rng.normal(0, 0.05, n)
    net_margin = net_margin_firm + _ar1(rng.standard_normal((n_q, n)), 0.8, 0.03)
    gross_margin_firm = np.clip(sec["gross_margin"].to_numpy() + rng.normal(0, 0.08, n), 0.12, 0.9)
    gross_margin = np.maximum(
        gross_margin_firm + _ar1(rng.standard_normal((n_q, n)), 0.9, 0.02), net_margin + 0.05
    )
    net_income = net_margin * revenue
    gross_profit = gross_margin * revenue
    # EBITDA adds back depreciation, amortization, interest and tax: a steady share of sales.
    ebitda = net_income + revenue * rng.uniform(0.04, 0.14, n)

    start_shares = universe.start_cap / universe.start_price
    issuance = (rng.random((n_q, n)) < 0.015) * rng.uniform(0.03, 0.15, (n_q, n))
    share_step = rng.normal(-0.01, 0.02, n) / 4 + rng.normal(0, 0.004, (n_q, n)) + issuance
    log_shares = np.cumsum(share_step, axis=0)
    shares = start_shares * np.exp(log_shares - log_shares[start_q])
    eps = net_income / shares

    payout = rng.uniform(0.0, 0.6, n)
    retained = np.cumsum(net_income * np.where(net_income > 0, 1 - payout, 1.0), axis=0)
    book_start = (
        sec["book_to_price"].to_numpy() * np.exp(rng.normal(0, 0.5, n)) * universe.start_cap
    )
    book_equity = book_start + retained - retained[start_q]

    debt_to_equity = sec["debt_to_equity"].to_numpy() * np.exp(rng.normal(0, 0.5, n))
    total_debt = (
        debt_to_equity * book_start * np.exp(_ar1(rng.standard_normal((n_q, n)), 0.95, 0.25))
    )
    cash_ratio = rng.uniform(0.05, 0.35, n)
    cash = cash_ratio * revenue * 4 * np.exp(_ar1(rng.standard_normal((n_q, n)), 0.8, 0.2))

    # Larger firms file sooner; annual reports (fourth quarter) take longer.
    firm_lag = rng.uniform(30, 65, n) - 4 * np.log(universe.start_cap / 4e9)
    annual = (ends.quarter.to_numpy() == 4)[:, None] * 12
    lag = np.rint(firm_lag + annual + rng.normal(0, 5, (n_q, n)))
    lag_days = np.clip(lag, MIN_LAG_DAYS, MAX_LAG_DAYS).astype(int)

    # Columns added later draw from a child of the seed, so the columns above stay as they were.
    extra = np.random.default_rng(rng.bit_generator.seed_seq.spawn(1)[0])  # type: ignore[attr-defined]
    other_liabilities = revenue * 4 * extra.uniform(0.2, 0.8, n)
    total_assets = np.maximum(book_equity, 0) + total_debt + other_liabilities
    operating_cash_flow = ebitda * extra.uniform(0.6, 0.9, n) + revenue * extra.normal(
        0, 0.02, (n_q, n)
    )
    capex = revenue * extra.uniform(0.02, 0.12, n) * np.exp(extra.normal(0, 0.2, (n_q, n)))
    dividends = np.where(net_income > 0, net_income * payout, 0.0)

    values = {
        "revenue": revenue,
        "gross_profit": gross_profit,
        "ebitda": ebitda,
        "net_income": net_income,
        "eps": eps,
        "book_equity": book_equity,
        "total_debt": total_debt,
        "cash": cash,
        "shares_outstanding": np.round(shares),
        "total_assets": total_assets,
        "operating_cash_flow": operating_cash_flow,
        "capex": capex,
        "dividends": dividends,
    }
    return Fundamentals(period_end=ends, lag_days=lag_days, values=values)


def _seasonality(universe: Universe, rng: np.random.Generator) -> np.ndarray:
    """Log seasonal factors, ``4 quarters × tickers``: retailers sell most in the fourth quarter."""
    sectors = universe.sectors["sector"].to_numpy()
    pattern = rng.normal(0, 0.03, (4, len(sectors)))
    pattern[:, sectors == "Consumer Discretionary"] += np.array([[-0.06], [-0.03], [-0.02], [0.11]])
    pattern -= pattern.mean(axis=0)
    return pattern[:, universe.sector_code]
