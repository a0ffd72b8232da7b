"""``factorlab serve``: the screen, scores, analyst and backtests behind a small HTTP API.

FastAPI with pydantic models (the optional extra ``factorlab[serve]``), with an OpenAPI
description at ``/docs`` and ``/openapi.json``. Every input is validated: bad input gets a 4xx
with ``{"error": ...}`` saying what and how to fix it, never a 500. Work per request is bounded
(at most ``MAX_TICKERS`` tickers, ``MAX_YEARS`` years of backtest) and timed out after
``REQUEST_TIMEOUT_S``. The dataset is loaded once at start-up; binds 127.0.0.1 unless told.

Access (:class:`Access`): with a token, every route but ``/health`` asks for
``Authorization: Bearer <token>`` (compared in constant time) and answers 401 without it; the
routes that call the model (``/analyze``, ``/portfolio-report``) take at most
``model_calls_per_minute`` requests a minute from one client (429 beyond, with
``Retry-After``; a request refused with a 4xx does not count); a request body larger than
``max_body_bytes`` is refused with 413, read no further than the limit. Each answers with a JSON
``{"error": ...}``. A client is its address as the server sees it: behind a reverse proxy,
``factorlab serve --forwarded-allow-ips`` names the proxies whose ``X-Forwarded-For`` says who
the client is (uvicorn's proxy-headers middleware).
"""

import asyncio
import hmac
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import pandas as pd
from pydantic import BaseModel, Field

from factorlab._json import json_safe
from factorlab._version import __version__
from factorlab.backtest import backtest
from factorlab.backtest.engine import Rebalance
from factorlab.data import Dataset
from factorlab.errors import ConfigError, DataError
from factorlab.factors import score, screen
from factorlab.factors.screening import scoring_window
from factorlab.factors.weights import Weights
from factorlab.llm import Analyst
from factorlab.params import as_tickers

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_TICKERS",
    "MAX_YEARS",
    "MODEL_CALLS_PER_MINUTE",
    "REQUEST_TIMEOUT_S",
    "Access",
    "create_app",
]

MAX_TICKERS = 50
MAX_YEARS = 20
REQUEST_TIMEOUT_S = 60.0
MAX_CONCURRENT_JOBS = 2  # scoring and backtests at once; others wait their turn
MAX_BODY_BYTES = 64 * 1024  # the largest request: 50 tickers and weights fit in a few hundred
MODEL_CALLS_PER_MINUTE = 10  # per client, on the routes that spend model time
MODEL_ROUTES = ("/analyze", "/portfolio-report")
OPEN_ROUTES = ("/health",)


@dataclass(frozen=True)
class Access:
    """Who may call the API, and how much (see the module's docstring).

    Attributes
    ----------
    token : str or None
        The bearer token every route but ``/health`` asks for; None: no token asked (only for
        a server bound to this machine).
    model_calls_per_minute : int
        Requests a minute one client may make to the routes that call the model.
    max_body_bytes : int
        The largest request body accepted.
    """

    token: str | None = None
    model_calls_per_minute: int = MODEL_CALLS_PER_MINUTE
    max_body_bytes: int = MAX_BODY_BYTES


class _RateLimit:
    """At most ``limit`` calls per client in any 60 s (a sliding window)."""

    def __init__(self, limit: int, window_s: float = 60.0) -> None:
        self.limit, self.window_s = limit, window_s
        self.calls: dict[str, deque[float]] = defaultdict(deque)

    def wait(self, client: str) -> float:
        """0 when ``client`` may call now (the call is counted), else seconds to wait."""
        now = time.monotonic()
        quiet = [c for c, q in self.calls.items() if not q or now - q[-1] >= self.window_s]
        for other in quiet:  # clients quiet for a whole window: forgotten
            del self.calls[other]
        calls = self.calls[client]
        while calls and now - calls[0] >= self.window_s:
            calls.popleft()
        if len(calls) >= self.limit:
            return self.window_s - (now - calls[0])
        calls.append(now)
        return 0.0

    def refund(self, client: str) -> None:
        """Forget ``client``'s last counted call (it was refused before reaching the model)."""
        if self.calls.get(client):
            self.calls[client].pop()


class _BodyLimit:
    """ASGI middleware: a request body over ``limit`` bytes gets a 413, read no further.

    A declared ``Content-Length`` over the limit is refused before any byte is read; a chunked
    body is read until it passes the limit, then refused. A body within it is handed on whole.
    """

    def __init__(self, app: Any, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Any, receive: Callable[[], Any], send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._refuse(scope, receive, send)
            return
        messages, size = [], 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":  # the client went away: let the app see it
                break
            size += len(message.get("body", b""))
            if size > self.limit:
                await self._refuse(scope, receive, send)
                return
            if not message.get("more_body", False):
                break
        pending = iter(messages)

        async def replay() -> Any:
            return next(pending, None) or await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Any, receive: Callable[[], Any], send: Any) -> None:
        from starlette.responses import JSONResponse  # the optional serve extra

        answer = JSONResponse(
            status_code=413, content={"error": f"the request body is over {self.limit} bytes"}
        )
        await answer(scope, receive, send)


