"""The REST API through a real HTTP client against a server on a random local port."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import uvicorn

import factorlab as fl
from factorlab.serve import MAX_TICKERS, create_app


def _run(coroutine):
    """Run ``coroutine`` on a loop of its own thread: another test may leave this one's running."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _serve(app, **options):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, log_level="error", **options)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    return server, f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture(scope="module")
def api(tmp_path_factory, closed_port_url):
    ds = fl.load_dataset("sample", n_tickers=40, years=4, seed=3)
    analyst = fl.Analyst(host=closed_port_url(), cache_dir=tmp_path_factory.mktemp("answers"))
    server, url = _serve(create_app(ds, analyst))
    with httpx.Client(base_url=url, timeout=60) as client:
        yield client, ds
    server.should_exit = True


def test_health_says_which_dataset_and_whether_the_analyst_answers(api):
    client, ds = api
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["dataset"]["tickers"] == 40
    assert body["analyst"].startswith("server not reachable")
    assert {"/health", "/screen", "/analyze", "/portfolio-report", "/backtest"} <= set(
        client.get("/openapi.json").json()["paths"]
    )


def test_the_screen_returns_the_top_rows_for_the_weights(api):
    client, _ = api
    rows = client.get("/screen", params={"top": 5, "weights": "value=0.5,momentum=0.5"}).json()
    assert [r["rank"] for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0]["composite"] >= rows[-1]["composite"]


def test_analyze_scores_and_rates_the_tickers(api):
    client, ds = api
    tickers = client.get("/screen", params={"top": 3}).json()
    wanted = [r["ticker"] for r in tickers]
    body = client.post("/analyze", json={"tickers": wanted}).json()
    assert [r["ticker"] for r in body["scores"]] == wanted
    assert [r["ticker"] for r in body["ratings"]] == wanted
    latest = fl.score(ds).latest()  # the whole history: the API scores only the last year
    for row in body["scores"]:
        assert row["composite"] == pytest.approx(latest.loc[row["ticker"], "composite"], rel=1e-8)
    assert {r["source"] for r in body["ratings"]} == {"rule-based"}


def test_a_portfolio_report_is_labelled_with_its_source(api):
    client, _ = api
    wanted = [r["ticker"] for r in client.get("/screen", params={"top": 4}).json()]
    body = client.post("/portfolio-report", json={"tickers": wanted}).json()
    assert body["source"] == "rule-based" and body["label"].startswith("rule-based: Ollama")
    assert body["markdown"].startswith("### Analyst report")


def test_a_backtest_returns_stats_for_the_settings(api):
    client, _ = api
    body = client.post(
        "/backtest",
        json={"weights": {"momentum": 1}, "rebalance": "Q", "cost_bps": 25, "start": "2022-01-01"},
    ).json()
    assert body["settings"]["rebalance"] == "Q" and body["settings"]["cost_bps"] == 25
    assert body["period"].startswith("2022-01-03")
    assert "Sharpe ratio" in body["stats"]["strategy"]


@pytest.mark.parametrize(
    ("method", "path", "payload", "message"),
    [
        ("get", "/screen", {"top": 0}, "top: Input should be greater than or equal to 1"),
        ("get", "/screen", {"weights": "valeu=1"}, "Unknown"),
        ("post", "/analyze", {"tickers": ["NOPE"]}, "Unknown ticker(s): NOPE"),
        ("post", "/analyze", {"tickers": []}, "tickers: List should have at least 1 item"),
        (
            "post",
            "/analyze",
            {"tickers": [f"T{i}" for i in range(MAX_TICKERS + 1)]},
            f"at most {MAX_TICKERS} items",
        ),
        (
            "post",
            "/analyze",
            {"tickers": [f"T{i}" for i in range(200_000)]},
            "the request body is over 65536 bytes",  # refused before it is read
        ),
        ("post", "/backtest", {"start": "0001-01-01"}, "between 1678 and 2261"),
        ("get", "/screen", {"weights": "value=1e308,momentum=1e308"}, "too large to add up"),
        ("post", "/backtest", {"rebalance": "fortnightly"}, "rebalance"),
        ("post", "/backtest", {"start": "2024-06-01", "end": "2023-01-01"}, "is after end"),
        ("post", "/backtest", {"start": "someday"}, "start must be a date"),
        ("post", "/backtest", {"cost_bps": -5}, "cost_bps: Input should be greater than"),
    ],
)
def test_bad_input_is_a_4xx_with_a_clear_json_error(api, method, path, payload, message):
    client, _ = api
    response = (
        client.get(path, params=payload) if method == "get" else client.post(path, json=payload)
    )
    assert 400 <= response.status_code < 500, response.text
    assert message in response.json()["error"]


