"""Columns from other libraries, and columns a source did not have (private).

:func:`native` turns a polars Series or a pyarrow Array/ChunkedArray into a
numpy array (times as ``datetime64[ns]`` in UTC) so that every public function
taking a column accepts them; pandas objects and plain sequences are returned
as they are (the callers already handle those).  Neither polars nor pyarrow is
imported here: an object is recognised by the module of its type.

:class:`UnknownColumn` stands for an optional column a ticket export did not
have.  It is unknown, not empty, false or zero: every function that takes a
column refuses it with an :class:`~itil_ci.errors.InvalidInputError` naming
the column, and so does numpy (``np.asarray`` of it raises).
"""

from __future__ import annotations

from typing import Any, NoReturn

import numpy as np
import numpy.typing as npt

from itil_ci.errors import InvalidInputError

__all__ = ["UnknownColumn", "is_foreign", "native", "refuse_unknown"]

_NS_MAX = np.iinfo(np.int64).max
_NAT = np.iinfo(np.int64).min


class UnknownColumn:
    """A column the source did not have: its values are unknown, not empty or false.

    :class:`~itil_ci.io.Tickets` holds one in place of each optional column
    its source lacked (``t.resolved`` of an export without a resolution time,
    ``t.sla_met`` of one without a recorded SLA outcome).  Every KPI function
    refuses it with an :class:`~itil_ci.errors.InvalidInputError` that names
    the column, instead of treating the tickets as open, false or zero; numpy
    refuses it too.  ``name`` is the column, ``source`` where it was looked
    for (a file name, or ``""``).

    Examples:
        >>> col = UnknownColumn("resolved", source="incident.csv")
        >>> col
        UnknownColumn('resolved', source='incident.csv')
        >>> import numpy as np
        >>> try:
        ...     np.isnat(col)
        ... except ValueError as err:
        ...     print(err)  # doctest: +ELLIPSIS
        Tickets.resolved is unknown: incident.csv has no such column (nothing can be ...)
    """

    __slots__ = ("name", "source")

    name: str
    source: str

    def __init__(self, name: str, source: str = "") -> None:
        if not isinstance(name, str) or not name:
            raise InvalidInputError(f"name: expected a column name, got {name!r}")
        if not isinstance(source, str):
            raise InvalidInputError(f"source: expected a text, got {source!r}")
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "source", source)

    def __setattr__(self, key: str, value: object) -> None:
        raise AttributeError("UnknownColumn is immutable")

    def __repr__(self) -> str:
        if self.source:
            return f"UnknownColumn({self.name!r}, source={self.source!r})"
        return f"UnknownColumn({self.name!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UnknownColumn) and other.name == self.name

    def __hash__(self) -> int:
        return hash(("UnknownColumn", self.name))

    def describe(self) -> str:
        """What is unknown and why, in one phrase.

        Examples:
            >>> UnknownColumn("sla_met").describe()
            'Tickets.sla_met is unknown: the source has no such column'
        """
        where = self.source or "the source"
        return f"Tickets.{self.name} is unknown: {where} has no such column"

    def _refuse(self) -> NoReturn:
        raise InvalidInputError(f"{self.describe()} (nothing can be computed from it)")

    # numpy and Python protocols: any attempt to use the values fails clearly.
    def __array__(self, dtype: Any = None, copy: Any = None) -> npt.NDArray[Any]:
        self._refuse()

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        self._refuse()

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        self._refuse()

    def __len__(self) -> int:
        self._refuse()

    def __iter__(self) -> NoReturn:
        self._refuse()

    def __getitem__(self, key: object) -> NoReturn:
        self._refuse()

    def __bool__(self) -> bool:
        self._refuse()


def refuse_unknown(name: str, value: object) -> None:
    """Raise the standard error when ``value`` is an :class:`UnknownColumn`."""
    if isinstance(value, UnknownColumn):
        raise InvalidInputError(
            f"{name}: {value.describe()}; a KPI cannot be computed from an unknown column "
            "(use a source that has it, or leave the KPI out)"
        )


def _module(value: object) -> str:
    return type(value).__module__.split(".")[0]


def is_foreign(value: object) -> bool:
    """True for a polars Series or a pyarrow Array / ChunkedArray."""
    mod = _module(value)
    if mod == "polars":
        return hasattr(value, "to_numpy") and hasattr(value, "dtype")
    if mod == "pyarrow":
        return (
            hasattr(value, "type") and hasattr(value, "to_numpy") and hasattr(value, "null_count")
        )
    return False


def native(name: str, value: Any) -> Any:
    """``value`` with polars and pyarrow columns turned into numpy arrays.

    Times become ``datetime64[ns]`` in UTC (``NaT`` for nulls) and must be
    timezone-aware, as pandas times must; an :class:`UnknownColumn` is
    refused.  Anything else is returned unchanged.

    Examples:
        >>> native("x", [1, 2])
        [1, 2]
    """
    refuse_unknown(name, value)
    mod = _module(value)
    if mod == "polars" and is_foreign(value):
        return _from_polars(name, value)
    if mod == "pyarrow" and is_foreign(value):
        return _from_arrow(name, value)
    return value


def _ns(name: str, arr: npt.NDArray[Any]) -> npt.NDArray[np.datetime64]:
    """``datetime64`` of any unit as ``[ns]``, refusing times outside the ns range."""
    from itil_ci._internal.arrays import to_ns  # arrays imports this module

    return to_ns(name, arr)


def _from_polars(name: str, s: Any) -> Any:
    dtype = s.dtype
    base = getattr(dtype, "base_type", lambda: dtype)()
    if type(base).__name__ == "Datetime" or str(base) == "Datetime":
        tz = getattr(dtype, "time_zone", None)
        if tz is None:
            raise InvalidInputError(
                f"{name}: expected timezone-aware polars times "
                "(use .dt.replace_time_zone('UTC')), got naive Datetime"
            )
        s = s.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
        return _ns(name, np.asarray(s.to_numpy()))
    if str(base) in ("Categorical", "Enum"):
        s = s.cast(str)
    return np.asarray(s.to_numpy())


def _from_arrow(name: str, arr: Any) -> Any:
    import pyarrow as pa  # only reached with a pyarrow object in hand

    typ = arr.type
    if pa.types.is_dictionary(typ):
        arr = arr.cast(typ.value_type)
        typ = arr.type
    if pa.types.is_timestamp(typ):
        if typ.tz is None:
            raise InvalidInputError(
                f"{name}: expected timezone-aware Arrow times (timestamp with tz), got {typ}"
            )
        ints = arr.cast(pa.int64()).fill_null(_NAT)
        values = np.asarray(ints.to_numpy()).astype(np.int64)
        return _ns(name, values.view(f"datetime64[{typ.unit}]"))
    if isinstance(arr, pa.ChunkedArray):
        return np.asarray(arr.to_numpy())
    return np.asarray(arr.to_numpy(zero_copy_only=False))
