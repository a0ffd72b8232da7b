"""README's layout section and ARCHITECTURE.md name every part of the package, and nothing that
is not there."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "factorlab"


def _parts() -> set[str]:
    """Every module and subpackage of the package, by its plain name (``crosssection``)."""
    names = set()
    for path in PACKAGE.rglob("*.py"):
        if path.name != "__init__.py":
            names.add(path.stem)
        elif path.parent != PACKAGE:
            names.add(path.parent.name)
    documented = {"_version", "_warnings", "_docs", "_json", "_files"}  # the base's private ones
    return {n for n in names if not n.startswith("_") or n in documented}


def _layout() -> str:
    readme = (ROOT / "README.md").read_text()
    return readme.split("## Layout", 1)[1].split("```", 2)[1]


def test_the_readme_layout_names_every_module():
    text = _layout()
    missing = sorted(n for n in _parts() if not re.search(rf"\b{re.escape(n)}\b", text))
    assert missing == []


def test_architecture_md_names_every_unit_and_module():
    text = (ROOT / "ARCHITECTURE.md").read_text()
    missing = sorted(n for n in _parts() if not re.search(rf"\b{re.escape(n)}\b", text))
    assert missing == []


def test_the_paths_the_docs_name_exist():
    text = (ROOT / "ARCHITECTURE.md").read_text() + _layout()
    named = set(re.findall(r"(?<![\w/])((?:data|factors|backtest|llm|monitor)/[\w/<>]+\.py)", text))
    assert named, "the docs name some files"
    for path in named:
        if "<" not in path:
            assert (PACKAGE / path).exists(), path
