"""The register keeps tickets by id and their history; a re-import never double counts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itil_ci.errors import InvalidInputError, StorageError
from itil_ci.io import History, Tickets
from itil_ci.register import Register

T0 = np.datetime64("2026-01-05T09:00", "ns")
H = np.timedelta64(1, "h")


@pytest.fixture(params=["memory", "sqlite"])
def reg(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Register]:
    r = Register.in_memory() if request.param == "memory" else Register.open(tmp_path / "r.db")
    yield r
    r.close()


def _tickets(rows: list[tuple[str, int, int | None, str]]) -> Tickets:
    """(id, update_count, hours to resolve or None, assignment group) per row."""
    ids = [r[0] for r in rows]
    n = len(rows)
    opened = np.full(n, T0)
    resolved = np.array(
        [T0 + r[2] * H if r[2] is not None else np.datetime64("NaT") for r in rows],
        dtype="datetime64[ns]",
    )
    return Tickets(
        id=ids,
        opened=opened,
        resolved=resolved,
        priority=[3] * n,
        assignment_group=[r[3] for r in rows],
        update_count=[r[1] for r in rows],
    )


def _history(rows: list[tuple[str, int, str]]) -> History:
    return History(
        id=[r[0] for r in rows],
        time=np.array([T0 + r[1] * H for r in rows], dtype="datetime64[ns]"),
        state=[r[2] for r in rows],
    )


def test_a_re_import_adds_nothing_and_an_overlapping_one_keeps_the_latest(reg: Register) -> None:
    first = _tickets([("INC1", 2, 4, "SD"), ("INC2", 1, None, "SD"), ("INC3", 5, 8, "Net")])
    h1 = _history([("INC1", 0, "New"), ("INC1", 4, "Resolved"), ("INC2", 0, "New"),
                   ("INC3", 0, "New"), ("INC3", 8, "Resolved")])  # fmt: skip
    done = reg.import_tickets(first, h1, by=["assignment_group"])
    assert (done.added, done.updated, done.unchanged, done.stored) == (3, 0, 0, 3)
    stored, checksum = reg.tickets(), done.checksum
    again = reg.import_tickets(first, h1, by=["assignment_group"])
    assert (again.added, again.updated, again.unchanged, again.stored) == (0, 0, 3, 3)
    assert again.checksum == checksum
    assert reg.tickets() == stored
    # INC2 resolved in a later version (update count 3 > 1), INC3 in an older one (4 < 5),
    # INC4 new
    second = _tickets([("INC2", 3, 6, "SD"), ("INC3", 4, 99, "Net"), ("INC4", 0, 2, "Net")])
    h2 = _history([("INC2", 0, "New"), ("INC2", 6, "Resolved"), ("INC3", 0, "New"),
                   ("INC4", 0, "New"), ("INC4", 2, "Resolved")])  # fmt: skip
    done = reg.import_tickets(second, h2, by=["assignment_group"])
    assert (done.added, done.updated, done.unchanged, done.stored) == (1, 1, 1, 4)
    t = reg.tickets()
    assert t.id.tolist() == ["INC1", "INC2", "INC3", "INC4"]
    assert t.update_count.tolist() == [2, 3, 5, 0]
    hours = ((t.resolved - T0) / H).tolist()
    assert hours == [4.0, 6.0, 8.0, 2.0]  # INC3 keeps its stored (later) version
    h = reg.ticket_history()
    assert h is not None
    events = list(zip(h.id.tolist(), h.state.tolist(), strict=True))
    assert events == [
        ("INC1", "New"), ("INC1", "Resolved"),  # not in the second import: kept
        ("INC2", "New"), ("INC2", "Resolved"),  # updated: the import's events
        ("INC3", "New"), ("INC3", "Resolved"),  # the stored version won: stored events
        ("INC4", "New"), ("INC4", "Resolved"),  # added
    ]  # fmt: skip
    # MTTR of SD over its tickets: INC1 4 h, INC2 6 h -> 5 h (INC2 counted once)
    assert reg.measure_tickets("mttr.sd").value == 5.0
    assert reg.measure_tickets("mttr.sd").tickets == 2


def test_an_import_with_other_columns_is_refused_and_writes_nothing(reg: Register) -> None:
    reg.import_tickets(_tickets([("INC1", 0, 4, "SD")]))
    before = reg.tickets()
    fewer = Tickets(id=["INC2"], opened=np.array([T0]))
    with pytest.raises(InvalidInputError, match="it lacks resolved, priority"):
        reg.import_tickets(fewer)
    assert reg.tickets() == before
    done = reg.import_tickets(fewer, replace=True)
    assert (done.added, done.stored) == (1, 1)
    assert "resolved" in reg.tickets().unknown
    assert "mttr" in done.not_derived
    assert done.not_derived["mttr"] == "no resolved column"


@settings(max_examples=40)
@given(
    st.lists(
        st.tuples(st.integers(0, 6), st.integers(0, 50), st.integers(1, 30)),
        min_size=1,
        max_size=25,
        unique_by=lambda r: (r[0], r[1]),
    ),
    st.randoms(use_true_random=False),
)
def test_any_split_and_order_of_exports_gives_the_same_register(
    versions: list[tuple[int, int, int]], rnd: object
) -> None:
    """Versions (ticket, update count, hours) in two overlapping exports, in either order."""
    import random

    assert isinstance(rnd, random.Random)
    rows = [(f"INC{t}", u, h, "SD") for t, u, h in versions]
    a = [r for r in rows if rnd.random() < 0.7]
    b = [r for r in rows if r not in a or rnd.random() < 0.3]
    # reference: the latest version (highest update count) of each ticket
    latest: dict[str, tuple[str, int, int, str]] = {}
    for r in rows:
        if r[0] not in latest or r[1] > latest[r[0]][1]:
            latest[r[0]] = r
    expected = _tickets(sorted(latest.values()))
    sums = set()
    for parts in ([a, b], [b, a], [rows], [a, b, a, b]):
        reg = Register.in_memory()
        for part in parts:
            if part:
                reg.import_tickets(_tickets(part), metrics=["mttr"])
        assert reg.tickets() == expected
        sums.add(reg.derivation("mttr").provenance.checksum)  # type: ignore[union-attr]
        # MTTR over all tickets counts each ticket once, at its latest version
        ref = float(np.mean([r[2] for r in latest.values()]))
        assert reg.measure_tickets("mttr").value == pytest.approx(ref)
    assert len(sums) == 1


def test_tickets_history_and_derivations_survive_reopening(tmp_path: Path) -> None:
    from itil_ci.io import generate_tickets

    t = generate_tickets(3000, seed=3)
    path = tmp_path / "r.db"
    with Register.open(path) as reg:
        done = reg.import_tickets(t, by=["service"])
        series = {k: reg.series(k) for k in done.derived}
    with Register.open(path) as reg:
        assert reg.tickets() == t.latest().select(np.argsort(t.id, kind="stable"))
        assert [d.key for d in reg.derivations()] == sorted(done.derived)
        for key, s in series.items():
            assert reg.series(key) == s


def test_a_damaged_tickets_table_is_a_storage_error(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "r.db"
    with Register.open(path) as reg:
        reg.import_tickets(_tickets([("INC1", 0, 4, "SD")]))
    con = sqlite3.connect(path)
    tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    chunk_table = next(name for name in tables if "chunk" in name and "table" in name)
    cols = [r[1] for r in con.execute(f"PRAGMA table_info({chunk_table})")]
    blob = next(c for c in cols if c in ("data", "chunk", "bytes", "content"))
    con.execute(f"UPDATE {chunk_table} SET {blob} = zeroblob(length({blob}))")
    con.commit()
    con.close()
    with Register.open(path) as reg, pytest.raises(StorageError, match="tickets"):
        reg.tickets()
