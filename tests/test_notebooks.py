"""The numbered notebooks: clean in the repository, and every one runs offline on the sample."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from factorlab.data.edgar import synthetic_company_facts, synthetic_ticker_list
from factorlab.data.edgar.cache import EdgarCache
from factorlab.data.yahoo.cache import YahooCache
from factorlab.run import find_notebooks, notebook_parameters, run_notebooks

FOLDER = Path(__file__).parents[1] / "notebooks"
NOTEBOOKS = sorted(FOLDER.glob("[0-9][0-9]_*.ipynb"))
SMALL = {"n_tickers": "40", "years": "4"}  # the full size runs in `make run`


def test_the_eight_notebooks_are_there_in_order():
    assert [p.stem for p in find_notebooks(folder=FOLDER)] == [
        "01_value",
        "02_growth",
        "03_momentum",
        "04_combination",
        "05_backtest",
        "06_ai_analyst",
        "07_sweep",
        "08_risk",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_committed_notebook_has_no_outputs_and_one_parameters_cell(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, f"{path.name} has no code cells"
    assert [c for c in code if c.outputs or c.execution_count is not None] == []
    assert len([c for c in code if "parameters" in c.metadata.get("tags", [])]) == 1
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    assert "dataset" in notebook_parameters(path)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_notebook_calls_factorlab_and_defines_nothing(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        assert not re.search(r"^\s*(def|class|lambda)\b|plt\.show|^\s*for\b", cell.source, re.M)
        imports = re.findall(r"^\s*(?:import|from)\s+(\S+)", cell.source, re.M)
        assert set(imports) <= {"factorlab"}
    prose = sum(len(c.source) for c in nb.cells if c.cell_type == "markdown")
    code_text = sum(len(c.source) for c in nb.cells if c.cell_type == "code")
    assert prose > 1.5 * code_text  # an essay with code, not code with comments


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """Every notebook run once on a small sample, offline, with no Ollama server."""
    output = tmp_path_factory.mktemp("run")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FACTORLAB_CACHE", str(output / "cache"))
        patch.setenv("OLLAMA_HOST", "http://127.0.0.1:9")  # nothing listens: the fallback path
        runs = run_notebooks(NOTEBOOKS, output, SMALL, html=True)
    return output, runs


def test_every_notebook_runs_offline_without_errors(executed):
    output, runs = executed
    assert [(r.notebook, r.status, r.error) for r in runs] == [
        (p.stem, "ok", None) for p in NOTEBOOKS
    ]
    for run in runs:
        nb = nbformat.read(run.output, as_version=4)
        bad = [
            o
            for c in nb.cells
            for o in c.get("outputs", [])
            if o.output_type == "error" or (o.output_type == "stream" and o.name == "stderr")
        ]
        assert bad == [], run.notebook
        assert Path(run.html).stat().st_size > 10_000


def test_figures_are_drawn_as_images_in_the_notebooks_and_their_html(executed):
    output, runs = executed
    for name in ("01_value", "04_combination", "05_backtest"):
        nb = nbformat.read(output / f"{name}.ipynb", as_version=4)
        images = [
            o for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})
        ]
        assert len(images) >= 2, name
        assert "<img" in (output / f"{name}.html").read_text()


def test_each_notebook_records_its_key_figures_and_the_summary_lists_them(executed):
    output, runs = executed
    figures = {r.notebook: r.figures for r in runs}
    assert set(figures["01_value"]) == {"value_ic_mean_longest", "value_t_stat_longest", "dataset"}
    assert figures["05_backtest"]["n_trials"] == 4  # the composite and three families
    assert figures["06_ai_analyst"]["analyst_source"] == "rule-based"
    assert figures["07_sweep"]["n_trials"] == 60  # 15 weight vectors x 2 rules x 2 sizes
    assert 0 <= figures["07_sweep"]["pbo"] <= 1
    assert 0 < figures["08_risk"]["mean_r_squared"] < 1
    summary = json.loads((output / "summary.json").read_text())
    assert summary["ok"] and summary["parameters"] == SMALL
    assert len(summary["dataset_fingerprints"]) == 1  # every notebook saw the same data
    assert figures["01_value"]["dataset"] == summary["dataset_fingerprints"][0]
    assert {"factorlab", "pandas", "papermill"} <= set(summary["versions"])
    text = (output / "summary.md").read_text()
    assert "8 of 8 notebooks ran without error" in text and "composite_sharpe" in text


def test_string_parameters_are_honoured(tmp_path):
    runs = run_notebooks(
        [FOLDER / "05_backtest.ipynb"],
        tmp_path,
        {**SMALL, "costs_to_try": "0,50", "rebalance": "Q", "weights": "value=0.5,momentum=0.5"},
        html=False,
    )
    assert runs[0].status == "ok", runs[0].error
    assert runs[0].figures["n_trials"] == 3  # the composite and two families


# -- real US fundamentals: Yahoo's prices and EDGAR's quarters from a warm cache --------------

EDGAR_FIXTURES = Path(__file__).parent / "data" / "edgar" / "fixtures"
REAL_FILERS = {"TSLA": (1318605, "tsla"), "SNOW": (1640147, "snow")}
SYNTHETIC_CIKS = list(range(1_000_001, 1_000_011))  # ten made-up filers beside the two real


def _yahoo_prices(seed: int, days: pd.DatetimeIndex, splits: dict[str, float]) -> pd.DataFrame:
    """A price history in the Yahoo cache's layout (adjusted and traded close, volume, split)."""
    rng = np.random.default_rng(seed)
    close = 40 * np.exp(np.cumsum(rng.normal(0.0004, 0.02, len(days))))
    frame = pd.DataFrame(
        {
            "adj_close": close * 0.97,
            "close": close,
            "volume": rng.integers(1e5, 1e7, len(days)).astype(float),
            "split": 0.0,
        },
        index=pd.DatetimeIndex(days, name="date"),
    )
    for day, ratio in splits.items():
        frame.loc[pd.Timestamp(day), "split"] = ratio
    return frame


