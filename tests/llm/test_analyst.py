"""fl.Analyst through the real ``ollama`` client against a fake Ollama server on 127.0.0.1."""

from __future__ import annotations

import json
import time

import pytest

import factorlab as fl

from .helpers import chat, edited, figures_of, good_ratings, no_ticker_or_name_in


def test_the_constructor_does_no_io_and_takes_the_host_from_the_environment(monkeypatch):
    monkeypatch.setenv("OLLAMA_HOST", "http://127.0.0.1:9")
    analyst = fl.Analyst()
    assert analyst.host == "http://127.0.0.1:9" and analyst.transport._client is None


def test_status_says_up_and_ready(analyst):
    assert analyst.available()
    assert analyst.status().startswith("up and ready: llama3.1:8b")


def test_no_server_gives_a_labelled_fallback_and_says_how_to_start_one(
    screen, tmp_path, closed_port_url
):
    analyst = fl.Analyst(host=closed_port_url(), cache_dir=tmp_path, timeout_s=5)
    assert not analyst.available()
    assert "server not reachable" in analyst.status() and "ollama serve" in analyst.status()
    ratings = analyst.rate(screen)
    assert (ratings["source"] == "rule-based").all()
    assert ratings["note"].str.startswith("rule-based: Ollama not available (server not").all()
    report = analyst.report(screen)
    assert report.source == "rule-based" and report.label.startswith("rule-based: Ollama not")
    assert "rule-based: Ollama not available" in report.markdown


def test_a_model_not_pulled_says_ollama_pull(ollama_server, screen, tmp_path):
    analyst = fl.Analyst(model="mistral:7b", host=ollama_server.url, cache_dir=tmp_path)
    assert not analyst.available()
    assert "`ollama pull mistral:7b`" in analyst.status()
    assert (analyst.rate(screen)["source"] == "rule-based").all()
    assert ollama_server.chats() == []  # nothing asked of a model that is not there


def test_good_replies_rate_every_ticker_once_with_the_models_label(analyst, screen, ollama_server):
    ratings = analyst.rate(screen, batch_size=5)
    assert ratings["ticker"].tolist() == screen.index.tolist()
    assert set(ratings["rating"]) <= {"BUY", "HOLD", "SELL"}
    assert ratings["confidence"].between(0, 1).all()
    assert (ratings["source"] == "llm").all() and (ratings["note"] == "llm: llama3.1:8b").all()
    assert ratings["unverified"].map(len).sum() == 0  # the fake cites the figures it was given
    assert len(ollama_server.chats()) == 3  # 12 tickers in batches of 5
    request = ollama_server.chats()[0]
    assert request["format"]["title"] == "RatingsReply"
    batch = list(screen.index[:5])
    assert request["format"]["$defs"]["RatingReply"]["properties"]["ticker"]["enum"] == batch
    assert request["format"]["properties"]["ratings"]["maxItems"] == 5
    assert request["options"] == {
        "temperature": 0.0,
        "seed": 0,
        "num_ctx": 8192,
        "num_predict": 2048,
    }
    assert "Reply with JSON only" in request["messages"][1]["content"]


def test_invalid_json_then_valid_is_retried_once_and_used(analyst, screen, ollama_server):
    ollama_server.replies = [lambda body: chat("Sure! Here are the ratings: BUY BUY")]
    ratings = analyst.rate(screen, batch_size=12)
    assert (ratings["source"] == "llm").all()
    assert analyst.retries == 1 and len(ollama_server.chats()) == 2
    assert "not usable" in ollama_server.chats()[1]["messages"][-1]["content"]


def test_invalid_twice_falls_back_for_that_batch_only(analyst, screen, ollama_server):
    ollama_server.replies = [lambda body: chat("{}"), lambda body: chat("not json")]
    ratings = analyst.rate(screen, batch_size=6)
    first, second = ratings.iloc[:6], ratings.iloc[6:]
    assert (first["source"] == "rule-based").all() and (second["source"] == "llm").all()
    assert first["note"].str.startswith("rule-based: the model's answer was unusable").all()


