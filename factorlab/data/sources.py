"""``load_dataset``: one entry point for every source of market data."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from factorlab.data.dataset import Dataset
from factorlab.data.sample import make_sample
from factorlab.data.sample.truth import SampleTruth
from factorlab.data.store import read_folder
from factorlab.data.yahoo import load_yahoo
from factorlab.errors import DataError
from factorlab.params import did_you_mean

__all__ = ["SOURCES", "load_dataset"]

SOURCES = {
    "sample": "the embedded lab market: synthetic, offline, deterministic (the default)",
    "yahoo": "prices and fundamentals from Yahoo Finance through yfinance, cached on disk",
}


def load_dataset(source: str | os.PathLike[str] = "sample", **options: Any) -> Dataset:
    """Load a Dataset from a named source or a folder saved with ``ds.save(path)``.

    Parameters
    ----------
    source : str or path
        ``"sample"`` (the embedded lab market), ``"yahoo"``, or the path of a saved folder.
    **options
        Passed to the source: for ``"sample"``, ``n_tickers``, ``years`` and ``seed`` (strings
        such as ``"300"`` are accepted, as papermill passes them); for every source,
        ``tickers``, ``start`` and ``end`` restrict the dataset (``ds.slice``); for ``"yahoo"``,
        those of
        :func:`factorlab.data.yahoo.load_yahoo` (``tickers``, ``start``, ``end``, ``benchmark``,
        ``cache_dir``, ``refresh``, ``offline``, ``progress``, ``fundamentals="edgar"`` for
        every quarter since 2009 from SEC EDGAR with its ``user_agent`` and
        ``edgar_max_age_days``).

    Raises
    ------
    DataError
        For an unknown source (with a suggestion) or a missing or damaged folder.

    Examples
    --------
    >>> import factorlab as fl
    >>> ds = fl.load_dataset("sample", n_tickers=50, years=5)
    >>> len(ds.tickers)
    50
    """
    if isinstance(source, str) and source.strip().lower() == "yahoo":
        return _load(source, options)
    window = {k: options.pop(k, None) for k in ("tickers", "start", "end")}
    ds = _load(source, options)
    if any(v is not None and v != "" for v in window.values()):
        ds = ds.slice(window["start"] or None, window["end"] or None, window["tickers"] or None)
    return ds


def _load(source: str | os.PathLike[str], options: dict[str, Any]) -> Dataset:
    if isinstance(source, os.PathLike):
        return _from_folder(Path(source), options)
    if not isinstance(source, str):
        raise DataError(
            f"source must be a name ({', '.join(SOURCES)}) or a folder path, got "
            f"{type(source).__name__}."
        )
    name = source.strip()
    if name.lower() == "sample":
        return make_sample(**_only(options, {"n_tickers", "years", "seed"}, "sample"))
    if name.lower() == "yahoo":
        allowed = {
            "tickers",
            "start",
            "end",
            "benchmark",
            "cache_dir",
            "refresh",
            "offline",
            "progress",
            "retry",
            "fundamentals",
            "user_agent",
            "edgar_max_age_days",
        }
        options = {k: v for k, v in _only(options, allowed, "yahoo").items() if v is not None}
        if "tickers" not in options or options["tickers"] is None:
            raise DataError(
                "load_dataset('yahoo') needs tickers, e.g. load_dataset('yahoo', "
                "tickers=['AAPL', 'MSFT'], start='2018-01-01')."
            )
        return load_yahoo(**options)
    if _looks_like_path(name):
        return _from_folder(Path(name), options)
    known = ", ".join(f"'{s}' ({why})" for s, why in SOURCES.items())
    raise DataError(
        f"Unknown dataset source {name!r}, and there is no folder of that name here."
        f"{did_you_mean(name.lower(), SOURCES)} Known sources: {known}, or the path of a folder "
        "saved with ds.save(path). Try 'sample'."
    )


def _looks_like_path(name: str) -> bool:
    return os.sep in name or "/" in name or name.startswith((".", "~")) or Path(name).exists()


def _from_folder(path: Path, options: dict[str, Any]) -> Dataset:
    """A dataset saved with ``ds.save(path)``, the lab market's truth included."""
    _only(options, set(), "a saved folder")
    frames, manifest = read_folder(path)
    folder = Path(path).expanduser()
    try:
        truth = None
        if manifest.get("truth"):
            truth = SampleTruth.from_saved(manifest["truth"], frames)
        benchmark = frames.get("benchmark")
        return Dataset(
            prices=frames["prices"],
            volume=frames.get("volume"),
            close=frames.get("close"),
            fundamentals=frames.get("fundamentals"),
            meta=frames.get("meta"),
            benchmark=None if benchmark is None else benchmark.iloc[:, 0],
            truth=truth,
            source=manifest.get("source", str(folder)),
            notes=manifest.get("notes"),
            failed=manifest.get("failed"),
        )
    except DataError as err:
        raise DataError(f"The dataset in {folder} does not check out: {err}") from err
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as err:
        raise DataError(
            f"The dataset in {folder} is damaged ({type(err).__name__}: {err}). Save it again."
        ) from err


def _only(options: dict[str, Any], allowed: set[str], what: str) -> dict[str, Any]:
    unknown = sorted(set(options) - allowed)
    if unknown:
        accepted = ", ".join(sorted(allowed)) or "none"
        raise DataError(f"{', '.join(unknown)} is not an option of {what}; it accepts: {accepted}.")
    return options
