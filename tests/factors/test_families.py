"""Families: what exists, how exposures combine, and that they find the lab market's premia."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import factorlab as fl
from factorlab.factors.exposure import family_exposure


def test_available_lists_every_family_and_metric_with_a_description():
    table = fl.factors.available()
    assert set(table["family"]) == {"value", "growth", "momentum", "quality", "low_vol"}
    assert table["description"].str.len().min() > 10
    assert not table.duplicated("metric").any()
    value = table[table["family"] == "value"].set_index("metric")
    assert value.loc["debt_to_equity", "higher_is_better"] == False  # noqa: E712
    assert value.loc["earnings_yield", "higher_is_better"] == True  # noqa: E712


def test_metrics_returns_raw_panels_on_the_price_grid(small_sample):
    panels = fl.factors.metrics(small_sample, "growth")
    assert list(panels) == ["revenue_growth", "earnings_growth", "quarterly_revenue_growth", "peg"]
    for panel in panels.values():
        assert panel.index.equals(small_sample.dates)
        assert panel.columns.equals(small_sample.prices.columns)


def test_an_unknown_family_suggests_the_closest():
    with pytest.raises(
        fl.ConfigError, match="Unknown factor family 'valeu'. Did you mean 'value'?"
    ):
        fl.factors.metrics(fl.load_dataset("sample", n_tickers=20, years=3), "valeu")


def test_exposures_exist_only_where_the_stock_trades(small_sample):
    exposure = fl.factors.momentum(small_sample)
    assert exposure.where(small_sample.prices.isna()).isna().all().all()


def test_a_family_is_the_mean_of_its_signed_metric_zscores(small_sample):
    from factorlab.factors.transform import winsorize, zscore

    panels = fl.factors.metrics(small_sample, "quality")
    parts = [
        zscore(winsorize(panels["return_on_equity"])),
        zscore(winsorize(panels["gross_margin"])),
        -zscore(winsorize(panels["leverage"])),
    ]
    expected = pd.concat(parts).groupby(level=0).mean()  # NaN-aware mean per date and ticker
    pd.testing.assert_frame_equal(fl.factors.quality(small_sample), expected, check_freq=False)


def test_a_family_is_the_same_alone_beside_others_and_on_one_thread(small_sample, monkeypatch):
    from functools import partial

    from factorlab.factors import exposure

    together = exposure.family_exposures(small_sample, ["value", "momentum", "growth"])
    monkeypatch.setattr(exposure, "imap_threads", partial(exposure.imap_threads, workers=1))
    for family in ("value", "momentum", "growth"):
        alone = family_exposure(small_sample, family)
        np.testing.assert_array_equal(alone.to_numpy(), together[family].to_numpy())


def test_a_family_is_unchanged_by_adding_a_constant_to_a_metric(small_sample, monkeypatch):
    from dataclasses import replace

    from factorlab.factors import exposure

    shifted = tuple(
        m if m.name != "gross_margin" else replace(m, compute=lambda ds, f=m.compute: f(ds) + 3.0)
        for m in exposure.METRICS
    )
    before = exposure.quality(small_sample, winsorize=0)
    monkeypatch.setattr(exposure, "METRICS", shifted)
    pd.testing.assert_frame_equal(exposure.quality(small_sample, winsorize=0), before, atol=1e-12)


def _monthly_rank_ic(exposure: pd.DataFrame, ds: fl.Dataset) -> pd.Series:
    """Spearman correlation of month-end exposure with the next month's return, per month."""
    month_ends = ds.dates[np.r_[ds.dates.month[1:] != ds.dates.month[:-1], True]]
    prices = ds.prices.loc[month_ends]
    forward = (prices.shift(-1) / prices - 1).iloc[:-1]
    x = exposure.loc[month_ends].iloc[:-1]
    both = x.notna() & forward.notna()
    return x.where(both).rank(axis=1).corrwith(forward.where(both).rank(axis=1), axis=1).dropna()


@pytest.mark.parametrize("family", ["value", "growth", "momentum"])
def test_each_family_has_the_sign_of_its_planted_premium(sample, family):
    ic = _monthly_rank_ic(family_exposure(sample, family), sample)
    assert ic.mean() > 0
    assert ic.mean() / ic.std() * np.sqrt(len(ic)) > 2  # a t-statistic, 14 years of months


def _rank_z(panel: pd.DataFrame) -> pd.DataFrame:
    count = panel.notna().sum(axis=1)
    return ((panel.rank(axis=1) - 0.5).div(count, axis=0) - 0.5) * np.sqrt(12)


def _family(*metrics: pd.DataFrame) -> pd.DataFrame:
    z = [_rank_z(m) for m in metrics]
    count = sum(x.notna().astype(int) for x in z)
    return _rank_z(sum(x.fillna(0) for x in z) / count.where(count > 0))


def test_the_library_metrics_reproduce_the_lab_markets_true_exposures(sample):
    """The generator plants premia on exposures defined from the same filed data: the library's
    point-in-time metrics, combined the generator's way, must give exactly the true exposures."""
    truth = sample.truth.exposures
    month_ends = truth["value"].index
    value = fl.factors.metrics(sample, "value")
    growth = fl.factors.metrics(sample, "growth")
    momentum = fl.factors.metrics(sample, "momentum")
    rebuilt = {
        "value": _family(
            value["earnings_yield"].loc[month_ends], value["book_to_price"].loc[month_ends]
        ),
        "growth": _family(
            growth["revenue_growth"].loc[month_ends], growth["earnings_growth"].loc[month_ends]
        ),
        "momentum": _rank_z(momentum["momentum_12_1"].loc[month_ends]),
    }
    for name, panel in rebuilt.items():
        pd.testing.assert_frame_equal(
            panel, truth[name], check_freq=False, check_names=False, obj=name
        )


def test_a_prices_only_dataset_still_gets_momentum_without_the_volume_metric(small_sample):
    prices_only = fl.Dataset(prices=small_sample.prices)
    with pytest.warns(UserWarning, match="leaves out volume_trend \\(needs volume\\)"):
        exposure = fl.factors.momentum(prices_only)
    assert exposure.notna().any().any()


def test_a_family_with_no_usable_metric_says_what_the_dataset_lacks(small_sample):
    with pytest.raises(
        fl.DataError, match="The value factor needs fundamentals, which this dataset does not have"
    ):
        fl.factors.value(fl.Dataset(prices=small_sample.prices))
