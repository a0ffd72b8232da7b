"""The ``factorlab`` command: ``dataset``, ``screen``, ``backtest``, ``doctor``; errors are one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd

import factorlab as fl
from factorlab.cli import main


def test_run_prints_a_summary_of_the_sample(capsys):
    assert main(["dataset"]) == 0
    out = capsys.readouterr().out
    assert "tickers       200 in 11 sectors" in out
    assert "2010-01-01 to 2024-12-31 (3,913 trading days)" in out
    assert "Information Technology" in out
    assert "delisted 30 (" in out and "crash" in out and "acquired" in out
    assert (
        "planted premia per year for +1 sd of exposure: value +4.0%, growth +3.0%, momentum +4.0%"
        in out
    )


def test_run_accepts_sample_size_options(capsys):
    assert main(["dataset", "--n-tickers", "30", "--years", "3", "--seed", "1"]) == 0
    assert "tickers       30 in 11 sectors" in capsys.readouterr().out


def test_run_on_a_saved_folder(small_sample, tmp_path, capsys):
    small_sample.save(tmp_path / "lab")
    assert main(["dataset", "--dataset", str(tmp_path / "lab")]) == 0
    assert "tickers       40 in" in capsys.readouterr().out


def test_a_bad_dataset_is_one_error_line_and_exit_code_2(capsys):
    assert main(["dataset", "--dataset", "smaple"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        "factorlab: error: Unknown dataset source 'smaple', and there is no folder of that name here. Did you mean 'sample'?"
    )
    assert "Traceback" not in err


def test_a_bad_number_is_reported_by_name(capsys):
    assert main(["dataset", "--n-tickers", "many"]) == 2
    assert "n_tickers must be an integer, got 'many'" in capsys.readouterr().err


def test_no_command_prints_help(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: factorlab")
    assert "the main job: execute the notebooks" in out


def test_the_installed_console_script_runs():
    script = Path(sys.executable).parent / "factorlab"
    out = subprocess.run(
        [str(script), "dataset", "--n-tickers", "25", "--years", "3"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert "tickers       25 in" in out.stdout


def test_screen_prints_the_top_rows(capsys):
    assert (
        main(["screen", "--n-tickers", "30", "--years", "3", "--top", "4", "--weights", "value=1"])
        == 0
    )
    out = capsys.readouterr().out
    assert "stocks ranked; weights {'value': 1.0}" in out
    assert len([line for line in out.splitlines() if line.rstrip().endswith((" 1", " 4"))]) == 2


def test_screen_names_the_tickers_that_could_not_be_loaded(capsys, monkeypatch):
    import factorlab.cli as cli

    sample = fl.load_dataset("sample", n_tickers=30, years=3)
    fetched = fl.Dataset(
        prices=sample.prices,
        fundamentals=sample.fundamentals,
        meta=sample.meta,
        volume=sample.volume,
        failed={"GONE": "possibly delisted"},
    )
    monkeypatch.setattr(cli, "_load", lambda args: fetched)
    assert main(["screen", "--top", "3"]) == 0
    assert "not loaded: GONE (possibly delisted)" in capsys.readouterr().err


def test_backtest_prints_the_stats(capsys):
    assert main(["backtest", "--n-tickers", "30", "--years", "3", "--cost-bps", "25"]) == 0
    out = capsys.readouterr().out
    assert "monthly, 25 bps" in out and "Sharpe ratio" in out and "benchmark (LABX)" in out


def test_doctor_reports_versions_ollama_and_the_sample(capsys, monkeypatch):
    monkeypatch.setenv("OLLAMA_HOST", "http://127.0.0.1:9")  # nothing listens there
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "pandas" in out and "server not reachable at http://127.0.0.1:9" in out
    assert "the lab market loads" in out


def test_screen_takes_as_of_and_neutralize(capsys):
    assert (
        main(
            [
                "screen",
                "--n-tickers",
                "30",
                "--years",
                "3",
                "--top",
                "3",
                "--as-of",
                "2023-06-30",
                "--neutralize",
                "sector",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert out.startswith("Screen on 2023-06-30 ")
    expected = fl.screen(
        fl.load_dataset("sample", n_tickers=30, years=3),
        top=3,
        as_of="2023-06-30",
        neutralize="sector",
    )
    assert [line.split()[0] for line in out.splitlines()[3:6]] == expected.index.tolist()


def test_backtest_takes_the_api_options(capsys):
    argv = [
        "backtest",
        "--n-tickers",
        "40",
        "--years",
        "3",
        "--top-n",
        "5",
        "--short",
        "--lag",
        "2",
        "--weighting",
        "cap",
        "--rebalance",
        "quarterly",
        "--cost-bps",
        "25",
    ]
    assert main(argv) == 0
    out = capsys.readouterr().out
    ds = fl.load_dataset("sample", n_tickers=40, years=3)
    result = fl.backtest(
        fl.score(ds), ds, top_n=5, short=True, lag=2, weighting="cap", rebalance="Q", cost_bps=25
    )
    assert "top 5 long, bottom 5 short, cap-weighted, quarterly, lag 2, 25 bps" in out
    cagr = next(line for line in out.splitlines() if line.startswith("CAGR"))
    assert f"{result.stats().loc['CAGR', 'strategy']:.4f}" in cagr


def test_run_finds_the_packages_notebooks_from_any_folder(tmp_path, monkeypatch):
    from factorlab.run import find_notebooks

    monkeypatch.chdir(tmp_path)
    assert [p.stem for p in find_notebooks(["05"])] == ["05_backtest"]
    assert find_notebooks(["05"])[0].exists()


def test_run_says_where_it_looked_for_a_notebook_it_cannot_find(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["run", "99"]) == 2
    err = capsys.readouterr().err
    assert "No single notebook matches '99'" in err
    assert "05_backtest" in err  # the package's notebooks were searched
    assert main(["run", "--notebook-dir", str(tmp_path)]) == 2
    assert f"looked in {tmp_path}" in capsys.readouterr().err


def test_fetch_edgar_prints_each_companys_quarters_and_saves_the_rows(sec, tmp_path, capsys):
    saved = tmp_path / "rows.parquet"
    code = main(["fetch-edgar", "TSLA", "NOPE", "--cache-dir", str(tmp_path), "--save", str(saved)])
    out = capsys.readouterr().out
    assert code == 0
    assert "TSLA" in out and "quarters 2010-" in out and "failed: NOPE: not in the SEC" in out
    assert set(pd.read_parquet(saved)["ticker"]) == {"TSLA"}


def test_fetch_edgar_bulk_imports_a_zip_into_the_store(sec, tmp_path, capsys):
    zipped = fl.data.edgar.synthetic_bulk_zip(tmp_path / "cf.zip", 3, 2019, 2020)
    code = main(["fetch-edgar", "--bulk", str(zipped), "--cache-dir", str(tmp_path / "c")])
    assert code == 0 and "3 companies" in capsys.readouterr().out
    assert fl.data.edgar.BulkStore(tmp_path / "c" / "bulk").ciks == {
        1_000_001,
        1_000_002,
        1_000_003,
    }
    assert sec.requests == []


def test_fetch_edgar_without_tickers_or_bulk_says_what_to_give(capsys):
    assert main(["fetch-edgar"]) == 2
    assert "needs tickers or CIKs" in capsys.readouterr().err


def test_fetch_edgar_without_a_user_agent_is_one_error_line(sec, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("FACTORLAB_SEC_USER_AGENT")
    assert main(["fetch-edgar", "TSLA", "--cache-dir", str(tmp_path)]) == 2
    assert "FACTORLAB_SEC_USER_AGENT" in capsys.readouterr().err


def test_sweep_runs_a_yaml_grid_and_prints_the_best_and_the_tests_of_luck(tmp_path, capsys):
    grid = tmp_path / "grid.yaml"
    grid.write_text(
        "weights:\n  simplex: [value, momentum]\n  step: 0.5\nrebalance: [M, Q]\ncost_bps: 10\n"
    )
    options = ["--n-tickers", "40", "--years", "4", "--workers", "1", "--blocks", "8"]
    store = tmp_path / "store"
    assert main(["sweep", str(grid), *options, "--store", str(store)]) == 0
    out = capsys.readouterr().out
    assert "6 trials (6 computed, 0 from the store)" in out
    assert "deflated Sharpe ratio" in out and "probability of backtest overfitting" in out
    assert main(["sweep", str(grid), *options, "--store", str(store)]) == 0
    assert "6 trials (0 computed, 6 from the store)" in capsys.readouterr().out


def test_sweep_with_a_bad_grid_file_is_one_error_line(tmp_path, capsys):
    grid = tmp_path / "grid.yaml"
    grid.write_text("quantile: [5, 10]\n")
    assert main(["sweep", str(grid), "--n-tickers", "40", "--years", "4"]) == 2
    assert "no parameter 'quantile'" in capsys.readouterr().err
    assert main(["sweep", str(tmp_path / "missing.yaml")]) == 2
    assert "Cannot read the grid file" in capsys.readouterr().err
