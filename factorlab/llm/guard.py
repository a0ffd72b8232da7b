"""The number guard: every number in the model's text must be one factorlab gave it.

A number in the text matches an input number when it is that number rounded to the decimals the
text shows (half a unit of its last digit), read as written, as a percent of it (6.9 % for
0.0687), or as its size without the sign ("fell 12 %" for -0.12); thousands separators and
k / million / billion suffixes are understood. Whole numbers up to 10 pass as counts ("three
risks", "top 5"), as do the years, months and days of dates in the input.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

__all__ = ["Found", "mark_unverified", "numbers_in", "numbers_of", "unverified_numbers"]

SMALL_COUNTS = 10  # whole numbers up to this pass as counts

_NUMBER = re.compile(
    r"(?<![\w.])(?P<sign>[-−+])?\$?(?P<digits>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<decimals>\d+))?"
    r"(?:\s*(?P<suffix>%|percent\b|pct\b|bps\b|basis points\b|x\b|k\b|thousand\b|m\b|mn\b|"
    r"million\b|bn?\b|billion\b|tn?\b|trillion\b))?",
    re.IGNORECASE,
)
_SCALE = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6, "b": 1e9, "bn": 1e9,
          "billion": 1e9, "t": 1e12, "tn": 1e12, "trillion": 1e12}  # fmt: skip
_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


@dataclass(frozen=True)
class Found:
    """A number as written in the text, its value, and half a unit of its last digit."""

    text: str
    value: float
    tolerance: float
    percent: bool


def numbers_in(text: str) -> list[Found]:
    """The numbers written in ``text`` (dates count as their parts).

    Examples
    --------
    >>> [f.value for f in numbers_in("Sharpe 1.25, drawdown -12.5% on $1,234.5 and 3.2bn")]
    [1.25, -12.5, 1234.5, 3200000000.0]
    """
    found = []
    for match in _NUMBER.finditer(text):
        digits = match.group("digits").replace(",", "")
        decimals = match.group("decimals") or ""
        value = float(f"{digits}.{decimals}" if decimals else digits)
        if match.group("sign") in ("-", "−"):
            value = -value
        suffix = (match.group("suffix") or "").lower()
        half_unit = 0.5 * 10.0 ** -len(decimals)
        scale = _SCALE.get(suffix, 1.0)
        found.append(Found(match.group(0).strip(), value * scale, half_unit * scale,
                           suffix in ("%", "percent", "pct")))  # fmt: skip
    return found


def numbers_of(facts: object) -> list[float]:
    """Every number in a nested structure of facts (dicts, lists, scalars, date strings)."""
    out: list[float] = []

    def walk(item: object) -> None:
        if isinstance(item, dict):
            for value in item.values():
                walk(value)
        elif isinstance(item, list | tuple):
            for value in item:
                walk(value)
        elif isinstance(item, bool) or item is None:
            return
        elif isinstance(item, int | float | np.integer | np.floating):
            if math.isfinite(float(item)):
                out.append(float(item))
        elif isinstance(item, str):
            for year, month, day in _DATE.findall(item):
                out.extend([float(year), float(month), float(day)])
            out.extend(f.value for f in numbers_in(_DATE.sub(" ", item)))

    walk(facts)
    return out


def unverified_numbers(text: str, allowed: Iterable[float]) -> list[str]:
    """The numbers written in ``text`` that match none of ``allowed`` (as written).

    Examples
    --------
    >>> unverified_numbers("Sharpe of 1.3 and a P/E of 45.3; yield 6.9%", [1.2874, 0.0687])
    ['45.3']
    """
    pool = np.asarray(list(allowed), dtype=float)
    candidates = np.concatenate([pool, pool * 100, pool / 100]) if pool.size else pool
    sizes = np.abs(candidates)
    out = []
    for found in numbers_in(text):
        value = found.value
        if float(value).is_integer() and abs(value) <= SMALL_COUNTS:
            continue
        tolerance = found.tolerance + 1e-9 * abs(value)
        if candidates.size and (np.abs(sizes - abs(value)) <= tolerance).any():
            continue
        out.append(found.text)
    return out


def mark_unverified(text: str, unverified: Iterable[str]) -> str:
    """``text`` with each unverified number flagged: ``45.3 [unverified]``."""
    for number in sorted(set(unverified), key=len, reverse=True):
        text = re.sub(rf"(?<![\w.]){re.escape(number)}(?!\w|\.\d)(?! \[unverified\])",
                      f"{number} [unverified]", text)  # fmt: skip
    return text
