"""Anonymized prompts: tickers and company names as neutral labels the model cannot recognize.

Tickers and company names become neutral labels ("Stock A", "Stock B", ...) before the model sees
them, and come back in its answers, so the model judges the figures rather than what it
remembers of a famous name.
"""

from __future__ import annotations

import re
import string
from typing import Any

__all__ = ["Labels", "letters", "tickers_and_names"]


def tickers_and_names(facts: object) -> tuple[list[str], list[str | None]]:
    """Every ticker in ``facts`` (nested dicts and lists), in order, with its company name."""
    tickers, names = [], []

    def walk(item: object) -> None:
        if isinstance(item, dict):
            if isinstance(item.get("ticker"), str):
                tickers.append(item["ticker"])
                names.append(item.get("name"))
            for value in item.values():
                walk(value)
        elif isinstance(item, list):
            for value in item:
                walk(value)

    walk(facts)
    return tickers, names


class Labels:
    """Neutral labels for tickers and company names ("Stock A", "Stock B", ...).

    The labels apply when anonymizing (``active``); identity otherwise: every method then gives
    back what it is given.
    """

    def __init__(self, tickers: list[str], names: list[str | None], active: bool) -> None:
        self.active = active
        self.to_label: dict[str, str] = {}
        self.names: dict[str, str] = {}
        if not active:
            return
        for ticker, name in zip(tickers, names, strict=True):
            if ticker not in self.to_label:
                self.to_label[ticker] = f"Stock {letters(len(self.to_label))}"
            if isinstance(name, str) and name.strip():
                self.names[name] = self.to_label[ticker]
        self.to_ticker = {label: ticker for ticker, label in self.to_label.items()}

    def hide_row(self, row: dict[str, Any]) -> dict[str, Any]:
        """``row`` with its ticker as its label and without its ``name``."""
        if not self.active:
            return row
        return {
            k: self.to_label.get(v, v) if k == "ticker" else v
            for k, v in row.items()
            if k != "name"
        }

    def hide(self, facts: Any) -> Any:
        """``facts`` (nested dicts and lists) with every row that has a ticker hidden.

        Each dict with a ``ticker`` is hidden as by :meth:`hide_row`; other text (sectors,
        dates) is left as it is.
        """
        if not self.active:
            return facts
        if isinstance(facts, dict):
            if isinstance(facts.get("ticker"), str):
                return self.hide_row({k: self.hide(v) for k, v in facts.items()})
            return {k: self.hide(v) for k, v in facts.items()}
        if isinstance(facts, list):
            return [self.hide(v) for v in facts]
        return facts  # other text (sectors, dates) is left as it is

    def restore_rating(self, rating: dict[str, Any]) -> dict[str, Any]:
        """``rating`` with its ticker's label back as the ticker, and its texts restored.

        The ``ticker`` field is matched whole (surrounding spaces ignored); every other field
        goes through :meth:`restore`.
        """
        if not self.active:
            return rating
        return {
            k: self.to_ticker.get(v.strip(), v) if k == "ticker" else self.restore(v)
            for k, v in rating.items()
        }

    def restore(self, value: Any) -> Any:
        """``value`` (text, or nested dicts and lists) with each label written in it as its ticker.

        A label is replaced only as a whole word, the longest first ("Stock AA" before
        "Stock A"); values that are not text are left as they are.
        """
        if not self.active:
            return value
        if isinstance(value, dict):
            return {k: self.restore(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.restore(v) for v in value]
        if isinstance(value, str):
            return self._replace(value, self.to_ticker)
        return value

    @staticmethod
    def _replace(text: str, mapping: dict[str, str]) -> str:
        for old in sorted(mapping, key=len, reverse=True):
            text = re.sub(rf"(?<!\w){re.escape(old)}(?!\w)", mapping[old], text)
        return text


def letters(i: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA, ..."""
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = string.ascii_uppercase[r] + out
    return out
