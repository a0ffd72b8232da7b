"""Row sorting and ranking: exact, whatever the values (ties, NaN, infinities, near-equal)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from factorlab.factors.ranking import center_sorted_ranks, row_ranks, sort_rows, sorted_ranks

_near_one = st.integers(0, 6).map(lambda k: float(np.nextafter(1.0, 2.0) - 1.0) * k + 1.0)
_values = st.one_of(
    st.just(np.nan),
    st.just(-np.nan),
    st.sampled_from([0.0, -0.0, np.inf, -np.inf]),
    st.integers(-3, 3).map(float),
    st.floats(-1e3, 1e3),
    _near_one,  # equal in all but their last bits: the sort keys cannot tell them apart
)
_panels = arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 40)), elements=_values)


@settings(max_examples=200, deadline=None)
@given(values=_panels)
def test_row_ranks_equal_pandas_with_ties_gaps_and_near_equal_values(values):
    expected = pd.DataFrame(values).rank(axis=1).to_numpy()
    np.testing.assert_array_equal(row_ranks(values), expected)


@settings(max_examples=200, deadline=None)
@given(values=_panels)
def test_sort_rows_gives_flat_positions_of_each_sorted_row(values):
    order, ordered = sort_rows(values)
    np.testing.assert_array_equal(ordered, np.sort(values, axis=1))
    np.testing.assert_array_equal(values.ravel()[order], ordered)
    rows = order // values.shape[1]
    assert (rows == np.arange(len(values))[:, None]).all()


def test_values_equal_in_their_high_bits_are_still_sorted_exactly():
    one_up = np.nextafter(1.0, 2.0)
    values = np.array([[one_up, 1.0, 3.0], [1.0, one_up, -2.0]])
    order, ordered = sort_rows(values)
    assert order.tolist() == [[1, 0, 2], [5, 3, 4]]
    assert ordered[0].tolist() == [1.0, one_up, 3.0]


def test_a_nan_with_its_sign_bit_set_sorts_last():
    negative_nan = -np.abs(np.float64(np.nan))
    assert np.signbit(negative_nan)
    _, ordered = sort_rows(np.array([[2.0, negative_nan, -5.0]]))
    assert ordered[0, :2].tolist() == [-5.0, 2.0] and np.isnan(ordered[0, 2])


def test_sorted_ranks_average_each_tie_group():
    ordered = np.array([[1.0, 1.0, 1.0, 2.0, 5.0, 5.0], [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]])
    assert sorted_ranks(ordered).tolist() == [
        [2.0, 2.0, 2.0, 4.0, 5.5, 5.5],
        [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
    ]


def test_centered_ranks_sum_to_zero_and_vanish_past_each_count():
    ranks = sorted_ranks(np.array([[1.0, 2.0, 2.0, np.nan], [4.0, np.nan, np.nan, np.nan]]))
    centered = center_sorted_ranks(ranks, np.array([3, 1]))
    assert centered.tolist() == [[-1.0, 0.5, 0.5, 0.0], [0.0, 0.0, 0.0, 0.0]]
