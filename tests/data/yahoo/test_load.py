"""fl.load_dataset("yahoo"): the same Dataset as the sample, cached, honest about failures."""

from __future__ import annotations

import json
import os
import warnings

import numpy as np
import pandas as pd
import pytest

import factorlab as fl
from factorlab.factors.families.value import market_cap

from .conftest import earnings_dates, price_frame, recorded, statements

pytestmark = pytest.mark.filterwarnings("ignore:Yahoo")  # tests that care catch them


@pytest.fixture
def load(yahoo, no_wait, tmp_path):
    """load_dataset("yahoo") against the fake, with a fresh cache folder and no waiting."""

    def run(tickers=("AAA", "BBB"), **options):
        options = {
            "start": "2023-06-01",
            "end": "2024-12-31",
            "cache_dir": tmp_path,
            "retry": no_wait,
            "progress": False,
            **options,
        }
        return fl.load_dataset("yahoo", tickers=list(tickers), **options)

    return run


def test_a_clean_batch_gives_a_full_dataset(load, yahoo):
    ds = load()
    assert ds.source == "yahoo" and ds.tickers == ["AAA", "BBB"] and ds.failed == {}
    assert ds.start == pd.Timestamp("2023-06-01") and ds.end == pd.Timestamp("2024-12-31")
    expected = yahoo.prices["AAA"]["Adj Close"].loc["2023-06-01":"2024-12-31"]
    np.testing.assert_allclose(ds.prices["AAA"].to_numpy(), expected.to_numpy())
    assert (ds.close["AAA"] > ds.prices["AAA"]).all()  # the traded close, not dividend-adjusted
    assert ds.volume is not None and ds.benchmark.name == "SPY"
    assert ds.meta.loc["AAA", ["name", "sector"]].tolist() == ["Aaa Corp", "Technology"]
    assert ds.meta["delisted"].isna().all()
    assert set(ds.fundamentals["ticker"]) == {"AAA", "BBB"}
    assert len(yahoo.download_calls) == 1  # one batch for the tickers and the benchmark
    quarters = ds.fundamentals.dropna(subset=["revenue"])
    assert (quarters["operating_cash_flow"] >= 20).all()  # from the cash-flow statement
    assert (quarters[["capex", "dividends"]] == [5.0, 2.0]).all().all()  # payments: positive


def test_notes_state_the_source_survivorship_and_every_assumption(load):
    notes = " ".join(load().notes)
    for phrase in (
        "Yahoo Finance",
        "Survivorship",
        "adjusted close",
        "available_at",
        "period end + 45 days",
        "+ 90 days",
        "five quarters",
        "4-for-1",
    ):
        assert phrase in notes


def test_market_cap_uses_the_traded_close_and_split_adjusted_shares(load):
    ds = load()
    cap = market_cap(ds)
    day = pd.Timestamp("2024-03-28")  # before AAA's split: shares were reported pre-split
    assert cap.at[day, "AAA"] == pytest.approx(ds.close.at[day, "AAA"] * 1e9)


def test_factors_scores_and_backtests_run_unchanged(load):
    ds = load()
    assert fl.factors.momentum(ds).notna().to_numpy().any()
    assert fl.factors.value(ds).iloc[-1].notna().all()
    result = fl.backtest(fl.factors.value(ds).fillna(0.0), ds, quantiles=2)
    assert np.isfinite(result.stats().to_numpy(dtype=float)).any()


def test_one_bad_ticker_is_listed_with_its_reason_and_one_warning(load):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ds = load(["AAA", "NOPE", "BBB"])
    assert ds.tickers == ["AAA", "BBB"]
    assert list(ds.failed) == ["NOPE"] and "possibly delisted" in ds.failed["NOPE"]
    about_failures = [w for w in caught if "could not be loaded" in str(w.message)]
    assert len(about_failures) == 1 and "NOPE" in str(about_failures[0].message)


