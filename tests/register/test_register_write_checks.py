"""Every write re-validates what it stores; a read names every entry it cannot read.

Issue 11, point 1: ``log`` and ``add_baseline`` used to store entities changed
after they were built without checking them, and afterwards every listing,
``export_json`` and the report failed.  Now each write encodes the object and
decodes it again (as a read will), on both stores; a stored document that
cannot be read (written by an older, looser library, or damaged) is named with
its kind and id, and a listing still hands back every other entry.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest

import itil_ci as ic
from itil_ci.errors import InvalidInputError, StorageError, UnreadableEntries
from itil_ci.register import Register, RegisterExport


def _opp_kpis_not_text() -> ic.Opportunity:
    o = ic.Opportunity("changed later", id="bad")
    o.kpis.append(5)  # type: ignore[arg-type]  # a list is mutable behind the validators
    return o


def _ini_model_changed() -> ic.Initiative:
    ini = ic.Initiative("changed later", id="bad", step="vision")  # an ITIL 4 step
    ini.model = "seven-step"  # type: ignore[assignment]  # the step no longer belongs to it
    return ini


def _ini_duplicate_kpis() -> ic.Initiative:
    ini = ic.Initiative("changed later", id="bad", kpis=[ic.KPI("mttr")])
    ini.kpis.append(ic.KPI("mttr"))
    return ini


def _ini_nested_baseline_filter() -> ic.Initiative:
    # deeper than attrs.evolve looks: a frozen Baseline's dict inside the initiative
    b = ic.Baseline("mttr", 6.0, filters={"service": "email"})
    ini = ic.Initiative("changed later", id="bad", kpis=[ic.KPI("mttr")], baselines={"mttr": b})
    b.filters["team"] = 5  # type: ignore[assignment]
    return ini


def _opp_score_text() -> ic.Opportunity:
    o = ic.Opportunity("changed later", id="bad", scores={"value": 3.0})
    o.scores["risk"] = "high"  # type: ignore[assignment]
    return o


ENTRIES: dict[str, tuple[Callable[[], ic.Opportunity | ic.Initiative], str]] = {
    "opportunity kpis.append(5)": (_opp_kpis_not_text, "kpis[0]"),
    "initiative model changed under its step": (_ini_model_changed, "step"),
    "initiative duplicate KPI keys": (_ini_duplicate_kpis, "kpis"),
    "initiative baseline filters[team] = 5": (_ini_nested_baseline_filter, "filters"),
    "opportunity scores[risk] = 'high'": (_opp_score_text, "scores"),
}


def _everything_still_reads(reg: Register) -> None:
    reg.opportunities()
    reg.initiatives()
    reg.kpis()
    reg.baselines()
    json.loads(reg.export_json())
    from itil_ci.report import render_html, report_from_register

    render_html(report_from_register(reg), charts=False)


@pytest.mark.parametrize("case", list(ENTRIES))
def test_log_refuses_an_entry_changed_after_it_was_built(reg: Register, case: str) -> None:
    make, field = ENTRIES[case]
    reg.log(ic.Opportunity("fine", id="good"))
    entry = make()
    with pytest.raises(InvalidInputError, match=rf"'bad'.*{re.escape(field)}"):
        reg.log(entry)
    kind = "opportunity" if isinstance(entry, ic.Opportunity) else "initiative"
    assert [o.id for o in reg.opportunities()] == ["good"]  # nothing of it was stored
    assert reg.initiatives() == []
    _everything_still_reads(reg)
    with pytest.raises(ic.NotFound):
        getattr(reg, kind)("bad")


@pytest.mark.parametrize("case", list(ENTRIES))
def test_update_refuses_the_same_changes(reg: Register, case: str) -> None:
    make, field = ENTRIES[case]
    entry = make()
    if isinstance(entry, ic.Opportunity):
        reg.log(ic.Opportunity("x", id="bad"))
    else:
        reg.log(ic.Initiative("x", id="bad"))
    with pytest.raises(InvalidInputError, match=rf"'bad'.*{re.escape(field)}"):
        reg.update(entry)
    assert entry.version == 0
    kind = "opportunity" if isinstance(entry, ic.Opportunity) else "initiative"
    assert getattr(reg, kind)("bad").title == "x"  # the stored copy is untouched
    _everything_still_reads(reg)


def test_add_baseline_refuses_filters_changed_after_it_was_built(reg: Register) -> None:
    reg.add_baseline(ic.Baseline("mttr", 5.0))
    b = ic.Baseline("mttr", 6.0, filters={"service": "email"})
    b.filters["team"] = 5  # type: ignore[assignment]
    with pytest.raises(InvalidInputError, match=r"baseline.*'mttr'.*filters\['team'\]"):
        reg.add_baseline(b)
    assert [x.value for x in reg.baselines("mttr")] == [5.0]
    _everything_still_reads(reg)


def test_load_of_a_changed_document_writes_nothing(reg: Register) -> None:
    doc = RegisterExport(
        opportunities=(ic.Opportunity("fine", id="a"), _opp_kpis_not_text()),
        kpis=(ic.KPI("mttr"),),
    )
    with pytest.raises(InvalidInputError, match="'bad'"):
        reg.load(doc)
    assert reg.export() == RegisterExport()  # all or nothing


def test_define_kpi_and_record_keep_the_register_readable(reg: Register) -> None:
    reg.define_kpi(ic.KPI("mttr", direction="lower"))
    with pytest.raises(InvalidInputError, match="source"):
        reg.record("mttr", ["2026-01-01T00:00:00+00:00"], [1.0], source="\ud800")
    with pytest.raises(InvalidInputError, match="dims"):
        reg.record("mttr", ["2026-01-01T00:00:00+00:00"], [1.0], dims={"team": "\udfff"})
    assert len(reg.series("mttr")) == 0
    _everything_still_reads(reg)


# --- reads: every unreadable entry is named, the others are not hidden ---------------

_ROW = {"status": "logged", "service": "", "source": "idea", "updated_at": "2026-01-01"}


def _old_document(title: object) -> str:
    """A document as a looser library might have stored it (the title is not text)."""
    return json.dumps({"schema_version": 1, "type": "Opportunity", "title": title})


def test_a_listing_names_every_unreadable_entry_and_returns_the_rest(reg: Register) -> None:
    for i in range(4):
        reg.log(ic.Opportunity(f"fine {i}", id=f"o{i}"))
    reg.store.insert("opportunity", "o1x", 0, _ROW, _old_document(5))
    reg.store.insert("opportunity", "o3x", 0, _ROW, "{not json")
    with pytest.raises(UnreadableEntries) as caught:
        reg.opportunities()
    err = caught.value
    assert isinstance(err, StorageError)
    assert [p.split(":")[0] for p in err.problems] == ["opportunity 'o1x'", "opportunity 'o3x'"]
    assert "title" in err.problems[0]
    assert "o1x" in str(err)
    assert "o3x" in str(err)
    readable = [o.id for o in err.readable]  # type: ignore[attr-defined]
    assert readable == ["o0", "o1", "o2", "o3"]
    assert reg.opportunity("o2").title == "fine 2"  # one entry at a time still reads
    with pytest.raises(StorageError, match="opportunity 'o1x'"):
        reg.opportunity("o1x")
    with pytest.raises(UnreadableEntries, match="o1x"):
        reg.export_json()  # a backup that silently dropped an entry would be worse


def test_kpis_and_baselines_name_what_they_cannot_read(reg: Register) -> None:
    reg.define_kpi(ic.KPI("fcr"))
    reg.store.put_kpi("mttr", json.dumps({"schema_version": 1, "type": "KPI", "key": 5}))
    reg.add_baseline(ic.Baseline("mttr", 6.0))
    reg.store.add_baseline("mttr", '{"schema_version": 1, "type": "Baseline"}')
    reg.add_baseline(ic.Baseline("fcr", 0.7))
    with pytest.raises(UnreadableEntries, match="KPI 'mttr'") as kpis:
        reg.kpis()
    assert [k.key for k in kpis.value.readable] == ["fcr"]  # type: ignore[attr-defined]
    with pytest.raises(StorageError, match="KPI 'mttr'"):
        reg.kpi("mttr")
    with pytest.raises(UnreadableEntries, match="baseline 2 of 'mttr'") as bases:
        reg.baselines()
    assert [b.value for b in bases.value.readable] == [6.0, 0.7]  # type: ignore[attr-defined]
    assert reg.baselines("fcr")[0].value == 0.7
