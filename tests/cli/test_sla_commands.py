"""``sla define``/``sla list``, the import's report, ``kpi measure`` and derived baselines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli._run import clean, ok, run


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "reg.sqlite")


def _csv(tmp_path: Path, rows: str) -> str:
    path = tmp_path / "t.csv"
    path.write_text("Number,Opened,Resolved,Priority,Group,Made\n" + rows, encoding="utf-8")
    return str(path)


MAP = ["--map", "Number=id", "--map", "Opened=opened", "--map", "Resolved=resolved",
       "--map", "Priority=priority", "--map", "Group=assignment_group"]  # fmt: skip


def test_define_list_and_change_only_what_is_given(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--db", db, "sla", "list")
    assert code == 0
    assert out.startswith("no SLA definitions; define one, e.g. itil-ci sla define")
    s = ok(
        capsys, "--db", db, "sla", "define", "standard", "--priority", "1=4h",
        "--priority", "P3=1d", "--priority", "2=90m", "--calendar", "mon-fri 08:00-18:00",
        "--timezone", "Europe/London", "--holidays", "GB-ENG", "--holidays", "2016-12-27",
        "--pause", "On Hold",
    )  # fmt: skip
    assert s["targets"] == {"1": 4.0, "2": 1.5, "3": 24.0}
    assert s["calendar"]["country"] == "GB"
    assert s["calendar"]["subdiv"] == "ENG"
    assert s["calendar"]["holidays"] == ["2016-12-27"]
    assert s["pause_states"] == ["On Hold"]
    s2 = ok(capsys, "--db", db, "sla", "define", "standard", "--priority", "3=16h")
    assert s2["targets"] == {"1": 4.0, "2": 1.5, "3": 16.0}
    assert s2["calendar"] == s["calendar"]
    assert s2["pause_states"] == ["On Hold"]
    s3 = ok(capsys, "--db", db, "sla", "define", "standard", "--no-pauses")
    assert s3["pause_states"] == []
    code, out, _ = run(capsys, "--db", db, "sla", "list")
    assert out.strip() == (
        "standard: P1 4 h, P2 1.5 h, P3 16 h; mon-fri 08:00-18:00 Europe/London, "
        "GB-ENG holidays, 1 more holiday"
    )


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["new"], "give its targets"),
        (["x", "--priority", "1"], "PRIORITY=DURATION"),
        (["x", "--priority", "one=4h"], "PRIORITY=DURATION"),
        (["x", "--priority", "1=fast"], "a duration such as 4h"),
        (["x", "--priority", "1=0h"], "above zero"),
        (["x", "--priority", "1=4h", "--calendar", "weekdays"], "--calendar: hours"),
        (["x", "--priority", "1=4h", "--calendar", "mon-fri 18:00-08:00"], "closes after"),
        (["x", "--priority", "1=4h", "--timezone", "Mars/Olympus"], "IANA"),
        (["x", "--priority", "1=4h", "--holidays", "Easter"], "country such as GB"),
        (["x", "--priority", "1=4h", "--holidays", "GB,FR"], "one country"),
        (["x", "--priority", "1=4h", "--pause", "a", "--no-pauses"], "--no-pauses"),
        (["x", "--priority", "1=4h", "--pause", " "], "--pause: SLADefinition.pause_states"),
        ([" padded", "--priority", "1=4h"], "NAME: SLADefinition.name"),
    ],
)
def test_bad_sla_options_are_usage_errors(
    args: list[str], words: str, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "--db", db, "sla", "define", *args)
    assert code == 2, err
    clean(err)
    assert words in err
    assert ok(capsys, "--db", db, "sla", "list") == []


def test_import_report_and_measure_in_text(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = _csv(
        tmp_path,
        "INC1,2026-01-05 09:00,2026-01-05 13:00,3,Service Desk,\n"
        "INC2,2026-01-05 10:00,2026-01-05 12:00,3,Service Desk,\n"
        "INC3,2026-01-06 10:00,2026-01-06 18:00,3,Service Desk,\n"
        "INC4,2026-01-06 10:00,,3,R&D,\n",
    )
    args = ["--db", db, "import", "tickets", file, "--format", "csv", *MAP]
    code, out, err = run(capsys, *args, "--by", "assignment_group")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == f"imported {file}: 4 tickets from 4 rows (0 skipped)"
    assert lines[1].startswith("  added 4, updated 0, unchanged 0; the register holds 4 tickets")
    assert lines[2] == "KPIs derived per day, by assignment_group (2 groups):"
    assert lines[3].split() == ["mttr.<group>", "MTTR"]
    assert lines[4:7] == [
        "  where <group> is one of:",
        "    r-and-d       R&D",
        "    service-desk  Service Desk",
    ]
    assert lines[7] == "not derived:"
    assert "  sla: no SLA definition, and no recorded SLA outcome" in out
    assert "  fcr: no first_contact column" in out
    # MTTR over all three Service Desk tickets: (4 + 2 + 8) / 3 = 4.667 h, whereas the daily
    # values (3 h on the 5th, 8 h on the 6th) have a mean of 5.5 h
    code, out, _ = run(capsys, "--db", db, "kpi", "measure", "mttr.service-desk")
    assert out.splitlines() == [
        "MTTR, Service Desk (mttr.service-desk), all tickets:",
        "  over all tickets: 4.667 hours from 3 tickets",
        "  daily series (2 days): mean of the daily values 5.5 hours, min 3, max 8, "
        "latest 8 on 2026-01-06",
        "  derived from the register's tickets (assignment_group = Service Desk; 4 stored, "
        f"checksum {out.split('checksum ')[1][:12]})",
    ]
    m = ok(capsys, "--db", db, "kpi", "measure", "mttr.r-and-d")
    assert (m["value"], m["n"], m["extra"]) == (None, 0, {"open": 1})  # INC4 is open
    code, out, _ = run(capsys, "--db", db, "kpi", "measure", "mttr.r-and-d")
    assert "over all tickets: - from 0 tickets (1 open not counted)" in out
    # a baseline of a derived KPI is its value over the tickets, like kpi measure
    b = ok(capsys, "--db", db, "baseline", "capture", "mttr.service-desk")
    assert b["value"] == pytest.approx(14 / 3)
    assert b["n"] == 3
    ok(capsys, "--db", db, "kpi", "define", "mttr.service-desk", "--target", "4",
       "--tolerance", "0.5")  # fmt: skip
    m = ok(capsys, "--db", db, "kpi", "measure", "mttr.service-desk")
    # 4.667 against target 4 and baseline 4.667: attainment 0
    assert m["evaluation"]["attainment"] == pytest.approx(0.0)
    # the SLA: defined after the import, chosen per KPI
    ok(capsys, "--db", db, "sla", "define", "p3", "--priority", "3=4h")
    code, out, _ = run(capsys, "--db", db, "kpi", "measure", "sla.service-desk")
    assert code == 1  # not derived yet
    done = ok(capsys, *args, "--by", "assignment_group", "--sla", "p3")
    assert done["sla_basis"].startswith("SLA 'p3'")
    assert (done["added"], done["unchanged"]) == (0, 4)
    m = ok(capsys, "--db", db, "kpi", "measure", "sla.service-desk")
    # 4 h, 2 h and 8 h against 4 h (on time counts): 2 of 3
    assert m["value"] == pytest.approx(2 / 3)
    ok(capsys, "--db", db, "sla", "define", "p3", "--priority", "3=8h")
    assert ok(capsys, "--db", db, "kpi", "measure", "sla.service-desk")["value"] == 1.0
    code, out, err = run(capsys, "--db", db, "kpi", "define", "mttr.service-desk", "--sla", "p3")
    assert code == 2
    assert "is mttr, not SLA attainment" in err
    kpis = ok(capsys, "--db", db, "kpi", "list")
    sla_kpi = next(k for k in kpis if k["key"] == "sla.service-desk")
    assert sla_kpi["derivation"]["sla"] == "p3"
    assert sla_kpi["name"] == "SLA attainment, Service Desk"


def test_several_slas_and_an_unknown_one_are_clean_errors(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ok(capsys, "--db", db, "sla", "define", "a", "--priority", "3=4h")
    ok(capsys, "--db", db, "sla", "define", "b", "--priority", "3=8h")
    file = _csv(tmp_path, "INC1,2026-01-05 09:00,2026-01-05 13:00,3,SD,\n")
    args = ["--db", db, "import", "tickets", file, "--format", "csv", *MAP]
    code, _, err = run(capsys, *args)
    assert code == 1
    clean(err)
    assert "one of 'a', 'b'" in err
    code, _, err = run(capsys, *args, "--sla", "c", "--json")
    assert code == 1
    assert json.loads(err)["error"] == "SLA 'c' is not defined in the register"
    assert ok(capsys, "--db", db, "kpi", "list") == []  # nothing was written


def test_map_names_ticket_fields(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = _csv(tmp_path, "INC1,2026-01-05 09:00,2026-01-05 13:00,3,SD,\n")
    code, _, err = run(
        capsys, "--db", db, "import", "tickets", file, "--format", "csv", "--map", "Group=team"
    )
    assert code == 2
    assert "'team' is not a ticket field" in err