def test_a_missing_and_an_extra_ticker_are_named_in_the_retry(analyst, screen, ollama_server):
    ollama_server.replies = [lambda body: good_ratings(body, drop=1, extra="ZZZZ")]
    ratings = analyst.rate(screen, batch_size=12)
    assert (ratings["source"] == "llm").all() and len(ratings) == len(screen)
    retry = ollama_server.chats()[1]["messages"][-1]["content"]
    assert f"missing: {screen.index[0]}" in retry and "extra or repeated: ZZZZ" in retry


def parroted_ratings(body):
    """What Gemma 3 270M wrote in the real-model check: the schema's descriptions as answers."""
    ratings = [
        {
            "ticker": r["ticker"],
            "rating": "BUY",
            "confidence": 1.0,
            "rationale": "at most two sentences, citing figures from the table",
            "risks": "the main risk in one sentence",
        }
        for r in figures_of(body)
    ]
    return chat(json.dumps({"ratings": ratings}))


def test_a_reply_that_repeats_the_schema_descriptions_is_retried_with_the_reason(
    analyst, screen, ollama_server
):
    ollama_server.replies = [parroted_ratings]
    ratings = analyst.rate(screen, batch_size=12)
    assert (ratings["source"] == "llm").all() and analyst.retries == 1
    retry = ollama_server.chats()[1]["messages"][-1]["content"]
    assert "rationale repeats the schema's description" in retry


def test_a_reply_that_repeats_the_schema_descriptions_twice_falls_back(
    analyst, screen, ollama_server
):
    ollama_server.replies = [parroted_ratings, parroted_ratings]
    ratings = analyst.rate(screen, batch_size=12)
    assert (ratings["source"] == "rule-based").all()
    assert ratings["note"].str.contains("instead of answering").all()


def test_an_invented_number_is_flagged_and_marked(analyst, screen, ollama_server):
    invented = edited(
        good_ratings, lambda r: r[0].update(rationale="Trades at a P/E of 45.3. Cheap.")
    )
    ollama_server.replies = [invented]
    ratings = analyst.rate(screen)
    assert ratings["unverified"].iloc[0] == ["45.3"]
    assert "45.3 [unverified]" in ratings["rationale"].iloc[0]
    assert ratings["unverified"].iloc[1:].map(len).sum() == 0


def test_an_http_500_falls_back_with_the_reason(analyst, screen, ollama_server):
    ollama_server.replies = [lambda body: (500, {"error": "out of memory"})]
    ratings = analyst.rate(screen, batch_size=12)
    assert (ratings["source"] == "rule-based").all()
    assert "HTTP 500" in ratings["note"].iloc[0] and "out of memory" in ratings["note"].iloc[0]


def test_a_reply_slower_than_the_timeout_falls_back_without_hanging(
    ollama_server, screen, tmp_path
):
    analyst = fl.Analyst(host=ollama_server.url, cache_dir=tmp_path, timeout_s=0.5)
    ollama_server.delay_s = 3.0
    start = time.perf_counter()
    ratings = analyst.rate(screen, batch_size=4)
    assert time.perf_counter() - start < 2.5  # one timeout, then no more waiting on that server
    assert (ratings["source"] == "rule-based").all()
    assert "within 0.5 s" in ratings["note"].iloc[0]
    assert len(ollama_server.chats()) == 1


def test_a_rerun_is_served_from_the_cache_with_zero_requests(
    analyst, screen, ollama_server, tmp_path
):
    first = analyst.rate(screen)
    report = analyst.report(screen)
    before = len(ollama_server.requests)
    again = fl.Analyst(host=ollama_server.url, cache_dir=tmp_path / "answers")
    assert again.rate(screen).equals(first)
    assert again.report(screen).markdown == report.markdown
    asked = [path for path, _ in ollama_server.requests[before:]]
    assert again.model_calls == 0 and set(asked) == {"/api/tags"}  # which model: no chat


