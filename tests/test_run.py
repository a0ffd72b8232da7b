"""``factorlab run``: executed notebooks, HTML, a summary, and failures that name the notebook."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from factorlab.cli import main
from factorlab.notebook import notebook_dataset
from factorlab.run import find_notebooks

FOLDER = Path(__file__).parents[1] / "notebooks"


def test_run_on_two_notebooks_writes_them_html_and_a_summary_and_names_a_failure(
    tmp_path, capsys, monkeypatch
):
    monkeypatch.setenv("FACTORLAB_CACHE", str(tmp_path / "cache"))
    output = tmp_path / "out"
    code = main(
        [
            "run",
            "05",
            "01_value",
            "--output",
            str(output),
            "--notebook-dir",
            str(FOLDER),
            "-p",
            "n_tickers",
            "40",
            "-p",
            "years",
            "4",
            "-p",
            "costs_to_try",
            "cheap",
        ]
    )
    assert code == 1  # 05 cannot read its cost levels; 01 does not take them and still runs
    err = capsys.readouterr().err
    assert "1 notebook(s) failed: 05_backtest" in err
    summary = json.loads((output / "summary.json").read_text())
    failed, ran = summary["notebooks"]
    assert failed["status"] == "failed" and failed["error"].startswith("cell ")
    assert "\n" not in failed["error"]
    assert "costs_bps must be a number" in failed["error"]
    assert ran["status"] == "ok" and ran["figures"]["value_ic_mean_longest"]
    assert sorted(p.name for p in output.iterdir()) == [
        "01_value.html",
        "01_value.ipynb",
        "05_backtest.html",
        "05_backtest.ipynb",
        "summary.json",
        "summary.md",
    ]
    assert "failed at cell" in (output / "summary.md").read_text()


def test_a_failing_notebook_does_not_stop_the_next(tmp_path, monkeypatch):
    from factorlab.run import run_notebooks

    monkeypatch.setenv("FACTORLAB_CACHE", str(tmp_path / "cache"))
    runs = run_notebooks(
        [FOLDER / "01_value.ipynb", FOLDER / "02_growth.ipynb"],
        tmp_path,
        {"n_tickers": "40", "years": "4", "dataset": "no-such-source"},
        html=False,
    )
    assert [r.status for r in runs] == ["failed", "failed"]
    assert "Unknown dataset source 'no-such-source'" in runs[1].error


def test_a_parameter_no_notebook_takes_is_refused_up_front(tmp_path):
    from factorlab.errors import ConfigError
    from factorlab.run import run_notebooks

    with pytest.raises(ConfigError, match="No notebook takes the parameter\\(s\\) n_ticker;"):
        run_notebooks([FOLDER / "01_value.ipynb"], tmp_path, {"n_ticker": "30"})
    assert not list(tmp_path.iterdir())


def test_an_unknown_kernel_is_refused_up_front(tmp_path):
    from factorlab.errors import ConfigError
    from factorlab.run import run_notebooks

    with pytest.raises(ConfigError, match="No Jupyter kernel named 'nosuch'"):
        run_notebooks([FOLDER / "01_value.ipynb"], tmp_path, kernel="nosuch")


def test_notebooks_are_found_by_number_or_name(tmp_path):
    assert [p.stem for p in find_notebooks(["05", "01_value"], FOLDER)] == [
        "05_backtest",
        "01_value",
    ]
    with pytest.raises(Exception, match="No single notebook matches '9'"):
        find_notebooks(["9"], FOLDER)
    with pytest.raises(Exception, match="No numbered notebooks"):
        find_notebooks(None, tmp_path)


def test_the_dataset_of_a_notebooks_parameters_takes_strings():
    ds = notebook_dataset("sample", None, "2023-01-01", None, "30", "3", "1")
    assert len(ds.tickers) == 30 and ds.start.year == 2023
