"""Import refuses to redefine KPIs or to append data twice unless asked; direct KPI lookup;
one query per listing; baselines read once by outcomes()."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from itil_ci.domain import KPI, Action, Baseline, Initiative, Target
from itil_ci.errors import InvalidInputError, NotFound
from itil_ci.register import MemoryStore, Register, SQLiteStore, Store


def _t(*days: str) -> np.ndarray[Any, Any]:
    return np.array(days, dtype="datetime64[ns]")


def _source() -> Register:
    a = Register.in_memory()
    a.define_kpi(KPI("mttr", unit="h", direction="lower"))
    a.add_baseline(Baseline("mttr", 6.0))
    a.record("mttr", _t("2026-01-01", "2026-01-02"), [5.0, 4.0])
    a.record("mttr", _t("2026-01-01"), [7.0], source="itsm")
    return a


def test_importing_twice_is_refused_and_writes_nothing(reg: Register, tmp_path: Path) -> None:
    a = _source()
    text = a.export_json()
    reg.import_json(text)
    before = reg.export()
    assert len(reg.series("mttr")) == 3
    with pytest.raises(InvalidInputError, match=r"document\.kpis: .*\['mttr'\]"):
        reg.import_json(text)
    assert reg.export() == before
    a.export_csv(tmp_path / "csv")
    with pytest.raises(InvalidInputError, match=r"document\.kpis"):
        reg.import_csv(tmp_path / "csv")
    assert reg.export() == before
    # Replacing the KPIs alone still meets the stored baselines and observations.
    with pytest.raises(InvalidInputError, match=r"document\.baselines: .*\['mttr'\]"):
        reg.import_json(text, replace_kpis=True)
    assert reg.export() == before


def test_series_clash_names_the_series(reg: Register) -> None:
    reg.record("mttr", _t("2026-03-01"), [3.0], source="itsm")
    doc = _source().export()
    doc_no_baselines = type(doc)(kpis=(), series=doc.series)
    with pytest.raises(InvalidInputError, match=r"document\.series: .*\('mttr', 'itsm'\)"):
        reg.load(doc_no_baselines)
    assert len(reg.series("mttr")) == 1


def test_replace_kpis_and_append_are_explicit(reg: Register) -> None:
    reg.define_kpi(KPI("mttr", unit="minutes"))
    a = _source()
    reg.import_json(a.export_json(), replace_kpis=True)
    assert reg.kpi("mttr").unit == "h"
    reg.import_json(a.export_json(), replace_kpis=True, append=True)
    # Appended on purpose: two baselines and every observation twice.
    assert [b.value for b in reg.baselines("mttr")] == [6.0, 6.0]
    assert len(reg.series("mttr")) == 6


@pytest.mark.parametrize("bad", [1, "yes", None])
def test_import_options_must_be_bools(reg: Register, bad: object) -> None:
    with pytest.raises(InvalidInputError, match="replace_kpis"):
        reg.load(_source().export(), replace_kpis=bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="append"):
        reg.load(_source().export(), append=bad)  # type: ignore[arg-type]


# -- direct KPI lookup ---------------------------------------------------------------


@pytest.mark.parametrize("store", [MemoryStore, lambda: SQLiteStore(":memory:")])
def test_get_kpi_is_part_of_the_store_protocol(store: Any) -> None:
    s = store()
    assert isinstance(s, Store)
    s.put_kpi("mttr", "m")
    assert s.get_kpi("mttr") == "m"
    assert s.get_kpi("fcr") is None
    s.close()


def test_kpi_reads_one_definition(reg: Register, monkeypatch: pytest.MonkeyPatch) -> None:
    reg.define_kpi(KPI("mttr"))
    reg.define_kpi(KPI("fcr"))

    def every(*a: object) -> list[str]:
        raise AssertionError("kpi(key) must not read every KPI")

    monkeypatch.setattr(reg.store, "kpis", every)
    assert reg.kpi("fcr").key == "fcr"
    with pytest.raises(NotFound):
        reg.kpi("csat")


# -- one query for overdue=False ---------------------------------------------------------


def test_not_overdue_is_one_query(reg: Register, monkeypatch: pytest.MonkeyPatch) -> None:
    reg.log(Initiative("late", id="a", plan=[Action("do it", due="2026-01-31")]))
    reg.log(Initiative("fine", id="b"))
    reg.log(Initiative("later", id="c", plan=[Action("do it", due="2026-03-01")]))
    reg.log(
        Initiative("closed late", id="d", step="closed", plan=[Action("do it", due="2026-01-01")])
    )
    calls: list[object] = []
    select = reg.store.select

    def spy(*a: Any, **k: Any) -> list[str]:
        calls.append(a)
        return select(*a, **k)

    monkeypatch.setattr(reg.store, "select", spy)
    assert [i.id for i in reg.initiatives(overdue=False, today="2026-02-01")] == ["b", "c", "d"]
    assert len(calls) == 1
    assert [i.id for i in reg.initiatives(overdue=True, today="2026-02-01")] == ["a"]
    assert [i.id for i in reg.initiatives(today="2026-02-01")] == ["a", "b", "c", "d"]


# -- outcomes() reads the kept baselines once ---------------------------------------------


def test_outcomes_read_baselines_once(reg: Register, monkeypatch: pytest.MonkeyPatch) -> None:
    when = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    kpis = [
        KPI("mttr", direction="lower", target=Target(4.0, tolerance=0.5)),
        KPI("fcr", direction="higher", target=Target(0.8)),
    ]
    for k in kpis:
        reg.define_kpi(k)
    reg.add_baseline(Baseline("mttr", 7.0))
    reg.add_baseline(Baseline("mttr", 6.0))
    reg.add_baseline(Baseline("fcr", 0.6))
    for i in range(3):
        reg.log(Initiative(f"i{i}", id=f"i-{i}", step="closed", kpis=kpis, updated_at=when))
    reg.record("mttr", _t("2026-05-02", "2026-05-03"), [4.2, 4.6])
    calls: list[object] = []
    baselines = reg.store.baselines

    def spy(key: str | None) -> list[str]:
        calls.append(key)
        return baselines(key)

    monkeypatch.setattr(reg.store, "baselines", spy)
    out = reg.outcomes()
    assert len(out) == 6
    assert len(calls) == 1
    # The latest kept baseline of each KPI is used (6.0 was kept after 7.0).
    assert {(o.kpi_key, o.baseline.value) for o in out if o.baseline} == {
        ("mttr", 6.0),
        ("fcr", 0.6),
    }
