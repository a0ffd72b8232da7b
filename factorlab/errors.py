"""The errors users catch: both are ``ValueError`` so either name works in an ``except``."""

from __future__ import annotations

__all__ = ["ConfigError", "DataError"]


class _ShownAsItsMessage:
    """In Jupyter, the error's name and message, not a traceback through factorlab's insides.

    The message already names the input and the fix; IPython asks ``_render_traceback_`` for the
    lines to show (``%tb`` and ``%debug`` still reach the full traceback).
    """

    def _render_traceback_(self) -> list[str]:
        return [f"{type(self).__name__}: {self}"]


class DataError(_ShownAsItsMessage, ValueError):
    """Input data is missing, malformed or inconsistent.

    The message names the ticker, column or date at fault and says how to fix it.
    """


class ConfigError(_ShownAsItsMessage, ValueError):
    """A parameter has the wrong type or an unknown value.

    The message names the parameter, what was expected, and a fix (often a suggestion such as
    ``"sample"`` for ``"smaple"``).
    """
