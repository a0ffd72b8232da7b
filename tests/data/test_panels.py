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
def panel_lab() -> fl.Dataset:
    return fl.load_dataset("sample", n_tickers=40, years=4, seed=5)


def _stacked(panel: pd.DataFrame) -> pd.Series:
    series = panel.stack()
    series.index.names = ["date", "asset"]
    return series.rename("factor")


def test_an_alphalens_series_is_unstacked_with_a_note(panel_lab):
    momentum = fl.factors.momentum(panel_lab)
    with pytest.warns(UserWarning, match=r"factor came as a Series indexed by \(date, asset\)"):
        report = fl.evaluate(_stacked(momentum), panel_lab, periods=(5,))
    wide = fl.evaluate(momentum, panel_lab, periods=(5,))
    pd.testing.assert_frame_equal(report.ic, wide.ic)


def test_an_alphalens_series_backtests_like_its_panel(panel_lab):
    momentum = fl.factors.momentum(panel_lab)
    with pytest.warns(UserWarning, match="signal came as a Series"):
        from_series = fl.backtest(_stacked(momentum), panel_lab)
    pd.testing.assert_series_equal(from_series.returns, fl.backtest(momentum, panel_lab).returns)


def test_an_asset_date_series_and_a_factor_data_frame_are_read_too(panel_lab):
    momentum = fl.factors.momentum(panel_lab).iloc[-30:]
    swapped = _stacked(momentum).swaplevel()
    frame = _stacked(momentum).to_frame()  # alphalens' factor_data has a 'factor' column
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for given in (swapped, frame):
            aligned = align_panel(given, panel_lab, "factor")
            pd.testing.assert_frame_equal(
                aligned.loc[momentum.index], momentum, check_names=False, check_freq=False
            )


def test_a_series_with_a_plain_index_is_refused_naming_the_shape(panel_lab):
    with pytest.raises(fl.DataError, match=r"indexed by \(date, asset\), as alphalens"):
        fl.evaluate(pd.Series([1.0, 2.0]), panel_lab)


def test_evaluate_calls_its_input_a_factor(panel_lab):
    shifted = fl.factors.momentum(panel_lab).set_axis(
        panel_lab.dates + pd.Timedelta(hours=36), axis=0
    )
    with pytest.raises(fl.DataError, match="The factor has .* not trading days"):
        fl.evaluate(shifted, panel_lab)
    with pytest.raises(fl.DataError, match="The factor is infinite"):
        fl.evaluate(fl.factors.momentum(panel_lab).replace(0.0, np.inf).fillna(np.inf), panel_lab)


def test_month_end_labels_need_align_previous_and_land_on_the_last_trading_day(panel_lab):
    prices = panel_lab.prices
    month_end = prices.resample("ME").last()  # labelled by calendar month end, weekends too
    on_weekends = month_end.index[~month_end.index.isin(panel_lab.dates)]
    assert len(on_weekends) > 10
    with pytest.raises(fl.DataError, match="align='previous'"):
        fl.backtest(month_end, panel_lab)
    aligned = align_panel(month_end, panel_lab, align="previous")
    # Each label sits on the last trading day on or before it, with the values it had.
    for label in on_weekends[:5]:
        day = panel_lab.dates[panel_lab.dates <= label][-1]
        pd.testing.assert_series_equal(aligned.loc[day], month_end.loc[label], check_names=False)
    assert aligned.notna().any(axis=1).sum() == len(month_end)


