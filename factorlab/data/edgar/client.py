"""Asking the SEC politely: a named User-Agent, at most ten requests a second, bounded retries.

The SEC serves EDGAR to anyone who says who they are (a User-Agent naming a person or firm and
an email) and keeps to ten requests per second; it answers 429 to the rest, 403 to clients that
do not identify themselves. Both hosts can be pointed elsewhere (a mirror, or a test server):
``FACTORLAB_SEC_WWW_URL`` for the ticker list, ``FACTORLAB_SEC_DATA_URL`` for company facts.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from factorlab._files import write_atomic
from factorlab.errors import ConfigError, DataError

__all__ = [
    "DATA_URL",
    "MAX_REQUESTS_PER_SECOND",
    "WWW_URL",
    "RateLimiter",
    "SecClient",
    "SecUnavailable",
    "user_agent",
]

WWW_URL = "https://www.sec.gov"
DATA_URL = "https://data.sec.gov"
MAX_REQUESTS_PER_SECOND = 10
_RETRIED = {429, 500, 502, 503, 504}


class SecUnavailable(DataError):
    """The SEC did not answer (no network, refused, or still failing after the retries)."""


class SecNotFound(DataError):
    """The SEC has no such file (an unknown CIK, or a company with no XBRL facts)."""


def user_agent(value: str | None = None) -> str:
    """The User-Agent to send: ``value``, else ``$FACTORLAB_SEC_USER_AGENT``.

    Parameters
    ----------
    value : str, optional
        A person or firm and an email, e.g. ``"Jane Doe jane@example.com"``.

    Returns
    -------
    str
        The User-Agent, stripped.

    Raises
    ------
    ConfigError
        When neither is set, or the text holds no email: the SEC refuses anonymous clients.

    Examples
    --------
    >>> user_agent("Jane Doe jane@example.com")
    'Jane Doe jane@example.com'
    """
    text = (value if value is not None else os.environ.get("FACTORLAB_SEC_USER_AGENT", "")).strip()
    if not text:
        raise ConfigError(
            "The SEC asks every client to say who it is: pass user_agent='Your Name "
            "you@example.com' or set FACTORLAB_SEC_USER_AGENT to your name and email "
            "(https://www.sec.gov/os/accessing-edgar-data). It is sent with every request."
        )
    if "@" not in text:
        raise ConfigError(
            f"The SEC User-Agent {text!r} holds no email; the SEC asks for a name and an email, "
            "e.g. 'Jane Doe jane@example.com'."
        )
    return text


class RateLimiter:
    """At most ``per_second`` calls a second across every thread that shares it."""

    def __init__(self, per_second: float = MAX_REQUESTS_PER_SECOND) -> None:
        self.interval = 1.0 / per_second
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(
        self,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Block until the next call may go."""
        with self._lock:
            now = clock()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            sleep(start - now)


_SHARED_LIMITER = RateLimiter()  # one budget for every client of this process


