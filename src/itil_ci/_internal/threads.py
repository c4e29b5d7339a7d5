"""Independent per-column work on several cores (private).

numpy's copies, ``take`` and reductions and Arrow's compute functions
release the GIL, so converting the columns of a table one per thread uses
the cores that Arrow's own CSV reader uses, instead of one.  The work is per
*column* (a handful of items), never per row.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

__all__ = ["PARALLEL_FROM", "each"]

T = TypeVar("T")
R = TypeVar("R")


#: Rows below which the columns are converted in the calling thread (threads cost more).
PARALLEL_FROM = 1 << 16


def each(fn: Callable[[T], R], items: Iterable[T], *, rows: int) -> list[R]:
    """``[fn(x) for x in items]``, run on up to one thread per core, results in order.

    ``rows`` is how many rows each item holds: below :data:`PARALLEL_FROM`
    the items are done in the calling thread.  The first exception raised by
    ``fn`` (in the order of ``items``) is raised.

    Examples:
        >>> each(len, ["a", "bb", "ccc"], rows=1_000_000)
        [1, 2, 3]
    """
    work = list(items)
    cores = os.cpu_count() or 1
    if cores < 2 or len(work) < 2 or rows < PARALLEL_FROM:
        return [fn(x) for x in work]
    with ThreadPoolExecutor(max_workers=min(cores, len(work))) as pool:
        return list(pool.map(fn, work))
