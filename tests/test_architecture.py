"""The layers of ARCHITECTURE.md, enforced: every import of a factorlab module, at the top of a
file or inside a function, runs down the layers or within a unit, never up, never in a circle;
no module takes another's private name; and an import inside a function says why it waits."""

from __future__ import annotations

import ast
import io
import tokenize
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "factorlab"

# Lowest first. A module may import its own unit and the units of lower layers.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("factorlab.errors", "factorlab._version", "factorlab._warnings", "factorlab._docs"),
    ("factorlab.params", "factorlab._json", "factorlab._files", "factorlab._threads"),
    ("factorlab.data",),
    ("factorlab.factors",),
    ("factorlab.backtest",),
    ("factorlab.risk",),
    ("factorlab.sweep",),
    ("factorlab.plots", "factorlab.llm"),
    ("factorlab.pages",),
    ("factorlab.notebook",),
    ("factorlab.run", "factorlab.monitor", "factorlab.serve", "factorlab.widgets"),
    ("factorlab.cli",),
    ("factorlab",),
)

# The sanctioned upward imports: a result's .plot() draws with factorlab.plots and its
# .to_html() writes with factorlab.pages, each loaded when called (results compute, plots draw,
# pages lay out; matplotlib stays out of `import factorlab`).
LAZY_UPWARD = {"factorlab.plots": "plot", "factorlab.pages": "to_html"}


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the factorlab module imported
    names: tuple[str, ...]
    line: int
    function: str | None  # the enclosing function, if any
    reason: bool  # a comment on the line or the one above says why


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _resolve(name: str) -> str:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name


def _comments(path: Path) -> set[int]:
    lines = set()
    for token in tokenize.generate_tokens(io.StringIO(path.read_text()).readline):
        if token.type == tokenize.COMMENT:
            lines.add(token.start[0])
    return lines


def _imports(module: str, path: Path) -> list[Import]:
    tree = ast.parse(path.read_text())
    commented = _comments(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    enclosing: dict[int, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    enclosing.setdefault(id(inner), node.name)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            pairs = [(alias.name, ()) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = tuple(alias.name for alias in node.names)
            # "from factorlab.data import sample" imports a module; "... import Dataset" a name
            pairs = [(f"{base}.{n}", ()) for n in names if f"{base}.{n}" in MODULES]
            rest = tuple(n for n in names if f"{base}.{n}" not in MODULES)
            if rest or not pairs:
                pairs.append((base, rest))
        else:
            continue
        for target, names in pairs:
            if not target.startswith("factorlab"):
                continue
            resolved = _resolve(target)
            if resolved and resolved != module:
                found.append(
                    Import(
                        module,
                        resolved,
                        names,
                        node.lineno,
                        enclosing.get(id(node)),
                        bool({node.lineno, node.lineno - 1} & commented),
                    )
                )
    return found


IMPORTS = [i for module, path in MODULES.items() for i in _imports(module, path)]


def _unit(module: str) -> tuple[int, str]:
    """The layer and unit of a module: the longest unit name that prefixes it."""
    best = (-1, "")
    for layer, units in enumerate(LAYERS):
        for unit in units:
            if (module == unit or module.startswith(unit + ".")) and len(unit) > len(best[1]):
                best = (layer, unit)
    assert best[0] >= 0, f"{module} is in no layer of LAYERS; add it"
    return best


def _lazy_plot(imp: Import) -> bool:
    return imp.function is not None and LAZY_UPWARD.get(imp.target) == imp.function


def upward(imports: list[Import]) -> list[str]:
    """Imports that run up the layers, or across to another unit of the same layer."""
    found = []
    for imp in imports:
        (low, unit), (high, target_unit) = _unit(imp.source), _unit(imp.target)
        if (high > low or (high == low and unit != target_unit)) and not _lazy_plot(imp):
            found.append(f"{imp.source}:{imp.line} imports {imp.target}")
    return found


def cycles(imports: list[Import]) -> list[str]:
    """Every circle of imports, as ``a -> b -> a``."""
    graph: dict[str, set[str]] = {}
    for imp in imports:
        graph.setdefault(imp.target, set())
        if not _lazy_plot(imp):
            graph.setdefault(imp.source, set()).add(imp.target)
    found, state = [], {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1  # on the current path
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                found.append(" -> ".join([*trail[trail.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2  # done

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    return found


def private_names(imports: list[Import]) -> list[str]:
    """Private names taken from another module (a private module's own names are its API)."""
    return [
        f"{imp.source}:{imp.line} takes {name} from {imp.target}"
        for imp in imports
        for name in imp.names
        if name.startswith("_")
        and not name.startswith("__")
        and not imp.target.rpartition(".")[2].startswith("_")
    ]


def silent_waits(imports: list[Import]) -> list[str]:
    """Imports inside a function with no comment saying why they wait."""
    return [
        f"{imp.source}:{imp.line} imports {imp.target}"
        for imp in imports
        if imp.function and not imp.reason
    ]


def test_the_package_has_imports_to_check():
    assert len(MODULES) > 50 and len(IMPORTS) > 150


def test_every_module_is_in_a_layer():
    for module in MODULES:
        _unit(module)


def test_no_import_runs_up_the_layers():
    found = upward(IMPORTS)
    assert found == [], "imports that run up (or across) the layers:\n" + "\n".join(found)


def test_no_modules_import_each_other_in_a_circle():
    found = cycles(IMPORTS)
    assert found == [], "import cycles:\n" + "\n".join(found)


def test_no_module_imports_another_modules_private_name():
    found = private_names(IMPORTS)
    assert found == [], "\n".join(found)


def test_an_import_inside_a_function_says_why_it_waits():
    found = silent_waits(IMPORTS)
    assert found == [], "imports inside functions without a reason:\n" + "\n".join(found)


def test_every_import_inside_a_function_says_why_it_waits():
    """Third-party ones too: only what costs start-up time (pyplot, yfinance, the Jupyter
    stack, the model clients) or is an optional extra waits, and its comment says which."""
    silent = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text())
        commented = _comments(path)
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Import | ast.ImportFrom) and not (
                    {node.lineno, node.lineno - 1} & commented
                ):
                    silent.append(f"{module}:{node.lineno} in {function.name}()")
    assert silent == [], "imports inside functions without a reason:\n" + "\n".join(silent)


def _imp(source: str, target: str, function: str | None = None, names=(), reason=False):
    return Import(source, target, tuple(names), 1, function, reason)


def test_the_checks_catch_what_they_are_for():
    """Each rule fails on a made-up violation, so a rule that cannot fail would show here."""
    assert upward([_imp("factorlab.data.dataset", "factorlab.backtest.portfolio")])
    assert upward([_imp("factorlab.plots", "factorlab.llm.facts")])  # across one layer
    assert upward([_imp("factorlab.backtest.result", "factorlab.plots", "stats")])
    assert not upward([_imp("factorlab.backtest.result", "factorlab.plots", "plot")])
    assert cycles(
        [
            _imp("factorlab.data.a", "factorlab.data.b"),
            _imp("factorlab.data.b", "factorlab.data.a", "f"),
        ]
    ) == ["factorlab.data.a -> factorlab.data.b -> factorlab.data.a"]
    assert private_names([_imp("factorlab.cli", "factorlab.run", names=["_versions"])])
    assert not private_names(
        [_imp("factorlab.data.sample", "factorlab.data.sample._market", names=["_ar1"])]
    )
    assert silent_waits([_imp("factorlab.cli", "factorlab.llm", "main")])
    assert not silent_waits([_imp("factorlab.cli", "factorlab.llm", "main", reason=True)])
