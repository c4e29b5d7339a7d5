"""Import tickets from any CSV export with a column mapping.

With pyarrow installed (the ``arrow`` extra) the file is parsed by
``pyarrow.csv`` and typed vectorised; anything that path cannot type (a bad
value, a row of the wrong width, a quoted field with a line break, a blank
line) sends the file to the streaming parser, which gives the same result or
the error naming the line.  Without pyarrow the streaming parser reads the
file in chunks of ``chunk_rows`` rows.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
from collections.abc import Mapping, Sequence
from typing import Literal

from itil_ci._internal import validate as v
from itil_ci.errors import ImportRowError
from itil_ci.io import _build, _csvread, _fastcsv
from itil_ci.io import _result as r
from itil_ci.io._result import ImportResult, OnError
from itil_ci.io.tickets import Tickets

__all__ = ["read_csv"]

Engine = Literal["auto", "pyarrow", "python"]


def suggestion(fields: Sequence[str], header: Sequence[str], taken: set[str]) -> str:
    """How to map columns to ``fields``, in Python and on the command line.

    Each field is paired with the most similar column not used yet.

    Examples:
        >>> print(suggestion(["id", "opened"], ["Number", "Opened at"], set()))
        mapping={'Number': 'id', 'Opened at': 'opened'} in Python, --map Number=id
        --map 'Opened at'=opened on the command line
    """
    free = [h for h in header if h not in taken]
    pairs: list[tuple[str, str]] = []
    for field in fields:
        close = difflib.get_close_matches(field, free, n=1, cutoff=0.3)
        col = close[0] if close else (free[0] if free else "Column")
        if col in free:
            free.remove(col)
        pairs.append((col, field))
    python = ", ".join(f"{col!r}: {field!r}" for col, field in pairs)
    shell = " ".join(
        f"--map {chr(39) + col + chr(39) if any(c.isspace() for c in col) else col}={field}"
        for col, field in pairs
    )
    return f"mapping={{{python}}} in Python, {shell} on the command line"


def resolve(
    path: str, header: Sequence[str], mapping: Mapping[str, str]
) -> tuple[dict[str, int], dict[str, str]]:
    """Field -> column index and field -> column name, from a mapping and the header."""
    lower = [h.casefold() for h in header]
    index: dict[str, int] = {}
    source: dict[str, str] = {}
    for col, field in mapping.items():
        key = col.strip().casefold()
        if key not in lower:
            raise ImportRowError(
                path,
                f"mapping names column {col!r}, which is not in the header "
                f"(columns: {', '.join(header)})",
                line=1,
                field=col,
            )
        i = lower.index(key)
        index[field] = i
        source[field] = header[i]
    mapped = {lower[i] for i in index.values()}
    for i, name in enumerate(lower):
        if name in Tickets.FIELDS and name not in index and name not in mapped:
            index[name] = i
            source[name] = header[i]
    missing = [f for f in Tickets.REQUIRED if f not in index]
    if missing:
        taken = set(source.values())
        raise ImportRowError(
            path,
            "missing required column(s) for "
            + ", ".join(repr(m) for m in missing)
            + f" (columns: {', '.join(header)}); map them with "
            + suggestion(missing, header, taken),
            line=1,
        )
    return index, source


def read_csv(
    path: str | os.PathLike[str],
    mapping: Mapping[str, str] | None = None,
    *,
    on_error: OnError = "raise",
    tz: str | dt.tzinfo = "UTC",
    date_format: str | None = None,
    na_values: Sequence[str] | None = None,
    sla_targets: Mapping[int, float] | None = None,
    delimiter: str = ",",
    encoding: str = "utf-8-sig",
    chunk_rows: int = 65_536,
    engine: Engine = "auto",
) -> ImportResult:
    """Import tickets from a CSV file with a header line.

    ``mapping`` maps CSV column names to :class:`~itil_ci.io.Tickets` field
    names (``{"Number": "id", "Opened": "opened"}``); a column already named
    like a field needs no entry, other columns are ignored, and names match in
    any case.  ``id`` and ``opened`` are required; an optional field without a
    column is unknown (``result.tickets.unknown`` lists them), never empty or
    false.  A file with one row per update of a ticket (an id repeated, with
    an ``update_count`` or ``updated`` column) is an event log: each ticket
    gets the values of its latest row, and ``result.history`` holds every row.

    Values:

    - times are ISO 8601 (``YYYY-MM-DD[ HH[:MM[:SS[.fff]]]]`` with ``T`` or a
      space, optionally followed by ``Z`` or an offset), or in the
      strptime-style ``date_format`` (``"%d-%m-%Y %H:%M"``); times without an
      offset are wall-clock times in ``tz``;
    - priorities are ``2``, ``P2``, ``2 - High`` or a name (critical, high,
      moderate/medium, low, planning);
    - ``first_contact`` and ``sla_met`` accept true/false, yes/no, 1/0
      (an empty ``first_contact`` is false; an empty ``sla_met`` is an
      error); counts are whole numbers (empty is 0);
    - a value in ``na_values`` (e.g. ``["?", "NULL"]``, compared after
      stripping blanks) is empty in every column.

    ``sla_targets`` (priority -> hours) fills ``sla_target_hours`` when the
    file has no such column.  ``engine="python"`` skips the pyarrow fast path.
    Fields longer than the :mod:`csv` module's ``field_size_limit()`` (128 KiB
    by default) stop the streaming parser with an error naming the line.

    Examples:
        >>> import pathlib, tempfile
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = p.write_text("Number,Opened,priority\\nINC1,31-01-2024 09:00,2\\n")
        >>> r = read_csv(p, {"Number": "id", "Opened": "opened"}, date_format="%d-%m-%Y %H:%M")
        >>> r.tickets.id.tolist(), str(r.tickets.opened[0]), "resolved" in r.tickets.unknown
        (['INC1'], '2024-01-31T09:00:00.000000000', True)
    """
    p = r.path_arg(path)
    mode = r.on_error_arg(on_error)
    times = r.times_arg(tz, date_format)
    na = r.na_arg(na_values)
    sla = r.sla_arg(sla_targets)
    chunk = r.positive_arg("chunk_rows", chunk_rows)
    if engine not in ("auto", "pyarrow", "python"):
        raise v.fail("engine", "'auto', 'pyarrow' or 'python'", engine)
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in '"\r\n':
        raise v.fail("delimiter", "a single character (not a quote or line break)", delimiter)
    maps = r.mapping_arg(mapping, "CSV column")
    params = {
        "mapping": maps,
        "on_error": mode,
        "tz": times.tz,
        "date_format": date_format,
        "na_values": list(na),
        "sla_targets": sla,
        "delimiter": delimiter,
    }
    shape = r.sniff(p, encoding)
    if shape.kind in ("json", "html", "binary"):
        raise ImportRowError(
            p,
            f"the file looks like {shape.kind.upper()} ({shape.looks}), not CSV; read "
            "ServiceNow's REST export with read_servicenow and a Jira search with read_jira",
            line=1,
        )
    with r.open_text(p, encoding) as fh:
        reader = _csvread.Reader(p, fh, delimiter, encoding)
        index, source = resolve(p, reader.header, maps)
        notes = []
        if sla is not None and "sla_target_hours" not in index:
            notes.append("sla_target_hours: from sla_targets by priority")
        coll = _build.Collector(p, on_error=mode, locate="line", source_names=source)
        known = list(index)
        if sla is not None and "priority" in index and "sla_target_hours" not in index:
            known.append("sla_target_hours")
        if engine != "python":
            fast = _fastcsv.read(
                p,
                header=reader.header,
                columns={f: source[f] for f in index},
                times=times,
                na_values=na,
                delimiter=delimiter,
                encoding=encoding,
                required=engine == "pyarrow",
            )
            if fast is not None:
                cols, problems = _build.convert(
                    fast.raw, fast.rows, times=times, na_values=na, lazy=True
                )
                cols.update(fast.typed)
                _build.with_sla(cols, sla, "sla_target_hours" in index)
                # None: the streaming parser says where the problem is
                built = _build.finish_if_clean(cols, problems, fast.where, coll)
                if built is not None:
                    coll.rows = fast.rows
                    return r.result(built, coll, "csv", notes, engine="pyarrow", **params)
        width = len(reader.header)
        for raw, where, lens in reader.chunks(index, chunk):
            cols, problems = _build.convert(raw, where.size, times=times, na_values=na)
            wrong = lens != width
            if wrong.any():
                raw["_row"] = lens.astype(str)
                problems.insert(0, ("_row", wrong, f"{width} fields like the header"))
            _build.with_sla(cols, sla, "sla_target_hours" in index)
            coll.add(raw, cols, problems, where)
        built = coll.finish(known)
    return r.result(built, coll, "csv", notes, engine="python", **params)
