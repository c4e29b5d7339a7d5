"""``_internal.threads.each``: per-column work on several threads, as if done in order."""

from __future__ import annotations

import threading

import pytest

from itil_ci._internal import threads
from itil_ci._internal.threads import PARALLEL_FROM, each


def test_results_in_order_and_on_several_threads_for_large_columns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(threads.os, "cpu_count", lambda: 2)  # as on any machine of 2 cores
    seen: set[int] = set()
    barrier = threading.Barrier(2, timeout=10)

    def work(x: int) -> int:
        seen.add(threading.get_ident())
        if x < 2:
            barrier.wait()  # the first two items run at the same time, or this times out
        return x * x

    assert each(work, range(6), rows=PARALLEL_FROM) == [0, 1, 4, 9, 16, 25]
    assert len(seen) == 2


def test_small_columns_stay_on_the_calling_thread() -> None:
    seen = set()

    def work(x: int) -> int:
        seen.add(threading.get_ident())
        return -x

    assert each(work, [1, 2, 3], rows=PARALLEL_FROM - 1) == [-1, -2, -3]
    assert seen == {threading.get_ident()}


@pytest.mark.parametrize("rows", [10, PARALLEL_FROM])
def test_the_first_failing_item_in_order_is_raised(rows: int) -> None:
    def work(x: int) -> int:
        if x in (3, 1):
            raise ValueError(f"item {x}")
        return x

    with pytest.raises(ValueError, match="item 1"):
        each(work, range(5), rows=rows)
