"""Every method of a database store, written once over the SQL of ``_sql`` (private).

:class:`SQLStore` implements the :class:`~itil_ci.register.Store` protocol for
both database stores (the named documents and tables in ``_sqlnamed``).  A
subclass (``SQLiteStore``, ``PostgresStore``) supplies only what differs
(``_sql.SQLBase``): how a connection is had for an operation and errors
explained, transactions, and bulk loading (``executemany`` or ``COPY``).
Every query is parameterised; the only names ever put into SQL text come
from the fixed schema.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from itil_ci.errors import StorageError
from itil_ci.register import _checksum, _common
from itil_ci.register._schema import CHUNK
from itil_ci.register._sql import (
    CHUNK_COLUMNS,
    TABLES,
    chunk_row,
    listed,
    verified_chunk,
    where_clause,
)
from itil_ci.register._sqlnamed import NamedSQL
from itil_ci.register.store import NO_DIMS, Listed, Times, Values, Where

_BATCH = 500  # dims keys per query (well under SQLite's parameter limit)


class SQLStore(NamedSQL):
    """The :class:`~itil_ci.register.Store` methods both database stores share.

    Examples:
        >>> from itil_ci.register import SQLiteStore
        >>> s = SQLiteStore(":memory:")
        >>> isinstance(s, SQLStore)
        True
        >>> s.close()
    """

    # -- entities -----------------------------------------------------------------------

    def insert(
        self, kind: str, id: str, version: int, index: Mapping[str, object], document: str
    ) -> None:
        """Add an entity (``INSERT ... ON CONFLICT DO NOTHING``: a duplicate writes nothing).

        Examples:
            >>> from itil_ci.register import SQLiteStore
            >>> s = SQLiteStore(":memory:")
            >>> row = {"status": "logged", "service": "mail", "source": "idea",
            ...        "updated_at": "2026-01-05"}
            >>> s.insert("opportunity", "o1", 0, row, '{"title": "A"}')
            >>> s.insert("opportunity", "o1", 0, row, "{}")
            Traceback (most recent call last):
            ...
            itil_ci.errors.InvalidInputError: opportunity.id: expected an id not yet ...
            >>> s.close()
        """
        table, cols = _common.indexed(kind)
        names = ",".join(f'"{c}"' for c in cols)
        sql = (
            f"INSERT INTO {table} (id, version, {names}, document, checksum) "
            f"VALUES (?, ?, {','.join('?' * len(cols))}, ?, ?) ON CONFLICT (id) DO NOTHING"
        )
        crc = _checksum.document(kind, id, document)
        with self._write(f"store {kind} {id!r}", several=False) as con:
            cur = con.execute(sql, (id, version, *(index[c] for c in cols), document, crc))
            added = cur.rowcount == 1
        if not added:
            raise _common.duplicate(kind, id)

    def replace(
        self, kind: str, id: str, expected: int, index: Mapping[str, object], document: str
    ) -> int:
        """Replace an entity stored at version ``expected`` (``UPDATE ... WHERE version = ?``).

        Examples:
            >>> from itil_ci.register import SQLiteStore
            >>> s = SQLiteStore(":memory:")
            >>> row = {"status": "logged", "service": "mail", "source": "idea",
            ...        "updated_at": "2026-01-05"}
            >>> s.insert("opportunity", "o1", 0, row, '{"title": "A"}')
            >>> s.replace("opportunity", "o1", 0, row, '{"title": "B"}')
            1
            >>> s.replace("opportunity", "o1", 0, row, '{"title": "C"}')
            Traceback (most recent call last):
            ...
            itil_ci.errors.ConflictError: opportunity 'o1' was changed by someone else: ...
            >>> s.close()
        """
        table, cols = _common.indexed(kind)
        sets = ", ".join(f'"{c}" = ?' for c in cols)
        sql = (
            f"UPDATE {table} SET version = version + 1, {sets}, document = ?, checksum = ? "
            "WHERE id = ? AND version = ?"
        )
        crc = _checksum.document(kind, id, document)
        with self._write(f"update {kind} {id!r}", several=False) as con:
            cur = con.execute(sql, (*(index[c] for c in cols), document, crc, id, expected))
            if cur.rowcount == 1:
                return expected + 1
            row = con.execute(f"SELECT version FROM {table} WHERE id = ?", (id,)).fetchone()
        if row is None:
            raise _common.missing(kind, id)
        raise _common.conflict(kind, id, expected, int(row[0]))

    def get(self, kind: str, id: str) -> str | None:
        """The stored document, verified.

        Examples:
            >>> from itil_ci.register import SQLiteStore
            >>> s = SQLiteStore(":memory:")
            >>> s.get("opportunity", "o1") is None
            True
            >>> s.close()
        """
        table, _ = _common.indexed(kind)
        raw = self.dialect.raw("document")
        with self._guard(f"read {kind} {id!r}") as con:
            row = con.execute(f"SELECT {raw}, checksum FROM {table} WHERE id = ?", (id,)).fetchone()
        return None if row is None else self._one(kind, id, row, f"{kind} {id!r}")

    def select(
        self,
        kind: str,
        where: Where,
        below: Mapping[str, str],
        *,
        unless: Where | None = None,
        unless_below: Mapping[str, str] | None = None,
    ) -> list[Listed]:
        """Matching (id, document) by id (leaving out those matching ``unless``/``unless_below``).

        Examples:
            >>> from itil_ci.register import SQLiteStore
            >>> s = SQLiteStore(":memory:")
            >>> row = {"status": "logged", "service": "mail", "source": "idea",
            ...        "updated_at": "2026-01-05"}
            >>> s.insert("opportunity", "o1", 0, row, '{"title": "A"}')
            >>> s.insert("opportunity", "o2", 0, {**row, "status": "approved"}, '{"title": "B"}')
            >>> s.select("opportunity", {}, {}, unless={"status": "logged"})
            [('o2', '{"title": "B"}')]
            >>> s.close()
        """
        table, cols = _common.indexed(kind)
        clause, params = where_clause(cols, where, below)
        if unless or unless_below:
            # NULL-safe: a row is left out only when the whole "unless" clause is true.
            extra, more = where_clause(cols, unless or {}, unless_below or {})
            extra = f"COALESCE(({extra.removeprefix(' WHERE ')}), FALSE)"
            clause = f"{clause} AND NOT {extra}" if clause else f" WHERE NOT {extra}"
            params += more
        raw_id, raw_doc = self.dialect.raw("id"), self.dialect.raw("document")
        with self._guard(f"list {kind} entries") as con:
            rows = con.execute(
                f"SELECT {raw_id}, {raw_doc}, checksum FROM {table}{clause} ORDER BY id", params
            ).fetchall()
        return [listed(kind, i, d, c) for i, d, c in rows]

    def count(self, kind: str, by: str, where: Where) -> dict[object, int]:
        """Counts per value of ``by`` (one indexed GROUP BY, no documents read).

        Examples:
            >>> from itil_ci.register import SQLiteStore
            >>> s = SQLiteStore(":memory:")
            >>> s.count("initiative", "step", {})
            {}
            >>> s.close()
        """
        table, cols = _common.indexed(kind)
        if by not in cols:
            raise StorageError(f"unknown column {by!r}")
        clause, params = where_clause(cols, where, {})
        with self._guard(f"count {kind} entries") as con:
            rows = con.execute(
                f'SELECT "{by}", count(*) FROM {table}{clause} GROUP BY "{by}"', params
            ).fetchall()
        return {r[0]: int(r[1]) for r in rows}

    # -- KPIs and baselines -------------------------------------------------------------

    def put_kpi(self, key: str, document: str) -> None:
        """Define a KPI (an upsert).

        Examples:
            >>> from itil_ci.register import SQLiteStore
            >>> s = SQLiteStore(":memory:")
            >>> s.put_kpi("mttr", '{"unit": "h"}')
            >>> s.put_kpi("mttr", '{"unit": "hours"}')
            >>> s.kpis()
            [('mttr', '{"unit": "hours"}')]
            >>> s.close()
        """
        crc = _checksum.document("kpi", key, document)
        with self._write(f"define KPI {key!r}", several=False) as con:
            con.execute(
                "INSERT INTO kpis (key, document, checksum) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET document = excluded.document, "
                "checksum = excluded.checksum",
                (key, document, crc),
            )

    def get_kpi(self, key: str) -> str | None:
        """One KPI document (None if not defined; one indexed lookup).

        Examples:
            >>> from itil_ci.register import SQLiteStore
            >>> s = SQLiteStore(":memory:")
            >>> s.put_kpi("mttr", "m")
            >>> s.get_kpi("mttr"), s.get_kpi("fcr")
            ('m', None)
            >>> s.close()
        """
        raw = self.dialect.raw("document")
        with self._guard(f"read KPI {key!r}") as con:
            row = con.execute(f"SELECT {raw}, checksum FROM kpis WHERE key = ?", (key,)).fetchone()
        return None if row is None else self._one("kpi", key, row, f"KPI {key!r}")

    def kpis(self) -> list[Listed]:
        """KPI documents by key.

        Examples:
            >>> from itil_ci.register import SQLiteStore
            >>> s = SQLiteStore(":memory:")
            >>> s.put_kpi("mttr", "m")
            >>> s.put_kpi("fcr", "f")
            >>> s.kpis()
            [('fcr', 'f'), ('mttr', 'm')]
            >>> s.close()
        """
        raw_key, raw_doc = self.dialect.raw("key"), self.dialect.raw("document")
        with self._guard("list KPIs") as con:
            rows = con.execute(
                f"SELECT {raw_key}, {raw_doc}, checksum FROM kpis ORDER BY key"
            ).fetchall()
        return [listed("kpi", k, d, c) for k, d, c in rows]

    def add_baseline(self, kpi_key: str, document: str) -> None:
        """Append a baseline.

        Examples:
            >>> from itil_ci.register import SQLiteStore
            >>> s = SQLiteStore(":memory:")
            >>> s.add_baseline("mttr", "first")
            >>> s.add_baseline("mttr", "second")
            >>> s.baselines("mttr")
            [('mttr', 'first'), ('mttr', 'second')]
            >>> s.close()
        """
        crc = _checksum.document("baseline", kpi_key, document)
        with self._write(f"store a baseline of {kpi_key!r}", several=False) as con:
            con.execute(
                "INSERT INTO baselines (kpi_key, document, checksum) VALUES (?, ?, ?)",
                (kpi_key, document, crc),
            )

    def baselines(self, kpi_key: str | None) -> list[Listed]:
        """Baselines, oldest first.

        Examples:
            >>> from itil_ci.register import SQLiteStore
            >>> s = SQLiteStore(":memory:")
            >>> s.add_baseline("mttr", "m1")
            >>> s.add_baseline("fcr", "f1")
            >>> s.baselines("fcr"), s.baselines(None)
            ([('fcr', 'f1')], [('mttr', 'm1'), ('fcr', 'f1')])
            >>> s.close()
        """
        raw_key, raw_doc = self.dialect.raw("kpi_key"), self.dialect.raw("document")
        sql = f"SELECT {raw_key}, {raw_doc}, checksum FROM baselines"
        with self._guard("list baselines") as con:
            if kpi_key is None:
                rows = con.execute(f"{sql} ORDER BY seq").fetchall()
            else:
                rows = con.execute(f"{sql} WHERE kpi_key = ? ORDER BY seq", (kpi_key,)).fetchall()
        return [listed("baseline", k, d, c) for k, d, c in rows]

    # -- observations -------------------------------------------------------------------

    def append(
        self, kpi_key: str, source: str | None, times: Times, values: Values, dims: str = NO_DIMS
    ) -> None:
        """Append observations as chunks of at most ``CHUNK`` rows, in one bulk load.

        Examples:
            >>> from itil_ci.register import SQLiteStore
            >>> import numpy as np
            >>> s = SQLiteStore(":memory:")
            >>> s.append("mttr", None, np.array([1, 2], dtype=np.int64), np.array([4.0, 5.0]))
            >>> s.series_keys()
            [('mttr', None, '{}')]
            >>> s.close()
        """
        t = np.ascontiguousarray(times, dtype="<i8")
        x = np.ascontiguousarray(values, dtype="<f8")
        rows = (
            chunk_row(kpi_key, source, dims, t[i : i + CHUNK], x[i : i + CHUNK])
            for i in range(0, t.size, CHUNK)
        )
        with self._write(f"record observations of {kpi_key!r}", several=False) as con:
            self._insert_rows(con, "chunks", CHUNK_COLUMNS, rows)

    def fetch(
        self,
        kpi_key: str,
        start: int | None,
        end: int | None,
        sources: Sequence[str | None] | None,
        dims: Sequence[str] | None = None,
    ) -> list[tuple[str | None, str, Times, Values]]:
        """Chunks of ``kpi_key`` overlapping ``[start, end)``, in insertion order.

        Only the chunks selected by the query (key, window, ``sources``,
        ``dims``) are read and decoded.

        Examples:
            >>> from itil_ci.register import SQLiteStore
            >>> import numpy as np
            >>> s = SQLiteStore(":memory:")
            >>> s.append("mttr", None, np.array([1, 2], dtype=np.int64), np.array([4.0, 5.0]))
            >>> [(src, d, t.tolist()) for src, d, t, _ in s.fetch("mttr", None, None, None)]
            [(None, '{}', [1, 2])]
            >>> s.fetch("mttr", 3, None, None)
            []
            >>> s.close()
        """
        raw_source, raw_dims = self.dialect.raw("source"), self.dialect.raw("dims")
        sql = (
            f"SELECT seq, {raw_source}, {raw_dims}, t_min, t_max, n, times, vals, checksum "
            "FROM chunks WHERE kpi_key = ?"
        )
        params: list[object] = [kpi_key]
        if start is not None:
            sql += " AND t_max >= ?"
            params.append(start)
        if end is not None:
            sql += " AND t_min < ?"
            params.append(end)
        if sources is not None:
            clause, extra = where_clause(("source",), {"source": tuple(sources)}, {})
            sql += " AND " + clause.removeprefix(" WHERE ")
            params.extend(extra)
        # one query per batch of dims keys (SQLite limits the parameters of a statement)
        batches: list[list[str]] = [[]]
        if dims is not None:
            wanted = sorted(set(dims))
            batches = [wanted[i : i + _BATCH] for i in range(0, len(wanted), _BATCH)]
        rows: list[Sequence[object]] = []
        with self._guard(f"read observations of {kpi_key!r}") as con:
            for batch in batches:
                extra_sql = f" AND dims IN ({','.join('?' * len(batch))})" if dims else ""
                rows += con.execute(f"{sql}{extra_sql} ORDER BY seq", [*params, *batch]).fetchall()
        if len(batches) > 1:
            rows.sort(key=lambda r: int(r[0]))  # type: ignore[call-overload]
        return [verified_chunk(self.path, self.medium, kpi_key, row) for row in rows]

    def series_keys(self, kpi_key: str | None = None) -> list[tuple[str, str | None, str]]:
        """Every (key, source, dims) with observations (an index-only query).

        Examples:
            >>> from itil_ci.register import SQLiteStore
            >>> import numpy as np
            >>> s = SQLiteStore(":memory:")
            >>> t, x = np.array([1], dtype=np.int64), np.array([4.0])
            >>> s.append("mttr", "itsm", t, x)
            >>> s.append("mttr", None, t, x, '{"team":"a"}')
            >>> s.series_keys()
            [('mttr', None, '{"team":"a"}'), ('mttr', 'itsm', '{}')]
            >>> s.close()
        """
        with self._guard("list series") as con:
            if kpi_key is None:
                rows = con.execute("SELECT DISTINCT kpi_key, source, dims FROM chunks").fetchall()
            else:
                rows = con.execute(
                    "SELECT DISTINCT kpi_key, source, dims FROM chunks WHERE kpi_key = ?",
                    (kpi_key,),
                ).fetchall()
        return sorted(((str(k), s, str(d)) for k, s, d in rows), key=_common.group_order)

    def clear(self) -> None:
        """Delete every row of every table (the schema stays).

        Examples:
            >>> from itil_ci.register import SQLiteStore
            >>> s = SQLiteStore(":memory:")
            >>> s.put_kpi("mttr", "{}")
            >>> s.clear()
            >>> s.kpis()
            []
            >>> s.close()
        """
        with self._write("empty the register") as con:
            for table in TABLES:
                con.execute(f"DELETE FROM {table}")
