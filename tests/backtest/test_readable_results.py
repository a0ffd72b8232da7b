"""Results read well: one-line reprs, the holding rule stated, compare() keeping every row."""

from __future__ import annotations

import re
import warnings

import pandas as pd
import pytest

import factorlab as fl
from factorlab.backtest import metrics


@pytest.fixture(scope="module")
def results_lab() -> fl.Dataset:
    return fl.load_dataset("sample", n_tickers=50, years=4, seed=11)


@pytest.fixture(scope="module")
def scores(results_lab) -> fl.Scores:
    return fl.score(results_lab, weights="value=0.5,momentum=0.5")


def test_backtest_repr_is_one_line_with_rule_and_figures(results_lab, scores):
    result = fl.backtest(scores, results_lab, rebalance="Q", cost_bps=25)
    text = repr(result)
    r = result.returns
    assert "\n" not in text and len(text) < 200
    assert text == (
        f"<BacktestResult Q, top quintile, 25 bps: CAGR {metrics.cagr(r):.1%}, Sharpe "
        f"{metrics.sharpe_ratio(r):.2f}, {r.index[0]:%Y-%m-%d}..{r.index[-1]:%Y-%m-%d}>"
    )


def test_the_holding_rule_is_in_the_repr_the_stats_header_and_the_plot_title(results_lab, scores):
    result = fl.backtest(scores, results_lab, top_n=8, short=True, weighting="cap", lag=2)
    assert "top 8 long, bottom 8 short, cap-weighted, lag 2, 10 bps" in repr(result)
    assert (
        result.stats().columns.name
        == "top 8 long, bottom 8 short, cap-weighted, monthly, lag 2, 10 bps"
    )
    assert "top 8 long" in result.stats().to_string().splitlines()[0]
    fig = result.plot()
    assert fig.axes[0].get_title() == f"Backtest, {result.rule}: net of costs"


@pytest.mark.parametrize(
    ("options", "rule"),
    [
        ({"quantiles": 10}, "top decile"),
        ({"quantiles": 3, "long": "bottom"}, "bottom tercile"),
        ({"quantiles": 7}, "top 1/7"),
        ({"max_weight": 0.25, "quantiles": 4}, "top quartile, at most 25% each"),
    ],
)
def test_holding_rules_in_words(results_lab, scores, options, rule):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = fl.backtest(scores, results_lab, **options)
    assert result.rule.startswith(rule + ",")


def test_scores_and_report_reprs_are_one_line(results_lab, scores):
    text = repr(scores)
    assert "\n" not in text
    assert text.startswith("<Scores zscore, value 50% + momentum 50%: 50 tickers scored, ")
    report = fl.evaluate(scores, results_lab, periods=(1, 21))
    text = repr(report)
    assert "\n" not in text
    t = report.ic_summary().loc[21, "t-stat (non-overlapping)"]
    assert re.fullmatch(
        rf"<FactorReport 5 quantiles, periods 1/21 days, \S+\.\.\S+: IC mean -?\d\.\d{{3}} at "
        rf"21d \(t {t:.2f} non-overlapping\)>",
        text,
    )
    # the rich view stays rich
    assert "<table" in scores._repr_html_() and "<table" in report._repr_html_()


def test_compare_repr_names_the_best_and_its_stats_keep_trading_rows(results_lab, scores):
    a = fl.backtest(scores, results_lab)
    b = fl.backtest(fl.factors.momentum(results_lab), results_lab, top_n=10)
    comparison = fl.compare({"composite": a, "momentum": b, "raw": a.returns})
    text = repr(comparison)
    assert "\n" not in text and text.startswith("<Comparison of 3 (composite, momentum, raw), ")
    assert "best Sharpe" in text
    table = comparison.stats()
    for row in (
        "turnover per rebalance",
        "turnover per year",
        "costs per year",
        "average holdings",
    ):
        assert row in table.index
    # Over the same days, each backtest's rows equal its own stats().
    alone = a.stats()
    shared = comparison.returns.index
    assert shared.equals(a.returns.index)
    pd.testing.assert_series_equal(
        table["composite"].reindex(alone.index), alone["strategy"], check_names=False
    )
    assert table.loc["average holdings", "momentum"] == pytest.approx(
        b.holdings_count.reindex(shared).mean()
    )
    assert pd.isna(table.loc["turnover per year", "raw"])  # a bare Series has no trades


