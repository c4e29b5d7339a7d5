"""Copying a whole register from one store to another, verified (private; see ``copy``).

The copy goes through the register, not around it: every entry, KPI and
baseline is read (checksums verified, documents decoded) and written again
the way :meth:`~itil_ci.register.Register.load` writes an import, with its
version; series are read whole per (KPI key, source, dimensions) and
recorded again; named documents and named tables are copied as they are.
It all happens in one transaction of the destination, and before that
transaction commits the destination is read back and compared with what was
read from the source: the counts of everything, and a CRC-32 of it all in a
form that does not depend on the store.  A difference rolls the copy back.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from contextlib import ExitStack

import attrs
import numpy as np

from itil_ci._internal import validate as v
from itil_ci.errors import InvalidInputError, StorageError, UnreadableEntries
from itil_ci.io.codec import to_json
from itil_ci.register import _dims
from itil_ci.register._checksum import crc32
from itil_ci.register.records import CopySummary, RegisterExport
from itil_ci.register.register import Register
from itil_ci.register.store import Damaged, Store

__all__ = ["copy"]

Target = Register | Store | str | os.PathLike[str]


@attrs.frozen
class _Content:
    """Everything a register holds, read from it (checked and decoded)."""

    export: RegisterExport
    documents: dict[str, list[tuple[str, str]]]
    tables: dict[str, tuple[str, list[bytes]]]


def _read(reg: Register) -> _Content:
    store = reg.store
    documents: dict[str, list[tuple[str, str]]] = {}
    problems: list[str] = []
    for kind in store.document_kinds():
        rows = []
        for key, document in store.documents(kind):
            if isinstance(document, Damaged):
                problems.append(f"{kind} document {key!r}: {document.reason}")
            else:
                rows.append((key, document))
        documents[kind] = rows
    if problems:
        raise UnreadableEntries(problems)
    tables: dict[str, tuple[str, list[bytes]]] = {}
    for name in store.tables():
        found = store.table(name)  # a damaged table or chunk raises StorageError naming it
        if found is not None:
            tables[name] = found
    return _Content(reg.export(), documents, tables)


class _Digest:
    """Counts and a running CRC-32 of what a register holds, the same from any store."""

    def __init__(self) -> None:
        self.crc = 0
        self.counts: dict[str, int] = {}

    def add(self, *parts: str | bytes) -> None:
        for part in parts:
            data = part.encode("utf-8") if isinstance(part, str) else part
            self.crc = crc32(data, crc32(struct.pack("<Q", len(data)), self.crc))

    def count(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n


def _digest(content: _Content) -> _Digest:
    d = _Digest()
    export = content.export
    for what, items in (
        ("opportunities", export.opportunities),
        ("initiatives", export.initiatives),
        ("kpis", export.kpis),
        ("baselines", export.baselines),
    ):
        d.count(what, 0)
        for item in items:
            d.add(what, to_json(item))
            d.count(what)
    for what in ("series", "observations", "documents", "tables", "table_bytes"):
        d.count(what, 0)
    for rs in export.series:
        s = rs.series
        source = "\x00" if rs.source is None else rs.source
        times = np.ascontiguousarray(s.times.view(np.int64), dtype="<i8")
        values = np.ascontiguousarray(s.values, dtype="<f8")
        d.add("series", s.kpi_key, source, _dims.canonical(rs.dims))
        d.add(times.tobytes(), values.tobytes())
        d.count("series")
        d.count("observations", int(times.size))
    for kind, rows in content.documents.items():
        for key, document in rows:
            d.add("document", kind, key, document)
            d.count("documents")
    for name, (meta, chunks) in content.tables.items():
        d.add("table", name, meta, *chunks)
        d.count("tables")
        d.count("table_bytes", sum(len(c) for c in chunks))
    return d


def _holdings(store: Store) -> dict[str, int]:
    """How much of each kind of thing ``store`` holds (to refuse a non-empty destination)."""
    return {
        "opportunities": sum(store.count("opportunity", "status", {}).values()),
        "initiatives": sum(store.count("initiative", "step", {}).values()),
        "KPIs": len(store.kpis()),
        "baselines": len(store.baselines(None)),
        "series": len(store.series_keys()),
        "named documents": sum(len(store.documents(k)) for k in store.document_kinds()),
        "named tables": len(store.tables()),
    }


def _opened(name: str, target: object, stack: ExitStack) -> Register:
    if isinstance(target, Register):
        return target
    if isinstance(target, str | os.PathLike) and not isinstance(target, Store):
        path = os.fspath(target)
        is_url = isinstance(path, str) and path.startswith(("postgresql:", "postgres:"))
        if name == "source" and not is_url and path != ":memory:" and not os.path.exists(path):
            # Register.open would create an empty register and copy nothing
            raise v.fail(name, "an existing register file or a postgresql:// URL", path)
        return stack.enter_context(Register.open(target))
    if isinstance(target, Store):
        return Register(target)
    raise v.fail(name, "a Register, a Store, a register file path or a postgresql:// URL", target)


def copy(source: Target, destination: Target, *, replace: bool = False) -> CopySummary:
    """Copy a whole register into another store, verify the copy, and say what was copied.

    ``source`` and ``destination`` are each a
    :class:`~itil_ci.register.Register`, a :class:`~itil_ci.register.Store`,
    or what :meth:`Register.open` takes (a SQLite file path or a
    ``postgresql://`` URL, opened here and closed afterwards): SQLite to
    PostgreSQL, back, or to and from memory.  Everything is copied:
    opportunities and initiatives (with their versions), KPIs, baselines,
    every series with its source and dimensions, named documents and named
    tables.

    The destination must be empty, or ``replace=True`` replaces what it
    holds; a non-empty one is refused with
    :class:`~itil_ci.errors.InvalidInputError` naming what it holds.  The
    copy is one transaction of the destination: before it commits, the
    destination is read back (every checksum verified) and its counts and
    CRC-32 compared with the source's; any difference, or a damaged entry
    in the source (:class:`~itil_ci.errors.StorageError` naming it), writes
    nothing.  Copy a register nobody writes to meanwhile (stop its writers
    first): the source is read a part at a time.

    Examples:
        >>> from itil_ci import KPI, Opportunity
        >>> from itil_ci.register import Register, copy
        >>> a = Register.in_memory()
        >>> _ = a.log(Opportunity("Automate resets", id="opp-1"))
        >>> _ = a.define_kpi(KPI("mttr"))
        >>> b = Register.open(":memory:")
        >>> summary = copy(a, b)
        >>> summary.opportunities, summary.kpis, b.opportunity("opp-1").title
        (1, 1, 'Automate resets')
        >>> copy(a, b)
        Traceback (most recent call last):
        ...
        itil_ci.errors.InvalidInputError: destination: expected an empty register (or ...
        >>> copy(a, b, replace=True).replaced
        True
    """
    v.flag("replace", replace)
    if source is destination or (
        isinstance(source, str | os.PathLike)
        and isinstance(destination, str | os.PathLike)
        and os.fspath(source) == os.fspath(destination)
    ):
        raise v.fail("destination", "another register than the source", destination)
    with ExitStack() as stack:
        src = _opened("source", source, stack)
        dst = _opened("destination", destination, stack)
        if src.store is dst.store:
            raise v.fail("destination", "another register than the source", destination)
        return _copy(src, dst, replace=replace)
    raise AssertionError("unreachable")  # pragma: no cover


def _described(held: dict[str, int]) -> str:
    return ", ".join(f"{n} {what}" for what, n in held.items() if n)


def _copy(src: Register, dst: Register, *, replace: bool) -> CopySummary:
    content = _read(src)
    want = _digest(content)
    held = _holdings(dst.store)
    if any(held.values()) and not replace:
        raise InvalidInputError(
            "destination: expected an empty register (or replace=True to replace what it "
            f"holds), got a register holding {_described(held)}"
        )
    with dst.transaction():
        if any(held.values()):
            dst.store.clear()
        dst.load(content.export)
        for kind, rows in content.documents.items():
            for key, document in rows:
                dst.store.put_document(kind, key, document)
        for name, (meta, chunks) in content.tables.items():
            dst.store.replace_table(name, chunks, meta)
        got = _digest(_read(dst))
        if (got.counts, got.crc) != (want.counts, want.crc):
            raise StorageError(
                "the copy does not read back as the source: "
                f"{_differences(want, got)}; nothing was written"
            )
    c = got.counts
    return CopySummary(
        opportunities=c["opportunities"],
        initiatives=c["initiatives"],
        kpis=c["kpis"],
        baselines=c["baselines"],
        series=c["series"],
        observations=c["observations"],
        documents=c["documents"],
        tables=c["tables"],
        table_bytes=c["table_bytes"],
        checksum=f"{got.crc:08x}",
        replaced=any(held.values()),
    )


def _differences(want: _Digest, got: _Digest) -> str:
    lines: Iterator[str] = (
        f"{what}: {want.counts.get(what)} in the source, {got.counts.get(what)} in the copy"
        for what in want.counts
        if want.counts.get(what) != got.counts.get(what)
    )
    text = "; ".join(lines)
    return text or f"checksum {want.crc:08x} in the source, {got.crc:08x} in the copy"
