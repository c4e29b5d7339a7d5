"""A compact, versioned encoding of numpy columns into a few large chunks of bytes (private).

The register keeps imported tickets and their state history as named tables
(``Store.replace_table``): a JSON *meta* text and a list of byte chunks.  This
module turns columns into those and back, without a Python loop over rows.

Layout (format ``itil-ci/columns``, version 1).  Every column is one or more
*buffers* laid end to end in one byte stream, each starting at a multiple of
8 bytes; the stream is cut into chunks of at most :data:`CHUNK` bytes.  The
meta says, per column, its name, its kind and where its buffers are
(``offset`` and ``length`` in the stream, ``dtype``), and holds the row count
and the SHA-256 of the stream, checked on every read.

=========  ==================================================================
kind       buffers
=========  ==================================================================
``time``   ``values``: ``<i8`` nanoseconds since the epoch, UTC (NaT is the
           smallest int64, as numpy has it)
``int``    ``values``: ``<i8``
``float``  ``values``: ``<f8``
``bool``   ``values``: ``|u1`` (0 or 1)
``text``   ``utf8``: ``offsets`` (``<i8``, rows + 1) and ``data`` (the UTF-8
           bytes of every value, end to end); or ``dict`` (few distinct
           values): ``codes`` (``<i4``, one per row) and the distinct values
           as ``offsets`` and ``data``
=========  ==================================================================

A column the source did not have is recorded as ``{"name": ..., "unknown":
true}``: unknown, not empty.  UTF-8 is encoded from numpy's fixed-width UTF-32
code points and decoded back with one ``bytes.decode`` for the whole column.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from itil_ci._internal import validate as v
from itil_ci._internal.strings import factorise
from itil_ci.errors import InvalidInputError, StorageError

__all__ = ["CHUNK", "FORMAT", "VERSION", "decode", "encode"]

FORMAT = "itil-ci/columns"
VERSION = 1
#: The largest chunk written, in bytes (a store takes up to 512 MiB in one value).
CHUNK = 64 << 20
KINDS = ("time", "int", "float", "bool", "text")
_DTYPES = {"time": "<i8", "int": "<i8", "float": "<f8", "bool": "|u1"}

Column = npt.NDArray[Any] | None  # None: an unknown column


# -- UTF-8 without a loop over values ------------------------------------------------------


def utf8(
    name: str, arr: npt.NDArray[np.str_]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint8]]:
    """The UTF-8 bytes of every string of ``arr``, end to end, and the offsets between them.

    Examples:
        >>> off, data = utf8("x", np.array(["a", "é", "", "服务"]))
        >>> off.tolist(), bytes(data).decode()
        ([0, 1, 3, 3, 9], 'aé服务')
    """
    a = np.ascontiguousarray(arr)
    n = a.size
    width = a.dtype.itemsize // 4
    if n == 0 or width == 0:
        return np.zeros(n + 1, dtype=np.int64), np.empty(0, dtype=np.uint8)
    points = a.view(np.uint32).reshape(n, width)
    lengths = np.char.str_len(a).astype(np.int64)
    c = points[np.arange(width) < lengths[:, None]].astype(np.int64)
    surrogate = (c >= 0xD800) & (c <= 0xDFFF)
    if surrogate.any():
        row = int(np.searchsorted(np.cumsum(lengths), np.flatnonzero(surrogate)[0], "right"))
        raise v.fail(f"{name}[{row}]", "text that encodes as UTF-8 (no lone surrogate)", a[row])
    size = 1 + (c >= 0x80) + (c >= 0x800) + (c >= 0x10000)
    ends = np.cumsum(size)
    pos = ends - size
    out = np.empty(int(ends[-1]) if ends.size else 0, dtype=np.uint8)
    for k in (1, 2, 3, 4):  # a loop over the four UTF-8 lengths, not over characters
        m = size == k
        if not m.any():
            continue
        ck, pk = c[m], pos[m]
        if k == 1:
            out[pk] = ck
            continue
        lead = (0, 0, 0xC0, 0xE0, 0xF0)[k]
        out[pk] = lead | (ck >> (6 * (k - 1)))
        for j in range(1, k):
            out[pk + j] = 0x80 | ((ck >> (6 * (k - 1 - j))) & 0x3F)
    char_offsets = np.concatenate(([0], np.cumsum(lengths)))
    byte_ends = np.concatenate(([0], ends))
    return byte_ends[char_offsets].astype(np.int64), out


def from_utf8(offsets: npt.NDArray[np.int64], data: npt.NDArray[np.uint8]) -> npt.NDArray[np.str_]:
    """The strings :func:`utf8` encoded (a numpy ``str_`` array).

    Examples:
        >>> from_utf8(*utf8("x", np.array(["a", "é", "", "服务"]))).tolist()
        ['a', 'é', '', '服务']
    """
    n = offsets.size - 1
    text = data.tobytes().decode("utf-8")
    points = np.frombuffer(text.encode("utf-32-le"), dtype="<u4")
    lead = (data & 0xC0) != 0x80
    cum = np.concatenate(([0], np.cumsum(lead, dtype=np.int64)))
    char_offsets = cum[offsets]
    lengths = np.diff(char_offsets)
    width = max(int(lengths.max()) if n else 1, 1)
    out = np.zeros((n, width), dtype=np.uint32)
    rows = np.repeat(np.arange(n), lengths)
    cols = np.arange(points.size) - np.repeat(char_offsets[:-1], lengths)
    out[rows, cols] = points
    return out.view(f"<U{width}").reshape(n)


# -- encoding ----------------------------------------------------------------------------


class _Stream:
    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0

    def add(self, arr: npt.NDArray[Any], dtype: str) -> dict[str, Any]:
        data = np.ascontiguousarray(arr, dtype=dtype).tobytes()
        pad = -self.size % 8
        if pad:
            self.parts.append(b"\0" * pad)
            self.size += pad
        where = {"dtype": dtype, "offset": self.size, "length": len(data)}
        self.parts.append(data)
        self.size += len(data)
        return where


def _text_buffers(stream: _Stream, name: str, arr: npt.NDArray[Any], how: str) -> dict[str, Any]:
    if how == "dict":
        codes, uniq = factorise(arr)
        off, data = utf8(name, uniq)
        return {
            "encoding": "dict",
            "codes": stream.add(codes.reshape(-1), "<i4"),
            "offsets": stream.add(off, "<i8"),
            "data": stream.add(data, "|u1"),
        }
    off, data = utf8(name, arr)
    return {"encoding": "utf8", "offsets": stream.add(off, "<i8"), "data": stream.add(data, "|u1")}


def encode(
    table: str,
    columns: Sequence[tuple[str, str, Column]],
    *,
    plain_text: Sequence[str] = (),
    info: Mapping[str, Any] | None = None,
) -> tuple[list[bytes], str]:
    """``(chunks, meta)`` of a table: ``columns`` are ``(name, kind, array or None)``.

    Text columns are dictionary-coded except those in ``plain_text`` (ticket
    ids, all different).  ``info`` is kept in the meta as it is (JSON data).

    Examples:
        >>> t = np.array(["2026-01-05T09:00", "NaT"], dtype="datetime64[ns]")
        >>> chunks, meta = encode("tickets", [("id", "text", np.array(["a", "b"])),
        ...                                   ("opened", "time", t), ("sla_met", "bool", None)],
        ...                       plain_text=["id"])
        >>> cols, _ = decode("tickets", meta, chunks)
        >>> cols["id"].tolist(), str(cols["opened"][1]), cols["sla_met"]
        (['a', 'b'], 'NaT', None)
    """
    stream = _Stream()
    rows: int | None = None
    described = []
    for name, kind, arr in columns:
        if kind not in KINDS:
            raise v.fail(f"{table}.{name} kind", f"one of {KINDS}", kind)
        if arr is None:
            described.append({"name": name, "kind": kind, "unknown": True})
            continue
        if arr.ndim != 1 or (rows is not None and arr.size != rows):
            raise InvalidInputError(f"{table}.{name}: expected {rows} values, got {arr.shape}")
        rows = arr.size
        col: dict[str, Any] = {"name": name, "kind": kind}
        if kind == "text":
            how = "utf8" if name in plain_text else "dict"
            col.update(_text_buffers(stream, f"{table}.{name}", arr, how))
        else:
            values = arr.view(np.int64) if kind == "time" else arr
            col["values"] = stream.add(values, _DTYPES[kind])
        described.append(col)
    blob = b"".join(stream.parts)
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "table": table,
        "rows": rows or 0,
        "bytes": len(blob),
        "sha256": hashlib.sha256(blob).hexdigest(),
        "columns": described,
        "info": dict(info or {}),
    }
    chunks = [blob[i : i + CHUNK] for i in range(0, len(blob), CHUNK)]
    return chunks, json.dumps(meta, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


# -- decoding ----------------------------------------------------------------------------


def _damaged(table: str, why: str) -> StorageError:
    return StorageError(f"the stored table {table!r} cannot be read: {why}")


def _buffer(table: str, blob: bytes, where: Any, dtype: str) -> npt.NDArray[Any]:
    try:
        offset, length, stored = int(where["offset"]), int(where["length"]), where["dtype"]
    except (KeyError, TypeError, ValueError):
        raise _damaged(table, "a column's buffer is not described") from None
    if stored != dtype or offset < 0 or length < 0 or offset + length > len(blob):
        raise _damaged(table, f"a buffer ({stored} at {offset}+{length}) is out of place")
    item = np.dtype(dtype).itemsize
    if length % item:
        raise _damaged(table, f"a {dtype} buffer of {length} bytes")
    out = np.frombuffer(blob, dtype=dtype, count=length // item, offset=offset)
    return out.astype(dtype.lstrip("<|"), copy=True)


def decode(
    table: str, meta_text: str, chunks: Sequence[bytes]
) -> tuple[dict[str, Column], dict[str, Any]]:
    """The columns :func:`encode` wrote (None for an unknown one) and the meta's ``info``.

    A meta or a stream that is not what :func:`encode` writes (another format
    or version, a wrong checksum, buffers out of place) raises
    :class:`~itil_ci.errors.StorageError` naming the table.
    """
    try:
        meta = json.loads(meta_text)
    except ValueError:
        raise _damaged(table, "its description is not JSON") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise _damaged(table, "it is not a table of columns")
    if meta.get("version") != VERSION:
        raise _damaged(
            table, f"it is version {meta.get('version')!r}; this library reads {VERSION}"
        )
    blob = b"".join(chunks)
    if len(blob) != meta.get("bytes") or hashlib.sha256(blob).hexdigest() != meta.get("sha256"):
        raise _damaged(table, "its content does not match its checksum")
    rows = meta.get("rows")
    out: dict[str, Column] = {}
    for col in meta.get("columns", []):
        name, kind = col.get("name"), col.get("kind")
        if not isinstance(name, str) or kind not in KINDS:
            raise _damaged(table, f"a column is described as {col!r}")
        if col.get("unknown"):
            out[name] = None
            continue
        if kind == "text":
            offsets = _buffer(table, blob, col.get("offsets"), "<i8")
            data = _buffer(table, blob, col.get("data"), "|u1")
            if (
                offsets.size == 0
                or offsets[0] != 0
                or offsets[-1] != data.size
                or (np.diff(offsets) < 0).any()
            ):
                raise _damaged(table, f"the offsets of {name!r} do not fit its data")
            try:
                words = from_utf8(offsets, data)
            except UnicodeDecodeError:
                raise _damaged(table, f"the text of {name!r} is not UTF-8") from None
            if col.get("encoding") == "dict":
                codes = _buffer(table, blob, col.get("codes"), "<i4")
                if codes.size and (codes.min() < 0 or codes.max() >= words.size):
                    raise _damaged(table, f"the codes of {name!r} point outside its values")
                arr = words[codes] if words.size else np.empty(codes.size, dtype="<U1")
            else:
                arr = words
        else:
            arr = _buffer(table, blob, col.get("values"), _DTYPES[kind])
            if kind == "time":
                arr = arr.view("datetime64[ns]")
            elif kind == "bool":
                arr = arr.astype(bool)
        if arr.size != rows:
            raise _damaged(table, f"{name!r} has {arr.size} values, the table {rows} rows")
        out[name] = arr
    info = meta.get("info", {})
    return out, info if isinstance(info, dict) else {}
