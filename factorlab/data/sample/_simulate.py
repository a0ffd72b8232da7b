"""The lab market, run forward a month at a time.

Exposures at each month end set the premia earned over the next month, and those returns move
the prices the next exposures see.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from factorlab.data.sample import _exposures as ex
from factorlab.data.sample._fundamentals import Fundamentals
from factorlab.data.sample._lifecycle import Lifecycle
from factorlab.data.sample._market import TRADING_DAYS, Shocks
from factorlab.data.sample._universe import Universe

FACTORS = ("value", "growth", "momentum")


@dataclass(frozen=True)
class Market:
    """The simulated market, ready to become a Dataset."""

    prices: pd.DataFrame
    volume: pd.DataFrame
    benchmark: pd.Series
    fundamentals: pd.DataFrame
    meta: pd.DataFrame
    exposures: dict[str, pd.DataFrame]
    delistings: pd.DataFrame


def simulate(
    calendar: pd.DatetimeIndex,
    universe: Universe,
    shocks: Shocks,
    life: Lifecycle,
    fund: Fundamentals,
    premia_ann: dict[str, float],
    rng: np.random.Generator,
) -> Market:
    """Generate prices with planted premia, then publish what an investor could have seen."""
    n_days, n = shocks.idio.shape
    month_end = np.flatnonzero(np.r_[calendar.month[1:] != calendar.month[:-1], True])
    published = _published(calendar, fund, life)
    latest = ex.latest_filed_quarter(fund.available_at, published, calendar)
    known = _filed_figures(latest[month_end], fund, published)
    alive = (life.list_day <= month_end[:, None]) & (life.delist_day >= month_end[:, None])
    history = life.list_day <= month_end[:, None] - ex.MOMENTUM_LOOKBACK_DAYS

    exposures = {name: np.full((len(month_end), n), np.nan) for name in FACTORS}
    exposures["growth"] = ex.family(
        ex.rank_z(np.where(alive, known["revenue_growth"], np.nan)),
        ex.rank_z(np.where(alive, known["earnings_growth"], np.nan)),
    )
    base = shocks.common + shocks.idio + life.event_return
    log_price = np.empty((n_days, n))
    log_price[0] = np.log(universe.start_price)
    _advance(log_price, base, 0, month_end[0], np.zeros(n))
    premia = np.array([premia_ann[name] for name in FACTORS]) / TRADING_DAYS
    for m, day in enumerate(month_end):
        market_cap = np.exp(log_price[day]) * known["shares_outstanding"][m]
        with np.errstate(invalid="ignore", divide="ignore"):
            value = ex.family(
                ex.rank_z(np.where(alive[m], known["ttm_net_income"][m] / market_cap, np.nan)),
                ex.rank_z(np.where(alive[m], known["book_equity"][m] / market_cap, np.nan)),
            )[0]
        exposures["value"][m] = value
        if day >= ex.MOMENTUM_LOOKBACK_DAYS:
            past = (
                log_price[day - ex.MOMENTUM_SKIP_DAYS] - log_price[day - ex.MOMENTUM_LOOKBACK_DAYS]
            )
            exposures["momentum"][m] = ex.rank_z(
                np.where(alive[m] & history[m], np.expm1(past), np.nan)
            )[0]
        z = np.stack([exposures[name][m] for name in FACTORS])
        alpha = premia @ np.nan_to_num(z)  # a missing exposure earns no premium
        following = month_end[m + 1] if m + 1 < len(month_end) else n_days - 1
        _advance(log_price, base, int(day), int(following), alpha)

    listed = (np.arange(n_days)[:, None] >= life.list_day) & (
        np.arange(n_days)[:, None] <= life.delist_day
    )
    tickers = pd.Index(universe.tickers, name="ticker")
    dates = pd.DatetimeIndex(calendar, name="date")
    prices = pd.DataFrame(np.where(listed, np.exp(log_price), np.nan), index=dates, columns=tickers)
    # Index weights and turnover use the share count on file, like everything a reader sees.
    shares = ex.gather(np.where(published, fund.values["shares_outstanding"], np.nan), latest)
    month_ends = dates[month_end]
    return Market(
        prices=prices,
        volume=_volume(prices, shares, shocks, rng),
        benchmark=_cap_weighted_index(prices, shares),
        fundamentals=_long_fundamentals(fund, published, universe.tickers),
        meta=_meta(universe, calendar, life),
        exposures={
            k: pd.DataFrame(v, index=month_ends, columns=tickers) for k, v in exposures.items()
        },
        delistings=_delistings(universe, calendar, life),
    )


def _advance(log_price: np.ndarray, base: np.ndarray, start: int, stop: int, alpha: np.ndarray):
    """Fill days ``start+1 .. stop`` from the price at ``start``: shocks plus the month's premia."""
    if stop <= start:
        return
    step = np.log1p(np.maximum(base[start + 1 : stop + 1] + alpha, -0.95))
    log_price[start + 1 : stop + 1] = log_price[start] + np.cumsum(step, axis=0)


