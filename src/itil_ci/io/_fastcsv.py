"""The pyarrow fast path of the CSV importers (private).

``pyarrow.csv`` parses the file with several threads; ISO times are typed by
Arrow, and every other wanted column is read dictionary-encoded, so the
importers convert each *distinct* value once (:class:`~itil_ci.io._build.Coded`;
counts through the streaming parser's own rule, since Arrow's integers take
``0x10`` and refuse ``+3``).  The columns are then converted one per
core (``_internal/threads.py``), into Arrow's reused memory where they are
large (``_internal/arrowtext.pooled``).

Quoting is judged on the first 64 KiB: quotes there mean Arrow is told that
quoted fields may hold line breaks (which costs some speed).  Without any,
a file whose every column is read is read with quoting off, so a quote
further on stays visible in its value (or breaks a time or the number of
columns) and the file is read again with quotes (a ``na_values`` marker
holding a quote skips that read: a time equal to it would be read as empty,
its quotes unseen); a file with unread columns is mapped, checked as UTF-8
and searched for a quote as a whole instead, since Arrow checks only the
columns it reads.

The fast path gives up, returning ``None``, whenever the streaming parser
could answer differently: a file that is not UTF-8, a quote left open at
the end of the file, any value Arrow cannot type, times outside 1678-2261.
The importer then re-reads the file with the streaming parser, which gives
the result or the error naming the line; the importers also fall back when
a typed value breaks a rule.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import mmap
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from itil_ci._internal.arrowtext import dictionary_codes, spread, unicode_checked
from itil_ci._internal.threads import each
from itil_ci.io import _build, _csvread, _parse
from itil_ci.io.tickets import COUNT_FIELDS, TIME_FIELDS

_NAT = np.iinfo(np.int64).min
_LOW = int(np.datetime64("1678-01-01", "ns").view(np.int64))
_HIGH = int(np.datetime64("2262-01-01", "ns").view(np.int64))
_OFFSET = re.compile(r"(?:Z|[+-]\d\d(?::?\d\d)?)$")
_UTF8 = {"utf-8", "utf8", "utf-8-sig", "utf_8", "utf_8_sig", "ascii", "us-ascii"}


@attrs.frozen(eq=False)
class Fast:
    """Columns read by pyarrow: raw values to convert, and columns already typed."""

    raw: dict[str, Any]
    typed: dict[str, npt.NDArray[Any]]
    rows: int
    where: npt.NDArray[np.int64]


def _pyarrow(required: bool) -> Any:
    try:
        import pyarrow as pa
        import pyarrow.csv
    except ImportError:
        if required:
            raise ImportError(
                "engine='pyarrow' needs pyarrow: pip install 'itil-ci[arrow]'"
            ) from None
        return None
    return pa


def _valid_utf8(pa: Any, data: Any) -> bool:
    """Whether a mapped file is UTF-8: ASCII in one numpy pass, else Arrow's validator.

    The file is viewed as one Arrow string (no copy) and validated in full,
    which rejects what Python's strict decoder rejects (bad continuation
    bytes, overlong forms, surrogates, code points past U+10FFFF).
    """
    arr = np.frombuffer(data, dtype=np.uint8)
    try:
        if arr.size == 0 or int(arr.max()) < 0x80:
            return True
    finally:
        del arr
    body = pa.py_buffer(data)
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64).tobytes())
    try:
        pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, body]).validate(full=True)
    except pa.ArrowInvalid:
        return False
    finally:
        del body
    return True


class _Blocks:
    """A file for Arrow's quoted reads whose reads never end between "\\r" and "\\n".

    Arrow skips a "\\n" that starts a block after one that ends with "\\r": right
    for a line break, but inside a quoted value it drops a byte ("a\\r\\nb" becomes
    "a\\rb"; apache/arrow#51368, open in pyarrow 26).  A read that would end
    there ends one byte earlier.  The blocks are views of ``data`` (no copy).
    """

    closed = False

    def __init__(self, data: Any) -> None:
        self._data = data
        self._view = memoryview(data)
        self._pos = 0

    def read(self, size: int = -1) -> memoryview:
        data, start, total = self._data, self._pos, len(self._data)
        end = total if size < 0 else min(start + size, total)
        if end - start > 1 and end < total and data[end - 1] == 0x0D and data[end] == 0x0A:
            end -= 1
        self._pos = end
        return self._view[start:end]

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def writable(self) -> bool:
        return False

    def close(self) -> None:
        self.closed = True


@contextlib.contextmanager
def _mapped(path: str) -> Iterator[mmap.mmap]:
    """The file mapped read-only; closed after, unless Arrow still holds it (then by GC)."""
    with open(path, "rb") as fh:
        data = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    try:
        yield data
    finally:
        with contextlib.suppress(BufferError):
            data.close()


#: How much of a file is searched for a quote before Arrow starts reading.
_HEAD = 1 << 16


def _quoted_head(data: Any, size: int) -> bool | None:
    """Whether a quote appears after the header line, judged on the first 64 KiB.

    ``data`` holds at least the first 64 KiB of a file of ``size`` bytes.
    True when a quote appears there (or the header itself spans lines; a
    quoted header is read by Python), False when the file ends without one,
    None when the rest of the file was not searched.
    """
    end = int(data.find(b"\n"))
    if end < 0:
        return bool(data.find(b'"') >= 0)
    if bytes(data[:end]).count(b'"') % 2:
        return True  # the header itself spans lines
    if data.find(b'"', end, max(end, _HEAD)) >= 0:
        return True
    return None if size > max(end, _HEAD) else False


def _quote_after(data: Any, start: int) -> bool:
    """Whether a quote appears from byte ``start`` on."""
    return bool(data.find(b'"', start) >= 0)


def _open_before_time(path: str, delimiter: str) -> bool:
    """Whether a file may end inside a quote opened before a time (a last column typed).

    Arrow types the text of a quote left open at the end of the file like
    any value; a time holds no quote and no line break, so that quote is the
    file's last, it follows a delimiter or a line break, and a few dozen
    bytes without a line break follow it.
    """
    with open(path, "rb") as fh:
        size = fh.seek(0, os.SEEK_END)
        fh.seek(max(0, size - 129))
        tail = fh.read()
    q = tail.rfind(b'"', 1)
    if q < 0:
        return False
    rest = tail[q + 1 :]
    before = tail[q - 1 : q]
    return (
        bool(rest) and not ({10, 13} & set(rest)) and before in (delimiter.encode(), b"\n", b"\r")
    )


def _words(pa: Any, col: Any) -> Any:
    """The words of a dictionary-read column: each chunk's dictionary, as one chunked array."""
    return pa.chunked_array([chunk.dictionary for chunk in col.chunks], pa.string())


def _literal_quote(pa: Any, table: Any) -> bool:
    """Whether a text value of a table read with quoting off holds a quote.

    Times that hold one failed to parse already; text columns (counts too)
    are searched in their bytes (a dictionary column in its words only).
    """
    import pyarrow.compute as pc

    for col in table.columns:
        if pa.types.is_dictionary(col.type) and col.num_chunks:
            if pc.any(pc.match_substring(_words(pa, col), '"')).as_py():
                return True
        elif pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            for arr in col.chunks:
                body = arr.buffers()[2]
                if body is not None and bool((np.frombuffer(body, dtype=np.uint8) == 0x22).any()):
                    return True
    return False


def _longest(pa: Any, table: Any) -> int:
    """The most bytes in a text value of a table (a dictionary column: in its words)."""
    import pyarrow.compute as pc

    most = 0
    for col in table.columns:
        if pa.types.is_dictionary(col.type):
            col = _words(pa, col)
        elif not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
            continue  # a time: Arrow parsed it, so it is short
        if len(col):
            most = max(most, int(pc.max(pc.binary_length(col)).as_py()))
    return most


def _long_line(data: Any, limit: int) -> bool:
    """Whether a line of a mapped file may be longer than ``limit`` bytes.

    Blocks of ``limit // 2`` bytes are searched for a line break (one
    ``find`` each, which stops at the first); a block without one is
    measured exactly, from the line break before it to the one after.  A
    limit under 64 KiB (lowered by the caller) counts as a long line.
    """
    size = len(data)
    if size <= limit:
        return False
    if limit < _HEAD:
        return True
    step = limit // 2
    for start in range(0, size, step):  # a few blocks per megabyte
        end = min(start + step, size)
        if data.find(b"\n", start, end) >= 0 or data.find(b"\r", start, end) >= 0:
            continue
        lo = max(data.rfind(b"\n", 0, start), data.rfind(b"\r", 0, start)) + 1
        after = [i for i in (data.find(b"\n", end), data.find(b"\r", end)) if i >= 0]
        if min(after, default=size) - lo > limit:
            return True
    return False


def _nul_ended(pa: Any, col: Any) -> bool:
    """Whether a word of a dictionary column ends with NUL, which numpy strings drop.

    ``"T1\\x00"`` and ``"T1"`` are two words to Arrow and one string to numpy: as
    ids they would be two tickets, where the streaming parser sees one.
    """
    import pyarrow.compute as pc

    words = _words(pa, col)
    return bool(len(words)) and bool(pc.any(pc.ends_with(words, "\x00")).as_py())


def _aware(sample: list[str]) -> bool:
    """Whether the first present value of a time column carries an offset."""
    for text in sample:
        s = text.strip()
        if s:
            return len(s) > 10 and _OFFSET.search(s) is not None
    return False


def _sample(data: bytes, delimiter: str, index: Mapping[str, int]) -> dict[str, list[str]]:
    """The first rows' values of each wanted column (to tell aware times from naive ones).

    Read as the streaming parser reads (``newline=""``: a bare carriage return
    ends a line too); a head the csv module refuses gives no sample.
    """
    text = data.decode("utf-8", errors="replace").lstrip("\ufeff")
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))[1:50]
    except csv.Error:
        return {}
    return {k: [r[i] for r in rows if i < len(r)] for k, i in index.items()}


