"""The errors users catch: both are ``ValueError`` so either name works in an ``except``."""

from __future__ import annotations

__all__ = ["ConfigError", "DataError"]


class DataError(ValueError):
    """Input data is missing, malformed or inconsistent.

    The message names the ticker, column or date at fault and says how to fix it.
    """


class ConfigError(ValueError):
    """A parameter has the wrong type or an unknown value.

    The message names the parameter, what was expected, and a fix (often a suggestion such as
    ``"sample"`` for ``"smaple"``).
    """
