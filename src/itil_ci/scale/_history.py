"""State history on Dask: each ticket's events in one partition, pauses from them (private).

Pauses and time in state follow each ticket's events from one to the next
in history order, so a partition must hold every event of its tickets.  A
history read with :func:`itil_ci.scale.read_history` from a dataset written
by ``History.to_parquet(path, partition_by="month", ...)`` (or with a single
partition) does; any other history frame is first shuffled on a hash of the
ticket id (:func:`by_ticket`), carrying each event's place in the history
order (``_order``) so that the events of a ticket are put back in order.
The history order is ``_row`` where the files hold it (the original
order), else the order of the partitions and of the rows in them.

:func:`pauses` then runs :meth:`itil_ci.io.History.pauses` on each
partition: the in-memory code, on the events of whole tickets.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt

from itil_ci._internal.strings import grouped
from itil_ci._internal.validate import fail
from itil_ci.errors import ItilCiError
from itil_ci.io.history import History
from itil_ci.measurement.pauses import _states
from itil_ci.scale import _layout
from itil_ci.scale._frame import Kind, columns, text, times
from itil_ci.scale._slaclock import hashed

__all__ = ["ORDER", "by_ticket", "check", "ordered", "pauses"]

ORDER = "_order"  # each event's place in the history order, carried through a shuffle
_ROW = "_row"  # the original position, as History.to_parquet writes it
_SHIFT = 40  # rows per partition when the order is (partition, position)


def check(history: object) -> bool:
    """Check a dask DataFrame of events (``id``, ``time``, ``state``); True if it has groups."""
    roles: dict[str, tuple[object, Kind]] = {
        "id": ("id", "any"),
        "time": ("time", "time"),
        "state": ("state", "any"),
    }
    columns(history, roles, None, frame="history")
    return "assignment_group" in getattr(history, "columns", ())


def _order(part: Any, index: int) -> npt.NDArray[np.int64]:
    if ORDER in part.columns:
        return np.asarray(part[ORDER].to_numpy(), dtype=np.int64)
    if _ROW in part.columns:
        return np.asarray(part[_ROW].to_numpy(), dtype=np.int64)
    return (np.int64(index) << _SHIFT) + np.arange(len(part), dtype=np.int64)


def ordered(part: Any, index: int) -> tuple[History, npt.NDArray[np.int64]]:
    """A partition's events as a History in history order, and each event's order key."""
    key = _order(part, index)
    try:
        if key.size > 1 and (np.diff(key) < 0).any():
            sort = np.argsort(key, kind="stable")
            part, key = part.iloc[sort], key[sort]
        cols = {
            "id": text(part["id"], "History.id"),
            "time": times(part["time"]),
            "state": text(part["state"], "History.state"),
        }
        if "assignment_group" in part.columns:
            cols["assignment_group"] = text(part["assignment_group"], "History.assignment_group")
        h = History(**cols)
        if not np.array_equal(h.id, cols["id"]):  # History put each ticket's events together
            moved = grouped(cols["id"])
            assert moved is not None
            key = key[moved]
        return h, key
    except ItilCiError as err:
        raise fail(f"history, partition {index}", "a table of events", str(err)) from None


def _with_order(part: Any, partition_info: dict[str, Any] | None = None) -> Any:
    index = 0 if partition_info is None else int(partition_info["number"])
    return part.assign(**{ORDER: _order(part, index)})


def by_ticket(history: Any) -> tuple[Any, _layout.Layout]:
    """The history with every ticket's events in one partition, and how it is laid out."""
    layout = _layout.of(history)
    if layout is not None and (layout.by_ticket or layout.hashed is not None):
        return history, layout
    if history.npartitions == 1:
        return history, _layout.Layout(by_ticket=True)
    meta = history._meta.assign(**{ORDER: np.zeros(0, dtype=np.int64)})
    keyed = history.map_partitions(_with_order, meta=meta)
    moved = hashed(keyed, "id", int(history.npartitions), name="history")
    layout = _layout.of(moved)
    assert layout is not None
    return moved, layout


def _pauses_of(part: Any, states: tuple[str, ...], partition_info: Any = None) -> Any:
    import pandas as pd

    index = 0 if partition_info is None else int(partition_info["number"])
    h, _ = ordered(part, index)
    p = h.pauses(states)
    return pd.DataFrame(
        {
            "id": p.id,
            "start": pd.Series(p.start, copy=True).dt.tz_localize("UTC"),
            "end": pd.Series(p.end, copy=True).dt.tz_localize("UTC"),
        }
    )


def pauses(history: Any, states: Iterable[str]) -> Any:
    """The pauses of the SLA clock in a state history, as a dask DataFrame of pauses.

    The Dask form of :meth:`History.pauses <itil_ci.io.History.pauses>`, with
    columns ``id``, ``start`` and ``end``: the spells each ticket spent in
    any of ``states``, from a frame of events
    (``id``, ``time``, ``state``) such as :func:`read_history` gives, for the
    ``pauses=`` argument of :func:`mttr`, :func:`mtta` and
    :func:`sla_attainment`.  Each partition's pauses are computed by the
    in-memory code from whole tickets: a history laid out by ticket
    (``History.to_parquet(path, partition_by="month", ...)``) is used as it
    is, keeping its month directories (so the KPIs pair them with the same
    months of tickets); any other is shuffled on the ticket id first.  The
    states are recorded and reported in the KPI's parameters.  Nothing is
    computed until a KPI runs.

    Examples:
        >>> import tempfile
        >>> import numpy as np
        >>> from itil_ci import scale
        >>> from itil_ci.io import History
        >>> h = History(id=["INC1"] * 3, state=["New", "On Hold", "In Progress"],
        ...             time=np.array(["2026-01-12T09:00", "2026-01-12T10:00",
        ...                            "2026-01-12T12:00"], dtype="M8[ns]"))
        >>> path = f"{tempfile.mkdtemp()}/history.parquet"
        >>> h.to_parquet(path)
        >>> p = scale.pauses(scale.read_history(path), {"On Hold"})
        >>> list(p.columns), p.compute()["end"].astype(str).tolist()
        (['id', 'start', 'end'], ['2026-01-12 12:00:00+00:00'])
    """
    check(history)
    wanted = _states(states)
    frame, layout = by_ticket(history)
    meta = _pauses_of(frame._meta, wanted)
    out = frame.map_partitions(_pauses_of, wanted, meta=meta)
    return _layout.remember(
        out,
        _layout.Layout(
            keys=layout.keys,
            by_ticket=True,
            by_opened_month=layout.by_opened_month,
            hashed=layout.hashed,
            states=wanted,
        ),
    )
