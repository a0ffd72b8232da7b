"""The public face documents itself: every public function and method of what ``import
factorlab`` exposes has a numpydoc Parameters section (a dataclass, its Attributes)."""

from __future__ import annotations

import importlib
import inspect

import pytest

# What a user reaches from `import factorlab as fl`: the root and its documented namespaces.
FACE = (
    "factorlab",
    "factorlab.factors",
    "factorlab.backtest",
    "factorlab.backtest.metrics",
    "factorlab.data",
    "factorlab.data.edgar",
    "factorlab.plots",
    "factorlab.widgets",
    "factorlab.llm",
)


def _public_callables() -> dict[str, object]:
    found: dict[str, object] = {}
    for name in FACE:
        module = importlib.import_module(name)
        for attr in module.__all__:
            obj = getattr(module, attr)
            if inspect.isfunction(obj):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
            elif inspect.isclass(obj) and obj.__module__.startswith("factorlab"):
                if issubclass(obj, BaseException):
                    continue
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
                for method_name, method in vars(obj).items():
                    if not method_name.startswith("_") and inspect.isfunction(method):
                        found[f"{obj.__module__}.{obj.__qualname__}.{method_name}"] = method
    return found


PUBLIC = _public_callables()


def test_the_public_face_is_large_enough_to_check():
    assert len(PUBLIC) > 80


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_every_public_callable_documents_its_parameters(name):
    obj = PUBLIC[name]
    parameters = [p for p in inspect.signature(obj).parameters if p not in ("self", "cls")]
    doc = inspect.getdoc(obj) or ""
    assert doc, f"{name} has no docstring"
    if not parameters:
        return
    sections = (
        ("Parameters\n----------", "Attributes\n----------")
        if inspect.isclass(obj)
        else ("Parameters\n----------",)
    )
    assert any(s in doc for s in sections), f"{name} has no numpydoc Parameters section"
    if "Parameters\n----------" in doc:
        block = doc.split("Parameters\n----------", 1)[1].split("\n\n", 1)[0]
        for parameter in parameters:
            plain = parameter.lstrip("*")
            assert plain in block or f"*{plain}" in doc, f"{name}: '{parameter}' is not documented"
