"""What is known about how a dask DataFrame made here is partitioned (private).

A KPI with pauses needs each ticket's pauses in the partition that holds the
ticket; time in state needs each ticket's events in one partition.  Nothing
in a dask DataFrame says how its rows are spread, so the frames this package
makes are remembered by their (deterministic) Dask name with a
:class:`Layout`: the directory keys of each partition, whether the rows of a
ticket share a partition, whether the directories are the months tickets
were opened in, or the number of partitions rows were hashed into by ticket
id.  Any transformation gives a frame a new name, so a frame not found here
is treated as laid out in an unknown way (the safe, shuffling path).
"""

from __future__ import annotations

import threading
from typing import Any

import attrs

__all__ = ["PID", "Keys", "Layout", "of", "remember"]

Keys = tuple[tuple[str, Any], ...]
PID = "_pid"  # the hash of a row's ticket id, the column rows are shuffled on
_MAX = 4096  # frames remembered (the oldest are forgotten first)


@attrs.frozen
class Layout:
    """How the rows of a frame are spread over its partitions.

    ``keys``: the directory keys of each partition (``(("month", "2025-01"),)``),
    or ``None``.  ``by_ticket``: every ticket's rows are in one partition.
    ``by_opened_month``: partition ``i`` holds the rows of exactly the tickets
    opened (UTC) in the month its ``month`` key names.  ``hashed``: rows were
    shuffled on :data:`PID` into that many partitions.  ``states``: for a
    frame of pauses, the pause states they come from.
    """

    keys: tuple[Keys, ...] | None = None
    by_ticket: bool = False
    by_opened_month: bool = False
    hashed: int | None = None
    states: tuple[str, ...] = ()


_KNOWN: dict[str, Layout] = {}
_LOCK = threading.Lock()


def remember(frame: Any, layout: Layout) -> Any:
    """Record ``layout`` for ``frame`` (returned unchanged)."""
    with _LOCK:
        _KNOWN[str(frame._name)] = layout
        while len(_KNOWN) > _MAX:
            del _KNOWN[next(iter(_KNOWN))]
    return frame


def of(frame: Any) -> Layout | None:
    """The layout recorded for ``frame``, or ``None`` when nothing is known."""
    name = getattr(frame, "_name", None)
    if name is None:
        return None
    with _LOCK:
        return _KNOWN.get(str(name))
