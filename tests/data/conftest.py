"""A fake SEC on 127.0.0.1 for every data test: the ticker list and recorded company facts
(tests/data/edgar/fixtures), reached through the real HTTP client by the host overrides."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

EDGAR_FIXTURES = Path(__file__).parent / "edgar" / "fixtures"
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
