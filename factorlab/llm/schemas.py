"""The shapes of the model's replies, as pydantic models.

Their JSON schemas go to Ollama as ``format``, and they validate what comes back.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from difflib import SequenceMatcher
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

__all__ = ["RatingReply", "RatingsReply", "ReportReply", "non_answers", "ratings_schema"]

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_ABBREVIATIONS = ("vs.", "U.S.", "e.g.", "i.e.", "Inc.", "Corp.", "Co.", "Ltd.", "approx.", "No.")


def _at_most_two_sentences(text: str) -> str:
    """The first two sentences (a full stop after "vs." or "U.S." does not end one)."""
    text = text.strip()
    ends = [
        m.start()
        for m in _SENTENCE_END.finditer(text)
        if not text[: m.start()].endswith(_ABBREVIATIONS)
    ]
    return text if len(ends) < 2 else text[: ends[1]].rstrip()


# llama-cpp-python writes a cap of n characters into its grammar as n nested groups, and
# llama.cpp refuses that beyond about 1000 (at 1200 its server crashed); llama.cpp's own
# converter, which llama-server and Ollama use, allows 2000.
MOST_CHARS = 800


def _capped_text(most_chars: int, description: str | None = None) -> Any:
    """A text type whose schema caps its length, so a grammar-constrained model must close it.

    Without a cap, a small model ran on inside a string until the reply's token cap cut the
    JSON. The cap is in the schema only: a longer text still validates. A text the cap cut
    mid-sentence loses its broken end.
    """
    return Annotated[
        str,
        Field(description=description, json_schema_extra={"maxLength": most_chars}),
        AfterValidator(partial(_without_cut_end, most_chars=most_chars)),
    ]


def _without_cut_end(text: str, most_chars: int) -> str:
    """``text`` up to its last full sentence when it fills its cap and ends mid-sentence."""
    text = text.strip()
    if len(text) < most_chars or text.endswith((".", "!", "?")):
        return text
    ends = [m.end() for m in re.finditer(r"[.!?](?=\s)", text)]
    return text[: ends[-1]] if ends else text + "…"


if TYPE_CHECKING:  # to a type checker they are texts; pydantic sees the capped, checked type
    _Rationale = str
    _Risk = str
    _Summary = str
    _Sentence = str
else:
    _Rationale = _capped_text(300, "at most two sentences, citing figures from the table")
    _Risk = _capped_text(200, "the main risk in one sentence")
    _Summary = _capped_text(MOST_CHARS, "three to five sentences on what the figures show")
    _Sentence = _capped_text(250)
_TEXT_FIELDS = frozenset(
    {"rationale", "risks", "summary", "strengths", "concerns", "suggested_checks"}
)


class RatingReply(BaseModel):
    """One ticker's rating."""

    model_config = ConfigDict(extra="ignore")

    ticker: str = Field(description="the ticker exactly as given in the table")
    rating: Literal["BUY", "HOLD", "SELL"]
    confidence: float = Field(ge=0.0, le=1.0, description="0 (a guess) to 1 (certain)")
    rationale: _Rationale
    risks: _Risk

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

    summary: _Summary
    strengths: list[_Sentence] = Field(
        description="what looks good, one sentence each", json_schema_extra={"maxItems": 6}
    )
    concerns: list[_Sentence] = Field(
        description="what looks weak or fragile, one sentence each",
        json_schema_extra={"maxItems": 6},
    )
    suggested_checks: list[_Sentence] = Field(
        description="what to test next, one sentence each", json_schema_extra={"maxItems": 6}
    )

    @field_validator("strengths", "concerns", "suggested_checks")
    @classmethod
    def _no_blank_items(cls, items: list[str]) -> list[str]:
        return [item for item in items if item.strip()]


def ratings_schema(tickers: list[str]) -> dict[str, Any]:
    """:class:`RatingsReply`'s JSON schema for one batch: one rating per ticker of ``tickers``.

    Each rating's ticker must be one of ``tickers``, and there are as many ratings as tickers.
    A server that turns the schema into a grammar (Ollama, llama.cpp) then cannot let a model
    invent a ticker, return too few ratings or run on past the last; a small model did all
    three. A repeat (and so a skip) is still possible, and the analyst's own check catches it.
    """
    schema = RatingsReply.model_json_schema()
    schema["properties"]["ratings"].update(minItems=len(tickers), maxItems=len(tickers))
    schema["$defs"]["RatingReply"]["properties"]["ticker"]["enum"] = list(tickers)
    return schema


def non_answers(reply: BaseModel) -> str:
    """The texts in ``reply`` that answer nothing, or "".

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
    found = [
        f"{path} {verdict}"
        for path, text, description, ticker in _texts(reply)
        if (verdict := _non_answer(text, description, ticker))
    ]
    if len(found) > 2:
        return f"{found[0]}; and {len(found) - 1} more texts that answer nothing"
    return "; ".join(found)


def _texts(model: BaseModel, where: str = "", ticker: str = "") -> Iterator[tuple[str, ...]]:
    """(path, text, its field's description, the ticker it is about) for each text."""
    ticker = getattr(model, "ticker", ticker)
    for name, spec in type(model).model_fields.items():
        value = getattr(model, name)
        listed = isinstance(value, list)
        for i, item in enumerate(value if listed else [value]):
            path = f"{where}{name}" + (f"[{i}]" if listed else "")
            if isinstance(item, BaseModel):
                yield from _texts(item, path + ".", ticker)
            elif name in _TEXT_FIELDS:
                yield path, item, spec.description or "", ticker


def _non_answer(text: str, description: str, ticker: str) -> str:
    words = _words(text)
    if description and SequenceMatcher(None, words, _words(description)).ratio() >= 0.8:
        return "repeats the schema's description instead of answering"
    if not words or words == _words(ticker):
        return "says nothing"
    return ""


def _words(text: str) -> list[str]:
    """The words of ``text``, case-folded, for comparing texts word by word.

    Compared word by word, "The main risk is one client." is not "the main risk in one
    sentence", while "At least two sentences, ..." is a copy of "at most two sentences, ...".
    """
    return re.findall(r"\w+", text.casefold())