@pytest.fixture(scope="module")
def warm_cache(tmp_path_factory) -> tuple[Path, str]:
    """A cache as `fetch --fundamentals edgar` would leave it, built without the network:
    Yahoo prices and profiles, the SEC's ticker list, Tesla's and Snowflake's recorded company
    facts and ten synthetic filers'. Returns the cache folder and the tickers."""
    root = tmp_path_factory.mktemp("cache")
    days = pd.bdate_range("2012-01-02", "2022-12-30")
    yahoo = YahooCache(root / "yahoo")
    edgar = EdgarCache(root / "edgar")
    listing = synthetic_ticker_list(SYNTHETIC_CIKS)
    tickers = [entry["ticker"] for entry in listing.values()] + list(REAL_FILERS)
    for cik in SYNTHETIC_CIKS:
        edgar.put(
            f"companyfacts/CIK{cik:010d}",
            synthetic_company_facts(cik, first_year=2010, last_year=2022),
        )
    for ticker, (cik, name) in REAL_FILERS.items():
        listing[str(len(listing))] = {"cik_str": cik, "ticker": ticker, "title": name}
        recorded = json.loads((EDGAR_FIXTURES / f"{name}_companyfacts.json").read_text())
        edgar.put(f"companyfacts/CIK{cik:010d}", recorded)
    edgar.put("company_tickers", listing)
    sectors = ["Technology", "Energy", "Health Care"]
    for n, ticker in enumerate([*tickers, "SPY"]):
        splits = {"2020-08-31": 5.0, "2022-08-25": 3.0} if ticker == "TSLA" else {}
        yahoo.put(ticker, "prices", _yahoo_prices(n, days, splits), start=days[0])
        info = {"longName": f"{ticker} Inc", "sector": sectors[n % 3], "industry": "Any"}
        yahoo.put(ticker, "info", pd.DataFrame({k: [v] for k, v in info.items()}))
    return root, ",".join(tickers)


def test_notebooks_run_on_yahoo_prices_and_edgar_fundamentals_from_a_warm_cache(
    warm_cache, tmp_path, closed_port_url
):
    root, tickers = warm_cache
    parameters = {
        "dataset": "yahoo",
        "fundamentals": "edgar",
        "tickers": tickers,
        "start": "2012-06-01",
        "end": "2022-12-30",
    }
    wanted = [FOLDER / f"{name}.ipynb" for name in ("01_value", "02_growth", "03_momentum")]
    wanted.append(FOLDER / "05_backtest.ipynb")
    nowhere = closed_port_url()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FACTORLAB_CACHE", str(root))
        patch.delenv("FACTORLAB_SEC_USER_AGENT", raising=False)  # a request would fail loudly
        for name in (
            "FACTORLAB_SEC_WWW_URL",
            "FACTORLAB_SEC_DATA_URL",
            "HTTPS_PROXY",
            "HTTP_PROXY",
        ):
            patch.setenv(name, nowhere)
        runs = run_notebooks(wanted, tmp_path, parameters, html=False)
    assert [(r.notebook, r.status, r.error) for r in runs] == [(p.stem, "ok", None) for p in wanted]
    value = nbformat.read(tmp_path / "01_value.ipynb", as_version=4)
    text = json.dumps([c.get("outputs", []) for c in value.cells])
    assert "SEC EDGAR" in text  # the dataset's notes name the source
    assert len({run.figures["dataset"] for run in runs}) == 1  # one dataset for all four
    for key in ("value_ic_mean_longest", "value_t_stat_longest"):  # value exposures existed
        assert np.isfinite(runs[0].figures[key])
    assert np.isfinite(runs[1].figures["growth_ic_mean_longest"])
    assert np.isfinite(runs[3].figures["composite_sharpe"])
