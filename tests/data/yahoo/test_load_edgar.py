"""load_dataset("yahoo", fundamentals="edgar"): Yahoo's prices with the SEC's dated quarters,
against the fake Yahoo and the fake SEC serving Tesla's and Snowflake's recorded facts."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import factorlab as fl
from factorlab.data.edgar import flatten, quarterly_rows

from .conftest import price_frame

DAYS = pd.bdate_range("2012-01-02", "2022-12-30")
TESLA_SPLITS = {"2020-08-31": 5.0, "2022-08-25": 3.0}

pytestmark = pytest.mark.filterwarnings("ignore:Yahoo")


@pytest.fixture
def load(yahoo, sec, no_wait, tmp_path):
    """Tesla, Snowflake and BBB (unknown to the SEC) on the fakes, 2012 to 2022."""
    yahoo.prices.update(
        TSLA=price_frame(4, dates=DAYS, splits=TESLA_SPLITS),
        SNOW=price_frame(5, dates=DAYS),
        BBB=price_frame(2, dates=DAYS),
        SPY=price_frame(3, dates=DAYS),
    )
    yahoo.info.update(
        TSLA={"longName": "Tesla, Inc.", "sector": "Consumer Cyclical"},
        SNOW={"longName": "Snowflake Inc.", "sector": "Technology"},
    )

    def run(tickers=("TSLA", "SNOW"), **options):
        options = {
            "start": "2012-01-02",
            "end": "2022-12-30",
            "cache_dir": tmp_path,
            "retry": no_wait,
            "progress": False,
            "fundamentals": "edgar",
            **options,
        }
        return fl.load_dataset("yahoo", tickers=list(tickers), **options)

    return run


def test_fundamentals_come_from_edgar_and_yahoo_serves_only_prices_and_profiles(load, yahoo):
    ds = load()
    assert set(ds.fundamentals["ticker"]) == {"TSLA", "SNOW"} and ds.failed == {}
    assert ds.fundamentals["period_end"].min() <= pd.Timestamp("2010-12-31")
    assert {"accn", "form", "filed", "concepts"} <= set(ds.fundamentals.columns)
    assert {what for _, what in yahoo.ticker_calls} == {"info"}  # no Yahoo statements asked
    assert ds.meta.loc["TSLA", "name"] == "Tesla, Inc."
    assert (ds.fundamentals["available_at"] <= ds.end).all()


def test_notes_say_where_each_part_came_from(load):
    notes = " ".join(load().notes)
    for phrase in ("Yahoo Finance", "SEC EDGAR", "first business day after", "Survivorship"):
        assert phrase in notes
    assert "five quarters" not in notes  # Yahoo's statement caveats do not apply


def test_share_counts_and_eps_are_on_todays_split_basis(load, sec):
    ds = load()
    raw = quarterly_rows(flatten(sec.document(1318605)), {1318605: "TSLA"})
    tesla = ds.fundamentals[ds.fundamentals["ticker"] == "TSLA"].reset_index(drop=True)
    raw = raw[raw["available_at"] <= ds.end].reset_index(drop=True)
    ratio = tesla["shares_outstanding"] / raw["shares_outstanding"]
    before_both = raw["filed"] < pd.Timestamp("2020-08-31")
    between = (raw["filed"] >= pd.Timestamp("2020-08-31")) & (
        raw["filed"] < pd.Timestamp("2022-08-25")
    )
    assert set(ratio[before_both].dropna().round(9)) == {15.0}
    assert set(ratio[between].dropna().round(9)) == {3.0}
    eps_ratio = raw["eps"] / tesla["eps"]
    assert set(eps_ratio[before_both].dropna().round(9)) == {15.0}
    # the 2019 year-end count, first reported pre-split and restated after, now agrees
    year_end = tesla[tesla["period_end"] == pd.Timestamp("2019-12-31")]["shares_outstanding"]
    assert year_end.nunique() == 1 and year_end.iloc[0] == 181_000_000 * 15


def test_a_ticker_the_sec_does_not_know_keeps_its_prices_and_is_listed(load):
    with pytest.warns(UserWarning, match=r"EDGAR: no fundamentals for BBB \(not in the SEC"):
        ds = load(("TSLA", "BBB"))
    assert set(ds.tickers) == {"TSLA", "BBB"}
    assert ds.failed["BBB"].startswith("fundamentals from EDGAR: not in the SEC's ticker list")
    assert set(ds.fundamentals["ticker"]) == {"TSLA"}


def test_a_warm_cache_offline_asks_neither_yahoo_nor_the_sec(load, yahoo, sec):
    first = load()
    yahoo_calls, sec_calls = yahoo.calls, len(sec.requests)
    again = load(offline=True)
    assert (yahoo.calls, len(sec.requests)) == (yahoo_calls, sec_calls)
    pd.testing.assert_frame_equal(again.fundamentals, first.fundamentals)


def test_how_old_a_cached_edgar_file_may_be_is_the_callers_choice(load, sec):
    load()
    asked = len(sec.requests)
    load()  # a day by default: the cached facts are fresh
    assert len(sec.requests) == asked
    load(edgar_max_age_days=0)  # none is fresh enough: asked again
    assert len(sec.requests) > asked
    for bad in (-1, 1e9, "soon"):  # checked whatever the source: a typo fails everywhere
        with pytest.raises(fl.ConfigError, match="edgar_max_age_days"):
            load(edgar_max_age_days=bad, fundamentals="yahoo")


def test_edgar_without_a_user_agent_is_a_config_error(load, monkeypatch):
    monkeypatch.delenv("FACTORLAB_SEC_USER_AGENT")
    with pytest.raises(fl.ConfigError, match="FACTORLAB_SEC_USER_AGENT"):
        load()


def test_edgar_unreachable_is_a_data_error_naming_the_offline_routes(
    load, monkeypatch, closed_port_url
):
    nowhere = closed_port_url()
    monkeypatch.setenv("FACTORLAB_SEC_WWW_URL", nowhere)
    monkeypatch.setenv("FACTORLAB_SEC_DATA_URL", nowhere)
    with warnings.catch_warnings(), pytest.raises(fl.DataError, match="offline=True"):
        load()


def test_an_unknown_fundamentals_source_is_refused_with_the_choices(load):
    with pytest.raises(fl.ConfigError, match="fundamentals must be 'auto', 'yahoo' or 'edgar'"):
        load(fundamentals="compustat")


def test_auto_reads_edgar_for_us_tickers_when_a_user_agent_is_set(load, yahoo):
    ds = load(fundamentals="auto")
    assert "accn" in ds.fundamentals.columns
    assert "Fundamentals source: SEC EDGAR (US tickers, a SEC User-Agent set)." in ds.notes


def test_auto_without_a_user_agent_reads_yahoo_and_says_how_to_get_edgar(load, monkeypatch):
    monkeypatch.delenv("FACTORLAB_SEC_USER_AGENT")
    ds = load(("AAA", "BBB"), fundamentals="auto", start="2023-06-01", end="2024-12-31")
    assert "accn" not in ds.fundamentals.columns
    assert any("no SEC User-Agent is set; set FACTORLAB_SEC_USER_AGENT" in n for n in ds.notes)


def test_auto_with_a_non_us_listing_reads_yahoo(load, yahoo):
    yahoo.prices["7203.T"] = price_frame(9, dates=DAYS)
    ds = load(("TSLA", "7203.T"), fundamentals="auto")
    assert "accn" not in (ds.fundamentals.columns if ds.fundamentals is not None else [])
    assert any("not US listings (7203.T)" in n for n in ds.notes)
