"""An opportunity's status follows the initiative acting on it (issue 14)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from itil_ci.domain import Actor, Initiative, Opportunity, OpportunityStatus, Outcome
from itil_ci.domain.opportunity import TRANSITIONS
from itil_ci.engines import start
from itil_ci.errors import ConflictError
from itil_ci.register import Register

MIA = Actor("mia", roles=["continual-improvement-manager"])
STATUSES = list(OpportunityStatus)


def _reachable(a: OpportunityStatus, b: OpportunityStatus) -> bool:
    """A slow reference: depth-first search of the lifecycle table."""
    seen, todo = set(), [a]
    while todo:
        s = todo.pop()
        for t in TRANSITIONS[s]:
            if t not in seen:
                seen.add(t)
                todo.append(t)
    return b in seen


def _opportunity_at(status: OpportunityStatus) -> Opportunity:
    walk = {
        OpportunityStatus.LOGGED: [],
        OpportunityStatus.ASSESSED: ["assessed"],
        OpportunityStatus.APPROVED: ["assessed", "approved"],
        OpportunityStatus.REJECTED: ["assessed", "rejected"],
        OpportunityStatus.IN_PROGRESS: ["assessed", "approved", "in-progress"],
        OpportunityStatus.CLOSED: ["assessed", "approved", "in-progress", "closed"],
        OpportunityStatus.WITHDRAWN: ["withdrawn"],
    }[status]
    o = Opportunity("x")
    for s in walk:
        o.move_to(s)
    return o


@given(st.sampled_from(STATUSES), st.sampled_from(STATUSES))
def test_follow_reaches_the_status_when_the_lifecycle_allows_it(
    start_at: OpportunityStatus, goal: OpportunityStatus
) -> None:
    o = _opportunity_at(start_at)
    o.follow(goal)  # every step goes through the status setter, which refuses an illegal move
    expected = goal if goal is start_at or _reachable(start_at, goal) else start_at
    assert o.status is expected


def test_follow_refuses_what_is_not_a_status() -> None:
    with pytest.raises(ValueError, match="status"):
        Opportunity("x").follow("done")


def _linked(reg: Register, *statuses: str) -> list[Opportunity]:
    out = []
    for i, s in enumerate(statuses):
        o = Opportunity(f"o{i}", id=f"o{i}")
        if s != "logged":
            o = _opportunity_at(OpportunityStatus(s))
            o.id = f"o{i}"
        out.append(reg.log(o))
    return out


def test_starting_an_initiative_puts_its_opportunities_in_progress() -> None:
    reg = Register.in_memory()
    _linked(reg, "logged", "approved", "rejected")
    ini = Initiative("Runbooks", opportunities=["o0", "o1", "o2", "not-stored"])
    reg.log(ini)  # not started: nothing moves
    assert [o.status.value for o in reg.opportunities()] == ["logged", "approved", "rejected"]
    start(ini, "itil4", actor=MIA)
    reg.update(ini)
    # logged passes through assessed and approved; a rejected entry is final
    assert [o.status.value for o in reg.opportunities()] == [
        "in-progress",
        "in-progress",
        "rejected",
    ]


@pytest.mark.parametrize(
    ("closure", "expected"),
    [
        ("successful", "closed"),
        ("partially-successful", "closed"),
        ("unsuccessful", "closed"),
        ("withdrawn", "withdrawn"),
    ],
)
def test_closing_an_initiative_closes_or_withdraws_its_opportunities(
    closure: str, expected: str
) -> None:
    reg = Register.in_memory()
    _linked(reg, "assessed")
    ini = Initiative("Runbooks", opportunities=["o0"], model="pdca")
    engine = start(ini, "pdca", actor=MIA)
    reg.log(ini)
    assert reg.opportunity("o0").status.value == "in-progress"
    if closure == "withdrawn":
        engine.close(actor=MIA, outcome="withdrawn")
    else:
        ini.step, ini.outcome = "closed", Outcome(closure)  # as the engine leaves it
    reg.update(ini)
    assert reg.opportunity("o0").status.value == expected


def test_a_refused_initiative_write_moves_no_opportunity() -> None:
    reg = Register.in_memory()
    _linked(reg, "logged")
    ini = reg.log(Initiative("Runbooks", opportunities=["o0"], model="pdca"))
    stale = reg.initiative(ini.id)
    reg.update(ini)
    start(stale, "pdca", actor=MIA)
    with pytest.raises(ConflictError):
        reg.update(stale)
    assert reg.opportunity("o0").status.value == "logged"


def test_sqlite_register_moves_them_in_the_same_transaction(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "r.sqlite"
    with Register.open(path) as reg:
        _linked(reg, "approved")
        ini = Initiative("Runbooks", opportunities=["o0"], model="pdca")
        start(ini, "pdca", actor=MIA)
        reg.log(ini)
    with Register.open(path) as reg:
        assert reg.opportunity("o0").status.value == "in-progress"
        assert reg.opportunity("o0").version == 1
