"""``fl.Analyst``: a local model (Ollama) that explains and questions factorlab's numbers.

The model never supplies a number: it sees figures factorlab computed (see ``facts``), its
reply must fit a JSON schema, every number it writes is checked against its input (``guard``),
answers are cached on disk, and when no model answers, a rule-based answer from the same
figures stands in, labelled as such (``fallback``).
"""

from __future__ import annotations

import json
import os
import time
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ValidationError

from factorlab.errors import ConfigError
from factorlab.llm.anonymize import Labels, tickers_and_names
from factorlab.llm.cache import AnswerCache, answer_key
from factorlab.llm.facts import facts_for_report, facts_for_rows, report_kind
from factorlab.llm.fallback import rule_based_ratings, rule_based_report
from factorlab.llm.guard import mark_unverified, numbers_of, unverified_numbers
from factorlab.llm.modelfile import SYSTEM_PROMPT, read_modelfile
from factorlab.llm.report import Report
from factorlab.llm.schemas import RatingsReply, ReportReply, non_answers, ratings_schema
from factorlab.llm.transport import OllamaTransport, OpenAITransport
from factorlab.params import as_bool, as_float, as_int

__all__ = ["DEFAULT_HOST", "DEFAULT_MODEL", "Analyst", "Report"]

DEFAULT_MODEL = "llama3.1:8b"
DEFAULT_HOST = "http://127.0.0.1:11434"
DEFAULT_OPENAI_URL = "http://127.0.0.1:8080/v1"  # llama.cpp's server
SILENT_HOST_S = 60.0  # a host whose model listing timed out is not asked again this long
UNUSABLE = "__unusable__"  # a cache entry recording that the model's answers were unusable
RATING_COLUMNS = [
    "ticker",
    "rating",
    "confidence",
    "rationale",
    "risks",
    "source",
    "note",
    "unverified",
]