def _coded(pa: Any, chunked: Any) -> _build.Coded:
    """A dictionary-encoded column as distinct values and codes."""
    codes, uniques = dictionary_codes(pa, chunked)
    return _build.Coded(uniques, codes)


def _int64(chunked: Any) -> npt.NDArray[np.int64]:
    """An int64 Arrow column without nulls as numpy, sharing Arrow's memory (read-only)."""
    whole = chunked.combine_chunks() if hasattr(chunked, "combine_chunks") else chunked
    return np.asarray(whole.to_numpy(zero_copy_only=False), dtype=np.int64)


def _counts(pa: Any, chunked: Any, na_values: Sequence[str]) -> npt.NDArray[np.int64] | None:
    """A dictionary-read count column through the streaming parser's rule, once per word.

    Arrow's own integers accept what ``parse_count`` refuses (``0x10``, more
    than 20 digits) and refuse what it accepts (``+3``, ``3.0``): the words
    are parsed by the same function, and None means a word is not a count.
    """
    codes, words = dictionary_codes(pa, chunked)
    words = _parse.blank_markers(words, na_values)
    values, bad = _parse.map_unique(words, _build.parse_count, dtype=np.int64, fill=0)
    if bad.any():
        return None
    out: npt.NDArray[np.int64] = spread(values, codes)
    return out


