"""The stores every register test runs on, opened the same way everywhere.

``backend`` is parametrised over the stores; a :class:`Backend` opens a
store (or a register over it), reopens the same storage (SQLite: the same
file), and runs raw SQL on it for tests that damage rows behind the store's
back.  ``reg`` is a register over each store.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from itil_ci.register import MemoryStore, Register, SQLiteStore, Store

STORES = ["memory", "sqlite"]


class Backend:
    """One kind of store, at one place that can be opened again."""

    def __init__(self, kind: str, tmp: Path) -> None:
        self.kind = kind
        self.path = tmp / "register.db"
        self._opened: list[Any] = []
        self._memory: MemoryStore | None = None

    @property
    def persistent(self) -> bool:
        """Whether a reopened store holds what the closed one held."""
        return self.kind != "memory"

    @property
    def checksummed(self) -> bool:
        """Whether the store keeps checksums (the database stores)."""
        return self.kind != "memory"

    def store(self) -> Store:
        """A new store over this backend's storage."""
        s: Store = MemoryStore() if self.kind == "memory" else SQLiteStore(self.path)
        self._opened.append(s)
        return s

    def register(self) -> Register:
        """A register over a new store of this backend."""
        return Register(self.store())

    def sql(self, statement: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        """Run one statement on the storage itself, behind the store's back (committed)."""
        assert self.kind == "sqlite", "raw SQL needs a database store"
        con = sqlite3.connect(self.path, isolation_level=None)
        try:
            return con.execute(statement, params).fetchall()
        finally:
            con.close()

    def close(self) -> None:
        for s in self._opened:
            s.close()


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
