"""Copying a whole register between stores: ``itil_ci.register.copy``.

SQLite to PostgreSQL and back (and to and from memory): everything arrives
(entries with their versions, KPIs, baselines, series with sources and
dimensions, named documents, named tables), the copy is verified before it
commits, a non-empty destination is refused unless ``replace=True``, and a
damaged source or a copy that does not read back writes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import itil_ci as ic
from itil_ci.errors import InvalidInputError, StorageError, UnreadableEntries
from itil_ci.register import CopySummary, MemoryStore, Register, copy
from itil_ci.register.store import NO_DIMS, Times, Values
from tests.register.conftest import Backend

PAIRS = [
    ("sqlite", "postgres"),
    ("postgres", "sqlite"),
    ("memory", "postgres"),
    ("postgres", "memory"),
    ("memory", "sqlite"),
    ("sqlite", "memory"),
]


@pytest.fixture
def backends(tmp_path: Path) -> Iterator[list[Backend]]:
    made: list[Backend] = []
    yield made
    for b in made:
        b.close()


def _backend(made: list[Backend], kind: str, tmp: Path) -> Backend:
    place = tmp / f"{kind}-{len(made)}"
    place.mkdir()
    b = Backend(kind, place)
    made.append(b)
    return b


def _fill(reg: Register) -> dict[str, object]:
    """A register holding some of everything; what to expect of a copy."""
    opp = reg.log(ic.Opportunity("Automate password resets", id="OPP-1", service="email"))
    opp.move_to("assessed")
    reg.update(opp)  # version 1: the copy keeps it
    reg.log(ic.Opportunity("Self-service VPN", id="OPP-2", source="problem"))
    ini = reg.log(ic.Initiative("Faster restores", id="INI-1", model="pdca"))
    ini.lessons = ["back up the backups"]
    reg.update(ini)
    reg.define_kpi(ic.KPI("mttr", unit="hours", direction="lower"))
    reg.add_baseline(ic.Baseline("mttr", 6.0))
    reg.add_baseline(ic.Baseline("mttr", 5.0, filters={"service": "email"}))
    rng = np.random.default_rng(15)
    t = np.datetime64("2026-01-01", "ns") + np.arange(70_000) * np.timedelta64(1, "m")
    services = np.array(["email", "vpn"])[rng.integers(0, 2, t.size)]
    reg.record("mttr", t, rng.gamma(2.0, 3.0, t.size), source="snow", dims={"service": services})
    reg.record("mttr", t[:10], np.full(10, np.nan))
    store = reg.store
    store.put_document("sla", "priority-1", json.dumps({"resolve_hours": 4}))
    store.put_document("sla", "priority-2", json.dumps({"resolve_hours": 8}))
    store.put_document("derivation", "mttr", json.dumps({"from": "tickets"}))
    big = rng.integers(0, 256, 3 * 2**20, dtype=np.uint8).tobytes()
    store.replace_table("tickets", [big, b"", b"tail"], json.dumps({"rows": 3}))
    return {"observations": 70_010, "table_bytes": len(big) + 4}


def _everything(reg: Register) -> tuple[object, ...]:
    store = reg.store
    docs = {k: store.documents(k) for k in store.document_kinds()}
    tables = {n: store.table(n) for n in store.tables()}
    return reg.export_json(), docs, tables


@pytest.mark.parametrize(("src_kind", "dst_kind"), PAIRS)
def test_everything_is_copied_and_verified(
    src_kind: str, dst_kind: str, backends: list[Backend], tmp_path: Path
) -> None:
    src = _backend(backends, src_kind, tmp_path).register()
    expected = _fill(src)
    dst = _backend(backends, dst_kind, tmp_path).register()
    summary = copy(src, dst)
    assert summary == CopySummary(
        opportunities=2,
        initiatives=1,
        kpis=1,
        baselines=2,
        series=3,  # (snow, email), (snow, vpn), and the unlabelled one
        observations=expected["observations"],  # type: ignore[arg-type]
        documents=3,
        tables=1,
        table_bytes=expected["table_bytes"],  # type: ignore[arg-type]
        checksum=summary.checksum,
        replaced=False,
    )
    assert _everything(dst) == _everything(src)
    assert dst.opportunity("OPP-1").version == 1
    # a copy of the copy has the same checksum: it does not depend on the store
    third = Register(MemoryStore())
    assert copy(dst, third).checksum == summary.checksum
    assert dst.series("mttr", filters={"service": "vpn"}) == src.series(
        "mttr", filters={"service": "vpn"}
    )


def test_a_register_named_by_path_and_url_is_opened_and_closed(
    backends: list[Backend], tmp_path: Path
) -> None:
    sqlite = _backend(backends, "sqlite", tmp_path)
    postgres = _backend(backends, "postgres", tmp_path)
    with Register.open(sqlite.path) as reg:
        _fill(reg)
    there = copy(sqlite.path, postgres.url)
    back = tmp_path / "back.db"
    again = copy(postgres.url, str(back))
    assert there.checksum == again.checksum
    with Register.open(sqlite.path) as a, Register.open(back) as b:
        assert _everything(a) == _everything(b)


def test_a_non_empty_destination_is_refused_unless_replaced(
    backend: Backend, backends: list[Backend], tmp_path: Path
) -> None:
    src = Register.in_memory()
    _fill(src)
    dst = backend.register()
    dst.log(ic.Opportunity("already here", id="OLD-1"))
    dst.store.put_document("sla", "old", "{}")
    before = _everything(dst)
    with pytest.raises(InvalidInputError, match=r"^destination: expected an empty register") as e:
        copy(src, dst)
    assert "1 opportunities" in str(e.value)
    assert "1 named documents" in str(e.value)
    assert _everything(dst) == before  # nothing written
    summary = copy(src, dst, replace=True)
    assert summary.replaced is True
    assert _everything(dst) == _everything(src)  # the old content is gone
    dst.close()


def test_a_damaged_source_is_named_and_nothing_is_written(
    backends: list[Backend], tmp_path: Path
) -> None:
    sqlite = _backend(backends, "sqlite", tmp_path)
    src = sqlite.register()
    _fill(src)
    sqlite.sql("UPDATE named_documents SET document = '{}' WHERE key = 'priority-2'")
    dst = Register.in_memory()
    with pytest.raises(UnreadableEntries, match="sla document 'priority-2': its checksum"):
        copy(src, dst)
    assert _everything(dst) == _everything(Register.in_memory())
    sqlite.sql("UPDATE named_documents SET key = 'p2' WHERE key = 'priority-2'")  # moved away
    sqlite.sql("DELETE FROM named_documents WHERE key = 'p2'")
    sqlite.sql("DELETE FROM named_table_chunks WHERE part = 1")
    with pytest.raises(StorageError, match="chunk 1 of table 'tickets' is damaged"):
        copy(src, dst)
    assert dst.store.tables() == []


class _Lossy(MemoryStore):
    """A store that loses the last observation of every append (a broken copy)."""

    def append(
        self, kpi_key: str, source: str | None, times: Times, values: Values, dims: str = NO_DIMS
    ) -> None:
        super().append(kpi_key, source, times[:-1], values[:-1], dims)


def test_a_copy_that_does_not_read_back_writes_nothing() -> None:
    src = Register.in_memory()
    _fill(src)
    dst = Register(_Lossy())
    with pytest.raises(StorageError, match=r"observations: 70010 in the source, 70007 in the copy"):
        copy(src, dst)
    assert dst.opportunities() == []
    assert dst.store.tables() == []


def test_the_same_register_and_bad_arguments_are_refused(tmp_path: Path) -> None:
    reg = Register.in_memory()
    with pytest.raises(InvalidInputError, match=r"^destination: expected another register"):
        copy(reg, reg)
    with pytest.raises(InvalidInputError, match=r"^destination: expected another register"):
        copy(reg, Register(reg.store))
    with pytest.raises(InvalidInputError, match=r"^destination: expected another register"):
        copy(str(tmp_path / "a.db"), tmp_path / "a.db")
    with pytest.raises(InvalidInputError, match=r"^source: expected a Register, a Store"):
        copy(5, reg)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=r"^replace: expected True or False"):
        copy(reg, Register.in_memory(), replace="yes")  # type: ignore[arg-type]
