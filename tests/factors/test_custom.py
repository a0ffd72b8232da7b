"""Custom factors are first-class: scored like a built-in family, and visible in the
components, the screen, evaluate, backtest, the plots and the explorer."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import factorlab as fl
from factorlab.factors.transform import winsorize, zscore


@pytest.fixture(scope="module")
def custom_lab() -> fl.Dataset:
    return fl.load_dataset("sample", n_tickers=60, years=4, seed=21)


@pytest.fixture(scope="module")
def reversal(custom_lab) -> pd.DataFrame:
    """Short-term reversal: last month's losers are attractive (lower is better)."""
    return fl.factors.metrics(custom_lab, "momentum")["return_1m"]


def test_a_custom_panel_is_winsorized_standardized_and_signed_like_a_metric(custom_lab, reversal):
    scores = fl.score(
        custom_lab,
        weights={"value": 0.5, "reversal": 0.5},
        custom={"reversal": fl.factors.Custom(reversal, higher_is_better=False)},
    )
    # By hand: what family_exposure does to one metric, then score's own z-score.
    by_hand = zscore(-zscore(winsorize(reversal, 0.01)))
    pd.testing.assert_frame_equal(scores.components["reversal"], by_hand, check_names=False)
    value = fl.score(custom_lab, weights={"value": 1.0}).components["value"]
    pd.testing.assert_frame_equal(scores.components["value"], value)
    expected = 0.5 * value + 0.5 * by_hand
    pd.testing.assert_frame_equal(scores.composite, expected, check_names=False)


def test_a_bare_panel_is_higher_is_better_and_neutralizes_like_a_family(custom_lab, reversal):
    scores = fl.score(
        custom_lab, weights={"reversal": 1.0}, custom={"reversal": -reversal}, neutralize="sector"
    )
    day = scores.composite.index[-1]
    by_sector = scores.composite.loc[day].groupby(custom_lab.meta["sector"]).mean()
    # demeaned within sectors, then standardized: every sector's mean is (near) zero
    assert by_sector.abs().max() < 0.6
    flipped = fl.score(
        custom_lab,
        weights={"reversal": 1.0},
        custom={"reversal": fl.factors.Custom(reversal, higher_is_better=False)},
        neutralize="sector",
    )
    pd.testing.assert_frame_equal(scores.composite, flipped.composite)


def test_an_alphalens_series_and_month_end_labels_work_as_custom_factors(custom_lab, reversal):
    series = reversal.stack()
    series.index.names = ["date", "asset"]
    with pytest.warns(UserWarning, match="custom factor 'reversal' came as a Series"):
        from_series = fl.score(custom_lab, weights={"reversal": 1.0}, custom={"reversal": series})
    wide = fl.score(custom_lab, weights={"reversal": 1.0}, custom={"reversal": reversal})
    pd.testing.assert_frame_equal(from_series.composite, wide.composite)

    monthly = reversal.resample("ME").last()  # month-end labels, some on weekends
    spec = fl.factors.Custom(monthly, align="previous", fill="latest")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a label after the last day is dropped, with a note
        filled = fl.score(custom_lab, weights={"reversal": 1.0}, custom={"reversal": spec})
    assert filled.composite.iloc[-30:].notna().any(axis=1).all()  # every day has a score


def test_custom_factor_mistakes_are_named(custom_lab, reversal):
    with pytest.raises(fl.ConfigError, match="'reversal' has no weight"):
        fl.score(custom_lab, weights={"value": 1.0}, custom={"reversal": reversal})
    with pytest.raises(fl.ConfigError, match="name of a built-in family"):
        fl.score(custom_lab, weights={"value": 1.0}, custom={"Value": reversal})
    with pytest.raises(fl.ConfigError, match=r"custom=\{'reversal': my_panel\}"):
        fl.score(custom_lab, weights={"value": 0.5, "reversal": 0.5})
    with pytest.raises(fl.DataError, match="custom factor 'reversal' has tickers"):
        fl.score(
            custom_lab, weights={"reversal": 1.0}, custom={"reversal": reversal.assign(NOPE=1.0)}
        )


def test_the_screen_shows_a_custom_factor_and_says_who_lacks_it(custom_lab, reversal):
    holes = reversal.copy()
    holes.iloc[:, :3] = np.nan
    table = fl.screen(
        custom_lab, top=None, weights={"value": 0.5, "reversal": 0.5}, custom={"reversal": holes}
    )
    last = table.attrs["as_of"]
    assert {"reversal", "reversal_score", "value_score"} <= set(table.columns)
    scored = table.index[0]
    assert table.loc[scored, "reversal"] == holes.loc[last, scored]
    excluded = table.attrs["excluded"]
    for ticker in holes.columns[:3]:
        if custom_lab.prices.loc[last, ticker] == custom_lab.prices.loc[last, ticker]:  # listed
            assert excluded[ticker] == "no value of the custom factor reversal"


def test_the_screen_as_of_a_past_date_never_sees_later_custom_values(custom_lab, reversal):
    day = custom_lab.dates[-200]
    weights = {"value": 0.5, "reversal": 0.5}
    changed = reversal.copy()
    changed.loc[changed.index > day] = 99.0  # the future, rewritten
    a = fl.screen(custom_lab, top=None, as_of=day, weights=weights, custom={"reversal": reversal})
    b = fl.screen(custom_lab, top=None, as_of=day, weights=weights, custom={"reversal": changed})
    pd.testing.assert_frame_equal(a, b)


