"""Hand-written company facts: a few lines per edge case, in the SEC's JSON shape."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).with_name("fixtures")
_accessions = itertools.count(1)


def recorded(name: str) -> dict[str, Any]:
    """A real company's facts from ``fixtures/`` (see its README for where they came from)."""
    return json.loads((FIXTURES / f"{name}_companyfacts.json").read_text())


def fact(
    start: str | None, end: str, val: float, filed: str, form: str = "10-Q", accn: str = ""
) -> dict[str, Any]:
    """One reported value; ``start`` None for an instant (a balance)."""
    row = {
        "end": end,
        "val": val,
        "accn": accn or f"0000000000-00-{next(_accessions):06d}",
        "form": form,
        "filed": filed,
        "fy": 0,
        "fp": "XX",
    }
    if start is not None:
        row["start"] = start
    return row


def company(cik: int = 1, name: str = "Acme Corp", **tags: list[dict[str, Any]]) -> dict:
    """Company facts with ``tags`` such as ``Revenues=[fact(...), ...]`` (us-gaap, USD) or
    ``dei__EntityCommonStockSharesOutstanding=[...]`` (taxonomy before a double underscore)."""
    facts: dict[str, dict[str, Any]] = {}
    for key, rows in tags.items():
        taxonomy, _, concept = key.rpartition("__")
        taxonomy = taxonomy or "us-gaap"
        unit = "shares" if "Shares" in concept and "PerShare" not in concept else "USD"
        unit = "USD/shares" if concept.startswith("EarningsPerShare") else unit
        facts.setdefault(taxonomy, {})[concept] = {"units": {unit: rows}}
    return {"cik": cik, "entityName": name, "facts": facts}
