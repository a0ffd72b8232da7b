"""The Yahoo cache: atomic, locked, freshness by kind, damaged files detected and dropped."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pandas as pd

from factorlab.data.yahoo.cache import YahooCache, default_cache_dir


def _frame(value: float, rows: int = 50) -> pd.DataFrame:
    return pd.DataFrame(
        {"adj_close": [value] * rows}, index=pd.bdate_range("2024-01-01", periods=rows)
    )


def test_a_frame_round_trips_with_its_record(tmp_path):
    cache = YahooCache(tmp_path)
    cache.put("AAA", "prices", _frame(1.0), start=pd.Timestamp("2024-01-01"))
    entry = cache.get("AAA", "prices")
    pd.testing.assert_frame_equal(entry.frame, _frame(1.0), check_freq=False)
    assert entry.record["start"] == "2024-01-01" and entry.record["rows"] == 50
    assert json.loads((tmp_path / "prices" / "AAA.json").read_text())["rows"] == 50
    assert cache.get("BBB", "prices") is None
    assert not list(tmp_path.rglob("*.tmp"))  # no temporary files left behind


def test_prices_are_fresh_for_a_day_and_statements_for_a_week(tmp_path):
    cache = YahooCache(tmp_path)
    cache.put("AAA", "prices", _frame(1.0))
    cache.put("AAA", "quarterly_income", _frame(1.0))
    now = datetime.now(UTC)
    prices, income = cache.get("AAA", "prices"), cache.get("AAA", "quarterly_income")
    assert cache.is_fresh(prices, "prices", now)
    assert not cache.is_fresh(prices, "prices", now + timedelta(days=1, minutes=1))
    assert cache.is_fresh(income, "quarterly_income", now + timedelta(days=6))
    assert not cache.is_fresh(income, "quarterly_income", now + timedelta(days=7, minutes=1))


def test_a_truncated_file_is_detected_removed_and_reported(tmp_path):
    cache = YahooCache(tmp_path)
    cache.put("AAA", "prices", _frame(1.0))
    path = tmp_path / "prices" / "AAA.parquet"
    path.write_bytes(path.read_bytes()[:100])
    assert cache.get("AAA", "prices") is None
    assert not path.exists() and not (tmp_path / "prices" / "AAA.json").exists()
    assert cache.damaged == ["AAA prices"]


def test_a_file_replaced_behind_its_record_is_treated_as_damaged(tmp_path):
    cache = YahooCache(tmp_path)
    cache.put("AAA", "prices", _frame(1.0))
    _frame(2.0, rows=500).to_parquet(tmp_path / "prices" / "AAA.parquet")  # not via the cache
    assert cache.get("AAA", "prices") is None and cache.damaged == ["AAA prices"]


def test_a_damaged_record_only_costs_a_refetch(tmp_path):
    cache = YahooCache(tmp_path)
    cache.put("AAA", "prices", _frame(1.0))
    (tmp_path / "prices" / "AAA.json").write_text("{not json")
    assert cache.get("AAA", "prices") is None
    cache.put("AAA", "prices", _frame(3.0))
    assert cache.get("AAA", "prices").frame["adj_close"].iloc[0] == 3.0


def test_a_mismatch_seen_outside_the_lock_is_checked_again_before_anything_is_removed(
    tmp_path, monkeypatch
):
    cache = YahooCache(tmp_path)
    cache.put("AAA", "prices", _frame(1.0))
    real_read = YahooCache._read
    calls = []

    def racing_read(self, ticker, kind):  # the first look lands mid-write of another process
        calls.append(1)
        return False if len(calls) == 1 else real_read(self, ticker, kind)

    monkeypatch.setattr(YahooCache, "_read", racing_read)
    entry = cache.get("AAA", "prices")
    assert entry is not None and cache.damaged == [] and len(calls) == 2


_WRITER = """
import sys
import pandas as pd
from factorlab.data.yahoo.cache import YahooCache

root, value = sys.argv[1], float(sys.argv[2])
cache = YahooCache(root)
for i in range(15):
    frame = pd.DataFrame({"adj_close": [value] * (40 + i)},
                         index=pd.bdate_range("2024-01-01", periods=40 + i))
    cache.put("AAA", "prices", frame)
    cache.put(f"T{value:.0f}{i}", "info", frame.head(1))
    entry = cache.get("AAA", "prices")  # reading while the other process writes
    assert entry is not None and len(entry.frame) >= 40, "a reader saw a damaged entry"
"""


def test_two_processes_writing_the_same_entry_leave_valid_files_and_records(tmp_path):
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(tmp_path), str(v)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for v in (1.0, 2.0)
    ]
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
    cache = YahooCache(tmp_path)
    entry = cache.get("AAA", "prices")
    assert entry is not None and cache.damaged == []
    assert entry.frame["adj_close"].iloc[0] in (1.0, 2.0) and len(entry.frame) == 54
    assert len(list((tmp_path / "info").glob("*.json"))) == 30  # no record was lost
    assert not list(tmp_path.rglob("*.tmp"))


def test_an_empty_answer_is_fresh_for_a_day_only(tmp_path):
    cache = YahooCache(tmp_path)
    cache.put("ETF", "quarterly_income", pd.DataFrame())
    entry = cache.get("ETF", "quarterly_income")
    assert cache.is_fresh(entry, "quarterly_income")
    assert not cache.is_fresh(entry, "quarterly_income", datetime.now(UTC) + timedelta(days=2))


def test_the_cache_folder_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("FACTORLAB_CACHE", str(tmp_path / "shared"))
    assert default_cache_dir() == tmp_path / "shared" / "yahoo"
    monkeypatch.delenv("FACTORLAB_CACHE")
    assert default_cache_dir().name == "yahoo" and "factorlab" in str(default_cache_dir())