def _times(pa: Any, chunked: Any, times: _build.TimeParser) -> npt.NDArray[np.datetime64] | None:
    import pyarrow.compute as pc

    ints = chunked.cast(pa.int64())
    bounds = pc.min_max(ints)  # of the values present
    lo, hi = bounds["min"].as_py(), bounds["max"].as_py()
    if lo is not None and (lo < _LOW or hi >= _HIGH):
        return None  # the streaming parser refuses these years, with the line
    ns = _int64(ints.fill_null(_NAT) if ints.null_count else ints)
    if chunked.type.tz is None and times.tz is not dt.UTC:
        present = ns != _NAT
        ns = np.where(present, _parse.local_to_utc(np.where(present, ns, 0), times.tz), _NAT)
    return ns.view("datetime64[ns]")


def read(
    path: str,
    *,
    header: Sequence[str],
    columns: Mapping[str, str],
    times: _build.TimeParser,
    na_values: Sequence[str],
    delimiter: str,
    encoding: str,
    required: bool,
) -> Fast | None:
    """The wanted columns via pyarrow, or None when the streaming parser must run.

    ``columns`` maps each wanted key (a Tickets field, or ``_name`` for an
    importer's extra column) to its header name.
    """
    if encoding.lower().replace("_", "-") not in _UTF8:
        return None
    pa = _pyarrow(required)
    if pa is None:
        return None
    import pyarrow.csv as pcsv

    positions = {name: i for i, name in enumerate(header)}
    if len(positions) != len(header):
        return None  # repeated column names: leave them to the streaming parser
    index = {k: positions[name] for k, name in columns.items()}
    args = (path, header, index, times, na_values, delimiter, encoding)
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size == 0:
                return None
            if len(set(index.values())) == len(header):
                # Every column is read: Arrow checks all the bytes, reading the file itself.
                head = fh.read(_HEAD)
                if head.find(b"\n") >= 0 or size <= _HEAD:
                    return _read(pa, pcsv, head, size, None, *args)
            data = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):
        return None
    try:
        return _read(pa, pcsv, data, size, data, *args)
    finally:
        with contextlib.suppress(BufferError):  # an Arrow buffer still holds it: GC closes it
            data.close()


