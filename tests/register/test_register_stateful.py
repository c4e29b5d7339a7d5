"""A stateful test of the register against a plain model (dicts and lists), on every store.

Random logs, reads, updates from fresh and stale copies, records, windowed
series reads, KPI definitions, and the store's generic primitives (named
documents put and deleted, named tables replaced and dropped, some of them in
transactions that roll back), with the register closed and reopened at
random points (SQLite: the same file again; PostgreSQL: the same schema
again; memory: a new store filled by ``itil_ci.register.copy``, which
verifies what it copied).  After every step the register and the model
agree.  The machine runs once per store (``backend``).
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

import itil_ci as ic
from itil_ci.errors import ConflictError, InvalidInputError, NotFound
from itil_ci.io import from_json, to_json
from itil_ci.register import PostgresStore, Register, copy
from tests.register.conftest import Backend, with_schema

IDS = st.sampled_from(["a", "b"])
KINDS = st.sampled_from(["opportunity", "initiative"])
KEYS = st.sampled_from(["mttr", "fcr"])
SOURCES = st.sampled_from([None, "snow", "jira"])
TIMES = st.integers(0, 50)  # few distinct times, so ties are common
VALUES = st.floats(-1e6, 1e6, allow_nan=False) | st.just(float("nan"))
SERVICE = st.sampled_from([None, "email", "vpn"])  # a dimension; None: the row has none
DOC_KINDS = st.sampled_from(["sla", "derivation"])
DOC_KEYS = st.sampled_from(["p1", "p2", "P3", "é"])
DOC_TEXT = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=8)
TABLES = st.sampled_from(["tickets", "history"])
CHUNKS = st.lists(st.binary(max_size=40), max_size=4)


def _copy(entry: Any) -> Any:
    return from_json(to_json(entry), type(entry))


def _new(kind: str, id: str, title: str) -> Any:
    if kind == "opportunity":
        return ic.Opportunity(title, id=id)
    return ic.Initiative(title, id=id, model="pdca")


class RegisterMachine(RuleBasedStateMachine):
    #: The store to run on ("memory", "sqlite" or "postgres") and, for PostgreSQL, the
    #: server's URL: set on a subclass per store by the test below.
    store = "memory"
    server = ""

    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="itil_ci_sm_"))
        self.entries: dict[tuple[str, str], Any] = {}
        self.held: list[Any] = []  # copies read by "clients", possibly stale by now
        self.rows: dict[str, list[tuple[int, float, str | None, int, str | None]]] = {}
        self.kpis: dict[str, ic.KPI] = {}
        self.seq = 0
        self.documents: dict[tuple[str, str], str] = {}
        self.tables: dict[str, tuple[str, list[bytes]]] = {}
        self.schema = ""
        if self.store == "postgres":
            self.schema = f"sm_{uuid.uuid4().hex[:12]}"
            Backend._admin(self.server, f"CREATE SCHEMA {self.schema}")
        self.reg = self._open()

    def _open(self) -> Register:
        if self.store == "sqlite":
            return Register.open(self.dir / "sm.db")
        if self.store == "postgres":
            return Register(PostgresStore(with_schema(self.server, self.schema)))
        return Register.in_memory()

    def teardown(self) -> None:
        self.reg.close()
        shutil.rmtree(self.dir, ignore_errors=True)
        if self.schema:
            Backend._admin(self.server, f"DROP SCHEMA {self.schema} CASCADE")

    def _get(self, kind: str, id: str) -> Any:
        return self.reg.opportunity(id) if kind == "opportunity" else self.reg.initiative(id)

    @rule(kind=KINDS, id=IDS, title=st.text(min_size=1, max_size=8).filter(str.strip))
    def log(self, kind: str, id: str, title: str) -> None:
        entry = _new(kind, id, title)
        if (kind, id) in self.entries:
            try:
                self.reg.log(entry)
            except InvalidInputError:
                return
            raise AssertionError("a duplicate id was accepted")
        self.reg.log(entry)
        self.entries[kind, id] = _copy(entry)
        self.held.append(entry)

    @rule(kind=KINDS, id=IDS)
    def read(self, kind: str, id: str) -> None:
        if (kind, id) not in self.entries:
            try:
                self._get(kind, id)
            except NotFound:
                return
            raise AssertionError("read an entry that was never logged")
        got = self._get(kind, id)
        assert got == self.entries[kind, id]
        self.held.append(got)

    @precondition(lambda self: self.held)
    @rule(data=st.data(), text=st.text(max_size=8))
    def update(self, data: st.DataObject, text: str) -> None:
        copy = data.draw(st.sampled_from(self.held))
        kind = "opportunity" if isinstance(copy, ic.Opportunity) else "initiative"
        stored = self.entries[kind, copy.id]
        copy.description = text
        if copy.version != stored.version:
            old = copy.version
            with pytest.raises(ConflictError) as info:
                self.reg.update(copy)
            assert (info.value.expected, info.value.actual) == (old, stored.version)
            assert copy.version == old
            return
        self.reg.update(copy)
        assert copy.version == stored.version + 1
        self.entries[kind, copy.id] = _copy(copy)

    @rule(
        key=KEYS,
        source=SOURCES,
        rows=st.lists(st.tuples(TIMES, VALUES, SERVICE), max_size=6),
        with_dims=st.booleans(),
    )
    def record(
        self,
        key: str,
        source: str | None,
        rows: list[tuple[int, float, str | None]],
        with_dims: bool,
    ) -> None:
        t = np.array([r[0] for r in rows], dtype=np.int64).view("datetime64[ns]")
        x = np.array([r[1] for r in rows], dtype=np.float64)
        dims = {"service": [r[2] for r in rows]} if with_dims else None
        assert self.reg.record(key, t, x, source=source, dims=dims) == len(rows)
        # the register keeps a batch's own ties in the order given (stable sort)
        for i in np.argsort(t.view(np.int64), kind="stable"):
            service = rows[i][2] if with_dims else None
            self.rows.setdefault(key, []).append(
                (int(rows[i][0]), rows[i][1] + 0.0, source, self.seq, service)
            )
            self.seq += 1

    @rule(
        key=KEYS,
        lo=st.none() | TIMES,
        hi=st.none() | TIMES,
        source=st.just("all") | SOURCES,
        service=st.just("all") | st.sampled_from(["email", "vpn"]),
    )
    def read_series(
        self, key: str, lo: int | None, hi: int | None, source: Any, service: Any
    ) -> None:
        rank = {None: 0, "jira": 1, "snow": 2}
        dims_rank = {None: 0, "email": 1, "vpn": 2}  # no dims, then canonical JSON order
        want = sorted(
            (
                r
                for r in self.rows.get(key, [])
                if (lo is None or r[0] >= lo)
                and (hi is None or r[0] < hi)
                and (source == "all" or r[2] == source)
                and (service == "all" or r[4] == service)
            ),
            key=lambda r: (r[0], rank[r[2]], dims_rank[r[4]], r[3]),
        )
        filters: dict[str, Any] = {}
        if source != "all":
            filters["source"] = source
        if service != "all":
            filters["service"] = service
        s = self.reg.series(
            key,
            start=None if lo is None else np.datetime64(lo, "ns"),
            end=None if hi is None else np.datetime64(hi, "ns"),
            filters=filters or None,
        )
        assert s.times.view(np.int64).tolist() == [r[0] for r in want]
        np.testing.assert_array_equal(s.values, np.array([r[1] for r in want], dtype=float))

    @rule(key=KEYS, unit=st.sampled_from(["", "hours", "%"]))
    def define_kpi(self, key: str, unit: str) -> None:
        kpi = ic.KPI(key, unit=unit)
        self.reg.define_kpi(kpi)
        self.kpis[key] = kpi

    @rule(kind=DOC_KINDS, key=DOC_KEYS, text=DOC_TEXT)
    def put_document(self, kind: str, key: str, text: str) -> None:
        self.reg.store.put_document(kind, key, text)
        self.documents[kind, key] = text

    @rule(kind=DOC_KINDS, key=DOC_KEYS)
    def delete_document(self, kind: str, key: str) -> None:
        was = self.documents.pop((kind, key), None) is not None
        assert self.reg.store.delete_document(kind, key) is was

    @rule(name=TABLES, chunks=CHUNKS, meta=DOC_TEXT)
    def replace_table(self, name: str, chunks: list[bytes], meta: str) -> None:
        self.reg.store.replace_table(name, chunks, meta)
        self.tables[name] = (meta, chunks)

    @rule(name=TABLES)
    def drop_table(self, name: str) -> None:
        was = self.tables.pop(name, None) is not None
        assert self.reg.store.drop_table(name) is was

    @rule(kind=DOC_KINDS, key=DOC_KEYS, name=TABLES, chunks=CHUNKS)
    def rolled_back(self, kind: str, key: str, name: str, chunks: list[bytes]) -> None:
        store = self.reg.store

        def doomed() -> None:
            with self.reg.transaction():
                store.put_document(kind, key, "never")
                store.replace_table(name, chunks, "never")
                store.drop_table("tickets" if name == "history" else "history")
                store.delete_document("derivation" if kind == "sla" else "sla", key)
                raise RuntimeError("roll back")

        with pytest.raises(RuntimeError, match="roll back"):
            doomed()

    @rule()
    def reopen(self) -> None:
        if self.store != "memory":
            self.reg.close()
            self.reg = self._open()
        else:
            old = self.reg
            self.reg = self._open()
            summary = copy(old, self.reg)
            assert summary.documents == len(self.documents)
            assert summary.tables == len(self.tables)
            old.close()
        # copies held by clients survive a reopen: their versions still decide

    @invariant()
    def listings_agree(self) -> None:
        opps = {k[1]: v for k, v in self.entries.items() if k[0] == "opportunity"}
        inis = {k[1]: v for k, v in self.entries.items() if k[0] == "initiative"}
        assert self.reg.opportunities() == [opps[i] for i in sorted(opps)]
        assert self.reg.initiatives() == [inis[i] for i in sorted(inis)]
        assert self.reg.kpis() == [self.kpis[k] for k in sorted(self.kpis)]
        assert sum(self.reg.step_counts().values()) == len(inis)
        store = self.reg.store
        kinds = sorted({k for k, _ in self.documents})
        assert store.document_kinds() == kinds
        for kind in ["sla", "derivation"]:
            want = sorted((k, d) for (c, k), d in self.documents.items() if c == kind)
            assert store.documents(kind) == want
        assert store.tables() == sorted(self.tables)
        for name in ["tickets", "history"]:
            assert store.table(name) == self.tables.get(name)


def test_the_register_agrees_with_a_model(backend: Backend) -> None:
    machine = type(
        f"RegisterMachine_{backend.kind}",
        (RegisterMachine,),
        {"store": backend.kind, "server": getattr(backend, "_base", "")},
    )
    run_state_machine_as_test(
        machine, settings=settings(max_examples=40, stateful_step_count=25, deadline=None)
    )
