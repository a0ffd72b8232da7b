"""fl.sweep on a Dask LocalCluster (two worker processes on 127.0.0.1): the same table as a
serial run, the dataset sent once per worker, and a worker killed mid-sweep costs nothing."""

from __future__ import annotations

import os
import signal
import threading
import time

import pandas as pd
import pytest

import factorlab as fl

distributed = pytest.importorskip("distributed", reason="Dask is the optional factorlab[dask]")

GRID = dict(
    weights=fl.simplex(["value", "growth", "momentum"], step=0.5),
    rebalance=["M", "Q"],
    cost_bps=[5, 25],
)


@pytest.fixture(scope="module")
def ds() -> fl.Dataset:
    return fl.load_dataset("sample", n_tickers=60, years=5, seed=7)


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=50,
    )
    with cluster, distributed.Client(cluster) as connected:
        yield connected


def test_a_dask_sweep_gives_the_serial_table(ds, client):
    grid = fl.Grid(**GRID)
    serial = fl.sweep(grid, ds, workers=1, progress=False)
    on_dask = fl.sweep(grid, ds, executor=client, progress=False)
    pd.testing.assert_frame_equal(on_dask.table, serial.table)
    assert on_dask.computed == len(grid)


def test_the_executor_of_a_dask_client_works_like_any_executor(ds, client):
    grid = fl.Grid(rebalance=["M", "Q"], cost_bps=[5])
    with client.get_executor() as executor:
        res = fl.sweep(grid, ds, executor=executor, progress=False)
    pd.testing.assert_frame_equal(res.table, fl.sweep(grid, ds, workers=1, progress=False).table)


def test_a_worker_killed_mid_sweep_loses_and_repeats_nothing(ds, client, tmp_path):
    grid = fl.Grid(**GRID, quantiles=[3, 5, 10])  # 72 trials, one per task
    finished_at_kill: list[int] = []

    def kill_one_worker() -> None:
        deadline = time.monotonic() + 60
        while len(list(tmp_path.glob("chunk-*.json"))) < 5 and time.monotonic() < deadline:
            time.sleep(0.02)
        finished_at_kill.append(len(list(tmp_path.glob("chunk-*.json"))))
        pid = next(iter(client.run(os.getpid).values()))
        os.kill(pid, signal.SIGKILL)

    killer = threading.Thread(target=kill_one_worker)
    killer.start()
    res = fl.sweep(grid, ds, executor=client, store=tmp_path, chunk_size=1, progress=False)
    killer.join()
    assert finished_at_kill and finished_at_kill[0] < len(grid)  # the kill came mid-sweep
    assert len(res) == len(grid) and res.table.index.is_unique and res.complete
    assert res.computed == len(grid)
    assert len(list(tmp_path.glob("chunk-*.json"))) == len(grid)  # each trial written once
