"""Shared fixtures. Tests never touch the network: pytest-socket (configured in pyproject.toml)
blocks every socket except to 127.0.0.1."""

from __future__ import annotations

import json
import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import factorlab as fl


@pytest.fixture(scope="session", autouse=True)
def agg_backend() -> None:
    """Every figure draws on matplotlib's Agg backend: no screen, in CI or on a laptop."""
    import matplotlib

    matplotlib.use("Agg")


# Without the background-networking flags Chromium tries to reach Google at start-up.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Chromium (Debian's, which ``.ci/run`` installs), driven by Playwright.

    Skipped, with the reason, where either is missing.
    """
    executable = next(
        (found for name in ("chromium", "chromium-browser") if (found := shutil.which(name))),
        None,
    )
    if executable is None:
        pytest.skip("no Chromium on this machine: apt-get install chromium (.ci/run does)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright is not installed: pip install -e '.[test]'")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@dataclass
class Visit:
    """A page loaded in the browser, and what a reader's browser saw on the way."""

    page: Any  # playwright.sync_api.Page
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


@pytest.fixture
def open_in_browser(browser) -> Iterator[Callable[[Path], Visit]]:
    """``open_in_browser(path)``: the file loaded in a new page, its console errors, uncaught
    errors and every request it made (a self-contained page makes none but its own)."""
    pages = []

    def load(path: Path) -> Visit:
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        pages.append(page)
        visit = Visit(page)
        page.on("console", lambda m: m.type == "error" and visit.console_errors.append(m.text))
        page.on("pageerror", lambda e: visit.page_errors.append(str(e)))
        page.on("request", lambda r: visit.requests.append(r.url))
        page.goto(Path(path).resolve().as_uri(), wait_until="load")
        return visit

    yield load
    for page in pages:
        page.close()