def test_nothing_downloaded_raises_a_data_error_that_says_how_to_work_offline(load, yahoo):
    yahoo.offline = True
    with pytest.raises(fl.DataError) as caught:
        load()
    message = str(caught.value)
    assert "No data came back from Yahoo for any of the 2 tickers" in message
    assert "network may be unreachable" in message
    assert "offline=True" in message and "load_dataset('sample')" in message


def test_rate_limited_everywhere_says_so(load, yahoo):
    yahoo.rate_limited_calls = 100
    with pytest.raises(fl.DataError, match="rate-limited every request"):
        load()
    assert len(yahoo.download_calls) == 4  # bounded


def test_rate_limited_then_fine_loads_everything(load, yahoo):
    yahoo.rate_limited_calls = 2
    assert load().tickers == ["AAA", "BBB"]
    assert len(yahoo.download_calls) == 3


def test_a_warm_cache_makes_no_calls_at_all(load, yahoo):
    first = load()
    calls = yahoo.calls
    second = load()
    assert yahoo.calls == calls
    pd.testing.assert_frame_equal(second.prices, first.prices, check_freq=False)
    pd.testing.assert_frame_equal(second.fundamentals, first.fundamentals)


def test_offline_uses_the_cache_at_any_age_and_names_what_is_missing(load, yahoo):
    load()
    yahoo.offline = True
    calls = yahoo.calls
    ds = load(["AAA", "CCC"], offline=True)
    assert yahoo.calls == calls
    assert ds.tickers == ["AAA"] and "offline=True does not download" in ds.failed["CCC"]


def test_refresh_downloads_again(load, yahoo):
    load()
    load(refresh=True)
    assert len(yahoo.download_calls) == 2


def test_an_earlier_start_than_cached_downloads_again(load, yahoo):
    load(start="2024-01-02")
    load(start="2023-06-01")
    assert len(yahoo.download_calls) == 2


def test_a_stale_copy_is_used_when_the_download_fails_and_the_notes_say_so(load, yahoo, tmp_path):
    load()
    for record in tmp_path.rglob("*.json"):  # make every cached entry a week old and more
        record.write_text(record.read_text().replace('"fetched_at": "20', '"fetched_at": "19'))
    yahoo.offline = True
    ds = load()
    assert ds.tickers == ["AAA", "BBB"]
    assert any("older cached copy" in note for note in ds.notes)


def test_a_corrupt_cache_file_is_fetched_again_with_a_warning(load, yahoo, tmp_path):
    load()
    path = tmp_path / "prices" / "AAA.parquet"
    path.write_bytes(b"PAR1 not really")
    with pytest.warns(UserWarning, match="damaged file"):
        ds = load()
    assert "AAA" in ds.tickers and len(yahoo.download_calls) == 2
    assert yahoo.download_calls[-1] == ["AAA"]


def test_missing_company_info_is_a_warning_not_an_error(load, yahoo):
    yahoo.info_fails.add("BBB")
    with pytest.warns(UserWarning, match="no company name or sector for BBB"):
        ds = load()
    assert pd.isna(ds.meta.loc["BBB", "sector"]) and ds.meta.loc["AAA", "sector"] == "Technology"


def test_a_failed_benchmark_leaves_the_dataset_without_one(load, yahoo):
    del yahoo.prices["SPY"]
    with pytest.warns(UserWarning, match="benchmark SPY could not be loaded"):
        ds = load()
    assert ds.benchmark is None and ds.failed == {}


@pytest.mark.parametrize(
    ("tickers", "options", "message"),
    [
        ([], {}, "tickers is empty"),
        (["BRK B"], {}, "Did you mean 'BRK-B'"),
        (["AAA"], {"start": "2024-05-01", "end": "2024-01-01"}, "start .* is after end"),
        (["AAA"], {"refresh": True, "offline": True}, "choose one"),
    ],
)
def test_bad_arguments_are_named(load, tickers, options, message):
    with pytest.raises(fl.ConfigError, match=message):
        load(tickers, **options)


