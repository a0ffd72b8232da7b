"""The SEC's answers on disk: one gzipped JSON per company, and the ticker list.

Each file is written atomically beside a small record of when it was fetched; a file older than
``max_age`` is fetched again (unless offline), and one that does not read back (truncated,
corrupt) is dropped and fetched again, never used.
"""

from __future__ import annotations

import gzip
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from factorlab._files import cache_root, write_atomic

__all__ = ["EdgarCache"]


class EdgarCache:
    """JSON documents under ``root`` (default: factorlab's cache folder, ``edgar/``).

    Parameters
    ----------
    root : str or path, optional
        The folder; by default ``edgar`` in :func:`factorlab._files.cache_root`.
    max_age : timedelta
        How long a document stays fresh (a day by default: company facts change with filings).
    """

    def __init__(
        self, root: str | os.PathLike[str] | None = None, max_age: timedelta = timedelta(days=1)
    ) -> None:
        self.root = Path(root).expanduser() if root is not None else cache_root() / "edgar"
        self.max_age = max_age
        self.damaged: list[str] = []

    def path(self, name: str) -> Path:
        """Where the document ``name`` (``companyfacts/CIK0000320193``) is kept."""
        return self.root / f"{name}.json.gz"

    def get(self, name: str, fresh_only: bool = True) -> dict[str, Any] | None:
        """The cached document, or None when absent, damaged or (with ``fresh_only``) stale."""
        path = self.path(name)
        record = path.with_suffix(".meta")
        if not path.is_file():
            return None
        try:
            fetched = datetime.fromisoformat(json.loads(record.read_text())["fetched_at"])
            with gzip.open(path, "rt", encoding="utf-8") as handle:
                document = json.load(handle)
        except (OSError, ValueError, KeyError, EOFError):
            self.damaged.append(name)
            path.unlink(missing_ok=True)
            record.unlink(missing_ok=True)
            return None
        if fresh_only and datetime.now(UTC) - fetched > self.max_age:
            return None
        return document

    def put(self, name: str, document: dict[str, Any]) -> None:
        """Keep ``document`` as ``name``, atomically, with the time it was fetched."""
        path = self.path(name)

        def write(tmp: Path) -> None:
            with gzip.open(tmp, "wt", encoding="utf-8") as handle:
                json.dump(document, handle, separators=(",", ":"))

        write_atomic(path, write)
        stamp = json.dumps({"fetched_at": datetime.now(UTC).isoformat()})
        write_atomic(path.with_suffix(".meta"), lambda tmp: tmp.write_text(stamp))
