"""Every filer at once: the SEC's nightly ``companyfacts.zip`` into a parquet store of quarters.

Asking the API company by company takes an hour for a few thousand tickers at ten requests a
second; the SEC also publishes every filer's company facts as one zip (about 1 GB, one
``CIK##########.json`` per company). :func:`import_bulk` streams it: workers read a few hundred
members at a time, turn them into point-in-time quarters (:func:`.quarters.quarterly_rows`, the
same rules as the API path) and write one parquet file per batch, so memory stays bounded
by a batch, not the zip. The store is built beside the old one and swapped in whole, with a
manifest saying where it came from and what failed. :class:`BulkStore` reads it back: the
quarters of any set of companies in seconds.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
import zipfile
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from factorlab._files import cache_root, write_atomic
from factorlab.data.edgar.client import SecClient, user_agent
from factorlab.data.edgar.facts import EdgarError, FactLists
from factorlab.data.edgar.quarters import quarterly_rows
from factorlab.errors import ConfigError, DataError

__all__ = ["BulkStore", "default_bulk_dir", "import_bulk"]

BATCH_COMPANIES = 200  # members per worker task: bounds each worker's memory
_MEMBER = re.compile(r"(?:^|/)CIK(\d{10})\.json$")
_MANIFEST = "manifest.json"


def default_bulk_dir() -> Path:
    """``edgar/bulk`` in factorlab's cache folder (``$FACTORLAB_CACHE`` when set)."""
    return cache_root() / "edgar" / "bulk"


class BulkStore:
    """The quarters of every company of one bulk import, in parquet, with its manifest.

    Parameters
    ----------
    path : str or path, optional
        The store's folder (default :func:`default_bulk_dir`).

    Examples
    --------
    >>> store = BulkStore("/nowhere")
    >>> store.exists
    False
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path).expanduser() if path is not None else default_bulk_dir()

    @property
    def exists(self) -> bool:
        """Whether a complete import is there (its manifest is written last)."""
        return (self.path / _MANIFEST).is_file()

    @property
    def manifest(self) -> dict[str, Any]:
        """Where the zip came from, when it was imported, how many companies, what failed."""
        if not self.exists:
            raise DataError(
                f"No EDGAR bulk store at {self.path}; build one with `factorlab fetch-edgar "
                "--bulk` (or fl.data.edgar.import_bulk)."
            )
        return dict(json.loads((self.path / _MANIFEST).read_text()))

    @property
    def ciks(self) -> set[int]:
        """The CIKs with quarters in the store."""
        return {int(c) for c in self.manifest["ciks"]}

    def rows(self, labels: dict[int, str]) -> pd.DataFrame:
        """The quarters of the CIKs in ``labels``, each labelled with its ticker.

        Parameters
        ----------
        labels : dict of int to str
            CIK -> the label to put in the ``ticker`` column.
        """
        import pyarrow.dataset as pads  # pyarrow's dataset reader: only to read a bulk store

        table = pads.dataset(self.path / "quarters", format="parquet").to_table(
            filter=pads.field("cik").isin(list(labels))
        )
        rows = table.to_pandas()
        rows["ticker"] = rows["cik"].map(labels)
        rows = rows.drop(columns="cik").sort_values(["ticker", "period_end", "available_at"])
        return rows.reset_index(drop=True)

    def __repr__(self) -> str:
        if not self.exists:
            return f"BulkStore({str(self.path)!r}, empty)"
        m = self.manifest
        return (
            f"BulkStore({str(self.path)!r}, {len(m['ciks'])} companies, {m['rows']} quarters, "
            f"imported {m['imported_at'][:10]} from {m['source']})"
        )


def import_bulk(
    source: str | os.PathLike[str] | None = None,
    store: str | os.PathLike[str] | None = None,
    *,
    user_agent: str | None = None,
    workers: int | None = None,
    batch_companies: int = BATCH_COMPANIES,
    progress: bool = False,
) -> BulkStore:
    """Build a bulk store of every filer's quarters from the SEC's ``companyfacts.zip``.

    Parameters
    ----------
    source : str or path, optional
        The zip: a local path, or a URL to download (streamed beside the store, removed once
        imported); default the SEC's nightly file, on ``$FACTORLAB_SEC_WWW_URL`` when set.
    store : str or path, optional
        The store's folder (default ``edgar/bulk`` in factorlab's cache folder). An existing
        store there is replaced once the new one is complete.
    user_agent : str, optional
        Your name and email, for the download (default ``$FACTORLAB_SEC_USER_AGENT``).
    workers : int, optional
        Processes that read the zip (default: the machine's cores, at most 4; 1 reads in this
        process).
    batch_companies : int
        Companies per parquet file; each worker holds one batch in memory at a time.
    progress : bool
        Show a progress bar.

    Returns
    -------
    BulkStore
        The new store; ``.manifest["failed"]`` maps each CIK whose facts gave no quarters to
        the reason (an IFRS filer, another currency, no us-gaap figures, a damaged member).

    Raises
    ------
    DataError
        When the zip cannot be read or holds no company facts; or the download fails.
    ConfigError
        For a download without a User-Agent, or bad options.

    Examples
    --------
    >>> store = import_bulk("companyfacts.zip")  # doctest: +SKIP
    >>> rows = fl.data.edgar.fundamentals(["AAPL", "MSFT"], bulk=store)  # doctest: +SKIP
    """
    target = BulkStore(store)
    if int(batch_companies) < 1:
        raise ConfigError(f"batch_companies must be at least 1, got {batch_companies!r}.")
    zip_path, origin = _local_zip(source, target.path, user_agent)
    members = _members(zip_path)
    building = target.path.with_name(f".{target.path.name}-{uuid.uuid4().hex[:8]}")
    (building / "quarters").mkdir(parents=True)
    try:
        batches = [
            (str(zip_path), members[i : i + batch_companies], str(building / "quarters"), n)
            for n, i in enumerate(range(0, len(members), batch_companies))
        ]
        results = _run(batches, workers, progress)
        ciks = sorted(c for r in results for c in r["ciks"])
        failed = {str(k): v for r in results for k, v in r["failed"].items()}
        if not ciks:
            shown = "; ".join(f"CIK {k}: {v}" for k, v in list(failed.items())[:3])
            raise DataError(f"No company in {origin} gave quarterly figures ({shown}).")
        manifest = {
            "source": origin,
            "imported_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "zip_date": _zip_date(zip_path),
            "members": len(members),
            "ciks": ciks,
            "rows": int(sum(r["rows"] for r in results)),
            "failed": failed,
        }
        write_atomic(building / _MANIFEST, lambda tmp: tmp.write_text(json.dumps(manifest)))
        _swap(building, target.path)
    finally:
        shutil.rmtree(building, ignore_errors=True)
    if origin != str(zip_path):  # downloaded: a gigabyte the store now holds in short
        zip_path.unlink(missing_ok=True)
    return target


# -- the zip ----------------------------------------------------------------------------------


def _local_zip(
    source: str | os.PathLike[str] | None, folder: Path, agent: str | None
) -> tuple[Path, str]:
    """A local path to the zip, downloading it first when ``source`` is a URL."""
    text = None if source is None else str(source)
    if text is not None and not text.startswith(("http://", "https://")):
        path = Path(text).expanduser()
        if not path.is_file():
            raise DataError(
                f"No bulk file at {path}; give the path of the SEC's companyfacts.zip, or a "
                "URL (none: the SEC's nightly file)."
            )
        return path, str(path)
    client = SecClient(user_agent(agent))
    url = text or client.bulk_url()
    path = folder.with_name("companyfacts.zip")
    client.download(url, path)
    return path, url


def _members(zip_path: Path) -> list[str]:
    try:
        with zipfile.ZipFile(zip_path) as archive:
            names = [n for n in archive.namelist() if _MEMBER.search(n)]
    except (zipfile.BadZipFile, OSError) as err:
        raise DataError(f"{zip_path} is not a readable zip ({err}); download it again.") from err
    if not names:
        raise DataError(
            f"{zip_path} holds no CIK##########.json members; is it the SEC's companyfacts.zip?"
        )
    return names


def _zip_date(zip_path: Path) -> str:
    """The newest member's date: the day the SEC built the file."""
    with zipfile.ZipFile(zip_path) as archive:
        newest = max(info.date_time for info in archive.infolist())
    return datetime(*newest).date().isoformat()


