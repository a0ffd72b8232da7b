"""Folders of parquet files plus a JSON manifest, written atomically and read back checked.

The store knows frames and a manifest, not what they mean: :meth:`Dataset.save` says what to
write, and the folder source of :func:`factorlab.load_dataset` builds the Dataset (and the
lab market's truth) from what it reads.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from factorlab._version import __version__
from factorlab.errors import DataError

__all__ = ["FORMAT_VERSION", "MANIFEST", "read_folder", "write_folder"]

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
_FORMAT_NAME = "factorlab-dataset"


def write_folder(
    frames: dict[str, pd.DataFrame],
    details: dict[str, Any],
    path: str | os.PathLike[str],
    *,
    overwrite: bool = True,
) -> Path:
    """The folder ``path``, written atomically with ``frames`` and a manifest of ``details``.

    Each frame is one parquet file and the manifest holds ``details``. The write is atomic: a
    crash never leaves a half-written folder. Returns the folder.
    """
    target = Path(path).expanduser()
    if target.exists():
        if not (target / MANIFEST).is_file():
            raise DataError(
                f"{target} already exists and is not a factorlab dataset folder; refusing to "
                "replace it. Choose a new path."
            )
        if not overwrite:
            raise DataError(f"a dataset is already saved at {target}; pass overwrite=True.")
    target.parent.mkdir(parents=True, exist_ok=True)
    manifest = {
        "format": _FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "factorlab_version": __version__,
        **details,
        "files": {name: f"{name}.parquet" for name in frames},
    }

    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    retired = None
    try:
        os.chmod(staging, 0o777 & ~_umask())  # mkdtemp makes it private; a dataset is shareable
        for name, frame in frames.items():
            _write_parquet(frame, staging / f"{name}.parquet", name)
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, default=str))
        if target.exists():
            retired = target.parent / f".{target.name}.old-{uuid.uuid4().hex[:8]}"
            target.rename(retired)
        staging.rename(target)
    except BaseException:
        if retired is not None and not target.exists():
            retired.rename(target)  # put the previous dataset back
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if retired is not None:
        shutil.rmtree(retired, ignore_errors=True)
    return target


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write_parquet(frame: pd.DataFrame, file: Path, name: str) -> None:
    import pyarrow as pa  # pyarrow loads only to save

    try:
        frame.to_parquet(file)
    except (pa.ArrowException, TypeError, ValueError) as err:
        raise DataError(
            f"Could not save {name}: {err}. Give each column a single type (numbers, dates or "
            "text, e.g. with .astype(str)) and save again."
        ) from err


def read_folder(path: str | os.PathLike[str]) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """The frames and manifest of a folder written by :func:`write_folder`.

    Any damage is a DataError that says what is wrong, not a traceback.
    """
    folder = Path(path).expanduser()
    if not folder.exists():
        raise DataError(
            f"No dataset folder at {folder}: the path does not exist. Check the path, or use "
            "fl.load_dataset('sample') for the embedded data."
        )
    if not folder.is_dir():
        raise DataError(f"{folder} is a file, not a dataset folder saved with ds.save(path).")
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise DataError(
            f"{folder} has no {MANIFEST}, so it is not a dataset saved with ds.save(path) (or "
            "the save did not finish). Save the dataset again."
        )
    try:
        manifest = json.loads(manifest_path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise DataError(
            f"{manifest_path} is not valid JSON ({err}); the folder is damaged. Save the dataset "
            "again."
        ) from err
    if not isinstance(manifest, dict) or manifest.get("format") != _FORMAT_NAME:
        raise DataError(f"{manifest_path} is not a factorlab dataset manifest.")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise DataError(
            f"{folder} was saved in dataset format version {version!r}; this factorlab reads "
            f"version {FORMAT_VERSION}. Save it again with this version of factorlab (or upgrade)."
        )

    files = manifest.get("files")
    if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
        raise DataError(f"{manifest_path} has no valid 'files' table; save the dataset again.")
    frames = {}
    for name, filename in files.items():
        file = folder / filename
        if not file.is_file():
            raise DataError(
                f"{folder} is missing {filename}; the dataset is incomplete. Save it again."
            )
        try:
            frames[name] = pd.read_parquet(file)
        except Exception as err:  # pyarrow raises many types for a damaged file
            raise DataError(
                f"Could not read {filename} in {folder}: it is damaged or not a parquet file "
                f"({type(err).__name__}: {err}). Save the dataset again."
            ) from err
    if "prices" not in frames:
        raise DataError(f"{manifest_path} lists no prices file; the dataset is incomplete.")

    return frames, manifest
