"""A user's panel on a dataset's calendar: alphalens' (date, asset) Series, month-end labels on
non-trading days (align="previous") and sparse signals carried forward (fill="latest")."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import factorlab as fl
from factorlab.data.panels import align_panel


@pytest.fixture(scope="module")
def market() -> fl.Dataset:
    return fl.load_dataset("sample", n_tickers=40, years=4, seed=5)


def _stacked(panel: pd.DataFrame) -> pd.Series:
    series = panel.stack()
    series.index.names = ["date", "asset"]
    return series.rename("factor")


def test_an_alphalens_series_is_unstacked_with_a_note(market):
    momentum = fl.factors.momentum(market)
    with pytest.warns(UserWarning, match=r"factor came as a Series indexed by \(date, asset\)"):
        report = fl.evaluate(_stacked(momentum), market, periods=(5,))
    wide = fl.evaluate(momentum, market, periods=(5,))
    pd.testing.assert_frame_equal(report.ic, wide.ic)


def test_an_alphalens_series_backtests_like_its_panel(market):
    momentum = fl.factors.momentum(market)
    with pytest.warns(UserWarning, match="signal came as a Series"):
        from_series = fl.backtest(_stacked(momentum), market)
    pd.testing.assert_series_equal(from_series.returns, fl.backtest(momentum, market).returns)


def test_an_asset_date_series_and_a_factor_data_frame_are_read_too(market):
    momentum = fl.factors.momentum(market).iloc[-30:]
    swapped = _stacked(momentum).swaplevel()
    frame = _stacked(momentum).to_frame()  # alphalens' factor_data has a 'factor' column
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for given in (swapped, frame):
            aligned = align_panel(given, market, "factor")
            pd.testing.assert_frame_equal(
                aligned.loc[momentum.index], momentum, check_names=False, check_freq=False
            )


def test_a_series_with_a_plain_index_is_refused_naming_the_shape(market):
    with pytest.raises(fl.DataError, match=r"indexed by \(date, asset\), as alphalens"):
        fl.evaluate(pd.Series([1.0, 2.0]), market)


def test_evaluate_calls_its_input_a_factor(market):
    shifted = fl.factors.momentum(market).set_axis(market.dates + pd.Timedelta(hours=36), axis=0)
    with pytest.raises(fl.DataError, match="The factor has .* not trading days"):
        fl.evaluate(shifted, market)
    with pytest.raises(fl.DataError, match="The factor is infinite"):
        fl.evaluate(fl.factors.momentum(market).replace(0.0, np.inf).fillna(np.inf), market)


def test_month_end_labels_need_align_previous_and_land_on_the_last_trading_day(market):
    prices = market.prices
    month_end = prices.resample("ME").last()  # labelled by calendar month end, weekends too
    on_weekends = month_end.index[~month_end.index.isin(market.dates)]
    assert len(on_weekends) > 10
    with pytest.raises(fl.DataError, match="align='previous'"):
        fl.backtest(month_end, market)
    aligned = align_panel(month_end, market, align="previous")
    # Each label sits on the last trading day on or before it, with the values it had.
    for label in on_weekends[:5]:
        day = market.dates[market.dates <= label][-1]
        pd.testing.assert_series_equal(aligned.loc[day], month_end.loc[label], check_names=False)
    assert aligned.notna().any(axis=1).sum() == len(month_end)


def test_align_previous_backtest_equals_the_same_signal_on_trading_days(market):
    momentum = fl.factors.momentum(market)
    month_ends = momentum.groupby(momentum.index.to_period("M")).tail(1)
    relabelled = month_ends.set_axis(month_ends.index.to_period("M").to_timestamp("M"), axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the last month end may fall after the data's last day
        moved = fl.backtest(relabelled, market, align="previous")
        exact = fl.backtest(month_ends.reindex(market.dates), market)
    pd.testing.assert_series_equal(moved.returns, exact.returns)


def test_labels_after_the_last_day_are_dropped_not_moved_back(market):
    last = market.end
    panel = pd.DataFrame({market.tickers[0]: [1.0, 2.0]}, index=[last, last + pd.Timedelta(days=3)])
    with pytest.warns(UserWarning, match="1 date after the data's last day"):
        aligned = align_panel(panel, market, align="previous")
    assert aligned.loc[last, market.tickers[0]] == 1.0  # the later value is not pulled back


def test_a_friday_signal_sits_in_cash_unless_filled_and_the_warning_says_so(market):
    momentum = fl.factors.momentum(market)
    fridays = momentum.where(pd.Series(market.dates.day_of_week == 4, index=market.dates), axis=0)
    with pytest.warns(UserWarning, match="pass fill='latest'"):
        sparse = fl.backtest(fridays, market)
    assert (sparse.holdings_count == 0).any()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        filled = fl.backtest(fridays, market, fill="latest")
    assert (filled.holdings_count.iloc[1:] > 0).all()


def test_fill_latest_carries_values_only_while_a_stock_has_a_price(market):
    momentum = fl.factors.momentum(market)
    weekly = momentum.iloc[::5].reindex(market.dates)
    filled = align_panel(weekly, market, fill="latest")
    assert not (filled.notna() & market.prices.isna()).to_numpy().any()
    # between two weekly values, the earlier one holds
    ticker = momentum.iloc[-1].dropna().index[0]
    row = (len(market.dates) - 1) // 5 * 5
    assert filled[ticker].iloc[row + 1 : row + 5].eq(momentum[ticker].iloc[row]).all()


def test_filled_signal_uses_nothing_from_the_future(market):
    """Change the signal after a date: nothing aligned on or before it changes."""
    momentum = fl.factors.momentum(market).iloc[::5]
    cut = market.dates[len(market.dates) // 2]
    changed = momentum.copy()
    changed.loc[changed.index > cut] = -changed.loc[changed.index > cut]
    a = align_panel(momentum, market, fill="latest").loc[:cut]
    b = align_panel(changed, market, fill="latest").loc[:cut]
    pd.testing.assert_frame_equal(a, b)


def test_bad_align_and_fill_are_named(market):
    momentum = fl.factors.momentum(market)
    with pytest.raises(fl.ConfigError, match="align must be 'exact' or 'previous'"):
        fl.backtest(momentum, market, align="nearest")
    with pytest.raises(fl.ConfigError, match="fill must be None or 'latest'"):
        fl.evaluate(momentum, market, fill="ffill")


def test_align_previous_never_replaces_a_trading_days_own_value(market):
    """A weekday the dataset does not trade (another calendar's) must not bring its later
    value back onto the day before, which has a value of its own."""
    ticker = market.tickers[0]
    day = market.dates[(market.dates.day_of_week == 1)][5]  # a Tuesday
    holiday = day + pd.Timedelta(days=1)  # a Wednesday the dataset does not trade
    panel = pd.DataFrame({ticker: [1.0, 2.0]}, index=[day, holiday])
    trimmed = fl.Dataset(prices=market.prices.drop(index=holiday))
    aligned = align_panel(panel, trimmed, align="previous")
    assert aligned.loc[day, ticker] == 1.0


def test_align_previous_keeps_the_earliest_of_labels_landing_on_one_day(market):
    ticker = market.tickers[0]
    friday = market.dates[market.dates.day_of_week == 4][10]
    saturday, sunday = friday + pd.Timedelta(days=1), friday + pd.Timedelta(days=2)
    panel = pd.DataFrame({ticker: [1.0, 2.0]}, index=[saturday, sunday])
    assert align_panel(panel, market, align="previous").loc[friday, ticker] == 1.0


def test_the_exact_error_warns_that_weekdays_off_the_calendar_may_be_another_calendars(market):
    ticker = market.tickers[0]
    weekday = market.dates[100]
    trimmed = fl.Dataset(prices=market.prices.drop(index=weekday))
    panel = pd.DataFrame({ticker: [1.0]}, index=[weekday])
    with pytest.raises(
        fl.DataError,
        match=r"1 of them are weekdays within the data .* compute "
        r"the signal from this dataset instead",
    ):
        fl.backtest(panel, trimmed)


def test_a_numbered_index_and_a_duplicated_ticker_are_refused(market):
    with pytest.raises(fl.DataError, match="indexed by dates, not numbers"):
        align_panel(pd.DataFrame({market.tickers[0]: [1.0, 2.0]}), market, "factor")
    twice = fl.factors.momentum(market)[[market.tickers[0], market.tickers[0]]]
    with pytest.raises(fl.DataError, match="ticker .* in more than one column"):
        align_panel(twice, market)


def test_an_infinity_under_text_dates_is_named_with_its_date(market):
    ticker = market.tickers[0]
    panel = pd.DataFrame({ticker: [1.0, np.inf]}, index=["2024-01-02", "2024-01-03"])
    with pytest.raises(fl.DataError, match=rf"infinite for {ticker} on 2024-01-03"):
        align_panel(panel, market)


def test_the_alphalens_note_points_at_the_callers_line(market):
    series = fl.factors.momentum(market).iloc[-5:].stack()
    with pytest.warns(UserWarning, match="came as a Series") as caught:
        fl.evaluate(series, market, periods=(1,))
    assert caught[0].filename == __file__
