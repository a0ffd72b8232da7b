"""Company facts (the SEC's ``companyfacts`` JSON) flattened into one long table of facts.

One row per reported value of the concepts factorlab reads (:data:`.concepts.CONCEPTS`): the
company, the concept, its period (``start`` for durations, NaT for instants; ``end``), the value,
and the filing that reported it (``accn``, ``form``, ``filed``). The fiscal year and period the
SEC attaches (``fy``, ``fp``) describe the filing, not the period, so they are not used.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from factorlab.data.edgar.concepts import CONCEPTS
from factorlab.errors import DataError

__all__ = ["FACT_COLUMNS", "EdgarError", "FactLists", "flatten"]

FACT_COLUMNS = ["cik", "column", "tag", "rank", "start", "end", "val", "accn", "form", "filed"]
_FIELDS = ("start", "end", "val", "accn", "form", "filed")  # read from each reported value

# Forms whose facts describe the company's own statements (amendments included).
_FORMS = {
    "10-K",
    "10-Q",
    "10-K/A",
    "10-Q/A",
    "10-KT",
    "10-QT",
    "10-KT/A",
    "10-QT/A",
    "8-K",
    "S-1",
    "S-1/A",
    "S-4",
    "10-12B",
    "10-12G",
    "10-12B/A",
    "10-12G/A",
}


class EdgarError(DataError):
    """A company's facts cannot give factorlab's fundamentals (IFRS only, another currency)."""


def flatten(company_facts: dict[str, Any]) -> pd.DataFrame:
    """The facts factorlab reads from one company's ``companyfacts`` JSON, as a long table.

    Parameters
    ----------
    company_facts : dict
        The parsed JSON of ``api/xbrl/companyfacts/CIK##########.json``.

    Returns
    -------
    DataFrame
        Columns :data:`FACT_COLUMNS`: ``rank`` is the concept's place in its column's list of
        fallbacks (0 = preferred); dates are datetime64, ``start`` NaT for an instant.

    Raises
    ------
    EdgarError
        When the company reports no us-gaap facts (an IFRS filer), or reports its revenue or
        equity in a currency other than US dollars.

    Examples
    --------
    >>> facts = {"cik": 1, "entityName": "Acme", "facts": {"us-gaap": {"Revenues": {"units": {
    ...     "USD": [{"start": "2023-01-01", "end": "2023-03-31", "val": 5, "accn": "a",
    ...              "form": "10-Q", "filed": "2023-05-01"}]}}}}}
    >>> flatten(facts)[["column", "tag", "val"]].to_dict("records")
    [{'column': 'revenue', 'tag': 'us-gaap:Revenues', 'val': 5.0}]
    """
    gathered = FactLists()
    gathered.add(company_facts)
    return gathered.frame()


class FactLists:
    """The values of many companies' facts gathered as plain lists, made into one frame once.

    :func:`flatten` is one company; the bulk import gathers a few hundred before building a
    frame, which costs less than a frame per company.
    """

    def __init__(self) -> None:
        self.lists: dict[str, list[Any]] = {
            k: [] for k in ("cik", "column", "tag", "rank", *_FIELDS)
        }

    def add(self, company_facts: dict[str, Any]) -> None:
        """Gather one company's facts; an :class:`EdgarError` (nothing gathered) if unusable."""
        cik = int(company_facts.get("cik", 0))
        name = company_facts.get("entityName", f"CIK {cik}")
        by_taxonomy = company_facts.get("facts") or {}
        gaap = by_taxonomy.get("us-gaap") or {}
        if not gaap:
            others = ", ".join(t for t in by_taxonomy if t != "dei") or "none"
            raise EdgarError(
                f"{name} (CIK {cik}) files no us-gaap facts (taxonomies: {others}); factorlab "
                "reads US GAAP statements in US dollars only."
            )
        _check_currency(gaap, name, cik)
        # gathered apart first, so that a malformed value leaves the other companies whole
        lists: dict[str, list[Any]] = {k: [] for k in self.lists}
        for concept in CONCEPTS:  # a few dozen concepts, their values gathered as plain lists
            for rank, tag in enumerate(concept.tags):
                taxonomy, _, local = tag.partition(":")
                values = ((by_taxonomy.get(taxonomy) or {}).get(local) or {}).get("units", {})
                rows = values.get(concept.unit)
                if not rows:
                    continue
                rows = [r for r in rows if r.get("form") in _FORMS]
                lists["cik"] += [cik] * len(rows)
                lists["column"] += [concept.column] * len(rows)
                lists["tag"] += [tag] * len(rows)
                lists["rank"] += [rank] * len(rows)
                for field in _FIELDS:
                    lists[field] += [r.get(field) for r in rows]
        for key, gathered in lists.items():
            self.lists[key] += gathered

    def frame(self) -> pd.DataFrame:
        """The facts gathered, columns :data:`FACT_COLUMNS`."""
        lists = self.lists
        if not lists["val"]:
            return pd.DataFrame(columns=FACT_COLUMNS)
        values = pd.to_numeric(pd.Series(lists["val"], dtype=object), errors="coerce")
        out = pd.DataFrame(
            {
                "cik": np.asarray(lists["cik"], dtype=np.int64),
                "column": lists["column"],
                "tag": lists["tag"],
                "rank": np.asarray(lists["rank"], dtype=np.int64),
                "start": pd.to_datetime(lists["start"], format="%Y-%m-%d").to_numpy(),
                "end": pd.to_datetime(lists["end"], format="%Y-%m-%d").to_numpy(),
                "val": values.to_numpy(dtype=float),
                "accn": np.asarray(lists["accn"], dtype=object).astype(str),
                "form": np.asarray(lists["form"], dtype=object).astype(str),
                "filed": pd.to_datetime(lists["filed"], format="%Y-%m-%d").to_numpy(),
            }
        )
        return out.dropna(subset=["end", "val", "filed"]).reset_index(drop=True)


def _check_currency(gaap: dict[str, Any], name: str, cik: int) -> None:
    """Refuse a filer whose revenue or equity is in another currency than US dollars."""
    for local in (
        "Revenues",
        "RevenueFromContractWithCustomerExcludingAssessedTax",
        "StockholdersEquity",
        "Assets",
    ):
        units = set((gaap.get(local) or {}).get("units", {}))
        if units and "USD" not in units:
            raise EdgarError(
                f"{name} (CIK {cik}) reports {local} in {', '.join(sorted(units))}, not US "
                "dollars; factorlab's value ratios need figures in the currency of its prices."
            )
