"""One registry of metrics: every list of metric or family names in the package is derived from
it, or, where a list must be written out (the seed's recipe, colours, the default mix), checked
against it here."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import get_args

import pytest

import factorlab as fl
from factorlab.data.schema import FUNDAMENTAL_VALUES
from factorlab.factors.metric import Unit
from factorlab.factors.registry import FAMILIES, FUNDAMENTAL_FAMILIES, METRICS, metric
from factorlab.factors.seed import SEED_FAMILIES, SEED_METRICS
from factorlab.factors.transform import SEED_THRESHOLDS
from factorlab.factors.weights import DEFAULT_WEIGHTS

PACKAGE = Path(fl.__file__).parent
NAMES = {m.name for m in METRICS} | set(FAMILIES) | {f"{f}_score" for f in FAMILIES}

# Lists that must be written out, each checked against the registry below; and the lab
# market's own parameters (the data layer generates it and cannot read the factor registry).
WRITTEN_OUT = {
    "factors/seed.py": "the seed's recipe: its metric names mapped to registry metrics",
    "factors/transform.py": "the seed's thresholds, keyed by the seed's metric names",
    "factors/weights.py": "the default mix of families",
    "plots.py": "one colour per family",
    "data/sample": "the lab market's planted premia and firm parameters",
}


def _name_lists(path: Path) -> list[tuple[int, list[str]]]:
    """Literal lists, tuples, sets and dict keys or values holding two or more metric or family
    names; ``__all__`` is not a list of names in this sense."""
    tree = ast.parse(path.read_text())
    exports = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
    }
    found = []
    for node in ast.walk(tree):
        if id(node) in exports:
            continue
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            groups = [node.elts]
        elif isinstance(node, ast.Dict):
            groups = [node.keys, node.values]
        else:
            continue
        for items in groups:
            names = [e.value for e in items if isinstance(e, ast.Constant) and e.value in NAMES]
            if len(names) >= 2:
                found.append((node.lineno, names))
    return found


def test_no_module_writes_out_its_own_list_of_metric_or_family_names():
    lists = []
    for path in sorted(PACKAGE.rglob("*.py")):
        where = path.relative_to(PACKAGE).as_posix()
        if where.startswith("factors/families/") or any(where.startswith(w) for w in WRITTEN_OUT):
            continue
        lists += [f"{where}:{line}: {names}" for line, names in _name_lists(path)]
    assert lists == [], "derive these from factorlab.factors.registry:\n" + "\n".join(lists)


def test_the_scan_finds_a_written_out_list():
    """The check above is not vacuous: the old hand-written list of the screen is caught."""
    source = "PERCENT = {'earnings_yield', 'return_12m'}\nWEIGHTS = {'value': 1, 'growth': 2}\n"
    path = Path(__file__).with_name("_scan_probe.py")
    try:
        path.write_text(source)
        assert [line for line, _ in _name_lists(path)] == [1, 2]
    finally:
        path.unlink()
    assert _name_lists(PACKAGE / "factors/seed.py") and _name_lists(PACKAGE / "plots.py")


def test_every_record_is_complete_and_consistent():
    assert len(METRICS) == len({m.name for m in METRICS})  # names are unique
    assert FAMILIES == ("value", "growth", "momentum", "quality", "low_vol")
    for m in METRICS:
        assert m.family in FAMILIES and m.unit in get_args(Unit)
        assert m.description and callable(m.compute)
        assert set(m.columns) <= set(FUNDAMENTAL_VALUES), m.name
        assert set(m.parts) <= {"volume", "benchmark"}, m.name
        assert metric(m.name) is m
    for family in FAMILIES:
        assert any(m.in_family for m in METRICS if m.family == family)
    assert FUNDAMENTAL_FAMILIES == ("value", "growth", "quality")


def test_the_written_out_lists_agree_with_the_registry():
    from factorlab.plots import FAMILY_COLORS

    assert set(FAMILY_COLORS) == set(FAMILIES)
    assert set(DEFAULT_WEIGHTS) <= set(FAMILIES)
    assert set(SEED_THRESHOLDS) == set(SEED_METRICS)
    assert {name for name, _ in SEED_METRICS.values()} <= {m.name for m in METRICS}
    assert SEED_FAMILIES == ("value", "growth", "momentum")


def test_the_table_of_metrics_is_the_registry():
    table = fl.factors.available()
    assert table["metric"].tolist() == [m.name for m in METRICS]
    assert table["unit"].tolist() == [m.unit for m in METRICS]


def test_the_screen_formats_and_the_analysts_units_come_from_the_registry(small_sample):
    from factorlab.llm.facts import facts_for_rows

    table = fl.screen(small_sample, top=3, weights="quality=0.5,low_vol=0.5")
    facts = facts_for_rows(table)[0]
    # the metrics the old hand-written fact list missed now reach the model in their units
    for name in ("return_on_equity", "leverage", "volatility_252d"):
        assert facts[f"{name}_pct"] == pytest.approx(table.iloc[0][name] * 100, rel=5e-3), name
    assert "beta_x" in facts and "quality_z" in facts
    assert f"{table.iloc[0]['gross_margin']:.1%}" in fl.factors.styled(table).to_html()
