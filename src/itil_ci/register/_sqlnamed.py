"""The generic primitives of the database stores, written once: named documents and tables.

Named documents (one text per kind and key) and named tables (a JSON meta
and chunks of bytes) hold what the register keeps by name without
interpreting it.  Every row carries its checksum (``register/_checksum.py``);
a table's row also records how many chunks it has, so a missing chunk is
named as well as a damaged one.  The chunks are written with the store's
bulk load (``executemany`` in SQLite, ``COPY`` in PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Sequence

from itil_ci.register import _checksum, _common
from itil_ci.register._sql import TABLE_CHUNK_COLUMNS, SQLBase, listed, verified_table
from itil_ci.register.store import Listed


class NamedSQL(SQLBase):
    """Named documents and named tables over the SQL both database stores share.

    Examples:
        >>> from itil_ci.register import SQLiteStore
        >>> s = SQLiteStore(":memory:")
        >>> isinstance(s, NamedSQL)
        True
        >>> s.close()
    """

    # -- named documents ----------------------------------------------------------------

    def put_document(self, kind: str, key: str, document: str) -> None:
        """Store a named document (an upsert), with its checksum.

        Examples:
            >>> from itil_ci.register import SQLiteStore
            >>> s = SQLiteStore(":memory:")
            >>> s.put_document("sla", "p1", "{}")
            >>> s.put_document("sla", "p1", '{"hours": 4}')
            >>> s.documents("sla")
            [('p1', '{"hours": 4}')]
            >>> s.close()
        """
        kind, key, document = _common.checked_document(kind, key, document)
        crc = _checksum.named(kind, key, document)
        with self._write(f"store {kind} document {key!r}", several=False) as con:
            con.execute(
                "INSERT INTO named_documents (kind, key, document, checksum) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (kind, key) DO UPDATE SET document = excluded.document, "
                "checksum = excluded.checksum",
                (kind, key, document, crc),
            )

    def get_document(self, kind: str, key: str) -> str | None:
        """One named document, verified (None if there is none).

        Examples:
            >>> from itil_ci.register import SQLiteStore
            >>> s = SQLiteStore(":memory:")
            >>> s.put_document("sla", "p1", "{}")
            >>> s.get_document("sla", "p1"), s.get_document("sla", "p2")
            ('{}', None)
            >>> s.close()
        """
        kind, key, _ = _common.checked_document(kind, key)
        raw = self.dialect.raw("document")
        with self._guard(f"read {kind} document {key!r}") as con:
            row = con.execute(
                f"SELECT {raw}, checksum FROM named_documents WHERE kind = ? AND key = ?",
                (kind, key),
            ).fetchone()
        if row is None:
            return None
        return self._one(kind, key, row, f"{kind} document {key!r}", _checksum.named)

    def documents(self, kind: str) -> list[Listed]:
        """(key, document) of the named documents of ``kind``, by key.

        Examples:
            >>> from itil_ci.register import SQLiteStore
            >>> s = SQLiteStore(":memory:")
            >>> s.put_document("sla", "b", "2")
            >>> s.put_document("sla", "a", "1")
            >>> s.documents("sla")
            [('a', '1'), ('b', '2')]
            >>> s.close()
        """
        kind, _, _ = _common.checked_document(kind, "-")
        raw_key, raw_doc = self.dialect.raw("key"), self.dialect.raw("document")
        with self._guard(f"list {kind} documents") as con:
            rows = con.execute(
                f"SELECT {raw_key}, {raw_doc}, checksum FROM named_documents "
                "WHERE kind = ? ORDER BY key",
                (kind,),
            ).fetchall()
        return [listed(kind, k, d, c, _checksum.named) for k, d, c in rows]

    def document_kinds(self) -> list[str]:
        """Every kind with a named document, sorted.

        Examples:
            >>> from itil_ci.register import SQLiteStore
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
            >>> from itil_ci.register import SQLiteStore
            >>> s = SQLiteStore(":memory:")
            >>> s.put_document("sla", "a", "1")
            >>> s.delete_document("sla", "a"), s.delete_document("sla", "a")
            (True, False)
            >>> s.close()
        """
        kind, key, _ = _common.checked_document(kind, key)
        with self._write(f"delete {kind} document {key!r}", several=False) as con:
            cur = con.execute("DELETE FROM named_documents WHERE kind = ? AND key = ?", (kind, key))
            return cur.rowcount > 0

    # -- named tables -------------------------------------------------------------------

    def replace_table(self, name: str, chunks: Sequence[bytes], meta: str) -> None:
        """Replace a named table's chunks and meta in one transaction, with checksums.

        The table's row is written first, so two writers replacing one table
        take turns on it: the later one replaces the earlier one whole.

        Examples:
            >>> from itil_ci.register import SQLiteStore
            >>> s = SQLiteStore(":memory:")
            >>> s.replace_table("tickets", [b"ab", b"c"], '{"rows": 3}')
            >>> s.table("tickets")
            ('{"rows": 3}', [b'ab', b'c'])
            >>> s.close()
        """
        name, parts, meta = _common.checked_table(name, chunks, meta)
        crc = _checksum.table_meta(name, len(parts), meta)
        rows = (
            (name, i, part, _checksum.table_chunk(name, i, part)) for i, part in enumerate(parts)
        )
        with self._write(f"store table {name!r}") as con:
            con.execute(
                "INSERT INTO named_tables (name, parts, meta, checksum) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET parts = excluded.parts, meta = excluded.meta, "
                "checksum = excluded.checksum",
                (name, len(parts), meta, crc),
            )
            con.execute("DELETE FROM named_table_chunks WHERE name = ?", (name,))
            self._insert_rows(con, "named_table_chunks", TABLE_CHUNK_COLUMNS, rows)

    def table(self, name: str) -> tuple[str, list[bytes]] | None:
        """The meta and chunks of a named table, each verified (None if there is none).

        One query reads the table's row and its chunks, so a concurrent
        replacement is seen whole or not at all.

        Examples:
            >>> from itil_ci.register import SQLiteStore
            >>> s = SQLiteStore(":memory:")
            >>> s.replace_table("tickets", [b"ab"], "{}")
            >>> s.table("tickets"), s.table("history")
            (('{}', [b'ab']), None)
            >>> s.close()
        """
        name, _, _ = _common.checked_table(name)
        raw = self.dialect.raw("t.meta")
        with self._guard(f"read table {name!r}") as con:
            rows = con.execute(
                f"SELECT t.parts, {raw}, t.checksum, c.part, c.data, c.checksum "
                "FROM named_tables AS t LEFT JOIN named_table_chunks AS c ON c.name = t.name "
                "WHERE t.name = ? ORDER BY c.part",
                (name,),
            ).fetchall()
        return verified_table(self.path, self.medium, name, rows)

    def tables(self) -> list[str]:
        """Every named table, sorted.

        Examples:
            >>> from itil_ci.register import SQLiteStore
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
            >>> from itil_ci.register import SQLiteStore
            >>> s = SQLiteStore(":memory:")
            >>> s.replace_table("tickets", [b"a"], "{}")
            >>> s.drop_table("tickets"), s.drop_table("tickets")
            (True, False)
            >>> s.close()
        """
        name, _, _ = _common.checked_table(name)
        with self._write(f"drop table {name!r}") as con:
            cur = con.execute("DELETE FROM named_tables WHERE name = ?", (name,))
            con.execute("DELETE FROM named_table_chunks WHERE name = ?", (name,))
            return cur.rowcount > 0
