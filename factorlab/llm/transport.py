"""How the analyst reaches a model: Ollama's API (the default) or an OpenAI-compatible server.

An OpenAI-compatible chat server is any of llama.cpp's server, llama-cpp-python's, LM Studio
or vLLM. Everything after the transport (schemas, retries, cache, number guard, anonymize,
fallback) is one code path.

Each transport answers three questions the same way: is the model there (``check``), what did
it say (``chat``, the reply's text), and why did a request fail (``describe``, one line that
starts "server not reachable", "no answer from" or "model ..." when no model can answer now).
"""

from __future__ import annotations

from typing import Any

from factorlab.errors import ConfigError

Messages = list[dict[str, str]]  # chat messages: role and content
Json = dict[str, Any]  # a JSON object: a schema, the model's options

# Listing the models is instant on a live server; one silent this long is taken as down. The
# listing runs before every batch of cached answers too (their model's digest), so it must
# not wait a chat's timeout.
LISTING_TIMEOUT_S = 10.0

__all__ = ["OllamaTransport", "OpenAITransport"]


class OllamaTransport:
    """The official ``ollama`` client; JSON schemas go in ``format``."""

    name = "ollama"

    def __init__(self, host: str, timeout_s: float) -> None:
        self.address, self.timeout_s = host, timeout_s
        self.listing_timeout_s = min(timeout_s, LISTING_TIMEOUT_S)
        self._client: Any = None
        self._lister: Any = None
        self.digests: dict[str, str] = {}  # model name -> its digest, as last listed

    def client(self) -> Any:
        """The ``ollama.Client`` for this host and timeout, made (and imported) on first use."""
        if self._client is None:
            import ollama  # the model clients load on first use

            self._client = ollama.Client(host=self.address, timeout=self.timeout_s)
        return self._client

    def check(self, model: str) -> tuple[bool, str]:
        """Whether the server answers and has ``model`` pulled, with a one-line explanation.

        ``model`` without a tag also matches its ``:latest``. A failure to list the models is
        explained by :meth:`describe`.
        """
        try:
            if self._lister is None:
                import ollama  # the model clients load on first use

                self._lister = ollama.Client(host=self.address, timeout=self.listing_timeout_s)
            listing = self._lister.list()
        except Exception as err:  # connection refused, timeout, HTTP error: each a reason
            return False, self.describe(err, model, waited_s=self.listing_timeout_s)
        names = {m.model for m in listing.models if m.model}
        for m in listing.models:  # the digest changes when a model is pulled again
            if m.model:
                self.digests[m.model] = str(getattr(m, "digest", "") or "")
        if model in names or f"{model}:latest" in names:
            if model not in names:  # an untagged name is its :latest, as listed now
                self.digests[model] = self.digests.get(f"{model}:latest", "")
            return True, f"up and ready: {model} at {self.address}"
        return False, f"model {model} is not pulled at {self.address} (run `ollama pull {model}`)"

    def chat(self, model: str, messages: Messages, schema: Json, options: Json) -> str:
        """The text of ``model``'s reply to ``messages``, with ``schema`` as its ``format``.

        ``options`` (temperature, seed, num_ctx, num_predict) go to Ollama as they are; the
        client's exceptions propagate.
        """
        response = self.client().chat(
            model=model, messages=messages, format=schema, options=options
        )
        return response.message.content or ""

    def describe(self, err: Exception, model: str, waited_s: float | None = None) -> str:
        """One line on why a request for ``model`` failed with ``err``, and what to do.

        "server not reachable ..." (start it with ``ollama serve``), "no answer from ..."
        within the timeout (``waited_s``, default the chat's), "model ... is not pulled ..."
        (HTTP 404), "the server at ... answered HTTP ..." for another HTTP error, else the
        exception's type and message.
        """
        import httpx  # the model clients load on first use
        import ollama  # the model clients load on first use

        if isinstance(err, ConnectionError):
            return f"server not reachable at {self.address} (start it with `ollama serve`)"
        if isinstance(err, httpx.TimeoutException):
            return f"no answer from {self.address} within {waited_s or self.timeout_s:g} s"
        if isinstance(err, ollama.ResponseError):
            if err.status_code == 404:
                return f"model {model} is not pulled at {self.address} (run `ollama pull {model}`)"
            return f"the server at {self.address} answered HTTP {err.status_code}: {err.error}"
        return f"{type(err).__name__}: {err}"


