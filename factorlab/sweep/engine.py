"""Running a sweep: the trials of a grid, scored and backtested, shared work done once.

The costly part of a trial is its score's components (each family's standardized exposure),
which depend on the scoring setting (method, neutralize, winsorize) but not on the weights or
any backtest option. They are computed once per setting, in this process, and sent to each
worker once with the dataset; a task is a chunk of trials of one setting, and returns one small
row per trial: its figures and its returns' sums per month (what the probability of backtest
overfitting needs), never a panel.
"""

from __future__ import annotations

import inspect
import math
import os
import warnings
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from typing import Any

import numpy as np
import pandas as pd

from factorlab.backtest import backtest
from factorlab.data import Dataset
from factorlab.errors import ConfigError
from factorlab.factors import score
from factorlab.factors.composite import combine, standardized_components
from factorlab.factors.weights import DEFAULT_WEIGHTS
from factorlab.params import as_bool, as_int
from factorlab.sweep.grid import BACKTEST_PARAMETERS, Grid, trial_id
from factorlab.sweep.result import SweepResult
from factorlab.sweep.store import SweepStore

__all__ = ["sweep", "run_trial"]

_SCORING = ("method", "neutralize", "winsorize")  # what the components depend on
_DEFAULTS = {
    name: p.default
    for function in (score, backtest)
    for name, p in inspect.signature(function).parameters.items()
    if p.default is not inspect.Parameter.empty
}

# In a local worker process: the dataset and components sent once by the initializer.
_INSTALLED: dict[str, Any] = {}


def sweep(
    grid: Grid,
    ds: Dataset,
    executor: Any = None,
    *,
    store: str | os.PathLike[str] | None = None,
    workers: int | None = None,
    chunk_size: int | None = None,
    progress: bool = True,
) -> SweepResult:
    """Score and backtest every trial of ``grid`` on ``ds``; every trial counted.

    Parameters
    ----------
    grid : Grid
        The trials (see :class:`factorlab.Grid`).
    ds : Dataset
    executor : dask.distributed.Client or concurrent.futures.Executor, optional
        Where the trials run. None: local processes, one per core (``workers=1``: this process).
        A Dask ``Client`` receives the dataset once per worker (``scatter(broadcast=True)``);
        any other executor is given the dataset with each task (fine for threads).
    store : str or path, optional
        A folder where each finished chunk is written atomically; a rerun with the same store
        computes only the trials missing from it (for the same dataset).
    workers : int, optional
        Local processes (default: the machine's cores).
    chunk_size : int, optional
        Trials per task (default: enough for about four tasks per worker, at most 64).
    progress : bool
        Show a progress bar.

    Returns
    -------
    SweepResult
        ``table`` (one row per trial), ``best``, ``deflated_sharpe``, ``pbo``, ``returns``;
        ``computed`` and ``reused`` say how many trials this call ran and read from the store.

    Examples
    --------
    >>> import factorlab as fl
    >>> ds = fl.load_dataset("sample", n_tickers=40, years=4)
    >>> grid = fl.Grid(weights=fl.simplex(["value", "momentum"], step=0.5), cost_bps=[5, 25])
    >>> res = fl.sweep(grid, ds, workers=1, progress=False)
    >>> len(res.table), res.computed
    (6, 6)
    """
    if not isinstance(grid, Grid):
        raise ConfigError(f"sweep needs a fl.Grid, got {type(grid).__name__}.")
    fingerprint = ds.fingerprint()
    trials = {trial_id(t, fingerprint): t for t in grid.trials()}  # a repeated trial runs once
    saved = SweepStore(store, fingerprint) if store is not None else None
    rows = saved.rows(set(trials)) if saved is not None else []
    reused = len(rows)
    done = {row["trial"] for row in rows}
    missing = [(tid, t) for tid, t in trials.items() if tid not in done]
    count = _workers(workers, executor)
    chunks = _chunks(missing, count, chunk_size)
    payload = _payload(ds, chunks) if chunks else None
    interrupted = False
    try:
        for finished in _bar(_execute(chunks, payload, executor, count), len(missing), progress):
            rows.extend(finished)
            if saved is not None:
                saved.write(finished)
    except KeyboardInterrupt:
        interrupted = True
        warnings.warn(
            f"The sweep was interrupted: {len(rows)} of {len(trials)} trials finished"
            + (f" and are kept in {store}; run it again to compute the rest." if store else ".")
            + " The result holds those finished.",
            UserWarning,
            stacklevel=2,
        )
    return SweepResult.from_rows(
        rows,
        trials,
        ds=ds,
        computed=len(rows) - reused,
        reused=reused,
        complete=not interrupted,
    )


def run_trial(trial: dict[str, Any], ds: Dataset, components: dict[str, pd.DataFrame]) -> dict:
    """One trial's row: its figures and its monthly return sums, from shared components.

    Equal to ``fl.backtest(fl.score(ds, **score_options).composite, ds, **backtest_options)``.
    """
    weights = trial.get("weights") or DEFAULT_WEIGHTS
    composite = combine(components, weights)
    options = {k: trial[k] for k in BACKTEST_PARAMETERS if k in trial}
    result = backtest(composite, ds, **options)
    figures = result.stats()["strategy"]
    returns = result.returns.dropna()
    index = pd.DatetimeIndex(returns.index)
    month = index.year * 12 + index.month - 1
    starts = np.flatnonzero(np.r_[True, np.diff(month) != 0])  # the first day of each month
    values = returns.to_numpy()
    sums = (
        np.column_stack(
            [
                np.diff(np.r_[starts, len(values)]),
                *(np.add.reduceat(values**k, starts) for k in (1, 2)),
            ]
        )
        if len(values)
        else np.empty((0, 3))
    )
    names = [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in month[starts]]
    return {
        "figures": {str(k): float(v) for k, v in figures.items()},
        "months": names,
        "moments": sums.tolist(),
    }


