"""The shapes of the model's replies: pydantic models whose JSON schemas go to Ollama as
``format``, and which validate what comes back."""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["RatingReply", "RatingsReply", "ReportReply", "non_answers", "ratings_schema"]

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_ABBREVIATIONS = ("vs.", "U.S.", "e.g.", "i.e.", "Inc.", "Corp.", "Co.", "Ltd.", "approx.", "No.")


def _at_most_two_sentences(text: str) -> str:
    """The first two sentences (a full stop after "vs." or "U.S." does not end one)."""
    text = text.strip()
    ends = [m.start() for m in _SENTENCE_END.finditer(text)
            if not text[: m.start()].endswith(_ABBREVIATIONS)]  # fmt: skip
    return text if len(ends) < 2 else text[: ends[1]].rstrip()


MOST_CHARS = 800


def _text(description: str | None = None, *, most_chars: int) -> Any:
    """A text field whose schema caps its length, so a grammar-constrained model must close
    the string (a small one ran on inside a string until the reply's token cap cut the JSON).
    The cap is in the schema only: a longer reply still validates, and is trimmed or used.
    Keep it at most MOST_CHARS: llama.cpp refuses larger repetitions in a grammar (1200 crashed
    llama-cpp-python's server)."""
    return Field(description=description, json_schema_extra={"maxLength": most_chars})


_Sentence = Annotated[str, _text(most_chars=250)]


class RatingReply(BaseModel):
    """One ticker's rating."""

    model_config = ConfigDict(extra="ignore")

    ticker: str = Field(description="the ticker exactly as given in the table")
    rating: Literal["BUY", "HOLD", "SELL"]
    confidence: float = Field(ge=0.0, le=1.0, description="0 (a guess) to 1 (certain)")
    rationale: str = _text("at most two sentences, citing figures from the table", most_chars=300)
    risks: str = _text("the main risk in one sentence", most_chars=200)

    @field_validator("rating", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("rationale")
    @classmethod
    def _short(cls, value: str) -> str:
        return _at_most_two_sentences(value)


class RatingsReply(BaseModel):
    """A batch of ratings: every ticker of the table exactly once."""

    ratings: list[RatingReply]


class ReportReply(BaseModel):
    """A short report on one result."""

    model_config = ConfigDict(extra="ignore")

    summary: str = _text("three to five sentences on what the figures show", most_chars=MOST_CHARS)
    strengths: list[_Sentence] = Field(description="what looks good, one sentence each",
                                       json_schema_extra={"maxItems": 6})  # fmt: skip
    concerns: list[_Sentence] = Field(description="what looks weak or fragile, one sentence each",
                                      json_schema_extra={"maxItems": 6})  # fmt: skip
    suggested_checks: list[_Sentence] = Field(description="what to test next, one sentence each",
                                              json_schema_extra={"maxItems": 6})  # fmt: skip


def ratings_schema(tickers: list[str]) -> dict[str, Any]:
    """:class:`RatingsReply`'s JSON schema for one batch: one rating per ticker, each ticker
    one of ``tickers``.

    A server that turns the schema into a grammar (Ollama, llama.cpp) then cannot let a model
    skip a ticker, invent one or run on past the last; a small model did all three. A repeat
    (and so a skip) is still possible, and the analyst's own check catches it.
    """
    schema = RatingsReply.model_json_schema()
    schema["properties"]["ratings"].update(minItems=len(tickers), maxItems=len(tickers))
    schema["$defs"]["RatingReply"]["properties"]["ticker"]["enum"] = list(tickers)
    return schema


def non_answers(reply: BaseModel) -> str:
    """The text fields of ``reply`` that answer nothing, or "".

    A small model fills the schema's fields with the schema's own words ("at most two
    sentences, citing figures from the table", near copies too) or with a bare ticker: valid
    JSON, no answer.

    Examples
    --------
    >>> one = RatingReply(ticker="AAA", rating="BUY", confidence=0.5,
    ...                   rationale="At most two sentences, citing figures from the table.",
    ...                   risks="AAA")
    >>> print(non_answers(RatingsReply(ratings=[one])))
    ratings[0].rationale repeats the schema's description instead of answering; ratings[0].risks says nothing
    """
    found: list[str] = []

    def walk(model: BaseModel, where: str, ticker: str) -> None:
        ticker = getattr(model, "ticker", ticker)
        for name, spec in type(model).model_fields.items():
            value: Any = getattr(model, name)
            items = value if isinstance(value, list) else [value]
            for i, item in enumerate(items):
                path = f"{where}{name}" + (f"[{i}]" if isinstance(value, list) else "")
                if isinstance(item, BaseModel):
                    walk(item, path + ".", ticker)
                elif not isinstance(item, str) or name == "ticker":
                    continue
                elif spec.description and _near(item, spec.description):
                    found.append(f"{path} repeats the schema's description instead of answering")
                elif _words(item) in ("", _words(ticker)):
                    found.append(f"{path} says nothing")

    walk(reply, "", "")
    if len(found) > 2:
        return f"{found[0]}; and {len(found) - 1} more fields like it"
    return "; ".join(found)


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def _near(text: str, description: str) -> bool:
    return SequenceMatcher(None, _words(text), _words(description)).ratio() >= 0.8
