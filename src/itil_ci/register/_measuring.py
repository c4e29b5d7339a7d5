"""The register's baselines and observations (private; mixed into Register).

Baselines are kept as documents, several per KPI, oldest first.
Observations are appended per (KPI key, source, dimensions) group in one
transaction and read back as one :class:`~itil_ci.domain.Series`, with the
series derived from the register's tickets among them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import numpy as np

from itil_ci._internal import arrays
from itil_ci._internal import validate as v
from itil_ci.domain.baseline import Baseline
from itil_ci.domain.kpi import KPI
from itil_ci.domain.series import Series, to_datetime64
from itil_ci.errors import InvalidInputError, NotFound
from itil_ci.register import _dims, _documents, _exchange
from itil_ci.register._parts import RegisterPart

__all__ = ["MeasureMethods"]


class MeasureMethods(RegisterPart):
    """Register methods for baselines and observations."""

    # -- baselines ----------------------------------------------------------------------

    def add_baseline(self, baseline: Baseline) -> Baseline:
        """Keep a baseline (several per KPI are kept, oldest first); return it.

        Examples:
            >>> from itil_ci import Baseline
            >>> from itil_ci.register import Register
            >>> reg = Register.in_memory()
            >>> _ = reg.add_baseline(Baseline("mttr", 6.0))
            >>> reg.baseline("mttr").value
            6.0
        """
        if not isinstance(baseline, Baseline):
            raise v.fail("baseline", "a Baseline", baseline)
        what = f"a baseline of {baseline.kpi_key!r}"
        document, checked = _documents.encode("baseline", what, baseline, Baseline)
        self.store.add_baseline(checked.kpi_key, document)
        return baseline

    def baselines(self, kpi_key: str | None = None) -> list[Baseline]:
        """Kept baselines of ``kpi_key`` (of every KPI if None), oldest first.

        Examples:
            >>> from itil_ci.register import Register
            >>> Register.in_memory().baselines("mttr")
            []
        """
        if kpi_key is not None:
            v.text("kpi_key", kpi_key)
        rows = self.store.baselines(kpi_key)
        names: list[str] = []  # "baseline 2 of 'mttr'": per KPI, oldest first, from 1
        nth: dict[str, int] = {}
        for key, _ in rows:
            nth[key] = nth.get(key, 0) + 1
            names.append(f"baseline {nth[key]} of {key!r}")
        return _documents.decode_listing(Baseline, rows, lambda i, key: names[i])

    def baseline(self, kpi_key: str) -> Baseline:
        """The most recently kept baseline of ``kpi_key`` (NotFound if none).

        Examples:
            >>> from itil_ci.register import Register
            >>> Register.in_memory().baseline("mttr")
            Traceback (most recent call last):
            ...
            itil_ci.errors.NotFound: no baseline of 'mttr' in the register
        """
        found = self.baselines(kpi_key)
        if not found:
            raise NotFound(f"no baseline of {kpi_key!r} in the register")
        return found[-1]

    # -- observations -------------------------------------------------------------------

    def record(
        self,
        kpi_key: str,
        times: Any,
        values: Any,
        source: str | None = None,
        dims: Mapping[str, Any] | None = None,
    ) -> int:
        """Append observations of ``kpi_key`` in one transaction; return how many.

        ``times`` are timezone-aware times (``datetime64`` arrays are read as
        UTC and take the fast path), ``values`` numbers (``NaN`` marks a
        missing value); ``source`` labels where they came from, for
        :meth:`series` ``filters``.  The key need not be defined as a KPI.

        ``dims`` labels the observations with dimensions to slice them by
        later: it maps a dimension name (an identifier such as ``"service"``;
        ``"source"`` is taken) to one non-empty string for every
        observation, or to an array-like of strings, one per observation
        (None, or NaN / ``pd.NA`` in a pandas column: that observation does
        not have the dimension).  The
        observations are split by their combination of dimensions in numpy
        and each combination is stored as its own group.

        Examples:
            >>> import numpy as np
            >>> from itil_ci.register import Register
            >>> reg = Register.in_memory()
            >>> t = np.array(["2026-01-01", "2026-01-02"], dtype="datetime64[ns]")
            >>> reg.record("mttr", t, [5.0, 4.0], source="servicenow")
            2
            >>> reg.record("mttr", t, [6.0, 3.0], dims={"service": ["email", "vpn"]})
            2
            >>> reg.series("mttr", filters={"service": "vpn"}).values.tolist()
            [3.0]
        """
        try:
            KPI(kpi_key)
        except InvalidInputError:
            raise v.fail(
                "kpi_key", "a KPI key (letters, digits, '_', '.', ':' or '-')", kpi_key
            ) from None
        if source is not None and (not isinstance(source, str) or not source):
            raise v.fail("source", "None or a non-empty string", source)
        if source is not None:
            v.text("source", source)
        t, x = arrays.as_observations("times", times, "values", values, allow_missing=True)
        groups = _dims.split(dims, int(t.size))
        ti = t.view(np.int64)
        if ti.size > 1 and (ti[1:] < ti[:-1]).any():
            order = np.argsort(ti, kind="stable")
            ti, x = ti[order], x[order]
            # the groups' rows follow the observations into time order
            where = np.empty_like(order)
            where[order] = np.arange(order.size)
            groups = [(k, None if r is None else np.sort(where[r])) for k, r in groups]
        if ti.size:
            x = x + 0.0
            with self.store.transaction():
                for key, rows in groups:
                    if rows is None:
                        self.store.append(kpi_key, source, ti, x, key)
                    else:
                        self.store.append(kpi_key, source, ti[rows], x[rows], key)
        return int(ti.size)

    def series(
        self,
        kpi_key: str,
        start: dt.datetime | np.datetime64 | str | None = None,
        end: dt.datetime | np.datetime64 | str | None = None,
        filters: Mapping[str, object] | None = None,
    ) -> Series:
        """The observations of ``kpi_key`` with ``start <= time < end``, as a Series.

        ``filters`` maps ``"source"`` or a dimension name to one value or a
        list of them; an observation is kept when it matches every filter.
        For ``"source"``, None stands for unlabelled observations; an
        observation without a filtered dimension does not match it.
        Observations come in time order; equal times in source order
        (unlabelled first), then by dimensions (none first, then by their
        canonical JSON), then in recording order.  ``allow_missing`` is True
        exactly when a value is missing.  The series of a KPI derived from the
        register's tickets (:meth:`import_tickets`, :meth:`derive`) is part of
        it as source ``"tickets"``, with the derivation's ticket columns as
        its dimensions.

        Examples:
            >>> import numpy as np
            >>> from itil_ci.register import Register
            >>> reg = Register.in_memory()
            >>> t = np.array(["2026-01-02", "2026-01-01"], dtype="datetime64[ns]")
            >>> _ = reg.record("mttr", t, [4.0, 5.0], source="a", dims={"service": "email"})
            >>> reg.series("mttr", filters={"source": "a", "service": "email"}).values.tolist()
            [5.0, 4.0]
            >>> len(reg.series("mttr", filters={"team": "ops"}))
            0
        """
        v.text("kpi_key", kpi_key)
        lo = None if start is None else int(to_datetime64("start", start).astype(np.int64))
        hi = None if end is None else int(to_datetime64("end", end).astype(np.int64))
        sources, wanted = _dims.filters(filters)
        groups: list[str] | None = None
        if wanted:
            stored = sorted({d for _, _, d in self.store.series_keys(kpi_key)})
            groups = _dims.matching(stored, wanted)
        if groups == [] or sources == ():
            chunks = []
        else:
            chunks = self.store.fetch(kpi_key, lo, hi, sources, groups)
        derived = self._derived_chunk(kpi_key)
        if derived is not None and (sources is None or "tickets" in sources):
            d, dt_, dx = derived
            dims = _dims.canonical({k: x for k, x in d.where.items() if x})
            if not wanted or _dims.matching([dims], wanted):
                chunks = [*chunks, ("tickets", dims, dt_, dx)]
        t, x = _exchange.assemble(chunks, lo, hi)
        return Series(
            t.view("datetime64[ns]"),
            x,
            kpi_key=kpi_key,
            allow_missing=bool(np.isnan(x).any()),
        )
