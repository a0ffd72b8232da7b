"""Docstring text written once and used by several functions.

A line of a docstring that is only ``{name}`` is replaced by the fragment ``name``, each of its
lines indented as that line was: parameters that many functions share (a returns series, the
axes of a plot) are documented in one place and read the same everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

__all__ = ["shared_doc"]

F = TypeVar("F", bound=Callable[..., object])


def shared_doc(**fragments: str) -> Callable[[F], F]:
    r"""A decorator filling a docstring's ``{name}`` lines with ``fragments[name]``.

    Parameters
    ----------
    **fragments : str
        Text by name; its first line sits at the placeholder's indentation, the rest keep
        their own indentation relative to it.

    Returns
    -------
    callable
        The decorator; it raises KeyError for a placeholder with no fragment.

    Examples
    --------
    >>> @shared_doc(x="x : int\n    A number.")
    ... def f(x):
    ...     '''Twice x.
    ...
    ...     Parameters
    ...     ----------
    ...     {x}
    ...     '''
    >>> print(f.__doc__.strip().splitlines()[-1].strip())
    A number.
    """

    def fill(match: re.Match[str]) -> str:
        indent, name = match.group(1), match.group(2)
        return "\n".join(indent + line if line else "" for line in fragments[name].split("\n"))

    def decorate(function: F) -> F:
        if function.__doc__:
            function.__doc__ = re.sub(
                r"^([ \t]*)\{(\w+)\}[ \t]*$", fill, function.__doc__, flags=re.MULTILINE
            )
        return function

    return decorate
