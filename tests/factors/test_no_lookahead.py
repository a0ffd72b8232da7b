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


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(position=st.integers(300, 700), seed=st.integers(0, 2**16))
def test_no_metric_or_family_changes_at_or_before_t_when_the_future_changes(
    lookahead_lab, rewrite_future, position, seed
):
    day = lookahead_lab.dates[position]
    plain = fl.Dataset(
        lookahead_lab.prices,
        lookahead_lab.volume,
        lookahead_lab.fundamentals,
        lookahead_lab.meta,
        lookahead_lab.benchmark,
    )
    future = rewrite_future(plain, day, np.random.default_rng(seed))
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