class OpenAITransport:
    """The official ``openai`` client (extra ``factorlab[openai]``) against ``base_url``.

    JSON schemas go in ``response_format`` (llama.cpp turns them into a grammar).
    """

    name = "openai"

    def __init__(self, base_url: str, timeout_s: float, api_key: str | None = None) -> None:
        self.address, self.timeout_s = base_url, timeout_s
        self.listing_timeout_s = min(timeout_s, LISTING_TIMEOUT_S)
        self.api_key = api_key or "not-needed"  # local servers ignore it; the client wants one
        self._client: Any = None
        self._format: str | None = None  # the response_format shape this server accepts
        self.digests: dict[str, str] = {}  # model id -> what the server reports of it

    def client(self) -> Any:
        """The ``openai.OpenAI`` client for this server, made (and imported) on first use.

        It has this transport's timeout and no retries of its own; ``api_key`` defaults to a
        placeholder, as local servers ignore it. Without the ``openai`` package installed it
        raises :class:`~factorlab.errors.ConfigError` saying how to install it.
        """
        if self._client is None:
            try:
                import openai  # the optional openai client: only for backend='openai'
            except ImportError:
                raise ConfigError(
                    "backend='openai' needs the openai client: pip install 'factorlab[openai]'."
                ) from None
            self._client = openai.OpenAI(
                base_url=self.address, api_key=self.api_key, timeout=self.timeout_s, max_retries=0
            )
        return self._client

    def check(self, model: str) -> tuple[bool, str]:
        """Whether the server answers and serves ``model``, with a one-line explanation.

        A server that serves exactly one model answers to any name. A failure to list the
        models is explained by :meth:`describe`.
        """
        try:
            lister = self.client().with_options(timeout=self.listing_timeout_s)
            listed = list(lister.models.list())
        except Exception as err:  # each failure becomes a reason
            return False, self.describe(err, model, waited_s=self.listing_timeout_s)
        served = [m.id for m in listed]
        for m in listed:  # what the server says of its model; not `created`, which some
            # servers (vLLM) set to the time of the request
            extra = getattr(m, "model_extra", None) or {}
            meta = getattr(m, "meta", None) or extra.get("meta")
            self.digests[m.id] = f"{m.id}:{getattr(m, 'owned_by', '')}:{meta or ''}"
        if model in served or len(served) == 1:  # a one-model server answers to any name
            if model not in served:
                self.digests[model] = self.digests[served[0]]
            return True, f"up and ready: {model} at {self.address}"
        return False, (
            f"model {model} is not served at {self.address} (it serves "
            f"{', '.join(served) or 'nothing'})"
        )

    def chat(self, model: str, messages: Messages, schema: Json, options: Json) -> str:
        """The text of ``model``'s reply to ``messages``, with ``schema`` as its response format.

        ``options`` gives ``temperature`` (default 0), ``seed`` and ``num_predict`` (sent as
        ``max_tokens``). The schema goes first in OpenAI's ``json_schema`` shape, then, if the
        server refuses that, as ``json_object`` with the schema beside it (llama-cpp-python's
        server); the shape that works is remembered for this server. Other errors propagate.
        """
        import openai  # the optional openai client: only for backend='openai'

        # OpenAI's own shape first; llama-cpp-python's server takes only "json_object" with a
        # schema beside it. The one that works is remembered for this server.
        kinds = [self._format] if self._format else ["json_schema", "json_object"]
        for kind in kinds:
            response_format = (
                {
                    "type": "json_schema",
                    "json_schema": {"name": schema.get("title", "reply"), "schema": schema},
                }
                if kind == "json_schema"
                else {"type": "json_object", "schema": schema}
            )
            try:
                response = self.client().chat.completions.create(
                    model=model,
                    messages=messages,
                    temperature=options.get("temperature", 0),
                    seed=options.get("seed"),
                    response_format=response_format,
                    max_tokens=options.get("num_predict"),
                )
            except openai.APIStatusError as err:
                if kind == "json_schema" and len(kinds) > 1 and "response_format" in str(err):
                    continue
                raise
            self._format = kind
            return response.choices[0].message.content or ""
        raise AssertionError("unreachable: the last response format raises or returns")

    def describe(self, err: Exception, model: str, waited_s: float | None = None) -> str:
        """One line on why a request for ``model`` failed with ``err``, and what to do.

        "no answer from ..." within the timeout (``waited_s``, default the chat's), "server
        not reachable ..." (start an OpenAI-compatible server), "model ... is not served ..."
        (HTTP 404), "the server at ... answered HTTP ..." for another HTTP error, else the
        exception's type and message (also when the ``openai`` package is missing).
        """
        try:
            import openai  # the optional openai client: only for backend='openai'
        except ImportError:
            return f"{type(err).__name__}: {err}"
        if isinstance(err, openai.APITimeoutError):
            return f"no answer from {self.address} within {waited_s or self.timeout_s:g} s"
        if isinstance(err, openai.APIConnectionError):
            return (
                f"server not reachable at {self.address} (start your OpenAI-compatible "
                "server, e.g. llama.cpp's `llama-server`)"
            )
        if isinstance(err, openai.NotFoundError):
            return f"model {model} is not served at {self.address} (see {self.address}/models)"
        if isinstance(err, openai.APIStatusError):
            return f"the server at {self.address} answered HTTP {err.status_code}: {err.message}"
        return f"{type(err).__name__}: {err}"
