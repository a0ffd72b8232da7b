"""Block-by-block evaluation: the blocks and threads change how the work is cut, never a number."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import factorlab as fl
from factorlab.backtest.crosssection import Forward, cross_sections


@pytest.fixture(scope="module")
def inputs(small_sample):
    """The small lab market (listings, delistings, gaps) and a factor with holes."""
    factor = fl.factors.momentum(small_sample)
    values = np.array(factor.to_numpy(dtype=float), order="C")  # a copy of our own to edit
    values[np.isnan(small_sample.prices.to_numpy())] = np.nan
    return values, Forward(small_sample.prices, small_sample.meta["delisted"]), small_sample


def _run(inputs, **kwargs):
    values, forward, ds = inputs
    values = values.copy()
    groups = {
        name: np.flatnonzero((ds.meta["sector"].reindex(ds.prices.columns) == name).to_numpy())
        for name in ds.meta["sector"].dropna().unique()
    }
    found = cross_sections(values, forward, [1, 5, 21], 5, groups=groups, **kwargs)
    return values, found


@pytest.mark.parametrize("drop_incomplete", [False, True])
@pytest.mark.parametrize(("block_rows", "threads"), [(1, 1), (7, 1), (64, 3)])
def test_results_do_not_depend_on_block_size_or_threads(
    inputs, block_rows, threads, drop_incomplete
):
    whole_values, whole = _run(inputs, block_rows=10_000, drop_incomplete=drop_incomplete)
    values, cut = _run(
        inputs, block_rows=block_rows, threads=threads, drop_incomplete=drop_incomplete
    )
    np.testing.assert_array_equal(values, whole_values)
    assert cut.evaluated == whole.evaluated
    assert cut.dropped_incomplete == whole.dropped_incomplete
    for h in (1, 5, 21):
        np.testing.assert_allclose(cut.ic[h], whole.ic[h], rtol=0, atol=1e-12)
        np.testing.assert_allclose(cut.bucket_means[h], whole.bucket_means[h], rtol=0, atol=1e-12)
        np.testing.assert_allclose(cut.day_means[h], whole.day_means[h], rtol=0, atol=1e-12)
        np.testing.assert_array_equal(cut.labels[h], whole.labels[h])
        for name, means in whole.group_means[h].items():
            np.testing.assert_allclose(cut.group_means[h][name], means, rtol=0, atol=1e-12)


def test_forward_returns_of_a_block_equal_the_whole_panels_rows(inputs):
    _, forward, _ = inputs
    whole = forward.into(21)
    assert np.isfinite(whole).any()
    for rows in (slice(0, 5), slice(300, 333), slice(len(whole) - 10, len(whole))):
        np.testing.assert_array_equal(forward.into(21, rows), whole[rows])


def test_forward_returns_are_price_ratios_where_nothing_delists():
    prices = pd.DataFrame(
        {"A": [10.0, 11.0, 12.1, np.nan, 13.0]}, index=pd.bdate_range("2024-01-01", periods=5)
    )
    out = Forward(prices).into(1)
    np.testing.assert_allclose(out[:, 0], [0.1, 0.1, np.nan, np.nan, np.nan])
    np.testing.assert_allclose(Forward(prices).into(9)[:, 0], [np.nan] * 5)


@pytest.mark.parametrize("extreme", [1e11, np.inf])
def test_an_extreme_return_in_one_bucket_leaves_the_other_buckets_exact(extreme):
    rng = np.random.default_rng(0)
    returns = rng.normal(0, 0.01, (1, 50))
    returns[0, 0] = extreme  # the lowest factor value: bucket 1
    prices = pd.DataFrame(
        np.vstack([np.ones(50), 1 + returns]),
        index=pd.bdate_range("2024-01-01", periods=2),
        columns=[f"T{i:02d}" for i in range(50)],
    )
    values = np.vstack([np.arange(50.0), np.full(50, np.nan)])
    found = cross_sections(values, Forward(prices), [1], 5)
    means = found.bucket_means[1][0]
    expected = [returns[0, k * 10 : (k + 1) * 10].mean() for k in range(1, 5)]
    np.testing.assert_allclose(means[1:], expected, rtol=0, atol=1e-15)  # (1 + r) / 1 - 1 noise
