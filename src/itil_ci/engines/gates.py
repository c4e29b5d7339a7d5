"""Gates as data: what a step accepts and what it must hold before it is left.

A :class:`Gate` belongs to one step.  ``accepts`` lists the artefacts that
may be passed to ``advance()``/``close()`` while the initiative is at that
step (by keyword name); each :class:`ArtefactSpec` turns its argument into
updates of the initiative's fields, calling the shared core where a result
must be computed.  ``requires`` lists the :class:`Requirement` checks run on
the initiative with those updates applied; each check returns a description
of every missing artefact, so a blocked move names all of them at once.
Checks only look at the initiative, so a stored initiative is gated exactly
like a live one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from itil_ci._internal import validate as v
from itil_ci.domain.initiative import Initiative

__all__ = ["ArtefactSpec", "Gate", "Requirement", "View", "derived"]


class View:
    """An initiative seen with staged field updates on top (nothing is written).

    Examples:
        >>> from itil_ci.domain import Initiative
        >>> view = View(Initiative(title="x"))
        >>> view.set("vision", "Fast restores")
        >>> view.vision, view.initiative.vision
        ('Fast restores', '')
    """

    __slots__ = ("initiative", "now", "updates")

    def __init__(self, initiative: Initiative, now: dt.datetime | None = None) -> None:
        self.initiative = initiative
        self.updates: dict[str, Any] = {}
        #: The time of the move (the engine's clock); results that count days use its date.
        self.now = now if now is not None else v.utc_now()

    @property
    def today(self) -> dt.date:
        """The date of the move in UTC.

        Examples:
            >>> import datetime as dt
            >>> View(Initiative(title="x"), dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)).today
            datetime.date(2026, 3, 1)
        """
        return self.now.date()

    def __getattr__(self, name: str) -> Any:
        updates = object.__getattribute__(self, "updates")
        if name in updates:
            return updates[name]
        return getattr(object.__getattribute__(self, "initiative"), name)

    def set(self, name: str, value: Any) -> None:
        """Stage ``value`` for field ``name``.

        Examples:
            >>> view = View(Initiative(title="x"))
            >>> view.set("vision", "Fast restores")
            >>> view.updates
            {'vision': 'Fast restores'}
        """
        self.updates[name] = value


Stager = Callable[[View, Any], None]
Check = Callable[[View], list[str]]


@attrs.frozen
class ArtefactSpec:
    """An artefact a step accepts: its keyword ``name``, what it is, and how it is stored.

    ``stage(view, value)`` validates ``value`` and stages field updates.
    ``needs`` names artefacts that must be given in the same move for this
    one to mean anything (e.g. a baseline window needs the series it cuts).

    Examples:
        >>> stage = lambda view, x: view.set("vision", x)
        >>> spec = ArtefactSpec("vision", "the vision statement", stage)
        >>> spec.name, spec.needs
        ('vision', ())
    """

    name: str
    doc: str
    stage: Stager
    needs: tuple[str, ...] = ()


@attrs.frozen
class Requirement:
    """A condition for leaving a step: ``missing(view)`` lists what is missing (empty: met).

    Examples:
        >>> req = Requirement("objectives", "at least one objective",
        ...                   lambda view: [] if view.objectives else ["objectives"])
        >>> req.missing(View(Initiative(title="x")))
        ['objectives']
    """

    name: str
    doc: str
    missing: Check


@attrs.frozen
class Gate:
    """The gate of one step: the ITIL ``question``, accepted artefacts and requirements.

    ``requires`` apply to leaving the step forwards (``advance``) and to
    closing from it; ``extra`` adds requirements for one event only.

    Examples:
        >>> Gate("vision", "What is the vision?").missing(View(Initiative(title="x")), "advance")
        []
    """

    step: str
    question: str
    accepts: tuple[ArtefactSpec, ...] = ()
    requires: tuple[Requirement, ...] = ()
    extra: Mapping[str, tuple[Requirement, ...]] = attrs.field(factory=dict)

    def spec(self, name: str) -> ArtefactSpec:
        """The accepted artefact ``name``; an unknown name is an input error.

        Examples:
            >>> spec = ArtefactSpec("vision", "the statement", lambda view, x: None)
            >>> gate = Gate("vision", "What is the vision?", accepts=(spec,))
            >>> gate.spec("vision").doc
            'the statement'
            >>> gate.spec("plan")
            Traceback (most recent call last):
            ...
            itil_ci.errors.InvalidInputError: artefact 'plan': expected an artefact step ...
        """
        for spec in self.accepts:
            if spec.name == name:
                return spec
        accepted = ", ".join(s.name for s in self.accepts) or "none"
        raise v.fail(
            f"artefact {name!r}", f"an artefact step {self.step!r} accepts ({accepted})", name
        )

    def stage(self, view: View, artefacts: Mapping[str, Any]) -> None:
        """Validate and stage every artefact in ``artefacts`` (in the order of ``accepts``).

        Examples:
            >>> stage = lambda view, x: view.set("vision", x)
            >>> gate = Gate("vision", "What is the vision?",
            ...             accepts=(ArtefactSpec("vision", "the statement", stage),))
            >>> view = View(Initiative(title="x"))
            >>> gate.stage(view, {"vision": "Fast restores"})
            >>> view.updates
            {'vision': 'Fast restores'}
        """
        for name in artefacts:
            for need in self.spec(name).needs:
                if need not in artefacts:
                    raise v.fail(f"artefact {name!r}", f"given together with {need!r}", name)
        for spec in self.accepts:
            if spec.name in artefacts:
                spec.stage(view, artefacts[spec.name])

    def missing(self, view: View, event: str, *, derive: bool = True) -> list[str]:
        """Everything missing for ``event`` (``"advance"`` or ``"close"``) from this step.

        Requirements named ``"derived"`` compute results when the step is left
        (calling the shared core); ``derive=False`` skips them.

        Examples:
            >>> need = Requirement("objectives", "at least one objective",
            ...                    lambda view: [] if view.objectives else ["objectives"])
            >>> Gate("vision", "What is the vision?", requires=(need,)).missing(
            ...     View(Initiative(title="x")), "advance")
            ['objectives']
        """
        out: list[str] = []
        for req in (*self.requires, *self.extra.get(event, ())):
            if req.name == "derived" and not derive:
                continue
            out.extend(req.missing(view))
        return out


def derived(*steps: Callable[[View], None]) -> Requirement:
    """A requirement that misses nothing but records results (``steps``) when a step is left.

    Examples:
        >>> derived(lambda view: view.set("vision", "v")).missing(View(Initiative(title="x")))
        []
    """

    def run(view: View) -> list[str]:
        for step in steps:
            step(view)
        return []

    return Requirement("derived", "results recorded when the step is left", run)
