"""The SQLite store: the register's embedded default (private).

One file (plus SQLite's ``-wal`` and ``-shm`` files next to it) in WAL mode
with ``synchronous=FULL``: a transaction that returned has reached the disk,
and a process killed at any moment leaves the file consistent.  Every write
runs in a ``BEGIN IMMEDIATE`` transaction, so a writer waits (up to the busy
timeout) rather than failing half-way; every query is parameterised and the
only identifiers ever put into SQL text come from the fixed schema.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from itil_ci._internal import validate as v
from itil_ci.errors import InvalidInputError, StorageError
from itil_ci.register import _checksum, _paths
from itil_ci.register._schema import APPLICATION_ID, CHUNK, INDEXED, MIGRATIONS, SCHEMA_VERSION
from itil_ci.register.store import (
    NO_DIMS,
    Damaged,
    Listed,
    Times,
    Values,
    Where,
    checked_document,
    checked_table,
    conflict,
    duplicate,
    group_order,
    missing,
)

__all__ = ["SQLiteStore"]

_MAGIC = b"SQLite format 3\x00"
_Crc = Callable[[str, str, bytes], int]  # the checksum of a document row
_BATCH = 500  # dims keys per query (well under SQLite's parameter limit)


def _explain(exc: sqlite3.Error, path: str, doing: str) -> StorageError:
    """A StorageError that says what failed, where, and what it means."""
    name = getattr(exc, "sqlite_errorname", "")
    text = str(exc)
    if name.startswith("SQLITE_FULL") or "full" in text:
        why = (
            "the disk is full (or the file reached its size limit); nothing of this "
            "write was stored"
        )
    elif name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM")) or (
        "readonly" in text or "unable to open" in text
    ):
        why = (
            "the file or its directory cannot be written (read-only, missing or no "
            "permission); SQLite needs to create the -wal and -shm files next to it"
        )
    elif name.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT")) or "not a database" in text:
        why = "the file is not a readable SQLite database (corrupt or another kind of file)"
    elif name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text:
        why = "another process held the database longer than the busy timeout"
    elif isinstance(exc, sqlite3.ProgrammingError) and "closed" in text:
        why = "the register is closed; open it again to use it"
    else:
        why = "SQLite failed"
    return StorageError(f"{path}: cannot {doing}: {why} ({text})")


def _check_header(path: str) -> None:
    """Refuse a file that exists but is not SQLite, before SQLite touches it."""
    p = Path(path)
    if not p.parent.is_dir():
        raise StorageError(
            f"{path}: cannot open the register: directory {str(p.parent)!r} does not exist"
        )
    try:
        mode = p.stat().st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StorageError(f"{path}: cannot open the register ({exc.strerror or exc})") from None
    if stat.S_ISDIR(mode):
        raise StorageError(f"{path}: cannot open the register: it is a directory")
    if not stat.S_ISREG(mode):
        # a FIFO would block the open forever, a device or socket is no database
        raise StorageError(
            f"{path}: cannot open the register: it is not a regular file (a pipe, socket, "
            "device or other special file)"
        )
    try:
        with p.open("rb") as f:
            head = f.read(len(_MAGIC))
    except OSError as exc:
        raise StorageError(f"{path}: cannot read the register file ({exc})") from None
    if head and head != _MAGIC:
        raise StorageError(
            f"{path}: not a register: the file is not a SQLite database (it was left unchanged)"
        )


def _where(
    table_cols: tuple[str, ...], where: Where, below: Mapping[str, str]
) -> tuple[str, list[object]]:
    parts: list[str] = []
    params: list[object] = []
    for col, want in where.items():
        if col not in table_cols:
            raise StorageError(f"unknown column {col!r}")
        if want is None:
            parts.append(f'"{col}" IS NULL')
        elif isinstance(want, tuple):
            values = [w for w in want if w is not None]
            alts = []
            if values:
                alts.append(f'"{col}" IN ({",".join("?" * len(values))})')
                params.extend(values)
            if len(values) < len(want):
                alts.append(f'"{col}" IS NULL')
            parts.append("(" + " OR ".join(alts or ["0"]) + ")")
        else:
            parts.append(f'"{col}" = ?')
            params.append(want)
    for col, limit in below.items():
        if col not in table_cols:
            raise StorageError(f"unknown column {col!r}")
        parts.append(f'"{col}" < ?')
        params.append(limit)
    return (" WHERE " + " AND ".join(parts)) if parts else "", params


def _indexed(kind: object) -> tuple[str, tuple[str, ...]]:
    """The table and indexed columns of an entity kind (StorageError for another kind)."""
    if not isinstance(kind, str) or kind not in INDEXED:
        raise StorageError(f"unknown entity kind {kind!r:.40}")
    return INDEXED[kind]


# The migration after which every row has a checksum column to fill in (version 2 -> 3).
_CHECKSUMS_ADDED = 2


def _verified(
    kind: str, id: str, document: object, crc: object, compute: _Crc = _checksum.document
) -> str | Damaged:
    """The stored document as text when it matches its checksum, else why it does not.

    ``compute`` is the checksum of its kind of row (an entity, KPI or baseline, or
    a named document).
    """
    if not isinstance(document, bytes):
        return Damaged("its document is not stored as text (the stored row was altered)")
    reason = _checksum.mismatch(crc, compute(kind, id, document))
    if reason is not None:
        return Damaged(reason)
    try:
        return document.decode("utf-8")
    except UnicodeDecodeError:  # only a row already damaged when its checksum was computed
        return Damaged("its document is not valid UTF-8 text")


def _listed(
    kind: str, id: object, document: object, crc: object, compute: _Crc = _checksum.document
) -> Listed:
    """One row of a listing: (id, verified document or Damaged); an unreadable id is damage."""
    if not isinstance(id, bytes):
        return (repr(id), Damaged("its id is not stored as text (the stored row was altered)"))
    try:
        text = id.decode("utf-8")
    except UnicodeDecodeError:
        shown = id.decode("utf-8", "replace")
        return (shown, Damaged("its id is not valid UTF-8 text (the stored bytes changed)"))
    return (text, _verified(kind, text, document, crc, compute))


def _chunk_row(
    kpi_key: str, source: str | None, dims: str, t: Times, x: Values
) -> tuple[object, ...]:
    """The values of one chunk row, its checksum last."""
    t_min, t_max, n = int(t[0]), int(t[-1]), int(t.size)
    crc = _checksum.chunk(kpi_key, source, dims, t_min, t_max, n, t, x)
    return (kpi_key, source, dims, t_min, t_max, n, t.tobytes(), x.tobytes(), crc)


def _fill_checksums(con: sqlite3.Connection) -> None:
    """Compute the checksum of every row of a file that had none (the migration to 3).

    The rows are read as stored (text as bytes), so a row damaged before the
    migration keeps its damage and is reported when it no longer decodes.
    """
    for kind, (table, _) in INDEXED.items():
        rows = con.execute(f"SELECT rowid, CAST(id AS BLOB), CAST(document AS BLOB) FROM {table}")
        con.executemany(
            f"UPDATE {table} SET checksum = ? WHERE rowid = ?",
            [(_old_document(kind, i, d), r) for r, i, d in rows.fetchall()],
        )
    for kind, table, key in (("kpi", "kpis", "key"), ("baseline", "baselines", "kpi_key")):
        rows = con.execute(
            f"SELECT rowid, CAST({key} AS BLOB), CAST(document AS BLOB) FROM {table}"
        )
        con.executemany(
            f"UPDATE {table} SET checksum = ? WHERE rowid = ?",
            [(_old_document(kind, k, d), r) for r, k, d in rows.fetchall()],
        )
    seqs = [r[0] for r in con.execute("SELECT seq FROM chunks ORDER BY seq")]
    for seq in seqs:  # one chunk in memory at a time
        row = con.execute(
            "SELECT kpi_key, source, dims, t_min, t_max, n, times, vals FROM chunks WHERE seq = ?",
            (seq,),
        ).fetchone()
        key, source, dims, t_min, t_max, n, t, x = row
        if isinstance(t, bytes) and isinstance(x, bytes):
            crc = _checksum.chunk(key, source, dims, t_min, t_max, n, t, x)
            con.execute("UPDATE chunks SET checksum = ? WHERE seq = ?", (crc, seq))


def _old_document(kind: str, id: object, document: object) -> int | None:
    if not isinstance(id, bytes) or not isinstance(document, bytes):
        return None  # left without a checksum: reads as damaged
    try:
        text = id.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return _checksum.document(kind, text, document)


def verified_table(
    where: str, name: str, rows: Sequence[Sequence[object]]
) -> tuple[str, list[bytes]] | None:
    """A named table from its rows (meta columns, then one chunk each), every part verified.

    ``rows`` are ``(parts, meta, checksum, part, data, chunk checksum)``
    ordered by part, the chunk columns None for a table without chunks.
    """
    if not rows:
        return None
    parts, meta, crc = rows[0][:3]
    if isinstance(meta, bytes):
        try:
            meta = meta.decode("utf-8")
        except UnicodeDecodeError:
            meta = None
    if not isinstance(meta, str) or isinstance(parts, bool) or not isinstance(parts, int):
        raise _checksum.damaged(
            where, f"table {name!r}", "its row does not have the stored types (it was altered)"
        )
    reason = _checksum.mismatch(crc, _checksum.table_meta(name, parts, meta))
    if reason is not None:
        raise _checksum.damaged(where, f"table {name!r}", reason)
    chunks: list[bytes] = []
    for row in rows:
        part, data, chunk_crc = row[3:]
        if part is None:
            continue
        if isinstance(part, bool) or not isinstance(part, int) or part < len(chunks):
            raise _checksum.damaged(
                where, f"table {name!r}", f"it has a chunk numbered {part!r:.20} (it was altered)"
            )
        if part > len(chunks):
            raise _checksum.damaged(
                where, f"chunk {len(chunks)} of table {name!r}", "it is missing (it was deleted)"
            )
        if not isinstance(data, bytes):
            data = bytes(data) if isinstance(data, memoryview | bytearray) else None
        if data is None:
            raise _checksum.damaged(
                where, f"chunk {part} of table {name!r}", "it is not stored as bytes"
            )
        reason = _checksum.mismatch(chunk_crc, _checksum.table_chunk(name, part, data))
        if reason is not None:
            raise _checksum.damaged(where, f"chunk {part} of table {name!r}", reason)
        chunks.append(data)
    if len(chunks) > parts:
        raise _checksum.damaged(
            where, f"table {name!r}", f"it has {len(chunks)} chunks where its row lists {parts}"
        )
    if len(chunks) < parts:
        raise _checksum.damaged(
            where, f"chunk {len(chunks)} of table {name!r}", "it is missing (it was deleted)"
        )
    return meta, chunks


class SQLiteStore:
    """A :class:`~itil_ci.register.Store` in one SQLite file (or ``":memory:"``).

    ``timeout`` is the busy timeout in seconds: how long a writer waits for
    another process's transaction to finish.

    Examples:
        >>> s = SQLiteStore(":memory:")
        >>> s.put_kpi("mttr", "{}")
        >>> s.kpis()
        [('mttr', '{}')]
        >>> s.close()
    """

    def __init__(self, path: str | os.PathLike[str], *, timeout: float = 30.0) -> None:
        memory = isinstance(path, str) and path == ":memory:"
        self.path = ":memory:" if memory else str(_paths.check("path", path))
        timeout = v.number("timeout", timeout, minimum=0) or 0.0
        if not memory:
            _check_header(self.path)
        self._depth = 0
        self._lock = threading.RLock()  # one connection: one transaction at a time
        try:
            self._con = sqlite3.connect(
                self.path, timeout=timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise _explain(exc, self.path, "open the register") from None
        try:
            self._open(memory)
        except BaseException:
            self._con.close()
            raise

    def _open(self, memory: bool) -> None:
        con = self._con
        try:
            version = con.execute("PRAGMA user_version").fetchone()[0]
            app = con.execute("PRAGMA application_id").fetchone()[0]
            tables = con.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        except sqlite3.Error as exc:
            raise _explain(exc, self.path, "open the register") from None
        if app not in (0, APPLICATION_ID) or (app == 0 and tables):
            raise StorageError(
                f"{self.path}: not a register: a SQLite database of another application "
                "(it was left unchanged)"
            )
        if version > SCHEMA_VERSION:
            raise StorageError(
                f"{self.path}: the register file has schema version {version}, newer than "
                f"this library reads (up to {SCHEMA_VERSION}); upgrade itil_ci to open it "
                "(the file was left unchanged)"
            )
        try:
            if not memory:
                mode = con.execute("PRAGMA journal_mode=WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    raise StorageError(f"{self.path}: cannot switch the register to WAL mode")
            con.execute("PRAGMA synchronous=FULL")
            con.execute("PRAGMA foreign_keys=ON")
            if version < SCHEMA_VERSION:
                self._migrate()
        except sqlite3.Error as exc:
            raise _explain(exc, self.path, "open the register") from None

    def _migrate(self) -> None:
        with self.transaction():
            con = self._con
            version = con.execute("PRAGMA user_version").fetchone()[0]  # re-read under the lock
            for v in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[v].split(";"):
                    if statement.strip():
                        con.execute(statement)
                if v == _CHECKSUMS_ADDED:
                    _fill_checksums(con)
            con.execute(f"PRAGMA application_id={APPLICATION_ID:d}")
            con.execute(f"PRAGMA user_version={SCHEMA_VERSION:d}")

    @contextmanager
    def _guard(self, doing: str) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                yield self._con
            except sqlite3.Error as exc:
                raise _explain(exc, self.path, doing) from None
            except (OverflowError, UnicodeEncodeError) as exc:
                # the register refuses these first; a caller of the store itself gets this
                raise InvalidInputError(
                    f"cannot {doing}: a value cannot be stored in SQLite ({exc})"
                ) from None

    def _one(
        self,
        kind: str,
        id: str,
        document: object,
        crc: object,
        what: str,
        compute: _Crc = _checksum.document,
    ) -> str:
        """A document read on its own: verified, or StorageError naming it."""
        found = _verified(kind, id, document, crc, compute)
        if isinstance(found, Damaged):
            raise _checksum.damaged(self.path, what, found.reason)
        return found

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside commit together; an exception rolls them back.

        Examples:
            >>> s = SQLiteStore(":memory:")
            >>> try:
            ...     with s.transaction():
            ...         s.put_kpi("mttr", "{}")
            ...         raise RuntimeError("undo")
            ... except RuntimeError:
            ...     pass
            >>> s.kpis()
            []
            >>> s.close()
        """
        with self._lock:
            yield from self._transaction()

    def _transaction(self) -> Iterator[None]:
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        with self._guard("start a transaction") as con:
            con.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
            with self._guard("commit") as con:
                con.execute("COMMIT")
        except BaseException:
            try:
                if self._con.in_transaction:
                    self._con.execute("ROLLBACK")
            except sqlite3.Error:  # pragma: no cover - SQLite rolled back already
                pass
            raise
        finally:
            self._depth = 0

    def insert(
        self, kind: str, id: str, version: int, index: Mapping[str, object], document: str
    ) -> None:
        """Add an entity.

        Examples:
            >>> s = SQLiteStore(":memory:")
            >>> row = {"status": "logged", "service": "mail", "source": "idea",
            ...        "updated_at": "2026-01-05"}
            >>> s.insert("opportunity", "o1", 0, row, '{"title": "A"}')
            >>> s.get("opportunity", "o1")
            '{"title": "A"}'
            >>> s.insert("opportunity", "o1", 0, row, "{}")
            Traceback (most recent call last):
            ...
            itil_ci.errors.InvalidInputError: opportunity.id: expected an id not yet ...
            >>> s.close()
        """
        table, cols = _indexed(kind)
        names = ",".join(f'"{c}"' for c in cols)
        sql = (
            f"INSERT INTO {table} (id, version, {names}, document, checksum) "
            f"VALUES (?, ?, {','.join('?' * len(cols))}, ?, ?)"
        )
        crc = _checksum.document(kind, id, document)
        with self.transaction(), self._guard(f"store {kind} {id!r}") as con:
            try:
                con.execute(sql, (id, version, *(index[c] for c in cols), document, crc))
            except sqlite3.IntegrityError:
                raise duplicate(kind, id) from None

    def replace(
        self, kind: str, id: str, expected: int, index: Mapping[str, object], document: str
    ) -> int:
        """Replace an entity stored at version ``expected`` (compare-and-set).

        Examples:
            >>> s = SQLiteStore(":memory:")
            >>> row = {"status": "logged", "service": "mail", "source": "idea",
            ...        "updated_at": "2026-01-05"}
            >>> s.insert("opportunity", "o1", 0, row, '{"title": "A"}')
            >>> s.replace("opportunity", "o1", 0, row, '{"title": "B"}')
            1
            >>> s.replace("opportunity", "o1", 0, row, '{"title": "C"}')
            Traceback (most recent call last):
            ...
            itil_ci.errors.ConflictError: opportunity 'o1' was changed by someone else: ...
            >>> s.close()
        """
        table, cols = _indexed(kind)
        sets = ", ".join(f'"{c}" = ?' for c in cols)
        sql = (
            f"UPDATE {table} SET version = version + 1, {sets}, document = ?, checksum = ? "
            "WHERE id = ? AND version = ?"
        )
        crc = _checksum.document(kind, id, document)
        with self.transaction(), self._guard(f"update {kind} {id!r}") as con:
            cur = con.execute(sql, (*(index[c] for c in cols), document, crc, id, expected))
            if cur.rowcount == 1:
                return expected + 1
            row = con.execute(f"SELECT version FROM {table} WHERE id = ?", (id,)).fetchone()
        if row is None:
            raise missing(kind, id)
        raise conflict(kind, id, expected, int(row[0]))

    def get(self, kind: str, id: str) -> str | None:
        """The stored document.

        Examples:
            >>> s = SQLiteStore(":memory:")
            >>> row = {"status": "logged", "service": "mail", "source": "idea",
            ...        "updated_at": "2026-01-05"}
            >>> s.insert("opportunity", "o1", 0, row, '{"title": "A"}')
            >>> s.get("opportunity", "o1"), s.get("opportunity", "o2")
            ('{"title": "A"}', None)
            >>> s.close()
        """
        table, _ = _indexed(kind)
        with self._guard(f"read {kind} {id!r}") as con:
            row = con.execute(
                f"SELECT CAST(document AS BLOB), checksum FROM {table} WHERE id = ?", (id,)
            ).fetchone()
        if row is None:
            return None
        return self._one(kind, id, row[0], row[1], f"{kind} {id!r}")

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
            >>> s = SQLiteStore(":memory:")
            >>> row = {"status": "logged", "service": "mail", "source": "idea",
            ...        "updated_at": "2026-01-05"}
            >>> s.insert("opportunity", "o1", 0, row, '{"title": "A"}')
            >>> s.insert("opportunity", "o2", 0, {**row, "status": "approved"}, '{"title": "B"}')
            >>> s.select("opportunity", {"status": ("logged", "assessed")}, {})
            [('o1', '{"title": "A"}')]
            >>> s.select("opportunity", {}, {"updated_at": "2026-01-06"})
            [('o1', '{"title": "A"}'), ('o2', '{"title": "B"}')]
            >>> s.close()
        """
        table, cols = _indexed(kind)
        clause, params = _where(cols, where, below)
        if unless or unless_below:
            # NULL-safe: a row is left out only when the whole "unless" clause is true.
            extra, more = _where(cols, unless or {}, unless_below or {})
            extra = f"COALESCE(({extra.removeprefix(' WHERE ')}), 0)"
            clause = f"{clause} AND NOT {extra}" if clause else f" WHERE NOT {extra}"
            params += more
        with self._guard(f"list {kind} entries") as con:
            rows = con.execute(
                f"SELECT CAST(id AS BLOB), CAST(document AS BLOB), checksum FROM {table}{clause} "
                "ORDER BY id",
                params,
            ).fetchall()
        return [_listed(kind, i, d, c) for i, d, c in rows]

    def count(self, kind: str, by: str, where: Where) -> dict[object, int]:
        """Counts per value of ``by`` (one indexed GROUP BY, no documents read).

        Examples:
            >>> s = SQLiteStore(":memory:")
            >>> row = {"status": "logged", "service": "mail", "source": "idea",
            ...        "updated_at": "2026-01-05"}
            >>> s.insert("opportunity", "o1", 0, row, "{}")
            >>> s.insert("opportunity", "o2", 0, {**row, "status": "approved"}, "{}")
            >>> sorted(s.count("opportunity", "status", {"service": "mail"}).items())
            [('approved', 1), ('logged', 1)]
            >>> s.close()
        """
        table, cols = _indexed(kind)
        if by not in cols:
            raise StorageError(f"unknown column {by!r}")
        clause, params = _where(cols, where, {})
        with self._guard(f"count {kind} entries") as con:
            rows = con.execute(
                f'SELECT "{by}", count(*) FROM {table}{clause} GROUP BY "{by}"', params
            ).fetchall()
        return {r[0]: int(r[1]) for r in rows}

    def put_kpi(self, key: str, document: str) -> None:
        """Define a KPI.

        Examples:
            >>> s = SQLiteStore(":memory:")
            >>> s.put_kpi("mttr", '{"unit": "h"}')
            >>> s.put_kpi("mttr", '{"unit": "hours"}')
            >>> s.kpis()
            [('mttr', '{"unit": "hours"}')]
            >>> s.close()
        """
        crc = _checksum.document("kpi", key, document)
        with self.transaction(), self._guard(f"define KPI {key!r}") as con:
            con.execute(
                "INSERT INTO kpis (key, document, checksum) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET document = excluded.document, "
                "checksum = excluded.checksum",
                (key, document, crc),
            )

    def get_kpi(self, key: str) -> str | None:
        """One KPI document (None if not defined; one indexed lookup).

        Examples:
            >>> s = SQLiteStore(":memory:")
            >>> s.put_kpi("mttr", "m")
            >>> s.get_kpi("mttr"), s.get_kpi("fcr")
            ('m', None)
            >>> s.close()
        """
        with self._guard(f"read KPI {key!r}") as con:
            row = con.execute(
                "SELECT CAST(document AS BLOB), checksum FROM kpis WHERE key = ?", (key,)
            ).fetchone()
        if row is None:
            return None
        return self._one("kpi", key, row[0], row[1], f"KPI {key!r}")

    def kpis(self) -> list[Listed]:
        """KPI documents by key.

        Examples:
            >>> s = SQLiteStore(":memory:")
            >>> s.put_kpi("mttr", "m")
            >>> s.put_kpi("fcr", "f")
            >>> s.kpis()
            [('fcr', 'f'), ('mttr', 'm')]
            >>> s.close()
        """
        with self._guard("list KPIs") as con:
            rows = con.execute(
                "SELECT CAST(key AS BLOB), CAST(document AS BLOB), checksum FROM kpis ORDER BY key"
            ).fetchall()
        return [_listed("kpi", k, d, c) for k, d, c in rows]

    def add_baseline(self, kpi_key: str, document: str) -> None:
        """Append a baseline.

        Examples:
            >>> s = SQLiteStore(":memory:")
            >>> s.add_baseline("mttr", "first")
            >>> s.add_baseline("mttr", "second")
            >>> s.baselines("mttr")
            [('mttr', 'first'), ('mttr', 'second')]
            >>> s.close()
        """
        crc = _checksum.document("baseline", kpi_key, document)
        with self.transaction(), self._guard(f"store a baseline of {kpi_key!r}") as con:
            con.execute(
                "INSERT INTO baselines (kpi_key, document, checksum) VALUES (?, ?, ?)",
                (kpi_key, document, crc),
            )

    def baselines(self, kpi_key: str | None) -> list[Listed]:
        """Baselines, oldest first.

        Examples:
            >>> s = SQLiteStore(":memory:")
            >>> s.add_baseline("mttr", "m1")
            >>> s.add_baseline("fcr", "f1")
            >>> s.baselines("fcr"), s.baselines(None)
            ([('fcr', 'f1')], [('mttr', 'm1'), ('fcr', 'f1')])
            >>> s.close()
        """
        sql = "SELECT CAST(kpi_key AS BLOB), CAST(document AS BLOB), checksum FROM baselines"
        with self._guard("list baselines") as con:
            if kpi_key is None:
                rows = con.execute(f"{sql} ORDER BY seq").fetchall()
            else:
                rows = con.execute(f"{sql} WHERE kpi_key = ? ORDER BY seq", (kpi_key,)).fetchall()
        return [_listed("baseline", k, d, c) for k, d, c in rows]

    def append(
        self, kpi_key: str, source: str | None, times: Times, values: Values, dims: str = NO_DIMS
    ) -> None:
        """Append observations as chunks of at most ``CHUNK`` rows.

        Examples:
            >>> s = SQLiteStore(":memory:")
            >>> import numpy as np
            >>> s.append("mttr", None, np.array([1, 2], dtype=np.int64), np.array([4.0, 5.0]))
            >>> s.series_keys()
            [('mttr', None, '{}')]
            >>> s.close()
        """
        t = np.ascontiguousarray(times, dtype="<i8")
        x = np.ascontiguousarray(values, dtype="<f8")
        rows = (
            _chunk_row(kpi_key, source, dims, t[i : i + CHUNK], x[i : i + CHUNK])
            for i in range(0, t.size, CHUNK)
        )
        with self.transaction(), self._guard(f"record observations of {kpi_key!r}") as con:
            con.executemany(
                "INSERT INTO chunks "
                "(kpi_key, source, dims, t_min, t_max, n, times, vals, checksum) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )

    def fetch(
        self,
        kpi_key: str,
        start: int | None,
        end: int | None,
        sources: Sequence[str | None] | None,
        dims: Sequence[str] | None = None,
    ) -> list[tuple[str | None, str, Times, Values]]:
        """Chunks of ``kpi_key`` overlapping ``[start, end)``, in insertion order.

        Only the chunks selected by the query (key, window, ``sources``,
        ``dims``) are read from the file and decoded.

        Examples:
            >>> s = SQLiteStore(":memory:")
            >>> import numpy as np
            >>> s.append("mttr", None, np.array([1, 2], dtype=np.int64), np.array([4.0, 5.0]))
            >>> [(src, d, t.tolist()) for src, d, t, _ in s.fetch("mttr", None, None, None)]
            [(None, '{}', [1, 2])]
            >>> s.fetch("mttr", 3, None, None)
            []
            >>> s.close()
        """
        sql = (
            "SELECT seq, CAST(source AS BLOB), CAST(dims AS BLOB), t_min, t_max, n, times, vals, "
            "checksum FROM chunks WHERE kpi_key = ?"
        )
        params: list[object] = [kpi_key]
        if start is not None:
            sql += " AND t_max >= ?"
            params.append(start)
        if end is not None:
            sql += " AND t_min < ?"
            params.append(end)
        if sources is not None:
            clause, extra = _where(("source",), {"source": tuple(sources)}, {})
            sql += " AND " + clause.removeprefix(" WHERE ")
            params.extend(extra)
        # one query per batch of dims keys (SQLite limits the parameters of a statement)
        batches: list[list[str]] = [[]] if dims is None else []
        if dims is not None:
            wanted = sorted(set(dims))
            batches = [wanted[i : i + _BATCH] for i in range(0, len(wanted), _BATCH)]
        rows: list[tuple[object, ...]] = []
        with self._guard(f"read observations of {kpi_key!r}") as con:
            for batch in batches:
                extra_sql = f" AND dims IN ({','.join('?' * len(batch))})" if dims else ""
                query = sql + extra_sql + " ORDER BY seq"
                rows += con.execute(query, [*params, *batch]).fetchall()
        if len(batches) > 1:
            rows.sort(key=lambda r: int(r[0]))  # type: ignore[call-overload]
        out: list[tuple[str | None, str, Times, Values]] = []
        for row in rows:
            source, d, times, values = self._chunk(kpi_key, row)
            out.append((source, d, times, values))
        return out

    def _chunk(self, kpi_key: str, row: Sequence[object]) -> tuple[str | None, str, Times, Values]:
        """One fetched chunk row, verified against its checksum and decoded."""
        seq, src, d, t_min, t_max, n, t, x, crc = row
        what = f"chunk {seq} of the observations of {kpi_key!r}"
        if not (
            isinstance(t, bytes)
            and isinstance(x, bytes)
            and isinstance(d, bytes)
            and (src is None or isinstance(src, bytes))
            and isinstance(n, int)
            and isinstance(t_min, int)
            and isinstance(t_max, int)
            and len(t) == len(x) == 8 * n
        ):
            raise _checksum.damaged(
                self.path, what, "its columns do not have the stored types and sizes"
            )
        try:
            source = None if src is None else src.decode("utf-8")
            dims = d.decode("utf-8")
        except UnicodeDecodeError:
            raise _checksum.damaged(
                self.path, what, "its source or dimensions are not valid UTF-8 text"
            ) from None
        crc_now = _checksum.chunk(kpi_key, source, dims, t_min, t_max, n, t, x)
        reason = _checksum.mismatch(crc, crc_now)
        if reason is not None:
            raise _checksum.damaged(self.path, f"{what} (source {source!r}, dims {dims})", reason)
        times = np.frombuffer(t, dtype="<i8").astype(np.int64, copy=False)
        values = np.frombuffer(x, dtype="<f8").astype(np.float64, copy=False)
        return source, dims, times, values

    def series_keys(self, kpi_key: str | None = None) -> list[tuple[str, str | None, str]]:
        """Every (key, source, dims) with observations (an index-only query).

        Examples:
            >>> s = SQLiteStore(":memory:")
            >>> import numpy as np
            >>> t, x = np.array([1], dtype=np.int64), np.array([4.0])
            >>> s.append("mttr", "itsm", t, x)
            >>> s.append("mttr", None, t, x, '{"team":"a"}')
            >>> s.series_keys()
            [('mttr', None, '{"team":"a"}'), ('mttr', 'itsm', '{}')]
            >>> s.close()
        """
        with self._guard("list series") as con:
            if kpi_key is None:
                rows = con.execute("SELECT DISTINCT kpi_key, source, dims FROM chunks").fetchall()
            else:
                rows = con.execute(
                    "SELECT DISTINCT kpi_key, source, dims FROM chunks WHERE kpi_key = ?",
                    (kpi_key,),
                ).fetchall()
        return sorted(((str(k), s, str(d)) for k, s, d in rows), key=group_order)

    def put_document(self, kind: str, key: str, document: str) -> None:
        """Store a named document (insert or replace), with its checksum.

        Examples:
            >>> s = SQLiteStore(":memory:")
            >>> s.put_document("sla", "p1", "{}")
            >>> s.put_document("sla", "p1", '{"hours": 4}')
            >>> s.documents("sla")
            [('p1', '{"hours": 4}')]
            >>> s.close()
        """
        kind, key, document = checked_document(kind, key, document)
        crc = _checksum.named(kind, key, document)
        with self.transaction(), self._guard(f"store {kind} document {key!r}") as con:
            con.execute(
                "INSERT INTO named_documents (kind, key, document, checksum) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (kind, key) DO UPDATE SET document = excluded.document, "
                "checksum = excluded.checksum",
                (kind, key, document, crc),
            )

    def get_document(self, kind: str, key: str) -> str | None:
        """One named document, verified (None if there is none).

        Examples:
            >>> s = SQLiteStore(":memory:")
            >>> s.put_document("sla", "p1", "{}")
            >>> s.get_document("sla", "p1"), s.get_document("sla", "p2")
            ('{}', None)
            >>> s.close()
        """
        kind, key, _ = checked_document(kind, key)
        with self._guard(f"read {kind} document {key!r}") as con:
            row = con.execute(
                "SELECT CAST(document AS BLOB), checksum FROM named_documents "
                "WHERE kind = ? AND key = ?",
                (kind, key),
            ).fetchone()
        if row is None:
            return None
        what = f"{kind} document {key!r}"
        return self._one(kind, key, row[0], row[1], what, _checksum.named)

    def documents(self, kind: str) -> list[Listed]:
        """(key, document) of the named documents of ``kind``, by key.

        Examples:
            >>> s = SQLiteStore(":memory:")
            >>> s.put_document("sla", "b", "2")
            >>> s.put_document("sla", "a", "1")
            >>> s.documents("sla")
            [('a', '1'), ('b', '2')]
            >>> s.close()
        """
        kind, _, _ = checked_document(kind, "-")
        with self._guard(f"list {kind} documents") as con:
            rows = con.execute(
                "SELECT CAST(key AS BLOB), CAST(document AS BLOB), checksum FROM named_documents "
                "WHERE kind = ? ORDER BY key",
                (kind,),
            ).fetchall()
        return [_listed(kind, k, d, c, _checksum.named) for k, d, c in rows]

    def document_kinds(self) -> list[str]:
        """Every kind with a named document, sorted.

        Examples:
            >>> s = SQLiteStore(":memory:")
            >>> s.put_document("sla", "a", "1")
            >>> s.document_kinds()
            ['sla']
            >>> s.close()
        """
        with self._guard("list document kinds") as con:
            rows = con.execute("SELECT DISTINCT kind FROM named_documents ORDER BY kind")
            return [str(r[0]) for r in rows.fetchall()]

    def delete_document(self, kind: str, key: str) -> bool:
        """Delete a named document; return whether there was one.

        Examples:
            >>> s = SQLiteStore(":memory:")
            >>> s.put_document("sla", "a", "1")
            >>> s.delete_document("sla", "a"), s.delete_document("sla", "a")
            (True, False)
            >>> s.close()
        """
        kind, key, _ = checked_document(kind, key)
        with self.transaction(), self._guard(f"delete {kind} document {key!r}") as con:
            cur = con.execute("DELETE FROM named_documents WHERE kind = ? AND key = ?", (kind, key))
            return cur.rowcount > 0

    def replace_table(self, name: str, chunks: Sequence[bytes], meta: str) -> None:
        """Replace a named table's chunks and meta in one transaction, with checksums.

        Examples:
            >>> s = SQLiteStore(":memory:")
            >>> s.replace_table("tickets", [b"ab", b"c"], '{"rows": 3}')
            >>> s.table("tickets")
            ('{"rows": 3}', [b'ab', b'c'])
            >>> s.close()
        """
        name, parts, meta = checked_table(name, chunks, meta)
        crc = _checksum.table_meta(name, len(parts), meta)
        rows = (
            (name, i, part, _checksum.table_chunk(name, i, part)) for i, part in enumerate(parts)
        )
        with self.transaction(), self._guard(f"store table {name!r}") as con:
            con.execute(
                "INSERT INTO named_tables (name, parts, meta, checksum) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET parts = excluded.parts, meta = excluded.meta, "
                "checksum = excluded.checksum",
                (name, len(parts), meta, crc),
            )
            con.execute("DELETE FROM named_table_chunks WHERE name = ?", (name,))
            con.executemany(
                "INSERT INTO named_table_chunks (name, part, data, checksum) VALUES (?, ?, ?, ?)",
                rows,
            )

    def table(self, name: str) -> tuple[str, list[bytes]] | None:
        """The meta and chunks of a named table, each verified (None if there is none).

        One query reads the table's row and its chunks, so a concurrent
        replacement is seen whole or not at all.

        Examples:
            >>> s = SQLiteStore(":memory:")
            >>> s.replace_table("tickets", [b"ab"], "{}")
            >>> s.table("tickets"), s.table("history")
            (('{}', [b'ab']), None)
            >>> s.close()
        """
        name, _, _ = checked_table(name)
        with self._guard(f"read table {name!r}") as con:
            rows = con.execute(
                "SELECT t.parts, CAST(t.meta AS BLOB), t.checksum, c.part, c.data, c.checksum "
                "FROM named_tables AS t LEFT JOIN named_table_chunks AS c ON c.name = t.name "
                "WHERE t.name = ? ORDER BY c.part",
                (name,),
            ).fetchall()
        return verified_table(self.path, name, rows)

    def tables(self) -> list[str]:
        """Every named table, sorted.

        Examples:
            >>> s = SQLiteStore(":memory:")
            >>> s.replace_table("tickets", [], "{}")
            >>> s.tables()
            ['tickets']
            >>> s.close()
        """
        with self._guard("list tables") as con:
            rows = con.execute("SELECT name FROM named_tables ORDER BY name").fetchall()
        return [str(r[0]) for r in rows]

    def drop_table(self, name: str) -> bool:
        """Delete a named table and its chunks; return whether there was one.

        Examples:
            >>> s = SQLiteStore(":memory:")
            >>> s.replace_table("tickets", [b"a"], "{}")
            >>> s.drop_table("tickets"), s.drop_table("tickets")
            (True, False)
            >>> s.close()
        """
        name, _, _ = checked_table(name)
        with self.transaction(), self._guard(f"drop table {name!r}") as con:
            cur = con.execute("DELETE FROM named_tables WHERE name = ?", (name,))
            con.execute("DELETE FROM named_table_chunks WHERE name = ?", (name,))
            return cur.rowcount > 0

    def close(self) -> None:
        """Close the connection (a later call raises StorageError).

        Examples:
            >>> s = SQLiteStore(":memory:")
            >>> s.close()
            >>> s.kpis()
            Traceback (most recent call last):
            ...
            itil_ci.errors.StorageError: ...
        """
        self._con.close()
