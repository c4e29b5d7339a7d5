"""The register's API on every store: entries, KPIs, baselines, series, questions, export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import numpy as np
import pytest

import itil_ci as ic
from itil_ci.errors import ConflictError, DecodeError, InvalidInputError, NotFound, StorageError
from itil_ci.prioritisation import Criterion
from itil_ci.register import MemoryStore, Register, RegisterExport, SQLiteStore, Store

UTC = dt.UTC


def _t(*days: str) -> np.ndarray:
    return np.array(days, dtype="datetime64[ns]")


def test_stores_implement_the_protocol(tmp_path: Path) -> None:
    assert isinstance(MemoryStore(), Store)
    s = SQLiteStore(tmp_path / "x.db")
    assert isinstance(s, Store)
    s.close()
    assert not isinstance(object(), Store)


def test_log_read_update_and_version(reg: Register) -> None:
    opp = ic.Opportunity("Password resets", id="o1", service="email", source="problem")
    reg.log(opp)
    assert reg.opportunity("o1") == opp
    copy = reg.opportunity("o1")
    opp.move_to("assessed")
    assert reg.update(opp).version == 1
    stored = reg.opportunity("o1")
    assert stored.version == 1
    assert stored.status is ic.OpportunityStatus.ASSESSED
    with pytest.raises(ConflictError) as err:
        reg.update(copy)
    assert (err.value.entity, err.value.id, err.value.expected, err.value.actual) == (
        "opportunity",
        "o1",
        0,
        1,
    )
    assert copy.version == 0  # a refused update leaves the caller's copy alone
    assert reg.opportunity("o1").status is ic.OpportunityStatus.ASSESSED


def test_initiative_update_dispatches_on_type(reg: Register) -> None:
    ini = reg.log(ic.Initiative("Faster restores", id="i1", model="pdca"))
    ini.step = "plan"
    reg.update(ini)
    reg.update(ini)
    back = reg.initiative("i1")
    assert (back.step, back.version) == ("plan", 2)
    with pytest.raises(NotFound):
        reg.initiative("o1")


def test_duplicate_ids_and_missing_entries(reg: Register) -> None:
    reg.log(ic.Opportunity("x", id="same"))
    with pytest.raises(InvalidInputError, match=r"opportunity\.id: expected an id not yet"):
        reg.log(ic.Opportunity("y", id="same"))
    reg.log(ic.Initiative("an initiative may reuse an opportunity's id", id="same"))
    with pytest.raises(NotFound, match="'ghost' not found"):
        reg.update(ic.Opportunity("g", id="ghost"))
    with pytest.raises(NotFound):
        reg.opportunity("ghost")
    assert reg.opportunity("same").title == "x"


def test_opportunity_filters(reg: Register) -> None:
    rows = [
        ("a", "email", "problem", "logged"),
        ("b", "email", "audit", "assessed"),
        ("c", "vpn", "problem", "logged"),
        ("d", "vpn", "survey", "logged"),
    ]
    for i, service, source, status in rows:
        o = ic.Opportunity(i, id=i, service=service, source=source)
        if status == "assessed":
            o.move_to("assessed")
        reg.log(o)
    ids = lambda xs: [x.id for x in xs]  # noqa: E731
    assert ids(reg.opportunities()) == ["a", "b", "c", "d"]
    assert ids(reg.opportunities(service="email")) == ["a", "b"]
    assert ids(reg.opportunities(source="problem")) == ["a", "c"]
    assert ids(reg.opportunities(status="logged", service="vpn")) == ["c", "d"]
    assert ids(reg.opportunities(source=["audit", ic.OpportunitySource.SURVEY])) == ["b", "d"]
    assert ids(reg.opportunities(service="nope")) == []


def test_initiatives_by_step_overdue_counts_and_remeasurement(reg: Register) -> None:
    today = dt.date(2026, 6, 1)
    k_due = ic.KPI("mttr", target=ic.Target(4.0, due="2026-05-01"))
    inis = [
        ic.Initiative(
            "late action", id="a", model="pdca", step="do", plan=[ic.Action("x", due="2026-05-31")]
        ),
        ic.Initiative(
            "due today is not late",
            id="b",
            model="pdca",
            step="do",
            plan=[ic.Action("x", due="2026-06-01")],
        ),
        ic.Initiative(
            "late but done",
            id="c",
            model="pdca",
            step="check",
            plan=[ic.Action("x", due="2026-01-01", done=True)],
        ),
        ic.Initiative("late KPI target", id="d", model="itil4", step="plan", kpis=[k_due]),
        ic.Initiative(
            "closed is never late",
            id="e",
            model="pdca",
            step="closed",
            plan=[ic.Action("x", due="2020-01-01")],
            remeasure_on="2026-06-01",
        ),
        ic.Initiative("not started", id="f", model="itil4", remeasure_on="2026-06-02"),
    ]
    for i in inis:
        reg.log(i)
    ids = lambda xs: [x.id for x in xs]  # noqa: E731
    assert ids(reg.initiatives(overdue=True, today=today)) == ["a", "d"]
    assert ids(reg.initiatives(overdue=False, today=today)) == ["b", "c", "e", "f"]
    assert ids(reg.initiatives(step="do")) == ["a", "b"]
    assert ids(reg.initiatives(step=["plan", "closed"])) == ["d", "e"]
    assert ids(reg.initiatives(model="itil4")) == ["d", "f"]
    assert ids(reg.initiatives(model="pdca", overdue=True, today=today)) == ["a"]
    assert reg.step_counts() == {None: 1, "check": 1, "closed": 1, "do": 2, "plan": 1}
    assert reg.step_counts(model="pdca") == {
        None: 0,
        "plan": 0,
        "do": 2,
        "check": 1,
        "act": 0,
        "closed": 1,
    }
    assert ids(reg.remeasurements_due(today=today)) == ["e"]
    assert ids(reg.remeasurements_due(today="2026-06-02")) == ["e", "f"]
    # finishing the action takes it off the overdue list
    a = reg.initiative("a")
    a.plan = [ic.Action("x", due="2026-05-31", done=True)]
    reg.update(a)
    assert ids(reg.initiatives(overdue=True, today=today)) == ["d"]


def test_kpis_and_baselines(reg: Register) -> None:
    reg.define_kpi(ic.KPI("mttr", direction="lower"))
    reg.define_kpi(ic.KPI("fcr", direction="higher"))
    reg.define_kpi(ic.KPI("mttr", direction="lower", unit="hours"))  # redefinition
    assert [(k.key, k.unit) for k in reg.kpis()] == [("fcr", ""), ("mttr", "hours")]
    assert reg.kpi("mttr").unit == "hours"
    with pytest.raises(NotFound):
        reg.kpi("nope")
    b1 = ic.Baseline("mttr", 6.0, n=10)
    b2 = ic.Baseline("mttr", 5.5, n=12)
    reg.add_baseline(b1)
    reg.add_baseline(ic.Baseline("fcr", 0.7))
    reg.add_baseline(b2)
    assert reg.baselines("mttr") == [b1, b2]
    assert reg.baseline("mttr") == b2
    assert len(reg.baselines()) == 3


def test_record_and_series(reg: Register) -> None:
    assert reg.record("mttr", _t("2026-01-03", "2026-01-01"), [3.0, 1.0]) == 2
    reg.record("mttr", _t("2026-01-02", "2026-01-05"), [2.0, np.nan], source="snow")
    reg.record("other", _t("2026-01-01"), [9.0])
    s = reg.series("mttr")
    assert s.times.tolist() == _t("2026-01-01", "2026-01-02", "2026-01-03", "2026-01-05").tolist()
    np.testing.assert_array_equal(s.values, [1.0, 2.0, 3.0, np.nan])
    assert s.allow_missing
    assert s.kpi_key == "mttr"
    assert not reg.series("other").allow_missing
    w = reg.series(
        "mttr", start=dt.datetime(2026, 1, 2, tzinfo=UTC), end="2026-01-05T00:00:00+00:00"
    )
    assert w.values.tolist() == [2.0, 3.0]
    assert reg.series("mttr", filters={"source": "snow"}).times.size == 2
    assert reg.series("mttr", filters={"source": None}).values.tolist() == [1.0, 3.0]
    assert reg.series("mttr", filters={"source": [None, "snow"]}).times.size == 4
    assert len(reg.series("never-recorded")) == 0
    assert reg.record("mttr", _t(), []) == 0


def test_series_orders_ties_by_source_then_recording(reg: Register) -> None:
    t = _t("2026-01-01", "2026-01-01")
    reg.record("k", t, [1.0, 2.0], source="b")
    reg.record("k", t, [3.0, 4.0])
    reg.record("k", t[:1], [5.0], source="a")
    reg.record("k", t[:1], [6.0], source="b")
    # unlabelled first, then 'a', then 'b'; within a source in recording order
    assert reg.series("k").values.tolist() == [3.0, 4.0, 5.0, 1.0, 2.0, 6.0]


def test_large_record_spans_chunks_and_windows(reg: Register) -> None:
    n = 150_000  # more than two chunks
    t = (np.int64(1_700_000_000) * 10**9 + np.arange(n, dtype=np.int64) * 10**9).view(
        "datetime64[ns]"
    )
    x = np.arange(n, dtype=float)
    reg.record("big", t[::-1], x[::-1])
    s = reg.series("big")
    np.testing.assert_array_equal(s.values, x)
    w = reg.series("big", start=t[70_000], end=t[140_001])
    np.testing.assert_array_equal(w.values, x[70_000:140_001])


BAD_INPUT = [
    ("log", (ic.KPI("x"),), InvalidInputError, "entry: expected an Opportunity or an Initiative"),
    ("update", ("o",), InvalidInputError, "entry: expected an Opportunity"),
    ("define_kpi", ("mttr",), InvalidInputError, "kpi: expected a KPI"),
    ("add_baseline", (3.0,), InvalidInputError, "baseline: expected a Baseline"),
    ("record", ("bad key", _t("2026-01-01"), [1.0]), InvalidInputError, "kpi_key: expected"),
    ("record", ("k", _t("2026-01-01"), [1.0, 2.0]), InvalidInputError, "values: expected 1"),
    ("record", ("k", _t("2026-01-01"), [np.inf]), InvalidInputError, r"values\[0\]"),
    ("record", ("k", ["2026-01-01"], [1.0]), InvalidInputError, r"times\[0\]"),
    ("record", ("k", _t("2026-01-01"), [1.0], ""), InvalidInputError, "source: expected"),
    ("series", ("k", None, None, {"bad name": "x"}), InvalidInputError, "filters: expected a dim"),
    ("series", ("k", None, None, {"service": None}), InvalidInputError, r"filters\['service'\]"),
    ("series", ("k", None, None, {"service": [3]}), InvalidInputError, "a string or a list"),
    ("series", ("k", None, None, {"source": 3}), InvalidInputError, "a source name, None"),
    ("series", ("k", None, None, "service"), InvalidInputError, "filters: expected a mapping"),
    ("record", ("k", _t("2026-01-01"), [1.0], None, {"source": "x"}), InvalidInputError, "not 'so"),
    ("record", ("k", _t("2026-01-01"), [1.0], None, {"1st": "x"}), InvalidInputError, "dims: exp"),
    ("record", ("k", _t("2026-01-01"), [1.0], None, {"a": ""}), InvalidInputError, "non-empty"),
    ("record", ("k", _t("2026-01-01"), [1.0], None, ["a"]), InvalidInputError, "dims: expected"),
    (
        "record",
        ("k", _t("2026-01-01", "2026-01-02"), [1.0, 2.0], None, {"a": ["x"]}),
        InvalidInputError,
        r"dims\['a'\]: expected one string or 2 strings .* got shape \(1,\)",
    ),
    (
        "record",
        ("k", _t("2026-01-01", "2026-01-02"), [1.0, 2.0], None, {"a": ["x", 3]}),
        InvalidInputError,
        r"dims\['a'\]\[1\]: expected a string",
    ),
    (
        "record",
        ("k", _t("2026-01-01", "2026-01-02"), [1.0, 2.0], None, {"a": ["x", ""]}),
        InvalidInputError,
        r"dims\['a'\]\[1\]: expected a non-empty string",
    ),
    (
        "record",
        ("k", _t("2026-01-01", "2026-01-02"), [1.0, 2.0], None, {"a": np.array([1, 2])}),
        InvalidInputError,
        r"dims\['a'\]: expected strings \(one per observation\), got 'an array of int64'",
    ),
    ("series", ("k", "yesterday"), InvalidInputError, "start"),
    ("opportunities", (), InvalidInputError, "status"),
    ("initiatives", (), InvalidInputError, "overdue"),
    ("prioritised", ("nope",), InvalidInputError, "model: expected one of"),
    ("prioritised", ("weighted-sum",), InvalidInputError, "criteria: expected"),
    ("import_json", ("{not json",), DecodeError, "not valid JSON"),
    ("drifting", (), InvalidInputError, "limit_points"),
]
KWARGS = {
    "opportunities": {"status": "open-ish"},
    "initiatives": {"overdue": "yes"},
    "drifting": {"limit_points": 1},
}


@pytest.mark.parametrize(
    ("method", "args", "exc", "match"),
    BAD_INPUT,
    ids=[f"{m}-{i}" for i, (m, *_) in enumerate(BAD_INPUT)],
)
def test_bad_input(reg: Register, method: str, args: tuple, exc: type, match: str) -> None:  # type: ignore[type-arg]
    before = reg.export_json()
    with pytest.raises(exc, match=match):
        getattr(reg, method)(*args, **KWARGS.get(method, {}))
    assert reg.export_json() == before


def test_open_rejects_bad_arguments() -> None:
    with pytest.raises(InvalidInputError, match="path"):
        Register.open(3)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="store"):
        Register(object())  # type: ignore[arg-type]


def test_closed_register_raises_storage_error(reg: Register) -> None:
    reg.close()
    with pytest.raises(StorageError, match="closed"):
        reg.opportunities()
    with pytest.raises(StorageError, match="closed"):
        reg.log(ic.Opportunity("x"))


def test_transaction_is_all_or_nothing(reg: Register) -> None:
    reg.log(ic.Opportunity("keep", id="keep"))

    def writes() -> None:
        with reg.transaction():
            reg.log(ic.Opportunity("new", id="new"))
            reg.record("k", _t("2026-01-01"), [1.0])
            reg.define_kpi(ic.KPI("k"))
            reg.add_baseline(ic.Baseline("k", 1.0))
            reg.log(ic.Opportunity("dup", id="keep"))

    with pytest.raises(InvalidInputError):
        writes()
    assert [o.id for o in reg.opportunities()] == ["keep"]
    assert len(reg.series("k")) == 0
    assert reg.kpis() == []
    assert reg.baselines() == []


# --- questions ---------------------------------------------------------------------


def test_prioritised_through_the_prioritisation_core(reg: Register) -> None:
    from itil_ci.prioritisation import weighted_sum, wsjf

    opps = [
        ic.Opportunity(
            "A", id="a", expected_benefit=8, effort=3, scores={"bv": 8, "tc": 3, "rr": 1, "size": 5}
        ),
        ic.Opportunity(
            "B", id="b", expected_benefit=6, effort=1, scores={"bv": 5, "tc": 5, "rr": 2, "size": 2}
        ),
        ic.Opportunity(
            "C", id="c", expected_benefit=2, effort=2, scores={"bv": 1, "tc": 1, "rr": 1, "size": 1}
        ),
        ic.Opportunity(
            "D", id="d", expected_benefit=9, effort=9, scores={"bv": 9, "tc": 9, "rr": 9, "size": 9}
        ),
    ]
    for o in opps:
        reg.log(o)
    d = reg.opportunity("d")
    d.move_to("withdrawn")  # closed entries drop out of the backlog
    reg.update(d)
    crit = [Criterion("benefit", 2), Criterion("effort", 1, "cost")]
    keys = {"benefit": "expected_benefit"}
    got = reg.prioritised(criteria=crit, keys=keys)
    # the register must hand the core exactly the open opportunities, in id order
    want = weighted_sum(opps[:3], crit, keys=keys)
    assert got == want
    # weighted sum with min-max: a = (2*1 + 1*(1-1))/3 = 0.667, b = (2*0.667 + 1)/3 = 0.778
    assert got.order == ("b", "a", "c")
    w = reg.prioritised(
        "wsjf",
        keys={
            "business_value": "bv",
            "time_criticality": "tc",
            "risk_reduction": "rr",
            "job_size": "size",
        },
    )
    assert w == wsjf(
        opps[:3],
        keys={
            "business_value": "bv",
            "time_criticality": "tc",
            "risk_reduction": "rr",
            "job_size": "size",
        },
    )
    # (5+5+2)/2 = 6 > (1+1+1)/1 = 3 > (8+3+1)/5 = 2.4
    assert w.order == ("b", "c", "a")
    assert reg.prioritised(criteria=crit, keys=keys, service="nowhere").ids == ()
    assert reg.prioritised(criteria=crit, keys=keys, status="withdrawn").ids == ("d",)


def _closed_initiative(key: str = "mttr") -> ic.Initiative:
    k = ic.KPI(key, direction="lower", target=ic.Target(4.0, tolerance=0.5))
    return ic.Initiative(
        "Faster restores",
        id="i1",
        model="pdca",
        step="closed",
        kpis=[k],
        baselines={key: ic.Baseline(key, 6.0)},
        updated_at=dt.datetime(2026, 5, 1, tzinfo=UTC),
    )


def test_outcomes_through_evaluate(reg: Register) -> None:
    reg.log(_closed_initiative())
    reg.log(ic.Initiative("still open", id="i2", model="pdca", step="do"))
    reg.record("mttr", _t("2026-04-01", "2026-05-02", "2026-05-03"), [9.0, 4.2, 4.6])
    (o,) = reg.outcomes()
    assert o.initiative_id == "i1"
    assert o.n_after == 2
    assert o.note == ""
    assert o.evaluation is not None
    # mean of the two values after closure = 4.4; attainment (4.4-6)/(4-6) = 0.8;
    # 0.4 above the target of 4 and within the 0.5 tolerance: amber
    assert o.evaluation.value == pytest.approx(4.4)
    assert o.evaluation.attainment == pytest.approx(0.8)
    assert o.evaluation.status.value == "amber"


def test_outcomes_say_what_is_missing(reg: Register) -> None:
    ini = _closed_initiative()
    ini.baselines = {}
    ini.updated_at = dt.datetime(2026, 5, 1, tzinfo=UTC)  # setting a field touches updated_at
    reg.log(ini)
    (o,) = reg.outcomes()
    assert o.evaluation is None
    assert o.note == "no baseline"
    reg.add_baseline(
        ic.Baseline("mttr", 6.0)
    )  # a kept baseline is used when the initiative has none
    (o,) = reg.outcomes()
    assert o.note == "no observations since closure"
    reg.record("mttr", _t("2026-05-02"), [3.0])
    (o,) = reg.outcomes(initiative="i1")
    assert o.evaluation is not None
    assert o.evaluation.status.value == "green"


def test_drifting_uses_xmr_and_signals(reg: Register) -> None:
    from itil_ci.measurement import signals, xmr

    reg.log(_closed_initiative())
    x = [4.0, 4.2, 3.9, 4.1, 4.0, 3.8, 4.1, 4.0, 4.2, 3.9, 4.0, 9.0, 1.0]
    t = np.datetime64("2026-05-02", "ns") + np.arange(len(x)) * np.timedelta64(1, "D")
    reg.record("mttr", t, x)
    reg.record("mttr", _t("2026-01-01"), [50.0])  # before closure: ignored
    (d,) = reg.drifting(limit_points=10)
    chart = xmr(x, baseline_points=10)
    expected = [s for s in signals(x, chart, direction="lower") if s.kind.value == "concern"]
    assert d.signals == tuple(expected)
    # 9.0 is above the upper limit (a concern for lower-is-better); 1.0 below the lower
    # limit is an improvement, so it is not drift
    assert [s.index for s in d.signals] == [11]
    assert d.times == (dt.datetime(2026, 5, 13, tzinfo=UTC),)
    assert d.drifting
    assert d.n_after == len(x)
    assert d.limit_points == 10
    assert (d.centre, d.upper) == (chart.centre, chart.upper)


# --- export and import -------------------------------------------------------------


def _fill(reg: Register) -> None:
    reg.log(ic.Opportunity("o", id="o1", service="email", scores={"x": 1.5}))
    reg.log(_closed_initiative())
    reg.define_kpi(ic.KPI("mttr", direction="lower", target=ic.Target(4.0, due="2026-12-31")))
    reg.add_baseline(ic.Baseline("mttr", 6.0, filters={"service": "email"}))
    reg.record("mttr", _t("2026-01-01", "2026-01-02"), [0.1, np.nan])
    reg.record("mttr", _t("2026-01-01"), [1e-300], source="snow")
    reg.record("fcr", _t("2026-01-01T00:00:00.000000001"), [-0.0])
    # dimensions: per observation, one for all, a missing one (None), a non-ASCII value
    reg.record(
        "mttr",
        _t("2026-01-01", "2026-01-01", "2026-01-03"),
        [2.0, 3.0, np.nan],
        source="snow",
        dims={"service": ["email", "vpn", "email"], "team": ["ops", None, 'Zürich, "a"']},
    )
    reg.record("fcr", _t("2026-01-02"), [0.5], dims={"priority": "P1"})


def test_json_round_trip_is_exact(reg: Register) -> None:
    _fill(reg)
    text = reg.export_json()
    other = Register.in_memory()
    other.import_json(text)
    assert other.export() == reg.export()
    assert other.export_json() == text
    assert [(rs.series.kpi_key, rs.source, rs.dims) for rs in reg.export().series] == [
        ("fcr", None, {}),
        ("fcr", None, {"priority": "P1"}),
        ("mttr", None, {}),
        ("mttr", "snow", {}),
        ("mttr", "snow", {"service": "email", "team": 'Zürich, "a"'}),
        ("mttr", "snow", {"service": "email", "team": "ops"}),
        ("mttr", "snow", {"service": "vpn"}),
    ]
    np.testing.assert_array_equal(other.series("mttr").values, reg.series("mttr").values)
    assert json.loads(text)["type"] == "RegisterExport"


def test_csv_round_trip_is_exact(reg: Register, tmp_path: Path) -> None:
    _fill(reg)
    files = reg.export_csv(tmp_path / "csv")
    assert [f.name for f in files] == [
        "opportunities.csv",
        "initiatives.csv",
        "kpis.csv",
        "baselines.csv",
        "observations.csv",
    ]
    other = Register.open(tmp_path / "other.db")
    other.import_csv(tmp_path / "csv")
    assert other.export_json() == reg.export_json()
    other.close()


def test_bad_import_writes_nothing(reg: Register, tmp_path: Path) -> None:
    _fill(reg)
    doc = json.loads(reg.export_json())
    before = reg.export_json()
    target = Register.in_memory()
    target.log(ic.Opportunity("existing", id="z"))
    base = target.export_json()
    # a bad field deep inside: the codec names it, nothing is written
    bad = json.loads(json.dumps(doc))
    bad["initiatives"][0]["kpis"][0]["target"]["value"] = "four"
    with pytest.raises(DecodeError, match=r"initiatives\[0\]\.kpis\[0\]\.target\.value"):
        target.import_json(json.dumps(bad))
    assert target.export_json() == base
    # a clash with an id already stored: also nothing
    clash = json.loads(json.dumps(doc))
    clash["opportunities"].append({**clash["opportunities"][0], "id": "z"})
    with pytest.raises(InvalidInputError, match=r"opportunity\.id"):
        target.import_json(json.dumps(clash))
    assert target.export_json() == base
    assert reg.export_json() == before


def test_bad_csv_import_names_file_and_line(reg: Register, tmp_path: Path) -> None:
    _fill(reg)
    d = tmp_path / "csv"
    reg.export_csv(d)
    good = (d / "observations.csv").read_text()

    def edit(column: int, cell: str) -> None:
        rows = list(csv.reader(io.StringIO(good)))
        rows[2][column] = cell
        with (d / "observations.csv").open("w", newline="") as f:
            csv.writer(f).writerows(rows)

    target = Register.in_memory()
    edit(3, "abc")
    with pytest.raises(InvalidInputError, match=r"observations.csv, line 3, field 'value'"):
        target.import_csv(d)
    edit(4, '{"service": "email"}')  # not canonical (a space)
    with pytest.raises(InvalidInputError, match=r"line 3, field 'dims': dims: expected the can"):
        target.import_csv(d)
    edit(4, '{"source":"x"}')
    with pytest.raises(InvalidInputError, match=r"line 3, field 'dims': dims: expected a dim"):
        target.import_csv(d)
    assert target.export() == RegisterExport()
    (d / "kpis.csv").unlink()
    with pytest.raises(InvalidInputError, match=r"kpis\.csv: the file is missing"):
        target.import_csv(d)


def test_drifting_filters_skips_short_series_and_keeps_both_sides_without_direction(
    reg: Register,
) -> None:
    x = [4.0, 4.2, 3.9, 4.1, 4.0, 3.8, 4.1, 4.0, 4.2, 3.9, 4.0, 9.0, 1.0]
    # limits from the first 10 by hand: centre 40.2 / 10 = 4.02; mean moving range
    # (0.2+0.3+0.2+0.1+0.2+0.3+0.1+0.2+0.3) / 9 = 1.9 / 9; limits 4.02 +- 2.66 * 1.9 / 9
    # = [3.458, 4.582] (XmR constant 2.66, Wheeler, Understanding Variation): 9.0 and 1.0
    # are outside, every other point inside.
    t = np.datetime64("2026-05-02", "ns") + np.arange(len(x)) * np.timedelta64(1, "D")
    no_direction = ic.Initiative(
        "No direction",
        id="i2",
        model="pdca",
        step="closed",
        kpis=[ic.KPI("cpu")],
        updated_at=dt.datetime(2026, 5, 1, tzinfo=UTC),
    )
    reg.log(_closed_initiative())
    reg.log(no_direction)
    reg.log(ic.Initiative("Open", id="i3", model="pdca", step="do", kpis=[ic.KPI("cpu")]))
    reg.record("cpu", t, x)
    reg.record("mttr", t[:1], [x[0]])  # one observation since closure: not checked
    (d,) = reg.drifting(limit_points=10)
    assert (d.initiative_id, d.kpi_key) == ("i2", "cpu")
    assert d.centre == pytest.approx(4.02)
    assert d.upper == pytest.approx(4.02 + 2.66 * 1.9 / 9)
    assert d.lower == pytest.approx(4.02 - 2.66 * 1.9 / 9)
    # no direction: a point below the lower limit is a signal too
    assert [s.index for s in d.signals] == [11, 12]
    assert d.times == (dt.datetime(2026, 5, 13, tzinfo=UTC), dt.datetime(2026, 5, 14, tzinfo=UTC))
    assert reg.drifting(initiative="i1", limit_points=10) == []
    assert [d.initiative_id for d in reg.drifting(initiative="i2", limit_points=10)] == ["i2"]
    # fewer observations than the default 20 limit points: the limits use all 13
    (short,) = reg.drifting(initiative="i2")
    assert (short.limit_points, short.n_after) == (13, 13)
    # a steady KPI is listed as checked and not drifting
    reg.record("mttr", t[1:10], x[1:10])
    steady = {d.kpi_key: d for d in reg.drifting(limit_points=10)}["mttr"]
    assert not steady.drifting
    assert steady.signals == ()
    assert (steady.n_after, steady.limit_points) == (10, 10)
