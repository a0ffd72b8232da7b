"""Self-contained HTML pages: a factor's tear sheet as one file, checked in a real browser."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import factorlab as fl
from factorlab.data.dataset import fingerprint_of
from factorlab.pages import table_tag


@pytest.fixture(scope="module")
def report(small_sample) -> fl.FactorReport:
    return fl.evaluate(
        fl.factors.momentum(small_sample), small_sample, periods=(1, 5), groupby="sector"
    )


@pytest.fixture(scope="module")
def page_path(report, tmp_path_factory):
    return report.to_html(tmp_path_factory.mktemp("pages") / "momentum.html", title="Momentum")


def _tables(visit) -> dict[str, list[list[str | None]]]:
    """Each table's caption and its cells' raw values (``data-value``), row by row."""
    return visit.page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('table')].map(t => [
            t.caption.textContent,
            [...t.tBodies[0].rows].map(r => [...r.cells].slice(1).map(
                c => c.getAttribute('data-value')))]))"""
    )


def test_the_page_opens_in_a_browser_with_no_error_and_no_request(open_in_browser, page_path):
    visit = open_in_browser(page_path)
    assert visit.console_errors == [] and visit.page_errors == []
    assert [url for url in visit.requests if not url.startswith("data:")] == [page_path.as_uri()]
    images = visit.page.evaluate(
        "() => [...document.images].map(i => i.complete && i.naturalWidth > 0)"
    )
    assert images == [True, True, True]  # tear sheet, factor-weighted book, turnover
    assert visit.page.title() == "Momentum"


def test_the_page_shows_the_reports_numbers(open_in_browser, page_path, report):
    tables = _tables(open_in_browser(page_path))
    shown = np.array(tables["IC summary, per period"], dtype=float)
    np.testing.assert_array_equal(shown, report.ic_summary().to_numpy(dtype=float))
    turnover = np.array(
        tables["Mean turnover by quantile, and mean rank autocorrelation"], dtype=float
    )
    np.testing.assert_array_equal(turnover, report.turnover.to_numpy())
    by_group = np.array(tables["Mean IC by group"], dtype=float)
    np.testing.assert_array_equal(by_group, report.mean_ic_by_group().to_numpy())
    alpha = np.array(tables[next(t for t in tables if t.startswith("Alpha"))], dtype=float)
    np.testing.assert_allclose(alpha, report.alpha_beta().to_numpy(), rtol=0, atol=0)


def test_the_page_rounds_for_the_eye_and_names_its_units(page_path, report):
    text = page_path.read_text()
    ic = float(report.ic_summary().loc[1, "IC mean"])
    assert f'data-value="{ic!r}">{ic:.4f}</td>' in text
    spread = float(report.spread.loc[5, "mean"])
    assert f'data-value="{spread!r}">{spread * 1e4:.1f}</td>' in text
    assert "Mean forward return, bps" in text


def test_the_page_is_one_file_that_names_nothing_outside_it(page_path):
    text = page_path.read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", text)
    assert "@import" not in text and "url(" not in text
    assert page_path.stat().st_size < 3_000_000
    assert text.count("data:image/png;base64,") == 3


def test_the_page_records_how_the_report_was_made(page_path, report):
    text = page_path.read_text()
    assert fingerprint_of(report.factor) in text and fingerprint_of(report.prices) in text
    assert "5 quantiles" in text and "sector" in text
    assert f"factorlab</dt><dd>{fl.__version__}" in text


def test_a_report_without_groups_has_no_group_tables(small_sample, tmp_path):
    plain = fl.evaluate(fl.factors.momentum(small_sample), small_sample, periods=(1,))
    text = plain.to_html(tmp_path / "sub" / "plain.html").read_text()
    assert "Mean IC by group" not in text and "By group and quantile" not in text
    assert list(tmp_path.joinpath("sub").iterdir()) == [tmp_path / "sub" / "plain.html"]


def test_a_table_escapes_labels_and_shows_missing_numbers_as_a_dash():
    frame = pd.DataFrame({"<b>": [1.5, np.nan]}, index=["a & b", "c"])
    html = table_tag(frame, "caption <i>")
    assert "&lt;b&gt;" in html and "a &amp; b" in html and "caption &lt;i&gt;" in html
    assert '<td data-value="NaN">–</td>' in html
    assert '<td data-value="1.5">1.5000</td>' in html


