"""fl.sweep: each trial equals the direct score and backtest, on every executor, resumable."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest

import factorlab as fl
from factorlab.sweep.store import SweepStore

GRID = dict(
    weights=fl.simplex(["value", "growth", "momentum"], step=0.5),
    rebalance=["M", "Q"],
    cost_bps=[5, 25],
    neutralize=[None, "sector"],
)


@pytest.fixture(scope="module")
def ds() -> fl.Dataset:
    return fl.load_dataset("sample", n_tickers=60, years=5, seed=7)


@pytest.fixture(scope="module")
def serial(ds) -> fl.SweepResult:
    return fl.sweep(fl.Grid(**GRID), ds, workers=1, progress=False)


def test_every_trial_is_run_once_and_counted(serial):
    assert len(serial) == len(fl.Grid(**GRID)) == 48
    assert serial.computed == 48 and serial.reused == 0 and serial.complete
    assert serial.table.index.is_unique


def test_each_trial_equals_a_direct_score_and_backtest(serial, ds):
    for tid in serial.table.index[::7]:  # a spread of trials, both scoring settings
        trial = serial.parameters[tid]
        scored = fl.score(ds, weights=trial["weights"], neutralize=trial["neutralize"])
        direct = fl.backtest(
            scored.composite, ds, rebalance=trial["rebalance"], cost_bps=trial["cost_bps"]
        ).stats()["strategy"]
        row = serial.table.loc[tid, direct.index].astype(float)
        np.testing.assert_allclose(row.to_numpy(), direct.to_numpy(dtype=float), rtol=0, atol=1e-12)


def test_local_processes_and_a_thread_executor_give_the_same_table(serial, ds):
    grid = fl.Grid(**GRID)
    processes = fl.sweep(grid, ds, workers=2, progress=False)
    with ThreadPoolExecutor(2) as pool:
        threads = fl.sweep(grid, ds, executor=pool, progress=False)
    pd.testing.assert_frame_equal(processes.table, serial.table)
    pd.testing.assert_frame_equal(threads.table, serial.table)


def test_the_table_holds_parameters_then_figures(serial):
    columns = list(serial.table.columns)
    assert columns[:4] == ["weights", "value weight", "growth weight", "momentum weight"]
    assert {"rebalance", "cost_bps", "neutralize", "Sharpe ratio", "CAGR"} <= set(columns)
    pure = serial.table[serial.table["weights"] == "value=1"]
    assert (pure[["growth weight", "momentum weight"]] == 0).all().all()


def test_a_rerun_on_the_store_computes_nothing(ds, tmp_path):
    grid = fl.Grid(**GRID)
    first = fl.sweep(grid, ds, workers=1, store=tmp_path, progress=False)
    again = fl.sweep(grid, ds, workers=1, store=tmp_path, progress=False)
    assert (again.computed, again.reused) == (0, 48)
    pd.testing.assert_frame_equal(again.table, first.table)


def test_an_interrupted_store_computes_only_the_missing_trials(ds, tmp_path):
    grid = fl.Grid(**GRID)
    fl.sweep(grid, ds, workers=1, store=tmp_path, chunk_size=8, progress=False)
    chunks = sorted(tmp_path.glob("chunk-*.json"))
    lost = chunks[:2]  # as if the sweep had been killed before these two chunks finished
    missing = sum(len(json.loads(p.read_text())) for p in lost)
    for path in lost:
        path.unlink()
    again = fl.sweep(grid, ds, workers=1, store=tmp_path, chunk_size=8, progress=False)
    assert again.computed == missing == 16 and again.reused == 48 - missing
    assert len(again) == 48 and again.table.index.is_unique


def test_a_store_is_not_reused_for_other_data(ds, tmp_path):
    grid = fl.Grid(rebalance=["M"], cost_bps=[5])
    fl.sweep(grid, ds, workers=1, store=tmp_path, progress=False)
    other = fl.load_dataset("sample", n_tickers=60, years=5, seed=8)
    again = fl.sweep(grid, other, workers=1, store=tmp_path, progress=False)
    assert (again.computed, again.reused) == (1, 0)


def test_a_damaged_chunk_is_named_and_its_trials_computed_again(ds, tmp_path):
    grid = fl.Grid(rebalance=["M", "Q"])
    fl.sweep(grid, ds, workers=1, store=tmp_path, chunk_size=1, progress=False)
    damaged = sorted(tmp_path.glob("chunk-*.json"))[0]
    damaged.write_text('[{"trial": "abc", "fig')
    with pytest.warns(UserWarning, match="do not read back"):
        again = fl.sweep(grid, ds, workers=1, store=tmp_path, chunk_size=1, progress=False)
    assert (again.computed, again.reused) == (1, 1)


def test_ctrl_c_keeps_what_finished(ds, tmp_path, monkeypatch):
    from factorlab.sweep import engine

    calls = {"n": 0}
    real = engine._run_chunk

    def interrupted(payload, chunk):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(payload, chunk)

    monkeypatch.setattr(engine, "_run_chunk", interrupted)
    grid = fl.Grid(rebalance=["M", "Q"], cost_bps=[5, 10, 25])
    with pytest.warns(UserWarning, match="interrupted: 2 of 6 trials finished"):
        res = fl.sweep(grid, ds, workers=1, store=tmp_path, chunk_size=1, progress=False)
    assert len(res) == 2 and not res.complete
    assert len(SweepStore(tmp_path, ds.fingerprint()).rows(set(res.table.index))) == 2


def test_an_executor_that_is_not_one_says_what_to_pass(ds):
    with pytest.raises(fl.ConfigError, match="concurrent.futures.Executor"):
        fl.sweep(fl.Grid(rebalance=["M"]), ds, executor="tcp://127.0.0.1:8786", progress=False)


def test_a_sweep_needs_a_grid(ds):
    with pytest.raises(fl.ConfigError, match="needs a fl.Grid"):
        fl.sweep({"rebalance": ["M"]}, ds)  # type: ignore[arg-type]
