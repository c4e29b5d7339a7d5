"""What the parts of the Register share (private).

:class:`~itil_ci.register.Register` is assembled from mixins, one per concern
(``_measuring``, ``_questions``, ``_exchanging``, ``_ticketing``) on top of
``register.py`` (opening, closing, entries, KPI definitions).  Each mixin
derives from :class:`RegisterPart`, which declares, for the type checker
only, the store and the members one part calls on another; the Register
defines them all, so nothing here exists at run time but :func:`as_of`.
"""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, TypeVar

from itil_ci._internal import validate as v
from itil_ci.domain.initiative import Initiative
from itil_ci.domain.opportunity import Opportunity

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from itil_ci.domain.baseline import Baseline
    from itil_ci.domain.kpi import KPI
    from itil_ci.domain.series import Series
    from itil_ci.register.derivation import Derivation
    from itil_ci.register.store import Store

__all__ = ["E", "RegisterPart", "as_of"]

E = TypeVar("E", Opportunity, Initiative)


def as_of(today: object) -> dt.date:
    """The day a question is asked on: ``today`` checked as a date, None for today in UTC."""
    return v.utc_now().date() if today is None else v.date("today", today)


class RegisterPart:
    """The base of the Register's mixins: what one part may use of another."""

    store: Store

    if TYPE_CHECKING:  # defined by Register and its mixins; declared as the parts use them
        # opening and entries (register.py)
        def transaction(self) -> AbstractContextManager[Any]: ...
        def log(self, entry: E) -> E: ...
        def initiative(self, id: str) -> Initiative: ...
        def opportunities(
            self, *, status: Any = None, service: Any = None
        ) -> list[Opportunity]: ...
        def initiatives(self, *, step: str | None = None) -> list[Initiative]: ...
        def define_kpi(self, kpi: KPI) -> KPI: ...
        def kpi(self, key: str) -> KPI: ...
        def kpis(self) -> list[KPI]: ...

        # baselines and observations (_measuring.py)
        def add_baseline(self, baseline: Baseline) -> Baseline: ...
        def baselines(self, kpi_key: str | None = None) -> list[Baseline]: ...
        def record(
            self, kpi_key: str, times: Any, values: Any, source: Any = None, dims: Any = None
        ) -> int: ...
        def series(self, kpi_key: str, start: dt.datetime | None = None) -> Series: ...

        # tickets (_ticketing.py)
        def _derived_chunk(
            self, key: str
        ) -> tuple[Derivation, npt.NDArray[np.int64], Any] | None: ...