def test_align_previous_backtest_equals_the_same_signal_on_trading_days(panel_lab):
    momentum = fl.factors.momentum(panel_lab)
    month_ends = momentum.groupby(momentum.index.to_period("M")).tail(1)
    relabelled = month_ends.set_axis(month_ends.index.to_period("M").to_timestamp("M"), axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the last month end may fall after the data's last day
        moved = fl.backtest(relabelled, panel_lab, align="previous")
        exact = fl.backtest(month_ends.reindex(panel_lab.dates), panel_lab)
    pd.testing.assert_series_equal(moved.returns, exact.returns)


def test_labels_after_the_last_day_are_dropped_not_moved_back(panel_lab):
    last = panel_lab.end
    panel = pd.DataFrame(
        {panel_lab.tickers[0]: [1.0, 2.0]}, index=[last, last + pd.Timedelta(days=3)]
    )
    with pytest.warns(UserWarning, match="1 date after the data's last day"):
        aligned = align_panel(panel, panel_lab, align="previous")
    assert aligned.loc[last, panel_lab.tickers[0]] == 1.0  # the later value is not pulled back


def test_a_friday_signal_sits_in_cash_unless_filled_and_the_warning_says_so(panel_lab):
    momentum = fl.factors.momentum(panel_lab)
    fridays = momentum.where(
        pd.Series(panel_lab.dates.day_of_week == 4, index=panel_lab.dates), axis=0
    )
    with pytest.warns(UserWarning, match="pass fill='latest'"):
        sparse = fl.backtest(fridays, panel_lab)
    assert (sparse.holdings_count == 0).any()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        filled = fl.backtest(fridays, panel_lab, fill="latest")
    assert (filled.holdings_count.iloc[1:] > 0).all()


def test_fill_latest_carries_values_only_while_a_stock_has_a_price(panel_lab):
    momentum = fl.factors.momentum(panel_lab)
    weekly = momentum.iloc[::5].reindex(panel_lab.dates)
    filled = align_panel(weekly, panel_lab, fill="latest")
    assert not (filled.notna() & panel_lab.prices.isna()).to_numpy().any()
    # between two weekly values, the earlier one holds
    ticker = momentum.iloc[-1].dropna().index[0]
    row = (len(panel_lab.dates) - 1) // 5 * 5
    assert filled[ticker].iloc[row + 1 : row + 5].eq(momentum[ticker].iloc[row]).all()


def test_filled_signal_uses_nothing_from_the_future(panel_lab):
    """Change the signal after a date: nothing aligned on or before it changes."""
    momentum = fl.factors.momentum(panel_lab).iloc[::5]
    cut = panel_lab.dates[len(panel_lab.dates) // 2]
    changed = momentum.copy()
    changed.loc[changed.index > cut] = -changed.loc[changed.index > cut]
    a = align_panel(momentum, panel_lab, fill="latest").loc[:cut]
    b = align_panel(changed, panel_lab, fill="latest").loc[:cut]
    pd.testing.assert_frame_equal(a, b)


def test_bad_align_and_fill_are_named(panel_lab):
    momentum = fl.factors.momentum(panel_lab)
    with pytest.raises(fl.ConfigError, match="align must be 'exact' or 'previous'"):
        fl.backtest(momentum, panel_lab, align="nearest")
    with pytest.raises(fl.ConfigError, match="fill must be None or 'latest'"):
        fl.evaluate(momentum, panel_lab, fill="ffill")


def test_align_previous_never_replaces_a_trading_days_own_value(panel_lab):
    """A weekday the dataset does not trade (another calendar's) must not bring its later
    value back onto the day before, which has a value of its own."""
    ticker = panel_lab.tickers[0]
    day = panel_lab.dates[(panel_lab.dates.day_of_week == 1)][5]  # a Tuesday
    holiday = day + pd.Timedelta(days=1)  # a Wednesday the dataset does not trade
    panel = pd.DataFrame({ticker: [1.0, 2.0]}, index=[day, holiday])
    trimmed = fl.Dataset(prices=panel_lab.prices.drop(index=holiday))
    aligned = align_panel(panel, trimmed, align="previous")
    assert aligned.loc[day, ticker] == 1.0


def test_align_previous_keeps_the_earliest_of_labels_landing_on_one_day(panel_lab):
    ticker = panel_lab.tickers[0]
    friday = panel_lab.dates[panel_lab.dates.day_of_week == 4][10]
    saturday, sunday = friday + pd.Timedelta(days=1), friday + pd.Timedelta(days=2)
    panel = pd.DataFrame({ticker: [1.0, 2.0]}, index=[saturday, sunday])
    assert align_panel(panel, panel_lab, align="previous").loc[friday, ticker] == 1.0


def test_the_exact_error_warns_that_weekdays_off_the_calendar_may_be_another_calendars(panel_lab):
    ticker = panel_lab.tickers[0]
    weekday = panel_lab.dates[100]
    trimmed = fl.Dataset(prices=panel_lab.prices.drop(index=weekday))
    panel = pd.DataFrame({ticker: [1.0]}, index=[weekday])
    with pytest.raises(
        fl.DataError,
        match=r"1 of them are weekdays within the data .* compute "
        r"the signal from this dataset instead",
    ):
        fl.backtest(panel, trimmed)


def test_a_numbered_index_and_a_duplicated_ticker_are_refused(panel_lab):
    with pytest.raises(fl.DataError, match="indexed by dates, not numbers"):
        align_panel(pd.DataFrame({panel_lab.tickers[0]: [1.0, 2.0]}), panel_lab, "factor")
    twice = fl.factors.momentum(panel_lab)[[panel_lab.tickers[0], panel_lab.tickers[0]]]
    with pytest.raises(fl.DataError, match="ticker .* in more than one column"):
        align_panel(twice, panel_lab)


def test_an_infinity_under_text_dates_is_named_with_its_date(panel_lab):
    ticker = panel_lab.tickers[0]
    panel = pd.DataFrame({ticker: [1.0, np.inf]}, index=["2024-01-02", "2024-01-03"])
    with pytest.raises(fl.DataError, match=rf"infinite for {ticker} on 2024-01-03"):
        align_panel(panel, panel_lab)


def test_the_alphalens_note_points_at_the_callers_line(panel_lab):
    series = fl.factors.momentum(panel_lab).iloc[-5:].stack()
    with pytest.warns(UserWarning, match="came as a Series") as caught:
        fl.evaluate(series, panel_lab, periods=(1,))
    assert caught[0].filename == __file__