@pytest.fixture(autouse=True)
def no_sec_settings(monkeypatch) -> None:
    """Tests see no SEC User-Agent or host of the machine's: what a test needs, it sets."""
    for name in ("FACTORLAB_SEC_USER_AGENT", "FACTORLAB_SEC_WWW_URL", "FACTORLAB_SEC_DATA_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def sample() -> fl.Dataset:
    """The default lab market, generated once per test session. Do not modify it."""
    return fl.load_dataset("sample")


@pytest.fixture(scope="session")
def small_sample() -> fl.Dataset:
    """A small lab market for tests that need speed more than statistics."""
    return fl.load_dataset("sample", n_tickers=40, years=4, seed=3)


@pytest.fixture
def tiny_parts() -> dict[str, object]:
    """The parts of a three-ticker dataset built by hand: ``fl.Dataset(**tiny_parts)``."""
    dates = pd.bdate_range("2024-01-01", periods=6)
    prices = pd.DataFrame(
        {
            "AAA": [10.0, 10.5, 10.2, 10.8, 11.0, 11.1],
            "BBB": [20.0, 19.0, 19.5, np.nan, np.nan, np.nan],  # delists after day 3
            "CCC": [np.nan, np.nan, 5.0, 5.1, 5.3, 5.2],  # lists on day 3
        },
        index=dates,
    )
    volume = prices.notna() * 1000.0
    volume = volume.where(prices.notna())
    fundamentals = pd.DataFrame(
        {
            "ticker": ["AAA", "AAA", "BBB"],
            "period_end": pd.to_datetime(["2023-09-30", "2023-12-31", "2023-12-31"]),
            "available_at": pd.to_datetime(["2023-11-02", "2024-01-04", "2024-01-02"]),
            "revenue": [100.0, 110.0, 50.0],
            "net_income": [10.0, 12.0, -3.0],
        }
    )
    meta = pd.DataFrame(
        {"name": ["Aaa Corp", "Bbb Inc", "Ccc Ltd"], "sector": ["Energy", "Energy", "Utilities"]},
        index=pd.Index(["AAA", "BBB", "CCC"], name="ticker"),
    )
    benchmark = pd.Series([100.0, 101, 100.5, 102, 103, 103.5], index=dates, name="IDX")
    return {
        "prices": prices,
        "volume": volume,
        "fundamentals": fundamentals,
        "meta": meta,
        "benchmark": benchmark,
    }


@pytest.fixture(scope="session")
def closed_port_url():
    """A function giving the URL of a port on 127.0.0.1 that nothing listens on, fresh each
    call: a server that is not there."""

    def url() -> str:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            return f"http://127.0.0.1:{probe.getsockname()[1]}"

    return url


# -- a fake SEC on 127.0.0.1: the ticker list, recorded company facts (tests/data/edgar/
# fixtures) and any file, reached through the real HTTP client by the host overrides ------

EDGAR_FIXTURES = Path(__file__).parent / "data" / "edgar" / "fixtures"
AGENT = "Jane Doe jane@example.com"
TICKERS = {
    "0": {"cik_str": 1318605, "ticker": "TSLA", "title": "Tesla, Inc."},
    "1": {"cik_str": 1640147, "ticker": "SNOW", "title": "Snowflake Inc."},
    "2": {"cik_str": 1997711, "ticker": "LPA", "title": "Logistic Properties of the Americas"},
    "3": {"cik_str": 42, "ticker": "GONE", "title": "No facts at all"},
}
FACTS = {1318605: "tsla", 1640147: "snow", 1997711: "lpa"}


class FakeSec:
    """Serves the ticker list, recorded company facts and any ``files``; scripted failures."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []  # (path, user agent)
        self.failures: dict[str, list[int]] = {}  # path -> statuses to answer first
        self.files: dict[str, bytes] = {}  # path -> body, for anything else (the bulk zip)
        self.url = ""

    def answer(self, path: str) -> tuple[int, bytes]:
        if self.failures.get(path):
            return self.failures[path].pop(0), b"{}"
        if path in self.files:
            return 200, self.files[path]
        if path == "/files/company_tickers.json":
            return 200, json.dumps(TICKERS).encode()
        if path.startswith("/api/xbrl/companyfacts/CIK"):
            cik = int(path.rsplit("CIK", 1)[1].removesuffix(".json"))
            if cik in FACTS:
                return 200, json.dumps(self.document(cik)).encode()
        return 404, b"{}"

    def document(self, cik: int) -> dict:
        """The recorded company facts served for ``cik``."""
        return json.loads((EDGAR_FIXTURES / f"{FACTS[cik]}_companyfacts.json").read_text())

    def count(self, path_part: str = "") -> int:
        return sum(path_part in path for path, _ in self.requests)


@pytest.fixture
def sec(monkeypatch) -> Iterator[FakeSec]:
    fake = FakeSec()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            fake.requests.append((self.path, self.headers.get("User-Agent", "")))
            status, body = fake.answer(self.path)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("FACTORLAB_SEC_WWW_URL", fake.url)
    monkeypatch.setenv("FACTORLAB_SEC_DATA_URL", fake.url)
    monkeypatch.setenv("FACTORLAB_SEC_USER_AGENT", AGENT)
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def rewrite_future():
    """``rewrite_future(ds, day, rng)``: a copy of ``ds`` with everything after ``day`` changed."""
    return _rewrite_future


def _rewrite_future(ds: fl.Dataset, day: pd.Timestamp, rng: np.random.Generator) -> fl.Dataset:
    """Everything after ``day`` changed: prices, volume, benchmark; filings not yet available
    rescaled, some dropped, some filed later (quarters that ended by ``day`` included); and
    restatements of quarters known by ``day``, filed after it."""
    after = ds.dates > day
    prices, volume, benchmark = ds.prices.copy(), ds.volume.copy(), ds.benchmark.copy()
    prices.loc[after] *= rng.uniform(0.3, 3.0, prices.loc[after].shape)
    volume.loc[after] *= rng.uniform(0.1, 10.0, volume.loc[after].shape)
    benchmark.loc[after] *= rng.uniform(0.5, 2.0, after.sum())
    f = ds.fundamentals.copy()
    unknown = f["available_at"] > day
    flows = [
        "revenue",
        "gross_profit",
        "ebitda",
        "net_income",
        "eps",
        "book_equity",
        "total_debt",
        "cash",
    ]
    f.loc[unknown, flows] *= rng.uniform(-3.0, 3.0, (unknown.sum(), len(flows)))
    f.loc[unknown, "shares_outstanding"] *= rng.uniform(0.2, 5.0, unknown.sum())
    later = unknown & (rng.random(len(f)) < 0.3)
    f.loc[later, "available_at"] += pd.to_timedelta(rng.integers(1, 60, later.sum()), unit="D")
    f = f[~(unknown & (rng.random(len(f)) < 0.2))]
    known = f[f["available_at"] <= day]
    restated = known.sample(frac=0.3, random_state=int(rng.integers(2**31)))
    restated = restated.assign(
        available_at=day + pd.to_timedelta(rng.integers(1, 90, len(restated)), unit="D"),
        revenue=restated["revenue"] * rng.uniform(0.5, 1.5, len(restated)),
        book_equity=restated["book_equity"] * rng.uniform(0.5, 1.5, len(restated)),
    )
    f = pd.concat([f, restated], ignore_index=True)
    return fl.Dataset(prices, volume, f, ds.meta, benchmark)
