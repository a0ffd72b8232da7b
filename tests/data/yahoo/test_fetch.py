"""The yfinance boundary: logged failures become reasons, rate limits are retried a bounded
number of times with growing, jittered waits."""

from __future__ import annotations

import pandas as pd
import pytest
import yfinance

from factorlab.data.yahoo.fetch import RetryPolicy, download_prices, fetch_details, is_rate_limit

START, END = pd.Timestamp("2024-01-02"), pd.Timestamp("2024-06-28")


def test_a_clean_batch_gives_each_ticker_its_columns(yahoo, no_wait):
    batch = download_prices(["AAA", "BBB"], START, END, no_wait)
    assert batch.failed == {}
    frame = batch.frames["AAA"]
    assert list(frame.columns) == ["adj_close", "close", "volume", "split"]
    assert frame.index[0] == START and frame.index[-1] == END  # end is inclusive
    assert frame.index.tz is None
    assert frame.loc["2024-06-10", "split"] == 4.0 and frame["split"].sum() == 4.0


def test_an_unknown_ticker_fails_with_yahoos_reason_and_the_rest_load(yahoo, no_wait):
    batch = download_prices(["AAA", "NOPE"], START, END, no_wait)
    assert set(batch.frames) == {"AAA"}
    assert "possibly delisted" in batch.failed["NOPE"]


def test_rate_limited_then_fine_retries_only_once(yahoo, no_wait):
    yahoo.rate_limited_calls = 1
    batch = download_prices(["AAA", "BBB"], START, END, no_wait)
    assert set(batch.frames) == {"AAA", "BBB"} and batch.failed == {}
    assert len(yahoo.download_calls) == 2
    assert len(no_wait.delays) == 1


def test_rate_limits_are_retried_a_bounded_number_of_times_with_growing_waits(yahoo):
    yahoo.rate_limited_calls = 100
    policy = RetryPolicy(attempts=4, base_delay_s=1.0, max_delay_s=5.0, sleep=lambda s: None)
    batch = download_prices(["AAA"], START, END, policy)
    assert batch.frames == {}
    assert batch.failed["AAA"].startswith("rate-limited by Yahoo after 4 attempts")
    assert len(yahoo.download_calls) == 4
    assert len(policy.delays) == 3
    assert 0.5 <= policy.delays[0] <= 1.5 and 2.0 <= policy.delays[2] <= 5.0  # 4 s ± half, capped


def test_an_exception_from_download_fails_every_ticker_with_it(monkeypatch, no_wait):
    def broken(*args, **kwargs):
        raise ConnectionError("Failed to resolve query2.finance.yahoo.com")

    monkeypatch.setattr(yfinance, "download", broken)
    batch = download_prices(["AAA", "BBB"], START, END, no_wait)
    assert batch.frames == {}
    assert batch.failed == {
        t: "ConnectionError: Failed to resolve query2.finance.yahoo.com" for t in ("AAA", "BBB")
    }


def test_details_fetch_what_is_asked_and_keep_failures_as_reasons(yahoo, no_wait):
    yahoo.info_fails.add("AAA")  # info is rate-limited every time
    details = fetch_details("AAA", ["quarterly_income", "earnings_dates", "info"], no_wait)
    assert "Total Revenue" in details.statements["quarterly_income"].index
    assert len(details.earnings_dates) == 7
    assert details.info == {}
    assert details.failed["info"].startswith("rate-limited by Yahoo after 4 attempts")
    assert [c for c in yahoo.ticker_calls if c[1] == "info"] == [("AAA", "info")] * 4


@pytest.mark.parametrize(
    ("error", "limited"),
    [
        ("YFRateLimitError('Too Many Requests. Rate limited. Try after a while.')", True),
        ("HTTP Error 429: Too Many Requests", True),
        ("YFPricesMissingError('possibly delisted; no price data found')", False),
    ],
)
def test_rate_limits_are_recognized_from_yfinances_text(error, limited):
    assert is_rate_limit(error) is limited