def test_lowercase_tickers_are_upper_cased_and_the_notes_say_so(load):
    ds = load(["aaa", "bbb"])
    assert ds.tickers == ["AAA", "BBB"]
    assert "Tickers were upper-cased: AAA, BBB." in ds.notes


def test_a_loaded_dataset_saves_and_loads_offline(load, tmp_path):
    ds = load()
    ds.save(tmp_path / "mine")
    again = fl.load_dataset(str(tmp_path / "mine"))
    pd.testing.assert_frame_equal(again.close, ds.close, check_freq=False)
    assert again.notes == ds.notes and again.source == "yahoo"


@pytest.mark.network
@pytest.mark.skipif(
    not os.environ.get("FACTORLAB_NETWORK_TESTS"),
    reason="touches Yahoo; set FACTORLAB_NETWORK_TESTS=1 to run it by hand",
)
def test_two_real_tickers_load_from_yahoo(tmp_path):  # pragma: no cover - manual check
    import pytest_socket

    pytest_socket.enable_socket()
    pytest_socket._remove_restrictions()  # this one test may leave 127.0.0.1
    ds = fl.load_dataset(
        "yahoo", tickers=["AAPL", "MSFT"], start="2023-01-01", cache_dir=tmp_path, progress=False
    )
    assert ds.tickers == ["AAPL", "MSFT"] and ds.fundamentals is not None
    assert ds.meta["sector"].notna().all()


