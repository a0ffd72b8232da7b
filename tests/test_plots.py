"""Figures: the numbers they draw."""

from __future__ import annotations

import numpy as np

import factorlab as fl


def test_the_correlation_heatmap_draws_the_scores_family_correlations(small_sample):
    scores = fl.score(small_sample)
    fig = fl.plots.plot_factor_correlations(scores)
    table = scores.family_correlations()  # checked by hand in tests/backtest/test_result_figures
    drawn = np.array([float(t.get_text()) for t in fig.axes[0].texts]).reshape(table.shape)
    np.testing.assert_allclose(drawn, table.round(2).to_numpy(), atol=1e-9)
    assert f"mean of {table.attrs['month_ends']} month ends" in fig.axes[0].get_title()


def test_sector_exposure_draws_the_selection_and_universe_shares(small_sample):
    table = fl.screen(small_sample, top=10)
    fig = fl.plots.plot_sector_exposure(table, small_sample.meta)
    shares = fl.factors.sector_shares(table, small_sample.meta)
    bars = fig.axes[0].patches
    widths = [b.get_width() for b in bars]
    np.testing.assert_allclose(widths, [*shares["selection"], *shares["universe"]])
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == shares.index.tolist()


def test_seed_vs_zscore_draws_one_dot_per_stock_and_names_the_correlation(small_sample):
    table = fl.factors.seed_vs_zscore(small_sample, "growth")
    fig = fl.plots.plot_seed_vs_zscore(table)
    dots = fig.axes[0].collections[0].get_offsets()
    np.testing.assert_allclose(dots, table[["z_score", "bucket_score"]].to_numpy())
    assert f"{table.attrs['rank_correlation']:.2f}" in fig.axes[0].get_title()
    assert fig.axes[0].get_title().startswith("growth:")


def test_score_distributions_draw_each_family_and_the_composite(small_sample):
    scores = fl.score(small_sample)
    fig = fl.plots.plot_score_distributions(scores)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == [*scores.components, "composite"]
    latest = scores.latest()
    for patch, name in zip(fig.axes[0].patches, legend, strict=True):
        heights = patch.get_path().vertices[:, 1]  # a step histogram's outline
        assert heights.max() <= len(latest[name].dropna())
        assert heights.max() > 0


def test_the_backtest_figure_draws_what_the_result_computes(small_sample):
    result = fl.backtest(fl.score(small_sample), small_sample)
    fig = result.plot()
    equity, drawdown, sharpe = fig.axes
    np.testing.assert_allclose(equity.lines[0].get_ydata(), result.wealth()["strategy"])
    np.testing.assert_allclose(sharpe.lines[0].get_ydata(), result.rolling_sharpe(126))
    assert drawdown.collections  # the filled drawdown


def test_the_factor_tear_sheet_draws_what_the_report_computes(small_sample):
    report = fl.evaluate(fl.factors.momentum(small_sample), small_sample, periods=(1, 5))
    fig = report.plot()
    ic_ax, hist_ax, bars_ax, spread_ax, decay_ax = fig.axes
    np.testing.assert_allclose(ic_ax.lines[1].get_ydata(), report.rolling_ic(63))
    np.testing.assert_allclose(spread_ax.lines[0].get_ydata(), report.cumulative_spread(1))
    assert f"mean {report.ic_summary().loc[1, 'IC mean']:.3f}" in hist_ax.get_title()
    np.testing.assert_allclose([b.get_height() for b in decay_ax.patches], report.decay)
