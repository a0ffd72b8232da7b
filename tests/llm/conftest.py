"""Fixtures of the analyst's tests: the fake servers (see ``helpers``) running, an analyst
pointed at one, and a screen to rate."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import factorlab as fl

from .helpers import FakeOllama, FakeOpenAI, serving


@pytest.fixture
def ollama_server() -> Iterator[FakeOllama]:
    """The fake Ollama server on a random free port of 127.0.0.1, in a thread."""
    fake = FakeOllama()
    with serving(fake):
        yield fake


@pytest.fixture
def analyst(ollama_server, tmp_path) -> fl.Analyst:
    return fl.Analyst(host=ollama_server.url, cache_dir=tmp_path / "answers", timeout_s=5)


@pytest.fixture(scope="session")
def screen(small_sample):
    return fl.screen(small_sample, top=12)


@pytest.fixture
def openai_server() -> Iterator[FakeOpenAI]:
    """The fake OpenAI-compatible server, its url ending in /v1 as the client expects."""
    fake = FakeOpenAI()
    with serving(fake, "/v1"):
        yield fake