def create_app(
    ds: Dataset,
    analyst: Any = None,
    timeout_s: float = REQUEST_TIMEOUT_S,
    access: Access | None = None,
) -> Any:
    """The FastAPI app serving ``ds``, with ``analyst`` to rate and report.

    ``analyst`` is an ``fl.Analyst`` (default: one for the local Ollama, with a 30 s timeout
    and its labelled rule-based fallback). ``access`` sets the token, the model calls a client
    may make a minute and the largest body (default: no token, the module's limits).
    """
    # the optional serve extra: only for factorlab serve
    from fastapi import (
        FastAPI,
        Query,
        Request,
    )

    # the optional serve extra: only for factorlab serve
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse  # the optional serve extra: only for factorlab serve

    if analyst is None:
        analyst = Analyst(timeout_s=30)

    app = FastAPI(
        title="factorlab",
        version=__version__,
        description="Factor scores, screens, backtests and an analyst over one "
        f"dataset ({ds.source}, {len(ds.tickers)} tickers).",
    )

    @app.exception_handler(ConfigError)
    @app.exception_handler(DataError)
    async def _bad_input(request: Request, err: ValueError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"error": str(err)})

    # the optional serve extra: only for factorlab serve
    from starlette.exceptions import HTTPException

    @app.exception_handler(HTTPException)
    async def _http(request: Request, err: HTTPException) -> JSONResponse:
        return JSONResponse(status_code=err.status_code, content={"error": str(err.detail)})

    @app.exception_handler(RequestValidationError)
    async def _bad_shape(request: Request, err: RequestValidationError) -> JSONResponse:
        first = err.errors()[0] if err.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        return JSONResponse(
            status_code=422,
            content={"error": f"{where or 'request'}: {first.get('msg', 'invalid')}"},
        )

    rules = access or Access()
    model_calls = _RateLimit(rules.model_calls_per_minute)
    expected = None if rules.token is None else rules.token.encode()
    # Added before the guard, so it runs after it: a caller without the token is turned away
    # before a byte of its body is read.
    app.add_middleware(_BodyLimit, limit=rules.max_body_bytes)

    @app.middleware("http")
    async def _guard(request: Request, call_next: Callable[[Request], Any]) -> Any:
        path = request.url.path
        if expected is not None and path not in OPEN_ROUTES:
            scheme, _, given = request.headers.get("authorization", "").partition(" ")
            # the scheme is case-insensitive (RFC 9110); the token is compared in constant time
            if scheme.lower() != "bearer" or not hmac.compare_digest(
                given.strip().encode(), expected
            ):
                return JSONResponse(
                    status_code=401,
                    content={"error": "this API needs 'Authorization: Bearer <token>'"},
                    headers={"WWW-Authenticate": "Bearer"},
                )
        if path in MODEL_ROUTES:
            client = request.client.host if request.client else "unknown"
            wait = model_calls.wait(client)
            if wait > 0:
                return JSONResponse(
                    status_code=429,
                    content={
                        "error": f"at most {rules.model_calls_per_minute} calls a minute to "
                        f"{', '.join(MODEL_ROUTES)}; try again in {wait:.0f} s"
                    },
                    headers={"Retry-After": str(max(int(wait + 0.999), 1))},
                )
            answer = await call_next(request)
            if 400 <= answer.status_code < 500:  # refused (too big, bad input): no model call
                model_calls.refund(client)
            return answer
        return await call_next(request)

    slots = asyncio.Semaphore(MAX_CONCURRENT_JOBS)

    async def bounded(work: Callable[[], Any]) -> Any:
        # A thread cannot be stopped: a job past the timeout runs to its end, but holds a slot,
        # so a burst of slow requests queues instead of starving the server.
        try:
            async with asyncio.timeout(timeout_s):
                async with slots:
                    return await asyncio.to_thread(work)
        except TimeoutError:
            return JSONResponse(
                status_code=503,
                content={"error": f"the request took longer than {timeout_s:g} s; ask for less"},
            )

    @app.get("/health")
    async def health() -> dict[str, Any]:
        """Up, which dataset, and whether the analyst's model answers."""
        summary = ds.summary()
        return {
            "status": "ok",
            "version": __version__,
            "dataset": {
                "source": summary["source"],
                "tickers": summary["tickers"],
                "start": f"{summary['start']:%Y-%m-%d}",
                "end": f"{summary['end']:%Y-%m-%d}",
            },
            "analyst": await asyncio.to_thread(analyst.status),
        }

    @app.get("/screen")
    async def get_screen(
        top: int = Query(10, ge=1, le=MAX_TICKERS), weights: str | None = None
    ) -> Any:
        """The top of the screen on the latest date."""
        return await bounded(lambda: _rows(screen(ds, top=top, weights=weights)))

    @app.post("/analyze")
    async def analyze(body: TickersRequest) -> Any:
        """Scores of the given tickers on the latest date, and the analyst's ratings."""
        tickers = _known(ds, body.tickers)

        def work() -> dict[str, Any]:
            table = _scores_of(ds, tickers, body.weights)
            ratings = analyst.rate(table)
            return {
                "as_of": f"{ds.end:%Y-%m-%d}",
                "scores": _rows(table),
                "ratings": _rows(ratings.set_index("ticker")),
            }

        return await bounded(work)

    @app.post("/portfolio-report")
    async def portfolio_report(body: TickersRequest) -> Any:
        """The analyst's report on the given tickers' scores."""
        tickers = _known(ds, body.tickers)

        def work() -> dict[str, Any]:
            report = analyst.report(_scores_of(ds, tickers, body.weights))
            return {
                "source": report.source,
                "label": report.label,
                "summary": report.summary,
                "strengths": report.strengths,
                "concerns": report.concerns,
                "suggested_checks": report.suggested_checks,
                "unverified_numbers": report.unverified_numbers,
                "markdown": report.markdown,
            }

        return await bounded(work)

    @app.post("/backtest")
    async def post_backtest(body: BacktestRequest) -> Any:
        """Backtest the composite for the given weights and settings: the stats table."""
        window = (
            await asyncio.to_thread(ds.slice, body.start, body.end)
            if body.start or body.end
            else ds
        )
        years = (window.end - window.start).days / 365.25
        if years > MAX_YEARS:
            raise ConfigError(
                f"the backtest spans {years:.0f} years; at most {MAX_YEARS} are "
                "served: pass start and end."
            )

        def work() -> dict[str, Any]:
            scores = score(window, weights=body.weights)
            result = backtest(
                scores.composite,
                window,
                rebalance=cast(Rebalance, body.rebalance),
                quantiles=body.quantiles,
                cost_bps=body.cost_bps,
            )
            stats = result.stats()
            return {
                "weights": scores.weights,
                "settings": result.settings,
                "period": f"{window.start:%Y-%m-%d} to {window.end:%Y-%m-%d}",
                "stats": {str(c): json_safe(stats[c].to_dict()) for c in stats.columns},
            }

        return await bounded(work)

    return app


