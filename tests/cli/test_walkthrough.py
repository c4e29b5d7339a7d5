"""Issue 14, "done when": from a ServiceNow CSV event log to a one-page report, on the command line.

``init``, ``sla define``, ``import tickets --format servicenow --date-format
"%d-%m-%Y %H:%M" --na "?" --by assignment_group``, ``kpi measure`` and
``report`` on the event log the tutorial uses (``docs/data``: several rows
per incident with ``sys_mod_count``, day-first times, ``?`` for empty, group
names with spaces, a slash, an ampersand and accents, pause states).  Every
ticket-level number equals a computation written here with pandas (and, for
the SLA clock, businesstimedelta and the holidays package) on the same file,
independently of the library; importing the file again changes no number;
the report fits one page.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli._run import ok, run

pd = pytest.importorskip("pandas")
btd = pytest.importorskip("businesstimedelta")
hol = pytest.importorskip("holidays")

FIXTURE = Path(__file__).resolve().parents[2] / "docs" / "data" / "incident_event_log.csv"
TARGETS = {1: 4.0, 2: 8.0, 3: 24.0, 4: 72.0}
PAUSES = {"On Hold", "Awaiting User Info"}
SLA = [
    "sla", "define", "standard", "--priority", "1=4h", "--priority", "2=8h",
    "--priority", "3=24h", "--priority", "4=72h", "--calendar", "mon-fri 08:00-18:00",
    "--timezone", "Europe/London", "--holidays", "GB-ENG",
    "--pause", "On Hold", "--pause", "Awaiting User Info",
]  # fmt: skip
IMPORT = [
    "import", "tickets", str(FIXTURE), "--format", "servicenow",
    "--date-format", "%d-%m-%Y %H:%M", "--na", "?", "--by", "assignment_group",
]  # fmt: skip
KEYS = {
    "Service Desk": "service-desk",
    "Network / WAN": "network-wan",
    "Apps & Data": "apps-and-data",
    "Sécurité IT": "securite-it",
}


def _reference() -> dict[str, dict[str, float]]:
    """MTTR, SLA attainment, FCR and reopen rate per assignment group, in pandas."""
    df = pd.read_csv(FIXTURE, na_values=["?"], keep_default_na=False)
    for col in ("opened_at", "resolved_at", "sys_updated_at"):
        df[col] = pd.to_datetime(df[col], format="%d-%m-%Y %H:%M")  # times in UTC
    df = df.sort_values(["number", "sys_mod_count"], kind="stable")
    last = df.groupby("number").tail(1).set_index("number")  # the latest row of each incident
    done = last[last["resolved_at"].notna()].copy()
    hours = (done["resolved_at"] - done["opened_at"]).dt.total_seconds() / 3600
    # ServiceNow has no first-contact field: resolved, never reassigned, never reopened
    first = (done["reassignment_count"] == 0) & (done["reopen_count"] == 0)
    # The SLA clock: business hours Mon-Fri 08:00-18:00 London time, English public holidays
    # off, less the time spent On Hold or Awaiting User Info (from the event rows).
    days = hol.country_holidays("GB", subdiv="ENG", years=[2016])
    rules = btd.Rules(
        [
            btd.WorkDayRule(
                start_time=dt.time(8), end_time=dt.time(18), working_days=[0, 1, 2, 3, 4]
            ),
            btd.HolidayRule(frozenset(days)),
        ]
    )

    def local(t: Any) -> dt.datetime:
        # London wall-clock time (business hours never include a DST change's hour)
        return t.tz_localize("UTC").tz_convert("Europe/London").tz_localize(None).to_pydatetime()

    def business(a: Any, b: Any) -> float:
        if not b > a:
            return 0.0
        return float(rules.difference(local(a), local(b)).timedelta.total_seconds() / 3600)

    met = {}
    for number, row in done.iterrows():
        events = df[df["number"] == number]
        clock = business(row["opened_at"], row["resolved_at"])
        start = None
        for _, ev in events.iterrows():
            paused = ev["incident_state"] in PAUSES
            if paused and start is None:
                start = ev["sys_updated_at"]
            elif not paused and start is not None:
                a, b = max(start, row["opened_at"]), min(ev["sys_updated_at"], row["resolved_at"])
                clock -= business(a, b)
                start = None
        if start is not None:
            clock -= business(max(start, row["opened_at"]), row["resolved_at"])
        priority = int(str(row["priority"])[0])
        met[number] = clock <= TARGETS[priority]
    done["hours"] = hours
    done["fcr"] = first
    done["reopened"] = done["reopen_count"] > 0
    done["met"] = pd.Series(met)
    out: dict[str, dict[str, float]] = {}
    for group, g in done.groupby("assignment_group"):
        out[str(group)] = {
            "mttr": float(g["hours"].mean()),
            "sla": float(g["met"].mean()),
            "fcr": float(g["fcr"].mean()),
            "reopen": float(g["reopened"].mean()),
            "n": float(len(g)),
        }
    return out


def _measures(capsys: pytest.CaptureFixture[str], db: str) -> dict[str, Any]:
    return {
        f"{m}.{key}": ok(capsys, "--db", db, "kpi", "measure", f"{m}.{key}")
        for key in KEYS.values()
        for m in ("mttr", "sla", "fcr", "reopen")
    }


def test_the_walkthrough_gives_the_numbers_pandas_gives(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    db = str(tmp_path / "improvements.sqlite")
    assert run(capsys, "--db", db, "init")[0] == 0
    assert ok(capsys, "--db", db, *SLA)["name"] == "standard"
    first = ok(capsys, "--db", db, *IMPORT)
    # 230 rows, one per update, of 48 incidents (the fixture's own count)
    assert (first["rows"], first["tickets"], first["skipped"]) == (230, 48, 0)
    assert (first["added"], first["updated"], first["unchanged"]) == (48, 0, 0)
    assert first["series"] == sorted(
        f"{m}.{k}" for m in ("fcr", "mttr", "reopen", "sla") for k in KEYS.values()
    )
    assert first["not_derived"] == {"mtta": "no acknowledged column"}
    assert first["sla_basis"].startswith("SLA 'standard'")

    reference = _reference()
    assert set(reference) == set(KEYS)
    measured = _measures(capsys, db)
    for group, key in KEYS.items():
        ref = reference[group]
        for metric in ("mttr", "sla", "fcr", "reopen"):
            got = measured[f"{metric}.{key}"]
            assert got["basis"] == "tickets"
            assert got["n"] == ref["n"], (group, metric)
            assert got["value"] == pytest.approx(ref[metric], rel=1e-12, abs=1e-12), (
                group,
                metric,
            )

    # The same file again: nothing added, nothing changed, every number the same.
    again = ok(capsys, "--db", db, *IMPORT)
    assert (again["added"], again["updated"], again["unchanged"]) == (0, 0, 48)
    assert again["checksum"] == first["checksum"]
    for k, m in _measures(capsys, db).items():
        assert {x: m[x] for x in ("value", "n", "daily", "extra")} == {
            x: measured[k][x] for x in ("value", "n", "daily", "extra")
        }

    # The report: one self-contained page that notes what was derived and how.
    code, _, err = run(capsys, "--db", db, "report", "--out", "report.html")
    assert code == 0, err
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert len(page.encode("utf-8")) < 1_000_000
    assert "16 KPIs (MTTR, SLA attainment, First contact resolution, Reopen rate)" in page
    assert "MTTA is not derived: no acknowledged column." in page
    assert "MTTR, Sécurité IT" in page
    assert "Apps &amp; Data" in page
    code, _, _ = run(capsys, "--db", db, "report", "--format", "md", "--out", "report.md")
    assert code == 0
    assert json.loads(json.dumps(first))  # the import's JSON is plain JSON


def test_the_report_of_the_walkthrough_is_one_page_in_a_browser(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import re

    from tests._browser import require_chromium
    from tests.report.test_report_chromium import _LAYOUT, VIEWPORT, _chromium

    require_chromium()
    db = str(tmp_path / "improvements.sqlite")
    ok(capsys, "--db", db, *SLA)
    ok(capsys, "--db", db, *IMPORT)
    out = tmp_path / "report.html"
    assert run(capsys, "--db", db, "report", "--out", str(out))[0] == 0
    probe = tmp_path / "probe.html"
    probe.write_text(
        out.read_text(encoding="utf-8").replace("</body>", _LAYOUT + "</body>"), encoding="utf-8"
    )
    dom = _chromium(tmp_path, probe.as_uri(), "--dump-dom", size=f"{VIEWPORT[0]},{VIEWPORT[1]}")
    found = re.search(r'<pre id="measured">(.*?)</pre>', dom, re.S)
    assert found, dom[-2000:]
    layout = json.loads(found.group(1).replace("&quot;", '"'))
    assert layout["height"] < 8 * VIEWPORT[1], layout["height"]
    # the KPI summary leads with every derived KPI: 4 metrics x 4 assignment groups
    assert layout["summary"]["rows"] == 16
    assert layout["summary"]["top"] < VIEWPORT[1]
