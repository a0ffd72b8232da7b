"""``factorlab run``: execute the numbered notebooks with papermill and summarize the run.

Each notebook runs in a kernel of this very environment (registered on first use, so no Jupyter
set-up is needed), with a per-cell timeout. The run writes every executed notebook, an HTML copy,
and ``summary.md`` / ``summary.json``: each notebook's status, time and the key figures it
recorded with :func:`record`, and what makes the run reproducible (parameters, versions, a
fingerprint of the dataset). A failing notebook does not stop the others.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from factorlab.errors import ConfigError
from factorlab.notebook import FIGURES_MIME

__all__ = ["NotebookRun", "find_notebooks", "notebook_folders", "run_notebooks", "versions"]

CELL_TIMEOUT_S = 600


@dataclass
class NotebookRun:
    """What happened to one notebook."""

    notebook: str
    status: str  # "ok" or "failed"
    seconds: float
    output: str
    html: str | None = None
    error: str | None = None
    figures: dict[str, object] = field(default_factory=dict)


def find_notebooks(names: list[str] | None = None, folder: Path | None = None) -> list[Path]:
    """The notebooks to run: the given paths or names, else every numbered notebook, in order.

    A name is ``05`` or ``05_backtest``. They are looked for in ``folder`` when given; else in
    ``./notebooks`` and then in the notebooks beside the installed package (a checkout
    installed with ``pip install -e .``), so ``factorlab run 05`` works from any folder. A
    failure says where it looked.
    """
    places = [folder] if folder is not None else notebook_folders()
    every: list[Path] = []
    for place in places:  # the first folder with numbered notebooks is the one used
        every = sorted(place.glob("[0-9][0-9]_*.ipynb")) if place.is_dir() else []
        if every:
            looked = str(place.resolve())
            break
    else:
        looked = ", ".join(str(p.resolve()) for p in places)
    if not names:
        if not every:
            raise ConfigError(
                f"No numbered notebooks found; looked in {looked}. Run factorlab run from the "
                "repository's root, pass --notebook-dir, or name the notebooks' paths."
            )
        return every
    found = []
    for name in names:
        path = Path(name)
        if path.suffix == ".ipynb" and path.exists():
            found.append(path)
            continue
        matches = [
            p for p in every if p.stem == name or p.stem.startswith(f"{name}_") or p.name == name
        ]
        if len(matches) != 1:
            known = ", ".join(p.stem for p in every) or "none found"
            raise ConfigError(f"No single notebook matches {name!r} in {looked}; known: {known}.")
        found.append(matches[0])
    return found


def notebook_folders() -> list[Path]:
    """Where ``factorlab run`` looks for notebooks, in order.

    First ``./notebooks``, then the ``notebooks`` folder beside the package's source (an
    editable install or a checkout).
    """
    here = Path("notebooks")
    beside = Path(__file__).resolve().parents[1] / "notebooks"
    return [here] if here.resolve() == beside else [here, beside]


def notebook_parameters(path: Path) -> dict[str, str]:
    """The names (and default source text) assigned in the notebook's ``parameters`` cell."""
    import nbformat  # the Jupyter stack loads only to run notebooks

    nb = nbformat.read(path, as_version=4)
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ConfigError(
            f"{path.name} must have exactly one cell tagged 'parameters'; it has {len(cells)}."
        )
    out = {}
    for line in cells[0].source.splitlines():
        match = re.match(r"^([A-Za-z_]\w*)\s*=\s*(.+?)\s*(#.*)?$", line)
        if match:
            out[match.group(1)] = match.group(2)
    return out


def ensure_kernel(name: str | None = None) -> str:
    """A Jupyter kernel running this Python: ``name`` if given (it must exist), else factorlab's.

    Factorlab's is one registered for this environment under its own prefix (so ``.venv``
    works with no Jupyter set-up), or in the user's folder when the prefix is read-only.
    """
    # the Jupyter stack loads only to run notebooks
    from jupyter_client.kernelspec import KernelSpecManager

    manager = KernelSpecManager()
    if name:
        if name not in manager.find_kernel_specs():
            known = ", ".join(sorted(manager.find_kernel_specs())) or "none"
            raise ConfigError(
                f"No Jupyter kernel named {name!r}; known: {known}. Leave out "
                "--kernel to use this environment's Python."
            )
        return name
    tag = hashlib.sha256(sys.executable.encode()).hexdigest()[:8]
    kernel = f"factorlab-{tag}"
    if _runs_this_python(manager, kernel):
        return kernel
    from ipykernel.kernelspec import install  # the Jupyter stack loads only to run notebooks

    display = f"Python (factorlab, {sys.prefix})"
    try:
        folder = install(kernel_name=kernel, display_name=display, prefix=sys.prefix)
    except PermissionError:
        folder = install(kernel_name=kernel, display_name=display, user=True)
    spec = Path(folder) / "kernel.json"  # quiet the kernel's start-up warnings on the console
    data = json.loads(spec.read_text())
    data["argv"] = [*data["argv"], "--IPKernelApp.log_level=ERROR"]
    spec.write_text(json.dumps(data, indent=1))
    if not _runs_this_python(KernelSpecManager(), kernel):
        raise ConfigError(
            f"A Jupyter kernel named {kernel} earlier on the Jupyter path runs another Python; "
            "remove it (jupyter kernelspec remove) or pass --kernel."
        )
    return kernel


def _runs_this_python(manager: object, kernel: str) -> bool:
    try:
        spec = manager.get_kernel_spec(kernel)  # type: ignore[attr-defined]
    except Exception:  # jupyter_client raises NoSuchKernel and friends
        return False
    return os.path.abspath(spec.argv[0]) == os.path.abspath(sys.executable)


