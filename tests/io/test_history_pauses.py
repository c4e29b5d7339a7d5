"""History.pauses: the spells in pause states, as the SLA clock reads them."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import itil_ci as ic
from itil_ci.errors import InvalidInputError
from itil_ci.io import History

WAIT = {"On Hold", "Awaiting User Info"}


def _t(*hours: int) -> np.ndarray:
    return np.datetime64("2026-01-12T00:00", "ns") + np.array(hours, dtype="timedelta64[h]")


def _spans(p: ic.Pauses) -> list[tuple[str, str, str]]:
    return [
        (i, str(a.astype("datetime64[h]")), str(b.astype("datetime64[h]")))
        for i, a, b in zip(p.id.tolist(), p.start, p.end, strict=True)
    ]


def test_pause_runs_until_a_state_that_is_not_a_pause() -> None:
    # INC1: New 08, On Hold 09, Awaiting User Info 10 (still paused), In Progress 12,
    # On Hold 14, Resolved 15.  INC2: On Hold from its first event, never resumed.
    h = History(
        id=["INC1"] * 6 + ["INC2", "INC2"],
        time=_t(8, 9, 10, 12, 14, 15, 9, 11),
        state=[
            "New",
            "On Hold",
            "Awaiting User Info",
            "In Progress",
            "On Hold",
            "Resolved",
            "On Hold",
            "Awaiting User Info",
        ],
    )
    p = h.pauses(WAIT)
    assert _spans(p) == [
        ("INC1", "2026-01-12T09", "2026-01-12T12"),
        ("INC1", "2026-01-12T14", "2026-01-12T15"),
        ("INC2", "2026-01-12T09", "NaT"),
    ]
    assert p.states == ("Awaiting User Info", "On Hold")
    assert repr(p) == "Pauses(n=3 pauses, tickets=2, open=1)"


def test_a_pause_never_ends_at_another_tickets_event() -> None:
    h = History(id=["a", "b"], time=_t(9, 10), state=["On Hold", "New"])
    assert _spans(h.pauses({"On Hold"})) == [("a", "2026-01-12T09", "NaT")]


def test_history_order_not_time_order() -> None:
    # Times go backwards: the pause still ends at the next event in history order,
    # an interval ending before it starts (which measures nothing).
    h = History(id=["a", "a", "a"], time=_t(9, 12, 11), state=["New", "On Hold", "In Progress"])
    assert _spans(h.pauses({"On Hold"})) == [("a", "2026-01-12T12", "2026-01-12T11")]


def test_states_match_exactly_and_none_give_no_pauses() -> None:
    h = History(id=["a", "a"], time=_t(9, 10), state=["on hold", "New"])
    assert len(h.pauses({"On Hold"})) == 0
    assert len(h.pauses(set())) == 0
    assert len(History.empty().pauses(WAIT)) == 0
    with pytest.raises(InvalidInputError, match=r"states: expected a collection of state names"):
        h.pauses("On Hold")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=r"states\[0\]: expected a non-empty string"):
        h.pauses([""])


def _loop(ids: list[str], states: list[str], wait: set[str]) -> list[tuple[str, int, int | None]]:
    """Pauses as row numbers, ticket by ticket, with a plain loop."""
    out: list[tuple[str, int, int | None]] = []
    open_at: int | None = None
    for i, (tid, state) in enumerate(zip(ids, states, strict=True)):
        if i and tid != ids[i - 1] and open_at is not None:
            out.append((ids[open_at], open_at, None))
            open_at = None
        if state in wait and open_at is None:
            open_at = i
        elif state not in wait and open_at is not None:
            out.append((tid, open_at, i))
            open_at = None
    if open_at is not None:
        out.append((ids[open_at], open_at, None))
    return out


@given(
    events=st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c"]),
            st.sampled_from(["New", "On Hold", "Awaiting User Info", "In Progress"]),
        ),
        max_size=30,
    )
)
def test_matches_a_plain_loop(events: list[tuple[str, str]]) -> None:
    h = History(
        id=[e[0] for e in events],
        time=np.datetime64("2026-01-12", "ns") + np.arange(len(events)) * np.timedelta64(1, "m"),
        state=[e[1] for e in events],
    )
    want = _loop(h.id.tolist(), h.state.tolist(), WAIT)
    p = h.pauses(WAIT)
    assert p.id.tolist() == [w[0] for w in want]
    t = h.time.view(np.int64).tolist()
    assert p.start.view(np.int64).tolist() == [t[w[1]] for w in want]
    assert [None if np.isnat(e) else int(e.view(np.int64)) for e in p.end] == [
        None if w[2] is None else t[w[2]] for w in want
    ]
