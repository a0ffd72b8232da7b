"""fl.evaluate_events: alphalens' event-study numbers, and a planted drift found."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import factorlab as fl

BEFORE, AFTER = 3, 6


@pytest.fixture(scope="module")
def market():
    """Prices of 30 stocks over 200 days, and sparse events of both signs with groups."""
    rng = np.random.default_rng(11)
    dates = pd.bdate_range("2022-01-03", periods=200)
    tickers = [f"E{i:02d}" for i in range(30)]
    returns = rng.normal(0, 0.02, (200, 30))
    prices = pd.DataFrame(20 * np.cumprod(1 + returns, axis=0), index=dates, columns=tickers)
    happened = rng.random((200, 30)) < 0.03
    happened[:2] = happened[-2:] = True  # events whose window runs past either end
    values = np.where(happened, rng.choice([-2.0, -1.0, 1.0, 3.0], size=(200, 30)), np.nan)
    events = pd.DataFrame(values, index=dates, columns=tickers)
    groups = {t: f"g{i % 3}" for i, t in enumerate(tickers)}
    return prices, events, groups


def _factor_data(events: pd.DataFrame, prices: pd.DataFrame, **options) -> pd.DataFrame:
    import alphalens as al

    stacked = events.stack()
    stacked.index.names = ["date", "asset"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return al.utils.get_clean_factor_and_forward_returns(
            stacked, prices, periods=(1, 5), filter_zscore=None, max_loss=1.0, **options
        )


def _alphalens_curves(data, prices, demeaned, by_group=False) -> pd.DataFrame:
    """alphalens' average_cumulative_return_by_quantile with its original event-day returns.

    alphalens-reloaded slices what it is given without dividing by the event day's value
    (alphalens-reloaded#8), so each date is run alone on prices relative to that day's close,
    and the date means are then averaged as alphalens averages them (mean, std ddof=1).
    """
    import alphalens as al

    by_date = []
    for day in data.index.get_level_values("date").unique():
        relative = prices / prices.loc[day] - 1
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            curves = al.performance.average_cumulative_return_by_quantile(
                data.loc[[day]], relative, BEFORE, AFTER, demeaned=demeaned, by_group=by_group
            )
        by_date.append(curves.xs("mean", level=1))
    stacked = pd.concat(by_date)
    keys = ["factor_quantile", "group"] if by_group else ["factor_quantile"]
    return stacked.groupby(level=keys).agg(["mean", "std"])  # columns: (offset, statistic)


def _ours(study: fl.EventStudy, relative_to, by_group=False) -> pd.DataFrame:
    curves = study.average_cumulative_returns(relative_to, by_group=by_group)
    return curves.drop("dates", level="statistic").unstack("statistic")


@pytest.mark.parametrize("relative_to", [None, "events"])
def test_average_cumulative_returns_equal_alphalens(market, relative_to):
    prices, events, _ = market
    edges = [-np.inf, 0, np.inf]
    study = fl.evaluate_events(
        events,
        prices=prices,
        before=BEFORE,
        after=AFTER,
        periods=(1, 5),
        bins=edges,
        drop_incomplete=True,
    )
    data = _factor_data(events, prices, quantiles=None, bins=edges)
    theirs = _alphalens_curves(data, prices, demeaned=relative_to == "events")
    ours = _ours(study, relative_to)
    assert list(ours.index) == list(theirs.index)
    theirs = theirs.reindex(columns=ours.columns)
    np.testing.assert_allclose(ours.to_numpy(), theirs.to_numpy(), atol=1e-12)


def test_average_cumulative_returns_by_group_equal_alphalens(market):
    prices, events, groups = market
    study = fl.evaluate_events(
        events,
        prices=prices,
        before=BEFORE,
        after=AFTER,
        periods=(1, 5),
        bins=[-np.inf, 0, np.inf],
        groupby=groups,
        drop_incomplete=True,
    )
    data = _factor_data(events, prices, quantiles=None, bins=[-np.inf, 0, np.inf], groupby=groups)
    theirs = _alphalens_curves(data, prices, demeaned=False, by_group=True)
    ours = _ours(study, None, by_group=True).swaplevel().sort_index()
    assert list(ours.index) == list(theirs.index)
    theirs = theirs.reindex(columns=ours.columns)
    np.testing.assert_allclose(ours.to_numpy(), theirs.to_numpy(), atol=1e-12)


def test_market_relative_returns_subtract_the_average_priced_stock(market):
    prices, events, _ = market
    study = fl.evaluate_events(events, prices=prices, before=BEFORE, after=AFTER, periods=(1,))
    curves = study.average_cumulative_returns("market")
    per_date = []  # by hand, four days after: each date's events less that day's average stock
    for date, todays in study.events.groupby(level="date"):
        p = prices.index.get_loc(date)
        if p + 4 < len(prices):
            later = prices.iloc[p + 4] / prices.iloc[p] - 1
            per_date.append((later[todays.index.get_level_values("asset")] - later.mean()).mean())
    assert curves.loc[(1, "mean"), 4] == pytest.approx(np.mean(per_date), abs=1e-12)
    assert curves.loc[(1, "std"), 4] == pytest.approx(np.std(per_date, ddof=1), abs=1e-12)
    assert curves.loc[(1, "dates"), 4] == len(per_date)


def test_a_planted_drift_after_events_is_found(market):
    prices, events, _ = market
    returns = prices.pct_change(fill_method=None).fillna(0.0)
    happened = events.notna() & (events > 0)
    drift = happened.shift(1, fill_value=False) | happened.shift(2, fill_value=False)
    drifted = 20 * (1 + returns + 0.01 * drift).cumprod()  # +1 % on each of the two days after
    study = fl.evaluate_events(
        events, prices=drifted, bins=[-np.inf, 0, np.inf], before=BEFORE, after=AFTER
    )
    summary = study.summary()
    curves = study.average_cumulative_returns()
    assert curves.loc[(2, "mean"), 0] == 0.0  # the event day is the base
    assert summary.loc[2, "mean return"] == pytest.approx(0.0201, abs=0.006)
    assert summary.loc[2, "t-stat"] > 3
    assert abs(summary.loc[1, "t-stat"]) < 3  # negative events had no drift
    assert summary["events"].sum() == len(study.events)


def test_quantile_statistics_equal_alphalens(market):
    import alphalens as al

    prices, events, _ = market
    report = fl.evaluate(
        events, prices=prices, periods=(1, 5), quantiles=None, bins=3, drop_incomplete=True
    )
    data = _factor_data(events, prices, quantiles=None, bins=3)
    theirs = al.plotting.plot_quantile_statistics_table(data, return_df=True)
    ours = report.quantile_statistics()
    np.testing.assert_array_equal(ours.index, theirs.index)
    np.testing.assert_allclose(ours.to_numpy(), theirs.to_numpy(dtype=float), atol=1e-12)


def test_the_study_lists_and_counts_its_events(market):
    prices, events, groups = market
    study = fl.evaluate_events(events, prices=prices, groupby=groups, before=2, after=2)
    table = study.events
    assert list(table.columns) == ["value", "quantile", "group"]
    assert table["quantile"].eq(1).all()  # one bucket by default
    assert study.counts.to_numpy().sum() == len(table)
    assert "events on" in repr(study)
    figure = study.plot()
    assert len(figure.axes) == 3


def test_bad_event_study_options_are_named(market):
    prices, events, _ = market
    with pytest.raises(fl.ConfigError, match="relative_to must be 'market', 'events' or None"):
        fl.evaluate_events(events, prices=prices, relative_to="sector")
    with pytest.raises(fl.ConfigError, match="before"):
        fl.evaluate_events(events, prices=prices, before=-1)
    study = fl.evaluate_events(events, prices=prices)
    with pytest.raises(fl.ConfigError, match="needs groups: evaluate with groupby="):
        study.average_cumulative_returns(by_group=True)
