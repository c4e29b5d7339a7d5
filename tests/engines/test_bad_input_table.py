"""Bad input to ``itil_ci.engines``: one table of probes, each a precise ItilCiError.

Issue 11, points 7 and 8 for the engines (``start(clock=5)`` used to fail with
a TypeError at the first move).  Each row names the error class and the start
of its message; refused moves raise their own classes (InvalidTransition,
PermissionDenied), bad arguments InvalidInputError naming the argument.  A
sweep feeds every public function a battery of wrong values: nothing but an
ItilCiError may escape (warnings are errors in this suite).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from tests._refusal import WRONG, escapes

from itil_ci.domain import Actor, Initiative
from itil_ci.engines import (
    ContinualImprovementModel,
    PDCACycle,
    engine_class,
    resume,
    start,
    verify_history,
)
from itil_ci.engines.audit import record_hash, seal
from itil_ci.errors import (
    InvalidInputError,
    InvalidTransition,
    ItilCiError,
    PermissionDenied,
)

MIA = Actor("mia", roles=["continual-improvement-manager"])
SAM = Actor("sam", roles=["stakeholder"])
KEY = b"a secret of at least 16 bytes"


def _pdca() -> Any:
    return start(Initiative("Fewer reopens", id="i-1"), "pdca", actor=MIA)


def _first_move_with_clock(clock: object) -> object:
    engine = start(Initiative("x"), "pdca", clock=clock)  # type: ignore[arg-type]
    return engine.advance(actor=MIA, objective="o")


def _keyed_then_unkeyed() -> object:
    ini = Initiative("x", id="i-1")
    start(ini, "pdca", actor=MIA, audit_key=KEY)
    return resume(ini).close(actor=MIA, outcome="withdrawn")


Row = tuple[str, Callable[[], Any], type[ItilCiError], str]
ROWS: list[Row] = [
    ("start initiative", lambda: start(5), InvalidInputError, "initiative: "),  # type: ignore[arg-type]
    ("start model", lambda: start(Initiative("x"), "kanban"), InvalidInputError, "model: "),
    ("start model list", lambda: start(Initiative("x"), ["pdca"]), InvalidInputError, "model: "),  # type: ignore[arg-type]
    ("start actor str", lambda: start(Initiative("x"), actor="mia"), InvalidInputError, "actor: "),
    ("start note", lambda: start(Initiative("x"), note=5), InvalidInputError, "note: "),  # type: ignore[arg-type]
    ("start roles", lambda: start(Initiative("x"), roles={}), InvalidInputError, "roles: "),  # type: ignore[arg-type]
    (
        "start listeners str",
        lambda: start(Initiative("x"), listeners="abc"),
        InvalidInputError,
        "listeners: ",
    ),
    (
        "start listeners item",
        lambda: start(Initiative("x"), listeners=[5]),
        InvalidInputError,
        r"listeners\[0\]: ",
    ),
    ("start clock int", lambda: start(Initiative("x"), clock=5), InvalidInputError, "clock: "),  # type: ignore[arg-type]
    (
        "clock returns int",
        lambda: start(Initiative("x"), clock=lambda: 5),
        InvalidInputError,
        r"clock\(\): ",
    ),  # type: ignore[arg-type,return-value]
    (
        "clock returns naive",
        lambda: start(Initiative("x"), clock=lambda: dt.datetime(2026, 1, 1)),
        InvalidInputError,
        r"clock\(\): ",
    ),
    ("first move, clock str", lambda: _first_move_with_clock("now"), InvalidInputError, "clock: "),
    (
        "start audit_key str",
        lambda: start(Initiative("x"), audit_key="secret"),
        InvalidInputError,
        "audit_key: ",
    ),  # type: ignore[arg-type]
    (
        "start audit_key short",
        lambda: start(Initiative("x"), audit_key=b"short"),
        InvalidInputError,
        "audit_key: ",
    ),
    (
        "start started, other model",
        lambda: start(Initiative("x", step="vision"), "pdca"),
        InvalidInputError,
        "model: ",
    ),
    ("resume initiative", lambda: resume("i-1"), InvalidInputError, "initiative: "),  # type: ignore[arg-type]
    (
        "resume clock",
        lambda: resume(Initiative("x", step="vision"), clock=3.5),
        InvalidInputError,
        "clock: ",
    ),  # type: ignore[arg-type]
    (
        "resume listeners",
        lambda: resume(Initiative("x", step="vision"), listeners=5),
        InvalidInputError,
        "listeners: ",
    ),  # type: ignore[arg-type]
    ("engine_class int", lambda: engine_class(5), InvalidInputError, "model: "),  # type: ignore[arg-type]
    ("engine_class name", lambda: engine_class("kanban"), InvalidInputError, "model: "),
    ("verify_history int", lambda: verify_history(5), InvalidInputError, "initiative: "),  # type: ignore[arg-type]
    (
        "verify_history key str",
        lambda: verify_history(Initiative("x"), key="k" * 20),
        InvalidInputError,
        "key: ",
    ),  # type: ignore[arg-type]
    ("advance actor None", lambda: _pdca().advance(actor=None), InvalidInputError, "actor: "),
    ("advance note", lambda: _pdca().advance(actor=MIA, note=5), InvalidInputError, "note: "),
    (
        "advance artefact type",
        lambda: _pdca().advance(actor=MIA, objective=5),
        InvalidInputError,
        "objective: ",
    ),
    (
        "advance unknown artefact",
        lambda: _pdca().advance(actor=MIA, bogus=1),
        InvalidInputError,
        "artefact 'bogus': ",
    ),
    ("advance role", lambda: _pdca().advance(actor=SAM), PermissionDenied, "actor 'sam'"),
    (
        "return_to step int",
        lambda: _pdca().return_to(5, actor=MIA, reason="r"),
        InvalidInputError,
        "step: ",
    ),  # type: ignore[arg-type]
    (
        "return_to reason empty",
        lambda: _pdca().return_to("plan", actor=MIA, reason=""),
        InvalidInputError,
        "reason: ",
    ),
    (
        "return_to not allowed",
        lambda: _pdca().return_to("act", actor=MIA, reason="r"),
        InvalidTransition,
        "initiative 'i-1'",
    ),
    (
        "close outcome int",
        lambda: _pdca().close(actor=MIA, outcome=5),
        InvalidInputError,
        "outcome: ",
    ),
    (
        "close outcome name",
        lambda: _pdca().close(actor=MIA, outcome="great"),
        InvalidInputError,
        "outcome: ",
    ),
    ("close unkeyed on keyed trail", _keyed_then_unkeyed, InvalidInputError, "audit_key: "),
    ("missing event int", lambda: _pdca().missing(5), InvalidInputError, "event: "),  # type: ignore[arg-type]
    ("missing event name", lambda: _pdca().missing("jump"), InvalidInputError, "event: "),
    ("moves_from list", lambda: PDCACycle.moves_from(["plan"]), InvalidInputError, "step: "),  # type: ignore[arg-type]
    ("mermaid current", lambda: PDCACycle.mermaid("nowhere"), InvalidInputError, "current: "),
    ("add_listener int", lambda: _pdca().add_listener(5), InvalidInputError, "listener: "),
    (
        "PDCACycle nested",
        lambda: PDCACycle(Initiative("x", model="pdca"), nested="yes"),
        InvalidInputError,
        "nested: ",
    ),  # type: ignore[arg-type]
    (
        "PDCACycle model",
        lambda: PDCACycle(Initiative("x")),
        InvalidInputError,
        "initiative.model: ",
    ),
    (
        "engine roles",
        lambda: ContinualImprovementModel(Initiative("x"), roles=[]),
        InvalidInputError,
        "roles: ",
    ),  # type: ignore[arg-type]
    ("record_hash int", lambda: record_hash(5), InvalidInputError, "record: "),  # type: ignore[arg-type]
    ("seal int", lambda: seal(5, ""), InvalidInputError, "record: "),  # type: ignore[arg-type]
    (
        "seal prev_hash",
        lambda: seal(_pdca().history[0], "xyz"),
        InvalidInputError,
        "AuditRecord.prev_hash: ",
    ),
]


@pytest.mark.parametrize("row", ROWS, ids=[r[0] for r in ROWS])
def test_bad_input_raises_a_precise_library_error(row: Row) -> None:
    _, call, expected, begins = row
    with pytest.raises(ItilCiError) as caught:
        call()
    assert isinstance(caught.value, expected), repr(caught.value)
    assert re.match(begins, str(caught.value)), str(caught.value)


def test_the_table_has_enough_rows() -> None:
    assert len(ROWS) >= 30


def test_a_refused_clock_leaves_the_initiative_unstarted() -> None:
    ini = Initiative("x")
    with pytest.raises(InvalidInputError, match=r"clock\(\)"):
        start(ini, clock=lambda: "2026-01-01")  # type: ignore[arg-type,return-value]
    assert ini.step is None
    assert ini.history == []


# --- sweep ---------------------------------------------------------------------------


def _targets() -> dict[str, Callable[[Any], object]]:
    ini = lambda: Initiative("x", id="i-1")  # noqa: E731
    return {
        "start.initiative": start,
        "start.model": lambda b: start(ini(), b),
        "start.actor": lambda b: start(ini(), actor=b),
        "start.note": lambda b: start(ini(), note=b),
        "start.roles": lambda b: start(ini(), roles=b),
        "start.listeners": lambda b: start(ini(), listeners=b),
        "start.clock": lambda b: start(ini(), clock=b),
        "start.clock returns": lambda b: start(ini(), clock=lambda: b),
        "start.audit_key": lambda b: start(ini(), audit_key=b),
        "resume.initiative": resume,
        "resume.clock": lambda b: resume(Initiative("x", step="vision"), clock=b).missing(),
        "resume.listeners": lambda b: resume(Initiative("x", step="vision"), listeners=b),
        "engine_class": engine_class,
        "verify_history.initiative": verify_history,
        "verify_history.key": lambda b: verify_history(ini(), key=b),
        "advance.actor": lambda b: _pdca().advance(actor=b),
        "advance.note": lambda b: _pdca().advance(actor=MIA, note=b),
        "advance.objective": lambda b: _pdca().advance(actor=MIA, objective=b),
        "advance.prediction": lambda b: _pdca().advance(actor=MIA, objective="o", prediction=b),
        "return_to.step": lambda b: _pdca().return_to(b, actor=MIA, reason="r"),
        "return_to.reason": lambda b: resume(Initiative("x", step="current_state")).return_to(
            "vision", actor=MIA, reason=b
        ),
        "close.outcome": lambda b: _pdca().close(actor=MIA, outcome=b),
        "close.note": lambda b: _pdca().close(actor=MIA, outcome="withdrawn", note=b),
        "missing.event": lambda b: _pdca().missing(b),
        "moves_from": PDCACycle.moves_from,
        "mermaid": PDCACycle.mermaid,
        "add_listener": lambda b: _pdca().add_listener(b),
        "PDCACycle.nested": lambda b: PDCACycle(Initiative("x", model="pdca"), nested=b),
        "pdca.actor": lambda b: resume(Initiative("x", step="action")).pdca(actor=b),
        "record_hash": record_hash,
        "seal.record": lambda b: seal(b, ""),
        "seal.prev_hash": lambda b: seal(_pdca().history[0], b),
    }


def test_no_wrong_value_lets_anything_but_an_itil_ci_error_escape() -> None:
    targets = _targets()
    assert escapes(targets) == []
    assert len(targets) * len(WRONG) >= 500
