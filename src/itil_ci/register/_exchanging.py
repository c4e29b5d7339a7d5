"""The register's export and import (private; mixed into Register).

The whole register as one :class:`~itil_ci.register.RegisterExport` record,
as the codec's JSON or as CSV tables (``_exchange`` writes and reads them),
and back: a document is written all or nothing, and refused when it clashes
with what is stored.
"""

from __future__ import annotations

import os
from pathlib import Path

from itil_ci._internal import paths as _paths
from itil_ci._internal import validate as v
from itil_ci.io.codec import to_json
from itil_ci.register import _dims, _documents, _exchange
from itil_ci.register._common import group_order
from itil_ci.register._parts import RegisterPart
from itil_ci.register.records import RegisterExport
from itil_ci.register.store import NO_DIMS

__all__ = ["ExchangeMethods"]


class ExchangeMethods(RegisterPart):
    """Register methods that export the register and import an export."""

    # -- export and import --------------------------------------------------------------

    def export(self) -> RegisterExport:
        """Everything in the register as one :class:`RegisterExport` record.

        Examples:
            >>> from itil_ci.register import Register
            >>> Register.in_memory().export().kpis
            ()
        """
        return RegisterExport(
            opportunities=tuple(self.opportunities()),
            initiatives=tuple(self.initiatives()),
            kpis=tuple(self.kpis()),
            baselines=tuple(self.baselines()),
            series=tuple(_exchange.recorded(self.store)),
        )

    def export_json(self, *, indent: int | None = None) -> str:
        """The whole register as one JSON document (the codec's format).

        Examples:
            >>> import json
            >>> from itil_ci.register import Register
            >>> sorted(json.loads(Register.in_memory().export_json()))[:3]
            ['baselines', 'initiatives', 'kpis']
        """
        if indent is not None and (
            isinstance(indent, bool) or not isinstance(indent, int) or not 0 <= indent <= 16
        ):
            raise v.fail("indent", "None or a whole number of spaces from 0 to 16", indent)
        return to_json(self.export(), indent=indent)

    def import_json(
        self, text: str | bytes, *, replace_kpis: bool = False, append: bool = False
    ) -> RegisterExport:
        """Add everything in a JSON document written by :meth:`export_json`; return it.

        The whole document is decoded and validated by the codec before
        anything is written, and it is written in one transaction: a bad
        document, or one that clashes with what is stored, writes nothing
        (see :meth:`load` for the clashes and ``replace_kpis``/``append``).

        Examples:
            >>> from itil_ci import Opportunity
            >>> from itil_ci.register import Register
            >>> a = Register.in_memory()
            >>> _ = a.log(Opportunity("x", id="x"))
            >>> b = Register.in_memory()
            >>> _ = b.import_json(a.export_json())
            >>> b.export() == a.export()
            True
        """
        document = _documents.load(text, RegisterExport, "text")
        self.load(document, replace_kpis=replace_kpis, append=append)
        return document

    def load(
        self, document: RegisterExport, *, replace_kpis: bool = False, append: bool = False
    ) -> None:
        """Write a :class:`RegisterExport` into this register, all or nothing.

        It is refused with :class:`~itil_ci.errors.InvalidInputError`, and
        nothing is written, when an opportunity or initiative id is already
        stored; when a KPI key is already defined, unless ``replace_kpis=True``
        (the imported definition then replaces the stored one); and when a KPI
        already has baselines or a series (KPI key and source) already has
        observations, unless ``append=True`` (the imported baselines and
        observations are then added to the stored ones, so loading the same
        document twice with ``append=True`` doubles them).

        Examples:
            >>> from itil_ci import KPI
            >>> from itil_ci.register import Register
            >>> reg = Register.in_memory()
            >>> _ = reg.define_kpi(KPI("mttr"))
            >>> doc = reg.export()
            >>> reg.load(doc)
            Traceback (most recent call last):
            ...
            itil_ci.errors.InvalidInputError: document.kpis: expected KPI keys not yet ...
            >>> reg.load(doc, replace_kpis=True)
        """
        if not isinstance(document, RegisterExport):
            raise v.fail("document", "a RegisterExport", document)
        v.flag("replace_kpis", replace_kpis)
        v.flag("append", append)
        with self.transaction():
            self._check_clashes(document, replace_kpis=replace_kpis, append=append)
            for opp in document.opportunities:
                self.log(opp)
            for ini in document.initiatives:
                self.log(ini)
            for kpi in document.kpis:
                self.define_kpi(kpi)
            for b in document.baselines:
                self.add_baseline(b)
            for rs in document.series:
                self.record(
                    rs.series.kpi_key, rs.series.times, rs.series.values, rs.source, rs.dims
                )

    def _check_clashes(self, document: RegisterExport, *, replace_kpis: bool, append: bool) -> None:
        """Refuse a document whose KPIs, baselines or series are already stored."""
        if not replace_kpis:
            taken = sorted({k.key for k in document.kpis if self.store.get_kpi(k.key) is not None})
            if taken:
                raise v.fail(
                    "document.kpis",
                    "KPI keys not yet defined (or replace_kpis=True to replace them)",
                    taken,
                )
        if append:
            return
        keys = sorted({b.kpi_key for b in document.baselines})
        kept = [k for k in keys if self.store.baselines(k)]
        if kept:
            raise v.fail(
                "document.baselines",
                "KPIs without stored baselines (or append=True to add to them)",
                kept,
            )
        stored = set(self.store.series_keys())
        clash = sorted(
            {
                (rs.series.kpi_key, rs.source, _dims.canonical(rs.dims))
                for rs in document.series
                if rs.series.values.size
            }
            & stored,
            key=group_order,
        )
        if clash:
            shown = [c[:2] if c[2] == NO_DIMS else c for c in clash]
            raise v.fail(
                "document.series",
                "series (KPI key, source[, dims]) without stored observations "
                "(or append=True to add to them)",
                shown,
            )

    def export_csv(self, directory: str | os.PathLike[str]) -> list[Path]:
        """Write the register as CSV tables into ``directory``; return the files.

        One file per table: ``opportunities.csv``, ``initiatives.csv``
        (indexed columns for reading, plus ``document``, the codec's JSON
        that is read back), ``kpis.csv``, ``baselines.csv`` and
        ``observations.csv`` (``kpi_key, source, time, value``; times in
        ISO-8601 UTC with nanoseconds, values in shortest round-trip form,
        empty for missing).

        Examples:
            >>> import tempfile
            >>> from itil_ci.register import Register
            >>> with tempfile.TemporaryDirectory() as d:
            ...     [p.name for p in Register.in_memory().export_csv(d)][:2]
            ['opportunities.csv', 'initiatives.csv']
        """
        return _exchange.write_csv(self.export(), _paths.check("directory", directory))

    def import_csv(
        self,
        directory: str | os.PathLike[str],
        *,
        replace_kpis: bool = False,
        append: bool = False,
    ) -> RegisterExport:
        """Add the CSV tables written by :meth:`export_csv`, all or nothing; return them.

        Clashes with what is stored are refused as in :meth:`load`.

        Examples:
            >>> import tempfile
            >>> from itil_ci import KPI
            >>> from itil_ci.register import Register
            >>> a = Register.in_memory()
            >>> _ = a.define_kpi(KPI("mttr"))
            >>> with tempfile.TemporaryDirectory() as d:
            ...     _ = a.export_csv(d)
            ...     b = Register.in_memory()
            ...     _ = b.import_csv(d)
            >>> b.export() == a.export()
            True
        """
        document = _exchange.read_csv(_paths.check("directory", directory))
        self.load(document, replace_kpis=replace_kpis, append=append)
        return document
