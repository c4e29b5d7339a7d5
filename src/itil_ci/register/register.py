"""The continual improvement register: entries, KPIs, baselines and measurements.

:class:`Register` is the one object users hold.  It validates and encodes
(with the codec) everything before its :class:`~itil_ci.register.Store` sees
it, and answers the questions people ask of a register through the shared
cores (:mod:`itil_ci.prioritisation`, :mod:`itil_ci.measurement`); it holds
no arithmetic of its own.

This module opens and closes a register and keeps its entries and KPI
definitions; the rest of :class:`Register` is written by concern in private
mixins: baselines and observations (``_measuring``), the questions
(``_questions``), export and import (``_exchanging``), tickets, SLA
definitions and derived KPIs (``_ticketing``).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import Any, TypeVar

import attrs

from itil_ci._internal import paths as _paths
from itil_ci._internal import validate as v
from itil_ci.domain.initiative import STEPS, ImprovementModel, Initiative
from itil_ci.domain.kpi import KPI
from itil_ci.domain.opportunity import Opportunity, OpportunitySource, OpportunityStatus
from itil_ci.errors import InvalidInputError, NotFound
from itil_ci.register import _documents
from itil_ci.register._exchanging import ExchangeMethods
from itil_ci.register._measuring import MeasureMethods
from itil_ci.register._memory import MemoryStore
from itil_ci.register._parts import E, as_of
from itil_ci.register._postgres import PostgresStore, is_url
from itil_ci.register._questions import QuestionMethods
from itil_ci.register._sqlite import SQLiteStore
from itil_ci.register._ticketing import TicketMethods
from itil_ci.register.store import Store

__all__ = ["Register"]

T = TypeVar("T")

_KIND: dict[type[Any], str] = {Opportunity: "opportunity", Initiative: "initiative"}


def _index(entry: Opportunity | Initiative) -> dict[str, object]:
    """The indexed columns of an entry (see ``_schema.INDEXED``)."""
    if isinstance(entry, Opportunity):
        return {
            "status": entry.status.value,
            "service": entry.service,
            "source": entry.source.value,
            "updated_at": entry.updated_at.astimezone(dt.UTC).isoformat(),
        }
    dues = [a.due for a in entry.plan if not a.done and a.due is not None]
    dues += [k.target.due for k in entry.kpis if k.target is not None and k.target.due is not None]
    return {
        "step": entry.step,
        "model": entry.model.value,
        "open": int(entry.step != "closed"),
        "due": min(dues).isoformat() if dues else None,
        "remeasure_on": entry.remeasure_on.isoformat() if entry.remeasure_on else None,
        "updated_at": entry.updated_at.astimezone(dt.UTC).isoformat(),
    }


def _kind_of(entry: object, name: str) -> str:
    kind = _KIND.get(type(entry))
    if kind is None:
        raise v.fail(name, "an Opportunity or an Initiative", entry)
    return kind


def _choices(name: str, value: object, parse: Any) -> tuple[object, ...] | None:
    """None, one value or a list of values, each parsed; as a tuple for ``IN``."""
    if value is None:
        return None
    items = list(value) if isinstance(value, list | tuple | set | frozenset) else [value]
    return tuple(parse(f"{name}", item) for item in items)


def _enum_value(cls: Any) -> Any:
    return lambda name, item: v.member(name, cls, item).value


def _text(name: str, item: object) -> str:
    return v.text(name, item)


class Register(MeasureMethods, QuestionMethods, ExchangeMethods, TicketMethods):
    """The continual improvement register over a :class:`~itil_ci.register.Store`.

    Open one with :meth:`open` (a SQLite file, the embedded default, or a
    ``postgresql://`` URL for a register shared by many services) or
    :meth:`in_memory`.  Opportunities and initiatives are *entries*:
    :meth:`log` adds one, :meth:`update` stores a changed copy (optimistic
    concurrency: a stale copy raises :class:`~itil_ci.errors.ConflictError`).
    KPIs are defined with :meth:`define_kpi`, baselines kept with
    :meth:`add_baseline`, observations appended with :meth:`record` and read
    back with :meth:`series`.  A register is a context manager that closes it.

    Examples:
        >>> from itil_ci import Opportunity
        >>> reg = Register.in_memory()
        >>> opp = reg.log(Opportunity("Automate password resets", id="opp-1", service="email"))
        >>> opp.move_to("assessed").version
        0
        >>> reg.update(opp).version
        1
        >>> [o.status.value for o in reg.opportunities(service="email")]
        ['assessed']
    """

    def __init__(self, store: Store) -> None:
        if not isinstance(store, Store):
            raise v.fail("store", "an object implementing itil_ci.register.Store", store)
        self.store = store

    # -- opening and closing ------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        timeout: float = 30.0,
        pool_size: int | None = None,
    ) -> Register:
        """Open (or create) the register at ``path``: a SQLite file or a PostgreSQL database.

        ``path`` is a file path (``":memory:"`` for a temporary SQLite
        database), or a PostgreSQL connection URL (``postgresql://user@host:5432/ci``,
        ``postgresql:///ci?host=/run/postgresql``; needs the ``postgres``
        extra: ``pip install 'itil-ci[postgres]'``).  The schema is created or
        migrated on open.  A register written by a newer library, a file or
        database schema that is not a register, an unwritable location and
        a server that cannot be reached raise
        :class:`~itil_ci.errors.StorageError` and leave what is there as it
        was.  ``timeout`` is how many seconds a write waits for another
        transaction.  ``pool_size`` (PostgreSQL only, default 4) is the most
        connections the register opens at once for the threads sharing it.

        Examples:
            >>> with Register.open(":memory:") as reg:
            ...     reg.kpis()
            []
        """
        v.number("timeout", timeout, minimum=0)
        if is_url(path):
            assert isinstance(path, str)
            size = 4 if pool_size is None else pool_size
            return cls(PostgresStore(path, timeout=float(timeout), pool_size=size))
        if pool_size is not None:
            raise v.fail(
                "pool_size", "None for a SQLite register (it has one connection)", pool_size
            )
        if not (isinstance(path, str) and path == ":memory:"):
            path = _paths.check("path", path)
        return cls(SQLiteStore(path, timeout=float(timeout)))

    @classmethod
    def in_memory(cls) -> Register:
        """A register held in Python dicts (nothing is kept after the process ends).

        Examples:
            >>> Register.in_memory().opportunities()
            []
        """
        return cls(MemoryStore())

    def close(self) -> None:
        """Close the store; later calls raise :class:`~itil_ci.errors.StorageError`.

        Examples:
            >>> reg = Register.in_memory()
            >>> reg.close()
            >>> reg.opportunities()
            Traceback (most recent call last):
            ...
            itil_ci.errors.StorageError: the register is closed; open it again to use it
            >>> with Register.in_memory() as reg:  # closed on leaving the block
            ...     reg.opportunities()
            []
        """
        self.store.close()

    def __enter__(self) -> Register:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Register]:
        """Group writes: inside the block they all commit together or not at all.

        Examples:
            >>> from itil_ci import Opportunity
            >>> reg = Register.in_memory()
            >>> try:
            ...     with reg.transaction():
            ...         _ = reg.log(Opportunity("a", id="a"))
            ...         raise RuntimeError("changed my mind")
            ... except RuntimeError:
            ...     pass
            >>> reg.opportunities()
            []
        """
        with self.store.transaction():
            yield self

    # -- entries ------------------------------------------------------------------------

    def log(self, entry: E) -> E:
        """Add an opportunity or an initiative to the register; return it.

        It is stored at its current ``version`` (0 for a new entry).  An id
        already in the register raises :class:`~itil_ci.errors.InvalidInputError`
        (use :meth:`update` to change a stored entry).  Like every write, it
        is checked the way a read will check it (encoded and decoded again):
        an entry changed after it was built into something its constructor
        refuses raises :class:`~itil_ci.errors.InvalidInputError` naming it and
        the field, and nothing is written.

        Storing an initiative whose engine has started moves the
        opportunities it links to along with it, in the same transaction
        (:attr:`Initiative.opportunity_status
        <itil_ci.domain.Initiative.opportunity_status>`, :meth:`Opportunity.follow
        <itil_ci.domain.Opportunity.follow>`): in progress while it is open,
        closed or withdrawn once it closes.  The same holds for :meth:`update`.

        Examples:
            >>> from itil_ci import Initiative, Opportunity
            >>> reg = Register.in_memory()
            >>> reg.log(Initiative("Faster restores", id="i-1", model="pdca")).id
            'i-1'
            >>> _ = reg.log(Opportunity("Runbooks for e-mail", id="o-1"))
            >>> _ = reg.log(Initiative("Runbooks", id="i-2", opportunities=["o-1"], step="plan",
            ...                        model="pdca"))
            >>> reg.opportunity("o-1").status.value
            'in-progress'
        """
        kind = _kind_of(entry, "entry")
        document, checked = self._encode(kind, entry, entry)
        with self.store.transaction():
            self.store.insert(kind, checked.id, checked.version, _index(checked), document)
            self._follow(checked)
        return entry

    def update(self, entry: E) -> E:
        """Store a changed entry, if nobody changed it since it was read; return it.

        The stored version must equal ``entry.version``; it is incremented
        atomically and ``entry.version`` set to the new value.  A stale copy
        raises :class:`~itil_ci.errors.ConflictError` naming both versions
        (nothing is written: read the entry again, re-apply the change, retry);
        an unknown id raises :class:`~itil_ci.errors.NotFound`; an entry
        that would not read back is refused as in :meth:`log`.

        Examples:
            >>> from itil_ci import Opportunity
            >>> reg = Register.in_memory()
            >>> a = reg.log(Opportunity("x", id="x"))
            >>> b = reg.opportunity("x")
            >>> reg.update(a).version
            1
            >>> reg.update(b)
            Traceback (most recent call last):
            ...
            itil_ci.errors.ConflictError: opportunity 'x' was changed by someone else: ...
        """
        kind = _kind_of(entry, "entry")
        expected = entry.version
        what = f"{kind} {entry.id!r}"
        _documents.check_version("entry", what, expected)
        try:
            stored = attrs.evolve(entry, version=expected + 1)  # runs every validator again
        except InvalidInputError as exc:
            raise InvalidInputError(f"entry: {what} cannot be stored as it is: {exc}") from None
        document, checked = self._encode(kind, entry, stored)
        with self.store.transaction():
            new = self.store.replace(kind, checked.id, expected, _index(checked), document)
            self._follow(checked)
        entry.version = new
        return entry

    def _follow(self, entry: Opportunity | Initiative) -> None:
        """Move a stored initiative's linked opportunities along with it (same transaction)."""
        if not isinstance(entry, Initiative):
            return
        status = entry.opportunity_status
        if status is None:
            return
        for oid in dict.fromkeys(entry.opportunities):
            document = self.store.get("opportunity", oid)
            if document is None:
                continue
            opp = _documents.decode(f"opportunity {oid!r}", Opportunity, document)
            before = opp.status
            if opp.follow(status).status is not before:
                self.update(opp)

    @staticmethod
    def _encode(kind: str, entry: E, stored: E) -> tuple[str, E]:
        """The document of ``stored`` (``entry`` as it will be stored), checked to read back."""
        what = f"{kind} {entry.id!r}"
        _documents.check_version("entry", what, stored.version)
        return _documents.encode("entry", what, stored, type(entry))

    def _listing(self, kind: str, cls: type[T], rows: Sequence[Any]) -> list[T]:
        return _documents.decode_listing(cls, rows, lambda i, id: f"{kind} {id!r}")

    def opportunity(self, id: str) -> Opportunity:
        """The opportunity with ``id`` (:class:`~itil_ci.errors.NotFound` if none).

        Examples:
            >>> Register.in_memory().opportunity("nope")
            Traceback (most recent call last):
            ...
            itil_ci.errors.NotFound: opportunity 'nope' not found in the register
        """
        return self._get("opportunity", Opportunity, id)

    def initiative(self, id: str) -> Initiative:
        """The initiative with ``id`` (:class:`~itil_ci.errors.NotFound` if none).

        Examples:
            >>> from itil_ci import Initiative
            >>> reg = Register.in_memory()
            >>> _ = reg.log(Initiative("x", id="i-1"))
            >>> reg.initiative("i-1").title
            'x'
        """
        return self._get("initiative", Initiative, id)

    def _get(self, kind: str, cls: type[E], id: str) -> E:
        v.text("id", id)
        document = self.store.get(kind, id)
        if document is None:
            raise NotFound(f"{kind} {id!r} not found in the register")
        return _documents.decode(f"{kind} {id!r}", cls, document)

    def opportunities(
        self,
        *,
        status: OpportunityStatus | str | Sequence[OpportunityStatus | str] | None = None,
        service: str | Sequence[str] | None = None,
        source: OpportunitySource | str | Sequence[OpportunitySource | str] | None = None,
    ) -> list[Opportunity]:
        """Opportunities by id, filtered by status, service and source (each one or a list).

        Examples:
            >>> from itil_ci import Opportunity
            >>> reg = Register.in_memory()
            >>> for i, src in enumerate(["problem", "audit", "problem"]):
            ...     _ = reg.log(Opportunity(f"o{i}", id=f"o{i}", source=src))
            >>> [o.id for o in reg.opportunities(source="problem")]
            ['o0', 'o2']
        """
        where: dict[str, object] = {}
        for col, value, parse in (
            ("status", status, _enum_value(OpportunityStatus)),
            ("service", service, _text),
            ("source", source, _enum_value(OpportunitySource)),
        ):
            chosen = _choices(col, value, parse)
            if chosen is not None:
                where[col] = chosen
        docs = self.store.select("opportunity", where, {})
        return self._listing("opportunity", Opportunity, docs)

    def initiatives(
        self,
        *,
        step: str | Sequence[str] | None = None,
        model: ImprovementModel | str | Sequence[ImprovementModel | str] | None = None,
        overdue: bool | None = None,
        today: dt.date | str | None = None,
    ) -> list[Initiative]:
        """Initiatives by id, filtered by current step, model and whether overdue.

        An initiative is *overdue* when it is not closed and its earliest due
        date (of the plan's open actions and of its KPIs' targets) is before
        ``today`` (default: today in UTC).  ``overdue=False`` keeps the
        others.  The filters run on indexed columns.

        Examples:
            >>> from itil_ci import Action, Initiative
            >>> reg = Register.in_memory()
            >>> late = Initiative("late", id="a", plan=[Action("do it", due="2026-01-31")])
            >>> _ = reg.log(late); _ = reg.log(Initiative("fine", id="b"))
            >>> [i.id for i in reg.initiatives(overdue=True, today="2026-02-01")]
            ['a']
        """
        where: dict[str, object] = {}
        chosen = _choices("step", step, _text)
        if chosen is not None:
            where["step"] = chosen
        chosen = _choices("model", model, _enum_value(ImprovementModel))
        if chosen is not None:
            where["model"] = chosen
        if overdue is not None and not isinstance(overdue, bool):
            raise v.fail("overdue", "True, False or None", overdue)
        late: dict[str, str] = {} if overdue is None else {"due": as_of(today).isoformat()}
        if overdue:
            docs = self.store.select("initiative", {**where, "open": 1}, late)
        elif overdue is False:
            docs = self.store.select("initiative", where, {}, unless={"open": 1}, unless_below=late)
        else:
            docs = self.store.select("initiative", where, {})
        return self._listing("initiative", Initiative, docs)

    def step_counts(self, *, model: ImprovementModel | str | None = None) -> dict[str | None, int]:
        """How many initiatives are at each step (None: not started), without decoding any.

        With ``model`` only that model's initiatives are counted and every
        step of the model is listed in order (zero counts included).

        Examples:
            >>> from itil_ci import Initiative
            >>> reg = Register.in_memory()
            >>> _ = reg.log(Initiative("a", id="a", model="pdca", step="do"))
            >>> _ = reg.log(Initiative("b", id="b", model="pdca"))
            >>> reg.step_counts(model="pdca")
            {None: 1, 'plan': 0, 'do': 1, 'check': 0, 'act': 0, 'closed': 0}
        """
        where: dict[str, object] = {}
        if model is not None:
            m = v.member("model", ImprovementModel, model)
            where["model"] = m.value
        raw = self.store.count("initiative", "step", where)
        counts = {(None if k is None else str(k)): n for k, n in raw.items()}
        if model is None:
            return dict(sorted(counts.items(), key=lambda kv: (kv[0] is not None, kv[0] or "")))
        out: dict[str | None, int] = {None: counts.pop(None, 0)}
        for s in STEPS[m]:
            out[s] = counts.pop(s, 0)
        out.update(counts)
        return out

    def remeasurements_due(self, *, today: dt.date | str | None = None) -> list[Initiative]:
        """Initiatives whose ``remeasure_on`` date is on or before ``today``.

        Examples:
            >>> from itil_ci import Initiative
            >>> reg = Register.in_memory()
            >>> _ = reg.log(Initiative("a", id="a", remeasure_on="2026-03-01"))
            >>> [i.id for i in reg.remeasurements_due(today="2026-03-01")]
            ['a']
        """
        limit = (as_of(today) + dt.timedelta(days=1)).isoformat()
        docs = self.store.select("initiative", {}, {"remeasure_on": limit})
        return self._listing("initiative", Initiative, docs)

    # -- KPI definitions ----------------------------------------------------------------

    def define_kpi(self, kpi: KPI) -> KPI:
        """Define a KPI (a later definition with the same key replaces it); return it.

        Examples:
            >>> from itil_ci import KPI
            >>> reg = Register.in_memory()
            >>> _ = reg.define_kpi(KPI("mttr", direction="lower"))
            >>> [k.key for k in reg.kpis()]
            ['mttr']
        """
        if not isinstance(kpi, KPI):
            raise v.fail("kpi", "a KPI", kpi)
        document, checked = _documents.encode("kpi", f"KPI {kpi.key!r}", kpi, KPI)
        self.store.put_kpi(checked.key, document)
        return kpi

    def kpis(self) -> list[KPI]:
        """Every defined KPI, by key.

        Examples:
            >>> Register.in_memory().kpis()
            []
        """
        return self._listing("KPI", KPI, self.store.kpis())

    def kpi(self, key: str) -> KPI:
        """The defined KPI with ``key`` (:class:`~itil_ci.errors.NotFound` if none).

        Examples:
            >>> from itil_ci import KPI
            >>> reg = Register.in_memory()
            >>> reg.define_kpi(KPI("fcr")) == reg.kpi("fcr")
            True
        """
        v.text("key", key)
        doc = self.store.get_kpi(key)
        if doc is None:
            raise NotFound(f"KPI {key!r} is not defined in the register")
        return _documents.decode(f"KPI {key!r}", KPI, doc)
