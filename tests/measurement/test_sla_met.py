"""sla_attainment(met=...): the share of the SLA outcome the tool recorded."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itil_ci.errors import InvalidInputError
from itil_ci.io import Tickets, generate_tickets
from itil_ci.measurement import sla_attainment


def test_known_answer_by_hand() -> None:
    start = np.array(["2026-03-02T09:00"] * 5, dtype="datetime64[ns]")
    end = start + np.array([1, 2, 3, 4, "NaT"], dtype="timedelta64[h]")
    met = [True, False, True, True, False]
    r = sla_attainment(start, end, met=met, by=["a", "a", "b", "b", "b"])
    # a: 1 of 2 resolved met; b: 2 of 2 resolved met, one open (not judged).
    assert r.groups[0].tolist() == ["a", "b"]
    assert r.value.tolist() == [0.5, 1.0]
    assert r.count.tolist() == [2, 2]
    assert r.extra["met"].tolist() == [1, 2]
    assert r.extra["breached"].tolist() == [1, 0]
    assert r.extra["open"].tolist() == [0, 1]
    assert r.parameters["targets"] == "recorded outcome (met=)"


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**16), period=st.sampled_from(["day", "week", "month"]),
       on=st.sampled_from(["start", "end"]))  # fmt: skip
def test_grouped_and_per_period_equal_pandas(seed: int, period: str, on: str) -> None:
    t = generate_tickets(800, seed=seed, days=60)
    r = sla_attainment(
        t.opened, t.resolved, met=t.sla_met, by=t.service, period=period, period_on=on
    )  # type: ignore[arg-type]
    # Peer: pandas over the resolved tickets, grouped by service and UTC period start.
    df = t.to_pandas()
    df = df[df["resolved"].notna()]
    when = (df["opened"] if on == "start" else df["resolved"]).dt.tz_localize(None)
    if period == "day":
        key = when.dt.floor("D")
    elif period == "week":
        key = (when - pd.to_timedelta(when.dt.day_of_week, unit="D")).dt.floor("D")
    else:
        key = when.dt.to_period("M").dt.start_time
    expected = df.groupby([df["service"], key])["sla_met"].agg(["mean", "size"])
    got = pd.DataFrame(
        {
            "service": r.groups[0],
            "period": r.groups[1].astype("datetime64[ns]"),
            "value": r.value,
            "count": r.count,
        }
    )
    got = got[got["count"] > 0].set_index(["service", "period"])
    assert len(got) == len(expected)
    np.testing.assert_allclose(got["value"].to_numpy(), expected["mean"].to_numpy(), rtol=1e-12)
    assert got["count"].tolist() == expected["size"].tolist()


def test_met_needs_neither_priority_nor_targets_and_refuses_both_ways() -> None:
    start = np.array(["2026-03-02T09:00"] * 2, dtype="datetime64[ns]")
    end = start + np.timedelta64(1, "h")
    with pytest.raises(InvalidInputError, match="targets: expected None when met= is given"):
        sla_attainment(start, end, [1, 2], {1: 4, 2: 8}, met=[True, False])
    with pytest.raises(InvalidInputError, match="as_of: expected None when met= is given"):
        sla_attainment(start, end, met=[True, False], as_of=end[0])
    with pytest.raises(InvalidInputError, match="targets: expected a target"):
        sla_attainment(start, end)
    with pytest.raises(InvalidInputError, match="met: expected 2 values"):
        sla_attainment(start, end, met=[True])
    with pytest.raises(InvalidInputError, match="met: expected an array of booleans"):
        sla_attainment(start, end, met=["true", "yes"])
    with pytest.raises(InvalidInputError, match=r"met: Tickets\.sla_met is unknown"):
        sla_attainment(start, end, met=Tickets.empty().sla_met)
