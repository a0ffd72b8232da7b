"""The EDGAR bulk path on 4,000 synthetic filers: import time and peak memory, then reading
every company back, against the company-by-company path run in the same process.

Run: .venv/bin/python benchmarks/edgar_bulk.py [--filers 4000 --workers 2 --zip PATH]

The goal (issue 17): the import in at most 2 minutes and 2 GB on 2 cores. The zip is generated
first (not timed; kept at --zip when given, so a second run skips it and measures the import's
workers alone). The API path (each company's JSON parsed and flattened as it arrives, then the
quarters of all at once, as fundamentals() does) is timed on a sample and scaled; the SEC's rate limit alone adds filers / 10 seconds.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

import factorlab as fl
from factorlab.data.edgar import (
    flatten,
    import_bulk,
    quarterly_rows,
    synthetic_company_facts,
)
from factorlab.data.edgar.client import MAX_REQUESTS_PER_SECOND

FIRST_CIK = 1_000_001


def _member(cik: int) -> tuple[str, str]:
    month = 9 if cik % 10 == 0 else 12
    facts = synthetic_company_facts(cik, year_end_month=month)
    return f"CIK{cik:010d}.json", json.dumps(facts, separators=(",", ":"))


def make_zip(path: Path, filers: int, workers: int) -> None:
    """Generate the members in parallel, write them in order."""
    ciks = range(FIRST_CIK, FIRST_CIK + filers)
    with (
        ProcessPoolExecutor(workers) as pool,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
    ):
        for name, text in pool.map(_member, ciks, chunksize=50):
            archive.writestr(name, text)


def api_path(zip_path: Path, ciks: list[int]) -> float:
    """Seconds for ``ciks`` as fundamentals() handles answers from the API: each company's JSON
    parsed and flattened as it arrives, then the quarters of all at once (requests not counted).
    """
    started = time.perf_counter()
    with zipfile.ZipFile(zip_path) as archive:
        frames = [flatten(json.loads(archive.read(f"CIK{cik:010d}.json"))) for cik in ciks]
    quarterly_rows(pd.concat(frames, ignore_index=True), {cik: str(cik) for cik in ciks})
    return time.perf_counter() - started


def peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kilobytes on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--filers", type=int, default=4000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--zip", type=Path, default=None, help="keep the generated zip here")
    parser.add_argument("--sample", type=int, default=400, help="companies on the API path")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="edgar-bulk-"))
    zip_path = args.zip or folder / "companyfacts.zip"
    if not zip_path.exists():
        started = time.perf_counter()
        make_zip(zip_path, args.filers, args.workers)
        print(
            f"generated {args.filers} filers in {time.perf_counter() - started:.0f} s "
            f"({zip_path.stat().st_size / 1e6:.0f} MB zipped) -> {zip_path}"
        )
    members = len(zipfile.ZipFile(zip_path).namelist())
    generated_mb = peak_mb(resource.RUSAGE_CHILDREN)

    started = time.perf_counter()
    store = import_bulk(zip_path, folder / "store", workers=args.workers)
    imported_s = time.perf_counter() - started
    worker_mb = peak_mb(resource.RUSAGE_CHILDREN)
    parent_mb = peak_mb(resource.RUSAGE_SELF)
    print(
        f"import: {members} filers in {imported_s:.1f} s with {args.workers} workers "
        f"(goal <= 120 s): {store}"
    )
    worker_note = "" if worker_mb > generated_mb else " (the generator's workers were larger)"
    print(
        f"peak memory: this process {parent_mb:.0f} MB, largest worker {worker_mb:.0f} MB"
        f"{worker_note}; at most {parent_mb + args.workers * worker_mb:.0f} MB together "
        "(goal <= 2048 MB)"
    )

    ciks = sorted(store.ciks)
    started = time.perf_counter()
    rows = fl.data.edgar.fundamentals(ciks, cache_dir=folder / "cache", bulk=store)
    read_s = time.perf_counter() - started
    print(f"read back: {len(ciks)} companies, {len(rows)} quarters in {read_s:.2f} s")

    sample = ciks[: args.sample]
    naive_s = api_path(zip_path, sample) / len(sample) * len(ciks)
    requests_s = len(ciks) / MAX_REQUESTS_PER_SECOND
    print(
        f"the API path, same work on one core: {naive_s:.0f} s for {len(ciks)} companies "
        f"(scaled from {len(sample)}), plus at least {requests_s:.0f} s of requests at the SEC's "
        "rate limit"
    )
    print(
        f"ratio: the API path takes {(naive_s + requests_s) / (imported_s + read_s):.1f}x as "
        f"long as import + read; once imported, a read is "
        f"{(naive_s + requests_s) / read_s:.0f}x faster than the API path"
    )
    if imported_s > 120 or parent_mb + args.workers * worker_mb > 2048:
        print("goal missed", file=sys.stderr)


if __name__ == "__main__":
    main()
