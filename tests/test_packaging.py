"""The project's promises about installing and running: two commands, one dependency list."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _normalized(spec: str) -> tuple[str, str]:
    """(canonical name, version specifier) of a requirement such as ``"pandas>=2.2"``."""
    match = re.fullmatch(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(.*?)\s*", spec)
    assert match, f"cannot read the requirement {spec!r}"
    name, specifier = match.groups()
    return re.sub(r"[-_.]+", "-", name).lower(), specifier.replace(" ", "")


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    project = _pyproject()["project"]
    declared = {_normalized(s) for s in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        declared |= {_normalized(s) for s in extra}

    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    listed = set()
    for item in env["dependencies"]:
        if isinstance(item, dict):
            listed |= {_normalized(s) for s in item["pip"] if not s.startswith("-e")}
        elif not item.startswith(("python", "pip")) or item.startswith("python-"):
            listed.add(_normalized(item))
    assert listed == declared


def test_dependencies_have_lower_bounds_and_no_exact_pins():
    project = _pyproject()["project"]
    specs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        specs += extra
    for spec in specs:
        assert ">=" in spec and "==" not in spec, spec


def test_console_script_is_factorlab_cli_main():
    assert _pyproject()["project"]["scripts"] == {"factorlab": "factorlab.cli:main"}


def test_ci_runs_exactly_make_test():
    lines = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert lines[-1] == "make test"
    assert "set -euo pipefail" in lines


def test_readme_first_section_gives_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    first_section = readme.split("\n## ")[1]
    assert first_section.startswith("Two commands")
    assert "make run" in first_section and "make test" in first_section


def test_makefile_test_target_lints_and_runs_pytest():
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\ntest:")[1].split("\n\n")[0]
    assert "ruff check" in recipe and "pytest" in recipe


def test_the_metrics_module_is_reachable_beside_the_backtest_function():
    import factorlab as fl

    assert callable(fl.backtest) and callable(fl.metrics.sharpe_ratio)
    assert "metrics" in fl.__all__


def test_make_test_runs_the_type_checker_and_the_formatter_check():
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "$(BIN)/mypy" in recipe and "$(BIN)/pytest" in recipe
    assert "$(BIN)/ruff format --check ." in recipe
    assert _pyproject()["tool"]["mypy"]["files"] == ["factorlab"]


def test_ruff_format_owns_the_layout():
    skipped = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in ("factorlab", "tests", "benchmarks", "checks")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if re.search(r"#\s*fmt:\s*(skip|off)", line)
    ]
    assert skipped == []
