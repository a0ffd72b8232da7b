"""Work on threads, with factorlab's warnings still naming the user's line.

numpy's sorts and arithmetic release the GIL, so independent panels of a score can be computed
side by side.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from typing import TypeVar

from factorlab._warnings import deferred, warn

__all__ = ["imap_threads", "map_threads"]

T = TypeVar("T")
R = TypeVar("R")


def imap_threads(
    function: Callable[[T], R], items: Sequence[T], workers: int | None = None
) -> Iterator[R]:
    """``function(item)`` for each item, on up to ``workers`` threads, yielded in order.

    At most two tasks per thread run ahead of the consumer, so a caller that folds large
    results as they come holds only a few of them. Factorlab warnings raised on the threads are
    issued by this thread as each result is yielded, so they still point at the user's line.
    """
    count = min(len(items), workers or os.cpu_count() or 1)
    if count <= 1:
        for item in items:
            yield function(item)
        return

    def run(item: T) -> tuple[R, list[tuple[str, type[Warning]]]]:
        with deferred() as caught:
            return function(item), caught

    waiting = iter(items)
    with ThreadPoolExecutor(count) as pool:
        pending = deque(pool.submit(run, item) for item in islice(waiting, 2 * count))
        while pending:
            result, caught = pending.popleft().result()
            for item in islice(waiting, 1):
                pending.append(pool.submit(run, item))
            for message, category in caught:
                warn(message, category)
            yield result


def map_threads(
    function: Callable[[T], R], items: Sequence[T], workers: int | None = None
) -> list[R]:
    """``[function(item) for item in items]`` on up to ``workers`` threads (default: the cores).

    Results come back in the order of ``items``; see :func:`imap_threads`.
    """
    return list(imap_threads(function, items, workers))
