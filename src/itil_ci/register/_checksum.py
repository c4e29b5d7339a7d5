"""Checksums of what a database store keeps, computed and verified in one place (private).

Every stored document (an opportunity, initiative, KPI, baseline or named
document) and every chunk (of observations or of a named table) carries a
checksum written with it and verified when it is read, so bytes that changed
on the disk (a bad sector, a torn copy, a hand edit) raise
:class:`~itil_ci.errors.StorageError` naming what is damaged instead of
reading back as other values.  The functions take plain Python
values and bytes, so any database store (SQLite today, PostgreSQL later)
computes the same checksums from the same rows.

The checksum is CRC-32 (as in gzip, zip and PNG): it detects every error
burst of up to 32 bits and misses a random change with probability 2**-32.
It is computed by :func:`crc32`: the standard library's ``zlib.crc32``
(about 7 GB/s), or, when the optional ``zlib-ng`` package is installed
(``pip install 'itil-ci[fast]'``), its ``crc32``, which gives the same
values about nine times faster (CPU carry-less multiplication); a register
written with one is read with the other.  It guards against accidental damage,
not against someone who rewrites a row and its checksum on purpose (the
audit trail's hashes do that for initiatives).  It covers the row's identity
as well as its content: a document's kind and id, a chunk's KPI key, source,
dimensions, time range and length, so a row whose key or id changed, or a
document moved to another row, fails too.  Changing the algorithm needs a new
schema version (every stored checksum would be recomputed).
"""

from __future__ import annotations

import functools
import zlib
from collections.abc import Callable
from typing import Any

from itil_ci.errors import StorageError


@functools.cache
def _implementation() -> Callable[..., int]:
    """zlib-ng's CRC-32 when it is installed, else the standard library's (the same values)."""
    try:
        from zlib_ng import zlib_ng
    except ImportError:
        return zlib.crc32
    return zlib_ng.crc32


def crc32(data: Any, value: int = 0) -> int:
    """The CRC-32 of the bytes of ``data`` (a bytes-like object), continuing from ``value``.

    The same number as ``zlib.crc32(data, value)``, computed by the fastest
    implementation installed.

    Examples:
        >>> import zlib
        >>> crc32(b"itil") == zlib.crc32(b"itil")
        True
        >>> crc32(b"ci", crc32(b"itil ")) == zlib.crc32(b"itil ci")
        True
    """
    return _implementation()(data, value)


def document(kind: str, id: str, text: str | bytes) -> int:
    """The checksum of a stored document of ``kind`` under ``id`` (``text`` as stored, UTF-8).

    Examples:
        >>> document("opportunity", "o1", '{"title": "A"}') == document(
        ...     "opportunity", "o1", b'{"title": "A"}')
        True
        >>> document("opportunity", "o1", "{}") != document("opportunity", "o2", "{}")
        True
    """
    data = text.encode("utf-8") if isinstance(text, str) else text
    return crc32(data, crc32(f"{kind}\x00{id}\x00".encode()))


def chunk(
    kpi_key: str,
    source: str | None,
    dims: str,
    t_min: int,
    t_max: int,
    n: int,
    times: Any,
    values: Any,
) -> int:
    """The checksum of a chunk of observations: its identity, then its two blobs.

    ``times`` and ``values`` are the stored bytes (or C-contiguous arrays
    holding them).

    Examples:
        >>> import numpy as np
        >>> t, x = np.array([1, 2], dtype="<i8"), np.array([4.0, 5.0])
        >>> a = chunk("mttr", None, "{}", 1, 2, 2, t, x)
        >>> a == chunk("mttr", None, "{}", 1, 2, 2, t.tobytes(), x.tobytes())
        True
        >>> a != chunk("mttr", "itsm", "{}", 1, 2, 2, t, x)
        True
    """
    source_text = "\x01" if source is None else source  # None and "" differ
    head = f"{kpi_key}\x00{source_text}\x00{dims}\x00{t_min}\x00{t_max}\x00{n}\x00"
    crc = crc32(head.encode("utf-8", "surrogatepass"))
    return crc32(values, crc32(times, crc))


def named(kind: str, key: str, text: str | bytes) -> int:
    """The checksum of a named document (``put_document``) of ``kind`` under ``key``.

    Its identity is kept apart from the entities' (an opportunity ``o1`` and a
    named document of kind ``opportunity`` and key ``o1`` differ).

    Examples:
        >>> named("sla", "p1", "{}") != document("sla", "p1", "{}")
        True
        >>> named("sla", "p1", "{}") != named("derivation", "p1", "{}")
        True
    """
    return document(f"named\x00{kind}", key, text)


def table_meta(name: str, parts: int, meta: str | bytes) -> int:
    """The checksum of a named table's row: its name, how many chunks it has, its meta.

    Examples:
        >>> table_meta("tickets", 2, "{}") != table_meta("tickets", 3, "{}")
        True
    """
    data = meta.encode("utf-8") if isinstance(meta, str) else meta
    return crc32(data, crc32(f"table\x00{name}\x00{parts}\x00".encode()))


def table_chunk(name: str, part: int, data: Any) -> int:
    """The checksum of chunk ``part`` (from 0) of table ``name``: identity, length, bytes.

    Examples:
        >>> table_chunk("tickets", 0, b"abc") != table_chunk("tickets", 1, b"abc")
        True
        >>> table_chunk("tickets", 0, b"abc") == table_chunk("tickets", 0, memoryview(b"abc"))
        True
    """
    head = f"table chunk\x00{name}\x00{part}\x00{len(data)}\x00".encode()
    return crc32(data, crc32(head))


def mismatch(stored: object, computed: int) -> str | None:
    """Why a row fails its check (None when ``stored`` is the ``computed`` checksum).

    Examples:
        >>> mismatch(5, 5) is None
        True
        >>> mismatch(None, 5)
        'it has no checksum (the stored row was altered)'
        >>> mismatch(4, 5)
        'its checksum does not match its content (the stored bytes changed)'
    """
    if isinstance(stored, bool) or not isinstance(stored, int):
        return "it has no checksum (the stored row was altered)"
    if stored != computed:
        return "its checksum does not match its content (the stored bytes changed)"
    return None


def damaged(where: str, what: str, reason: str, medium: str = "the file") -> StorageError:
    """The error for one damaged row read on its own (``medium``: what holds it).

    Examples:
        >>> print(damaged("r.db", "opportunity 'o1'", "its checksum does not match"))
        r.db: opportunity 'o1' is damaged: its checksum does not match (the file is corrupt;
        restore it from a backup or export what is still readable)
    """
    return StorageError(
        f"{where}: {what} is damaged: {reason} ({medium} is corrupt; restore it from a backup "
        "or export what is still readable)"
    )
