"""Reading a Parquet dataset of tickets, or of their state history, as a dask DataFrame (private).

The dataset is one Parquet file, or a directory of them, plain or laid out
hive-style (``month=2025-01/part-0.parquet``, possibly nested:
``month=2025-01/service=email/...``).  Each leaf directory of a hive layout
becomes one partition, whatever number of files it holds, so a layout by
month keeps every month's tickets together: a KPI per month (or per day) then
finishes each cell inside one partition and nothing is shuffled.  A plain
directory gives one partition per file.

Only the columns a computation uses are read (Dask passes its column
projection down to :class:`_Reader`).  A column that has no type in any file
(all values null, as writers store a field the source did not have) is
unknown and left out, so a KPI that needs it refuses to run, as the in-memory
functions refuse an unknown column.  Times are normalised to
``datetime64[ns, UTC]`` (times stored without a zone are wall-clock times in
``tz``).  The ticket text fields that group tickets (``service``,
``assignment_group``, ``category``, ``state``) are read dictionary-encoded
into pandas categoricals: a few distinct values over millions of rows, so
reading, holding and grouping them costs a fraction of plain strings; other
dictionary-encoded columns are decoded.  Directory keys become columns too
(``service=email`` gives a ``service`` column), except where the files
themselves hold a column of that name.

A history dataset is read the same way, with the fields of
:class:`~itil_ci.io.History` (``state`` and ``assignment_group`` as
categoricals).  What the files say about their layout is remembered
(:mod:`itil_ci.scale._layout`): a tickets dataset written by
``Tickets.to_parquet(path, partition_by="month")`` has one directory per
month of ``opened``; a history written by ``History.to_parquet(path,
partition_by="month", tickets=...)`` has each ticket's events in the
directory of the month its ticket was opened in.  Pairing the two
directory by directory is then exact.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from itil_ci._internal import paths
from itil_ci._internal.validate import fail
from itil_ci.scale import _layout
from itil_ci.scale._frame import INSTALL_HINT, dask

__all__ = ["read_history", "read_tickets"]

_FORMATS = ("parquet",)


@attrs.frozen
class _Unit:
    """One partition: its files and the values of the directory keys above them."""

    files: tuple[str, ...]
    keys: tuple[tuple[str, Any], ...]


_TICKETS_MARK = b"itil_ci.tickets"  # schema metadata of Tickets.to_parquet
_HISTORY_MARK = b"itil_ci.history"  # schema metadata of History.to_parquet


def _ticket_keys() -> tuple[str, ...]:
    from itil_ci.io.tickets import TEXT_FIELDS

    return tuple(f for f in TEXT_FIELDS if f != "id")


@attrs.frozen
class _Reader:
    """Reads one partition (called by Dask on the workers; ``columns`` projects)."""

    filesystem: Any
    schema: Any  # the files' unified pyarrow schema, grouping text fields as dictionaries
    hive: Any  # the directory keys' pyarrow schema
    mapping: Mapping[str, str]  # source column -> output column
    tz: str
    coded: tuple[str, ...]  # output columns read as categoricals (text that groups rows)

    def __call__(self, unit: _Unit, columns: Sequence[str] | None = None) -> Any:
        import pyarrow as pa
        import pyarrow.dataset as ds

        back = {out: src for src, out in self.mapping.items()}
        wanted = list(self.output_names()) if columns is None else list(columns)
        in_files = [back.get(c, c) for c in wanted if back.get(c, c) in self.schema.names]
        coded = [f.name for f in self.schema if pa.types.is_dictionary(f.type)]
        options = ds.ParquetReadOptions(dictionary_columns=coded)
        table = ds.dataset(
            list(unit.files),
            schema=self.schema,
            format=ds.ParquetFileFormat(read_options=options),
            filesystem=self.filesystem,
        ).to_table(columns=in_files)
        cols = {self.mapping.get(name, name): table.column(name) for name in in_files}
        for name, value in unit.keys:
            out = self.mapping.get(name, name)
            if out in wanted and out not in cols:
                cols[out] = _constant(
                    value, self.hive.field(name).type, table.num_rows, out in self.coded
                )
        result = pa.table(
            {name: _normal(cols[name], self.tz, name in self.coded) for name in wanted}
        )
        return result.to_pandas()

    def output_names(self) -> list[str]:
        names = [self.mapping.get(n, n) for n in self.schema.names]
        names += [self.mapping.get(n, n) for n in self.hive.names]
        out: list[str] = []
        for n in names:
            if n not in out:
                out.append(n)
        return out

    def meta(self) -> Any:
        import pyarrow as pa
        from dask.dataframe.utils import clear_known_categories

        fields = {self.mapping.get(f.name, f.name): f.type for f in self.schema}
        for f in self.hive:
            out = self.mapping.get(f.name, f.name)
            fields.setdefault(out, _coded(f.type) if out in self.coded else f.type)
        empty = {name: pa.chunked_array([], type=t) for name, t in fields.items()}
        table = pa.table(
            {n: _normal(empty[n], self.tz, n in self.coded) for n in self.output_names()}
        )
        return clear_known_categories(table.to_pandas())  # type: ignore[no-untyped-call]


def _coded(kind: Any) -> Any:
    """Text as a dictionary (int32 codes); other types unchanged."""
    import pyarrow as pa

    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return pa.dictionary(pa.int32(), kind)
    return kind


def _constant(value: Any, kind: Any, n: int, coded: bool) -> Any:
    """A directory key's value repeated ``n`` times (dictionary-encoded for grouping text)."""
    import numpy as np
    import pyarrow as pa

    if coded and pa.types.is_dictionary(_coded(kind)):
        values = pa.array([value], type=kind)
        return pa.chunked_array(
            [pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, np.int32)), values)]
        )
    return pa.chunked_array([pa.repeat(pa.scalar(value, type=kind), n)])