def test_evaluate_and_backtest_take_the_custom_component(custom_lab, reversal):
    scores = fl.score(
        custom_lab, weights={"reversal": 1.0}, custom={"reversal": reversal}, winsorize=0
    )
    # Rank IC is unchanged by a z-score (a monotone map per date).
    ours = fl.evaluate(scores.components["reversal"], custom_lab, periods=(5,)).ic[5]
    raw = fl.evaluate(reversal, custom_lab, periods=(5,)).ic[5]
    pd.testing.assert_series_equal(ours, raw, atol=1e-12)
    result = fl.backtest(scores, custom_lab)
    assert result.holdings_count.iloc[-1] > 0


def test_plots_draw_a_custom_family_in_its_own_colour(custom_lab, reversal):
    from factorlab.plots import FAMILY_COLORS, family_color

    scores = fl.score(
        custom_lab, weights={"value": 0.5, "reversal": 0.5}, custom={"reversal": reversal}
    )
    fig = scores.plot(n=5)
    legend = [text.get_text() for text in fig.axes[0].get_legend().get_texts()]
    assert legend == ["value", "reversal", "composite"]
    assert family_color("reversal") not in FAMILY_COLORS.values()
    fl.plots.plot_factor_correlations(scores)
    fl.plots.plot_score_distributions(scores)


def test_the_explorer_has_a_slider_for_each_custom_factor(custom_lab, reversal):
    explorer = fl.widgets.explore(
        custom_lab, debounce_s=0, custom={"reversal": reversal}, weights="value=0.5,reversal=0.5"
    )
    assert list(explorer.weights) == ["value", "growth", "momentum", "reversal"]
    assert explorer.weights["reversal"].value == 0.5
    expected = fl.score(custom_lab, weights="value=0.5,reversal=0.5", custom={"reversal": reversal})
    assert (explorer.composite() - expected.composite).abs().max().max() < 1e-12
    assert "reversal_score" in explorer.table.columns
    explorer.weights["value"].value = 0.0
    top = explorer.table.index[0]
    assert explorer.table.loc[top, "reversal_score"] == explorer.table["reversal_score"].max()


def test_the_screen_as_of_a_saturday_ignores_a_sunday_month_end_label(custom_lab, reversal):
    """A month-end label after as_of must not be pulled back into the screen (it knew more)."""
    monthly = reversal.resample("ME").last()
    sunday = monthly.index[
        (monthly.index.day_of_week == 6) & (monthly.index < custom_lab.dates[-60])
    ][-1]
    saturday = sunday - pd.Timedelta(days=1)
    changed = monthly.copy()
    changed.loc[sunday] = -changed.loc[sunday] * 100
    weights = {"value": 0.5, "reversal": 0.5}
    tables = [
        fl.screen(
            custom_lab,
            top=None,
            as_of=saturday,
            weights=weights,
            custom={"reversal": fl.factors.Custom(m, align="previous", fill="latest")},
        )
        for m in (monthly, changed)
    ]
    pd.testing.assert_frame_equal(*tables)


def test_a_factor_constant_within_sectors_is_not_ranked_after_neutralizing(custom_lab):
    sectors = custom_lab.meta["sector"].astype("category").cat.codes.astype(float)
    noise = np.random.default_rng(2).normal(0, 1e-15, custom_lab.prices.shape)
    flat = pd.DataFrame(
        np.broadcast_to(sectors.to_numpy(), custom_lab.prices.shape) * (1 + noise),
        index=custom_lab.dates,
        columns=custom_lab.tickers,
    ).where(custom_lab.prices.notna())
    for method in ("zscore", "rank"):
        with pytest.warns(UserWarning, match="'?flat'? is constant up to rounding"):
            scores = fl.score(
                custom_lab,
                weights={"flat": 1.0},
                custom={"flat": flat},
                neutralize="sector",
                method=method,
            )
        assert scores.composite.isna().all().all()


def test_a_custom_factor_with_no_values_or_sparse_values_says_what_to_do(custom_lab, reversal):
    with pytest.raises(fl.DataError, match="custom factor 'gone' has no value on this dataset"):
        fl.score(custom_lab, weights={"gone": 1.0}, custom={"gone": reversal * np.nan})
    month_ends = reversal.groupby(reversal.index.to_period("M")).tail(1).reindex(custom_lab.dates)
    with pytest.warns(UserWarning, match=r"has values on only \d+% of the days .* fill='latest'"):
        fl.score(custom_lab, weights={"monthly": 1.0}, custom={"monthly": month_ends})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fl.score(
            custom_lab,
            weights={"monthly": 1.0},
            custom={"monthly": fl.factors.Custom(month_ends, fill="latest")},
        )


@pytest.mark.parametrize(
    "name", ["name", "price", "rank", "composite", "momentum_score", "earnings_yield"]
)
def test_a_custom_name_that_would_overwrite_a_screen_column_is_refused(custom_lab, reversal, name):
    with pytest.raises(fl.ConfigError, match="would share its name with a column of the screen"):
        fl.score(custom_lab, weights={name: 1.0}, custom={name: reversal})


def test_higher_is_better_given_as_text_is_read_as_a_boolean(reversal):
    assert fl.factors.Custom(reversal, higher_is_better="False").higher_is_better is False
    with pytest.raises(fl.ConfigError, match="higher_is_better must be true or false"):
        fl.factors.Custom(reversal, higher_is_better="lower")
