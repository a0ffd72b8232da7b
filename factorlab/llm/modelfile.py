"""The analyst's shipped Ollama Modelfile (``factorlab/llm/Modelfile``), read once.

It gives the base model, system prompt and parameters; the system prompt is also what every
backend is sent.
"""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

__all__ = ["SYSTEM_PROMPT", "read_modelfile"]


def read_modelfile() -> tuple[str, str, dict[str, Any]]:
    """The shipped Modelfile's base model, system prompt and parameters."""
    text = resources.files("factorlab.llm").joinpath("Modelfile").read_text(encoding="utf-8")
    base = re.search(r"^FROM\s+(\S+)", text, re.MULTILINE)
    system = re.search(r'^SYSTEM\s+"""(.*?)"""', text, re.MULTILINE | re.DOTALL)
    parameters: dict[str, Any] = {}
    for name, value in re.findall(r"^PARAMETER\s+(\S+)\s+(\S+)", text, re.MULTILINE):
        try:
            parameters[name] = float(value) if "." in value else int(value)
        except ValueError:
            parameters[name] = value.strip('"')
    if base is None or system is None:  # pragma: no cover - the file ships with the package
        raise RuntimeError("factorlab/llm/Modelfile lacks a FROM or SYSTEM line.")
    return base.group(1), " ".join(system.group(1).split()), parameters


SYSTEM_PROMPT = read_modelfile()[1]
