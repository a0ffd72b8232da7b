"""The analyst over an OpenAI-compatible server (llama.cpp, LM Studio, vLLM), through the real
``openai`` client: the same checks, cache and fallback as with Ollama."""

from __future__ import annotations

import pytest

import factorlab as fl

from .helpers import edited, good_ratings


@pytest.fixture
def analyst(openai_server, tmp_path):
    return fl.Analyst(
        model="local-gguf",
        backend="openai",
        base_url=openai_server.url,
        cache_dir=tmp_path / "answers",
        timeout_s=5,
    )


def test_ratings_and_a_report_come_from_the_model_with_its_schema(analyst, screen, openai_server):
    assert analyst.status().startswith("up and ready: local-gguf at http://127.0.0.1")
    ratings = analyst.rate(screen, batch_size=6)
    assert ratings["ticker"].tolist() == screen.index.tolist()
    assert (ratings["source"] == "llm").all()
    report = analyst.report(screen)
    assert report.source == "llm"
    request = openai_server.chats()[0]
    assert request["response_format"]["type"] == "json_schema"
    assert request["response_format"]["json_schema"]["schema"]["title"] == "RatingsReply"
    batch = request["response_format"]["json_schema"]["schema"]
    assert batch["$defs"]["RatingReply"]["properties"]["ticker"]["enum"] == list(screen.index[:6])
    assert batch["properties"]["ratings"]["minItems"] == 6
    assert request["temperature"] == 0 and request["seed"] == 0
    assert request["max_tokens"] == 2048  # a runaway reply stops


def test_a_missing_ticker_is_retried_and_a_rerun_comes_from_the_cache(
    analyst, screen, openai_server, tmp_path
):
    openai_server.replies = [lambda body: good_ratings(body, drop=1)]
    first = analyst.rate(screen, batch_size=12)
    assert (first["source"] == "llm").all() and analyst.retries == 1
    calls = len(openai_server.requests)
    again = fl.Analyst(
        model="local-gguf",
        backend="openai",
        base_url=openai_server.url,
        cache_dir=tmp_path / "answers",
    )
    assert again.rate(screen, batch_size=12).equals(first)
    asked = [path for path, _ in openai_server.requests[calls:]]
    assert again.model_calls == 0 and asked == ["/v1/models"]  # which model: no completion


def test_an_invented_number_is_flagged_as_with_ollama(analyst, screen, openai_server):
    openai_server.replies = [
        edited(good_ratings, lambda r: r[0].update(rationale="A P/E of 45.3."))
    ]
    assert analyst.rate(screen, batch_size=12)["unverified"].iloc[0] == ["45.3"]


def test_no_server_and_a_server_error_fall_back_with_their_reasons(screen, tmp_path, openai_server):
    gone = fl.Analyst(backend="openai", base_url="http://127.0.0.1:9/v1", cache_dir=tmp_path)
    assert "server not reachable at http://127.0.0.1:9/v1" in gone.status()
    assert (gone.rate(screen)["source"] == "rule-based").all()
    failing = fl.Analyst(
        model="local-gguf", backend="openai", base_url=openai_server.url, cache_dir=tmp_path / "b"
    )
    openai_server.replies = [lambda body: (500, {"error": "out of memory"})]
    note = failing.rate(screen, batch_size=12)["note"].iloc[0]
    assert note.startswith("rule-based: the model server failed (the server at")
    assert "HTTP 500" in note


def test_a_model_the_server_does_not_serve_is_named(openai_server, tmp_path):
    openai_server.models = ["a", "b"]
    analyst = fl.Analyst(
        model="c", backend="openai", base_url=openai_server.url, cache_dir=tmp_path
    )
    assert analyst.status() == f"model c is not served at {openai_server.url} (it serves a, b)"


def test_an_unknown_backend_is_named():
    with pytest.raises(fl.ConfigError, match="backend must be 'ollama' or 'openai'"):
        fl.Analyst(backend="bard")


def test_a_server_that_takes_only_json_object_gets_the_schema_beside_it(
    analyst, screen, openai_server
):
    def refuse_json_schema(body):  # as llama-cpp-python's server does
        return 500, {"error": "response_format.type: Input should be 'text' or 'json_object'"}

    openai_server.replies = [refuse_json_schema]
    ratings = analyst.rate(screen, batch_size=12)
    assert (ratings["source"] == "llm").all()
    formats = [body["response_format"]["type"] for body in openai_server.chats()]
    assert formats == ["json_schema", "json_object"]
    assert openai_server.chats()[1]["response_format"]["schema"]["title"] == "RatingsReply"
    analyst.report(screen)
    assert openai_server.chats()[-1]["response_format"]["type"] == "json_object"  # remembered


def test_a_reloaded_model_on_an_openai_server_is_asked_again(
    analyst, screen, openai_server, tmp_path
):
    analyst.rate(screen, batch_size=12)
    chats = len(openai_server.chats())

    def again() -> fl.Analyst:
        return fl.Analyst(
            model="local-gguf",
            backend="openai",
            base_url=openai_server.url,
            cache_dir=tmp_path / "answers",
        )

    openai_server.created = 1_800_000_000  # vLLM reports the time of the request: not a change
    same = again()
    same.rate(screen, batch_size=12)
    assert same.model_calls == 0
    openai_server.meta = {"n_params": 270_000_000, "size": 253_000_000}  # another model file
    reloaded = again()
    reloaded.rate(screen, batch_size=12)
    assert reloaded.model_calls >= 1 and len(openai_server.chats()) > chats
