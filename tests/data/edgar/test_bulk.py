"""The bulk path: the SEC's companyfacts.zip into a parquet store, read back like the API."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import factorlab as fl
from factorlab.data.edgar import (
    BulkStore,
    flatten,
    import_bulk,
    quarterly_rows,
    synthetic_bulk_zip,
    synthetic_company_facts,
)

from .helpers import recorded

REAL = {1318605: "tsla", 1640147: "snow", 1997711: "lpa"}


def _zip(path: Path, synthetic: int = 6, damaged: bool = True) -> Path:
    """Tesla, Snowflake and the IFRS filer as recorded, ``synthetic`` made-up filers, a damaged
    member and a file that is not a company's facts, as one companyfacts.zip."""
    synthetic_bulk_zip(path, synthetic, first_year=2015, last_year=2022)
    with zipfile.ZipFile(path, "a") as archive:
        for cik, name in REAL.items():
            archive.writestr(f"CIK{cik:010d}.json", json.dumps(recorded(name)))
        if damaged:
            archive.writestr("CIK0000000007.json", '{"cik": 7, "facts": {"us-gaap": {"Reve')
        archive.writestr("README.txt", "not a company")
    return path


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> BulkStore:
    folder = tmp_path_factory.mktemp("bulk")
    return import_bulk(_zip(folder / "companyfacts.zip"), folder / "store", workers=1)


def test_every_company_with_quarters_is_stored_and_every_other_is_named(store):
    manifest = store.manifest
    assert store.ciks == {1318605, 1640147} | set(range(1_000_001, 1_000_007))
    assert "files no us-gaap facts" in manifest["failed"]["1997711"]
    assert manifest["failed"]["7"].startswith("a damaged member CIK0000000007.json")
    assert manifest["members"] == 10  # README.txt is not a member
    assert manifest["rows"] == len(store.rows({c: str(c) for c in store.ciks}))
    assert "8 companies" in repr(store)


def test_a_company_read_from_the_store_equals_its_quarters_from_the_api_path(store):
    from_store = store.rows({1318605: "TSLA"})
    direct = quarterly_rows(flatten(recorded("tsla")), {1318605: "TSLA"})
    pd.testing.assert_frame_equal(
        from_store[direct.columns], direct, check_dtype=False, check_index_type=False
    )


def test_fundamentals_reads_stored_companies_without_a_request(store, sec, tmp_path):
    rows = fl.data.edgar.fundamentals([1318605, 1_000_003], cache_dir=tmp_path, bulk=store)
    assert set(rows["ticker"]) == {"1318605", "1000003"} and sec.requests == []
    assert any("bulk file of" in note for note in rows.attrs["notes"])


def test_companies_the_store_lacks_are_asked_for_and_tickers_go_through_the_list(
    sec, tmp_path, tmp_path_factory
):
    folder = tmp_path_factory.mktemp("only-synthetic")
    only_synthetic = import_bulk(
        synthetic_bulk_zip(folder / "cf.zip", 2, 2018, 2020), folder / "store", workers=1
    )
    rows = fl.data.edgar.fundamentals(["TSLA", 1_000_002], cache_dir=tmp_path, bulk=only_synthetic)
    assert set(rows["ticker"]) == {"TSLA", "1000002"}
    assert sec.count("companyfacts/CIK0001318605") == 1 and sec.count("CIK0001000002") == 0


def test_the_default_store_lives_in_the_cache_folder_and_bulk_false_ignores_it(
    store, sec, tmp_path
):
    import shutil

    shutil.copytree(store.path, tmp_path / "bulk")
    rows = fl.data.edgar.fundamentals(1_000_001, cache_dir=tmp_path)
    assert set(rows["ticker"]) == {"1000001"} and sec.requests == []
    with pytest.raises(fl.DataError, match="No company could be loaded"):
        fl.data.edgar.fundamentals(1_000_001, cache_dir=tmp_path, bulk=False)  # the API: 404


def test_two_workers_store_the_same_quarters_as_one(store, tmp_path):
    zipped = _zip(tmp_path / "companyfacts.zip")
    two = import_bulk(zipped, tmp_path / "two", workers=2, batch_companies=3)
    assert two.ciks == store.ciks and two.manifest["failed"] == store.manifest["failed"]
    labels = {c: str(c) for c in store.ciks}
    pd.testing.assert_frame_equal(two.rows(labels), store.rows(labels))


def test_a_failed_import_leaves_the_old_store_whole(store, tmp_path):
    import shutil

    shutil.copytree(store.path, tmp_path / "store")
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(fl.DataError, match="not a readable zip"):
        import_bulk(broken, tmp_path / "store", workers=1)
    kept = BulkStore(tmp_path / "store")
    assert kept.ciks == store.ciks
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.zip", "store"]  # no debris


def test_a_missing_zip_or_store_says_what_to_do(tmp_path):
    with pytest.raises(fl.DataError, match="give the path of the SEC's companyfacts.zip"):
        import_bulk(tmp_path / "nowhere.zip", tmp_path / "store")
    with pytest.raises(fl.DataError, match="factorlab fetch-edgar --bulk"):
        fl.data.edgar.fundamentals(1, cache_dir=tmp_path, bulk=tmp_path / "store")


def test_the_zip_is_downloaded_from_the_sec_host_with_the_user_agent(sec, tmp_path):
    zipped = synthetic_bulk_zip(tmp_path / "served.zip", 2, 2019, 2020)
    sec.files["/Archives/edgar/daily-index/xbrl/companyfacts.zip"] = zipped.read_bytes()
    store = import_bulk(store=tmp_path / "cache" / "bulk", workers=1)
    assert store.ciks == {1_000_001, 1_000_002}
    assert store.manifest["source"].endswith("/Archives/edgar/daily-index/xbrl/companyfacts.zip")
    assert [agent for _, agent in sec.requests] == ["Jane Doe jane@example.com"]
    assert not (tmp_path / "cache" / "companyfacts.zip").exists()  # the store holds it now


def test_synthetic_filers_look_like_real_ones():
    facts = synthetic_company_facts(5, first_year=2018, last_year=2020, year_end_month=9)
    rows = quarterly_rows(flatten(facts), {5: "S"})
    assert rows["fiscal_period"].iloc[-1] == "FY2020Q4"
    assert rows["period_end"].iloc[-1] == pd.Timestamp("2020-09-30")
    assert (
        rows["revenue"].notna().mean() > 0.9 and (rows["available_at"] > rows["period_end"]).all()
    )
    again = synthetic_company_facts(5, first_year=2018, last_year=2020, year_end_month=9)
    assert again == facts  # the same arguments, the same file