def test_a_model_pulled_again_is_asked_again_and_the_same_one_is_not(
    analyst, screen, ollama_server, tmp_path
):
    analyst.report(screen)
    chats = len(ollama_server.chats())
    same = fl.Analyst(host=ollama_server.url, cache_dir=tmp_path / "answers")
    same.report(screen)
    assert len(ollama_server.chats()) == chats and same.model_calls == 0
    ollama_server.digest = "sha256:re-pulled"  # the same name, another model
    changed = fl.Analyst(host=ollama_server.url, cache_dir=tmp_path / "answers")
    changed.report(screen)
    assert len(ollama_server.chats()) == chats + 1 and changed.model_calls == 1
    entries = [json.loads(p.read_text()) for p in (tmp_path / "answers").rglob("*.json")]
    assert "sha256:re-pulled" in {e["digest"] for e in entries}  # the answer says its model


def test_a_rerun_from_the_cache_needs_no_server_at_all(analyst, screen, tmp_path, closed_port_url):
    first = analyst.rate(screen)
    offline = fl.Analyst(host=closed_port_url(), cache_dir=tmp_path / "answers")
    assert offline.rate(screen).equals(first)
    assert (first["source"] == "llm").all()


def test_a_host_that_hangs_costs_cached_answers_one_short_wait(
    analyst, screen, ollama_server, tmp_path
):
    first = analyst.rate(screen)
    ollama_server.listing_delay_s = 2.0  # the host stops answering, without refusing
    hanging = fl.Analyst(host=ollama_server.url, cache_dir=tmp_path / "answers", timeout_s=0.5)
    before = len(ollama_server.requests)
    for _ in range(3):
        assert hanging.rate(screen).equals(first)  # the cached answers, as they are
    asked = [path for path, _ in ollama_server.requests[before:]]
    assert asked == ["/api/tags"]  # one listing that timed out; then the host is left alone
    ollama_server.listing_delay_s = 0.0  # back: status() asks again, and so does the next rate()
    assert hanging.status().startswith("up and ready")
    hanging.rate(screen)
    assert [path for path, _ in ollama_server.requests[before:]].count("/api/tags") == 3


def test_a_host_that_hangs_is_named_as_left_alone_in_the_fallback(ollama_server, screen, tmp_path):
    ollama_server.listing_delay_s = 2.0
    hanging = fl.Analyst(host=ollama_server.url, cache_dir=tmp_path, timeout_s=0.5)
    hanging.rate(screen)
    ratings = hanging.rate(screen)  # not asked: the fallback says why
    assert (ratings["source"] == "rule-based").all()
    assert "within 0.5 s (not asked again until" in ratings["note"].iloc[0]
    assert [path for path, _ in ollama_server.requests].count("/api/tags") == 1


@pytest.mark.parametrize("backend", ["ollama", "openai"])
def test_listing_the_models_waits_its_own_short_timeout_not_the_chats(
    backend, ollama_server, openai_server, screen, tmp_path, monkeypatch
):
    from factorlab.llm import transport

    monkeypatch.setattr(transport, "LISTING_TIMEOUT_S", 0.5)
    server = ollama_server if backend == "ollama" else openai_server
    server.listing_delay_s = 6.0
    slow = fl.Analyst(
        model="llama3.1:8b" if backend == "ollama" else "local-gguf",
        backend=backend,
        host=server.url,
        cache_dir=tmp_path,
        timeout_s=30,  # a chat may take this long; the listing may not
    )
    slow.transport.client()  # the client's import and making are not the wait measured
    start = time.perf_counter()
    ratings = slow.rate(screen)
    assert time.perf_counter() - start < 4  # about 0.5 s, not 6 s (or 30)
    assert "within 0.5 s" in ratings["note"].iloc[0]


