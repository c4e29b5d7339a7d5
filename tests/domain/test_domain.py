"""Behaviour of the domain classes documented in their docstrings."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

import itil_ci as ic
from itil_ci.domain.opportunity import TRANSITIONS

UTC = dt.UTC


def test_entities_build_from_a_title_alone() -> None:
    opp = ic.Opportunity(title="Automate password resets")
    ini = ic.Initiative(title="Faster restores")
    for entity in (opp, ini):
        assert len(entity.id) == 36  # a UUID string
        assert entity.version == 0
        assert entity.created_at.tzinfo is not None
        assert entity.created_at.utcoffset() == dt.timedelta(0)
    assert ic.Opportunity(title="a").id != ic.Opportunity(title="a").id


def test_kpi_is_complete_needs_direction_target_and_tolerance() -> None:
    assert not ic.KPI("x").is_complete
    assert not ic.KPI("x", direction="lower").is_complete
    assert not ic.KPI("x", direction="lower", target=ic.Target(4.0)).is_complete
    assert not ic.KPI("x", target=ic.Target(4.0, tolerance=1)).is_complete
    assert ic.KPI("x", direction="lower", target=ic.Target(4.0, tolerance=0)).is_complete


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("higher", ic.Direction.HIGHER_IS_BETTER),
        ("lower", ic.Direction.LOWER_IS_BETTER),
        ("lower-is-better", ic.Direction.LOWER_IS_BETTER),
        ("HIGHER_IS_BETTER", ic.Direction.HIGHER_IS_BETTER),
    ],
)
def test_direction_accepts_short_and_long_forms(text: str, expected: ic.Direction) -> None:
    assert ic.KPI("x", direction=text).direction is expected


def test_relative_tolerance_is_a_fraction_of_the_target() -> None:
    # 10 % of a target of -4 is a band 0.4 wide
    assert ic.Target(-4.0, tolerance=0.1, tolerance_kind="relative").tolerance_width == 0.4
    assert ic.Target(4.0, tolerance=0.5).tolerance_width == 0.5
    assert ic.Target(4.0).tolerance_width == 0.0


@given(st.lists(st.tuples(st.integers(0, 10**15), st.floats(-1e9, 1e9)), max_size=50))
def test_series_is_kept_in_time_order_without_losing_pairs(rows: list[tuple[int, float]]) -> None:
    times = np.array([r[0] for r in rows], dtype=np.int64).view("datetime64[ns]")
    values = np.array([r[1] for r in rows], dtype=float)
    s = ic.Series(times, values)
    assert np.all(np.diff(s.times.view(np.int64)) >= 0)
    assert sorted(zip(s.times.view(np.int64).tolist(), s.values.tolist(), strict=True)) == sorted(
        (int(t), v + 0.0) for t, v in rows
    )


def test_series_arrays_are_read_only() -> None:
    s = ic.Series(np.array(["2026-01-01"], dtype="datetime64[ns]"), [1.0])
    with pytest.raises(ValueError, match="read-only"):
        s.values[0] = 2.0


def test_series_from_python_datetimes_converts_offsets_to_utc() -> None:
    cet = dt.timezone(dt.timedelta(hours=1))
    s = ic.Series([dt.datetime(2026, 1, 1, 1, 0, tzinfo=cet), "2026-01-01T00:30:00+00:00"], [1, 2])
    assert s.times.astype(str).tolist() == [
        "2026-01-01T00:00:00.000000000",
        "2026-01-01T00:30:00.000000000",
    ]


def test_series_from_pandas_requires_aware_times() -> None:
    pd = pytest.importorskip("pandas")
    aware = pd.Series([1.0, 2.0], index=pd.date_range("2026-01-01", periods=2, tz="Europe/Paris"))
    s = ic.Series.from_pandas(aware)
    assert s.times[0] == np.datetime64("2025-12-31T23:00:00", "ns")
    naive = pd.Series([1.0], index=pd.date_range("2026-01-01", periods=1))
    with pytest.raises(ic.InvalidInputError, match="timezone-aware pandas times"):
        ic.Series.from_pandas(naive)


def test_series_between_is_half_open() -> None:
    s = ic.Series(
        np.array(["2026-01-01", "2026-01-02", "2026-01-03"], dtype="datetime64[ns]"), [1, 2, 3]
    )
    part = s.between(dt.datetime(2026, 1, 1, tzinfo=UTC), dt.datetime(2026, 1, 3, tzinfo=UTC))
    assert part.values.tolist() == [1.0, 2.0]
    with pytest.raises(ic.InvalidInputError, match="end: expected a time not before start"):
        s.between(dt.datetime(2026, 1, 3, tzinfo=UTC), dt.datetime(2026, 1, 1, tzinfo=UTC))


_DAY_NS = 86_400 * 10**9


@settings(max_examples=60, deadline=None)
@given(
    days=st.lists(st.integers(0, 10), max_size=12),
    lo=st.none() | st.integers(-1, 12),
    width=st.none() | st.integers(0, 12),
)
def test_series_between_matches_the_half_open_mask(
    days: list[int], lo: int | None, width: int | None
) -> None:
    # the docstring's definition, start <= time < end, as a mask over the sorted times;
    # repeated days put equal times at the bounds
    t = (np.array(sorted(days), dtype=np.int64) * _DAY_NS).view("datetime64[ns]")
    s = ic.Series(t, np.arange(len(days), dtype=float), kpi_key="k")
    epoch = dt.datetime(1970, 1, 1, tzinfo=UTC)
    start = None if lo is None else epoch + dt.timedelta(days=lo)
    hi = None if width is None else (lo if lo is not None else 0) + width
    end = None if hi is None else epoch + dt.timedelta(days=hi)
    ti = np.array(sorted(days), dtype=np.int64)
    mask = np.ones(len(days), dtype=bool)
    if lo is not None:
        mask &= ti >= lo
    if hi is not None:
        mask &= ti < hi
    part = s.between(start, end)
    assert part.values.tolist() == s.values[mask].tolist()
    assert part.times.tolist() == s.times[mask].tolist()
    assert part.kpi_key == "k"


def test_series_between_edge_cases() -> None:
    s = ic.Series(
        np.array(["2026-01-01", "2026-01-02", "2026-01-03"], dtype="datetime64[ns]"), [1, 2, 3]
    )
    jan2 = dt.datetime(2026, 1, 2, tzinfo=UTC)
    assert len(s.between(jan2, jan2)) == 0  # start == end: empty, not an error
    assert s.between(end=jan2).values.tolist() == [1.0]
    assert s.between().values.tolist() == [1.0, 2.0, 3.0]
    assert len(s.between(dt.datetime(2027, 1, 1, tzinfo=UTC))) == 0
    # 2026-01-02T02:00+02:00 is midnight UTC: an offset is converted, not dropped
    plus2 = dt.timezone(dt.timedelta(hours=2))
    assert s.between(dt.datetime(2026, 1, 2, 2, tzinfo=plus2)).values.tolist() == [2.0, 3.0]
    assert s.between(dt.datetime(2026, 1, 2, 1, tzinfo=plus2)).values.tolist() == [2.0, 3.0]
    assert s.between(dt.datetime(2026, 1, 2, 3, tzinfo=plus2)).values.tolist() == [3.0]
    # one microsecond past a time excludes it as a start and includes it as an end
    tick = dt.timedelta(microseconds=1)
    assert s.between(jan2 + tick).values.tolist() == [3.0]
    assert s.between(end=jan2 + tick).values.tolist() == [1.0, 2.0]
    assert s.between("2026-01-02T00:00:00+00:00").values.tolist() == [2.0, 3.0]  # type: ignore[arg-type]
    assert s.between(np.datetime64("2026-01-02", "ns")).values.tolist() == [2.0, 3.0]  # type: ignore[arg-type]
    missing = ic.Series(s.times, [1.0, np.nan, 3.0], allow_missing=True)
    # the flag is kept, whether or not the part holds a missing value
    assert missing.between(jan2).allow_missing
    assert missing.between(dt.datetime(2026, 1, 3, tzinfo=UTC)).allow_missing
    assert not s.between(jan2).allow_missing
    with pytest.raises(ic.InvalidInputError, match="start"):
        s.between(dt.datetime(2026, 1, 2))  # naive: ambiguous
    with pytest.raises(ic.InvalidInputError, match="end"):
        s.between(end="tomorrow")  # type: ignore[arg-type]


def test_series_missing_values_when_allowed() -> None:
    s = ic.Series(
        np.array(["2026-01-01", "2026-01-02"], dtype="datetime64[ns]"),
        [1.0, None],
        allow_missing=True,
    )
    assert s.missing == 1


def test_assigning_a_field_refreshes_updated_at() -> None:
    opp = ic.Opportunity(title="x", updated_at=dt.datetime(2020, 1, 1, tzinfo=UTC))
    opp.effort = 3
    assert opp.updated_at > dt.datetime(2020, 1, 1, tzinfo=UTC)


class OpportunityLifecycle(RuleBasedStateMachine):
    """Random status moves: legal ones land, illegal ones raise and change nothing."""

    def __init__(self) -> None:
        super().__init__()
        self.opp = ic.Opportunity(title="x")
        self.expected = ic.OpportunityStatus.LOGGED

    @rule(status=st.sampled_from(list(ic.OpportunityStatus)))
    def move(self, status: ic.OpportunityStatus) -> None:
        target = status
        if target is self.expected or target in TRANSITIONS[self.expected]:
            self.opp.move_to(target.value)
            self.expected = target
        else:
            with pytest.raises(ic.InvalidTransition) as err:
                self.opp.status = target
            assert set(err.value.allowed) == {s.value for s in TRANSITIONS[self.expected]}

    @invariant()
    def status_is_tracked(self) -> None:
        assert self.opp.status is self.expected

    @invariant()
    def withdrawn_reachable_from_every_open_status(self) -> None:
        if self.expected.is_open:
            assert ic.OpportunityStatus.WITHDRAWN in TRANSITIONS[self.expected]


TestOpportunityLifecycle = OpportunityLifecycle.TestCase
TestOpportunityLifecycle.settings = settings(max_examples=50, stateful_step_count=15, deadline=None)


def test_actor_roles_accept_strings() -> None:
    a = ic.Actor("ana", roles="service-owner")
    assert a.roles == frozenset({ic.Role.SERVICE_OWNER})
    assert not a.has("stakeholder")


def test_text_fields_refuse_lone_surrogates_but_take_any_unicode() -> None:
    assert ic.Opportunity(title="Réduire les délais — 東京").title == "Réduire les délais — 東京"
    with pytest.raises(ic.InvalidInputError, match=r"Initiative\.id: expected text that encodes"):
        ic.Initiative(title="x", id="\ud800")
