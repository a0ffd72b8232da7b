"""fl.load_dataset("yahoo") with yfinance whole, over HTTP to a fake Yahoo on 127.0.0.1.

The other Yahoo tests replace yfinance's functions; these keep its client, handshake, parsing
and error messages, so a yfinance that changes what it hands back, or how it says a ticker is
gone, fails here. Alibaba's company info and statements are Yahoo's recorded answers
(``recorded/``), served in the shapes Yahoo serves them today.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import factorlab as fl

from .conftest import RECORDED, price_frame, recorded
from .over_http import YahooSite, serving

pytestmark = pytest.mark.filterwarnings("ignore:Yahoo")  # missing parts are not the point here


@pytest.fixture
def site(monkeypatch):
    with serving(YahooSite(), monkeypatch) as served:
        yield served


@pytest.fixture
def load(tmp_path, no_wait):
    def run(tickers, **options):
        options = {
            "cache_dir": tmp_path,
            "retry": no_wait,
            "progress": False,
            "benchmark": None,
            "fundamentals": "yahoo",
            **options,
        }
        return fl.load_dataset("yahoo", tickers=list(tickers), **options)

    return run


def test_prices_come_through_yfinances_own_client(site, load):
    served = price_frame(1, split_on="2024-06-10")
    served.loc[pd.Timestamp("2024-03-15"), "Dividends"] = 0.25
    site.charts["AAA"] = served
    ds = load(["AAA", "GONE"], start="2024-01-02", end="2024-12-31")
    window = served.loc["2024-01-02":"2024-12-31"]
    assert ds.tickers == ["AAA"]
    np.testing.assert_allclose(ds.prices["AAA"], window["Adj Close"], rtol=1e-9)
    np.testing.assert_allclose(ds.close["AAA"], window["Close"], rtol=1e-9)
    np.testing.assert_allclose(ds.volume["AAA"], window["Volume"])
    # Yahoo answers an unknown symbol with a 404, which yfinance passes on bare: said plainly
    assert ds.failed["GONE"].startswith("Yahoo has no such symbol (HTTP 404")


def test_a_rerun_asks_yahoo_for_nothing_it_has_or_knows_is_gone(site, load):
    site.charts["AAA"] = price_frame(1)
    load(["AAA", "GONE"], start="2024-01-02", end="2024-06-28")
    charts = site.asked("v8/finance/chart")
    again = load(["AAA", "GONE"], start="2024-01-02", end="2024-06-28")
    assert site.asked("v8/finance/chart") == charts  # AAA cached, GONE remembered for a day
    assert "GONE" in again.failed


def _recorded_adr(site: YahooSite) -> pd.Series:
    """Alibaba as Yahoo answered on 2021-02-03, served as Yahoo serves it now; the price path
    and the CNYUSD=X rate are constructed (the rate is 1 / 6.5 to 1 / 7.1, moving daily)."""
    modules = json.loads((RECORDED / "BABA.json").read_text())
    site.quote_summary["BABA"] = {name: part["body"][name] for name, part in modules.items()}
    site.quote["BABA"] = {"currency": "USD", "quoteType": "EQUITY"}
    _, statements = recorded("BABA")  # the recorded figures, under today's row names
    points: dict[str, list[tuple[str, float, str]]] = {}
    for frame in statements.values():
        for row, values in frame.iterrows():  # "Total Revenue" is served as "TotalRevenue"
            for end, value in values.dropna().items():
                points.setdefault(row.replace(" ", ""), []).append(
                    (f"{end:%Y-%m-%d}", value, "CNY")
                )
    site.timeseries["BABA"] = points
    days = pd.bdate_range("2015-01-02", "2021-02-02")
    site.charts["BABA"] = price_frame(11, dates=pd.bdate_range("2019-01-02", "2021-02-02"))
    rate = pd.Series(1 / (6.8 + 0.3 * np.sin(np.arange(len(days)) / 90)), index=days)
    fx = price_frame(12, dates=days)
    fx["Close"] = fx["Adj Close"] = rate.to_numpy()
    site.charts["CNYUSD=X"] = fx
    return rate


def test_a_recorded_adr_is_converted_end_to_end_through_yfinance(site, load):
    rate = _recorded_adr(site)
    ds = load(["BABA"], start="2020-01-02", end="2021-02-02")
    assert any("BABA (CNYUSD=X)" in note for note in ds.notes)  # info: CNY statements, USD price
    assert ds.meta.loc["BABA", "sector"] == "Consumer Cyclical"  # the recorded profile
    baba = ds.fundamentals.set_index("period_end")
    _, in_yuan = recorded("BABA")
    income, balance = in_yuan["quarterly_income"], in_yuan["quarterly_balance"]
    assert list(baba.index) == sorted(income.columns)
    for end in baba.index:
        over_quarter = rate[(rate.index > end - pd.Timedelta("91D")) & (rate.index <= end)].mean()
        at_end = rate[rate.index <= end].iloc[-1]
        assert baba.at[end, "revenue"] == pytest.approx(
            income.at["Total Revenue", end] * over_quarter, rel=1e-9
        )
        assert baba.at[end, "book_equity"] == pytest.approx(
            balance.at["Stockholders Equity", end] * at_end, rel=1e-9
        )
    assert (baba["capex"] > 0).all()  # Yahoo's negative payments, made positive
