"""The number guard: every number in the model's text must be one factorlab gave it.

A number written in the text matches a figure of the input when, at the decimals the text
shows (half a unit of its last digit):

- it equals the figure, or, written with ``%``, a fraction figure times 100 (6.9 % for
  0.0687); a figure already in percent (a name ending ``_pct``) matches written as a percent
  or as a plain number, and as a decimal fraction (0.056 for 5.63);
- its sign agrees: a number written with a minus must match a negative figure; one written
  without a sign matches either ("fell 12 %" for -12);

Thousands separators and k / million / bn suffixes are understood. These pass as they are not
figures: plain whole numbers up to 10 ("three risks", "top 5"), numbers that name a horizon
("12-month", "60-day", "52-week"), "S&P 500", dates written as 2024-12-31, and numbers in the
input's own field names (``rsi_14``). Each rating is checked against its own row.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

__all__ = [
    "Allowed",
    "Found",
    "mark_unverified",
    "numbers_in",
    "numbers_of",
    "unverified_numbers",
]

SMALL_COUNTS = 10  # plain whole numbers up to this pass as counts

_NUMBER = re.compile(
    r"(?<![\w.])(?P<sign>[-−+])?\$?(?P<digits>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<decimals>\d+))?"
    r"(?P<ordinal>st|nd|rd|th)?"
    r"(?:(?P<unit>\s*%|\s*percent\b|\s*pct\b|\s*(?:bps|basis points)\b"
    r"|(?:k|mn?|bn?|tn?|x)(?![\w.-])|\s+(?:thousand|million|billion|trillion)\b))?",
    re.IGNORECASE,
)
_HORIZON = re.compile(r"^[-\s]?(?:day|week|month|quarter|year)s?\b", re.IGNORECASE)
_SCALE = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mn": 1e6,
    "million": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
    "t": 1e12,
    "tn": 1e12,
    "trillion": 1e12,
}
_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_CONVENTIONAL = re.compile(r"S&P\s*500", re.IGNORECASE)


@dataclass(frozen=True)
class Found:
    """A number as written in the text: its value, tolerance and how it was written.

    The tolerance is half a unit of its last digit; how it was written says whether as a
    percent, with a sign, or as a plain whole number.
    """

    text: str
    value: float
    tolerance: float
    percent: bool
    signed: bool
    plain_integer: bool


@dataclass(frozen=True)
class Allowed:
    """A figure of the input: its value and kind.

    The kind is ``"fraction"`` (may be written ×100 as a percent), ``"percent"`` (already in
    percent; may be written ÷100), or ``"exact"``.
    """

    value: float
    kind: str = "fraction"


def numbers_in(text: str) -> list[Found]:
    """The numbers written in ``text`` that are figures (see the module's notes).

    Examples
    --------
    >>> [f.value for f in numbers_in("Sharpe 1.25, drawdown -12.5% on $1,234.5 and 3.2bn")]
    [1.25, -12.5, 1234.5, 3200000000.0]
    >>> [f.text for f in numbers_in("a 2.12 t-stat over the 12-month horizon, 25th of 40")]
    ['2.12', '25th', '40']
    """
    text = _DATE.sub(" ", _CONVENTIONAL.sub(" ", text))  # dates are not figures
    found = []
    for match in _NUMBER.finditer(text):
        if _HORIZON.match(text[match.end() :]) and not match.group("unit"):
            continue
        digits = match.group("digits").replace(",", "")
        decimals = match.group("decimals") or ""
        value = float(f"{digits}.{decimals}" if decimals else digits)
        sign = match.group("sign")
        if sign in ("-", "−"):
            value = -value
        unit = (match.group("unit") or "").strip().lower()
        scale = _SCALE.get(unit, 1.0)
        found.append(
            Found(
                text=match.group(0).strip(),
                value=value * scale,
                tolerance=0.5 * 10.0 ** -len(decimals) * scale,
                percent=unit in ("%", "percent", "pct"),
                signed=sign is not None,
                plain_integer=not decimals and not unit and sign is None,
            )
        )
    return found


def numbers_of(facts: object) -> list[Allowed]:
    """Every figure in a nested structure of facts (dicts, lists, scalars, date strings).

    A value under a key ending ``_pct`` is a percent; numbers in keys ("rsi_14", "63d") and
    the parts of dates are exact; other numbers are fractions or plain figures.
    """
    out: list[Allowed] = []

    def walk(item: object, key: str = "") -> None:
        if isinstance(item, dict):
            for k, value in item.items():
                out.extend(Allowed(float(n), "exact") for n in re.findall(r"\d+", str(k)))
                walk(value, str(k))
        elif isinstance(item, list | tuple):
            for value in item:
                walk(value, key)
        elif isinstance(item, bool) or item is None:
            return
        elif isinstance(item, int | float | np.integer | np.floating):
            if math.isfinite(float(item)):
                out.append(Allowed(float(item), "percent" if key.endswith("_pct") else "fraction"))
        elif isinstance(item, str):
            for parts in _DATE.findall(item):
                out.extend(Allowed(float(part), "exact") for part in parts)
            out.extend(Allowed(f.value, "exact") for f in numbers_in(_DATE.sub(" ", item)))

    walk(facts)
    return out


def unverified_numbers(text: str, allowed: Iterable[Allowed | float]) -> list[str]:
    """The numbers written in ``text`` that match no figure of ``allowed``.

    Examples
    --------
    >>> pool = [Allowed(1.2874), Allowed(0.0687), Allowed(5.63, "percent")]
    >>> unverified_numbers("Sharpe 1.3, P/E 45.3, yield 6.9%, CAGR 5.6%, -1.29", pool)
    ['45.3', '-1.29']
    """
    pool = [a if isinstance(a, Allowed) else Allowed(float(a)) for a in allowed]
    plain = np.array([a.value for a in pool if a.kind != "exact"])
    exact = np.array([a.value for a in pool if a.kind == "exact"])
    fractions = np.array([a.value for a in pool if a.kind == "fraction"])
    percents = np.array([a.value for a in pool if a.kind == "percent"])
    out = []
    for found in numbers_in(text):
        if found.plain_integer and abs(found.value) <= SMALL_COUNTS:
            continue
        if found.percent:  # written as a percent: a percent figure, or a fraction × 100
            candidates = [percents, fractions * 100]
        else:  # a plain figure, a percent figure as it stands, or as a decimal fraction
            candidates = [plain, percents / 100]
        candidates.append(exact)
        if not any(_close(found, values) for values in candidates):
            out.append(found.text)
    return out


def _close(found: Found, values: np.ndarray) -> bool:
    if values.size == 0:
        return False
    tolerance = found.tolerance + 1e-9 * abs(found.value)
    if found.signed:
        return bool((np.abs(values - found.value) <= tolerance).any())
    return bool((np.abs(np.abs(values) - abs(found.value)) <= tolerance).any())


def mark_unverified(text: str, unverified: Iterable[str]) -> str:
    """``text`` with each unverified number flagged: ``45.3 [unverified]``."""
    for number in sorted(set(unverified), key=len, reverse=True):
        text = re.sub(
            rf"(?<![\w.]){re.escape(number)}(?!\w|\.\d)(?! \[unverified\])",
            f"{number} [unverified]",
            text,
        )
    return text