def test_the_fetch_command_saves_a_folder_that_loads_offline(yahoo, tmp_path, capsys, monkeypatch):
    from factorlab.cli import main

    monkeypatch.setenv("FACTORLAB_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "data" / "mystocks"
    code = main(
        [
            "fetch",
            "AAA",
            "NOPE",
            "--start",
            "2024-01-02",
            "--end",
            "2024-12-31",
            "--save",
            str(folder),
            "--no-progress",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "factorlab dataset 'yahoo'" in out and "failed: NOPE:" in out
    yahoo.offline = True
    ds = fl.load_dataset(str(folder))
    assert ds.tickers == ["AAA"] and ds.failed["NOPE"]


def test_the_fetch_command_reports_nothing_downloaded_as_one_error(yahoo, tmp_path, capsys):
    from factorlab.cli import main

    yahoo.offline = True
    assert main(["fetch", "AAA", "--cache-dir", str(tmp_path), "--no-progress"]) == 2
    assert capsys.readouterr().err.startswith("factorlab: error: No data came back from Yahoo")


def test_progress_bars_can_be_shown(load, capsys):
    assert load(progress=True).tickers == ["AAA", "BBB"]


def test_rate_limited_statements_are_retried_then_missing_and_not_cached(load, yahoo):
    yahoo.statement_fails.add("AAA")
    with pytest.warns(UserWarning, match="no fundamentals for AAA"):
        ds = load()
    assert set(ds.fundamentals["ticker"]) == {"BBB"}
    calls = [c for c in yahoo.ticker_calls if c == ("AAA", "income quarterly")]
    assert len(calls) == 4  # bounded retries
    yahoo.statement_fails.clear()
    assert set(load().fundamentals["ticker"]) == {"AAA", "BBB"}  # the failure was not cached


def test_a_cache_from_before_the_cash_flow_statement_says_what_is_missing_offline(
    load, yahoo, tmp_path
):
    load()
    for path in (tmp_path / "quarterly_cashflow").glob("AAA.*"):
        path.unlink()  # as a cache written before factorlab read cash flows
    with pytest.warns(UserWarning, match=r"some statements missing for AAA \(quarterly cashflow"):
        ds = load(offline=True)
    aaa = ds.fundamentals[ds.fundamentals["ticker"] == "AAA"]
    assert aaa["operating_cash_flow"].isna().all() and aaa["revenue"].notna().any()
    assert any(note.startswith("Some statements missing: AAA") for note in ds.notes)
    yahoo.offline = False
    calls = len(yahoo.ticker_calls)
    ds = load()  # online: only the missing part is asked for
    assert yahoo.ticker_calls[calls:] == [("AAA", "cash flow quarterly")]
    assert ds.fundamentals.query("ticker == 'AAA'")["operating_cash_flow"].notna().any()


def test_an_empty_answer_never_replaces_cached_statements(load, yahoo, tmp_path):
    load()
    for record in tmp_path.rglob("*.json"):
        record.write_text(record.read_text().replace('"fetched_at": "20', '"fetched_at": "19'))
    yahoo.statements["AAA"] = {}  # Yahoo has a bad day
    ds = load()
    assert "AAA" in set(ds.fundamentals["ticker"])
    assert any("the cached copy was kept" in note for note in ds.notes)


def test_retries_work_even_when_the_user_silenced_yfinances_logger(load, yahoo):
    import logging

    logger = logging.getLogger("yfinance")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yahoo.rate_limited_calls = 2
        assert load().tickers == ["AAA", "BBB"]
        assert len(yahoo.download_calls) == 3
    finally:
        logger.setLevel(level)


def test_yfinances_own_messages_do_not_reach_the_user(load, yahoo, caplog, capsys):
    import logging

    logging.getLogger("yfinance").setLevel(logging.NOTSET)
    with caplog.at_level(logging.DEBUG):
        load(["AAA", "NOPE"])
    assert not [r for r in caplog.records if r.name.startswith("yfinance")]
    assert "Failed download" not in capsys.readouterr().err


def test_tickers_may_be_any_iterable(load):
    assert load(iter(["AAA", "BBB"])).tickers == ["AAA", "BBB"]


def test_a_refetch_keeps_the_earlier_start_that_was_cached(load, yahoo, tmp_path):
    load(start="2023-06-01")
    record = tmp_path / "prices" / "AAA.json"
    record.write_text(record.read_text().replace('"fetched_at": "20', '"fetched_at": "19'))
    load(start="2024-01-02")
    assert json.loads(record.read_text())["start"] == "2023-06-01"


def test_todays_bar_is_left_out_as_it_may_be_unfinished(load, yahoo):
    today = pd.Timestamp.now(tz="UTC").tz_localize(None).normalize()
    for symbol in ("AAA", "BBB", "SPY"):
        frame = yahoo.prices[symbol]
        yahoo.prices[symbol] = pd.concat([frame, frame.iloc[[-1]].set_axis([today])])
    ds = load(end=None)
    assert ds.end < today and ds.end == pd.Timestamp("2024-12-31")


def test_offline_a_damaged_file_is_reported_as_not_fetched_again(load, yahoo, tmp_path):
    load()
    (tmp_path / "prices" / "AAA.parquet").write_bytes(b"PAR1 broken")
    calls = yahoo.calls
    with pytest.warns(UserWarning, match="not fetched again \\(offline\\): AAA prices"):
        ds = load(offline=True)
    assert "AAA" in ds.failed and yahoo.calls == calls


def test_none_for_start_or_end_means_the_defaults(yahoo, no_wait, tmp_path):
    ds = fl.load_dataset(
        "yahoo",
        tickers="AAA",
        start=None,
        end=None,
        cache_dir=tmp_path,
        retry=no_wait,
        progress=False,
        benchmark=None,
    )
    assert ds.start == pd.Timestamp("2023-01-02")  # all the fake has, from 2015-01-01 on


def test_a_ticker_yahoo_has_no_prices_for_is_not_asked_again_for_a_day(load, yahoo):
    with pytest.warns(UserWarning, match="could not be loaded"):
        first = load(tickers=["AAA", "GONE"])
    assert "GONE" in first.failed and "delisted" in first.failed["GONE"]
    with pytest.warns(UserWarning, match="could not be loaded"):
        again = load(tickers=["AAA", "GONE"])
    assert all("GONE" not in call for call in yahoo.download_calls[1:])
    assert "remembered from" in again.failed["GONE"] and "refresh=True" in again.failed["GONE"]
    with pytest.warns(UserWarning, match="could not be loaded"):
        load(tickers=["AAA", "GONE"], refresh=True)
    assert "GONE" in yahoo.download_calls[-1]


def test_a_network_failure_is_not_remembered(load, yahoo):
    yahoo.offline = True
    with pytest.raises(fl.DataError):
        load()
    yahoo.offline = False
    assert load().tickers == ["AAA", "BBB"]  # asked again at once


def _foreign_filer(yahoo, symbol: str, reported: str, rate: float | None) -> None:
    """``symbol`` trades in USD and files in ``reported``; ``rate`` is the {reported}USD=X close."""
    yahoo.prices[symbol] = price_frame(7)
    yahoo.statements[symbol] = statements(shares=2e9)  # as BBB's
    yahoo.earnings[symbol] = earnings_dates()
    yahoo.info[symbol] = {
        "longName": f"{symbol} ADR",
        "sector": "Technology",
        "currency": "USD",
        "financialCurrency": reported,
        "sharesOutstanding": 2e9,
    }
    if rate is not None:
        fx = price_frame(8)
        fx[["Adj Close", "Close"]] = rate
        yahoo.prices[f"{reported}USD=X"] = fx


def test_statements_in_another_currency_are_converted_at_the_period_end_rate(load, yahoo):
    _foreign_filer(yahoo, "TWSC", "TWD", rate=1 / 32)
    home = load(tickers=["BBB"])
    ds = load(tickers=["BBB", "TWSC"], refresh=True)
    ours = ds.fundamentals.set_index(["ticker", "period_end"])
    theirs = home.fundamentals.set_index(["ticker", "period_end"])
    # BBB's and TWSC's statements are the same numbers; TWSC's are in TWD at 32 to the dollar.
    twsc, bbb = ours.loc["TWSC"], theirs.loc["BBB"]
    for column in ("revenue", "net_income", "eps", "book_equity", "cash"):
        np.testing.assert_allclose(
            twsc[column].dropna(), bbb[column].dropna() / 32, rtol=1e-12, err_msg=column
        )
    np.testing.assert_allclose(twsc["shares_outstanding"], bbb["shares_outstanding"])
    assert any("TWSC (TWDUSD=X)" in note for note in ds.notes)
    assert "TWSC" not in ds.failed


def test_a_foreign_filer_without_a_rate_is_listed_as_failed(load, yahoo):
    _foreign_filer(yahoo, "XADR", "XYZ", rate=None)
    with pytest.warns(UserWarning):
        ds = load(tickers=["BBB", "XADR"])
    assert "XADR" in ds.tickers  # its prices are there
    assert "no XYZUSD=X rate" in ds.failed["XADR"]
    assert "XADR" not in set(ds.fundamentals["ticker"])


def test_flows_take_the_quarters_mean_rate_and_balances_the_period_ends(load, yahoo):
    _foreign_filer(yahoo, "TWSC", "TWD", rate=1 / 32)
    fx = yahoo.prices["TWDUSD=X"]
    rate = pd.Series(np.linspace(1 / 36, 1 / 28, len(fx)), index=fx.index)
    fx["Close"] = fx["Adj Close"] = rate  # the dollar weakens steadily
    home = load(tickers=["BBB"]).fundamentals.set_index("period_end")
    ds = load(tickers=["BBB", "TWSC"], refresh=True)
    ours = ds.fundamentals[ds.fundamentals["ticker"] == "TWSC"].set_index("period_end")
    bbb = home[home["ticker"] == "BBB"]
    for end, row in ours.iterrows():  # a handful of quarters
        if end < rate.index[0]:  # before the first rate: the first one
            quarter = at_end = rate.iloc[0]
        else:
            quarter = rate[(rate.index > end - pd.Timedelta("91D")) & (rate.index <= end)].mean()
            at_end = rate[rate.index <= end].iloc[-1]
        for column, scale in (("revenue", quarter), ("book_equity", at_end)):
            expected = bbb.loc[end, column] * scale
            if pd.isna(expected):  # a row without that figure (an annual row's balances)
                assert pd.isna(row[column])
            else:
                assert row[column] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("later_rate", [1 / 32, 1 / 20])
def test_a_rate_first_known_later_never_converts_figures_known_earlier(load, yahoo, later_rate):
    _foreign_filer(yahoo, "TWSC", "TWD", rate=later_rate)
    fx = yahoo.prices["TWDUSD=X"]
    yahoo.prices["TWDUSD=X"] = fx[fx.index >= "2024-06-03"]  # Yahoo's rates start late
    ds = load(tickers=["BBB", "TWSC"])
    ours = ds.fundamentals[ds.fundamentals["ticker"] == "TWSC"].set_index("period_end")
    early = ours[ours["available_at"] < pd.Timestamp("2024-06-03")]
    late = ours[ours["available_at"] >= pd.Timestamp("2024-06-03")]
    assert len(early) and len(late)
    # Whatever the later rate, what was known before it stays unconverted (no look-ahead).
    assert early[["revenue", "book_equity"]].isna().all().all()
    assert early["shares_outstanding"].notna().all()
    assert late["revenue"].notna().all()


def test_pound_statements_meet_pence_prices(load, yahoo):
    _foreign_filer(yahoo, "LSEX", "GBP", rate=None)
    yahoo.info["LSEX"]["currency"] = "GBp"  # quoted in pence, as London stocks are on Yahoo
    home = load(tickers=["BBB"]).fundamentals.set_index("period_end")
    ds = load(tickers=["BBB", "LSEX"], refresh=True)
    ours = ds.fundamentals[ds.fundamentals["ticker"] == "LSEX"].set_index("period_end")
    bbb = home[home["ticker"] == "BBB"]
    np.testing.assert_allclose(ours["revenue"].dropna(), bbb["revenue"].dropna() * 100)
    np.testing.assert_allclose(ours["shares_outstanding"], bbb["shares_outstanding"])


def test_a_remembered_failure_does_not_hide_a_wider_range(load, yahoo):
    with pytest.warns(UserWarning, match="could not be loaded"):
        load(tickers=["AAA", "GONE"], start="2024-01-02")
    with pytest.warns(UserWarning, match="could not be loaded"):
        load(tickers=["AAA", "GONE"], start="2023-06-01")  # wider: asked again
    assert "GONE" in yahoo.download_calls[-1]


def test_company_info_cached_without_its_statement_currency_is_fetched_again(load, yahoo):
    _foreign_filer(yahoo, "TWSC", "TWD", rate=1 / 32)
    reported = yahoo.info["TWSC"].pop("financialCurrency")  # as an older factorlab cached it
    load(tickers=["BBB", "TWSC"])
    yahoo.info["TWSC"]["financialCurrency"] = reported
    ds = load(tickers=["BBB", "TWSC"])  # the cached info lacks it: asked again, and converted
    assert any("TWSC (TWDUSD=X)" in note for note in ds.notes)


# CNY per USD near the published levels at each date; straight lines between them.
YUAN_PER_DOLLAR = {
    "2015-01-02": 6.21,
    "2019-06-28": 6.87,
    "2019-09-30": 7.14,
    "2019-12-31": 6.96,
    "2020-03-31": 7.09,
    "2020-06-30": 7.07,
    "2020-09-30": 6.79,
    "2020-12-31": 6.53,
    "2021-02-02": 6.46,
}


def _recorded_adr(yahoo, with_rate: bool = True) -> pd.Series:
    """BABA as Yahoo answered on 2021-02-03 (recorded), prices constructed through the recorded
    close of 2020-01-02 (219.77 USD); the CNYUSD=X rate constructed from YUAN_PER_DOLLAR."""
    info, found = recorded("BABA")
    yahoo.info["BABA"], yahoo.statements["BABA"] = info, found
    prices = price_frame(11, dates=pd.bdate_range("2019-01-02", "2021-02-02"))
    scale = 219.77 / prices.at[pd.Timestamp("2020-01-02"), "Close"]
    prices[["Adj Close", "Close"]] *= scale
    yahoo.prices["BABA"] = prices
    anchors = pd.Series(YUAN_PER_DOLLAR).rename(index=pd.Timestamp)
    days = pd.bdate_range(anchors.index[0], anchors.index[-1])
    per_dollar = anchors.reindex(days.union(anchors.index)).interpolate("time").loc[days]
    rate = 1 / per_dollar
    if with_rate:
        fx = price_frame(12, dates=days)
        fx["Close"] = fx["Adj Close"] = rate.to_numpy()
        yahoo.prices["CNYUSD=X"] = fx
    return rate


def test_a_recorded_adr_reporting_in_yuan_is_converted_at_its_periods_rates(load, yahoo):
    rate = _recorded_adr(yahoo)
    ds = load(tickers=["BABA"], start="2020-01-02", end="2021-02-02")
    assert "BABA" not in ds.failed
    assert any("BABA (CNYUSD=X)" in note for note in ds.notes)
    baba = ds.fundamentals[ds.fundamentals["ticker"] == "BABA"].set_index("period_end")
    _, statements_in_yuan = recorded("BABA")
    income = statements_in_yuan["quarterly_income"]
    balance = statements_in_yuan["quarterly_balance"]
    cash = statements_in_yuan["quarterly_cashflow"]
    assert list(baba.index) == sorted(income.columns)  # the four recorded quarters
    for end in baba.index:
        over_quarter = rate[(rate.index > end - pd.Timedelta("91D")) & (rate.index <= end)].mean()
        at_end = rate[rate.index <= end].iloc[-1]
        assert baba.at[end, "revenue"] == pytest.approx(
            income.at["Total Revenue", end] * over_quarter, rel=1e-12
        )
        assert baba.at[end, "net_income"] == pytest.approx(
            income.at["Net Income Common Stockholders", end] * over_quarter, rel=1e-12
        )
        assert baba.at[end, "book_equity"] == pytest.approx(
            balance.at["Stockholders Equity", end] * at_end, rel=1e-12
        )
        assert baba.at[end, "operating_cash_flow"] == pytest.approx(
            cash.at["Operating Cash Flow", end] * over_quarter, rel=1e-12
        )
        assert baba.at[end, "capex"] == pytest.approx(
            -cash.at["Capital Expenditure", end] * over_quarter, rel=1e-12
        )
    # Alibaba's equity of 30 Sep 2020 was CNY 857.4 bn: about USD 126 bn at 6.79.
    assert baba.at[pd.Timestamp("2020-09-30"), "book_equity"] == pytest.approx(126.3e9, rel=1e-3)


def test_a_recorded_adrs_value_ratio_is_of_the_right_size(load, yahoo):
    _recorded_adr(yahoo)
    ds = load(tickers=["BABA"], start="2020-01-02", end="2021-02-02")
    day = pd.Timestamp("2021-01-29")
    equity = ds.fundamentals.query("ticker == 'BABA'").set_index("period_end")["book_equity"]
    # The 2021 statements carry no share count: the recorded info's (2.7 bn ADS) gives the cap.
    cap = ds.close.at[day, "BABA"] * yahoo.info["BABA"]["sharesOutstanding"]
    # Yahoo's own figures then: a market cap of USD 674 bn, equity of about USD 126 bn.
    # Left in yuan, book-to-market would be 1.3 (seven times too big).
    assert 0.1 < equity.iloc[-1] / cap < 0.3


def test_a_recorded_adr_without_a_rate_is_listed_as_failed(load, yahoo):
    _recorded_adr(yahoo, with_rate=False)
    with pytest.warns(UserWarning):
        ds = load(tickers=["BABA"], start="2020-01-02", end="2021-02-02")
    assert "no CNYUSD=X rate" in ds.failed["BABA"]
    assert ds.tickers == ["BABA"]  # its prices are there
    assert ds.fundamentals is None  # its statements, the only ones, are left out
