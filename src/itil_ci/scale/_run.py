"""Running a function on every partition, and moving rows so that cells come together (private).

:func:`each_partition` applies ``fn(partition, index, *args)`` to every
partition of a dask DataFrame and brings the (small) results back to the
client, on whatever scheduler is current: the ``distributed.Client`` the user
made (it registers itself as the default), or Dask's local threads.  Only the
needed columns are read (the projection reaches the Parquet reader).

:func:`regroup` keeps the rows that ``select(partition, *args)`` marks with a
non-negative ``_cell`` number and shuffles them on that number, so that each
cell's rows end up in one partition.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from itil_ci.scale._frame import dask

__all__ = ["CELL", "each_partition", "regroup"]

CELL = "_cell"


def each_partition(frame: Any, fn: Callable[..., Any], *args: Any) -> list[Any]:
    """``[fn(part, i, *args) for i, part in enumerate(partitions)]``, computed by Dask."""
    dask()
    from dask.base import compute
    from dask.delayed import delayed

    task = delayed(fn, pure=True)
    parts = frame.to_delayed()
    done = compute(*[task(p, i, *args) for i, p in enumerate(parts)])  # type: ignore[no-untyped-call]
    return list(done)


def _keep(part: Any, select: Callable[..., Any], *args: Any) -> Any:
    cell = select(part, *args)
    out = part.assign(**{CELL: cell})
    return out[cell >= 0]


def regroup(frame: Any, select: Callable[..., Any], *args: Any, cells: int) -> Any:
    """The rows ``select`` numbers (``>= 0``), shuffled so that rows of one number meet.

    ``select(part, *args)`` returns one int64 per row: the row's cell among
    the cells to bring together, or -1 to drop the row.
    """
    meta = frame._meta.assign(**{CELL: np.zeros(0, dtype=np.int64)})
    kept = frame.map_partitions(_keep, select, *args, meta=meta)
    n_out = max(1, min(int(frame.npartitions), cells))
    return kept.shuffle(on=CELL, npartitions=n_out)
