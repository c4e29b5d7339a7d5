"""The register's tickets, SLA definitions and derived KPIs (private; mixed into Register).

Everything here is stored through the store's generic primitives: the tickets
and their history as named tables (``_tickets``), SLA definitions and
derivations as named documents (kinds ``"sla"`` and ``"derivation"``, the
codec's JSON), and each derived KPI's daily series as the named table
``derived/<key>``.  Writes that belong together happen in one transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from itil_ci._internal import validate as v
from itil_ci.domain.baseline import Baseline
from itil_ci.domain.series import to_datetime64
from itil_ci.errors import InvalidInputError, NotFound, StorageError
from itil_ci.io.history import History
from itil_ci.io.tickets import Tickets
from itil_ci.measurement.sla_definition import SLADefinition
from itil_ci.register import _columns, _derive, _documents, _tickets
from itil_ci.register._parts import RegisterPart
from itil_ci.register.derivation import (
    GROUP_COLUMNS,
    Derivation,
    Provenance,
    TicketImport,
    TicketMeasure,
)

__all__ = ["DERIVED", "TicketMethods"]

SLA_KIND = "sla"
DERIVATION_KIND = "derivation"
DERIVED = "derived/"
_NO_SHA = hashlib.sha256(b"").hexdigest()


def _table_sha(meta: str | None) -> str:
    if meta is None:
        return _NO_SHA
    try:
        sha = json.loads(meta).get("sha256", "")
    except (ValueError, AttributeError):
        return _NO_SHA
    return sha if isinstance(sha, str) else _NO_SHA


def _definition_sha(d: Derivation, sla: SLADefinition | None) -> str:
    data = {"metric": d.metric, "where": d.where, "sla": None if sla is None else sla.to_dict()}
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _day(ns: int) -> dt.date:
    return (dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=ns // 1000)).date()


class TicketMethods(RegisterPart):
    """Register methods for tickets, SLA definitions and derived KPIs."""

    # -- tickets --------------------------------------------------------------------------

    def tickets(self) -> Tickets:
        """The tickets kept in the register, one row per ticket id, in id order.

        Examples:
            >>> from itil_ci.register import Register
            >>> len(Register.in_memory().tickets())
            0
        """
        stored = self.store.table(_tickets.TICKETS)
        if stored is None:
            return Tickets.empty()
        return _tickets.decode_tickets(*stored)[0]

    def ticket_history(self) -> History | None:
        """The state history of the stored tickets (None when no import had one).

        Examples:
            >>> from itil_ci.register import Register
            >>> print(Register.in_memory().ticket_history())
            None
        """
        stored = self.store.table(_tickets.HISTORY)
        if stored is None:
            return None
        return _tickets.decode_history(*stored)[0]

    def _tickets_checksum(self) -> str:
        a = self.store.table(_tickets.TICKETS)
        b = self.store.table(_tickets.HISTORY)
        text = _table_sha(None if a is None else a[0]) + _table_sha(None if b is None else b[0])
        return hashlib.sha256(text.encode("ascii")).hexdigest()

    def import_tickets(
        self,
        tickets: Tickets,
        history: History | None = None,
        *,
        by: Sequence[str] = (),
        sla: str | None = None,
        metrics: Iterable[str] | None = None,
        replace: bool = False,
    ) -> TicketImport:
        """Keep imported tickets (and their history) and derive KPI series from them.

        Tickets are keyed by id: a ticket already stored is replaced when the
        import holds a later version of it (``Tickets.latest``: update count,
        then update time; on a tie the import wins) and kept otherwise, so
        importing the same or an overlapping export again adds nothing twice.
        A ticket the import adds or changes takes the import's events as its
        history.  The import must have the same columns as the stored
        tickets (a column one side lacks would become unknown for all), unless
        ``replace=True``, which replaces every stored ticket.

        Then each metric (``metrics``, default all of ``mttr``, ``mtta``,
        ``sla``, ``fcr``, ``reopen``) the tickets have the columns for is
        derived per day for every group of the ``by`` columns (``service``,
        ``assignment_group``, ``category``, ``state``, ``priority``; none: all
        tickets as one group), under keys such as ``mttr.service-desk``, and
        its KPI defined if it is not; SLA attainment is judged against the SLA
        definition ``sla`` (default: the register's only one, if it has
        exactly one).  Every KPI derived earlier is computed again from the
        tickets now stored.  All of it is one transaction.

        Examples:
            >>> import numpy as np
            >>> from itil_ci import Tickets
            >>> from itil_ci.register import Register
            >>> reg = Register.in_memory()
            >>> t = Tickets(id=["INC1", "INC2"], priority=[3, 3],
            ...             opened=np.array(["2026-01-05T09:00"] * 2, dtype="M8[ns]"),
            ...             resolved=np.array(["2026-01-05T13:00", "2026-01-05T11:00"],
            ...                               dtype="M8[ns]"))
            >>> r = reg.import_tickets(t)
            >>> r.added, r.derived, sorted(r.not_derived)
            (2, ('mttr',), ['fcr', 'mtta', 'reopen', 'sla'])
            >>> reg.import_tickets(t).unchanged, reg.series("mttr").values.tolist()
            (2, [3.0])
        """
        by = self._by(by)
        chosen = self._metrics(metrics)
        v.flag("replace", replace)
        if history is not None and not isinstance(history, History):
            raise v.fail("history", "None or a History", history)
        definition = self._import_sla(sla)
        with self.transaction():
            stored = None if replace else self.tickets()
            old_history = None if replace else self.ticket_history()
            merged = _tickets.merge(stored, old_history, tickets, history)
            info = {"stored_at": v.utc_now().isoformat()}
            if merged.tickets is not stored:  # nothing to write when nothing changed
                self.store.replace_table(
                    _tickets.TICKETS, *_tickets.encode_tickets(merged.tickets, info)
                )
            if merged.history is not None and merged.history is not old_history:
                self.store.replace_table(
                    _tickets.HISTORY, *_tickets.encode_history(merged.history, info)
                )
            elif merged.history is None and replace:
                self.store.drop_table(_tickets.HISTORY)
            t, h = merged.tickets, merged.history
            not_derived: dict[str, str] = {}
            new: list[Derivation] = []
            taken = {d.key: d.where for d in self.derivations()}
            for metric in chosen:
                why = _derive.missing(metric, t, definition if metric == "sla" else None)
                if why is not None:
                    not_derived[metric] = why
                    continue
                for values in _derive.group_values(t, by):
                    where = dict(zip(by, values, strict=True))
                    key = _derive.key_for(metric, values, taken, where)
                    taken[key] = where
                    name = None if metric != "sla" or definition is None else definition.name
                    new.append(Derivation(key, metric, where, sla=name))
                    try:
                        self.kpi(key)
                    except NotFound:
                        self.define_kpi(_derive.kpi_for(metric, key, values))
            for d in new:
                self._put_derivation(d)
            done = self._rederive(None, t, h, stale_only=True)
        basis = ""
        if "sla" in chosen and "sla" not in not_derived:
            basis = _derive.sla_basis(t, h, definition)
        return TicketImport(
            added=len(merged.added),
            updated=len(merged.updated),
            unchanged=merged.unchanged,
            stored=len(t),
            checksum=self._tickets_checksum(),
            derived=tuple(sorted(d.key for d in done)),
            not_derived=not_derived,
            sla_basis=basis,
        )

    @staticmethod
    def _by(by: object) -> list[str]:
        items = [by] if isinstance(by, str) else by
        if not isinstance(items, list | tuple):
            raise v.fail("by", "ticket columns to group by", by)
        out = []
        for col in items:
            v.choice("by", col, GROUP_COLUMNS)
            if col not in out:
                out.append(col)
        return out

    @staticmethod
    def _metrics(metrics: Iterable[str] | None) -> list[str]:
        if metrics is None:
            return list(_derive.METRICS)
        if isinstance(metrics, str):
            metrics = [metrics]
        out = []
        for m in metrics:
            v.choice("metrics", m, tuple(_derive.METRICS))
            out.append(m)
        return out

    def _import_sla(self, name: str | None) -> SLADefinition | None:
        if name is not None:
            return self.sla(name)
        slas = self.slas()
        if len(slas) > 1:
            names = ", ".join(repr(s.name) for s in slas)
            raise v.fail("sla", f"the SLA definition to judge attainment by (one of {names})", None)
        return slas[0] if slas else None

    # -- SLA definitions --------------------------------------------------------------------

    def define_sla(self, sla: SLADefinition) -> SLADefinition:
        """Keep an SLA definition (replacing one of the same name); return it.

        Every KPI derived against it is computed again from the stored
        tickets, in the same transaction: a changed target, calendar or pause
        state changes their whole history.

        Examples:
            >>> from itil_ci import SLADefinition
            >>> from itil_ci.register import Register
            >>> reg = Register.in_memory()
            >>> _ = reg.define_sla(SLADefinition("standard", {1: 4, 3: 24}))
            >>> [s.name for s in reg.slas()], reg.sla("standard").targets
            (['standard'], {1: 4.0, 3: 24.0})
        """
        if not isinstance(sla, SLADefinition):
            raise v.fail("sla", "an SLADefinition", sla)
        document, checked = _documents.encode("sla", f"SLA {sla.name!r}", sla, SLADefinition)
        with self.transaction():
            self.store.put_document(SLA_KIND, checked.name, document)
            users = [d.key for d in self.derivations() if d.sla == checked.name]
            if users:
                self._rederive(users)
        return sla

    def sla(self, name: str) -> SLADefinition:
        """The SLA definition called ``name`` (:class:`~itil_ci.errors.NotFound` if none).

        Examples:
            >>> from itil_ci.register import Register
            >>> Register.in_memory().sla("gold")
            Traceback (most recent call last):
            ...
            itil_ci.errors.NotFound: SLA 'gold' is not defined in the register
        """
        v.text("name", name, allow_empty=False)
        doc = self.store.get_document(SLA_KIND, name)
        if doc is None:
            raise NotFound(f"SLA {name!r} is not defined in the register")
        return _documents.decode(f"SLA {name!r}", SLADefinition, doc)

    def slas(self) -> list[SLADefinition]:
        """Every SLA definition, by name.

        Examples:
            >>> from itil_ci.register import Register
            >>> Register.in_memory().slas()
            []
        """
        rows = self.store.documents(SLA_KIND)
        return _documents.decode_listing(SLADefinition, rows, lambda i, k: f"SLA {k!r}")

    # -- derivations --------------------------------------------------------------------

    def derivations(self) -> list[Derivation]:
        """Every derived KPI's derivation (with its provenance), by key.

        Examples:
            >>> from itil_ci.register import Register
            >>> Register.in_memory().derivations()
            []
        """
        rows = self.store.documents(DERIVATION_KIND)
        return _documents.decode_listing(Derivation, rows, lambda i, k: f"derivation {k!r}")

    def derivation(self, key: str) -> Derivation:
        """How the KPI ``key`` is derived (:class:`~itil_ci.errors.NotFound` if it is not).

        Examples:
            >>> from itil_ci.register import Register
            >>> Register.in_memory().derivation("mttr")
            Traceback (most recent call last):
            ...
            itil_ci.errors.NotFound: KPI 'mttr' is not derived from tickets in the register
        """
        v.text("key", key)
        doc = self.store.get_document(DERIVATION_KIND, key)
        if doc is None:
            raise NotFound(f"KPI {key!r} is not derived from tickets in the register")
        return _documents.decode(f"derivation {key!r}", Derivation, doc)

    def _put_derivation(self, d: Derivation) -> None:
        document, checked = _documents.encode("derivation", f"derivation {d.key!r}", d, Derivation)
        self.store.put_document(DERIVATION_KIND, checked.key, document)

    def derive(self, derivation: Derivation) -> Derivation:
        """Keep a derivation (replacing one of the same key), compute it now, and return it.

        The KPI is defined (from the metric's name, unit and direction) if it
        is not.  An ``sla`` that is not defined is refused.

        Examples:
            >>> import numpy as np
            >>> from itil_ci import Tickets
            >>> from itil_ci.register import Derivation, Register
            >>> reg = Register.in_memory()
            >>> t = Tickets(id=["a", "b"], opened=np.array(["2026-01-05T09:00"] * 2, "M8[ns]"),
            ...             resolved=np.array(["2026-01-05T10:00", "NaT"], "M8[ns]"))
            >>> _ = reg.import_tickets(t, metrics=[])
            >>> reg.derive(Derivation("mttr", "mttr")).provenance.tickets
            1
        """
        if not isinstance(derivation, Derivation):
            raise v.fail("derivation", "a Derivation", derivation)
        if derivation.sla is not None:
            self.sla(derivation.sla)
        with self.transaction():
            try:
                self.kpi(derivation.key)
            except NotFound:
                values = tuple(derivation.where.values())
                self.define_kpi(_derive.kpi_for(derivation.metric, derivation.key, values))
            self._put_derivation(derivation)
            (done,) = self._rederive([derivation.key])
        return done

    def rederive(self, keys: Iterable[str] | None = None) -> list[Derivation]:
        """Compute derived KPIs again from the stored tickets (all, or ``keys``); return them.

        Examples:
            >>> from itil_ci.register import Register
            >>> Register.in_memory().rederive()
            []
        """
        chosen = None if keys is None else [v.text("keys", k) for k in keys]
        with self.transaction():
            return self._rederive(chosen)

    def _rederive(
        self,
        keys: list[str] | None,
        tickets: Tickets | None = None,
        history: History | None = None,
        *,
        stale_only: bool = False,
    ) -> list[Derivation]:
        """Recompute derivations (one pass of the core per metric, grouping and SLA).

        With ``stale_only``, a derivation already computed from the same
        tickets with the same definition is returned as it is.
        """
        todo = self.derivations()
        if keys is not None:
            by_key = {d.key: d for d in todo}
            missing = [k for k in keys if k not in by_key]
            if missing:
                raise NotFound(f"KPI {missing[0]!r} is not derived from tickets in the register")
            todo = [by_key[k] for k in keys]
        if not todo:
            return []
        t = self.tickets() if tickets is None else tickets
        h = self.ticket_history() if tickets is None else history
        checksum = self._tickets_checksum()
        now = v.utc_now()
        slas = {s.name: s for s in self.slas()}
        batches: dict[tuple[str, tuple[str, ...], str | None], list[Derivation]] = {}
        out = []
        for d in todo:
            p = d.provenance
            sla = None if d.sla is None else slas.get(d.sla)
            if (
                stale_only
                and p is not None
                and p.checksum == checksum
                and p.definition == _definition_sha(d, sla)
                and (d.sla is None or sla is not None)
            ):
                out.append(d)  # computed from these tickets with this definition already
                continue
            batches.setdefault((d.metric, tuple(d.where), d.sla), []).append(d)
        for (metric, by, sla_name), group in batches.items():  # a few batches
            sla = None if sla_name is None else slas.get(sla_name)
            why = _derive.missing(metric, t, sla) if len(t) else "no tickets stored"
            if sla_name is not None and sla is None:
                why = f"SLA {sla_name!r} is not defined"
            series = {} if why else _derive.daily(metric, t, h, sla, list(by))
            basis = why or (_derive.sla_basis(t, h, sla) if metric == "sla" else "")
            for d in group:
                days, values, n = series.get(tuple(d.where.values()), (_EMPTY_T, _EMPTY_X, 0))
                prov = Provenance(
                    tickets=n,
                    stored=len(t),
                    checksum=checksum,
                    definition=_definition_sha(d, sla),
                    basis=f"not derived: {basis}" if why else basis,
                    derived_at=now,
                    days=int(days.size),
                )
                done = Derivation(d.key, d.metric, d.where, sla=d.sla, provenance=prov)
                self._put_derivation(done)
                self.store.replace_table(
                    DERIVED + d.key,
                    *_columns.encode(
                        "derived",
                        [("time", "time", days.view("datetime64[ns]")), ("value", "float", values)],
                    ),
                )
                out.append(done)
        return out

    def _derived_chunk(self, key: str) -> tuple[Derivation, npt.NDArray[np.int64], Any] | None:
        stored = self.store.table(DERIVED + key)
        if stored is None:
            return None
        cols, _ = _columns.decode(DERIVED + key, *stored)
        t, x = cols.get("time"), cols.get("value")
        if t is None or x is None:
            raise StorageError(f"the derived series of {key!r} has no times or values")
        return self.derivation(key), t.view(np.int64), x

    # -- measuring ----------------------------------------------------------------------

    def measure_tickets(
        self,
        key: str,
        start: dt.datetime | np.datetime64 | str | None = None,
        end: dt.datetime | np.datetime64 | str | None = None,
    ) -> TicketMeasure:
        """A derived KPI over the tickets opened in ``[start, end)``, pooled, and its daily series.

        ``value`` is computed from every ticket of the KPI's group at once
        (the mean resolution time of all of them, not a mean of daily means);
        the daily values of the same window are summarised beside it.

        Examples:
            >>> import numpy as np
            >>> from itil_ci import Tickets
            >>> from itil_ci.register import Register
            >>> reg = Register.in_memory()
            >>> opened = np.array(["2026-01-05T09:00", "2026-01-05T10:00", "2026-01-06T09:00"],
            ...                   dtype="M8[ns]")
            >>> hours = np.array([1, 3, 8], dtype="m8[h]")
            >>> _ = reg.import_tickets(Tickets(id=["a", "b", "c"], opened=opened,
            ...                                resolved=opened + hours), metrics=["mttr"])
            >>> m = reg.measure_tickets("mttr")
            >>> m.value, m.tickets, m.days, m.daily_mean  # (1 + 3 + 8) / 3 = 4; days 2 and 8
            (4.0, 3, 2, 5.0)
        """
        d = self.derivation(key)
        lo = None if start is None else int(to_datetime64("start", start).astype(np.int64))
        hi = None if end is None else int(to_datetime64("end", end).astype(np.int64))
        if lo is not None and hi is not None and not hi > lo:
            raise v.fail("end", "a time after start", end)
        t, h = self.tickets(), self.ticket_history()
        sla = None if d.sla is None else self.sla(d.sla)
        why = _derive.missing(d.metric, t, sla) if len(t) else "no tickets stored"
        if why is not None:
            raise InvalidInputError(f"KPI {key!r} cannot be measured from the tickets: {why}")
        mask = _derive.group_mask(t, d.where)
        opened = t.opened.view(np.int64)
        if lo is not None:
            mask &= opened >= lo
        if hi is not None:
            mask &= opened < hi
        value, n, extra = _derive.pooled(d.metric, t, h, sla, mask)
        chunk = self._derived_chunk(key)
        days = np.empty(0, dtype=np.int64)
        x = np.empty(0)
        if chunk is not None:
            _, days, x = chunk
            keep = np.ones(days.size, dtype=bool)
            if lo is not None:
                keep &= days >= lo
            if hi is not None:
                keep &= days < hi
            days, x = days[keep], x[keep]
        return TicketMeasure(
            key=key,
            start=None
            if lo is None
            else dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=lo // 1000),
            end=None
            if hi is None
            else dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=hi // 1000),
            value=value,
            tickets=n,
            days=int(x.size),
            daily_mean=float(x.mean()) if x.size else None,
            daily_min=float(x.min()) if x.size else None,
            daily_max=float(x.max()) if x.size else None,
            latest=float(x[-1]) if x.size else None,
            latest_day=_day(int(days[-1])) if days.size else None,
            extra=extra,
            derivation=d,
        )

    def ticket_baseline(
        self,
        key: str,
        start: dt.datetime | np.datetime64 | str | None = None,
        end: dt.datetime | np.datetime64 | str | None = None,
    ) -> Baseline:
        """A baseline of a derived KPI: its value over the tickets opened in ``[start, end)``.

        The same figure :meth:`measure_tickets` gives (over all tickets at
        once), so a later measurement compares like with like; ``n`` is the
        number of tickets and ``filters`` the KPI's ticket selection.  Nothing
        is stored (keep it with :meth:`add_baseline`).

        Examples:
            >>> import numpy as np
            >>> from itil_ci import Tickets
            >>> from itil_ci.register import Register
            >>> reg = Register.in_memory()
            >>> opened = np.array(["2026-01-05T09:00", "2026-01-06T09:00"], dtype="M8[ns]")
            >>> _ = reg.import_tickets(Tickets(id=["a", "b"], opened=opened,
            ...     resolved=opened + np.array([2, 4], "m8[h]")), metrics=["mttr"])
            >>> b = reg.ticket_baseline("mttr")
            >>> b.value, b.n, b.method
            (3.0, 2, 'mttr over 2 tickets at once (not a mean of daily values)')
        """
        m = self.measure_tickets(key, start, end)
        if m.value is None:
            raise InvalidInputError(
                f"KPI {key!r}: no ticket in the window can be measured, so there is no baseline"
            )
        assert m.derivation is not None
        return Baseline(
            key,
            m.value,
            start=m.start,
            end=m.end,
            n=m.tickets,
            filters={c: x for c, x in m.derivation.where.items() if x},
            method=f"{m.derivation.metric} over {m.tickets} tickets at once "
            "(not a mean of daily values)",
        )


_EMPTY_T = np.empty(0, dtype=np.int64)
_EMPTY_X = np.empty(0, dtype=np.float64)
