"""No look-ahead: ``as_of(d)`` holds nothing dated or known after ``d``, and changing the future
changes nothing it returns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import factorlab as fl

_SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _day_in(ds: fl.Dataset):
    return st.integers(0, len(ds.dates) - 1).map(lambda i: ds.dates[i])


@pytest.fixture(scope="module")
def as_of_lab() -> fl.Dataset:
    return fl.load_dataset("sample", n_tickers=40, years=4, seed=11)


@_SETTINGS
@given(data=st.data())
def test_as_of_returns_nothing_dated_or_known_after_the_date(as_of_lab, data):
    day = data.draw(_day_in(as_of_lab))
    past = as_of_lab.as_of(day)
    assert past.prices.index.max() == day
    assert past.volume.index.max() == day and past.benchmark.index.max() == day
    assert (past.fundamentals["available_at"] <= day).all()
    assert (past.fundamentals["period_end"] <= day).all()
    assert (past.meta["listed"] <= day).all()
    assert (past.meta["delisted"].dropna() <= day).all()
    assert past.prices.notna().any().all()  # no ticker that had not listed yet
    for exposure in past.truth.exposures.values():
        assert (exposure.index <= day).all()
    assert (past.truth.delistings["date"] <= day).all()


@_SETTINGS
@given(data=st.data())
def test_as_of_keeps_everything_that_was_known(as_of_lab, data):
    day = data.draw(_day_in(as_of_lab))
    past = as_of_lab.as_of(day)
    f = as_of_lab.fundamentals
    filed = (f["available_at"] <= day) & f["ticker"].isin(past.tickers)
    assert len(past.fundamentals) == filed.sum()
    pd.testing.assert_frame_equal(past.prices, as_of_lab.prices.loc[:day, past.tickers])


def _rewrite_future(ds: fl.Dataset, day: pd.Timestamp, rng: np.random.Generator) -> fl.Dataset:
    """The same market up to ``day``; everything after it (prices, volume, benchmark, filings
    not yet available, delistings not yet happened) changed at random."""
    after = ds.dates > day
    prices = ds.prices.copy()
    prices.loc[after] = prices.loc[after] * rng.uniform(0.5, 1.5, prices.loc[after].shape)
    volume = ds.volume.copy()
    volume.loc[after] = volume.loc[after] * 3
    benchmark = ds.benchmark.copy()
    benchmark.loc[after] = benchmark.loc[after] * 1.7
    fundamentals = ds.fundamentals.copy()
    unknown = fundamentals["available_at"] > day  # includes periods ended but not yet filed
    numbers = [c for c in fundamentals.columns[4:] if c != "shares_outstanding"]
    fundamentals.loc[unknown, numbers] = fundamentals.loc[unknown, numbers] * -2.0
    fundamentals.loc[unknown, "shares_outstanding"] *= 2.0
    meta = ds.meta.copy()
    meta["name"] = meta["name"].where(meta["listed"] <= day, "Renamed Later Inc")
    meta.loc[meta["delisted"] > day, "delisted"] = pd.NaT  # a later delisting that never was
    return fl.Dataset(prices, volume, fundamentals, meta, benchmark, source=ds.source)


@_SETTINGS
@given(data=st.data(), seed=st.integers(0, 2**16))
def test_changing_the_future_does_not_change_as_of(as_of_lab, data, seed):
    day = data.draw(_day_in(as_of_lab))
    plain = fl.Dataset(
        as_of_lab.prices,
        as_of_lab.volume,
        as_of_lab.fundamentals,
        as_of_lab.meta,
        as_of_lab.benchmark,
        source=as_of_lab.source,
    )
    rewritten = _rewrite_future(plain, day, np.random.default_rng(seed))
    a, b = plain.as_of(day), rewritten.as_of(day)
    pd.testing.assert_frame_equal(a.prices, b.prices)
    pd.testing.assert_frame_equal(a.volume, b.volume)
    pd.testing.assert_frame_equal(a.fundamentals, b.fundamentals)
    pd.testing.assert_frame_equal(a.meta, b.meta)
    pd.testing.assert_series_equal(a.benchmark, b.benchmark)
