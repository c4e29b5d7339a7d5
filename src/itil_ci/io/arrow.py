"""Tickets to and from Arrow tables and Parquet files (needs the ``arrow`` extra).

- :func:`from_arrow` reads any object with the Arrow PyCapsule stream
  interface (``__arrow_c_stream__``: a pyarrow Table or RecordBatchReader, a
  pandas >= 2.2 or polars DataFrame, a DuckDB result) with a column mapping.
- :func:`to_arrow` gives a ``pyarrow.Table`` with one column per *known*
  field (an unknown field is absent, so it reads back as unknown).
- :func:`to_parquet` / :func:`from_parquet` write and read a file, or a
  dataset partitioned by the month tickets were opened in (``month=2025-01/``
  directories, the layout Dask reads fastest).  Round trips are exact.
- :func:`history_to_parquet` / :func:`history_from_parquet` do the same for a
  :class:`~itil_ci.io.History`, each ticket's events in the month directory
  of its ticket (so a history and its tickets pair directory by directory).

pyarrow is imported when one of these functions runs, never by
``import itil_ci``.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from itil_ci._internal import paths
from itil_ci._internal import validate as v
from itil_ci._internal.arrowtext import codes_and_words, spread, unicode
from itil_ci._internal.columns import UnknownColumn
from itil_ci._internal.threads import each
from itil_ci.io import _result
from itil_ci.io.tickets import Tickets, _check_values, kind_of

if TYPE_CHECKING:
    from itil_ci.io.history import History

__all__ = [
    "from_arrow",
    "from_parquet",
    "history_from_parquet",
    "history_to_parquet",
    "to_arrow",
    "to_parquet",
]

_META_KEY = b"itil_ci.tickets"
_HISTORY_KEY = b"itil_ci.history"
_ROW = "_row"  # original position, kept in a partitioned dataset
_MONTH = "month"
_NAT = np.iinfo(np.int64).min


def _pyarrow() -> Any:
    try:
        import pyarrow as pa
    except ImportError:
        raise ImportError(
            "Arrow and Parquet support needs pyarrow: pip install 'itil-ci[arrow]'"
        ) from None
    return pa


def _field_for(columns: list[str], mapping: dict[str, str]) -> dict[str, str]:
    """Tickets field -> source column: the mapping first, then names matching a field."""
    lower = {c.lower(): c for c in reversed(columns)}
    out: dict[str, str] = {}
    for src, field in mapping.items():
        col = src if src in columns else lower.get(src.lower())
        if col is None:
            raise v.fail(
                f"mapping[{src!r}]",
                "a column of the table (" + ", ".join(columns) + ")",
                src,
            )
        out[field] = col
    for field in Tickets.FIELDS:
        if field not in out and field in lower and lower[field] not in mapping:
            out[field] = lower[field]
    return out


def _text(pa: Any, name: str, arr: Any, distinct_few: bool) -> npt.NDArray[np.str_]:
    import pyarrow.compute as pc

    if pa.types.is_dictionary(arr.type):
        arr = arr.cast(arr.type.value_type)
    typ = arr.type
    if not (pa.types.is_string(typ) or pa.types.is_large_string(typ) or _is_view(pa, typ)):
        raise v.fail(name, "a column of strings", str(typ))
    if arr.null_count:
        arr = pc.fill_null(arr, "")
    if len(arr) == 0:
        return np.empty(0, dtype="<U1")
    if distinct_few:  # groups, states: convert each distinct value once, then spread
        idx, words = codes_and_words(pa, arr)
        out: npt.NDArray[np.str_] = spread(words, idx)
        return out
    return unicode(pa, arr)


def _is_view(pa: Any, typ: Any) -> bool:
    check = getattr(pa.types, "is_string_view", None)
    return bool(check is not None and check(typ))


def _times(pa: Any, name: str, arr: Any) -> npt.NDArray[np.datetime64]:
    typ = arr.type
    if not pa.types.is_timestamp(typ):
        raise v.fail(name, "a column of timestamps", str(typ))
    if typ.tz is None:
        raise v.fail(name, "timezone-aware timestamps (timestamp with tz, e.g. 'UTC')", str(typ))
    from itil_ci._internal.columns import native

    out: npt.NDArray[np.datetime64] = native(name, arr)
    return out


def _numbers(pa: Any, name: str, arr: Any, kind: str) -> npt.NDArray[Any]:
    typ = arr.type
    if kind == "bool":
        if not pa.types.is_boolean(typ):
            raise v.fail(name, "a column of booleans", str(typ))
    elif kind == "int":
        if not pa.types.is_integer(typ):
            raise v.fail(name, "a column of integers", str(typ))
    elif not (pa.types.is_floating(typ) or pa.types.is_integer(typ)):
        raise v.fail(name, "a column of numbers", str(typ))
    if kind != "float" and arr.null_count:
        raise v.fail(name, "a value in every row (no nulls)", f"{arr.null_count} nulls")
    if kind == "float":
        arr = arr.cast(pa.float64())
        vals = arr.to_numpy() if hasattr(arr, "chunks") else arr.to_numpy(zero_copy_only=False)
        out = np.array(vals, dtype=np.float64)
        if not np.isfinite(out[~np.isnan(out)]).all():
            raise v.fail(name, "finite numbers", "an infinity")
        return out
    vals = arr.to_numpy() if hasattr(arr, "chunks") else arr.to_numpy(zero_copy_only=False)
    if kind == "bool":
        return np.array(vals, dtype=bool)
    raw = np.asarray(vals)
    if raw.dtype.kind == "u" and raw.size and raw.max() > np.iinfo(np.int64).max:
        raise v.fail(name, "integers within int64", int(raw.max()))
    return raw.astype(np.int64)


def from_arrow(obj: Any, mapping: dict[str, str] | None = None) -> Tickets:
    """Tickets from an Arrow table or anything exporting an Arrow stream.

    ``obj`` is a ``pyarrow.Table`` or any object with ``__arrow_c_stream__``
    (pandas >= 2.2 and polars DataFrames, DuckDB results, a
    RecordBatchReader).  ``mapping`` maps source column names to
    :class:`~itil_ci.io.Tickets` fields (``{"number": "id"}``); columns named
    like a field (any case) need no entry; other columns are ignored, and a
    field with no column is unknown.  Types: times are timezone-aware
    timestamps (any unit; converted to UTC nanoseconds), text columns strings
    (nulls become ``""``), counts and ``priority`` integers and flags booleans
    without nulls, ``sla_target_hours`` numbers (nulls are missing).  The
    table's rules are checked as by the :class:`~itil_ci.io.Tickets`
    constructor.

    Examples:
        >>> import pyarrow as pa
        >>> tbl = pa.table({
        ...     "Number": ["INC1", "INC2"],
        ...     "opened": pa.array([0, 3600], pa.timestamp("s", tz="UTC")),
        ...     "made_sla": [True, False],
        ... })
        >>> t = from_arrow(tbl, {"Number": "id", "made_sla": "sla_met"})
        >>> t.id.tolist(), t.sla_met.tolist(), str(t.opened[1])
        (['INC1', 'INC2'], [True, False], '1970-01-01T01:00:00.000000000')
    """
    pa = _pyarrow()
    maps = _result.mapping_arg(mapping, "column")
    if isinstance(obj, pa.Table):
        table = obj
    elif hasattr(obj, "__arrow_c_stream__") or isinstance(obj, pa.RecordBatchReader):
        try:
            table = pa.table(obj)
        except (TypeError, ValueError, pa.ArrowException) as e:
            raise v.fail(
                "obj", "an object exporting an Arrow table", f"{type(obj).__name__}: {e}"
            ) from None
    else:
        raise v.fail(
            "obj", "a pyarrow Table or an object with __arrow_c_stream__", type(obj).__name__
        )
    where = _field_for(list(table.column_names), maps)
    for req in Tickets.REQUIRED:
        if req not in where:
            raise v.fail(
                "obj",
                f"a column for the required field {req!r} (map it with mapping={{'Column': "
                f"{req!r}}})",
                list(table.column_names),
            )
    n = table.num_rows

    def convert(field: str) -> npt.NDArray[Any]:
        src = where[field]
        arr = table.column(src)
        label = f"column {src!r} (Tickets.{field})"
        kind = kind_of(field)
        out: npt.NDArray[Any]
        if kind == "time":
            out = _times(pa, label, arr)
            if field == "opened" and np.isnat(out).any():
                bad = int(np.flatnonzero(np.isnat(out))[0])
                raise v.fail(f"{label}[{bad}]", "a time (not missing)", "null")
        elif kind == "text":
            out = _text(pa, label, arr, distinct_few=field != "id")
        else:
            out = _numbers(pa, label, arr, kind)
        if out.shape != (n,):  # pragma: no cover - Arrow columns have the table's length
            raise v.fail(label, f"{n} values", out.size)
        return out

    present = [f for f in Tickets.FIELDS if f in where]
    cols: dict[str, Any] = {f: UnknownColumn(f) for f in Tickets.FIELDS if f not in where}
    cols.update(zip(present, each(convert, present, rows=n), strict=True))  # one column per core
    _check_values(cols)
    return Tickets._trusted(cols)


def to_arrow(tickets: Tickets) -> Any:
    """The known columns of ``tickets`` as a ``pyarrow.Table``.

    Times are ``timestamp[ns, tz=UTC]`` (``NaT`` is null), text ``string``,
    counts and priority ``int64``, flags ``bool``, hours ``float64`` (``NaN``
    stays ``NaN``).  The schema metadata marks the table as written by this
    library.

    Examples:
        >>> import numpy as np
        >>> from itil_ci.io import Tickets
        >>> t = Tickets(id=["a"], opened=np.zeros(1, "M8[ns]"), priority=[2])
        >>> tbl = to_arrow(t)
        >>> tbl.column_names, str(tbl.schema.field("opened").type)
        (['id', 'opened', 'priority'], 'timestamp[ns, tz=UTC]')
    """
    pa = _pyarrow()
    if not isinstance(tickets, Tickets):
        raise v.fail("tickets", "a Tickets table", tickets)
    arrays: list[Any] = []
    fields: list[Any] = []
    for name, arr in tickets.columns():
        kind = kind_of(name)
        if kind == "time":
            ints = arr.view(np.int64)
            typ = pa.timestamp("ns", tz="UTC")
            col = pa.array(ints, type=pa.int64(), mask=ints == _NAT).cast(typ)
        elif kind == "text":
            typ = pa.string()
            col = pa.array(arr, type=typ)
        elif kind == "bool":
            typ = pa.bool_()
            col = pa.array(arr, type=typ)
        elif kind == "float":
            typ = pa.float64()
            col = pa.array(arr, type=typ)
        else:
            typ = pa.int64()
            col = pa.array(arr, type=typ)
        arrays.append(col)
        fields.append(pa.field(name, typ, nullable=kind in ("time", "float")))
    schema = pa.schema(fields, metadata={_META_KEY: b"1"})
    return pa.Table.from_arrays(arrays, schema=schema)


def _read_table(path: object) -> Any:
    """The Parquet file or dataset at ``path`` as one Arrow table, or InvalidInputError."""
    import pyarrow.parquet as pq

    source = paths.check("path", path)
    if not source.exists():
        raise v.fail("path", "an existing Parquet file or dataset directory", str(source))
    try:
        return pq.read_table(source)
    except OSError as e:
        raise v.fail("path", "a readable Parquet file or dataset", f"{source} ({e})") from None
    except Exception as e:  # pyarrow raises ArrowInvalid (a ValueError) for non-Parquet data
        raise v.fail("path", "a Parquet file or dataset", f"{source} ({e})") from None


def to_parquet(
    tickets: Tickets, path: str | os.PathLike[str], *, partition_by: str | None = None
) -> None:
    """Write ``tickets`` to a Parquet file, or a dataset partitioned by month.

    ``partition_by=None`` writes one file at ``path`` (replacing it).
    ``partition_by="month"`` writes a directory of ``month=YYYY-MM``
    sub-directories by the UTC month of ``opened``; ``path`` must be new or
    an empty directory (a dataset is never mixed with an older one), and a
    ``_row`` column records each ticket's position so that
    :func:`from_parquet` reads the tickets back in their order.

    Examples:
        >>> import numpy as np, pathlib, tempfile
        >>> from itil_ci.io import Tickets
        >>> root = pathlib.Path(tempfile.mkdtemp()) / "tickets"
        >>> opened = np.array(["2025-01-31T23:00", "2025-02-01T01:00"], dtype="M8[ns]")
        >>> t = Tickets(id=["a", "b"], opened=opened)
        >>> to_parquet(t, root, partition_by="month")
        >>> sorted(p.name for p in root.iterdir())
        ['month=2025-01', 'month=2025-02']
        >>> from_parquet(root) == t
        True
    """
    pa = _pyarrow()
    import pyarrow.parquet as pq

    if not isinstance(tickets, Tickets):
        raise v.fail("tickets", "a Tickets table", tickets)
    target = paths.check("path", path)
    if partition_by not in (None, "month"):
        raise v.fail("partition_by", "None or 'month'", partition_by)
    table = to_arrow(tickets)
    try:
        if partition_by is None:
            if target.is_dir():
                raise v.fail("path", "a file path (not a directory)", str(target))
            pq.write_table(table, target)
            return
        if target.exists() and (not target.is_dir() or any(target.iterdir())):
            raise v.fail("path", "a new or empty directory for the dataset", str(target))
        table = table.append_column(_ROW, pa.array(np.arange(len(tickets), dtype=np.int64)))
        if len(tickets) == 0:  # no month to partition by: one empty file keeps the schema
            target.mkdir(parents=True, exist_ok=True)
            pq.write_table(table, target / "empty.parquet")
            return
        month = np.datetime_as_string(tickets.opened.astype("datetime64[M]"), unit="M")
        table = table.append_column(_MONTH, pa.array(month.astype(object), type=pa.string()))
        pq.write_to_dataset(table, root_path=str(target), partition_cols=[_MONTH])
    except OSError as e:
        raise v.fail("path", "a writable location", f"{target} ({e.strerror or e})") from None


def from_parquet(path: str | os.PathLike[str]) -> Tickets:
    """Read tickets from a Parquet file or a dataset written by :func:`to_parquet`.

    Columns are matched to fields by name, as :func:`from_arrow` does without
    a mapping; a month-partitioned dataset comes back in its original order.

    Examples:
        >>> import numpy as np, pathlib, tempfile
        >>> from itil_ci.io import Tickets
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.parquet"
        >>> to_parquet(Tickets(id=["a"], opened=np.zeros(1, "M8[ns]"), state=["New"]), p)
        >>> from_parquet(p).state.tolist()
        ['New']
    """
    _pyarrow()

    table = _read_table(path)
    names = list(table.column_names)
    if _ROW in names:
        order = np.argsort(np.asarray(table.column(_ROW).to_numpy()), kind="stable")
        table = table.take(order)
    keep = [c for c in table.column_names if c not in (_ROW, _MONTH)]
    return from_arrow(table.select(keep))


def _history_months(history: History, tickets: Tickets | None) -> tuple[npt.NDArray[Any], str]:
    """The ``YYYY-MM`` directory of each event, and how it was chosen.

    Each ticket's events go to one month: that of its ``opened`` time in
    ``tickets`` when given and the ticket is there, else that of its first
    event in history order.
    """
    from itil_ci._internal.strings import run_starts

    starts = run_starts(history.id)
    lengths = np.diff(np.append(starts, len(history)))
    month = history.time[starts].astype("datetime64[M]")
    chosen = "first event"
    if tickets is not None:
        chosen = "opened"
        order = np.argsort(tickets.id, kind="stable")
        known = tickets.id[order]
        pos = np.minimum(np.searchsorted(known, history.id[starts]), max(known.size - 1, 0))
        hit = (known[pos] == history.id[starts]) if known.size else np.zeros(starts.size, bool)
        month[hit] = tickets.opened[order[pos[hit]]].astype("datetime64[M]")
    return np.repeat(np.datetime_as_string(month, unit="M"), lengths), chosen


def history_to_parquet(
    history: History,
    path: str | os.PathLike[str],
    *,
    partition_by: str | None = None,
    tickets: Tickets | None = None,
) -> None:
    """Write a state history to a Parquet file, or a dataset partitioned by month.

    Columns ``id``, ``time`` (``timestamp[ns, tz=UTC]``), ``state`` and,
    when known, ``assignment_group``.  ``partition_by=None`` writes one file
    at ``path``.  ``partition_by="month"`` writes ``month=YYYY-MM``
    sub-directories (``path`` new or empty) with every ticket's events in
    one directory: the month its ticket was opened in (UTC) when
    ``tickets`` is given and holds the ticket -- the directories of
    ``Tickets.to_parquet(path, partition_by="month")``, so
    :mod:`itil_ci.scale` pairs the two month by month -- else the month of
    the ticket's first event.  A ``_row`` column keeps the history order, so
    :func:`history_from_parquet` reads the events back as they were.

    Examples:
        >>> import numpy as np, pathlib, tempfile
        >>> from itil_ci.io import History, Tickets
        >>> root = pathlib.Path(tempfile.mkdtemp()) / "history"
        >>> h = History(id=["a", "a"], time=np.array(["2025-01-31T23:00", "2025-02-01T01:00"],
        ...             dtype="M8[ns]"), state=["New", "On Hold"])
        >>> t = Tickets(id=["a"], opened=np.array(["2025-01-31T23:00"], dtype="M8[ns]"))
        >>> history_to_parquet(h, root, partition_by="month", tickets=t)
        >>> sorted(p.name for p in root.iterdir())  # both events with their ticket
        ['month=2025-01']
        >>> history_from_parquet(root) == h
        True
    """
    pa = _pyarrow()
    import pyarrow.parquet as pq

    from itil_ci.io.history import History

    if not isinstance(history, History):
        raise v.fail("history", "a History", history)
    if tickets is not None and not isinstance(tickets, Tickets):
        raise v.fail("tickets", "a Tickets table or None", tickets)
    if partition_by not in (None, "month"):
        raise v.fail("partition_by", "None or 'month'", partition_by)
    if tickets is not None and partition_by is None:
        raise v.fail("tickets", "None unless partition_by='month'", tickets)
    target = paths.check("path", path)
    ints = history.time.view(np.int64)
    arrays = [
        pa.array(history.id, type=pa.string()),
        pa.array(ints, type=pa.int64()).cast(pa.timestamp("ns", tz="UTC")),
        pa.array(history.state, type=pa.string()),
    ]
    names = ["id", "time", "state"]
    if history.assignment_group is not None:
        arrays.append(pa.array(history.assignment_group, type=pa.string()))
        names.append("assignment_group")
    arrays.append(pa.array(np.arange(len(history), dtype=np.int64)))
    names.append(_ROW)
    chosen = None
    month = None
    if partition_by == "month" and len(history):
        month, chosen = _history_months(history, tickets)
    mark = json.dumps({"month_of": chosen}).encode("utf-8")
    table = pa.Table.from_arrays(arrays, names=names).replace_schema_metadata({_HISTORY_KEY: mark})
    try:
        if partition_by is None:
            if target.is_dir():
                raise v.fail("path", "a file path (not a directory)", str(target))
            pq.write_table(table.drop_columns([_ROW]), target)
            return
        if target.exists() and (not target.is_dir() or any(target.iterdir())):
            raise v.fail("path", "a new or empty directory for the dataset", str(target))
        if month is None:  # no event, no month: one empty file keeps the schema
            target.mkdir(parents=True, exist_ok=True)
            pq.write_table(table, target / "empty.parquet")
            return
        table = table.append_column(_MONTH, pa.array(month.astype(object), type=pa.string()))
        pq.write_to_dataset(table, root_path=str(target), partition_cols=[_MONTH])
    except OSError as e:
        raise v.fail("path", "a writable location", f"{target} ({e.strerror or e})") from None


def history_from_parquet(path: str | os.PathLike[str]) -> History:
    """Read a state history from a Parquet file or a dataset (:func:`history_to_parquet`).

    Columns ``id``, ``time`` (timezone-aware timestamps), ``state`` and, if
    present, ``assignment_group``; a ``_row`` column restores the history
    order of a partitioned dataset.

    Examples:
        >>> import numpy as np, pathlib, tempfile
        >>> from itil_ci.io import History
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "h.parquet"
        >>> h = History(id=["a"], time=np.zeros(1, "M8[ns]"), state=["New"])
        >>> history_to_parquet(h, p)
        >>> history_from_parquet(p).state.tolist()
        ['New']
    """
    pa = _pyarrow()

    from itil_ci.io.history import History

    table = _read_table(path)
    names = list(table.column_names)
    for need in ("id", "time", "state"):
        if need not in names:
            raise v.fail("path", f"a history with a column {need!r}", names)
    if _ROW in names:
        order = np.argsort(np.asarray(table.column(_ROW).to_numpy()), kind="stable")
        table = table.take(order)
    if table.num_rows == 0:
        return History.empty()
    group = None
    if "assignment_group" in names:
        group = _text(pa, "column 'assignment_group'", table.column("assignment_group"), True)
    return History(
        id=_text(pa, "column 'id'", table.column("id"), False),
        time=_times(pa, "column 'time'", table.column("time")),
        state=_text(pa, "column 'state'", table.column("state"), True),
        assignment_group=group,
    )
