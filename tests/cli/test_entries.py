"""Ids by any unique prefix, lists by creation, an opportunity following its initiative."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from itil_ci.domain import Initiative, Opportunity
from itil_ci.register import Register
from tests.cli._run import MANAGER, clean, ok, run


def ok_text(capsys: pytest.CaptureFixture[str], db: str) -> str:
    code, out, err = run(capsys, "--db", db, "opportunity", "list")
    assert code == 0, err
    return out


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "reg.sqlite")


def _log(db: str, *entries: Opportunity | Initiative) -> None:
    with Register.open(db) as reg:
        for e in entries:
            reg.log(e)


def _at(day: int) -> dt.datetime:
    return dt.datetime(2026, 1, day, tzinfo=dt.UTC)


def test_lists_are_in_creation_order_not_id_order(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # ids sort the other way round from the creation times
    _log(
        db,
        Opportunity("third", id="a-3", created_at=_at(3)),
        Opportunity("first", id="c-1", created_at=_at(1)),
        Opportunity("second", id="b-2", created_at=_at(2)),
        Initiative("later", id="a-ini", created_at=_at(5)),
        Initiative("earlier", id="z-ini", created_at=_at(4)),
    )
    assert [o["title"] for o in ok(capsys, "--db", db, "opportunity", "list")] == [
        "first",
        "second",
        "third",
    ]
    assert run(capsys, "--db", db, "opportunity", "list")[0] == 0
    out = ok_text(capsys, db)
    assert [line.split()[0] for line in out.splitlines()] == ["c-1", "b-2", "a-3"]
    listed = ok(capsys, "--db", db, "initiative", "status")["initiatives"]
    assert [i["title"] for i in listed] == ["earlier", "later"]


def test_any_unique_prefix_of_an_id(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    _log(
        db,
        Opportunity("Runbooks", id="3f2a9c00-0000-4000-8000-000000000001"),
        Opportunity("Self-service", id="3f2b1d00-0000-4000-8000-000000000002"),
        Opportunity("Exact", id="3f2"),
    )
    ini = ok(capsys, "--db", db, "initiative", "start", "Faster", "--opportunity", "3f2a", *MANAGER)
    assert ini["opportunities"] == ["3f2a9c00-0000-4000-8000-000000000001"]
    # an exact id wins over the ids it starts
    ini2 = ok(capsys, "--db", db, "initiative", "start", "Other", "--opportunity", "3f2", *MANAGER)
    assert ini2["opportunities"] == ["3f2"]
    # ambiguous: both candidates are named
    code, _, err = run(
        capsys, "--db", db, "initiative", "start", "X", "--opportunity", "3f2", "--opportunity",
        "3f", *MANAGER,
    )  # fmt: skip
    assert code == 1
    clean(err)
    assert "3 opportunity ids start with '3f'" in err
    assert "3f2a9c00-0000-4000-8000-000000000001 (Runbooks)" in err
    assert "3f2b1d00-0000-4000-8000-000000000002 (Self-service)" in err
    code, _, err = run(capsys, "--db", db, "initiative", "status", "zz")
    assert code == 1
    assert "no initiative has an id starting with 'zz'" in err
    # initiative commands take a prefix too
    status = ok(capsys, "--db", db, "initiative", "status", ini["id"][:6])
    assert status["id"] == ini["id"]
    moved = ok(
        capsys, "--db", db, "initiative", "advance", ini["id"][:6], *MANAGER,
        "--set", 'objectives=["Restore e-mail within 4 hours"]',
    )  # fmt: skip
    assert moved["step"] == "current_state"


def test_the_opportunity_follows_its_initiative(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    opp = ok(capsys, "--db", db, "opportunity", "log", "Runbooks for e-mail")
    assert opp["status"] == "logged"
    ini = ok(
        capsys, "--db", db, "initiative", "start", "Runbooks", "--model", "pdca",
        "--opportunity", opp["id"][:8], *MANAGER,
    )  # fmt: skip
    [listed] = ok(capsys, "--db", db, "opportunity", "list")
    assert listed["status"] == "in-progress"
    ok(capsys, "--db", db, "initiative", "close", ini["id"], "--outcome", "withdrawn", *MANAGER)
    [listed] = ok(capsys, "--db", db, "opportunity", "list")
    assert listed["status"] == "withdrawn"
