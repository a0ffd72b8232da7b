"""Which XBRL concepts fill which fundamentals column: one table, each column with its fallbacks.

Filers tag the same figure with different us-gaap concepts (revenue has at least five in real
filings, and a company may switch for a year), so each column lists its concepts in order of
preference; for each company and quarter the first one with a value there is used, and the row
records which (``concepts``). EBITDA is not a us-gaap concept: it is operating income plus
depreciation and amortization, where both are filed. The share count comes from the balance
sheet, else the cover page (``dei``), else the weighted average of the quarter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

__all__ = ["CONCEPTS", "Concept", "describe_concepts"]

Kind = Literal["flow", "stock", "cover"]


@dataclass(frozen=True)
class Concept:
    """How one fundamentals column is read from company facts.

    Attributes
    ----------
    column : str
        The fundamentals column (see :data:`factorlab.data.schema.FUNDAMENTAL_VALUES`), or a
        helper that a derived column sums (``operating_income``, ``depreciation``).
    kind : {"flow", "stock", "cover"}
        ``"flow"``: a quarter's amount, from duration facts (3-month facts, or year-to-date ones
        differenced); ``"stock"``: a balance at period end, from instant facts; ``"cover"``: the
        cover page's figure, assigned to the period of its filing.
    unit : str
        The XBRL unit read: ``"USD"``, ``"shares"`` or ``"USD/shares"``.
    tags : tuple of str
        ``taxonomy:concept`` names, in order of preference.
    """

    column: str
    kind: Kind
    unit: str
    tags: tuple[str, ...]


CONCEPTS: tuple[Concept, ...] = (
    Concept(
        "revenue",
        "flow",
        "USD",
        (
            "us-gaap:Revenues",
            "us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax",
            "us-gaap:RevenueFromContractWithCustomerIncludingAssessedTax",
            "us-gaap:SalesRevenueNet",
            "us-gaap:SalesRevenueGoodsNet",
            "us-gaap:RevenuesNetOfInterestExpense",
        ),
    ),
    Concept("gross_profit", "flow", "USD", ("us-gaap:GrossProfit",)),
    Concept("operating_income", "flow", "USD", ("us-gaap:OperatingIncomeLoss",)),
    Concept(
        "depreciation",
        "flow",
        "USD",
        (
            "us-gaap:DepreciationDepletionAndAmortization",
            "us-gaap:DepreciationAmortizationAndAccretionNet",
            "us-gaap:DepreciationAndAmortization",
            "us-gaap:Depreciation",
        ),
    ),
    Concept(
        "net_income",
        "flow",
        "USD",
        (
            "us-gaap:NetIncomeLoss",
            "us-gaap:NetIncomeLossAvailableToCommonStockholdersBasic",
            "us-gaap:ProfitLoss",
        ),
    ),
    Concept(
        "eps",
        "flow",
        "USD/shares",
        ("us-gaap:EarningsPerShareDiluted", "us-gaap:EarningsPerShareBasic"),
    ),
    Concept(
        "book_equity",
        "stock",
        "USD",
        (
            "us-gaap:StockholdersEquity",
            "us-gaap:StockholdersEquityIncludingPortionAttributableToNoncontrollingInterest",
        ),
    ),
    Concept(
        "total_debt",
        "stock",
        "USD",
        (
            "us-gaap:LongTermDebt",
            "us-gaap:DebtLongtermAndShorttermCombinedAmount",
            "us-gaap:LongTermDebtNoncurrent",
        ),
    ),
    Concept(
        "cash",
        "stock",
        "USD",
        (
            "us-gaap:CashAndCashEquivalentsAtCarryingValue",
            "us-gaap:CashCashEquivalentsRestrictedCashAndRestrictedCashEquivalents",
            "us-gaap:Cash",
        ),
    ),
    Concept(
        "shares_outstanding",
        "stock",
        "shares",
        ("us-gaap:CommonStockSharesOutstanding",),
    ),
    Concept(
        "shares_cover",
        "cover",
        "shares",
        ("dei:EntityCommonStockSharesOutstanding",),
    ),
    Concept(
        "shares_average",
        "flow",
        "shares",
        ("us-gaap:WeightedAverageNumberOfSharesOutstandingBasic",),
    ),
    Concept("total_assets", "stock", "USD", ("us-gaap:Assets",)),
    Concept(
        "operating_cash_flow",
        "flow",
        "USD",
        (
            "us-gaap:NetCashProvidedByUsedInOperatingActivities",
            "us-gaap:NetCashProvidedByUsedInOperatingActivitiesContinuingOperations",
        ),
    ),
    Concept(
        "capex",
        "flow",
        "USD",
        (
            "us-gaap:PaymentsToAcquirePropertyPlantAndEquipment",
            "us-gaap:PaymentsToAcquireProductiveAssets",
        ),
    ),
    Concept(
        "dividends",
        "flow",
        "USD",
        ("us-gaap:PaymentsOfDividendsCommonStock", "us-gaap:PaymentsOfDividends"),
    ),
)


def describe_concepts() -> pd.DataFrame:
    """The table above as a DataFrame: column, kind, unit and the concepts in order.

    Examples
    --------
    >>> describe_concepts().set_index("column").loc["revenue", "concepts"].split(", ")[0]
    'us-gaap:Revenues'
    """
    return pd.DataFrame(
        [(c.column, c.kind, c.unit, ", ".join(c.tags)) for c in CONCEPTS],
        columns=["column", "kind", "unit", "concepts"],
    )