def test_malformed_json_is_a_4xx(api):
    client, _ = api
    response = client.post(
        "/backtest", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422 and "error" in response.json()


def test_a_concurrent_burst_gets_no_errors_and_the_answers_sequence_gives(api):
    client, _ = api
    mixes = ["value=1", "momentum=1", "value=0.5,growth=0.5", "growth=0.3,momentum=0.7"]
    sequential = {m: client.get("/screen", params={"top": 5, "weights": m}).json() for m in mixes}
    calls = [("screen", m) for m in mixes] * 3 + [("bad", None), ("health", None)] * 2

    def call(item):
        what, mix = item
        if what == "screen":
            return mix, client.get("/screen", params={"top": 5, "weights": mix})
        if what == "bad":
            return None, client.post("/analyze", json={"tickers": ["NOPE"]})
        return None, client.get("/health")

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(call, calls))
    assert sorted(r.status_code for _, r in answers) == [200] * 14 + [422] * 2
    for mix, response in answers:
        if mix is not None:
            assert response.json() == sequential[mix]


def test_an_unknown_route_is_a_json_error(api):
    client, _ = api
    response = client.get("/nowhere")
    assert response.status_code == 404 and response.json() == {"error": "Not Found"}


def test_a_request_longer_than_the_timeout_is_a_503(tmp_path, closed_port_url):
    ds = fl.load_dataset("sample", n_tickers=40, years=4, seed=3)
    analyst = fl.Analyst(host=closed_port_url(), cache_dir=tmp_path)
    server, url = _serve(create_app(ds, analyst, timeout_s=0.001))
    try:
        response = httpx.post(f"{url}/backtest", json={}, timeout=30)
        assert response.status_code == 503 and "longer than" in response.json()["error"]
    finally:
        server.should_exit = True


# -- access: a token, a limit on model calls, a largest body ----------------------------------


@pytest.fixture(scope="module")
def guarded(tmp_path_factory, closed_port_url):
    from factorlab.serve import Access

    ds = fl.load_dataset("sample", n_tickers=30, years=3, seed=4)
    analyst = fl.Analyst(host=closed_port_url(), cache_dir=tmp_path_factory.mktemp("guarded"))
    access = Access(token="s3cret-token", model_calls_per_minute=2, max_body_bytes=2048)
    server, url = _serve(create_app(ds, analyst, access=access))
    with httpx.Client(base_url=url, timeout=60) as client:
        yield client, ds
    server.should_exit = True


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_is_asked_everywhere_but_health(guarded):
    client, _ = guarded
    assert client.get("/health").status_code == 200
    missing = client.get("/screen")
    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"] == "Bearer"
    assert "Authorization: Bearer" in missing.json()["error"]
    assert client.get("/screen", headers=_bearer("wrong")).status_code == 401
    assert client.get("/screen", headers={"Authorization": "s3cret-token"}).status_code == 401
    assert client.get("/screen", headers=_bearer("s3cret-token")).status_code == 200
    lower = {"Authorization": "bearer s3cret-token"}  # the scheme is case-insensitive
    assert client.get("/screen", headers=lower).status_code == 200
    assert client.get("/openapi.json").status_code == 401


def test_model_calls_beyond_the_limit_are_a_429_per_client(guarded):
    client, ds = guarded
    body = {"tickers": list(ds.tickers[:3])}
    answers = [
        client.post("/portfolio-report", json=body, headers=_bearer("s3cret-token"))
        for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert "at most 2 calls a minute" in answers[2].json()["error"]
    assert int(answers[2].headers["Retry-After"]) >= 1
    # Screens and backtests are not model calls: still served.
    assert client.get("/screen", headers=_bearer("s3cret-token")).status_code == 200


def test_a_body_over_the_limit_is_a_413(guarded):
    client, ds = guarded
    huge = {"tickers": list(ds.tickers) * 40}
    answer = client.post("/backtest", json=huge, headers=_bearer("s3cret-token"))
    assert answer.status_code == 413
    assert answer.json() == {"error": "the request body is over 2048 bytes"}
    chunked = client.post(
        "/backtest",
        content=iter([b'{"tickers": [' + b'"AAAA",' * 600 + b'"B"]}']),
        headers={**_bearer("s3cret-token"), "Content-Type": "application/json"},
    )
    assert chunked.status_code == 413
    # Without the token, the size is not even looked at.
    assert client.post("/backtest", json=huge).status_code == 401


@pytest.mark.parametrize(
    ("trusted", "second_client_answer"),
    [("127.0.0.1", 200), ("10.1.2.3", 429)],
    ids=["trusted proxy: own quota", "untrusted: one address"],
)
def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_quota(
    tmp_path, closed_port_url, trusted, second_client_answer
):
    from factorlab.serve import Access

    ds = fl.load_dataset("sample", n_tickers=20, years=3, seed=5)
    analyst = fl.Analyst(host=closed_port_url(), cache_dir=tmp_path)
    app = create_app(ds, analyst, access=Access(token="t0ken", model_calls_per_minute=1))
    # As factorlab serve runs it: uvicorn's proxy headers, trusting only the proxies named.
    server, url = _serve(app, proxy_headers=True, forwarded_allow_ips=trusted)
    body = {"tickers": list(ds.tickers[:2])}
    try:
        with httpx.Client(base_url=url, timeout=60) as proxy:  # every call comes from 127.0.0.1

            def call(client_address):
                headers = {**_bearer("t0ken"), "X-Forwarded-For": client_address}
                return proxy.post("/portfolio-report", json=body, headers=headers).status_code

            assert call("203.0.113.7") == 200
            assert call("203.0.113.7") == 429
            assert call("198.51.100.4") == second_client_answer
    finally:
        server.should_exit = True


def test_serve_hands_the_trusted_proxies_to_uvicorn(monkeypatch, capsys):
    import uvicorn

    from factorlab.cli import main

    ran = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: ran.update(options))
    monkeypatch.setenv("FACTORLAB_API_TOKEN", "t0ken")
    argv = ["serve", "--n-tickers", "20", "--years", "3", "--forwarded-allow-ips", "10.0.0.0/8"]
    assert main(argv) == 0
    assert ran["proxy_headers"] is True and ran["forwarded_allow_ips"] == "10.0.0.0/8"
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    assert main(argv[:-2]) == 0
    assert ran["proxy_headers"] is False  # no proxy named: none trusted, not even 127.0.0.1


