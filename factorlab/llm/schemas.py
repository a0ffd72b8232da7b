"""The shapes of the model's replies: pydantic models whose JSON schemas go to Ollama as
``format``, and which validate what comes back."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["RatingReply", "RatingsReply", "ReportReply"]

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def _at_most_two_sentences(text: str) -> str:
    sentences = _SENTENCE_END.split(text.strip())
    return " ".join(sentences[:2])


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
