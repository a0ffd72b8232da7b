"""No look-ahead in any exposure: change everything dated or filed after t, and nothing dated t or
earlier may change."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import factorlab as fl
from factorlab.factors.exposure import family_exposure
from factorlab.factors.registry import FAMILIES, METRICS


@pytest.fixture(scope="module")
def lookahead_lab() -> fl.Dataset:
    return fl.load_dataset("sample", n_tickers=30, years=3, seed=5)


def _rewrite_future(ds: fl.Dataset, day: pd.Timestamp, rng: np.random.Generator) -> fl.Dataset:
    """Everything after ``day`` changed: prices, volume, benchmark; filings not yet available
    rescaled, some dropped, some filed later (quarters that ended by ``day`` included); and
    restatements of quarters known by ``day``, filed after it."""
    after = ds.dates > day
    prices, volume, benchmark = ds.prices.copy(), ds.volume.copy(), ds.benchmark.copy()
    prices.loc[after] *= rng.uniform(0.3, 3.0, prices.loc[after].shape)
    volume.loc[after] *= rng.uniform(0.1, 10.0, volume.loc[after].shape)
    benchmark.loc[after] *= rng.uniform(0.5, 2.0, after.sum())
    f = ds.fundamentals.copy()
    unknown = f["available_at"] > day
    flows = [
        "revenue",
        "gross_profit",
        "ebitda",
        "net_income",
        "eps",
        "book_equity",
        "total_debt",
        "cash",
    ]
    f.loc[unknown, flows] *= rng.uniform(-3.0, 3.0, (unknown.sum(), len(flows)))
    f.loc[unknown, "shares_outstanding"] *= rng.uniform(0.2, 5.0, unknown.sum())
    later = unknown & (rng.random(len(f)) < 0.3)
    f.loc[later, "available_at"] += pd.to_timedelta(rng.integers(1, 60, later.sum()), unit="D")
    f = f[~(unknown & (rng.random(len(f)) < 0.2))]
    known = f[f["available_at"] <= day]
    restated = known.sample(frac=0.3, random_state=int(rng.integers(2**31)))
    restated = restated.assign(
        available_at=day + pd.to_timedelta(rng.integers(1, 90, len(restated)), unit="D"),
        revenue=restated["revenue"] * rng.uniform(0.5, 1.5, len(restated)),
        book_equity=restated["book_equity"] * rng.uniform(0.5, 1.5, len(restated)),
    )
    f = pd.concat([f, restated], ignore_index=True)
    return fl.Dataset(prices, volume, f, ds.meta, benchmark)


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(position=st.integers(300, 700), seed=st.integers(0, 2**16))
def test_no_metric_or_family_changes_at_or_before_t_when_the_future_changes(
    lookahead_lab, position, seed
):
    day = lookahead_lab.dates[position]
    plain = fl.Dataset(
        lookahead_lab.prices,
        lookahead_lab.volume,
        lookahead_lab.fundamentals,
        lookahead_lab.meta,
        lookahead_lab.benchmark,
    )
    future = _rewrite_future(plain, day, np.random.default_rng(seed))
    assert not future.fundamentals.equals(plain.fundamentals)
    for metric in METRICS:
        before = metric.compute(plain).loc[:day]
        after = metric.compute(future).loc[:day]
        pd.testing.assert_frame_equal(before, after, obj=metric.name)
    for family in FAMILIES:
        pd.testing.assert_frame_equal(
            family_exposure(plain, family).loc[:day],
            family_exposure(future, family).loc[:day],
            obj=family,
        )
    for options in ({}, {"method": "rank", "neutralize": "sector"}):
        pd.testing.assert_frame_equal(
            fl.score(plain, **options).composite.loc[:day],
            fl.score(future, **options).composite.loc[:day],
            obj=f"composite {options}",
        )
    before, after = fl.screen(plain, top=None, as_of=day), fl.screen(future, top=None, as_of=day)
    pd.testing.assert_frame_equal(before, after, obj="screen")
    assert before.attrs["excluded"] == after.attrs["excluded"]
