"""Figures: the numbers they draw."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd

import factorlab as fl

matplotlib.use("Agg")


def test_family_correlations_are_the_mean_month_end_spearman_correlation(small_sample):
    scores = fl.score(small_sample)
    fig = fl.plots.plot_factor_correlations(scores)
    names = list(scores.components)
    drawn = np.array([float(t.get_text()) for t in fig.axes[0].texts]).reshape(len(names), -1)
    month_ends = scores.composite.groupby(scores.composite.index.to_period("M")).tail(1).index
    per_month = [pd.DataFrame({n: scores.components[n].loc[day] for n in names}).dropna()
                 .corr(method="spearman") for day in month_ends]  # fmt: skip
    per_month = [c for c in per_month if c.notna().all().all()]
    expected = sum(per_month) / len(per_month)
    np.testing.assert_allclose(drawn, expected.round(2).to_numpy(), atol=0.011)
    assert f"mean of {len(per_month)} month ends" in fig.axes[0].get_title()
