"""Notebook 06 with a model present: the fake Ollama server answers the kernel's requests."""

from __future__ import annotations

from pathlib import Path

from factorlab.run import run_notebooks

NOTEBOOK = Path(__file__).parents[2] / "notebooks" / "06_ai_analyst.ipynb"


def test_notebook_06_uses_the_model_when_ollama_answers(ollama_server, tmp_path, monkeypatch):
    monkeypatch.setenv("FACTORLAB_CACHE", str(tmp_path / "cache"))
    runs = run_notebooks(
        [NOTEBOOK],
        tmp_path,
        {"n_tickers": "40", "years": "4", "ollama_host": ollama_server.url},
        html=False,
    )
    assert runs[0].status == "ok", runs[0].error
    assert runs[0].figures["analyst_source"] == "llm"
    assert runs[0].figures["ratings_source"] == "llm"
    assert len(ollama_server.chats()) == 2  # one batch of ten ratings, one report


def test_notebook_06_talks_to_an_openai_compatible_server(openai_server, tmp_path, monkeypatch):
    monkeypatch.setenv("FACTORLAB_CACHE", str(tmp_path / "cache"))
    runs = run_notebooks(
        [NOTEBOOK],
        tmp_path,
        {
            "n_tickers": "40",
            "years": "4",
            "backend": "openai",
            "model": "local-gguf",
            "base_url": openai_server.url,
        },
        html=False,
    )
    assert runs[0].status == "ok", runs[0].error
    assert runs[0].figures["analyst_source"] == "llm"
    assert len(openai_server.chats()) == 2
