"""Point-in-time US fundamentals from the SEC's XBRL company facts (EDGAR).

:func:`fundamentals` is the entry point; :func:`import_bulk` reads the SEC's nightly zip of
every filer into a store it reads from. :mod:`.client` asks the SEC politely and
:mod:`.cache` keeps its answers; :mod:`.concepts` says which concepts fill which column,
:mod:`.facts` flattens a company's facts, and :mod:`.quarters` turns them into fiscal quarters
as each figure was known on each filing day.
"""

from factorlab.data.edgar.bulk import BulkStore, import_bulk
from factorlab.data.edgar.concepts import CONCEPTS, describe_concepts
from factorlab.data.edgar.facts import EdgarError, flatten
from factorlab.data.edgar.loader import fundamentals
from factorlab.data.edgar.quarters import quarterly_rows
from factorlab.data.edgar.synthetic import (
    synthetic_bulk_zip,
    synthetic_company_facts,
    synthetic_ticker_list,
)

__all__ = [
    "CONCEPTS",
    "BulkStore",
    "EdgarError",
    "describe_concepts",
    "flatten",
    "fundamentals",
    "import_bulk",
    "quarterly_rows",
    "synthetic_bulk_zip",
    "synthetic_company_facts",
    "synthetic_ticker_list",
]
