"""The PostgreSQL store: one register shared by many services, people and threads (private).

The statements are the ones both database stores share
(``register/_sqlstore.py``); this module holds what is PostgreSQL's own:

- **Connections** come from a pool (``psycopg_pool``), in autocommit mode:
  a statement outside a transaction is atomic on its own, and
  :meth:`PostgresStore.transaction` runs ``BEGIN``/``COMMIT`` on one
  connection held by the calling thread, so the threads of a service run
  their transactions side by side (a nested transaction of the same thread
  joins).  A connection is checked when it is taken from the pool, so one
  broken by a server restart is replaced without the register being opened
  again.
- **Bulk loads** (chunks of observations, chunks of named tables) are one
  ``COPY ... FROM STDIN (FORMAT BINARY)`` each, blobs as ``bytea``.
- **The schema version** is kept in the table ``itil_ci_register`` with the
  application id; a first open creates the schema, an older one is
  migrated, both under an advisory lock so two processes opening a new
  database at once do not both create it.  A schema holding other tables
  (another application's) or a newer version is refused, and left unchanged.
- **Server trouble** becomes a :class:`~itil_ci.errors.StorageError` saying
  what happened (the server is unreachable, restarted, out of disk, a
  timeout); a transaction the server lost is rolled back by it, and a client
  that dies mid-transaction leaves nothing of it behind.

psycopg is imported only when a PostgreSQL register is opened.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from itil_ci._internal import validate as v
from itil_ci.errors import InvalidInputError, StorageError
from itil_ci.register import _common
from itil_ci.register._schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from itil_ci.register._sql import POSTGRES, Connection, Cursor
from itil_ci.register._sqlstore import SQLStore

if TYPE_CHECKING:
    import psycopg
    import psycopg_pool

__all__ = ["PostgresStore", "is_url"]

_INSTALL = "pip install 'itil-ci[postgres]'"
_COPY_TYPES = {"text": "text", "int": "int8", "blob": "bytea"}
_META = "itil_ci_register"


def is_url(target: object) -> bool:
    """Whether ``target`` is meant as a PostgreSQL URL (``postgresql://...``, ``postgres://...``).

    Anything starting with ``postgresql:`` or ``postgres:`` counts, so a
    mistyped URL is refused as a URL rather than taken for a file name.

    Examples:
        >>> is_url("postgresql:///ci?host=/run/postgresql"), is_url("ci.sqlite")
        (True, False)
    """
    return isinstance(target, str) and target.startswith(("postgresql:", "postgres:"))


def _modules() -> tuple[Any, Any]:
    """psycopg and psycopg_pool, or an ImportError saying which extra to install."""
    try:
        import psycopg
        import psycopg_pool
    except ImportError as exc:
        raise ImportError(
            f"a PostgreSQL register needs psycopg 3 and psycopg_pool: {_INSTALL} ({exc})"
        ) from None
    return psycopg, psycopg_pool


def _shown(url: str) -> str:
    """``url`` without its password (in the user part or the query), for messages.

    Examples:
        >>> _shown("postgresql://ci:s3cret@db.example.com:5432/ci?password=x&sslmode=require")
        'postgresql://ci@db.example.com:5432/ci?sslmode=require'
        >>> _shown("postgresql:///ci?host=/run/postgresql")
        'postgresql:///ci?host=/run/postgresql'
    """
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "the PostgreSQL database"
    netloc = parts.netloc
    if "@" in netloc:
        user, _, host = netloc.rpartition("@")
        netloc = f"{user.partition(':')[0]}@{host}"
    query = urllib.parse.urlencode(
        [(k, val) for k, val in urllib.parse.parse_qsl(parts.query) if k != "password"],
        safe="/",
    )
    return f"{parts.scheme}://{netloc}{parts.path}" + (f"?{query}" if query else "")


def _first_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


class _Session:
    """A psycopg connection that runs the shared statements (``?`` markers, binary rows)."""

    __slots__ = ("con",)

    def __init__(self, con: psycopg.Connection[Any]) -> None:
        self.con = con

    def execute(self, sql: str, params: Sequence[Any] = (), /) -> Cursor:
        return self.con.execute(POSTGRES.sql(sql), params, binary=True)


class _Local(_common.Depth):
    """Per thread: the depth of its transaction and the connection that runs it."""

    con: psycopg.Connection[Any] | None = None


class PostgresStore(SQLStore):
    """A :class:`~itil_ci.register.Store` in a PostgreSQL database, shared by threads.

    ``url`` is a libpq connection URL or string
    (``postgresql://user@host:5432/ci``, ``postgresql:///ci?host=/run/postgresql``).
    ``timeout`` is how many seconds a write waits for another transaction's
    lock (the server's ``lock_timeout``) and a call waits for a connection
    (at least 5 s: a new one takes a moment).
    ``pool_size`` is the most connections the store opens at once: the
    threads of a service sharing one register each run their transaction on
    their own connection, up to that many at a time.

    Examples:
        >>> PostgresStore("postgresql://ci@127.0.0.1:1/ci")  # no server listens on port 1
        Traceback (most recent call last):
        ...
        itil_ci.errors.StorageError: postgresql://ci@127.0.0.1:1/ci: cannot open the register: ...
        >>> import os
        >>> url = os.environ.get("ITIL_CI_TEST_POSTGRES")  # `.ci/postgres start` exports it
        >>> if url:
        ...     with PostgresStore(url, pool_size=8) as s:
        ...         s.put_document("sla", "priority-1", '{"hours": 4}')
        ...         assert s.get_document("sla", "priority-1") == '{"hours": 4}'
    """

    dialect = POSTGRES
    medium = "the database"

    def __init__(self, url: str, *, timeout: float = 30.0, pool_size: int = 4) -> None:
        pg, pool_module = _modules()
        if not isinstance(url, str) or not url:
            raise v.fail("url", "a PostgreSQL connection URL such as postgresql:///ci", url)
        try:
            params = pg.conninfo.conninfo_to_dict(url)
        except pg.ProgrammingError as exc:
            raise v.fail(
                "url", f"a valid PostgreSQL connection URL ({_first_line(exc)})", url
            ) from None
        timeout = float(v.number("timeout", timeout, minimum=0) or 0.0)
        if isinstance(pool_size, bool) or not isinstance(pool_size, int) or pool_size < 1:
            raise v.fail("pool_size", "a whole number >= 1", pool_size)
        self.path = _shown(url) if "://" in url else "the PostgreSQL database"
        self._url = url
        self._timeout = timeout
        self._wait = max(timeout, 5.0)  # for a connection from the pool
        self._local = _Local()
        kwargs: dict[str, Any] = {"autocommit": True}
        if "application_name" not in params:
            kwargs["application_name"] = "itil_ci"
        if "connect_timeout" not in params:
            kwargs["connect_timeout"] = max(2, min(30, round(timeout)))
        self._kwargs = kwargs
        self._psycopg = pg
        try:
            first = pg.connect(url, **kwargs)
        except pg.Error as exc:
            raise StorageError(
                f"{self.path}: cannot open the register: cannot connect to the server "
                f"({_first_line(exc)})"
            ) from None
        with first:
            try:
                self._prepare(first)
            except pg.Error as exc:
                raise self._explain(exc, "open the register") from None
        self._pool: psycopg_pool.ConnectionPool[psycopg.Connection[Any]] = (
            pool_module.ConnectionPool(
                url,
                kwargs=kwargs,
                min_size=1,
                max_size=pool_size,
                open=False,
                check=pool_module.ConnectionPool.check_connection,
                configure=self._configure,
                timeout=self._wait,
                name="itil_ci",
            )
        )
        self._pool.open()

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema -------------------------------------------------------------------------

    def _version(self, con: psycopg.Connection[Any]) -> int:
        """The schema version of the register in ``con``'s schema (0: an empty schema)."""
        schema = con.execute("SELECT current_schema()").fetchone()
        if schema is None or schema[0] is None:
            raise StorageError(
                f"{self.path}: cannot open the register: no schema to keep it in (the "
                "search_path names no schema that exists)"
            )
        tables = con.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f')"
        ).fetchall()
        names = {r[0] for r in tables}
        if _META not in names:
            if names:
                raise StorageError(
                    f"{self.path}: not a register: schema {schema[0]!r} holds {len(names)} "
                    "tables of another application (it was left unchanged; give the register "
                    "a database or schema of its own)"
                )
            return 0
        rows = con.execute(f"SELECT application_id, schema_version FROM {_META}").fetchall()
        if len(rows) != 1 or rows[0][0] != APPLICATION_ID or not isinstance(rows[0][1], int):
            raise StorageError(
                f"{self.path}: not a register: its table {_META} was written by another "
                "application (it was left unchanged)"
            )
        return int(rows[0][1])

    def _prepare(self, con: psycopg.Connection[Any]) -> None:
        """Refuse a foreign or newer schema; create or migrate an empty or older one."""
        version = self._version(con)
        if version == SCHEMA_VERSION:
            return
        self._refuse_newer(version)
        with con.transaction():
            con.execute("SELECT pg_advisory_xact_lock(%s)", [APPLICATION_ID])
            version = self._version(con)  # again, under the lock: another opener may have won
            self._refuse_newer(version)
            for n in range(version, SCHEMA_VERSION):
                if n == 0:
                    con.execute(
                        f"CREATE TABLE {_META} (application_id bigint NOT NULL, "
                        "schema_version integer NOT NULL)"
                    )
                    con.execute(f"INSERT INTO {_META} VALUES (%s, 0)", [APPLICATION_ID])
                for statement in POSTGRES.statements(MIGRATIONS[n], n):
                    con.execute(statement)
            con.execute(f"UPDATE {_META} SET schema_version = %s", [SCHEMA_VERSION])

    def _refuse_newer(self, version: int) -> None:
        if version > SCHEMA_VERSION:
            raise StorageError(
                f"{self.path}: the register has schema version {version}, newer than this "
                f"library reads (up to {SCHEMA_VERSION}); upgrade itil_ci to open it (the "
                "database was left unchanged)"
            )

    def _configure(self, con: psycopg.Connection[Any]) -> None:
        """Settings of every pooled connection: how long to wait for another's lock."""
        ms = max(1, round(self._timeout * 1000))  # 0 would mean "wait for ever"
        con.execute("SELECT set_config('lock_timeout', %s, false)", [f"{ms}ms"])

    # -- connections and errors ---------------------------------------------------------

    def _getconn(self, doing: str) -> psycopg.Connection[Any]:
        pool_module = _modules()[1]
        try:
            return self._pool.getconn(timeout=self._wait)
        except pool_module.PoolClosed:
            raise StorageError(
                f"{self.path}: cannot {doing}: the register is closed; open it again to use it"
            ) from None
        except pool_module.PoolTimeout:
            raise StorageError(
                f"{self.path}: cannot {doing}: no connection to the server within "
                f"{self._wait:g} s ({self._probe()})"
            ) from None

    def _probe(self) -> str:
        """Why no connection could be had: the server's answer to a new connection."""
        try:
            self._psycopg.connect(self._url, **{**self._kwargs, "connect_timeout": 2}).close()
        except self._psycopg.Error as exc:
            return f"the server cannot be reached: {_first_line(exc)}"
        return "every connection of the pool is in use; raise pool_size"

    def _putconn(self, con: psycopg.Connection[Any]) -> None:
        self._pool.putconn(con)  # a broken or closed one is discarded by the pool

    def _explain(
        self, exc: BaseException, doing: str, *, committing: bool = False
    ) -> StorageError | InvalidInputError:
        """The library error for a psycopg error raised while ``doing`` something."""
        pg = self._psycopg
        state = getattr(exc, "sqlstate", None) or ""
        text = _first_line(exc)
        lost = state.startswith(("57P", "08")) or (
            isinstance(exc, pg.OperationalError) and not state
        )
        if (isinstance(exc, pg.DataError) and "NUL" in text) or state in ("22021", "22P05"):
            return InvalidInputError(
                f"cannot {doing}: a value holds a character PostgreSQL text cannot store "
                f"(the NUL character) ({text})"
            )
        if state == "22003":
            return InvalidInputError(f"cannot {doing}: a number is out of range ({text})")
        if state == "54000":
            return InvalidInputError(f"cannot {doing}: a value is too long to index ({text})")
        if lost:
            why = "the connection to the server was lost (the server was restarted or stopped)"
            if committing:
                why += (
                    "; the commit may or may not have been stored: read the register before "
                    "retrying"
                )
            else:
                why += "; nothing of this write was stored; retry (the register reconnects)"
        elif state == "57014":
            if "statement timeout" in text:
                why = "the statement ran longer than the server's statement_timeout"
            else:
                why = "the statement was cancelled"
            why += " and was stopped; nothing of this write was stored"
        elif state == "55P03":
            why = f"another transaction held a lock longer than {self._timeout:g} s (lock_timeout)"
        elif state == "53100":
            why = "the server's disk is full; nothing of this write was stored"
        elif state.startswith("53"):
            why = "the server ran out of resources (memory or connections)"
        elif state == "25006":
            why = "the server is read-only (a standby, or a read-only transaction)"
        elif state == "42501":
            why = "permission denied on the register's tables"
        elif state in ("40001", "40P01"):
            why = "the server aborted the transaction (a deadlock or serialization failure); retry"
        elif state == "42P01":
            why = "the register's tables are missing (dropped behind the register)"
        elif state == "25P02":
            why = "an earlier error aborted the transaction; nothing of it is stored"
        else:
            why = "PostgreSQL failed"
        return StorageError(f"{self.path}: cannot {doing}: {why} ({text})")

    @contextmanager
    def _guard(self, doing: str) -> Iterator[Connection]:
        held = self._local.con
        try:
            if held is not None:
                yield _Session(held)
                return
            con = self._getconn(doing)
            try:
                yield _Session(con)
            finally:
                self._putconn(con)
        except self._psycopg.Error as exc:
            raise self._explain(exc, doing) from None

    @contextmanager
    def _write(self, doing: str, *, several: bool = True) -> Iterator[Connection]:
        if several or self._local.con is not None:
            with self.transaction(), self._guard(doing) as con:
                yield con
        else:  # one statement in autocommit: atomic without a transaction of its own
            with self._guard(doing) as con:
                yield con

    def _insert_rows(
        self,
        con: Connection,
        table: str,
        columns: Sequence[tuple[str, str]],
        rows: Iterable[Sequence[object]],
    ) -> None:
        assert isinstance(con, _Session)
        names = ", ".join(name for name, _ in columns)
        with (
            con.con.cursor() as cur,
            cur.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)") as copy,
        ):
            copy.set_types([_COPY_TYPES[kind] for _, kind in columns])
            for row in rows:
                copy.write_row(row)

    # -- transactions -------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes of this thread inside commit together; an exception rolls them back.

        The transaction runs on one connection held by the calling thread
        until it ends; other threads run theirs on other connections.

        Examples:
            >>> import os
            >>> url = os.environ.get("ITIL_CI_TEST_POSTGRES")
            >>> if url:
            ...     with PostgresStore(url) as s, s.transaction():
            ...         _ = s.tables()
        """
        yield from _common.nested(self._local, self._begin, self._commit, self._rollback)

    def _begin(self) -> None:
        con = self._getconn("start a transaction")
        try:
            con.execute("BEGIN")
        except self._psycopg.Error as exc:
            self._putconn(con)
            raise self._explain(exc, "start a transaction") from None
        self._local.con = con

    def _commit(self) -> None:
        con = self._local.con
        assert con is not None
        try:
            con.execute("COMMIT")
        except self._psycopg.Error as exc:
            raise self._explain(exc, "commit", committing=True) from None
        self._local.con = None
        self._putconn(con)

    def _rollback(self) -> None:
        con, self._local.con = self._local.con, None
        if con is None:
            return
        try:
            if not con.closed and con.info.transaction_status != 0:  # 0: idle
                con.execute("ROLLBACK")
        except self._psycopg.Error:
            pass  # the server has rolled back a transaction whose connection it lost
        finally:
            self._putconn(con)

    def close(self) -> None:
        """Close the pool's connections (a later call raises StorageError).

        Examples:
            >>> import os
            >>> url = os.environ.get("ITIL_CI_TEST_POSTGRES")
            >>> if url:
            ...     PostgresStore(url).close()
        """
        self._pool.close()