class TickersRequest(BaseModel):
    """Tickers of the dataset, and optional family weights."""

    tickers: list[str] = Field(
        min_length=1, max_length=MAX_TICKERS, description=f"at most {MAX_TICKERS}"
    )
    weights: dict[str, float] | str | None = Field(
        default=None, description='family weights, e.g. {"value": 0.5, "momentum": 0.5}'
    )


class BacktestRequest(BaseModel):
    """A backtest of the composite: weights, settings and an optional date window."""

    weights: dict[str, float] | str | None = None
    rebalance: str = "M"  # parsed by fl.backtest, whose errors name every spelling
    quantiles: int = Field(default=5, ge=2, le=20)
    cost_bps: float = Field(default=10, ge=0, le=500)
    start: str | None = None
    end: str | None = None


def _known(ds: Dataset, tickers: list[str]) -> list[str]:
    wanted = as_tickers(tickers)
    if len(wanted) > MAX_TICKERS:
        raise ConfigError(f"{len(wanted)} tickers asked for; at most {MAX_TICKERS} per request.")
    unknown = [t for t in wanted if t not in ds.prices.columns]
    if unknown:
        raise DataError(
            f"Unknown ticker(s): {', '.join(unknown[:10])}. GET /screen lists known ones."
        )
    return wanted


def _scores_of(ds: Dataset, tickers: list[str], weights: Weights) -> pd.DataFrame:
    latest = score(scoring_window(ds, ds.end), weights=weights).latest()  # one date, not decades
    missing = [t for t in tickers if t not in latest.index]
    if missing:
        raise DataError(
            f"No score on {ds.end:%Y-%m-%d} for {', '.join(missing)} (no price that "
            "day, or a weighted family without data)."
        )
    table = latest.loc[tickers].join(ds.meta[["name", "sector"]])
    table.attrs = latest.attrs
    return table


def _rows(table: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for ticker, row in table.iterrows():  # a response's rows: tens, not thousands
        out.append({"ticker": str(ticker), **json_safe(row.to_dict())})
    return out