class Analyst:
    """Ratings and reports from a local Ollama model, with a labelled rule-based fallback.

    Parameters
    ----------
    model : str
        An Ollama model name ("llama3.1:8b"; ``factorlab create-model`` makes
        "factorlab-analyst").
    host : str, optional
        The Ollama server; default ``$OLLAMA_HOST``, else http://127.0.0.1:11434.
    cache_dir : path, optional
        Where answers are kept (default: factorlab's cache folder, ``llm``).
    timeout_s : float
        Longest wait for one reply; a slower reply falls back for that call.
    temperature, seed : float, int
        Passed to the model with ``num_ctx`` for reproducible answers.
    anonymize : bool
        Replace tickers and company names with neutral labels in every prompt (and restore them
        in the answer), so the model's memory of a company's later fate cannot leak in.
    cache : bool
        Read and write the answer cache (``False``: always ask the model).
    backend : {"ollama", "openai"}
        ``"openai"`` talks to any OpenAI-compatible chat server (llama.cpp's ``llama-server``,
        llama-cpp-python, LM Studio, vLLM) at ``base_url`` (default ``$OPENAI_BASE_URL``, else
        http://127.0.0.1:8080/v1), with the ``openai`` client (``factorlab[openai]``).
    max_tokens : int
        Most tokens a reply may have (Ollama's ``num_predict``), so a runaway reply from a
        small model ends instead of filling the context until the timeout. A rating takes at
        most about 150 tokens, so raise it with ``rate(batch_size=)`` beyond about 12.
    base_url, api_key : str, optional
        The OpenAI-compatible server's address and key (local servers need no key).

    Examples
    --------
    >>> import factorlab as fl
    >>> analyst = fl.Analyst(host="http://127.0.0.1:9")  # no I/O until it is used
    >>> analyst.model
    'llama3.1:8b'
    """

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        host: str | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        timeout_s: float = 120,
        temperature: float = 0,
        seed: int = 0,
        anonymize: bool = False,
        cache: bool = True,
        num_ctx: int = 8192,
        backend: str = "ollama",
        max_tokens: int = 2048,
        base_url: str | None = None,
        api_key: str | None = None,
    ) -> None:
        if not isinstance(model, str) or not model.strip():
            raise ConfigError(f"model must be a model name such as 'llama3.1:8b', got {model!r}.")
        self.model = model.strip()
        self.timeout_s = as_float(timeout_s, "timeout_s")
        if self.timeout_s <= 0:
            raise ConfigError(f"timeout_s must be positive, got {timeout_s!r}.")
        backend = str(backend).strip().lower()
        if backend == "ollama":
            self.host = (host or os.environ.get("OLLAMA_HOST") or DEFAULT_HOST).rstrip("/")
            self.transport: Any = OllamaTransport(self.host, self.timeout_s)
        elif backend == "openai":
            self.host = (
                base_url or host or os.environ.get("OPENAI_BASE_URL") or DEFAULT_OPENAI_URL
            ).rstrip("/")
            self.transport = OpenAITransport(self.host, self.timeout_s, api_key)
        else:
            raise ConfigError(
                f"backend must be 'ollama' or 'openai' (any OpenAI-compatible "
                f"server), got {backend!r}."
            )
        self.backend = backend
        self.options = {
            "temperature": as_float(temperature, "temperature"),
            "seed": as_int(seed, "seed"),
            "num_ctx": as_int(num_ctx, "num_ctx"),
            # a degenerate reply (a small model repeating digits) stops here
            "num_predict": as_int(max_tokens, "max_tokens"),
        }
        self.anonymize = as_bool(anonymize, "anonymize")
        self.use_cache = as_bool(cache, "cache")
        self.cache = AnswerCache(None if cache_dir is None else Path(cache_dir))
        self.model_calls = 0  # chat requests sent, for the curious and the tests
        self._silent_until, self._silent_why = 0.0, ""
        self.retries = 0

    def __repr__(self) -> str:
        return (
            f"Analyst(model={self.model!r}, backend={self.backend!r}, host={self.host!r}, "
            f"anonymize={self.anonymize})"
        )

    # -- is a model there? ------------------------------------------------------------------------
    def available(self) -> bool:
        """Whether the server answers and has the model (asked now)."""
        return self._check(fresh=True)[0]

    def status(self) -> str:
        """A short explanation: up and ready, server not reachable, or model not pulled.

        The server is asked now, even one that was left alone after a timeout.
        """
        return self._check(fresh=True)[1]

    def _check(self, fresh: bool = False) -> tuple[bool, str]:
        """Whether a model can answer, and why not.

        Every rate() and report() checks first (cached answers too: their model's digest), so
        a host whose listing timed out is left alone for ``SILENT_HOST_S``: its questions get
        the rule-based answer at once, its cached answers are used as they are. ``fresh`` asks
        it anyway. Refused connections cost nothing and are asked each time.
        """
        if not fresh and time.monotonic() < self._silent_until:
            return False, self._silent_why
        ok, message = self.transport.check(self.model)
        self._silent_until, self._silent_why = 0.0, ""
        if not ok and message.startswith("no answer from"):
            self._silent_until = time.monotonic() + SILENT_HOST_S
            until = pd.Timestamp.now().floor("s") + pd.Timedelta(seconds=SILENT_HOST_S)
            self._silent_why = f"{message} (not asked again until {until:%H:%M:%S})"
        return ok, message

    def describe_failure(self, err: Exception) -> str:
        """One line on why a request to the server failed, with what to do about it.

        Parameters
        ----------
        err : Exception
            What a request to the model server (through this analyst's backend's client)
            raised: a refused connection, a timeout, an HTTP error, or anything else.

        Returns
        -------
        str
            One line that starts "server not reachable" (with how to start it), "no answer
            from" (a timeout) or "model ..." (not pulled or not served) when no model can
            answer now; "the server at ... answered HTTP ..." for another HTTP error; else the
            exception's type and message.
        """
        return self.transport.describe(err, self.model)

    # -- ratings ----------------------------------------------------------------------------------
    def rate(self, table: pd.DataFrame, batch_size: int = 10) -> pd.DataFrame:
        """Rate each row of a screen (``fl.screen``) BUY, HOLD or SELL, in batches.

        One chat call per batch; the reply must fit :class:`~factorlab.llm.schemas.RatingsReply`
        and rate every ticker of the batch exactly once. A reply that does not gets one retry
        that says what was wrong, then the rule-based rating for that batch (only).

        Parameters
        ----------
        table : DataFrame
            One row per ticker (the index), such as ``fl.screen`` returns. Its text and number
            columns are the figures the model sees, rounded and named with their units; each
            rating is checked against its own row. A rule-based rating, where one stands in,
            follows the ``composite`` column (and ``rank`` out of ``attrs["universe"]`` when the
            table has them, as a screen does).
        batch_size : int, default 10
            Rows per chat call, 1 or more; text such as ``"10"`` is accepted. Beyond about 12,
            raise the analyst's ``max_tokens``.

        Returns
        -------
        DataFrame
            ``ticker``, ``rating``, ``confidence`` (0-1), ``rationale`` (at most two
            sentences; unverified numbers marked), ``risks``, ``source`` ("llm" or
            "rule-based"), ``note`` (the model, or why the rule-based rating stands in) and
            ``unverified`` (numbers in the text not among the batch's figures); one row per row
            of ``table``, in its order. ``.attrs["status"]`` says ``"llm: <model>"``, or how
            many ratings are rule-based and why.

        Raises
        ------
        ConfigError
            For an empty table, or a ``batch_size`` that is not a whole number of 1 or more.
        """
        size = as_int(batch_size, "batch_size")
        if size < 1:
            raise ConfigError(f"batch_size must be 1 or more, got {size}.")
        rows = facts_for_rows(table)
        fallback: dict[str, dict[str, Any]] = {}  # built only if a batch needs it
        server = _Server(self)
        out = []
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            answer, problem = self._rate_batch(batch, server)
            if answer is None:
                fallback = fallback or {r["ticker"]: r for r in rule_based_ratings(table)}
                label = _fallback_label(problem, server.down(problem), self.backend)
                for facts in batch:
                    out.append(
                        {
                            **fallback[facts["ticker"]],
                            "source": "rule-based",
                            "note": label,
                            "unverified": [],
                        }
                    )
                continue
            by_ticker = {r["ticker"]: r for r in answer}
            for facts in batch:  # in the table's order; each checked against its own row
                rating = by_ticker[facts["ticker"]]
                missing = unverified_numbers(
                    f"{rating['rationale']} {rating['risks']}", numbers_of(facts)
                )
                out.append(
                    {
                        **rating,
                        "rationale": mark_unverified(rating["rationale"], missing),
                        "risks": mark_unverified(rating["risks"], missing),
                        "source": "llm",
                        "note": f"llm: {self.model}",
                        "unverified": missing,
                    }
                )
        frame = pd.DataFrame(out, columns=RATING_COLUMNS)
        fell_back = int((frame["source"] == "rule-based").sum())
        frame.attrs["status"] = (
            f"llm: {self.model}"
            if not fell_back
            else f"{fell_back} of {len(frame)} ratings rule-based"
            + (f" ({server.why})" if server.why else "")
        )
        return frame

    def _rate_batch(
        self, batch: list[dict[str, Any]], server: _Server
    ) -> tuple[list[dict] | None, str]:
        labels = Labels(
            [r["ticker"] for r in batch], [r.get("name") for r in batch], self.anonymize
        )
        shown = [labels.hide_row(r) for r in batch]
        wanted = [r["ticker"] for r in shown]
        schema = ratings_schema(wanted)
        prompt = (
            "Rate each stock below BUY, HOLD or SELL from these figures (JSON, one object per "
            "stock; _z: standard deviations from the universe mean, _pct: percent, _x: ratio). "
            "Give a confidence from 0 to 1, a rationale of at most two sentences that cites "
            "figures from the table, and the main risk in one sentence. Rate every ticker "
            f"exactly once: {', '.join(wanted)}.\n\nFigures:\n{_compact(shown)}\n\n"
            f"Reply with JSON only, matching this schema:\n"
            f"{json.dumps(schema)}"
        )

        def check(reply: BaseModel) -> str:
            got = [r.ticker.strip() for r in reply.ratings]  # type: ignore[attr-defined]
            missing = [t for t in wanted if t not in got]
            extra = sorted({t for t in got if t not in wanted or got.count(t) > 1})
            if missing or extra:
                return (
                    f"every ticker must be rated exactly once; missing: "
                    f"{', '.join(missing) or 'none'}; extra or repeated: "
                    f"{', '.join(extra) or 'none'}"
                )
            return ""

        reply, problem = self._ask(prompt, RatingsReply, server, check, schema)
        if reply is None:
            return None, problem
        assert isinstance(reply, RatingsReply)  # _ask validates against the model it is given
        ratings = [
            labels.restore_rating({**r.model_dump(), "ticker": r.ticker.strip()})
            for r in reply.ratings
        ]
        return ratings, ""

    # -- reports ----------------------------------------------------------------------------------
    def report(self, obj: object, kind: str | None = None) -> Report:
        """A short report on a screen, scores, a backtest, a factor's evaluation or alerts.

        The report has a summary, strengths, concerns and suggested checks. It is on a screen
        table, a ``Scores``, a ``BacktestResult``, a ``FactorReport``, or the alerts of
        ``fl.monitor`` (``kind="alerts"``). The model sees only figures factorlab computed from
        ``obj``; a reply that is unusable gets one retry, and when no model answers (or the
        retry is unusable too) the rule-based report from the same figures stands in.

        Parameters
        ----------
        obj : DataFrame, Scores, BacktestResult or FactorReport
            What to report on: a screen table (``fl.screen``; its first 15 rows are shown), a
            ``Scores`` (its latest date), a ``BacktestResult``, a ``FactorReport``, or the
            table of alerts ``fl.monitor`` returns.
        kind : str, optional
            ``"alerts"`` for a table of ``fl.monitor``'s alerts (a DataFrame is otherwise a
            screen). By default the kind follows from ``obj``; any other value given must match
            it: ``"screen"``, ``"scores"``, ``"backtest"`` or ``"factor"``.

        Returns
        -------
        Report
            ``source="llm"`` with the model's text (its unverified numbers listed and marked),
            or ``source="rule-based"`` with a ``label`` saying why.

        Raises
        ------
        ConfigError
            For an object of another type, a ``kind`` that does not match it, an alerts table
            without ``kind``, ``message`` and ``ticker`` columns, or scores with no composite on
            their latest date.
        """
        found = report_kind(obj, kind)
        facts = facts_for_report(obj, found)
        labels = Labels(*tickers_and_names(facts), self.anonymize)
        shown = labels.hide(facts)
        prompt = (
            f"Write a short report on this {found} for a quant researcher: a summary of three "
            "to five sentences, its strengths, its concerns, and checks to run next. Cite only "
            "figures given below (_pct: percent, _z: standard deviations, _x: ratio).\n\n"
            f"Figures:\n{_compact(shown)}\n\nReply with JSON only, matching this "
            f"schema:\n{json.dumps(ReportReply.model_json_schema())}"
        )
        server = _Server(self)
        reply, problem = self._ask(prompt, ReportReply, server)
        if reply is None:
            label = _fallback_label(problem, server.down(problem), self.backend)
            return Report(
                kind=found, source="rule-based", label=label, **rule_based_report(facts, found)
            )
        fields = labels.restore(reply.model_dump())
        text = " ".join(
            [
                fields["summary"],
                *fields["strengths"],
                *fields["concerns"],
                *fields["suggested_checks"],
            ]
        )
        return Report(
            kind=found,
            source="llm",
            label=f"llm: {self.model}",
            unverified_numbers=unverified_numbers(text, numbers_of(facts)),
            **fields,
        )

    # -- one question, retried once, cached ---------------------------------------------------------
    def _ask(
        self,
        prompt: str,
        schema: type[BaseModel],
        server: _Server,
        check: Any = None,
        json_schema: dict[str, Any] | None = None,
    ) -> tuple[BaseModel | None, str]:
        """The cached answer, else the model's (retried once if unusable).

        A cached answer is used when the server serves the same model digest it came from, or
        when no server answers (so a rerun needs no server at all); a model pulled again under
        the same name is asked again. The server gets ``json_schema`` (default: ``schema``'s) as
        the reply's format.
        """
        messages = [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": prompt},
        ]
        format_ = json_schema if json_schema is not None else schema.model_json_schema()

        def problem_of(reply: BaseModel) -> str:
            """What makes a reply of the right shape unusable, or ""."""
            return "; ".join(p for p in (non_answers(reply), check(reply) if check else "") if p)

        def judged(content: str) -> tuple[BaseModel | None, str]:
            try:
                reply = schema.model_validate_json(content)
            except ValidationError as err:
                return None, f"the reply is not valid JSON of the requested shape ({_short(err)})"
            problem = problem_of(reply)
            return (None, problem) if problem else (reply, "")

        key = answer_key(
            backend=self.backend,
            model=self.model,
            messages=messages,
            schema=format_,
            options=self.options,
        )
        entry = self.cache.entry(key) if self.use_cache else None
        if entry is not None and server.up() and entry[1] != server.digest:
            entry = None  # a different model under the same name now: ask it again
        if entry is not None:
            cached = entry[0]
            if isinstance(cached, dict) and UNUSABLE in cached:
                # judged again: a verdict from an older, stricter factorlab must not stand
                reply, _ = judged(str(cached.get("reply", "")))
                if reply is not None:
                    return reply, ""
                return None, f"{cached[UNUSABLE]} (as on the first run; cache=False asks again)"
            if cached is not None:
                try:
                    reply = schema.model_validate(cached)
                    if not problem_of(reply):
                        return reply, ""
                except ValidationError:
                    pass  # a damaged or outdated entry: ask again and overwrite it
        if not server.up():
            return None, server.why
        problem = ""
        for attempt in range(2):
            try:
                self.model_calls += 1
                content = self.transport.chat(self.model, messages, format_, self.options)
            except ConfigError:
                raise
            except Exception as err:  # the server's failures become the fallback's reason
                return None, self.describe_failure(err)
            reply, problem = judged(content)
            if reply is not None:
                if self.use_cache:
                    self._remember(key, reply.model_dump(), server.digest)
                return reply, ""
            if attempt == 0:
                self.retries += 1
                messages = [
                    *messages,
                    {"role": "assistant", "content": content},
                    {
                        "role": "user",
                        "content": f"That reply was not usable: {problem}. "
                        "Reply again with JSON only, in the requested shape.",
                    },
                ]
        if self.use_cache:  # the same prompt gets the same answer: remember the verdict
            self._remember(key, {UNUSABLE: problem, "reply": content}, server.digest)
        return None, problem

    def _remember(self, key: str, answer: Any, digest: str | None) -> None:
        try:
            self.cache.put(key, answer, digest)
        except OSError as err:  # an unwritable cache must not cost the answer itself
            warnings.warn(
                f"The analyst's answer could not be cached in {self.cache.root} "
                f"({err}); it is used, but a rerun will ask the model again.",
                UserWarning,
                stacklevel=4,
            )

    # -- a model of one's own -----------------------------------------------------------------------
    def create_model(self, name: str = "factorlab-analyst", base: str | None = None) -> str:
        """The server's status after creating the model ``name`` from the shipped Modelfile.

        The new model has the Modelfile's system prompt and parameters on top of ``base``
        (default: the Modelfile's). Ollama only; the request has no timeout, as creating may
        pull the base model.

        Parameters
        ----------
        name : str, default "factorlab-analyst"
            The new model's name on this analyst's Ollama server; use it with
            ``fl.Analyst(model=name)``.
        base : str, optional
            The Ollama model to build on; default the Modelfile's ``FROM`` (``llama3.1:8b``).

        Returns
        -------
        str
            The server's status for the request (``"success"`` when the model was created).

        Raises
        ------
        ConfigError
            When this analyst's backend is not ``"ollama"``.
        """
        if self.backend != "ollama":
            raise ConfigError(
                f"create_model makes an Ollama model; this analyst uses backend={self.backend!r}."
            )
        default_base, system, parameters = read_modelfile()
        import ollama  # the model clients load on first use

        client = ollama.Client(host=self.host, timeout=None)  # creating may pull the base model
        response = client.create(
            model=name, from_=base or default_base, system=system, parameters=parameters
        )
        return str(getattr(response, "status", response))


