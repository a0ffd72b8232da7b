"""fl.evaluate: agreement with alphalens, the binning conventions, and the planted premia found."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import factorlab as fl
from factorlab.backtest.crosssection import quantile_buckets
from factorlab.backtest.significance import t_pvalue


@pytest.fixture(scope="module")
def shared() -> tuple[fl.Dataset, pd.DataFrame]:
    """A market with no missing prices (alphalens forward-fills them; factorlab does not) and a
    continuous factor that partly predicts returns."""
    rng = np.random.default_rng(8)
    dates = pd.bdate_range("2022-01-03", periods=160)
    tickers = [f"T{i:02d}" for i in range(40)]
    skill = rng.normal(size=(160, 40))
    returns = 0.002 * skill + rng.normal(0, 0.02, (160, 40))
    prices = pd.DataFrame(50 * np.cumprod(1 + returns, axis=0), index=dates, columns=tickers)
    factor = pd.DataFrame(
        np.roll(skill, 1, axis=0) + rng.normal(0, 1, (160, 40)), index=dates, columns=tickers
    )
    return fl.Dataset(prices=prices), factor


def _alphalens(factor: pd.DataFrame, prices: pd.DataFrame, periods, quantiles):
    import alphalens as al

    stacked = factor.stack()
    stacked.index.names = ["date", "asset"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = al.utils.get_clean_factor_and_forward_returns(
            stacked,
            prices,
            periods=periods,
            quantiles=quantiles,
            filter_zscore=None,
            max_loss=1.0,
        )
        ic = al.performance.factor_information_coefficient(data)
        raw, _ = al.performance.mean_return_by_quantile(data, demeaned=False)
        demeaned, _ = al.performance.mean_return_by_quantile(data, demeaned=True)
    return ic, raw, demeaned


def test_daily_ic_and_quantile_returns_equal_alphalens(shared):
    ds, factor = shared
    periods = (1, 5, 10)
    report = fl.evaluate(factor, ds, periods=periods, quantiles=5, drop_incomplete=True)
    ic, raw, demeaned = _alphalens(factor, ds.prices, periods, 5)
    for h in periods:
        ours = report.ic[h].dropna()
        theirs = ic[f"{h}D"]
        theirs.index = pd.DatetimeIndex(theirs.index).tz_localize(None).as_unit("ns")
        pd.testing.assert_series_equal(ours, theirs.loc[ours.index], check_names=False, atol=1e-9)
        np.testing.assert_allclose(report.quantile_returns[h], raw[f"{h}D"], atol=1e-9)
        np.testing.assert_allclose(
            report.quantile_returns_demeaned[h], demeaned[f"{h}D"], atol=1e-9
        )


def test_buckets_follow_qcut_including_ties_and_tiny_dates():
    factor = pd.DataFrame([[1.0, 2.0, 3.0, 4.0], [1.0, 2.0, np.nan, np.nan], [5.0, 5.0, 5.0, 1.0]])
    buckets = quantile_buckets(factor, 3)
    assert buckets.iloc[0].tolist() == [1, 1, 2, 3]  # 4 names, 3 buckets
    assert quantile_buckets(factor, 4).iloc[1].tolist()[:2] == [1, 4]  # 2 names, 4 buckets
    assert buckets.iloc[2].isna().all()  # edges collide: the date is dropped
    for row, q in ((0, 3), (1, 4)):
        expected = pd.qcut(factor.iloc[row].dropna(), q, labels=False) + 1
        assert quantile_buckets(factor, q).iloc[row].dropna().tolist() == expected.tolist()


def test_a_discrete_factor_shares_buckets_by_value(shared):
    ds, factor = shared
    levels = factor.round().clip(-2, 2)  # five values: -2 .. 2
    labels = fl.evaluate(levels, ds, periods=(1,), quantiles=3).buckets[1]
    binned = labels.index[labels.notna().any(axis=1)]
    assert len(binned) > 20
    for day in binned[:20]:
        row = pd.DataFrame({"value": levels.loc[day], "bucket": labels.loc[day]}).dropna()
        assert row.groupby("value")["bucket"].nunique().max() == 1


def test_a_factor_with_too_many_ties_for_its_buckets_is_dropped_with_a_warning(shared):
    ds, factor = shared
    three = np.sign(factor).where(factor.abs() > 0.5, 0.0)  # -1, 0, 1: edges collide
    with pytest.warns(UserWarning, match="could not be evaluated"):
        report = fl.evaluate(three, ds, periods=(1,), quantiles=3)
    assert report.loss.loc["no bucket, 1d", "share"] > 0.9  # alphalens' "binning phase"
    assert report.loss.loc["no forward return, 1d", "rows"] == len(ds.tickers)  # the last day


def test_a_factor_from_the_future_has_ic_near_one_and_a_random_one_near_zero(shared):
    ds, _ = shared
    future = ds.prices.shift(-1) / ds.prices - 1
    assert fl.evaluate(future, ds, periods=(1,)).ic[1].mean() > 0.99
    noise = pd.DataFrame(
        np.random.default_rng(1).normal(size=ds.prices.shape), index=ds.dates, columns=ds.tickers
    )
    summary = fl.evaluate(noise, ds, periods=(1,)).ic_summary()
    assert abs(summary.loc[1, "t-stat (overlapping)"]) < 3


def test_p_values_match_students_t():
    for t, df in [(2.0, 10), (-1.3, 40), (4.5, 300), (0.1, 5)]:
        assert t_pvalue(t, df) == pytest.approx(2 * stats.t.sf(abs(t), df), rel=1e-9)


def test_the_sample_premia_are_found(sample):
    momentum = fl.evaluate(fl.factors.momentum(sample), sample, periods=(21,))
    assert momentum.ic_summary().loc[21, "t-stat (overlapping)"] > 2
    composite = fl.evaluate(fl.score(sample).composite, sample, periods=(21,))
    assert composite.spread.loc[21, "mean"] > 2 * composite.spread.loc[21, "std error"]


def test_turnover_and_rank_autocorrelation_count_rows(shared):
    ds, factor = shared
    report = fl.evaluate(factor, ds, periods=(1, 5))
    assert report.turnover.shape == (2, 6)  # five quantiles and the rank autocorrelation
    assert (
        ((report.turnover[list(range(1, 6))] >= 0) & (report.turnover[list(range(1, 6))] <= 1))
        .all()
        .all()
    )
    assert report.turnover["rank autocorrelation"].equals(report.rank_autocorrelation)
    persistent = fl.evaluate(ds.prices, ds, periods=(1,))  # price level barely changes rank
    assert persistent.rank_autocorrelation[1] > 0.95
    buckets = list(range(1, 6))
    assert persistent.turnover.loc[1, buckets].max() < report.turnover.loc[1, buckets].max()


def test_groupby_sector_reports_each_group(small_sample):
    report = fl.evaluate(
        fl.factors.momentum(small_sample), small_sample, periods=(5,), groupby="sector"
    )
    groups = report.quantile_returns_by_group.index.get_level_values("group").unique()
    assert set(groups) == set(small_sample.meta["sector"].dropna())


def test_the_loss_table_counts_what_could_not_be_evaluated(sample):
    report = fl.evaluate(fl.factors.momentum(sample), sample, periods=(21,))
    loss = report.loss
    assert loss.loc["factor values", "share"] == 1.0
    assert 0 < loss.loc["no forward return, 21d", "rows"] < loss.loc["factor values", "rows"]
    assert loss.loc["no bucket, 21d", "rows"] == 0


def test_tear_sheet_draws_ic_series_histogram_quantiles_spread_and_decay(shared):

    ds, factor = shared
    fig = fl.evaluate(factor, ds, periods=(1, 5)).plot()
    titles = [ax.get_title() for ax in fig.axes]
    assert len(titles) == 5
    assert titles[0] == "Rank IC, 1-day forward returns"
    assert titles[1].startswith("IC distribution, 1d")
    assert "Forward return by quantile" in titles and "Mean IC by horizon" in titles


def test_bad_parameters_are_named(shared):
    ds, factor = shared
    with pytest.raises(fl.ConfigError, match="quantiles must be at least 2"):
        fl.evaluate(factor, ds, quantiles=1)
    with pytest.raises(fl.ConfigError, match="periods must be trading-day horizons"):
        fl.evaluate(factor, ds, periods=(0,))
    assert list(fl.evaluate(factor, ds, periods="1, 5").ic.columns) == [1, 5]


def _three_stocks_ten_days() -> fl.FactorReport:
    """Three stocks over ten days, C without a price on day 3; periods 1 and 2, dropped when
    incomplete."""
    dates = pd.bdate_range("2024-01-01", periods=10)
    prices = pd.DataFrame(
        {"A": np.arange(10, 20.0), "B": np.arange(20, 30.0), "C": 5.0}, index=dates
    )
    prices.iloc[3, 2] = np.nan  # C has no price on day 3
    factor = pd.DataFrame({"A": 1.0, "B": 2.0, "C": 3.0}, index=dates)
    return fl.evaluate(
        factor, fl.Dataset(prices=prices), periods=(1, 2), quantiles=2, drop_incomplete=True
    )


def test_the_loss_table_adds_up_by_hand():
    report = _three_stocks_ten_days()
    loss = report.loss["rows"]
    assert loss["factor values"] == 30
    assert loss["no price that day"] == 1
    # Without a 2-day forward return: every stock on the last two days (6), C on days 1 and 2
    # (its price on day 3 is missing): 8; drop_incomplete drops them for every period.
    assert loss["a period without a forward return (drop_incomplete)"] == 8
    assert loss["no forward return, 1d"] == loss["no bucket, 1d"] == 0
    assert report.loss["share"]["no price that day"] == pytest.approx(1 / 30)


def test_the_loss_table_by_date_says_when_each_value_was_lost():
    report = _three_stocks_ten_days()
    by_date = report.loss_by_date
    assert by_date.sum().tolist() == report.loss["rows"].tolist()  # the same counts, by date
    assert by_date["no price that day"].to_numpy().nonzero()[0].tolist() == [3]
    dropped = by_date["a period without a forward return (drop_incomplete)"]
    assert dropped.tolist() == [0, 1, 1, 0, 0, 0, 0, 0, 3, 3]  # C before its gap; the last two


def test_the_loss_table_by_period_sums_the_dates_of_each_period(sample):
    report = fl.evaluate(fl.factors.momentum(sample), sample, periods=(1, 21))
    by_year = report.loss_by_period("Y")
    assert by_year.drop(columns="evaluated").sum().tolist() == report.loss["rows"].tolist()
    assert list(by_year.index) == sorted({str(d.year) for d in sample.dates})
    # the last year loses the values whose 21-day forward return lies past the data
    assert by_year["no forward return, 21d"].iloc[-1] > 0
    assert (by_year["evaluated"] <= 1).all()
    with pytest.raises(fl.ConfigError, match="freq must be a pandas period"):
        report.loss_by_period("fortnightly")


def test_a_stock_delisting_within_the_horizon_realizes_its_last_price():
    dates = pd.bdate_range("2024-01-01", periods=6)
    prices = pd.DataFrame(
        {"D": [10.0, 10, 6, np.nan, np.nan, np.nan], "H": [10.0, 10, 11, np.nan, 12, 12]},
        index=dates,
    )
    meta = pd.DataFrame({"delisted": pd.to_datetime([dates[2], None])}, index=["D", "H"])
    ds = fl.Dataset(prices=prices, meta=meta)
    with pytest.warns(UserWarning, match="could not be evaluated"):  # six days, a 3-day horizon
        fwd = fl.evaluate(
            pd.DataFrame({"D": 1.0, "H": 2.0}, index=dates), ds, periods=(3,), quantiles=2
        ).forward_returns[3]
    assert fwd.at[dates[0], "D"] == pytest.approx(-0.4)  # delisted on day 2 at 6
    assert fwd.at[dates[0], "H"] == pytest.approx(np.nan, nan_ok=True)  # a halt: no return
    assert fwd.at[dates[1], "H"] == pytest.approx(0.2)


def test_a_random_signal_has_no_significant_spread_on_the_sample(sample):
    noise = pd.DataFrame(
        np.random.default_rng(7).normal(size=sample.prices.shape),
        index=sample.dates,
        columns=sample.tickers,
    )
    spread = fl.evaluate(noise, sample, periods=(21,)).spread.loc[21]
    assert abs(spread["mean"]) < 2 * spread["std error"]


@pytest.mark.parametrize(("quantiles", "periods"), [(3, (2, 3)), (10, (1, 21))])
def test_parity_with_alphalens_holds_for_other_quantiles_periods_and_missing_values(
    shared, quantiles, periods
):
    ds, factor = shared
    holes = factor.mask(np.random.default_rng(3).random(factor.shape) < 0.3)
    report = fl.evaluate(holes, ds, periods=periods, quantiles=quantiles, drop_incomplete=True)
    ic, raw, _ = _alphalens(holes, ds.prices, periods, quantiles)
    for h in periods:
        ours = report.ic[h].dropna()
        np.testing.assert_allclose(ours.to_numpy(), ic[f"{h}D"].to_numpy(), atol=1e-9)
        np.testing.assert_allclose(report.quantile_returns[h], raw[f"{h}D"], atol=1e-9)


def test_the_non_overlapping_t_statistic_is_smaller_for_long_horizons(sample):
    summary = fl.evaluate(fl.factors.momentum(sample), sample, periods=(21,)).ic_summary()
    assert (
        0
        < summary.loc[21, "t-stat (non-overlapping)"]
        < summary.loc[21, "t-stat (overlapping)"] / 2
    )


def test_evaluate_names_bad_inputs(shared, small_sample):
    ds, factor = shared
    with pytest.raises(fl.DataError, match="The factor has no values"):
        fl.evaluate(factor * np.nan, ds)
    with pytest.raises(fl.ConfigError, match="Cannot group by 'foo': ds.meta has no such column"):
        fl.evaluate(factor, ds, groupby="foo")
    with pytest.raises(fl.ConfigError, match="Cannot group by 'sector': every ticker's sector is"):
        fl.evaluate(factor, ds, groupby="sector")


def _alphalens_factor_data(factor: pd.DataFrame, prices: pd.DataFrame, periods=(1,), **options):
    """alphalens' own factor_data for a wide factor, with every value kept (max_loss=1)."""
    import alphalens as al

    stacked = factor.stack()
    stacked.index.names = ["date", "asset"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return al.utils.get_clean_factor_and_forward_returns(
            stacked, prices, periods=periods, filter_zscore=None, max_loss=1.0, **options
        )


def test_alphalens_inputs_give_alphalens_factor_data(shared):
    ds, factor = shared
    stacked = factor.stack()  # alphalens' shape: a Series indexed by (date, asset)
    stacked.index.names = ["date", "asset"]
    with pytest.warns(UserWarning):  # the factor's last days have no 5-day forward return
        report = fl.evaluate(stacked, prices=ds.prices, periods=(1, 5), drop_incomplete=True)
    ours = report.factor_data()
    theirs = _alphalens_factor_data(factor, ds.prices, (1, 5), quantiles=5)
    assert list(ours.columns) == list(theirs.columns)
    theirs = theirs.reindex(ours.index)
    assert len(ours) == len(theirs.dropna())
    pd.testing.assert_frame_equal(
        ours, theirs, check_dtype=False, check_index_type=False, check_freq=False, atol=1e-12
    )


def test_alphalens_own_functions_run_on_factor_data(shared):
    import alphalens as al

    ds, factor = shared
    report = fl.evaluate(factor, ds, periods=(1, 5), drop_incomplete=True)
    ic = al.performance.factor_information_coefficient(report.factor_data())
    np.testing.assert_allclose(ic["1D"], report.ic[1].loc[ic.index], atol=1e-9)


def test_groupby_takes_a_meta_column_a_series_or_a_dict(small_sample):
    factor = fl.factors.momentum(small_sample)
    sectors = small_sample.meta["sector"]
    by_column = fl.evaluate(factor, small_sample, periods=(5,), groupby="sector")
    for groups in (sectors, sectors.to_dict()):
        other = fl.evaluate(factor, small_sample, periods=(5,), groupby=groups)
        pd.testing.assert_frame_equal(
            other.quantile_returns_by_group, by_column.quantile_returns_by_group
        )
    data = by_column.factor_data()
    assert (data["group"] == sectors.reindex(data.index.get_level_values("asset")).to_numpy()).all()


def test_the_market_is_given_once(shared):
    ds, factor = shared
    for market in ({}, {"ds": ds, "prices": ds.prices}):
        with pytest.raises(fl.ConfigError, match="Give the market once"):
            fl.evaluate(factor, **market)
    with pytest.raises(fl.ConfigError, match="groupby names none of the factor's assets"):
        fl.evaluate(factor, ds, groupby={"ZZZZ": "Energy"})


def test_ic_by_group_equals_alphalens_by_group(shared):
    import alphalens as al

    ds, factor = shared
    groups = {ticker: ("odd" if i % 2 else "even") for i, ticker in enumerate(ds.tickers)}
    stacked = factor.stack()
    stacked.index.names = ["date", "asset"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = al.utils.get_clean_factor_and_forward_returns(
            stacked, ds.prices, groupby=groups, periods=(1, 5), filter_zscore=None, max_loss=1.0
        )
        theirs = al.performance.factor_information_coefficient(data, by_group=True)
        their_means = al.performance.mean_information_coefficient(data, by_group=True)
    report = fl.evaluate(factor, ds, periods=(1, 5), groupby=groups, drop_incomplete=True)
    ours = report.ic_by_group
    theirs = theirs.reindex(ours.index)
    np.testing.assert_allclose(ours.to_numpy(), theirs.to_numpy(), atol=1e-9)
    np.testing.assert_allclose(
        report.mean_ic_by_group().to_numpy(), their_means.to_numpy(), atol=1e-9
    )


def test_ic_by_group_needs_groups(shared):
    ds, factor = shared
    report = fl.evaluate(factor, ds, periods=(1,))
    with pytest.raises(fl.ConfigError, match="ic_by_group needs groups: evaluate with groupby="):
        report.mean_ic_by_group()


@pytest.mark.parametrize("demeaned", [False, True])
def test_quantile_standard_errors_equal_alphalens(shared, demeaned):
    import alphalens as al

    ds, factor = shared
    data = _alphalens_factor_data(factor, ds.prices, (1, 5), quantiles=5)
    _, theirs = al.performance.mean_return_by_quantile(data, demeaned=demeaned)
    report = fl.evaluate(factor, ds, periods=(1, 5), drop_incomplete=True)
    np.testing.assert_allclose(
        report.quantile_std_errors(demeaned).to_numpy(), theirs.to_numpy(), atol=1e-12
    )


@pytest.mark.parametrize(
    ("demeaned", "equal_weight"), [(True, False), (False, False), (True, True), (False, True)]
)
def test_factor_weighted_returns_and_alpha_beta_equal_alphalens(shared, demeaned, equal_weight):
    import alphalens as al

    ds, factor = shared
    data = _alphalens_factor_data(factor, ds.prices, (1, 5), quantiles=5)
    theirs = al.performance.factor_returns(data, demeaned=demeaned, equal_weight=equal_weight)
    their_ab = al.performance.factor_alpha_beta(data, demeaned=demeaned, equal_weight=equal_weight)
    report = fl.evaluate(factor, ds, periods=(1, 5), drop_incomplete=True)
    ours = report.factor_returns(demeaned, equal_weight).dropna(how="all")
    np.testing.assert_allclose(ours.to_numpy(), theirs.reindex(ours.index).to_numpy(), atol=1e-12)
    np.testing.assert_allclose(
        report.alpha_beta(demeaned, equal_weight).to_numpy(), their_ab.to_numpy(), rtol=1e-9
    )


@pytest.mark.parametrize(
    "options",
    [
        {"quantiles": [0, 0.1, 0.5, 0.9, 1]},
        {"quantiles": [0.2, 0.4, 1]},  # the lowest fifth is left out, as qcut leaves it
        {"quantiles": 4, "zero_aware": True},
        {"quantiles": 6, "zero_aware": True},
        {"quantiles": None, "bins": 5},
        {"quantiles": None, "bins": [-1.0, -0.3, 0.0, 0.4, 1.5]},  # some values beyond
        {"quantiles": None, "bins": 4, "zero_aware": True},
    ],
)
def test_binning_options_give_alphalens_quantiles(shared, options):
    ds, factor = shared
    factor = factor.round(1)  # ties, and zeros on the boundary of the signs
    theirs = _alphalens_factor_data(factor, ds.prices, **options)
    with warnings.catch_warnings():  # fixed edges leave values out on purpose: a loss warning
        warnings.simplefilter("ignore", UserWarning)
        report = fl.evaluate(factor, ds, periods=(1,), drop_incomplete=True, **options)
    ours = report.factor_data()
    pd.testing.assert_series_equal(
        ours["factor_quantile"],
        theirs["factor_quantile"].reindex(ours.index).astype(ours["factor_quantile"].dtype),
        check_index_type=False,
        check_freq=False,
    )
    assert len(ours) == len(theirs)
    import alphalens as al

    their_means, _ = al.performance.mean_return_by_quantile(theirs, demeaned=False)
    np.testing.assert_allclose(
        report.quantile_returns[1].to_numpy(), their_means["1D"].to_numpy(), atol=1e-12
    )
    their_ic = al.performance.factor_information_coefficient(theirs)["1D"]
    np.testing.assert_allclose(report.ic[1].loc[their_ic.index], their_ic, atol=1e-9)


def test_zero_aware_needs_an_even_count_and_edges_must_rise(shared):
    ds, factor = shared
    for options, message in (
        ({"quantiles": 5, "zero_aware": True}, "even number of quantiles"),
        ({"quantiles": [0, 0.5, 0.4, 1]}, "increasing"),
        ({"quantiles": [0, 0.5, 1.5]}, r"in \[0, 1\]"),
        ({"quantiles": [0, 0.5, 1], "zero_aware": True}, "not a list of edges"),
        ({"bins": 5}, "Give quantiles or bins, not both"),
        ({"quantiles": None}, "Give quantiles or bins, not both"),
        ({"quantiles": None, "bins": [0, 1, 1]}, "increasing"),
        ({"quantiles": None, "bins": 3, "zero_aware": True}, "even, with zero_aware"),
    ):
        with pytest.raises(fl.ConfigError, match=message):
            fl.evaluate(factor, ds, periods=(1,), **options)


@pytest.mark.parametrize("quantiles", [3, [0, 0.5, 1]])
def test_buckets_within_groups_equal_alphalens_binning_by_group(shared, quantiles):
    import alphalens as al

    ds, factor = shared
    groups = {ticker: "ABC"[i % 3] for i, ticker in enumerate(ds.tickers)}
    theirs = _alphalens_factor_data(
        factor, ds.prices, groupby=groups, binning_by_group=True, quantiles=quantiles
    )
    report = fl.evaluate(
        factor,
        ds,
        periods=(1,),
        groupby=groups,
        by_group=True,
        quantiles=quantiles,
        drop_incomplete=True,
    )
    ours = report.factor_data()
    assert len(ours) == len(theirs)
    np.testing.assert_array_equal(
        ours["factor_quantile"], theirs["factor_quantile"].reindex(ours.index)
    )
    their_means, _ = al.performance.mean_return_by_quantile(theirs, demeaned=False)
    np.testing.assert_allclose(report.quantile_returns[1], their_means["1D"], atol=1e-12)
    their_ic = al.performance.factor_information_coefficient(theirs)["1D"]
    np.testing.assert_allclose(report.ic[1].loc[their_ic.index], their_ic, atol=1e-9)


def test_buckets_within_groups_need_groups(shared):
    ds, factor = shared
    with pytest.raises(fl.ConfigError, match="by_group needs groups"):
        fl.evaluate(factor, ds, periods=(1,), by_group=True)


def test_cumulative_factor_returns_compound_a_share_of_each_periods_return(shared):
    ds, factor = shared
    report = fl.evaluate(factor, ds, periods=(1, 5))
    daily = report.factor_returns()
    cumulative = report.cumulative_factor_returns()
    np.testing.assert_allclose(
        cumulative[1].to_numpy(), (1 + daily[1].fillna(0)).cumprod().to_numpy() - 1, rtol=1e-12
    )
    np.testing.assert_allclose(
        cumulative[5].to_numpy(), (1 + daily[5].fillna(0) / 5).cumprod().to_numpy() - 1, rtol=1e-12
    )


def test_a_monthly_factors_book_compounds_its_monthly_returns(shared):
    ds, factor = shared
    month_ends = factor.groupby(factor.index.to_period("M")).tail(1).index
    report = fl.evaluate(factor.loc[month_ends], ds, periods=(1, 21))
    monthly = report.factor_returns()[21].dropna()
    rows = report.factor.index.get_indexer(monthly.index)
    gaps = np.r_[np.diff(rows), rows[-1] - rows[-2]]
    expected = np.prod(1 + monthly.to_numpy() * np.minimum(gaps / 21, 1.0)) - 1
    assert report.cumulative_factor_returns()[21].iloc[-1] == pytest.approx(expected, rel=1e-12)
    assert gaps.min() >= 19  # month ends: nearly all of each 21-day return counts
