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
