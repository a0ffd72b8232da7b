"""Saving and loading: exact round trips, atomic writes, and damage reported as DataError."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import factorlab as fl
from factorlab.data import store


def _assert_same(a: fl.Dataset, b: fl.Dataset) -> None:
    pd.testing.assert_frame_equal(a.prices, b.prices)
    pd.testing.assert_frame_equal(a.meta, b.meta)
    for part in ("volume", "fundamentals"):
        if getattr(a, part) is None:
            assert getattr(b, part) is None
        else:
            pd.testing.assert_frame_equal(getattr(a, part), getattr(b, part))
    if a.benchmark is None:
        assert b.benchmark is None
    else:
        pd.testing.assert_series_equal(a.benchmark, b.benchmark)
    assert (a.source, a.notes, a.failed) == (b.source, b.notes, b.failed)


def test_sample_round_trip_is_exact_including_the_truth(small_sample, tmp_path):
    small_sample.save(tmp_path / "lab")
    back = fl.load_dataset(tmp_path / "lab")
    _assert_same(small_sample, back)
    t, u = small_sample.truth, back.truth
    assert (t.seed, t.n_tickers, t.years, t.premia_ann, t.noise) == (
        u.seed,
        u.n_tickers,
        u.years,
        u.premia_ann,
        u.noise,
    )
    for name, frame in t.exposures.items():
        pd.testing.assert_frame_equal(frame, u.exposures[name])
    pd.testing.assert_frame_equal(t.stocks, u.stocks)
    pd.testing.assert_frame_equal(t.delistings, u.delistings)


def test_round_trip_of_a_user_dataset_with_missing_parts(tiny_parts, tmp_path):
    ds = fl.Dataset(prices=tiny_parts["prices"], meta=tiny_parts["meta"], failed={"XYZ": "no data"})
    ds.save(tmp_path / "mine")
    _assert_same(ds, fl.load_dataset(str(tmp_path / "mine")))


def test_manifest_records_format_version_time_and_source(tiny_parts, tmp_path):
    fl.Dataset(**tiny_parts, source="user").save(tmp_path / "d")
    manifest = json.loads((tmp_path / "d" / "manifest.json").read_text())
    assert manifest["format_version"] == store.FORMAT_VERSION
    assert manifest["source"] == "user"
    assert pd.Timestamp(manifest["created_at"]).tzinfo is not None
    assert set(manifest["files"]) == {"prices", "volume", "fundamentals", "meta", "benchmark"}


def test_save_replaces_an_existing_dataset_and_leaves_no_temporary_folders(tiny_parts, tmp_path):
    target = tmp_path / "d"
    fl.Dataset(**tiny_parts).save(target)
    smaller = fl.Dataset(prices=tiny_parts["prices"][["AAA"]])
    smaller.save(target)
    assert fl.load_dataset(target).tickers == ["AAA"]
    assert [p.name for p in tmp_path.iterdir()] == ["d"]


def test_a_failed_save_leaves_the_previous_dataset_intact(tiny_parts, tmp_path, monkeypatch):
    target = tmp_path / "d"
    fl.Dataset(**tiny_parts).save(target)

    def broken(self, path, *args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", broken)
    with pytest.raises(OSError, match="disk full"):
        fl.Dataset(prices=tiny_parts["prices"][["AAA"]]).save(target)
    monkeypatch.undo()
    assert fl.load_dataset(target).tickers == ["AAA", "BBB", "CCC"]
    assert [p.name for p in tmp_path.iterdir()] == ["d"]


def test_save_refuses_to_replace_a_folder_that_is_not_a_dataset(tiny_parts, tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "thesis.txt").write_text("precious")
    with pytest.raises(fl.DataError, match="is not a factorlab dataset folder; refusing"):
        fl.Dataset(**tiny_parts).save(tmp_path / "notes")
    assert (tmp_path / "notes" / "thesis.txt").read_text() == "precious"


def test_save_without_overwrite_refuses_an_existing_dataset(tiny_parts, tmp_path):
    fl.Dataset(**tiny_parts).save(tmp_path / "d")
    with pytest.raises(fl.DataError, match="pass overwrite=True"):
        fl.Dataset(**tiny_parts).save(tmp_path / "d", overwrite=False)
    with pytest.raises(fl.DataError, match="pass overwrite=True"):
        fl.Dataset(**tiny_parts).save(tmp_path / "d", overwrite="false")  # as papermill passes it


# -- damage is a DataError that says what to do ------------------------------------------------


@pytest.fixture
def saved(tiny_parts, tmp_path):
    folder = tmp_path / "d"
    fl.Dataset(**tiny_parts).save(folder)
    return folder


def test_a_missing_folder_says_the_path_does_not_exist(tmp_path):
    with pytest.raises(
        fl.DataError, match="No dataset folder at .*nowhere: the path does not exist"
    ):
        fl.load_dataset(tmp_path / "nowhere")


def test_a_missing_parquet_file_is_named(saved):
    (saved / "fundamentals.parquet").unlink()
    with pytest.raises(
        fl.DataError, match="is missing fundamentals.parquet; the dataset is incomplete"
    ):
        fl.load_dataset(saved)


def test_a_corrupt_parquet_file_is_a_data_error_not_a_pyarrow_traceback(saved):
    (saved / "prices.parquet").write_bytes(b"PAR1 this is not parquet at all")
    with pytest.raises(fl.DataError, match="Could not read prices.parquet .* damaged") as info:
        fl.load_dataset(saved)
    assert info.value.__cause__ is not None


def test_a_truncated_parquet_file_is_a_data_error(saved):
    data = (saved / "meta.parquet").read_bytes()
    (saved / "meta.parquet").write_bytes(data[: len(data) // 2])
    with pytest.raises(fl.DataError, match="Could not read meta.parquet"):
        fl.load_dataset(saved)


def test_a_missing_manifest_means_not_a_saved_dataset(saved):
    (saved / "manifest.json").unlink()
    with pytest.raises(fl.DataError, match="has no manifest.json"):
        fl.load_dataset(saved)


def test_a_corrupt_manifest_is_reported(saved):
    (saved / "manifest.json").write_text("{not json")
    with pytest.raises(fl.DataError, match="is not valid JSON"):
        fl.load_dataset(saved)


def test_another_format_version_asks_to_save_again(saved):
    manifest = json.loads((saved / "manifest.json").read_text())
    manifest["format_version"] = 99
    (saved / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(fl.DataError, match="format version 99; this factorlab reads version 1"):
        fl.load_dataset(saved)


def test_a_file_instead_of_a_folder_is_reported(tmp_path):
    file = tmp_path / "prices.csv"
    file.write_text("date,AAA\n")
    with pytest.raises(fl.DataError, match="is a file, not a dataset folder"):
        fl.load_dataset(file)


def test_a_failure_while_swapping_folders_puts_the_old_dataset_back(
    tiny_parts, tmp_path, monkeypatch
):
    from pathlib import Path

    target = tmp_path / "d"
    fl.Dataset(**tiny_parts).save(target)
    real_rename = Path.rename

    def rename(self, destination):
        if self.name.endswith(".tmp"):
            raise OSError("rename failed")
        return real_rename(self, destination)

    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(OSError, match="rename failed"):
        fl.Dataset(prices=tiny_parts["prices"][["AAA"]]).save(target)
    monkeypatch.undo()
    assert fl.load_dataset(target).tickers == ["AAA", "BBB", "CCC"]
    assert [p.name for p in tmp_path.iterdir()] == ["d"]


def test_a_saved_folder_is_readable_by_others_as_the_umask_allows(tiny_parts, tmp_path):
    import os

    old = os.umask(0o022)
    try:
        fl.Dataset(**tiny_parts).save(tmp_path / "d")
    finally:
        os.umask(old)
    assert (tmp_path / "d").stat().st_mode & 0o777 == 0o755


def test_a_column_that_cannot_be_saved_is_named(tiny_parts, tmp_path):
    meta = tiny_parts["meta"].assign(note=[1, "two", 3.0])
    with pytest.raises(fl.DataError, match="Could not save meta: .*single type"):
        fl.Dataset(prices=tiny_parts["prices"], meta=meta).save(tmp_path / "d")
    assert list(tmp_path.iterdir()) == []


def test_a_manifest_without_a_files_table_is_reported(saved):
    manifest = json.loads((saved / "manifest.json").read_text())
    manifest["files"] = ["prices.parquet"]
    (saved / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(fl.DataError, match="has no valid 'files' table"):
        fl.load_dataset(saved)


def test_damaged_truth_is_a_data_error_naming_the_folder(small_sample, tmp_path):
    folder = tmp_path / "lab"
    small_sample.save(folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    del manifest["files"]["truth_stocks"]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(fl.DataError, match=r"The dataset in .*lab is damaged \(KeyError"):
        fl.load_dataset(folder)


def test_a_readable_but_wrong_file_is_reported_with_the_folder(saved):
    (saved / "prices.parquet").write_bytes((saved / "fundamentals.parquet").read_bytes())
    with pytest.raises(fl.DataError, match="The dataset in .* does not check out: prices"):
        fl.load_dataset(saved)
