"""Parse user parameters that may arrive as strings (papermill ``-p``, the command line).

Every public knob in factorlab goes through one of these, so ``n_tickers="300"`` works the same
as ``n_tickers=300`` and ``tickers="AAPL,MSFT"`` the same as ``["AAPL", "MSFT"]``. Anything
ambiguous raises :class:`~factorlab.errors.ConfigError` naming the parameter and the fix.
"""

from __future__ import annotations

import datetime
import difflib
import math
import re
from collections.abc import Iterable, Sequence
from typing import TypeAlias

import pandas as pd

from factorlab.errors import ConfigError

__all__ = [
    "as_floats",
    "DateLike",
    "Tickers",
    "as_bool",
    "as_date",
    "as_float",
    "as_int",
    "as_tickers",
    "did_you_mean",
    "split_items",
]

# What the public face accepts, as a type checker reads it. At run time every knob also takes
# text (papermill and the command line pass strings), parsed by the functions below.
DateLike: TypeAlias = str | datetime.date | pd.Timestamp
Tickers: TypeAlias = str | Sequence[str]

_TRUE = {"true", "yes", "y", "1", "on"}
_FALSE = {"false", "no", "n", "0", "off"}


def as_int(value: object, name: str, *, minimum: int | None = None) -> int:
    """Return ``value`` as an int; accepts ints, integral floats and strings such as ``"300"``.

    Examples
    --------
    >>> as_int("300", "n_tickers")
    300
    """
    if isinstance(value, bool):
        raise ConfigError(f"{name} must be an integer, got the boolean {value!r}.")
    number: float | int
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        number = value
    elif isinstance(value, str):
        text = value.strip().replace("_", "")
        try:
            number = int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                raise ConfigError(
                    f"{name} must be an integer, got {value!r}. Pass a whole number such as 200."
                ) from None
    else:
        try:
            number = int(value)  # type: ignore[call-overload]  # numpy integers and the like
        except (TypeError, ValueError):
            raise ConfigError(
                f"{name} must be an integer, got {type(value).__name__} {value!r}."
            ) from None
    if isinstance(number, float):
        if not math.isfinite(number) or number != int(number):
            raise ConfigError(f"{name} must be a whole number, got {value!r}.")
        number = int(number)
    if minimum is not None and number < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {number}.")
    return number


def as_float(value: object, name: str) -> float:
    """Return ``value`` as a finite float; accepts numbers and numeric strings.

    Examples
    --------
    >>> as_float("0.25", "weight")
    0.25
    """
    if isinstance(value, bool):
        raise ConfigError(f"{name} must be a number, got the boolean {value!r}.")
    try:
        number = float(value.strip() if isinstance(value, str) else value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a number, got {value!r}.") from None
    if not math.isfinite(number):
        raise ConfigError(f"{name} must be a finite number, got {value!r}.")
    return number


def split_items(text: str) -> list[str]:
    """The items of a list written as text, however papermill or a shell passed it.

    Commas or spaces separate items; brackets, parentheses and quotes around items are dropped
    (no ticker, number or name holds them), so ``"[1, 5]"`` and ``"('AAPL', 'MSFT')"`` (a list
    passed through ``-p``) read as ``"1,5"`` and ``"AAPL MSFT"`` do.

    Examples
    --------
    >>> split_items("[1, 5, 21]")
    ['1', '5', '21']
    >>> split_items("('AAPL', 'MSFT') NVDA")
    ['AAPL', 'MSFT', 'NVDA']
    """
    items = (item.strip("[]()'\"") for item in re.split(r"[,\s]+", text))
    return [item for item in items if item]


def as_floats(value: object, name: str, example: str) -> list[float]:
    """Return ``value`` as a non-empty list of floats: a sequence, one number, or text.

    Papermill passes ``"0,10,25"`` or a bare number; each item is read by :func:`as_float`.
    ``example`` shows a good value in the error message.

    Examples
    --------
    >>> as_floats("0, 10 25", "costs_bps", "(0, 10, 25)")
    [0.0, 10.0, 25.0]
    >>> as_floats(1e6, "aum", "(1e6, 1e8)")
    [1000000.0]
    """
    items: object = value
    if isinstance(items, str):
        items = split_items(items)
    elif isinstance(items, int | float):
        items = [items]
    if not isinstance(items, Iterable):
        raise ConfigError(f"{name} must be numbers such as {example}, got {value!r}.")
    numbers = [as_float(item, name) for item in items]
    if not numbers:
        raise ConfigError(f"{name} is empty; give numbers such as {example}.")
    return numbers


def as_bool(value: object, name: str) -> bool:
    """Return ``value`` as a bool; accepts bools and ``"true"/"false"/"yes"/"no"/"1"/"0"``.

    Examples
    --------
    >>> as_bool("no", "refresh")
    False
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise ConfigError(f"{name} must be true or false, got {value!r}.")


def as_date(value: object, name: str) -> pd.Timestamp:
    """Return ``value`` as a tz-naive, midnight ``Timestamp``.

    Examples
    --------
    >>> as_date("2020-06-30", "end")
    Timestamp('2020-06-30 00:00:00')
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ConfigError(
            f"{name} must be a date such as '2020-06-30', got the number {value!r}; pass it as text."
        )
    try:
        stamp = pd.Timestamp(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a date such as '2020-06-30', got {value!r}.") from None
    if stamp is pd.NaT:
        raise ConfigError(f"{name} must be a date such as '2020-06-30', got {value!r}.")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    if not pd.Timestamp.min <= stamp <= pd.Timestamp.max:
        raise ConfigError(f"{name} must be a date between 1678 and 2261, got {value!r}.")
    return stamp.normalize()


def as_tickers(value: object, name: str = "tickers", *, upper: bool = True) -> list[str]:
    """Return a list of tickers from a list or a comma/space separated string.

    Tickers are upper-cased unless ``upper=False``; duplicates are dropped, first kept.

    Examples
    --------
    >>> as_tickers("aapl, MSFT NVDA")
    ['AAPL', 'MSFT', 'NVDA']
    """
    if isinstance(value, str):
        items: Iterable[object] = split_items(value)
    elif isinstance(value, Iterable):
        items = value
    else:
        raise ConfigError(
            f"{name} must be a list of tickers or a string like 'AAPL,MSFT', got {value!r}."
        )
    tickers: dict[str, None] = {}  # ordered, and a duplicate costs nothing to find
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise ConfigError(f"{name} must hold ticker strings, got {item!r}.")
        tickers[item.strip().upper() if upper else item.strip()] = None
    if not tickers:
        raise ConfigError(f"{name} is empty; give at least one ticker, e.g. 'AAPL,MSFT'.")
    return list(tickers)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return ``" Did you mean 'x'?"`` for the closest choice, or ``""`` when none is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" Did you mean {close[0]!r}?" if close else ""
