"""The small protocol a register's storage implements, and helpers its stores share.

A :class:`Store` keeps JSON documents (written and read by the codec in
:mod:`itil_ci.io.codec`; a store never interprets them) with a few indexed
columns per entity, KPI definitions, baselines and measured observations.
:class:`~itil_ci.register.Register` is the only caller; it validates and
encodes everything before a store sees it.  Two stores ship with the
library: an in-memory one and SQLite (the embedded default).  A server
database can be added by implementing the same methods.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from itil_ci._internal.validate import fail
from itil_ci.errors import ConflictError, InvalidInputError, NotFound

__all__ = ["Store", "Times", "Values", "Where"]

#: Nanoseconds since the epoch (UTC).
Times = npt.NDArray[np.int64]
#: Observed values (``NaN`` marks a missing value).
Values = npt.NDArray[np.float64]
#: Column -> value (``=``), ``None`` (``IS NULL``) or a tuple of values (``IN``).
Where = Mapping[str, object]


@runtime_checkable
class Store(Protocol):
    """What a register needs from its storage.

    ``kind`` is ``"opportunity"`` or ``"initiative"``; ``index`` holds the
    values of that kind's indexed columns (see ``register/_schema.py``), and
    ``document`` the codec's JSON.  Every method that writes is atomic; inside
    :meth:`transaction` all writes commit together or not at all.  Listings are
    ordered by id (entities), key (KPIs) or insertion (baselines).

    Examples:
        >>> from itil_ci.register import Register, Store
        >>> isinstance(Register.in_memory().store, Store)
        True
    """

    def transaction(self) -> AbstractContextManager[None]:
        """A context in which every write commits together (nested use joins)."""
        ...

    def insert(
        self, kind: str, id: str, version: int, index: Mapping[str, object], document: str
    ) -> None:
        """Add an entity; raise InvalidInputError if ``id`` is already stored."""
        ...

    def replace(
        self, kind: str, id: str, expected: int, index: Mapping[str, object], document: str
    ) -> int:
        """Replace an entity stored at version ``expected``; return the new version.

        Raise :class:`~itil_ci.errors.ConflictError` if the stored version
        differs and :class:`~itil_ci.errors.NotFound` if nothing is stored.
        """
        ...

    def get(self, kind: str, id: str) -> str | None:
        """The document stored under ``id`` (None if there is none)."""
        ...

    def select(self, kind: str, where: Where, below: Mapping[str, str]) -> list[str]:
        """Documents matching ``where`` with each ``below`` column non-null and ``< value``."""
        ...

    def count(self, kind: str, by: str, where: Where) -> dict[object, int]:
        """How many entities match ``where``, per value of column ``by``."""
        ...

    def put_kpi(self, key: str, document: str) -> None:
        """Define (or redefine) the KPI with ``key``."""
        ...

    def kpis(self) -> list[str]:
        """Every KPI document, by key."""
        ...

    def add_baseline(self, kpi_key: str, document: str) -> None:
        """Append a baseline of ``kpi_key``."""
        ...

    def baselines(self, kpi_key: str | None) -> list[str]:
        """Baselines of ``kpi_key`` (of every KPI if None), oldest first."""
        ...

    def append(self, kpi_key: str, source: str | None, times: Times, values: Values) -> None:
        """Append observations (``times`` sorted ascending) of one key and source."""
        ...

    def fetch(
        self,
        kpi_key: str,
        start: int | None,
        end: int | None,
        sources: Sequence[str | None] | None,
    ) -> list[tuple[str | None, Times, Values]]:
        """Stored chunks of ``kpi_key`` that may hold times in ``[start, end)``.

        Each chunk is (source, times, values) as appended, in insertion order;
        only chunks from ``sources`` (every source if None).  The register
        trims them to the window and orders them.
        """
        ...

    def series_keys(self) -> list[tuple[str, str | None]]:
        """Every (KPI key, source) with observations, sorted (None first)."""
        ...

    def close(self) -> None:
        """Release the storage; later calls raise StorageError."""
        ...


def duplicate(kind: str, id: str) -> InvalidInputError:
    """The error for logging an id that is already stored."""
    return fail(
        f"{kind}.id", "an id not yet in the register (use update to change a stored entry)", id
    )


def missing(kind: str, id: str) -> NotFound:
    """The error for an id that is not stored."""
    return NotFound(f"{kind} {id!r} not found in the register")


def conflict(kind: str, id: str, expected: int, actual: int) -> ConflictError:
    """The error for an update from a stale copy."""
    return ConflictError(kind, id, expected=expected, actual=actual)
