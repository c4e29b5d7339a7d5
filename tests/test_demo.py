"""The demo's story: the initiative is driven on a clock that follows the year it describes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from itil_ci._demo import CHANGE, run_demo
from itil_ci.engines import verify_history


def test_audit_trail_follows_the_story(tmp_path: Path) -> None:
    result = run_demo(tmp_path / "demo.sqlite", tmp_path, tickets=20_000)
    trail = result.initiative.history
    times = [h.at for h in trail]
    # Every move is dated in the demo's year, in story order, and the trail still verifies.
    assert all(t.year == 2025 for t in times)
    assert times == sorted(times)
    assert len(set(times)) == len(times)
    assert verify_history(result.initiative)
    # The change takes effect when the initiative enters "take action" (2 July) ...
    (acting,) = [h for h in trail if h.to_step == "action"]
    assert acting.at.date() == CHANGE.date()
    # ... the pilot's check comes after its four weeks, the evaluation after the roll-out.
    checks = [h.at for h in trail if h.to_step == "pdca:check"]
    assert [t.date() for t in checks] == [dt.date(2025, 8, 1), dt.date(2025, 10, 1)]
    (evaluated,) = [h for h in trail if h.to_step == "momentum"]
    assert evaluated.at.date() == dt.date(2025, 12, 16)
    md = result.markdown.read_text(encoding="utf-8")
    assert "| 1 | 2025-06-30 09:00 UTC | start |" in md
    # No move is stamped with the day the demo ran (unless that day is in the story's year).
    section = md[md.index("## Initiatives") : md.index("## KPIs")]
    today = dt.datetime.now(dt.UTC).date()
    assert today.year == 2025 or today.isoformat() not in section
