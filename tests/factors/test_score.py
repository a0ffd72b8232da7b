"""The composite score and the screen."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import factorlab as fl
from factorlab.factors.exposure import family_exposure
from factorlab.factors.transform import zscore


@pytest.fixture(scope="module")
def scoring_lab() -> fl.Dataset:
    return fl.load_dataset("sample", n_tickers=60, years=4, seed=9)


def test_composite_is_the_weighted_sum_of_standardized_families(scoring_lab):
    scores = fl.score(scoring_lab, weights={"value": 0.25, "momentum": 0.75})
    expected = 0.25 * zscore(family_exposure(scoring_lab, "value")) + 0.75 * zscore(
        family_exposure(scoring_lab, "momentum")
    )
    pd.testing.assert_frame_equal(scores.composite, expected)
    assert scores.weights == {"value": 0.25, "momentum": 0.75}


def test_components_have_unit_spread_on_every_date(scoring_lab):
    for component in fl.score(scoring_lab).components.values():
        spread = component.std(axis=1).dropna()
        np.testing.assert_allclose(spread, 1.0, atol=1e-12)


def test_composite_is_unchanged_by_adding_a_constant_to_a_family(scoring_lab, monkeypatch):
    import sys

    module = sys.modules["factorlab.factors.composite"]

    before = fl.score(scoring_lab).composite
    original = module.family_exposures
    monkeypatch.setattr(
        module,
        "family_exposures",
        lambda ds, families, winsorize: {
            family: exposure + 5.0 for family, exposure in original(ds, families, winsorize).items()
        },
    )
    pd.testing.assert_frame_equal(fl.score(scoring_lab).composite, before, atol=1e-12)


def test_a_composite_exists_exactly_where_every_weighted_family_does(scoring_lab):
    scores = fl.score(scoring_lab)
    every = pd.concat([c.notna() for c in scores.components.values()]).groupby(level=0).all()
    pd.testing.assert_frame_equal(scores.composite.notna(), every, check_freq=False)
    assert every.to_numpy().sum() > 0.5 * scoring_lab.prices.notna().to_numpy().sum()


def test_rank_method_centres_ranks_on_zero_whatever_the_coverage(scoring_lab):
    scores = fl.score(scoring_lab, weights="momentum=1", method="rank")
    row = scores.components["momentum"].iloc[-1].dropna()
    n = len(row)
    assert row.max() == pytest.approx(0.5 - 0.5 / n) and row.min() == pytest.approx(-row.max())
    np.testing.assert_allclose(scores.components["momentum"].mean(axis=1).dropna(), 0, atol=1e-12)


def test_sector_neutral_scores_have_zero_sector_means_before_standardizing(scoring_lab):
    scores = fl.score(scoring_lab, weights="value=1", neutralize="sector")
    last = scores.components["value"].iloc[-1]
    by_sector = last.groupby(scoring_lab.meta["sector"]).mean()
    np.testing.assert_allclose(by_sector.dropna(), 0, atol=1e-9)


def test_score_errors_name_the_bad_choice(scoring_lab):
    with pytest.raises(fl.ConfigError, match="Unknown score method 'zcore'"):
        fl.score(scoring_lab, method="zcore")
    with pytest.raises(
        fl.ConfigError,
        match=r"Cannot neutralize by 'country': ds.meta has no such column \(ds.meta has values "
        r"in: sector, industry\)",
    ):
        fl.score(scoring_lab, neutralize="country")
    with pytest.raises(fl.ConfigError, match="winsorize must be a number"):
        fl.score(scoring_lab, winsorize="some")


def test_latest_is_sorted_best_first_with_ranks(scoring_lab):
    table = fl.score(scoring_lab).latest()
    assert table["composite"].is_monotonic_decreasing
    assert table["rank"].tolist() == list(range(1, len(table) + 1))
    assert list(table.columns) == ["value", "growth", "momentum", "composite", "rank"]


def test_scores_plot_draws_one_bar_series_per_family_and_labels_tickers(scoring_lab):
    scores = fl.score(scoring_lab)
    fig = scores.plot(n=5)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[::-1][:5] == scores.latest().index[:5].tolist()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "value",
        "growth",
        "momentum",
        "composite",
    ]
    assert "<strong>factorlab Scores</strong>" in scores._repr_html_()


# -- the screen ------------------------------------------------------------------------------


def test_screen_lists_the_top_stocks_with_metrics_family_scores_and_rank(scoring_lab):
    table = fl.screen(scoring_lab, top=5)
    assert len(table) == 5 and table["rank"].tolist() == [1, 2, 3, 4, 5]
    for column in (
        "name",
        "sector",
        "price",
        "earnings_yield",
        "momentum_12_1",
        "value_score",
        "growth_score",
        "momentum_score",
        "composite",
    ):
        assert column in table.columns
    assert table["composite"].is_monotonic_decreasing
    assert table.attrs["as_of"] == scoring_lab.end


def test_the_screen_says_which_tickers_could_not_be_loaded_and_why(scoring_lab):
    fetched = fl.Dataset(
        prices=scoring_lab.prices,
        fundamentals=scoring_lab.fundamentals,
        meta=scoring_lab.meta,
        volume=scoring_lab.volume,
        failed={"GONE": "possibly delisted; no price data found"},
    )
    table = fl.screen(fetched, top=5)
    assert table.attrs["failed"] == {"GONE": "possibly delisted; no price data found"}
    assert fl.screen(scoring_lab, top=5).attrs["failed"] == {}


def test_screen_matches_the_full_score_at_that_date(scoring_lab):
    table = fl.screen(scoring_lab, top=None)
    full = fl.score(scoring_lab).latest()
    np.testing.assert_allclose(table["composite"], full.loc[table.index, "composite"], atol=1e-9)


def test_screen_as_of_uses_only_what_was_known_then(scoring_lab):
    day = scoring_lab.dates[600]
    table = fl.screen(scoring_lab, top=None, as_of=day)
    assert table.attrs["as_of"] == day
    after = pd.DataFrame(False, index=scoring_lab.dates, columns=scoring_lab.tickers)
    after.loc[after.index > day] = True
    later = fl.Dataset(
        scoring_lab.prices.mask(after, scoring_lab.prices * 2),
        scoring_lab.volume,
        scoring_lab.fundamentals,
        scoring_lab.meta,
        scoring_lab.benchmark,
    )
    pd.testing.assert_frame_equal(fl.screen(later, top=None, as_of=day), table)


def test_screen_says_why_tickers_were_left_out(scoring_lab):
    table = fl.screen(scoring_lab, top=None, as_of=scoring_lab.dates[200])
    reasons = table.attrs["excluded"]
    assert reasons, "early in the data some stocks lack history or fundamentals"
    assert all(
        r.startswith(
            (
                "too little price history",
                "missing fundamentals",
                "delisted",
                "no price",
                "not listed on",
            )
        )
        for r in reasons.values()
    )
    assert not set(reasons) & set(table.index)


def test_screen_names_delisted_stocks_among_the_excluded(sample):
    table = fl.screen(sample)
    gone = sample.meta["delisted"].dropna()
    assert len(gone) > 0, "the lab market delists some stocks"
    for ticker, day in gone.items():
        assert table.attrs["excluded"][ticker] == f"delisted on {day:%Y-%m-%d}"


def test_screen_accepts_string_parameters(scoring_lab):
    table = fl.screen(
        scoring_lab, top="3", weights="value=1", as_of=str(scoring_lab.dates[-1].date())
    )
    assert len(table) == 3 and table.attrs["weights"] == {"value": 1.0}


def test_styled_screen_formats_percentages_and_captions_the_date(scoring_lab):
    html = fl.factors.styled(fl.screen(scoring_lab, top=3)).to_html()
    assert f"Screen on {scoring_lab.end:%Y-%m-%d}" in html
    assert "%" in html


# -- the seed's bucket scores ----------------------------------------------------------------


def test_seed_scores_stay_on_the_seeds_one_to_ten_scale(scoring_lab):
    seed = fl.factors.seed_scores(scoring_lab)
    assert seed.method == "buckets"
    values = seed.composite.stack()
    assert values.min() >= 1 and values.max() <= 10


def test_seed_scores_rank_stocks_much_like_the_zscore_composite(sample):
    seed = fl.factors.seed_scores(sample).latest()["composite"]
    z = fl.score(sample).latest()["composite"]
    both = pd.concat([seed, z], axis=1).dropna()
    assert both.corr(method="spearman").iloc[0, 1] > 0.6


def test_a_loss_maker_gets_the_worst_pe_bucket_not_the_cheapest():
    dates = pd.bdate_range("2023-06-01", periods=40)
    prices = pd.DataFrame({"LOSS": 10.0, "GAIN": 10.0}, index=dates)
    quarters = pd.to_datetime(["2022-06-30", "2022-09-30", "2022-12-31", "2023-03-31"])
    rows = [
        (t, q, q + pd.Timedelta(days=40), income, 100.0, 10.0)
        for t, income in (("LOSS", -5.0), ("GAIN", 5.0))
        for q in quarters
    ]
    f = pd.DataFrame(
        rows,
        columns=[
            "ticker",
            "period_end",
            "available_at",
            "net_income",
            "book_equity",
            "shares_outstanding",
        ],
    )
    ds = fl.Dataset(prices=prices, fundamentals=f)
    seed = fl.factors.seed_scores(ds, weights="value=1")
    last = seed.components["value"].iloc[-1]
    # Cap 100. P/B = 100 / 100 = 1.0 sits on a cut point, so it counts as "1 or more": 8.
    # GAIN: P/E = 100 / 20 = 5.0, on the first cut: 9. LOSS: a negative P/E scores 1, not 10.
    assert last["GAIN"] == (9 + 8) / 2
    assert last["LOSS"] == (1 + 8) / 2


def test_seed_scores_refuse_families_the_seed_never_had(scoring_lab):
    with pytest.raises(
        fl.ConfigError, match="The seed scored only value, growth and momentum, not quality"
    ):
        fl.factors.seed_scores(scoring_lab, weights="quality=1")


def test_screen_works_without_volume_or_benchmark(scoring_lab):
    lean = fl.Dataset(
        scoring_lab.prices, fundamentals=scoring_lab.fundamentals, meta=scoring_lab.meta
    )
    with pytest.warns(UserWarning, match="volume_trend"):
        table = fl.screen(lean, top=5)
    assert "volume_trend" not in table.columns and len(table) == 5


def test_screen_with_nothing_scorable_says_why(scoring_lab):
    with pytest.raises(
        fl.DataError, match="No stock could be scored on 2021-01-01: .*too little price history"
    ):
        fl.screen(scoring_lab, as_of=scoring_lab.start, weights="momentum=1")


def test_screen_reports_tickers_not_listed_yet(scoring_lab):
    day = scoring_lab.dates[200]
    late = scoring_lab.meta.index[scoring_lab.meta["listed"] > day]
    reasons = fl.screen(scoring_lab, top=None, as_of=day).attrs["excluded"]
    assert len(late) and all(reasons[t] == f"not listed on {day:%Y-%m-%d}" for t in late)


def test_screen_as_of_beyond_the_data_warns_naming_the_date_used(scoring_lab):
    with pytest.warns(
        UserWarning,
        match=rf"as_of 2099-01-01 is after the data's last day; the "
        rf"screen uses {scoring_lab.end:%Y-%m-%d}",
    ):
        table = fl.screen(scoring_lab, as_of="2099-01-01")
    assert table.attrs["as_of"] == scoring_lab.end
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fl.screen(scoring_lab, as_of=scoring_lab.end)


def test_seed_vs_zscore_reads_a_family_in_any_case_and_names_unknown_ones(scoring_lab):
    assert fl.factors.seed_vs_zscore(scoring_lab, " Value ").attrs["family"] == "value"
    with pytest.raises(fl.ConfigError, match="The seed scored only value, growth and momentum"):
        fl.factors.seed_vs_zscore(scoring_lab, "quality")