def _read(
    pa: Any,
    pcsv: Any,
    data: Any,
    size: int,
    whole: Any,
    path: str,
    header: Sequence[str],
    index: Mapping[str, int],
    times: _build.TimeParser,
    na_values: Sequence[str],
    delimiter: str,
    encoding: str,
) -> Fast | None:
    quoted = _quoted_head(data, size)
    last = len(header) - 1  # read too: its last value tells whether a quote is left open
    # Arrow refuses bytes that are not UTF-8 in every column it reads (text, times, counts
    # alike); only a file with columns left unread needs the whole-file check.
    read = {*index.values(), last} if quoted else set(index.values())
    if len(read) < len(header) and not _valid_utf8(pa, whole):
        return None
    sample = _sample(data[:_HEAD], delimiter, index)
    names = [f"c{i}" for i in range(len(header))]
    types: dict[str, Any] = {}
    log = "update_count" in index or "updated" in index  # maybe an event log: ids repeat
    for key, i in index.items():
        if key in TIME_FIELDS and times.fmt is None:
            aware = _aware(sample.get(key, []))
            types[names[i]] = pa.timestamp("ns", tz="UTC") if aware else pa.timestamp("ns")
        elif (key == "id" and not log) or (key in TIME_FIELDS and times.fmt is not None):
            types[names[i]] = pa.string()
        else:
            types[names[i]] = pa.dictionary(pa.int32(), pa.string())

    def arrow(quoted: bool, quoting: bool = True) -> Any:
        wanted = sorted({*index.values(), last} if quoted else set(index.values()))
        extra = {names[last]: pa.string()} if quoted and last not in index.values() else {}
        quote = '"' if quoting else False
        try:
            with contextlib.ExitStack() as stack:
                source: Any
                if quoted:  # quoted values may hold "\r\n": see _Blocks
                    mapped = whole if whole is not None else stack.enter_context(_mapped(path))
                    source = _Blocks(mapped)
                elif whole is not None:
                    source = pa.py_buffer(whole)
                else:
                    source = stack.enter_context(pa.OSFile(path))
                return pcsv.read_csv(
                    source,
                    read_options=pcsv.ReadOptions(
                        column_names=names, skip_rows=1, use_threads=True
                    ),
                    parse_options=pcsv.ParseOptions(
                        delimiter=delimiter, quote_char=quote, newlines_in_values=quoted
                    ),
                    convert_options=pcsv.ConvertOptions(
                        include_columns=[names[i] for i in wanted],
                        column_types={**types, **extra},
                        null_values=["", *na_values],
                        strings_can_be_null=False,
                        quoted_strings_can_be_null=False,
                    ),
                )
        except (pa.ArrowException, ValueError, OSError):
            return None

    table = None
    if quoted is None and whole is None and any('"' in m for m in na_values):
        quoted = True  # a time equal to a marker with quotes would be read as empty, unseen
    elif quoted is None and whole is None:
        # No quote in the first rows and every column read: Arrow reads with quoting off,
        # so a quote further on stays in its value (or breaks a time or the number of
        # columns); finding one means reading again with quotes.
        table = arrow(False, quoting=False)
        quoted = table is None or _literal_quote(pa, table)
    elif quoted is None:
        quoted = _quote_after(whole, _HEAD)  # the mapped file, searched after its head
    if table is None or quoted:
        table = arrow(quoted)
    if table is None:
        return None
    # The csv module stops at a field longer than its field_size_limit() (in characters,
    # which are at most as many as bytes): the streaming parser then reports the line.
    # Read values are measured; an unread one is at most as long as its line.
    limit = csv.field_size_limit()
    if _longest(pa, table) > limit:
        return None
    if len(set(index.values())) < len(header) and _long_line(whole, limit):
        return None
    n = table.num_rows
    if quoted and n:
        tail = table.column(names[last])[n - 1]
        value = tail.as_py() if tail.is_valid else ""
        if isinstance(value, str) and _csvread.ends_inside_quotes(path, encoding, delimiter, value):
            return None  # the streaming parser reports the line
        if not isinstance(value, str) and _open_before_time(path, delimiter):
            return None

    def column(key: str) -> tuple[bool, Any]:  # (typed?, values): None to give up
        col = table.column(names[index[key]])
        typ = types[names[index[key]]]
        if pa.types.is_timestamp(typ):
            return True, _times(pa, col, times)
        if key in COUNT_FIELDS:
            return True, _counts(pa, col, na_values)
        if key == "id" and pa.types.is_dictionary(typ) and _nul_ended(pa, col):
            return False, None  # two words, one numpy string: one ticket or two?
        if pa.types.is_dictionary(typ):
            return False, _coded(pa, col)
        text, clean = unicode_checked(pa, col)
        return False, _build.Clean(text) if clean else text

    raw: dict[str, Any] = {}
    typed: dict[str, npt.NDArray[Any]] = {}
    for key, (is_typed, out) in zip(index, each(column, index, rows=n), strict=True):
        if out is None:
            return None
        (typed if is_typed else raw)[key] = out
    # Positions, not lines: the fast path never reports a row (it falls back instead).
    return Fast(raw, typed, n, np.arange(n, dtype=np.int64))