def test_a_corrupt_cache_entry_is_ignored_and_rewritten(analyst, screen, ollama_server, tmp_path):
    analyst.rate(screen)
    for entry in (tmp_path / "answers").rglob("*.json"):
        entry.write_text("{truncated")
    analyst.rate(screen)
    assert len(ollama_server.chats()) == 4  # asked again: 2 batches, twice
    entries = list((tmp_path / "answers").rglob("*.json"))
    assert len(entries) == 2  # one per batch, rewritten whole
    assert [e for e in entries if not json.loads(e.read_text())] == []


def test_cache_false_always_asks(ollama_server, screen, tmp_path):
    analyst = fl.Analyst(host=ollama_server.url, cache_dir=tmp_path, cache=False)
    analyst.rate(screen, batch_size=12)
    analyst.rate(screen, batch_size=12)
    assert len(ollama_server.chats()) == 2 and not list(tmp_path.rglob("*.json"))


def test_fifty_tickers_in_batches_of_ten_take_five_rating_calls_and_one_report(
    analyst, sample, ollama_server
):
    table = fl.screen(sample, top=50)
    ratings = analyst.rate(table, batch_size=10)
    analyst.report(table)
    assert len(ratings) == 50 and ratings["ticker"].is_unique
    prompts = [body["messages"][1]["content"] for body in ollama_server.chats()]
    assert sum(p.startswith("Rate each stock") for p in prompts) == 5
    assert sum(p.startswith("Write a short report") for p in prompts) == 1


def test_anonymize_keeps_every_ticker_and_name_out_of_the_requests(ollama_server, screen, tmp_path):
    analyst = fl.Analyst(host=ollama_server.url, cache_dir=tmp_path, anonymize=True)
    ratings = analyst.rate(screen)
    report = analyst.report(screen)
    assert no_ticker_or_name_in(ollama_server.requests, screen) == []
    assert ratings["ticker"].tolist() == screen.index.tolist()  # restored in the answer
    assert (ratings["source"] == "llm").all() and report.source == "llm"
    assert "Stock A" in json.dumps(ollama_server.chats()[0])


def test_reports_on_each_kind_of_result(analyst, small_sample, screen):
    scores = fl.score(small_sample)
    result = fl.backtest(scores.composite, small_sample)
    factor = fl.evaluate(scores.composite, small_sample, periods=(1, 21))
    for obj, kind in (
        (screen, "screen"),
        (scores, "scores"),
        (result, "backtest"),
        (factor, "factor"),
    ):
        report = analyst.report(obj)
        assert report.kind == kind and report.source == "llm"
        assert report.markdown.startswith(f"### Analyst report: {kind}")
        assert report._repr_markdown_() == report.markdown


def test_a_report_with_an_invented_number_lists_and_marks_it(analyst, small_sample, ollama_server):
    result = fl.backtest(fl.score(small_sample).composite, small_sample)
    ollama_server.replies = [
        lambda body: chat(
            json.dumps(
                {
                    "summary": "A Sharpe ratio of 9.87 is remarkable.",
                    "strengths": [],
                    "concerns": [],
                    "suggested_checks": [],
                }
            )
        )
    ]
    report = analyst.report(result)
    assert report.unverified_numbers == ["9.87"]
    assert "9.87 [unverified]" in report.markdown


def test_a_report_prompt_holds_the_computed_figures(analyst, small_sample, ollama_server):
    result = fl.backtest(fl.score(small_sample).composite, small_sample)
    analyst.report(result)
    figures = figures_of(ollama_server.chats()[-1])
    stats = result.stats()
    assert figures["strategy"]["Sharpe ratio"] == pytest.approx(
        stats.loc["Sharpe ratio"].iloc[0], rel=1e-3
    )
    assert figures["strategy"]["CAGR_pct"] == pytest.approx(
        100 * stats.loc["CAGR"].iloc[0], rel=1e-2
    )
    assert figures["settings"]["cost_bps"] == 10


