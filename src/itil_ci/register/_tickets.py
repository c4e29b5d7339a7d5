"""The register's tickets and their state history: merged by ticket id, kept as tables (private).

Imported tickets live in the named table :data:`TICKETS` and their state
history in :data:`HISTORY` (``Store.replace_table``), encoded column by column
by :mod:`itil_ci.register._columns`.  Both are kept in ticket id order (a
ticket's events in the order the source gave them), so the same content is
always the same bytes and its SHA-256 identifies it.

:func:`merge` folds an import into what is stored: one row per ticket id, the
latest version winning (``Tickets.latest``: update count, then update time,
then the import over the stored copy), so importing the same or an
overlapping export again never adds a ticket twice.  A ticket the import adds
or changes takes the import's events as its history (when the import has a
history); every other ticket keeps its stored events.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from itil_ci._internal import validate as v
from itil_ci._internal.columns import UnknownColumn
from itil_ci.errors import InvalidInputError
from itil_ci.io.history import History
from itil_ci.io.tickets import Tickets, kind_of
from itil_ci.register import _columns

__all__ = [
    "HISTORY",
    "TICKETS",
    "Merged",
    "decode_history",
    "decode_tickets",
    "encode_history",
    "encode_tickets",
    "merge",
]

TICKETS = "tickets"
HISTORY = "tickets.history"
_HISTORY_KINDS = {"id": "text", "time": "time", "state": "text", "assignment_group": "text"}


def _by_id(t: Tickets) -> Tickets:
    order = np.argsort(t.id, kind="stable")
    if order.size < 2 or bool((order[1:] > order[:-1]).all()):
        return t
    return t.select(order)


def encode_tickets(t: Tickets, info: dict[str, Any]) -> tuple[list[bytes], str]:
    """The chunks and meta of a tickets table (in id order)."""
    cols = []
    for name in Tickets.FIELDS:
        arr = getattr(t, name)
        cols.append((name, kind_of(name), None if isinstance(arr, UnknownColumn) else arr))
    return _columns.encode(TICKETS, cols, plain_text=["id"], info=info)


def decode_tickets(meta: str, chunks: list[bytes]) -> tuple[Tickets, dict[str, Any]]:
    """The tickets :func:`encode_tickets` wrote, checked as any Tickets table is."""
    cols, info = _columns.decode(TICKETS, meta, chunks)
    given = {name: cols.get(name) for name in Tickets.FIELDS}
    return Tickets(**given), info


def encode_history(h: History, info: dict[str, Any]) -> tuple[list[bytes], str]:
    """The chunks and meta of a history table."""
    cols = [(name, kind, getattr(h, name)) for name, kind in _HISTORY_KINDS.items()]
    return _columns.encode(HISTORY, cols, info=info)


def decode_history(meta: str, chunks: list[bytes]) -> tuple[History, dict[str, Any]]:
    """The history :func:`encode_history` wrote."""
    cols, info = _columns.decode(HISTORY, meta, chunks)
    return (
        History(
            id=cols["id"],
            time=cols["time"],
            state=cols["state"],
            assignment_group=cols.get("assignment_group"),
        ),
        info,
    )


@attrs.frozen
class Merged:
    """What :func:`merge` made: the tickets and history to store, and what changed."""

    tickets: Tickets
    history: History | None
    added: tuple[str, ...]
    updated: tuple[str, ...]
    unchanged: int


def _same(a: npt.NDArray[Any], b: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    if a.dtype.kind == "M":
        out = a.view(np.int64) == b.view(np.int64)
    elif a.dtype.kind == "f":
        out = (a == b) | (np.isnan(a) & np.isnan(b))
    else:
        out = a == b
    return np.asarray(out, dtype=bool)


def check_columns(stored: Tickets, new: Tickets) -> None:
    """Refuse an import whose known columns differ from the stored tickets'.

    A column one side lacks would be unknown for every ticket once merged
    (``Tickets.concat``): the KPIs that need it would silently go away.
    """
    lost = [c for c in stored.known if c not in new.known]
    gained = [c for c in new.known if c not in stored.known]
    if lost or gained:
        parts = []
        if lost:
            parts.append("it lacks " + ", ".join(lost))
        if gained:
            parts.append("it has " + ", ".join(gained) + " which the stored tickets lack")
        raise InvalidInputError(
            "tickets: expected the columns of the tickets already in the register ("
            + ", ".join(stored.known)
            + "); "
            + " and ".join(parts)
            + " (import with the same columns, or replace the stored tickets)"
        )


def merge(
    stored: Tickets | None,
    history: History | None,
    new: Tickets,
    new_history: History | None,
) -> Merged:
    """Fold ``new`` (and its history) into the stored tickets: one row per id, latest wins."""
    if not isinstance(new, Tickets):
        raise v.fail("tickets", "a Tickets table", new)
    if new_history is not None and not isinstance(new_history, History):
        raise v.fail("history", "None or a History", new_history)
    incoming = _by_id(new)
    ids = incoming.id
    if ids.size > 1 and bool((ids[1:] == ids[:-1]).any()):  # several versions of a ticket
        incoming = _by_id(incoming.latest())
    if stored is None or len(stored) == 0:
        return Merged(
            incoming, _history_of(None, new_history, incoming.id), tuple(incoming.id.tolist()),
            (), 0,
        )  # fmt: skip
    check_columns(stored, incoming)
    # both are in id order: find each imported ticket among the stored ones
    pos = np.searchsorted(stored.id, incoming.id)
    inside = pos < len(stored)
    known = np.zeros(len(incoming), dtype=bool)
    known[inside] = stored.id[pos[inside]] == incoming.id[inside]
    at = pos[known]  # the stored row of each imported ticket already stored
    wins = _later_or_same(incoming.select(known), stored.select(at))
    # a winning import row that differs from the stored one is an update
    differs = np.zeros(int(known.sum()), dtype=bool)
    for name, arr in stored.columns():  # a loop over the columns, not the tickets
        differs |= ~_same(getattr(incoming, name)[known], arr[at])
    change = wins & differs
    merged = stored
    if change.any():
        rows = np.arange(len(stored))
        take = np.full(len(stored), -1, dtype=np.int64)
        take[at[change]] = np.flatnonzero(known)[change]
        cols: dict[str, Any] = {}
        for name in Tickets.FIELDS:  # a loop over the columns, not the tickets
            old, new_col = getattr(stored, name), getattr(incoming, name)
            if isinstance(old, UnknownColumn):
                cols[name] = None
                continue
            col = old.copy()
            hit = take >= 0
            col[rows[hit]] = new_col[take[hit]]
            cols[name] = col
        merged = Tickets(**cols)
    added = incoming.id[~known]
    if added.size:
        merged = _by_id(Tickets.concat([merged, incoming.select(~known)]))
    updated = incoming.id[known][change]
    replaced = np.concatenate([added, updated])
    return Merged(
        merged,
        _history_of(history, new_history, replaced),
        tuple(added.tolist()),
        tuple(updated.tolist()),
        int(known.sum()) - int(change.sum()),
    )


def _later_or_same(new: Tickets, old: Tickets) -> npt.NDArray[np.bool_]:
    """Whether each row of ``new`` is a later version than ``old``'s, or as late.

    The order of ``Tickets.latest``: the update count, then the update time
    (a missing time first); on a tie the import wins.
    """
    keys = []
    if "update_count" in new.known:
        keys.append((new.column("update_count"), old.column("update_count")))
    if "updated" in new.known:
        keys.append((new.column("updated").view(np.int64), old.column("updated").view(np.int64)))
    wins = np.ones(len(new), dtype=bool)
    decided = np.zeros(len(new), dtype=bool)
    for a, b in keys:  # a loop over the (at most two) ordering columns
        later, earlier = (a > b) & ~decided, (a < b) & ~decided
        wins[earlier] = False
        decided |= later | earlier
    return wins


def _history_of(
    stored: History | None, new: History | None, replaced: npt.NDArray[np.str_]
) -> History | None:
    """The stored events, with those of the ``replaced`` tickets taken from ``new``."""
    if new is None or (replaced.size == 0 and stored is not None):
        return stored
    take = new.select(np.isin(new.id, replaced))
    if stored is not None and len(stored):
        keep = stored.select(~np.isin(stored.id, replaced))
        if (keep.assignment_group is None) != (take.assignment_group is None) and len(keep):
            # one side lacks the assignment group: keep it only where every event has it
            take = History(id=take.id, time=take.time, state=take.state)
            keep = History(id=keep.id, time=keep.time, state=keep.state)
        take = History.concat([keep, take])
    order = np.argsort(take.id, kind="stable")
    return History(
        id=take.id[order],
        time=take.time[order],
        state=take.state[order],
        assignment_group=None if take.assignment_group is None else take.assignment_group[order],
    )