# -- a backtest's report -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def gapped(small_sample):
    """The small market with three days missing from the benchmark's levels."""
    benchmark = small_sample.benchmark.copy()
    benchmark.iloc[[300, 301, 550]] = np.nan
    return fl.Dataset(
        prices=small_sample.prices,
        volume=small_sample.volume,
        fundamentals=small_sample.fundamentals,
        meta=small_sample.meta,
        benchmark=benchmark,
    )


@pytest.fixture(scope="module")
def backtest_page(gapped, tmp_path_factory):
    result = fl.backtest(fl.factors.momentum(gapped), gapped, cost_bps=20)
    model = fl.risk_model(gapped, factors=["momentum", "low_vol"])
    path = tmp_path_factory.mktemp("backtest") / "report.html"
    return result, result.to_html(
        path, ds=gapped, risk_model=model, n_trials=10, sharpe_variance=0.1
    )


def test_a_backtest_report_opens_with_every_figure_and_no_request(open_in_browser, backtest_page):
    _, path = backtest_page
    visit = open_in_browser(path)
    assert visit.console_errors == [] and visit.page_errors == []
    assert [url for url in visit.requests if not url.startswith("data:")] == [path.as_uri()]
    images = visit.page.evaluate(
        "() => [...document.images].map(i => [i.alt, i.complete && i.naturalWidth > 0])"
    )
    assert [alt for alt, _ in images] == [
        "Equity curve, drawdown and rolling Sharpe ratio",
        "Turnover and costs",
        "Attribution by year",
    ]
    assert all(loaded for _, loaded in images)
    assert path.stat().st_size < 3_000_000


def test_a_backtest_reports_numbers_are_its_stats_and_empyricals(open_in_browser, backtest_page):
    import empyrical

    result, path = backtest_page
    shown = _tables(open_in_browser(path))["Performance, net of costs"]
    stats = result.stats()
    np.testing.assert_array_equal(np.array(shown, dtype=float), stats.to_numpy(dtype=float))
    r = result.returns
    strategy = dict(zip(stats.index, np.array(shown, dtype=float)[:, 0], strict=True))
    assert strategy["CAGR"] == pytest.approx(empyrical.annual_return(r), abs=1e-10)
    assert strategy["Sharpe ratio"] == pytest.approx(empyrical.sharpe_ratio(r), abs=1e-10)
    assert strategy["max drawdown"] == pytest.approx(empyrical.max_drawdown(r), abs=1e-10)
    # The benchmark is compared on the days it has: the gaps are left out, not filled.
    bench = result.benchmark
    assert bench.isna().sum() >= 3
    alpha, beta = empyrical.alpha_beta(r, bench)
    assert strategy["beta"] == pytest.approx(beta, abs=1e-10)
    assert strategy["alpha (annual)"] == pytest.approx(alpha, abs=1e-10)


def test_a_backtest_report_says_how_it_was_made(backtest_page, gapped):
    result, path = backtest_page
    text = path.read_text()
    assert gapped.fingerprint() in text and "result fingerprint" in text
    assert "configurations tried" in text and "Where the return came from" in text
    assert "day(s) without a benchmark level are left out" in text
    cagr = float(result.stats().loc["CAGR", "strategy"])
    assert f'data-value="{cagr!r}">{cagr:.2%}</td>' in text


def test_factorlab_report_writes_the_page(tmp_path, capsys):
    from factorlab.cli import main

    out = tmp_path / "cli.html"
    code = main(
        ["report", "--n-tickers", "30", "--years", "3", "--seed", "2", "--output", str(out)]
    )
    assert code == 0 and out.exists()
    assert "Wrote" in capsys.readouterr().out
    assert out.read_text().startswith("<!DOCTYPE html>")


def test_stats_show_percents_as_percents_and_keep_raw_numbers(small_sample):
    result = fl.backtest(fl.factors.momentum(small_sample), small_sample)
    html_text = result._repr_html_()
    cagr = float(result.stats().loc["CAGR", "strategy"])
    assert f"{cagr:.2%}" in html_text
    assert isinstance(result.stats().loc["CAGR", "strategy"], float)
