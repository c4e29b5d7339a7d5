"""Assembling series from stored chunks, and the CSV tables of a register (private)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np

from itil_ci._internal import arrays
from itil_ci._internal import paths as _paths
from itil_ci.domain.baseline import Baseline
from itil_ci.domain.initiative import Initiative
from itil_ci.domain.kpi import KPI
from itil_ci.domain.opportunity import Opportunity
from itil_ci.domain.series import Series
from itil_ci.errors import DecodeError, ImportRowError, InvalidInputError
from itil_ci.io.codec import from_json, to_json
from itil_ci.register import _dims
from itil_ci.register._common import group_order
from itil_ci.register.records import RecordedSeries, RegisterExport
from itil_ci.register.store import Store, Times, Values

_EMPTY_T: Times = np.empty(0, dtype=np.int64)
_EMPTY_X: Values = np.empty(0, dtype=np.float64)


def _group_codes(chunks: list[tuple[str | None, str, Times, Values]]) -> Any:
    """Per observation, the rank of its chunk's (source, dims) group (None if one group)."""
    groups = [(c[0], c[1]) for c in chunks]
    if len(set(groups)) < 2:
        return None
    ordered = sorted(set(groups), key=lambda g: group_order(("", g[0], g[1])))
    rank = {g: i for i, g in enumerate(ordered)}
    return np.repeat(
        np.array([rank[g] for g in groups], dtype=np.int64),
        np.array([c[2].size for c in chunks], dtype=np.int64),
    )


def assemble(
    chunks: list[tuple[str | None, str, Times, Values]], lo: int | None, hi: int | None
) -> tuple[Times, Values]:
    """Concatenate chunks and keep ``lo <= t < hi``.

    Observations of several (source, dims) groups are ordered by (time, group,
    insertion); those of one group stay in insertion order (chunks are each in
    time order), for :class:`~itil_ci.domain.Series` to order by time stably.
    """
    if not chunks:
        return _EMPTY_T, _EMPTY_X
    t = np.concatenate([c[2] for c in chunks]) if len(chunks) > 1 else chunks[0][2]
    x = np.concatenate([c[3] for c in chunks]) if len(chunks) > 1 else chunks[0][3]
    codes = _group_codes(chunks)
    if lo is not None or hi is not None:
        keep = np.ones(t.size, dtype=bool)
        if lo is not None:
            keep &= t >= lo
        if hi is not None:
            keep &= t < hi
        if not keep.all():
            t, x = t[keep], x[keep]
            codes = None if codes is None else codes[keep]
    if codes is not None:
        order = np.lexsort((codes, t))
        t, x = t[order], x[order]
    # One group: left in insertion order, which Series turns into time order with a stable
    # sort (when it is not already in order), so equal times keep their recording order.
    return t, x


def recorded(store: Store) -> list[RecordedSeries]:
    """Every (KPI key, source, dims) series of a register's store, in canonical order."""
    out = []
    for key, source, dims in store.series_keys():
        t, x = assemble(store.fetch(key, None, None, [source], [dims]), None, None)
        s = Series(t.view("datetime64[ns]"), x, kpi_key=key, allow_missing=bool(np.isnan(x).any()))
        out.append(RecordedSeries(s, source, _dims.parse(dims)))
    return out


# --- CSV ----------------------------------------------------------------------------

_ENTITY_COLUMNS = {
    "opportunities": ("id", "version", "status", "service", "source", "updated_at"),
    "initiatives": ("id", "version", "step", "model", "remeasure_on", "updated_at"),
}
_FILES = ("opportunities", "initiatives", "kpis", "baselines", "observations")
_OBS_HEADER = ["kpi_key", "source", "time", "value", "dims"]
_OBS_HEADER_V1 = _OBS_HEADER[:4]  # written before observations had dimensions


#: First characters that make a spreadsheet read a cell as a formula (OWASP, "CSV
#: Injection"), and the quote that neutralises them (so a cell starting with it is quoted too).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_QUOTE = "'"


