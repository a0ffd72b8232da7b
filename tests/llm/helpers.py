"""Test helpers for the analyst: fake Ollama and OpenAI-compatible servers on 127.0.0.1 and the
scripted replies they give.

The fake Ollama server speaks enough of Ollama's API for the real ``ollama`` client
(``/api/chat``, ``/api/tags``, ``/api/show``, ``/api/create``, ``/api/version``), is scripted per
test, and records every request it receives; the OpenAI one speaks ``/v1/chat/completions`` and
``/v1/models`` to the real ``openai`` client."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = Callable[[dict[str, Any]], tuple[int, Any]]  # request body -> (HTTP status, body)


def figures_of(body: dict[str, Any]) -> Any:
    """The JSON figures inside the prompt of a chat request."""
    prompt = body["messages"][1]["content"]
    return json.loads(prompt.split("Figures:\n", 1)[1].split("\n\nReply with JSON only", 1)[0])


def chat(content: str) -> tuple[int, dict[str, Any]]:
    return 200, {
        "model": "llama3.1:8b",
        "created_at": "2026-11-28T00:00:00Z",
        "message": {"role": "assistant", "content": content},
        "done": True,
        "done_reason": "stop",
    }


def good_ratings(body: dict[str, Any], drop: int = 0, extra: str | None = None) -> tuple[int, Any]:
    """Rate every ticker of the prompt, citing its composite z-score from the figures."""
    rows = figures_of(body)
    ratings = [
        {
            "ticker": r["ticker"],
            "rating": "BUY" if r.get("composite_z", 0) > 0 else "HOLD",
            "confidence": 0.6,
            "rationale": f"Composite score of {r.get('composite_z')} sd. Solid figures.",
            "risks": "Momentum may fade.",
        }
        for r in rows
    ]
    ratings = ratings[drop:]
    if extra:
        ratings.append({**ratings[0], "ticker": extra})
    return chat(json.dumps({"ratings": ratings}))


def edited(reply: Reply, edit: Callable[[list[dict[str, Any]]], Any]) -> Reply:
    """``reply`` (a scripted ratings reply) with its list of ratings changed in place by
    ``edit``: one way to script a reply that is good but for one thing."""

    def answer(body: dict[str, Any]) -> tuple[int, Any]:
        status, response = reply(body)
        content = json.loads(response["message"]["content"])
        edit(content["ratings"])
        return status, chat(json.dumps(content))[1]

    return answer


def good_report(body: dict[str, Any]) -> tuple[int, Any]:
    return chat(
        json.dumps(
            {
                "summary": "The figures look steady.",
                "strengths": ["Diversified."],
                "concerns": ["Costs matter."],
                "suggested_checks": ["Vary the costs."],
            }
        )
    )


def good(body: dict[str, Any]) -> tuple[int, Any]:
    prompt = body["messages"][1]["content"]
    return good_ratings(body) if prompt.startswith("Rate each stock") else good_report(body)


@dataclass
class FakeOllama:
    """Scripted replies to /api/chat (first in, first out; then ``good``), the models it has,
    and every request received as (path, body)."""

    models: list[str] = field(default_factory=lambda: ["llama3.1:8b"])
    replies: list[Reply] = field(default_factory=list)
    delay_s: float = 0.0
    requests: list[tuple[str, Any]] = field(default_factory=list)
    url: str = ""
    digest: str = "sha256:0"  # what /api/tags reports for every model: change it to "re-pull"
    listing_delay_s: float = 0.0  # how long /api/tags takes (a host that hangs)

    def chats(self) -> list[dict[str, Any]]:
        return [body for path, body in self.requests if path == "/api/chat"]

    def answer(self, path: str, body: Any) -> tuple[int, Any]:
        self.requests.append((path, body))
        if path == "/api/version":
            return 200, {"version": "0.12.0"}
        if path == "/api/tags":
            time.sleep(self.listing_delay_s)
            return 200, {
                "models": [
                    {"model": m, "name": m, "size": 1, "digest": self.digest} for m in self.models
                ]
            }
        if path == "/api/show":
            if body.get("model") in self.models:
                return 200, {"modelfile": "FROM x", "parameters": "", "template": ""}
            return 404, {"error": f"model '{body.get('model')}' not found"}
        if path == "/api/create":
            self.models.append(body["model"])
            return 200, {"status": "success"}
        if path == "/api/chat":
            if body.get("model") not in self.models:
                return 404, {"error": f"model '{body.get('model')}' not found, try pulling it"}
            time.sleep(self.delay_s)
            reply = self.replies.pop(0) if self.replies else good
            return reply(body)
        return 404, {"error": f"no route {path}"}


def _handler(fake: FakeOllama) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _respond(self, body: Any) -> None:
            status, payload = fake.answer(self.path, body)
            data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            try:
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout)
                pass

        def do_GET(self) -> None:  # http.server's names
            self._respond(None)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b"{}"
            self._respond(json.loads(raw or b"{}"))

        def do_HEAD(self) -> None:
            self._respond(None)

        def log_message(self, *args: Any) -> None:  # keep test output clean
            pass

    return Handler


def no_ticker_or_name_in(requests: list[tuple[str, Any]], table) -> list[str]:
    """The tickers or company names of ``table`` found in any request body."""
    text = json.dumps([body for _, body in requests])
    found = [t for t in table.index if re.search(rf"(?<![A-Za-z]){re.escape(t)}(?![A-Za-z])", text)]
    found += [n for n in table["name"] if n in text]
    return found


@dataclass
class FakeOpenAI:
    """An OpenAI-compatible chat server (as llama.cpp's): ``/v1/models`` and
    ``/v1/chat/completions``, answering with the same scripted replies as the fake Ollama."""

    models: list[str] = field(default_factory=lambda: ["local-gguf"])
    replies: list[Reply] = field(default_factory=list)
    requests: list[tuple[str, Any]] = field(default_factory=list)
    url: str = ""
    created: int = 0  # when /v1/models says the model was made (vLLM: the time of the request)
    meta: dict[str, Any] | None = None  # llama.cpp's description of the model file
    listing_delay_s: float = 0.0  # how long /v1/models takes (a host that hangs)

    def chats(self) -> list[dict[str, Any]]:
        return [body for path, body in self.requests if path.endswith("/chat/completions")]

    def answer(self, path: str, body: Any) -> tuple[int, Any]:
        self.requests.append((path, body))
        if path == "/v1/models":
            time.sleep(self.listing_delay_s)
            return 200, {
                "object": "list",
                "data": [
                    {
                        "id": m,
                        "object": "model",
                        "created": self.created,
                        "owned_by": "test",
                        **({"meta": self.meta} if self.meta else {}),
                    }
                    for m in self.models
                ],
            }
        if path == "/v1/chat/completions":
            reply = self.replies.pop(0) if self.replies else good
            status, payload = reply(_as_ollama(body))
            if status != 200:
                return status, {"error": {"message": str(payload.get("error")), "type": "x"}}
            return 200, {
                "id": "c1",
                "object": "chat.completion",
                "created": 0,
                "model": body.get("model"),
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {"role": "assistant", "content": payload["message"]["content"]},
                    }
                ],
            }
        return 404, {"error": {"message": f"no route {path}", "type": "not_found"}}


def _as_ollama(body: dict[str, Any]) -> dict[str, Any]:
    """The scripted replies read an Ollama-shaped request; the messages are the same."""
    return {"model": body.get("model"), "messages": body["messages"]}


@contextmanager
def serving(fake: FakeOllama | FakeOpenAI, path: str = "") -> Iterator[None]:
    """``fake`` answering on a random free port of 127.0.0.1, in a thread; its ``url`` set."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}{path}"
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
