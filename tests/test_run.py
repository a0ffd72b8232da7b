"""``factorlab run``: executed notebooks, HTML, a summary, and failures that name the notebook."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from factorlab.cli import main
from factorlab.run import find_notebooks, notebook_dataset

FOLDER = Path(__file__).parents[1] / "notebooks"


def test_run_on_two_notebooks_writes_them_html_and_a_summary_and_names_a_failure(
    tmp_path, capsys, monkeypatch
):
    monkeypatch.setenv("FACTORLAB_CACHE", str(tmp_path / "cache"))
    output = tmp_path / "out"
    code = main(["run", "01", "03_momentum", "--output", str(output), "--notebook-dir",
                 str(FOLDER), "-p", "n_tickers", "40", "-p", "years", "4", "-p", "quantiles",
                 "1"])  # fmt: skip
    assert code == 1  # quantiles=1 is refused: both notebooks fail, each named
    err = capsys.readouterr().err
    assert "2 notebook(s) failed: 01_value, 03_momentum" in err
    summary = json.loads((output / "summary.json").read_text())
    failure = summary["notebooks"][0]["error"]
    assert failure.startswith("cell ") and "quantiles must be at least 2" in failure

    good = tmp_path / "good"
    assert main(["run", "02", "03", "--output", str(good), "--notebook-dir", str(FOLDER),
                 "--n-tickers", "40", "--years", "4"]) == 0  # fmt: skip
    assert sorted(p.name for p in good.iterdir()) == [
        "02_growth.html", "02_growth.ipynb", "03_momentum.html", "03_momentum.ipynb",
        "summary.json", "summary.md"]  # fmt: skip


def test_a_failing_notebook_does_not_stop_the_next(tmp_path, monkeypatch):
    from factorlab.run import run_notebooks

    monkeypatch.setenv("FACTORLAB_CACHE", str(tmp_path / "cache"))
    runs = run_notebooks([FOLDER / "01_value.ipynb", FOLDER / "02_growth.ipynb"], tmp_path,
                         {"n_tickers": "40", "years": "4", "dataset": "no-such-source"},
                         html=False)  # fmt: skip
    assert [r.status for r in runs] == ["failed", "failed"]
    assert "Unknown dataset source 'no-such-source'" in runs[1].error


def test_notebooks_are_found_by_number_or_name(tmp_path):
    assert [p.stem for p in find_notebooks(["05", "01_value"], FOLDER)] == ["05_backtest",
                                                                           "01_value"]  # fmt: skip
    with pytest.raises(Exception, match="No single notebook matches '9'"):
        find_notebooks(["9"], FOLDER)
    with pytest.raises(Exception, match="No numbered notebooks"):
        find_notebooks(None, tmp_path)


def test_the_dataset_of_a_notebooks_parameters_takes_strings():
    ds = notebook_dataset("sample", "None" if False else None, "2023-01-01", None, "30", "3", "1")
    assert len(ds.tickers) == 30 and ds.start.year == 2023
