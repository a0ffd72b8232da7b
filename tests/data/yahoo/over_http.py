"""A fake Yahoo on 127.0.0.1 that the real yfinance client talks to over HTTP.

``conftest.FakeYahoo`` replaces yfinance's functions and hands back frames made by hand; this one
leaves yfinance whole: its session (curl_cffi), cookie and crumb handshake, URL building, JSON
parsing, threading and error logging all run, and only the host changes. Every request yfinance
sends goes to a local server instead, which answers the endpoints factorlab
uses in Yahoo's JSON shapes: the chart (prices, dividends, splits), quoteSummary and quote
(company info) and fundamentals-timeseries (statements). Anything else gets a 404.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pandas as pd

NOT_FOUND = {
    "chart": {
        "result": None,
        "error": {"code": "Not Found", "description": "No data found, symbol may be delisted"},
    }
}


@dataclass
class YahooSite:
    """What the fake Yahoo knows, and every request it was sent as (host, path, query)."""

    charts: dict[str, pd.DataFrame] = field(default_factory=dict)  # conftest.price_frame's shape
    timezones: dict[str, str] = field(default_factory=dict)  # default America/New_York
    quote_summary: dict[str, dict[str, Any]] = field(default_factory=dict)  # module -> body
    quote: dict[str, dict[str, Any]] = field(default_factory=dict)  # /v7/finance/quote fields
    # symbol -> Yahoo's timeseries key ("TotalRevenue") -> [(period end, value, currency)]
    timeseries: dict[str, dict[str, list[tuple[str, float, str]]]] = field(default_factory=dict)
    requests: list[tuple[str, str, dict[str, list[str]]]] = field(default_factory=list)
    url: str = ""

    def asked(self, path_part: str) -> int:
        return sum(path_part in path for _, path, _ in self.requests)

    # -- the endpoints ------------------------------------------------------------------------
    def answer(self, method: str, host: str, path: str, query: dict) -> tuple[int, Any]:
        self.requests.append((host, path, query))
        if host == "fc.yahoo.com":
            return 404, ""  # the cookie handshake: yfinance only needs an answer
        if path == "v1/test/getcrumb":
            return 200, "local-crumb"
        chart = re.fullmatch(r"v8/finance/chart/(.+)", path)
        if chart:
            symbol = chart.group(1)
            if symbol not in self.charts:
                return 404, NOT_FOUND
            return 200, self._chart(symbol, query)
        summary = re.fullmatch(r"v10/finance/quoteSummary/(.+)", path)
        if summary:
            modules = self.quote_summary.get(summary.group(1))
            if modules is None:
                return 404, {"quoteSummary": {"result": None, "error": {"code": "Not Found"}}}
            wanted = query.get("modules", [""])[0].split(",")
            body = {m: modules[m] for m in wanted if m in modules}
            return 200, {"quoteSummary": {"result": [body], "error": None}}
        if path == "v7/finance/quote":
            symbol = query.get("symbols", [""])[0]
            fields = self.quote.get(symbol)
            result = [{"symbol": symbol, **fields}] if fields is not None else []
            return 200, {"quoteResponse": {"result": result, "error": None}}
        series = re.fullmatch(r"ws/fundamentals-timeseries/v1/finance/timeseries/(.+)", path)
        if series:
            return 200, self._timeseries(series.group(1), query)
        return 404, {"finance": {"result": None, "error": {"code": "Not Found"}}}

    def _chart(self, symbol: str, query: dict) -> dict[str, Any]:
        frame = self.charts[symbol]
        zone = self.timezones.get(symbol, "America/New_York")
        opens = frame.index.tz_localize(zone) + pd.Timedelta(hours=9, minutes=30)
        epoch = np.asarray((opens - pd.Timestamp("1970-01-01", tz="UTC")) // pd.Timedelta("1s"))
        if "period1" in query:
            keep = (epoch >= int(query["period1"][0])) & (epoch < int(query["period2"][0]))
        else:  # range=1d: yfinance asking for the time zone
            keep = np.arange(len(epoch)) == len(epoch) - 1
        rows, stamps = frame[keep], epoch[keep].tolist()
        events: dict[str, dict[str, Any]] = {}
        for day, amount in rows["Dividends"][rows["Dividends"] > 0].items():
            stamp = int(epoch[frame.index.get_loc(day)])
            events.setdefault("dividends", {})[str(stamp)] = {"amount": amount, "date": stamp}
        for day, ratio in rows["Stock Splits"][rows["Stock Splits"] > 0].items():
            stamp = int(epoch[frame.index.get_loc(day)])
            events.setdefault("splits", {})[str(stamp)] = {
                "date": stamp,
                "numerator": float(ratio),
                "denominator": 1.0,
                "splitRatio": f"{ratio:g}:1",
            }
        close = rows["Close"].tolist()
        last = stamps[-1] if stamps else int(epoch[-1])
        period = {"timezone": "EST", "start": last, "end": last + 23_400, "gmtoffset": -18_000}
        result = {
            "meta": {
                "currency": "USD",
                "symbol": symbol,
                "exchangeName": "NMS",
                "instrumentType": "CURRENCY" if symbol.endswith("=X") else "EQUITY",
                "firstTradeDate": int(epoch[0]),
                "regularMarketTime": last,
                "gmtoffset": -18_000,
                "timezone": "EST",
                "exchangeTimezoneName": zone,
                "regularMarketPrice": close[-1] if close else None,
                "priceHint": 2,
                "currentTradingPeriod": {"pre": period, "regular": period, "post": period},
                "dataGranularity": "1d",
                "range": "",
                "validRanges": ["1d", "5d", "1mo", "3mo", "1y", "5y", "max"],
            },
            "timestamp": stamps,
            "indicators": {
                "quote": [
                    {
                        "open": close,
                        "high": close,
                        "low": close,
                        "close": close,
                        "volume": rows["Volume"].astype(int).tolist(),
                    }
                ],
                "adjclose": [{"adjclose": rows["Adj Close"].tolist()}],
            },
        }
        if events:
            result["events"] = events
        return {"chart": {"result": [result], "error": None}}

    def _timeseries(self, symbol: str, query: dict) -> dict[str, Any]:
        known = self.timeseries.get(symbol, {})
        result = []
        for wanted in query.get("type", [""])[0].split(","):
            entry: dict[str, Any] = {"meta": {"symbol": [symbol], "type": [wanted]}}
            key = re.sub(r"^(quarterly|annual|trailing)", "", wanted)
            points = known.get(key, []) if wanted.startswith("quarterly") else []
            if points:
                entry["timestamp"] = [int(pd.Timestamp(end).timestamp()) for end, _, _ in points]
                entry[wanted] = [
                    {
                        "asOfDate": end,
                        "periodType": "3M",
                        "currencyCode": currency,
                        "reportedValue": {"raw": value, "fmt": f"{value:,.0f}"},
                    }
                    for end, value, currency in points
                ]
            result.append(entry)
        return {"timeseries": {"result": result, "error": None}}


def _handler(site: YahooSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _respond(self, method: str) -> None:
            parts = urlsplit(self.path)
            host, _, path = parts.path.lstrip("/").partition("/")
            status, body = site.answer(method, host, path, parse_qs(parts.query))
            text = body if isinstance(body, str) else json.dumps(body)
            payload = text.encode()
            self.send_response(status)
            kind = "text/plain" if isinstance(body, str) else "application/json;charset=utf-8"
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:  # http.server's names
            self._respond("GET")

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self._respond("POST")

        def log_message(self, *args: Any) -> None:  # keep test output clean
            pass

    return Handler


@contextmanager
def serving(site: YahooSite, monkeypatch: Any) -> Iterator[YahooSite]:
    """``site`` on a free port of 127.0.0.1, and yfinance's sessions sent there.

    The sessions' ``request`` is wrapped to swap ``https://<host>/<path>`` for
    ``http://127.0.0.1:<port>/<host>/<path>``; the request itself is the client's own. yfinance's
    caches (time zones, cookies, responses in memory) start empty in a folder of their own.
    """
    import yfinance
    from yfinance.data import YfData

    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    site.url = f"http://127.0.0.1:{server.server_address[1]}"

    def local(url: str) -> str:  # every host: nothing reaches the network, not even by mistake
        parts = urlsplit(url)
        if parts.hostname == "127.0.0.1":
            return url
        query = f"?{parts.query}" if parts.query else ""
        return f"{site.url}/{parts.hostname}{parts.path}{query}"

    sessions = []
    try:
        from curl_cffi.requests import Session as CurlSession

        sessions.append(CurlSession)
    except ImportError:  # yfinance falls back to requests without curl_cffi
        pass
    import requests

    sessions.append(requests.Session)
    for session in sessions:
        original = session.request

        def request(self, method, url, *args, _original=original, **kwargs):
            return _original(self, method, local(url), *args, **kwargs)

        monkeypatch.setattr(session, "request", request)
    # yfinance's process-wide state, as a fresh process has it: no cookie or crumb yet, and
    # its count of time-zone lookups that fell back to quoteSummary (it stops after two).
    data = YfData()
    for attribute, fresh in (("_crumb", None), ("_cookie", None), ("_cookie_strategy", "basic")):
        monkeypatch.setattr(data, attribute, fresh)
    monkeypatch.setattr(yfinance.base, "_tz_info_fetch_ctr", 0)
    monkeypatch.setenv("no_proxy", "127.0.0.1")  # a proxy in the environment must not get these
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    cache = yfinance.cache  # nothing kept on disk: time zones and cookies asked each time
    monkeypatch.setattr(cache._TzCacheManager, "_tz_cache", cache._TzCacheDummy())
    monkeypatch.setattr(cache._CookieCacheManager, "_Cookie_cache", cache._CookieCacheDummy())
    YfData.cache_get.cache_clear()  # responses another test's server gave
    try:
        yield site
    finally:
        YfData.cache_get.cache_clear()
        server.shutdown()
        server.server_close()
