"""``fl.data.edgar.fundamentals``: tickers or CIKs in, point-in-time fundamentals out."""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path

import pandas as pd

from factorlab.data.edgar.bulk import BulkStore
from factorlab.data.edgar.cache import EdgarCache
from factorlab.data.edgar.client import SecClient, SecNotFound, SecUnavailable, user_agent
from factorlab.data.edgar.facts import EdgarError, flatten
from factorlab.data.edgar.quarters import quarterly_rows
from factorlab.errors import ConfigError, DataError
from factorlab.params import as_bool, as_float, split_items

__all__ = ["OFFLINE_ROUTES", "fundamentals"]

OFFLINE_ROUTES = (
    "offline=True with a cache filled by an earlier run, a dataset saved with ds.save(folder) "
    "and loaded with fl.load_dataset(folder), or the lab market, fl.load_dataset('sample')"
)
_TICKER_LIST = "company_tickers"


def fundamentals(
    tickers_or_ciks: str | int | Iterable[str | int],
    user_agent: str | None = None,
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    offline: bool = False,
    refresh: bool = False,
    max_age_days: float = 1.0,
    client: SecClient | None = None,
    bulk: str | os.PathLike[str] | BulkStore | bool | None = None,
) -> pd.DataFrame:
    """Quarterly fundamentals of US filers from SEC EDGAR, point in time, in a Dataset's format.

    Every quarter since the company's first XBRL filing (2009 for the largest), each figure as
    first reported and dated by its filing, a restatement as a later row (see
    :mod:`factorlab.data.edgar.quarters` for the rules). Answers are cached per company for a
    day; a rerun within it sends no request.

    Parameters
    ----------
    tickers_or_ciks : str, int or list
        Tickers (``"AAPL"``, ``"BRK-B"``; ``"AAPL,MSFT"`` works) or CIKs (``320193``).
    user_agent : str, optional
        Your name and email, which the SEC asks of every client; default
        ``$FACTORLAB_SEC_USER_AGENT``. Needed only when something must be downloaded.
    cache_dir : str or path, optional
        Where answers are kept; default ``edgar/`` in factorlab's cache folder.
    offline : bool
        Use only the cache (stale answers included); a company not in it is listed as failed.
    refresh : bool
        Download again even when the cache is fresh.
    max_age_days : float
        How long a cached answer stays fresh.
    client : SecClient, optional
        A client of your own (hosts, retries); by default one with ``user_agent``.
    bulk : BulkStore, path or bool, optional
        Read companies from a store built by :func:`~factorlab.data.edgar.import_bulk`
        (``factorlab fetch-edgar --bulk``) instead of asking for each: by default the one in
        ``bulk/`` of the cache folder when there is one; False never; a path or store that one.
        Companies the store lacks are asked for as usual.

    Returns
    -------
    DataFrame
        ``ticker``, ``period_end``, ``available_at``, ``fiscal_period``, the fundamentals
        columns, and ``accn``, ``form``, ``filed``, ``concepts``: pass it to
        ``fl.Dataset(prices=..., fundamentals=...)``. ``.attrs["failed"]`` maps each ticker
        that could not be loaded to the reason; ``.attrs["notes"]`` says where the figures came
        from and how they were dated.

    Raises
    ------
    ConfigError
        When something must be downloaded and no User-Agent is set; or bad options.
    DataError
        When no company could be loaded: the message gives each reason, and the offline routes
        when the SEC could not be reached.

    Examples
    --------
    >>> rows = fundamentals(["AAPL", "MSFT"], "Jane Doe jane@example.com")  # doctest: +SKIP
    >>> ds = fl.Dataset(prices=my_prices, fundamentals=rows)  # doctest: +SKIP
    """
    wanted = _wanted(tickers_or_ciks)
    offline, refresh = as_bool(offline, "offline"), as_bool(refresh, "refresh")
    if offline and refresh:
        raise ConfigError("refresh=True downloads again and offline=True never does; choose one.")
    cache = EdgarCache(cache_dir, timedelta(days=as_float(max_age_days, "max_age_days")))
    source = _Source(cache, client, user_agent, offline, refresh)
    failed: dict[str, str] = {}
    ciks = _ciks(wanted, source, failed)
    store = _bulk_store(bulk, cache.root / "bulk")
    held = store.ciks if store is not None else set()
    in_store = {cik: label for label, cik in ciks.items() if cik in held}
    stored = store.rows(in_store) if store is not None and in_store else None
    frames, labels = [], {}
    for label, cik in ciks.items():  # one request per company: I/O, not a hot path
        if cik in in_store:
            continue
        try:
            document = source.document(f"companyfacts/CIK{cik:010d}")
            frames.append(flatten(document))
            labels[cik] = label
        except (SecUnavailable, SecNotFound, EdgarError) as err:
            failed[label] = str(err)
    if not frames and stored is None:
        raise _nothing_loaded(failed, offline)
    parts = [] if stored is None else [stored]
    if frames:
        parts.append(quarterly_rows(pd.concat(frames, ignore_index=True), labels))
    rows = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    found = set(rows["ticker"].unique())
    for label in [*labels.values(), *in_store.values()]:
        if label not in found:
            failed[label] = "its company facts hold no quarterly us-gaap figures factorlab reads"
    rows.attrs["failed"] = failed
    rows.attrs["notes"] = _notes(cache, source)
    if in_store and store is not None:
        made = store.manifest
        rows.attrs["notes"].append(
            f"{len(in_store)} of the companies come from the SEC's bulk file of "
            f"{made['zip_date']} (imported {made['imported_at'][:10]} into {store.path}); "
            "figures filed after it are missing until the next import."
        )
    return rows