def _published(calendar: pd.DatetimeIndex, fund: Fundamentals, life: Lifecycle) -> np.ndarray:
    """Which quarters a reader of the data sees.

    Those from two years before the first price (one year before a late listing), filed by the
    end of the data and while the firm still traded.
    """
    ends = fund.period_end.to_numpy()[:, None]
    first_listed = life.list_day == 0
    first_period = np.where(
        first_listed,
        ends[0, 0],
        (calendar[life.list_day] - pd.DateOffset(years=1)).to_numpy(),
    )
    last_filing = calendar[life.delist_day].to_numpy()
    return (ends >= first_period) & (fund.available_at <= last_filing)


def _filed_figures(
    latest: np.ndarray, fund: Fundamentals, published: np.ndarray
) -> dict[str, np.ndarray]:
    """What was on file given the latest filed quarter per date and ticker (``latest``)."""
    v = {k: np.where(published, x, np.nan) for k, x in fund.values.items()}
    ttm_revenue = ex.trailing_sum(v["revenue"])
    ttm_net_income = ex.trailing_sum(v["net_income"])
    quarterly = {
        "ttm_net_income": ttm_net_income,
        "book_equity": v["book_equity"],
        "shares_outstanding": v["shares_outstanding"],
        "revenue_growth": ttm_revenue / ex.year_ago(ttm_revenue) - 1,
        "earnings_growth": ex.earnings_growth(ttm_net_income, ttm_revenue),
    }
    return {name: ex.gather(values, latest) for name, values in quarterly.items()}


def _cap_weighted_index(prices: pd.DataFrame, shares: np.ndarray) -> pd.Series:
    """The benchmark: members weighted by yesterday's market cap.

    Market cap is the price times the shares on file; a delisting's last day is included.
    """
    p = prices.to_numpy()
    returns = np.full_like(p, np.nan)
    returns[1:] = p[1:] / p[:-1] - 1
    cap = np.nan_to_num(p * shares)
    weight = np.zeros_like(p)
    weight[1:] = cap[:-1] / cap[:-1].sum(axis=1, keepdims=True)
    index_return = np.nansum(weight * np.nan_to_num(returns), axis=1)
    level = 1000 * np.cumprod(1 + index_return)
    return pd.Series(level, index=prices.index, name="LABX")


def _volume(
    prices: pd.DataFrame, shares: np.ndarray, shocks: Shocks, rng: np.random.Generator
) -> pd.DataFrame:
    """Shares traded: a firm's usual turnover, more on days with big surprises."""
    n_days, n = prices.shape
    turnover = np.exp(rng.normal(np.log(0.006), 0.5, n))
    surprise = np.abs(shocks.idio / shocks.idio_scale)
    traded = (
        np.nan_to_num(shares)
        * turnover
        * np.exp(0.5 * surprise - 0.4 + rng.normal(0, 0.3, (n_days, n)))
    )
    volume = np.where(prices.notna().to_numpy(), np.round(traded), np.nan)
    return pd.DataFrame(volume, index=prices.index, columns=prices.columns)


def _long_fundamentals(
    fund: Fundamentals, published: np.ndarray, tickers: np.ndarray
) -> pd.DataFrame:
    """One row per published (ticker, quarter), sorted by ticker then period."""
    q, i = np.nonzero(published)
    ends = fund.period_end[q]
    frame = pd.DataFrame(
        {
            "ticker": tickers[i].astype(str),
            "period_end": ends,
            "available_at": fund.available_at[q, i],
            "fiscal_period": ends.year.astype(str) + "Q" + ends.quarter.astype(str),
        }
    )
    for name, values in fund.values.items():
        frame[name] = values[q, i]
    return frame.sort_values(["ticker", "period_end"], ignore_index=True)


def _meta(universe: Universe, calendar: pd.DatetimeIndex, life: Lifecycle) -> pd.DataFrame:
    meta = universe.meta.copy()
    meta["listed"] = calendar[life.list_day]
    meta["delisted"] = pd.DatetimeIndex(
        np.where(life.delist_kind != "", calendar[life.delist_day], pd.NaT)
    )
    return meta


def _delistings(universe: Universe, calendar: pd.DatetimeIndex, life: Lifecycle) -> pd.DataFrame:
    gone = np.flatnonzero(life.delist_kind != "")
    frame = pd.DataFrame(
        {
            "ticker": universe.tickers[gone].astype(str),
            "date": calendar[life.delist_day[gone]],
            "kind": life.delist_kind[gone].astype(str),
        }
    )
    return frame.sort_values(["date", "ticker"], ignore_index=True)
