"""Synthetic company facts in the SEC's JSON shape: for benchmarks, tests and offline workshops.

Each company files the way real ones do: three 10-Qs a fiscal year with the quarter's flows,
year-to-date cash flows and the same periods a year earlier as comparatives; a 10-K with the
year and two earlier years; balances at each quarter end and the year end before; the cover
page's share count; now and then a 10-K/A that restates the year's revenue. Concepts factorlab
does not read are added too, so the files are about the size of real ones. The figures follow
a random walk per company, so nothing in them is a planted answer.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["synthetic_bulk_zip", "synthetic_company_facts", "synthetic_ticker_list"]

_FLOWS = {  # column: (us-gaap concept, share of revenue)
    "revenue": ("Revenues", 1.0),
    "gross_profit": ("GrossProfit", 0.42),
    "operating_income": ("OperatingIncomeLoss", 0.15),
    "net_income": ("NetIncomeLoss", 0.10),
}
_CASH_FLOWS = {  # year-to-date in 10-Qs, as the cash flow statement reports them
    "depreciation": ("DepreciationDepletionAndAmortization", 0.05),
    "operating_cash_flow": ("NetCashProvidedByUsedInOperatingActivities", 0.16),
    "capex": ("PaymentsToAcquirePropertyPlantAndEquipment", 0.06),
    "dividends": ("PaymentsOfDividendsCommonStock", 0.03),
}
_BALANCES = {  # column: (concept, multiple of quarterly revenue)
    "total_assets": ("Assets", 8.0),
    "book_equity": ("StockholdersEquity", 3.5),
    "total_debt": ("LongTermDebt", 2.0),
    "cash": ("CashAndCashEquivalentsAtCarryingValue", 0.8),
}
_UNREAD = 24  # concepts factorlab does not read, per company: real files carry hundreds


def synthetic_company_facts(
    cik: int,
    seed: int | None = None,
    first_year: int = 2009,
    last_year: int = 2024,
    year_end_month: int = 12,
    name: str | None = None,
) -> dict[str, Any]:
    """One company's ``companyfacts`` JSON, as the SEC serves it, with made-up figures.

    Parameters
    ----------
    cik : int
        The company's CIK (also seeds the figures when ``seed`` is None).
    seed : int, optional
        The random seed; the same arguments give the same file.
    first_year, last_year : int
        The fiscal years filed (a fiscal year is named by the calendar year it ends in).
    year_end_month : int
        The month the fiscal year ends (12: December; 9: September).
    name : str, optional
        The entity name (default "Synthetic Co <cik>").

    Returns
    -------
    dict
        ``cik``, ``entityName`` and ``facts`` (``dei`` and ``us-gaap``), each concept's values
        under ``units`` with ``start`` (flows), ``end``, ``val``, ``accn``, ``fy``, ``fp``,
        ``form`` and ``filed``.

    Examples
    --------
    >>> facts = synthetic_company_facts(1001, first_year=2020, last_year=2021)
    >>> sorted(facts["facts"])
    ['dei', 'us-gaap']
    >>> from factorlab.data.edgar import flatten, quarterly_rows
    >>> quarterly_rows(flatten(facts), {1001: "S"})["fiscal_period"].iloc[-1]
    'FY2021Q4'
    """
    rng = np.random.default_rng(cik if seed is None else seed)
    ends = _quarter_ends(first_year - 2, last_year, year_end_month)  # two years of history
    n = len(ends)
    revenue = 1e8 * rng.lognormal(0, 1.2) * np.exp(np.cumsum(rng.normal(0.015, 0.06, n)))
    values: dict[str, np.ndarray] = {}
    for column, (_, share) in {**_FLOWS, **_CASH_FLOWS}.items():
        values[column] = np.round(revenue * share * rng.normal(1.0, 0.15, n), -3)
    values["revenue"] = np.round(revenue, -3)
    for column, (_, multiple) in _BALANCES.items():
        values[column] = np.round(revenue * multiple * rng.normal(1.0, 0.05, n), -3)
    shares = np.round(5e7 * rng.lognormal(0, 0.8) * np.exp(np.cumsum(rng.normal(0, 0.01, n))), -3)
    company = _Company(cik, ends, values, shares, rng)
    for k in range(8, n):  # fiscal years from first_year: each quarter's filing
        company.file(k)
    return {
        "cik": int(cik),
        "entityName": name or f"Synthetic Co {cik}",
        "facts": {"dei": company.dei, "us-gaap": company.gaap},
    }


def synthetic_ticker_list(ciks: list[int], prefix: str = "S") -> dict[str, dict[str, Any]]:
    """The SEC's ``company_tickers.json`` for ``ciks``: ticker ``<prefix><number>`` each.

    Parameters
    ----------
    ciks : list of int
        The companies, in the order their tickers are numbered (from 1).
    prefix : str
        The tickers' first letters.

    Returns
    -------
    dict
        Position (as text) -> ``cik_str``, ``ticker`` and ``title``, as the SEC's list.

    Examples
    --------
    >>> synthetic_ticker_list([1001, 1002])["1"]
    {'cik_str': 1002, 'ticker': 'S0002', 'title': 'Synthetic Co 1002'}
    """
    return {
        str(i): {
            "cik_str": int(cik),
            "ticker": f"{prefix}{i + 1:04d}",
            "title": f"Synthetic Co {cik}",
        }
        for i, cik in enumerate(ciks)
    }


def synthetic_bulk_zip(
    path: str | os.PathLike[str],
    n_filers: int,
    first_year: int = 2009,
    last_year: int = 2024,
    first_cik: int = 1_000_001,
) -> Path:
    """A ``companyfacts.zip`` like the SEC's nightly one, of ``n_filers`` synthetic companies.

    One ``CIK##########.json`` member per company; every tenth company's fiscal year ends in
    September.

    Parameters
    ----------
    path : str or path
        The zip to write.
    n_filers : int
        How many companies.
    first_year, last_year : int
        The fiscal years each files.
    first_cik : int
        The first company's CIK; the others follow one by one.

    Returns
    -------
    Path
        The zip written.

    Examples
    --------
    >>> import tempfile, zipfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     written = synthetic_bulk_zip(Path(folder) / "facts.zip", 2, 2022, 2023)
    ...     zipfile.ZipFile(written).namelist()
    ['CIK0001000001.json', 'CIK0001000002.json']
    """
    path = Path(path)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for i in range(n_filers):  # one company per member: writing, not a hot path
            cik = first_cik + i
            document = synthetic_company_facts(
                cik,
                first_year=first_year,
                last_year=last_year,
                year_end_month=9 if i % 10 == 9 else 12,
            )
            archive.writestr(f"CIK{cik:010d}.json", json.dumps(document, separators=(",", ":")))
    return path


# -- filing ---------------------------------------------------------------------------------


class _Company:
    """One company's figures by quarter, and the facts its filings have reported so far."""

    def __init__(
        self,
        cik: int,
        ends: pd.DatetimeIndex,
        values: dict[str, np.ndarray],
        shares: np.ndarray,
        rng: np.random.Generator,
    ) -> None:
        self.cik, self.values, self.shares, self.rng = cik, values, shares, rng
        self.ends = ends.strftime("%Y-%m-%d").tolist()
        self.starts = (ends - pd.offsets.MonthEnd(3) + pd.Timedelta(days=1)).strftime("%Y-%m-%d")
        self.day = ends.to_numpy("datetime64[D]")
        self.gaap: dict[str, dict[str, Any]] = {}
        self.dei: dict[str, dict[str, Any]] = {}
        self.filings = 0

    def file(self, k: int) -> None:
        """The filing for quarter ``k``: a 10-Q for quarters 1-3, a 10-K for the fourth."""
        quarter = k % 4  # 0..3: quarters are aligned to the fiscal year from the start
        annual = quarter == 3
        lag = int(self.rng.integers(45, 76) if annual else self.rng.integers(30, 46))
        filed = np.busday_offset(self.day[k] + lag, 0, roll="forward")
        self.filings += 1
        year = int(self.ends[k - quarter + 3][:4])  # the fiscal year: named by its end
        filing = {
            "accn": f"{self.cik:010d}-{str(filed)[2:4]}-{self.filings:06d}",
            "fy": year,
            "fp": "FY" if annual else f"Q{quarter + 1}",
            "form": "10-K" if annual else "10-Q",
            "filed": str(filed),
        }
        for back in (0, 4, 8) if annual else (0, 4):  # the period, then its comparatives
            self._period(k - back, quarter, annual, filing, current=back == 0)
        for at in (k, k - quarter - 1):  # balances at the period end and the last year end
            for column, (concept, _) in _BALANCES.items():
                value = float(self.values[column][at])
                self.add("us-gaap", concept, "USD", value, self.ends[at], filing)
        self.add(
            "dei",
            "EntityCommonStockSharesOutstanding",
            "shares",
            float(self.shares[k]),
            str(filed - 7),
            filing,
        )
        if annual and self.rng.random() < 0.05:  # a restated year: a 10-K/A revises revenue
            amended = np.busday_offset(filed + int(self.rng.integers(40, 120)), 0, roll="forward")
            self.filings += 1
            revised = float(
                np.round(
                    self.values["revenue"][k - 3 : k + 1].sum() * self.rng.normal(1.0, 0.03), -3
                )
            )
            self.add(
                "us-gaap",
                "Revenues",
                "USD",
                revised,
                self.ends[k],
                {
                    **filing,
                    "form": "10-K/A",
                    "filed": str(amended),
                    "accn": f"{self.cik:010d}-{str(amended)[2:4]}-{self.filings:06d}",
                },
                start=self.starts[k - 3],
            )

    def _period(self, k: int, quarter: int, annual: bool, filing: dict, current: bool) -> None:
        first = k - quarter  # the fiscal year's first quarter
        span = slice(first, k + 1)
        start = self.starts[first] if annual else self.starts[k]
        for column, (concept, _) in _FLOWS.items():
            value = self.values[column][span].sum() if annual else self.values[column][k]
            self.add("us-gaap", concept, "USD", float(value), self.ends[k], filing, start)
        for column, (concept, _) in _CASH_FLOWS.items():  # year to date
            value = float(self.values[column][span].sum())
            self.add("us-gaap", concept, "USD", value, self.ends[k], filing, self.starts[first])
        average = float(np.round(self.shares[span if annual else k].mean(), -3))
        income = self.values["net_income"][span].sum() if annual else self.values["net_income"][k]
        eps = round(float(income) / average, 2)
        self.add(
            "us-gaap", "EarningsPerShareDiluted", "USD/shares", eps, self.ends[k], filing, start
        )
        self.add(
            "us-gaap",
            "WeightedAverageNumberOfSharesOutstandingBasic",
            "shares",
            average,
            self.ends[k],
            filing,
            start,
        )
        if current:
            for i in range(_UNREAD):
                self.add(
                    "us-gaap",
                    f"SyntheticUnreadConcept{i:02d}",
                    "USD",
                    float(self.values["revenue"][k] * 0.1),
                    self.ends[k],
                    filing,
                    start,
                )

    def add(
        self,
        taxonomy: str,
        concept: str,
        unit: str,
        value: float,
        end: str,
        filing: dict[str, Any],
        start: str | None = None,
    ) -> None:
        row: dict[str, Any] = {"end": end, "val": value, **filing}
        if start is not None:
            row = {"start": start, **row}
        book = self.gaap if taxonomy == "us-gaap" else self.dei
        entry = book.setdefault(concept, {"label": concept, "units": {}})
        entry["units"].setdefault(unit, []).append(row)


def _quarter_ends(first_year: int, last_year: int, year_end_month: int) -> pd.DatetimeIndex:
    last = pd.Timestamp(year=last_year, month=year_end_month, day=1) + pd.offsets.MonthEnd(0)
    first = pd.Timestamp(year=first_year - 1, month=year_end_month, day=1) + pd.offsets.MonthEnd(0)
    return pd.date_range(first + pd.offsets.MonthEnd(3), last, freq=pd.offsets.MonthEnd(3))
