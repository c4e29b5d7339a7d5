"""The SQLite store: the register's embedded default (private).

One file (plus SQLite's ``-wal`` and ``-shm`` files next to it) in WAL mode
with ``synchronous=FULL``: a transaction that returned has reached the disk,
and a process killed at any moment leaves the file consistent.  Every write
runs in a ``BEGIN IMMEDIATE`` transaction, so a writer waits (up to the busy
timeout) rather than failing half-way.  The statements are the ones both
database stores share (``register/_sqlstore.py``); this module holds what is
SQLite's own: the file checks, the pragmas, the schema version in ``PRAGMA
user_version``, one connection shared by the threads under a lock, and
``executemany`` for bulk loads.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from itil_ci._internal import paths as _paths
from itil_ci._internal import validate as v
from itil_ci.errors import InvalidInputError, StorageError
from itil_ci.register import _checksum, _common
from itil_ci.register._schema import APPLICATION_ID, INDEXED, MIGRATIONS, SCHEMA_VERSION
from itil_ci.register._sql import SQLITE, Connection
from itil_ci.register._sqlstore import SQLStore

__all__ = ["SQLiteStore"]

_MAGIC = b"SQLite format 3\x00"


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


# The migration after which every row has a checksum column to fill in (version 2 -> 3).
_CHECKSUMS_ADDED = 2


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


class SQLiteStore(SQLStore):
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

    dialect = SQLITE

    def __init__(self, path: str | os.PathLike[str], *, timeout: float = 30.0) -> None:
        memory = isinstance(path, str) and path == ":memory:"
        self.path = ":memory:" if memory else str(_paths.check("path", path))
        timeout = v.number("timeout", timeout, minimum=0) or 0.0
        if not memory:
            _check_header(self.path)
        self._state = _common.Depth()
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
            for n in range(version, SCHEMA_VERSION):
                for statement in SQLITE.statements(MIGRATIONS[n], n):
                    con.execute(statement)
                if n == _CHECKSUMS_ADDED:
                    _fill_checksums(con)
            con.execute(f"PRAGMA application_id={APPLICATION_ID:d}")
            con.execute(f"PRAGMA user_version={SCHEMA_VERSION:d}")

    @contextmanager
    def _guard(self, doing: str) -> Iterator[Connection]:
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

    def _insert_rows(
        self,
        con: Connection,
        table: str,
        columns: Sequence[tuple[str, str]],
        rows: Iterable[Sequence[object]],
    ) -> None:
        names = ", ".join(name for name, _ in columns)
        marks = ", ".join("?" * len(columns))
        self._con.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)

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
            yield from _common.nested(self._state, self._begin, self._commit, self._rollback)

    def _begin(self) -> None:
        with self._guard("start a transaction") as con:
            con.execute("BEGIN IMMEDIATE")

    def _commit(self) -> None:
        with self._guard("commit") as con:
            con.execute("COMMIT")

    def _rollback(self) -> None:
        try:
            if self._con.in_transaction:
                self._con.execute("ROLLBACK")
        except sqlite3.Error:  # pragma: no cover - SQLite rolled back already
            pass

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