def run_notebooks(
    notebooks: list[Path],
    output: Path,
    parameters: dict[str, str] | None = None,
    html: bool = True,
    kernel: str | None = None,
    cell_timeout_s: int = CELL_TIMEOUT_S,
) -> list[NotebookRun]:
    """Execute ``notebooks`` in order into ``output``; write HTML copies and the summary."""
    import papermill as pm  # the Jupyter stack loads only to run notebooks

    parameters = dict(parameters or {})
    declared = {path: notebook_parameters(path) for path in notebooks}
    unknown = sorted(set(parameters) - set().union(*(set(d) for d in declared.values())))
    if unknown:
        every = sorted(set().union(*(set(d) for d in declared.values())))
        raise ConfigError(
            f"No notebook takes the parameter(s) {', '.join(unknown)}; they take "
            f"{', '.join(every)}."
        )
    output.mkdir(parents=True, exist_ok=True)
    kernel_name = ensure_kernel(kernel)
    runs = []
    for path in notebooks:
        given = {k: v for k, v in parameters.items() if k in declared[path]}
        target = output / path.name
        start = time.perf_counter()
        error = None
        try:
            # The caller's folder, so a relative dataset path means the same to every notebook.
            pm.execute_notebook(
                str(path),
                str(target),
                parameters=given,
                kernel_name=kernel_name,
                execution_timeout=cell_timeout_s,
                progress_bar=False,
                cwd=os.getcwd(),
            )
        except pm.PapermillExecutionError as err:
            error = (
                f"cell {_cell_number(path, err.cell_index)}: {err.ename}: {_first_line(err.evalue)}"
            )
        except Exception as err:  # a kernel that died, a cell that timed out, a missing file
            error = f"{type(err).__name__}: {_first_line(str(err))}"
        seconds = time.perf_counter() - start
        run = NotebookRun(
            path.stem, "failed" if error else "ok", round(seconds, 2), str(target), error=error
        )
        if target.exists():
            run.figures = _recorded(target)
            if html:
                run.html = str(_to_html(target))
        runs.append(run)
    _write_summary(output, runs, parameters, kernel_name)
    return runs


def _cell_number(path: Path, executed_index: int) -> int:
    """The failing cell's number (from 1) in the notebook as written.

    Papermill inserted its injected-parameters cell right after the parameters cell.
    """
    import nbformat  # the Jupyter stack loads only to run notebooks

    cells = nbformat.read(path, as_version=4).cells
    tagged = next(
        i for i, c in enumerate(cells) if "parameters" in c.get("metadata", {}).get("tags", [])
    )
    return executed_index + (0 if executed_index <= tagged else -1) + 1


def _first_line(text: str) -> str:
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    return lines[0] if lines else ""


def _recorded(path: Path) -> dict[str, object]:
    import nbformat  # the Jupyter stack loads only to run notebooks

    figures: dict[str, object] = {}
    for cell in nbformat.read(path, as_version=4).cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if FIGURES_MIME in data:
                figures.update(data[FIGURES_MIME])
    return figures


def _to_html(path: Path) -> Path:
    import nbformat  # the Jupyter stack loads only to run notebooks
    from nbconvert import HTMLExporter  # the Jupyter stack loads only to run notebooks

    body, _ = HTMLExporter().from_notebook_node(nbformat.read(path, as_version=4))
    target = path.with_suffix(".html")
    target.write_text(body, encoding="utf-8")
    return target


def versions() -> dict[str, str]:
    """The versions of Python and of the packages a run depends on, for the run's summary.

    The packages are factorlab, pandas, numpy, matplotlib, papermill, yfinance and ollama; one
    that is not installed is ``"not installed"``.
    """
    out = {"python": platform.python_version()}
    for package in (
        "factorlab",
        "pandas",
        "numpy",
        "matplotlib",
        "papermill",
        "yfinance",
        "ollama",
    ):
        try:
            out[package] = version(package)
        except PackageNotFoundError:
            out[package] = "not installed"
    return out


DEFAULTS = "the notebooks' defaults"


def _write_summary(
    output: Path, runs: list[NotebookRun], parameters: dict[str, str], kernel: str
) -> None:
    packages = versions()
    fingerprints = sorted({str(r.figures["dataset"]) for r in runs if "dataset" in r.figures})
    summary = {
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "ok": all(r.status == "ok" for r in runs),
        "parameters": parameters,
        "kernel": kernel,
        "versions": packages,
        "dataset_fingerprints": fingerprints,
        "notebooks": [asdict(r) for r in runs],
    }
    (output / "summary.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    lines = [
        "# factorlab run",
        "",
        f"Finished {summary['finished_at']}: "
        f"{sum(r.status == 'ok' for r in runs)} of {len(runs)} notebooks ran without error.",
        "",
        "| notebook | status | seconds | key figures |",
        "|---|---|---|---|",
    ]
    for r in runs:
        figures = "; ".join(f"{k}: {v}" for k, v in r.figures.items())
        status = r.status if r.error is None else f"failed at {r.error}"
        lines.append(f"| {r.notebook} | {status} | {r.seconds:.1f} | {figures} |")
    lines += [
        "",
        "## Reproducibility",
        "",
        f"- parameters: {json.dumps(parameters) if parameters else DEFAULTS}",
        "- dataset fingerprint(s), as each notebook recorded it: "
        + (", ".join(fingerprints) or "none recorded"),
        f"- kernel: {kernel}",
        "- versions: " + ", ".join(f"{k} {v}" for k, v in packages.items()),
    ]
    (output / "summary.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