def _normal(column: Any, tz: str, coded: bool) -> Any:
    """Times as ns in UTC (zone-less: wall-clock in ``tz``); dictionaries decoded but for keys."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = column.type
    if pa.types.is_dictionary(kind) and not (coded and _coded(kind.value_type) != kind.value_type):
        column = column.cast(kind.value_type)
        kind = column.type
    if pa.types.is_timestamp(kind):
        if kind.tz is None and tz != "UTC":
            column = pc.assume_timezone(column, tz)
        column = column.cast(pa.timestamp("ns", tz="UTC"))
    return column


def _check_tz(tz: str) -> None:
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        pc.assume_timezone(pa.array([0], type=pa.timestamp("s")), tz)
    except pa.ArrowException:
        raise fail("tz", "a time zone name such as 'UTC', '+02:00' or 'Europe/Paris'", tz) from None


def _mapping(mapping: object, kind: str, fields: Sequence[str]) -> dict[str, str]:
    if mapping is None:
        return {}
    if not isinstance(mapping, Mapping):
        raise fail("mapping", f"a mapping of source column to {kind} field", mapping)
    out: dict[str, str] = {}
    for src, field in mapping.items():
        if not isinstance(src, str) or not isinstance(field, str) or field not in fields:
            raise fail(f"mapping[{src!r}]", "one of " + ", ".join(fields), field)
        out[src] = field
    if len(set(out.values())) != len(out):
        raise fail("mapping", f"source columns mapped to distinct {kind} fields", mapping)
    return out


def _units(dataset: Any) -> list[_Unit]:
    """One unit per leaf directory of a hive layout, else one per file (sorted)."""
    import pyarrow.dataset as ds

    grouped: dict[tuple[tuple[str, Any], ...], list[str]] = {}
    plain: list[str] = []
    for fragment in dataset.get_fragments():
        keys = ds.get_partition_keys(fragment.partition_expression)
        if keys:
            grouped.setdefault(tuple(sorted(keys.items(), key=str)), []).append(fragment.path)
        else:
            plain.append(fragment.path)
    units = [_Unit((path,), ()) for path in sorted(plain)]
    for key in sorted(grouped, key=str):
        units.append(_Unit(tuple(sorted(grouped[key])), key))
    return units


def read_tickets(
    path: str | os.PathLike[str],
    format: str = "parquet",
    mapping: Mapping[str, str] | None = None,
    *,
    tz: str = "UTC",
) -> Any:
    """A Parquet dataset of ticket columns as a dask DataFrame, one partition per directory.

    ``path`` is a Parquet file or a directory of them (a local path or a
    URI pyarrow understands, such as ``s3://bucket/tickets``), plain or
    hive-partitioned: with ``month=2025-01/`` directories (the layout of
    ``Tickets.to_parquet(path, partition_by="month")``) each month is one
    partition, so the KPIs per month finish every cell inside a partition
    without a shuffle.  Columns named like :class:`~itil_ci.io.Tickets`
    fields are used as they are; ``mapping`` renames others
    (``{"sys_created_on": "opened"}``).  Times come back as
    ``datetime64[ns, UTC]``; times stored without a zone are wall-clock
    times in ``tz`` (``"UTC"``, an offset like ``"+02:00"`` or an IANA
    name).  The grouping text fields (``service``, ``assignment_group``,
    ``category``, ``state``) come back as pandas categoricals.  Directory
    keys become columns (``service=email/`` gives a ``service`` column).  A
    column without any value in any file is unknown and left out (a KPI
    needing it refuses to run).  Nothing is read but the file footers until
    a KPI runs, and then only the columns it needs.  A dataset written by
    ``Tickets.to_parquet(path, partition_by="month")`` (its files say so) is
    known to hold in each directory the tickets opened in that month: the
    KPIs then pair it month by month with the pauses of a history written by
    ``History.to_parquet(path, partition_by="month", tickets=...)``.

    Examples:
        >>> import tempfile
        >>> import pandas as pd
        >>> from itil_ci import scale
        >>> root = tempfile.mkdtemp()
        >>> for month, day in (("2025-01", "2025-01-05"), ("2025-02", "2025-02-03")):
        ...     path = f"{root}/month={month}"
        ...     os.makedirs(path)
        ...     pd.DataFrame({"opened": pd.to_datetime([day, day], utc=True),
        ...                   "resolved": pd.to_datetime([day, None], utc=True),
        ...                   "priority": [2, 3]}).to_parquet(f"{path}/part-0.parquet")
        >>> tickets = scale.read_tickets(root)
        >>> tickets.npartitions, list(tickets.columns)
        (2, ['opened', 'resolved', 'priority', 'month'])
        >>> str(tickets.dtypes["opened"])
        'datetime64[ns, UTC]'
    """
    from itil_ci.io.tickets import Tickets

    if not isinstance(format, str) or format not in _FORMATS:
        raise fail("format", "one of " + ", ".join(map(repr, _FORMATS)), format)
    renames = _mapping(mapping, "Tickets", Tickets.FIELDS)
    frame, units, marks = _open(path, renames, tz, _ticket_keys(), "read-tickets")
    by_month = _TICKETS_MARK in marks and _monthly(units) and not renames
    layout = _layout.Layout(
        keys=tuple(u.keys for u in units),
        by_ticket=True,  # a row is a ticket
        by_opened_month=by_month,
    )
    return _layout.remember(frame, layout)


def _monthly(units: Sequence[_Unit]) -> bool:
    """Every partition is one ``month=YYYY-MM`` directory, each month once."""
    months = [u.keys[0][1] for u in units if len(u.keys) == 1 and u.keys[0][0] == "month"]
    return len(months) == len(units) and len(set(months)) == len(months)


def _open(
    path: object, renames: dict[str, str], tz: object, coded: tuple[str, ...], label: str
) -> tuple[Any, list[_Unit], dict[bytes, bytes]]:
    """The dataset at ``path`` as a dask DataFrame, its partitions, and its first file's marks."""
    dd = dask()
    if not isinstance(tz, str):
        raise fail("tz", "a time zone name such as 'UTC', '+02:00' or 'Europe/Paris'", tz)
    try:
        import pyarrow as pa
        import pyarrow.dataset as ds
    except ImportError as err:  # pragma: no cover - pyarrow comes with dask[dataframe]
        raise ImportError(f"itil_ci.scale needs pyarrow to read Parquet: {INSTALL_HINT}") from err
    if not isinstance(path, str | os.PathLike):
        raise fail("path", "a path or URI of a Parquet file or directory", path)
    paths.check("path", path)  # no NUL, no lone surrogate; a URI is passed on as given
    try:
        dataset = ds.dataset(os.fspath(path), format="parquet", partitioning="hive")
        units = _units(dataset)
        if not units:
            raise fail("path", "a Parquet dataset with at least one file", os.fspath(path))
        schemas = [f.physical_schema for f in dataset.get_fragments()]
        schema = pa.unify_schemas(schemas)
    except (OSError, pa.ArrowException) as err:
        raise fail("path", "a readable Parquet file or directory", f"{path} ({err})") from None
    marks = dict(schemas[0].metadata or {})
    hive = pa.schema([f for f in dataset.schema if f.name not in schema.names])
    present = [*schema.names, *hive.names]
    for src, field in renames.items():
        if src not in present:
            raise fail(f"mapping[{src!r}]", f"a column of the dataset ({', '.join(present)})", src)
        if field in present and field not in renames:
            raise fail(f"mapping[{src!r}]", "a field the dataset does not hold already", field)
    _check_tz(tz)
    schema = pa.schema(  # a column without a type in any file (all null) is unknown: left out
        [
            f.with_type(_coded(f.type)) if renames.get(f.name, f.name) in coded else f
            for f in schema
            if not pa.types.is_null(f.type)
        ]
    )
    reader = _Reader(dataset.filesystem, schema, hive, renames, tz, coded)
    meta = reader.meta()
    frame = dd.from_map(reader, units, meta=meta, label=label, enforce_metadata=False)
    return frame, units, marks


def read_history(
    path: str | os.PathLike[str],
    mapping: Mapping[str, str] | None = None,
    *,
    tz: str = "UTC",
) -> Any:
    """A Parquet dataset of ticket state history as a dask DataFrame, one partition per directory.

    The events of :class:`~itil_ci.io.History` as columns: ``id``, ``time``
    (``datetime64[ns, UTC]``), ``state`` and, where recorded,
    ``assignment_group`` (both categoricals); ``mapping`` renames source
    columns to these fields and ``tz`` is the zone of times stored without
    one, as in :func:`read_tickets`.  A ``_row`` column (written by
    :meth:`History.to_parquet <itil_ci.io.History.to_parquet>`) keeps the
    history order of events across files.

    Pauses and time in state need each ticket's events in one partition.
    ``History.to_parquet(path, partition_by="month", tickets=tickets)``
    writes them so, in the month directory of the ticket's ``opened`` time:
    the same directories as ``Tickets.to_parquet(path, partition_by="month")``,
    so that a KPI pairs each month of tickets with the same month of history
    and moves nothing.  Any other layout works too: the events are then
    shuffled on the ticket id first.

    Examples:
        >>> import tempfile
        >>> import numpy as np
        >>> from itil_ci import scale
        >>> from itil_ci.io import History, Tickets
        >>> opened = np.array(["2026-01-30T09:00", "2026-02-02T09:00"], dtype="M8[ns]")
        >>> tickets = Tickets(id=["INC1", "INC2"], opened=opened)
        >>> history = History(id=["INC1", "INC1", "INC2"],
        ...                   time=np.array(["2026-01-30T09:00", "2026-02-03T10:00",
        ...                                  "2026-02-02T09:00"], dtype="M8[ns]"),
        ...                   state=["New", "Resolved", "New"])
        >>> root = tempfile.mkdtemp()
        >>> history.to_parquet(f"{root}/history", partition_by="month", tickets=tickets)
        >>> h = scale.read_history(f"{root}/history")
        >>> h.npartitions, list(h.columns)  # INC1's February event is in January's directory
        (2, ['id', 'time', 'state', '_row', 'month'])
    """
    from itil_ci.io.history import History

    renames = _mapping(mapping, "History", History.FIELDS)
    frame, units, marks = _open(path, renames, tz, ("state", "assignment_group"), "read-history")
    written = _written_by(marks)
    monthly = _monthly(units)
    layout = _layout.Layout(
        keys=tuple(u.keys for u in units),
        by_ticket=len(units) == 1 or (monthly and written in ("opened", "first event")),
        by_opened_month=monthly and written == "opened" and not renames,
    )
    return _layout.remember(frame, layout)


def _written_by(marks: Mapping[bytes, bytes]) -> str | None:
    """How History.to_parquet chose each ticket's month directory, if it wrote the files."""
    raw = marks.get(_HISTORY_MARK)
    if raw is None:
        return None
    try:
        month_of = json.loads(raw.decode("utf-8")).get("month_of")
    except (ValueError, AttributeError):
        return None
    return month_of if isinstance(month_of, str) else None
