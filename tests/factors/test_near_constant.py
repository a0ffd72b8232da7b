"""A metric that is constant up to floating-point noise has no cross-section to score."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import factorlab as fl
from factorlab.factors.transform import zscore


def test_noise_around_a_constant_is_not_turned_into_scores():
    noise = np.random.default_rng(0).normal(0, 3e-17, 30)
    panel = pd.DataFrame(
        [0.2 + noise, np.arange(30.0)], index=pd.bdate_range("2024-01-01", periods=2)
    )
    with pytest.warns(UserWarning, match=r"constant up to rounding on 1 date \(2024-01-01\)"):
        z = zscore(panel)
    assert z.iloc[0].isna().all()  # as an exactly constant row already is
    assert z.iloc[1].notna().all()


def test_real_small_dispersion_is_still_scored():
    values = pd.DataFrame([1e-6 * np.arange(30.0)])  # tiny numbers, but they differ
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        z = zscore(values)
    assert z.iloc[0].notna().all()


def test_exactly_constant_rows_stay_quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        z = zscore(pd.DataFrame([[0.2] * 5]))
    assert z.isna().all().all()


def test_a_family_names_the_metric_that_is_constant(small_sample):
    ds = small_sample
    f = ds.fundamentals.copy()
    # Every company's debt/equity 0.2, up to noise: debt = 0.2 * equity * (1 + 1e-16-ish)
    f["total_debt"] = f["book_equity"] * (0.2 + np.random.default_rng(1).normal(0, 3e-17, len(f)))
    flat = fl.Dataset(prices=ds.prices, fundamentals=f, meta=ds.meta, volume=ds.volume)
    with pytest.warns(UserWarning, match="debt_to_equity is constant up to rounding"):
        value = fl.factors.value(flat)
    # The other four metrics still rank the stocks.
    assert value.iloc[-1].notna().sum() > 10
