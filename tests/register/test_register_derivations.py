"""KPIs derived from the register's tickets: equal to the measurement core, with provenance."""

from __future__ import annotations

import numpy as np
import pytest

from itil_ci.errors import InvalidInputError, NotFound
from itil_ci.io import History, Tickets, generate_tickets
from itil_ci.measurement import BusinessCalendar, SLADefinition, itsm
from itil_ci.register import Derivation, Register

T0 = np.datetime64("2026-01-05T09:00", "ns")  # a Monday
H = np.timedelta64(1, "h")


@pytest.fixture(scope="module")
def synthetic() -> Tickets:
    return generate_tickets(4000, seed=11)


def test_derived_series_are_the_core_per_group_and_day(synthetic: Tickets) -> None:
    reg = Register.in_memory()
    done = reg.import_tickets(synthetic, by=["service"])
    t = synthetic
    resolved = ~np.isnat(t.resolved)
    # the reference: the measurement core called directly, one group per service
    cores = {
        "mttr": itsm.mttr(t.opened, t.resolved, by=t.service, period="day"),
        "mtta": itsm.mtta(t.opened, t.acknowledged, by=t.service, period="day"),
        "sla": itsm.sla_attainment(t.opened, t.resolved, met=t.sla_met, by=t.service,
                                   period="day"),
        "fcr": itsm.first_contact_resolution(t.first_contact, resolved=resolved, by=t.service,
                                             period="day", times=t.opened),
        "reopen": itsm.reopen_rate(t.reopen_count, resolved=resolved, by=t.service,
                                   period="day", times=t.opened),
    }  # fmt: skip
    assert sorted(done.derived) == sorted(
        f"{m}.{s}" for m in cores for s in ("access", "email", "erp", "network", "workplace")
    )
    assert done.not_derived == {}
    assert done.sla_basis == "the SLA outcome recorded in the data (sla_met)"
    for metric, core in cores.items():
        for key, ref in core.series(prefix=metric).items():
            got = reg.series(key)
            keep = ~np.isnan(ref.values)
            assert np.array_equal(got.times, ref.times[keep]), key
            assert np.allclose(got.values, ref.values[keep], rtol=0, atol=1e-12), key


def test_the_pooled_value_is_the_ticket_weighted_daily_mean(synthetic: Tickets) -> None:
    reg = Register.in_memory()
    reg.import_tickets(synthetic, by=["service"], metrics=["mttr", "sla"])
    t = synthetic
    lo, hi = np.datetime64("2025-03-01", "ns"), np.datetime64("2025-06-01", "ns")
    for key, svc in (("mttr.email", "email"), ("sla.erp", "erp")):
        m = reg.measure_tickets(key, lo, hi)
        mask = (t.service == svc) & (t.opened >= lo) & (t.opened < hi)
        done = mask & ~np.isnat(t.resolved)
        if key.startswith("mttr"):
            # reference: the mean resolution time of every resolved ticket, in numpy
            ref = float(((t.resolved[done] - t.opened[done]) / H).mean())
            core = itsm.mttr(t.opened[mask], t.resolved[mask], period="day")
        else:
            ref = float(t.sla_met[done].mean())
            core = itsm.sla_attainment(
                t.opened[mask], t.resolved[mask], met=t.sla_met[mask], period="day"
            )
        assert m.value == pytest.approx(ref, rel=1e-12)
        # the same figure from the daily series, each day weighted by its tickets
        ok = core.count > 0
        weighted = float((core.value[ok] * core.count[ok]).sum() / core.count.sum())
        assert m.value == pytest.approx(weighted, rel=1e-12)
        assert m.tickets == int(core.count.sum())
        assert m.days == int(ok.sum())
        # and not the plain mean of the daily values
        assert m.daily_mean == pytest.approx(float(core.value[ok].mean()))