def test_a_refused_request_does_not_use_up_a_model_call(tmp_path, closed_port_url):
    from factorlab.serve import Access

    ds = fl.load_dataset("sample", n_tickers=20, years=3, seed=6)
    analyst = fl.Analyst(host=closed_port_url(), cache_dir=tmp_path)
    access = Access(token="t0ken", model_calls_per_minute=1, max_body_bytes=2048)
    server, url = _serve(create_app(ds, analyst, access=access))
    try:
        with httpx.Client(base_url=url, timeout=60, headers=_bearer("t0ken")) as client:
            huge = {"tickers": list(ds.tickers) * 40}
            assert client.post("/analyze", json=huge).status_code == 413
            assert client.post("/analyze", json={"tickers": []}).status_code == 422
            top = client.get("/screen", params={"top": 2}).json()
            good = {"tickers": [row["ticker"] for row in top]}
            assert client.post("/analyze", json=good).status_code == 200  # the one call
            assert client.post("/analyze", json=good).status_code == 429
    finally:
        server.should_exit = True


def test_a_chunked_body_is_not_read_past_the_limit():
    from factorlab.serve import _BodyLimit

    pulled, sent = [], []

    async def endless_body():
        pulled.append(1)
        return {"type": "http.request", "body": b"x" * 1024, "more_body": True}

    async def send(message):
        sent.append(message)

    async def app(scope, receive, send):
        raise AssertionError("a body over the limit must not reach the app")

    scope = {"type": "http", "method": "POST", "path": "/backtest", "headers": []}
    _run(_BodyLimit(app, limit=4096)(scope, endless_body, send))
    assert sent[0]["status"] == 413
    assert len(pulled) == 5  # four chunks fit; the fifth passes the limit and reading stops


def test_a_body_within_the_limit_reaches_the_app_whole():
    from factorlab.serve import _BodyLimit

    chunks = [b'{"a": ', b"1", b"}"]
    messages = [
        {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
        for i, c in enumerate(chunks)
    ]
    received = []

    async def receive():
        return messages.pop(0)

    async def app(scope, receive, send):
        while True:
            message = await receive()
            received.append(message["body"])
            if not message["more_body"]:
                break

    scope = {"type": "http", "method": "POST", "path": "/x", "headers": []}
    _run(_BodyLimit(app, limit=4096)(scope, receive, lambda m: None))
    assert b"".join(received) == b'{"a": 1}'


def test_serve_refuses_an_open_address_without_a_token(capsys, monkeypatch):
    from factorlab.cli import main

    monkeypatch.delenv("FACTORLAB_API_TOKEN", raising=False)
    assert main(["serve", "--host", "0.0.0.0", "--n-tickers", "20", "--years", "2"]) == 2
    error = capsys.readouterr().err
    assert "will not bind 0.0.0.0 without a token" in error and "--insecure" in error


def test_loopback_and_tokened_binds_are_allowed_and_insecure_ones_flagged():
    from factorlab.cli import _check_bind

    assert _check_bind("127.0.0.1", None, False) is False
    assert _check_bind("localhost", None, False) is False
    assert _check_bind("::1", None, False) is False
    assert _check_bind("0.0.0.0", "token", False) is False
    assert _check_bind("0.0.0.0", None, True) is True
    with pytest.raises(fl.ConfigError, match="Pass --token"):
        _check_bind("192.168.1.5", None, False)
