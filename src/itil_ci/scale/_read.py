"""Reading a Parquet dataset of tickets as a dask DataFrame (private).

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
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from itil_ci._internal.validate import fail
from itil_ci.scale._frame import INSTALL_HINT, dask

__all__ = ["read_tickets"]

_FORMATS = ("parquet",)


@attrs.frozen
class _Unit:
    """One partition: its files and the values of the directory keys above them."""

    files: tuple[str, ...]
    keys: tuple[tuple[str, Any], ...]


def _keys() -> tuple[str, ...]:
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
                cols[out] = _constant(value, self.hive.field(name).type, table.num_rows, out)
        result = pa.table({name: _normal(cols[name], self.tz, name) for name in wanted})
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
            fields.setdefault(out, _coded(f.type) if out in _keys() else f.type)
        empty = {name: pa.chunked_array([], type=t) for name, t in fields.items()}
        table = pa.table({n: _normal(empty[n], self.tz, n) for n in self.output_names()})
        return clear_known_categories(table.to_pandas())  # type: ignore[no-untyped-call]


def _coded(kind: Any) -> Any:
    """Text as a dictionary (int32 codes); other types unchanged."""
    import pyarrow as pa

    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return pa.dictionary(pa.int32(), kind)
    return kind


def _constant(value: Any, kind: Any, n: int, name: str) -> Any:
    """A directory key's value repeated ``n`` times (dictionary-encoded for grouping text)."""
    import numpy as np
    import pyarrow as pa

    if name in _keys() and pa.types.is_dictionary(_coded(kind)):
        values = pa.array([value], type=kind)
        return pa.chunked_array(
            [pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, np.int32)), values)]
        )
    return pa.chunked_array([pa.repeat(pa.scalar(value, type=kind), n)])


def _normal(column: Any, tz: str, name: str) -> Any:
    """Times as ns in UTC (zone-less: wall-clock in ``tz``); dictionaries decoded but for keys."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = column.type
    if pa.types.is_dictionary(kind) and not (
        name in _keys() and _coded(kind.value_type) != kind.value_type
    ):
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


def _mapping(mapping: object) -> dict[str, str]:
    from itil_ci.io.tickets import Tickets

    if mapping is None:
        return {}
    if not isinstance(mapping, Mapping):
        raise fail("mapping", "a mapping of source column to Tickets field", mapping)
    out: dict[str, str] = {}
    for src, field in mapping.items():
        if not isinstance(src, str) or not isinstance(field, str) or field not in Tickets.FIELDS:
            raise fail(f"mapping[{src!r}]", "one of " + ", ".join(Tickets.FIELDS), field)
        out[src] = field
    if len(set(out.values())) != len(out):
        raise fail("mapping", "source columns mapped to distinct Tickets fields", mapping)
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
    a KPI runs, and then only the columns it needs.

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
    dd = dask()
    if not isinstance(format, str) or format not in _FORMATS:
        raise fail("format", "one of " + ", ".join(map(repr, _FORMATS)), format)
    if not isinstance(tz, str):
        raise fail("tz", "a time zone name such as 'UTC', '+02:00' or 'Europe/Paris'", tz)
    renames = _mapping(mapping)
    try:
        import pyarrow as pa
        import pyarrow.dataset as ds
    except ImportError as err:  # pragma: no cover - pyarrow comes with dask[dataframe]
        raise ImportError(f"itil_ci.scale.read_tickets needs pyarrow: {INSTALL_HINT}") from err
    if not isinstance(path, str | os.PathLike):
        raise fail("path", "a path or URI of a Parquet file or directory", path)
    try:
        dataset = ds.dataset(os.fspath(path), format="parquet", partitioning="hive")
        units = _units(dataset)
        if not units:
            raise fail("path", "a Parquet dataset with at least one file", os.fspath(path))
        schema = pa.unify_schemas([f.physical_schema for f in dataset.get_fragments()])
    except (OSError, pa.ArrowException) as err:
        raise fail("path", "a readable Parquet file or directory", f"{path} ({err})") from None
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
            f.with_type(_coded(f.type)) if renames.get(f.name, f.name) in _keys() else f
            for f in schema
            if not pa.types.is_null(f.type)
        ]
    )
    reader = _Reader(dataset.filesystem, schema, hive, renames, tz)
    meta = reader.meta()
    return dd.from_map(reader, units, meta=meta, label="read-tickets", enforce_metadata=False)
