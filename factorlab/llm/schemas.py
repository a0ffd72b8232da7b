"""The shapes of the model's replies: pydantic models whose JSON schemas go to Ollama as
``format``, and which validate what comes back."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["RatingReply", "RatingsReply", "ReportReply"]

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