def _office_tickets() -> tuple[Tickets, History]:
    # three P3 tickets opened Monday 09:00; resolved after 10, 30 and 50 wall-clock hours
    opened = np.full(3, T0)
    t = Tickets(
        id=["A", "B", "C"],
        opened=opened,
        resolved=opened + np.array([10, 30, 50]) * H,
        priority=[3, 3, 3],
        sla_met=[True, True, False],
        assignment_group=["SD", "SD", "SD"],
    )
    h = History(
        id=["A", "B", "B", "B", "C"],
        time=np.array([T0, T0, T0 + 1 * H, T0 + 25 * H, T0]),
        state=["New", "New", "On Hold", "Active", "New"],
    )
    return t, h


def test_sla_definition_first_then_the_recorded_outcome() -> None:
    t, h = _office_tickets()
    reg = Register.in_memory()
    done = reg.import_tickets(t, h, metrics=["sla"])
    # no SLA definition: the outcome recorded in the data, 2 of 3
    assert done.sla_basis == "the SLA outcome recorded in the data (sla_met)"
    assert reg.measure_tickets("sla").value == pytest.approx(2 / 3)
    office = BusinessCalendar("mon-fri 08:00-18:00", timezone="UTC")
    reg.define_sla(SLADefinition("office", {3: 16}, calendar=office, pause_states=["On Hold"]))
    reg.derive(Derivation("sla", "sla", sla="office"))
    # Business hours from Monday 09:00 (office 08-18): A resolved Mon 19:00 -> 9 h;
    # B Tue 15:00 -> 9 + 7 = 16 h, less its pause Mon 10:00-Tue 10:00 (8 + 2 = 10 h) -> 6 h;
    # C Wed 11:00 -> 9 + 10 + 3 = 22 h > 16. Met: A, B -> 2/3.
    m = reg.measure_tickets("sla")
    assert m.value == pytest.approx(2 / 3)
    assert m.extra["met"] == 2
    first = reg.derivation("sla").provenance
    assert first is not None
    assert first.basis.startswith("SLA 'office': P3 16 h; mon-fri 08:00-18:00 UTC")
    # a tighter target changes history: recomputed from the tickets at once
    reg.define_sla(SLADefinition("office", {3: 8}, calendar=office, pause_states=["On Hold"]))
    assert reg.measure_tickets("sla").value == pytest.approx(1 / 3)  # only B (6 h) meets 8 h
    again = reg.derivation("sla").provenance
    assert again is not None
    assert again.checksum == first.checksum  # the same tickets
    assert again.definition != first.definition  # another definition
    # without the pause state B takes 16 h: none of the three meets 8 h
    reg.define_sla(SLADefinition("office", {3: 8}, calendar=office))
    assert reg.measure_tickets("sla").value == 0.0


def test_a_per_ticket_target_in_the_data_wins_over_the_priority_target() -> None:
    opened = np.full(2, T0)
    t = Tickets(
        id=["A", "B"],
        opened=opened,
        resolved=opened + np.array([5, 5]) * H,
        priority=[3, 3],
        sla_target_hours=[4.0, np.nan],
    )
    reg = Register.in_memory()
    reg.define_sla(SLADefinition("wall", {3: 24}))
    done = reg.import_tickets(t, metrics=["sla"])
    # A has its own 4 h target (5 h: breached); B the SLA's 24 h for P3 (met)
    assert reg.measure_tickets("sla").value == 0.5
    assert "1 tickets with their own target in the data" in done.sla_basis
    # without a definition the data's targets alone: only A is judged
    reg2 = Register.in_memory()
    done2 = reg2.import_tickets(t, metrics=["sla"])
    assert done2.sla_basis.startswith("the per-ticket targets in the data")
    m = reg2.measure_tickets("sla")
    assert (m.value, m.tickets) == (0.0, 1)


def test_no_invented_targets() -> None:
    opened = np.full(2, T0)
    t = Tickets(id=["A", "B"], opened=opened, resolved=opened + H, priority=[3, 3])
    reg = Register.in_memory()
    done = reg.import_tickets(t)
    assert "sla" not in [d.metric for d in reg.derivations()]
    assert "no SLA definition" in done.not_derived["sla"]
    assert "itil-ci sla define" in done.not_derived["sla"]
    with pytest.raises(NotFound):
        reg.measure_tickets("sla")