def _bulk_store(
    bulk: str | os.PathLike[str] | BulkStore | bool | None, default: Path
) -> BulkStore | None:
    if bulk is None or bulk is True:
        store = BulkStore(default)
        if store.exists:
            return store
        if bulk is True:
            raise DataError(
                f"No EDGAR bulk store at {store.path}; build one with `factorlab fetch-edgar "
                "--bulk` or pass bulk=None to ask company by company."
            )
        return None
    if bulk is False:
        return None
    store = bulk if isinstance(bulk, BulkStore) else BulkStore(bulk)
    store.manifest  # noqa: B018  (raises a DataError naming the fix when there is none)
    return store


def _wanted(value: object) -> list[str]:
    if isinstance(value, int | str):
        items = split_items(str(value))
    elif isinstance(value, Iterable):
        items = [str(v).strip() for v in value]
    else:
        raise ConfigError(f"tickers_or_ciks must be tickers or CIKs, got {value!r}.")
    items = [i.upper() for i in items if i]
    if not items:
        raise ConfigError("tickers_or_ciks is empty; give tickers such as 'AAPL,MSFT' or CIKs.")
    return list(dict.fromkeys(items))


class _Source:
    """Documents from the cache, else from the SEC (the client is made on first need)."""

    def __init__(
        self,
        cache: EdgarCache,
        client: SecClient | None,
        agent: str | None,
        offline: bool,
        refresh: bool,
    ) -> None:
        self.cache, self._client, self.agent = cache, client, agent
        self.offline, self.refresh = offline, refresh
        self.unreachable = False

    @property
    def client(self) -> SecClient:
        if self._client is None:
            self._client = SecClient(user_agent(self.agent))  # raises without a User-Agent
        return self._client

    @property
    def requests(self) -> int:
        return 0 if self._client is None else self._client.requests

    def document(self, name: str) -> dict:
        if not self.refresh:
            cached = self.cache.get(name, fresh_only=not self.offline)
            if cached is not None:
                return cached
        if self.offline:
            raise SecUnavailable(f"{name} is not in the cache and offline=True does not download")
        try:
            if name == _TICKER_LIST:
                document = self.client.company_tickers()
            else:
                document = self.client.company_facts(int(name.rsplit("CIK", 1)[1]))
        except SecUnavailable:
            self.unreachable = True
            stale = self.cache.get(name, fresh_only=False)
            if stale is not None:  # an older answer beats none; the notes say so
                return stale
            raise
        self.cache.put(name, document)
        return document


def _ciks(wanted: list[str], source: _Source, failed: dict[str, str]) -> dict[str, int]:
    """Each wanted item's CIK: digits are CIKs; tickers go through the SEC's ticker list."""
    ciks = {w: int(w) for w in wanted if w.isdigit()}
    names = [w for w in wanted if not w.isdigit()]
    if not names:
        return ciks
    try:
        listing = source.document(_TICKER_LIST)
    except (SecUnavailable, SecNotFound) as err:
        failed.update({name: f"no ticker list to find its CIK ({err})" for name in names})
        return ciks
    by_ticker = {
        str(entry.get("ticker", "")).upper().replace(".", "-"): int(entry["cik_str"])
        for entry in listing.values()
        if isinstance(entry, dict) and "cik_str" in entry
    }
    for name in names:
        cik = by_ticker.get(name.replace(".", "-"))
        if cik is None:
            failed[name] = (
                "not in the SEC's ticker list (not a US filer, or delisted); pass its CIK"
            )
        else:
            ciks[name] = cik
    return ciks


def _nothing_loaded(failed: dict[str, str], offline: bool) -> DataError:
    reasons = "; ".join(f"{k}: {v}" for k, v in list(failed.items())[:5])
    unreachable = any("did not answer" in v or "not in the cache" in v for v in failed.values())
    routes = f" Without the network, use {OFFLINE_ROUTES}." if unreachable or offline else ""
    return DataError(f"No company could be loaded from SEC EDGAR ({reasons}).{routes}")


def _notes(cache: EdgarCache, source: _Source) -> list[str]:
    notes = [
        "Fundamentals: SEC EDGAR XBRL company facts (us-gaap), each quarter as first reported; "
        "a later different value is a new row from its own filing.",
        "available_at is the first business day after a filing's 'filed' date (company facts "
        "carry no acceptance time).",
        "Concepts: each column's us-gaap concept is the first one filed for that company and "
        "quarter (see the 'concepts' column and fl.data.edgar.describe_concepts()).",
    ]
    if source.unreachable:
        notes.append("The SEC could not be reached: some figures come from an older cache.")
    if cache.damaged:
        notes.append(f"Damaged cache files were fetched again: {', '.join(cache.damaged)}.")
    return notes