class _Server:
    """Whether the server can answer, and the model digest it serves.

    Checked once per rate() or report(). After a failure that means it is gone, later batches skip it.
    """

    _GONE = ("server not reachable", "no answer from", "model ")

    def __init__(self, analyst: Analyst) -> None:
        self.analyst = analyst
        self.checked = False
        self.ok = False
        self.why = ""

    def up(self) -> bool:
        if not self.checked:
            self.checked = True
            self.ok, message = self.analyst._check()
            self.why = "" if self.ok else message
        return self.ok

    @property
    def digest(self) -> str | None:
        """The digest of the model the server serves now (None when it was not asked)."""
        if not (self.checked and self.ok):
            return None
        return self.analyst.transport.digests.get(self.analyst.model) or None

    def down(self, problem: str) -> bool:
        """Whether ``problem`` means no model can answer now (remembered if so)."""
        if (self.checked and not self.ok) or problem.startswith(self._GONE):
            self.checked, self.ok, self.why = True, False, self.why or problem
            return True
        return False


def _fallback_label(problem: str, down: bool, backend: str = "ollama") -> str:
    server = "Ollama" if backend == "ollama" else "the model server"
    if down:
        return f"rule-based: {server} not available ({problem})"
    if problem.startswith("the server at"):
        return f"rule-based: {server} failed ({problem})"
    return f"rule-based: the model's answer was unusable ({problem})"


def _compact(facts: Any) -> str:
    """Figures as compact JSON: fewer tokens, so a table fits the model's context."""
    return json.dumps(facts, separators=(",", ":"), ensure_ascii=False)


def _short(err: ValidationError) -> str:
    if not err.errors():
        return f"reply: {err}"[:200]
    first = err.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "reply"
    return f"{where}: {first['msg']}"[:200]
