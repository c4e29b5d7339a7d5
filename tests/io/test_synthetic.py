"""The synthetic incident generator: determinism, realism, the improvement."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itil_ci.errors import InvalidInputError
from itil_ci.io.synthetic import (
    DEFAULT_SLA_TARGETS,
    Improvement,
    ServiceProfile,
    generate_tickets,
)
from itil_ci.io.tickets import Tickets, check_problems

YEAR = generate_tickets()  # the demo's table: 100,000 tickets of 2025


def hours(t: Tickets) -> np.ndarray[Any, np.dtype[np.float64]]:
    ok = ~np.isnat(t.resolved)
    return np.where(ok, (t.resolved - t.opened).astype(np.int64) / 3.6e12, np.nan)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(0, 300))
def test_same_seed_same_table(seed: int, n: int) -> None:
    assert generate_tickets(n, seed=seed) == generate_tickets(n, seed=seed)
    assert generate_tickets(n, seed=np.random.default_rng(seed)) == generate_tickets(n, seed=seed)


def test_different_seeds_differ() -> None:
    assert generate_tickets(500, seed=1) != generate_tickets(500, seed=2)


def test_table_obeys_the_tickets_rules() -> None:
    t = YEAR
    assert len(t) == 100_000
    assert check_problems(dict(t.columns())) == {}
    assert np.unique(t.id).size == len(t)
    assert (np.diff(t.opened.view(np.int64)) >= 0).all()
    start, end = np.datetime64("2025-01-01", "ns"), np.datetime64("2026-01-01", "ns")
    assert t.opened.min() >= start
    assert t.opened.max() < end
    for col in (t.acknowledged, t.resolved, t.closed):
        present = col[~np.isnat(col)]
        assert present.max() <= end
    expected = np.array([DEFAULT_SLA_TARGETS[int(p)] for p in t.priority[:1000]])
    assert np.array_equal(t.sla_target_hours[:1000], expected)


def test_realistic_shape() -> None:
    t = YEAR
    # Priority mix close to the documented 1/5/30/50/14 %.
    share = np.bincount(t.priority, minlength=6)[1:] / len(t)
    assert np.allclose(share, [0.01, 0.05, 0.30, 0.50, 0.14], atol=0.01)
    # Higher priorities are resolved faster (median hours by priority increase).
    h = hours(t)
    medians = [np.nanmedian(h[t.priority == p]) for p in range(1, 6)]
    assert medians == sorted(medians)
    # Pareto-like categories: in every service the top category is the largest
    # and the top two hold more than half of the tickets.
    for s in np.unique(t.service):
        _, counts = np.unique(t.category[t.service == s], return_counts=True)
        counts = np.sort(counts)[::-1]
        assert counts[:2].sum() > 0.5 * counts.sum()
    # Weekends are quieter than weekdays.
    weekday = (t.opened.astype("M8[D]").view(np.int64) + 3) % 7
    assert (weekday >= 5).mean() < 0.15
    # Flags in plausible ranges.
    assert 0.03 < (t.reopen_count > 0).mean() < 0.09
    assert 0.3 < t.first_contact.mean() < 0.6
    assert set(np.unique(t.state)) <= {"New", "In Progress", "Resolved", "Closed", "Canceled"}
    assert (t.assignment_group[t.first_contact] == "Service Desk").all()


def _mttr_change(t: Tickets, service: str, at: np.datetime64) -> float:
    h = hours(t)
    m = (t.service == service) & ~np.isnan(h)
    before = np.mean(h[m & (t.opened < at)])
    after = np.mean(h[m & (t.opened >= at)])
    return float(1 - after / before)


def test_improvement_takes_effect_in_email_only() -> None:
    at = np.datetime64("2025-07-02", "ns")  # day 365 // 2 = 182 after 1 January
    assert 0.30 < _mttr_change(YEAR, "email", at) < 0.40
    for other in ("access", "erp", "network", "workplace"):
        assert abs(_mttr_change(YEAR, other, at)) < 0.1, other
    flat = generate_tickets(improvement=None)
    assert abs(_mttr_change(flat, "email", at)) < 0.1


def test_improvement_date_and_factor_are_honoured() -> None:
    imp = Improvement("access", at=dt.date(2025, 3, 1), mttr_factor=0.4)
    t = generate_tickets(50_000, seed=3, improvement=imp)
    assert _mttr_change(t, "access", np.datetime64("2025-03-01", "ns")) > 0.45


def test_custom_services_and_period() -> None:
    svc = [ServiceProfile("vpn", 1.0, ["Net"], ["drops", "slow"])]
    t = generate_tickets(
        300, seed=5, start=dt.datetime(2026, 6, 1, tzinfo=dt.UTC), days=30, services=svc,
        improvement=None,
    )  # fmt: skip
    assert set(t.service.tolist()) == {"vpn"}
    assert set(t.category.tolist()) <= {"drops", "slow"}
    assert t.opened.min() >= np.datetime64("2026-06-01", "ns")


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"n": -1}, "n"),
        ({"n": 1.5}, "n"),
        ({"days": 0}, "days"),
        ({"seed": -3}, "seed"),
        ({"seed": "x"}, "seed"),
        ({"services": []}, "services"),
        ({"improvement": Improvement("mainframe")}, "improvement.service"),
        ({"improvement": "email"}, "improvement"),
        ({"sla_targets": {1: 4.0}}, "sla_targets"),
        ({"start": dt.datetime(2025, 1, 1)}, "start"),
    ],
)
def test_bad_input(kw: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        generate_tickets(**{"n": 10, **kw})


def test_bad_profiles() -> None:
    with pytest.raises(InvalidInputError, match="share"):
        ServiceProfile("x", 0.0, ["g"], ["c"])
    with pytest.raises(InvalidInputError, match="groups"):
        ServiceProfile("x", 1.0, [], ["c"])
    with pytest.raises(InvalidInputError, match="mttr_factor"):
        Improvement("email", mttr_factor=-1)
