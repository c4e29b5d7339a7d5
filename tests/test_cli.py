"""The itil-ci command line: each command, its exit codes and its --json output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from itil_ci.cli import main

DATA = Path(__file__).parent / "io" / "data"
MANAGER = ["--actor", "mia", "--role", "continual-improvement-manager"]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "reg.sqlite")


def test_demo_runs_a_whole_cycle_and_writes_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _err = run(capsys, "--json", "demo", "--tickets", "20000", "--out", "out")
    assert code == 0
    result = json.loads(out)
    assert result["step"] == "closed"
    # the synthetic improvement cuts e-mail MTTR by about a third (io.synthetic docs)
    assert result["verdict"] == "improved"
    assert result["ci"][1] < 0
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "Known-error articles" in html
    assert (tmp_path / "out" / "report.md").read_text(encoding="utf-8").startswith("# ")
    assert (tmp_path / "itil-ci-demo.sqlite").exists()
    # a second run replaces the demo register instead of doubling its content
    code, out, _ = run(capsys, "--json", "demo", "--tickets", "20000", "--out", "out")
    assert code == 0
    code, out, _ = run(capsys, "--db", "itil-ci-demo.sqlite", "--json", "opportunity", "list")
    assert len(json.loads(out)) == 6


def test_demo_refuses_to_overwrite_an_explicit_register(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "--db", db, "init")[0] == 0
    code, _out, err = run(capsys, "--db", db, "demo")
    assert code == 1
    assert "exists" in err
    assert "Traceback" not in err


def test_import_servicenow_records_daily_kpis(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "--db",
        db,
        "--json",
        "import",
        "tickets",
        str(DATA / "servicenow_incidents.json"),
        "--format",
        "servicenow",
        "--by",
        "service",
    )
    assert code == 0
    report = json.loads(out)
    assert report["tickets"] > 0
    assert any(key.startswith("mttr.") for key in report["series"])
    code, out, _ = run(capsys, "--db", db, "--json", "kpi", "list")
    assert {k["key"] for k in json.loads(out)} >= set(report["series"])


def test_import_jira(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys,
        "--db",
        db,
        "--json",
        "import",
        "tickets",
        str(DATA / "jira_search.json"),
        "--format",
        "jira",
        "--by",
        "service",
    )
    assert code == 0, err
    report = json.loads(out)
    # the fixture holds 3 issues of projects SD (2) and FS (1); one KPI family per project,
    # keyed by the project's name in lower case
    assert (report["rows"], report["tickets"], report["skipped"]) == (3, 3, 0)
    assert report["problems"] == []
    assert report["series"] == sorted(
        f"{k}.{p}" for k in ("fcr", "mtta", "mttr", "reopen") for p in ("fs", "sd")
    )
    # no SLA definition and no SLA outcome or target in the export: no invented targets
    assert list(report["not_derived"]) == ["sla"]
    assert "sla define" in report["not_derived"]["sla"]
    code, out, _ = run(capsys, "--db", db, "--json", "kpi", "measure", "mttr.sd")
    # SD-101: created 2017-02-28T09:24:59.366-0600, resolved 2017-03-01T10:00:00.000-0600,
    # i.e. 24 h 35 min 0.634 s = 24.5835094 h (SD-102 is unresolved)
    assert json.loads(out)["value"] == pytest.approx(24 + 35 / 60 + 0.634 / 3600)
    code, out, _ = run(capsys, "--db", db, "--json", "kpi", "measure", "mttr.fs")
    # SD-103 (project FS): 12:00 to 13:30 on 2017-03-05 = 1.5 h
    assert json.loads(out)["value"] == pytest.approx(1.5)


def test_import_csv_with_mapping(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "t.csv"
    path.write_text(
        "Number,Opened,Resolved,Priority,Service\n"
        "INC1,2026-01-05 09:00,2026-01-05 13:00,3,email\n"
        "INC2,2026-01-05 10:00,2026-01-05 12:00,3,email\n",
        encoding="utf-8",
    )
    code, out, err = run(
        capsys,
        "--db",
        db,
        "--json",
        "import",
        "tickets",
        str(path),
        "--format",
        "csv",
        "--map",
        "Number=id",
        "--map",
        "Opened=opened",
        "--map",
        "Resolved=resolved",
        "--map",
        "Priority=priority",
        "--map",
        "Service=service",
        "--by",
        "service",
    )
    assert code == 0, err
    code, out, _ = run(capsys, "--db", db, "--json", "kpi", "measure", "mttr.email")
    # two tickets on one day, 4 h and 2 h: their mean is 3 h
    assert json.loads(out)["value"] == pytest.approx(3.0)


def test_bad_import_is_a_user_error_and_writes_nothing(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"result": [{"number": "INC1", "opened_at": "yesterday"', encoding="utf-8")
    code, _out, err = run(
        capsys, "--db", db, "import", "tickets", str(bad), "--format", "servicenow"
    )
    assert code == 1
    assert err.startswith("error: ")
    code, out, _ = run(capsys, "--db", db, "--json", "kpi", "list")
    assert json.loads(out) == []


def test_bad_usage_exits_2(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--db", db, "import", "tickets", "x.csv", "--format", "xml")[0] == 2
    assert run(capsys, "--db", db, "no-such-command")[0] == 2


def test_every_command_has_help_with_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    commands = [
        ["demo"],
        ["init"],
        ["sla", "define"],
        ["sla", "list"],
        ["import", "tickets"],
        ["kpi", "list"],
        ["kpi", "define"],
        ["kpi", "measure"],
        ["baseline", "capture"],
        ["opportunity", "log"],
        ["opportunity", "list"],
        ["prioritise"],
        ["initiative", "start"],
        ["initiative", "advance"],
        ["initiative", "return"],
        ["initiative", "status"],
        ["initiative", "close"],
        ["report"],
    ]
    for command in commands:
        code, out, _ = run(capsys, *command, "--help")
        assert code == 0
        assert "Example:" in out, command


def test_kpis_opportunities_prioritise_and_initiative(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        run(
            capsys,
            "--db",
            db,
            "kpi",
            "define",
            "mttr",
            "--unit",
            "hours",
            "--direction",
            "lower",
            "--target",
            "4",
            "--due",
            "2027-03-31",
            "--tolerance",
            "0.5",
        )[0]
        == 0
    )
    assert (
        run(capsys, "--db", db, "opportunity", "log", "A", "--benefit", "8", "--effort", "3")[0]
        == 0
    )
    assert (
        run(
            capsys,
            "--db",
            db,
            "opportunity",
            "log",
            "B",
            "--benefit",
            "5",
            "--effort",
            "1",
            "--score",
            "reach=3",
        )[0]
        == 0
    )
    code, out, _ = run(
        capsys,
        "--db",
        db,
        "--json",
        "prioritise",
        "--criterion",
        "benefit:2",
        "--criterion",
        "effort:1:cost",
        "--key",
        "benefit=expected_benefit",
    )
    assert code == 0
    ranking = json.loads(out)["ranking"]
    assert [r["title"] for r in ranking] == ["A", "B"]
    code, out, _ = run(capsys, "--db", db, "--json", "prioritise", "--model", "value-effort")
    assert code == 0
    assert {r["title"] for r in json.loads(out)} == {"A", "B"}

    code, out, _ = run(capsys, "--db", db, "--json", "initiative", "start", "Faster", *MANAGER)
    assert code == 0
    ini = json.loads(out)
    assert ini["step"] == "vision"
    code, _out, err = run(capsys, "--db", db, "initiative", "advance", ini["id"], *MANAGER)
    assert code == 1
    assert "objectives" in err
    code, out, _ = run(
        capsys,
        "--db",
        db,
        "--json",
        "initiative",
        "advance",
        ini["id"],
        *MANAGER,
        "--set",
        'objectives=["Restore e-mail within 4 hours"]',
    )
    assert code == 0
    assert json.loads(out)["step"] == "current_state"
    times = np.arange("2026-01-01", "2026-02-01", dtype="datetime64[D]")
    from itil_ci.register import Register

    with Register.open(db) as reg:
        reg.record("mttr", times.astype("datetime64[ns]"), np.linspace(6, 5, times.size))
    code, out, err = run(
        capsys,
        "--db",
        db,
        "--json",
        "initiative",
        "advance",
        ini["id"],
        *MANAGER,
        "--set",
        'kpis=["mttr"]',
        "--set",
        'series=["mttr"]',
    )
    assert code == 0, err
    assert json.loads(out)["step"] == "target_state"
    code, out, _ = run(
        capsys,
        "--db",
        db,
        "--json",
        "initiative",
        "return",
        ini["id"],
        "vision",
        "--reason",
        "rethink",
        *MANAGER,
    )
    assert code == 0
    assert json.loads(out)["history"][-1]["reason"] == "rethink"
    code, out, _ = run(capsys, "--db", db, "--json", "initiative", "status")
    assert json.loads(out)["counts"] == {"vision": 1}
    code, out, _ = run(capsys, "--db", db, "baseline", "capture", "mttr")
    assert code == 0
    for fmt in ("html", "md", "json"):
        target = tmp_path / f"r.{fmt}"
        assert run(capsys, "--db", db, "report", "--format", fmt, "--out", str(target))[0] == 0
        assert target.stat().st_size > 0


def test_unknown_kpi_is_a_user_error(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, "--db", db, "kpi", "measure", "nope")
    assert code == 1
    assert "nope" in err


def test_python_dash_m_runs_the_cli() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "itil_ci", "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert "demo" in done.stdout


def test_console_script_is_installed_and_runs() -> None:
    # pip installs the [project.scripts] entry 'itil-ci' next to the interpreter
    script = Path(sys.executable).parent / "itil-ci"
    assert script.is_file()
    done = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert "demo" in done.stdout
    assert "Usage: itil-ci" in done.stdout


def test_json_output_shapes(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Each command's --json output has the documented keys and values."""
    code, out, _ = run(capsys, "--db", db, "--json", "init")
    assert (code, json.loads(out)) == (0, {"db": db})

    code, out, _ = run(
        capsys, "--db", db, "--json", "kpi", "define", "mttr", "--unit", "hours",
        "--direction", "lower", "--target", "4", "--tolerance", "0.5", "--due", "2027-03-31",
    )  # fmt: skip
    assert code == 0
    k = json.loads(out)
    assert (k["type"], k["key"], k["unit"], k["direction"]) == (
        "KPI",
        "mttr",
        "hours",
        "lower-is-better",
    )
    assert k["target"]["value"] == 4.0
    assert k["aggregation"]["method"] == "mean"

    from itil_ci.register import Register

    times = np.arange("2026-01-01", "2026-01-05", dtype="datetime64[D]").astype("datetime64[ns]")
    with Register.open(db) as reg:
        reg.record("mttr", times, [6.0, 7.0, 5.0, 6.0])
    code, out, _ = run(capsys, "--db", db, "--json", "kpi", "measure", "mttr")
    # no baseline yet: the mean of 6, 7, 5, 6 is 6 and there is nothing to evaluate against
    assert json.loads(out) == {
        "kpi": "mttr",
        "value": 6.0,
        "n": 4,
        "evaluation": None,
        "basis": "observations",
    }

    code, out, _ = run(capsys, "--db", db, "--json", "baseline", "capture", "mttr")
    assert code == 0
    b = json.loads(out)
    assert (b["kpi_key"], b["value"], b["n"]) == ("mttr", 6.0, 4)

    with Register.open(db) as reg:
        reg.record("mttr", times + np.timedelta64(4, "D"), [4.5, 4.3, 4.4, 4.4])
    code, out, _ = run(
        capsys, "--db", db, "--json", "kpi", "measure", "mttr", "--start", "2026-01-05"
    )
    m = json.loads(out)
    assert (m["kpi"], m["n"]) == ("mttr", 4)
    # mean(4.5, 4.3, 4.4, 4.4) = 4.4; attainment (4.4 - 6) / (4 - 6) = 0.8; 4.4 misses the
    # target 4 by 0.4 <= tolerance 0.5: amber (the evaluate() docstring example, same numbers)
    assert m["value"] == pytest.approx(4.4)
    ev = m["evaluation"]
    assert ev["status"] == "amber"
    assert ev["attainment"] == pytest.approx(0.8)
    assert ev["target_met"] is False
    assert ev["baseline"] == 6.0

    code, out, _ = run(
        capsys, "--db", db, "--json", "opportunity", "log", "A", "--benefit", "8", "--effort", "2",
        "--score", "reach=3", "--service", "email", "--kpi", "mttr",
    )  # fmt: skip
    opp = json.loads(out)
    assert (opp["type"], opp["title"], opp["status"], opp["service"]) == (
        "Opportunity",
        "A",
        "logged",
        "email",
    )
    assert (opp["expected_benefit"], opp["effort"], opp["scores"], opp["kpis"]) == (
        8.0,
        2.0,
        {"reach": 3.0},
        ["mttr"],
    )
    run(capsys, "--db", db, "opportunity", "log", "B", "--benefit", "2", "--effort", "4")
    code, out, _ = run(capsys, "--db", db, "--json", "opportunity", "list", "--service", "email")
    assert [o["id"] for o in json.loads(out)] == [opp["id"]]

    code, out, _ = run(capsys, "--db", db, "--json", "prioritise", "--model", "value-effort")
    rows = json.loads(out)
    assert [set(r) for r in rows] == [{"id", "title", "ratio", "quadrant"}] * 2
    # ratio = benefit / effort: A 8/2 = 4, B 2/4 = 0.5, listed highest first
    assert [(r["title"], r["ratio"]) for r in rows] == [("A", 4.0), ("B", 0.5)]

    code, out, _ = run(capsys, "--db", db, "--json", "initiative", "start", "Faster", *MANAGER)
    ini = json.loads(out)
    code, out, _ = run(capsys, "--db", db, "--json", "initiative", "status", ini["id"])
    status = json.loads(out)
    assert (status["id"], status["step"]) == (ini["id"], "vision")
    assert any("objectives" in m for m in status["missing"])
    code, out, _ = run(capsys, "--db", db, "--json", "initiative", "status")
    assert json.loads(out)["initiatives"] == [
        {"id": ini["id"], "title": "Faster", "model": ini["model"], "step": "vision"}
    ]

    target = tmp_path / "export.json"
    code, out, _ = run(
        capsys, "--db", db, "--json", "report", "--format", "json", "--out", str(target)
    )
    assert json.loads(out) == {"report": str(target)}
    exported = json.loads(target.read_text(encoding="utf-8"))
    assert "mttr" in json.dumps(exported)
