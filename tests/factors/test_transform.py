"""Cross-sectional transforms, per date and NaN-aware."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from factorlab.errors import ConfigError
from factorlab.factors.transform import bucket_score, neutralize, rank, winsorize, zscore


@pytest.fixture
def panel() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    values = rng.standard_t(3, (50, 30))
    values[rng.random(values.shape) < 0.2] = np.nan
    return pd.DataFrame(values, columns=[f"T{i}" for i in range(30)])


def test_zscore_has_mean_zero_and_std_one_on_every_date(panel):
    z = zscore(panel)
    np.testing.assert_allclose(z.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(z.std(axis=1), 1, atol=1e-12)
    assert (z.isna() == panel.isna()).all().all()


def test_zscore_of_a_date_without_spread_is_nan():
    z = zscore(pd.DataFrame([[1.0, 1.0, 1.0], [1.0, np.nan, np.nan]]))
    assert z.isna().all().all()


def test_zscore_is_unchanged_by_adding_a_constant(panel):
    pd.testing.assert_frame_equal(zscore(panel + 7.5), zscore(panel), atol=1e-12)


integer_rows = arrays(np.int64, (3, 12), elements=st.integers(-1000, 1000))


@settings(max_examples=50, deadline=None)
@given(values=integer_rows)
def test_rank_is_invariant_to_increasing_transforms(values):
    frame = pd.DataFrame(values.astype(float))
    increasing = 2 * frame**3 + frame - 7  # strictly increasing and exact for these integers
    pd.testing.assert_frame_equal(rank(increasing), rank(frame))


def test_rank_lies_in_zero_one_and_ties_share_a_rank():
    ranks = rank(pd.DataFrame([[1.0, 1.0, 3.0, np.nan]]))
    assert ranks.iloc[0].tolist()[:3] == [0.5, 0.5, 1.0]


def test_winsorize_clips_at_each_dates_quantiles_like_pandas(panel):
    low, high = panel.quantile(0.05, axis=1), panel.quantile(0.95, axis=1)
    expected = panel.clip(lower=low, upper=high, axis=0)
    pd.testing.assert_frame_equal(winsorize(panel, 0.05), expected)


def test_winsorize_by_mad_clips_far_outliers_only():
    row = pd.DataFrame([[1.0, 2.0, 3.0, 4.0, 5.0, 1000.0]])
    clipped = winsorize(row, method="mad", n_mad=3).iloc[0]
    assert clipped.iloc[:5].tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]
    median, mad = 3.5, 1.5
    assert clipped.iloc[5] == pytest.approx(median + 3 * 1.4826 * mad)


def test_winsorize_rejects_limits_of_a_half_or_more(panel):
    with pytest.raises(ConfigError, match="limits must be in"):
        winsorize(panel, 0.5)


def test_neutralize_leaves_every_sector_mean_at_zero(panel):
    sectors = pd.Series(["A", "B", "C"] * 10, index=panel.columns)
    out = neutralize(panel, sectors)
    means = out.T.groupby(sectors).mean().T
    np.testing.assert_allclose(means.fillna(0), 0, atol=1e-12)


def test_bucket_score_uses_the_seed_thresholds_with_the_right_direction():
    pe = pd.DataFrame([[4.0, 15.0, 15.1, 100.0, np.nan]])
    assert bucket_score(pe, "pe").iloc[0].tolist()[:4] == [10.0, 7.0, 7.0, 1.0]
    growth = pd.DataFrame([[-0.5, 0.5]])
    assert bucket_score(growth, "revenue_growth").iloc[0].tolist() == [1.0, 10.0]


def test_bucket_score_ignores_the_cross_section():
    expensive_day = pd.DataFrame([[80.0, 90.0, 200.0]])  # all above the last cut, 75
    assert (bucket_score(expensive_day, "pe") == 1).all().all()


def test_bucket_score_needs_nine_increasing_cuts():
    with pytest.raises(ConfigError, match="nine increasing cut points"):
        bucket_score(pd.DataFrame([[1.0]]), [1, 2, 3], higher_is_better=True)
    with pytest.raises(ConfigError, match="No seed thresholds for 'pee'"):
        bucket_score(pd.DataFrame([[1.0]]), "pee")


def test_an_infinite_value_is_missing_and_does_not_blank_its_date():
    row = pd.DataFrame([[1.0, 2.0, 3.0, np.inf]])
    assert winsorize(row, 0.0).iloc[0].tolist()[:3] == [1.0, 2.0, 3.0]
    assert np.isnan(winsorize(row, 0.0).iloc[0, 3])
    assert zscore(row).iloc[0].tolist()[:3] == [-1.0, 0.0, 1.0]
    assert np.isnan(rank(row).iloc[0, 3])


def test_mad_winsorizing_leaves_a_row_alone_when_most_values_tie():
    row = pd.DataFrame([[0.0, 0.0, 0.0, 0.0, 0.0, 3.0, -2.0]])
    pd.testing.assert_frame_equal(winsorize(row, method="mad"), row)


def test_tickers_without_a_group_are_demeaned_together():
    panel = pd.DataFrame([[1.0, 3.0, 10.0, 20.0]], columns=["A", "B", "C", "D"])
    groups = pd.Series({"A": "Energy", "B": "Energy"})  # C and D have none
    assert neutralize(panel, groups).iloc[0].tolist() == [-1.0, 1.0, -5.0, 5.0]
