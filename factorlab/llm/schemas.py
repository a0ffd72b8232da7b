"""The shapes of the model's replies: pydantic models whose JSON schemas go to Ollama as
``format``, and which validate what comes back."""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["RatingReply", "RatingsReply", "ReportReply", "copied_descriptions"]

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_ABBREVIATIONS = ("vs.", "U.S.", "e.g.", "i.e.", "Inc.", "Corp.", "Co.", "Ltd.", "approx.", "No.")


def _at_most_two_sentences(text: str) -> str:
    """The first two sentences (a full stop after "vs." or "U.S." does not end one)."""
    text = text.strip()
    ends = [m.start() for m in _SENTENCE_END.finditer(text)
            if not text[: m.start()].endswith(_ABBREVIATIONS)]  # fmt: skip
    return text if len(ends) < 2 else text[: ends[1]].rstrip()


class RatingReply(BaseModel):
    """One ticker's rating."""

    model_config = ConfigDict(extra="ignore")

    ticker: str = Field(description="the ticker exactly as given in the table")
    rating: Literal["BUY", "HOLD", "SELL"]
    confidence: float = Field(ge=0.0, le=1.0, description="0 (a guess) to 1 (certain)")
    rationale: str = Field(description="at most two sentences, citing figures from the table")
    risks: str = Field(description="the main risk in one sentence")

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

    summary: str = Field(description="three to five sentences on what the figures show")
    strengths: list[str] = Field(description="what looks good, one sentence each")
    concerns: list[str] = Field(description="what looks weak or fragile, one sentence each")
    suggested_checks: list[str] = Field(description="what to test next, one sentence each")


def copied_descriptions(reply: BaseModel) -> str:
    """What in ``reply`` only repeats its field's description from the schema, or "".

    A small model fills the schema's fields with the schema's own words ("at most two
    sentences, citing figures from the table"): valid JSON, no answer. A near copy counts too.

    Examples
    --------
    >>> one = RatingReply(ticker="A", rating="BUY", confidence=0.5,
    ...                   rationale="At most two sentences, citing figures from the table.",
    ...                   risks="Rates could rise.")
    >>> copied_descriptions(RatingsReply(ratings=[one]))
    "ratings[0].rationale repeats the schema's description ('at most two sentences, citing figures from the table') instead of answering"
    """
    found: list[str] = []

    def walk(model: BaseModel, where: str) -> None:
        for name, spec in type(model).model_fields.items():
            value: Any = getattr(model, name)
            items = value if isinstance(value, list) else [value]
            for i, item in enumerate(items):
                path = f"{where}{name}" + (f"[{i}]" if isinstance(value, list) else "")
                if isinstance(item, BaseModel):
                    walk(item, path + ".")
                elif isinstance(item, str) and spec.description and _near(item, spec.description):
                    found.append(f"{path} repeats the schema's description "
                                 f"({spec.description!r}) instead of answering")  # fmt: skip

    walk(reply, "")
    if len(found) > 2:
        return f"{found[0]}; and {len(found) - 1} more fields do the same"
    return "; ".join(found)


def _near(text: str, description: str) -> bool:
    def words(s: str) -> str:
        return " ".join(re.findall(r"[a-z0-9]+", s.lower()))

    return SequenceMatcher(None, words(text), words(description)).ratio() >= 0.8