def neutralise(text: str) -> str:
    """``text`` made inert for a spreadsheet: a leading formula character gets a ``'`` before it.

    A text that already starts with ``'`` gets one too, so :func:`restore`
    (which takes exactly one leading ``'`` away) gives back every text exactly.

    Examples:
        >>> neutralise("=1+1"), neutralise("email"), neutralise("'quoted")
        ("'=1+1", 'email', "''quoted")
    """
    if text.startswith(_FORMULA_START) or text.startswith(_QUOTE):
        return _QUOTE + text
    return text


def restore(text: str) -> str:
    """The text :func:`neutralise` was given (one leading ``'`` taken away).

    Examples:
        >>> restore("'=1+1"), restore("''quoted"), restore("email")
        ('=1+1', "'quoted", 'email')
    """
    return text[1:] if text.startswith(_QUOTE) else text


def _cell(value: object) -> str:
    if value is None:
        return ""
    return neutralise(str(getattr(value, "value", value)))


def write_csv(doc: RegisterExport, directory: Path) -> list[Path]:
    """Write the CSV tables of ``doc`` into ``directory`` (created if missing).

    A path that is not a directory raises InvalidInputError; what the system
    refuses (permissions, a read-only or full disk) raises StorageError.
    """
    if directory.exists() and not directory.is_dir():
        raise InvalidInputError(
            f"directory: expected a directory to write the CSV tables into, got "
            f"{str(directory)!r}, which is not a directory"
        )
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _paths.os_error(exc, "create the directory", directory) from None
    try:
        return _write_tables(doc, directory)
    except OSError as exc:
        raise _paths.os_error(
            exc, "write the CSV tables", getattr(exc, "filename", None) or directory
        ) from None


