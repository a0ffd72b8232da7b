"""fl.data.edgar.fundamentals against a fake SEC on 127.0.0.1, through the real HTTP client:
identity, retries, the cache, offline use and every failure named."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest

import factorlab as fl
from factorlab.data.edgar import flatten, quarterly_rows
from factorlab.data.edgar.client import RateLimiter, SecClient

from .helpers import recorded

AGENT = "Jane Doe jane@example.com"  # as the sec fixture sets it


def _quick(**options: object) -> SecClient:
    """A client that does not really wait between retries (the waits are recorded)."""
    waits: list[float] = []
    client = SecClient(AGENT, sleep=waits.append, limiter=RateLimiter(1e6), **options)  # type: ignore[arg-type]
    client.waits = waits  # type: ignore[attr-defined]
    return client


def test_fundamentals_of_two_companies_equal_their_recorded_facts(sec, tmp_path):
    rows = fl.data.edgar.fundamentals(["TSLA", "SNOW"], cache_dir=tmp_path)
    expected = quarterly_rows(
        pd.concat([flatten(recorded("tsla")), flatten(recorded("snow"))], ignore_index=True),
        {1318605: "TSLA", 1640147: "SNOW"},
    )
    pd.testing.assert_frame_equal(rows, expected)
    assert rows.attrs["failed"] == {}
    assert {agent for _, agent in sec.requests} == {AGENT}  # every request says who asks
    assert any("first business day after" in note for note in rows.attrs["notes"])
    ds = fl.Dataset(prices=_prices(["TSLA", "SNOW"]), fundamentals=rows)  # the Dataset's format
    assert set(ds.fundamentals["ticker"]) == {"TSLA", "SNOW"}


def _prices(tickers: list[str]) -> pd.DataFrame:
    dates = pd.bdate_range("2010-06-29", "2022-12-30")
    return pd.DataFrame({t: 100.0 for t in tickers}, index=dates)


def test_a_warm_cache_sends_no_request(sec, tmp_path):
    fl.data.edgar.fundamentals("TSLA", cache_dir=tmp_path)
    sent = len(sec.requests)
    again = fl.data.edgar.fundamentals("TSLA", cache_dir=tmp_path)
    assert len(sec.requests) == sent and len(again) > 40


def test_a_cik_is_accepted_directly_without_the_ticker_list(sec, tmp_path):
    rows = fl.data.edgar.fundamentals(1318605, cache_dir=tmp_path)
    assert set(rows["ticker"]) == {"1318605"}
    assert sec.count("company_tickers") == 0


def test_429_then_success_is_retried_with_backoff(sec, tmp_path):
    path = "/api/xbrl/companyfacts/CIK0001318605.json"
    sec.failures[path] = [429, 503]
    client = _quick()
    rows = fl.data.edgar.fundamentals("TSLA", cache_dir=tmp_path, client=client)
    assert len(rows) > 40 and sec.count(path) == 3
    assert client.waits == [0.5, 1.0]  # type: ignore[attr-defined]


def test_a_company_still_failing_after_the_retries_is_listed_and_the_others_load(sec, tmp_path):
    path = "/api/xbrl/companyfacts/CIK0001640147.json"
    sec.failures[path] = [503] * 10
    rows = fl.data.edgar.fundamentals(["TSLA", "SNOW"], cache_dir=tmp_path, client=_quick())
    assert set(rows["ticker"]) == {"TSLA"}
    assert (
        "did not answer" in rows.attrs["failed"]["SNOW"]
        and "HTTP 503" in rows.attrs["failed"]["SNOW"]
    )
    assert sec.count(path) == 5  # the first try and four retries


def test_unknown_tickers_ifrs_filers_and_missing_facts_are_each_named(sec, tmp_path):
    rows = fl.data.edgar.fundamentals(["TSLA", "NOPE", "LPA", "GONE"], cache_dir=tmp_path)
    failed = rows.attrs["failed"]
    assert failed["NOPE"].startswith("not in the SEC's ticker list")
    assert "files no us-gaap facts" in failed["LPA"]
    assert "HTTP 404" in failed["GONE"]
    assert set(rows["ticker"]) == {"TSLA"}


def test_no_user_agent_is_a_config_error_that_says_what_to_set(sec, tmp_path, monkeypatch):
    monkeypatch.delenv("FACTORLAB_SEC_USER_AGENT")
    with pytest.raises(fl.ConfigError, match="set FACTORLAB_SEC_USER_AGENT to your name and email"):
        fl.data.edgar.fundamentals("TSLA", cache_dir=tmp_path)
    assert sec.requests == []  # asked nothing anonymously
    with pytest.raises(fl.ConfigError, match="holds no email"):
        fl.data.edgar.fundamentals("TSLA", "Jane Doe", cache_dir=tmp_path)


def test_no_network_at_all_is_a_data_error_naming_the_offline_routes(
    tmp_path, monkeypatch, closed_port_url
):
    nowhere = closed_port_url()
    monkeypatch.setenv("FACTORLAB_SEC_WWW_URL", nowhere)
    monkeypatch.setenv("FACTORLAB_SEC_DATA_URL", nowhere)
    with pytest.raises(
        fl.DataError, match=r"No company could be loaded .* Without the network, use offline=True"
    ):
        fl.data.edgar.fundamentals(["TSLA", 1640147], AGENT, cache_dir=tmp_path, client=_quick())


def test_offline_uses_only_the_cache_and_says_what_is_missing(sec, tmp_path):
    fl.data.edgar.fundamentals("TSLA", cache_dir=tmp_path)
    sent = len(sec.requests)
    rows = fl.data.edgar.fundamentals(["TSLA", "SNOW"], cache_dir=tmp_path, offline=True)
    assert len(sec.requests) == sent
    assert set(rows["ticker"]) == {"TSLA"}
    assert "not in the cache and offline=True does not download" in rows.attrs["failed"]["SNOW"]


def test_a_corrupt_cache_file_is_fetched_again(sec, tmp_path):
    fl.data.edgar.fundamentals("TSLA", cache_dir=tmp_path)
    cached = tmp_path / "companyfacts" / "CIK0001318605.json.gz"
    cached.write_bytes(gzip.compress(b'{"cik": 1318605, "facts": {"us-ga'))
    before = sec.count("CIK0001318605")
    rows = fl.data.edgar.fundamentals("TSLA", cache_dir=tmp_path)
    assert sec.count("CIK0001318605") == before + 1 and len(rows) > 40
    assert any("Damaged cache files were fetched again" in n for n in rows.attrs["notes"])


def test_the_rate_limiter_spaces_calls_to_ten_a_second():
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(10)
    for _ in range(25):
        limiter.wait(clock=lambda: now[0], sleep=sleep)
    assert now[0] == pytest.approx(2.4)  # 25 calls: the first at once, then one each 0.1 s