def test_bad_input_is_named(analyst):
    with pytest.raises(fl.ConfigError, match="report\\(\\) takes a screen table"):
        analyst.report("not a result")
    with pytest.raises(fl.ConfigError, match="batch_size must be 1 or more"):
        analyst.rate(
            fl.screen(fl.load_dataset("sample", n_tickers=20, years=3), top=3), batch_size=0
        )
    with pytest.raises(fl.ConfigError, match="timeout_s must be positive"):
        fl.Analyst(timeout_s=0)


def test_create_model_sends_the_modelfile_through_the_client(analyst, ollama_server):
    status = analyst.create_model(name="factorlab-analyst")
    assert status == "success"
    body = next(body for path, body in ollama_server.requests if path == "/api/create")
    assert body["from"] == "llama3.1:8b" and "factor analyst" in body["system"]
    assert body["parameters"]["temperature"] == 0
    assert "factorlab-analyst" in ollama_server.models


def test_the_create_model_command_reports_success_or_one_error_line(
    ollama_server, capsys, closed_port_url
):
    from factorlab.cli import main

    assert main(["create-model", "--host", ollama_server.url]) == 0
    assert "factorlab-analyst: success (from llama3.1:8b)" in capsys.readouterr().out
    assert main(["create-model", "--host", closed_port_url()]) == 2
    assert "server not reachable" in capsys.readouterr().err


def test_ratings_come_back_in_the_tables_order_with_clean_tickers(analyst, screen, ollama_server):
    def shuffle(ratings):
        ratings[:] = [{**r, "ticker": f" {r['ticker']} "} for r in ratings[::-1]]

    ollama_server.replies = [edited(good_ratings, shuffle)]
    ratings = analyst.rate(screen, batch_size=12)
    assert ratings["ticker"].tolist() == screen.index.tolist()
    assert (ratings["source"] == "llm").all()


def test_a_number_from_another_rows_figures_is_flagged(analyst, screen, ollama_server):
    other = None

    def borrow(ratings):
        nonlocal other
        other = ratings[1]["rationale"].split("of ")[1].split(" sd")[0]
        ratings[0]["rationale"] = f"Composite score of {other} sd."

    ollama_server.replies = [edited(good_ratings, borrow)]
    ratings = analyst.rate(screen, batch_size=12)
    assert ratings["unverified"].iloc[0] == [other]


def test_a_table_without_a_composite_can_still_be_rated_by_the_model(analyst, screen):
    table = screen.drop(columns=["composite", "rank"])
    assert (analyst.rate(table)["source"] == "llm").all()


def test_an_unusable_answer_is_remembered_so_a_rerun_gives_the_same_text(
    analyst, screen, ollama_server
):
    ollama_server.replies = [
        lambda body: good_ratings(body, drop=1),
        lambda body: good_ratings(body, drop=1),
    ]
    first = analyst.rate(screen, batch_size=12)
    assert (first["source"] == "rule-based").all()
    calls = len(ollama_server.chats())
    again = analyst.rate(screen, batch_size=12)
    assert len(ollama_server.chats()) == calls  # zero model calls
    assert again["rationale"].equals(first["rationale"])
    assert again["note"].iloc[0].endswith("(as on the first run; cache=False asks again))")


def test_a_cached_answer_that_misses_a_ticker_is_not_trusted(
    analyst, screen, ollama_server, tmp_path
):
    analyst.rate(screen, batch_size=12)
    (entry,) = list((tmp_path / "answers").rglob("*.json"))
    stored = json.loads(entry.read_text())
    stored["answer"]["ratings"] = stored["answer"]["ratings"][1:]  # an entry gone wrong
    entry.write_text(json.dumps(stored))
    ratings = analyst.rate(screen, batch_size=12)
    assert (ratings["source"] == "llm").all() and len(ratings) == len(screen)
    assert len(ollama_server.chats()) == 2  # asked again


