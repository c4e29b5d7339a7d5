"""The small protocol a register's storage implements, and helpers its stores share.

A :class:`Store` keeps JSON documents (written and read by the codec in
:mod:`itil_ci.io.codec`; a store never interprets them) with a few indexed
columns per entity, KPI definitions, baselines and measured observations,
plus two generic primitives: named documents by kind (SLA and KPI derivation
definitions) and named columnar tables kept as chunks of bytes (imported
tickets and their state history).  :class:`~itil_ci.register.Register` is
the only caller; it validates and encodes everything before a store sees it.
Two stores ship with the library: an in-memory one and SQLite (the embedded
default).  A server database can be added by implementing the same methods.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

__all__ = [
    "MAX_TABLE_CHUNK",
    "NO_DIMS",
    "Damaged",
    "Listed",
    "Store",
    "Times",
    "Values",
    "Where",
]

#: Nanoseconds since the epoch (UTC).
Times = npt.NDArray[np.int64]
#: Observed values (``NaN`` marks a missing value).
Values = npt.NDArray[np.float64]
#: Column -> value (``=``), ``None`` (``IS NULL``) or a tuple of values (``IN``).
Where = Mapping[str, object]
#: The canonical dims of observations without dimensions.
NO_DIMS = "{}"
#: The largest chunk of a named table, in bytes (512 MiB: well under the 1 GB that
#: SQLite and PostgreSQL allow for one value).
MAX_TABLE_CHUNK = 2**29
#: The longest kind, key or table name of the generic primitives, in characters.
MAX_NAME = 500


class Damaged:
    """What a listing returns in place of a stored document that failed its check.

    A database store keeps a checksum with every document; when a row read
    for a listing does not match it (or is not text), the store returns
    ``Damaged(reason)`` for it instead of raising, so the register can name
    every damaged entry and still return the intact ones.

    Examples:
        >>> Damaged("its checksum does not match (the stored bytes changed)")
        Damaged('its checksum does not match (the stored bytes changed)')
    """

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return f"Damaged({self.reason!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Damaged) and other.reason == self.reason

    def __hash__(self) -> int:
        return hash(self.reason)


#: A listed document: (id or key, the document, or :class:`Damaged`).
Listed = tuple[str, str | Damaged]


@runtime_checkable
class Store(Protocol):
    """What a register needs from its storage.

    ``kind`` is ``"opportunity"`` or ``"initiative"``; ``index`` holds the
    values of that kind's indexed columns (see ``register/_schema.py``), and
    ``document`` the codec's JSON.  Every method that writes is atomic; inside
    :meth:`transaction` all writes commit together or not at all.  Listings are
    ordered by id (entities), key (KPIs) or insertion (baselines).  A store
    may be shared by threads: a transaction holds the store for its thread, so
    the version check of :meth:`replace` and the write that follows it are one
    step (no lost update).  A database store keeps a checksum with every
    document and chunk and verifies it on read (see ``register/_checksum.py``):
    a single read of a damaged row raises
    :class:`~itil_ci.errors.StorageError` naming it, a listing returns
    :class:`Damaged` in its place.

    Examples:
        >>> from itil_ci.register import Register, Store
        >>> isinstance(Register.in_memory().store, Store)
        True
    """

    def transaction(self) -> AbstractContextManager[None]:
        """A context in which every write commits together (nested use joins).

        Examples:
            >>> from itil_ci.register import MemoryStore
            >>> s = MemoryStore()
            >>> with s.transaction():
            ...     s.put_kpi("mttr", "{}")
            >>> len(s.kpis())
            1
        """
        ...

    def insert(
        self, kind: str, id: str, version: int, index: Mapping[str, object], document: str
    ) -> None:
        """Add an entity; raise InvalidInputError if ``id`` is already stored.

        Examples:
            >>> from itil_ci.register import MemoryStore
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
        ...

    def replace(
        self, kind: str, id: str, expected: int, index: Mapping[str, object], document: str
    ) -> int:
        """Replace an entity stored at version ``expected``; return the new version.

        Raise :class:`~itil_ci.errors.ConflictError` if the stored version
        differs and :class:`~itil_ci.errors.NotFound` if nothing is stored.

        Examples:
            >>> from itil_ci.register import MemoryStore
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
        ...

    def get(self, kind: str, id: str) -> str | None:
        """The document stored under ``id`` (None if there is none).

        A document that fails the store's check (a database store keeps a
        checksum with each) raises :class:`~itil_ci.errors.StorageError`
        naming ``kind`` and ``id``.

        Examples:
            >>> from itil_ci.register import MemoryStore
            >>> s = MemoryStore()
            >>> row = {"status": "logged", "service": "mail", "source": "idea",
            ...        "updated_at": "2026-01-05"}
            >>> s.insert("opportunity", "o1", 0, row, '{"title": "A"}')
            >>> s.get("opportunity", "o1"), s.get("opportunity", "o2")
            ('{"title": "A"}', None)
        """
        ...

    def select(
        self,
        kind: str,
        where: Where,
        below: Mapping[str, str],
        *,
        unless: Where | None = None,
        unless_below: Mapping[str, str] | None = None,
    ) -> list[Listed]:
        """(id, document) of the rows matching ``where`` with each ``below`` column non-null
        and ``< value``, by id.

        With ``unless``/``unless_below``, rows that match both of those too (the
        same rules) are left out: one query for "not (open and due < today)".
        A row whose document fails the store's check is listed with
        :class:`Damaged` in place of its document, never left out.

        Examples:
            >>> from itil_ci.register import MemoryStore
            >>> s = MemoryStore()
            >>> row = {"status": "logged", "service": "mail", "source": "idea",
            ...        "updated_at": "2026-01-05"}
            >>> s.insert("opportunity", "o1", 0, row, '{"title": "A"}')
            >>> s.insert("opportunity", "o2", 0, {**row, "status": "approved"}, '{"title": "B"}')
            >>> s.select("opportunity", {"status": ("logged", "assessed")}, {})
            [('o1', '{"title": "A"}')]
            >>> s.select("opportunity", {}, {"updated_at": "2026-01-06"})
            [('o1', '{"title": "A"}'), ('o2', '{"title": "B"}')]
            >>> s.select("opportunity", {}, {}, unless={"status": "logged"})
            [('o2', '{"title": "B"}')]
        """
        ...

    def count(self, kind: str, by: str, where: Where) -> dict[object, int]:
        """How many entities match ``where``, per value of column ``by``.

        Examples:
            >>> from itil_ci.register import MemoryStore
            >>> s = MemoryStore()
            >>> row = {"status": "logged", "service": "mail", "source": "idea",
            ...        "updated_at": "2026-01-05"}
            >>> s.insert("opportunity", "o1", 0, row, "{}")
            >>> s.insert("opportunity", "o2", 0, {**row, "status": "approved"}, "{}")
            >>> s.count("opportunity", "status", {"service": "mail"})
            {'logged': 1, 'approved': 1}
        """
        ...

    def put_kpi(self, key: str, document: str) -> None:
        """Define (or redefine) the KPI with ``key``.

        Examples:
            >>> from itil_ci.register import MemoryStore
            >>> s = MemoryStore()
            >>> s.put_kpi("mttr", '{"unit": "h"}')
            >>> s.put_kpi("mttr", '{"unit": "hours"}')
            >>> s.get_kpi("mttr")
            '{"unit": "hours"}'
        """
        ...

    def get_kpi(self, key: str) -> str | None:
        """The document of the KPI with ``key`` (None if it is not defined).

        A document that fails the store's check raises StorageError naming the KPI.

        Examples:
            >>> from itil_ci.register import MemoryStore
            >>> s = MemoryStore()
            >>> s.put_kpi("mttr", "m")
            >>> s.get_kpi("mttr"), s.get_kpi("fcr")
            ('m', None)
        """
        ...

    def kpis(self) -> list[Listed]:
        """(key, document) of every KPI, by key (:class:`Damaged` for a damaged document).

        Examples:
            >>> from itil_ci.register import MemoryStore
            >>> s = MemoryStore()
            >>> s.put_kpi("mttr", "m")
            >>> s.put_kpi("fcr", "f")
            >>> s.kpis()
            [('fcr', 'f'), ('mttr', 'm')]
        """
        ...

    def add_baseline(self, kpi_key: str, document: str) -> None:
        """Append a baseline of ``kpi_key``.

        Examples:
            >>> from itil_ci.register import MemoryStore
            >>> s = MemoryStore()
            >>> s.add_baseline("mttr", "first")
            >>> s.add_baseline("mttr", "second")
            >>> s.baselines("mttr")
            [('mttr', 'first'), ('mttr', 'second')]
        """
        ...

    def baselines(self, kpi_key: str | None) -> list[Listed]:
        """(KPI key, document) of the baselines of ``kpi_key`` (of every KPI if None),
        oldest first (:class:`Damaged` for a damaged document).

        Examples:
            >>> from itil_ci.register import MemoryStore
            >>> s = MemoryStore()
            >>> s.add_baseline("mttr", "m1")
            >>> s.add_baseline("fcr", "f1")
            >>> s.baselines("fcr"), s.baselines(None)
            ([('fcr', 'f1')], [('mttr', 'm1'), ('fcr', 'f1')])
        """
        ...

    def append(
        self, kpi_key: str, source: str | None, times: Times, values: Values, dims: str = NO_DIMS
    ) -> None:
        """Append observations (``times`` sorted ascending) of one key, source and dims.

        ``dims`` is the canonical JSON of the observations' dimensions
        (sorted keys, no spaces, :data:`NO_DIMS` for none); the register
        builds it, a store keeps it as an opaque string.

        Examples:
            >>> from itil_ci.register import MemoryStore
            >>> s = MemoryStore()
            >>> import numpy as np
            >>> t, x = np.array([1, 2], dtype=np.int64), np.array([4.0, 5.0])
            >>> s.append("mttr", None, t, x)
            >>> s.append("mttr", None, t, x, '{"service":"email"}')
            >>> s.series_keys()
            [('mttr', None, '{}'), ('mttr', None, '{"service":"email"}')]
        """
        ...

    def fetch(
        self,
        kpi_key: str,
        start: int | None,
        end: int | None,
        sources: Sequence[str | None] | None,
        dims: Sequence[str] | None = None,
    ) -> list[tuple[str | None, str, Times, Values]]:
        """Stored chunks of ``kpi_key`` that may hold times in ``[start, end)``.

        Each chunk is (source, dims, times, values) as appended, in insertion
        order; only chunks from ``sources`` and with dims in ``dims`` (each:
        every one if None).  The register trims them to the window and
        orders them.  A chunk that fails the store's check raises
        :class:`~itil_ci.errors.StorageError` naming it.

        Examples:
            >>> from itil_ci.register import MemoryStore
            >>> s = MemoryStore()
            >>> import numpy as np
            >>> s.append("mttr", None, np.array([1, 2], dtype=np.int64), np.array([4.0, 5.0]))
            >>> [(src, d, t.tolist()) for src, d, t, _ in s.fetch("mttr", None, None, None)]
            [(None, '{}', [1, 2])]
            >>> s.fetch("mttr", 3, None, None), s.fetch("mttr", None, None, None, ['{"a":"b"}'])
            ([], [])
        """
        ...

    def series_keys(self, kpi_key: str | None = None) -> list[tuple[str, str | None, str]]:
        """Every (KPI key, source, dims) with observations (of ``kpi_key`` only if given).

        Sorted by key, then source (None first), then dims (``'{}'`` first).

        Examples:
            >>> from itil_ci.register import MemoryStore
            >>> s = MemoryStore()
            >>> import numpy as np
            >>> t, x = np.array([1], dtype=np.int64), np.array([4.0])
            >>> s.append("mttr", "itsm", t, x)
            >>> s.append("mttr", None, t, x)
            >>> s.append("fcr", None, t, x)
            >>> s.series_keys("mttr")
            [('mttr', None, '{}'), ('mttr', 'itsm', '{}')]
        """
        ...

    def put_document(self, kind: str, key: str, document: str) -> None:
        """Store ``document`` as the named document ``key`` of ``kind`` (insert or replace).

        Named documents hold definitions the register keeps by name (kinds
        such as ``"sla"`` or ``"derivation"``); a store never interprets
        them.  ``kind`` and ``key`` are non-empty text of at most
        :data:`MAX_NAME` characters, ``document`` any text; none may hold
        the NUL character (PostgreSQL text cannot).

        Examples:
            >>> from itil_ci.register import MemoryStore
            >>> s = MemoryStore()
            >>> s.put_document("sla", "p1", '{"hours": 4}')
            >>> s.put_document("sla", "p1", '{"hours": 8}')
            >>> s.get_document("sla", "p1")
            '{"hours": 8}'
        """
        ...

    def get_document(self, kind: str, key: str) -> str | None:
        """The named document ``key`` of ``kind`` (None if there is none).

        A document that fails the store's check raises
        :class:`~itil_ci.errors.StorageError` naming its kind and key.

        Examples:
            >>> from itil_ci.register import MemoryStore
            >>> s = MemoryStore()
            >>> s.put_document("sla", "p1", "{}")
            >>> s.get_document("sla", "p1"), s.get_document("sla", "p2")
            ('{}', None)
        """
        ...

    def documents(self, kind: str) -> list[Listed]:
        """(key, document) of every named document of ``kind``, by key.

        A document that fails the store's check is listed with
        :class:`Damaged` in its place, never left out.

        Examples:
            >>> from itil_ci.register import MemoryStore
            >>> s = MemoryStore()
            >>> s.put_document("sla", "p2", "b")
            >>> s.put_document("sla", "p1", "a")
            >>> s.put_document("derivation", "mttr", "c")
            >>> s.documents("sla")
            [('p1', 'a'), ('p2', 'b')]
        """
        ...

    def document_kinds(self) -> list[str]:
        """Every kind that has at least one named document, sorted.

        Examples:
            >>> from itil_ci.register import MemoryStore
            >>> s = MemoryStore()
            >>> s.put_document("sla", "p1", "a")
            >>> s.put_document("derivation", "mttr", "c")
            >>> s.document_kinds()
            ['derivation', 'sla']
        """
        ...

    def delete_document(self, kind: str, key: str) -> bool:
        """Delete the named document ``key`` of ``kind``; return whether there was one.

        Examples:
            >>> from itil_ci.register import MemoryStore
            >>> s = MemoryStore()
            >>> s.put_document("sla", "p1", "a")
            >>> s.delete_document("sla", "p1"), s.delete_document("sla", "p1")
            (True, False)
        """
        ...

    def replace_table(self, name: str, chunks: Sequence[bytes], meta: str) -> None:
        """Replace every chunk of the named table ``name`` and its ``meta``, atomically.

        A named table is a columnar table the register encodes into a few
        large chunks of bytes (at most :data:`MAX_TABLE_CHUNK` each) and a
        JSON ``meta`` text describing them; a store keeps both as given and
        never interprets them.  The chunks and the meta replace whatever the
        table held, together, inside the current transaction if there is
        one (otherwise in a transaction of their own).

        Examples:
            >>> from itil_ci.register import MemoryStore
            >>> s = MemoryStore()
            >>> s.replace_table("tickets", [b"abc", b"de"], '{"rows": 5}')
            >>> s.replace_table("tickets", [b"xyz"], '{"rows": 3}')
            >>> s.table("tickets")
            ('{"rows": 3}', [b'xyz'])
        """
        ...

    def table(self, name: str) -> tuple[str, list[bytes]] | None:
        """The meta and the chunks (in order) of the named table ``name`` (None if none).

        A meta or chunk that fails the store's check (or a chunk that is
        missing) raises :class:`~itil_ci.errors.StorageError` naming the
        table and the chunk.

        Examples:
            >>> from itil_ci.register import MemoryStore
            >>> s = MemoryStore()
            >>> s.replace_table("history", [], "{}")
            >>> s.table("history"), s.table("tickets")
            (('{}', []), None)
        """
        ...

    def tables(self) -> list[str]:
        """The names of every named table, sorted.

        Examples:
            >>> from itil_ci.register import MemoryStore
            >>> s = MemoryStore()
            >>> s.replace_table("tickets", [b"a"], "{}")
            >>> s.replace_table("history", [b"b"], "{}")
            >>> s.tables()
            ['history', 'tickets']
        """
        ...

    def drop_table(self, name: str) -> bool:
        """Delete the named table ``name`` and its chunks; return whether there was one.

        Examples:
            >>> from itil_ci.register import MemoryStore
            >>> s = MemoryStore()
            >>> s.replace_table("tickets", [b"a"], "{}")
            >>> s.drop_table("tickets"), s.drop_table("tickets"), s.tables()
            (True, False, [])
        """
        ...

    def clear(self) -> None:
        """Delete everything the store holds (inside the current transaction if there is one).

        Used to replace a register's whole content (``copy(..., replace=True)``).

        Examples:
            >>> from itil_ci.register import MemoryStore
            >>> s = MemoryStore()
            >>> s.put_kpi("mttr", "{}")
            >>> s.replace_table("tickets", [b"a"], "{}")
            >>> s.clear()
            >>> s.kpis(), s.tables()
            ([], [])
        """
        ...

    def close(self) -> None:
        """Release the storage; later calls raise StorageError.

        Examples:
            >>> from itil_ci.register import MemoryStore
            >>> s = MemoryStore()
            >>> s.close()
        """
        ...
