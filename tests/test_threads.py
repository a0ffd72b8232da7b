"""map_threads: results in order, and factorlab's warnings from the threads at the user's line."""

from __future__ import annotations

import threading
import warnings

import pytest

from factorlab._threads import map_threads
from factorlab._warnings import warn


def _square_and_warn(x: int) -> tuple[int, str]:
    if x % 2:
        warn(f"odd {x}")
    return x * x, threading.current_thread().name


@pytest.mark.filterwarnings("ignore:odd")
def test_results_come_back_in_order_from_several_threads():
    results = map_threads(_square_and_warn, list(range(8)), workers=2)
    assert [r for r, _ in results] == [x * x for x in range(8)]


def test_warnings_raised_on_threads_are_issued_here_in_order():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        map_threads(_square_and_warn, [1, 2, 3, 5], workers=2)
    assert [str(w.message) for w in caught] == ["odd 1", "odd 3", "odd 5"]
    assert {w.filename for w in caught} == {__file__}  # this test's line, not a thread's


def test_one_worker_runs_in_this_thread():
    ((result, name),) = map_threads(_square_and_warn, [4], workers=4)
    assert result == 16 and name == threading.current_thread().name
