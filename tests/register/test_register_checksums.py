"""Bytes changed inside a SQLite register file raise StorageError naming what is damaged.

Issue 11, point 4: a flipped byte in a document or in a chunk of
observations used to read back as another value with no error.  Every
document and chunk now carries a CRC-32 written with it and checked on every
read (``register/_checksum.py``).  The tests change bytes of a closed file
where SQLite itself cannot notice (inside a document's text, inside a blob),
exactly what a bad sector or a careless hand edit does, and check that the
damaged entry or chunk is named, that the others still read, and that files
written before checksums existed (schema 2) are migrated with checksums for
all their rows.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np
import pytest

import itil_ci as ic
from itil_ci.errors import StorageError, UnreadableEntries
from itil_ci.register import SCHEMA_VERSION, Register, _checksum, _schema, _sql


def _change(path: Path, old: bytes, new: bytes) -> None:
    """Replace the one occurrence of ``old`` in the file by ``new`` (same length)."""
    assert len(old) == len(new)
    data = path.read_bytes()
    assert data.count(old) == 1, f"{old!r} occurs {data.count(old)} times"
    path.write_bytes(data.replace(old, new))


def _closed_file(path: Path) -> None:
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0


def _register(path: Path) -> np.ndarray:
    values = 1000.0 + np.random.default_rng(3).random(70_000)  # two chunks: 65,536 + 4,464
    with Register.open(path) as reg:
        for i in range(3):
            reg.log(ic.Opportunity(f"Opportunity number {i} zqx", id=f"o{i}", service="mail"))
        reg.log(ic.Initiative("Faster restores wvu", id="i1", model="pdca"))
        reg.define_kpi(ic.KPI("mttr", unit="hours kjh", direction="lower"))
        reg.define_kpi(ic.KPI("fcr"))
        reg.add_baseline(ic.Baseline("mttr", 6.0, note="first baseline pqr"))
        t = np.datetime64("2026-01-01", "ns") + np.arange(70_000) * np.timedelta64(1, "m")
        reg.record("mttr", t, values, source="snow")
        reg.record("fcr", t[:10], np.full(10, 0.5))
    _closed_file(path)
    return values


def test_a_changed_document_is_named_and_the_others_still_read(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    _register(path)
    _change(path, b"number 1 zqx", b"number 7 zqx")  # still valid JSON, valid UTF-8
    with Register.open(path) as reg:
        with pytest.raises(UnreadableEntries) as caught:
            reg.opportunities()
        assert len(caught.value.problems) == 1
        assert caught.value.problems[0].startswith("opportunity 'o1': its checksum")
        assert [o.id for o in caught.value.readable] == ["o0", "o2"]  # type: ignore[attr-defined]
        with pytest.raises(StorageError, match=r"opportunity 'o1' is damaged: its checksum"):
            reg.opportunity("o1")
        assert reg.opportunity("o2").title == "Opportunity number 2 zqx"
        assert reg.initiative("i1").title == "Faster restores wvu"
        assert len(reg.series("mttr")) == 70_000
        with pytest.raises(StorageError, match="o1"):
            reg.export_json()


@pytest.mark.parametrize(
    ("old", "new", "read", "named"),
    [
        (b"Faster restores wvu", b"Faster restores wvv", "initiatives", "initiative 'i1'"),
        (b"hours kjh", b"hours kji", "kpis", "KPI 'mttr'"),
        (b"first baseline pqr", b"first baseline pqs", "baselines", "baseline 1 of 'mttr'"),
    ],
    ids=["initiative", "kpi", "baseline"],
)
def test_every_kind_of_document_is_checked(
    tmp_path: Path, old: bytes, new: bytes, read: str, named: str
) -> None:
    path = tmp_path / "r.db"
    _register(path)
    _change(path, old, new)
    with Register.open(path) as reg:
        with pytest.raises(UnreadableEntries, match=named):
            getattr(reg, read)()
        reg.opportunities()  # the other tables are intact


def test_one_changed_value_in_a_chunk_is_named(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    values = _register(path)
    old = values[40_000].tobytes()
    new = bytearray(old)
    new[0] ^= 0x01  # the lowest mantissa bit: the value changes by one ulp
    _change(path, old, bytes(new))
    with Register.open(path) as reg:
        with pytest.raises(StorageError, match=r"chunk \d+ of the observations of 'mttr'") as e:
            reg.series("mttr")
        assert "source 'snow'" in str(e.value)
        assert "checksum" in str(e.value)
        # the second chunk (from observation 65,536, 2026-02-15 12:16) and the other KPI
        # are not damaged: from 2026-02-16 (46 days = 66,240 minutes) on, all is read
        later = reg.series("mttr", start="2026-02-16T00:00:00+00:00")
        assert later.values.tolist() == values[66_240:].tolist()
        assert reg.series("fcr").values.tolist() == [0.5] * 10


def test_one_changed_time_in_a_chunk_is_named(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    _register(path)
    t = np.datetime64("2026-01-01", "ns") + 123 * np.timedelta64(1, "m")
    old = np.array([t.astype(np.int64)], dtype="<i8").tobytes()
    new = np.array([t.astype(np.int64) + 1], dtype="<i8").tobytes()
    _change(path, old, new)
    with Register.open(path) as reg, pytest.raises(StorageError, match="'mttr'"):
        reg.series("mttr")


def test_a_row_without_its_checksum_reads_as_damaged(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    _register(path)
    con = sqlite3.connect(path)
    con.execute("UPDATE opportunities SET checksum = NULL WHERE id = 'o0'")
    con.execute("UPDATE chunks SET checksum = checksum + 1 WHERE kpi_key = 'fcr'")
    con.commit()
    con.close()
    with Register.open(path) as reg:
        with pytest.raises(StorageError, match=r"opportunity 'o0'.*no checksum"):
            reg.opportunity("o0")
        with pytest.raises(StorageError, match="'fcr'"):
            reg.series("fcr")


def test_checksums_bind_rows_to_their_identity(tmp_path: Path) -> None:
    """A document moved to another id (its content intact) is damage too."""
    path = tmp_path / "r.db"
    _register(path)
    con = sqlite3.connect(path)
    sql = "SELECT document, checksum FROM opportunities WHERE id = 'o0'"
    doc, crc = con.execute(sql).fetchone()
    con.execute("UPDATE opportunities SET document = ?, checksum = ? WHERE id = 'o2'", (doc, crc))
    con.commit()
    con.close()
    with Register.open(path) as reg, pytest.raises(StorageError, match="opportunity 'o2'"):
        reg.opportunity("o2")


# --- files written before checksums (schema 2) are migrated ---------------------------


def _schema2_file(path: Path) -> dict[str, object]:
    """A register file exactly as schema version 2 wrote it, built with bare sqlite3."""
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    for n in (0, 1):  # the schema is written once for every database: SQLite's types here
        for statement in _sql.SQLITE.statements(_schema.MIGRATIONS[n], n):
            con.execute(statement)
    con.execute(f"PRAGMA application_id={_schema.APPLICATION_ID:d}")
    con.execute("PRAGMA user_version=2")
    opp = ic.Opportunity("old opportunity", id="o1", service="mail")
    con.execute(
        "INSERT INTO opportunities VALUES (?, 0, 'logged', 'mail', 'idea', ?, ?)",
        ("o1", opp.updated_at.isoformat(), ic.io.to_json(opp)),
    )
    ini = ic.Initiative("old initiative", id="i1", model="pdca")
    con.execute(
        "INSERT INTO initiatives VALUES ('i1', 0, NULL, 'pdca', 1, NULL, NULL, ?, ?)",
        (ini.updated_at.isoformat(), ic.io.to_json(ini)),
    )
    con.execute("INSERT INTO kpis VALUES ('mttr', ?)", (ic.io.to_json(ic.KPI("mttr")),))
    con.execute(
        "INSERT INTO baselines (kpi_key, document) VALUES ('mttr', ?)",
        (ic.io.to_json(ic.Baseline("mttr", 6.0)),),
    )
    t, x = np.array([1, 3], dtype="<i8"), np.array([1.25, 3.5], dtype="<f8")
    con.execute(
        "INSERT INTO chunks (kpi_key, source, t_min, t_max, n, times, vals, dims) "
        "VALUES ('mttr', 'snow', 1, 3, 2, ?, ?, '{\"service\":\"mail\"}')",
        (t.tobytes(), x.tobytes()),
    )
    con.close()
    return {"opp": opp, "ini": ini}


def test_a_schema2_file_gets_a_checksum_for_every_row(tmp_path: Path) -> None:
    assert SCHEMA_VERSION >= 3  # a version 2 file is migrated through 3 (checksums) and on
    path = tmp_path / "v2.db"
    made = _schema2_file(path)
    with Register.open(path) as reg:
        assert reg.opportunity("o1") == made["opp"]
        assert reg.initiative("i1") == made["ini"]
        assert reg.kpi("mttr").key == "mttr"
        assert reg.baseline("mttr").value == 6.0
        s = reg.series("mttr", filters={"service": "mail", "source": "snow"})
        assert s.values.tolist() == [1.25, 3.5]
        before = json.loads(reg.export_json())
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    for table in ("opportunities", "initiatives", "kpis", "baselines", "chunks"):
        assert con.execute(f"SELECT count(*) FROM {table} WHERE checksum IS NULL").fetchone() == (
            0,
        ), table
    # the stored checksum is the one the shared module computes (a PostgreSQL store agrees)
    doc, crc = con.execute("SELECT document, checksum FROM opportunities").fetchone()
    assert crc == _checksum.document("opportunity", "o1", doc)
    con.close()
    _change(path, b"old opportunity", b"odd opportunity")
    with Register.open(path) as reg:
        with pytest.raises(StorageError, match="opportunity 'o1'"):
            reg.opportunity("o1")
        after = json.loads(json.dumps(before))  # the rest is as it was
        assert [k.key for k in reg.kpis()] == [k["key"] for k in after["kpis"]]
