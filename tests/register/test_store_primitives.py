"""The store's generic primitives on every store: named documents and named tables.

Named documents (``put_document``/``get_document``/``documents``/
``delete_document``) hold definitions by kind and key; named tables
(``replace_table``/``table``/``tables``/``drop_table``) hold a columnar table
as a few large chunks of bytes and a JSON meta.  Every store must give the
same answers, refuse the same arguments, keep them across a reopen (the
database stores), undo them with a rolled-back transaction, and name a
damaged row (the database stores, which keep a checksum with each).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

import numpy as np
import pytest

import itil_ci as ic
from itil_ci.errors import InvalidInputError, StorageError
from itil_ci.register import SCHEMA_VERSION, Damaged, Register, store
from tests.register.conftest import Backend


def test_named_documents_insert_replace_list_and_delete(backend: Backend) -> None:
    s = backend.store()
    assert s.documents("sla") == []
    assert s.document_kinds() == []
    s.put_document("sla", "priority-1", '{"hours": 4}')
    s.put_document("sla", "priority-1", '{"hours": 8}')  # replaces
    s.put_document("sla", "Priority-2", "{}")
    s.put_document("sla", "é-unicode", "[]")
    s.put_document("derivation", "priority-1", '{"kpi": "mttr"}')  # another kind: apart
    assert s.get_document("sla", "priority-1") == '{"hours": 8}'
    assert s.get_document("derivation", "priority-1") == '{"kpi": "mttr"}'
    assert s.get_document("sla", "missing") is None
    assert s.get_document("other", "priority-1") is None
    # by key in code point order ('P' < 'p' < 'é'), whatever the database's collation
    assert s.documents("sla") == [
        ("Priority-2", "{}"),
        ("priority-1", '{"hours": 8}'),
        ("é-unicode", "[]"),
    ]
    assert s.document_kinds() == ["derivation", "sla"]
    assert s.delete_document("sla", "Priority-2") is True
    assert s.delete_document("sla", "Priority-2") is False
    assert s.delete_document("nothing", "here") is False
    assert [k for k, _ in s.documents("sla")] == ["priority-1", "é-unicode"]
    s.delete_document("derivation", "priority-1")
    assert s.document_kinds() == ["sla"]


def test_a_document_is_kept_as_given(backend: Backend) -> None:
    s = backend.store()
    text = '{"name": "24×7 \\u00e9", "emoji": "🛠", "spaces": "  a\\tb\\n"}\n'
    s.put_document("sla", "k", text)
    s.put_document("sla", "empty", "")
    assert s.get_document("sla", "k") == text
    assert s.get_document("sla", "empty") == ""


def test_named_tables_replace_read_list_and_drop(backend: Backend) -> None:
    s = backend.store()
    assert s.tables() == []
    assert s.table("tickets") is None
    s.replace_table("tickets", [b"one", b"two", b"three"], '{"rows": 3}')
    s.replace_table("history", [], '{"rows": 0}')
    assert s.table("tickets") == ('{"rows": 3}', [b"one", b"two", b"three"])
    assert s.table("history") == ('{"rows": 0}', [])
    s.replace_table("tickets", [b"new"], '{"rows": 1}')  # fewer chunks: the others go
    assert s.table("tickets") == ('{"rows": 1}', [b"new"])
    assert s.tables() == ["history", "tickets"]
    assert s.drop_table("tickets") is True
    assert s.drop_table("tickets") is False
    assert s.table("tickets") is None
    assert s.tables() == ["history"]


def test_large_chunks_and_bytes_like_inputs_round_trip_exactly(backend: Backend) -> None:
    rng = np.random.default_rng(15)
    big = rng.integers(0, 256, 24 * 2**20, dtype=np.uint8)  # 24 MiB, incompressible
    column = np.arange(1000, dtype="<i8")
    s = backend.store()
    s.replace_table("t", [big, bytearray(b"\x00\xff"), memoryview(column), b""], "{}")
    _, chunks = s.table("t") or ("", [])
    assert all(type(c) is bytes for c in chunks)
    assert chunks[0] == big.tobytes()
    assert chunks[1:] == [b"\x00\xff", column.tobytes(), b""]
    assert np.array_equal(np.frombuffer(chunks[2], dtype="<i8"), column)


def test_the_primitives_persist_across_a_reopen(backend: Backend) -> None:
    if not backend.persistent:
        pytest.skip("the memory store keeps nothing after it is closed")
    s = backend.store()
    s.put_document("sla", "p1", "{}")
    s.replace_table("tickets", [b"a", b"b"], '{"rows": 2}')
    s.close()
    again = backend.store()
    assert again.documents("sla") == [("p1", "{}")]
    assert again.table("tickets") == ('{"rows": 2}', [b"a", b"b"])


def test_a_rolled_back_transaction_undoes_them_and_nested_ones_join(backend: Backend) -> None:
    s = backend.store()
    s.put_document("sla", "kept", "1")
    s.replace_table("tickets", [b"old"], "{}")

    def doomed() -> None:
        with s.transaction():
            s.put_document("sla", "new", "2")
            s.delete_document("sla", "kept")
            with s.transaction():  # joins the outer one: undone with it
                s.replace_table("tickets", [b"new", b"er"], "{}")
                s.replace_table("history", [b"h"], "{}")
                s.drop_table("tickets")
            raise RuntimeError("roll back")

    with pytest.raises(RuntimeError, match="roll back"):
        doomed()
    assert s.documents("sla") == [("kept", "1")]
    assert s.table("tickets") == ("{}", [b"old"])
    assert s.tables() == ["tickets"]
    with s.transaction():
        s.replace_table("tickets", [b"new"], '{"v": 2}')
        assert s.table("tickets") == ('{"v": 2}', [b"new"])  # a read sees its transaction
        s.put_document("sla", "new", "2")
    assert s.table("tickets") == ('{"v": 2}', [b"new"])
    assert s.get_document("sla", "new") == "2"


@pytest.mark.parametrize(
    ("call", "named"),
    [
        (lambda s: s.put_document("", "k", "{}"), "kind"),
        (lambda s: s.put_document("  ", "k", "{}"), "kind"),
        (lambda s: s.put_document("sla", "a\x00b", "{}"), "key"),
        (lambda s: s.put_document("sla", "k" * 501, "{}"), "key"),
        (lambda s: s.put_document("sla", "\ud800", "{}"), "key"),
        (lambda s: s.put_document("sla", 5, "{}"), "key"),
        (lambda s: s.put_document("sla", "k", b"{}"), "document"),
        (lambda s: s.put_document("sla", "k", '{"a": "\x00"}'), "document"),
        (lambda s: s.put_document("sla", "k", "\udc80"), "document"),
        (lambda s: s.get_document(None, "k"), "kind"),
        (lambda s: s.documents(""), "kind"),
        (lambda s: s.delete_document("sla", ""), "key"),
        (lambda s: s.replace_table("", [], "{}"), "name"),
        (lambda s: s.replace_table("t", b"abc", "{}"), "chunks"),
        (lambda s: s.replace_table("t", [b"a", "text"], "{}"), r"chunks\[1\]"),
        (lambda s: s.replace_table("t", [b"a", 5], "{}"), r"chunks\[1\]"),
        (lambda s: s.replace_table("t", [np.arange(6)[::2]], "{}"), r"chunks\[0\]"),
        (lambda s: s.replace_table("t", [b"a"], None), "meta"),
        (lambda s: s.replace_table("t", [b"a"], "\x00"), "meta"),
        (lambda s: s.table(7), "name"),
        (lambda s: s.drop_table("a\x00"), "name"),
    ],
)
def test_bad_arguments_are_refused_alike_and_write_nothing(
    backend: Backend, call: object, named: str
) -> None:
    s = backend.store()
    s.replace_table("t", [b"before"], "{}")
    with pytest.raises(InvalidInputError, match=rf"^{named}: expected"):
        call(s)  # type: ignore[operator]
    assert s.table("t") == ("{}", [b"before"])
    assert s.documents("sla") == []


def test_a_chunk_over_the_limit_is_refused(
    backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "MAX_TABLE_CHUNK", 10)
    s = backend.store()
    with pytest.raises(InvalidInputError, match=r"chunks\[1\]: expected at most 10 bytes"):
        s.replace_table("t", [b"a" * 10, b"b" * 11], "{}")
    assert s.tables() == []


# --- damage: the database stores keep a checksum with every row ------------------------


def _database(backend: Backend) -> None:
    if not backend.checksummed:
        pytest.skip("the memory store keeps no checksums (nothing outside the process alters it)")


def test_a_changed_named_document_is_named(backend: Backend) -> None:
    _database(backend)
    s = backend.store()
    s.put_document("sla", "p1", '{"hours": 4}')
    s.put_document("sla", "p2", '{"hours": 8}')
    backend.sql("UPDATE named_documents SET document = ? WHERE key = ?", ('{"hours": 5}', "p1"))
    listed = s.documents("sla")
    assert listed[0][0] == "p1"
    assert isinstance(listed[0][1], Damaged)
    assert "checksum" in listed[0][1].reason
    assert listed[1] == ("p2", '{"hours": 8}')  # the intact one still reads
    with pytest.raises(StorageError, match=r"sla document 'p1' is damaged: its checksum"):
        s.get_document("sla", "p1")
    # a document moved to another key fails too: the key is part of its checksum
    backend.sql("UPDATE named_documents SET key = ? WHERE key = ?", ("p3", "p2"))
    with pytest.raises(StorageError, match=r"sla document 'p3' is damaged"):
        s.get_document("sla", "p3")


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (
            ("UPDATE named_table_chunks SET data = ? WHERE part = 1", (b"twX",)),
            r"chunk 1 of table 'tickets' is damaged: its checksum",
        ),
        (
            ("DELETE FROM named_table_chunks WHERE part = 1", ()),
            r"chunk 1 of table 'tickets' is damaged: it is missing",
        ),
        (
            ("DELETE FROM named_table_chunks WHERE part = 2", ()),
            r"chunk 2 of table 'tickets' is damaged: it is missing",
        ),
        (
            ("UPDATE named_tables SET meta = ? WHERE parts = 3", ('{"rows": 4}',)),
            r"table 'tickets' is damaged: its checksum",
        ),
        (
            ("UPDATE named_tables SET parts = 2 WHERE parts = 3", ()),
            r"table 'tickets' is damaged: its checksum",
        ),
        (
            ("UPDATE named_table_chunks SET checksum = checksum + 1 WHERE part = 0", ()),
            r"chunk 0 of table 'tickets' is damaged: its checksum",
        ),
    ],
)
def test_a_damaged_table_is_named_with_its_chunk(
    backend: Backend, damage: tuple[str, tuple[object, ...]], message: str
) -> None:
    _database(backend)
    s = backend.store()
    s.replace_table("tickets", [b"one", b"two", b"three"], '{"rows": 3}')
    s.replace_table("history", [b"h"], "{}")
    backend.sql(f"{damage[0]} AND name = 'tickets'", damage[1])
    with pytest.raises(StorageError, match=message):
        s.table("tickets")
    assert s.table("history") == ("{}", [b"h"])  # the other table still reads
    assert s.tables() == ["history", "tickets"]
    assert s.drop_table("tickets") is True  # a damaged table can still be dropped


def test_a_schema_3_file_gains_the_primitives_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "v3.db"
    with Register.open(path) as reg:
        reg.log(ic.Opportunity("kept", id="o1"))
        reg.record("mttr", np.array([1, 2], dtype="datetime64[ns]"), [4.0, 5.0])
    con = sqlite3.connect(path, isolation_level=None)  # what version 3 wrote: no primitives
    for table in ("named_documents", "named_tables", "named_table_chunks"):
        con.execute(f"DROP TABLE {table}")
    con.execute("PRAGMA user_version = 3")
    con.close()
    with Register.open(path) as reg:
        assert reg.opportunity("o1").title == "kept"
        assert reg.series("mttr").values.tolist() == [4.0, 5.0]
        reg.store.put_document("sla", "p1", "{}")
        reg.store.replace_table("tickets", [b"a"], "{}")
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 4
    con.close()
    with Register.open(path) as reg:
        assert reg.store.documents("sla") == [("p1", "{}")]
        assert reg.store.table("tickets") == ("{}", [b"a"])


def test_clear_empties_everything_and_rolls_back_with_its_transaction(backend: Backend) -> None:
    reg = backend.register()
    reg.log(ic.Opportunity("o", id="o1"))
    reg.log(ic.Initiative("i", id="i1"))
    reg.define_kpi(ic.KPI("mttr"))
    reg.add_baseline(ic.Baseline("mttr", 1.0))
    reg.record("mttr", np.array([1], dtype="datetime64[ns]"), [1.0])
    s = reg.store
    s.put_document("sla", "p1", "{}")
    s.replace_table("tickets", [b"a"], "{}")
    before = reg.export_json()

    def cleared_then_undone() -> None:
        with s.transaction():
            s.clear()
            assert s.tables() == []
            raise RuntimeError("roll back")

    with pytest.raises(RuntimeError, match="roll back"):
        cleared_then_undone()
    assert reg.export_json() == before
    s.clear()
    assert reg.export() == Register.in_memory().export()
    assert (s.document_kinds(), s.tables()) == ([], [])
    reg.log(ic.Opportunity("o", id="o1"))  # the schema is still there


def test_threads_replacing_one_table_at_once_leave_it_whole(backend: Backend) -> None:
    """Each replacement is seen whole: the last one wins, never a mix of two."""
    s = backend.store()
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(15):
                parts = [bytes([n]) * 1000] * (1 + i % 3)
                s.replace_table("shared", parts, json.dumps({"writer": n, "parts": len(parts)}))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def reader() -> None:
        try:
            for _ in range(30):
                found = s.table("shared")
                if found is not None:
                    meta, chunks = found
                    m = json.loads(meta)
                    assert chunks == [bytes([m["writer"]]) * 1000] * m["parts"]
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    threads += [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    meta, chunks = s.table("shared") or ("", [])
    m = json.loads(meta)
    assert chunks == [bytes([m["writer"]]) * 1000] * m["parts"]
