"""The result of every ITSM KPI: :class:`GroupedKPI`, one row per group and period."""

from __future__ import annotations

import types
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from itil_ci._internal.arrays import frozen_array
from itil_ci._internal.validate import fail, text
from itil_ci.domain.series import Series

__all__ = ["GroupedKPI"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def _ro_tuple(t: Sequence[npt.NDArray[Any]]) -> tuple[npt.NDArray[Any], ...]:
    return tuple(frozen_array(a) for a in t)


def _ro_map(m: Mapping[str, npt.NDArray[Any]]) -> Mapping[str, npt.NDArray[Any]]:
    return types.MappingProxyType({k: frozen_array(v) for k, v in m.items()})


def _frozen_map(m: Mapping[str, object]) -> Mapping[str, object]:
    return types.MappingProxyType(dict(m))


@attrs.frozen(eq=False, repr=False)
class GroupedKPI:
    """One KPI per group and period, as columns (all arrays read-only, same length).

    * ``kpi``: the KPI's short name (``"mttr"``, ``"sla_attainment"``, ...).
    * ``names`` and ``groups``: the key columns, ``groups[j][i]`` being the
      value of key ``names[j]`` in row ``i`` (``"period"`` last when a period
      was asked for).  Without ``by`` and ``period`` there is one row and no
      key column.
    * ``count``: how many items the row's figure is computed from (closed
      tickets for durations, judged tickets for rates, open tickets for the
      backlog, breaks for availability).
    * ``value``: the headline figure (the mean for durations, the proportion
      in ``[0, 1]`` for rates, the open count for the backlog, the
      availability in ``[0, 1]``).
    * ``mean``, ``median``, ``p90``: duration statistics in ``unit`` (``None``
      where the KPI has none).
    * ``extra``: KPI-specific columns (``open``, ``met``, ``growth``, ``mtbf``...).
    * ``method`` and ``parameters``: how the figures were computed.

    Examples:
        >>> import numpy as np
        >>> from itil_ci.measurement import mttr, reopen_rate
        >>> start = np.array(["2026-01-01T00", "2026-01-01T00"], dtype="datetime64[ns]")
        >>> r = mttr(start, start + np.array([2, 4], dtype="timedelta64[h]"))
        >>> r.mean.tolist(), r.count.tolist(), len(r)
        ([3.0], [2], 1)
        >>> sorted(r.columns())
        ['count', 'mean', 'median', 'open', 'p90', 'value']
    """

    kpi: str
    names: tuple[str, ...]
    groups: tuple[npt.NDArray[Any], ...] = attrs.field(converter=_ro_tuple)
    count: IntArray = attrs.field(converter=frozen_array)
    value: FloatArray = attrs.field(converter=frozen_array)
    mean: FloatArray | None = attrs.field(default=None, converter=frozen_array)
    median: FloatArray | None = attrs.field(default=None, converter=frozen_array)
    p90: FloatArray | None = attrs.field(default=None, converter=frozen_array)
    extra: Mapping[str, npt.NDArray[Any]] = attrs.field(factory=dict, converter=_ro_map)
    unit: str | None = None
    method: str = ""
    parameters: Mapping[str, object] = attrs.field(factory=dict, converter=_frozen_map)

    def __len__(self) -> int:
        return int(self.count.size)

    def columns(self) -> dict[str, npt.NDArray[Any]]:
        """All columns by name, keys first (``pandas.DataFrame(r.columns())`` works).

        Examples:
            >>> import numpy as np
            >>> from itil_ci.measurement import mttr, reopen_rate
            >>> r = reopen_rate([True, False, False], by=["a", "a", "b"])
            >>> {k: v.tolist() for k, v in r.columns().items()}
            {'key': ['a', 'b'], 'count': [2, 1], 'value': [0.5, 0.0], 'reopened': [1, 0]}
        """
        out: dict[str, npt.NDArray[Any]] = dict(zip(self.names, self.groups, strict=True))
        out["count"] = self.count
        out["value"] = self.value
        for name in ("mean", "median", "p90"):
            col = getattr(self, name)
            if col is not None:
                out[name] = col
        out.update(self.extra)
        return out

    def series(self, column: str = "value", *, prefix: str | None = None) -> dict[str, Series]:
        """One :class:`~itil_ci.domain.Series` per group over the periods (empty rows left out).

        Needs a result computed with ``period=``; each group's key values are
        joined with ``"."`` after ``prefix`` (default: the KPI's name), so
        ``mttr(..., by=service, period="day").series()`` gives
        ``{"mttr.email": Series, ...}`` with one value per day, each placed at
        the start of its period.  ``column`` picks ``"value"``, ``"mean"``,
        ``"median"``, ``"p90"``, ``"count"`` or an ``extra`` column.  A result
        without any measured row gives ``{}``.

        Examples:
            >>> import numpy as np
            >>> from itil_ci.measurement import mttr, reopen_rate
            >>> t = np.array(["2026-01-01T09", "2026-01-01T10", "2026-01-02T09"],
            ...              dtype="datetime64[ns]")
            >>> r = mttr(t, t + np.array([2, 4, 1], dtype="timedelta64[h]"),
            ...          by=["email", "email", "vpn"], period="day")
            >>> {k: s.values.tolist() for k, s in r.series().items()}
            {'mttr.email': [3.0], 'mttr.vpn': [1.0]}
        """
        if not self.names or self.names[-1] != "period":
            raise fail(
                "result", "a GroupedKPI computed with period= (one row per period)", self.names
            )
        if prefix is not None:
            text("prefix", prefix)
        cols = self.columns()
        if not isinstance(column, str) or column not in cols or column in self.names:
            accepted = [c for c in cols if c not in self.names]
            raise fail("column", f"one of {', '.join(map(repr, accepted))}", column)
        head = self.kpi if prefix is None else prefix
        keep = self.count > 0
        if not keep.any():
            return {}  # nothing measured (e.g. no ticket closed yet with period_on="end")
        times = self.groups[-1][keep].astype("datetime64[ns]")
        values = np.asarray(cols[column], dtype=np.float64)[keep]
        if len(self.names) == 1:
            return {head: Series(times, values, kpi_key=head)}
        # one integer code per group (mixed radix over the key columns), never a joined text
        code = np.zeros(int(keep.sum()), dtype=np.int64)
        for column_keys in self.groups[:-1]:
            levels, inverse = np.unique(column_keys[keep], return_inverse=True)
            code = code * len(levels) + inverse.astype(np.int64)
        order = np.argsort(code, kind="stable")
        code, times, values = code[order], times[order], values[order]
        starts = np.flatnonzero(np.r_[True, code[1:] != code[:-1]])
        bounds = [*starts.tolist(), int(code.size)]
        first_rows = np.flatnonzero(keep)[order][starts]
        out: dict[str, Series] = {}
        for i, row in enumerate(first_rows.tolist()):
            name = ".".join(str(k[row]) for k in self.groups[:-1])
            key = f"{head}.{name}" if head else name
            if key in out:
                raise fail(
                    "result",
                    "groups whose key values joined with '.' are distinct (use keys without '.')",
                    f"two groups named {key!r}",
                )
            part = slice(bounds[i], bounds[i + 1])
            out[key] = Series(times[part], values[part], kpi_key=key)
        return out

    def __repr__(self) -> str:
        keys = ", ".join(self.names) or "no keys"
        unit = f", unit={self.unit!r}" if self.unit else ""
        return f"GroupedKPI({self.kpi!r}, {len(self)} rows by {keys}{unit}, method={self.method!r})"
