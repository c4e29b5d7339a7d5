"""The streaming CSV reader shared by the CSV and ServiceNow importers (private).

Rows are read with :mod:`csv` in chunks; each chunk's wanted columns become
numpy string arrays at once, with the line each row starts on.  Column names
match case-insensitively.  A file whose last quoted field never closes is an
error (the :mod:`csv` module would silently take the rest of the file as that
field's value).
"""

from __future__ import annotations

import codecs
import csv
import itertools
import operator
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import IO

import numpy as np
import numpy.typing as npt

from itil_ci.errors import ImportRowError
from itil_ci.io import _parse

Strs = npt.NDArray[np.str_]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
_BREAK = re.compile(r"\r\n|\r|\n")
# Encodings in which the end of a file can be compared byte for byte.
_BYTEWISE = {"utf-8", "utf-8-sig", "ascii", "latin-1", "iso8859-1", "iso8859-15", "cp1252",
             "cp1250", "cp1251", "mac-roman", "cp437", "cp850"}  # fmt: skip


class Reader:
    """A CSV file opened for streaming: its header, then chunks of rows."""

    def __init__(self, path: str, fh: IO[str], delimiter: str, encoding: str) -> None:
        self.path = path
        self.fh = fh
        self.delimiter = delimiter
        self.encoding = encoding
        self.reader = csv.reader(fh, delimiter=delimiter, strict=False)
        self.last_row: list[str] | None = None
        try:
            header = next(self.reader)
        except StopIteration:
            raise self.fatal("the file is empty; expected a header line", 1) from None
        except csv.Error as e:
            raise self.fatal(f"unreadable CSV: {e}", 1) from None
        except UnicodeDecodeError:
            raise self.fatal(f"not {encoding} text (pass encoding=...)", 1) from None
        self.last_row = header
        self.header = [h.strip().lstrip("\ufeff").strip() for h in header]

    def fatal(self, reason: str, line: int, field: str | None = None) -> ImportRowError:
        return ImportRowError(self.path, reason, line=line, field=field)

    def find(self, names: Sequence[str]) -> int | None:
        """Index of the first of ``names`` in the header (any case), or None."""
        lower = [h.casefold() for h in self.header]
        for name in names:
            key = name.casefold()
            if key in lower:
                return lower.index(key)
        return None

    def chunks(
        self, index: Mapping[str, int], chunk: int
    ) -> Iterator[tuple[dict[str, Strs], Ints, Ints]]:
        """Yield ``(raw columns, line of each row, number of fields of each row)``.

        A row with the wrong number of fields gets empty values; the caller
        reports it from the field counts.  Blank lines are skipped.
        """
        reader = self.reader
        width = len(self.header)
        keys = list(index)
        getter = operator.itemgetter(*[index[k] for k in keys]) if keys else None
        while True:
            start = reader.line_num
            try:
                rows = list(itertools.islice(reader, chunk))
            except csv.Error as e:
                raise self.fatal(f"unreadable CSV: {e}", reader.line_num) from None
            except UnicodeDecodeError:
                raise self.fatal(
                    f"not {self.encoding} text (pass encoding=...)", reader.line_num + 1
                ) from None
            if not rows:
                self._check_end()
                return
            self.last_row = rows[-1]
            lens = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
            if reader.line_num - start == len(rows):
                where = start + 1 + np.arange(len(rows), dtype=np.int64)
            else:  # quoted fields with line breaks in this chunk
                spans = np.array([1 + sum(f.count("\n") for f in r) for r in rows], dtype=np.int64)
                where = start + 1 + np.cumsum(spans) - spans
            blank = lens == 0
            if blank.any():
                rows = [r for r, b in zip(rows, blank.tolist(), strict=True) if not b]
                lens, where = lens[~blank], where[~blank]
                if not rows:
                    continue
            wrong = lens != width
            if wrong.any():
                filler = [""] * width
                rows = [filler if w else r for r, w in zip(rows, wrong.tolist(), strict=True)]
            raw: dict[str, Strs] = {}
            if getter is not None:
                picked = list(map(getter, rows))
                if len(keys) == 1:
                    columns: list[Sequence[str]] = [[x for (x,) in zip(picked, strict=True)]]
                else:
                    columns = list(zip(*picked, strict=True))
                del picked
                raw = {k: _parse.as_str_array(c) for k, c in zip(keys, columns, strict=True)}
                del columns
            del rows
            yield raw, where, lens

    def _check_end(self) -> None:
        """Refuse a file that ends inside a quoted field."""
        row = self.last_row
        if not row:
            return
        opened = '"' + row[-1].replace('"', '""')
        if not ends_inside_quotes(self.path, self.encoding, self.delimiter, row[-1], self.fh):
            return
        breaks = _BREAK.findall(opened)
        line = self.reader.line_num - len(breaks) + (1 if _BREAK.search(opened[-1:]) else 0)
        raise self.fatal(
            "the file ends inside a quoted field (a quote opened here never closes)", line
        )


def ends_inside_quotes(
    path: str, encoding: str, delimiter: str, last: str, fh: IO[str] | None = None
) -> bool:
    """Whether a CSV file whose last parsed field is ``last`` ends inside its quotes.

    The csv module (and pyarrow) then return the rest of the file as that
    field, so the file ends with ``'"' + last.replace('"', '""')`` right
    after a delimiter or a line break; a closed field never does.
    """
    opened = '"' + last.replace('"', '""')
    try:
        name = codecs.lookup(encoding).name
    except LookupError:  # pragma: no cover - the file was opened with it
        return False
    if name in _BYTEWISE:
        raw = opened.encode("utf-8" if name.startswith("utf-8") else name)
        with open(path, "rb") as bfh:
            bfh.seek(0, 2)
            size = bfh.tell()
            if size < len(raw) + 1:
                return False
            bfh.seek(size - len(raw) - 1)
            tail = bfh.read()
        ends = tail[1:] == raw
        before = tail[:1].decode("latin-1")
    elif fh is not None:  # a wide encoding: compare the text
        fh.seek(0)
        text = fh.read()
        ends = text.endswith(opened) and len(text) > len(opened)
        before = text[len(text) - len(opened) - 1] if ends else ""
    else:  # pragma: no cover - only the streaming reader reads wide encodings
        return False
    return ends and before in (delimiter, "\n", "\r")