def _run(
    batches: list[tuple[str, list[str], str, int]], workers: int | None, progress: bool
) -> list[dict[str, Any]]:
    count = min(os.cpu_count() or 1, 4) if workers is None else int(workers)
    if count < 1:
        raise ConfigError(f"workers must be at least 1, got {workers!r}.")
    if count == 1 or len(batches) == 1:
        done: Iterable[dict[str, Any]] = map(_import_batch, batches)
        return list(_bar(done, len(batches), progress))
    with ProcessPoolExecutor(min(count, len(batches))) as pool:
        return list(_bar(pool.map(_import_batch, batches), len(batches), progress))


def _bar(items: Iterable[Any], total: int, show: bool) -> Iterable[Any]:
    if not show:
        return items
    from tqdm.auto import tqdm  # tqdm.auto loads the notebook widgets: only for a progress bar

    return tqdm(items, total=total, desc="EDGAR bulk", unit="batch", leave=False)


def _import_batch(batch: tuple[str, list[str], str, int]) -> dict[str, Any]:
    """One worker task: members of the zip into one parquet file of quarters."""
    zip_path, names, folder, number = batch
    gathered, failed = FactLists(), {}
    with zipfile.ZipFile(zip_path) as archive:
        for name in names:  # a few hundred members per task: I/O and parsing, then one pass
            cik = int(_MEMBER.search(name).group(1))  # type: ignore[union-attr]
            try:
                document = json.loads(archive.read(name))
                gathered.add({**document, "cik": document.get("cik") or cik})
            except EdgarError as err:  # before ValueError, which it also is
                failed[cik] = str(err)
            except (ValueError, KeyError, TypeError, AttributeError, zipfile.BadZipFile) as err:
                failed[cik] = f"a damaged member {name} ({type(err).__name__})"
    facts = gathered.frame()
    if facts.empty:
        return {"ciks": [], "rows": 0, "failed": failed}
    labels = {int(c): str(int(c)) for c in facts["cik"].unique()}
    for name in names:
        cik = int(_MEMBER.search(name).group(1))  # type: ignore[union-attr]
        if cik not in labels and cik not in failed:
            failed[cik] = "no us-gaap figures factorlab reads"
    rows = quarterly_rows(facts, labels)
    rows.insert(0, "cik", rows.pop("ticker").astype("int64"))
    found = set(rows["cik"].unique().tolist())
    for cik in set(labels) - found:
        failed[cik] = "its company facts hold no quarterly us-gaap figures factorlab reads"
    rows.to_parquet(Path(folder) / f"part-{number:05d}.parquet", index=False)
    return {"ciks": sorted(found), "rows": len(rows), "failed": failed}


def _swap(built: Path, final: Path) -> None:
    """Put the complete store in place; an old one goes only once the new one is there."""
    old = final.with_name(f".{final.name}-old-{uuid.uuid4().hex[:8]}")
    if final.exists():
        os.replace(final, old)
    os.replace(built, final)
    shutil.rmtree(old, ignore_errors=True)