@dataclass
class SecClient:
    """JSON from the SEC's two hosts, within its rate limit, retrying what can be retried.

    Attributes
    ----------
    agent : str
        The User-Agent (see :func:`user_agent`).
    www_url, data_url : str
        The hosts; default ``$FACTORLAB_SEC_WWW_URL`` and ``$FACTORLAB_SEC_DATA_URL``, else the
        SEC's own.
    retries : int
        Attempts after the first, on 429, 5xx and network errors.
    backoff_s : float
        The first wait before a retry; it doubles each time (a Retry-After header wins, up to
        30 s).
    timeout_s : float
        Seconds to wait for an answer.
    sleep : callable
        How to wait (tests pass a fake).
    requests : int
        Requests sent so far (a warm cache sends none).
    """

    agent: str
    www_url: str = field(default_factory=lambda: os.environ.get("FACTORLAB_SEC_WWW_URL", WWW_URL))
    data_url: str = field(
        default_factory=lambda: os.environ.get("FACTORLAB_SEC_DATA_URL", DATA_URL)
    )
    retries: int = 4
    backoff_s: float = 0.5
    timeout_s: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    limiter: RateLimiter = field(default_factory=lambda: _SHARED_LIMITER)
    requests: int = 0

    def company_tickers(self) -> dict[str, Any]:
        """The SEC's ticker list, ``files/company_tickers.json`` on the www host."""
        return self.get_json(f"{self.www_url.rstrip('/')}/files/company_tickers.json")

    def company_facts(self, cik: int) -> dict[str, Any]:
        """One company's XBRL facts, ``api/xbrl/companyfacts/CIK##########.json``."""
        return self.get_json(
            f"{self.data_url.rstrip('/')}/api/xbrl/companyfacts/CIK{int(cik):010d}.json"
        )

    def bulk_url(self) -> str:
        """The nightly zip of every filer's company facts, on the www host."""
        return f"{self.www_url.rstrip('/')}/Archives/edgar/daily-index/xbrl/companyfacts.zip"

    def download(self, url: str, path: Path) -> int:
        """Stream ``url`` into ``path`` (atomically, never held in memory); bytes written.

        One attempt plus ``retries`` on 429, 5xx and network errors, as :meth:`get_json`.
        """
        import httpx  # httpx loads only to download

        problem = ""
        for attempt in range(self.retries + 1):
            self.limiter.wait(sleep=self.sleep)
            self.requests += 1
            try:
                with httpx.stream(
                    "GET",
                    url,
                    headers={"User-Agent": self.agent},
                    timeout=self.timeout_s,
                    follow_redirects=True,
                ) as response:
                    if response.status_code == 200:

                        def write(tmp: Path) -> None:
                            with open(tmp, "wb") as out:
                                for block in response.iter_bytes(1 << 20):
                                    out.write(block)

                        return write_atomic(path, write)
                    if response.status_code == 404:
                        raise SecNotFound(f"the SEC has no {url} (HTTP 404)")
                    if response.status_code not in _RETRIED:
                        raise SecUnavailable(
                            f"the SEC answered HTTP {response.status_code} for {url}"
                        )
                    problem = f"HTTP {response.status_code}"
            except httpx.HTTPError as err:
                problem = f"{type(err).__name__}: {err}"
            if attempt < self.retries:
                self.sleep(self.backoff_s * 2**attempt)
        raise SecUnavailable(
            f"the SEC did not answer {url} after {self.retries + 1} attempts ({problem})"
        )

    def get_json(self, url: str) -> dict[str, Any]:
        """The JSON at ``url``; a SecUnavailable or SecNotFound saying why when there is none."""
        import httpx  # httpx loads only to download

        problem = ""
        for attempt in range(self.retries + 1):
            self.limiter.wait(sleep=self.sleep)
            self.requests += 1
            try:
                response = httpx.get(
                    url,
                    headers={"User-Agent": self.agent, "Accept-Encoding": "gzip, deflate"},
                    timeout=self.timeout_s,
                    follow_redirects=True,
                )
            except httpx.HTTPError as err:
                problem = f"{type(err).__name__}: {err}"
            else:
                if response.status_code == 200:
                    try:
                        return response.json()
                    except ValueError as err:
                        problem = f"an answer that is not JSON ({err})"
                elif response.status_code == 404:
                    raise SecNotFound(f"the SEC has no {url.rsplit('/', 1)[-1]} (HTTP 404)")
                elif response.status_code == 403:
                    raise SecUnavailable(
                        f"the SEC refused the request (HTTP 403); check that the User-Agent "
                        f"{self.agent!r} names you and your email"
                    )
                elif response.status_code not in _RETRIED:
                    raise SecUnavailable(f"the SEC answered HTTP {response.status_code} for {url}")
                else:
                    problem = f"HTTP {response.status_code}"
                    after = response.headers.get("Retry-After", "")
                    if after.isdigit() and attempt < self.retries:
                        self.sleep(min(float(after), 30.0))
                        continue
            if attempt < self.retries:
                self.sleep(self.backoff_s * 2**attempt)
        raise SecUnavailable(
            f"the SEC did not answer {url} after {self.retries + 1} attempts ({problem})"
        )