def test_a_fractional_cost_asks_whether_basis_points_were_meant(results_lab, scores):
    with pytest.warns(UserWarning, match=r"cost_bps=0.0025 .* If you meant 25 bps .* cost_bps=25"):
        fl.backtest(scores, results_lab, cost_bps=0.0025)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fl.backtest(scores, results_lab, cost_bps=0)
        fl.backtest(scores, results_lab, cost_bps=1)


@pytest.mark.parametrize(
    ("alias", "same_as"),
    [
        ("ME", "M"),
        ("BME", "M"),
        ("monthly", "M"),
        ("QE", "Q"),
        ("quarterly", "Q"),
        ("W-FRI", "W"),
        ("weekly", "W"),
        ("daily", 1),
    ],
)
def test_pandas_aliases_and_words_rebalance_like_the_codes(results_lab, scores, alias, same_as):
    got = fl.backtest(scores, results_lab, rebalance=alias)
    want = fl.backtest(scores, results_lab, rebalance=same_as)
    pd.testing.assert_index_equal(got.turnover.index, want.turnover.index)
    assert got.settings["rebalance"] == want.settings["rebalance"]


def test_a_mid_week_anchor_rebalances_on_that_day(results_lab, scores):
    result = fl.backtest(scores, results_lab, rebalance="W-WED")
    days = result.turnover.index
    assert (days.day_of_week <= 2).all() and (days.day_of_week == 2).mean() > 0.9
    assert "weekly (Wed)" in result.rule


def test_reprs_hold_up_on_results_built_by_hand():
    from factorlab.backtest.result import BacktestResult

    days = pd.bdate_range("2024-01-01", periods=3)
    r = pd.Series([0.01, -0.02, 0.0], index=days)
    empty = pd.Series(dtype=float)

    def built(returns, settings):
        return BacktestResult(returns, returns, pd.DataFrame(), empty, empty, empty, None, settings)

    assert repr(built(r, {})).startswith("<BacktestResult: CAGR ")
    assert repr(built(r, {"quantiles": None, "cost_bps": "10"})).startswith(
        "<BacktestResult 10 bps: CAGR "
    )
    assert "at most 0.4% each" in repr(built(r, {"quantiles": 5, "max_weight": 0.004}))
    assert repr(built(r.iloc[:0], {})) == "<BacktestResult: no returns>"
    assert "no returns" in built(r.iloc[:0], {})._repr_html_()


def test_a_short_weight_reads_as_a_minus(results_lab):
    scores = fl.score(results_lab, weights="value=0.5,momentum=-0.5", allow_short=True)
    assert repr(scores).startswith("<Scores zscore, value 50% - momentum 50%: ")


@pytest.mark.parametrize("bad", [21.7, True, "fortnightly", 0])
def test_a_rebalance_that_is_not_a_whole_number_of_days_is_refused(results_lab, scores, bad):
    with pytest.raises(fl.ConfigError, match="rebalance"):
        fl.backtest(scores, results_lab, rebalance=bad)


def test_a_cost_that_looks_like_a_percent_suggests_it(results_lab, scores):
    with pytest.warns(UserWarning, match=r"If you meant 25 bps \(0.25 as a percent") as caught:
        fl.backtest(scores, results_lab, cost_bps=0.25)
    assert caught[0].filename == __file__  # the warning names the caller's line


def test_deflated_sharpe_reads_active_given_as_text(results_lab, scores):
    comparison = fl.compare({"a": fl.backtest(scores, results_lab)})
    assert comparison.deflated_sharpe(active="false").attrs["active"] is False
    assert comparison.deflated_sharpe(active="true").attrs["active"] is True