# -- the work ---------------------------------------------------------------------------------


def _scoring_key(trial: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(trial.get(k, _DEFAULTS[k]) for k in _SCORING)


def _chunks(
    missing: list[tuple[str, dict[str, Any]]], workers: int, size: int | None
) -> list[list[tuple[str, dict[str, Any]]]]:
    """Trials grouped by scoring setting, cut into tasks of ``size``."""
    if not missing:
        return []
    per = as_int(size, "chunk_size", minimum=1) if size is not None else None
    per = per or max(1, min(64, math.ceil(len(missing) / (4 * workers))))
    by_key: dict[tuple[Any, ...], list[tuple[str, dict[str, Any]]]] = {}
    for item in missing:
        by_key.setdefault(_scoring_key(item[1]), []).append(item)
    return [group[i : i + per] for group in by_key.values() for i in range(0, len(group), per)]


def _payload(ds: Dataset, chunks: list[list[tuple[str, dict[str, Any]]]]) -> dict[str, Any]:
    """The dataset and, per scoring setting, the components its trials' weights need."""
    needed: dict[tuple[Any, ...], set[str]] = {}
    for chunk in chunks:
        for _, trial in chunk:
            weights = trial.get("weights") or DEFAULT_WEIGHTS
            needed.setdefault(_scoring_key(trial), set()).update(weights)
    components = {}
    for key, families in needed.items():  # a few scoring settings: the shared, costly part
        options = dict(zip(_SCORING, key, strict=True))
        components[key] = standardized_components(ds, sorted(families), **options)
    return {"ds": ds, "components": components}


def _run_chunk(payload: dict[str, Any], chunk: list[tuple[str, dict[str, Any]]]) -> list[dict]:
    """A task: each trial of the chunk, as a row (trial id, parameters, figures, months)."""
    rows = []
    for tid, trial in chunk:  # a few dozen trials per task; each is a vectorized backtest
        components = payload["components"][_scoring_key(trial)]
        rows.append(
            {"trial": tid, "parameters": trial, **run_trial(trial, payload["ds"], components)}
        )
    return rows


def _install(payload: dict[str, Any]) -> None:
    _INSTALLED.clear()
    _INSTALLED.update(payload)


def _run_installed(chunk: list[tuple[str, dict[str, Any]]]) -> list[dict]:
    return _run_chunk(_INSTALLED, chunk)


def _execute(
    chunks: list[list[tuple[str, dict[str, Any]]]],
    payload: dict[str, Any] | None,
    executor: Any,
    workers: int,
) -> Iterator[list[dict]]:
    """Each chunk's rows as it finishes, on the executor asked for."""
    if not chunks or payload is None:
        return
    if executor is None and workers == 1:
        for chunk in chunks:
            yield _run_chunk(payload, chunk)
        return
    if executor is None:
        with ProcessPoolExecutor(workers, initializer=_install, initargs=(payload,)) as pool:
            yield from _drain([pool.submit(_run_installed, c) for c in chunks], as_completed)
        return
    if _is_dask_client(executor):
        from distributed import as_completed as dask_completed  # Dask: only for a Dask client

        shared = executor.scatter(payload, broadcast=True, hash=False)
        futures = [executor.submit(_run_chunk, shared, c, pure=False) for c in chunks]
        yield from _drain(futures, dask_completed)
        return
    if not isinstance(executor, Executor):
        raise ConfigError(
            "executor must be a dask.distributed.Client or a concurrent.futures.Executor, got "
            f"{type(executor).__name__}; install Dask with pip install 'factorlab[dask]'."
        )
    yield from _drain([executor.submit(_run_chunk, payload, c) for c in chunks], as_completed)


def _drain(futures: list[Any], completed: Callable[[list[Any]], Iterable[Any]]) -> Iterator[list]:
    try:
        for future in completed(futures):
            yield future.result()
    except BaseException:
        for future in futures:  # Ctrl-C or a failure: stop what has not started
            future.cancel()
        raise


def _is_dask_client(executor: Any) -> bool:
    kind = type(executor)
    return kind.__name__ == "Client" and kind.__module__.startswith("distributed")


def _workers(workers: int | None, executor: Any) -> int:
    if workers is not None:
        return as_int(workers, "workers", minimum=1)
    if executor is not None and _is_dask_client(executor):
        return max(1, len(executor.scheduler_info().get("workers", {})))
    return max(1, os.cpu_count() or 1)


def _bar(items: Iterator[list[dict]], total: int, show: bool) -> Iterator[list[dict]]:
    if not as_bool(show, "progress") or total == 0:
        yield from items
        return
    from tqdm.auto import tqdm  # tqdm.auto loads the notebook widgets: only for a progress bar

    with tqdm(total=total, desc="sweep", unit="trial", leave=False) as bar:
        for rows in items:
            bar.update(len(rows))
            yield rows
