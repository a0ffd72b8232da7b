"""Per-date statistics in blocks: the same numbers as sorting whole rows and as pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from factorlab.factors import rowwise
from factorlab.factors.rowwise import row_mean_std, row_quantile, standardize_rows, tail_quantiles
from factorlab.factors.transform import (
    winsorize,
    winsorized_zscore,
    winsorized_zscore_values,
    zscore,
)


def _sorted_quantiles(values: np.ndarray, q: float) -> tuple[np.ndarray, np.ndarray]:
    ordered = np.sort(values, axis=1)
    count = np.sum(~np.isnan(ordered), axis=1)
    return row_quantile(ordered, q, count), row_quantile(ordered, 1 - q, count)


def _panel(kind: str, rows: int, width: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if kind == "normal":
        values = rng.standard_normal((rows, width))
    elif kind == "ties":
        values = rng.integers(0, 4, (rows, width)).astype(float)
    elif kind == "sorted":  # every strided sample sits evenly in the row: the bound is tight
        values = np.sort(rng.standard_cauchy((rows, width)), axis=1)
    elif kind == "heavy tails":
        values = rng.lognormal(0, 4, (rows, width))
    else:  # "constant"
        values = np.repeat(rng.standard_normal((rows, 1)), width, axis=1)
    values[rng.random(values.shape) < rng.random()] = np.nan
    values[0] = np.nan  # a date with nothing listed
    return values


@pytest.mark.parametrize("kind", ["normal", "ties", "sorted", "heavy tails", "constant"])
@pytest.mark.parametrize("q", [0.0, 0.001, 0.01, 0.05, 0.25])
@pytest.mark.parametrize("width", [7, 150, 3000])
def test_tail_quantiles_equal_those_of_whole_sorted_rows_exactly(kind, q, width):
    values = _panel(kind, 40, width, seed=width)
    for ours, sorted_rows in zip(
        tail_quantiles(values, q), _sorted_quantiles(values, q), strict=True
    ):
        np.testing.assert_array_equal(ours, sorted_rows)


@settings(max_examples=60, deadline=None)
@given(
    values=arrays(
        np.float64,
        st.tuples(st.integers(1, 6), st.integers(128, 400)),
        elements=st.one_of(st.floats(-1e6, 1e6), st.just(np.nan), st.sampled_from([0.0, 1.0])),
    ),
    q=st.sampled_from([0.005, 0.01, 0.02]),
)
def test_tail_quantiles_hold_for_any_values_ties_and_gaps(values, q):
    for ours, sorted_rows in zip(
        tail_quantiles(values, q), _sorted_quantiles(values, q), strict=True
    ):
        np.testing.assert_array_equal(ours, sorted_rows)


def test_row_mean_and_std_agree_with_pandas_and_numpy_to_rounding():
    values = _panel("heavy tails", 30, 500, seed=1)
    frame = pd.DataFrame(values, copy=False)
    mean, std = row_mean_std(values)
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):  # the all-NaN date
        by_numpy = np.nanmean(values, axis=1), np.nanstd(values, axis=1, ddof=1)
    for ours, pandas_, numpy_ in zip(
        (mean, std), (frame.mean(axis=1), frame.std(axis=1)), by_numpy, strict=True
    ):
        np.testing.assert_allclose(ours, pandas_.to_numpy(), rtol=1e-14)
        np.testing.assert_allclose(ours, numpy_, rtol=1e-14)


def test_the_block_size_does_not_change_a_standardization(monkeypatch):
    values = _panel("normal", 60, 300, seed=2)
    whole = values.copy()
    standardize_rows(whole, 0.01)
    monkeypatch.setattr(rowwise, "BLOCK_CELLS", 7 * 300)  # blocks of 7 dates, the last short
    blocked = values.copy()
    standardize_rows(blocked, 0.01)
    np.testing.assert_array_equal(blocked, whole)


def test_reading_from_a_source_takes_infinities_as_missing():
    source = np.array([[1.0, np.inf, 2.0, 3.0, -np.inf]])
    out = np.full(source.shape, 99.0)
    standardize_rows(out, source=source)
    np.testing.assert_array_equal(out, [[-1.0, np.nan, 0.0, 1.0, np.nan]])


def test_winsorized_zscore_equals_zscore_of_winsorize_on_a_panel():
    values = _panel("heavy tails", 50, 400, seed=3)
    frame = pd.DataFrame(values)  # pandas' own column order: the result must not depend on it
    np.testing.assert_array_equal(
        winsorized_zscore(frame, 0.01).to_numpy(), zscore(winsorize(frame, 0.01)).to_numpy()
    )


def test_a_reused_buffer_gives_the_same_z_scores_as_a_new_one():
    first, second = (pd.DataFrame(_panel("normal", 30, 200, seed=s)) for s in (4, 5))
    buffer = winsorized_zscore_values(first, 0.01)
    reused = winsorized_zscore_values(second, 0.01, out=buffer)
    assert reused is buffer
    np.testing.assert_array_equal(reused, winsorized_zscore_values(second, 0.01))


def test_a_panels_memory_order_does_not_change_its_z_scores():
    values = _panel("heavy tails", 40, 300, seed=6)
    by_rows = pd.DataFrame(values, copy=False)
    by_columns = pd.DataFrame(np.asfortranarray(values), copy=False)
    np.testing.assert_array_equal(
        winsorized_zscore_values(by_rows, 0.01), winsorized_zscore_values(by_columns, 0.01)
    )