def test_several_slas_need_a_choice() -> None:
    reg = Register.in_memory()
    reg.define_sla(SLADefinition("a", {3: 4}))
    reg.define_sla(SLADefinition("b", {3: 8}))
    opened = np.full(1, T0)
    t = Tickets(id=["A"], opened=opened, resolved=opened + H, priority=[3])
    with pytest.raises(InvalidInputError, match="one of 'a', 'b'"):
        reg.import_tickets(t)
    done = reg.import_tickets(t, sla="b")
    assert done.sla_basis.startswith("SLA 'b'")
    with pytest.raises(NotFound, match="SLA 'c'"):
        reg.import_tickets(t, sla="c")


def test_group_keys_are_safe_and_names_keep_the_original() -> None:
    groups = ["Service Desk", "R&D", "R and D", "Network / WAN", "Sécurité IT", "服务台", ""]
    n = len(groups)
    opened = np.full(n, T0)
    t = Tickets(
        id=[f"INC{i}" for i in range(n)],
        opened=opened,
        resolved=opened + H,
        assignment_group=groups,
    )
    reg = Register.in_memory()
    done = reg.import_tickets(t, by=["assignment_group"], metrics=["mttr"])
    names = {k.key: k.name for k in reg.kpis()}
    assert len(done.derived) == n  # every group its own key, none lost to a clash
    assert names["mttr.service-desk"] == "MTTR, Service Desk"
    assert names["mttr.network-wan"] == "MTTR, Network / WAN"
    assert names["mttr.securite-it"] == "MTTR, Sécurité IT"
    assert names["mttr.none"] == "MTTR, (none)"
    rd = sorted(k for k in names if k.startswith("mttr.r-and-d"))
    assert len(rd) == 2
    assert {names[k] for k in rd} == {"MTTR, R&D", "MTTR, R and D"}
    # each key's series is its own group's: one ticket of 1 h
    for key in done.derived:
        assert reg.series(key).values.tolist() == [1.0]
    # filters: the source is "tickets", the dimensions the derivation's columns
    assert len(reg.series("mttr.service-desk", filters={"source": "tickets"})) == 1
    f = {"assignment_group": "Service Desk"}
    assert len(reg.series("mttr.service-desk", filters=f)) == 1
    assert len(reg.series("mttr.service-desk", filters={"source": "jira"})) == 0
    assert len(reg.series("mttr.service-desk", filters={"assignment_group": "x"})) == 0
    # a second import keeps the keys already given
    again = reg.import_tickets(t, by=["assignment_group"], metrics=["mttr"])
    assert sorted(again.derived) == sorted(done.derived)


def test_a_metric_without_its_column_is_not_derived_and_says_why() -> None:
    t = Tickets(id=["A"], opened=np.array([T0]), acknowledged=np.array([T0 + H]))
    reg = Register.in_memory()
    done = reg.import_tickets(t)
    assert done.derived == ("mtta",)
    assert done.not_derived["mttr"] == "no resolved column"
    assert done.not_derived["fcr"] == "no first_contact column"
    assert done.not_derived["reopen"] == "no reopen_count or resolved column"
    d = reg.derive(Derivation("mttr", "mttr"))
    assert d.provenance is not None
    assert d.provenance.basis == "not derived: no resolved column"
    assert len(reg.series("mttr")) == 0
    with pytest.raises(InvalidInputError, match="cannot be measured"):
        reg.measure_tickets("mttr")


def test_derivation_records_refuse_bad_input() -> None:
    with pytest.raises(InvalidInputError, match=r"KPI\.key"):
        Derivation("bad key", "mttr")
    with pytest.raises(InvalidInputError, match=r"Derivation\.metric"):
        Derivation("x", "speed")
    with pytest.raises(InvalidInputError, match=r"Derivation\.where key"):
        Derivation("x", "mttr", {"colour": "red"})
    with pytest.raises(InvalidInputError, match="by"):
        Register.in_memory().import_tickets(Tickets.empty(), by=["colour"])
    with pytest.raises(NotFound, match="SLA 'gold'"):
        Register.in_memory().derive(Derivation("x", "sla", sla="gold"))
