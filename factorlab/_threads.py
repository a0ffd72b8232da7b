"""Work on threads, with factorlab's warnings still naming the user's line.

numpy's sorts and arithmetic release the GIL, so independent panels of a score can be computed
side by side.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from factorlab._warnings import deferred, warn

__all__ = ["map_threads"]

T = TypeVar("T")
R = TypeVar("R")


def map_threads(
    function: Callable[[T], R], items: Sequence[T], workers: int | None = None
) -> list[R]:
    """``[function(item) for item in items]`` on up to ``workers`` threads (default: the cores).

    Results come back in the order of ``items``; factorlab warnings raised on the threads are
    issued afterwards by this thread, in that order, so they still point at the user's line.
    """
    count = min(len(items), workers or os.cpu_count() or 1)
    if count <= 1:
        return [function(item) for item in items]

    def run(item: T) -> tuple[R, list[tuple[str, type[Warning]]]]:
        with deferred() as caught:
            return function(item), caught

    with ThreadPoolExecutor(count) as pool:
        outcomes = list(pool.map(run, items))
    for _, caught in outcomes:
        for message, category in caught:
            warn(message, category)
    return [result for result, _ in outcomes]