def test_a_cached_answer_that_only_repeats_the_descriptions_is_not_trusted(
    analyst, screen, ollama_server, tmp_path
):
    analyst.rate(screen, batch_size=12)
    (entry,) = list((tmp_path / "answers").rglob("*.json"))
    stored = json.loads(entry.read_text())
    stored["answer"]["ratings"][0]["rationale"] = "at most two sentences, citing figures"
    entry.write_text(json.dumps(stored))
    ratings = analyst.rate(screen, batch_size=12)
    assert (ratings["source"] == "llm").all()
    assert len(ollama_server.chats()) == 2  # asked again


def test_a_remembered_verdict_is_judged_again(analyst, screen, ollama_server, monkeypatch):
    ollama_server.replies = [parroted_ratings, parroted_ratings]
    assert (analyst.rate(screen, batch_size=12)["source"] == "rule-based").all()
    calls = len(ollama_server.chats())
    # a later factorlab that accepts the reply uses it, rather than an older verdict
    monkeypatch.setattr("factorlab.llm.analyst.non_answers", lambda reply: "")
    again = analyst.rate(screen, batch_size=12)
    assert (again["source"] == "llm").all() and len(ollama_server.chats()) == calls


def test_the_retry_names_every_problem_of_a_reply(analyst, screen, ollama_server):
    ollama_server.replies = [edited(parroted_ratings, lambda ratings: ratings.pop(0))]
    analyst.rate(screen, batch_size=12)
    retry = ollama_server.chats()[1]["messages"][-1]["content"]
    assert "repeats the schema's description" in retry and f"missing: {screen.index[0]}" in retry


def test_the_prompt_shows_the_schema_the_server_enforces(analyst, screen, ollama_server):
    analyst.rate(screen, batch_size=5)
    analyst.report(screen)
    for request in ollama_server.chats():
        assert json.dumps(request["format"]) in request["messages"][1]["content"]


def test_an_unwritable_cache_costs_a_warning_not_the_answer(ollama_server, screen, tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    analyst = fl.Analyst(host=ollama_server.url, cache_dir=blocked / "answers")
    with pytest.warns(UserWarning, match="could not be cached"):
        ratings = analyst.rate(screen, batch_size=12)
    assert (ratings["source"] == "llm").all()


def test_a_server_error_is_labelled_as_a_failure_not_an_unusable_answer(
    analyst, screen, ollama_server
):
    ollama_server.replies = [lambda body: (500, {"error": "out of memory"})]
    ratings = analyst.rate(screen, batch_size=12)
    assert ratings["note"].iloc[0].startswith("rule-based: Ollama failed (the server at")
    assert ratings.attrs["status"].startswith("12 of 12 ratings rule-based")


def test_anonymize_leaves_sector_text_alone(ollama_server, screen, tmp_path):
    analyst = fl.Analyst(host=ollama_server.url, cache_dir=tmp_path, anonymize=True)
    analyst.report(screen)
    prompt = ollama_server.chats()[-1]["messages"][1]["content"]
    for sector in screen["sector"].unique():
        assert sector in prompt


def test_a_report_on_a_long_screen_stays_well_inside_the_context(analyst, sample, ollama_server):
    analyst.report(fl.screen(sample, top=50))
    prompt = ollama_server.chats()[-1]["messages"][1]["content"]
    assert len(prompt) < 4 * 4000  # about 4 characters a token: under half of num_ctx
    assert '"tickers_in_table":50' in prompt and '"tickers_shown":15' in prompt


def test_a_chat_answered_404_says_to_pull_the_model(analyst, screen, ollama_server):
    ollama_server.replies = [lambda body: (404, {"error": "model 'llama3.1:8b' not found"})]
    ratings = analyst.rate(screen, batch_size=12)
    assert (ratings["source"] == "rule-based").all()
    assert "`ollama pull llama3.1:8b`" in ratings["note"].iloc[0]
    assert ratings["note"].iloc[0].startswith("rule-based: Ollama not available (model")