def _write_tables(doc: RegisterExport, directory: Path) -> list[Path]:
    paths = [directory / f"{name}.csv" for name in _FILES]
    entity_rows: dict[str, Sequence[Opportunity | Initiative]] = {
        "opportunities": doc.opportunities,
        "initiatives": doc.initiatives,
    }
    for name, entries in entity_rows.items():
        cols = _ENTITY_COLUMNS[name]
        with (directory / f"{name}.csv").open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow([*cols, "document"])
            w.writerows([*(_cell(getattr(e, c)) for c in cols), _cell(to_json(e))] for e in entries)
    with (directory / "kpis.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["key", "document"])
        w.writerows([_cell(k.key), _cell(to_json(k))] for k in doc.kpis)
    with (directory / "baselines.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["kpi_key", "document"])
        w.writerows([_cell(b.kpi_key), _cell(to_json(b))] for b in doc.baselines)
    with (directory / "observations.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(_OBS_HEADER)
        for rs in doc.series:
            s = rs.series
            times = np.char.add(np.datetime_as_string(s.times, unit="ns"), "Z")
            values = s.values.astype(str)
            values[np.isnan(s.values)] = ""
            dims = _dims.canonical(rs.dims) if rs.dims else ""
            # times and values are written by numpy as ISO times and numbers, never formulas;
            # the texts (one per series) are neutralised
            w.writerows(
                zip(
                    repeat(_cell(s.kpi_key)),
                    repeat(_cell(rs.source or "")),
                    times.tolist(),
                    values.tolist(),
                    repeat(_cell(dims)),
                    strict=False,
                )
            )
    return paths


def _rows(path: Path, header: list[str], *older: list[str]) -> list[list[str]]:
    if not path.is_file():
        raise ImportRowError(str(path), "the file is missing (expected a table of export_csv)")
    try:
        with path.open(newline="", encoding="utf-8") as f:
            # strict: a quote that never closes is an error, not the rest of the file in a cell
            rows = list(csv.reader(f, strict=True))
    except OSError as exc:
        raise _paths.os_error(exc, "read the CSV table", path) from None
    except UnicodeDecodeError as exc:
        raise ImportRowError(str(path), f"the file is not UTF-8 text ({exc.reason})") from None
    except csv.Error as exc:
        raise ImportRowError(str(path), f"the file is not valid CSV ({exc})") from None
    if rows and any(rows[0] == h for h in older):
        header = rows[0]
    if not rows or rows[0][: len(header)] != header:
        got = rows[0] if rows else []
        raise ImportRowError(str(path), f"expected the header {header}, got {got}", line=1)
    for i, row in enumerate(rows[1:], start=2):
        if len(row) != len(rows[0]):
            raise ImportRowError(
                str(path), f"expected {len(rows[0])} fields, got {len(row)}", line=i
            )
    return rows[1:]


def _documents(path: Path, header: list[str], cls: type[Any]) -> list[Any]:
    out = []
    for i, row in enumerate(_rows(path, header), start=2):
        try:
            out.append(from_json(restore(row[-1]), cls))
        except DecodeError as exc:
            raise ImportRowError(str(path), str(exc), line=i, field="document") from None
    return out


def read_csv(directory: Path) -> RegisterExport:
    """Read and validate the CSV tables written by :func:`write_csv`."""
    if not directory.is_dir():
        raise InvalidInputError(
            f"directory: expected a directory of CSV tables, got {str(directory)!r}"
        )
    opps = _documents(
        directory / "opportunities.csv",
        [*_ENTITY_COLUMNS["opportunities"], "document"],
        Opportunity,
    )
    inis = _documents(
        directory / "initiatives.csv", [*_ENTITY_COLUMNS["initiatives"], "document"], Initiative
    )
    kpis = _documents(directory / "kpis.csv", ["key", "document"], KPI)
    bases = _documents(directory / "baselines.csv", ["kpi_key", "document"], Baseline)
    path = directory / "observations.csv"
    rows = _rows(path, _OBS_HEADER, _OBS_HEADER_V1)
    series: list[RecordedSeries] = []
    if rows:
        columns = [np.array(col) for col in zip(*rows, strict=True)]
        keys, sources, times, values = columns[:4]
        dims = columns[4] if len(columns) > 4 else np.full(len(rows), "")
        t, bad, expected = arrays.parse_times_at(np.char.rstrip(times, "Z"))
        if bad is not None:
            raise ImportRowError(
                str(path),
                f"expected {expected} (UTC), got {times[bad]!r}",
                line=bad + 2,
                field="time",
            )
        missing = values == ""
        try:
            x = np.where(missing, "nan", values).astype(np.float64)
        except ValueError:
            bad = _first_bad(values, lambda s: float(s or "nan"))
            raise ImportRowError(
                str(path), f"expected a number, got {values[bad]!r}", line=bad + 2, field="value"
            ) from None
        pair = np.char.add(np.char.add(np.char.add(keys, "\x00"), sources), "\x00")
        pair = np.char.add(pair, dims)
        uniq, first, inverse = np.unique(pair, return_index=True, return_inverse=True)
        order = np.argsort(inverse, kind="stable")
        bounds = np.searchsorted(inverse[order], np.arange(uniq.size + 1))
        groups = []
        for g in range(uniq.size):
            idx = order[bounds[g] : bounds[g + 1]]
            key, src = restore(str(keys[first[g]])), restore(str(sources[first[g]]))
            cell = restore(str(dims[first[g]]))
            try:
                s = Series(t[idx], x[idx], kpi_key=key, allow_missing=bool(np.isnan(x[idx]).any()))
                KPI(key)
                combination = _dims.parse(cell) if cell else {}
            except InvalidInputError as exc:
                field = "dims" if str(exc).startswith("dims") else None
                raise ImportRowError(
                    str(path), str(exc), line=int(idx[0]) + 2, field=field
                ) from None
            groups.append(RecordedSeries(s, src or None, combination))
        series = sorted(
            groups,
            key=lambda rs: group_order((rs.series.kpi_key, rs.source, _dims.canonical(rs.dims))),
        )
    return RegisterExport(tuple(opps), tuple(inis), tuple(kpis), tuple(bases), tuple(series))


def _first_bad(items: Any, parse: Any) -> int:
    for i, item in enumerate(items.tolist()):
        try:
            parse(item)
        except ValueError:
            return i
    return 0  # pragma: no cover - called only after a failed vectorised parse
