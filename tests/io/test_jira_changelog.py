"""Jira exports with the changelog: derived fields, the SLA outcome, the status history."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from itil_ci.errors import ImportRowError
from itil_ci.io import read_jira

DATA = Path(__file__).parent / "data"
SLA = {"sla_met": "fields.customfield_10030"}


def ts(text: str) -> np.datetime64:
    return np.datetime64(text, "ns")


def test_changelog_known_answers() -> None:
    # Worked out by hand from tests/io/data/jira_changelog.json (times are +02:00).
    r = read_jira(DATA / "jira_changelog.json", fields=SLA)
    t = r.tickets
    assert t.id.tolist() == ["ITSD-201", "ITSD-202", "ITSD-203"]
    # ITSD-202: assignee emma -> raj.support is one reassignment (None -> emma is not).
    assert t.reassignment_count.tolist() == [0, 1, 0]
    # ITSD-202: Resolved -> Reopened once.
    assert t.reopen_count.tolist() == [0, 1, 0]
    # First response: Emma's assignment at 09:05 (her comment at 09:20 is later).
    assert t.acknowledged[0] == ts("2024-04-02T07:05")
    assert t.closed[0] == ts("2024-04-04T08:00")
    # SLA: ITSD-201 one completed cycle, not breached; ITSD-202 an ongoing breached cycle;
    # ITSD-203 an ongoing cycle not (yet) breached: met so far.
    assert t.sla_met.tolist() == [True, False, True]
    assert t.first_contact.tolist() == [True, False, False]
    assert t.updated[1] == ts("2024-04-05T14:00")


def test_status_history_from_the_changelog() -> None:
    h = read_jira(DATA / "jira_changelog.json").history
    assert h is not None
    inc2 = h.select(h.id == "ITSD-202")
    # First status (the first change's fromString) at created, then every change.
    assert inc2.state.tolist() == ["Open", "In Progress", "Waiting for customer",
                                   "In Progress", "Resolved", "Reopened", "Resolved"]  # fmt: skip
    assert inc2.time[0] == ts("2024-04-02T08:30")
    assert inc2.time[-1] == ts("2024-04-05T14:00")
    # An issue that never changed status: one event, its status at created.
    inc3 = h.select(h.id == "ITSD-203")
    assert (inc3.state.tolist(), list(inc3.time)) == (["Open"], [ts("2024-04-03T06:00")])
    assert h.tickets().tolist() == ["ITSD-201", "ITSD-202", "ITSD-203"]


def test_without_changelog_the_derived_fields_are_unknown(tmp_path: Path) -> None:
    doc = json.loads((DATA / "jira_changelog.json").read_text())
    for issue in doc["issues"]:
        del issue["changelog"]
    p = tmp_path / "no_log.json"
    p.write_text(json.dumps(doc))
    t = read_jira(p).tickets
    for name in ("acknowledged", "closed", "reopen_count", "reassignment_count", "first_contact"):
        assert name in t.unknown, name
    assert "sla_met" in t.unknown  # no path given for it


def test_sla_field_of_the_wrong_shape_is_a_row_error(tmp_path: Path) -> None:
    doc = json.loads((DATA / "jira_changelog.json").read_text())
    doc["issues"][1]["fields"]["customfield_10030"] = {"completedCycles": [{"breached": "no"}]}
    p = tmp_path / "bad_sla.json"
    p.write_text(json.dumps(doc))
    with pytest.raises(ImportRowError) as e:
        read_jira(p, fields=SLA)
    assert (e.value.record, e.value.field) == (1, "fields.customfield_10030")
