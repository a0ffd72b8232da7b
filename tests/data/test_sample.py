"""The lab market: deterministic, realistic enough to teach with, and carrying its planted premia."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import factorlab as fl

# -- determinism and size -----------------------------------------------------------------------


def test_the_same_seed_gives_the_same_market(sample):
    again = fl.load_dataset("sample")
    pd.testing.assert_frame_equal(sample.prices, again.prices)
    pd.testing.assert_frame_equal(sample.volume, again.volume)
    pd.testing.assert_frame_equal(sample.fundamentals, again.fundamentals)
    pd.testing.assert_frame_equal(sample.meta, again.meta)
    pd.testing.assert_series_equal(sample.benchmark, again.benchmark)
    for name, exposure in sample.truth.exposures.items():
        pd.testing.assert_frame_equal(exposure, again.truth.exposures[name])


def test_another_seed_gives_another_market(sample):
    other = fl.load_dataset("sample", seed=43)
    assert other.tickers != sample.tickers
    assert not np.allclose(other.benchmark.to_numpy(), sample.benchmark.to_numpy())


def test_default_market_has_200_tickers_in_11_sectors_over_15_years(sample):
    assert len(sample.tickers) >= 200
    assert sample.meta["sector"].nunique() >= 10
    assert sample.meta["sector"].value_counts().min() >= 5
    assert sample.start == pd.Timestamp("2010-01-01") and sample.end == pd.Timestamp("2024-12-31")
    assert len(sample.dates) == len(pd.bdate_range("2010-01-01", "2024-12-31"))


def test_tickers_and_names_are_readable_and_stable_for_a_seed(sample):
    assert len(sample.tickers) == 200
    assert [t for t in sample.tickers if not re.fullmatch(r"[A-Z]{3,4}", t)] == []
    assert sample.tickers == sorted(sample.tickers)
    assert sample.meta["name"].is_unique
    # Pinned so that a change to the generator that renames companies is a visible decision.
    assert sample.meta["name"].iloc[:3].tolist() == [
        "Acme Logic Inc",
        "Amber Trust Holdings",
        "Anchor Farms Group",
    ]


def test_scaled_market_has_the_requested_size():
    ds = fl.load_dataset("sample", n_tickers=500, years=5, seed=7)
    assert len(ds.tickers) == 500
    assert ds.start == pd.Timestamp("2020-01-01")


# -- listings, delistings, fundamentals --------------------------------------------------------


def test_delisted_tickers_keep_their_history_and_are_nan_after_their_last_day(sample):
    gone = sample.meta[sample.meta["delisted"].notna()]
    assert len(gone) >= 10
    for ticker, last_day in gone["delisted"].items():
        series = sample.prices[ticker]
        assert series.last_valid_index() == last_day
        assert series.loc[last_day:].iloc[1:].isna().all()
        assert series.loc[:last_day].notna().sum() > 250


def test_both_crashes_and_takeovers_happen(sample):
    kinds = sample.truth.delistings.set_index("ticker")["kind"]
    assert {"crash", "acquired"} <= set(kinds)
    returns = sample.prices.pct_change(fill_method=None)
    for ticker, kind in kinds.items():
        series = sample.prices[ticker].dropna()
        if kind == "crash":
            assert series.iloc[-1] / series.iloc[-41] - 1 < -0.5
        else:
            assert returns[ticker].loc[series.index[-1]] > 0.1


def test_late_listers_have_no_price_before_listing(sample):
    late = sample.meta[sample.meta["listed"] > sample.start]
    assert len(late) >= 10
    for ticker, first_day in late["listed"].items():
        assert sample.prices[ticker].first_valid_index() == first_day


def test_fundamentals_are_filed_25_to_90_days_after_period_end(sample):
    f = sample.fundamentals
    lag = (f["available_at"] - f["period_end"]).dt.days
    assert (f["available_at"] > f["period_end"]).all()
    assert lag.min() >= 25 and lag.max() <= 90
    assert f["available_at"].max() <= sample.end


def test_fundamentals_are_internally_consistent(sample):
    f = sample.fundamentals
    np.testing.assert_allclose(f["eps"], f["net_income"] / f["shares_outstanding"], rtol=1e-6)
    assert (f["gross_profit"] > f["net_income"]).all()
    assert (f["ebitda"] > f["net_income"]).all()
    assert (f["revenue"] > 0).all() and (f["shares_outstanding"] > 0).all()
    assert 0.01 < (f["net_income"] < 0).mean() < 0.2  # some loss makers, not many


def test_every_listed_ticker_has_four_quarters_filed_by_its_first_year_end(sample):
    f = sample.fundamentals
    filed = f.groupby("ticker")["available_at"].apply(lambda s: s.sort_values().iloc[3])
    deadline = sample.meta["listed"] + pd.Timedelta(days=365)
    assert (filed <= deadline.loc[filed.index]).all()


def test_valuations_look_like_a_real_market(sample):
    f = sample.fundamentals
    last = f.groupby("ticker").tail(4)
    earnings = last.groupby("ticker")["net_income"].sum()
    latest = f.groupby("ticker").tail(1).set_index("ticker")
    cap = sample.prices.ffill().iloc[-1] * latest["shares_outstanding"]
    pe = (cap / earnings)[earnings > 0]
    pb = cap / latest["book_equity"]
    assert 10 < pe.median() < 35
    assert 0.8 < pb.median() < 4


# -- prices: a factor model with fat tails and clustering volatility ------------------------------


def test_daily_returns_have_fat_tails_and_clustering_volatility(sample):
    market = sample.benchmark.pct_change().dropna()
    assert market.kurt() > 3  # excess kurtosis; a normal distribution has 0
    assert market.abs().autocorr(1) > 0.05 > abs(market.autocorr(1))
    stocks = sample.prices.pct_change(fill_method=None)
    assert stocks.kurt().median() > 3


def test_betas_differ_across_names(sample):
    returns = sample.prices.pct_change(fill_method=None)
    market = sample.benchmark.pct_change()
    betas = returns.apply(lambda r: r.cov(market) / market[r.notna()].var())
    assert betas.std() > 0.15
    assert 0.7 < betas.median() < 1.2  # below 1 when a few giants dominate the index
    assert betas.corr(sample.truth.stocks["beta"]) > 0.8


def _shares_on_file(ds: fl.Dataset) -> pd.DataFrame:
    """Shares outstanding per day from the latest filing known that day (plain pandas)."""
    f = ds.fundamentals.sort_values(["available_at", "period_end"])
    by_filing = f.pivot_table(
        index="available_at", columns="ticker", values="shares_outstanding", aggfunc="last"
    )
    days = ds.dates.union(by_filing.index)
    return by_filing.reindex(days).ffill().reindex(ds.dates).reindex(columns=ds.tickers)


def test_benchmark_is_the_cap_weighted_index_of_the_members_on_filed_shares(sample):
    cap = sample.prices * _shares_on_file(sample)
    weight = cap.shift(1).div(cap.shift(1).sum(axis=1), axis=0)
    returns = sample.prices.pct_change(fill_method=None)
    rebuilt = 1000 * (1 + (weight * returns).sum(axis=1)).cumprod()
    np.testing.assert_allclose(sample.benchmark.to_numpy(), rebuilt.to_numpy(), rtol=1e-9)


def test_volume_is_positive_exactly_where_there_is_a_price(sample):
    listed = sample.prices.notna()
    assert (sample.volume.notna() == listed).all().all()
    assert (sample.volume.to_numpy()[listed.to_numpy()] > 0).all()


# -- the planted premia --------------------------------------------------------------------------


def _month_end_returns(ds: fl.Dataset) -> pd.DataFrame:
    """Return from each month end to the next (NaN if either price is missing)."""
    dates = next(iter(ds.truth.exposures.values())).index
    prices = ds.prices.loc[dates]
    return prices.shift(-1) / prices - 1


def test_a_plain_regression_of_next_month_returns_recovers_the_planted_premia(sample):
    """Fama-MacBeth: regress each month's next-month returns on the true exposures and average the
    slopes. With 200 stocks over 14 years one slope's standard error is about 0.008 a year, so
    the estimate must have the right sign and lie within 0.02 a year of the truth."""
    exposures = sample.truth.exposures
    forward = _month_end_returns(sample)
    slopes = []
    for date in forward.index[:-1]:
        x = pd.DataFrame({name: e.loc[date] for name, e in exposures.items()})
        y = forward.loc[date]
        ok = x.notna().all(axis=1) & y.notna()
        if ok.sum() < 50:
            continue
        design = np.column_stack([np.ones(ok.sum()), x[ok].to_numpy()])
        slopes.append(np.linalg.lstsq(design, y[ok].to_numpy(), rcond=None)[0][1:])
    assert len(slopes) > 150
    estimate = dict(zip(exposures, np.mean(slopes, axis=0) * 12, strict=True))
    for name, truth in sample.truth.premia_ann.items():
        assert truth > 0 and estimate[name] > 0, (name, estimate[name])
        assert estimate[name] == pytest.approx(truth, abs=0.02), (name, estimate[name], truth)


def test_each_premium_gives_a_monthly_rank_ic_of_roughly_two_to_six_percent(sample):
    forward = _month_end_returns(sample)
    for name, exposure in sample.truth.exposures.items():
        both = exposure.iloc[:-1].notna() & forward.iloc[:-1].notna()
        ic = (
            exposure.iloc[:-1]
            .where(both)
            .rank(axis=1)
            .corrwith(forward.iloc[:-1].where(both).rank(axis=1), axis=1)
        )
        assert 0.015 < ic.mean() < 0.07, (name, ic.mean())


# -- the true exposures use only what the data shows, when it shows it ----------------------------


def _rank_z(frame: pd.DataFrame) -> pd.DataFrame:
    """Percentile rank per date, centred and scaled to unit variance (the documented transform)."""
    count = frame.notna().sum(axis=1)
    return ((frame.rank(axis=1) - 0.5).div(count, axis=0) - 0.5) * np.sqrt(12)


def _family(*metrics: pd.DataFrame) -> pd.DataFrame:
    z = [_rank_z(m) for m in metrics]
    total = sum(x.fillna(0) for x in z)
    count = sum(x.notna().astype(int) for x in z)
    return _rank_z(total / count.where(count > 0))


def _filed_at(
    ds: fl.Dataset, dates: pd.DatetimeIndex, column: str, quarters_back: int = 0, ttm: bool = False
) -> pd.DataFrame:
    """Per date and ticker: the figure of the latest quarter filed by that date (or the one
    ``quarters_back`` before it), or the sum of four quarters when ``ttm``. A plain loop over
    dates, written independently of the library."""
    f = ds.fundamentals.sort_values(["ticker", "period_end"])
    rows = {}
    for date in dates:
        known = f[f["available_at"] <= date]
        grouped = known.groupby("ticker")[column]
        if ttm:
            summed = grouped.rolling(4).sum().droplevel(0)
            values = summed.groupby(known["ticker"]).nth(-1 - quarters_back)
        else:
            values = grouped.nth(-1 - quarters_back)
        rows[date] = pd.Series(values.to_numpy(), index=known.loc[values.index, "ticker"])
    return pd.DataFrame(rows).T.reindex(columns=ds.tickers)


def test_true_momentum_is_the_12_1_month_return_of_the_published_prices(sample):
    truth = sample.truth.exposures["momentum"]
    p = sample.prices
    past = (p.shift(21) / p.shift(252) - 1).loc[truth.index].where(p.loc[truth.index].notna())
    pd.testing.assert_frame_equal(_rank_z(past), truth, check_freq=False, check_names=False)


def test_true_value_is_earnings_and_book_yield_on_filed_figures(small_sample):
    ds = small_sample
    truth = ds.truth.exposures["value"]
    dates = truth.index
    alive = ds.prices.loc[dates].notna()
    cap = ds.prices.loc[dates] * _filed_at(ds, dates, "shares_outstanding")
    earnings_yield = (_filed_at(ds, dates, "net_income", ttm=True) / cap).where(alive)
    book_yield = (_filed_at(ds, dates, "book_equity") / cap).where(alive)
    expected = _family(earnings_yield, book_yield)
    pd.testing.assert_frame_equal(expected, truth, check_freq=False, check_names=False)


def test_true_growth_is_trailing_revenue_and_earnings_growth_on_filed_figures(small_sample):
    ds = small_sample
    truth = ds.truth.exposures["growth"]
    dates = truth.index
    alive = ds.prices.loc[dates].notna()
    revenue = _filed_at(ds, dates, "revenue", ttm=True)
    revenue_ago = _filed_at(ds, dates, "revenue", quarters_back=4, ttm=True)
    income = _filed_at(ds, dates, "net_income", ttm=True)
    income_ago = _filed_at(ds, dates, "net_income", quarters_back=4, ttm=True)
    base = np.maximum(income_ago.abs(), 0.01 * revenue_ago.abs())
    expected = _family(
        (revenue / revenue_ago - 1).where(alive), ((income - income_ago) / base).where(alive)
    )
    pd.testing.assert_frame_equal(expected, truth, check_freq=False, check_names=False)
