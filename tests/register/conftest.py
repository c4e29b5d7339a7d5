"""The stores every register test runs on, opened the same way everywhere.

``backend`` is parametrised over the three stores (memory, SQLite,
PostgreSQL); a :class:`Backend` opens a store (or a register over it),
reopens the same storage (SQLite: the same file; PostgreSQL: the same
schema), and runs raw SQL on it for tests that damage rows behind the
store's back.  ``reg`` is a register over each store.

PostgreSQL needs a server: ``ITIL_CI_TEST_POSTGRES`` holds its URL (``eval
"$(.ci/postgres start)"`` starts a throwaway one and exports it; ``.ci/run``
does that for CI).  Each test gets a schema of its own in that database,
dropped afterwards.  Without the variable the PostgreSQL tests are skipped
with a message saying how to start a server, except in CI (``CI=true``),
where they fail: CI must run them.  With the variable set, a server that
cannot be reached fails the tests.
"""

from __future__ import annotations

import functools
import os
import sqlite3
import urllib.parse
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from itil_ci.register import MemoryStore, Register, SQLiteStore, Store

STORES = ["memory", "sqlite", "postgres"]

START = 'eval "$(.ci/postgres start)"'


@functools.cache
def _server(url: str) -> str | None:
    """Why the server at ``url`` cannot be used (None when it can), asked once per run."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install 'itil-ci[postgres]')"
    try:
        psycopg.connect(url, connect_timeout=5).close()
    except psycopg.Error as exc:
        return f"the server at ITIL_CI_TEST_POSTGRES cannot be reached: {exc}"
    return None


def postgres_url() -> str:
    """The test server's URL; skip (locally) or fail (in CI, or a server that is down)."""
    url = os.environ.get("ITIL_CI_TEST_POSTGRES", "")
    if not url:
        why = (
            "no PostgreSQL server for the register tests: start one with "
            f"`{START}` (it exports ITIL_CI_TEST_POSTGRES)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the PostgreSQL tests, but there is {why}")
        pytest.skip(why)
    problem = _server(url)
    if problem is not None:
        pytest.fail(f"{problem} (restart it with `{START}`)")
    return url


def with_schema(url: str, schema: str) -> str:
    """``url`` with ``schema`` as its search_path (a register of its own in one database)."""
    options = urllib.parse.quote(f"-csearch_path={schema}")
    return f"{url}{'&' if '?' in url else '?'}options={options}"


class Backend:
    """One kind of store, at one place that can be opened again."""

    def __init__(self, kind: str, tmp: Path) -> None:
        self.kind = kind
        self.path = tmp / "register.db"
        self._opened: list[Any] = []
        self.url = ""
        self.schema = ""
        if kind == "postgres":
            base = postgres_url()
            self.schema = f"t_{uuid.uuid4().hex[:12]}"
            self._admin(base, f"CREATE SCHEMA {self.schema}")
            self._base = base
            self.url = with_schema(base, self.schema)

    @staticmethod
    def _admin(url: str, statement: str) -> None:
        import psycopg

        with psycopg.connect(url, autocommit=True) as con:
            con.execute(statement)  # type: ignore[arg-type]

    @property
    def persistent(self) -> bool:
        """Whether a reopened store holds what the closed one held."""
        return self.kind != "memory"

    @property
    def checksummed(self) -> bool:
        """Whether the store keeps checksums (the database stores)."""
        return self.kind != "memory"

    @property
    def target(self) -> str:
        """What ``Register.open`` takes for this backend (not for memory)."""
        return self.url if self.kind == "postgres" else str(self.path)

    def store(self) -> Store:
        """A new store over this backend's storage."""
        s: Store
        if self.kind == "memory":
            s = MemoryStore()
        elif self.kind == "sqlite":
            s = SQLiteStore(self.path)
        else:
            from itil_ci.register import PostgresStore

            s = PostgresStore(self.url)
        self._opened.append(s)
        return s

    def register(self) -> Register:
        """A register over a new store of this backend."""
        return Register(self.store())

    def sql(self, statement: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        """Run one statement on the storage itself, behind the store's back (committed).

        Written with ``?`` markers; rows are returned for a query, else ``[]``.
        """
        assert self.kind != "memory", "raw SQL needs a database store"
        if self.kind == "sqlite":
            con = sqlite3.connect(self.path, isolation_level=None)
            try:
                return con.execute(statement, params).fetchall()
            finally:
                con.close()
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as pg:
            cur = pg.execute(statement.replace("?", "%s"), params)  # type: ignore[arg-type]
            return cur.fetchall() if cur.description else []

    def close(self) -> None:
        for s in self._opened:
            s.close()
        if self.kind == "postgres":
            self._admin(self._base, f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")


@pytest.fixture(params=STORES)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    b = Backend(request.param, tmp_path)
    yield b
    b.close()


@pytest.fixture
def reg(backend: Backend) -> Iterator[Register]:
    """A register over each store (closed afterwards)."""
    r = backend.register()
    yield r
    r.close()
