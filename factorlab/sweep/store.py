"""Finished trials on disk: one JSON file per finished chunk, written atomically.

A sweep killed halfway leaves whole chunk files only; the rerun reads them and computes the
rest. A trial's id includes the dataset's fingerprint, so a store is never read for other data;
a file that does not read back is set aside (its trials are computed again) and named.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from pathlib import Path
from typing import Any

from factorlab._files import write_atomic

__all__ = ["SweepStore"]


class SweepStore:
    """The chunk files of one sweep folder.

    Parameters
    ----------
    folder : str or path
        Created if missing.
    fingerprint : str
        The dataset's fingerprint, recorded beside the chunks.
    """

    def __init__(self, folder: str | os.PathLike[str], fingerprint: str) -> None:
        self.folder = Path(folder).expanduser()
        self.folder.mkdir(parents=True, exist_ok=True)
        self.fingerprint = fingerprint

    def rows(self, wanted: set[str]) -> list[dict[str, Any]]:
        """The saved rows of the trials in ``wanted`` (each once)."""
        found: dict[str, dict[str, Any]] = {}
        damaged = []
        for path in sorted(self.folder.glob("chunk-*.json")):  # one file per finished chunk
            try:
                rows = json.loads(path.read_text())
            except (OSError, ValueError):
                damaged.append(path.name)
                continue
            for row in rows:
                if row.get("trial") in wanted:
                    found.setdefault(row["trial"], row)
        if damaged:
            warnings.warn(
                f"Sweep store {self.folder}: {len(damaged)} chunk file(s) do not read back "
                f"({', '.join(damaged[:3])}); their trials are computed again.",
                UserWarning,
                stacklevel=3,
            )
        return list(found.values())

    def write(self, rows: list[dict[str, Any]]) -> Path:
        """Write one finished chunk atomically; returns its path."""
        ids = ",".join(sorted(row["trial"] for row in rows))
        name = hashlib.sha256(ids.encode()).hexdigest()[:16]
        path = self.folder / f"chunk-{name}.json"
        text = json.dumps(rows, separators=(",", ":"))
        write_atomic(path, lambda tmp: tmp.write_text(text))
        return path
