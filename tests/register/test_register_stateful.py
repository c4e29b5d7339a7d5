"""A stateful test of the register against a plain model (dicts and lists), on every store.

Random logs, reads, updates from fresh and stale copies, records, windowed
series reads, KPI definitions, and the store's generic primitives (named
documents put and deleted, named tables replaced and dropped, some of them in
transactions that roll back), with the register closed and reopened at
random points (SQLite: the same file again; memory: through an exact JSON
export and import, and the primitives copied over).  After every step the
register and the model agree.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

import itil_ci as ic
from itil_ci.errors import ConflictError, InvalidInputError, NotFound
from itil_ci.io import from_json, to_json
from itil_ci.register import Register

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

    @initialize(store=st.sampled_from(["memory", "sqlite"]))
    def open_store(self, store: str) -> None:
        self.store = store
        self.reg = self._open()

    def _open(self) -> Register:
        if self.store == "sqlite":
            return Register.open(self.dir / "sm.db")
        return Register.in_memory()

    def teardown(self) -> None:
        if hasattr(self, "reg"):
            self.reg.close()
        shutil.rmtree(self.dir, ignore_errors=True)

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
        if self.store == "sqlite":
            self.reg.close()
            self.reg = self._open()
        else:
            text = self.reg.export_json()
            old = self.reg.store
            documents = {k: old.documents(k) for k in old.document_kinds()}
            tables = {n: old.table(n) for n in old.tables()}
            self.reg.close()
            self.reg = self._open()
            self.reg.import_json(text)
            for kind, listed in documents.items():
                for key, document in listed:
                    assert isinstance(document, str)
                    self.reg.store.put_document(kind, key, document)
            for name, found in tables.items():
                assert found is not None
                self.reg.store.replace_table(name, found[1], found[0])
        # copies held by clients survive a reopen: their versions still decide

    @invariant()
    def listings_agree(self) -> None:
        if not hasattr(self, "reg"):
            return
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


RegisterMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=25, deadline=None)
TestRegisterAgainstModel = RegisterMachine.TestCase
