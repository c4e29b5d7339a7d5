"""The in-memory store: dicts and lists, for tests and notebooks (private).

It behaves like the SQLite store (same ordering, same errors, transactions
that roll back, threads that share it never lose an update) but keeps
nothing after the process ends.  It keeps no checksums: its documents are
immutable ``str`` objects and its observations read-only arrays inside the
process, which nothing outside the process can alter.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar, cast

from itil_ci.errors import StorageError
from itil_ci.register._common import (
    Depth,
    checked_document,
    checked_table,
    conflict,
    duplicate,
    group_order,
    indexed,
    missing,
    nested,
)
from itil_ci.register._schema import INDEXED
from itil_ci.register.store import NO_DIMS, Listed, Times, Values, Where

__all__ = ["MemoryStore"]

F = TypeVar("F", bound=Callable[..., Any])


def _locked(method: F) -> F:
    """Run ``method`` holding the store's lock (re-entrant: a transaction holds it too)."""

    @functools.wraps(method)
    def run(self: MemoryStore, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            return method(self, *args, **kwargs)

    return cast(F, run)


def _matches(index: Mapping[str, object], where: Where, below: Mapping[str, str]) -> bool:
    for col, want in where.items():
        have = index[col]
        if isinstance(want, tuple):
            if have not in want:
                return False
        elif have != want:
            return False
    for col, limit in below.items():
        have = index[col]
        if have is None or not str(have) < limit:
            return False
    return True


class MemoryStore:
    """A :class:`~itil_ci.register.Store` held in Python dicts.

    One lock guards it: every method holds it while it runs, and a
    transaction holds it from start to end, so threads sharing the store see
    each other's transactions whole and a version check and the write after
    it are one step (the SQLite store's guarantee: no lost update).

    Examples:
        >>> s = MemoryStore()
        >>> s.put_kpi("mttr", "{}")
        >>> s.kpis()
        [('mttr', '{}')]
    """

    def __init__(self) -> None:
        self._entities: dict[str, dict[str, tuple[int, dict[str, object], str]]] = {
            kind: {} for kind in INDEXED
        }
        self._kpis: dict[str, str] = {}
        self._baselines: list[tuple[str, str]] = []
        self._chunks: list[tuple[str, str | None, str, Times, Values]] = []
        self._documents: dict[tuple[str, str], str] = {}
        self._tables: dict[str, tuple[str, tuple[bytes, ...]]] = {}
        self._state = Depth()
        self._saved: Any = None  # what the open transaction restores if it rolls back
        self._closed = False
        self._lock = threading.RLock()  # one writer at a time, as one SQLite connection

    def _check(self, *kind: object) -> None:
        """Refuse a closed store, and an entity kind other than those of ``INDEXED``."""
        if self._closed:
            raise StorageError("the register is closed; open it again to use it")
        for k in kind:
            indexed(k)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside commit together; an exception undoes them.

        Examples:
            >>> s = MemoryStore()
            >>> try:
            ...     with s.transaction():
            ...         s.put_kpi("mttr", "{}")
            ...         raise RuntimeError("undo")
            ... except RuntimeError:
            ...     pass
            >>> s.kpis()
            []
        """
        with self._lock:
            self._check()
            yield from nested(self._state, self._begin, self._commit, self._rollback)

    def _begin(self) -> None:
        self._saved = (
            {k: dict(v) for k, v in self._entities.items()},
            dict(self._kpis),
            list(self._baselines),
            list(self._chunks),
            dict(self._documents),
            dict(self._tables),
        )

    def _commit(self) -> None:
        self._saved = None

    def _rollback(self) -> None:
        (
            self._entities,
            self._kpis,
            self._baselines,
            self._chunks,
            self._documents,
            self._tables,
        ) = self._saved
        self._saved = None

    @_locked
    def insert(
        self, kind: str, id: str, version: int, index: Mapping[str, object], document: str
    ) -> None:
        """Add an entity.

        Examples:
            >>> s = MemoryStore()
            >>> row = {"status": "logged", "service": "mail", "source": "idea",
            ...        "updated_at": "2026-01-05"}
            >>> s.insert("opportunity", "o1", 0, row, '{"title": "A"}')
            >>> s.get("opportunity", "o1")
            '{"title": "A"}'
            >>> s.insert("opportunity", "o1", 0, row, "{}")
            Traceback (most recent call last):
            ...
            itil_ci.errors.InvalidInputError: opportunity.id: expected an id not yet ...
        """
        self._check(kind)
        table = self._entities[kind]
        if id in table:
            raise duplicate(kind, id)
        table[id] = (version, dict(index), document)

    @_locked
    def replace(
        self, kind: str, id: str, expected: int, index: Mapping[str, object], document: str
    ) -> int:
        """Replace an entity stored at version ``expected``.

        Examples:
            >>> s = MemoryStore()
            >>> row = {"status": "logged", "service": "mail", "source": "idea",
            ...        "updated_at": "2026-01-05"}
            >>> s.insert("opportunity", "o1", 0, row, '{"title": "A"}')
            >>> s.replace("opportunity", "o1", 0, row, '{"title": "B"}')
            1
            >>> s.replace("opportunity", "o1", 0, row, '{"title": "C"}')
            Traceback (most recent call last):
            ...
            itil_ci.errors.ConflictError: opportunity 'o1' was changed by someone else: ...
        """
        self._check(kind)
        table = self._entities[kind]
        if id not in table:
            raise missing(kind, id)
        actual = table[id][0]
        if actual != expected:
            raise conflict(kind, id, expected, actual)
        table[id] = (expected + 1, dict(index), document)
        return expected + 1

    @_locked
    def get(self, kind: str, id: str) -> str | None:
        """The stored document.

        Examples:
            >>> s = MemoryStore()
            >>> row = {"status": "logged", "service": "mail", "source": "idea",
            ...        "updated_at": "2026-01-05"}
            >>> s.insert("opportunity", "o1", 0, row, '{"title": "A"}')
            >>> s.get("opportunity", "o1"), s.get("opportunity", "o2")
            ('{"title": "A"}', None)
        """
        self._check(kind)
        row = self._entities[kind].get(id)
        return None if row is None else row[2]

    @_locked
    def select(
        self,
        kind: str,
        where: Where,
        below: Mapping[str, str],
        *,
        unless: Where | None = None,
        unless_below: Mapping[str, str] | None = None,
    ) -> list[Listed]:
        """Matching (id, document) by id (leaving out those matching ``unless``/``unless_below``).

        Examples:
            >>> s = MemoryStore()
            >>> row = {"status": "logged", "service": "mail", "source": "idea",
            ...        "updated_at": "2026-01-05"}
            >>> s.insert("opportunity", "o1", 0, row, '{"title": "A"}')
            >>> s.insert("opportunity", "o2", 0, {**row, "status": "approved"}, '{"title": "B"}')
            >>> s.select("opportunity", {"status": ("logged", "assessed")}, {})
            [('o1', '{"title": "A"}')]
            >>> s.select("opportunity", {}, {"updated_at": "2026-01-06"})
            [('o1', '{"title": "A"}'), ('o2', '{"title": "B"}')]
        """
        self._check(kind)
        table = self._entities[kind]
        rows = [(i, *table[i][1:]) for i in sorted(table) if _matches(table[i][1], where, below)]
        if unless or unless_below:
            rows = [r for r in rows if not _matches(r[1], unless or {}, unless_below or {})]
        return [(i, doc) for i, _, doc in rows]

    @_locked
    def count(self, kind: str, by: str, where: Where) -> dict[object, int]:
        """Counts per value of ``by``.

        Examples:
            >>> s = MemoryStore()
            >>> row = {"status": "logged", "service": "mail", "source": "idea",
            ...        "updated_at": "2026-01-05"}
            >>> s.insert("opportunity", "o1", 0, row, "{}")
            >>> s.insert("opportunity", "o2", 0, {**row, "status": "approved"}, "{}")
            >>> s.count("opportunity", "status", {"service": "mail"})
            {'logged': 1, 'approved': 1}
        """
        self._check(kind)
        out: dict[object, int] = {}
        for _, index, _ in self._entities[kind].values():
            if _matches(index, where, {}):
                out[index[by]] = out.get(index[by], 0) + 1
        return out

    @_locked
    def put_kpi(self, key: str, document: str) -> None:
        """Define a KPI.

        Examples:
            >>> s = MemoryStore()
            >>> s.put_kpi("mttr", '{"unit": "h"}')
            >>> s.put_kpi("mttr", '{"unit": "hours"}')
            >>> s.kpis()
            [('mttr', '{"unit": "hours"}')]
        """
        self._check()
        self._kpis[key] = document

    @_locked
    def get_kpi(self, key: str) -> str | None:
        """One KPI document (None if not defined).

        Examples:
            >>> s = MemoryStore()
            >>> s.put_kpi("mttr", "m")
            >>> s.get_kpi("mttr"), s.get_kpi("fcr")
            ('m', None)
        """
        self._check()
        return self._kpis.get(key)

    @_locked
    def kpis(self) -> list[Listed]:
        """(key, document) of every KPI, by key.

        Examples:
            >>> s = MemoryStore()
            >>> s.put_kpi("mttr", "m")
            >>> s.put_kpi("fcr", "f")
            >>> s.kpis()
            [('fcr', 'f'), ('mttr', 'm')]
        """
        self._check()
        return [(k, self._kpis[k]) for k in sorted(self._kpis)]

    @_locked
    def add_baseline(self, kpi_key: str, document: str) -> None:
        """Append a baseline.

        Examples:
            >>> s = MemoryStore()
            >>> s.add_baseline("mttr", "first")
            >>> s.add_baseline("mttr", "second")
            >>> s.baselines("mttr")
            [('mttr', 'first'), ('mttr', 'second')]
        """
        self._check()
        self._baselines.append((kpi_key, document))

    @_locked
    def baselines(self, kpi_key: str | None) -> list[Listed]:
        """(KPI key, document) of the baselines, oldest first.

        Examples:
            >>> s = MemoryStore()
            >>> s.add_baseline("mttr", "m1")
            >>> s.add_baseline("fcr", "f1")
            >>> s.baselines("fcr"), s.baselines(None)
            ([('fcr', 'f1')], [('mttr', 'm1'), ('fcr', 'f1')])
        """
        self._check()
        return [(k, d) for k, d in self._baselines if kpi_key is None or k == kpi_key]

    @_locked
    def append(
        self, kpi_key: str, source: str | None, times: Times, values: Values, dims: str = NO_DIMS
    ) -> None:
        """Append observations of one key, source and dims.

        Examples:
            >>> s = MemoryStore()
            >>> import numpy as np
            >>> s.append("mttr", None, np.array([1, 2], dtype=np.int64), np.array([4.0, 5.0]))
            >>> s.series_keys()
            [('mttr', None, '{}')]
        """
        self._check()
        t, x = times.copy(), values.copy()
        t.flags.writeable = x.flags.writeable = False
        self._chunks.append((kpi_key, source, dims, t, x))

    @_locked
    def fetch(
        self,
        kpi_key: str,
        start: int | None,
        end: int | None,
        sources: Sequence[str | None] | None,
        dims: Sequence[str] | None = None,
    ) -> list[tuple[str | None, str, Times, Values]]:
        """Chunks of ``kpi_key`` in insertion order (of ``sources`` and ``dims`` if given).

        Examples:
            >>> s = MemoryStore()
            >>> import numpy as np
            >>> s.append("mttr", None, np.array([1, 2], dtype=np.int64), np.array([4.0, 5.0]))
            >>> [(src, d, t.tolist()) for src, d, t, _ in s.fetch("mttr", None, None, None)]
            [(None, '{}', [1, 2])]
            >>> s.fetch("mttr", 3, None, None)
            []
        """
        self._check()
        want_sources = None if sources is None else set(sources)
        want_dims = None if dims is None else set(dims)
        out = []
        for key, source, d, t, x in self._chunks:
            if key != kpi_key or not t.size:
                continue
            if (want_sources is not None and source not in want_sources) or (
                want_dims is not None and d not in want_dims
            ):
                continue
            if (start is not None and t[-1] < start) or (end is not None and t[0] >= end):
                continue
            out.append((source, d, t, x))
        return out

    @_locked
    def series_keys(self, kpi_key: str | None = None) -> list[tuple[str, str | None, str]]:
        """Every (key, source, dims) with observations (of ``kpi_key`` only if given).

        Examples:
            >>> s = MemoryStore()
            >>> import numpy as np
            >>> t, x = np.array([1], dtype=np.int64), np.array([4.0])
            >>> s.append("mttr", "itsm", t, x)
            >>> s.append("mttr", None, t, x, '{"team":"a"}')
            >>> s.series_keys()
            [('mttr', None, '{"team":"a"}'), ('mttr', 'itsm', '{}')]
        """
        self._check()
        keys = {
            (k, s, d)
            for k, s, d, t, _ in self._chunks
            if t.size and (kpi_key is None or k == kpi_key)
        }
        return sorted(keys, key=group_order)

    @_locked
    def put_document(self, kind: str, key: str, document: str) -> None:
        """Store a named document (insert or replace).

        Examples:
            >>> s = MemoryStore()
            >>> s.put_document("sla", "p1", "{}")
            >>> s.documents("sla")
            [('p1', '{}')]
        """
        self._check()
        kind, key, document = checked_document(kind, key, document)
        self._documents[kind, key] = document

    @_locked
    def get_document(self, kind: str, key: str) -> str | None:
        """One named document (None if there is none).

        Examples:
            >>> s = MemoryStore()
            >>> s.get_document("sla", "p1") is None
            True
        """
        self._check()
        kind, key, _ = checked_document(kind, key)
        return self._documents.get((kind, key))

    @_locked
    def documents(self, kind: str) -> list[Listed]:
        """(key, document) of the named documents of ``kind``, by key.

        Examples:
            >>> s = MemoryStore()
            >>> s.put_document("sla", "b", "2")
            >>> s.put_document("sla", "a", "1")
            >>> s.documents("sla")
            [('a', '1'), ('b', '2')]
        """
        self._check()
        kind, _, _ = checked_document(kind, "-")
        return sorted((k, d) for (c, k), d in self._documents.items() if c == kind)

    @_locked
    def document_kinds(self) -> list[str]:
        """Every kind with a named document, sorted.

        Examples:
            >>> s = MemoryStore()
            >>> s.put_document("sla", "a", "1")
            >>> s.document_kinds()
            ['sla']
        """
        self._check()
        return sorted({c for c, _ in self._documents})

    @_locked
    def delete_document(self, kind: str, key: str) -> bool:
        """Delete a named document; return whether there was one.

        Examples:
            >>> s = MemoryStore()
            >>> s.delete_document("sla", "a")
            False
        """
        self._check()
        kind, key, _ = checked_document(kind, key)
        return self._documents.pop((kind, key), None) is not None

    @_locked
    def replace_table(self, name: str, chunks: Sequence[bytes], meta: str) -> None:
        """Replace a named table's chunks and meta.

        Examples:
            >>> s = MemoryStore()
            >>> s.replace_table("tickets", [b"a", b"b"], "{}")
            >>> s.table("tickets")
            ('{}', [b'a', b'b'])
        """
        self._check()
        name, parts, meta = checked_table(name, chunks, meta)
        self._tables[name] = (meta, tuple(parts))

    @_locked
    def table(self, name: str) -> tuple[str, list[bytes]] | None:
        """The meta and chunks of a named table (None if there is none).

        Examples:
            >>> MemoryStore().table("tickets") is None
            True
        """
        self._check()
        name, _, _ = checked_table(name)
        found = self._tables.get(name)
        return None if found is None else (found[0], list(found[1]))

    @_locked
    def tables(self) -> list[str]:
        """Every named table, sorted.

        Examples:
            >>> s = MemoryStore()
            >>> s.replace_table("tickets", [], "{}")
            >>> s.tables()
            ['tickets']
        """
        self._check()
        return sorted(self._tables)

    @_locked
    def drop_table(self, name: str) -> bool:
        """Delete a named table; return whether there was one.

        Examples:
            >>> MemoryStore().drop_table("tickets")
            False
        """
        self._check()
        name, _, _ = checked_table(name)
        return self._tables.pop(name, None) is not None

    @_locked
    def clear(self) -> None:
        """Delete everything (inside the current transaction if there is one).

        Examples:
            >>> s = MemoryStore()
            >>> s.put_document("sla", "a", "1")
            >>> s.clear()
            >>> s.document_kinds()
            []
        """
        self._check()
        self._entities = {kind: {} for kind in INDEXED}
        self._kpis, self._baselines, self._chunks = {}, [], []
        self._documents, self._tables = {}, {}

    @_locked
    def close(self) -> None:
        """Drop everything.

        Examples:
            >>> s = MemoryStore()
            >>> s.close()
            >>> s.kpis()
            Traceback (most recent call last):
            ...
            itil_ci.errors.StorageError: ...
        """
        self._closed = True
        self._entities = {}
        self._chunks = []
        self._documents = {}
        self._tables = {}
