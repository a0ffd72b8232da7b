"""The LLM analyst: a local Ollama model that explains and questions factorlab's numbers.

``fl.Analyst`` (see :mod:`factorlab.llm.analyst`). The ``ollama`` client is imported only when
a model is asked something.
"""

from factorlab.llm.analyst import Analyst, Report

__all__ = ["Analyst", "Report"]
