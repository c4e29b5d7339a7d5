"""Streaming JSON for the ticket importers (private).

:class:`JsonArrayStream` yields the items of one top-level JSON array
(``{"result": [...]}``) one by one from a buffered text stream, so a large
export is never held in memory as a whole.  The helpers below turn a chunk of
decoded records into raw string columns (see :mod:`itil_ci.io._build`).
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import IO, Any

import numpy as np
import numpy.typing as npt

from itil_ci.errors import ImportRowError
from itil_ci.io._parse import as_str_array

BAD = "\x00\x01bad"  # marks a value of the wrong JSON type in a raw column (as _build.BAD)
# --- streaming JSON ------------------------------------------------------------------

_WS = re.compile(r"[ \t\n\r]*")


class JsonStreamError(Exception):
    """Structural problem in a JSON stream (the importer words the error)."""

    def __init__(self, reason: str, *, line: int | None, record: int | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line
        self.record = record


class JsonArrayStream:
    """Yield the items of one array in a JSON document without loading it all.

    The document is either an array or an object; for an object, the value
    under the first of ``keys`` present must be the array (other members are
    parsed and ignored).  Items are decoded one at a time with
    :meth:`json.JSONDecoder.raw_decode` from a buffer that holds about
    ``chunk_chars`` characters plus the item being decoded; an item longer
    than ``max_item_chars`` is refused.

    Examples:
        >>> import io
        >>> doc = io.StringIO('{"n": 2, "result": [{"a": 1}, {"a": 2}]}')
        >>> s = JsonArrayStream(doc, ("result",))
        >>> [item["a"] for item in s]
        [1, 2]
    """

    def __init__(
        self,
        fh: IO[str],
        keys: Sequence[str],
        *,
        chunk_chars: int = 1 << 20,
        max_item_chars: int = 8 << 20,
    ) -> None:
        self._fh = fh
        self._keys = tuple(keys)
        self._chunk = chunk_chars
        self._max = max_item_chars
        self._dec = json.JSONDecoder()
        self._buf = ""
        self._pos = 0
        self._eof = False
        self._lines_before = 0  # newlines in text already dropped from the buffer
        self.index = -1  # index of the item being read
        self.key: str | None = None

    # buffer management
    def _fill(self) -> bool:
        if self._eof:
            return False
        if self._pos:
            self._lines_before += self._buf.count("\n", 0, self._pos)
            self._buf = self._buf[self._pos :]
            self._pos = 0
        more = self._fh.read(self._chunk)
        if not more:
            self._eof = True
            return False
        self._buf += more
        return True

    def _line(self, pos: int) -> int:
        return self._lines_before + self._buf.count("\n", 0, pos) + 1

    def _error(self, reason: str, pos: int | None = None) -> JsonStreamError:
        p = self._pos if pos is None else pos
        record = self.index if self.index >= 0 else None
        return JsonStreamError(reason, line=self._line(p), record=record)

    def _peek(self) -> str:
        """Skip whitespace; return the next character ('' at the end)."""
        while True:
            m = _WS.match(self._buf, self._pos)
            assert m is not None
            self._pos = m.end()
            if self._pos < len(self._buf):
                return self._buf[self._pos]
            if not self._fill():
                return ""

    def _expect(self, chars: str, what: str) -> str:
        ch = self._peek()
        if ch == "" or ch not in chars:
            got = "the end of the file" if ch == "" else repr(ch)
            raise self._error(f"invalid JSON: expected {what}, got {got}")
        self._pos += 1
        return ch

    def _value(self) -> Any:
        """Decode the value at the current position, reading more as needed."""
        self._peek()
        while True:
            try:
                obj, end = self._dec.raw_decode(self._buf, self._pos)
            except json.JSONDecodeError as e:
                near_end = e.pos >= len(self._buf) - 32 or e.msg.startswith("Unterminated")
                if near_end and not self._eof:
                    if len(self._buf) - self._pos > self._max:
                        raise self._error(
                            f"a JSON item longer than {self._max} characters "
                            "(raise max_record_chars to accept it)"
                        ) from None
                    self._fill()
                    continue
                at_end = e.pos >= len(self._buf.rstrip()) or e.msg.startswith("Unterminated")
                if self._eof and at_end:
                    raise self._error(
                        "the file ends inside a JSON value (truncated?)", e.pos
                    ) from None
                raise self._error(f"invalid JSON: {e.msg}", e.pos) from None
            except RecursionError:
                raise self._error(
                    "a JSON value nested too deeply (more than Python's recursion limit)"
                ) from None
            except ValueError as e:  # e.g. an integer of more than 4300 digits
                raise self._error(f"invalid JSON value: {str(e)[:120]}") from None
            if end > len(self._buf) - 32 and not self._eof:
                self._fill()  # a number near the end may continue in the next chunk
                continue
            if end - self._pos > self._max:
                raise self._error(
                    f"a JSON item longer than {self._max} characters "
                    "(raise max_record_chars to accept it)"
                )
            self._pos = end
            return obj

    def __iter__(self) -> Iterator[Any]:
        first = self._expect("{[", "an object or an array")
        if first == "{":
            found = False
            while True:
                ch = self._peek()
                if ch == "}":
                    self._pos += 1
                    break
                key = self._value()
                if not isinstance(key, str):
                    raise self._error("invalid JSON: expected a member name")
                self._expect(":", "':'")
                if key in self._keys and not found:
                    found = True
                    self.key = key
                    yield from self._array()
                else:
                    self._value()
                if self._expect(",}", "',' or '}'") == "}":
                    break
            if not found:
                names = " or ".join(repr(k) for k in self._keys)
                raise self._error(f"the document has no {names} member")
        else:
            yield from self._array(opened=True)
        if self._peek() != "":
            raise self._error("unexpected text after the JSON document")

    def _array(self, *, opened: bool = False) -> Iterator[Any]:
        if not opened:
            self._expect("[", "an array")
        if self._peek() == "]":
            self._pos += 1
            return
        while True:
            self.index += 1
            yield self._value()
            if self._expect(",]", "',' or ']'") == "]":
                return


# --- records to raw columns -----------------------------------------------------------


def _pick(x: Any, keys: Sequence[str], scalars: bool) -> str:
    """A JSON value as a raw string: dicts by ``keys``, numbers and booleans if ``scalars``."""
    if x is None:
        return ""
    if type(x) is dict:
        for k in keys:
            val = x.get(k)
            if isinstance(val, str):
                return val
        return BAD
    if scalars and type(x) is bool:
        return "true" if x else "false"
    if scalars and type(x) in (int, float):
        text = repr(x)
        return text if len(text) <= 40 else BAD
    return BAD


def as_raw(vals: Sequence[Any], keys: Sequence[str], scalars: bool) -> npt.NDArray[np.str_]:
    """JSON values of one field as raw strings (see :func:`_pick`)."""
    if set(map(type, vals)) == {str}:  # the common case, checked without a Python loop
        return as_str_array(vals)
    return as_str_array([x if type(x) is str else _pick(x, keys, scalars) for x in vals])


def columns(
    records: Sequence[dict[str, Any]], wanted: Mapping[str, tuple[str, Sequence[str], bool]]
) -> dict[str, npt.NDArray[np.str_]]:
    """Raw string columns for ``{name: (record key, dict keys to try, scalars allowed)}``."""
    keys = [spec[0] for spec in wanted.values()]
    if not records:
        return {name: np.empty(0, dtype="<U1") for name in wanted}
    if not keys:
        return {}
    rows = [tuple(map(r.get, keys)) for r in records]
    cols = list(zip(*rows, strict=True))
    del rows
    return {
        name: as_raw(col, spec[1], spec[2])
        for (name, spec), col in zip(wanted.items(), cols, strict=True)
    }


def path_get(record: Any, parts: Sequence[str]) -> Any:
    """The value at a dotted path (a number indexes a list); None when absent."""
    cur = record
    for part in parts:
        if type(cur) is dict:
            cur = cur.get(part)
        elif type(cur) is list and part.isdigit():
            i = int(part)
            cur = cur[i] if i < len(cur) else None
        else:
            return None
        if cur is None:
            return None
    return cur


def path_exists(record: Any, parts: Sequence[str]) -> bool:
    """True when the record has the field at a dotted path (null or an empty list counts)."""
    cur = record
    for part in parts:
        if type(cur) is dict:
            if part not in cur:
                return False
            cur = cur[part]
        else:
            return type(cur) is list or cur is None
        if cur is None:
            return True
    return True


def path_column(
    records: Sequence[dict[str, Any]], dotted: str, keys: Sequence[str], scalars: bool
) -> npt.NDArray[np.str_]:
    parts = dotted.split(".")
    return as_raw([path_get(r, parts) for r in records], keys, scalars)


def stream_chunks(
    path: str,
    fh: IO[str],
    keys: Sequence[str],
    chunk: int,
    max_chars: int,
    encoding: str,
) -> Iterator[tuple[list[Any], int]]:
    """Yield (records, index of the first) from the JSON array under ``keys``."""
    stream = JsonArrayStream(fh, keys, max_item_chars=max_chars)
    it = iter(stream)
    first = 0
    while True:
        try:
            items = list(itertools.islice(it, chunk))
        except JsonStreamError as e:
            raise ImportRowError(path, e.reason, line=e.line, record=e.record) from None
        except UnicodeDecodeError:
            record = stream.index if stream.index >= 0 else None
            raise ImportRowError(
                path, f"not {encoding} text (pass encoding=...)", record=record
            ) from None
        if not items:
            return
        yield items, first
        first += len(items)


def objects(items: list[Any]) -> tuple[list[dict[str, Any]], npt.NDArray[np.bool_]]:
    """The records, with each non-object replaced by ``{}``, and which ones were not objects."""
    not_obj = np.fromiter((type(x) is not dict for x in items), dtype=bool, count=len(items))
    if not_obj.any():
        items = [{} if b else x for x, b in zip(items, not_obj.tolist(), strict=True)]
    return items, not_obj
